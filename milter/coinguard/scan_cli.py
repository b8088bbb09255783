"""``coinguard scan PATH... [--json]``: the gateway pipeline, offline.

Files are scanned in the order given (folders: their ``*.eml`` files, sorted,
recursively).  Exit 0 when every message is clean, 1 when any is suspicious or
malicious, 2 only when the scan itself could not run (unreadable path, bad config
or rules).  A malformed or hostile message is a verdict, never exit 2.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from coinguard.config import Config
from coinguard.findings import Verdict, VerdictKind

log = logging.getLogger(__name__)

EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR = 0, 1, 2
MESSAGE_SUFFIXES = (".eml", ".msg", ".txt")


def expand_paths(paths: Sequence[str]) -> Iterator[tuple[str, Path | None]]:
    """(label, path) for every message to scan; path None when the argument does not exist."""
    for arg in paths:
        p = Path(arg)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file() and child.suffix.lower() in MESSAGE_SUFFIXES:
                    yield str(child), child
        elif p.is_file():
            yield arg, p
        else:
            yield arg, None


def load_rules_for_scan(config: Config) -> Any:  # yara.Rules
    """Compile the configured rules once for this CLI run (RulesError propagates: exit 2)."""
    from coinguard.rules import compile_rules

    return compile_rules(config.rules.dirs).rules


def run_scan(paths: Sequence[str], config: Config, as_json: bool = False, out: TextIO | None = None) -> int:
    from coinguard.cache import local_cache
    from coinguard.errors import RulesError
    from coinguard.scan import Envelope, ScanContext, scan_message

    out = out or sys.stdout
    try:
        rules = load_rules_for_scan(config)
    except RulesError as exc:
        print(f"coinguard: rules do not compile: {exc}", file=sys.stderr)
        for file, line, message in exc.errors:
            print(f"  {file}:{line}: {message}", file=sys.stderr)
        return EXIT_ERROR
    worst = EXIT_CLEAN
    cache = local_cache(config.cache)  # the copies of one campaign in a folder are analysed once
    for label, path in expand_paths(paths):
        if path is None:
            print(f"coinguard: {label}: no such file or directory", file=sys.stderr)
            return EXIT_ERROR
        try:
            raw = path.read_bytes()
        except OSError as exc:
            print(f"coinguard: {label}: cannot read: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_ERROR
        verdict = scan_message(raw, ScanContext(config=config, rules=rules, envelope=Envelope(id=label), cache=cache,
                                                 indicators=as_json))
        _print(verdict, as_json, out)
        if verdict.verdict in (VerdictKind.SUSPICIOUS, VerdictKind.MALICIOUS):
            worst = EXIT_FOUND
    return worst


def _print(verdict: Verdict, as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(verdict.to_json(), ensure_ascii=False) + "\n")
        return
    out.write(f"{verdict.id}: {verdict.verdict} action={verdict.action} score={verdict.score:g}"
              f" crypto_theme={verdict.crypto_theme:g} ms={verdict.elapsed_ms}\n")
    for f in verdict.findings:
        where = f" [{f.path}]" if f.path else ""
        out.write(f"  {f.score or 0:>5g}  {f.code}{where}  {f.detail}\n")
    out.flush()
