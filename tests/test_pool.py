from __future__ import annotations

import concurrent.futures
import os
import signal
import time
from collections import Counter
from dataclasses import replace

import pytest

from coinguard.config import Config
from coinguard.errors import ScanTimeout
from coinguard.pool import PoolClosed, ScanPool, WorkerCrashed, pack_verdict, unpack_verdict
from coinguard.scan import Envelope
from pool_fakes import echo_scan, import_probe, misbehaving_scan, tmp_scan, warm_probe


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


# --------------------------------------------------------------------------- healing (issue 10 §4)
def _wait(predicate, timeout: float = 20.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _pid(verdict) -> int:
    return int(_detail(verdict).rsplit("pid=", 1)[1])


def _healing_pool(scan_fn, **kw):
    pool, restarts = _pool(scan_fn, **kw)
    rebuilds: Counter[str] = Counter()
    pool._on_rebuild = lambda reason: rebuilds.update([reason])
    return pool, restarts, rebuilds


@pytest.mark.parametrize("workers", [1, 2])
def test_sigkill_of_idle_workers_rebuilds_the_pool_and_the_next_message_is_scanned(workers):
    pool, restarts, rebuilds = _healing_pool(echo_scan, workers=workers)
    try:
        pool.warm_up()
        before = pool.worker_pids()
        assert len(before) == workers
        for pid in before:  # what the OOM killer does under MemoryMax
            os.kill(pid, signal.SIGKILL)
        assert _wait(lambda: rebuilds["broken"] >= 1), "pebble's error state was not noticed"
        verdicts = [pool.submit(b"after the kill %d" % i, ENV).result(30) for i in range(3)]
        assert all(v.verdict == "clean" for v in verdicts)
        assert not {_pid(v) for v in verdicts} & set(before)
        assert rebuilds == Counter(broken=1) and restarts["rebuild"] == workers
        assert set(pool.worker_pids()).isdisjoint(before)
    finally:
        assert pool.close(timeout=10)


def test_message_submitted_right_after_an_idle_kill_is_scanned_not_failed():
    pool, _restarts, rebuilds = _healing_pool(echo_scan)
    try:
        pool.warm_up()
        (pid,) = pool.worker_pids()
        os.kill(pid, signal.SIGKILL)
        # no waiting: the broken pool either refuses it or drops it; both end on the rebuilt pool
        futures = [pool.submit(b"racing %d" % i, ENV) for i in range(4)]
        assert [f.result(30).verdict for f in futures] == ["clean"] * 4
        assert rebuilds["broken"] == 1
    finally:
        assert pool.close(timeout=10)


def test_sigkill_of_a_busy_worker_fails_that_message_and_the_next_is_scanned():
    pool, restarts, rebuilds = _healing_pool(misbehaving_scan, timeout_s=20)
    try:
        pool.warm_up()
        (pid,) = pool.worker_pids()
        busy = pool.submit(b"SLOW", ENV)
        assert _wait(lambda: _busy(pid), 10)
        os.kill(pid, signal.SIGKILL)
        with pytest.raises(WorkerCrashed, match="exit code -9"):
            busy.result(30)
        assert restarts["crash"] == 1
        after = pool.submit(b"next", ENV).result(30)
        assert after.verdict == "clean" and _pid(after) != pid
        assert not rebuilds  # pebble replaced the worker itself; nothing was rebuilt
    finally:
        assert pool.close(timeout=10)


def _busy(pid: int) -> bool:
    """The worker is in the 3 s sleep of a SLOW scan (its state is S and it has used the CPU)."""
    try:
        with open(f"/proc/{pid}/wchan") as f:
            return f.read().strip() in ("hrtimer_nanosleep", "do_nanosleep")
    except OSError:
        return False


def test_a_wedged_pool_is_rebuilt_and_the_queued_message_scanned_again():
    # A worker killed while holding pebble's channel lock wedges the pool: no worker can take a
    # task and pebble's own timeouts stop (they need that lock).  Holding the lock here does the same.
    pool, _restarts, rebuilds = _healing_pool(echo_scan, timeout_s=1.0)
    pool.stall_after_s = 2.0
    try:
        pool.warm_up()
        mutex = pool._pool._pool_manager.worker_manager.workers_channel.mutex
        assert mutex.acquire(block=True, timeout=5)
        started = time.monotonic()
        verdict = pool.submit(b"stuck behind the lock", ENV).result(30)
        assert verdict.verdict == "clean"
        assert rebuilds == Counter(stalled=1)
        assert 2.0 <= time.monotonic() - started < 15
    finally:
        assert pool.close(timeout=10)


def test_canary_passes_on_a_working_pool_and_fails_on_one_that_cannot_scan(tmp_path):
    pool, _ = _pool(echo_scan)
    try:
        assert pool.canary(30)
        assert pool.last_success > 0
        assert pool.healthy(0.001, fresh_s=60)  # a recent success needs no new canary
    finally:
        pool.close(timeout=10)
    broken = tmp_path / "rules.compiled"
    broken.write_bytes(b"not compiled rules")
    cfg = Config()
    bad = ScanPool(replace(cfg, scan=replace(cfg.scan, workers=1)), rules_path=str(broken), scan_fn=echo_scan)
    try:
        assert not bad.canary(30)
        assert not bad.healthy(30, fresh_s=60)
    finally:
        bad.close(timeout=10)


def test_each_worker_has_its_own_temp_folder_and_a_dead_workers_is_emptied():
    pool, _restarts, rebuilds = _healing_pool(tmp_scan)
    try:
        first = pool.submit(b"m", ENV).result(30)
        folder, left_over, _ = first.findings[0].detail.split(" ", 2)
        assert os.path.basename(folder) == f"w{_pid(first)}" and os.path.exists(left_over)
        os.kill(_pid(first), signal.SIGKILL)  # killed mid-work: its temp copy stays behind ...
        assert _wait(lambda: rebuilds["broken"] >= 1)
        second = pool.submit(b"m", ENV).result(30)
        assert not os.path.exists(folder)  # ... until the next worker starts and empties it
        assert second.findings[0].detail.split(" ", 1)[0] != folder
    finally:
        pool.close(timeout=10)


_HEAP_CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
from coinguard.pool import bound_heap
bound = bound_heap() if sys.argv[2] == "1" else None
def rss():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) // 1024
big = b"x" * (4 << 20)
del big  # glibc now serves blocks below 4 MiB from the heap
chunks = [b"x" * (1 << 20) for _ in range(64)]
pin = b"y" * (1 << 20)  # allocated above them: the heap cannot shrink past it
before = rss()
del chunks
print(bound, before - rss())
"""


def test_worker_heap_gives_large_blocks_back() -> None:
    """bound_heap (run in every worker) pins glibc's mmap threshold: 64 MiB of freed 1 MiB blocks go back
    to the system even when something allocated after them is still alive (else the worker keeps them)."""
    import subprocess
    import sys
    from pathlib import Path

    import coinguard

    src = str(Path(coinguard.__file__).resolve().parents[1])
    freed = {}
    for flag in ("0", "1"):
        r = subprocess.run([sys.executable, "-c", _HEAP_CHILD, src, flag], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        bound, mib = r.stdout.split()
        freed[flag] = int(mib)
    if bound != "True":
        pytest.skip("no glibc mallopt")
    assert freed["1"] >= 60 and freed["0"] < 10, freed


_REUSE_CHILD = """
import resource, sys
sys.path.insert(0, sys.argv[1])
from coinguard.pool import bound_heap
bound = bound_heap()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
block = b"x" * (400 << 10)
# what the worker allocated since, above it (so that the heap is not trimmed under it; malloc'd, not pymalloc)
pins = [b"p" * 2000 + bytes([i % 256]) for i in range(400)]
del block
before = faults()
for _ in range(100):  # a message's bytes, allocated and freed per message
    block = b"x" * (400 << 10)
    del block
print(bound, faults() - before)
"""


def test_a_worker_reuses_its_heap_for_blocks_below_a_mebibyte() -> None:
    """Blocks a message of a few hundred KB allocates (its bytes, a decoded attachment) come from the heap and
    are reused by the next message, not mapped afresh and faulted in page by page each time (MMAP_THRESHOLD)."""
    import subprocess
    import sys
    from pathlib import Path

    import coinguard

    src = str(Path(coinguard.__file__).resolve().parents[1])
    r = subprocess.run([sys.executable, "-c", _REUSE_CHILD, src], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    bound, faults = r.stdout.split()
    if bound != "True":
        pytest.skip("no glibc mallopt")
    assert int(faults) < 50, faults  # 100 blocks of 100 pages each when every block is a fresh mapping


_ARENA_CHILD = """
import ctypes, sys, threading
sys.path.insert(0, sys.argv[1])
from coinguard.pool import cap_arenas
capped = cap_arenas() if sys.argv[2] == "1" else None
barrier = threading.Barrier(12)
def work():
    barrier.wait()  # all at once: contention is what makes glibc open another arena
    keep = [bytes(200) * 3 for _ in range(20000)]
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(12)]
for t in threads: t.start()
for t in threads: t.join()
ctypes.CDLL(None).malloc_stats()  # one "Arena N:" block per arena, on stderr
print(capped)
"""


def test_the_daemon_caps_its_malloc_arenas() -> None:
    """cap_arenas (run by the daemon before libmilter's connection threads) keeps glibc from giving
    every busy thread an arena of its own that holds on to freed memory (bench_soak's RSS creep)."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    import coinguard

    src = str(Path(coinguard.__file__).resolve().parents[1])
    arenas = {}
    for flag in ("0", "1"):
        r = subprocess.run([sys.executable, "-c", _ARENA_CHILD, src, flag], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        arenas[flag] = len(re.findall(r"^Arena \d+:", r.stderr, re.M))
        capped = r.stdout.strip()
    if capped != "True":
        pytest.skip("no glibc mallopt")
    assert 1 <= arenas["1"] <= 2 < arenas["0"], arenas


def test_what_a_worker_sends_back_is_compact() -> None:
    """Issue 13 §4: the verdict a worker returns carries no message bytes: a message with a 2 MB attachment
    comes back as a few hundred bytes of pickle (the daemon unpickles it in ~20-30 µs)."""
    import pickle

    from coinguard.config import DkimConfig
    from coinguard.scan import ScanContext, scan_message

    from helpers import make_message

    raw = make_message(attachments=[("blob.bin", os.urandom(2 << 20))])
    cfg = Config(dkim=DkimConfig(enabled=False))
    verdict = scan_message(raw, ScanContext(config=cfg))
    assert verdict.attachments and verdict.attachments[0].size == 2 << 20
    packed = pickle.dumps((pack_verdict(verdict), False))
    assert len(packed) < min(4096, len(pickle.dumps((verdict, False))))
    assert unpack_verdict(pickle.loads(packed)[0]) == verdict


def test_a_packed_verdict_comes_back_equal_field_by_field() -> None:
    """What the worker sends back (pack_verdict) is rebuilt into the same verdict: every field, the enums and
    the findings' and attachments' own classes, a detail as it was sanitized in the worker."""
    import pickle

    from coinguard.findings import Action, AttachmentInfo, Finding, Verdict, VerdictKind

    findings = (Finding("office.vba.autoexec", "olevba", "a.docm", "AutoOpen\x07 runs", score=8.0,
                        strength="conclusive"),
                Finding("dkim.none", "dkim_auth", "", "no DKIM-Signature header", score=0.0, cached=True),
                Finding("text.lure", "lures", "body", "", score=None))
    v = Verdict(id="Q9", verdict=VerdictKind.MALICIOUS, action=Action.QUARANTINE, score=11.5, crypto_theme=2.0,
                findings=findings, attachments=(AttachmentInfo("a.docm", "ole", 4096, "ab" * 32),),
                message_id="<m@x>", sender="", rcpt=("c@d.test", "e@f.test"), subject="Ünïcode", elapsed_ms=12,
                errors=("olevba: boom",), reason="", dry_run=True,
                headers=(("Authentication-Results", "vm; dkim=none"),), cache_counts=(("hit", 2), ("miss", 1)),
                basis="conclusive: office.vba.autoexec", indicators={"urls": ["https://x.test/"], "n": 1})
    back = unpack_verdict(pickle.loads(pickle.dumps(pack_verdict(v))))
    assert back == v and back.to_json() == v.to_json()
    assert type(back.verdict) is VerdictKind and type(back.action) is Action
    assert all(type(f) is Finding for f in back.findings) and type(back.attachments[0]) is AttachmentInfo
    assert back.findings[0].detail == findings[0].detail and back.codes == v.codes
    assert unpack_verdict(pack_verdict(Verdict(id="", verdict=VerdictKind.CLEAN, action=Action.ACCEPT,
                                               score=0.0))).findings == ()


def test_a_frozen_class_without_slots_is_rebuilt_by_name() -> None:
    """unpack_verdict sets fields through their slots' setters; a frozen dataclass without slots falls back to
    object.__setattr__ by name (the same values, __init__ not run again)."""
    import dataclasses

    from coinguard import pool

    @dataclasses.dataclass(frozen=True)
    class Plain:
        a: int
        b: str = ""

    obj = pool._rebuilt(Plain, pool._setters(Plain, ("a", "b")), (1, "x"))
    assert obj == Plain(1, "x")
    with pytest.raises(ValueError):
        pool._rebuilt(Plain, pool._setters(Plain, ("a", "b")), (1,))


def test_an_unreadable_verdict_fails_the_message_not_the_pool() -> None:
    """A worker answer that cannot be rebuilt into a verdict resolves the message with WorkerCrashed (its fail
    mode, never a message left waiting), and the pool goes on scanning."""
    pool, _ = _pool(echo_scan)
    try:
        from unittest import mock

        with mock.patch("coinguard.pool.unpack_verdict", side_effect=ValueError("garbled")), \
                pytest.raises(WorkerCrashed, match="unreadable verdict"):
            pool.submit(b"Subject: x\r\n\r\nhi\r\n", ENV).result(30)
        assert pool.submit(b"Subject: x\r\n\r\nhi\r\n", ENV).result(30).id == "Q1"
    finally:
        pool.close(10)


def test_workers_fork_from_a_warm_fork_server() -> None:
    """The fork server ran one warm-up scan (coinguard.pool_warm): a worker's first message finds the public
    suffix lists (coinguard.domains' and the report indicators' own), the cache's code version and the lure path's
    tables (the warm-up's crypto lure: the extortion vocabularies' gate) built, not built again per worker start
    and recycle."""
    pool, _ = _pool(warm_probe)
    try:
        built = _detail(pool.submit(b"Subject: x\r\n\r\nhi\r\n", ENV).result(60))
        assert built == "psl=1 code_version=1 report_psl=1 lure_gate=1"
    finally:
        pool.close(10)


def test_a_worker_starts_on_what_the_fork_server_imported(tmp_path) -> None:
    """Issue 13 §4: pebble's worker loop, the channel's semaphores, the compiled rules' loader and the rest of a
    worker's start are imported once in the fork server (pool.PRELOAD), not again by every new or recycled
    worker (~16 ms CPU each): a worker with compiled rules to load imports none of them itself."""
    from coinguard.rules import compile_rules, save_compiled

    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "one.yar").write_text('rule one { strings: $a = "coinguard-probe" condition: $a }\n')
    compiled = save_compiled(compile_rules([str(tmp_path / "r")]), str(tmp_path / "cache"))
    cfg = Config()
    pool = ScanPool(replace(cfg, scan=replace(cfg.scan, workers=1, recycle_after=1)), rules_path=compiled,
                    scan_fn=import_probe)
    try:
        pool.warm_up()
        for _ in range(2):  # the first worker, and the one that replaced it after one message
            assert _detail(pool.submit(b"Subject: x\r\n\r\nhi\r\n", ENV).result(60)) == ""
    finally:
        pool.close(10)


def test_the_fork_server_warm_up_sends_nothing_off_the_host_and_leaves_no_thread() -> None:
    """Run as the fork server runs it (a fresh interpreter): it succeeds, starts no thread that the forks
    would lose, and asks DNS (if at all) only the closed loopback port."""
    import subprocess
    import sys
    from pathlib import Path

    import coinguard

    src = str(Path(coinguard.__file__).resolve().parents[1])
    code = ("import sys, socket, threading\n"
            "sys.path.insert(0, sys.argv[1])\n"
            "sent = []\n"
            "real = socket.socket.sendto\n"
            "def spy(self, data, *args):\n"
            "    sent.append(args[-1])\n"
            "    return real(self, data, *args)\n"
            "socket.socket.sendto = spy\n"
            "from coinguard.pool import PRELOAD\n"
            "for name in PRELOAD:\n"  # as the fork server imports them, the warm-up module last
            "    __import__(name)\n"
            "import coinguard.pool_warm as w\n"
            "print(w.WARM, threading.active_count(), sorted({a[0] for a in sent}), sorted({a[1] for a in sent}))\n")
    r = subprocess.run([sys.executable, "-c", code, src], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    warm, threads, hosts, ports = r.stdout.split(" ", 3)
    assert (warm, threads) == ("True", "1")
    assert hosts in ("[]", "['127.0.0.1']") and ports.strip() in ("[]", "[9]"), r.stdout
