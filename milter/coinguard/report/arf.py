"""ARF abuse reports (RFC 5965) for the provider that sent the message.

One ``multipart/report; report-type=feedback-report`` message per quarantined message:

1. ``text/plain``: what we saw, in words (verdict, findings, the sending host);
2. ``message/feedback-report``: ``Feedback-Type`` (``virus`` when the evidence is a
   malicious attachment, ``fraud`` for a lure without one), ``User-Agent``, ``Version: 1``,
   ``Original-Mail-From``, ``Original-Rcpt-To``, ``Arrival-Date``, ``Reporting-MTA``,
   ``Source-IP``, ``Authentication-Results`` (ours), ``Reported-Domain``, ``Reported-URI``,
   ``Incidents``;
3. the original: its header block as ``text/rfc822-headers`` (default), or with
   ``[report] arf_include_message`` / ``--include-message`` the exact message bytes as
   ``message/rfc822``, so the provider can check its own DKIM signature.

The report is assembled from bytes, not re-serialised by the ``email`` package, so the
original part is byte-for-byte the quarantined message.  The recipient is the abuse desk
of the sending host's registrable domain (``abuse@`` per RFC 2142), else of the sender's
domain; confirm it in the provider's WHOIS/RDAP ``abuse-mailbox`` and pass ``--to``.
"""

from __future__ import annotations

import re
import secrets
import socket
from collections.abc import Sequence
from email.charset import QP, Charset
from email.message import EmailMessage
from email.mime.text import MIMEText
from email.utils import format_datetime, make_msgid

from coinguard import __version__
from coinguard.findings import sanitize_detail
from coinguard.report.campaigns import Campaign, own_domains, reportable_urls
from coinguard.report.indicators import registrable_domain
from coinguard.report.records import Record
from coinguard.report.settings import ReportSettings
from coinguard.report.techniques import ATTACHMENT_FAMILIES

#: Most Reported-URI fields in one report.
MAX_URIS = 20


def feedback_type(record: Record) -> str:
    """``virus`` when an attachment finding is among the evidence, else ``fraud``."""
    attachment = any(c.split(".", 1)[0] in ATTACHMENT_FAMILIES for c in record.indicators.codes)
    return "virus" if attachment and record.indicators.files else "fraud"


def abuse_address(record: Record) -> str:
    """``abuse@`` the sending host's registrable domain, else the sender's; '' when neither is known."""
    ind = record.indicators
    host = ind.origin.rdns if ind.origin is not None else ""
    domain = registrable_domain(host) if host else ""
    if not domain and ind.sender_domains:
        domain = ind.sender_domains[0]
    return f"abuse@{domain}" if domain and "." in domain else ""


def reporting_host() -> str:
    return socket.getfqdn()


def _field(name: str, value: str) -> str:
    return f"{name}: {sanitize_detail(str(value), 2000)}"


def _header_block(raw: bytes) -> bytes:
    m = re.search(rb"\r?\n\r?\n", raw)
    return raw[: m.start()] + b"\r\n" if m else raw


def _crlf(data: bytes) -> bytes:
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def _human_text(record: Record, kind: str, urls: Sequence[str]) -> str:
    ind = record.indicators
    origin = ind.origin
    lines = [
        "This is an abuse report (RFC 5965) about a message that reached our mail gateway.",
        "",
        f"Type:          {kind} ({'malicious attachment' if kind == 'virus' else 'phishing / fraud lure'})",
        f"Received:      {record.received.isoformat(timespec='seconds')}",
        f"Sending host:  {origin.ip if origin else 'unknown'}"
        + (f" ({origin.rdns or origin.helo})" if origin and (origin.rdns or origin.helo) else ""),
        f"Sender:        {', '.join(ind.sender_addresses) or 'unknown'}",
        f"Subject:       {sanitize_detail(ind.subject, 200)}",
        f"Our verdict:   {ind.verdict} (score {ind.score:g})",
        f"Findings:      {', '.join(ind.codes[:12])}",
    ]
    if ind.files:
        lines.append("Attachments (sha256):")
        lines += [f"  {f.sha256}  {f.name}" for f in ind.files[:20]]
    if urls:
        lines.append("Links:")
        lines += [f"  {u}" for u in urls[:MAX_URIS]]
    lines += ["", "Please stop this sender and take down the links above.",
              "The original message (or its header) is attached in the third part."]
    return "\n".join(lines) + "\n"


def build(record: Record, settings: ReportSettings, to: str = "", include_message: bool | None = None) -> bytes:
    """The ARF message for one record, CRLF line ends."""
    include = settings.arf_include_message if include_message is None else include_message
    ind = record.indicators
    kind = feedback_type(record)
    host = reporting_host()
    to = to or abuse_address(record)

    outer = EmailMessage()
    outer["From"] = settings.report_from or f"postmaster@{host}"
    if to:
        outer["To"] = to
    subject = sanitize_detail(ind.subject, 150)
    outer["Subject"] = f"Abuse report ({kind}): {subject}" if subject else f"Abuse report ({kind})"
    outer["Date"] = format_datetime(record.received)
    outer["Message-ID"] = make_msgid("arf", domain=host)
    outer["MIME-Version"] = "1.0"
    raw = _crlf(record.raw)
    boundary = "=_coinguard_arf_" + secrets.token_hex(12)
    while boundary.encode() in raw:  # pragma: no cover - 96 random bits
        boundary = "=_coinguard_arf_" + secrets.token_hex(12)
    outer["Content-Type"] = f'multipart/report; report-type=feedback-report; boundary="{boundary}"'

    urls = reportable_urls(ind.urls, own_domains(ind.recipients), settings)
    qp = Charset("utf-8")
    qp.body_encoding = QP
    human = MIMEText(_human_text(record, kind, urls), "plain", qp)  # type: ignore[arg-type]
    del human["MIME-Version"]
    fields = [
        _field("Feedback-Type", kind),
        _field("User-Agent", f"coinguard/{__version__}"),
        _field("Version", "1"),
    ]
    if ind.envelope_from:
        fields.append(_field("Original-Mail-From", f"<{ind.envelope_from}>"))
    fields += [_field("Original-Rcpt-To", f"<{r}>") for r in ind.recipients]
    fields.append(_field("Arrival-Date", format_datetime(record.received)))
    fields.append(_field("Reporting-MTA", f"dns; {host}"))
    if ind.origin is not None and ind.origin.ip:
        fields.append(_field("Source-IP", ind.origin.ip))
    auth = "; ".join(f"{a.method}={a.result}" + "".join(f" {k}={v}" for k, v in a.props) for a in ind.auth)
    if auth:
        fields.append(_field("Authentication-Results", f"{ind.auth[0].authserv_id}; {auth}"))
    fields += [_field("Reported-Domain", d) for d in ind.sender_domains[:5]]
    fields += [_field("Reported-URI", u) for u in urls[:MAX_URIS]]
    fields.append(_field("Incidents", "1"))
    report = ("\r\n".join(fields) + "\r\n").encode("utf-8")
    eight_bit = any(b > 0x7F for b in report)

    if include:
        third = (b"Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n"
                 + (b"Content-Transfer-Encoding: 8bit\r\n" if any(b > 0x7F for b in raw) else b"") + b"\r\n" + raw)
    else:
        headers = _header_block(raw)
        third = (b"Content-Type: text/rfc822-headers\r\nContent-Disposition: inline\r\n"
                 + (b"Content-Transfer-Encoding: 8bit\r\n" if any(b > 0x7F for b in headers) else b"") + b"\r\n"
                 + headers)
    dash = b"--" + boundary.encode()
    body = b"".join([
        b"This is a multi-part message in MIME format (an RFC 5965 abuse report).\r\n\r\n",
        dash, b"\r\n", _crlf(human.as_bytes()), b"\r\n",
        dash, b"\r\nContent-Type: message/feedback-report\r\n",
        b"Content-Transfer-Encoding: 8bit\r\n" if eight_bit else b"", b"\r\n", report, b"\r\n",
        dash, b"\r\n", third if third.endswith(b"\r\n") else third + b"\r\n", b"\r\n",
        dash, b"--\r\n",
    ])
    head = _crlf(outer.as_bytes()).split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    return head + body


def build_all(case: Campaign, settings: ReportSettings, to: str = "", include_message: bool | None = None) -> bytes:
    """One ARF per message: a single message as is, a campaign as an mbox (mboxrd quoting)."""
    reports = [build(r, settings, to, include_message) for r in case.members]
    if len(reports) == 1:
        return reports[0]
    out = []
    for rep in reports:
        quoted = re.sub(rb"(?m)^(>*From )", rb">\1", rep.replace(b"\r\n", b"\n"))
        out.append(b"From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n" + quoted + b"\n")
    return b"".join(out)
