"""The demo property's prepaid package on sale (seed 004: forfaits) and its connected Stripe account (the
Connect stand-in, local/connect.py): the demo's payments are direct charges on the host's account."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

PACKAGES: list[dict[str, Any]] = [
    {"name": "Forfait 5 nuits au Moulin", "currency": "EUR",
     "name_translations": {"en": "5 nights at the Mill", "nl": "5 nachten in de Molen",
                           "de": "5 Nächte in der Mühle"},
     "description": "Cinq nuits à répartir sur vos séjours dans nos gîtes et chambres d'hôte.",
     "description_translations": {
         "en": "Five nights to spread over your stays in our cottages and B&B rooms.",
         "nl": "Vijf nachten te verdelen over uw verblijven in onze gîtes en B&B-kamers.",
         "de": "Fünf Nächte, verteilt auf Ihre Aufenthalte in unseren Ferienhäusern und Gästezimmern."},
     "unit": "night", "units": 5, "price": 42500, "validity_months": 18, "purchasable_online": True},
]


def seed(client: Any, headers: dict[str, str]) -> None:
    """Create the demo's packages through the real API (`client` is a werkzeug test client), once."""
    listed = client.get("/v1/admin/properties/demo/packages", headers=headers)
    if listed.status_code == 200 and listed.get_json()["packages"]:
        return
    for package in PACKAGES:
        response = client.post("/v1/admin/properties/demo/packages", json=package, headers=headers)
        assert response.status_code == 201, response.get_data(as_text=True)


def connect(client: Any, headers: dict[str, str], connect_base: str) -> str:
    """Connect the demo property to a stand-in account as a host would (onboarding through the API, the
    stand-in completes it), then let the API record that it can take charges. Returns the account id."""
    response = client.post("/v1/admin/properties/demo/stripe-account/onboarding", headers=headers, json={
        "return_url": "https://moulin.revenir.example/admin/stripe/done",
        "refresh_url": "https://moulin.revenir.example/admin/stripe/again",
        "email": "accueil@moulin.revenir.example", "country": "BE"})
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    account_id = str(response.get_json()["account"]["account_id"])
    request = urllib.request.Request(
        f"{connect_base}/_connect/accounts/{account_id}", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"charges_enabled": True, "details_submitted": True}).encode())
    urllib.request.urlopen(request, timeout=10).read()
    status = client.get("/v1/admin/properties/demo/stripe-account", headers=headers)
    assert status.status_code == 200 and status.get_json()["charges_enabled"], status.get_data(as_text=True)
    return account_id
