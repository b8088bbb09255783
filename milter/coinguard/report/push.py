"""Optional pushes, off until configured: a MISP event to the site's MISP, the bundle to a CERT mailbox.

MISP: ``POST {misp_url}/events/add`` with the event JSON and the API key from
``[report] misp_key_file`` in the ``Authorization`` header (MISP's REST API, the same
request ``PyMISP.add_event`` makes; PyMISP itself is not used for the call because its
constructor first queries three other endpoints and the user's role, which the push does
not need).  The key file must not be readable by group or others.

CERT: one mail to ``[report] cert_address`` with the English and Korean summary in the body
and the incident bundle attached, through ``[report] smtp`` or else ``[quarantine]
release_smtp``: a Postfix listener without the milter, because the bundle holds the samples
and ``infected`` is one of the passwords the scanner tries.
"""

from __future__ import annotations

import json
import os
import re
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from coinguard.errors import CoinguardError
from coinguard.report import bundle, misp, summary
from coinguard.report.arf import reporting_host
from coinguard.report.campaigns import Campaign
from coinguard.report.settings import ReportSettings

TIMEOUT_S = 30.0
MAX_RESPONSE = 4 * 1024 * 1024


class PushError(CoinguardError):
    """A push was not configured, or the server refused or could not be reached."""


def _read_key(path: str) -> str:
    if not path:
        raise PushError("report.misp_key_file is not set")
    try:
        st = os.stat(path)
        if st.st_mode & 0o077:
            raise PushError(f"{path}: the MISP key file must not be readable by group or others (chmod 600)")
        with open(path, encoding="utf-8") as fh:
            key = fh.read().strip()
    except OSError as exc:
        raise PushError(f"{path}: cannot read the MISP key: {exc.strerror or exc}") from exc
    if not key:
        raise PushError(f"{path}: the MISP key file is empty")
    return key


def push_misp(case: Campaign, settings: ReportSettings) -> dict[str, Any]:
    """Send the case's MISP event; returns MISP's answer (the stored event)."""
    if not settings.misp_url:
        raise PushError("report.misp_url is not set: MISP push is off")
    if not re.match(r"(?i)https?://", settings.misp_url):
        raise PushError(f"report.misp_url: expected an http(s) URL, got {settings.misp_url!r}")
    key = _read_key(settings.misp_key_file)
    body = misp.to_json(case, settings).encode("utf-8")
    req = urllib.request.Request(
        settings.misp_url.rstrip("/") + "/events/add", data=body, method="POST",
        headers={"Authorization": key, "Accept": "application/json", "Content-Type": "application/json",
                 "User-Agent": "coinguard-report"},
    )
    context = None
    if settings.misp_url.lower().startswith("https") and not settings.misp_verify_tls:
        context = ssl._create_unverified_context()
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT_S, context=context) as resp:
            data = resp.read(MAX_RESPONSE)
    except urllib.error.HTTPError as exc:
        text = exc.read(2000).decode("utf-8", "replace")
        raise PushError(f"MISP refused the event: HTTP {exc.code}: {text[:500]}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise PushError(f"MISP at {settings.misp_url} not reachable: {exc}") from exc
    try:
        answer = json.loads(data)
    except ValueError as exc:
        raise PushError(f"MISP answered with something that is not JSON: {data[:200]!r}") from exc
    if not isinstance(answer, dict) or "errors" in answer:
        raise PushError(f"MISP refused the event: {str(answer)[:500]}")
    return answer


def cert_message(case: Campaign, settings: ReportSettings, to: str) -> EmailMessage:
    host = reporting_host()
    msg = EmailMessage()
    msg["From"] = settings.report_from or f"postmaster@{host}"
    msg["To"] = to
    msg["Subject"] = f"[TLP:{settings.tlp.upper()}] coinguard incident report {case.id}"
    msg["Date"] = format_datetime(case.last_seen)
    msg["Message-ID"] = make_msgid("coinguard-report", domain=host)
    text = "\n\n".join(summary.render(case, settings, lang) for lang in summary.LANGUAGES)
    msg.set_content(text)
    msg.add_attachment(bundle.build(case, settings), maintype="application", subtype="zip",
                       filename=f"coinguard-{case.id}.zip")
    return msg


def push_cert(case: Campaign, settings: ReportSettings, to: str = "", relay: str = "") -> str:
    """Mail the case to the CERT address through ``settings.smtp`` (else ``relay``); returns the address."""
    to = to or settings.cert_address
    if not to:
        raise PushError("report.cert_address is not set: CERT mail is off")
    relay = settings.smtp or relay
    m = re.fullmatch(r"\[?([^\[\]]+?)\]?:(\d+)", relay.strip())
    if not m:
        raise PushError(f"report.smtp: expected HOST:PORT, got {relay!r}")
    try:
        with smtplib.SMTP(m.group(1), int(m.group(2)), timeout=TIMEOUT_S) as smtp:
            smtp.send_message(cert_message(case, settings, to))
    except (smtplib.SMTPException, OSError) as exc:
        raise PushError(f"mail to {to} through {relay} failed: {exc}") from exc
    return to
