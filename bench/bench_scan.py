#!/usr/bin/env python3
"""Offline scan cost per message class, through the real ``scan_message`` (run by hand).

    PYTHONPATH=milter .venv/bin/python bench/bench_scan.py [--n 200] [--classes text2k,...]
    PYTHONPATH=milter .venv/bin/python bench/bench_scan.py --campaign 1000 [--campaign-kinds zip,office]

Prints, per class: messages/s on one core, mean and p95 ms, and the peak RSS of this
process.  No network, no Postfix: this isolates the pipeline's own cost from the
gateway (see bench/bench_gateway.py for that).  DNS (SPF/DMARC/DKIM) goes to a loopback
server of this script answering NXDOMAIN at once (bench/nxdomain_dns.py; ``--dns closed``:
the closed port 127.0.0.1:9, where every lookup waits for its timeout).

``--campaign N`` scans N copies of one campaign (the same attachment, another Subject,
Message-ID and recipient per copy) once without a verdict cache and once with the
in-process one (``[cache] backend = "memory"``, what a daemon's worker has), and prints both
rates, their ratio, the cache hit rate and whether every copy got the same verdict.  Kinds:
``zip`` (bench_gateway's 60 KB zip of text and random data), ``binary`` (its 100 KB random
attachment), ``office`` (a DDE docx and an XLM macro sheet in a zip, quarantined) and the other
crypto-lure campaigns of tests/campaigns.py: ``xlm``, ``pdf``, ``lnk``.
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

import campaigns
from coinguard import cache as verdict_cache
from coinguard.config import Config, parse_config
from coinguard.rules import compile_rules
from coinguard.scan import Envelope, ScanContext, scan_message

from helpers import make_message, zip_bytes

sys.path.insert(0, str(Path(__file__).resolve().parent))
from nxdomain_dns import NxdomainDns

CLOSED_DNS = '[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.5\n'


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


def campaign_messages(kind: str, n: int) -> list[bytes]:
    """``n`` copies of one campaign: the same attachment bytes, per-copy Subject, Message-ID (and recipient)."""
    if kind in ("office", "xlm", "pdf", "lnk"):
        # tests/campaigns.py ("office" is its "zip": a DDE docx and an XLM sheet in a zip)
        return [campaigns.copy("zip" if kind == "office" else kind, i) for i in range(n)]
    from bench_gateway import make_messages

    return make_messages(kind, n)


def run_campaign(kind: str, n: int, cfg: Config, rules: object) -> None:
    messages = campaign_messages(kind, n + 1)
    rates: dict[str, float] = {}
    cpu: dict[str, float] = {}
    verdicts: set[tuple[str, float, tuple[str, ...]]] = set()
    for mode in ("off", "memory"):
        cache = None if mode == "off" else verdict_cache.LruCache(cfg.cache)
        scan_message(messages[0], ScanContext(config=cfg, rules=rules))  # warm-up: imports, tables (no cache)
        t, c0 = time.perf_counter(), time.process_time()
        for i, raw in enumerate(messages[1:]):
            env = Envelope(id=f"C{i}", queue_id=f"C{i:08X}", sender="alerts@campaign.example",
                           rcpts=(f"user{i}@corp.example",))
            v = scan_message(raw, ScanContext(config=cfg, rules=rules, envelope=env, cache=cache))
            verdicts.add((str(v.verdict), round(v.score, 2), tuple(sorted(v.codes))))
        rates[mode] = n / (time.perf_counter() - t)
        cpu[mode] = (time.process_time() - c0) * 1000 / n
        hit = f"{cache.stats.hit_rate():.1%}" if cache is not None else "-"
        print(f"campaign {kind:<7} cache {mode:<7} {len(messages[1]):>8} B {rates[mode]:>8.1f} msg/s "
              f"{1000 / rates[mode]:>7.2f} ms/msg {cpu[mode]:>7.2f} CPU ms/msg  hit rate {hit}", flush=True)
    print(f"campaign {kind:<7} cached / uncached: {rates['memory'] / rates['off']:.1f}x msg/s, "
          f"{cpu['off'] / cpu['memory']:.1f}x CPU; same verdict for every copy in both modes: "
          f"{len(verdicts) == 1} {sorted(verdicts)[0][:2]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100, help="messages per class")
    ap.add_argument("--classes", default="", help="comma-separated classes to run (default: all)")
    ap.add_argument("--campaign", type=int, default=0, metavar="N",
                    help="instead: N copies of one campaign, without and with the verdict cache")
    ap.add_argument("--campaign-kinds", default="zip,binary,office",
                    help="campaign kinds (zip, binary, office, xlm, pdf, lnk)")
    ap.add_argument("--dns", choices=("nxdomain", "closed"), default="nxdomain",
                    help="nameserver: a loopback NXDOMAIN server (default) or the closed port 127.0.0.1:9")
    args = ap.parse_args()
    with NxdomainDns() as dns:
        # DNS never leaves the machine: a loopback server answering NXDOMAIN, or a closed loopback port
        cfg = parse_config(dns.config() if args.dns == "nxdomain" else CLOSED_DNS)
        rules = compile_rules(cfg.rules.dirs).rules
        if args.campaign:
            for kind in args.campaign_kinds.split(","):
                run_campaign(kind, args.campaign, cfg, rules)
            return 0
        return run_classes(args, ScanContext(config=cfg, rules=rules))


def run_classes(args: argparse.Namespace, ctx: ScanContext) -> int:
    wanted = set(args.classes.split(",")) if args.classes else None
    print(f"{'class':<22} {'bytes':>9} {'msg/s':>8} {'mean ms':>8} {'p95 ms':>8} {'CPU ms':>8}")
    for name, raw in classes().items():
        if wanted is not None and name not in wanted:
            continue
        scan_message(raw, ctx)  # warm-up
        times = []
        c0 = time.process_time()
        for _ in range(args.n):
            t = time.perf_counter()
            scan_message(raw, ctx)
            times.append((time.perf_counter() - t) * 1000)
        cpu = (time.process_time() - c0) * 1000 / args.n
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{name:<22} {len(raw):>9} {1000 / statistics.mean(times):>8.1f} {statistics.mean(times):>8.2f} "
              f"{p95:>8.2f} {cpu:>8.2f}", flush=True)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {rss:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
