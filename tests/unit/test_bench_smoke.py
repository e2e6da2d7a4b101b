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
