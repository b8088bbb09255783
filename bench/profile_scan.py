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


if __name__ == "__main__":
    sys.exit(main())
