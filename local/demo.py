"""The demo property of the seeds (gîtes and chambres d'hôte on the Meuse), created through the real API."""

from __future__ import annotations

from typing import Any

from werkzeug.test import Client

from local import tokens

DEMO_PROPERTY = "demo"

PROPERTY = {
    "name": "Le Moulin d'en haut — gîtes et chambres d'hôte",
    "time_zone": "Europe/Brussels",
    "default_language": "fr",
    "currency": "EUR",
    "contact_email": "accueil@moulin.revenir.example",
    "contact_phone": "+32 81 00 00 00",
    "sender_email": "sejour@revenir.example",
    "website": "https://moulin.revenir.example",
}

OFFERS: dict[str, dict[str, Any]] = {
    "gite-bout-du-monde": {"name": "Gîte du bout du monde", "kind": "accommodation", "price": 12000},
    "gite-insolite": {"name": "Gîte insolite tout près d'ici", "kind": "accommodation", "price": 9500},
    "chambre-jardin": {"name": "Chambre d'hôte vue Jardin", "kind": "accommodation", "price": 8500},
    "chambre-meuse": {"name": "Chambre d'hôte vue Meuse", "kind": "accommodation", "price": 9000},
    "moulin-d-en-haut": {"name": "Moulin d'en haut (groupe)", "kind": "accommodation", "price": 42000},
    "petit-dejeuner": {"name": "Petit-déjeuner", "kind": "option", "price": 1200},
    "lit-bebe": {"name": "Lit bébé", "kind": "option", "price": 1000},
    "bien-etre": {"name": "Espace bien-être", "kind": "option", "price": 2500},
    "velo": {"name": "Location de vélo", "kind": "option", "price": 1500},
}


def _promo_codes() -> list[dict[str, Any]]:
    from datetime import date, timedelta

    today = date.today()
    return [
        {"name": "Bienvenue", "code": "BIENVENUE10", "discount": {"type": "percent", "percent": 10},
         "name_translations": {"en": "Welcome", "nl": "Welkom", "de": "Willkommen"},
         "valid_from": str(today - timedelta(days=1)), "valid_until": str(today + timedelta(days=365)),
         "public": True},
        {"name": "Merci pour votre premier séjour", "code": "MERCI50",
         "discount": {"type": "amount", "amount": 5000, "currency": "EUR"}, "min_nights": 2, "max_uses": 50,
         "max_uses_per_guest": 1, "valid_from": str(today - timedelta(days=1)),
         "valid_until": str(today + timedelta(days=365))},
    ]


PROMO_CODES = _promo_codes()


def _bookings() -> dict[str, dict[str, Any]]:
    """Guests of the demo: one arriving in two days, one in nine (her booking e-mail is due in two days), one
    who left yesterday."""
    from datetime import date, timedelta

    today = date.today()

    def stay(arrival: int, nights: int) -> dict[str, str]:
        return {"arrival": str(today + timedelta(days=arrival)),
                "departure": str(today + timedelta(days=arrival + nights))}

    return {
        "DEMO-1001": {"first_name": "Martin", "last_name": "Dupont", "email": "martin.dupont@example.com",
                      "language": "fr", "country": "BE", **stay(2, 3), "adults": 2, "children": 0,
                      "offer_ids": ["chambre-meuse"], "channel": "direct", "total": 27000, "currency": "EUR",
                      "marketing_consent": True},
        "DEMO-1002": {"first_name": "Anna", "last_name": "de Vries", "email": "anna.devries@example.com",
                      "language": "nl", "country": "NL", **stay(9, 4), "adults": 2, "children": 2,
                      "offer_ids": ["gite-bout-du-monde"], "channel": "booking.com", "rate_includes": ["breakfast"],
                      "total": 48000, "currency": "EUR"},
        "DEMO-1003": {"first_name": "Jonas", "last_name": "Becker", "email": "jonas.becker@example.com",
                      "language": "de", "country": "DE", **stay(-3, 2), "adults": 1, "children": 0,
                      "offer_ids": ["gite-insolite"], "channel": "direct", "status": "checked_out", "total": 19000,
                      "currency": "EUR", "marketing_consent": True},
    }


def seed(app: Any, *, sample_data: bool = True, connect_base: str | None = None) -> str:
    """Create the demo property and its offers through the gateway — with `sample_data`, also its promo codes
    and three guests' bookings (their e-mails get scheduled) — and return an admin token for it. `connect_base`:
    the Connect stand-in; the property then gets a connected account (its payments are direct charges)."""
    token = tokens.mint([DEMO_PROPERTY])
    client = Client(app)
    headers = {"Authorization": f"Bearer {token}"}
    response = client.put(f"/v1/admin/properties/{DEMO_PROPERTY}", json=PROPERTY, headers=headers)
    assert response.status_code in (200, 201), response.get_data(as_text=True)
    for offer_id, offer in OFFERS.items():
        response = client.put(f"/v1/admin/properties/{DEMO_PROPERTY}/offers/{offer_id}",
                              json={**offer, "currency": "EUR"}, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)
    from local import demo_vouchers

    demo_vouchers.seed(client, headers)
    if connect_base:
        from local import demo_packages

        demo_packages.connect(client, headers, connect_base)
    if not sample_data:
        return token
    for code in PROMO_CODES:
        response = client.post(f"/v1/admin/properties/{DEMO_PROPERTY}/promo-codes", json=code, headers=headers)
        assert response.status_code in (201, 409), response.get_data(as_text=True)
    for booking_id, booking in _bookings().items():
        response = client.put(f"/v1/properties/{DEMO_PROPERTY}/bookings/{booking_id}", json=booking, headers=headers)
        assert response.status_code in (200, 201), response.get_data(as_text=True)
    from local import demo_reviews

    demo_reviews.seed(client, headers)
    from local import demo_packages

    demo_packages.seed(client, headers)
    for template_id in ("abandoned_payment", "payment_failed"):  # off by default, as in the seeds: on for the demo
        template = client.get(f"/v1/admin/properties/{DEMO_PROPERTY}/mail-templates/{template_id}",
                              headers=headers).get_json()
        body = {k: template[k] for k in ("name", "kind", "trigger", "category", "versions")} | {"enabled": True}
        client.put(f"/v1/admin/properties/{DEMO_PROPERTY}/mail-templates/{template_id}", json=body, headers=headers)
    return token
