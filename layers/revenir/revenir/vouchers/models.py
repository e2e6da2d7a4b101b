"""Gift vouchers and gift cards: the catalog, the vouchers sold from it, their ledger and their statuses.

Pure domain (no boto3, no stripe). A gift voucher (chèque cadeau) is an amount of money deducted from the
whole basket, in several goes until its balance is spent; a gift card (carte cadeau) mirrors a rate of listed
offers and options and is used once. Both are vouchers once sold: a code, a value, a balance kept as a
ledger (`balance == sum(entries)`), a validity end in the property's time zone.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from revenir.core.errors import Conflict, InvalidInput
from revenir.core.validation import Currency, Day, Email, Identifier, SingleLine, check_day

GuestLanguage = Literal["fr", "en", "nl", "de"]
ProductKind = Literal["voucher", "card"]
Status = Literal["unused", "partly_used", "used", "expired", "void"]
STATUSES: tuple[Status, ...] = ("unused", "partly_used", "used", "expired", "void")
#: Ledger movements. Issue and release credit; redeem and void debit.
EntryKind = Literal["issue", "redeem", "release", "void", "adjust"]

#: A gift order issues at most this many vouchers: all of them are written in one transaction (100 items).
MAX_VOUCHERS_PER_ORDER = 20


# ---------------------------------------------------------------- catalog
class FixedValue(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    type: Literal["fixed"]
    amount: int = Field(gt=0, description="Minor units (cents).", examples=[5000])


class CustomValue(BaseModel):
    """The buyer chooses the amount within bounds (gift vouchers only)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    type: Literal["custom"]
    min_amount: int = Field(gt=0, examples=[2000])
    max_amount: int = Field(gt=0, examples=[50000])

    @model_validator(mode="after")
    def _bounds(self) -> CustomValue:
        if self.min_amount > self.max_amount:
            raise ValueError("min_amount must not exceed max_amount")
        return self


Value = Annotated[FixedValue | CustomValue, Field(discriminator="type")]


class Validity(BaseModel):
    """How long a sold voucher can be used: `months` after purchase, or until a fixed day (included)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)
    months: int | None = Field(default=None, ge=1, le=60)
    until: Day | None = None

    @model_validator(mode="after")
    def _one(self) -> Validity:
        if (self.months is None) == (self.until is None):
            raise ValueError("give either months or until")
        return self

    def end(self, purchased_on: date) -> date:
        if self.until is not None:
            return self.until
        return add_months(purchased_on, self.months or 0)


class GiftProductInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)

    kind: ProductKind = Field(description="voucher: an amount off the whole basket, in several goes; "
                                          "card: mirrors a rate of the listed offers, used once.")
    name: SingleLine = Field(min_length=1, max_length=120, examples=["Chèque cadeau"])
    name_translations: dict[GuestLanguage, str] = Field(default_factory=dict)
    description: str | None = Field(default=None, max_length=2000)
    description_translations: dict[GuestLanguage, str] = Field(default_factory=dict)
    currency: Currency
    value: Value = Field(description="A card's value is the rate it mirrors (fixed).")
    validity: Validity
    publish_from: Day | None = None
    publish_until: Day | None = None
    offer_ids: list[Identifier] | None = Field(
        default=None, description="Applicable offers (a card: the offers and options it covers, required); "
                                  "null for a voucher: the whole basket.")

    @model_validator(mode="after")
    def _kind_rules(self) -> GiftProductInput:
        if self.kind == "card":
            if self.value.type != "fixed":
                raise ValueError("a gift card mirrors a rate: its value is fixed")
            if not self.offer_ids:
                raise ValueError("a gift card lists the offers and options it covers (offer_ids)")
        if self.publish_from and self.publish_until and self.publish_from > self.publish_until:
            raise ValueError("publish_from must not be after publish_until")
        return self


class GiftProduct(GiftProductInput):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    id: str
    property_id: str
    archived: bool = False
    created_at: str
    updated_at: str

    def is_published(self, today: date) -> bool:
        if self.archived:
            return False
        if self.publish_from and today < self.publish_from:
            return False
        return not (self.publish_until and today > self.publish_until)

    def price(self, amount: int | None) -> int:
        """What one item costs: the fixed value, or the buyer's amount within the bounds."""
        if isinstance(self.value, FixedValue):
            if amount is not None and amount != self.value.amount:
                raise InvalidInput(f"{self.name}: the value is fixed at {self.value.amount}",
                                   code="amount_not_allowed")
            return self.value.amount
        if amount is None:
            raise InvalidInput(f"{self.name}: choose an amount", code="amount_required")
        if not self.value.min_amount <= amount <= self.value.max_amount:
            raise InvalidInput(f"{self.name}: the amount must be between {self.value.min_amount} and "
                               f"{self.value.max_amount}", code="amount_out_of_bounds")
        return amount


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_instant(valid_until: date, time_zone: str) -> str:
    """The first instant after the last valid day, in UTC (sortable): what a condition expression compares."""
    local = datetime.combine(valid_until + timedelta(days=1), time.min, ZoneInfo(time_zone))
    return local.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------- orders (widget)
class OrderItem(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    product_id: str = Field(pattern=r"^gp_[0-9a-z]{26}$")
    quantity: int = Field(default=1, ge=1, le=MAX_VOUCHERS_PER_ORDER)
    amount: int | None = Field(default=None, gt=0, description="The chosen value (minor units) of a "
                                                                "buyer-chosen voucher; omit for fixed ones.")


class Buyer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)
    first_name: SingleLine = Field(min_length=1, max_length=100)
    last_name: SingleLine = Field(min_length=1, max_length=100)
    email: Email
    language: GuestLanguage | None = None


class Recipient(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)
    name: SingleLine = Field(min_length=1, max_length=200)
    email: Email
    message: str | None = Field(default=None, max_length=1000)
    delivery_date: Day | None = Field(default=None, description="Day the recipient receives the e-mail "
                                                                 "(property's time zone); default: at once.")
    language: GuestLanguage | None = None


class GiftOrderInput(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    items: list[OrderItem] = Field(min_length=1, max_length=10)
    buyer: Buyer
    recipient: Recipient | None = None
    payment_method: str | None = Field(
        default=None, max_length=255, pattern=r"^(pm|card|src)_[A-Za-z0-9_]+$",
        description="Server-side confirmation: the card (Stripe.js createToken's card id or a PaymentMethod "
                    "id). Without it the PaymentIntent waits for the browser's confirmCardPayment.")

    @model_validator(mode="after")
    def _size(self) -> GiftOrderInput:
        if sum(i.quantity for i in self.items) > MAX_VOUCHERS_PER_ORDER:
            raise ValueError(f"an order holds at most {MAX_VOUCHERS_PER_ORDER} vouchers")
        return self


class PricedItem(BaseModel):
    model_config = ConfigDict(defer_build=True)
    product_id: str
    kind: ProductKind
    name: str
    unit_amount: int
    quantity: int


def issuable(product: GiftProduct, today: date) -> bool:
    """Whether a voucher of this product bought today could be issued: valid from today, within the date range.

    A product with a fixed end of validity already past (or a stored one beyond the range) would leave a paid
    order without vouchers (issue 12, item 16), so it is not sold.
    """
    try:
        end = product.validity.end(today)
        check_day(end)
    except ValueError:  # add_months past year 9999, or out of the range
        return False
    return end >= today


def price_order(order: GiftOrderInput, products: dict[str, GiftProduct], today: date
                ) -> tuple[list[PricedItem], int, str]:
    """(priced items, total, currency). Unknown, unpublished or mixed-currency items are refused."""
    priced: list[PricedItem] = []
    currencies = set()
    for item in order.items:
        product = products.get(item.product_id)
        if product is None or not product.is_published(today):
            raise InvalidInput(f"{item.product_id} is not for sale", code="product_not_for_sale",
                               details=[{"field": "body.items", "product_id": item.product_id}])
        if not issuable(product, today):  # never take a payment the webhook could not turn into vouchers
            raise InvalidInput(f"{item.product_id} is not for sale: its validity has ended",
                               code="product_not_for_sale",
                               details=[{"field": "body.items", "product_id": item.product_id}])
        currencies.add(product.currency)
        priced.append(PricedItem(product_id=product.id, kind=product.kind, name=product.name,
                                 unit_amount=product.price(item.amount), quantity=item.quantity))
    if len(currencies) > 1:
        raise InvalidInput("every item of an order must be in the same currency", code="mixed_currencies")
    return priced, sum(p.unit_amount * p.quantity for p in priced), currencies.pop()


def delivery_instant(delivery_date: date | None, time_zone: str, now: datetime) -> datetime:
    """When the recipient's e-mail goes: 08:00 at the property on the chosen day, or now if that is past."""
    if delivery_date is None:
        return now
    at = datetime.combine(delivery_date, time(8, 0), ZoneInfo(time_zone)).astimezone(UTC)
    return max(at, now)


# ---------------------------------------------------------------- vouchers and their ledger
class Voucher(BaseModel):
    """A sold (or imported, or given) voucher, as the admin list and the API show it."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    code: str = Field(description="Grouped by four: 7ZCA-TJ5F-CNW3-YB5G.")
    property_id: str
    product_id: str
    kind: ProductKind
    name: str
    initial_value: int
    balance: int
    currency: str
    valid_until: Day
    status: Status
    purchased_at: str
    order_id: str | None = None
    order_number: str | None = None
    buyer_name: str | None = None
    buyer_email: str | None = None
    recipient_name: str | None = None
    recipient_email: str | None = None
    source: Literal["order", "import", "manual"] = "order"
    offer_ids: list[str] | None = None


def status_of(item: dict[str, Any], today: date) -> Status:
    if item.get("voided"):
        return "void"
    if int(item["balance"]) <= 0:
        return "used"
    if date.fromisoformat(str(item["valid_until"])) < today:
        return "expired"
    if int(item["balance"]) < int(item["initial_value"]):
        return "partly_used"
    return "unused"


def ledger_balance(amounts: Iterable[int]) -> int:
    """The balance a ledger gives: the sum of its signed entries (credits positive, debits negative)."""
    return sum(amounts)


def debit_for(kind: ProductKind, balance: int, amount: int) -> int:
    """How much a redemption takes: a voucher the asked amount (never more than its balance: refused);
    a card its whole remaining value (one use covers the offers it mirrors)."""
    if amount <= 0:
        raise InvalidInput("the amount must be positive", code="invalid_amount")
    if kind == "card":
        return balance
    if amount > balance:
        raise Conflict("the voucher's balance is too low", code="insufficient_balance",
                       details=[{"balance": balance}])
    return amount


class VoucherRedeemRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)
    code: str = Field(min_length=4, max_length=40, description="Any case, with or without dashes or spaces.")
    booking_id: Identifier
    amount: int = Field(gt=0, description="What the booking deducts, minor units (a card: its whole value).")
    currency: Currency


class VoucherRedemptionOut(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)
    booking_id: str
    code: str
    amount: int
    currency: str
    status: Literal["redeemed", "released"]
    replayed: bool = Field(default=False, description="True when this booking had already redeemed the code.")


class BalanceOut(BaseModel):
    model_config = ConfigDict(defer_build=True)
    code: str
    status: Status
    balance: int
    currency: str
    valid_until: Day
    kind: ProductKind
    name: str


class ManualIssueInput(BaseModel):
    """A voucher given without payment (a prize, a goodwill gesture)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)
    amount: int | None = Field(default=None, gt=0, description="For a buyer-chosen voucher product.")
    recipient_name: SingleLine | None = Field(default=None, max_length=200)
    recipient_email: Email | None = None
    reason: SingleLine = Field(min_length=1, max_length=200, examples=["Tombola 2026"])
    valid_until: Day | None = Field(default=None, description="Default: the product's validity.")


class ExtendInput(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)
    valid_until: Day = Field(description="The new last day of use (later than the current one).")




# ---------------------------------------------------------------- what the API answers (built by the service)
class LedgerEntry(BaseModel):
    kind: str
    amount: int = Field(description="Signed, minor units: credits positive, debits negative.")
    at: str
    booking_id: str | None = None
    order_id: str | None = None
    note: str | None = None


class VoucherDetail(BaseModel):
    voucher: Voucher
    ledger: list[LedgerEntry]
    ledger_sum: int = Field(description="Always equals the voucher's balance.")


class VoucherImportRowReport(BaseModel):
    row: int
    code: str
    status: Literal["imported", "unchanged", "code_taken", "error"]
    message: str | None = None


class VoucherImportReport(BaseModel):
    imported: int
    unchanged: int
    rejected: int
    rows: list[VoucherImportRowReport]


class ShopProduct(BaseModel):
    id: str
    kind: str
    name: str
    name_translations: dict[str, str]
    description: str | None = None
    description_translations: dict[str, str]
    currency: str
    value: dict[str, Any]
    validity: dict[str, Any]
    offer_ids: list[str] | None = None


class GiftShop(BaseModel):
    property_id: str
    property_name: str
    currency: str
    language: str | None = Field(default=None, description="The property's language: the shop's language when "
                                                            "the page sets none.")
    products: list[ShopProduct]
    stripe_publishable_key: str
    stripe_js_url: str
    stripe_account: str | None = Field(default=None, description="The property's connected Stripe account "
                                       "(direct charges): Stripe.js is initialised with Stripe(pk, {stripeAccount}). "
                                       "Null: payments go to the platform account.")


__all__ = ["GiftOrderInput", "GiftProduct", "GiftProductInput", "Voucher"]
