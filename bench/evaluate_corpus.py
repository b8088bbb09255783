#!/usr/bin/env python3
"""Detection rates on the shared corpus through the real ``scan_message`` (run by hand).

    .venv/bin/python bench/evaluate_corpus.py [--corpus ../shared/corpus] [--rules] [--missed 20]
                                              [--dns offline|HOST:PORT|system] [--json-out FILE] [--timing]

Scans every message under ``phishing/`` and ``benign/`` (``.eml``/``.msg``/text mails) and the
malspam mails in ``maldocs/email`` (decompressed in memory, never written to disk) and prints:

- crypto phishing (``phishing/crypto``) flagged at or above the tag threshold, in %;
- other phishing (``phishing/other``) flagged, in %;
- benign false positives (>= tag threshold): count, each file with its score and top codes;
- maldocs mails: verdicts;
- how often each crypto/brand/dkim code fired per class;
- with ``--timing``: the wall time spent in each theme handler (crypto_theme, brands, addresses,
  seed_phrase, dkim_auth and their document variants) over the whole run, after one warm-up message.

DKIM keys cannot be fetched offline: with ``--dns offline`` (the default) every lookup fails at once
as ``dkim.temperror`` (score 0).  YARA rules
are off unless ``--rules`` is given (they belong to the attachment side, not the theme).
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import sys
import time
import zipfile
from pathlib import Path

from coinguard.analyzers.dkim_auth import DnsTempError
from coinguard.config import Config, load_config
from coinguard.scan import ScanContext, scan_message

REPO = Path(__file__).resolve().parents[1]
THEME_PREFIXES = ("crypto.", "brand.", "dkim.")


def _messages(root: Path) -> list[Path]:
    out = []
    for p in sorted(root.rglob("*")):
        if p.is_file() and "attachments" not in p.relative_to(root).parts and p.suffix.lower() not in (
            ".zip", ".md", ".tsv"):
            out.append(p)
    return out


def _maldoc_mails(root: Path) -> list[tuple[str, bytes]]:
    out = []
    for p in sorted((root / "maldocs" / "email").glob("*.zip")):
        with zipfile.ZipFile(p) as zf:
            for info in zf.infolist():
                if info.is_dir():
                    continue
                data = None
                for pw in (b"infected", b"infected-test"):
                    try:
                        data = zf.read(info, pwd=pw)
                        break
                    except RuntimeError:
                        continue
                if data is not None:
                    out.append((f"{p.relative_to(root)}/{info.filename}", data))
    return out


def _offline(name: bytes, timeout: float = 5.0) -> bytes | None:
    """DKIM dnsfunc for an offline run: no key can be fetched (temperror, score 0)."""
    raise DnsTempError("offline evaluation: no DNS")


THEME_MODULES = ("crypto_theme", "brands", "addresses", "seed_phrase", "dkim_auth")


def time_theme_handlers(totals: collections.Counter[str]) -> None:
    """Wrap the theme handlers' analyze/analyze_message so that their wall time adds up in ``totals``."""
    import importlib

    def wrap(cls: type, meth: str) -> None:
        orig = getattr(cls, meth)

        def timed(self: object, *args: object, **kw: object) -> object:
            started = time.perf_counter()
            out = list(orig(self, *args, **kw))
            totals[cls.name] += time.perf_counter() - started  # type: ignore[attr-defined]
            return iter(out)

        setattr(cls, meth, timed)

    for modname in THEME_MODULES:
        mod = importlib.import_module(f"coinguard.analyzers.{modname}")
        for obj in list(vars(mod).values()):
            if isinstance(obj, type) and obj.__module__ == mod.__name__ and hasattr(obj, "name"):
                for meth in ("handle", "analyze_message"):
                    if meth in vars(obj):
                        wrap(obj, meth)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"))
    ap.add_argument("-c", "--config", help="coinguard.toml (default: embedded defaults)")
    ap.add_argument("--rules", action="store_true", help="compile and use the YARA rules too")
    ap.add_argument("--dns", default="offline",
                    help="DKIM keys: 'offline' (every lookup is a temperror), HOST:PORT, or 'system' (resolv.conf)")
    ap.add_argument("--missed", type=int, default=10, help="list this many missed crypto phishing mails")
    ap.add_argument("--json-out", help="write one verdict per line here")
    ap.add_argument("--timing", action="store_true", help="print the time spent in each theme handler")
    args = ap.parse_args(argv)
    root = Path(args.corpus)
    if not (root / "MANIFEST.tsv").is_file():
        print(f"no corpus at {root}", file=sys.stderr)
        return 2
    cfg: Config = load_config(args.config) if args.config else Config()
    dns_resolver = None
    if args.dns == "offline":
        dns_resolver = _offline
    elif args.dns != "system":
        host, _, port = args.dns.rpartition(":")
        cfg = dataclasses.replace(cfg, dkim=dataclasses.replace(cfg.dkim, nameservers=(host,), dns_port=int(port),
                                                                dns_timeout_s=1.0))
    rules = None
    if args.rules:
        from coinguard.rules import compile_rules

        rules = compile_rules(cfg.rules.dirs).rules
    ctx = ScanContext(config=cfg, rules=rules, dns_resolver=dns_resolver)
    tag = cfg.policy.suspicious_score
    out = open(args.json_out, "w", encoding="utf-8") if args.json_out else None  # noqa: SIM115

    classes: dict[str, list[tuple[str, bytes]]] = {
        "phishing/crypto": [(str(p.relative_to(root)), p.read_bytes()) for p in _messages(root / "phishing/crypto")],
        "phishing/other": [(str(p.relative_to(root)), p.read_bytes()) for p in _messages(root / "phishing/other")],
        "benign": [(str(p.relative_to(root)), p.read_bytes()) for p in _messages(root / "benign")],
        "maldocs/email": _maldoc_mails(root),
    }
    handler_time: collections.Counter[str] = collections.Counter()
    if args.timing:
        time_theme_handlers(handler_time)
        for msgs in classes.values():
            if msgs:  # warm-up: lists, PSL, confusables and rules are loaded once per process
                scan_message(msgs[0][1], ctx)
                break
        handler_time.clear()
    results: dict[str, list[tuple[str, float, list[str], str]]] = {}
    code_counts: dict[str, collections.Counter[str]] = {}
    theme_hits: collections.Counter[str] = collections.Counter()
    started = time.monotonic()
    for name, msgs in classes.items():
        rows = []
        counts: collections.Counter[str] = collections.Counter()
        for path, data in msgs:
            v = scan_message(data, ctx)
            codes = [c for c in v.codes if v.findings]
            scored = [f"{f.code}={f.score:g}" for f in v.findings if (f.score or 0) > 0]
            rows.append((path, v.score, list(dict.fromkeys(scored)), v.verdict))
            theme_hits[name] += v.crypto_theme >= tag
            counts.update(c for c in set(codes) if c.startswith(THEME_PREFIXES))
            if out is not None:
                obj = v.to_json()
                obj["id"] = path
                out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        results[name] = rows
        code_counts[name] = counts
    if out is not None:
        out.close()

    def rate(name: str) -> str:
        rows = results[name]
        hit = sum(1 for r in rows if r[1] >= tag)
        return f"{hit}/{len(rows)} = {100.0 * hit / max(1, len(rows)):.1f}%"

    print(f"tag threshold {tag:g}; scanned {sum(len(v) for v in classes.values())} messages "
          f"in {time.monotonic() - started:.1f}s")
    print(f"crypto phishing flagged (>= tag): {rate('phishing/crypto')}")
    print(f"other phishing flagged (>= tag):  {rate('phishing/other')}")
    for name in ("phishing/crypto", "phishing/other", "benign"):
        n = len(results[name])
        print(f"  {name}: crypto theme/sender evidence alone >= tag: {theme_hits[name]}/{n} = "
              f"{100.0 * theme_hits[name] / max(1, n):.1f}%")
    fps = [r for r in results["benign"] if r[1] >= tag]
    print(f"benign false positives (>= tag):  {len(fps)}/{len(results['benign'])}")
    for path, score, codes, _ in fps:
        print(f"  FP {path} score={score:g} {' '.join(codes[:6])}")
    print(f"maldocs mails flagged (>= tag):   {rate('maldocs/email')}")
    for path, score, codes, verdict in results["maldocs/email"]:
        print(f"  {verdict:10} {score:6g} {path} {' '.join(codes[:4])}")
    missed = [r for r in results["phishing/crypto"] if r[1] < tag]
    if missed and args.missed:
        print(f"missed crypto phishing (first {args.missed} of {len(missed)}):")
        for path, score, codes, _ in missed[: args.missed]:
            print(f"  {path} score={score:g} {' '.join(codes[:6])}")
    print("crypto/brand/dkim codes per class (messages):")
    for name, counts in code_counts.items():
        print(f"  {name}: " + ", ".join(f"{c}={n}" for c, n in sorted(counts.items(), key=lambda kv: -kv[1])))
    if args.timing:
        print("theme handler time (whole run):")
        for name, secs in handler_time.most_common():
            print(f"  {name:24} {secs:7.3f}s")
        print(f"  {'total':24} {sum(handler_time.values()):7.3f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
