"""Lifecycle e-mail templates: triggers, categories, language versions, segment variants, upsells.

A property starts with Revenir's defaults (revenir.guests.mail_defaults); editing one stores the
property's own copy under the same id.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from revenir.codes.models import GuestLanguage
from revenir.core.validation import Identifier, SingleLine
from revenir.guests.segments import Targeting
from revenir.mail.content import MailContent

TriggerType = Literal["before_arrival", "after_departure", "after_booking"]
Category = Literal["transactional", "marketing"]


class Trigger(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    type: TriggerType
    days: int = Field(ge=0, le=365, description="Days before arrival / after departure / after booking.")
    hour: int = Field(default=10, ge=0, le=23, description="Local hour at the property.")
    minute: int = Field(default=0, ge=0, le=59)


class Content(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    subject: SingleLine = Field(min_length=1, max_length=300)
    html: str = Field(min_length=1, max_length=100_000)
    text: str = Field(min_length=1, max_length=50_000)

    def mail(self) -> MailContent:
        return MailContent(self.subject, self.html, self.text)


class Variant(Targeting):
    """A version of the template for some segments (its own texts per language)."""

    name: SingleLine = Field(min_length=1, max_length=100)
    versions: dict[GuestLanguage, Content]


class Upsell(Targeting):
    """An option offered in the message, to the segments it targets (never to those it excludes)."""

    offer_id: Identifier


class MailTemplateInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    name: SingleLine = Field(min_length=1, max_length=100, examples=["Avant-veille"])
    kind: Literal["pre_stay", "post_stay", "custom", "cart_reminder"] = Field(
        description="cart_reminder templates are sent by the abandoned-cart flow, not planned for bookings.")
    trigger: Trigger
    enabled: bool = True
    category: Category = Field(description="transactional: stay information; marketing: offers, codes, reviews.")
    versions: dict[GuestLanguage, Content]
    variants: list[Variant] = Field(default_factory=list)
    upsells: list[Upsell] = Field(default_factory=list)
    promo_code_id: str | None = Field(default=None, description="A promo code offered in the message.")
    late_booking: Literal["send_now", "skip"] = Field(
        default="send_now", description="A booking made after the trigger time: send at once (when it still "
                                        "makes sense) or skip.")


class MailTemplate(MailTemplateInput):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    template_id: str
    customized: bool = Field(default=False, description="False while the property uses Revenir's default.")
    updated_at: str | None = None
    revision: str | None = Field(default=None, description="Changes at every write; send it back in a PATCH "
                                                              "to refuse (409) an edit made meanwhile.")


class MailTemplatePatch(BaseModel):
    """A partial edit: only the fields sent change; `versions` are merged per language (the others stay)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    revision: str | None = Field(default=None, description="The revision the edit is based on, null for "
                                                           "Revenir's default (409 when the template changed "
                                                           "since); omitted: applied to the latest, atomically.")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    enabled: bool | None = None
    versions: dict[GuestLanguage, Content] | None = None
    variants: list[Variant] | None = None
    upsells: list[Upsell] | None = None


def local_instant(day: date, hour: int, minute: int, time_zone: str) -> datetime:
    """A local wall-clock time at the property, as an aware datetime (DST-correct via zoneinfo)."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(time_zone))


def send_time(trigger: Trigger, arrival: date, departure: date, booked_at: datetime, time_zone: str) -> datetime:
    """When the message is due, as an aware datetime."""
    if trigger.type == "before_arrival":
        return local_instant(arrival - timedelta(days=trigger.days), trigger.hour, trigger.minute, time_zone)
    if trigger.type == "after_departure":
        return local_instant(departure + timedelta(days=trigger.days), trigger.hour, trigger.minute, time_zone)
    return booked_at + timedelta(days=trigger.days)


def late_deadline(trigger: Trigger, arrival: date, departure: date, time_zone: str) -> datetime:
    """Until when an overdue message still makes sense (then it is sent at once, else skipped).

    Pre-stay information helps until noon of the arrival day; a post-stay message, for a week after its
    time; a message after booking, until arrival.
    """
    if trigger.type == "before_arrival":
        return local_instant(arrival, 12, 0, time_zone)
    if trigger.type == "after_departure":
        return local_instant(departure + timedelta(days=trigger.days + 7), trigger.hour, trigger.minute, time_zone)
    return local_instant(arrival, 0, 0, time_zone)


def planned_send(template: MailTemplate, arrival: date, departure: date, booked_at: datetime, now: datetime,
                 time_zone: str) -> datetime | None:
    """The UTC instant to send at, `now` for a late booking when it still makes sense, or None (skip)."""
    due = send_time(template.trigger, arrival, departure, booked_at, time_zone)
    if due > now:
        return due
    if template.late_booking == "skip" or now >= late_deadline(template.trigger, arrival, departure, time_zone):
        return None
    return now
