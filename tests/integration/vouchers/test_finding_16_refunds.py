"""Issue 12, item 16: a paid order always ends with its vouchers issued or its payment refunded (localstripe)."""

from __future__ import annotations

import email
from email import policy
from typing import Any, ClassVar

import boto3
import stripe

from tests.integration.vouchers.conftest import STRIPE_PORT, succeeded
from tests.integration.vouchers.test_vouchers_webhook import aws_table, gift_mails, vouchers_of


def _stripe() -> Any:
    return stripe.StripeClient("sk_test_integration", base_addresses={"api": f"http://127.0.0.1:{STRIPE_PORT}"})


def _paid(order: Any, product_id: str, **extra: Any) -> dict[str, Any]:
    created = order(items=[{"product_id": product_id, "quantity": 2}], payment_method="pm_card_visa", **extra)
    assert created["payment_status"] == "succeeded"
    return dict(created)


def _notices(aws: Any) -> list[Any]:
    """Refund notices SES accepted, parsed."""
    out = []
    for m in aws.sent_emails():
        if m["raw"] and "bon-cadeau-" not in m["raw"]:
            parsed = email.message_from_string(m["raw"], policy=policy.default)
            if "refund" in str(parsed["Subject"]).lower() or "rembours" in str(parsed["Subject"]).lower() \
                    or "terugbetaald" in str(parsed["Subject"]).lower() or "erstattet" in str(parsed["Subject"]):
                out.append(parsed)
    return out


def _delete_product(product_id: str) -> None:
    boto3.client("dynamodb").delete_item(TableName=aws_table(), Key={
        "pk": {"S": "PROPERTY#demo"}, "sk": {"S": f"GIFTPRODUCT#{product_id}"}})


def _order(order_id: str) -> dict[str, Any]:
    from revenir.vouchers.store import VoucherRepository

    return VoucherRepository(boto3.client("dynamodb"), aws_table()).get_order("demo", order_id)


def test_finding_16_a_paid_order_whose_product_is_gone_is_refunded_and_both_are_told(
        api: Any, admin: Any, catalog: Any, order: Any, post_event: Any, aws: Any) -> None:
    product = api.post("/v1/admin/properties/demo/gift-products", headers=admin, json={
        "kind": "voucher", "name": "Bientôt supprimé", "currency": "EUR",
        "value": {"type": "fixed", "amount": 4000}, "validity": {"months": 12}}).json
    created = _paid(order, product["id"], buyer={"first_name": "Anke", "last_name": "Peeters",
                                                 "email": "anke@example.com", "language": "nl"})
    _delete_product(product["id"])  # the host deleted it between the payment and the webhook
    answers = [post_event(succeeded(created)) for _ in range(3)]  # Stripe's retries change nothing
    assert [a.status_code for a in answers] == [200, 200, 200], answers[0].json
    assert answers[0].json["issue_failed"] == "gift_product_not_found" and answers[0].json["refunded"] is True
    refunds = _stripe().v1.refunds.list(params={"payment_intent": created["payment_intent_id"]}).data
    assert len(refunds) == 1 and refunds[0].amount == 8000  # once, in full (localstripe ignores idempotency keys)
    stored = _order(created["order_id"])
    assert stored["status"] == "refunded" and stored["refund_id"] == refunds[0].id
    assert not gift_mails(aws)
    notices = _notices(aws)
    assert len(notices) == 2
    buyer = next(n for n in notices if n["To"] == "anke@example.com")
    assert "terugbetaald" in str(buyer["Subject"]) and created["order_number"] in str(buyer["Subject"])
    assert "80,00" in buyer.get_body(("plain",)).get_content()
    prop = api.get("/v1/admin/properties/demo", headers=admin).json
    host = next(n for n in notices if n["To"] == prop["contact_email"])
    body = host.get_body(("plain",)).get_content()
    assert "gift_product_not_found" in body and refunds[0].id in body and "anke@example.com" in body


def test_finding_16_a_payment_that_is_not_the_orders_total_is_refunded(
        api: Any, catalog: Any, order: Any, post_event: Any, aws: Any) -> None:
    created = _paid(order, catalog["fifty"]["id"])
    wrong = succeeded(created)
    wrong["data"]["object"] |= {"amount": 100, "amount_received": 100}
    answer = post_event(wrong)
    assert answer.status_code == 200 and answer.json["issue_failed"] == "payment_mismatch"
    assert _order(created["order_id"])["status"] == "refunded"
    assert post_event(succeeded(created)).status_code == 200  # the right amount later: refunded, never issued
    assert _order(created["order_id"])["status"] == "refunded"
    assert len(_stripe().v1.refunds.list(params={"payment_intent": created["payment_intent_id"]}).data) == 1
    assert len(_notices(aws)) == 2


def test_finding_16_a_transient_failure_is_a_5xx_and_refunds_nothing(
        api: Any, admin: Any, catalog: Any, order: Any, post_event: Any, monkeypatch: Any) -> None:
    from revenir.vouchers.store import VoucherRepository

    created = _paid(order, catalog["fifty"]["id"])

    class Throttled(Exception):
        response: ClassVar[dict[str, Any]] = {"Error": {"Code": "ProvisionedThroughputExceededException"}}

    def throttled(*_: Any, **__: Any) -> Any:
        raise Throttled("slow down")

    monkeypatch.setattr(VoucherRepository, "issue_order", throttled)
    assert post_event(succeeded(created)).status_code == 500
    assert _order(created["order_id"])["status"] == "pending"
    assert _stripe().v1.refunds.list(params={"payment_intent": created["payment_intent_id"]}).data == []
    monkeypatch.undo()
    assert post_event(succeeded(created)).status_code == 200  # Stripe's retry issues
    assert len(vouchers_of(api, admin, catalog["fifty"]["id"])) == 2
