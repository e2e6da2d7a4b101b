"""Issue 15, item 6: the four CSV exports (guests, gift vouchers, reviews, promo codes) are one format, written
by revenir.i18n.csv_export: UTF-8 with a BOM, `;` and decimal commas for fr/nl/de, `,` and decimal points for en
(the property's language, or `?locale=`), booleans as words, ISO dates, headers from the catalogs, formulas
neutralised. Each export is parsed back with the csv module, as a spreadsheet would read it."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from revenir.i18n import t
from tests.integration.test_guests_and_lifecycle_emails import local_day, put
from tests.integration.test_reviews_api import form_body, put_booking

SEPARATOR = {"fr": ";", "nl": ";", "de": ";", "en": ","}


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


def parse(response: Any, lang: str, export: str) -> list[dict[str, str]]:
    """The rows by column key, after checking the BOM, the separator and every header against the catalog."""
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type.startswith("text/csv")
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode()), "UTF-8 with a byte-order mark"
    text = raw.decode("utf-8")[1:]
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text), delimiter=SEPARATOR[lang]))
    header, body = rows[0], rows[1:]
    assert len(header) > 3 and all(len(r) == len(header) for r in body)  # the separator split every line right
    keys = [k for k in _columns(export)]
    assert header == [t(lang, f"csv.{export}.{k}") for k in keys]
    return [dict(zip(keys, r, strict=True)) for r in body]


def _columns(export: str) -> tuple[str, ...]:
    from revenir.codes.service import CODE_CSV_COLUMNS
    from revenir.guests.guest_list import CSV_COLUMNS
    from revenir.reviews.service import REVIEW_CSV_COLUMNS
    from revenir.vouchers.csv_files import EXPORT_COLUMNS

    return {"guests": tuple(CSV_COLUMNS), "vouchers": EXPORT_COLUMNS, "reviews": REVIEW_CSV_COLUMNS,
            "codes": CODE_CSV_COLUMNS}[export]


@pytest.mark.parametrize(("locale", "total", "yes"), [(None, "270,00", "oui"), ("fr", "270,00", "oui"),
                                                       ("en", "270.00", "yes"), ("nl", "270,00", "ja"),
                                                       ("de", "270,00", "ja")])
def test_guest_export_amounts_booleans_and_separator_follow_the_language(
        api: Any, admin: dict[str, str], locale: str | None, total: str, yes: str) -> None:
    assert put(api, admin, "B-CSV", total=27000, first_name="=cmd|' /C calc'!A0",
               arrival=str(local_day(3)), departure=str(local_day(5))).status_code in (200, 201)
    query = {"locale": locale} if locale else {}
    rows = parse(api.get("/v1/admin/properties/demo/guests/export.csv", headers=admin, query_string=query),
                 locale or "fr", "guests")  # the demo property speaks French
    row = next(r for r in rows if r["booking_id"] == "B-CSV")
    assert row["total"] == total and row["currency"] == "EUR"  # 27000 cents, never "27000"
    assert row["reachable"] == yes and row["checked_in"] == t(locale or "fr", "csv.no")  # words, not True/False
    assert row["arrival"] == str(local_day(3)) and row["nights"] == "2"  # ISO dates, plain integers
    assert row["first_name"] == "'=cmd|' /C calc'!A0"  # still neutralised


def test_an_unknown_locale_is_a_400_naming_the_parameter(api: Any, admin: dict[str, str]) -> None:
    response = api.get("/v1/admin/properties/demo/guests/export.csv?locale=pt", headers=admin)
    assert response.status_code == 400 and "locale" in str(response.json["error"]["details"])


@pytest.mark.parametrize("locale", ["fr", "en"])
def test_promo_code_export(api: Any, admin: dict[str, str], locale: str) -> None:
    made = api.post("/v1/admin/properties/demo/promo-codes", headers=admin, json={
        "code": "CSV12", "name": "@SUM(1+1) promo", "discount": {"type": "amount", "amount": 1250, "currency": "EUR"},
        "valid_from": str(local_day(0)), "valid_until": str(local_day(30))})
    assert made.status_code == 201, made.json
    pct = api.post("/v1/admin/properties/demo/promo-codes", headers=admin, json={
        "code": "CSVPCT", "name": "Douze et demi", "discount": {"type": "percent", "percent": 12.5},
        "valid_from": str(local_day(0)), "valid_until": str(local_day(30))})
    assert pct.status_code == 201, pct.json
    rows = {r["code"]: r for r in parse(api.get(f"/v1/admin/properties/demo/promo-codes/export.csv?locale={locale}",
                                                headers=admin), locale, "codes")}
    amount, percent = rows["CSV12"], rows["CSVPCT"]
    assert amount["discount"] == ("12,50" if locale == "fr" else "12.50") and amount["currency"] == "EUR"
    assert percent["discount"] == ("12,5" if locale == "fr" else "12.5") and percent["currency"] == ""
    assert amount["kind"] == t(locale, "csv.codes.kind.amount") and amount["archived"] == t(locale, "csv.no")
    assert amount["name"] == "'@SUM(1+1) promo" and amount["valid_until"] == str(local_day(30))


@pytest.mark.parametrize("locale", ["de", "en"])
def test_review_export(api: Any, admin: dict[str, str], locale: str) -> None:
    put_booking(api, admin, "B-1")
    posted = api.post("/v1/properties/demo/reviews", json=form_body("B-1", rating=4, title="+1 super",
                                                                     text="Très bon; accueil \"parfait\"\nmerci"))
    assert posted.status_code == 201, posted.json
    rows = parse(api.get(f"/v1/admin/properties/demo/reviews/export.csv?locale={locale}", headers=admin), locale,
                 "reviews")
    (row,) = rows
    assert row["rating"] == "4" and row["source"] == "Revenir" and row["booking_id"] == "B-1"
    assert row["title"] == "'+1 super" and row["text"] == "Très bon; accueil \"parfait\"\nmerci"  # quoted, intact
    assert row["replied"] == t(locale, "csv.no") and row["created_at"][:4].isdigit() and "T" not in row["created_at"]
    filtered = parse(api.get(f"/v1/admin/properties/demo/reviews/export.csv?locale={locale}&max_rating=3",
                             headers=admin), locale, "reviews")
    assert filtered == []  # the list's filters apply
