"""The scan pipeline as ``coinguard scan`` runs it, offline (DNS to a closed loopback port)."""

from __future__ import annotations

from typing import Any

from coinguard.config import Config, parse_config
from coinguard.findings import Verdict
from coinguard.scan import Envelope, ScanContext, scan_message

#: DNS to a closed loopback port (BRIEF): a DKIM lookup fails fast, never leaves the host.
OFFLINE = '[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.2\n'


def offline_config(extra: str = "") -> Config:
    """The offline config plus ``extra`` TOML (whole sections, e.g. ``"[scan]\\ntimeout_s = 2\\n"``)."""
    return parse_config(OFFLINE + extra)


_RULES: dict[str, Any] = {}


def rules() -> Any:
    """The project's YARA rules, compiled once per session (EICAR is found by coinguard_eicar.yar)."""
    if "r" not in _RULES:
        from coinguard.rules import compile_rules

        _RULES["r"] = compile_rules(Config().rules.dirs).rules
    return _RULES["r"]


def scan(raw: bytes, config: Config | None = None) -> Verdict:
    """``coinguard scan``'s pipeline on ``raw`` (same call as scan_cli)."""
    return scan_message(raw, ScanContext(config=config or offline_config(), rules=rules(),
                                         envelope=Envelope(id="hostile.eml")))
