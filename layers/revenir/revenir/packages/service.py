"""Prepaid packages' use cases: the host's definitions, issuing by hand, the list of issued packages (with CSV
export), a package's balance and history, voiding; the booking engine's consumptions and give-backs; issuing
a package paid online (called once per paid order by the caller's idempotent wrapper). Orchestration over the
package store and the property lookup; codes are gift-voucher codes (revenir.vouchers.codes)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from revenir.core import clock, ids
from revenir.core.csv_safe import safe_row
from revenir.core.errors import Conflict, InvalidInput
from revenir.packages import printable as package_printable
from revenir.packages.models import (
    Package,
    PackageConsumeRequest,
    PackageConsumption,
    PackageHolding,
    PackageHoldingDetail,
    PackageInput,
    PackageIssueInput,
    PackageLedgerEntry,
    PackageUpdate,
)
from revenir.packages.store import PackageRepository, holding_out
from revenir.properties.models import Property
from revenir.properties.store import PropertyRepository
from revenir.vouchers import codes as voucher_codes

EXPORT_COLUMNS = ("code", "package", "unit", "units_total", "balance", "status", "valid_until", "price_paid",
                  "currency", "source", "first_name", "last_name", "email", "issued_at")


def _parse(code: str, field: str) -> str:
    """The canonical code, or the vouchers' 400 (code_mistyped / invalid_code) naming the offending field."""
    try:
        return voucher_codes.parse(code)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, code=exc.code, details=[{"field": field}]) from exc


@dataclass(frozen=True)
class PackageService:
    packages: PackageRepository
    properties: PropertyRepository

    def _today(self, prop: Property) -> date:
        return clock.local_today(prop.time_zone)

    # ---------------------------------------------------------------- definitions (admin)
    def create(self, property_id: str, body: PackageInput) -> Package:
        prop = self.properties.get(property_id)
        if body.currency != prop.currency:
            raise Conflict(f"the property's currency is {prop.currency}", code="currency_mismatch",
                           details=[{"field": "body.currency"}])
        now = clock.iso(clock.now())
        return self.packages.put_package(property_id, Package(**body.model_dump(), id=ids.new_id("pkg"),
                                                              created_at=now, updated_at=now))

    def all(self, property_id: str) -> list[Package]:
        return self.packages.list_packages(property_id)

    def on_sale(self, property_id: str) -> list[Package]:
        """What the gift shop may sell: purchasable online, not archived."""
        return [p for p in self.packages.list_packages(property_id) if p.purchasable_online and not p.archived]

    def get(self, property_id: str, package_id: str) -> Package:
        return self.packages.get_package(property_id, package_id)

    def replace(self, property_id: str, package_id: str, body: PackageUpdate) -> Package:
        """New terms apply to packages issued from now on; issued ones keep theirs (copied at issue)."""
        old = self.packages.get_package(property_id, package_id)
        return self.packages.put_package(property_id, Package(
            **body.model_dump(), id=old.id, created_at=old.created_at,
            updated_at=clock.iso(clock.now())), must_exist=True)

    # ---------------------------------------------------------------- holdings (admin)
    def issue(self, property_id: str, package_id: str, body: PackageIssueInput) -> PackageHolding:
        prop = self.properties.get(property_id)
        package = self.packages.get_package(property_id, package_id)
        if package.archived:
            raise Conflict("this package is archived", code="package_archived")
        item = self.packages.issue(
            property_id, package, holder=body.holder.model_dump(exclude_none=True),
            price_paid=package.price if body.price_paid is None else body.price_paid, source="manual", order_id=None,
            note=body.note, now=clock.now(), time_zone=prop.time_zone)
        return holding_out(item, self._today(prop))

    def issue_paid(self, property_id: str, package_id: str, holder: dict[str, Any], order_id: str,
                   amount_paid: int) -> PackageHolding:
        """A package bought online: called once per paid order (the caller's idempotent wrapper, as gift
        orders' issuing). The hook for `package.purchased` (docs/payments.md)."""
        prop = self.properties.get(property_id)
        package = self.packages.get_package(property_id, package_id)
        item = self.packages.issue(property_id, package, holder=holder, price_paid=amount_paid, source="online",
                                   order_id=order_id, note=None, now=clock.now(), time_zone=prop.time_zone)
        return holding_out(item, self._today(prop))

    def holdings(self, property_id: str, package_id: str) -> list[PackageHolding]:
        prop = self.properties.get(property_id)
        self.packages.get_package(property_id, package_id)
        today = self._today(prop)
        return [holding_out(i, today) for i in self.packages.holdings(property_id, package_id)]

    def export_csv(self, property_id: str, package_id: str) -> str:
        """The issued packages as CSV (UTF-8 with BOM, `;`: what Excel opens in fr/nl/de), every cell neutralised."""
        package = self.packages.get_package(property_id, package_id)
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        for h in self.holdings(property_id, package_id):
            holder = h.holder
            writer.writerow(safe_row([
                h.code, package.name, h.unit, h.units_total, h.balance, h.status, str(h.valid_until), h.price_paid,
                h.currency, h.source, holder.first_name if holder else "", holder.last_name if holder else "",
                holder.email if holder else "", h.issued_at]))
        return out.getvalue()

    def detail(self, property_id: str, code: str) -> PackageHoldingDetail:
        prop = self.properties.get(property_id)
        item = self.packages.get_holding(property_id, _parse(code, "path.code"))
        entries = [PackageLedgerEntry.model_validate(e) for e in self.packages.ledger(property_id, item)]
        return PackageHoldingDetail(holding=holding_out(item, self._today(prop)), ledger=entries,
                             ledger_sum=sum(e.units for e in entries))

    def printable(self, property_id: str, code: str, language: str | None) -> str:
        """The printable page of an issued package (the one attached to the purchase e-mail), in `language` or
        the holder's, else the property's."""
        prop = self.properties.get(property_id)
        item = self.packages.get_holding(property_id, _parse(code, "path.code"))
        holder = item.get("holder") or {}
        chosen = next(c for c in (language, holder.get("language"), prop.default_language, "en")
                      if c in package_printable.LABELS)
        name = f"{holder.get('first_name', '')} {holder.get('last_name', '')}".strip() or None
        return package_printable.page(package_printable.PrintablePackage(
            name=item["name"], code=voucher_codes.display(item["code"]), unit=item["unit"],
            units=int(item["units_total"]), price=int(item["price_paid"]), currency=item["currency"],
            valid_until=item["valid_until"], property_name=prop.name, holder_name=name), chosen)

    def void(self, property_id: str, code: str) -> PackageHolding:
        prop = self.properties.get(property_id)
        canonical = _parse(code, "path.code")
        self.packages.void(property_id, canonical, clock.now())
        return holding_out(self.packages.get_holding(property_id, canonical), self._today(prop))

    # ---------------------------------------------------------------- booking engine
    def balance(self, property_id: str, code: str) -> PackageHolding:
        """What the booking engine shows before consuming: units left, validity, what it covers."""
        prop = self.properties.get(property_id)
        return holding_out(self.packages.get_holding(property_id, _parse(code, "path.code")), self._today(prop))

    def consume(self, property_id: str, request: PackageConsumeRequest) -> PackageConsumption:
        """Units of a package for a booking: one transaction; a replay for the same booking returns the first
        result; what it covers is checked first (a night package on an excluded offer is refused)."""
        code = _parse(request.code, "body.code")
        holding = self.packages.get_holding(property_id, code)
        offers = holding.get("offer_ids")
        if offers and request.offer_id is not None and request.offer_id not in offers:
            raise Conflict("this package does not cover this offer", code="offer_not_covered",
                           details=[{"field": "body.offer_id", "offer_ids": offers}])
        if offers and request.offer_id is None and holding["unit"] == "service":
            raise Conflict("say which offer the service units are for", code="offer_required",
                           details=[{"field": "body.offer_id"}])
        return self.packages.consume(property_id, request, code, str(holding["unit"]), clock.now())

    def release(self, property_id: str, booking_id: str) -> dict[str, int]:
        return {"released": self.packages.release(property_id, booking_id, clock.now())}


__all__ = ["PackageService"]
