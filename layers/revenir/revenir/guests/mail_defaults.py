"""Revenir's default lifecycle e-mails, in French, English, Dutch and German, after seed 000:
"Réservation et infos pratiques", "Avant-veille", "Remerciements" (asking for a review, on by default) and
"Post-séjour" (a promo code). Texts in the `emails` catalog (revenir.i18n); variables: docs/emails.md."""

from __future__ import annotations

from typing import Any

from revenir.i18n import has, t
from revenir.mail.frame import FOOTER, frame

LANGUAGES = ("fr", "en", "nl", "de")


def _e(lang: str, key: str) -> str:
    """A fixed text of the default e-mails (catalog `emails`, Jinja placeholders kept as they are)."""
    return t(lang, f"emails.{key}")


def _unsubscribe(lang: str) -> str:
    return '{% if unsubscribe_url %}<br><a href="{{ unsubscribe_url }}">' + _e(lang, "common.unsubscribe") + "</a>{% endif %}"


def _cart_content(template_id: str, language: str) -> dict[str, str]:
    def text(name: str) -> str:
        return _e(language, f"cart.{template_id}.{name}") if has(language, f"emails.cart.{template_id}.{name}") else ""

    subject, intro, offer, button = text("subject"), text("intro"), text("offer"), text("button")
    hello = _e(language, "common.hello")
    lines = ('<ul>{% for line in cart.lines %}<li>{{ line.name }} — {{ line.amount|money }}</li>{% endfor %}</ul>'
             "<p><b>{{ cart.total|money }}</b></p>")
    html = [f"<p>{hello}</p>", f"<p>{intro}</p>", lines]
    body_text = [hello, "", intro, "{% for line in cart.lines %}- {{ line.name }}: {{ line.amount|money }}\n"
                 "{% endfor %}{{ cart.total|money }}", ""]
    if offer:
        html.append('{% if promo_code %}<div class="stay"><p>' + offer + '</p><p><code class="code">'
                    "{{ promo_code.code }}</code></p></div>{% endif %}")
        body_text.append("{% if promo_code %}" + offer + " {{ promo_code.code }}{% endif %}\n")
    html.append(f'<p><a class="button" href="{{{{ cart.recovery_url }}}}">{button}</a></p>')
    body_text.append(f"{button}: {{{{ cart.recovery_url }}}}\n")
    body_text += ["{{ property.name }}", "{% if unsubscribe_url %}\n" + _e(language, "common.unsubscribe")
                  + ": {{ unsubscribe_url }}{% endif %}"]
    body = frame("\n".join(html), FOOTER + _unsubscribe(language), language)
    return {"subject": subject, "html": body, "text": "\n".join(body_text)}


def _content(template_id: str, language: str) -> dict[str, str]:
    def text(name: str) -> str:
        key = f"lifecycle.{template_id}.{name}"
        return _e(language, key) if has(language, f"emails.{key}") else ""

    subject, intro, extra, bye, contact = text("subject"), text("intro"), text("extra"), text("bye"), text("contact")
    hello, review, until = _e(language, "common.hello"), _e(language, "common.review_button"), \
        _e(language, "common.valid_until")
    stay_title, stay_line, ref = _e(language, "stay.title"), _e(language, "stay.line"), _e(language, "stay.reference")
    html = [f"<p>{hello}</p>", f"<p>{intro}</p>"]
    body_text = [hello, "", intro, ""]
    if template_id in ("booking_info", "eve_of_arrival"):
        html.append(f'<div class="stay"><b>{stay_title}</b><br>{stay_line}<br>'
                    '{{ booking.offers|join(", ") }}<br>' + ref + " #{{ booking.booking_id }}</div>")
        body_text += [stay_title, stay_line, '{{ booking.offers|join(", ") }}', f"{ref} #{{{{ booking.booking_id }}}}",
                      ""]
    if template_id == "booking_info":
        html.append("{% if upsell_options %}<p>" + extra + "</p><ul>{% for o in upsell_options %}<li>{{ o.name }} — "
                    "{{ o.price|money }}</li>{% endfor %}</ul>{% endif %}")
        body_text.append("{% if upsell_options %}" + extra + "\n{% for o in upsell_options %}- {{ o.name }}: "
                         "{{ o.price|money }}\n{% endfor %}{% endif %}")
    if template_id == "thanks":  # issue 15, item 4: every guest is asked for a review, out of the box
        html.append('{% if review_link %}<p>' + text("review_ask") + '</p><p><a class="button" '
                    'href="{{ review_link }}">' + review + "</a></p>{% endif %}")
        body_text.append("{% if review_link %}" + text("review_ask") + "\n" + review
                         + ": {{ review_link }}\n{% endif %}")
    if template_id == "post_stay_offer":
        html.append('{% if review_link %}<p><a class="button" href="{{ review_link }}">' + review
                    + "</a></p>{% endif %}")
        body_text.append("{% if review_link %}" + review + ": {{ review_link }}{% endif %}\n")
        html.append('{% if promo_code %}<div class="stay"><p>' + extra + "</p><p><b>{{ promo_code.value }}</b> — "
                    '<code class="code">{{ promo_code.code }}</code> (' + until + " {{ promo_code.valid_until|date }})"
                    "</p></div>{% endif %}")
        body_text.append("{% if promo_code %}" + extra + " {{ promo_code.code }} ({{ promo_code.value }}, "
                         + until + " {{ promo_code.valid_until|date }}){% endif %}\n")
    html.append(f"<p>{bye}<br>{{{{ property.name }}}}</p><p>{contact} {{{{ property.contact_email }}}}"
                "{% if property.contact_phone %} · {{ property.contact_phone }}{% endif %}</p>")
    body_text += [bye, "{{ property.name }}", "", f"{contact} {{{{ property.contact_email }}}}"
                  "{% if property.contact_phone %} · {{ property.contact_phone }}{% endif %}",
                  "{% if unsubscribe_url %}\n" + _e(language, "common.unsubscribe") + ": {{ unsubscribe_url }}{% endif %}"]
    body = frame("\n".join(html), FOOTER + _unsubscribe(language), language)
    return {"subject": subject, "html": body, "text": "\n".join(body_text)}


def _template(template_id: str, name: str, kind: str, trigger: dict[str, Any], category: str,
              enabled: bool) -> dict[str, Any]:
    render = _cart_content if kind == "cart_reminder" else _content
    return {"template_id": template_id, "name": name, "kind": kind, "trigger": trigger, "category": category,
            "enabled": enabled, "customized": False,
            "versions": {lang: render(template_id, lang) for lang in LANGUAGES}}


DEFAULTS: dict[str, dict[str, Any]] = {
    t["template_id"]: t for t in (
        _template("booking_info", "Réservation et infos pratiques", "pre_stay",
                  {"type": "before_arrival", "days": 7, "hour": 10}, "transactional", True),
        _template("eve_of_arrival", "Avant-veille", "pre_stay",
                  {"type": "before_arrival", "days": 2, "hour": 10}, "transactional", True),
        _template("thanks", "Remerciements", "post_stay",
                  {"type": "after_departure", "days": 1, "hour": 10}, "transactional", True),
        _template("post_stay_offer", "Post-séjour : avis et code promo", "post_stay",
                  {"type": "after_departure", "days": 14, "hour": 10}, "marketing", False),
        # Sent by the abandoned-cart flow (its delay is in the property's cart settings), off by default.
        _template("abandoned_payment", "Relance : absence de paiement", "cart_reminder",
                  {"type": "after_booking", "days": 0}, "transactional", False),
        _template("payment_failed", "Relance : paiement en erreur", "cart_reminder",
                  {"type": "after_booking", "days": 0}, "transactional", False),
    )
}
