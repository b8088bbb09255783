#!/usr/bin/env python3
"""Three MX hosts, one PostgreSQL quarantine, one Redis verdict cache: a campaign scanned round-robin.

Starts a private PostgreSQL (initdb + pg_ctl, loopback, free port), a private redis-server and an
SMTP sink (aiosmtpd) -- the same servers as tests/shared_state -- then, for each cache mode:

* ``none``:   no cache (today's behaviour);
* ``memory``: each host its own in-process LRU (each host pays for the first copy it sees);
* ``redis``:  one Redis shared by the three hosts (only the campaign's first copy is analysed),
  with the default small in-process tier in front of it;
* ``redis-only``: the same without the in-process tier (every lookup is a Redis round trip),

scans N copies of each campaign (``--kind``, tests/campaigns.py: ``zip`` a DDE docx and an XLM sheet in
a zip, ``xlm`` the XLM macro sheet, ``pdf`` a JavaScript/link PDF lure, ``lnk`` a zip with a shortcut that
runs a program -- four tiny crafted attachments --, ``invoice`` a 266 KB macro-enabled invoice workbook
with pictures under an HTML body, the size such attacks have, or ``all``; the same attachment, other
recipient/Subject/Message-ID/MIME boundaries per copy) round-robin on hosts mx-a, mx-b, mx-c through the
real ``scan_message`` with the real rules, quarantines every copy the policy quarantines into the shared
PostgreSQL store, and prints msg/s, the
speed-up against ``none`` and the cache hit rate.  Then, on the shared store: every copy is listed from
mx-c, a release from mx-c of a message quarantined by mx-a is delivered once, and mx-a and mx-b
releasing one message at the same moment deliver it once.

The three hosts are three store + cache clients in this process (one scan at a time, each host's
cache given to ``scan_message`` in ``ScanContext.cache``, as the daemon's workers do).

    PYTHONPATH=milter .venv/bin/python bench/bench_shared_state.py [-n 300] [--kind zip,xlm,pdf,lnk]
        [--modes none,memory,redis,redis-only]
    PYTHONPATH=milter .venv/bin/python bench/bench_shared_state.py --daemons [-n 300] [-c 6] [--workers 1] [--kind all]
        [--rounds 1]

``--puts`` times the PostgreSQL quarantine write alone (``PostgresStore.put`` of one quarantined copy
per kind, N times, twice): wall ms, this process's CPU (the daemon's side) and PostgreSQL's per put.

``--daemons`` (root, Postfix) runs three real ``coinguard run`` daemons behind one private Postfix
instead, cache off and then Redis (the daemons started once per mode, the campaigns one after the
other), and prints per campaign the end-to-end rate (SMTP in -> quarantined in PostgreSQL), the
daemons' cache hit rate (``coinguard_cache_requests_total`` during that campaign), and the CPU
milliseconds per message of each process group during it (the daemons, their workers, Postfix,
PostgreSQL, Redis, and this process: the SMTP clients), found by process tree: the machine's two cores
are shared by all of them, so the end-to-end gain of the cache is bounded by what the other parties
cost per message.  Before the campaigns, each mode's idle CPU per second of every group (timers,
keep-alives: a part of each message's CPU, the less the faster mail comes).  A table at the end gives,
per campaign, both rates, their ratio, the CPU ratio of all processes and the filter-only CPU ratio
(daemons + workers: what the cache can change; the rest is the MTA, the database and the senders), and
the CPU per group; with ``--rounds R`` the pair of runs (cache off, then Redis) is repeated R times and
the table gives medians (the machine is shared: run it twice, compare in the same minute).

``--direct`` (root, Postfix) measures the filter's own capacity without the MTA's cost, beside the end-to-end
figure through Postfix, in one run.  Per round: the campaign through a private Postfix with no milter to
Postfix's smtp-sink (``postfix alone``: the MTA's own rate here, the ceiling of any milter behind it); then
per cache mode (``--direct-modes``, default ``off,memory,redis``: none, each daemon's in-process LRU, one
Redis shared by the three) three fresh daemons and, per campaign, the copies handed to them round-robin over
the milter protocol itself from ``--sessions`` concurrent sessions (bench/milter_client.py: connect, HELO,
envelope, headers, body, end of message, the replies read; ``milter campaign``), the same with a unique
attachment per copy (``milter unique``: a zip comment naming the copy, so the attachment's bytes differ while
its members do not: the per-item tier still serves those), and the campaign through Postfix to the same
daemons (``postfix campaign``).  Printed per run: msg/s, CPU ms per message of every process group and, per
copy it handled, of each daemon and its workers (process tree), the hit rate and the replies; then a table of
medians with each mode's ratio against cache off for the same traffic.  The hit rate counts lookups, not
copies: a copy the body tier serves is one lookup (one hit), the first copies on each host one per handler and
item (all misses), so 300 copies on three hosts with the in-process cache show ~86 % with every copy after a
host's second served from the cache (``lookups/copy`` near 1).  Every copy must be quarantined (a discard
after the PostgreSQL write), or the run stops with status 1.  ``--profile DIR`` samples the daemons with
py-spy during the milter campaign runs (``$PY_SPY`` or py-spy on PATH).

    PYTHONPATH=milter .venv/bin/python bench/bench_shared_state.py --direct [-n 300] [--kind invoice,zip]
        [--rounds 2] [--sessions 12] [-c 6] [--direct-modes off,memory,redis] [--profile DIR]

DNS goes to a loopback server of this script answering NXDOMAIN at once (bench/nxdomain_dns.py),
as a fast local resolver would; the closed port 9 makes every DMARC lookup wait for its timeout.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import campaigns  # noqa: E402
from coinguard import cache as vc  # noqa: E402
from coinguard import scan  # noqa: E402
from coinguard.config import QuarantineConfig, parse_config  # noqa: E402
from coinguard.findings import Action  # noqa: E402
from coinguard.quarantine import QuarantineNotFound  # noqa: E402
from coinguard.quarantine.postgresql import PgSettings, PostgresStore, migrate  # noqa: E402
from coinguard.rules import compile_rules  # noqa: E402
from integration.harness import Sink  # noqa: E402
from shared_state.servers import PgServer, RedisServer  # noqa: E402

from helpers import make_message  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from nxdomain_dns import NxdomainDns  # noqa: E402

HOSTS = ("mx-a", "mx-b", "mx-c")
#: DNS answered at once by the bench's loopback NXDOMAIN server (main() sets the port).
DNS = NxdomainDns()
CFG = parse_config(DNS.config(0.3))


def campaign(n: int, kind: str = "zip", unique: bool = False) -> bytes:
    """Copy ``n`` of one crypto-lure campaign (tests/campaigns.py): the same attachment, per-copy recipient,
    Subject, Message-ID and MIME boundary (``unique``: the attachment's bytes differ per copy too)."""
    return campaigns.copy(kind, n, unique=unique)


def make_caches(mode: str, redis_url: str, generation: str, prefix: str) -> list[vc.VerdictCache | None]:
    if mode == "none":
        return [None] * len(HOSTS)
    if mode == "memory":
        return [vc.LruCache(vc.CacheConfig(), generation=generation) for _ in HOSTS]
    local = 0 if mode == "redis-only" else vc.CacheConfig().local_entries  # redis-only: every lookup a round trip
    return [vc.RedisCache(vc.CacheConfig(backend="redis", url=redis_url, key_prefix=prefix, local_entries=local),
                          generation=generation) for _ in HOSTS]


def run_mode(mode: str, n: int, rules: Any, generation: str, stores: list[PostgresStore], redis_url: str,
             kind: str = "zip") -> dict[str, Any]:
    messages = [campaign(i, kind) for i in range(n)]
    caches = make_caches(mode, redis_url, generation, prefix=f"bench{time.monotonic_ns()}:")
    scan_s: list[float] = []
    put_s: list[float] = []
    verdicts = set()
    quarantined: list[tuple[str, str]] = []
    started = time.perf_counter()
    for i, raw in enumerate(messages):
        host = i % len(HOSTS)
        t0 = time.perf_counter()
        env = scan.Envelope(id=f"Q{i}", queue_id=f"Q{i:08X}", sender="alerts@binance-verify.example",
                            rcpts=(f"user{i}@corp.example",))
        v = scan.scan_message(raw, scan.ScanContext(config=CFG, rules=rules, envelope=env, cache=caches[host]))
        t1 = time.perf_counter()
        scan_s.append(t1 - t0)
        verdicts.add((str(v.verdict), round(v.score, 2), tuple(v.codes)))
        if v.action == Action.QUARANTINE:
            quarantined.append((HOSTS[host], stores[host].put(raw, v)))
            put_s.append(time.perf_counter() - t1)
    wall = time.perf_counter() - started
    counts = {r: sum(c.stats.counts[r] for c in caches if c is not None) for r in vc.RESULTS}
    lookups = sum(counts.values())
    return {
        "mode": mode, "n": n, "wall_s": wall, "msg_s": n / wall, "scan_ms_median": statistics.median(scan_s) * 1000,
        "scan_msg_s": n / sum(scan_s), "put_ms_median": statistics.median(put_s) * 1000 if put_s else 0.0,
        "hit_rate": counts["hit"] / lookups if lookups else 0.0, "counts": counts, "verdicts": verdicts,
        "quarantined": quarantined,
    }


def check_shared_quarantine(stores: list[PostgresStore], quarantined: list[tuple[str, str]], sink: Sink) -> list[str]:
    """Everything listed from mx-c; mx-c releases mx-a's message once; mx-a and mx-b race on one."""
    a, b, c = stores
    lines = []
    listed = {e.id for e in c.list()}
    want = {qid for _h, qid in quarantined}
    lines.append(f"listed from mx-c: {len(want & listed)} of {len(want)} quarantined copies (all hosts)")
    qid_a = next(qid for host, qid in quarantined if host == "mx-a")
    before = sink.count()
    c.release(qid_a)
    try:
        c.release(qid_a)
        second = "released AGAIN (bug)"
    except QuarantineNotFound as exc:
        second = f"refused: {exc}"
    lines.append(f"mx-c released {qid_a} (quarantined by mx-a): sink got {sink.count() - before}; again: {second}")
    qid_race = next(qid for host, qid in quarantined if host == "mx-b")
    before = sink.count()
    barrier = threading.Barrier(2)
    outcome: list[str] = []

    def go(store: PostgresStore) -> None:
        barrier.wait()
        try:
            store.release(qid_race)
            outcome.append(f"{store.host}: released")
        except QuarantineNotFound:
            outcome.append(f"{store.host}: already released")

    threads = [threading.Thread(target=go, args=(s,)) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    time.sleep(0.2)
    lines.append(f"mx-a and mx-b released {qid_race} at once: {sorted(outcome)}; sink got {sink.count() - before}")
    return lines


def _own_cpu_s(p: Any) -> float:
    t = p.cpu_times()
    return float(t.user + t.system)


def _reaped_cpu_s(p: Any) -> float:
    """CPU seconds of ``p``'s children that exited and were waited for (a recycled scan worker's)."""
    t = p.cpu_times()
    return float(t.children_user + t.children_system)


def _tree_cpu_s(root: Any, with_root: bool = True) -> float:
    """CPU seconds of ``root``'s descendants (and of ``root`` itself): every live one's own and that of the
    children each has waited for, so a process that exits between two readings (a worker recycled after
    ``recycle_after`` scans, an smtpd) is still counted."""
    import psutil

    total = 0.0
    try:
        procs = root.children(recursive=True)
        total += _reaped_cpu_s(root)
        if with_root:
            total += _own_cpu_s(root)
    except psutil.Error:
        return total
    for p in procs:
        try:
            total += _own_cpu_s(p) + _reaped_cpu_s(p)
        except psutil.Error:
            continue
    return total


def run_puts(n: int, pg: PgServer, kinds: tuple[str, ...]) -> int:
    """The quarantine write alone: ``n`` PostgresStore.put of one quarantined copy per kind, twice; wall ms,
    CPU ms of this process (what the daemon pays) and of PostgreSQL (its processes) per put."""
    import psutil

    pg.admin("CREATE DATABASE puts OWNER coinguard")
    settings = PgSettings(dsn=pg.dsn("puts"))
    migrate(settings)
    postmaster = psutil.Process(int((pg.data / "postmaster.pid").read_text().split()[0]))
    store = PostgresStore(QuarantineConfig(path=tempfile.mkdtemp(prefix="coinguard-bench-")), settings=settings,
                          host="mx-a")
    try:
        for kind in kinds:
            raw = campaign(1, kind)
            env = scan.Envelope(id="Q1", queue_id="Q1", sender="alerts@binance-verify.example",
                                rcpts=("user1@corp.example", "user2@corp.example"))
            v = scan.scan_message(raw, scan.ScanContext(config=CFG, envelope=env))
            for _ in range(20):
                store.put(raw, v)  # the pool's connections, the prepared statement
            for _ in range(2):
                c0, p0, t0 = time.process_time(), _tree_cpu_s(postmaster), time.perf_counter()
                for _ in range(n):
                    store.put(raw, v)
                print(f"put {kind:<4} ({len(raw)} B, {len(v.rcpt)} recipients): "
                      f"{(time.perf_counter() - t0) * 1000 / n:.2f} ms wall, "
                      f"{(time.process_time() - c0) * 1000 / n:.2f} ms CPU here (the daemon's side), "
                      f"{(_tree_cpu_s(postmaster) - p0) * 1000 / n:.2f} ms CPU PostgreSQL", flush=True)
    finally:
        store.close()
    return 0


def _parties(daemons: list[Any], pf: Any, pg: PgServer, rd: RedisServer) -> dict[str, Any]:
    """party name -> a function giving its CPU seconds so far, by process tree.  The daemons' workers are
    their descendants (grandchildren through the pool); "clients" is this process (the SMTP clients)."""
    import psutil

    roots = [psutil.Process(d.proc.pid) for d in daemons if d.proc is not None]
    master = psutil.Process(pf.master_pid() or os.getpid())
    postmaster = psutil.Process(int((pg.data / "postmaster.pid").read_text().split()[0]))
    redis = [psutil.Process(rd.proc.pid)] if rd.proc is not None else []
    return {
        "daemons": lambda: sum(_own_cpu_s(r) for r in roots),
        "workers": lambda: sum(_tree_cpu_s(r, with_root=False) for r in roots),
        "postfix": lambda: _tree_cpu_s(master),
        "postgresql": lambda: _tree_cpu_s(postmaster),
        "redis": lambda: sum(_tree_cpu_s(r) for r in redis),
        "clients": lambda: _own_cpu_s(psutil.Process()),
    }


GROUPS = ("daemons", "workers", "postfix", "postgresql", "redis", "clients")
#: The filter itself (the rest is the MTA, the database, the cache server and the senders).
FILTER = ("daemons", "workers")


def _cache_counts(metrics: dict[str, int]) -> dict[str, float]:
    """coinguard_cache_requests_total by result, summed over the daemons' metrics endpoints."""
    import urllib.request

    totals = dict.fromkeys(vc.RESULTS, 0.0)
    for port in metrics.values():
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
            for line in r.read().decode().splitlines():
                for res in vc.RESULTS:
                    if line.startswith(f'coinguard_cache_requests_total{{result="{res}"}} '):
                        totals[res] += float(line.rsplit(" ", 1)[1])
    return totals


def _send_campaign(kind: str, n: int, concurrency: int, pf: Any, dsn: str, parties: dict[str, Any],
                   metrics: dict[str, int]) -> dict[str, Any]:
    """Send ``n`` copies of ``kind`` round-robin; wait until all are in the quarantine; rate, CPU and counters."""
    from concurrent.futures import ThreadPoolExecutor

    import psycopg

    # one connection for the polling (a new one per poll would be PostgreSQL forking a backend every 50 ms,
    # counted against the filter's messages)
    watch = psycopg.connect(dsn, autocommit=True)

    def held() -> int:
        return int((watch.execute("SELECT count(*) FROM quarantine_message").fetchone() or (0,))[0])

    messages = [(pf.ports[HOSTS[i % 3]], campaign(i, kind)) for i in range(n)]
    base = held()
    counts_before = _cache_counts(metrics)
    cpu_before = {name: cpu() for name, cpu in parties.items()}
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as ex:
        codes = list(ex.map(lambda m: harness_send(m[0], m[1]), messages))
    count = 0
    while time.perf_counter() - started < 600:
        count = held() - base
        if count >= n:
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    cpu_ms = {name: (cpu() - cpu_before[name]) * 1000 / max(1, count) for name, cpu in parties.items()}
    watch.close()
    after = _cache_counts(metrics)
    lookups = {r: after[r] - counts_before[r] for r in vc.RESULTS}
    total = sum(lookups.values())
    return {"kind": kind, "n": n, "count": count, "rate": count / elapsed, "cpu_ms": cpu_ms, "lookups": lookups,
            "hit_rate": lookups["hit"] / total if total else 0.0, "bad": sum(c != 250 for c in codes),
            "bytes": len(messages[0][1])}


def harness_send(port: int, raw: bytes) -> int:
    from integration import harness

    return int(harness.send(port, raw).code)


class _Hosts:
    """Three running daemons (one cache mode) behind one private Postfix, sharing one database."""

    def __init__(self, pf: Any, dsn: str, metrics: dict[str, int], parties: dict[str, Any],
                 daemons: list[Any], milter_ports: dict[str, int] | None = None) -> None:
        self.pf, self.dsn, self.metrics, self.parties, self.daemons = pf, dsn, metrics, parties, daemons
        self.milter_ports = milter_ports or {}
        #: per host: its daemon process alone, and its workers (every descendant), CPU seconds so far
        self.host_parties = _host_parties(daemons)


@contextlib.contextmanager
def _hosts(mode: str, workers: int, pg: PgServer, rd: RedisServer, daemon_env: dict[str, str],
           ) -> Iterator[_Hosts]:
    """Three ``coinguard run`` daemons, cache ``off``, in-process ``memory`` (each daemon's workers their own)
    or shared ``redis``, each worker warmed with a clean message; a fresh quarantine database and a fresh
    cache key prefix per call."""
    from integration import harness

    db = f"daemons_{mode}_{time.monotonic_ns()}"
    pg.admin(f"CREATE DATABASE {db} OWNER coinguard")
    dsn = pg.dsn(db)
    migrate(PgSettings(dsn=dsn))
    work = Path(tempfile.mkdtemp(prefix="coinguard-bench-mx-"))
    ports = {h: harness.free_port() for h in HOSTS}
    metrics = {h: harness.free_port() for h in HOSTS}
    daemons: list[harness.DaemonProcess] = []
    with harness.gateway({h: f"inet:127.0.0.1:{p}" for h, p in ports.items()}) as (_sink, pf):
        try:
            prefix = f"bench{time.monotonic_ns()}:"
            for h in HOSTS:
                cfg = work / h / "coinguard.toml"
                cfg.parent.mkdir()
                cache = (f'\n[cache]\nbackend = "redis"\nurl = "{rd.url}"\nkey_prefix = "{prefix}"\n'
                         if mode == "redis" else f'\n[cache]\nbackend = "{mode}"\n')
                harness.write_daemon_config(cfg, ports[h], metrics[h], quarantine_backend="postgresql",
                                            quarantine_dir=cfg.parent / "q", postfix_config_dir=pf.config_dir,
                                            workers=workers, extra=cache)
                cfg.write_text(cfg.read_text().replace(
                    "[quarantine]\n", f'[quarantine]\ndsn = "{dsn}"\nhost_name = "{h}"\n', 1).replace(
                    "dns_port = 9\n", f"dns_port = {DNS.port}\n", 1))
                d = harness.DaemonProcess(cfg, ports[h], cfg.parent / "daemon.log", env=daemon_env)
                d.launch()
                daemons.append(d)
            for d in daemons:
                d.wait_ready(180)
            for h in HOSTS:  # warm each daemon's workers with a clean message
                harness.send(pf.ports[h], make_message())
            yield _Hosts(pf, dsn, metrics, _parties(daemons, pf, pg, rd), daemons, ports)
        finally:
            for d in daemons:
                if d.proc is not None and d.proc.poll() is None:
                    d.proc.terminate()
            for d in daemons:
                d.stop()


def _idle_cpu(parties: dict[str, Any], seconds: float = 2.0) -> dict[str, float]:
    """CPU milliseconds per second of each process group with no mail flowing (timers, keep-alives...):
    part of every campaign's CPU per message, the less the faster mail comes."""
    before = {name: cpu() for name, cpu in parties.items()}
    started = time.perf_counter()
    time.sleep(seconds)
    elapsed = time.perf_counter() - started
    return {name: (cpu() - before[name]) * 1000 / elapsed for name, cpu in parties.items()}


def _filter_ms(r: dict[str, Any]) -> float:
    """The filter's own CPU ms per message: the daemons and their scan workers."""
    return float(sum(r["cpu_ms"][g] for g in FILTER))


def _line(r: dict[str, Any]) -> str:
    return " / ".join(f"{r['cpu_ms'][g]:.1f}" for g in GROUPS) + f" = {sum(r['cpu_ms'].values()):.1f}"


def _daemon_env(option: str) -> dict[str, str] | None:
    """The daemons' environment (they run in their own folders: this checkout's package first, by absolute
    path), or None when root or Postfix is missing (said on stderr)."""
    from integration import harness

    reason = harness.missing_prerequisite()
    if reason:
        print(f"{option}: cannot run: {reason}", file=sys.stderr)
        return None
    return {"PYTHONPATH": os.pathsep.join([str(REPO / "milter"), *(
        os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)])}


def run_daemons(n: int, concurrency: int, workers: int, pg: PgServer, rd: RedisServer,
                kinds: tuple[str, ...] = ("zip",), rounds: int = 1) -> int:
    """Three real ``coinguard run`` daemons behind one private Postfix, sharing PostgreSQL and Redis: each
    campaign's end-to-end rate (SMTP in -> quarantined in PostgreSQL) without and with the shared cache,
    and the CPU milliseconds per message of each process group; ``rounds`` times (cache off, then Redis),
    medians in the table."""
    daemon_env = _daemon_env("--daemons")
    if daemon_env is None:
        return 2
    print(f"three daemons ({workers} worker(s) each), {n} copies per campaign round-robin, "
          f"{concurrency} SMTP clients; kinds: {', '.join(kinds)}; {rounds} round(s)", flush=True)
    print("CPU ms per message: " + " / ".join(GROUPS) + " = total", flush=True)
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for rnd in range(rounds):
        for mode in ("off", "redis"):
            with _hosts(mode, workers, pg, rd, daemon_env) as hosts:
                idle = _idle_cpu(hosts.parties)
                print(f"round {rnd + 1} cache {mode}: idle CPU ms/s "
                      + " / ".join(f"{idle[g]:.1f}" for g in GROUPS), flush=True)
                for kind in kinds:
                    r = _send_campaign(kind, n, concurrency, hosts.pf, hosts.dsn, hosts.parties, hosts.metrics)
                    results.setdefault((kind, mode), []).append(r)
                    print(f"{kind:<7} cache {mode:<5} {r['rate']:>7.1f} msg/s  CPU ms/msg {_line(r)}"
                          f"  filter {_filter_ms(r):.1f}  hit rate {r['hit_rate']:.1%}"
                          f"  ({r['count']}/{n} quarantined, {r['bad']} not accepted)", flush=True)
    med = statistics.median
    print(f"\n{'kind':<7} {'bytes':>7} {'uncached msg/s':>14} {'shared msg/s':>12} {'ratio':>6} {'CPU ratio':>9} "
          f"{'filter CPU ratio':>16} {'hit rate':>8}  (medians of {rounds} round(s); CPU ratio: all processes, "
          f"filter: daemons + workers)")
    for kind in kinds:
        offs, ons = results[(kind, "off")], results[(kind, "redis")]
        rate = [on["rate"] / off["rate"] for off, on in zip(offs, ons, strict=True)]
        cpu = [sum(off["cpu_ms"].values()) / max(sum(on["cpu_ms"].values()), 0.001)
               for off, on in zip(offs, ons, strict=True)]
        filt = [_filter_ms(off) / max(_filter_ms(on), 0.001) for off, on in zip(offs, ons, strict=True)]
        print(f"{kind:<7} {offs[0]['bytes']:>7} {med(r['rate'] for r in offs):>14.1f} "
              f"{med(r['rate'] for r in ons):>12.1f} {med(rate):>5.1f}x {med(cpu):>8.1f}x {med(filt):>15.1f}x "
              f"{med(r['hit_rate'] for r in ons):>8.1%}")
    print("\nCPU ms per message by group (medians), uncached | shared cache: " + " / ".join(GROUPS) + " = total")
    for kind in kinds:
        cols = []
        for mode in ("off", "redis"):
            rs = results[(kind, mode)]
            groups = {g: med(r["cpu_ms"][g] for r in rs) for g in GROUPS}
            cols.append(" / ".join(f"{groups[g]:.1f}" for g in GROUPS) + f" = {sum(groups.values()):.1f}")
        print(f"{kind:<7} {cols[0]} | {cols[1]}")
    return 0


def _host_parties(daemons: list[Any]) -> dict[str, Any]:
    """"mx-a daemon" / "mx-a workers" ... -> a function giving that process's (that tree's) CPU seconds so far."""
    import psutil

    out: dict[str, Any] = {}
    for host, d in zip(HOSTS, daemons, strict=False):
        if d.proc is None:
            continue
        root = psutil.Process(d.proc.pid)
        out[f"{host} daemon"] = functools.partial(_own_cpu_s, root)
        out[f"{host} workers"] = functools.partial(_tree_cpu_s, root, with_root=False)
    return out


def _direct_campaign(kind: str, n: int, concurrency: int, hosts: _Hosts, unique: bool = False,
                     tag: str = "", profile: Path | None = None) -> dict[str, Any]:
    """``n`` copies of ``kind`` handed to the three daemons round-robin over the milter protocol itself
    (bench/milter_client.py: one session per message, ``concurrency`` at a time), no MTA: the rate until the
    last end-of-message reply (a quarantined copy is in PostgreSQL before its reply), CPU ms per message of
    each group and, per copy it handled, of each daemon and its workers, the cache hit rate, the replies by action."""
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor

    from milter_client import MilterSession

    messages = [(HOSTS[i % 3], i, campaign(i, kind, unique)) for i in range(n)]
    qtag = f"{tag}{kind[:2]}{'U' if unique else 'C'}{time.monotonic_ns() % 10**6:06d}".upper()

    def one(m: tuple[str, int, bytes]) -> str:
        host, i, raw = m
        with MilterSession.open(("127.0.0.1", hosts.milter_ports[host])) as s:
            return s.message(raw, sender="alerts@binance-verify.example", rcpts=[f"user{i}@corp.example"],
                             queue_id=f"{qtag}{i:05d}", client=("localhost", "127.0.0.1")).action

    counts_before = _cache_counts(hosts.metrics)
    cpu_before = {name: cpu() for name, cpu in hosts.parties.items()}
    host_before = {name: cpu() for name, cpu in hosts.host_parties.items()}
    with contextlib.ExitStack() as profiling:
        if profile is not None:
            from bench_gateway import Profile

            profile.parent.mkdir(parents=True, exist_ok=True)
            for host, d in zip(HOSTS, hosts.daemons, strict=False):  # the tree (workers), the daemon's Python CPU
                profiling.enter_context(Profile(d.proc.pid, Path(f"{profile}-{host}.txt"), tree=True, gil=True))
                profiling.enter_context(Profile(d.proc.pid, Path(f"{profile}-{host}-daemon-gil.txt")))
            time.sleep(1.0)  # py-spy attached
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as ex:
            actions = Counter(ex.map(one, messages))
        elapsed = time.perf_counter() - started
    cpu_ms = {name: (cpu() - cpu_before[name]) * 1000 / n for name, cpu in hosts.parties.items()}
    # per copy the host was handed (round-robin: copy i went to HOSTS[i % 3]), not per copy of the whole run
    handled = {h: sum(1 for m in messages if m[0] == h) for h in HOSTS}
    host_ms = {name: (cpu() - host_before[name]) * 1000 / max(1, handled[name.split()[0]])
               for name, cpu in hosts.host_parties.items()}
    after = _cache_counts(hosts.metrics)
    lookups = {r: after[r] - counts_before[r] for r in vc.RESULTS}
    total = sum(lookups.values())
    return {"kind": kind, "n": n, "count": n, "rate": n / elapsed, "cpu_ms": cpu_ms, "host_ms": host_ms,
            "lookups": lookups, "hit_rate": lookups["hit"] / total if total else 0.0, "actions": dict(actions),
            "bad": n - actions.get("discard", 0), "bytes": len(messages[0][2])}


def _postfix_alone(kind: str, n: int, concurrency: int) -> dict[str, Any]:
    """The same copies through a private Postfix with no milter, relaying to Postfix's smtp-sink (C, counts
    and discards), until the sink has them all: the MTA's own rate here, the ceiling of any milter behind it
    (bench_gateway.py's ``none`` peer).  CPU ms per message of Postfix's processes and of this process."""
    import shutil
    from concurrent.futures import ThreadPoolExecutor

    import psutil
    from bench_gateway import CountingSink

    from integration import harness

    base = Path(tempfile.mkdtemp(prefix="coinguard-bench-pf-"))
    os.chmod(base, 0o755)
    sink = CountingSink()
    pf = harness.PrivatePostfix(base, sink.port, {"none": ""})
    try:
        pf.start()
        port = pf.ports["none"]
        master = psutil.Process(pf.master_pid() or os.getpid())
        parties = {"postfix": lambda: _tree_cpu_s(master), "clients": lambda: _own_cpu_s(psutil.Process())}
        messages = [campaign(i, kind) for i in range(n + 20)]
        for raw in messages[n:]:  # warm: Postfix's smtpd and smtp processes started
            harness_send(port, raw)
        end = time.monotonic() + 60
        while sink.count() < len(messages) - n and time.monotonic() < end:
            time.sleep(0.05)
        before, cpu_before = sink.count(), {name: cpu() for name, cpu in parties.items()}
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as ex:
            codes = list(ex.map(lambda raw: harness_send(port, raw), messages[:n]))
        while sink.count() - before < n and time.perf_counter() - started < 600:
            time.sleep(0.01)
        elapsed = time.perf_counter() - started
        count = sink.count() - before
        cpu_ms = dict.fromkeys(GROUPS, 0.0) | {
            name: (cpu() - cpu_before[name]) * 1000 / max(1, count) for name, cpu in parties.items()}
    finally:
        pf.stop()
        sink.stop()
        shutil.rmtree(base, ignore_errors=True)
    return {"kind": kind, "n": n, "count": count, "rate": count / elapsed, "cpu_ms": cpu_ms, "lookups": {},
            "hit_rate": 0.0, "bad": sum(c != 250 for c in codes) + max(0, n - count), "bytes": len(messages[0])}


#: --direct: the cache modes, and what each run sends
DIRECT_MODES = ("off", "memory", "redis")
DIRECT_TRAFFIC = ("milter campaign", "milter unique", "postfix campaign")


def run_direct(n: int, concurrency: int, smtp_concurrency: int, workers: int, pg: PgServer, rd: RedisServer,
               kinds: tuple[str, ...], rounds: int = 1, modes: tuple[str, ...] = DIRECT_MODES,
               profile: str = "") -> int:
    """The filter's own capacity, without the MTA's cost, beside the end-to-end figure through Postfix.

    Per round: Postfix alone with no milter (``postfix alone``), then per cache mode (three fresh daemons
    each) every campaign's copies handed to the daemons round-robin over the milter protocol (``milter
    campaign``), the same with a unique attachment per copy (``milter unique``: the attachment's bytes differ,
    its zip members do not), and the campaign through Postfix (``postfix campaign``, SMTP in -> quarantined in
    PostgreSQL)."""
    daemon_env = _daemon_env("--direct")
    if daemon_env is None:
        return 2
    print(f"three daemons ({workers} worker(s) each), {n} copies per run round-robin, {concurrency} milter "
          f"sessions / {smtp_concurrency} SMTP clients at a time; kinds: {', '.join(kinds)}; modes: "
          f"{', '.join(modes)}; {rounds} round(s); load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f}", flush=True)
    print("CPU ms per message: " + " / ".join(GROUPS) + " = total", flush=True)
    results: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for rnd in range(rounds):
        for kind in kinds:  # no daemon running
            r = _postfix_alone(kind, n, smtp_concurrency)
            results.setdefault((kind, "postfix alone", "-"), []).append(r)
            print(f"{kind:<7} {'postfix alone':<16} cache -      {r['rate']:>7.1f} msg/s  CPU ms/msg {_line(r)}"
                  f"  ({r['count']}/{n} delivered to smtp-sink)", flush=True)
            if r["bad"]:
                print(f"--direct: {kind} postfix alone: {r['bad']} of {n} not delivered", file=sys.stderr)
                return 1
        for mode in modes if rnd % 2 == 0 else modes[::-1]:
            with _hosts(mode, workers, pg, rd, daemon_env) as hosts:
                idle = _idle_cpu(hosts.parties)
                print(f"round {rnd + 1} cache {mode}: idle CPU ms/s "
                      + " / ".join(f"{idle[g]:.1f}" for g in GROUPS), flush=True)
                for kind in kinds:
                    runs: list[tuple[str, dict[str, Any]]] = []
                    prof = Path(profile) / f"{mode}-{kind}" if profile else None
                    runs.append(("milter campaign", _direct_campaign(
                        kind, n, concurrency, hosts, tag=mode[0],
                        profile=prof.with_name(prof.name + "-campaign") if prof else None)))
                    if kind in ZIP_KINDS:
                        runs.append(("milter unique", _direct_campaign(kind, n, concurrency, hosts, unique=True,
                                                                       tag=mode[0])))
                    runs.append(("postfix campaign", _send_campaign(kind, n, smtp_concurrency, hosts.pf, hosts.dsn,
                                                                    hosts.parties, hosts.metrics)))
                    for traffic, r in runs:
                        key = mode
                        results.setdefault((kind, traffic, key), []).append(r)
                        per_host = "  ".join(
                            f"{h} {r['host_ms'][f'{h} daemon']:.2f}+{r['host_ms'][f'{h} workers']:.2f}"
                            for h in HOSTS if f"{h} daemon" in r.get("host_ms", {}))
                        replies = f" {r['actions']}" if r.get("actions") else ""
                        per_copy = sum(r["lookups"].values()) / max(1, r["count"])
                        print(f"{kind:<7} {traffic:<16} cache {key:<6} {r['rate']:>7.1f} msg/s  CPU ms/msg {_line(r)}"
                              f"  filter {_filter_ms(r):.1f}  hit rate {r['hit_rate']:.1%}"
                              + (f" ({per_copy:.2f} lookups/copy)" if r["lookups"] else "") + "  "
                              f"({r['count']}/{n}, {r['bad']} not as expected{replies})"
                              + (f"\n        daemon+workers CPU ms per copy it handled, by host: {per_host}"
                                 if per_host else ""),
                              flush=True)
                        if r["bad"]:
                            print(f"--direct: {kind} {traffic} cache {mode}: {r['bad']} of {n} copies not "
                                  "quarantined: no trustworthy figure", file=sys.stderr)
                            return 1
    _direct_table(results, kinds, modes, rounds)
    return 0


#: the campaigns whose attachment is a zip (unique copies: a zip comment per copy)
ZIP_KINDS = ("zip", "lnk", "invoice")


def _direct_table(results: dict[tuple[str, str, str], list[dict[str, Any]]], kinds: tuple[str, ...],
                  modes: tuple[str, ...], rounds: int) -> None:
    """Medians per kind, traffic and mode; each mode against cache off as the median of the rounds' own
    ratios (msg/s, and the filter's CPU per message: the steadier one when the machine's load drifts)."""
    med = statistics.median
    others = [m for m in modes if m != "off"]
    print(f"\nmsg/s and the filter's CPU ms per message (daemons + workers), medians of {rounds} round(s); "
          "against cache off (same traffic, same round): msg/s ratio / filter CPU ratio")
    print(f"{'kind':<8} {'traffic':<17}" + "".join(f" {m + ' msg/s':>13} {'filter ms':>9}" for m in modes)
          + "".join(f" {m + '/off':>14}" for m in others) + "  hit rate " + "/".join(others))
    for kind in kinds:
        alone = results.get((kind, "postfix alone", "-"))
        if alone:
            print(f"{kind:<8} {'postfix alone':<17} {med(r['rate'] for r in alone):>13.1f} {'-':>9}  (no milter)")
        for traffic in DIRECT_TRAFFIC:
            rows = {m: results.get((kind, traffic, m)) or [] for m in modes}
            if not all(rows.values()):
                continue
            line = f"{kind:<8} {traffic:<17}"
            for m in modes:
                line += f" {med(r['rate'] for r in rows[m]):>13.1f} {med(_filter_ms(r) for r in rows[m]):>9.1f}"
            for m in others if "off" in rows else ():
                pairs = list(zip(rows["off"], rows[m], strict=False))
                rate = med(on["rate"] / off["rate"] for off, on in pairs)
                cpu = med(_filter_ms(off) / max(_filter_ms(on), 0.001) for off, on in pairs)
                line += f" {rate:>6.1f}x/{cpu:>4.1f}x  "
            line += "  " + "/".join(f"{med(r['hit_rate'] for r in rows[m]):.0%}" for m in others)
            print(line)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=300, help="copies of the campaign per mode (default 300)")
    ap.add_argument("--modes", default="none,memory,redis,redis-only",
                    help="comma-separated: none, memory, redis, redis-only")
    ap.add_argument("--daemons", action="store_true",
                    help="instead: three real `coinguard run` daemons behind a private Postfix (root, Postfix)")
    ap.add_argument("-c", type=int, default=6, help="--daemons: concurrent SMTP clients (default 6)")
    ap.add_argument("--workers", type=int, default=1, help="--daemons: scan workers per daemon (default 1)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="--daemons: run cache off then Redis this many times; the table gives medians (default 1)")
    ap.add_argument("--direct", action="store_true",
                    help="instead: three real daemons driven over the milter protocol (bench/milter_client.py, no "
                    "MTA) with the cache off, in-process (memory) and shared (redis), the campaign and unique "
                    "attachments, beside the same campaign through Postfix and Postfix alone (root, Postfix)")
    ap.add_argument("--direct-modes", default=",".join(DIRECT_MODES),
                    help=f"--direct: cache modes, comma-separated (default {','.join(DIRECT_MODES)})")
    ap.add_argument("--profile", default="", metavar="DIR",
                    help="--direct: sample every daemon's process tree with py-spy during the milter runs "
                    "(DIR/<mode>-<kind>-campaign-<host>.txt, threads holding the GIL, collapsed stacks for "
                    "bench/profile_top.py; "
                    "...-<host>-daemon-gil.txt: the daemon process alone, threads holding the GIL)")
    ap.add_argument("--sessions", type=int, default=12,
                    help="--direct: concurrent milter sessions (default 12)")
    ap.add_argument("--puts", action="store_true",
                    help="instead: time the quarantine write alone (n puts per kind, twice: wall, this process's "
                    "CPU, PostgreSQL's CPU)")
    ap.add_argument("--kind", default="zip", help=f"comma-separated campaigns (tests/campaigns.py): "
                    f"{', '.join(campaigns.KINDS)} or all (default zip)")
    args = ap.parse_args()
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    kinds = campaigns.KINDS if args.kind == "all" else tuple(k.strip() for k in args.kind.split(",") if k.strip())
    unknown = set(kinds) - set(campaigns.KINDS)
    if unknown:
        ap.error(f"unknown --kind {', '.join(sorted(unknown))} (of {', '.join(campaigns.KINDS)})")

    print("starting private PostgreSQL, Redis and SMTP sink on loopback ...", flush=True)
    pg, rd, sink = PgServer(), RedisServer(), Sink()
    pg.init()
    pg.start()
    rd.start()
    sink.start()
    stores: list[PostgresStore] = []
    try:
        if args.direct:
            return run_direct(args.n, args.sessions, args.c, args.workers, pg, rd, kinds, args.rounds,
                              tuple(m.strip() for m in args.direct_modes.split(",") if m.strip()), args.profile)
        if args.daemons:
            return run_daemons(args.n, args.c, args.workers, pg, rd, kinds, args.rounds)
        if args.puts:
            return run_puts(args.n, pg, kinds)
        pg.admin("CREATE DATABASE coinguard OWNER coinguard")
        settings = PgSettings(dsn=pg.dsn("coinguard"))
        migrate(settings)
        qcfg = QuarantineConfig(path=tempfile.mkdtemp(prefix="coinguard-bench-"), release_method="smtp",
                                release_smtp=f"127.0.0.1:{sink.port}")
        stores = [PostgresStore(qcfg, settings=settings, host=h) for h in HOSTS]
        ruleset = compile_rules(CFG.rules.dirs)
        generation = vc.generation_for(ruleset.source_hash, CFG)
        print(f"{ruleset.count} YARA rules; {args.n} copies per mode, round-robin on {', '.join(HOSTS)}\n")
        results: list[dict[str, Any]] = []
        for kind in kinds:
            runs = [run_mode(m, args.n, ruleset.rules, generation, stores, rd.url, kind) for m in modes]
            results += runs
            base = next((r for r in runs if r["mode"] == "none"), None)
            print(f"campaign {kind} ({len(campaign(0, kind))} B)")
            print(f"{'cache':<10} {'msg/s':>7} {'scan msg/s':>10} {'scan ms p50':>11} {'put ms p50':>10} "
                  f"{'speed-up':>8} {'hit rate':>8}  lookups hit/miss/error")
            for r in runs:
                speed = f"{r['scan_msg_s'] / base['scan_msg_s']:.1f}x" if base else "-"
                c = r["counts"]
                print(f"{r['mode']:<10} {r['msg_s']:>7.1f} {r['scan_msg_s']:>10.1f} {r['scan_ms_median']:>11.2f} "
                      f"{r['put_ms_median']:>10.2f} {speed:>8} {r['hit_rate']:>8.1%}  "
                      f"{c['hit']}/{c['miss']}/{c['error']}")
            verdicts = set().union(*(r["verdicts"] for r in runs))
            print(f"verdicts identical across modes and copies: {len(verdicts) == 1} "
                  f"({next(iter(verdicts))[:2] if verdicts else '-'})\n", flush=True)
        import psycopg
        import redis

        info = redis.Redis.from_url(rd.url).info("memory")
        keys = redis.Redis.from_url(rd.url).dbsize()
        print(f"redis: {keys} keys, used_memory {info['used_memory'] / 1024:.0f} KiB "
              f"({(info['used_memory'] - info.get('used_memory_startup', 0)) / max(1, keys):.0f} B/key above startup)")
        with psycopg.connect(settings.dsn) as conn:
            size, rows = conn.execute("SELECT pg_total_relation_size('quarantine_message'), count(*)"
                                      " FROM quarantine_message").fetchone() or (0, 0)
        print(f"postgresql: quarantine_message {rows} rows, {size / 1024:.0f} KiB with indexes and TOAST "
              f"({size / max(1, rows) / 1024:.1f} KiB/message)")
        quarantined = [q for r in results for q in r["quarantined"]]
        print(f"quarantined into the shared PostgreSQL: {len(quarantined)} "
              f"(by host: {', '.join(f'{h}={sum(1 for q in quarantined if q[0] == h)}' for h in HOSTS)})")
        if quarantined:
            for line in check_shared_quarantine(stores, quarantined, sink):
                print(line)
    finally:
        for s in stores:
            s.close()
        sink.stop()
        rd.destroy()
        pg.destroy()
        DNS.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
