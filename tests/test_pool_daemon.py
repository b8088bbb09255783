"""The milter in front of a REAL worker pool whose worker dies, hangs or raises in the middle of a scan.

tests/test_pool.py checks the pool alone (a killed worker fails its task, a hung one is killed, the
pool heals) and tests/test_daemon.py the milter alone (a failed scan tempfails, with a fake pool).
Here the two are joined: the message a worker was scanning when it died or hung is tempfailed
(451: the MTA keeps it and tries again, it is never accepted unscanned nor lost), or, with
``fail_mode = "accept"``, delivered tagged ``unchecked``, never clean; and the next message, on the
same connection, is scanned by a healed pool.
"""

from __future__ import annotations

import functools
import io
import os
import signal
import threading
import time
from dataclasses import replace

import Milter
import pytest
from prometheus_client import CollectorRegistry

from coinguard import daemon
from coinguard.metrics import make_metrics
from coinguard.pool import ScanPool
from coinguard.runtime import Generation, Runtime, open_quarantine
from pool_fakes import misbehaving_scan
from test_daemon import MESSAGE, Ctx, config

TEMPFAIL_REPLY = ("451", "4.7.1", "Message could not be scanned, please try again later")


class RealPoolMilter:
    """One milter connection whose scans run in a one-worker ScanPool running ``misbehaving_scan``."""

    def __init__(self, timeout_s: float = 20.0, fail_mode: str = "tempfail") -> None:
        cfg = config(milter={"fail_mode": fail_mode})
        cfg = replace(cfg, scan=replace(cfg.scan, timeout_s=timeout_s, workers=1, recycle_after=0))
        self.pool = ScanPool(cfg, scan_fn=misbehaving_scan)
        self.pool.warm_up()
        self.metrics = make_metrics(CollectorRegistry())
        self.runtime = Runtime(Generation(1, cfg, self.pool), self.metrics, store_factory=open_quarantine)
        self.saved = Milter.factory
        Milter.factory = functools.partial(daemon.CoinguardMilter, self.runtime)
        self.ctx = Ctx()
        self.ctx._setsymval("i", "QID1")
        assert self.ctx._connect(helo="client.test", ip="192.0.2.7") == Milter.CONTINUE

    def feed(self, body: bytes) -> int:
        self.ctx._reply = None
        return self.ctx._feedFile(io.BytesIO(MESSAGE + body), "alice@sender.test", "bob@rcpt.test")

    def verdict_header(self) -> list[str]:
        return [v.strip() for v in self.ctx._msg.get_all("X-Coinguard-Verdict", [])]

    def close(self) -> None:
        Milter.factory = self.saved
        assert self.pool.close(timeout=10)


@pytest.fixture
def milter_pool():
    made: list[RealPoolMilter] = []

    def make(**kw: object) -> RealPoolMilter:
        made.append(RealPoolMilter(**kw))  # type: ignore[arg-type]
        return made[-1]

    yield make
    for m in made:
        m.close()


def _scanned_next(m: RealPoolMilter) -> None:
    assert m.feed(b"an ordinary message\n") == Milter.ACCEPT
    assert m.verdict_header() and m.verdict_header()[0].startswith("clean"), m.verdict_header()


def test_a_worker_that_dies_mid_scan_tempfails_that_message_and_the_next_is_scanned(milter_pool) -> None:
    m = milter_pool()
    assert m.feed(b"CRASH\n") == Milter.TEMPFAIL
    assert m.ctx._reply == TEMPFAIL_REPLY
    _scanned_next(m)


def test_a_worker_killed_from_outside_mid_scan_tempfails_that_message(milter_pool) -> None:
    """SIGKILL (the OOM killer under MemoryMax) while the worker is inside a scan."""
    m = milter_pool()
    (pid,) = m.pool.worker_pids()
    killer = threading.Timer(1.0, os.kill, (pid, signal.SIGKILL))
    killer.start()
    try:
        started = time.monotonic()
        assert m.feed(b"SLOW\n") == Milter.TEMPFAIL
        assert time.monotonic() - started < 15
    finally:
        killer.cancel()
    assert m.ctx._reply == TEMPFAIL_REPLY
    _scanned_next(m)
    assert pid not in m.pool.worker_pids()


def test_a_worker_that_hangs_is_killed_at_the_timeout_and_the_message_tempfailed(milter_pool) -> None:
    m = milter_pool(timeout_s=1.0)
    started = time.monotonic()
    assert m.feed(b"HANG\n") == Milter.TEMPFAIL
    assert time.monotonic() - started < 15
    assert m.ctx._reply == TEMPFAIL_REPLY
    _scanned_next(m)


def test_a_scan_that_raises_tempfails_and_the_worker_serves_on(milter_pool) -> None:
    m = milter_pool()
    (pid,) = m.pool.worker_pids()
    assert m.feed(b"RAISE\n") == Milter.TEMPFAIL
    _scanned_next(m)
    assert m.pool.worker_pids() == [pid]


def test_with_fail_mode_accept_a_dead_worker_is_unchecked_never_clean(milter_pool) -> None:
    m = milter_pool(fail_mode="accept")
    assert m.feed(b"CRASH\n") == Milter.ACCEPT
    assert m.verdict_header() and m.verdict_header()[0].startswith("unchecked"), m.verdict_header()
    _scanned_next(m)
