"""Quarantine management against the real thing: private Postfix + real coinguard daemon.

What an admin does at 3 a.m.: a malicious message arrives, ``coinguard quarantine list``
shows it, ``show`` explains it, ``release`` delivers it to the recipients (compared with
what the client sent), ``delete`` removes another one; every step is in the audit log,
the daemon's log line and the metrics.  Both back ends: Postfix's hold queue and our dir.
"""

from __future__ import annotations

import json
import smtplib
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from helpers import make_message

pytestmark = pytest.mark.integration

MARKER = "COINGUARD-INTEGRATION-MARKER-7f3a"  # matched by the conftest's marker rule (score 20)
CLI = Path(sys.executable).with_name("coinguard")


def cli(gw, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    action, *rest = args
    return subprocess.run([str(CLI), "quarantine", action, "-c", str(gw.daemon.config_path), *rest],
                          capture_output=True, text=True, timeout=120, check=False)


def malicious(tag: str) -> bytes:
    return make_message(
        subject=f"wallet verification {tag}",
        body=f"Dear customer,\nplease verify your wallet.\n{MARKER}\n.\n..a dotted line\nend\n",
        attachments=[("kyc-form.txt", f"form {tag}\n".encode(), "text/plain")],
    )


def submit(gw, message: bytes, rcpts: tuple[str, ...] = ("bob@rcpt.test",)) -> str:  # type: ignore[no-untyped-def]
    """SMTP to the gateway's smtpd; returns Postfix's queue id.  smtplib's data() dot-stuffs bytes
    itself (Python 3.11 ``_quote_periods``), so the message goes out exactly once stuffed."""
    with smtplib.SMTP("127.0.0.1", gw.smtp_port, local_hostname="client.coinguard.test", timeout=120) as s:
        assert s.mail("alice@sender.test")[0] == 250
        for r in rcpts:
            assert s.rcpt(r)[0] == 250
        code, text = s.data(message)
    assert code == 250, text
    return text.decode().split("queued as ", 1)[1].split()[0]


def held_ids(gw) -> set[str]:  # type: ignore[no-untyped-def]
    return {e["queue_id"] for e in gw.postfix.queue() if e.get("queue_name") == "hold"}


def wait_held(gw, qid: str, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while qid not in held_ids(gw):
        assert time.monotonic() < end, f"{qid} not held:\n{gw.postfix.log_tail()}\n{gw.daemon.log_text()[-2000:]}"
        time.sleep(0.2)


def list_json(gw, *filters: str) -> list[dict]:  # type: ignore[no-untyped-def]
    proc = cli(gw, "list", "--json", *filters)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]


def audit(gw) -> list[dict]:  # type: ignore[no-untyped-def]
    path = gw.quarantine_dir / "audit.log"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def split(content: bytes) -> tuple[list[bytes], bytes]:
    """(unfolded header lines, body) of a CRLF message."""
    head, _, body = content.partition(b"\r\n\r\n")
    lines: list[bytes] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and lines:
            lines[-1] += b"\r\n" + line
        else:
            lines.append(line)
    return lines, body


def assert_same_message(sent: bytes, delivered: bytes) -> None:
    """Body byte-identical; every header the client sent is present, unchanged and in order."""
    sent_headers, sent_body = split(sent)
    got_headers, got_body = split(delivered)
    assert got_body == sent_body
    positions = [got_headers.index(h) for h in sent_headers]  # ValueError = a header was changed or lost
    assert positions == sorted(positions)


def test_hold_backend_list_show_release(gateways) -> None:  # type: ignore[no-untyped-def]
    gw = gateways["hold"]
    tag = uuid.uuid4().hex[:10]
    msg = malicious(tag)
    qid = submit(gw, msg, rcpts=("bob@rcpt.test", "carol@rcpt.test"))
    wait_held(gw, qid)

    rows = list_json(gw, "--verdict", "malicious")
    row = next(r for r in rows if r["id"] == qid)
    assert row["backend"] == "hold" and row["from"] == "alice@sender.test"
    assert row["rcpt"] == ["bob@rcpt.test", "carol@rcpt.test"] and row["score"] >= 15
    assert row["subject"] == f"wallet verification {tag}" and "problem" not in row
    assert [r["id"] for r in list_json(gw, "--rcpt", "carol@rcpt.test", "--sender", "alice@")].count(qid) == 1
    assert qid not in {r["id"] for r in list_json(gw, "--verdict", "suspicious")}

    proc = cli(gw, "show", qid, "--json")
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)
    assert shown["verdict"] == "malicious" and shown["codes"]
    assert ["Subject", f"wallet verification {tag}"] in shown["headers"]
    assert any(a["path"] == "kyc-form.txt" and len(a["sha256"]) == 64 for a in shown["attachments"])
    text = cli(gw, "show", qid).stdout
    assert "Attachments (top-level MIME parts; never opened):" in text and "kyc-form.txt" in text

    proc = cli(gw, "release", qid)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"released {qid} to bob@rcpt.test, carol@rcpt.test via postsuper -H\n"
    got = gw.sink.wait_for(lambda m: f"wallet verification {tag}".encode() in m.content, timeout=30)
    assert got is not None, gw.postfix.log_tail()
    assert set(got.rcpts) == {"bob@rcpt.test", "carol@rcpt.test"} and got.mail_from == "alice@sender.test"
    assert_same_message(msg, got.content)
    assert got.headers("X-Coinguard-Verdict")[0].startswith("malicious score=")
    assert qid not in held_ids(gw)

    line = next(a for a in audit(gw) if a["id"] == qid)
    assert line["action"] == "release" and line["result"] == "ok" and line["backend"] == "hold"
    assert line["target"] == ["bob@rcpt.test", "carol@rcpt.test"]
    assert f"qid={qid}" in gw.daemon.log_text() and "action=quarantine" in gw.daemon.log_text()
    assert gw.metric("coinguard_quarantine_messages_total") >= 1

    # released means gone: a second release is "not found"
    assert cli(gw, "release", qid).returncode == 1


def test_hold_backend_delete_and_release_copy(gateways) -> None:  # type: ignore[no-untyped-def]
    gw = gateways["hold"]
    tag = uuid.uuid4().hex[:10]
    qid = submit(gw, malicious(tag))
    wait_held(gw, qid)

    proc = cli(gw, "release", qid, "--to", "analyst@rcpt.test")
    assert proc.returncode == 0, proc.stderr
    copy = gw.sink.wait_for(lambda m: f"wallet verification {tag}".encode() in m.content, timeout=30)
    assert copy is not None and copy.rcpts == ("analyst@rcpt.test",)
    assert qid in held_ids(gw)  # a copy: the original stays held

    proc = cli(gw, "delete", qid)
    assert proc.returncode == 0, proc.stderr
    assert qid not in held_ids(gw)
    assert cli(gw, "delete", qid).returncode == 1
    time.sleep(1.0)
    assert [m.rcpts for m in gw.sink.messages if f"wallet verification {tag}".encode() in m.content] == [
        ("analyst@rcpt.test",)]
    actions = [(a["action"], a["result"][:5]) for a in audit(gw) if a["id"] == qid]
    assert actions == [("release", "ok"), ("delete", "ok"), ("delete", "error")]


def test_dir_backend_release_delivers_the_stored_bytes(gateways) -> None:  # type: ignore[no-untyped-def]
    gw = gateways["dir"]
    tag = uuid.uuid4().hex[:10]
    msg = malicious(tag)
    queue_id = submit(gw, msg, rcpts=("dave@rcpt.test",))
    assert gw.sink.wait_for(lambda m: tag.encode() in m.content, timeout=3) is None  # discarded, not delivered

    row = next(r for r in list_json(gw, "--rcpt", "dave@") if r["queue_id"] == queue_id)
    qid = row["id"]
    assert row["backend"] == "dir" and row["verdict"] == "malicious" and row["subject"].endswith(tag)
    stored = (gw.quarantine_dir / f"{qid}.eml").read_bytes()
    assert_same_message(msg, stored)

    proc = cli(gw, "release", qid)
    assert proc.returncode == 0, proc.stderr
    got = gw.sink.wait_for(lambda m: tag.encode() in m.content, timeout=30)
    assert got is not None, gw.postfix.log_tail()
    assert got.rcpts == ("dave@rcpt.test",) and got.mail_from == "alice@sender.test"
    # exactly the stored bytes, after the Received header(s) Postfix's pickup adds on re-injection
    assert got.content.endswith(stored)
    added, _ = split(got.content[: len(got.content) - len(stored)] + b"\r\n")
    assert all(h.startswith(b"Received:") for h in added if h), added
    assert not (gw.quarantine_dir / f"{qid}.eml").exists()
    line = next(a for a in audit(gw) if a["id"] == qid)
    assert line["action"] == "release" and line["method"] == "sendmail" and line["result"] == "ok"
