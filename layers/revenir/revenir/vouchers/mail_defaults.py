"""Default e-mails of gift vouchers (fr, en, nl, de): to the buyer at once, to the recipient on the chosen day.

Variables: property (name, website, contact_email), order (number), buyer (first_name, last_name), recipient
(name, message) or None, vouchers (list of name, code, value, valid_until), audience ("buyer"/"recipient").
"""

from __future__ import annotations

from revenir.mail.content import MailContent

_FRAME = """<!doctype html><html><body style="margin:0;background:#f4f1ea;font-family:Georgia,serif;color:#2b2b2b">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px">
<table role="presentation" width="560" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:8px">
<tr><td style="padding:28px 32px">{body}</td></tr>
<tr><td style="padding:16px 32px;font-size:12px;color:#777;border-top:1px solid #eee">{{{{ property.name }}}}
{{% if property.website %}} · <a href="{{{{ property.website }}}}" style="color:#777">{{{{ property.website }}}}</a>
{{% endif %}}</td></tr></table></td></tr></table></body></html>"""

_BOX = """{{% for v in vouchers %}}<div style="margin:20px 0;padding:18px;text-align:center;background:#fbf6e9;
border:2px dashed #c9a44c;border-radius:8px"><div style="font-size:14px;color:#8a6d1f">{{{{ v.name }}}}</div>
<div style="font-size:28px;font-weight:bold;margin:8px 0">{{{{ v.value }}}}</div>
<div style="font-size:22px;letter-spacing:3px;font-family:monospace" class="voucher-code">{{{{ v.code }}}}</div>
<div style="font-size:14px;margin-top:6px">{until} {{{{ v.valid_until|date }}}}</div></div>{{% endfor %}}"""

# subject buyer, subject recipient, hello buyer, hello recipient, intro buyer, intro recipient, until, how, bye
_TEXTS = {
    "fr": ("Vos bons cadeaux — {{ property.name }} (commande {{ order.number }})",
           "{{ buyer.first_name }} vous offre un bon cadeau — {{ property.name }}",
           "Bonjour {{ buyer.first_name }},", "Bonjour {{ recipient.name }},",
           "Merci pour votre commande {{ order.number }}. Voici vos bons cadeaux, à imprimer (pièce jointe) ou à "
           "transmettre.", "{{ buyer.first_name }} {{ buyer.last_name }} vous offre un séjour chez nous.",
           "valable jusqu'au", "Saisissez le code lors de votre réservation sur notre site.", "À très bientôt,"),
    "en": ("Your gift vouchers — {{ property.name }} (order {{ order.number }})",
           "{{ buyer.first_name }} gives you a gift voucher — {{ property.name }}",
           "Hello {{ buyer.first_name }},", "Hello {{ recipient.name }},",
           "Thank you for your order {{ order.number }}. Here are your gift vouchers, to print (attached) or to "
           "pass on.", "{{ buyer.first_name }} {{ buyer.last_name }} is giving you a stay with us.",
           "valid until", "Enter the code when you book on our website.", "See you soon,"),
    "nl": ("Uw cadeaubonnen — {{ property.name }} (bestelling {{ order.number }})",
           "{{ buyer.first_name }} geeft u een cadeaubon — {{ property.name }}",
           "Beste {{ buyer.first_name }},", "Beste {{ recipient.name }},",
           "Bedankt voor uw bestelling {{ order.number }}. Hier zijn uw cadeaubonnen, om af te drukken (bijlage) "
           "of door te geven.", "{{ buyer.first_name }} {{ buyer.last_name }} schenkt u een verblijf bij ons.",
           "geldig tot", "Vul de code in wanneer u op onze website boekt.", "Tot binnenkort,"),
    "de": ("Ihre Geschenkgutscheine — {{ property.name }} (Bestellung {{ order.number }})",
           "{{ buyer.first_name }} schenkt Ihnen einen Gutschein — {{ property.name }}",
           "Hallo {{ buyer.first_name }},", "Hallo {{ recipient.name }},",
           "Vielen Dank für Ihre Bestellung {{ order.number }}. Hier sind Ihre Gutscheine, zum Ausdrucken "
           "(Anhang) oder Weitergeben.", "{{ buyer.first_name }} {{ buyer.last_name }} schenkt Ihnen einen "
           "Aufenthalt bei uns.", "gültig bis", "Geben Sie den Code bei Ihrer Buchung auf unserer Website ein.",
           "Bis bald,"),
}


def _content(language: str, audience: str) -> MailContent:
    subj_b, subj_r, hello_b, hello_r, intro_b, intro_r, until, how, bye = _TEXTS[language]
    subject, hello, intro = (subj_b, hello_b, intro_b) if audience == "buyer" else (subj_r, hello_r, intro_r)
    message = ("{% if recipient and recipient.message %}<blockquote style=\"margin:16px 0;padding:8px 16px;"
               "border-left:3px solid #c9a44c;font-style:italic\">{{ recipient.message }}</blockquote>{% endif %}"
               if audience == "recipient" else "")
    body = (f"<p>{hello}</p><p>{intro}</p>{message}" + _BOX.format(until=until)
            + f"<p>{how}</p><p>{bye}<br>{{{{ property.name }}}}</p>")
    text_message = "{% if recipient and recipient.message %}« {{ recipient.message }} »\n\n{% endif %}" \
        if audience == "recipient" else ""
    text = (f"{hello}\n\n{intro}\n\n{text_message}"
            "{% for v in vouchers %}{{ v.name }}: {{ v.value }} — {{ v.code }} — "
            f"{until} {{{{ v.valid_until|date }}}}\n{{% endfor %}}\n{how}\n\n{bye}\n{{{{ property.name }}}}\n")
    return MailContent(subject=subject, html=_FRAME.format(body=body), text=text)


GIFT_VOUCHERS = {audience: {language: _content(language, audience) for language in _TEXTS}
                 for audience in ("buyer", "recipient")}


# ---------------------------------------------------------------- a paid order that could not be issued (issue 12, item 16)
# Variables: property (name, contact_email), order (number, amount, buyer_name, buyer_email, reason, refund_id).
# subject buyer, body buyer, subject host, body host
_FAILED_TEXTS = {
    "fr": ("Votre commande {{ order.number }} — {{ property.name }} : remboursée",
           "Bonjour {{ order.buyer_name }},\n\nNous n'avons pas pu émettre les bons cadeaux de votre commande "
           "{{ order.number }}. Votre paiement de {{ order.amount }} a été intégralement remboursé : il apparaîtra "
           "sur votre compte sous 5 à 10 jours.\n\nNous vous prions de nous excuser. Pour toute question : "
           "{{ property.contact_email }}.\n\n{{ property.name }}",
           "Commande de bons cadeaux {{ order.number }} remboursée automatiquement",
           "La commande {{ order.number }} de {{ order.buyer_name }} ({{ order.buyer_email }}), {{ order.amount }}, "
           "a été payée mais ses bons n'ont pas pu être émis ({{ order.reason }}). Le paiement a été remboursé "
           "(remboursement {{ order.refund_id }}) et l'acheteur prévenu.\n\nVérifiez vos produits cadeaux "
           "(produit supprimé, validité dépassée) dans Revenir."),
    "en": ("Your order {{ order.number }} — {{ property.name }}: refunded",
           "Hello {{ order.buyer_name }},\n\nWe could not issue the gift vouchers of your order {{ order.number }}. "
           "Your payment of {{ order.amount }} has been refunded in full: it will appear on your account within "
           "5 to 10 days.\n\nWe apologise. Any question: {{ property.contact_email }}.\n\n{{ property.name }}",
           "Gift order {{ order.number }} refunded automatically",
           "Order {{ order.number }} of {{ order.buyer_name }} ({{ order.buyer_email }}), {{ order.amount }}, was "
           "paid but its vouchers could not be issued ({{ order.reason }}). The payment was refunded (refund "
           "{{ order.refund_id }}) and the buyer told.\n\nCheck your gift products (deleted product, validity "
           "ended) in Revenir."),
    "nl": ("Uw bestelling {{ order.number }} — {{ property.name }}: terugbetaald",
           "Beste {{ order.buyer_name }},\n\nWe konden de cadeaubonnen van uw bestelling {{ order.number }} niet "
           "uitgeven. Uw betaling van {{ order.amount }} is volledig terugbetaald: ze verschijnt binnen 5 tot 10 "
           "dagen op uw rekening.\n\nOnze excuses. Vragen: {{ property.contact_email }}.\n\n{{ property.name }}",
           "Cadeaubestelling {{ order.number }} automatisch terugbetaald",
           "Bestelling {{ order.number }} van {{ order.buyer_name }} ({{ order.buyer_email }}), {{ order.amount }}, "
           "werd betaald maar de bonnen konden niet worden uitgegeven ({{ order.reason }}). De betaling is "
           "terugbetaald (terugbetaling {{ order.refund_id }}) en de koper verwittigd.\n\nControleer uw "
           "cadeauproducten (verwijderd product, verlopen geldigheid) in Revenir."),
    "de": ("Ihre Bestellung {{ order.number }} — {{ property.name }}: erstattet",
           "Hallo {{ order.buyer_name }},\n\nWir konnten die Gutscheine Ihrer Bestellung {{ order.number }} nicht "
           "ausstellen. Ihre Zahlung von {{ order.amount }} wurde vollständig erstattet: sie erscheint innerhalb "
           "von 5 bis 10 Tagen auf Ihrem Konto.\n\nWir bitten um Entschuldigung. Bei Fragen: "
           "{{ property.contact_email }}.\n\n{{ property.name }}",
           "Gutscheinbestellung {{ order.number }} automatisch erstattet",
           "Die Bestellung {{ order.number }} von {{ order.buyer_name }} ({{ order.buyer_email }}), "
           "{{ order.amount }}, wurde bezahlt, aber ihre Gutscheine konnten nicht ausgestellt werden "
           "({{ order.reason }}). Die Zahlung wurde erstattet (Erstattung {{ order.refund_id }}) und der Käufer "
           "benachrichtigt.\n\nPrüfen Sie Ihre Geschenkprodukte (gelöschtes Produkt, abgelaufene Gültigkeit) in "
           "Revenir."),
}


def _failed(subject: str, body: str) -> MailContent:
    html = ("<html><body style=\"font-family:Georgia,serif;color:#2b2b2b\">"
            + "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in body.split("\n\n")) + "</body></html>")
    return MailContent(subject=subject, html=html, text=body + "\n")


#: ISSUE_FAILED[audience][language], audience "buyer" (the buyer's language) or "host" (the property's).
ISSUE_FAILED = {audience: {language: _failed(*(texts[0:2] if audience == "buyer" else texts[2:4]))
                           for language, texts in _FAILED_TEXTS.items()}
                for audience in ("buyer", "host")}
