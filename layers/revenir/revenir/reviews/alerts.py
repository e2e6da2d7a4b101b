"""The host's alert for a review at or below the property's threshold: one e-mail per review, exactly once.

The alert item is written in the review's own upsert transaction (so it exists once per review); a tick claims
it (its queue position moves to a lease's end, conditionally), sends, then takes it out of the queue. A crash
between the send and the mark would resend after the lease: SES has no idempotency key, and a duplicate alert to
the host is preferable to a lost one. Imported by the functions that send (jinja2 stays off the summary path).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from revenir.core import clock
from revenir.i18n import LANGUAGES, choose, t
from revenir.i18n.formats import format_date
from revenir.mail import message, rendering
from revenir.mail.content import MailContent
from revenir.mail.frame import frame
from revenir.mail.sender import Mailer, SendError
from revenir.reviews.form_page import category_label
from revenir.reviews.models import SOURCE_LABELS, ReviewSettings, points_to_rating
from revenir.reviews.service import ALERT_LEASE, MAX_ALERT_ATTEMPTS, settings_of
from revenir.reviews.store import ReviewRepository


def _content(language: str) -> MailContent:
    def x(key: str) -> str:
        return t(language, f"review_alert.{key}")

    body = (f"<h1>{x('heading')}</h1>"
            f"<p><b>{x('rating')}</b>: {{{{ review.rating }}}}/5 ({{{{ review.original }}}} — {{{{ review.source }}}})"
            "{% if review.author %} · {{ review.author }}{% endif %} · {{ review.created_at }}</p>"
            "{% if review.title %}<p><b>{{ review.title }}</b></p>{% endif %}"
            "{% if review.text %}<blockquote>{{ review.text }}</blockquote>{% endif %}"
            f"{{% if review.categories %}}<p><b>{x('categories')}</b></p><ul>{{% for c in review.categories %}}"
            "<li>{{ c.label }}: {{ c.score }}/5</li>{% endfor %}</ul>{% endif %}"
            f"<p>{x('advice')}</p>"
            f'{{% if review_link %}}<p><a class="button" href="{{{{ review_link }}}}">{x("open")}</a></p>{{% endif %}}')
    text = (f"{x('heading')}\n\n{x('rating')}: {{{{ review.rating }}}}/5 ({{{{ review.original }}}} — "
            "{{ review.source }}){% if review.author %} · {{ review.author }}{% endif %}\n"
            "{% if review.title %}{{ review.title }}\n{% endif %}{% if review.text %}\n{{ review.text }}\n{% endif %}"
            "{% for c in review.categories %}\n{{ c.label }}: {{ c.score }}/5{% endfor %}\n\n"
            f"{x('advice')}\n"
            f"{{% if review_link %}}\n{x('open')}: {{{{ review_link }}}}\n{{% endif %}}\n{x('why')}\n")
    return MailContent(subject=x("subject"), html=frame(body, x("why"), language, heading=False), text=text)


ALERT = {language: _content(language) for language in LANGUAGES}


def alert_language(prop: Mapping[str, Any], settings: ReviewSettings | None = None) -> str:
    """The host's language: the alert setting, else the property's, else French (the back-office's first)."""
    return choose(settings.alert_language if settings else None, prop.get("default_language"), default="fr")


def review_link(back_office_url: str | None, review: Mapping[str, Any], threshold: float) -> str | None:
    """The review in the back-office's inbox (low ratings first shown, the review's id for the screen to find)."""
    if not back_office_url:
        return None
    query = urlencode({"max_rating": f"{threshold:g}", "review": review["review_id"]})
    return f"{back_office_url.split('#')[0]}#/reviews?{query}"


def variables(prop: Mapping[str, Any], review: Mapping[str, Any], threshold: float, language: str = "en",
              link: str | None = None) -> dict[str, Any]:
    return {
        "property": {"name": prop["name"]},
        "threshold": f"{threshold:g}",
        "review_link": link,
        "review": {"rating": f"{points_to_rating(int(review['rating'])):g}",
                   "original": f"{review['rating_original']} ({review.get('rating_scale', '')})",
                   "source": SOURCE_LABELS.get(review["source"], review["source"]), "author": review.get("author"),
                   "title": review.get("title"), "text": review.get("text"),
                   "created_at": format_date(str(review["created_at"])[:10], language),
                   "categories": [{"label": category_label(k, language),
                                   "score": f"{points_to_rating(int(v['score'])):g}"}
                                  for k, v in sorted((review.get("categories") or {}).items())]},
    }


def compose(prop: Mapping[str, Any], review: Mapping[str, Any], recipient: str, threshold: float,
            language: str | None = None, back_office_url: str | None = None) -> bytes:
    """The alert in the host's language (`language`, else the property's) with a link to the review."""
    language = choose(language, prop.get("default_language"), default="fr")
    link = review_link(back_office_url, review, threshold)
    rendered = rendering.render(ALERT[language], variables(prop, review, threshold, language, link), language)
    return message.build(message.Envelope(sender=prop["sender_email"],
                                          sender_name=t(language, "review_alert.sender", name=prop["name"]),
                                          recipient=recipient), rendered)


def send_due_alerts(repository: ReviewRepository, mailer: Mailer, limit: int = 50,
                    back_office_url: str | None = None) -> dict[str, int]:
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
                                     compose(prop, review, recipient, settings.alert_threshold,
                                             alert_language(prop, settings), back_office_url))
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
