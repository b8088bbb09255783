"""Where ``scan_message`` spends its time on the gateway bench's messages (run by hand).

    PYTHONPATH=milter /work/main/.venv/bin/python bench/profile_scan.py [--kinds text,binary,zip] [--n 100] [--top 15]

Builds the messages of bench/bench_gateway.py, scans one of each kind to warm up (imports, the
brand table, compiled rules), then profiles N scans with cProfile and prints, per kind, the mean
milliseconds per message and the functions with the most own time, then the most cumulative
time.  The same pipeline ``coinguard scan`` runs; DKIM asks the closed loopback port 9.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

from coinguard.config import parse_config
from coinguard.rules import compile_rules
from coinguard.scan import ScanContext, scan_message

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_gateway import make_messages


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kinds", default="text,binary,zip")
    ap.add_argument("--n", type=int, default=100, help="messages profiled per kind (default 100)")
    ap.add_argument("--top", type=int, default=15, help="functions listed per ordering (default 15)")
    args = ap.parse_args()
    cfg = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.5\n')
    ctx = ScanContext(config=cfg, rules=compile_rules(cfg.rules.dirs).rules)
    for kind in args.kinds.split(","):
        msgs = make_messages(kind, args.n + 1)
        scan_message(msgs[0], ctx)
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        for raw in msgs[1:]:
            scan_message(raw, ctx)
        prof.disable()
        wall = (time.perf_counter() - t0) * 1000 / args.n
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(args.top)
        stats.sort_stats("cumulative").print_stats(args.top + 10)
        print(f"===== {kind}: {len(msgs[0])} bytes, {wall:.2f} ms per message under the profiler")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
