"""``coinguard scan PATH... [--json]``: the gateway pipeline, offline.

Files are scanned in the order given (folders: their ``*.eml`` files, sorted,
recursively).  Exit status, for the whole run:

- 0: every message is clean;
- 1: a message is suspicious or malicious (whatever else the others are);
- 3: none is suspicious or malicious, but a message could not be fully read (verdict
  ``unchecked``: a limit, a damaged container, a tool that failed, the time budget) --
  not "clean", so never 0;
- 2: the scan itself could not run (unreadable path, bad config or rules); it stops there.

A malformed or hostile message is a verdict, never exit 2.  External tools (7-Zip, and
the programs rarfile starts) run under :mod:`coinguard.subproc` as in a scanner worker.
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

EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR, EXIT_UNCHECKED = 0, 1, 2, 3
#: A message's verdict -> the run's exit status; the run exits with the most severe one seen.
_EXIT_OF = {VerdictKind.SUSPICIOUS: EXIT_FOUND, VerdictKind.MALICIOUS: EXIT_FOUND,
            VerdictKind.UNCHECKED: EXIT_UNCHECKED}
_SEVERITY = (EXIT_CLEAN, EXIT_UNCHECKED, EXIT_FOUND)
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


def exit_status(verdicts: Sequence[VerdictKind]) -> int:
    """The run's exit status for these verdicts (see the module docstring)."""
    return max((_EXIT_OF.get(v, EXIT_CLEAN) for v in verdicts), key=_SEVERITY.index, default=EXIT_CLEAN)


def run_scan(paths: Sequence[str], config: Config, as_json: bool = False, out: TextIO | None = None) -> int:
    from coinguard import subproc
    from coinguard.cache import local_cache
    from coinguard.errors import RulesError
    from coinguard.scan import Envelope, ScanContext, scan_message

    out = out or sys.stdout
    subproc.set_default_timeout(config.scan.timeout_s)  # as a worker does (pool._guard_tools)
    subproc.guard_rarfile()
    try:
        rules = load_rules_for_scan(config)
    except RulesError as exc:
        print(f"coinguard: rules do not compile: {exc}", file=sys.stderr)
        for file, line, message in exc.errors:
            print(f"  {file}:{line}: {message}", file=sys.stderr)
        return EXIT_ERROR
    seen: list[VerdictKind] = []
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
        seen.append(verdict.verdict)
    return exit_status(seen)


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
