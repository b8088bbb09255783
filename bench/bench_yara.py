#!/usr/bin/env python3
"""YARA cost per match call: the flat rule set against the scoped sets (run by hand).

    PYTHONPATH=milter /work/main/.venv/bin/python bench/bench_yara.py [--rules DIR] [--n 200]

For each sample (empty, 2 KB text, 100 KB random, 100 KB zip, plus a small PE, an
OLE-looking blob, macro source and RTF) it prints the CPU milliseconds of one match
call as the YARA analyzer makes it (externals, fast mode, timeout, warnings callback):

- ``flat``: every rule file compiled into one set, as before rule scopes existed;
- ``scoped``: the set of the sample's class (:mod:`coinguard.yara_scope`), which is what
  ``coinguard scan`` and the daemon run now.

It also names the rule files that cost most compiled alone, on empty and on 100 KB
of random data, with their scope (``--top``), and (``--floor``) what a set of N made-up
literal strings costs on the same random data: libyara's byte loop has a floor that a
few dozen strings already reach (100 strings: ~0.33 ms per 100 KB, the whole binary set
~0.72 ms), so taking rules out of a set pays only when almost all of them go.  No network; one core.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import yara

from coinguard.analyzers.yara_rules import _quiet_warning, externals_for
from coinguard.config import Config
from coinguard.findings import Item
from coinguard.rules import EXTERNALS, find_rule_files
from coinguard.yara_scope import classify, compile_scoped, scope_table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from test_yara_scope import tiny_pe  # noqa: E402  (the PE header the scope tests use)


def samples() -> dict[str, Item]:
    rnd = os.urandom(100_000)
    blob = io.BytesIO()
    with zipfile.ZipFile(blob, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("report.txt", "The quarterly numbers are attached. " * 1500)
        z.writestr("data.bin", os.urandom(80_000))
    text = (b"Hello Bob, the quarterly numbers are attached and look fine. " * 40)[:2048]
    vba = (b'Sub Document_Open()\n    Dim s As String\n    s = "hello" & " world"\n    MsgBox s\nEnd Sub\n' * 25)[:2048]
    rtf = b"{\\rtf1\\ansi{\\fonttbl\\f0\\fswiss Helvetica;}\\f0\\pard " + b"plain text paragraph \\par " * 1500 + b"}"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(30_000)

    def it(name: str, data: bytes, type_: str, role: str = "attachment", source: str = "mime") -> Item:
        return Item(path=name, name=name, data=data, type=type_, role=role, source=source)

    return {
        "empty": it("empty.txt", b"", "empty"),
        "text 2 KB": it("<body>", text, "text", role="text", source="message"),
        "random 100 KB": it("blob.bin", rnd, "binary"),
        "zip 100 KB": it("report.zip", blob.getvalue()[:100_000], "zip"),
        "pe 1 KB": it("setup.exe", tiny_pe(), "pe"),
        "ole 30 KB": it("invoice.doc", ole, "ole.doc"),
        "macro 2 KB": it("<vba>", vba, "text", role="extracted", source="office"),
        "rtf 40 KB": it("letter.rtf", rtf, "rtf"),
    }


def per_call_ms(rules: Any, item: Item, n: int, rounds: int = 3) -> float:
    """The fastest of ``rounds`` means of ``n`` calls, in CPU time of this process (the least
    disturbed by other load on a shared machine)."""
    ext = externals_for(item)

    def once() -> None:
        rules.match(data=item.data, externals=ext, fast=True, timeout=10, warnings_callback=_quiet_warning)

    once()
    best = float("inf")
    for _ in range(rounds):
        t0 = time.process_time()
        for _ in range(n):
            once()
        best = min(best, (time.process_time() - t0) / n * 1000)
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rules", action="append", help="rule directory (default: the configured dirs)")
    ap.add_argument("--n", type=int, default=200, help="match calls per figure (default 200)")
    ap.add_argument("--top", type=int, default=5, help="costliest files to name (0: skip)")
    ap.add_argument("--floor", action="store_true", help="also time sets of 0-3000 made-up literal strings")
    args = ap.parse_args()
    files = find_rule_files(args.rules or list(Config().rules.dirs))
    flat = yara.compile(filepaths={f.namespace: f.path for f in files}, externals=EXTERNALS)
    scoped = compile_scoped(files, EXTERNALS)
    scope = scope_table(files)
    print(f"yara {yara.YARA_VERSION}, {scoped.count} rules in {len(files)} files, "
          f"{len(scoped.sets)} scoped sets; CPU ms per match call (best mean of 3 x {args.n} calls)")
    print(f"{'sample':<15} {'class':<6} {'flat ms':>8} {'scoped ms':>10} {'change':>7}")
    items = samples()
    for name, item in items.items():
        cls = classify(item.type, item.role, item.source)
        a = per_call_ms(flat, item, args.n)
        b = per_call_ms(scoped.for_class(cls), item, args.n)
        print(f"{name:<15} {cls:<6} {a:>8.3f} {b:>10.3f} {100 * (b - a) / a:>+6.0f}%")
    if args.top:
        costs = []
        for f in files:
            alone = yara.compile(filepath=f.path, externals=EXTERNALS)
            costs.append((per_call_ms(alone, items["empty"], 20), per_call_ms(alone, items["random 100 KB"], 10), f))
        print("\ncostliest rule files compiled alone (ms per call on empty / random 100 KB data):")
        for empty_ms, rnd_ms, f in sorted(costs, key=lambda c: -c[1])[: args.top]:
            print(f"  {empty_ms:6.3f} {rnd_ms:6.3f}  {f.namespace} (scope: {', '.join(scope[f.namespace] or ['all'])})")
    if args.floor:
        print("\nmade-up sets of N 10-letter literal strings (ms per call on random 100 KB):")
        for n in (0, 10, 100, 1000, 3000):
            print(f"  {n:5d} {per_call_ms(floor_set(n), items['random 100 KB'], args.n):6.3f}")
    return 0


def floor_set(n: int) -> Any:
    """One rule of ``n`` random 10-letter ASCII strings (``condition: true`` for none)."""
    import random

    rnd = random.Random(n)
    strings = " ".join(f'$s{i} = "{"".join(rnd.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", k=10))}"'
                       for i in range(n))
    source = f"rule floor {{ strings: {strings} condition: any of them }}" if n else "rule floor { condition: true }"
    return yara.compile(source=source, externals=EXTERNALS)


if __name__ == "__main__":
    sys.exit(main())
