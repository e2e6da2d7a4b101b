"""voucher.purchased (a paid order issued) and voucher.redeemed reach a subscribed endpoint, signed; a voucher's
usage report and CSV (amount consumed per booking, releases shown) — issue 17, items 4 and 5."""

from __future__ import annotations

from typing import Any

from standardwebhooks import Webhook

from tests.integration.test_webhooks import Receiver, receiver, sources, subscribe, wait_for  # noqa: F401 - fixtures
from tests.integration.vouchers.conftest import succeeded


def test_purchase_and_redemptions_are_delivered_and_usage_is_reported(
        api: Any, admin: dict[str, str], order: Any, post_event: Any, receiver: Receiver,  # noqa: F811
        sources: Any) -> None:  # noqa: F811
    endpoint = subscribe(api, admin, receiver.url("/vouchers"), ["voucher.purchased", "voucher.redeemed"])
    created = order()
    assert post_event(succeeded(created)).status_code == 200
    assert post_event(succeeded(created)).status_code == 200  # Stripe's retry issues nothing twice
    wait_for(lambda: len(receiver.at("/vouchers")) == 1, sources)
    headers, body = receiver.at("/vouchers")[0]
    purchased = Webhook(endpoint["secret"]).verify(body, headers)
    assert purchased["type"] == "voucher.purchased" and purchased["data"]["order_id"] == created["order_id"]
    assert purchased["data"]["total"] == {"amount": created["amount"], "currency": "EUR"}
    code = purchased["data"]["codes"][0]
    assert code.count("-") == 3  # written as the guest reads it (XXXX-XXXX-XXXX-XXXX), as voucher.redeemed does

    for booking, amount in (("B-1", 2000), ("B-2", 1500)):
        response = api.post("/v1/properties/demo/vouchers/redeem", headers=admin,
                            json={"code": code, "booking_id": booking, "amount": amount, "currency": "EUR"})
        assert response.status_code == 201, response.json
    assert api.delete("/v1/properties/demo/vouchers/redemptions/B-2", headers=admin).status_code == 204
    wait_for(lambda: len(receiver.at("/vouchers")) == 3, sources)
    redeemed = sorted(Webhook(endpoint["secret"]).verify(b, h)["data"]["booking_id"]
                      for h, b in receiver.at("/vouchers")[1:])
    assert redeemed == ["B-1", "B-2"]

    usage = api.get(f"/v1/admin/properties/demo/vouchers/{code}/usage", headers=admin).json
    assert sorted((u["booking_id"], u["amount"], u["redeemed"], u["status"]) for u in usage["usages"]) == [
        ("B-1", 2000, 2000, "redeemed"), ("B-2", 0, 1500, "released")]
    assert (usage["bookings"], usage["consumed"], usage["balance"]) == (1, 2000, 3000)
    day = usage["usages"][0]["date"]
    csv = api.get(f"/v1/admin/properties/demo/vouchers/{code}/usage.csv?date_from={day}&date_to={day}",
                  headers=admin).get_data(as_text=True).lstrip("\ufeff").strip().split("\r\n")
    assert csv[0] == "Date;Réservation;Montant utilisé;Devise;Statut"  # the shared writer, the property's French
    assert sorted(csv[1:]) == [f"{day};B-1;20,00;EUR;utilisé", f"{day};B-2;0,00;EUR;rendu"]
    none = api.get(f"/v1/admin/properties/demo/vouchers/{code}/usage?date_to=2000-01-01", headers=admin).json
    assert none["usages"] == [] and none["consumed"] == 0
