"""Smoke test of the local-tables benchmark (make bench runs it at full size: 100,000 items preloaded)."""

from __future__ import annotations

from bench import local_tables


def test_the_benchmark_imports_every_kind_of_file_on_a_preloaded_table() -> None:
    results = local_tables.measure(preload=3_000, vouchers=100, reviews=100, cards=200, chunk=50)
    assert len(results["vouchers"]) == 2 and len(results["reviews"]) == 2 and len(results["cards"]) == 4
    assert results["items"] > 3_000 + 100 + 100 + 200
    assert all(t > 0 for key in ("vouchers", "reviews", "cards") for t in results[key])
    assert 0 < results["peak_mb"] < 4096
