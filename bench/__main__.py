"""`python -m bench`: prints every figure in FIGURES, in order. A report: exits 0 even when a goal is missed."""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench import cold_start, cost, dynamodb_calls, local_tables, mail_dispatch, vouchers

# Each figure measures and prints its own table; add new ones here.
FIGURES: list[Callable[[], None]] = [
    cold_start.run,
    dynamodb_calls.run,
    mail_dispatch.run,
    vouchers.run,
    local_tables.run,
    cost.run,
]


def main() -> int:
    for figure in FIGURES:
        figure()
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
