"""The purchase e-mail of a prepaid package (to the buyer, in their language): the code in the body and the
printable page attached. Texts here (fr, en, nl, de), every value escaped: no jinja2 (cold start)."""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from revenir.i18n.formats import format_date
from revenir.packages import printable
from revenir.properties.models import Property
from revenir.vouchers import codes as voucher_codes

TEXTS = {
    "fr": ("Votre forfait {name} — {property}", "Bonjour {first_name},",
           "Merci pour votre achat. Votre forfait « {name} » ({units}) est valable jusqu'au {until}.",
           "Votre code : {code}", "Donnez ce code lors de vos réservations : les unités sont décomptées."),
    "en": ("Your package {name} — {property}", "Hello {first_name},",
           "Thank you for your purchase. Your package \"{name}\" ({units}) is valid until {until}.",
           "Your code: {code}", "Give this code when you book: the units are deducted."),
    "nl": ("Uw arrangement {name} — {property}", "Beste {first_name},",
           "Bedankt voor uw aankoop. Uw arrangement \"{name}\" ({units}) is geldig tot {until}.",
           "Uw code: {code}", "Geef deze code op bij uw boekingen: de eenheden worden afgetrokken."),
    "de": ("Ihr Paket {name} — {property}", "Hallo {first_name},",
           "Vielen Dank für Ihren Kauf. Ihr Paket „{name}“ ({units}) ist gültig bis {until}.",
           "Ihr Code: {code}", "Geben Sie diesen Code bei Ihren Buchungen an: die Einheiten werden abgezogen."),
}


def build(prop: Property, holding: dict[str, Any]) -> tuple[str, bytes]:
    """(recipient address, raw MIME) of the buyer's e-mail for an issued package."""
    holder = holding.get("holder") or {}
    language = next((c for c in (holder.get("language"), prop.default_language, "en") if c in TEXTS), "en")
    subject, hello, body, code_line, hint = TEXTS[language]
    unit_names = printable.LABELS[language][4]
    code = voucher_codes.display(holding["code"])
    values = {"name": holding["name"], "property": prop.name, "first_name": holder.get("first_name", ""),
              "units": f"{holding['units_total']} {unit_names[holding['unit']]}",
              "until": format_date(holding["valid_until"], language), "code": code}
    lines = [hello.format(**values), body.format(**values), code_line.format(**values), hint]
    message = EmailMessage()
    message["Subject"] = subject.format(**values).replace("\r", " ").replace("\n", " ")
    message["From"] = formataddr((prop.name, prop.sender_email))
    message["To"] = holder["email"]
    message["Reply-To"] = prop.contact_email
    message["Message-ID"] = make_msgid(domain="revenir.example")
    message.set_content("\n\n".join(lines), cte="quoted-printable")
    message.add_alternative("".join(f"<p>{html.escape(line)}</p>" for line in lines), subtype="html",
                            cte="quoted-printable")
    page = printable.page(printable.PrintablePackage(
        name=holding["name"], code=code, unit=holding["unit"], units=int(holding["units_total"]),
        price=int(holding["price_paid"]), currency=holding["currency"], valid_until=holding["valid_until"],
        property_name=prop.name, holder_name=f"{holder.get('first_name', '')} {holder.get('last_name', '')}".strip()
        or None), language)
    message.add_attachment(page.encode("utf-8"), maintype="text", subtype="html",
                           filename=f"forfait-{holding['code']}.html")
    return str(holder["email"]), message.as_bytes()
