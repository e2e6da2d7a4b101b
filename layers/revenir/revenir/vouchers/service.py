"""Gift vouchers' use cases for the API: the catalog, the "ordered by" list (CSV export and import, manual
issue, extension, void), the widget's gift shop, balance check and printable page, the booking engine's
redemptions. Orchestration over the voucher store and the property lookup; the handler parses, calls one
method and shapes the response.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from revenir.connect.store import ConnectRepository
from revenir.core import clock, ids
from revenir.core.errors import InvalidInput
from revenir.guard.policy import GuardPolicy
from revenir.guard.store import Counters
from revenir.i18n import csv_export
from revenir.properties.models import Property
from revenir.properties.store import PropertyRepository
from revenir.table.dynamodb import Item
from revenir.vouchers import codes as voucher_codes
from revenir.vouchers import csv_files as voucher_csv
from revenir.vouchers import printable as voucher_print
from revenir.vouchers.models import (
    BalanceOut,
    GiftProduct,
    GiftProductInput,
    GiftShop,
    LedgerEntry,
    ManualIssueInput,
    ShopProduct,
    Voucher,
    VoucherDetail,
    VoucherImportReport,
    VoucherImportRowReport,
    VoucherRedeemRequest,
    VoucherRedemptionOut,
    status_of,
)
from revenir.vouchers.store import NewVoucher, VoucherRepository, product_from_input, voucher_out


@dataclass(frozen=True)
class VoucherService:
    vouchers: VoucherRepository
    properties: PropertyRepository
    connect: ConnectRepository | None = None  # the property's Stripe account, for the gift shop's Stripe.js

    def _property(self, property_id: str) -> Property:
        return self.properties.get(property_id)

    @staticmethod
    def _today(prop: Property) -> date:
        return clock.local_today(prop.time_zone)

    # ------------------------------------------------------------------ catalog (admin)
    def create_product(self, property_id: str, body: GiftProductInput) -> GiftProduct:
        prop = self._property(property_id)
        if body.currency != prop.currency:
            raise InvalidInput("a gift product is sold in the property's currency", code="currency_mismatch")
        now = clock.iso(clock.now())
        product = product_from_input(ids.new_id("gp"), property_id, body, now, now)
        self.vouchers.put_product(property_id, product)
        return product

    def list_products(self, property_id: str) -> list[GiftProduct]:
        return self.vouchers.list_products(property_id)

    def get_product(self, property_id: str, product_id: str) -> GiftProduct:
        return self.vouchers.get_product(property_id, product_id)

    def replace_product(self, property_id: str, product_id: str, body: GiftProductInput) -> GiftProduct:
        old = self.vouchers.get_product(property_id, product_id)
        product = product_from_input(product_id, property_id, body, old.created_at, clock.iso(clock.now()))
        return self.vouchers.put_product(property_id, product, must_exist=True)

    def archive_product(self, property_id: str, product_id: str) -> None:
        product = self.vouchers.get_product(property_id, product_id)
        self.vouchers.put_product(property_id, product.model_copy(update={
            "archived": True, "updated_at": clock.iso(clock.now())}), must_exist=True)

    # ------------------------------------------------------------------ "ordered by" list (admin)
    def page(self, property_id: str, product_id: str, *, status: str | None, limit: int, cursor: str | None
             ) -> tuple[list[Voucher], str | None]:
        prop = self._property(property_id)
        return self.vouchers.page(property_id, product_id, self._today(prop), status=status, limit=limit,
                                  cursor=cursor)

    def export_csv(self, property_id: str, product_id: str, locale: str | None = None) -> str:
        """The product's vouchers as CSV for Excel in the property's language or `locale` (404: unknown product)."""
        prop = self._property(property_id)
        self.vouchers.get_product(property_id, product_id)
        return voucher_csv.export(self.vouchers.all_vouchers(property_id, product_id, self._today(prop)),
                                  csv_export.language(locale, prop.default_language))

    def import_csv(self, property_id: str, product_id: str, text: str) -> VoucherImportReport:
        """Codes sold elsewhere: a per-row report; re-importing the same file changes nothing."""
        prop = self._property(property_id)
        product = self.vouchers.get_product(property_id, product_id)
        parsed = voucher_csv.parse_import(text, product, self._today(prop))
        rows = [(r.row, NewVoucher(
            code=r.code, product=product, value=r.value, valid_until=r.valid_until,
            purchased_at=f"{r.purchase_date}T00:00:00Z", source="import", order_number=r.order_number,
            buyer_name=r.client, buyer_email=r.email, note="import")) for r in parsed.rows]
        outcomes = self.vouchers.import_vouchers(property_id, rows, prop.time_zone)
        report = [VoucherImportRowReport.model_validate({
            "row": o.row, "code": voucher_codes.display(o.code), "status": o.status,
            "message": "this code exists with other values" if o.status == "code_taken" else None})
            for o in outcomes]
        report += [VoucherImportRowReport.model_validate(e) for e in parsed.errors]
        report.sort(key=lambda r: r.row)
        return VoucherImportReport(imported=sum(1 for o in outcomes if o.status == "imported"),
                            unchanged=sum(1 for o in outcomes if o.status == "unchanged"),
                            rejected=sum(1 for r in report if r.status in ("error", "code_taken")), rows=report)

    def issue_manually(self, property_id: str, product_id: str, body: ManualIssueInput) -> Voucher:
        """A voucher given without payment (a prize, a goodwill gesture)."""
        prop = self._property(property_id)
        product = self.vouchers.get_product(property_id, product_id)
        today = self._today(prop)
        code = voucher_codes.generate()
        new = NewVoucher(code=code, product=product, value=product.price(body.amount),
                         valid_until=body.valid_until or product.validity.end(today),
                         purchased_at=clock.iso(clock.now()), source="manual", recipient_name=body.recipient_name,
                         recipient_email=body.recipient_email, note=body.reason)
        self.vouchers.issue_one(property_id, new, prop.time_zone)
        return voucher_out(self.vouchers.get_voucher_item(property_id, code), today)

    def detail(self, property_id: str, code: str) -> VoucherDetail:
        """A voucher (any spelling of its code) and its ledger."""
        prop = self._property(property_id)
        item = self.vouchers.get_voucher_item(property_id, voucher_codes.parse(code))
        entries = [LedgerEntry.model_validate(e) for e in self.vouchers.ledger(property_id, item)]
        return VoucherDetail(voucher=voucher_out(item, self._today(prop)), ledger=entries,
                             ledger_sum=sum(e.amount for e in entries))

    def extend(self, property_id: str, code: str, valid_until: date) -> Voucher:
        prop = self._property(property_id)
        item = self.vouchers.extend(property_id, voucher_codes.parse(code), valid_until, prop.time_zone,
                                    clock.now())
        return voucher_out(item, self._today(prop))

    def void(self, property_id: str, code: str) -> Voucher:
        prop = self._property(property_id)
        canonical = voucher_codes.parse(code)
        self.vouchers.void(property_id, canonical, clock.now(), "voided by the host")
        return voucher_out(self.vouchers.get_voucher_item(property_id, canonical), self._today(prop))

    # ------------------------------------------------------------------ widget (anonymous)
    def gift_shop(self, property_id: str, stripe_publishable_key: str, stripe_js_url: str) -> GiftShop:
        """The products on sale today in the property's time zone, and how to pay for them."""
        prop = self._property(property_id)
        today = self._today(prop)
        products = [ShopProduct.model_validate(p.model_dump(mode="json"))
                    for p in self.vouchers.list_products(property_id) if p.is_published(today)]
        return GiftShop(property_id=property_id, property_name=prop.name, currency=prop.currency,
                        language=prop.default_language, products=products,
                        stripe_publishable_key=stripe_publishable_key, stripe_js_url=stripe_js_url,
                        stripe_account=self.connect.charge_account(property_id) if self.connect else None)

    def _guarded(self, property_id: str, code: str, client: str, guard: GuardPolicy) -> Item:
        """The voucher and the guessing-guard counters in one BatchGetItem; an unknown code counts as a miss
        (the promo codes' guard: same counters, so guessing vouchers also blocks guessing promo codes)."""
        canonical = voucher_codes.parse(code)  # a mistyped code is refused here, before any lookup
        return self.vouchers.find_guarded(property_id, canonical, Counters(property_id, client, guard, clock.now()))

    def check_balance(self, property_id: str, code: str, client: str, guard: GuardPolicy) -> BalanceOut:
        item = self._guarded(property_id, code, client, guard)
        prop = self._property(property_id)
        return BalanceOut(code=voucher_codes.display(item["code"]), status=status_of(item, self._today(prop)),
                          balance=item["balance"], currency=item["currency"], valid_until=item["valid_until"],
                          kind=item["kind"], name=item["name"])

    def printable(self, property_id: str, code: str, client: str, guard: GuardPolicy, language: str | None
                  ) -> str:
        """The print-ready HTML page of one voucher (guarded like the balance check)."""
        item = self._guarded(property_id, code, client, guard)
        prop = self._property(property_id)
        return voucher_print.page([voucher_print.PrintableVoucher(
            kind=item["kind"], name=item["name"], code=voucher_codes.display(item["code"]),
            amount=int(item["initial_value"]), currency=item["currency"], valid_until=item["valid_until"],
            property_name=prop.name, property_website=prop.website, buyer_name=item.get("buyer_name"),
            recipient_name=item.get("recipient_name"))], language or prop.default_language)

    # ------------------------------------------------------------------ booking engine (token)
    def redeem(self, property_id: str, request: VoucherRedeemRequest,
               now: datetime | None = None) -> VoucherRedemptionOut:
        """One transaction, never below zero, once per booking (`replayed` on a repeat)."""
        return self.vouchers.redeem(property_id, request, voucher_codes.parse(request.code), now or clock.now())

    def release(self, property_id: str, booking_id: str) -> int:
        return self.vouchers.release(property_id, booking_id, clock.now())


__all__ = ["VoucherService"]
