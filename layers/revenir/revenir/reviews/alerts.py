"""The host's alert for a review at or below the property's threshold: one e-mail per review, exactly once.

The alert item is written in the review's own upsert transaction (so it exists once per review); a tick claims
it (its queue position moves to a lease's end, conditionally), sends, then takes it out of the queue. A crash
between the send and the mark would resend after the lease: SES has no idempotency key, and a duplicate alert to
the host is preferable to a lost one. Imported by the functions that send (jinja2 stays off the summary path).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from revenir.codes.mail_defaults import pick
from revenir.core import clock
from revenir.mail import message, rendering
from revenir.mail.content import MailContent
from revenir.mail.sender import Mailer, SendError
from revenir.reviews.models import CATEGORIES, SOURCE_LABELS, points_to_rating
from revenir.reviews.service import ALERT_LEASE, MAX_ALERT_ATTEMPTS, settings_of
from revenir.reviews.store import ReviewRepository

_TEXTS = {
    "fr": ("Avis à {{ review.rating }}/5 sur {{ review.source }} — {{ property.name }}",
           "Un nouvel avis mérite votre attention", "Note", "Catégories", "Répondez-y rapidement : une réponse "
           "courtoise rassure les prochains voyageurs.", "Vous recevez cette alerte pour tout avis à {{ threshold }}/5 "
           "ou moins."),
    "en": ("{{ review.rating }}/5 review on {{ review.source }} — {{ property.name }}",
           "A new review needs your attention", "Rating", "Categories", "Reply soon: a courteous answer reassures "
           "future guests.", "You get this alert for every review at {{ threshold }}/5 or below."),
    "nl": ("Beoordeling van {{ review.rating }}/5 op {{ review.source }} — {{ property.name }}",
           "Een nieuwe beoordeling vraagt uw aandacht", "Score", "Categorieën", "Reageer snel: een vriendelijk "
           "antwoord stelt toekomstige gasten gerust.", "U krijgt deze melding voor elke beoordeling van "
           "{{ threshold }}/5 of lager."),
    "de": ("Bewertung mit {{ review.rating }}/5 auf {{ review.source }} — {{ property.name }}",
           "Eine neue Bewertung braucht Ihre Aufmerksamkeit", "Bewertung", "Kategorien", "Antworten Sie bald: eine "
           "freundliche Antwort beruhigt künftige Gäste.", "Sie erhalten diese Meldung für jede Bewertung mit "
           "{{ threshold }}/5 oder weniger."),
}


def _content(language: str) -> MailContent:
    subject, heading, rating, categories, advice, why = _TEXTS[language]
    html = (f"<html><body style=\"font-family:system-ui,sans-serif;color:#2b2b2b\"><h2>{heading}</h2>"
            f"<p><b>{rating}</b>: {{{{ review.rating }}}}/5 ({{{{ review.original }}}} — {{{{ review.source }}}})"
            "{% if review.author %} · {{ review.author }}{% endif %} · {{ review.created_at }}</p>"
            "{% if review.title %}<p><b>{{ review.title }}</b></p>{% endif %}"
            "{% if review.text %}<blockquote style=\"border-left:3px solid #c9a44c;margin:0;padding-left:12px\">"
            "{{ review.text }}</blockquote>{% endif %}"
            f"{{% if review.categories %}}<p><b>{categories}</b></p><ul>{{% for c in review.categories %}}"
            "<li>{{ c.label }}: {{ c.score }}/5</li>{% endfor %}</ul>{% endif %}"
            f"<p>{advice}</p><p style=\"font-size:12px;color:#777\">{why}</p></body></html>")
    text = (f"{heading}\n\n{rating}: {{{{ review.rating }}}}/5 ({{{{ review.original }}}} — {{{{ review.source }}}})"
            "{% if review.author %} · {{ review.author }}{% endif %}\n{% if review.title %}{{ review.title }}\n"
            "{% endif %}{% if review.text %}\n{{ review.text }}\n{% endif %}"
            f"{{% for c in review.categories %}}\n{{{{ c.label }}}}: {{{{ c.score }}}}/5{{% endfor %}}\n\n{advice}\n"
            f"\n{why}\n")
    return MailContent(subject=subject, html=html, text=text)


ALERT = {language: _content(language) for language in _TEXTS}


def variables(prop: Mapping[str, Any], review: Mapping[str, Any], threshold: float) -> dict[str, Any]:
    return {
        "property": {"name": prop["name"]},
        "threshold": f"{threshold:g}",
        "review": {"rating": f"{points_to_rating(int(review['rating'])):g}",
                   "original": f"{review['rating_original']} ({review.get('rating_scale', '')})",
                   "source": SOURCE_LABELS.get(review["source"], review["source"]), "author": review.get("author"),
                   "title": review.get("title"), "text": review.get("text"),
                   "created_at": str(review["created_at"])[:10],
                   "categories": [{"label": CATEGORIES.get(k, k), "score": f"{points_to_rating(int(v['score'])):g}"}
                                  for k, v in sorted((review.get("categories") or {}).items())]},
    }


def compose(prop: Mapping[str, Any], review: Mapping[str, Any], recipient: str, threshold: float) -> bytes:
    language, content = pick(ALERT, None, str(prop.get("default_language") or "en"))
    rendered = rendering.render(content, variables(prop, review, threshold), language)
    return message.build(message.Envelope(sender=prop["sender_email"], sender_name=f"Revenir · {prop['name']}",
                                          recipient=recipient), rendered)


def send_due_alerts(repository: ReviewRepository, mailer: Mailer, limit: int = 50) -> dict[str, int]:
    now = clock.now()
    stamp = clock.iso(now)
    report = {"read": 0, "sent": 0, "retried": 0, "failed": 0}
    for alert in repository.due_alerts(stamp, limit):
        report["read"] += 1
        if not repository.claim_alert(alert, stamp, clock.iso(now + ALERT_LEASE)):
            continue  # another tick has it
        pid, rid = alert["property_id"], alert["review_id"]
        review, prop = repository.get(pid, rid), repository.property_item(pid)
        if review is None or prop is None:
            repository.finish_alert(alert, "failed", stamp, error="review or property gone")
            report["failed"] += 1
            continue
        settings = settings_of(pid, repository.meta(pid)[0])
        recipient = settings.alert_email or str(prop["contact_email"])
        try:
            message_id = mailer.send(prop["sender_email"], recipient,
                                     compose(prop, review, recipient, settings.alert_threshold))
        except SendError as exc:
            if exc.transient and int(alert.get("attempts", 0)) + 1 < MAX_ALERT_ATTEMPTS:
                report["retried"] += 1  # the lease ends in ALERT_LEASE: the tick after that retries
                continue
            repository.finish_alert(alert, "failed", stamp, error=f"{exc.code}: {exc}")
            report["failed"] += 1
            continue
        repository.finish_alert(alert, "sent", stamp, message_id=message_id, sent_to=recipient)
        report["sent"] += 1
    return report
