"""Offline scanning shared by the extortion tests (tests/analyzers/test_extortion*.py)."""

from __future__ import annotations

from functools import cache

from coinguard.config import parse_config
from coinguard.dns import DnsTempError
from coinguard.findings import Verdict
from coinguard.rules import compile_rules
from coinguard.scan import ScanContext, scan_message

OFFLINE = '[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n'


def offline_dns(name: bytes, timeout: float = 5.0) -> bytes | None:
    """Every lookup fails at once (temperror): nothing leaves the machine."""
    raise DnsTempError("offline test")


@cache
def offline_context(rules: bool = False) -> ScanContext:
    """A scan context with DNS offline; ``rules``: with the project's YARA rules compiled."""
    cfg = parse_config(OFFLINE)
    return ScanContext(config=cfg, rules=compile_rules(cfg.rules.dirs).rules if rules else None,
                       dns_resolver=offline_dns)


def scan(raw: bytes, rules: bool = False) -> Verdict:
    return scan_message(raw, offline_context(rules))


def codes(v: Verdict) -> set[str]:
    """The codes of the findings that score."""
    return {f.code for f in v.findings if f.score}
