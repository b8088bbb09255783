"""Fixtures for the reporting tests: the crafted lures of report_helpers, scanned into a DirStore under tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from coinguard.config import Config
from coinguard.findings import Verdict
from coinguard.quarantine import QuarantineStore, open_store
from coinguard.scan import Envelope, ScanContext, scan_message
from report_helpers import MESSAGES, offline_config


@dataclass
class Lab:
    cfg: Config
    store: QuarantineStore
    ids: dict[str, str]
    raws: dict[str, bytes]
    verdicts: dict[str, Verdict]


@pytest.fixture(scope="session")
def rules() -> Any:
    from coinguard.rules import compile_rules

    return compile_rules(Config().rules.dirs).rules


@pytest.fixture
def scan(rules: Any) -> Callable[..., Verdict]:
    def run(raw: bytes, cfg: Config, rcpts: tuple[str, ...] = ()) -> Verdict:
        return scan_message(raw, ScanContext(config=cfg, rules=rules, envelope=Envelope(id="test", rcpts=rcpts)))

    return run


@pytest.fixture
def lab(tmp_path: Path, scan: Callable[..., Verdict]) -> Lab:
    cfg = offline_config(tmp_path)
    store = open_store(cfg.quarantine)
    ids, raws, verdicts = {}, {}, {}
    for name, (raw, rcpt) in MESSAGES.items():
        verdict = scan(raw, cfg, (rcpt,))
        ids[name] = store.put(raw, verdict)
        raws[name], verdicts[name] = raw, verdict
    return Lab(cfg, store, ids, raws, verdicts)
