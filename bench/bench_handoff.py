#!/usr/bin/env python3
"""The daemon's side of the hand-off: CPU of the daemon process per message through the real pool.

    PYTHONPATH=$PWD/milter /work/main/.venv/bin/python bench/bench_handoff.py [-n 400] [-c 8] [--workers 2]
        [--kinds text,binary,zip,large] [--unique] [--scan real|echo|timed] [--recycle-after N] [--cache off]
        [--milter-path]

A real :class:`coinguard.pool.ScanPool` (forkserver workers, compiled rules, the real
``scan_message``) is fed the bench_gateway message kinds (``text`` 2 KB, ``binary`` a 100 KB
attachment, ``zip`` a 60 KB zip) plus a ``large`` 3 MB attachment, from ``-c`` threads at once, the
way libmilter's connection threads call ``submit``: each message is a MessageBuffer filled as the
milter fills it, handed over with ``payload()`` (bytes, or a file path past the spool threshold).
Printed per kind: the CPU time of *this* process only (pebble's threads pickling the task and
unpickling the verdict, our own supervisor; the workers' scanning is not in it) per message; the CPU
of the workers (and the fork server, and what it reaped) per message next to the same scan run in this
process (``scan ms``: their difference is the workers' share of the hand-off, worker starts included);
the pickled size of the task argument and of what the worker sends back, and the verdicts seen.
``--scan echo`` runs tests/pool_fakes.echo_scan instead of the scan (the hand-off's floor); ``--scan
timed`` the real scan, and prints the workers' CPU in ``scan_message`` and in the rest of the worker
(pebble's loop: receiving, acknowledging, sending back) per message; ``--unique``: every body and
attachment differs, as bench_gateway sends them (the workers' verdict cache then serves nothing);
``--recycle-after N`` replaces each worker after N messages (its difference to 0, times N, is the CPU
of one worker start).
``--milter-path`` measures instead, per kind, the daemon's own Python per message without the pool:
the CoinguardMilter callbacks as libmilter calls them (envelope, every header, the body in 64 KiB
chunks), end of message with a pool that answers at once (a packed and unpacked clean verdict of four
findings), the actions, the metrics and the log line (built, written to /dev/null): what the daemon
spends beyond libmilter, pymilter's C side and the hand-off.
No Postfix, no network: DNS goes to bench_gateway's loopback NXDOMAIN server, in a child process of
its own (its CPU is not the daemon's), so a scan does not wait out DNS timeouts (the pool's threads
poll: CPU per message only means something when messages keep coming).
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "tests"))

from bench_gateway import make_messages  # noqa: E402

from coinguard import pool as scanpool  # noqa: E402
from coinguard.buffer import MessageBuffer  # noqa: E402
from coinguard.config import parse_config  # noqa: E402
from coinguard.findings import Action, Finding, Verdict, VerdictKind  # noqa: E402
from coinguard.rules import compile_rules  # noqa: E402
from coinguard.scan import Envelope, ScanContext, scan_message  # noqa: E402

CONFIG = '[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = {port}\ndns_timeout_s = 0.5\n'

_DNS_CHILD = """
import sys, time
sys.path.insert(0, sys.argv[1])
from bench_gateway import NxdomainDns
dns = NxdomainDns()
print(dns.port, flush=True)
sys.stdin.read()
"""


def large_messages(n: int) -> list[bytes]:
    """``n`` messages with the same 3 MB random attachment (tests/helpers.make_message)."""
    from helpers import make_message

    blob = os.urandom(3 << 20)
    return [make_message(subject=f"bench large {i}", attachments=[("data.bin", blob)]) for i in range(n)]


def buffered(raw: bytes, threshold: int) -> MessageBuffer:
    """``raw`` in a MessageBuffer as the milter fills it: headers one by one, the body in 64 KiB chunks."""
    head, body = raw.split(b"\n\n", 1) if b"\r\n\r\n" not in raw else raw.split(b"\r\n\r\n", 1)
    buf = MessageBuffer(threshold)
    buf.leading_space = True
    for line in head.replace(b"\r\n", b"\n").split(b"\n"):
        name, _, value = line.partition(b":")
        buf.add_header(name.decode(), value)
    for i in range(0, len(body), 65536):
        buf.add_body(body[i : i + 65536])
    return buf


#: this worker's CPU since its counters were last read: in scan_message, in all, messages (``--scan timed``)
_SPLIT: dict[str, float] = {"scan": 0.0, "since": -1.0, "n": 0}
STATS_ID = "bench-stats"


def timed_scan(raw: bytes | str, ctx: ScanContext) -> Verdict:
    """``--scan timed``: the real ``scan_message`` in the worker, its thread CPU counted apart from the rest
    of the worker's (pebble's loop: receiving and acknowledging the task, sending the verdict back; the task
    wrapper).  A message with the queue id ``bench-stats`` returns the counts in its one finding and resets
    them: ``pid messages scan_s process_s``."""
    if _SPLIT["since"] < 0:
        _SPLIT["since"] = time.process_time()
    if ctx.envelope.queue_id == STATS_ID:
        now = time.process_time()
        detail = f"{os.getpid()} {_SPLIT['n']:g} {_SPLIT['scan']} {now - _SPLIT['since']}"
        _SPLIT.update(scan=0.0, since=now, n=0)
        return Verdict(id=STATS_ID, verdict=VerdictKind.CLEAN, action=Action.ACCEPT, score=0.0,
                       findings=(Finding("bench.split", "bench", "", detail, score=0.0),))
    t0 = time.thread_time()
    try:
        return scan_message(raw, ctx)
    finally:
        _SPLIT["scan"] += time.thread_time() - t0
        _SPLIT["n"] += 1


def worker_split(p: scanpool.ScanPool, workers: int) -> tuple[float, float]:
    """(ms in scan_message, ms elsewhere in the worker) per message over every worker, from timed_scan."""
    seen: dict[str, tuple[float, float, float]] = {}
    for _ in range(50 * workers):
        v = p.submit(b"Subject: stats\r\n\r\n.\r\n", Envelope(id=STATS_ID, queue_id=STATS_ID)).result(60)
        pid, n, scan_s, all_s = v.findings[0].detail.split()
        seen.setdefault(pid, (float(n), float(scan_s), float(all_s)))
        if len(seen) == workers:
            break
    n = sum(x[0] for x in seen.values()) or 1
    scan_s = sum(x[1] for x in seen.values())
    return scan_s * 1000 / n, (sum(x[2] for x in seen.values()) - scan_s) * 1000 / n


def run_kind(p: scanpool.ScanPool, messages: list[bytes], clients: int, threshold: int) -> dict[str, object]:
    verdicts: dict[str, int] = {}

    def one(i_raw: tuple[int, bytes]) -> str:
        i, raw = i_raw
        with buffered(raw, threshold) as buf:
            v = p.submit(buf.payload(), Envelope(id=f"q{i}", queue_id=f"q{i}", sender="alice@example.org",
                                                 rcpts=("bob@example.net",))).result(120)
        return str(v.verdict)

    list(map(one, enumerate(messages[:5])))  # warm: every worker has seen this kind
    cpu0, t0, kids0 = time.process_time(), time.monotonic(), children_cpu_s()
    with ThreadPoolExecutor(clients) as ex:
        for v in ex.map(one, enumerate(messages)):
            verdicts[v] = verdicts.get(v, 0) + 1
    cpu, wall, kids = time.process_time() - cpu0, time.monotonic() - t0, children_cpu_s() - kids0
    return {"cpu_ms": cpu * 1000 / len(messages), "msg_s": len(messages) / wall, "verdicts": verdicts,
            "workers_ms": kids * 1000 / len(messages)}


def children_cpu_s() -> float:
    """CPU seconds of this process's descendants (the fork server, the workers and what they reaped),
    without the DNS child (``_DNS_PID``)."""
    from bench_gateway import tree_cpu_s

    return tree_cpu_s(os.getpid()) - tree_cpu_s(_DNS_PID[0]) - sum(os.times()[:2])


_DNS_PID = [0]


def in_process_scan_ms(messages: list[bytes], cfg: object, ctx: ScanContext) -> float:
    """CPU ms per message of ``scan_message`` in this process (no pool, no verdict cache): what a worker
    spends on the scan itself, so that workers ms/msg minus this is the workers' share of the hand-off."""
    import dataclasses

    env = Envelope(id="q", queue_id="q", sender="alice@example.org", rcpts=("bob@example.net",))
    ctx = dataclasses.replace(ctx, envelope=env)
    scan_message(messages[0], ctx)
    cpu0 = time.process_time()
    for raw in messages:
        scan_message(raw, ctx)
    return (time.process_time() - cpu0) * 1000 / len(messages)


def milter_path_us(messages: list[bytes]) -> float:
    """CPU microseconds per message of the daemon's own Python path (``--milter-path``, see the docstring)."""
    import concurrent.futures
    import logging

    import Milter
    from milter_client import split_message
    from prometheus_client import CollectorRegistry

    from coinguard import daemon
    from coinguard.config import Config
    from coinguard.metrics import make_metrics
    from coinguard.runtime import Generation, Runtime, open_quarantine

    cfg = Config()
    packed = scanpool.pack_verdict(Verdict(
        id="q", verdict=VerdictKind.CLEAN, action=Action.ACCEPT, score=0.0,
        findings=tuple(Finding(f"bench.f{i}", "bench", "", "detail", score=0.0) for i in range(4))))

    class InstantPool:
        def submit(self, raw: bytes | str, envelope: Envelope) -> concurrent.futures.Future[Verdict]:
            fut: concurrent.futures.Future[Verdict] = concurrent.futures.Future()
            fut.set_result(scanpool.unpack_verdict(packed))
            return fut

        def close(self, timeout: float | None = None) -> bool:
            return True

    class Ctx:  # the libmilter context: what the callbacks and the actions call on it
        def getsymval(self, name: str) -> str | None:
            return "BENCHQID" if name == "i" else None

        def setpriv(self, priv: object) -> None: ...
        def addheader(self, *args: object) -> None: ...
        def chgheader(self, *args: object) -> None: ...
        def setreply(self, *args: object) -> None: ...
        def progress(self) -> None: ...

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    sink = logging.FileHandler(os.devnull)
    root.handlers[:] = [sink]
    root.setLevel(logging.INFO)  # the log line is built and formatted, as in the daemon
    try:
        rt = Runtime(Generation(1, cfg, InstantPool()), make_metrics(CollectorRegistry()),  # type: ignore[arg-type]
                     store_factory=open_quarantine)
        m = daemon.CoinguardMilter(rt)
        m._setctx(Ctx())
        m._protocol = (Milter.P_HDR_LEADSPC | Milter.P_NR_CONN | Milter.P_NR_HELO | Milter.P_NR_MAIL
                       | Milter.P_NR_RCPT | Milter.P_NR_DATA | Milter.P_NR_HDR | Milter.P_NR_BODY)
        m._actions = Milter.CURR_ACTS
        m.connect("client.test", 2, ("192.0.2.7", 25))
        m.hello("client.test")
        split = [split_message(raw) for raw in messages]

        def one(headers: list[tuple[bytes, bytes]], body: bytes) -> None:
            m.envfrom_bytes(b"<alice@example.org>")
            m.envrcpt_bytes(b"<bob@example.net>")
            m.data()
            for name, value in headers:
                m.header_bytes(name.decode("latin-1"), value)
            for i in range(0, len(body), 65536):
                m.body(body[i : i + 65536])
            if m.eom() != Milter.ACCEPT:  # a figure for a path that failed (tempfail) would be no figure
                raise RuntimeError("the milter did not accept a clean verdict: see its log")

        for headers, body in split[:20]:
            one(headers, body)
        cpu0 = time.process_time()
        for headers, body in split:
            one(headers, body)
        return (time.process_time() - cpu0) * 1e6 / len(split)
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        sink.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=400, help="messages per kind (default 400; large: n/10)")
    ap.add_argument("-c", type=int, default=8, help="concurrent submitting threads (default 8)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--kinds", default="text,binary,zip,large")
    ap.add_argument("--scan", choices=("real", "echo", "timed"), default="real",
                    help="what the workers run: the real scan_message, or tests/pool_fakes.echo_scan (reads the "
                    "message, returns a one-finding verdict: the hand-off's floor), or (timed) the real scan with "
                    "the workers' CPU split into scan_message and the rest (no warm-up scan per worker start)")
    ap.add_argument("--unique", action="store_true",
                    help="every body and attachment unique (as bench_gateway sends them): no verdict cache hit; "
                    "default: one campaign per kind, only the headers differ")
    ap.add_argument("--recycle-after", type=int, default=-1,
                    help="scan.recycle_after for the workers (default: the configuration's; 0 = never)")
    ap.add_argument("--cache", choices=("memory", "off"), default="memory",
                    help="the workers' verdict cache (default memory, the daemon's default; off: none)")
    ap.add_argument("--milter-path", action="store_true",
                    help="no pool: CPU microseconds per message of the daemon's own Python (callbacks, end of "
                    "message with a pool that answers at once, actions, metrics, log line)")
    args = ap.parse_args()
    if args.milter_path:
        for kind in args.kinds.split(","):
            msgs = (large_messages(max(10, args.n // 10)) if kind == "large"
                    else make_messages(kind, args.n, args.unique))
            us = statistics.median(milter_path_us(msgs) for _ in range(3))
            print(f"{kind:<8} {len(msgs[0]):>9} bytes: daemon Python path {us:.1f} us/msg (median of 3)", flush=True)
        return 0
    import subprocess

    dns = subprocess.Popen([sys.executable, "-c", _DNS_CHILD, str(REPO / "bench")], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, text=True)
    assert dns.stdout is not None and dns.stdin is not None
    _DNS_PID[0] = dns.pid
    try:
        recycle = f"[scan]\nrecycle_after = {args.recycle_after}\n" if args.recycle_after >= 0 else ""
        cache = f'[cache]\nbackend = "{args.cache}"\n'
        cfg = parse_config(CONFIG.format(port=int(dns.stdout.readline())) + recycle + cache)
        return _bench(args, cfg)
    finally:
        dns.stdin.close()
        dns.wait(10)


def _bench(args: argparse.Namespace, cfg: object) -> int:
    from coinguard.config import Config

    assert isinstance(cfg, Config)
    threshold = cfg.milter.spool_threshold_bytes
    with tempfile.TemporaryDirectory(prefix="coinguard-bench-") as tmp:
        rules_path = os.path.join(tmp, "rules.yarc")
        compile_rules(cfg.rules.dirs).rules.save(filepath=rules_path)
        scanpool.prestart()
        from pool_fakes import echo_scan

        fn = {"echo": echo_scan, "timed": timed_scan}.get(args.scan)
        p = scanpool.ScanPool(cfg, rules_path=rules_path, workers=args.workers, scan_fn=fn)
        p.warm_up()
        ctx = ScanContext(config=cfg, rules=compile_rules(cfg.rules.dirs).rules)
        print(f"{'kind':<8} {'bytes':>9} {'daemon CPU ms/msg':>18} {'workers ms/msg':>15} {'scan ms':>8} {'msg/s':>7} "
              f"{'task pickle':>12} {'result pickle':>14}  verdicts")
        try:
            for kind in args.kinds.split(","):
                msgs = (large_messages(max(10, args.n // 10)) if kind == "large"
                        else make_messages(kind, args.n, args.unique))
                with buffered(msgs[0], threshold) as buf:
                    task = len(pickle.dumps((buf.payload(), Envelope(id="q", queue_id="q"))))
                result = len(pickle.dumps((scanpool.pack_verdict(scan_message(msgs[0], ctx)), False)))  # _worker_scan's
                scan_ms = in_process_scan_ms(msgs[: max(20, args.n // 8)], cfg, ctx)
                runs = [run_kind(p, msgs, args.c, threshold) for _ in range(3)]
                cpu = statistics.median(float(r["cpu_ms"]) for r in runs)  # type: ignore[arg-type]
                rate = statistics.median(float(r["msg_s"]) for r in runs)  # type: ignore[arg-type]
                kids = statistics.median(float(r["workers_ms"]) for r in runs)  # type: ignore[arg-type]
                print(f"{kind:<8} {len(msgs[0]):>9} {cpu:>18.2f} {kids:>15.2f} {scan_ms:>8.2f} {rate:>7.1f} "
                      f"{task:>12} {result:>14}  {runs[-1]['verdicts']}", flush=True)
                if args.scan == "timed":
                    in_scan, rest = worker_split(p, args.workers)
                    print(f"{'':<8} workers: {in_scan:.3f} ms/msg in scan_message, {rest:.3f} ms/msg in the rest of "
                          "the worker (pebble's loop, the task wrapper)", flush=True)
        finally:
            p.close(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
