"""End to end: real Postfix -> real coinguard daemon -> sink / hold queue / quarantine.

Every test talks SMTP to a private Postfix on loopback (see conftest.py); nothing is
mocked between the SMTP client and the scan pipeline.
"""

from __future__ import annotations

import hashlib
import json
import signal
import threading
import time
import uuid
import zipfile
from email import message_from_bytes
from email.message import EmailMessage
from pathlib import Path

import pytest

from integration import harness

pytestmark = pytest.mark.integration

DATA = Path(__file__).resolve().parents[1] / "data"


def _sample(zip_name: str, password: bytes) -> tuple[str, bytes]:
    """A harmless test sample, read in memory from its password-protected zip."""
    with zipfile.ZipFile(DATA / zip_name) as z:
        name = z.namelist()[0]
        return name, z.read(name, pwd=password)


def message(subject: str, body: str = "Hello Bob,\nsee you tomorrow.\n", attachment: tuple[str, bytes] | None = None,
            headers: tuple[tuple[str, str], ...] = ()) -> tuple[bytes, str]:
    """(raw bytes, unique token) — the token is in the Subject, to find the delivered copy."""
    token = uuid.uuid4().hex[:12]
    msg = EmailMessage()
    msg["From"] = "Alice <alice@sender.test>"
    msg["To"] = "bob@rcpt.test"
    msg["Subject"] = f"{subject} [{token}]"
    msg["Message-ID"] = f"<{token}@sender.test>"
    for name, value in headers:
        msg[name] = value
    msg.set_content(body)
    if attachment:
        msg.add_attachment(attachment[1], maintype="application", subtype="octet-stream", filename=attachment[0])
    return msg.as_bytes(), token


def delivered(gw, token: str, timeout: float = 20.0) -> harness.Delivered | None:
    return gw.sink.wait_for(lambda m: token.encode() in m.header_block(), timeout)


def queued(gw, queue_id: str, timeout: float = 10.0) -> dict | None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for entry in gw.postfix.queue():
            if entry.get("queue_id") == queue_id:
                return entry
        time.sleep(0.2)
    return None


def test_clean_message_is_delivered_with_verdict_header(gateways):
    gw = gateways["hold"]
    raw, token = message("quarterly report")
    result = gw.send(raw)
    assert result.code == 250, result
    got = delivered(gw, token)
    assert got is not None, gw.postfix.log_tail()
    assert got.headers("X-Coinguard-Verdict") == ["clean score=0"]
    # the body arrives untouched
    assert b"see you tomorrow." in got.content


def test_spoofed_verdict_headers_from_outside_are_removed(gateways):
    gw = gateways["hold"]
    raw, token = message("trust me", headers=(("X-Coinguard-Verdict", "clean score=-100 spoofed"),
                                                ("X-Coinguard-Findings", "none-spoofed")))
    assert gw.send(raw).code == 250
    got = delivered(gw, token)
    assert got is not None
    assert got.headers("X-Coinguard-Verdict") == ["clean score=0"]
    assert got.headers("X-Coinguard-Findings") == []
    assert b"spoofed" not in got.header_block()


def test_forged_authentication_results_in_every_spelling_are_removed(gateways):
    import socket

    gw = gateways["hold"]  # authserv-id: the host name (no [dkim] authserv_id in its config)
    ours = socket.gethostname()
    forged = [  # RFC 8601 spellings of our authserv-id, folded lines included, spliced in verbatim
        f"(comment) {ours}; dkim=pass header.d=binance.com",
        f"{ours.upper()} 1; dkim=pass header.d=forged-1.test",
        f'"{ours}"; dkim=pass header.d=forged-2.test',
        f"(a (nested) comment)\n\t{ours}\n ; dkim=pass header.d=forged-3.test",
        f"{ours}.; dkim=pass header.d=forged-4.test",
    ]
    honest = f"mx.other.test; dkim=pass (says {ours})"
    raw, token = message("forged results")
    head, body = raw.split(b"\n\n", 1)
    spliced = [f"Authentication-Results: {v}".encode() for v in [*forged, honest]]
    raw = b"\n".join([head, *spliced]) + b"\n\n" + body
    assert gw.send(raw).code == 250
    got = delivered(gw, token)
    assert got is not None
    kept = got.headers("Authentication-Results")
    assert not any("forged" in v or "binance" in v for v in kept), kept
    assert honest in kept


def test_eicar_is_held_in_postfix_hold_queue(gateways):
    gw = gateways["hold"]
    raw, token = message("invoice", attachment=_sample("eicar.com.zip", b"infected"))
    result = gw.send(raw)
    assert result.code == 250 and result.queue_id, result
    entry = queued(gw, result.queue_id)
    assert entry is not None and entry["queue_name"] == "hold", (entry, gw.postfix.log_tail())
    assert delivered(gw, token, timeout=2) is None


def test_harmless_dde_poc_document_is_quarantined(gateways):
    gw = gateways["hold"]
    raw, _token = message("please review", attachment=_sample("dde-test-from-office2003.doc.zip", b"infected-test"))
    result = gw.send(raw)
    assert result.code == 250, result
    entry = queued(gw, result.queue_id)
    assert entry is not None and entry["queue_name"] == "hold", gw.daemon.log_text()[-2000:]


def test_eicar_goes_to_dir_quarantine_with_exact_bytes(gateways):
    gw = gateways["dir"]
    raw, token = message("invoice", attachment=_sample("eicar.com.zip", b"infected"))
    before = set(gw.quarantine_dir.glob("*.eml")) if gw.quarantine_dir.exists() else set()
    result = gw.send(raw)
    assert result.code == 250, result  # accepted, then discarded by the milter
    stored = set(gw.quarantine_dir.glob("*.eml")) - before
    assert len(stored) == 1, gw.daemon.log_text()[-2000:]
    eml = stored.pop()
    content = eml.read_bytes()
    # the worker stored the report indicators with the verdict: the client the milter saw, the attachment
    indicators = json.loads(eml.with_suffix(".json").read_text(encoding="utf-8"))["verdict"]["indicators"]
    assert indicators["client"]["ip"] == "127.0.0.1"  # (harness.send says no HELO: MAIL FROM straight away)
    part = message_from_bytes(raw).get_payload()[1]
    assert {"sha256": hashlib.sha256(part.get_payload(decode=True)).hexdigest(), "name": part.get_filename()} in [
        {k: f[k] for k in ("sha256", "name")} for f in indicators["files"]]
    assert indicators["envelope_from"] == "alice@sender.test" and indicators["recipients"] == ["bob@rcpt.test"]
    # headers as sent (Postfix's cleanup may append e.g. Date:) and the body, byte for byte
    sent = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    sent_head, sent_body = sent.split(b"\r\n\r\n", 1)
    head, body = content.split(b"\r\n\r\n", 1)
    assert head.startswith(sent_head), (head, sent_head)
    assert body == sent_body
    assert delivered(gw, token, timeout=2) is None
    assert queued(gw, result.queue_id, timeout=1) is None
    assert gw.metric("coinguard_quarantine_messages_total") >= 1


def test_reject_mode_gives_the_client_a_5xx(gateways):
    gw = gateways["reject"]
    raw, token = message("invoice", attachment=_sample("eicar.com.zip", b"infected"))
    result = gw.send(raw)
    assert result.code == 554 and "coinguard says no" in result.text, result
    assert delivered(gw, token, timeout=1) is None
    # this daemon logs JSON ([logging] format = "json"): one object per message, queue id included
    events = [json.loads(line) for line in gw.daemon.log_text().splitlines() if line.startswith("{")]
    rejected = [e for e in events if e.get("action") == "reject"]
    assert rejected and rejected[-1]["verdict"] == "malicious" and rejected[-1]["qid"] not in ("", "-")
    assert "yara.coinguard_eicar_test_file" in rejected[-1]["codes"]
    # a clean message still passes the same daemon
    clean, ctoken = message("hello again")
    assert gw.send(clean).code == 250
    assert delivered(gw, ctoken) is not None


def test_scan_timeout_and_crash_tempfail_then_daemon_keeps_serving(gateways):
    gw = gateways["fault"]
    hang, _ = message("slow", headers=(("X-Coinguard-Test", "hang"),))
    started = time.monotonic()
    result = gw.send(hang)
    assert 400 <= result.code < 500, result
    assert time.monotonic() - started < 20
    boom, _ = message("boom", headers=(("X-Coinguard-Test", "raise"),))
    result = gw.send(boom)
    assert 400 <= result.code < 500 and "could not be scanned" in result.text, result
    clean, token = message("after the storm")
    assert gw.send(clean).code == 250
    assert delivered(gw, token) is not None
    assert gw.metric("coinguard_errors_total", stage="timeout") == 1
    assert gw.metric("coinguard_errors_total", stage="scan") == 1
    assert gw.metric("coinguard_worker_restarts_total", reason="timeout") == 1
    assert gw.metric("coinguard_messages_total", verdict="unchecked", action="tempfail") == 2
    assert gw.daemon.proc.poll() is None


def test_long_scan_survives_postfix_milter_timeout_thanks_to_keepalives(gateways):
    gw = gateways["fault"]  # Postfix: milter_content_timeout = 2s on this listener
    raw, token = message("slow but fine", headers=(("X-Coinguard-Test", "slow"),))  # 2.5 s scan
    started = time.monotonic()
    result = gw.send(raw)
    assert result.code == 250, (result, gw.postfix.log_tail())
    assert time.monotonic() - started >= 2.4
    assert delivered(gw, token) is not None


def test_unix_socket_gets_socket_mode_so_postfix_can_connect(gateways):
    gw = gateways["dir"]
    path = gw.daemon.unix_path
    assert path is not None and (path.stat().st_mode & 0o777) == 0o666
    raw, token = message("over a unix socket")
    assert gw.send(raw).code == 250  # smtpd runs as 'postfix', not root
    got = delivered(gw, token)
    assert got is not None and got.headers("X-Coinguard-Verdict") == ["clean score=0"]


def test_metrics_endpoint_counts_what_was_sent(gateways):
    gw = gateways["dir"]
    clean_before = gw.metric("coinguard_messages_total", verdict="clean", action="accept")
    mal_before = gw.metric("coinguard_messages_total", verdict="malicious", action="quarantine")
    for i in range(3):
        assert gw.send(message(f"note {i}")[0]).code == 250
    assert gw.send(message("bad", attachment=_sample("eicar.com.zip", b"infected"))[0]).code == 250
    assert gw.metric("coinguard_messages_total", verdict="clean", action="accept") == clean_before + 3
    assert gw.metric("coinguard_messages_total", verdict="malicious", action="quarantine") == mal_before + 1
    text = gw.metrics()
    for name in ("coinguard_scan_duration_seconds_count", "coinguard_message_bytes_count",
                 "coinguard_inflight_messages", "coinguard_rules_loaded", "coinguard_build_info"):
        assert name in text
    assert gw.metric("coinguard_findings_total", code="yara.coinguard_eicar_test_file") >= 1


def _wait_log(gw, needle: str, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if needle in gw.daemon.log_text():
            return True
        time.sleep(0.2)
    return False


def test_reload_with_broken_rule_keeps_serving_and_counts_the_error(gateways):
    gw = gateways["hold"]
    marker = "COINGUARD-INTEGRATION-MARKER-7f3a"
    broken = gw.rules_dir / "broken.yar"
    broken.write_text("rule broken {\n  strings:\n    $a = \"x\"\n  condition:\n    $a and and\n}\n")
    try:
        gw.daemon.signal(signal.SIGUSR1)
        assert _wait_log(gw, "reload failed"), gw.daemon.log_text()[-2000:]
        assert "broken.yar" in gw.daemon.log_text()
        assert gw.metric("coinguard_rules_reload_total", result="error") == 1
        # still serving, with the previous rule set (the custom marker rule still fires)
        raw, _ = message("marker", body=f"text {marker}\n")
        result = gw.send(raw)
        assert result.code == 250
        entry = queued(gw, result.queue_id)
        assert entry is not None and entry["queue_name"] == "hold"
    finally:
        broken.unlink()
    ok_before = gw.metric("coinguard_rules_reload_total", result="success")
    gw.daemon.signal(signal.SIGUSR1)
    end = time.monotonic() + 30
    while gw.metric("coinguard_rules_reload_total", result="success") <= ok_before and time.monotonic() < end:
        time.sleep(0.2)
    assert gw.metric("coinguard_rules_reload_total", result="success") == ok_before + 1
    clean, token = message("after reload")
    assert gw.send(clean).code == 250
    assert delivered(gw, token) is not None


def test_sigterm_drains_the_in_flight_message_and_exits_zero(gateways):
    gw = gateways["fault"]
    pid_file = gw.daemon.config_path.parent / "coinguard.pid"
    assert pid_file.read_text().strip() == str(gw.daemon.proc.pid)
    raw, token = message("slow one", headers=(("X-Coinguard-Test", "slow"),))
    results: list[harness.SendResult] = []
    sender = threading.Thread(target=lambda: results.append(gw.send(raw)))
    sender.start()
    time.sleep(1.0)  # the scan is running now
    assert gw.daemon.stop() == 0, gw.daemon.log_text()[-2000:]
    sender.join(30)
    assert results and results[0].code == 250, results  # finished, not cut off
    assert delivered(gw, token) is not None
    log = gw.daemon.log_text()
    # libmilter lets the open session finish before main() returns; then we drain the pool
    assert "stopped (drained=True)" in log
    line = next(ln for ln in log.splitlines() if f"qid={results[0].queue_id} " in ln)
    assert "verdict=clean action=accept" in line
    assert not pid_file.exists()
    # leave the session's gateway as we found it
    gw.daemon.start()
