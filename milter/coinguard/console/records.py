"""What the console reads and writes beside the store: body text, finding descriptions,
the audit trail of one message, the allowlist file, searching and paging.

Everything here uses only the store's public API (``list``/``show``/``audit.records``), so it
works for any back end.  Paging is done in memory over ``list``; a store that grows large
(PostgreSQL) would want ``list(filters, offset, limit)`` with a total count.

"""

from __future__ import annotations

import email
import email.policy
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from functools import cache
from pathlib import Path
from typing import Any

from coinguard.quarantine import Entry, Filters, QuarantineStore

#: Largest audit log read for one message's trail (the rest, oldest first, is skipped).
MAX_TEXT_PARTS = 20


@cache
def _catalogue() -> dict[str, tuple[str, float]]:
    from coinguard.catalogue import catalogue

    return {code: (info.description, info.score) for code, info in catalogue().items()}


def _lookup(code: str) -> tuple[str, float] | None:
    cat = _catalogue()
    probe = code
    while probe:
        if probe in cat:
            return cat[probe]
        wild = probe.rsplit(".", 1)[0] + ".*"
        if wild in cat:
            return cat[wild]
        probe = probe.rpartition(".")[0]
    return None


def describe(code: str) -> str:
    """The plain-words description of a finding code (exact, else the nearest catalogued prefix)."""
    found = _lookup(code)
    return found[0] if found else ""


def reasons(codes: Sequence[str], limit: int = 3) -> list[str]:
    """Why a message was held, for recipients: the weightiest codes in words, informational ones left out."""
    scored = []
    for i, code in enumerate(codes):
        found = _lookup(code)
        text, score = found if found else (code, 1.0)  # an uncatalogued code (a YARA rule): evidence
        if score > 0:
            scored.append((-score, i, text or code))
    return list(dict.fromkeys(text for _, _, text in sorted(scored)))[:limit]


# --------------------------------------------------------------------------- the body, as text only


@dataclass(frozen=True, slots=True)
class TextPart:
    label: str  # "text/plain" or "text/html (shown as text)"
    text: str
    truncated: bool


def body_text(raw: bytes, limit: int) -> list[TextPart]:
    """The readable text parts of a message, decoded but never rendered.

    HTML is reduced to its text with BeautifulSoup (no element, attribute or URL in it is
    followed); the template escapes whatever comes out.
    """
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:
        return [TextPart("unparsable", f"(the message could not be parsed: {exc})", False)]
    out: list[TextPart] = []
    budget = limit
    for part in _text_parts(msg):
        if len(out) >= MAX_TEXT_PARTS or budget <= 0:
            break
        ctype = part.get_content_type()
        try:
            text = part.get_content()
        except Exception:
            payload = part.get_payload(decode=True)
            text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload or "")
        if not isinstance(text, str):
            continue
        label = ctype
        if ctype == "text/html":
            text, label = _html_text(text), "text/html, shown as plain text"
        out.append(TextPart(label, text[:budget], len(text) > budget))
        budget -= len(text)
    return out


def _text_parts(msg: EmailMessage) -> Iterator[EmailMessage]:
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if part.get_content_disposition() == "attachment":
            continue
        if part.get_content_type() in ("text/plain", "text/html"):
            yield part  # type: ignore[misc]


def _html_text(html: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title"]):
        tag.decompose()
    lines = (line.strip() for line in soup.get_text("\n").splitlines())
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------- audit trail


def audit_trail(store: QuarantineStore, qid: str) -> list[dict[str, Any]]:
    """Every audit record about ``qid``, oldest first."""
    return store.audit.records(qid)


def released_to(trail: Sequence[dict[str, Any]]) -> set[str]:
    """Addresses a copy was successfully released to (lower-cased)."""
    done: set[str] = set()
    for rec in trail:
        if rec.get("action") == "release" and rec.get("result") == "ok" and isinstance(rec.get("target"), list):
            done.update(str(t).lower() for t in rec["target"])
    return done


# --------------------------------------------------------------------------- searching


@dataclass(frozen=True, slots=True)
class Search:
    sender: str = ""
    recipient: str = ""
    subject: str = ""
    verdict: str = ""
    code: str = ""
    host: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def filters(self) -> Filters:
        return Filters(sender=self.sender, recipient=self.recipient, since=self.since, until=self.until,
                       verdict=self.verdict, code=self.code)

    def matches(self, e: Entry) -> bool:
        if self.subject and self.subject.lower() not in e.subject.lower():
            return False
        return not (self.host and self.host.lower() not in str(getattr(e, "host", "")).lower())


def search(store: QuarantineStore, s: Search) -> list[Entry]:
    return [e for e in store.list(s.filters()) if s.matches(e)]


def for_recipient(store: QuarantineStore, rcpt: str) -> list[Entry]:
    """Only messages with ``rcpt`` itself among the envelope recipients (the filter is a substring)."""
    want = rcpt.lower()
    return [e for e in store.list(Filters(recipient=rcpt)) if want in (r.lower() for r in e.rcpts)]


def parse_date(text: str, end: bool = False) -> datetime | None:
    """``2026-11-25`` or ``2026-11-25T13:40`` (UTC); ``end`` makes a bare date cover the whole day."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"expected a date like 2026-11-25, got {text!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    if end and len(text) == 10:
        dt = dt.replace(hour=23, minute=59, second=59, microsecond=999999)
    return dt


# --------------------------------------------------------------------------- allowlist


def allowlist_add(path: str | os.PathLike[str], records: Sequence[dict[str, Any]]) -> None:
    """Append allowlist records (JSON Lines, O_APPEND, 0600, one write)."""
    p = Path(path)
    p.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    data = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records).encode("utf-8")
    fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def allowlist_records(kind: str, values: Sequence[str], *, user: str, qid: str, note: str) -> list[dict[str, Any]]:
    when = datetime.now(UTC).isoformat(timespec="seconds")
    rec: dict[str, Any] = {"added": when, "by": user, "from_quarantine_id": qid, "note": note[:500]}
    out = []
    for v in values:
        r = {**rec, "kind": kind, "value": v}
        if kind == "sender_domain":
            r["require"] = "dkim_aligned_pass"  # never trusted on the bare From address
        out.append(r)
    return out
