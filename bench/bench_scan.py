#!/usr/bin/env python3
"""Offline scan cost per message class, through the real ``scan_message`` (run by hand).

    .venv/bin/python bench/bench_scan.py [--n 200]

Prints, per class: messages/s on one core, mean and p95 ms, and the peak RSS of this
process.  No network, no Postfix: this isolates the pipeline's own cost from the
gateway (see bench/bench_gateway.py for that).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from coinguard.config import parse_config
from coinguard.rules import compile_rules
from coinguard.scan import ScanContext, scan_message

from helpers import make_message, zip_bytes


def classes() -> dict[str, bytes]:
    text2k = "Hello Bob,\n" + ("The quarterly numbers are attached and look fine. " * 40) + "\n"
    html = "<html><body>" + "<p>Newsletter paragraph with a <a href='https://example.org/x'>link</a>.</p>" * 800
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    pdf += b"trailer<</Root 1 0 R>>\n%%EOF\n"
    filler = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. " * 25)[:2000]
    return {
        "text2k": make_message(body=text2k),
        # bench_gateway.py's "attach" message: a 2 KB body and an ~85 KB zip (text + random data)
        "gateway_attach_85k": make_message(body=filler, attachments=[(
            "report.zip", zip_bytes({"report.txt": ((filler + "\n") * 40).encode(), "data.bin": os.urandom(60_000)}),
            "application/zip")]),
        "html100k": make_message(body="see html", html=html),
        "zip_of_text_1MiB": make_message(attachments=[("logs.zip", zip_bytes({f"log{i}.txt": os.urandom(1) * 100_000
                                                                          for i in range(10)}))]),
        "pdf_attachment": make_message(attachments=[("report.pdf", pdf, "application/pdf")]),
        "random_binary_5MiB": make_message(attachments=[("blob.bin", os.urandom(5 * 1024 * 1024))]),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100, help="messages per class")
    args = ap.parse_args()
    # DKIM never asks the machine's resolver here: keys come from a loopback port where nothing listens
    cfg = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.5\n')
    rules = compile_rules(cfg.rules.dirs).rules
    ctx = ScanContext(config=cfg, rules=rules)
    print(f"{'class':<22} {'bytes':>9} {'msg/s':>8} {'mean ms':>8} {'p95 ms':>8}")
    for name, raw in classes().items():
        scan_message(raw, ctx)  # warm-up
        times = []
        for _ in range(args.n):
            t = time.perf_counter()
            scan_message(raw, ctx)
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{name:<22} {len(raw):>9} {1000 / statistics.mean(times):>8.1f} {statistics.mean(times):>8.2f} "
              f"{p95:>8.2f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
