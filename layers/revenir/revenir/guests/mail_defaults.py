"""Revenir's default lifecycle e-mails, in French, English, Dutch and German, after seed 000:
"Réservation et infos pratiques", "Avant-veille", "Remerciements" and "Post-séjour" (with a promo code and
a review link). Variables: docs/emails.md."""

from __future__ import annotations

from typing import Any

_FRAME = """<!doctype html><html><head><style>
body{margin:0;background:#f4f1ea;font-family:Georgia,serif;color:#2b2b2b}
.card{max-width:560px;margin:24px auto;background:#fff;border-radius:8px;padding:28px 32px}
.stay{background:#f7f3ea;border-radius:6px;padding:12px 16px;margin:16px 0}
.button{display:inline-block;background:#7a5c1e;color:#fff;padding:10px 18px;border-radius:4px;text-decoration:none}
.foot{font-size:12px;color:#777;border-top:1px solid #eee;margin-top:24px;padding-top:12px}
</style></head><body><div class="card">
BODY
<p class="foot">{{ property.name }}{% if property.contact_phone %} · {{ property.contact_phone }}{% endif %}
 · {{ property.contact_email }}{% if property.website %} · <a href="{{ property.website }}">{{ property.website }}</a>{% endif %}
{% if unsubscribe_url %}<br><a href="{{ unsubscribe_url }}">UNSUB</a>{% endif %}</p>
</div></body></html>"""

_STAY = {
    "fr": ("Pour rappel, votre arrivée chez nous :", "du {{ booking.arrival|date }} au {{ booking.departure|date }} "
           "pour {{ booking.adults }} adulte(s){% if booking.children %} et {{ booking.children }} enfant(s){% endif %}",
           "Dossier de réservation"),
    "en": ("A reminder of your stay with us:", "from {{ booking.arrival|date }} to {{ booking.departure|date }} "
           "for {{ booking.adults }} adult(s){% if booking.children %} and {{ booking.children }} child(ren){% endif %}",
           "Booking reference"),
    "nl": ("Ter herinnering, uw verblijf bij ons:", "van {{ booking.arrival|date }} tot {{ booking.departure|date }} "
           "voor {{ booking.adults }} volwassene(n){% if booking.children %} en {{ booking.children }} kind(eren)"
           "{% endif %}", "Reserveringsnummer"),
    "de": ("Zur Erinnerung, Ihr Aufenthalt bei uns:", "vom {{ booking.arrival|date }} bis {{ booking.departure|date }} "
           "für {{ booking.adults }} Erwachsene(n){% if booking.children %} und {{ booking.children }} Kind(er)"
           "{% endif %}", "Buchungsnummer"),
}

_TEXTS: dict[str, dict[str, Any]] = {
    "booking_info": {
        "fr": ("Votre séjour à {{ property.name }} : réservation et infos pratiques",
               "Permettez-moi, ainsi que toute notre équipe, de vous remercier d'avoir décidé de venir séjourner "
               "dans notre établissement.",
               "Au-delà d'une « Bienvenue » par avance, nous vous proposons d'agrémenter votre séjour avec nos options :",
               "Nous sommes impatients de vous accueillir parmi nous.", "Pour nous contacter :"),
        "en": ("Your stay at {{ property.name }}: booking and practical information",
               "On behalf of our whole team, thank you for choosing to stay with us.",
               "Beyond an early welcome, you can make your stay even better with our options:",
               "We look forward to welcoming you.", "To contact us:"),
        "nl": ("Uw verblijf bij {{ property.name }}: reservering en praktische informatie",
               "Namens ons hele team bedanken wij u dat u voor een verblijf bij ons hebt gekozen.",
               "Naast een welkom vooraf kunt u uw verblijf nog aangenamer maken met onze opties:",
               "Wij kijken ernaar uit u te verwelkomen.", "Contact:"),
        "de": ("Ihr Aufenthalt im {{ property.name }}: Buchung und praktische Informationen",
               "Im Namen unseres ganzen Teams danken wir Ihnen, dass Sie sich für einen Aufenthalt bei uns "
               "entschieden haben.",
               "Neben einem Willkommen im Voraus können Sie Ihren Aufenthalt mit unseren Optionen bereichern:",
               "Wir freuen uns auf Ihren Besuch.", "So erreichen Sie uns:"),
    },
    "eve_of_arrival": {
        "fr": ("C'est bientôt ! Votre arrivée à {{ property.name }}",
               "Plus que deux jours avant votre arrivée : nous préparons tout pour vous accueillir.", "",
               "Bonne route et à très bientôt !", "Une question ? Contactez-nous :"),
        "en": ("Almost there! Your arrival at {{ property.name }}",
               "Only two days to go: we are getting everything ready for you.", "",
               "Safe travels, see you very soon!", "A question? Contact us:"),
        "nl": ("Bijna zover! Uw aankomst bij {{ property.name }}",
               "Nog maar twee dagen: wij maken alles klaar voor uw komst.", "",
               "Goede reis en tot zeer binnenkort!", "Een vraag? Neem contact op:"),
        "de": ("Bald ist es so weit! Ihre Anreise zum {{ property.name }}",
               "Nur noch zwei Tage: Wir bereiten alles für Ihre Ankunft vor.", "",
               "Gute Reise und bis sehr bald!", "Fragen? Kontaktieren Sie uns:"),
    },
    "thanks": {
        "fr": ("Merci pour votre séjour à {{ property.name }}",
               "Nous sommes très heureux de vous avoir accueilli et espérons que vous avez passé un excellent moment "
               "chez nous.", "", "Au plaisir de vous revoir,", "Pour nous contacter :"),
        "en": ("Thank you for staying at {{ property.name }}",
               "We were delighted to welcome you and hope you had a wonderful time with us.", "",
               "We hope to see you again,", "To contact us:"),
        "nl": ("Bedankt voor uw verblijf bij {{ property.name }}",
               "Het was een genoegen u te ontvangen; wij hopen dat u een fijne tijd hebt gehad.", "",
               "Graag tot een volgende keer,", "Contact:"),
        "de": ("Danke für Ihren Aufenthalt im {{ property.name }}",
               "Wir haben uns sehr gefreut, Sie zu empfangen, und hoffen, Sie hatten eine schöne Zeit bei uns.", "",
               "Wir freuen uns auf ein Wiedersehen,", "So erreichen Sie uns:"),
    },
    "post_stay_offer": {
        "fr": ("Revenez à {{ property.name }} : un cadeau pour votre prochain séjour",
               "Dans un souci d'amélioration constante, auriez-vous l'amabilité de nous laisser votre avis sur "
               "votre séjour ?", "Et pour votre prochain séjour, voici votre code promo :", "À bientôt,",
               "Pour nous contacter :"),
        "en": ("Come back to {{ property.name }}: a gift for your next stay",
               "Would you kindly tell us about your stay? Your review helps us improve.",
               "And for your next stay, here is your promo code:", "See you soon,", "To contact us:"),
        "nl": ("Kom terug naar {{ property.name }}: een cadeau voor uw volgende verblijf",
               "Wilt u ons vertellen hoe uw verblijf was? Uw beoordeling helpt ons verbeteren.",
               "En voor uw volgende verblijf, hier is uw promotiecode:", "Tot ziens,", "Contact:"),
        "de": ("Kommen Sie wieder ins {{ property.name }}: ein Geschenk für Ihren nächsten Aufenthalt",
               "Würden Sie uns freundlicherweise Ihre Meinung zu Ihrem Aufenthalt mitteilen?",
               "Und für Ihren nächsten Aufenthalt, hier ist Ihr Gutscheincode:", "Bis bald,", "So erreichen Sie uns:"),
    },
}
_CART = {
    "abandoned_payment": {
        "fr": ("Votre réservation à {{ property.name }} vous attend",
               "Vous avez commencé une réservation chez nous sans la terminer. Votre panier vous attend :",
               "Pour vous aider à vous décider, voici un code de {{ promo_code.value }} de remise, valable jusqu'au {{ promo_code.valid_until|date }} :",
               "Reprendre ma réservation"),
        "en": ("Your booking at {{ property.name }} is waiting for you",
               "You started a booking with us but did not finish it. Your basket is waiting:",
               "To help you decide, here is a {{ promo_code.value }} discount code, valid until {{ promo_code.valid_until|date }}:",
               "Resume my booking"),
        "nl": ("Uw reservering bij {{ property.name }} wacht op u",
               "U bent een reservering bij ons begonnen maar hebt ze niet afgerond. Uw mandje wacht op u:",
               "Om u te helpen beslissen, hier is een kortingscode van {{ promo_code.value }}, geldig tot {{ promo_code.valid_until|date }}:",
               "Mijn reservering hervatten"),
        "de": ("Ihre Buchung im {{ property.name }} wartet auf Sie",
               "Sie haben eine Buchung bei uns begonnen, aber nicht abgeschlossen. Ihr Warenkorb wartet auf Sie:",
               "Als kleine Entscheidungshilfe: ein Gutscheincode über {{ promo_code.value }}, gültig bis {{ promo_code.valid_until|date }}:",
               "Buchung fortsetzen"),
    },
    "payment_failed": {
        "fr": ("Votre paiement n'a pas abouti — {{ property.name }}",
               "Le paiement de votre réservation n'a pas pu être effectué. Aucun montant n'a été débité. Vous pouvez réessayer :",
               "", "Réessayer le paiement"),
        "en": ("Your payment did not go through — {{ property.name }}",
               "The payment for your booking could not be completed. Nothing was charged. You can try again:",
               "", "Try the payment again"),
        "nl": ("Uw betaling is niet gelukt — {{ property.name }}",
               "De betaling van uw reservering kon niet worden voltooid. Er is niets afgeschreven. U kunt het opnieuw proberen:",
               "", "Opnieuw betalen"),
        "de": ("Ihre Zahlung ist nicht durchgegangen — {{ property.name }}",
               "Die Zahlung Ihrer Buchung konnte nicht abgeschlossen werden. Es wurde nichts abgebucht. Sie können es erneut versuchen:",
               "", "Zahlung erneut versuchen"),
    },
}


def _cart_content(template_id: str, language: str) -> dict[str, str]:
    subject, intro, offer, button = _CART[template_id][language]
    lines = ('<ul>{% for line in cart.lines %}<li>{{ line.name }} — {{ line.amount|money }}</li>{% endfor %}</ul>'
             "<p><b>{{ cart.total|money }}</b></p>")
    html = [f"<p>{_HELLO[language]}</p>", f"<p>{intro}</p>", lines]
    text = [_HELLO[language], "", intro, "{% for line in cart.lines %}- {{ line.name }}: {{ line.amount|money }}\n"
            "{% endfor %}{{ cart.total|money }}", ""]
    if offer:
        html.append('{% if promo_code %}<div class="stay"><p>' + offer + "</p><p><code>{{ promo_code.code }}</code></p>"
                    "</div>{% endif %}")
        text.append("{% if promo_code %}" + offer + " {{ promo_code.code }}{% endif %}\n")
    html.append(f'<p><a class="button" href="{{{{ cart.recovery_url }}}}">{button}</a></p>')
    text.append(f"{button}: {{{{ cart.recovery_url }}}}\n")
    html.append("<p>{{ property.name }}</p>")
    text += ["{{ property.name }}", "{% if unsubscribe_url %}\n" + _UNSUB[language] + ": {{ unsubscribe_url }}{% endif %}"]
    body = _FRAME.replace("BODY", "\n".join(html)).replace("UNSUB", _UNSUB[language])
    return {"subject": subject, "html": body, "text": "\n".join(text)}


_HELLO = {"fr": "Bonjour {{ guest.first_name }},", "en": "Hello {{ guest.first_name }},",
          "nl": "Beste {{ guest.first_name }},", "de": "Hallo {{ guest.first_name }},"}
_REVIEW = {"fr": "Donner mon avis", "en": "Write a review", "nl": "Beoordeling schrijven", "de": "Bewertung abgeben"}
_UNSUB = {"fr": "Se désabonner de nos e-mails", "en": "Unsubscribe from our e-mails",
          "nl": "Uitschrijven voor onze e-mails", "de": "Von unseren E-Mails abmelden"}
_UNTIL = {"fr": "valable jusqu'au", "en": "valid until", "nl": "geldig tot", "de": "gültig bis"}


def _content(template_id: str, language: str) -> dict[str, str]:
    subject, intro, extra, bye, contact = _TEXTS[template_id][language]
    stay_title, stay_line, ref = _STAY[language]
    html = [f"<p>{_HELLO[language]}</p>", f"<p>{intro}</p>"]
    text = [_HELLO[language], "", intro, ""]
    if template_id in ("booking_info", "eve_of_arrival"):
        html.append(f'<div class="stay"><b>{stay_title}</b><br>{stay_line}<br>'
                    '{{ booking.offers|join(", ") }}<br>' + ref + " #{{ booking.booking_id }}</div>")
        text += [stay_title, stay_line, '{{ booking.offers|join(", ") }}', f"{ref} #{{{{ booking.booking_id }}}}", ""]
    if template_id == "booking_info":
        html.append("{% if upsell_options %}<p>" + extra + "</p><ul>{% for o in upsell_options %}<li>{{ o.name }} — "
                    "{{ o.price|money }}</li>{% endfor %}</ul>{% endif %}")
        text.append("{% if upsell_options %}" + extra + "\n{% for o in upsell_options %}- {{ o.name }}: "
                    "{{ o.price|money }}\n{% endfor %}{% endif %}")
    if template_id == "post_stay_offer":
        html.append('{% if review_link %}<p><a class="button" href="{{ review_link }}">' + _REVIEW[language]
                    + "</a></p>{% endif %}")
        text.append("{% if review_link %}" + _REVIEW[language] + ": {{ review_link }}{% endif %}\n")
        html.append('{% if promo_code %}<div class="stay"><p>' + extra + "</p><p><b>{{ promo_code.value }}</b> — "
                    "<code>{{ promo_code.code }}</code> (" + _UNTIL[language] + " {{ promo_code.valid_until|date }})"
                    "</p></div>{% endif %}")
        text.append("{% if promo_code %}" + extra + " {{ promo_code.code }} ({{ promo_code.value }}, "
                    + _UNTIL[language] + " {{ promo_code.valid_until|date }}){% endif %}\n")
    html.append(f"<p>{bye}<br>{{{{ property.name }}}}</p><p>{contact} {{{{ property.contact_email }}}}"
                "{% if property.contact_phone %} · {{ property.contact_phone }}{% endif %}</p>")
    text += [bye, "{{ property.name }}", "", f"{contact} {{{{ property.contact_email }}}}"
             "{% if property.contact_phone %} · {{ property.contact_phone }}{% endif %}",
             "{% if unsubscribe_url %}\n" + _UNSUB[language] + ": {{ unsubscribe_url }}{% endif %}"]
    body = _FRAME.replace("BODY", "\n".join(html)).replace("UNSUB", _UNSUB[language])
    return {"subject": subject, "html": body, "text": "\n".join(text)}


def _template(template_id: str, name: str, kind: str, trigger: dict[str, Any], category: str,
              enabled: bool) -> dict[str, Any]:
    render = _cart_content if kind == "cart_reminder" else _content
    return {"template_id": template_id, "name": name, "kind": kind, "trigger": trigger, "category": category,
            "enabled": enabled, "customized": False,
            "versions": {lang: render(template_id, lang) for lang in ("fr", "en", "nl", "de")}}


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
