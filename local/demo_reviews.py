"""The demo property's reviews (seed 000: "La gestion des avis clients" — Airbnb, Booking.com, our own form),
loaded through the real API: a Booking.com CSV export, an Airbnb JSON export, a host reply, and a guest's review
through the signed form when the demo's departed guest (DEMO-1003) exists."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

PROPERTY = "demo"


def _day(days_ago: int) -> str:
    return str(date.today() - timedelta(days=days_ago))


def booking_csv() -> str:
    header = ("Review date;Guest name;Reservation number;Review title;Positive review;Negative review;Review score;"
              "Staff;Facilities;Cleanliness;Comfort;Value for money;Location;Property reply")
    rows = [
        f"{_day(40)};Anna;4711000042;Superbe séjour;Le calme, la vue sur la Meuse, le petit-déjeuner;;9;10;8;9;9;8;10;"
        "Merci Anna, au plaisir de vous revoir !",
        f"{_day(25)};Pieter;4711000057;Heel fijn;Vriendelijke gastvrouw;Wifi wat traag;8;10;7;9;8;8;9;",
        f"{_day(12)};Luc;4711000063;Correct;Emplacement;Ménage à revoir à l'arrivée;6;8;6;4;6;6;9;",
    ]
    return "\n".join([header, *rows]) + "\n"


def airbnb_json() -> str:
    # The two reviews of seed 000's "Liste des avis" (Julie, Yoël), with their six Airbnb categories.
    return json.dumps([
        {"id": "demo-ab-julie", "date": _day(60), "reviewer": "Julie", "confirmation_code": "HMP4KFP3M5",
         "overall_rating": 5, "language": "nl",
         "category_ratings": {"cleanliness": 5, "accuracy": 5, "checkin": 5, "communication": 5, "location": 5,
                              "value": 5},
         "public_review": "Heel aangenaam en mooi verblijf! Heel veel karakter en zeer goeie locatie. Muriel "
                          "reageert snel, en goeie tips voor restaurants gekregen. Echt een aanrader!"},
        {"id": "demo-ab-yoel", "date": _day(50), "reviewer": "Yoël", "confirmation_code": "HM2XKR8RPZ",
         "overall_rating": 5, "language": "fr",
         "category_ratings": {"cleanliness": 5, "accuracy": 5, "checkin": 5, "communication": 5, "location": 5,
                              "value": 5},
         "public_review": "Je commencerai par saluer l'accueil chaleureux et sympathique de Muriel et sa flexibilité "
                          "au niveau de la réservation. Le gîte est confortable. Nous vous recommandons ce gîte et "
                          "son hôte.",
         "response": "Merci à vous :)"},
    ], ensure_ascii=False)


def _signer() -> Any:
    """The post-stay e-mail's signer, with the signing secret the functions read. In-process tiers (handlers
    imported here) use the function's own signer; `python -m local` runs functions elsewhere: read the secret."""
    import sys

    import boto3

    if "functions.reviews.app" in sys.modules:
        return sys.modules["functions.reviews.app"].signer()

    from local.template import load
    from revenir.core.signing import Signer

    name = next(fn.environment["SIGNING_SECRET_NAME"] for fn in load().functions.values()
                if "SIGNING_SECRET_NAME" in fn.environment)
    return Signer(boto3.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"])


def _form_review(client: Any, headers: dict[str, str]) -> None:
    """Jonas (DEMO-1003, left a few days ago) answers the post-stay e-mail's link."""
    if client.get(f"/v1/admin/properties/{PROPERTY}/guests/jonas.becker@example.com", headers=headers
                  ).status_code != 200:
        return
    body = {"booking_id": "DEMO-1003", "token": _signer().sign("review", PROPERTY, "DEMO-1003"), "rating": 5,
            "categories": {"cleanliness": 5, "comfort": 5, "check_in": 5, "communication": 5, "location": 4,
                           "value": 5},
            "title": "Ein Traum an der Maas", "text": "Ruhig, sauber und sehr herzlich. Wir kommen wieder!",
            "language": "de"}
    response = client.post(f"/v1/properties/{PROPERTY}/reviews", json=body)
    assert response.status_code in (201, 409), response.get_data(as_text=True)  # 409: seeded before


def seed(client: Any, headers: dict[str, str]) -> None:
    """Create the demo reviews through the real API (`client` is a werkzeug test client). Idempotent: imports of
    the same files change nothing, and the form accepts one review per stay."""
    base = f"/v1/admin/properties/{PROPERTY}/reviews/imports"
    for source, content, kind in (("booking", booking_csv(), "text/csv"), ("airbnb", airbnb_json(),
                                                                           "application/json")):
        response = client.post(f"{base}/{source}", data=content.encode(), headers={**headers, "Content-Type": kind})
        assert response.status_code == 200, response.get_data(as_text=True)
    _form_review(client, headers)
