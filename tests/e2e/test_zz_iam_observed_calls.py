"""After the e2e suites ran against the shared runtime: each function's observed AWS calls, against its grants.

Runs last (file name): by then the suites have driven every route they test. Every call a function made was
allowed by its template policy (moto enforced it), none was refused, and the listing shows which grants the
suites exercised.
"""

from __future__ import annotations

import fnmatch

import pytest

from tests.e2e.conftest import Runtime


@pytest.mark.e2e
def test_each_functions_observed_aws_calls_are_within_its_template_grants(runtime: Runtime) -> None:
    for path in ("/v1/admin/properties/demo", "/v1/admin/properties/demo/promo-codes",  # stands alone too
                 "/v1/admin/properties/demo/guests", "/v1/admin/properties/demo/gift-products"):
        assert runtime.call("GET", path, token=runtime.token)[0] == 200, path
    status, report = runtime.call("GET", "/_local/iam")
    assert status == 200
    lines, outside = [], []
    for function, seen in sorted(report.items()):
        assert not seen["denied"], f"{function} was refused {seen['denied']}"
        granted = seen["granted"]
        for action, count in sorted(seen["observed"].items()):
            allowed = granted is None or any(fnmatch.fnmatchcase(action, pattern) for pattern in granted)
            if not allowed:
                outside.append(f"{function}: {action}")
            lines.append(f"{function:<28} {action:<36} {count:>5}  {'granted' if allowed else 'NOT GRANTED'}")
    print("\n".join(lines))
    assert not outside, outside
    assert sum(len(seen["observed"]) for seen in report.values()) >= 4  # the suites really called AWS
    if "StepFunctions" in report:  # after the abandoned-cart suite: the state machine's own grant
        assert report["StepFunctions"]["observed"].get("lambda:Invoke", 0) >= 1
