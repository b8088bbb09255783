"""Where ``scan_message`` spends its CPU on bench_soak's p99 mix, kind by kind (run by hand, offline).

    PYTHONPATH=milter /work/main/.venv/bin/python bench/profile_soak.py [--kinds xlsx,rtf,...] [--n 40]
        [--largest 10] [--top 20] [--no-profile] [--by-analyzer]

Builds ``--n`` messages of each kind with bench/bench_soak.py's own builders (same seeds, so the same
messages every run), warms up on one, then scans the ``--largest`` biggest of them (the tail the p99
is made of) and prints, per kind, the mean and max CPU ms per message and, unless ``--no-profile``,
the functions with the most own and cumulative time under cProfile.  ``--by-analyzer`` (no profiler)
splits each message's CPU by analyzer instead: the time the scan loop spends draining each
analyzer's results (``_Collector.consume``), and the MIME stage.  DNS asks a loopback server of
this script that answers NXDOMAIN at once (bench/nxdomain_dns.py), as bench/profile_scan.py does.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from coinguard import scan
from coinguard.config import parse_config
from coinguard.rules import compile_rules
from coinguard.scan import ScanContext, scan_message

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_soak import MIXES
from nxdomain_dns import NxdomainDns

DEFAULT_KINDS = "xlsx,rtf,xlsm-xlm,html,docx,pdf,zip"


def build(kind: str, n: int, seed: int) -> list[bytes]:
    builder = MIXES["p99"][kind][1]
    return [builder(i, random.Random(seed * 1_000_003 + i)) for i in range(n)]


@contextmanager
def cpu_by_analyzer() -> Iterator[dict[str, float]]:
    """CPU seconds per analyzer name (and "<mime stage>") while the block runs."""
    spent: dict[str, float] = defaultdict(float)
    consume, parse = scan._Collector.consume, scan._parse

    def timed_consume(self: scan._Collector, name: str, path: str, results: object) -> None:
        started = time.process_time()
        try:
            consume(self, name, path, results)  # type: ignore[arg-type]
        finally:
            spent[name] += time.process_time() - started

    def timed_parse(*args: object, **kwargs: object) -> object:
        started = time.process_time()
        try:
            return parse(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            spent["<mime stage>"] += time.process_time() - started

    scan._Collector.consume = timed_consume  # type: ignore[method-assign]
    scan._parse = timed_parse  # type: ignore[assignment]
    try:
        yield spent
    finally:
        scan._Collector.consume = consume  # type: ignore[method-assign]
        scan._parse = parse


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kinds", default=DEFAULT_KINDS, help=f"kinds of bench_soak's p99 mix (default {DEFAULT_KINDS})")
    ap.add_argument("--n", type=int, default=40, help="messages built per kind (default 40)")
    ap.add_argument("--largest", type=int, default=10, help="scan the N largest of them (default 10)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--top", type=int, default=20, help="functions listed per ordering (default 20)")
    ap.add_argument("--no-profile", action="store_true", help="only time the scans (CPU ms per message)")
    ap.add_argument("--by-analyzer", action="store_true", help="CPU ms per message by analyzer (no profiler)")
    args = ap.parse_args()
    if args.by_analyzer:
        args.no_profile = True
    with NxdomainDns() as dns:
        cfg = parse_config(dns.config())
        ctx = ScanContext(config=cfg, rules=compile_rules(cfg.rules.dirs).rules)
        for kind in args.kinds.split(","):
            msgs = sorted(build(kind, args.n, args.seed), key=len, reverse=True)[:args.largest]
            scan_message(msgs[-1], ctx)  # warm-up: imports, compiled rules, brand tables
            prof = cProfile.Profile()
            cpus: list[float] = []
            verdicts: set[str] = set()
            with cpu_by_analyzer() as spent:
                for raw in msgs:
                    c0 = time.process_time()
                    if not args.no_profile:
                        prof.enable()
                    v = scan_message(raw, ctx)
                    prof.disable()
                    cpus.append((time.process_time() - c0) * 1000)
                    verdicts.add(v.verdict.value if hasattr(v.verdict, "value") else str(v.verdict))
            sizes = [len(m) for m in msgs]
            print(f"===== {kind}: {len(msgs)} messages of {min(sizes)}-{max(sizes)} bytes: CPU ms per message "
                  f"mean {sum(cpus) / len(cpus):.1f} max {max(cpus):.1f}"
                  f"{' (under the profiler)' if not args.no_profile else ''}; verdicts {sorted(verdicts)}", flush=True)
            if args.by_analyzer:
                top = sorted(spent.items(), key=lambda kv: -kv[1])[:args.top]
                print("    " + ", ".join(f"{name} {sec * 1000 / len(msgs):.1f}" for name, sec in top), flush=True)
            if args.no_profile:
                continue
            out = io.StringIO()
            stats = pstats.Stats(prof, stream=out).strip_dirs()
            stats.sort_stats("tottime").print_stats(args.top)
            stats.sort_stats("cumulative").print_stats(args.top + 10)
            print("\n".join(line for line in out.getvalue().splitlines() if line.strip()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
