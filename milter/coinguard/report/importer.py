"""``coinguard quarantine import FILE...``: put what users report into the quarantine.

A user's "report phishing" arrives in one of three shapes:

- an ARF report (``multipart/report; report-type=feedback-report``, e.g. from a mail
  client's report button): the original is its ``message/rfc822`` part (or only its
  header block, ``text/rfc822-headers``), and ``Original-Rcpt-To`` names who got it;
- a forward with the original attached (``message/rfc822``, "forward as attachment"):
  unwrapped when the forward carries nothing but such attachments besides its own text,
  the reporter (the forward's ``From``) is the recipient hit;
- the saved message itself (``.eml``): stored as it is; its ``To``/``Cc`` stand in for the
  envelope recipients (``--rcpt`` overrides).

``--as-is`` stores the file itself in every case (a lure that carries a nested message
is not mistaken for a forward).  Each original is scanned with :func:`coinguard.scan.scan_message`
(the gateway pipeline), gets the finding ``report.user_reported`` (score 0: it changes no
verdict; ``quarantine list --code report`` finds them) and goes into the store with
``put``, like a message the daemon quarantined.
"""

from __future__ import annotations

import email
import email.policy
import email.utils
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from email.generator import BytesGenerator
from email.message import Message
from io import BytesIO
from pathlib import Path

from coinguard.config import Config
from coinguard.errors import QuarantineError
from coinguard.findings import Finding, Verdict
from coinguard.quarantine import QuarantineStore
from coinguard.report.settings import REPORTED_CODE
from coinguard.scan import Envelope, ScanContext, scan_message

#: Most originals taken from one forward, most recipients taken from a saved message's To/Cc.
MAX_ORIGINALS = 20
MAX_RECIPIENTS = 50


@dataclass(frozen=True, slots=True)
class Original:
    raw: bytes
    how: str  # "file", "forward", "arf", "arf-headers"
    rcpts: tuple[str, ...] = ()
    reporter: str = ""


@dataclass(frozen=True, slots=True)
class Imported:
    source: str
    id: str
    how: str
    verdict: Verdict


def _bytes(msg: Message) -> bytes:
    buf = BytesIO()
    BytesGenerator(buf, mangle_from_=False, policy=email.policy.compat32.clone(linesep="\r\n")).flatten(msg)
    return buf.getvalue()


def _first_address(msg: Message, name: str) -> str:
    pairs = email.utils.getaddresses([str(v) for v in msg.get_all(name, [])])
    return next((a.strip().lower() for _n, a in pairs if "@" in a), "")


def _attached_messages(msg: Message) -> list[Message]:
    out = []
    for part in msg.walk():
        if part is msg or part.get_content_type() != "message/rfc822":
            continue
        payload = part.get_payload()
        if isinstance(payload, list) and payload and isinstance(payload[0], Message):
            out.append(payload[0])
    return out[:MAX_ORIGINALS]


def _only_forwarded(msg: Message) -> bool:
    """The forward's own parts are text (its note) or the attached messages: nothing else to lose."""
    inside: set[int] = set()
    for inner in _attached_messages(msg):
        inside.update(id(p) for p in inner.walk())
    for part in msg.walk():
        if id(part) in inside or part.is_multipart() or part.get_content_type() == "message/rfc822":
            continue
        if part.get_content_maintype() != "text" or part.get_filename():
            return False
    return True


def _arf(msg: Message, reporter: str) -> list[Original]:
    rcpts: list[str] = []
    original: Original | None = None
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/feedback-report":
            fields = part.get_payload()
            report = fields[0] if isinstance(fields, list) and fields else None
            if isinstance(report, Message):
                rcpts += [str(v).strip().strip("<>").lower() for v in report.get_all("Original-Rcpt-To", [])]
        elif ctype == "message/rfc822" and original is None:
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                original = Original(_bytes(inner[0]), "arf", reporter=reporter)
        elif ctype == "text/rfc822-headers" and original is None:
            data = part.get_payload(decode=True)
            if isinstance(data, bytes):
                original = Original(data.rstrip(b"\r\n") + b"\r\n\r\n", "arf-headers", reporter=reporter)
    if original is None:
        return []
    return [replace(original, rcpts=tuple(r for r in rcpts if r) or ((reporter,) if reporter else ()))]


def originals(raw: bytes, as_is: bool = False) -> list[Original]:
    """The message(s) a file holds for import (see the module docstring)."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    if as_is:
        return [Original(raw, "file", _header_recipients(msg))]
    reporter = _first_address(msg, "From")
    if msg.get_content_type() == "multipart/report" and msg.get_param("report-type") == "feedback-report":
        found = _arf(msg, reporter)
        if found:
            return found
    inner = _attached_messages(msg)
    if inner and _only_forwarded(msg):
        rcpts = (reporter,) if reporter else ()
        return [Original(_bytes(m), "forward", rcpts, reporter) for m in inner]
    return [Original(raw, "file", _header_recipients(msg))]


def _header_recipients(msg: Message) -> tuple[str, ...]:
    """A saved message's own To/Cc: who it was addressed to (the envelope is gone)."""
    pairs = email.utils.getaddresses([str(v) for name in ("To", "Cc") for v in msg.get_all(name, [])])
    return tuple(dict.fromkeys(a.strip().lower() for _n, a in pairs if "@" in a))[:MAX_RECIPIENTS]


def mark_reported(verdict: Verdict, original: Original, source: str) -> Verdict:
    who = f"reported by {original.reporter}" if original.reporter else "reported"
    finding = Finding(REPORTED_CODE, "report", "", f"{who} ({original.how}, {Path(source).name})", score=0.0)
    marked = replace(verdict, findings=(*verdict.findings, finding))
    if verdict.indicators is not None:  # the scan's indicators list the codes: this one too
        marked = replace(marked, indicators={**verdict.indicators, "codes": marked.codes})
    return marked


def import_messages(paths: Sequence[str], cfg: Config, store: QuarantineStore, *, rules: object = None,
                    as_is: bool = False, rcpts: Sequence[str] = ()) -> Iterator[Imported]:
    """Scan and store every original in ``paths``, yielding each as it is stored.

    Raises QuarantineError on the first unreadable or oversized file or failed ``put``;
    what was yielded before is stored.
    """
    limit = cfg.scan.max_message_bytes
    for path in paths:
        try:
            size = os.stat(path).st_size
            if size > limit:
                raise QuarantineError(f"{path}: {size} bytes, larger than scan.max_message_bytes ({limit})")
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise QuarantineError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        for original in originals(raw, as_is=as_is):
            env = Envelope(id=f"import:{Path(path).name}", rcpts=tuple(rcpts) or original.rcpts)
            verdict = scan_message(original.raw, ScanContext(config=cfg, rules=rules, envelope=env, indicators=True))
            verdict = mark_reported(verdict, original, path)
            yield Imported(path, store.put(original.raw, verdict), original.how, verdict)
