"""The demo property's gift vouchers and gift cards (seed 000: chèques cadeaux, cartes cadeaux)."""

from __future__ import annotations

from typing import Any

PRODUCTS: list[dict[str, Any]] = [
    {"kind": "voucher", "name": "Chèque cadeau", "currency": "EUR",
     "name_translations": {"en": "Gift voucher", "nl": "Cadeaubon", "de": "Geschenkgutschein"},
     "description": "Un montant à valoir sur tout séjour et toute option, en une ou plusieurs fois.",
     "description_translations": {
         "en": "An amount to spend on any stay or option, in one or several goes.",
         "nl": "Een bedrag voor elk verblijf en elke optie, in één of meer keren.",
         "de": "Ein Betrag für jeden Aufenthalt und jede Option, auf einmal oder in mehreren Teilen."},
     "value": {"type": "custom", "min_amount": 2000, "max_amount": 100000}, "validity": {"months": 12}},
    {"kind": "voucher", "name": "Chèque cadeau 50 €", "currency": "EUR",
     "name_translations": {"en": "€50 gift voucher", "nl": "Cadeaubon 50 €", "de": "Gutschein 50 €"},
     "value": {"type": "fixed", "amount": 5000}, "validity": {"months": 12}},
    {"kind": "card", "name": "Séjour romantique vue Meuse", "currency": "EUR",
     "name_translations": {"en": "Romantic stay, Meuse view", "nl": "Romantisch verblijf",
                           "de": "Romantischer Aufenthalt"},
     "description": "Deux nuits en chambre d'hôte vue Meuse avec petits-déjeuners.",
     "description_translations": {
         "en": "Two nights in a B&B room overlooking the Meuse, breakfasts included.",
         "nl": "Twee nachten in een B&B-kamer met zicht op de Maas, ontbijt inbegrepen.",
         "de": "Zwei Nächte im Gästezimmer mit Blick auf die Maas, mit Frühstück."},
     "value": {"type": "fixed", "amount": 20400}, "validity": {"months": 18},
     "offer_ids": ["chambre-meuse", "petit-dejeuner"]},
]


def seed(client: Any, headers: dict[str, str]) -> None:
    """Create the demo gift catalog through the real API (`client` is a werkzeug test client)."""
    listed = client.get("/v1/admin/properties/demo/gift-products", headers=headers)
    if listed.status_code == 200 and listed.get_json()["gift_products"]:
        return
    for product in PRODUCTS:
        response = client.post("/v1/admin/properties/demo/gift-products", json=product, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)
