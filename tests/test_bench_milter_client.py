"""bench/milter_client.py against a real ``coinguard run`` daemon (no MTA): the message the daemon
receives over the milter protocol is the message sent, byte for byte, and its replies are read right.

* a campaign copy (a DDE docx and an XLM sheet in a zip) is quarantined: the reply is a discard, and
  the dir quarantine holds exactly the bytes sent (so headers, folds and body went over intact);
* a clean message is accepted on the same connection (the session goes on after a discard);
* negotiation: the daemon asks for no replies before end of message, which the client honours
  (otherwise the conversation would hang on the first header).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from integration import harness

from helpers import make_message

pytest.importorskip("miltertest")
pytest.importorskip("milter")  # pymilter: the daemon

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

import milter_client  # noqa: E402
from miltertest import constants as c  # noqa: E402

import campaigns  # noqa: E402


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("milter-client")
    port = harness.free_port()
    cfg = home / "coinguard.toml"
    harness.write_daemon_config(cfg, port, harness.free_port(), quarantine_backend="dir",
                                quarantine_dir=home / "quarantine", workers=1)
    d = harness.DaemonProcess(cfg, port, home / "daemon.log",
                              env={"PYTHONPATH": str(REPO / "milter")})
    d.start(120)
    yield port, home / "quarantine"
    d.stop()


def test_split_message_is_what_postfix_sends() -> None:
    raw = b"Subject: a\r\n b\r\nX-A:v\r\n\r\nline1\nline2\r\n"
    headers, body = milter_client.split_message(raw)
    assert headers == [(b"Subject", b" a\n b"), (b"X-A", b"v")]
    assert body == b"line1\r\nline2\r\n"


def test_quarantine_then_clean_on_one_connection(daemon) -> None:  # type: ignore[no-untyped-def]
    port, qdir = daemon
    raw = campaigns.copy("zip", 7).replace(b"Subject:", b"X-Folded: one\r\n\ttwo\r\nSubject:", 1)
    assert b"\tTwo" not in raw and b"\r\n\ttwo\r\n" in raw
    clean = make_message(subject="Lunch", body="See you at noon.\n")
    with milter_client.MilterSession.open(("127.0.0.1", port)) as s:
        assert s.protocol & c.SMFIP_NR_HDR and s.protocol & c.SMFIP_NR_BODY  # coinguard's no-reply steps
        first = s.message(raw, sender="alerts@binance-verify.example", rcpts=["user7@corp.example"],
                          queue_id="QCLIENT1")
        second = s.message(clean, queue_id="QCLIENT2")
    assert first.action == "discard", first
    held = list(qdir.glob("*.eml"))
    assert len(held) == 1
    assert held[0].read_bytes() == raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    assert second.action in ("accept", "continue"), second
    assert not second.smtp_reply
