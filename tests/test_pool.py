from __future__ import annotations

import concurrent.futures
from collections import Counter
from dataclasses import replace

import pytest

from coinguard.config import Config
from coinguard.errors import ScanTimeout
from coinguard.pool import PoolClosed, ScanPool, WorkerCrashed
from coinguard.scan import Envelope
from pool_fakes import echo_scan, misbehaving_scan


def _pool(scan_fn, *, timeout_s: float = 1.0, recycle_after: int = 0, workers: int = 1):
    cfg = Config()
    cfg = replace(cfg, scan=replace(cfg.scan, timeout_s=timeout_s, recycle_after=recycle_after, workers=workers))
    restarts: Counter[str] = Counter()
    pool = ScanPool(cfg, on_restart=lambda reason: restarts.update([reason]), scan_fn=scan_fn)
    return pool, restarts


ENV = Envelope(id="Q1", queue_id="Q1", sender="a@b.test", rcpts=("c@d.test",))


def _detail(verdict) -> str:
    return verdict.findings[0].detail


def test_scan_runs_in_a_worker_process_and_accepts_paths(tmp_path):
    import os

    pool, _ = _pool(echo_scan)
    try:
        pool.warm_up()
        v = pool.submit(b"Subject: x\r\n\r\nbody\r\n", ENV).result(30)
        assert v.id == "Q1" and v.rcpt == ("c@d.test",)
        assert _detail(v).startswith("bytes 20 ")
        assert f"pid={os.getpid()}" not in _detail(v)
        big = tmp_path / "m.eml"
        big.write_bytes(b"x" * 5000)
        assert _detail(pool.submit(str(big), ENV).result(30)).startswith("path 5000 ")
    finally:
        assert pool.close(timeout=10)


def test_hanging_scan_is_killed_counted_and_the_next_task_is_served():
    pool, restarts = _pool(misbehaving_scan, timeout_s=0.5)
    try:
        pool.warm_up()
        with pytest.raises(ScanTimeout):
            pool.submit(b"HANG", ENV).result(30)
        assert restarts["timeout"] == 1
        assert _detail(pool.submit(b"fine", ENV).result(30)).startswith("bytes 4 ")
    finally:
        pool.close(timeout=10)


def test_raising_scan_propagates_and_worker_survives():
    pool, restarts = _pool(misbehaving_scan)
    try:
        fut = pool.submit(b"RAISE", ENV)
        with pytest.raises(RuntimeError, match="scan blew up"):
            fut.result(30)
        assert not restarts
        assert pool.submit(b"ok", ENV).result(30).verdict == "clean"
    finally:
        pool.close(timeout=10)


def test_crashing_worker_is_replaced_and_counted():
    pool, restarts = _pool(misbehaving_scan)
    try:
        with pytest.raises(WorkerCrashed):
            pool.submit(b"CRASH", ENV).result(30)
        assert restarts["crash"] == 1
        assert pool.submit(b"ok", ENV).result(30).verdict == "clean"
    finally:
        pool.close(timeout=10)


def test_workers_are_recycled_after_n_tasks():
    pool, restarts = _pool(echo_scan, recycle_after=2)
    try:
        pids = set()
        for _ in range(4):
            detail = _detail(pool.submit(b"m", ENV).result(30))
            pids.add(detail.rsplit("pid=", 1)[1])
        assert restarts["recycle"] == 2
        assert len(pids) == 2
    finally:
        pool.close(timeout=10)


def test_closed_pool_refuses_work():
    pool, _ = _pool(echo_scan)
    pool.close(timeout=10)
    with pytest.raises(PoolClosed):
        pool.submit(b"m", ENV)


def test_close_drains_queued_work():
    pool, _ = _pool(echo_scan)
    futures = [pool.submit(b"m%d" % i, ENV) for i in range(5)]
    assert pool.close(timeout=30)
    done, _ = concurrent.futures.wait(futures, timeout=0)
    assert len(done) == 5 and all(f.result().verdict == "clean" for f in futures)
