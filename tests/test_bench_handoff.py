"""bench/bench_handoff.py ``--milter-path``: it drives the daemon's real callbacks to an accepted end of message."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("milter")  # pymilter: the daemon
pytest.importorskip("psutil")  # bench_gateway's

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import bench_handoff  # noqa: E402
from bench_gateway import make_messages  # noqa: E402

from coinguard import daemon  # noqa: E402


def test_milter_path_runs_every_message_through_the_callbacks_to_an_accept(monkeypatch):
    seen: list[int] = []
    eom = daemon.CoinguardMilter.eom

    def counting_eom(self):
        seen.append(self.buf.size if self.buf is not None else -1)
        return eom(self)

    monkeypatch.setattr(daemon.CoinguardMilter, "eom", counting_eom)
    msgs = make_messages("text", 3, unique=True)
    us = bench_handoff.milter_path_us(msgs)
    assert us > 0
    assert len(seen) == 3 + 3  # the warm-up pass (up to 20 of them), then each message once
    assert all(size > 2000 for size in seen)  # the headers and the body arrived in the buffer


def test_milter_path_refuses_to_time_a_path_that_does_not_accept(monkeypatch):
    monkeypatch.setattr(daemon.CoinguardMilter, "_scan",
                        lambda self, gen, env, buf, started: (_ for _ in ()).throw(RuntimeError("boom")))
    with pytest.raises(RuntimeError, match="did not accept"):
        bench_handoff.milter_path_us(make_messages("text", 2, unique=True))
