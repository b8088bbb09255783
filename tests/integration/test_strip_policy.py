"""End to end through the real Postfix: strip-and-deliver, per-recipient policy, the allowlist file.

The "policy" daemon (conftest.py) has ``action_malicious = "strip"``, a per-recipient table that
only tags malicious and not fully read mail for ``lab.rcpt.test`` (the rest get the default
``action_unchecked = "quarantine"``), and reads the allowlist file the console writes.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import json
import uuid
from email.message import EmailMessage

import pytest

from integration import harness

pytestmark = pytest.mark.integration

MARKER = b"COINGUARD-INTEGRATION-MARKER-7f3a"  # the marker rule's string (score 20: malicious)
CSV = b"item;price\n" + b"widget;12.50\n" * 64


def build(subject: str, attachments: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    token = uuid.uuid4().hex[:12]
    msg = EmailMessage()
    msg["From"] = "Alice <alice@sender.test>"
    msg["To"] = "bob@rcpt.test"
    msg["Subject"] = f"{subject} [{token}]"
    msg["Message-ID"] = f"<{token}@sender.test>"
    msg.set_content("Hello Bob,\nthe files you asked for.\n")
    msg.add_alternative("<p>Hello Bob,<br>the files you asked for.</p>\n", subtype="html")
    for name, ctype, data in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes(policy=email.policy.SMTP), token


def chunks(raw: bytes) -> list[bytes]:
    """The body split at the outer boundary: preamble, each part (headers and body), epilogue."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    body = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[1]
    return body.split(b"\n--" + msg.get_boundary().encode())


def files(got: harness.Delivered) -> dict[str, bytes]:
    """Attachment name -> decoded content of a delivered message."""
    msg = email.message_from_bytes(got.content, policy=email.policy.default)
    return {p.get_filename(): p.get_payload(decode=True) for p in msg.walk() if p.get_filename()}


def arrived(gw, token: str, timeout: float = 20.0) -> harness.Delivered | None:
    return gw.sink.wait_for(lambda m: token.encode() in m.header_block(), timeout)


def log_line(gw, token_qid: str) -> str:
    return next((line for line in reversed(gw.daemon.log_text().splitlines()) if f"qid={token_qid}" in line), "")


def test_strip_delivers_the_rest_byte_identical_and_keeps_the_original(gateways):
    gw = gateways["policy"]
    bad = b"This file carries the " + MARKER + b" string.\n"
    raw, token = build("strip me", [("macro.txt", "application/octet-stream", bad),
                                    ("report.csv", "text/csv", CSV)])
    before = set(gw.quarantine_dir.glob("*.eml")) if gw.quarantine_dir.exists() else set()
    result = gw.send(raw)
    assert result.code == 250, result
    got = arrived(gw, token)
    assert got is not None, gw.daemon.log_text()[-3000:]
    sent, back = chunks(raw), chunks(got.content)
    assert len(sent) == len(back) == 4  # alternative (text + html), bad, csv, close delimiter + epilogue
    assert [back[i] for i in (0, 2, 3)] == [sent[i] for i in (0, 2, 3)]  # byte for byte
    assert back[1] != sent[1] and b"macro.txt" not in back[1].split(b"\n\n", 1)[0]
    msg = email.message_from_bytes(got.content, policy=email.policy.default)
    assert not msg.defects and msg.is_multipart()
    assert [p.get_filename() for p in msg.iter_attachments() if p.get_filename()] == ["report.csv"]
    notice = [p.get_content() for p in msg.walk() if p.get_content_type() == "text/plain"][1]
    stored = set(gw.quarantine_dir.glob("*.eml")) - before
    assert len(stored) == 1
    qid = stored.pop().stem
    assert "macro.txt" in notice and qid in notice and "yara.coinguard_integration_marker" in notice
    assert files(got) == {"report.csv": CSV}
    assert got.headers("X-Coinguard-Stripped") == [f"1 part(s); quarantine id {qid}"]
    assert got.headers("X-Coinguard-Verdict")[0].startswith("malicious")
    original = (gw.quarantine_dir / f"{qid}.eml").read_bytes()
    assert original.split(b"\r\n\r\n", 1)[1] == raw.split(b"\r\n\r\n", 1)[1]  # the whole original body
    assert "action=strip" in log_line(gw, result.queue_id) and "stripped=1" in log_line(gw, result.queue_id)


def test_per_recipient_policy_and_the_strictest_for_mixed_recipients(gateways):
    gw = gateways["policy"]
    bad = [("tool.txt", "application/octet-stream", b"lab sample " + MARKER + b"\n")]
    raw, token = build("for the lab", bad)
    result = gw.send(raw, rcpts=("analyst@lab.rcpt.test",))  # the lab's own table: tag only
    assert result.code == 250, result
    got = arrived(gw, token)
    assert got is not None and got.rcpts == ("analyst@lab.rcpt.test",)
    assert files(got) == {"tool.txt": bad[0][2]} and not got.headers("X-Coinguard-Stripped")
    assert got.headers("X-Coinguard-Verdict")[0].startswith("malicious")
    assert "action=tag" in log_line(gw, result.queue_id)

    raw, token = build("for both", bad)
    result = gw.send(raw, rcpts=("analyst@lab.rcpt.test", "bob@rcpt.test"))
    assert result.code == 250, result
    got = arrived(gw, token)
    assert got is not None and files(got) == {} and got.headers("X-Coinguard-Stripped")
    assert sorted(got.rcpts) == ["analyst@lab.rcpt.test", "bob@rcpt.test"]
    line = log_line(gw, result.queue_id)
    assert "action=strip" in line and "recipients=" in line, line
    assert "analyst@lab.rcpt.test: tag" in line and "bob@rcpt.test: strip" in line


def test_per_recipient_action_unchecked_and_the_strictest_for_mixed_recipients(gateways):
    gw = gateways["policy"]
    unread = [("report.pdf", "application/pdf", b"%PDF-1.4\n% cut short here\n")]  # pdf.parse_error
    raw, token = build("unread for the lab", unread)
    result = gw.send(raw, rcpts=("analyst@lab.rcpt.test",))  # the lab's own table: tag what was not read
    assert result.code == 250, result
    got = arrived(gw, token)
    assert got is not None and got.rcpts == ("analyst@lab.rcpt.test",), gw.daemon.log_text()[-3000:]
    assert files(got) == {"report.pdf": unread[0][2]}
    assert got.headers("X-Coinguard-Verdict") == ["unchecked reason=incomplete"]
    assert "action=tag" in log_line(gw, result.queue_id)

    before = set(gw.quarantine_dir.glob("*.eml")) if gw.quarantine_dir.exists() else set()
    raw, token = build("unread for both", unread)
    result = gw.send(raw, rcpts=("analyst@lab.rcpt.test", "bob@rcpt.test"))  # bob: [policy], quarantine
    assert result.code == 250, result
    line = log_line(gw, result.queue_id)
    assert "action=quarantine" in line and "recipients=" in line, line
    assert "analyst@lab.rcpt.test: tag" in line and "bob@rcpt.test: quarantine" in line, line
    stored = set(gw.quarantine_dir.glob("*.eml")) - before
    assert len(stored) == 1 and token.encode() in stored.pop().read_bytes()


def test_allowlist_file_from_the_console_trusts_that_file_only(gateways):
    gw = gateways["policy"]
    partner = b"partner price list " + MARKER + b" (known file)\n"
    path = gw.quarantine_dir.parent / "allowlist.jsonl"
    with path.open("a") as fh:  # the record "allowlist from here" appends (docs/console.md)
        fh.write(json.dumps({"kind": "sha256", "value": hashlib.sha256(partner).hexdigest(), "by": "alice",
                             "added": "2026-12-01T09:00:00+00:00", "from_quarantine_id": "x", "note": "test"}) + "\n")
    raw, token = build("prices", [("prices.txt", "application/octet-stream", partner)])
    result = gw.send(raw)
    assert result.code == 250, result
    got = arrived(gw, token)
    assert got is not None and files(got) == {"prices.txt": partner} and not got.headers("X-Coinguard-Stripped")
    assert got.headers("X-Coinguard-Verdict") == ["clean score=0"]
    assert "allow.sha256" in log_line(gw, result.queue_id)
    # another file with the same marker from the same sender is not trusted
    raw, token = build("prices again", [("prices.txt", "application/octet-stream", partner + b"changed\n")])
    assert gw.send(raw).code == 250
    got = arrived(gw, token)
    assert got is not None and files(got) == {} and got.headers("X-Coinguard-Stripped")
