"""`python -m bench`: prints every figure in FIGURES, in order, and exits 1 when a goal is missed.

Each figure marks a missed goal with the words GOAL MISSED on the line that shows it; the runner passes the
output through and counts those lines, so a new figure only has to print its verdict.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import TextIO

from bench import campaign_dispatch, cold_start, cost, dynamodb_calls, local_tables, mail_dispatch, vouchers

# Each figure measures and prints its own table; add new ones here.
FIGURES: list[Callable[[], None]] = [
    cold_start.run,
    dynamodb_calls.run,
    mail_dispatch.run,
    campaign_dispatch.run,
    vouchers.run,
    local_tables.run,
    cost.run,
]


class _Verdicts:
    """Writes through to the real stdout and counts the lines that report a missed goal."""

    def __init__(self, out: TextIO):
        self.out, self.missed, self._line = out, 0, ""

    def write(self, text: str) -> int:
        self._line += text
        *done, self._line = self._line.split("\n")
        self.missed += sum("GOAL MISSED" in line for line in done)
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()


def main() -> int:
    verdicts = _Verdicts(sys.stdout)
    with contextlib.redirect_stdout(verdicts):
        for figure in FIGURES:
            figure()
            print()
    verdicts.missed += "GOAL MISSED" in verdicts._line
    print(f"bench: {verdicts.missed} goal(s) missed" if verdicts.missed else "bench: every goal met")
    return 1 if verdicts.missed else 0


if __name__ == "__main__":
    sys.exit(main())
