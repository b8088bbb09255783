"""Fuzz ``scan_message`` on whole messages.  Crash = any exception escaping scan_message.

``COINGUARD_FUZZ_STRICT=1`` also treats a ``scan.analyzer_error`` finding (an analyzer
raised and scan.py caught it) as a crash, to hunt the bugs the pipeline papers over.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from typing import Any

import harness

with harness.instrumented():  # type: ignore[attr-defined]
    from coinguard.config import parse_config
    from coinguard.rules import compile_rules
    from coinguard.scan import ScanContext, scan_message

STRICT = os.environ.get("COINGUARD_FUZZ_STRICT", "") == "1"


@cache
def context() -> Any:
    cfg = parse_config(harness.OFFLINE_TOML + "[scan]\ntimeout_s = 5\n")
    return ScanContext(config=cfg, rules=compile_rules(cfg.rules.dirs).rules)


def check(verdict: Any) -> None:
    if STRICT:
        errors = [f for f in verdict.findings if f.code == "scan.analyzer_error"]
        if errors:
            raise AssertionError(f"analyzer error: {errors[0].analyzer}: {errors[0].detail}")


def TARGET(data: bytes) -> None:
    check(scan_message(data, context()))


def seeds() -> list[bytes]:
    import seeds as s

    return list(s.messages())


if __name__ == "__main__":
    sys.exit(harness.main(TARGET, seeds))
