"""The printable voucher page (HTML, print-ready: A5 landscape, one voucher per page): code, value, validity,
the property. Attached to the gift e-mails and served by GET …/vouchers/{code}/print. No template engine:
every value is escaped here, so the public route does not load jinja2."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from revenir.mail.locale import format_date, format_money

_LABELS = {
    "fr": ("Bon cadeau", "Carte cadeau", "Code", "Valable jusqu'au", "Offert par", "pour",
           "À présenter ou à saisir lors de la réservation.", "Imprimer"),
    "en": ("Gift voucher", "Gift card", "Code", "Valid until", "Offered by", "to",
           "Show or enter it when booking.", "Print"),
    "nl": ("Cadeaubon", "Cadeaukaart", "Code", "Geldig tot", "Aangeboden door", "aan",
           "Toon of vul in bij het boeken.", "Afdrukken"),
    "de": ("Geschenkgutschein", "Geschenkkarte", "Code", "Gültig bis", "Geschenkt von", "für",
           "Bei der Buchung vorzeigen oder eingeben.", "Drucken"),
}

_STYLE = """@page{size:A5 landscape;margin:10mm}*{box-sizing:border-box}
body{margin:0;font-family:Georgia,serif;color:#2b2b2b;background:#f4f1ea}
.voucher{width:190mm;min-height:128mm;margin:10mm auto;padding:12mm;background:#fff;border:3px double #c9a44c;
border-radius:6mm;page-break-after:always;break-after:page;display:flex;flex-direction:column;gap:4mm}
.voucher:last-child{page-break-after:auto;break-after:auto}
.kind{font-size:12pt;letter-spacing:.2em;text-transform:uppercase;color:#8a6d1f}
.property{font-size:18pt;font-weight:bold}.name{font-size:14pt}
.value{font-size:34pt;font-weight:bold;margin:2mm 0}
.code{font-family:"DejaVu Sans Mono",monospace;font-size:22pt;letter-spacing:.15em;padding:3mm 5mm;
border:2px dashed #c9a44c;display:inline-block;background:#fbf6e9}
.meta{font-size:11pt;color:#555}.message{font-style:italic;border-left:3px solid #c9a44c;padding-left:4mm}
.print{position:fixed;top:8px;right:8px;font:14px system-ui;padding:6px 14px}
@media print{body{background:#fff}.voucher{margin:0 auto;border-color:#999}.print{display:none}}"""


@dataclass(frozen=True)
class PrintableVoucher:
    kind: str
    name: str
    code: str
    amount: int
    currency: str
    valid_until: str
    property_name: str
    property_website: str | None = None
    buyer_name: str | None = None
    recipient_name: str | None = None
    message: str | None = None


def page(vouchers: Sequence[PrintableVoucher], language: str) -> str:
    labels = _LABELS.get(language, _LABELS["en"])
    voucher_label, card_label, code_label, until_label, by_label, to_label, how, print_label = labels
    e = html.escape
    parts = []
    for v in vouchers:
        offered = ""
        if v.buyer_name:
            offered = f"{e(by_label)} {e(v.buyer_name)}"
            if v.recipient_name:
                offered += f" {e(to_label)} {e(v.recipient_name)}"
        parts.append(
            "<section class='voucher'>"
            f"<div class='kind'>{e(card_label if v.kind == 'card' else voucher_label)}</div>"
            f"<div class='property'>{e(v.property_name)}</div><div class='name'>{e(v.name)}</div>"
            f"<div class='value' data-testid='voucher-value'>{e(format_money(v.amount, v.currency, language))}</div>"
            f"<div><span class='meta'>{e(code_label)}</span><br>"
            f"<span class='code' data-testid='voucher-code'>{e(v.code)}</span></div>"
            f"<div class='meta'>{e(until_label)} {e(format_date(v.valid_until, language))}</div>"
            + (f"<div class='meta'>{offered}</div>" if offered else "")
            + (f"<div class='message'>{e(v.message)}</div>" if v.message else "")
            + f"<div class='meta'>{e(how)}"
            + (f" · {e(v.property_website)}" if v.property_website else "") + "</div></section>")
    title = e(f"{voucher_label} — {vouchers[0].property_name}" if vouchers else voucher_label)
    return (f"<!doctype html><html lang='{e(language)}'><head><meta charset='utf-8'><title>{title}</title>"
            f"<style>{_STYLE}</style></head><body>"
            f"<button class='print' onclick='window.print()'>{e(print_label)}</button>{''.join(parts)}</body></html>")
