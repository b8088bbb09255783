"""``coinguard digest``: tell each recipient what the quarantine holds for them, and admins what is malicious.

Run by ``coinguard-digest.timer``.  Each run sends every recipient with mail quarantined since
the last run one message (text + HTML from ``config/templates/digest.{txt,html}.j2``) with
their signed personal console link, and, when ``[digest] admin_notify`` is set, one notice
listing every new ``malicious`` message (``notice.txt.j2``).  Mail goes by SMTP to ``[digest]
smtp`` (default ``[quarantine] release_smtp``), the Postfix listener without the milter.

What a digest carries from the quarantined message: envelope sender, subject, date, verdict
and the plain-words meaning of the finding codes, all *defanged* (``evil[.]example``,
``hxxps[:]//``) so no mail client turns them into links.  Never an attachment, a body or a URL
of the message.

State (``[digest] state_file``, JSON, written atomically): the time up to which digests and
notices were sent, plus the recipients whose digest failed (they get theirs next run, from
their own earlier time, and the others are not sent the same messages twice).
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any

import jinja2

from coinguard.config import shipped_path
from coinguard.console import auth, records
from coinguard.console.settings import Settings
from coinguard.errors import CoinguardError
from coinguard.quarantine import Entry, Filters, QuarantineStore, open_store

log = logging.getLogger(__name__)

TEMPLATES = Path(shipped_path("templates"))  # config/templates/, shipped as package data
#: Messages younger than this wait for the next run (a put may still be renaming its files).
GRACE = timedelta(seconds=60)
_ADDR_RE = re.compile(r"\A[^\s\x00-\x1f\x7f<>,;\"]+@[^\s\x00-\x1f\x7f<>,;\"@]+\Z")
_HOSTISH = re.compile(r"(?i)\b((?:[a-z0-9-]+\.)+[a-z][a-z0-9-]{1,62})\b")


class DigestError(CoinguardError):
    pass


def defang(text: str) -> str:
    """``https://evil.example/x`` -> ``hxxps[:]//evil[.]example/x``: readable, never a link."""
    text = re.sub(r"(?i)\bh(tt)(ps?)(:)//", lambda m: f"hxx{m.group(2)}[:]//", text)
    text = re.sub(r"(?i)\b(ftp|file|mailto|javascript|data)(:)", r"\1[:]", text)
    text = text.replace("://", "[:]//")
    return _HOSTISH.sub(lambda m: m.group(1).replace(".", "[.]"), text)


@dataclass
class State:
    sent_until: datetime | None = None
    notices_until: datetime | None = None
    pending: dict[str, datetime] = field(default_factory=dict)

    @classmethod
    def read(cls, path: Path) -> State:
        try:
            obj = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            raise DigestError(f"digest state {path}: {exc}") from exc

        def when(v: Any) -> datetime | None:
            return datetime.fromisoformat(v) if isinstance(v, str) else None

        pending = {str(k): d for k, v in (obj.get("pending") or {}).items() if (d := when(v)) is not None}
        return cls(when(obj.get("sent_until")), when(obj.get("notices_until")), pending)

    def write(self, path: Path) -> None:
        obj = {
            "sent_until": self.sent_until.isoformat() if self.sent_until else None,
            "notices_until": self.notices_until.isoformat() if self.notices_until else None,
            "pending": {k: v.isoformat() for k, v in sorted(self.pending.items())},
        }
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.rename(tmp, path)


@dataclass(frozen=True, slots=True)
class Line:
    """One quarantined message as a digest shows it (all text defanged)."""

    received: str
    sender: str
    subject: str
    verdict: str
    reasons: tuple[str, ...]
    releasable: bool


def _line(e: Entry, releasable: Sequence[str]) -> Line:
    reasons = tuple(records.reasons(e.codes))
    return Line(e.received.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"), defang(e.sender or "<>"),
                defang(e.subject or "(no subject)"), e.verdict or "unknown", reasons, e.verdict in releasable)


class Mailer:
    """Builds and sends the digests over one SMTP connection (opened on first use)."""

    def __init__(self, settings: Settings, dry_run: bool = False) -> None:
        self.settings = settings
        self.dry_run = dry_run
        d = settings.digest
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(d.templates_dir or TEMPLATES),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
            undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        )
        self.smtp: smtplib.SMTP | None = None

    def _target(self) -> tuple[str, int]:
        spec = self.settings.digest.smtp or self.settings.config.quarantine.release_smtp
        m = re.fullmatch(r"\[?([^\[\]]+?)\]?:(\d+)", spec.strip())
        if not m:
            raise DigestError(f"digest.smtp: expected HOST:PORT, got {spec!r}")
        return m.group(1), int(m.group(2))

    def send(self, msg: EmailMessage) -> None:
        if self.dry_run:
            print(msg.as_string())
            return
        if self.smtp is None:
            host, port = self._target()
            self.smtp = smtplib.SMTP(host, port, timeout=self.settings.digest.timeout_s)
            self.smtp.ehlo_or_helo_if_needed()
        self.smtp.send_message(msg, from_addr=self.settings.digest.sender, to_addrs=[str(msg["To"])])

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.smtp = None

    def message(self, to: str, subject: str, text: str, html: str | None) -> EmailMessage:
        d = self.settings.digest
        msg = EmailMessage()
        msg["From"] = d.sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain=d.sender.rpartition("@")[2] or "localhost")
        msg["Auto-Submitted"] = "auto-generated"
        msg["X-Auto-Response-Suppress"] = "All"
        msg["X-Coinguard-Digest"] = "1"
        msg.set_content(text)
        if html is not None:
            msg.add_alternative(html, subtype="html")
        return msg

    def digest(self, rcpt: str, entries: Sequence[Entry], link: str) -> EmailMessage:
        releasable = self.settings.console.recipient_release_verdicts
        ctx = {"rcpt": defang(rcpt), "lines": [_line(e, releasable) for e in entries], "link": link,
               "count": len(entries), "releasable": releasable, "link_days": self.settings.console.link_days}
        subject = self.settings.digest.subject.format(rcpt=rcpt, count=len(entries))
        return self.message(rcpt, subject, self.env.get_template("digest.txt.j2").render(ctx),
                            self.env.get_template("digest.html.j2").render(ctx))

    def notice(self, to: str, entries: Sequence[Entry], console_url: str) -> EmailMessage:
        ctx = {"lines": [_line(e, ()) for e in entries], "ids": [e.id for e in entries],
               "rcpts": [", ".join(defang(r) for r in e.rcpts) for e in entries], "console": console_url}
        subject = f"coinguard: {len(entries)} malicious message(s) quarantined"
        return self.message(to, subject, self.env.get_template("notice.txt.j2").render(ctx), None)


def run_digest(settings: Settings, dry_run: bool = False, notices_only: bool = False,
               now: datetime | None = None) -> int:
    cfg = settings.config
    store = open_store(cfg.quarantine, verdict_header=cfg.policy.verdict_header,
                       findings_header=cfg.policy.findings_header)
    mailer = Mailer(settings, dry_run)
    try:
        failed = send_all(store, settings, mailer, now or datetime.now(UTC), notices_only=notices_only,
                          dry_run=dry_run)
    finally:
        mailer.close()
    return 1 if failed else 0


def send_all(store: QuarantineStore, settings: Settings, mailer: Mailer, now: datetime,
             notices_only: bool = False, dry_run: bool = False) -> list[str]:
    """Send what is due; returns the addresses that failed (kept pending in the state file)."""
    state_path = Path(settings.digest.state_file)
    state = State.read(state_path)
    cutoff = now - GRACE
    starts: list[datetime | None] = [*state.pending.values()]
    if not notices_only:
        starts.append(state.sent_until)
    if settings.digest.admin_notify:
        starts.append(state.notices_until)
    since = None if None in starts or not starts else min(t for t in starts if t is not None)
    entries = [e for e in store.list(Filters(since=since)) if e.received <= cutoff]
    failed: list[str] = []

    if settings.digest.admin_notify:
        bad = [e for e in entries if e.verdict == "malicious"
               and (state.notices_until is None or e.received > state.notices_until)]
        if bad:
            try:
                mailer.send(mailer.notice(settings.digest.admin_notify, bad, settings.console.public_url()))
                log.info("digest: admin notice to=%s messages=%d", settings.digest.admin_notify, len(bad))
            except (smtplib.SMTPException, OSError, DigestError) as exc:
                log.error("digest: admin notice to %s failed: %s", settings.digest.admin_notify, exc)
                failed.append(settings.digest.admin_notify)
        if settings.digest.admin_notify not in failed:
            state.notices_until = cutoff

    if not notices_only:
        secret = auth.load_secret(settings.console.secret_file)
        by_rcpt: dict[str, list[Entry]] = {}
        for e in entries:
            for r in dict.fromkeys(e.rcpts):
                start = state.pending.get(r.lower(), state.sent_until)
                if start is None or e.received > start:
                    by_rcpt.setdefault(r, []).append(e)
        for rcpt, mine in sorted(by_rcpt.items()):
            key = rcpt.lower()
            if not _ADDR_RE.match(rcpt):
                log.warning("digest: skipping unusable recipient address %r", rcpt)
                continue
            token = auth.make_link(secret, rcpt, settings.console.link_days * 86400)
            link = f"{settings.console.public_url()}/r/{token}"
            try:
                mailer.send(mailer.digest(rcpt, mine, link))
            except (smtplib.SMTPException, OSError, DigestError) as exc:
                log.error("digest: to %s failed: %s", rcpt, exc)
                failed.append(rcpt)
                if key not in state.pending:
                    state.pending[key] = state.sent_until or min(m.received for m in mine) - timedelta(microseconds=1)
                continue
            state.pending.pop(key, None)
            log.info("digest: sent to=%s messages=%d", rcpt, len(mine))
        state.sent_until = cutoff
    if not dry_run:
        state.write(state_path)
    return failed
