"""Offers: the accommodations and options a property sells, pushed by its booking engine."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from revenir.core.validation import Currency, SingleLine


class OfferInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    name: SingleLine = Field(min_length=1, max_length=200, examples=["Gîte du bout du monde"])
    kind: Literal["accommodation", "option"] = Field(description="A place to stay, or an extra (breakfast…).")
    price: int = Field(ge=0, description="Reference price in minor units (cents).", examples=[12000])
    currency: Currency = Field(examples=["EUR"])


class Offer(OfferInput):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    offer_id: str
    updated_at: str
