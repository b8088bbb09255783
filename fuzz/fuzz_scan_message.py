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
    from coinguard.dns import DnsTempError
    from coinguard.rules import compile_rules
    from coinguard.scan import ScanContext, scan_message

STRICT = os.environ.get("COINGUARD_FUZZ_STRICT", "") == "1"


def offline_dns(name: bytes, timeout: float = 0.0) -> bytes:
    """The injected DNS of every fuzzed scan: a temperror at once, as with the resolver down.

    Even the closed loopback port costs each message a 0.2 s wait plus dnspython's 0.1 s retry
    back-off (DMARC's TXT lookup), 90 % of a scan: with it, fuzz_attachment ran 3 inputs a second.
    """
    raise DnsTempError("offline fuzz run")


@cache
def context() -> Any:
    cfg = parse_config(harness.OFFLINE_TOML + "[scan]\ntimeout_s = 5\n")
    return ScanContext(config=cfg, rules=compile_rules(cfg.rules.dirs).rules, dns_resolver=offline_dns)


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
