"""Smoke test of the cold-start benchmark: one fresh interpreter for the baseline and one handler module."""

from __future__ import annotations

from bench import cold_start


def test_cold_start_ratio_for_one_handler() -> None:
    targets = cold_start.handler_targets()
    assert targets, "template.yaml declares no function"
    handler = next((t for t in targets if t.module == "functions.platform.app"), targets[0])

    base, storing, result = cold_start.measure([cold_start.baseline(), cold_start.fair_baseline(), handler], runs=1,
                                               warmup=False)

    assert base.error is None, base.error
    assert storing.error is None and {"boto3", "pydantic"} <= set(storing.heavy)
    assert result.error is None, result.error
    ratio = cold_start.ratio(result, base)
    assert isinstance(ratio, float)
    assert ratio > 0
    assert result.median_wall_ms > result.median_import_ms > 0
    assert set(result.heavy) <= set(cold_start.HEAVY)
    assert "pydantic" not in result.heavy  # the platform function validates nothing: no pydantic at cold start
    assert any(line.startswith(handler.module) for line in cold_start.report([base, storing, result], runs=1))


def test_campaign_dispatch_drains_at_the_rate_exactly_once() -> None:
    """The campaign bench's drain on a small N: the real consumer code and pacer against the stand-in SES."""
    from bench import campaign_dispatch

    drained = campaign_dispatch._drain(600, 300.0)
    ses = drained["ses"]
    assert (ses.sent, drained["duplicates"], dict(drained["statuses"])) == (600, 0, {"sent": 600})
    assert drained["elapsed"] >= 600 / 300.0 * 0.9  # never faster than the account's rate
    assert drained["elapsed"] <= 600 / 300.0 * 1.5  # and not far behind it (the bench's goal is 1.1 at 100,000)
    assert ses.throttled <= 6
    assert sum(drained["calls"].values()) / 600 < 4  # DynamoDB calls per message
