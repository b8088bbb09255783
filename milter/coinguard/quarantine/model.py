"""Quarantine value types: IDs, list filters, entries, details, release results, ages.

Pure data and parsing; no files, no commands.  Every store returns these, so the CLI
(and any future back end) speaks one vocabulary.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from coinguard.errors import QuarantineError

#: Our own IDs: ``20261125T134140123456Z-9f3ac2d1e0b7`` (UTC time with microseconds, 48 random bits).
ID_RE = re.compile(r"\A\d{8}T\d{12}Z-[0-9a-f]{12}\Z")
#: Postfix queue IDs, short (hex) and long (base 52 with a ``z`` separator).  Letters and digits only,
#: so nothing can look like an option or a path, and ``ALL`` (too short) can never pass.
QUEUE_ID_RE = re.compile(r"\A[0-9A-Za-z]{6,32}\Z")
_ID_TIME = "%Y%m%dT%H%M%S%fZ"
_ADDR_RE = re.compile(r"\A[^\s\x00-\x1f\x7f<>]*\Z")


class QuarantineNotFound(QuarantineError):
    """No quarantined message has this ID."""


@dataclass(frozen=True, slots=True)
class Filters:
    """What ``list`` shows.  Text filters are case-insensitive substrings; ``code`` also matches a prefix."""

    sender: str = ""
    recipient: str = ""
    since: datetime | None = None
    until: datetime | None = None
    verdict: str = ""
    code: str = ""
    limit: int = 0

    def needs_headers(self) -> bool:
        return bool(self.verdict or self.code)

    def matches_envelope(self, entry: Entry) -> bool:
        if self.sender and self.sender.lower() not in entry.sender.lower():
            return False
        if self.recipient and not any(self.recipient.lower() in r.lower() for r in entry.rcpts):
            return False
        if self.since is not None and entry.received < self.since:
            return False
        return not (self.until is not None and entry.received > self.until)

    def matches(self, entry: Entry) -> bool:
        if not self.matches_envelope(entry):
            return False
        if self.verdict and entry.verdict.lower() != self.verdict.lower():
            return False
        if self.code:
            want = self.code.lower()
            return any(c.lower() == want or c.lower().startswith(want + ".") for c in entry.codes)
        return True


@dataclass(frozen=True, slots=True)
class Entry:
    """One quarantined message as ``list`` shows it."""

    id: str
    backend: str
    received: datetime
    sender: str
    rcpts: tuple[str, ...]
    size: int
    subject: str = ""
    message_id: str = ""
    verdict: str = ""
    score: float | None = None
    codes: tuple[str, ...] = ()
    queue_id: str = ""
    problem: str = ""  # set when the sidecar (or the message file) is missing or corrupt
    host: str = ""  # the MX host that quarantined it (stores shared by several hosts)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "backend": self.backend,
            "received": self.received.isoformat(timespec="seconds"),
            "from": self.sender,
            "rcpt": list(self.rcpts),
            "size": self.size,
            "subject": self.subject,
            "message_id": self.message_id,
            "verdict": self.verdict,
            "score": self.score,
            "codes": list(self.codes),
            "queue_id": self.queue_id,
        }
        if self.problem:
            out["problem"] = self.problem
        if self.host:
            out["host"] = self.host
        return out


@dataclass(frozen=True, slots=True)
class Detail:
    """What ``show`` returns: the entry, the stored verdict (dir only), headers, attachment list."""

    entry: Entry
    raw: bytes
    headers: tuple[tuple[str, str], ...]
    verdict: dict[str, Any] | None = None
    attachments: tuple[dict[str, Any], ...] = ()
    attachments_source: str = ""  # "verdict" (full tree from the scan) or "mime" (top-level parts only)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.entry.to_json(),
            "headers": [[k, v] for k, v in self.headers],
            "stored_verdict": self.verdict,
            "attachments": list(self.attachments),
            "attachments_source": self.attachments_source,
        }


@dataclass(frozen=True, slots=True)
class Released:
    id: str
    rcpts: tuple[str, ...]
    method: str
    kept: bool  # the message stays in quarantine (a copy went to --to)


# --------------------------------------------------------------------------- IDs and ages


def new_id(now: datetime | None = None) -> str:
    """A fresh, time-sortable quarantine ID; nothing in it comes from the message."""
    now = now or datetime.now(UTC)
    return f"{now.strftime(_ID_TIME)}-{secrets.token_hex(6)}"


def id_time(qid: str) -> datetime:
    return datetime.strptime(qid.split("-", 1)[0], _ID_TIME).replace(tzinfo=UTC)


def parse_age(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m``, ``2w``, ``45s`` (or a bare number of days) -> timedelta."""
    m = re.fullmatch(r"\s*(\d+)\s*([smhdw]?)\s*", text or "")
    if not m:
        raise ValueError(f"expected a duration like 30d, 12h or 90m, got {text!r}")
    n = int(m.group(1))
    unit = m.group(2) or "d"
    return timedelta(seconds=n * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit])


def check_addresses(addrs: Sequence[str], what: str) -> tuple[str, ...]:
    out = tuple(a.strip() for a in addrs)
    for a in out:
        if not _ADDR_RE.match(a):
            raise QuarantineError(f"refusing {what} address {a!r}: contains spaces, controls or <>")
    return out

