"""Stripe Connect and pending payments (issue 17, items 1 and 3) on moto + localstripe behind the Connect stand-in
(local/connect.py): two properties, two connected accounts, direct charges with the platform's fee, the Connect
webhook routed by account, codes applied to a pending payment and the PaymentIntent's amount on Stripe."""

from __future__ import annotations

import email
import email.policy
import json
import urllib.parse
import urllib.request
from datetime import timedelta
from typing import Any

import boto3
import pytest
import stripe

from local import demo as demo_module
from local import tokens
from revenir.core import clock
from revenir.core.settings import TableSettings, load
from tests.integration.vouchers.conftest import CONNECT, CONNECT_WEBHOOK_SECRET, event, signed

OTHER = "moulin-bas"
CONNECT_HOOK = "/v1/stripe/connect/webhook"


def _stripe(account: str | None = None) -> Any:
    return stripe.StripeClient("sk_test_integration", base_addresses={"api": CONNECT.base_url}), (
        {"stripe_account": account} if account else {})


def onboard(api: Any, headers: dict[str, str], property_id: str) -> str:
    """Start onboarding and complete it on the stand-in (what the host does on Stripe's page)."""
    body = {"return_url": "https://admin.revenir.example/payments/done",
            "refresh_url": "https://admin.revenir.example/payments/again", "email": "host@example.com"}
    started = api.post(f"/v1/admin/properties/{property_id}/stripe-account/onboarding", json=body, headers=headers)
    assert started.status_code == 201, started.json
    account = str(started.json["account"]["account_id"])
    request = urllib.request.Request(f"{CONNECT.base_url}/_connect/accounts/{account}", method="POST",
                                     data=json.dumps({"charges_enabled": True, "details_submitted": True}).encode(),
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5).read()
    status = api.get(f"/v1/admin/properties/{property_id}/stripe-account", headers=headers)
    assert status.status_code == 200 and status.json["charges_enabled"] is True
    return account


@pytest.fixture
def two(api: Any, admin: dict[str, str], catalog: Any, localstripe: str) -> dict[str, Any]:
    """demo and a second property, each with its own connected account and a 50 € gift product."""
    other_headers = {"Authorization": f"Bearer {tokens.mint([OTHER])}"}
    assert api.put(f"/v1/admin/properties/{OTHER}", json={**demo_module.PROPERTY, "name": "Le Moulin d'en bas"},
                   headers=other_headers).status_code in (200, 201)
    product = api.post(f"/v1/admin/properties/{OTHER}/gift-products", headers=other_headers, json={
        "kind": "voucher", "name": "Bon 50 €", "currency": "EUR", "value": {"type": "fixed", "amount": 5000},
        "validity": {"months": 12}})
    assert product.status_code == 201, product.json
    return {"demo": {"headers": admin, "account": onboard(api, admin, "demo"), "product": catalog["fifty"]["id"]},
            OTHER: {"headers": other_headers, "account": onboard(api, other_headers, OTHER),
                    "product": product.json["id"]}}


def buy(api: Any, property_id: str, product_id: str, quantity: int) -> dict[str, Any]:
    response = api.post(f"/v1/properties/{property_id}/gift-orders", json={
        "items": [{"product_id": product_id, "quantity": quantity}],
        "buyer": {"first_name": "Martin", "last_name": "Colson", "email": "martin@example.com"}})
    assert response.status_code == 201, response.json
    return dict(response.json)


def paid(order: dict[str, Any], property_id: str, account: str | None, event_id: str = "evt_c1") -> dict[str, Any]:
    payload = event("payment_intent.succeeded", {
        "id": order["payment_intent_id"], "object": "payment_intent", "amount": order["amount"],
        "amount_received": order["amount"], "currency": "eur", "status": "succeeded",
        "metadata": {"property_id": property_id, "order_id": order["order_id"]}}, event_id)
    if account:
        payload["account"] = account
    return payload


def post_connect(api: Any, payload: dict[str, Any], secret: str = CONNECT_WEBHOOK_SECRET) -> Any:
    body, headers = signed(payload, secret)
    return api.post(CONNECT_HOOK, data=body, headers=headers)


def vouchers(api: Any, headers: dict[str, str], property_id: str, product_id: str) -> list[dict[str, Any]]:
    return list(api.get(f"/v1/admin/properties/{property_id}/gift-products/{product_id}/vouchers",
                        headers=headers).json["vouchers"])


# ---------------------------------------------------------------- onboarding
def test_onboarding_creates_one_account_per_property_and_a_fresh_link_each_time(api: Any, admin: Any,
                                                                                 localstripe: str) -> None:
    body = {"return_url": "https://admin.example/done", "refresh_url": "https://admin.example/again"}
    first = api.post("/v1/admin/properties/demo/stripe-account/onboarding", json=body, headers=admin)
    again = api.post("/v1/admin/properties/demo/stripe-account/onboarding", json=body, headers=admin)
    assert first.status_code == again.status_code == 201
    assert first.json["account"]["account_id"] == again.json["account"]["account_id"]
    assert first.json["account"]["account_id"].startswith("acct_")
    assert first.json["url"].startswith(CONNECT.base_url + "/_connect/onboard/")
    status = api.get("/v1/admin/properties/demo/stripe-account", headers=admin)
    assert status.json["charges_enabled"] is False and status.json["details_submitted"] is False
    # the host completes Stripe's page: the stand-in redirects to return_url, the status follows
    opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,), {
        "redirect_request": lambda *args: None}))
    try:
        opener.open(first.json["url"], timeout=5)
    except urllib.error.HTTPError as exc:
        assert exc.code == 302 and exc.headers["Location"] == "https://admin.example/done"
    status = api.get("/v1/admin/properties/demo/stripe-account", headers=admin)
    assert status.json["charges_enabled"] is True and status.json["details_submitted"] is True


def test_onboarding_input_and_unknown_account_answer_4xx_with_the_field(api: Any, admin: Any,
                                                                        localstripe: str) -> None:
    bad = api.post("/v1/admin/properties/demo/stripe-account/onboarding", json={"return_url": "nope"},
                   headers=admin)
    assert bad.status_code == 422 or bad.status_code == 400
    assert any("return_url" in json.dumps(d) for d in bad.json["error"]["details"])
    missing = api.get("/v1/admin/properties/demo/stripe-account", headers=admin)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_connected"


def test_a_property_not_connected_still_charges_the_platform_account(api: Any, catalog: Any,
                                                                     localstripe: str) -> None:
    order = buy(api, "demo", catalog["fifty"]["id"], 1)
    assert order["stripe_account"] is None and order["application_fee_amount"] == 0
    assert CONNECT.intents[order["payment_intent_id"]]["account"] is None


# ---------------------------------------------------------------- direct charges
def test_each_purchase_lands_on_its_own_account_with_the_fee(api: Any, two: dict[str, Any]) -> None:
    a = buy(api, "demo", two["demo"]["product"], 2)  # 100.00 EUR -> 3 % = 3.00
    b = buy(api, OTHER, two[OTHER]["product"], 1)  # 50.00 EUR -> 1.50
    assert (a["stripe_account"], a["application_fee_amount"]) == (two["demo"]["account"], 300)
    assert (b["stripe_account"], b["application_fee_amount"]) == (two[OTHER]["account"], 150)
    assert a["stripe_account"] != b["stripe_account"]
    assert CONNECT.intents[a["payment_intent_id"]] == {"account": two["demo"]["account"], "application_fee_amount": 300}
    assert CONNECT.intents[b["payment_intent_id"]] == {"account": two[OTHER]["account"], "application_fee_amount": 150}
    client, on_a = _stripe(two["demo"]["account"])
    intent = client.v1.payment_intents.retrieve(a["payment_intent_id"], options=on_a)
    assert intent.amount == 10000 and intent.application_fee_amount == 300
    _, on_b = _stripe(two[OTHER]["account"])
    with pytest.raises(stripe.InvalidRequestError):  # another account cannot see it, nor can the platform
        client.v1.payment_intents.retrieve(a["payment_intent_id"], options=on_b)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payment_intents.retrieve(a["payment_intent_id"])


def test_the_gift_shop_tells_stripe_js_which_account(api: Any, two: dict[str, Any]) -> None:
    shop = api.get(f"/v1/properties/{OTHER}/gift-shop").json
    assert shop["stripe_account"] == two[OTHER]["account"]


# ---------------------------------------------------------------- Connect webhooks
def test_a_connect_event_issues_only_on_its_own_account(api: Any, two: dict[str, Any]) -> None:
    b = buy(api, OTHER, two[OTHER]["product"], 1)
    headers = two[OTHER]["headers"]
    # account A's event about B's order: acknowledged, not handled, nothing issued
    forged = post_connect(api, paid(b, OTHER, two["demo"]["account"], "evt_forged"))
    assert forged.status_code == 200 and forged.json["handled"] is False
    assert forged.json["reason"] == "account_mismatch"
    # the platform endpoint cannot issue a direct charge's order either
    body, plain = signed(paid(b, OTHER, None, "evt_platform"))
    assert api.post("/v1/stripe/webhook", data=body, headers=plain).json["handled"] is False
    assert vouchers(api, headers, OTHER, two[OTHER]["product"]) == []
    # the platform's secret does not sign Connect events; an event without its account is refused
    assert post_connect(api, paid(b, OTHER, two[OTHER]["account"]), secret="whsec_test_revenir").status_code == 400
    no_account = post_connect(api, paid(b, OTHER, None))
    assert no_account.status_code == 400 and no_account.json["error"]["code"] == "missing_account"
    # B's own event, twice: one set of vouchers
    for _ in range(2):
        good = post_connect(api, paid(b, OTHER, two[OTHER]["account"], "evt_good"))
        assert good.status_code == 200 and good.json["handled"] is True
    assert len(vouchers(api, headers, OTHER, two[OTHER]["product"])) == 1


def test_refunds_and_disputes_reach_the_order_of_their_account(api: Any, two: dict[str, Any]) -> None:
    a = buy(api, "demo", two["demo"]["product"], 1)
    assert post_connect(api, paid(a, "demo", two["demo"]["account"])).json["vouchers"] == 1
    charge = {"id": "ch_1", "object": "charge", "payment_intent": a["payment_intent_id"], "amount": 5000,
              "amount_refunded": 5000, "refunded": True, "metadata": {}}
    refused = post_connect(api, {**event("charge.refunded", charge, "evt_r0"), "account": two[OTHER]["account"]})
    assert refused.json["handled"] is False
    refunded = post_connect(api, {**event("charge.refunded", charge, "evt_r1"), "account": two["demo"]["account"]})
    assert refunded.json["voided"] == 1
    dispute = {"id": "dp_1", "object": "dispute", "payment_intent": a["payment_intent_id"], "status": "needs_response",
               "charge": "ch_1", "metadata": {}}
    answer = post_connect(api, {**event("charge.dispute.created", dispute, "evt_d1"),
                                "account": two["demo"]["account"]})
    assert answer.json["handled"] is True and answer.json["dispute"] == "needs_response"


def test_account_updated_is_recorded_for_its_property_only(api: Any, two: dict[str, Any]) -> None:
    account_b = two[OTHER]["account"]
    update = {"id": account_b, "object": "account", "charges_enabled": False, "details_submitted": True,
              "metadata": {"property_id": OTHER}}
    assert post_connect(api, {**event("account.updated", update, "evt_a1"), "account": account_b}).json["handled"]
    stored = api.get(f"/v1/admin/properties/{OTHER}/stripe-account", headers=two[OTHER]["headers"])
    assert stored.status_code == 200
    # account B claiming to be demo's: refused (demo's stored account is another one)
    forged = {**update, "metadata": {"property_id": "demo"}}
    assert not post_connect(api, {**event("account.updated", forged, "evt_a2"), "account": account_b}).json["handled"]


# ---------------------------------------------------------------- pending payments
def day(offset: int) -> str:
    return str(clock.local_today("Europe/Brussels") + timedelta(days=offset))


def pending_body(**overrides: Any) -> dict[str, Any]:
    return {"amount": 45000, "currency": "EUR", "due_date": day(5), "arrival": day(20), "departure": day(23),
            "guest_email": "anna@example.com", "guest_language": "nl", **overrides}


def promo(api: Any, headers: dict[str, str], property_id: str = "demo", **overrides: Any) -> None:
    body = {"name": "Merci", "code": "MERCI10", "discount": {"type": "percent", "percent": 10},
            "valid_from": day(-1), "valid_until": day(60), "max_uses": 1, **overrides}
    response = api.post(f"/v1/admin/properties/{property_id}/promo-codes", json=body, headers=headers)
    assert response.status_code == 201, response.json


def intent_amount(payment: dict[str, Any]) -> tuple[int, int | None]:
    client, options = _stripe(payment["stripe_account"])
    intent = client.v1.payment_intents.retrieve(payment["payment_intent_id"], options=options)
    return int(intent.amount), intent.to_dict().get("application_fee_amount")


def test_a_pending_payment_discounted_by_the_host_then_paid(api: Any, two: dict[str, Any]) -> None:
    headers = two["demo"]["headers"]
    promo(api, headers)
    created = api.put("/v1/properties/demo/pending-payments/B-77", json=pending_body(), headers=headers)
    assert created.status_code == 201, created.json
    payment = created.json
    assert payment["stripe_account"] == two["demo"]["account"] and payment["application_fee_amount"] == 1350
    assert intent_amount(payment) == (45000, 1350)
    replay = api.put("/v1/properties/demo/pending-payments/B-77", json=pending_body(), headers=headers)
    assert replay.json["payment_intent_id"] == payment["payment_intent_id"]
    other_amount = api.put("/v1/properties/demo/pending-payments/B-77", json=pending_body(amount=1000),
                           headers=headers)
    assert other_amount.status_code == 409
    applied = api.post("/v1/admin/properties/demo/pending-payments/B-77/code", json={"code": "merci10"},
                       headers=headers)
    assert applied.status_code == 200, applied.json
    assert (applied.json["amount"], applied.json["discount"], applied.json["code"]["code"]) == (40500, 4500, "MERCI10")
    assert intent_amount(payment) == (40500, 1215)  # 3 % of 405.00
    # the guest's page (signed link) shows the new amount; a forged link is a 404
    page = api.get(f"/v1/properties/demo/pending-payments/B-77/pay?t={payment['pay_token']}")
    assert page.status_code == 200 and page.json["payment"]["amount"] == 40500
    assert page.json["payment"]["stripe_account"] == two["demo"]["account"]
    assert api.get("/v1/properties/demo/pending-payments/B-77/pay?t=" + "x" * 24).status_code == 404
    # the code's single use is held: another booking cannot take it
    second = api.put("/v1/properties/demo/pending-payments/B-78", json=pending_body(), headers=headers).json
    taken = api.post(f"/v1/properties/demo/pending-payments/B-78/pay/code?t={second['pay_token']}",
                     json={"code": "MERCI10"})
    assert taken.status_code == 409, taken.json
    # paid on the property's account: paid, the hold confirmed
    payload = {**event("payment_intent.succeeded", {
        "id": payment["payment_intent_id"], "object": "payment_intent", "amount": 40500, "amount_received": 40500,
        "currency": "eur", "metadata": {"property_id": "demo", "booking_id": "B-77",
                                        "revenir_kind": "pending_payment"}}, "evt_pp1")}
    forged = post_connect(api, {**payload, "account": two[OTHER]["account"]})
    assert forged.json["handled"] is False
    done = post_connect(api, {**payload, "account": two["demo"]["account"]})
    assert done.status_code == 200 and done.json["status"] == "paid"
    state = api.get("/v1/admin/properties/demo/pending-payments/B-77", headers=headers).json
    assert state["status"] == "paid" and state["paid_at"]
    redemption = api.delete("/v1/admin/properties/demo/pending-payments/B-77/code", headers=headers)
    assert redemption.status_code == 409 and redemption.json["error"]["code"] == "payment_not_payable"


def test_the_guest_applies_then_removes_a_code(api: Any, two: dict[str, Any]) -> None:
    headers = two["demo"]["headers"]
    promo(api, headers, discount={"type": "amount", "amount": 5000, "currency": "EUR"}, code="MOINS50")
    payment = api.put("/v1/properties/demo/pending-payments/B-90", json=pending_body(), headers=headers).json
    link = f"/v1/properties/demo/pending-payments/B-90/pay/code?t={payment['pay_token']}"
    assert api.post(link.replace(payment["pay_token"], "y" * 24), json={"code": "MOINS50"}).status_code == 404
    applied = api.post(link, json={"code": "MOINS50"})
    assert applied.status_code == 200 and applied.json["amount"] == 40000
    twice = api.post(link, json={"code": "MOINS50"})
    assert twice.status_code == 409 and twice.json["error"]["code"] == "code_already_applied"
    removed = api.delete(link)
    assert removed.status_code == 200 and removed.json["amount"] == 45000 and removed.json["code"] is None
    assert intent_amount(payment)[0] == 45000
    # the use was given back: another booking can now use the single-use code
    other = api.put("/v1/properties/demo/pending-payments/B-91", json=pending_body(), headers=headers).json
    again = api.post(f"/v1/properties/demo/pending-payments/B-91/pay/code?t={other['pay_token']}",
                     json={"code": "MOINS50"})
    assert again.status_code == 200 and again.json["amount"] == 40000


def test_failed_then_expired_after_the_due_date(api: Any, two: dict[str, Any], lambdas: Any) -> None:
    headers = two["demo"]["headers"]
    promo(api, headers, code="EXP10")
    payment = api.put("/v1/properties/demo/pending-payments/B-95", json=pending_body(due_date=day(1)),
                      headers=headers).json
    api.post("/v1/admin/properties/demo/pending-payments/B-95/code", json={"code": "EXP10"}, headers=headers)
    failed = {**event("payment_intent.payment_failed", {
        "id": payment["payment_intent_id"], "object": "payment_intent", "amount": 40500, "currency": "eur",
        "last_payment_error": {"code": "card_declined"},
        "metadata": {"property_id": "demo", "booking_id": "B-95", "revenir_kind": "pending_payment"}}, "evt_f1"),
        "account": two["demo"]["account"]}
    assert post_connect(api, failed).json["status"] == "failed"
    state = api.get("/v1/admin/properties/demo/pending-payments/B-95", headers=headers).json
    assert state["status"] == "failed" and state["failure"] == "card_declined"
    clock.travel(3 * 86400)
    assert lambdas.invoke("revenir-local-PendingPaymentsSweeperFunction", {})["expired"] >= 1
    state = api.get("/v1/admin/properties/demo/pending-payments/B-95", headers=headers).json
    assert state["status"] == "expired"
    client, options = _stripe(two["demo"]["account"])
    assert client.v1.payment_intents.retrieve(payment["payment_intent_id"], options=options).status == "canceled"
    # the code's use came back
    other = api.put("/v1/properties/demo/pending-payments/B-96", json=pending_body(due_date=day(10)),
                    headers=headers).json
    assert api.post(f"/v1/properties/demo/pending-payments/B-96/pay/code?t={other['pay_token']}",
                    json={"code": "EXP10"}).status_code == 200


def test_the_booking_engine_withdraws_a_pending_payment(api: Any, two: dict[str, Any]) -> None:
    headers = two["demo"]["headers"]
    promo(api, headers, code="WITHDRAW")
    payment = api.put("/v1/properties/demo/pending-payments/B-W", json=pending_body(), headers=headers).json
    assert api.post("/v1/admin/properties/demo/pending-payments/B-W/code", json={"code": "WITHDRAW"},
                    headers=headers).status_code == 200
    for _ in range(2):  # idempotent
        cancelled = api.delete("/v1/properties/demo/pending-payments/B-W", headers=headers)
        assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    client, options = _stripe(two["demo"]["account"])
    assert client.v1.payment_intents.retrieve(payment["payment_intent_id"], options=options).status == "canceled"
    other = api.put("/v1/properties/demo/pending-payments/B-W2", json=pending_body(), headers=headers).json
    reused = api.post(f"/v1/properties/demo/pending-payments/B-W2/pay/code?t={other['pay_token']}",
                      json={"code": "WITHDRAW"})
    assert reused.status_code == 200  # the single use came back


def test_pending_payment_input_errors_name_the_field(api: Any, two: dict[str, Any]) -> None:
    headers = two["demo"]["headers"]
    past = api.put("/v1/properties/demo/pending-payments/B-99", json=pending_body(due_date=day(-2)), headers=headers)
    assert past.status_code == 400 and past.json["error"]["details"] == [{"field": "body.due_date"}]
    currency = api.put("/v1/properties/demo/pending-payments/B-99", json=pending_body(currency="USD"),
                       headers=headers)
    assert currency.status_code == 400 and currency.json["error"]["code"] == "currency_mismatch"
    tiny = api.put("/v1/properties/demo/pending-payments/B-99", json=pending_body(amount=10), headers=headers)
    assert tiny.status_code in (400, 422)
    none = api.get("/v1/admin/properties/demo/pending-payments/NOPE", headers=headers)
    assert none.status_code == 404


# ---------------------------------------------------------------- prepaid packages bought online
def package_mails(aws: Any) -> list[dict[str, Any]]:
    return [m for m in aws.sent_emails() if m["raw"] and "forfait-" in m["raw"]]


def test_a_package_bought_on_its_account_is_issued_once_then_consumed(api: Any, two: dict[str, Any],
                                                                     aws: Any) -> None:
    headers = two[OTHER]["headers"]
    definition = api.post(f"/v1/admin/properties/{OTHER}/packages", headers=headers, json={
        "name": "Forfait 3 séjours", "name_translations": {"en": "3-stay package"}, "unit": "stay", "units": 3,
        "price": 60000, "currency": "EUR", "validity_months": 24, "purchasable_online": True}).json
    on_sale = api.get(f"/v1/properties/{OTHER}/packages/on-sale").json["packages"]
    assert [p["id"] for p in on_sale] == [definition["id"]]
    bought = api.post(f"/v1/properties/{OTHER}/package-orders", json={
        "package_id": definition["id"], "buyer": {"first_name": "Jonas", "last_name": "Becker",
                                                  "email": "jonas@example.com", "language": "de"}})
    assert bought.status_code == 201, bought.json
    order = bought.json
    assert order["stripe_account"] == two[OTHER]["account"] and order["application_fee_amount"] == 1800
    assert CONNECT.intents[order["payment_intent_id"]] == {"account": two[OTHER]["account"],
                                                           "application_fee_amount": 1800}
    payload = event("payment_intent.succeeded", {
        "id": order["payment_intent_id"], "object": "payment_intent", "amount": 60000, "amount_received": 60000,
        "currency": "eur", "metadata": {"property_id": OTHER, "order_id": order["order_id"],
                                        "revenir_kind": "package_order"}}, "evt_po1")
    assert post_connect(api, {**payload, "account": two["demo"]["account"]}).json["handled"] is False
    answers = [post_connect(api, {**payload, "account": two[OTHER]["account"]}).json for _ in range(3)]
    assert [a.get("issued", False) for a in answers] == [True, False, False]
    holdings = api.get(f"/v1/admin/properties/{OTHER}/packages/{definition['id']}/holdings",
                       headers=headers).json["holdings"]
    # one package.purchased domain event, written in the issuing transaction (docs/webhooks.md)
    outbox = boto3.client("dynamodb").scan(  # a test may scan the emulator; the code never does
        TableName=load(TableSettings).table_name, FilterExpression="record_type = :t",
        ExpressionAttributeValues={":t": {"S": "domain_event"}})["Items"]
    purchased = [json.loads(i["event"]["S"]) for i in outbox]
    purchased = [e for e in purchased if e["type"] == "package.purchased"]
    assert [(e["property_id"], e["data"]["order_id"], e["data"]["code"], e["data"]["units"], e["data"]["total"])
            for e in purchased] == [(OTHER, order["order_id"], holdings[0]["code"], 3,
                                     {"amount": 60000, "currency": "EUR"})]
    assert len(holdings) == 1 and holdings[0]["source"] == "online" and holdings[0]["order_id"] == order["order_id"]
    mails = package_mails(aws)
    assert len(mails) == 1
    parsed = email.message_from_string(mails[0]["raw"], policy=email.policy.default)
    assert parsed["Subject"] == "Ihr Paket Forfait 3 séjours — Le Moulin d'en bas"
    assert parsed["To"] == "jonas@example.com"
    attachment = next(parsed.iter_attachments())
    assert str(attachment.get_filename()).startswith("forfait-") and "3 Aufenthalte" in attachment.get_content()
    code = holdings[0]["code"]
    used = api.post(f"/v1/properties/{OTHER}/package-holdings/consume", headers=headers,
                    json={"code": code, "booking_id": "BK-S1", "units": 1})
    assert used.status_code == 200 and used.json["unit"] == "stay"
    assert api.get(f"/v1/properties/{OTHER}/package-holdings/{code}", headers=headers).json["balance"] == 2
    # demo cannot consume another property's package
    elsewhere = api.post("/v1/properties/demo/package-holdings/consume", headers=two["demo"]["headers"],
                         json={"code": code, "booking_id": "BK-S2", "units": 1})
    assert elsewhere.status_code == 404


def test_a_refunded_package_can_no_longer_be_used_and_a_dispute_is_recorded(api: Any, two: dict[str, Any]
                                                                             ) -> None:
    """Refunds reach the right package (issue 17, item 1): a partial refund is recorded and the package kept (the
    host's goodwill gesture), a full one voids what is left; the charge carries only its PaymentIntent, found
    through the package orders' index; another account's event touches nothing; replays change nothing."""
    headers = two["demo"]["headers"]
    definition = api.post("/v1/admin/properties/demo/packages", headers=headers, json={
        "name": "Forfait 5 nuits", "unit": "night", "units": 5, "price": 40000, "currency": "EUR",
        "validity_months": 12, "purchasable_online": True}).json
    order = api.post("/v1/properties/demo/package-orders", json={
        "package_id": definition["id"], "buyer": {"first_name": "Anna", "last_name": "Peeters",
                                                  "email": "anna@example.com", "language": "nl"}}).json
    issued = post_connect(api, {**event("payment_intent.succeeded", {
        "id": order["payment_intent_id"], "object": "payment_intent", "amount": 40000, "amount_received": 40000,
        "currency": "eur", "metadata": {"property_id": "demo", "order_id": order["order_id"],
                                        "revenir_kind": "package_order"}}, "evt_pr1"),
        "account": two["demo"]["account"]})
    assert issued.json["issued"] is True
    code = api.get(f"/v1/admin/properties/demo/packages/{definition['id']}/holdings",
                   headers=headers).json["holdings"][0]["code"]
    assert api.post("/v1/properties/demo/package-holdings/consume", headers=headers,
                    json={"code": code, "booking_id": "BK-R1", "units": 2}).status_code == 200

    def charge(refunded: int) -> dict[str, Any]:
        return {"id": "ch_pr", "object": "charge", "payment_intent": order["payment_intent_id"], "amount": 40000,
                "amount_refunded": refunded, "refunded": refunded == 40000, "metadata": {}}

    partial = post_connect(api, {**event("charge.refunded", charge(8000), "evt_pr2"),
                                 "account": two["demo"]["account"]})
    assert partial.json["handled"] is True and partial.json["voided"] is False
    assert api.get(f"/v1/properties/demo/package-holdings/{code}", headers=headers).json["balance"] == 3
    elsewhere = post_connect(api, {**event("charge.refunded", charge(40000), "evt_pr3"),
                                   "account": two[OTHER]["account"]})
    assert elsewhere.json["handled"] is False
    assert api.get(f"/v1/properties/demo/package-holdings/{code}", headers=headers).json["balance"] == 3
    for event_id in ("evt_pr4", "evt_pr4", "evt_pr5"):  # a redelivery, then another event of the same refund
        full = post_connect(api, {**event("charge.refunded", charge(40000), event_id),
                                  "account": two["demo"]["account"]})
        assert full.status_code == 200 and full.json["handled"] is True and full.json["voided"] is True
    holding = api.get(f"/v1/properties/demo/package-holdings/{code}", headers=headers).json
    assert holding["balance"] == 0 and holding["status"] == "void"
    refused = api.post("/v1/properties/demo/package-holdings/consume", headers=headers,
                       json={"code": code, "booking_id": "BK-R2", "units": 1})
    assert refused.status_code == 409, refused.json
    ledger = api.get(f"/v1/admin/properties/demo/package-holdings/{code}", headers=headers).json
    assert [(m["kind"], m["units"]) for m in ledger["ledger"]][-1] == ("void", -3)
    dispute = {"id": "dp_pr", "object": "dispute", "payment_intent": order["payment_intent_id"],
               "status": "needs_response", "metadata": {}}
    disputed = post_connect(api, {**event("charge.dispute.created", dispute, "evt_pr6"),
                                  "account": two["demo"]["account"]})
    assert disputed.json["handled"] is True and disputed.json["dispute"] == "needs_response"


def test_a_package_not_sold_online_cannot_be_ordered(api: Any, two: dict[str, Any]) -> None:
    headers = two["demo"]["headers"]
    definition = api.post("/v1/admin/properties/demo/packages", headers=headers, json={
        "name": "Forfait desk", "unit": "night", "units": 2, "price": 20000, "currency": "EUR",
        "validity_months": 6}).json
    refused = api.post("/v1/properties/demo/package-orders", json={
        "package_id": definition["id"], "buyer": {"first_name": "A", "last_name": "B", "email": "a@example.com"}})
    assert refused.status_code == 409 and refused.json["error"]["details"] == [{"field": "body.package_id"}]
    unknown = api.post("/v1/properties/demo/package-orders", json={
        "package_id": "pkg_nope", "buyer": {"first_name": "A", "last_name": "B", "email": "a@example.com"}})
    assert unknown.status_code == 404 and unknown.json["error"]["details"] == [{"field": "body.package_id"}]


def test_a_gift_voucher_pays_part_of_a_pending_payment_and_comes_back_when_removed(
        api: Any, two: dict[str, Any], order: Any) -> None:
    headers = two["demo"]["headers"]
    bought = order()  # two 50 € vouchers, on demo's connected account
    assert post_connect(api, paid(bought, "demo", two["demo"]["account"], "evt_gv1")).json["vouchers"] == 2
    listed = vouchers(api, headers, "demo", two["demo"]["product"])
    code = listed[0]["code"]
    payment = api.put("/v1/properties/demo/pending-payments/B-GV", json=pending_body(amount=8000),
                      headers=headers).json
    link = f"/v1/properties/demo/pending-payments/B-GV/pay/code?t={payment['pay_token']}"
    applied = api.post(link, json={"code": code.lower()})
    assert applied.status_code == 200, applied.json
    assert (applied.json["amount"], applied.json["discount"], applied.json["code"]["kind"]) == (3000, 5000,
                                                                                                "gift_voucher")
    assert intent_amount(payment) == (3000, 90)
    detail = api.get(f"/v1/admin/properties/demo/vouchers/{code}", headers=headers).json
    assert detail["voucher"]["balance"] == 0
    removed = api.delete(link)
    assert removed.status_code == 200 and removed.json["amount"] == 8000
    assert intent_amount(payment) == (8000, 240)
    assert api.get(f"/v1/admin/properties/demo/vouchers/{code}", headers=headers).json["voucher"]["balance"] == 5000
    # a voucher worth more than what is owed pays all but the minimum charge
    small = api.put("/v1/properties/demo/pending-payments/B-GV2", json=pending_body(amount=3000), headers=headers).json
    partly = api.post("/v1/admin/properties/demo/pending-payments/B-GV2/code", json={"code": code}, headers=headers)
    assert partly.status_code == 200 and (partly.json["amount"], partly.json["discount"]) == (50, 2950)
    assert api.get(f"/v1/admin/properties/demo/vouchers/{code}", headers=headers).json["voucher"]["balance"] == 2050
    mistyped = api.post("/v1/admin/properties/demo/pending-payments/B-GV/code",
                        json={"code": code[:-1] + ("A" if code[-1] != "A" else "B")}, headers=headers)
    assert mistyped.status_code == 400 and mistyped.json["error"]["details"] == [{"field": "body.code"}]
    assert small["amount"] == 3000


def test_the_local_payment_element_confirms_a_direct_charge_only_named_with_its_account(
        api: Any, two: dict[str, Any], localstripe: str) -> None:
    """local/stripe_setup.confirm_intent (the Payment Element stand-in's confirm) goes through the Connect stand-in
    with the shop's `stripeAccount`: without it, or with another property's account, the intent is not found."""
    from local import stripe_setup

    order = buy(api, "demo", two["demo"]["product"], 1)
    assert order["stripe_account"] == two["demo"]["account"]
    data = urllib.parse.urlencode({"card[number]": "4242424242424242", "card[exp_month]": "12",
                                   "card[exp_year]": "2030", "card[cvc]": "123"}).encode()
    request = urllib.request.Request(f"{localstripe}/v1/tokens", data=data, method="POST",
                                     headers={"Authorization": "Bearer sk_test_integration"})
    with urllib.request.urlopen(request, timeout=10) as response:
        card = json.load(response)["card"]["id"]
    secret = order["client_secret"]
    assert stripe_setup.confirm_intent(CONNECT.base_url, secret, card, None)[0] == 404
    assert stripe_setup.confirm_intent(CONNECT.base_url, secret, card, two[OTHER]["account"])[0] == 404
    assert stripe_setup.confirm_intent(CONNECT.base_url, secret, card, "acct_<script>")[0] == 400
    status, intent = stripe_setup.confirm_intent(CONNECT.base_url, secret, card, two["demo"]["account"])
    assert status == 200, intent
    assert intent["status"] == "succeeded"
