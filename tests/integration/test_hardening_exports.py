"""Issue 12, item 5 on the guest list export (the voucher export: tests/integration/vouchers)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.integration.test_guests_and_lifecycle_emails import put


@pytest.fixture
def admin(demo: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {demo}"}


def test_finding_5_guest_export_neutralises_formulas(api: Any, admin: dict[str, str]) -> None:
    assert put(api, admin, "B-1", first_name="=1+cmd|' /C calc'!A0", last_name="@SUM(A1)").status_code in (200, 201)
    text = api.get("/v1/admin/properties/demo/guests/export.csv", headers=admin,
                   query_string={"reachable": "false"}).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    row = next(r for r in rows if r["Réservation"] == "B-1")  # headers in the property's language (French)
    assert row["Prénom"] == "'=1+cmd|' /C calc'!A0"
    assert row["Nom"] == "'@SUM(A1)"


def test_finding_13_preview_of_a_template_with_no_text_is_a_4xx(api: Any, admin: dict[str, str]) -> None:
    from revenir.guests.dispatch import choose_content
    from revenir.guests.templates import MailTemplate

    fields = MailTemplate.model_fields
    assert "versions" in fields
    template = MailTemplate.model_construct(versions={}, variants=[])  # type: ignore[call-arg]
    with pytest.raises(Exception) as raised:
        choose_content(template, set(), "fr", "fr")
    assert getattr(raised.value, "code", None) == "template_empty"
    assert api.post("/v1/admin/properties/demo/mail-templates/0/preview", json={}, headers=admin).status_code == 404


def test_finding_2_preview_of_a_template_over_budget_is_a_400_naming_the_limit(api: Any, admin: dict[str, str]
                                                                              ) -> None:
    from revenir.mail import rendering
    from revenir.mail.content import MailContent

    with pytest.raises(Exception) as raised:
        rendering.render(MailContent(subject="s", html="{{ 'x' * 200000000 }}", text="t"), {}, "fr")
    assert getattr(raised.value, "status", None) == 400 and "output_characters" in str(raised.value)


@pytest.mark.parametrize("value", ["Martin\r\nBcc: all@example.com", "Martin\nDupont", "Mar\x00tin", "Tab\there",
                                   "Line\u2028sep"])
def test_finding_8_control_characters_in_header_bound_fields_are_a_400(api: Any, admin: dict[str, str],
                                                                       value: str) -> None:
    booking = put(api, admin, "B-8", first_name=value)
    assert booking.status_code == 400
    assert any(d["field"] == "body.first_name" for d in booking.json["error"]["details"])
    prop = api.get("/v1/admin/properties/demo", headers=admin).json
    renamed = {k: prop[k] for k in ("time_zone", "default_language", "currency", "contact_email", "sender_email")
               if k in prop}
    response = api.put("/v1/admin/properties/demo", json={**renamed, "name": value}, headers=admin)
    assert response.status_code == 400
    assert any(d["field"] == "body.name" for d in response.json["error"]["details"])


def test_finding_8_template_subject_with_a_line_break_is_a_400() -> None:
    from pydantic import ValidationError

    from revenir.guests.templates import MailTemplateInput

    fields = MailTemplateInput.model_fields
    assert "versions" in fields
    with pytest.raises(ValidationError) as raised:
        MailTemplateInput.model_validate({"name": "x", "versions": {"fr": {
            "subject": "Bonjour\r\nBcc: all@example.com", "html": "<p>x</p>", "text": "x"}}},
            context=None)
    assert any("control characters" in e["msg"] for e in raised.value.errors())


def test_finding_1_a_host_cannot_send_as_another_property(api: Any, token: Any) -> None:
    prop = {"name": "Gîte", "time_zone": "Europe/Paris", "default_language": "fr", "currency": "EUR",
            "contact_email": "host@example.com", "sender_email": "demo@revenir.example"}
    created = api.put("/v1/admin/properties/gite", json=prop, headers=token("gite"))
    assert created.status_code == 201
    assert created.json["sender_email"] == "gite@revenir.example"
    assert api.get("/v1/admin/properties/gite", headers=token("gite")).json["sender_email"] == "gite@revenir.example"
