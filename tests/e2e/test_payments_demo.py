"""Issue 17 end to end through the local runtime (`python -m local`): two properties connect their own Stripe
accounts (the Connect stand-in in front of localstripe), a package is bought on the second one's account —
paid with a card, localstripe's event relayed to the Connect endpoint with its `account` — issued, e-mailed and
consumed; a pending payment on the first one is discounted through the guest's link and paid the same way."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from local import demo as demo_module
from local import tokens
from tests.e2e.conftest import Runtime

OTHER = "moulin-e2e"


def stand_in_call(base: str, method: str, path: str, form: dict[str, str] | None = None,
                  account: str | None = None) -> dict[str, Any]:
    request = urllib.request.Request(base + path, method=method,
                                     data=urllib.parse.urlencode(form or {}).encode() if method == "POST" else None,
                                     headers={"Authorization": "Bearer sk_test_local",
                                              **({"Stripe-Account": account} if account else {})})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return dict(json.loads(answer.read()))


def onboard(runtime: Runtime, token: str, property_id: str) -> tuple[str, str]:
    """(account id, the stand-in's base URL), onboarding completed by opening the link as the host would."""
    status, started = runtime.call("POST", f"/v1/admin/properties/{property_id}/stripe-account/onboarding", {
        "return_url": "https://admin.example/done", "refresh_url": "https://admin.example/again"}, token=token)
    assert status == 201, started
    link = str(started["url"])
    opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,), {
        "redirect_request": lambda *args: None}))
    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(link, timeout=10)
    assert redirected.value.code == 302
    status, account = runtime.call("GET", f"/v1/admin/properties/{property_id}/stripe-account", token=token)
    assert status == 200 and account["charges_enabled"] is True
    return str(account["account_id"]), link.split("/_connect/")[0]


def pay(base: str, intent_id: str, account: str) -> None:
    """What Stripe.js does with a card, on the connected account: attach a card, confirm."""
    method = stand_in_call(base, "POST", "/v1/payment_methods", {
        "type": "card", "card[number]": "4242424242424242", "card[exp_month]": "12", "card[exp_year]": "2034",
        "card[cvc]": "123"}, account)
    stand_in_call(base, "POST", f"/v1/payment_intents/{intent_id}", {"payment_method": method["id"]}, account)
    confirmed = stand_in_call(base, "POST", f"/v1/payment_intents/{intent_id}/confirm", {}, account)
    assert confirmed["status"] == "succeeded", confirmed


def eventually(check: Callable[[], Any], seconds: float = 30) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


@pytest.mark.e2e
def test_two_accounts_a_package_bought_and_consumed_a_pending_payment_discounted_and_paid(runtime: Runtime) -> None:
    demo_token, other_token = runtime.token, tokens.mint([OTHER])
    status, _ = runtime.call("PUT", f"/v1/admin/properties/{OTHER}",
                             {**demo_module.PROPERTY, "name": "Le Moulin e2e"}, token=other_token)
    assert status in (200, 201)
    demo_account, base = onboard(runtime, demo_token, "demo")
    other_account, _ = onboard(runtime, other_token, OTHER)
    assert demo_account != other_account

    # a package bought online on the second property's account, issued once, e-mailed, consumed
    status, package = runtime.call("POST", f"/v1/admin/properties/{OTHER}/packages", {
        "name": "Forfait 4 nuits", "unit": "night", "units": 4, "price": 32000, "currency": "EUR",
        "validity_months": 12, "purchasable_online": True}, token=other_token)
    assert status == 201, package
    status, order = runtime.call("POST", f"/v1/properties/{OTHER}/package-orders", {
        "package_id": package["id"], "buyer": {"first_name": "Jonas", "last_name": "Becker",
                                               "email": "jonas.e2e@example.com", "language": "de"}})
    assert status == 201 and order["stripe_account"] == other_account and order["application_fee_amount"] == 960
    pay(base, order["payment_intent_id"], other_account)

    def issued() -> list[dict[str, Any]]:
        _, listed = runtime.call("GET", f"/v1/admin/properties/{OTHER}/packages/{package['id']}/holdings",
                                 token=other_token)
        return list(listed["holdings"])
    holdings = eventually(issued)
    assert len(holdings) == 1 and holdings[0]["source"] == "online", holdings
    code = holdings[0]["code"]
    status, used = runtime.call("POST", f"/v1/properties/{OTHER}/package-holdings/consume",
                                {"code": code, "booking_id": "E2E-1", "units": 3}, token=other_token)
    assert status == 200 and used["units"] == 3
    status, left = runtime.call("GET", f"/v1/properties/{OTHER}/package-holdings/{code}", token=other_token)
    assert left["balance"] == 1
    _, outbox = runtime.call("GET", "/_local/outbox.json")
    assert "jonas.e2e@example.com" in json.dumps(outbox)  # the buyer's e-mail, with the printable page

    # a pending payment on demo's account, discounted through the guest's link, then paid
    _, now = runtime.call("GET", "/_local/clock")  # the runtime's day: other e2e tests move its clock forward
    today = date.fromisoformat(now["now"][:10])
    status, _ = runtime.call("POST", "/v1/admin/properties/demo/promo-codes", {
        "name": "E2E dix", "code": "E2EDIX", "discount": {"type": "percent", "percent": 10},
        "valid_from": str(today - timedelta(days=1)), "valid_until": str(today + timedelta(days=60)),
        "max_uses": 5}, token=demo_token)
    assert status == 201
    status, payment = runtime.call("PUT", "/v1/properties/demo/pending-payments/E2E-77", {
        "amount": 30000, "currency": "EUR", "due_date": str(today + timedelta(days=3)),
        "arrival": str(today + timedelta(days=20)), "departure": str(today + timedelta(days=22)),
        "guest_email": "anna.e2e@example.com"}, token=demo_token)
    assert status == 201 and payment["stripe_account"] == demo_account, payment
    link = "/v1/properties/demo/pending-payments/E2E-77/pay"
    status, applied = runtime.call("POST", f"{link}/code?t={payment['pay_token']}", {"code": "e2edix"})
    assert status == 200 and applied["amount"] == 27000, applied
    status, page = runtime.call("GET", f"{link}?t={payment['pay_token']}")
    assert page["payment"]["amount"] == 27000 and page["payment"]["stripe_account"] == demo_account
    pay(base, payment["payment_intent_id"], demo_account)

    def paid() -> bool:
        _, state = runtime.call("GET", "/v1/admin/properties/demo/pending-payments/E2E-77", token=demo_token)
        return bool(state["status"] == "paid")
    assert eventually(paid)
