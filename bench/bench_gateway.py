"""Gateway benchmark (run by hand, as root): messages/s and latency through Postfix + coinguard.

    .venv/bin/python bench/bench_gateway.py [-n 300] [-c 10] [--workers 0] [--kinds text,attach]

Starts a private loopback Postfix (tests/integration/harness.py) with two smtpd listeners:
``none`` (no milter, the baseline) and ``coinguard`` (the real daemon, inet socket), plus an
SMTP sink.  For each message kind and listener it sends N messages from C concurrent
clients (a new SMTP connection per message), and prints accepted msg/s, end-to-end msg/s
(until the sink has them all), p50/p95/p99 latency (connect to the reply after DATA), and
the peak RSS of the daemon and its worker processes.  A C=1 run shows per-message latency
without queueing (a ~40 ms floor would be the Nagle/delayed-ACK stall of lab pitfall 9).
Numbers vary 15-30 % run to run on a shared VM: compare the two rows of one run.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from email.message import EmailMessage
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from integration import harness  # noqa: E402


def make_messages(kind: str, n: int) -> list[bytes]:
    out = []
    filler = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. " * 25)[:2000]
    blob = io.BytesIO()
    with zipfile.ZipFile(blob, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("report.txt", (filler + "\n") * 40)
        z.writestr("data.bin", os.urandom(60_000))
    for i in range(n):
        msg = EmailMessage()
        msg["From"] = "Alice <alice@example.org>"
        msg["To"] = "bob@example.net"
        msg["Subject"] = f"bench {kind} {i}"
        msg["Message-ID"] = f"<bench-{kind}-{i}-{time.monotonic_ns()}@example.org>"
        msg.set_content(filler + "\n")
        if kind == "attach":
            msg.add_attachment(blob.getvalue(), maintype="application", subtype="zip", filename="report.zip")
        out.append(msg.as_bytes())
    return out


class RssSampler:
    """Peak RSS (MiB) of a process tree, sampled every 50 ms."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.peak_total = 0.0
        self.peak_main = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                rss = [p.memory_info().rss for p in procs]
            except psutil.Error:
                rss = []
            if rss:
                self.peak_main = max(self.peak_main, rss[0] / 2**20)
                self.peak_total = max(self.peak_total, sum(rss) / 2**20)
            self._stop.wait(0.05)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_load(port: int, messages: list[bytes], concurrency: int, sink: harness.Sink) -> dict[str, float]:
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    before = sink.count()

    def one(raw: bytes) -> None:
        nonlocal failures
        t0 = time.perf_counter()
        r = harness.send(port, raw)
        dt = time.perf_counter() - t0
        with lock:
            if r.code == 250:
                latencies.append(dt)
            else:
                failures += 1

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as ex:
        list(ex.map(one, messages))
    accepted_s = time.perf_counter() - start
    target = before + len(latencies)
    while sink.count() < target and time.perf_counter() - start < accepted_s + 30:
        time.sleep(0.02)
    e2e_s = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [0.0] * 99
    return {
        "ok": len(latencies), "failed": failures, "delivered": sink.count() - before,
        "accept_rate": len(latencies) / accepted_s, "e2e_rate": (sink.count() - before) / e2e_s,
        "p50": q[49] * 1000, "p95": q[94] * 1000, "p99": q[98] * 1000,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=300, help="messages per run (default 300)")
    ap.add_argument("-c", type=int, default=10, help="concurrent SMTP clients (default 10)")
    ap.add_argument("--workers", type=int, default=0, help="scanner workers (0 = one per core)")
    ap.add_argument("--kinds", default="text,attach", help="message kinds: text (2 KB), attach (2 KB + ~70 KB zip)")
    ap.add_argument("--warmup", type=int, default=30)
    args = ap.parse_args()
    reason = harness.missing_prerequisite()
    if reason:
        print(f"bench_gateway: cannot run: {reason}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="coinguard-bench-"))
    milter_port = harness.free_port()
    cfg = work / "coinguard.toml"
    harness.write_daemon_config(cfg, milter_port, harness.free_port(), quarantine_backend="dir",
                                quarantine_dir=work / "quarantine", workers=args.workers,
                                extra='[logging]\nlevel = "warning"\n')
    daemon = harness.DaemonProcess(cfg, milter_port, work / "daemon.log")
    rows = []
    with harness.gateway({"none": "", "coinguard": f"inet:127.0.0.1:{milter_port}"}) as (sink, pf):
        daemon.start()
        try:
            assert daemon.proc is not None
            for kind in args.kinds.split(","):
                msgs = make_messages(kind, args.n)
                for listener in ("none", "coinguard"):
                    run_load(pf.ports[listener], make_messages(kind, args.warmup), args.c, sink)
                    with RssSampler(daemon.proc.pid) as rss:
                        res = run_load(pf.ports[listener], msgs, args.c, sink)
                        single = run_load(pf.ports[listener], msgs[:30], 1, sink)
                    rows.append((kind, listener, res, single, rss.peak_main, rss.peak_total))
                    print(f"{kind}/{listener}: {res}", file=sys.stderr, flush=True)
        finally:
            rc = daemon.stop()
    size = {k: len(make_messages(k, 1)[0]) for k in args.kinds.split(",")}
    print(f"\nPostfix + coinguard on loopback, N={args.n} C={args.c}, {os.cpu_count()} CPUs, "
          f"workers={args.workers or os.cpu_count()}; daemon exit code {rc}")
    print(f"{'msg':<7} {'milter':<10} {'bytes':>7} {'accept/s':>9} {'e2e/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'p99 ms':>7} {'C=1 p50':>8} {'ok/fail/dlv':>12} {'RSS main/total MiB':>19}")
    for kind, listener, res, single, main_rss, total_rss in rows:
        rss = f"{main_rss:.0f}/{total_rss:.0f}" if listener == "coinguard" else "-"
        print(f"{kind:<7} {listener:<10} {size[kind]:>7} {res['accept_rate']:>9.1f} {res['e2e_rate']:>7.1f} "
              f"{res['p50']:>7.1f} {res['p95']:>7.1f} {res['p99']:>7.1f} {single['p50']:>8.1f} "
              f"{res['ok']:>4}/{res['failed']}/{res['delivered']:<5} {rss:>19}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
