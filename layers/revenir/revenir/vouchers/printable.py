"""The printable voucher page (HTML, print-ready: A5 landscape, one voucher per page): code, value, validity,
the property. Attached to the gift e-mails and served by GET …/vouchers/{code}/print. No template engine:
every value is escaped here, so the public route does not load jinja2."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from revenir.core.pages import GUEST_STYLE
from revenir.i18n import choose, t
from revenir.i18n.formats import format_date, format_money

#: Screen: fluid up to 190 mm (a phone at 390 px scrolls nothing sideways); print: A5 landscape, one per page.
_STYLE = GUEST_STYLE + """
@page{size:A5 landscape;margin:10mm}
.voucher{max-width:190mm;margin:1rem auto;padding:1.5rem;background:var(--revenir-surface);
border:2px solid var(--revenir-accent);border-radius:var(--revenir-radius);page-break-after:always;break-after:page;
display:flex;flex-direction:column;gap:.5rem;overflow-wrap:anywhere}
.voucher:last-child{page-break-after:auto;break-after:auto}
.kind{font-size:.85rem;letter-spacing:.15em;text-transform:uppercase;color:var(--revenir-accent);font-weight:600}
.property{font-size:1.4rem;font-weight:700;margin:0}.name{font-size:1.1rem;margin:0}
.value{font-size:2.25rem;font-weight:700;margin:.25rem 0}
.code{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:1.35rem;letter-spacing:.12em;
padding:.4rem .8rem;border:2px dashed var(--revenir-accent);border-radius:calc(var(--revenir-radius) - 4px);
display:inline-block;background:var(--revenir-soft);max-width:100%}
.meta{color:var(--revenir-muted);margin:0}.message{font-style:italic;border-left:3px solid var(--revenir-accent);
padding-left:.75rem;margin:0}
.bar{display:flex;justify-content:flex-end}
@media print{body{background:#fff}main{padding:0}.voucher{margin:0 auto;min-height:118mm}.bar{display:none}}"""


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
    """The printable page of `vouchers`, in `language` (texts in the `voucher_page` catalog)."""
    lang = choose(language)
    e = html.escape
    parts = []
    for v in vouchers:
        offered = ""
        if v.buyer_name:
            offered = (t(lang, "voucher_page.offered_to", buyer=v.buyer_name, recipient=v.recipient_name)
                       if v.recipient_name else t(lang, "voucher_page.offered", buyer=v.buyer_name))
        until = t(lang, "voucher_page.valid_until", date=format_date(v.valid_until, lang))
        parts.append(
            "<section class='voucher'>"
            f"<p class='kind'>{e(t(lang, 'voucher_page.card' if v.kind == 'card' else 'voucher_page.voucher'))}</p>"
            f"<h1 class='property'>{e(v.property_name)}</h1><p class='name'>{e(v.name)}</p>"
            f"<p class='value' data-testid='voucher-value'>{e(format_money(v.amount, v.currency, lang))}</p>"
            f"<div><p class='meta'>{e(t(lang, 'voucher_page.code'))}</p>"
            f"<span class='code' data-testid='voucher-code'>{e(v.code)}</span></div>"
            f"<p class='meta'>{e(until)}</p>"
            + (f"<p class='meta'>{e(offered)}</p>" if offered else "")
            + (f"<p class='message'>{e(v.message)}</p>" if v.message else "")
            + f"<p class='meta'>{e(t(lang, 'voucher_page.how'))}"
            + (f" · {e(v.property_website)}" if v.property_website else "") + "</p></section>")
    kind = t(lang, "voucher_page.voucher")
    title = e(f"{kind} — {vouchers[0].property_name}" if vouchers else kind)
    return (f"<!doctype html><html lang='{e(lang)}'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width,initial-scale=1'>"
            f"<title>{title}</title><style>{_STYLE}</style></head><body><main>"
            f"<div class='bar'><button type='button' onclick='window.print()'>{e(t(lang, 'voucher_page.print'))}"
            f"</button></div>{''.join(parts)}</main></body></html>")
