"""Gateway benchmark: Postfix on loopback with no milter, a do-nothing pymilter, rspamd and coinguard.

Run by hand, as root (Postfix's master must start as root), from the repository root:

    PYTHONPATH=milter /work/main/.venv/bin/python bench/bench_gateway.py [-n 500] [-c 20] [--reps 3]
        [--kinds text,binary,zip] [--peers none,donothing,rspamd,coinguard] [--workers 0]

Needs the ``postfix`` package (smtp-sink comes with it), aiosmtpd and psutil in the venv, and for the
rspamd peer Debian's ``rspamd`` (``make install-bench``, or
``apt-get install -y --no-install-recommends rspamd``).

One private Postfix (tests/integration/harness.py, its own folder, loopback only) gets one smtpd
listener per peer, all relaying to one Postfix ``smtp-sink`` that counts and discards:

- ``none``: no milter (Postfix's own ceiling on this machine);
- ``donothing``: bench/donothing_milter.py, a pymilter that takes every stage and accepts;
- ``rspamd``: Debian's rspamd, its proxy worker in milter mode with ``self_scan = yes`` (two
  processes, like coinguard's two workers), no Redis, no fuzzy servers, DNS pointed at the closed
  loopback port 9 (``--rspamd-dns nxdomain``: a loopback server here that answers NXDOMAIN at once),
  every listener on 127.0.0.1 (``--rspamd-unix``: the milter on a unix socket), its own
  config/run/db folder; started and stopped here;
- ``coinguard``: ``coinguard run`` from this checkout (``milter/``, whatever the venv has installed)
  with the repository's rules and a dir quarantine; ``coinguard-base`` the same from another source
  tree (``--base-src``, e.g. an older commit's ``git archive``), for before/after in one run.

For every message kind (``text`` 2 KB, ``binary`` a 100 KB random attachment, ``zip`` a 60 KB zip
of text and random data, an 82 KB message; ``invoice`` the copies of bench_shared_state.py's 366 KB
invoice campaign, tests/campaigns.py, always a campaign, quarantined by coinguard; every message's
body and attachment unique, so no verdict cache serves a copy, or with ``--campaign`` one body and
attachment per run, only the headers differing) and repetition, the peers run interleaved (every other
repetition in reverse order): N messages from C concurrent SMTP clients, a new connection each.
Per run: accepted msg/s (the client's view), end-to-end msg/s (until the sink has every message),
p50/p99 latency (connect to the reply after DATA), CPU milliseconds per message of *every* process
of the filter (found by process tree with psutil, so coinguard's pool workers, which are
grandchildren of the daemon, and recycled workers reaped during the run are counted) and of its
root process alone (``root ms``: coinguard's daemon without its workers; each run's line splits both
into user and system time: ``[root user .. sys ..; workers user .. sys ..]``), and the whole machine's
busy share.  ``--profile DIR`` samples each coinguard daemon with py-spy meanwhile
(``--profile-tree``: its scanner workers too; bench/profile_top.py reads the files).  The coinguard
peers run with a bytecode cache of their own (``PYTHONPYCACHEPREFIX`` under the work folder), as an
installed daemon has one: without it each worker start would compile again what it imports itself.
The table shows medians of the repetitions, then the ratios (coinguard / do-nothing, / rspamd, / none).

The run stops with exit status 1 as soon as a message is refused or tempfailed, or the sink did
not receive every message accepted: a faster number that lost mail is no number.
Numbers vary 15-30 % between runs on a shared VM: compare the ratios of one run.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "milter"))

from integration import harness  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from nxdomain_dns import NxdomainDns  # noqa: E402

SMTP_SINK = "/usr/sbin/smtp-sink"
RSPAMD = "/usr/bin/rspamd"
RSPAMD_CONF = "/etc/rspamd/rspamd.conf"
KINDS = {"text": "text", "binary": "100 KB binary", "zip": "60 KB zip", "invoice": "invoice campaign"}


class BenchError(RuntimeError):
    """The bench cannot give a trustworthy number (lost or refused mail, a peer that did not start)."""


# ----------------------------------------------------------------------------- messages
def make_messages(kind: str, n: int, unique: bool = False) -> list[bytes]:
    """``n`` messages of one kind.  ``unique``: every body and attachment differs (a reference line in
    the text, fresh random data), so no verdict cache can serve a copy; otherwise only the headers
    differ and the messages are one campaign."""
    if kind == "invoice":  # tests/campaigns.py: bench_shared_state.py's 366 KB invoice campaign (never unique)
        import campaigns

        return [campaigns.copy("invoice", i) for i in range(n)]
    filler = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. " * 25)[:2000]

    def zipped(tag: str) -> bytes:
        blob = io.BytesIO()
        with zipfile.ZipFile(blob, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("report.txt", tag + (filler + "\n") * 40)
            z.writestr("data.bin", os.urandom(60_000))
        return blob.getvalue()

    shared_zip = zipped("")
    shared_binary = os.urandom(100_000)
    out = []
    for i in range(n):
        tag = f"Reference {i}-{os.urandom(6).hex()}\n" if unique else ""
        msg = EmailMessage()
        msg["From"] = "Alice <alice@example.org>"
        msg["To"] = "bob@example.net"
        msg["Subject"] = f"bench {kind} {i}"
        msg["Message-ID"] = f"<bench-{kind}-{i}-{time.monotonic_ns()}@example.org>"
        msg.set_content(tag + filler + "\n")
        if kind == "zip":
            msg.add_attachment(zipped(tag) if unique else shared_zip, maintype="application", subtype="zip",
                               filename="report.zip")
        elif kind == "binary":
            msg.add_attachment(os.urandom(100_000) if unique else shared_binary, maintype="application",
                               subtype="octet-stream", filename="data.bin")
        elif kind != "text":
            raise ValueError(f"unknown message kind {kind!r} (known: {', '.join(KINDS)})")
        out.append(msg.as_bytes())
    return out


# ----------------------------------------------------------------------------- process trees
def tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def split_times(pid: int) -> tuple[float, float, float, float]:
    """(root user, root system, rest user, rest system) CPU seconds of a process tree: the rest is every
    descendant (coinguard's fork server and scanner workers) with what they reaped (recycled workers)."""
    r_u = r_s = o_u = o_s = 0.0
    for i, p in enumerate(tree(pid)):
        try:
            t = p.cpu_times()
        except psutil.Error:
            continue
        if i == 0:
            r_u, r_s = t.user, t.system
            o_u, o_s = o_u + t.children_user, o_s + t.children_system
        else:
            o_u, o_s = o_u + t.user + t.children_user, o_s + t.system + t.children_system
    return r_u, r_s, o_u, o_s


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of a process and all its descendants, reaped children included."""
    return sum(split_times(pid))


def own_cpu_s(pid: int) -> float:
    """CPU seconds of the process ``pid`` alone (coinguard's daemon without its workers)."""
    r_u, r_s, _, _ = split_times(pid)
    return r_u + r_s


def tree_rss_mib(pid: int) -> float:
    total = 0
    for p in tree(pid):
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total / 2**20


def settle(pid: int, timeout: float = 180.0) -> None:
    """Wait until a filter's process tree stops burning CPU (rspamd compiles hyperscan, pools warm up)."""
    end = time.monotonic() + timeout
    last = tree_cpu_s(pid)
    while time.monotonic() < end:
        time.sleep(1.0)
        now = tree_cpu_s(pid)
        if now - last < 0.05:
            return
        last = now


class PeakRss:
    """Peak RSS (MiB) of a process tree, sampled every 100 ms."""

    def __init__(self, pid: int | None) -> None:
        self.pid, self.peak = pid, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while self.pid and not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mib(self.pid))
            self._stop.wait(0.1)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class Profile:
    """py-spy (``$PY_SPY``, on PATH, or next to the venv's python) sampling one process while the measured runs go,
    written as collapsed stacks (``-f raw``: one ``frame;frame;... count`` line per stack) for
    ``bench/profile_top.py`` or a flame graph tool. Only samples of a thread holding the GIL count (``--gil``:
    Python's CPU, not its waits; libmilter's C threads show only in their Python callbacks), and sampling does
    not pause the process (``--nonblocking``); with native frames neither (py-spy stops the threads to unwind
    them). ``tree``: the process and its descendants (``--subprocesses``: the fork server and every worker, each
    stack headed by ``process PID:"cmdline"``), every thread that is not idle."""

    def __init__(self, pid: int | None, out: Path, native: bool = False, tree: bool = False,
                 gil: bool = False) -> None:
        self.pid, self.out, self.native, self.tree, self.gil = pid, out, native, tree, gil
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Profile:
        found = os.environ.get("PY_SPY") or shutil.which("py-spy")  # $PY_SPY, PATH, else next to the venv's python
        spy = Path(found) if found else Path(sys.executable).with_name("py-spy")
        if self.pid and spy.exists():
            cmd = [str(spy), "record", "--pid", str(self.pid), "--threads", "-f", "raw", "-r", "250",
                   "-o", str(self.out)] + (["--native"] if self.native else ["--nonblocking"])
            # the whole tree (the pool's workers, recycled ones too): every running thread, GIL or not
            # (a worker's YARA and zlib run without it); the daemon alone: its Python CPU only
            cmd += ["--subprocesses"] if self.tree else [] if self.native else ["--gil"]
            cmd += ["--gil"] if self.tree and self.gil else []  # the tree's Python CPU only (not YARA's, zlib's)
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elif self.pid:
            print(f"bench_gateway: no py-spy at {spy}: not profiling", file=sys.stderr)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


# ----------------------------------------------------------------------------- the sink
class CountingSink:
    """Postfix's smtp-sink on loopback: accepts and discards, counts messages (``-c``)."""

    def __init__(self) -> None:
        self.port = harness.free_port()
        self._count = 0
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(
            [SMTP_SINK, "-u", "postfix", "-c", f"127.0.0.1:{self.port}", "1024"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=harness._die_with_parent,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not harness.wait_port(self.port, 10):
            self.stop()
            raise BenchError("smtp-sink did not start")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        buf = b""
        while chunk := self.proc.stdout.read1(4096):  # type: ignore[attr-defined]
            buf = (buf + chunk)[-256:]
            found = re.findall(rb"mesg=(\d+)", buf)
            if found:
                with self._lock:
                    self._count = int(found[-1])

    def count(self) -> int:
        with self._lock:
            return self._count

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


# ----------------------------------------------------------------------------- peers
@dataclass
class Peer:
    """One filter behind its own smtpd listener; ``pid`` is the root of its process tree."""

    name: str
    spec: str = ""  # smtpd_milters value ("" = no milter)
    start: Callable[[], int | None] = lambda: None
    stop: Callable[[], None] = lambda: None
    pid: int | None = None
    port: int = 0
    #: messages the filter kept in its quarantine so far (not lost: they are not meant for the sink)
    quarantined: Callable[[], int] = lambda: 0


def donothing_peer(work: Path) -> Peer:
    port = harness.free_port()
    procs: list[subprocess.Popen[bytes]] = []

    def start() -> int:
        log = open(work / "donothing.log", "ab")  # noqa: SIM115 - owned by the process
        p = subprocess.Popen([sys.executable, str(REPO / "bench" / "donothing_milter.py"), f"inet:{port}@127.0.0.1"],
                             stdout=log, stderr=subprocess.STDOUT, preexec_fn=harness._die_with_parent)
        procs.append(p)
        if not harness.wait_port(port, 20):
            raise BenchError("the do-nothing milter did not listen")
        return p.pid

    def stop() -> None:
        for p in procs:
            stop_process(p)

    return Peer("donothing", f"inet:127.0.0.1:{port}", start, stop)


RSPAMD_OVERRIDES = {
    # self-scanning milter proxy on loopback; two processes like coinguard's two workers
    "override.d/worker-proxy.inc": 'bind_socket = "{bind}";\nmilter = yes;\ntimeout = 120s;\n'
    'count = {count};\nupstream "local" {{\n  default = yes;\n  self_scan = yes;\n}}\n',
    "override.d/worker-normal.inc": "enabled = false;\n",
    "override.d/worker-controller.inc": "enabled = false;\n",
    # no fuzzy_check: its servers are resolved with the system resolver at start-up
    "override.d/options.inc": 'filters = "chartable,dkim,regexp";\n'
    'dns {{\n  nameserver = ["127.0.0.1:{dns_port}"];\n  timeout = 0.2s;\n  retransmits = 1;\n}}\n',
    "local.d/logging.inc": 'level = "warning";\n',
}


def rspamd_peer(work: Path, count: int, dns_port: int, unix: bool = False) -> Peer:
    """rspamd's milter proxy on 127.0.0.1:PORT, or (``unix``) on a socket file under the work folder."""
    port = harness.free_port()
    base = work / "rspamd"
    sock = base / "run" / "milter.sock"
    bind = f"{sock} mode=0666" if unix else f"127.0.0.1:{port}"
    procs: list[subprocess.Popen[bytes]] = []

    def listening(timeout: float) -> bool:
        if not unix:
            return harness.wait_port(port, timeout)
        end = time.monotonic() + timeout
        while time.monotonic() < end and not sock.exists():
            time.sleep(0.1)
        return sock.exists()

    def start() -> int:
        import pwd

        if not Path(RSPAMD).exists():
            raise BenchError("rspamd is not installed: apt-get install -y --no-install-recommends rspamd")
        pw = pwd.getpwnam("_rspamd")
        for rel, text in RSPAMD_OVERRIDES.items():
            (base / rel).parent.mkdir(parents=True, exist_ok=True)
            (base / rel).write_text(text.format(bind=bind, count=count, dns_port=dns_port))
        for d in ("db", "run", "log"):
            (base / d).mkdir(parents=True, exist_ok=True)
            os.chown(base / d, pw.pw_uid, pw.pw_gid)
        os.chmod(base, 0o755)
        cmd = [RSPAMD, "-f", "-c", RSPAMD_CONF, "-u", "_rspamd", "-g", "_rspamd",
               "--var", f"LOCAL_CONFDIR={base}", "--var", f"DBDIR={base / 'db'}",
               "--var", f"RUNDIR={base / 'run'}", "--var", f"LOGDIR={base / 'log'}"]
        log = open(base / "stdout.log", "ab")  # noqa: SIM115 - owned by the process
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=base)
        procs.append(p)
        if not listening(120):
            raise BenchError(f"rspamd did not listen on {bind}; see {base / 'log' / 'rspamd.log'}")
        return p.pid

    def stop() -> None:
        for p in procs:
            stop_process(p)

    return Peer("rspamd", f"unix:{sock}" if unix else f"inet:127.0.0.1:{port}", start, stop)


def coinguard_peer(work: Path, workers: int, name: str = "coinguard", src: Path = REPO / "milter") -> Peer:
    """``coinguard run`` from the source tree ``src`` (default: this checkout, not the venv's install)."""
    milter_port = harness.free_port()
    home = work / name
    home.mkdir()
    cfg = home / "coinguard.toml"
    harness.write_daemon_config(cfg, milter_port, harness.free_port(), quarantine_backend="dir",
                                quarantine_dir=home / "quarantine", workers=workers,
                                extra='[logging]\nlevel = "warning"\n')
    # bytecode cached as an installed package has it (in a folder of its own: the source tree stays as it is)
    env = {"PYTHONPATH": str(src), "PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": str(home / "pycache")}
    daemon = harness.DaemonProcess(cfg, milter_port, home / "coinguard.log", env=env)

    def start() -> int:
        daemon.start()
        assert daemon.proc is not None
        return daemon.proc.pid

    def stop() -> None:
        daemon.stop()

    def quarantined() -> int:
        folder = home / "quarantine"
        return sum(1 for _ in folder.glob("*.eml")) if folder.is_dir() else 0

    return Peer(name, f"inet:127.0.0.1:{milter_port}", start, stop, quarantined=quarantined)


def stop_process(p: subprocess.Popen[bytes]) -> None:
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)


# ----------------------------------------------------------------------------- one run
@dataclass
class Run:
    ok: int
    refused: dict[str, int]
    delivered: int
    accept_rate: float
    e2e_rate: float
    p50: float
    p99: float
    cpu_ms: float | None
    busy: float
    rss: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    #: CPU ms per message of the filter's root process alone (coinguard: the daemon without its workers)
    own_cpu_ms: float | None = None
    #: accepted messages the filter quarantined instead of delivering (random data may look like something)
    quarantined: int = 0


def run_load(peer: Peer, messages: list[bytes], concurrency: int, sink: CountingSink) -> Run:
    latencies: list[float] = []
    refused: dict[str, int] = {}
    lock = threading.Lock()
    before, q_before = sink.count(), peer.quarantined()

    def one(raw: bytes) -> None:
        t0 = time.perf_counter()
        try:
            r = harness.send(peer.port, raw)
            code, text = r.code, r.text
        except Exception as exc:  # a dropped connection is a refused message here
            code, text = 0, f"{type(exc).__name__}: {exc}"
        dt = time.perf_counter() - t0
        with lock:
            if code == 250:
                latencies.append(dt)
            else:
                key = f"{code} {text[:60]}"
                refused[key] = refused.get(key, 0) + 1

    # (root user, root system, workers user, workers system): the whole tree's CPU and the root's alone follow
    split0 = split_times(peer.pid) if peer.pid else (0.0, 0.0, 0.0, 0.0)
    sys0 = psutil.cpu_times()
    start = time.perf_counter()
    with PeakRss(peer.pid) as rss, ThreadPoolExecutor(concurrency) as ex:
        list(ex.map(one, messages))
        accepted_s = time.perf_counter() - start
        target = before + len(latencies)
        while (sink.count() + peer.quarantined() - q_before < target
               and time.perf_counter() - start < accepted_s + 60):
            time.sleep(0.01)
        e2e_s = time.perf_counter() - start
    split1 = split_times(peer.pid) if peer.pid else (0.0, 0.0, 0.0, 0.0)
    split = tuple((b - a) * 1000 / len(messages) for a, b in zip(split0, split1, strict=True))
    sys1 = psutil.cpu_times()
    idle = (sys1.idle - sys0.idle) + (getattr(sys1, "iowait", 0) - getattr(sys0, "iowait", 0))
    wall = sum(sys1) - sum(sys0)
    delivered = sink.count() - before
    kept = peer.quarantined() - q_before
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 2 else [0.0] * 99
    return Run(
        ok=len(latencies), refused=refused, delivered=delivered,
        accept_rate=len(latencies) / accepted_s, e2e_rate=(delivered + kept) / e2e_s,
        p50=q[49] * 1000, p99=q[98] * 1000,
        cpu_ms=sum(split) if peer.pid else None,
        busy=100 * (1 - idle / wall) if wall else 0.0, rss=rss.peak,
        own_cpu_ms=split[0] + split[1] if peer.pid else None,
        quarantined=kept,
        extra={"split": split} if peer.pid else {},  # CPU ms per message: root user/system, workers user/system
    )


def check(peer: Peer, kind: str, n: int, run: Run) -> None:
    if run.ok != n or run.delivered + run.quarantined != n or run.refused:
        raise BenchError(
            f"{kind}/{peer.name}: sent {n}, accepted {run.ok}, the sink received {run.delivered}, "
            f"quarantined {run.quarantined}; refused: {run.refused or 'none'}"
        )
    if run.quarantined:
        print(f"{kind}/{peer.name}: {run.quarantined} of {n} quarantined (kept, not lost)", file=sys.stderr)


# ----------------------------------------------------------------------------- report
def med(values: list[float]) -> float:
    return statistics.median(values)


def report(results: dict[tuple[str, str], list[Run]], kinds: list[str], peers: list[str], args: Any,
           sizes: dict[str, int]) -> None:
    print(f"\nPostfix on loopback, N={args.n} per run, C={args.c} concurrent clients, medians of {args.reps}, "
          f"{os.cpu_count()} CPUs, coinguard workers={args.workers or os.cpu_count()}, rspamd proxy count="
          f"{args.rspamd_count}; " + ("a campaign: the messages of a run share body and attachment"
                                      if args.campaign else "every body and attachment unique (no cache hit)"))
    print(f"{'message':<26} {'filter':<14} {'accept/s':>9} {'e2e/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'CPU ms/msg':>10} {'root ms':>7} {'busy %':>6} {'peak RSS MiB':>12}")
    for kind in kinds:
        for peer in peers:
            runs = results[kind, peer]
            cpu = [r.cpu_ms for r in runs if r.cpu_ms is not None]
            cpu_s = f"{med(cpu):.1f}" if cpu else "-"
            own = [r.own_cpu_ms for r in runs if r.own_cpu_ms is not None]
            own_s = f"{med(own):.2f}" if own else "-"
            rss = f"{max(r.rss for r in runs):.0f}" if cpu else "-"
            label = f"{KINDS[kind]} ({sizes[kind] // 1024} KB msg)"
            print(f"{label:<26} {peer:<14} {med([r.accept_rate for r in runs]):>9.1f} "
                  f"{med([r.e2e_rate for r in runs]):>7.1f} {med([r.p50 for r in runs]):>7.1f} "
                  f"{med([r.p99 for r in runs]):>7.1f} {cpu_s:>10} {own_s:>7} "
                  f"{med([r.busy for r in runs]):>6.0f} {rss:>12}")
    print("\nratios (end-to-end msg/s; CPU ms per message)")
    others = [p for p in peers if p != "coinguard"]
    for kind in kinds:
        for num in ("coinguard", "coinguard-base", "rspamd", "donothing"):
            if num not in peers:
                continue
            for den in others:
                if den == num or (num != "coinguard" and den != "none"):
                    continue
                a = med([r.e2e_rate for r in results[kind, num]])
                b = med([r.e2e_rate for r in results[kind, den]])
                line = f"{KINDS[kind]:<26} {num} / {den}: msg/s {a / b:.2f}x"
                ca = [r.cpu_ms for r in results[kind, num] if r.cpu_ms is not None]
                cb = [r.cpu_ms for r in results[kind, den] if r.cpu_ms is not None]
                if ca and cb and med(cb) > 0:
                    line += f", CPU/msg {med(ca) / med(cb):.2f}x"
                print(line)


# ----------------------------------------------------------------------------- main
def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=500, help="messages per run (default 500)")
    ap.add_argument("-c", type=int, default=20, help="concurrent SMTP clients (default 20)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions per kind and peer (default 3)")
    ap.add_argument("--warmup", type=int, default=50, help="warm-up messages per kind and peer (default 50)")
    ap.add_argument("--kinds", default="text,binary,zip", help=f"message kinds: {', '.join(KINDS)}")
    ap.add_argument("--peers", default="none,donothing,rspamd,coinguard", help="filters to compare")
    ap.add_argument("--workers", type=int, default=0, help="coinguard scanner workers (0 = one per core)")
    ap.add_argument("--campaign", action="store_true",
                    help="the messages of a run share their body and attachment (only the headers differ), so "
                    "coinguard's verdict cache serves them; default: every body and attachment is unique")
    ap.add_argument("--rspamd-count", type=int, default=2, help="rspamd self-scanning proxy processes (default 2)")
    ap.add_argument("--rspamd-dns", choices=("closed", "nxdomain"), default="closed",
                    help="rspamd's nameserver: the closed port 127.0.0.1:9 (default; lookups fail or time "
                    "out after 0.2 s), or a loopback server of this bench answering NXDOMAIN at once")
    ap.add_argument("--rspamd-unix", action="store_true",
                    help="Postfix talks to rspamd over a unix socket instead of TCP on loopback (TCP: every "
                    "rspamd reply at end of message meets the ~40 ms delayed-ACK stall, lab pitfall 9)")
    ap.add_argument("--base-src", default="",
                    help="source root (the folder holding coinguard/) of another coinguard, measured as the "
                    "peer coinguard-base in the same run (before/after a change)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder (logs, configs)")
    ap.add_argument("--profile", default="", metavar="DIR",
                    help="sample each coinguard daemon (its own process, not the workers) with py-spy during the "
                    "measured runs of each kind: DIR/<peer>-<kind>.txt, collapsed stacks")
    ap.add_argument("--profile-native", action="store_true", help="with --profile: native frames too")
    ap.add_argument("--profile-tree", action="store_true",
                    help="with --profile: the daemon's whole process tree (its scanner workers too), every "
                    "running thread; bench/profile_top.py --process PID keeps one process")
    args = ap.parse_args()
    kinds, names = args.kinds.split(","), args.peers.split(",")
    reason = harness.missing_prerequisite() or ("" if Path(SMTP_SINK).exists() else "smtp-sink is missing")
    if reason:
        print(f"bench_gateway: cannot run: {reason}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="coinguard-bench-"))
    os.chmod(work, 0o755)
    dns = NxdomainDns() if args.rspamd_dns == "nxdomain" and "rspamd" in names else None
    makers = {
        "none": lambda: Peer("none"),
        "donothing": lambda: donothing_peer(work),
        "rspamd": lambda: rspamd_peer(work, args.rspamd_count, dns.port if dns else 9, args.rspamd_unix),
        "coinguard": lambda: coinguard_peer(work, args.workers),
        "coinguard-base": lambda: coinguard_peer(work, args.workers, "coinguard-base", Path(args.base_src)),
    }
    unknown = [n for n in names if n not in makers]
    if "coinguard-base" in names and not (Path(args.base_src) / "coinguard").is_dir():
        unknown.append("coinguard-base (needs --base-src DIR with DIR/coinguard)")
    if unknown:
        if dns is not None:
            dns.close()
        print(f"bench_gateway: unknown peer {', '.join(unknown)} (known: {', '.join(makers)})", file=sys.stderr)
        return 2
    peers = [makers[n]() for n in names]
    sink = CountingSink()
    pf = harness.PrivatePostfix(work / "postfix", sink.port, {p.name: p.spec for p in peers})
    (work / "postfix").mkdir()
    os.chmod(work / "postfix", 0o755)
    results: dict[tuple[str, str], list[Run]] = {}
    sizes = {k: len(make_messages(k, 1)[0]) for k in kinds}
    try:
        for peer in peers:
            peer.pid = peer.start()
        pf.start()
        for peer in peers:
            peer.port = pf.ports[peer.name]
        for kind in kinds:
            for peer in peers:
                warm = make_messages(kind, args.warmup, unique=not args.campaign)
                check(peer, kind, len(warm), run_load(peer, warm, args.c, sink))
                if peer.pid:
                    settle(peer.pid)
            with contextlib.ExitStack() as profiling:
                for peer in peers:
                    if args.profile and peer.name.startswith("coinguard"):
                        Path(args.profile).mkdir(parents=True, exist_ok=True)
                        out = Path(args.profile) / f"{peer.name}-{kind}.txt"
                        profiling.enter_context(Profile(peer.pid, out, args.profile_native, args.profile_tree))
                for rep in range(args.reps):
                    # every other repetition in reverse order: a peer is not always the one that runs
                    # right after another (on a shared machine the load drifts within a repetition)
                    for peer in peers if rep % 2 == 0 else peers[::-1]:
                        msgs = make_messages(kind, args.n, unique=not args.campaign)
                        run = run_load(peer, msgs, args.c, sink)
                        check(peer, kind, args.n, run)
                        results.setdefault((kind, peer.name), []).append(run)
                        cpu = f"{run.cpu_ms:.1f}" if run.cpu_ms is not None else "-"
                        if run.own_cpu_ms is not None:
                            cpu += f" (root {run.own_cpu_ms:.2f})"
                        if "split" in run.extra:
                            ru, rs, ou, os_ = run.extra["split"]
                            cpu += f" [root user {ru:.2f} sys {rs:.2f}; workers user {ou:.2f} sys {os_:.2f}]"
                        print(f"{kind}/{peer.name} rep {rep + 1}: {run.accept_rate:.1f} accepted/s, "
                              f"{run.e2e_rate:.1f} e2e/s, p50 {run.p50:.0f} ms, p99 {run.p99:.0f} ms, "
                              f"CPU {cpu} ms/msg, busy {run.busy:.0f} %", file=sys.stderr, flush=True)
    except (BenchError, RuntimeError) as exc:  # RuntimeError: harness could not start Postfix/coinguard
        print(f"bench_gateway: FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        pf.stop()
        for peer in peers:
            peer.stop()
        sink.stop()
        if dns is not None:
            dns.close()
            print(f"rspamd asked the loopback NXDOMAIN server {dns.queries} DNS queries", file=sys.stderr)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"work folder kept: {work}", file=sys.stderr)
    report(results, kinds, names, args, sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
