"""From a verdict to what the MTA is told: headers, subject tag, quarantine, reject, tempfail.

The milter implements :class:`Mta` (a handful of libmilter operations); :func:`apply`
decides which to call.  Nothing here imports libmilter, so the whole mapping is tested
with a recording fake.  A new action is a new branch in :func:`apply` (and, if it needs
a new MTA operation, one method on :class:`Mta`).

Quarantine asks the store who keeps the message (``store.mta_holds``): the MTA (hold
it, label it, accept) or the store (``put``, then discard; a failed ``put`` tempfails).
"""

from __future__ import annotations

import logging
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from coinguard.buffer import MessageBuffer
from coinguard.config import Config
from coinguard.findings import Action, Verdict, VerdictKind
from coinguard.metrics import Metrics
from coinguard.recipients import RECIPIENTS_DIFFER

log = logging.getLogger(__name__)

#: Longest X-Coinguard-Findings list (codes, and characters: the header stays one line well under
#: RFC 5322's 998); the rest is summarised as "+N".
MAX_HEADER_CODES = 20
MAX_HEADER_CHARS = 800
_REPLY_RE = re.compile(r"^\s*([45]\d\d)(?:\s+([45]\.\d{1,3}\.\d{1,3}))?\s*(.*)$", re.S)
#: Actions that dry-run turns into "accept, and say what would have happened".
_DRY_RUN_ACTIONS = (Action.STRIP, Action.QUARANTINE, Action.REJECT, Action.TEMPFAIL)
#: Added to a message whose attachments were stripped (and removed from incoming mail).
STRIPPED_HEADER = "X-Coinguard-Stripped"


class Reply(NamedTuple):
    """An SMTP reply for setreply: ``("550", "5.7.1", "text")``."""

    code: str
    xcode: str | None
    text: str


class Mta(Protocol):
    """What the milter can tell the MTA about the current message.

    Header values are given without libmilter's leading-space convention; the
    implementation adds it.  The terminal operations return the callback's reply code.
    """

    def add_header(self, name: str, value: str, index: int = -1) -> None: ...
    def change_header(self, name: str, index: int, value: str) -> None: ...
    def delete_header(self, name: str, index: int) -> None: ...
    def quarantine_hold(self, reason: str) -> None: ...
    def replace_body(self, body: bytes) -> None: ...
    def accept(self) -> int: ...
    def discard(self) -> int: ...
    def reject(self, reply: Reply) -> int: ...
    def tempfail(self, reply: Reply | None) -> int: ...


class QuarantineSink(Protocol):
    """What the milter needs of a quarantine store (``coinguard.quarantine.QuarantineStore`` is one)."""

    @property
    def backend(self) -> str: ...
    @property
    def mta_holds(self) -> bool: ...
    def put(self, raw: bytes, verdict: Verdict) -> str: ...
    def close(self) -> None: ...


@dataclass
class Outcome:
    """What :func:`apply` did: the reply code, the action taken, extra log fields."""

    rc: int
    action: Action
    fields: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- header values
def parse_reply(reply: str) -> Reply:
    """``"550 5.7.1 text"`` -> ("550", "5.7.1", "text") for setreply; '%' doubled."""
    m = _REPLY_RE.match(reply)
    if not m:
        raise ValueError(f"not an SMTP 4xx/5xx reply: {reply!r}")
    return Reply(m.group(1), m.group(2), m.group(3).strip().replace("%", "%%"))


def authserv_id(cfg: Config) -> str:
    return cfg.dkim.authserv_id or socket.gethostname()


#: RFC 2045 tspecials: where a token (an unquoted authserv-id) ends.
_TSPECIALS = frozenset('()<>@,;:\\"/[]?=')


def _skip_comment(text: str, i: int) -> int:
    """Index after the (nested, backslash-escaping) comment opening at ``i``; an open one runs to the end."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        depth += (c == "(") - (c == ")")
        i += 1
        if depth == 0:
            break
    return min(i, len(text))


def _skip_cfws(text: str, i: int) -> int:
    """Index of the first character after whitespace/folding and comments at ``i``."""
    while i < len(text):
        if text[i] in " \t\r\n":
            i += 1
        elif text[i] == "(":
            i = _skip_comment(text, i)
        else:
            break
    return i


def _leading_value(text: str) -> str:
    """The RFC 2045 ``value`` (token or quoted-string) at the start of ``text``, after CFWS."""
    i = _skip_cfws(text, 0)
    if text[i:i + 1] == '"':
        out, i = [], i + 1
        while i < len(text) and text[i] != '"':
            if text[i] == "\\":
                i += 1
            if i < len(text) and text[i] not in "\r\n":
                out.append(text[i])
            i += 1
        return "".join(out)
    j = i
    while j < len(text) and not (text[j] in _TSPECIALS or text[j].isspace() or ord(text[j]) < 32):
        j += 1
    return text[i:j]


def _without_comments(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "(":
            i = _skip_comment(text, i)
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def ar_is_ours(value: bytes, server: str) -> bool:
    """Does this Authentication-Results value claim our authserv-id, however it is spelled?

    RFC 8601 §2.2: ``[CFWS] authserv-id [CFWS authres-version] ...`` where authserv-id is a
    token or a quoted-string; comments nest, folding is whitespace, case does not matter,
    and a trailing root dot names the same host.  Two readings are checked, so a reader
    that drops comments without a gap (``our(x)id``) is not fooled either: the header is
    ours (and removed) when either yields our authserv-id.
    """
    text = value.decode("utf-8", "replace")
    want = server.strip().rstrip(".").lower()
    if not want:
        return False
    return any(_leading_value(t).rstrip(".").lower() == want for t in (text, _without_comments(text)))


def verdict_header_value(verdict: Verdict, would: Action | None = None) -> str:
    parts = [str(verdict.verdict)]
    if verdict.verdict == VerdictKind.UNCHECKED:
        parts.append(f"reason={verdict.reason or 'error'}")
    else:
        parts.append(f"score={verdict.score:g}")
    if would is not None:
        parts.append(f"dry-run={would}")
    return " ".join(parts)


def findings_header_value(verdict: Verdict) -> str:
    """Codes that scored, each with its strength and score: ``office.vba.autoexec=conclusive:22, lure.wallet=weak:3``.

    Highest score first; informational 0-score codes stay in the log and the verdict JSON.  A code
    without a strength (a verdict built by hand) shows its score alone (``code=3``).  At most
    MAX_HEADER_CODES codes and MAX_HEADER_CHARS characters; the rest is summarised as ``+N``.
    Readers that want the codes only take what precedes ``=`` (:func:`coinguard.quarantine.base.verdict_from_headers`).
    """
    best: dict[str, float] = {}
    for f in verdict.findings:
        if (f.score or 0) > 0:
            best[f.code] = max(best.get(f.code, 0.0), float(f.score or 0.0))
    strengths = verdict.strengths()
    codes = [c for c in verdict.codes if c in best]
    entries: list[str] = []
    length = 0
    for code in codes:
        strength = strengths.get(code, "")
        entry = f"{code}={strength + ':' if strength else ''}{best[code]:g}"
        if len(entries) >= MAX_HEADER_CODES or length + len(entry) + 2 > MAX_HEADER_CHARS:
            break
        entries.append(entry)
        length += len(entry) + 2
    shown = ", ".join(entries)
    if len(entries) < len(codes):
        shown += f", +{len(codes) - len(entries)}"
    return shown


def hold_reason(verdict: Verdict) -> str:
    return f"coinguard {verdict.verdict} score={verdict.score:g} {','.join(verdict.codes[:5])}"


# --------------------------------------------------------------------------- the mapping
def tempfail(mta: Mta, cfg: Config) -> int:
    """Tempfail with ``[milter] tempfail_reply``; a bad reply text still tempfails."""
    try:
        reply: Reply | None = parse_reply(cfg.milter.tempfail_reply)
    except ValueError:
        reply = None
    return mta.tempfail(reply)


def apply(verdict: Verdict, cfg: Config, buf: MessageBuffer, mta: Mta,
          store: Callable[[], QuarantineSink], metrics: Metrics, queue_id: str = "") -> Outcome:
    """Carry out ``verdict.action`` (after dry-run) on the message in ``buf``.

    ``store`` opens the quarantine store; it is called only for a quarantine.
    """
    action = verdict.action
    out = Outcome(0, action)
    differ = [f.detail for f in verdict.findings if f.code == RECIPIENTS_DIFFER]
    if differ:  # the recipients' policies disagreed: the log line says who would have got what
        out.fields["recipients"] = differ[0]
    would: Action | None = None
    if (verdict.dry_run or cfg.policy.dry_run) and action in _DRY_RUN_ACTIONS:
        would, action = action, Action.ACCEPT
        out.action = action
        out.fields["dry_run"] = str(would)
    if action == Action.TEMPFAIL:
        out.rc = tempfail(mta, cfg)
        return out
    if action == Action.REJECT:
        out.rc = mta.reject(parse_reply(cfg.milter.oversize_reply if verdict.reason == "limit"
                                        else cfg.milter.reject_reply))
        return out
    sink: QuarantineSink | None = None
    if action == Action.STRIP:
        action = out.action = strip_message(verdict, cfg, buf, mta, store, metrics, queue_id, out)
        if out.rc:
            return out
    if action == Action.QUARANTINE:
        try:
            sink = store()
            qid = "" if sink.mta_holds else sink.put(buf.raw_bytes(), verdict)
        except Exception as exc:
            metrics.error("quarantine")
            log.error("qid=%s quarantine write failed, tempfail: %s: %s", queue_id, type(exc).__name__, exc)
            out.fields["quarantine_error"] = type(exc).__name__
            out.action, out.rc = Action.TEMPFAIL, tempfail(mta, cfg)
            return out
        if not sink.mta_holds:
            metrics.quarantined.inc()
            out.fields["quarantine"] = f"{sink.backend}:{qid}"
            out.rc = mta.discard()
            return out
    # delivered (or held by the MTA): clean up spoofed headers, then label
    removed = remove_spoofed(cfg, buf, mta)
    if removed:
        out.fields["removed_headers"] = removed
    if action != Action.ACCEPT or verdict.verdict != VerdictKind.CLEAN or cfg.policy.tag_clean or would:
        mta.add_header(cfg.policy.verdict_header, verdict_header_value(verdict, would))
        findings = findings_header_value(verdict)
        if findings:
            mta.add_header(cfg.policy.findings_header, findings)
    for name, value in verdict.headers:  # e.g. Authentication-Results from the DKIM analyzer, on top
        mta.add_header(name, value, 0 if name.lower() == "authentication-results" else -1)
    if action == Action.STRIP:  # after remove_spoofed: an incoming header of that name is gone
        qid = out.fields.pop("stripped_qid")
        mta.add_header(STRIPPED_HEADER, f"{out.fields['stripped']} part(s); quarantine id {qid}")
    if action == Action.TAG and str(verdict.verdict) in cfg.policy.subject_tag_verdicts and cfg.policy.subject_tag:
        tag_subject(cfg.policy.subject_tag, buf, mta)
    if sink is not None:  # the MTA keeps it (Postfix's hold queue)
        mta.quarantine_hold(hold_reason(verdict))
        metrics.quarantined.inc()
        out.fields["quarantine"] = sink.backend
    out.rc = mta.accept()
    return out


def strip_message(verdict: Verdict, cfg: Config, buf: MessageBuffer, mta: Mta,
                  store: Callable[[], QuarantineSink], metrics: Metrics, queue_id: str, out: Outcome) -> Action:
    """The ``strip`` action: the original into the store, the offending parts out of the delivered copy.

    Returns the action that remains to be done: ``strip`` (body replaced, deliver), ``tag`` (no
    part to strip), or ``quarantine`` (the store is the MTA's hold queue, which cannot keep the
    original apart from a delivered copy).  A failed store write tempfails (``out.rc`` set); a
    message that cannot be cut safely stays in the store whole and is discarded (``out.rc`` set).
    """
    from coinguard import strip

    parts = strip.offending_parts(verdict)
    if not parts:
        out.fields["strip"] = "nothing to strip"
        return Action.TAG
    try:
        sink = store()
        if sink.mta_holds:
            out.fields["strip"] = "hold backend: held whole"
            return Action.QUARANTINE
        qid = sink.put(buf.raw_bytes(), verdict)
    except Exception as exc:
        metrics.error("quarantine")
        log.error("qid=%s quarantine write failed, tempfail: %s: %s", queue_id, type(exc).__name__, exc)
        out.fields["quarantine_error"] = type(exc).__name__
        out.rc = tempfail(mta, cfg)
        return Action.TEMPFAIL
    metrics.quarantined.inc()
    out.fields["quarantine"] = f"{sink.backend}:{qid}"
    raw = buf.raw_bytes()
    try:
        new = strip.strip_parts(raw, parts, lambda path: strip.notice_text(path, parts[path], qid))
    except strip.StripError as exc:
        log.warning("qid=%s cannot strip (%s): quarantined whole", queue_id, exc)
        out.fields["strip"] = f"failed: {exc}"
        out.rc = mta.discard()
        return Action.QUARANTINE
    head = len(buf.header_bytes()) + 2  # raw_bytes() is the header block, CRLF, the body
    mta.replace_body(new[head:])
    out.fields["stripped"] = sum(1 for p in strip.leaf_paths(raw) if p in parts)
    out.fields["stripped_qid"] = qid
    return Action.STRIP


def remove_spoofed(cfg: Config, buf: MessageBuffer, mta: Mta) -> int:
    """Delete incoming headers that carry our names (highest index first: indices stay valid)."""
    ours = {cfg.policy.verdict_header.lower(), cfg.policy.findings_header.lower(), STRIPPED_HEADER.lower()}
    server = authserv_id(cfg)
    counts: dict[str, int] = {}
    doomed: list[tuple[str, int]] = []
    for name, value in buf.headers:
        key = name.strip().lower()  # "Authentication-Results :" is the same header to Postfix
        counts[key] = counts.get(key, 0) + 1
        if key in ours or (key == "authentication-results" and ar_is_ours(value, server)):
            doomed.append((name.strip(), counts[key]))
    for name, idx in sorted(doomed, key=lambda d: -d[1]):
        mta.delete_header(name, idx)
    return len(doomed)


def tag_subject(tag: str, buf: MessageBuffer, mta: Mta) -> None:
    raw = buf.first_header("Subject")
    if raw is None:
        mta.add_header("Subject", tag)
        return
    current = raw.decode("utf-8", "replace")
    if current.strip().startswith(tag):
        return
    mta.change_header("Subject", 1, f"{tag} {current.lstrip()}")
