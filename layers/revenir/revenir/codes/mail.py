"""Sending a promo code to a guest: the e-mail of seed 000, in the guest's language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from revenir.codes import mail_defaults as defaults
from revenir.codes.models import AmountDiscount, PromoCode
from revenir.codes.store import PromoCodeRepository
from revenir.core import clock
from revenir.core.validation import Email, Language, SingleLine
from revenir.i18n.formats import format_money, format_percent
from revenir.mail import message, rendering
from revenir.mail.sender import Mailer
from revenir.properties.models import Property
from revenir.properties.store import PropertyRepository


class SendCodeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    first_name: SingleLine = Field(min_length=1, max_length=100)
    last_name: SingleLine = Field(min_length=1, max_length=100)
    email: Email
    phone: str | None = Field(default=None, max_length=40)
    language: Language | None = Field(default=None, description="Guest's language; default the property's.")


class SendCodeResult(BaseModel):
    email: str
    language: str
    message_id: str
    sent_at: str


def discount_label(promo: PromoCode, language: str) -> str:
    if isinstance(promo.discount, AmountDiscount):
        return format_money(promo.discount.amount, promo.discount.currency, language)
    percent = format_percent(promo.discount.percent, language)
    return f"-{percent}" if language != "en" else f"{percent} off"


def variables(prop: Property, promo: PromoCode, guest: SendCodeRequest, language: str) -> dict[str, Any]:
    return {
        "guest": {"first_name": guest.first_name, "last_name": guest.last_name, "email": guest.email},
        "property": {"name": prop.name, "website": prop.website, "contact_email": prop.contact_email,
                     "contact_phone": prop.contact_phone},
        "promo": {"name": promo.name_translations.get(language, promo.name),  # type: ignore[call-overload]
                  "code": promo.code, "value": discount_label(promo, language),
                  "valid_until": str(promo.valid_until), "description": promo.description},
    }


def send_code(mailer: Mailer, prop: Property, promo: PromoCode, guest: SendCodeRequest) -> SendCodeResult:
    language, content = defaults.pick(defaults.PROMO_CODE, guest.language, prop.default_language)
    rendered = rendering.render(content, variables(prop, promo, guest, language), language)
    raw = message.build(message.Envelope(sender=prop.sender_email, sender_name=prop.name, recipient=guest.email,
                                         reply_to=prop.contact_email), rendered)
    message_id = mailer.send(prop.sender_email, guest.email, raw)
    return SendCodeResult(email=guest.email, language=language, message_id=message_id,
                          sent_at=clock.iso(clock.now()))


@dataclass(frozen=True)
class PromoCodeMailer:
    """E-mail a code to a guest, then record who got it (the code's "sent to" list)."""

    properties: PropertyRepository
    promos: PromoCodeRepository
    mailer: Mailer

    def send(self, property_id: str, promo_id: str, guest: SendCodeRequest) -> SendCodeResult:
        prop = self.properties.get(property_id)
        promo = self.promos.get(property_id, promo_id)
        result = send_code(self.mailer, prop, promo, guest)
        self.promos.record_sent(property_id, promo_id, {
            "first_name": guest.first_name, "last_name": guest.last_name, "email": guest.email,
            "phone": guest.phone, "language": result.language, "message_id": result.message_id}, result.sent_at)
        return result
