"""The cost model: counted calls in, dollars out; more properties cost more, less per property."""

from __future__ import annotations

from collections import Counter

from bench import cost


def test_measured_requests_cost_what_their_calls_cost() -> None:
    counts = cost.measure()
    assert counts["booking upsert (new)"]["dynamodb.TransactWriteItems"] == 1  # one transaction per booking
    assert counts["validate a code"] == Counter({"dynamodb.BatchGetItem": 1})
    assert counts["send one lifecycle e-mail"]["sesv2.SendEmail"] == 1
    assert counts["start a cart"]["sfn.StartExecution"] == 1
    assert set(counts) == set(cost.monthly_operations(cost.Workload(), 10))

    totals = [sum(cost.monthly_cost(counts, n).values()) for n in cost.SIZES]
    assert totals == sorted(totals)
    per_property = [t / n for t, n in zip(totals, cost.SIZES, strict=True)]
    assert per_property == sorted(per_property, reverse=True)  # fixed costs spread out

    # one more DynamoDB call on the hottest path shows in the figure
    heavier = {**counts, "validate a code": counts["validate a code"] + Counter({"dynamodb.GetItem": 1})}
    assert cost.monthly_cost(heavier, 10_000)["DynamoDB"] > cost.monthly_cost(counts, 10_000)["DynamoDB"]
