"""Allowlists that an attacker cannot spoof: what is trusted, and what trusting it does to a verdict.

Three kinds, each tied to something a forger cannot produce (a bare From address is never one):

- ``sha256``: an attachment's (or nested file's) exact bytes;
- ``macro_sha256``: a document's VBA/XLM source as olevba extracts it (:func:`macro_hash` of the
  ``<vba>`` Item the office analyzer emits), so a partner's spreadsheet stays trusted when its
  cell values change but not when its code does;
- ``sender_domain``: the From domain, and only when a DKIM signature of that organisation passed
  and is aligned with From (``dkim.aligned``; ``"require": "dkim_aligned_pass"`` in the file).

Entries come from ``[policy] allow_sha256 / allow_macro_sha256 / allow_dkim_domains`` and from the
JSON Lines file that the console's "allowlist from here" appends to (``[policy] allowlist_file``,
by default the console's ``allowlist_file``).  The file is re-read when it changes; a record with
``"removed": true`` revokes its value (the last record for a value wins); unknown kinds and
malformed lines are skipped (and logged once per change).

The ``allow`` message analyzer reports each hit as a finding; :func:`effect` is what the policy
does with those findings:

- ``allow.sha256`` / ``allow.macro``: the findings at or below the allowlisted item stop counting
  (kept in the verdict with score 0 and ``[allowlisted]`` in their detail, so the decision stays
  explained).  For ``allow.macro`` only the macro evidence goes: findings of the ``office``
  analyzer on the document itself and everything under its ``<vba>`` source; anything else in the
  document (an embedded executable, an exploit) still counts.
- ``allow.sender_domain``: nothing is zeroed; the action is capped at ``tag`` (delivered,
  labelled) -- unless a *conclusive* finding (:data:`CONCLUSIVE`: the EICAR test file, a
  decompression bomb) is present: a trusted partner's hacked mailbox must not deliver malware.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from coinguard.findings import Finding
from coinguard.limits import BOMB

if TYPE_CHECKING:
    from coinguard.config import Config

log = logging.getLogger(__name__)

ALLOW_SHA256 = "allow.sha256"
ALLOW_MACRO = "allow.macro"
ALLOW_SENDER = "allow.sender_domain"
#: Findings no sender-domain allowlist can outweigh.
CONCLUSIVE = frozenset({BOMB, "yara.coinguard_eicar_test_file"})
#: The file kinds read (the console writes ``sha256`` and ``sender_domain``).
KINDS = ("sha256", "macro_sha256", "sender_domain")
#: Largest allowlist file read (a bigger one is read up to here, and that is logged).
MAX_FILE_BYTES = 16 * 1024 * 1024
#: The name of the office analyzer's macro-source child Item, and the analyzer whose findings it explains.
MACRO_ITEM = "<vba>"
MACRO_ANALYZER = "office"
MARK = " [allowlisted]"


@dataclass(frozen=True, slots=True)
class Allowlist:
    sha256: frozenset[str] = frozenset()
    macro_sha256: frozenset[str] = frozenset()
    sender_domains: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.sha256 or self.macro_sha256 or self.sender_domains)


def macro_hash(source: bytes) -> str:
    """The hash a macro allowlist entry names: SHA-256 of the ``<vba>`` Item's data.

    That Item is the office analyzer's normalised extract (every module's source, olevba's
    attribute lines dropped, then the form strings), so it is the ``<vba>`` entry's ``sha256`` in
    the verdict's attachments list (``coinguard scan --json``).
    """
    return hashlib.sha256(source).hexdigest()


def parse_records(lines: Iterable[str], source: str = "<allowlist>") -> tuple[dict[str, set[str]], list[str]]:
    """Kind -> values from JSON Lines records (last record for a value wins), and the problems seen."""
    state: dict[tuple[str, str], bool] = {}
    problems: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            problems.append(f"{source}:{number}: not JSON: {exc}")
            continue
        if not isinstance(rec, dict) or not isinstance(rec.get("value"), str) or not rec["value"].strip():
            problems.append(f"{source}:{number}: expected an object with a string 'value'")
            continue
        kind = rec.get("kind")
        if kind not in KINDS:
            continue  # a kind this version does not know: ignored, as docs/console.md asks
        if kind == "sender_domain" and rec.get("require") != "dkim_aligned_pass":
            problems.append(f"{source}:{number}: sender_domain without \"require\": \"dkim_aligned_pass\" ignored")
            continue
        state[(kind, rec["value"].strip().lower().rstrip("."))] = not rec.get("removed", False)
    out: dict[str, set[str]] = {k: set() for k in KINDS}
    for (kind, value), present in state.items():
        if present:
            out[kind].add(value)
    return out, problems


class _FileCache:
    """The parsed allowlist file, re-read when its size or mtime changes (one per process)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: tuple[str, int, int] | None = None
        self.values: dict[str, set[str]] = {k: set() for k in KINDS}

    def get(self, path: str) -> dict[str, set[str]]:
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return {k: set() for k in KINDS}
        except OSError as exc:
            log.warning("allowlist %s unreadable: %s", path, exc)
            return {k: set() for k in KINDS}
        key = (path, st.st_size, st.st_mtime_ns)
        with self.lock:
            if key != self.key:
                try:
                    with open(path, "rb") as fh:
                        data = fh.read(MAX_FILE_BYTES)
                except OSError as exc:
                    log.warning("allowlist %s unreadable: %s", path, exc)
                    return {k: set() for k in KINDS}
                if len(data) >= MAX_FILE_BYTES:
                    log.warning("allowlist %s: only the first %d bytes read", path, MAX_FILE_BYTES)
                self.values, problems = parse_records(data.decode("utf-8", "replace").splitlines(), path)
                for problem in problems[:20]:
                    log.warning("allowlist %s", problem)
                self.key = key
            return self.values


_CACHE = _FileCache()


def file_path(cfg: Config) -> str:
    return cfg.policy.allowlist_file or cfg.console.allowlist_file


def load(cfg: Config) -> Allowlist:
    """The configured lists plus the allowlist file's current records."""
    values = _CACHE.get(file_path(cfg))

    def norm(items: Iterable[str]) -> frozenset[str]:
        return frozenset(v.strip().lower().rstrip(".") for v in items if v.strip())

    return Allowlist(
        sha256=norm([*cfg.policy.allow_sha256, *values["sha256"]]),
        macro_sha256=norm([*cfg.policy.allow_macro_sha256, *values["macro_sha256"]]),
        sender_domains=norm([*cfg.policy.allow_dkim_domains, *values["sender_domain"]]),
    )


# --------------------------------------------------------------------------- the policy's side
def _under(path: str, top: str) -> bool:
    return path == top or path.startswith(top + "/")


def effect(findings: Sequence[Finding]) -> tuple[tuple[Finding, ...], bool]:
    """(findings with the allowlisted ones scored 0, whether the action is capped at tag)."""
    whole = [f.path for f in findings if f.code == ALLOW_SHA256 and f.path]
    macro = [f.path for f in findings if f.code == ALLOW_MACRO and f.path]

    def trusted(f: Finding) -> bool:
        if f.code.startswith("allow."):
            return False
        if any(_under(f.path, top) for top in whole):
            return True
        return any((f.path == doc and f.analyzer == MACRO_ANALYZER) or _under(f.path, f"{doc}/{MACRO_ITEM}")
                   for doc in macro)

    out = tuple(replace(f, score=0.0, detail=f.detail + MARK) if trusted(f) and (f.score or 0) > 0 else f
                for f in findings)
    sender = any(f.code == ALLOW_SENDER for f in findings)
    conclusive = any(f.code in CONCLUSIVE and (f.score or 0) > 0 for f in out)
    return out, sender and not conclusive
