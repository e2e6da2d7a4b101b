"""The printable prepaid-package page (HTML, A5 landscape): code, what it covers, units, validity, the holder,
the property. Attached to the purchase e-mail and served to the host. No template engine: every value is
escaped here (money and dates through revenir.i18n.formats, as the gift vouchers' page)."""

from __future__ import annotations

import html
from dataclasses import dataclass

from revenir.i18n.formats import format_date, format_money

#: (title, code, valid until, holder, units per kind, hint, print)
LABELS = {
    "fr": ("Forfait prépayé", "Code", "Valable jusqu'au", "Titulaire",
           {"night": "nuits", "stay": "séjours", "service": "prestations"},
           "À donner lors de chaque réservation : les unités sont décomptées.", "Imprimer"),
    "en": ("Prepaid package", "Code", "Valid until", "PackageHolder",
           {"night": "nights", "stay": "stays", "service": "services"},
           "Give it when you book: the units are deducted.", "Print"),
    "nl": ("Vooruitbetaald arrangement", "Code", "Geldig tot", "Houder",
           {"night": "nachten", "stay": "verblijven", "service": "diensten"},
           "Geef het op bij elke boeking: de eenheden worden afgetrokken.", "Afdrukken"),
    "de": ("Vorausbezahltes Paket", "Code", "Gültig bis", "Inhaber",
           {"night": "Nächte", "stay": "Aufenthalte", "service": "Leistungen"},
           "Bei jeder Buchung angeben: die Einheiten werden abgezogen.", "Drucken"),
}

_STYLE = """@page{size:A5 landscape;margin:10mm}body{margin:0;font-family:Georgia,serif;color:#2b2b2b}
.package{width:190mm;margin:10mm auto;padding:12mm;border:3px double #4c7ac9;border-radius:6mm}
.kind{letter-spacing:.2em;text-transform:uppercase;color:#1f4d8a}.property{font-size:18pt;font-weight:bold}
.units{font-size:30pt;font-weight:bold}.code{font-family:monospace;font-size:22pt;letter-spacing:.15em;
border:2px dashed #4c7ac9;display:inline-block;padding:3mm 5mm}.meta{color:#555}
@media print{.print{display:none}}"""


@dataclass(frozen=True)
class PrintablePackage:
    name: str
    code: str
    unit: str
    units: int
    price: int
    currency: str
    valid_until: str
    property_name: str
    holder_name: str | None = None


def page(package: PrintablePackage, language: str) -> str:
    title, code_label, until_label, holder_label, units, hint, print_label = LABELS.get(language, LABELS["en"])
    e = html.escape
    holder = (f'<p class="meta">{e(holder_label)} : {e(package.holder_name)}</p>' if package.holder_name else "")
    return (f'<!doctype html><html lang="{e(language)}"><head><meta charset="utf-8"><title>{e(title)} — '
            f"{e(package.name)}</title><style>{_STYLE}</style></head><body>"
            f'<button class="print" onclick="window.print()">{e(print_label)}</button>'
            f'<section class="package"><p class="kind">{e(title)}</p><p class="property">{e(package.property_name)}</p>'
            f'<p class="name">{e(package.name)}</p><p class="units">{package.units} {e(units[package.unit])}</p>'
            f'<p>{e(code_label)} : <span class="code">{e(package.code)}</span></p>'
            f'<p class="meta">{e(until_label)} {e(format_date(package.valid_until, language))} · '
            f"{e(format_money(package.price, package.currency, language))}</p>{holder}"
            f"<p>{e(hint)}</p></section></body></html>")
