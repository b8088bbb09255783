"""Where ``scan_message`` spends its time on the gateway bench's messages (run by hand).

    PYTHONPATH=milter /work/main/.venv/bin/python bench/profile_scan.py [--kinds text,binary,zip] [--n 100] [--top 15]
        [--cache] [--dns nxdomain|closed] [--campaign] [--hosts 3]

Builds the messages of bench/bench_gateway.py, scans one of each kind to warm up (imports, the
brand table, compiled rules), then profiles N scans with cProfile and prints, per kind, the mean
milliseconds per message and the functions with the most own time, then the most cumulative
time.  The same pipeline ``coinguard scan`` runs.  DNS (SPF/DMARC/DKIM) asks a loopback server of this
script that answers NXDOMAIN at once (bench/nxdomain_dns.py); ``--dns closed`` asks the closed port 9
instead, where each lookup waits for its timeout (idle time, not CPU).

``--campaign`` scans the copies of bench/bench_shared_state.py's campaigns instead (tests/campaigns.py,
``--kinds zip,invoice,...``: per-copy recipient, Subject, Message-ID and boundaries, crypto lures that are
quarantined) with the envelope the daemon gives its workers in that bench (queue id, sender, recipient,
the milter client's address and HELO: SPF and DMARC are asked), round-robin over ``--hosts`` caches
(each host its own in-process cache, with ``--cache``), the first copy per host scanned before the clock
starts: what a cached copy costs a worker in the three-MX ``--direct`` bench.

``--cold`` (no profiler) times each scan twice over, in alternating rounds: back to back (warm CPU
caches, as above), and with the CPU caches flushed before each message (a copy of ``--flush-mb`` MiB,
outside the clock: what a pool worker meets when Postfix, the daemon, the sink and the other worker ran on
its core since its last message); CPU of the scanning thread only, median of the rounds.  Their
difference is the part of a worker's CPU per message in the gateway that is no code of ours: the same
instructions, run from cold caches.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from dataclasses import replace
from pathlib import Path

from coinguard import cache as verdict_cache
from coinguard.config import Config, parse_config
from coinguard.rules import compile_rules
from coinguard.scan import Envelope, ScanContext, scan_message

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_gateway import make_messages
from nxdomain_dns import NxdomainDns

CLOSED_DNS = '[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.5\n'


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kinds", default="text,binary,zip")
    ap.add_argument("--n", type=int, default=100, help="messages profiled per kind (default 100)")
    ap.add_argument("--top", type=int, default=15, help="functions listed per ordering (default 15)")
    ap.add_argument("--no-profile", action="store_true",
                    help="only time the scans (ms and CPU ms per message), without the profiler's overhead")
    ap.add_argument("--cache", action="store_true",
                    help="scan with the in-process verdict cache: the messages of a kind share their attachment, "
                    "so this profiles a campaign's cached path (the warm-up message fills the cache)")
    ap.add_argument("--unique", action="store_true",
                    help="every message's body and attachment differ (as bench_gateway's default), so no "
                    "in-process memo keyed by content (lure matches, normalised text) is warm")
    ap.add_argument("--campaign", action="store_true",
                    help="the copies of tests/campaigns.py's campaigns (kinds zip, xlm, pdf, lnk, invoice) with the "
                    "daemon's envelope, round-robin over --hosts caches")
    ap.add_argument("--hosts", type=int, default=3, help="--campaign: hosts, each its own cache (default 3)")
    ap.add_argument("--cold", action="store_true",
                    help="no profiler: thread CPU per message with warm caches and with the CPU caches flushed "
                    "before each message, alternating rounds (see above)")
    ap.add_argument("--flush-mb", type=int, default=48, help="--cold: MiB copied to flush the caches (default 48)")
    ap.add_argument("--rounds", type=int, default=6, help="--cold: rounds of each (default 6)")
    ap.add_argument("--dns", choices=("nxdomain", "closed"), default="nxdomain",
                    help="nameserver: a loopback NXDOMAIN server (default) or the closed port 127.0.0.1:9")
    args = ap.parse_args()
    with NxdomainDns() as dns:
        return profile(args, parse_config(dns.config() if args.dns == "nxdomain" else CLOSED_DNS))


def _campaign(kind: str, n: int, unique: bool) -> list[tuple[bytes, Envelope]]:
    """Copies of tests/campaigns.py's ``kind`` with the envelope the direct bench's daemons give their workers."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    import campaigns

    return [(campaigns.copy(kind, i, unique=unique),
             Envelope(id=f"Q{i:08X}", queue_id=f"Q{i:08X}", sender="alerts@binance-verify.example",
                      rcpts=(f"user{i}@corp.example",), client_addr="192.0.2.25", helo="mail.example.org"))
            for i in range(n)]


def profile(args: argparse.Namespace, cfg: Config) -> int:
    hosts = args.hosts if args.campaign else 1
    caches = [verdict_cache.LruCache(cfg.cache) if args.cache else None for _ in range(hosts)]
    rules = compile_rules(cfg.rules.dirs).rules
    ctxs = [ScanContext(config=cfg, rules=rules, cache=c) for c in caches]
    for kind in args.kinds.split(","):
        msgs = (_campaign(kind, args.n + hosts, args.unique) if args.campaign
                else [(m, Envelope()) for m in make_messages(kind, args.n + 1, unique=args.unique)])
        for n, (raw, env) in enumerate(msgs[:hosts]):  # the first copy per host: the cache's warm-up
            scan_message(raw, replace(ctxs[n], envelope=env))
        if args.cold:
            warm, cold = cold_rounds(msgs[hosts:], ctxs, args.rounds, args.flush_mb)
            print(f"{kind}: {len(msgs[0][0])} bytes, thread CPU ms per message: warm caches {warm:.3f}, "
                  f"cold caches {cold:.3f} ({cold / warm:.2f}x; median of {args.rounds} rounds of {args.n})",
                  flush=True)
            continue
        prof = cProfile.Profile()
        t0, c0 = time.perf_counter(), time.process_time()
        if not args.no_profile:
            prof.enable()
        for n, (raw, env) in enumerate(msgs[hosts:]):
            scan_message(raw, replace(ctxs[n % hosts], envelope=env))
        prof.disable()
        wall = (time.perf_counter() - t0) * 1000 / args.n
        cpu = (time.process_time() - c0) * 1000 / args.n
        if args.no_profile:
            print(f"{kind}: {len(msgs[0][0])} bytes, {wall:.2f} ms per message ({cpu:.2f} ms CPU)", flush=True)
            continue
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top + 10)
        print(f"===== {kind}: {len(msgs[0][0])} bytes, {wall:.2f} ms per message under the profiler "
              f"({cpu:.2f} ms CPU)")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))
    return 0


def cold_rounds(msgs: list[tuple[bytes, Envelope]], ctxs: list[ScanContext], rounds: int,
                flush_mb: int) -> tuple[float, float]:
    """(warm, cold) median thread CPU ms per message over alternating rounds (``--cold``)."""
    import os
    import statistics

    big = bytearray(os.urandom(flush_mb << 20))
    hosts = len(ctxs)
    out: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(rounds):
        for flush in (False, True):
            spent = 0.0
            for n, (raw, env) in enumerate(msgs):
                if flush:
                    bytes(big)  # read and write past every cache level, outside the clock
                t = time.thread_time()
                scan_message(raw, replace(ctxs[n % hosts], envelope=env))
                spent += time.thread_time() - t
            out[flush].append(spent * 1000 / len(msgs))
    return statistics.median(out[False]), statistics.median(out[True])


if __name__ == "__main__":
    sys.exit(main())
