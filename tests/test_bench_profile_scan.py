"""bench/profile_scan.py ``--cold``: every message scanned once per round, warm and cold, as the real pipeline."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("psutil")  # bench_gateway's

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import profile_scan  # noqa: E402
from bench_gateway import make_messages  # noqa: E402

from coinguard.config import parse_config  # noqa: E402
from coinguard.scan import Envelope, ScanContext  # noqa: E402

#: DNS to the closed loopback port only: nothing leaves the host
CONFIG = '[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.2\ndmarc = false\n'


def test_cold_rounds_scans_every_message_warm_and_cold_in_each_round(monkeypatch):
    scanned: list[bytes] = []
    real = profile_scan.scan_message

    def counting(raw, ctx):
        scanned.append(raw)
        return real(raw, ctx)

    monkeypatch.setattr(profile_scan, "scan_message", counting)
    msgs = [(m, Envelope()) for m in make_messages("text", 2, unique=True)]
    warm, cold = profile_scan.cold_rounds(msgs, [ScanContext(config=parse_config(CONFIG))], rounds=2, flush_mb=1)
    assert warm > 0 and cold > 0
    assert scanned == [m for m, _env in msgs] * 4  # 2 rounds x (warm, cold)
