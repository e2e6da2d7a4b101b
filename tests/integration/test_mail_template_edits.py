"""The back-office's template edits: a partial PATCH that never loses a concurrent edit, a preview of draft
content before saving, the renderer's variables."""

from __future__ import annotations

from typing import Any

import pytest

URL = "/v1/admin/properties/demo/mail-templates"


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


def test_patch_changes_only_what_is_sent_and_merges_versions_per_language(api: Any, admin: dict[str, str]) -> None:
    before = api.get(f"{URL}/thanks", headers=admin).json
    assert before["customized"] is False and before["revision"] is None
    nl = {"subject": "Bedankt {{ guest.first_name }}", "html": "<p>Bedankt</p>", "text": "Bedankt"}
    edited = api.patch(f"{URL}/thanks", headers=admin, json={"enabled": not before["enabled"],
                                                              "versions": {"nl": nl}})
    assert edited.status_code == 200, edited.json
    after = edited.json
    assert after["enabled"] is (not before["enabled"]) and after["customized"] is True and after["revision"]
    assert after["versions"]["nl"] == nl
    assert after["versions"]["fr"] == before["versions"]["fr"]  # the other languages stay
    assert after["name"] == before["name"] and after["trigger"] == before["trigger"]
    assert api.get(f"{URL}/thanks", headers=admin).json == after


def test_a_stale_revision_is_refused_and_nothing_is_lost(api: Any, admin: dict[str, str]) -> None:
    first = api.patch(f"{URL}/thanks", headers=admin, json={"name": "Merci !", "revision": None}).json
    assert api.patch(f"{URL}/thanks", headers=admin,  # null: "based on the default", no longer true
                     json={"name": "Oops", "revision": None}).status_code == 409
    # two editors read the same revision; the toggle lands first, the editor's save must not undo it
    toggled = api.patch(f"{URL}/thanks", headers=admin, json={"enabled": False, "revision": first["revision"]})
    assert toggled.status_code == 200 and toggled.json["revision"] != first["revision"]
    stale = api.patch(f"{URL}/thanks", headers=admin, json={"name": "Merci beaucoup", "revision": first["revision"]})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "concurrent_change"
    current = api.get(f"{URL}/thanks", headers=admin).json
    assert current["name"] == "Merci !" and current["enabled"] is False
    # without a revision, the edit is merged into the latest
    merged = api.patch(f"{URL}/thanks", headers=admin, json={"name": "Merci beaucoup"}).json
    assert merged["name"] == "Merci beaucoup" and merged["enabled"] is False
    # a PUT gives a new revision too: a PATCH based on the older one is refused
    body = {k: merged[k] for k in ("name", "kind", "trigger", "category", "versions")}
    assert api.put(f"{URL}/thanks", headers=admin, json=body).json["revision"] != merged["revision"]
    assert api.patch(f"{URL}/thanks", headers=admin,
                     json={"enabled": True, "revision": merged["revision"]}).status_code == 409


def test_patch_rejects_bad_input_with_the_field(api: Any, admin: dict[str, str]) -> None:
    broken = api.patch(f"{URL}/thanks", headers=admin,
                       json={"versions": {"fr": {"subject": "{% if %}", "html": "x", "text": "x"}}})
    assert broken.status_code == 400 and broken.json["error"]["code"] == "template_error"
    unknown = api.patch(f"{URL}/thanks", headers=admin, json={"kind": "custom"})
    assert unknown.status_code in (400, 422)
    assert api.patch(f"{URL}/nope", headers=admin, json={"enabled": False}).status_code == 404


def test_preview_renders_unsaved_content_and_a_chosen_variant(api: Any, admin: dict[str, str]) -> None:
    draft = {"subject": "Draft for {{ guest.first_name }}", "html": "<p>{{ property.name }}</p>", "text": "t"}
    preview = api.post(f"{URL}/thanks/preview", headers=admin, json={"language": "de", "content": draft})
    assert preview.status_code == 200, preview.json
    assert preview.json["language"] == "de" and preview.json["subject"] == "Draft for Martin"
    assert api.get(f"{URL}/thanks", headers=admin).json["customized"] is False  # nothing was saved
    broken = api.post(f"{URL}/thanks/preview", headers=admin,
                      json={"language": "fr", "content": {**draft, "subject": "{% if %}"}})
    assert broken.status_code == 400 and broken.json["error"]["code"] == "template_error"
    no_language = api.post(f"{URL}/thanks/preview", headers=admin, json={"content": draft})
    assert no_language.status_code == 400
    variant = {"subject": "Variant {{ guest.last_name }}", "html": "<p>v</p>", "text": "v"}
    assert api.patch(f"{URL}/thanks", headers=admin, json={"variants": [
        {"name": "Familles", "segments": ["nobody"], "versions": {"fr": variant}}]}).status_code == 200
    shown = api.post(f"{URL}/thanks/preview", headers=admin, json={"language": "fr", "variant": 0}).json
    assert shown["subject"] == "Variant Dupont"  # the sample guest is in no segment, the variant still shows
    missing = api.post(f"{URL}/thanks/preview", headers=admin, json={"language": "fr", "variant": 3})
    assert missing.status_code == 400 and missing.json["error"]["details"][0]["field"] == "body.variant"


def test_the_variables_of_a_kind_with_rendered_examples(api: Any, admin: dict[str, str]) -> None:
    stay = api.get(f"{URL}/variables", headers=admin, query_string={"kind": "post_stay"})
    assert stay.status_code == 200, stay.json
    listed = {v["name"]: v for v in stay.json["variables"]}
    assert listed["guest.first_name"]["example"] == "Martin" and listed["guest.first_name"]["description"]
    assert listed["booking.arrival|date"]["example"] and "review_link" in listed and "cart.total|money" not in listed
    assert listed["promo_code.code"]["example"] == "MERCI-2027"
    cart = {v["name"]: v for v in api.get(f"{URL}/variables", headers=admin,
                                          query_string={"kind": "cart_reminder"}).json["variables"]}
    assert "cart.recovery_url" in cart and "review_link" not in cart and cart["cart.total|money"]["example"]
    assert api.get(f"{URL}/variables", headers=admin, query_string={"kind": "nope"}).status_code in (400, 422)


def test_the_guest_list_can_take_every_arrival(api: Any, admin: dict[str, str]) -> None:
    from datetime import date, timedelta

    def stay(booking_id: str, arrival: date) -> None:
        response = api.put(f"/v1/properties/demo/bookings/{booking_id}", headers=admin, json={
            "first_name": "A", "last_name": booking_id, "email": f"{booking_id.lower()}@example.com",
            "arrival": str(arrival), "departure": str(arrival + timedelta(days=1)), "adults": 1})
        assert response.status_code in (200, 201)

    stay("PAST", date(1999, 6, 1))
    stay("SOON", date.today() + timedelta(days=5))
    stay("FAR", date.today() + timedelta(days=4 * 365))
    def listed(**query: str) -> set[str]:
        page = api.get("/v1/admin/properties/demo/guests", headers=admin,
                       query_string={"reachable": "false", **query}).json
        return {g["booking_id"] for g in page["guests"]}

    assert {"SOON"} <= listed() and not {"PAST", "FAR"} & listed()
    assert {"PAST", "SOON", "FAR"} <= listed(all_arrivals="true")
    assert listed(all_arrivals="true", arrival_from=str(date.today())) >= {"SOON", "FAR"}
    assert "PAST" not in listed(all_arrivals="true", arrival_from=str(date.today()))
    csv = api.get("/v1/admin/properties/demo/guests/export.csv", headers=admin,
                  query_string={"all_arrivals": "true", "reachable": "false"})
    assert csv.status_code == 200 and "FAR" in csv.text and "PAST" in csv.text
