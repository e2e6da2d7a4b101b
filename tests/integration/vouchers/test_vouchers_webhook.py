"""Gift orders and Stripe's webhook on moto + localstripe: signatures, exactly-once issuing, refunds, e-mails."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import stripe

from revenir.core import clock
from tests.integration.vouchers.conftest import STRIPE_PORT, event, signed, succeeded


def vouchers_of(api: Any, admin: dict[str, str], product_id: str) -> list[dict[str, Any]]:
    return list(api.get(f"/v1/admin/properties/demo/gift-products/{product_id}/vouchers",
                        headers=admin).json["vouchers"])


def gift_mails(aws: Any) -> list[dict[str, Any]]:
    """Gift e-mails SES accepted, with `to` (list of addresses)."""
    out = []
    for m in aws.sent_emails():
        if m["raw"] and "bon-cadeau-" in m["raw"]:
            to = m["destinations"]
            out.append({**m, "to": sorted(set(to.get("ToAddresses", []) if isinstance(to, dict) else to or []))})
    return out


def test_order_creates_a_payment_intent_with_the_catalog_price(api: Any, catalog: Any, order: Any) -> None:
    created = order(items=[{"product_id": catalog["custom"]["id"], "amount": 7500},
                           {"product_id": catalog["fifty"]["id"], "quantity": 2}])
    assert created["amount"] == 17500 and created["currency"] == "EUR"
    assert created["client_secret"].startswith(created["payment_intent_id"] + "_secret_")
    client = stripe.StripeClient("sk_test_integration", base_addresses={"api": f"http://127.0.0.1:{STRIPE_PORT}"})
    intent = client.v1.payment_intents.retrieve(created["payment_intent_id"])
    assert intent.amount == 17500 and intent.metadata["order_id"] == created["order_id"]


def test_order_refuses_amounts_outside_the_bounds(api: Any, catalog: Any, localstripe: str) -> None:
    body = {"items": [{"product_id": catalog["custom"]["id"], "amount": 10}],
            "buyer": {"first_name": "A", "last_name": "B", "email": "a@example.com"}}
    response = api.post("/v1/properties/demo/gift-orders", json=body)
    assert response.status_code == 400 and response.json["error"]["code"] == "amount_out_of_bounds"


def test_bad_or_missing_signature_is_400_and_stores_nothing(api: Any, admin: Any, catalog: Any, order: Any,
                                                             aws: Any) -> None:
    created = order()
    body, _ = signed(succeeded(created))
    assert api.post("/v1/stripe/webhook", data=body).status_code == 400
    body, headers = signed(succeeded(created), secret="whsec_someone_else")
    response = api.post("/v1/stripe/webhook", data=body, headers=headers)
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_signature"
    tampered = body.replace(b'"amount": 10000', b'"amount": 1')
    assert api.post("/v1/stripe/webhook", data=tampered, headers=signed(succeeded(created))[1]).status_code == 400
    assert vouchers_of(api, admin, catalog["fifty"]["id"]) == []
    import boto3

    items = boto3.client("dynamodb").scan(TableName=aws_table())["Items"]
    assert not [i for i in items if i["pk"]["S"].startswith(("IDEMPOTENCY#", "PROPERTY#demo#VOUCHER#"))]


def aws_table() -> str:
    from local.template import load

    return next(iter(load().tables))


def test_the_same_event_five_times_issues_one_set_and_one_mail(api: Any, admin: Any, catalog: Any, order: Any,
                                                               post_event: Any, aws: Any) -> None:
    created = order()
    answers = [post_event(succeeded(created)) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    listed = vouchers_of(api, admin, catalog["fifty"]["id"])
    assert len(listed) == 2 and {v["status"] for v in listed} == {"unused"}
    assert {v["order_number"] for v in listed} == {created["order_number"]}
    mails = gift_mails(aws)
    assert len(mails) == 1 and mails[0]["to"] == ["martin@example.com"]
    for v in listed:
        assert v["code"].replace("-", "") in mails[0]["raw"].replace("=\n", "").replace("-", "")


def test_concurrent_duplicates_issue_exactly_one_set(api: Any, admin: Any, catalog: Any, order: Any,
                                                     post_event: Any, aws: Any, monkeypatch: Any) -> None:
    from functions.vouchers import webhook

    # Threads in one process share Powertools Metrics (not thread-safe; Lambda never does this): mute it.
    monkeypatch.setattr(webhook.metrics, "add_metric", lambda **_: None)
    created = order(items=[{"product_id": catalog["fifty"]["id"], "quantity": 3}])
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def deliver() -> None:
        barrier.wait()
        statuses.append(post_event(succeeded(created)).status_code)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(statuses) <= {200, 409} and 200 in statuses  # 409 in_progress: Stripe retries those
    assert post_event(succeeded(created)).status_code == 200  # Stripe's retry
    assert len(vouchers_of(api, admin, catalog["fifty"]["id"])) == 3
    assert len(gift_mails(aws)) == 1


def test_failed_payment_issues_nothing(api: Any, admin: Any, catalog: Any, order: Any, post_event: Any) -> None:
    created = order()
    failed = succeeded(created)
    failed["type"] = "payment_intent.payment_failed"
    failed["data"]["object"] |= {"status": "requires_payment_method", "amount_received": 0,
                                 "last_payment_error": {"code": "card_declined"}}
    assert post_event(failed).status_code == 200
    assert vouchers_of(api, admin, catalog["fifty"]["id"]) == []


def test_a_refund_voids_what_is_left(api: Any, admin: Any, catalog: Any, order: Any, post_event: Any) -> None:
    created = order(items=[{"product_id": catalog["fifty"]["id"], "quantity": 3}])
    post_event(succeeded(created))
    codes = [v["code"] for v in vouchers_of(api, admin, catalog["fifty"]["id"])]
    redeem = api.post("/v1/properties/demo/vouchers/redeem", headers=admin, json={
        "code": codes[0], "booking_id": "B-1", "amount": 2000, "currency": "EUR"})
    assert redeem.status_code == 201
    charge = {"id": "ch_1", "object": "charge", "payment_intent": created["payment_intent_id"], "amount": 15000,
              "amount_refunded": 5000, "refunded": False, "metadata": {}}
    before = {v["code"]: v["balance"] for v in vouchers_of(api, admin, catalog["fifty"]["id"])}
    seen = []
    for _ in range(2):  # a partial refund of 50 €: whole vouchers voided until 50 € is covered; replay: no change
        assert post_event(event("charge.refunded", charge, "evt_r1")).status_code == 200
        seen.append({v["code"]: v["status"] for v in vouchers_of(api, admin, catalog["fifty"]["id"])})
    assert seen[0] == seen[1]
    voided = [c for c, status in seen[0].items() if status == "void"]
    assert sum(before[c] for c in voided) >= 5000 and 1 <= len(voided) <= 2  # 50 € left, or 30 € + 50 €
    charge |= {"amount_refunded": 15000, "refunded": True}
    post_event(event("charge.refunded", charge, "evt_r2"))
    listed = vouchers_of(api, admin, catalog["fifty"]["id"])
    assert {v["status"] for v in listed} == {"void"} and {v["balance"] for v in listed} == {0}
    detail = api.get(f"/v1/admin/properties/demo/vouchers/{codes[0]}", headers=admin).json
    assert detail["ledger_sum"] == detail["voucher"]["balance"] == 0
    assert [e["kind"] for e in detail["ledger"]].count("void") == 1


def test_recipient_gets_the_mail_on_the_chosen_day(api: Any, catalog: Any, order: Any, post_event: Any,
                                                   aws: Any, lambdas: Any) -> None:
    day = clock.local_today("Europe/Brussels") + timedelta(days=3)
    created = order(recipient={"name": "Charlotte", "email": "charlotte@example.com", "message": "Bon anniversaire !",
                               "delivery_date": str(day), "language": "en"})
    post_event(succeeded(created))
    assert [m["to"] for m in gift_mails(aws)] == [["martin@example.com"]]
    lambdas.invoke("VoucherDeliveryFunction", {})
    assert len(gift_mails(aws)) == 1  # not yet
    clock.travel(4 * 86400)
    assert lambdas.invoke("VoucherDeliveryFunction", {}) == {"sent": 1, "failed": 0}
    assert lambdas.invoke("VoucherDeliveryFunction", {}) == {"sent": 0, "failed": 0}
    mails = gift_mails(aws)
    assert mails[-1]["to"] == ["charlotte@example.com"]
    assert "Bon anniversaire" in mails[-1]["raw"] and "gives you a gift voucher" in mails[-1]["raw"]


def test_printable_page(api: Any, admin: Any, catalog: Any, order: Any, post_event: Any) -> None:
    created = order()
    post_event(succeeded(created))
    code = vouchers_of(api, admin, catalog["fifty"]["id"])[0]["code"]
    page = api.get(f"/v1/properties/demo/vouchers/{code.lower()}/print")
    assert page.status_code == 200 and page.content_type.startswith("text/html")
    html = page.get_data(as_text=True)
    assert code in html and "50,00" in html and "@page" in html and "Moulin" in html
