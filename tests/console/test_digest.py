"""``coinguard digest``: per-recipient digests and admin notices through a real SMTP sink."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import json
import re
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from consoletest import Filled, Sink, free_port, messages

from coinguard.console import auth
from coinguard.console.settings import Settings
from coinguard.digest import GRACE, Mailer, defang, send_all
from coinguard.scan import Envelope, ScanContext, scan_message

LATER = GRACE  # "now" for a run: everything quarantined before the call is past the grace period


def run(settings: Settings, filled: Filled, now: datetime | None = None, **digest: object) -> list[str]:
    s = dataclasses.replace(settings, digest=dataclasses.replace(settings.digest, **digest))  # type: ignore[arg-type]
    mailer = Mailer(s)
    try:
        return send_all(filled.store, s, mailer, now or datetime.now(UTC) + LATER)
    finally:
        mailer.close()


def parsed(sink: Sink) -> list[tuple[list[str], EmailMessage]]:
    out = []
    for _, rcpts, raw in sink.got:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        out.append((rcpts, msg))
    return out


def parts(msg: EmailMessage) -> dict[str, str]:
    return {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}


def test_each_recipient_gets_one_digest_with_their_link_and_nothing_live(
        env: tuple[Settings, Filled], sink: Sink) -> None:
    settings, filled = env
    assert run(settings, filled) == []
    got = {rcpts[0]: msg for rcpts, msg in parsed(sink)}
    assert sorted(got) == ["bob@ex.test", "carol@ex.test", "xbob@ex.test"]
    assert all(f == "quarantine@ex.test" for f, _, _ in sink.got)
    secret = auth.load_secret(settings.console.secret_file)
    for rcpt, msg in got.items():
        assert msg["To"] == rcpt and msg["Auto-Submitted"] == "auto-generated"
        body = parts(msg)
        assert set(body) == {"text/plain", "text/html"}  # never an attachment
        links = re.findall(r"https?://\S+", body["text/plain"])
        assert len(links) == 1 and links[0].startswith(settings.console.public_url() + "/r/")
        assert auth.check_link(secret, links[0].rsplit("/", 1)[1])[0] == rcpt
        hrefs = re.findall(r'href="([^"]*)"', body["text/html"])
        assert hrefs == [links[0]]
        assert "evil.example" not in body["text/plain"] + body["text/html"]
        assert "<script" not in body["text/html"] and "<img" not in body["text/html"]
    bob_text = parts(got["bob@ex.test"])["text/plain"]
    assert "2 message(s)" in bob_text and "Your wallet seed phrase update" in bob_text
    assert "binance-secure[.]test" in bob_text and "Only an administrator can release it." in bob_text
    assert "You can release it yourself" in bob_text  # the suspicious one
    assert "Claim your airdrop" not in bob_text
    assert "&lt;script&gt;" in parts(got["bob@ex.test"])["text/html"]
    assert "Claim your airdrop" in parts(got["carol@ex.test"])["text/plain"]


def test_a_second_run_sends_only_what_is_new(env: tuple[Settings, Filled], sink: Sink) -> None:
    settings, filled = env
    run(settings, filled)
    first = len(sink.got)
    run(settings, filled)
    assert len(sink.got) == first
    time.sleep(0.01)  # the new message is quarantined after the cut-off of the runs before
    raw, sender, _ = messages()["airdrop"]
    v = scan_message(raw, ScanContext(config=settings.config, envelope=Envelope(sender=sender, rcpts=("dan@ex.test",))))
    filled.store.put(raw, v)
    run(settings, filled, now=datetime.now(UTC) + 2 * LATER)
    assert [rcpts for _, rcpts, _ in sink.got[first:]] == [["dan@ex.test"]]
    state = json.loads(Path(settings.digest.state_file).read_text())
    assert state["sent_until"] and state["pending"] == {}


def test_failed_digests_are_retried_without_resending_to_the_others(env: tuple[Settings, Filled], sink: Sink) -> None:
    settings, filled = env
    dead = f"127.0.0.1:{free_port()}"
    assert sorted(run(settings, filled, smtp=dead)) == ["bob@ex.test", "carol@ex.test", "xbob@ex.test"]
    assert sink.got == []
    state = json.loads(Path(settings.digest.state_file).read_text())
    assert sorted(state["pending"]) == ["bob@ex.test", "carol@ex.test", "xbob@ex.test"]
    assert run(settings, filled, now=datetime.now(UTC) + 2 * LATER) == []
    assert sorted(r[0] for _, r, _ in sink.got) == ["bob@ex.test", "carol@ex.test", "xbob@ex.test"]
    assert "2 message(s)" in parts(dict((r[0], m) for r, m in parsed(sink))["bob@ex.test"])["text/plain"]


def test_admin_notice_lists_new_malicious_mail_once(env: tuple[Settings, Filled], sink: Sink) -> None:
    settings, filled = env
    run(settings, filled, admin_notify="postmaster@ex.test")
    notices = [m for r, m in parsed(sink) if r == ["postmaster@ex.test"]]
    assert len(notices) == 1
    text = parts(notices[0])
    assert set(text) == {"text/plain"}
    body = text["text/plain"]
    assert filled.ids["script"] in body and filled.ids["airdrop"] in body
    assert filled.ids["xss"] not in body  # suspicious: no notice
    run(settings, filled, admin_notify="postmaster@ex.test")
    assert len([1 for _, r, _ in sink.got if r == ["postmaster@ex.test"]]) == 1


def test_dry_run_sends_and_records_nothing(env: tuple[Settings, Filled], sink: Sink,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    settings, filled = env
    mailer = Mailer(settings, dry_run=True)
    send_all(filled.store, settings, mailer, datetime.now(UTC) + LATER, dry_run=True)
    assert sink.got == [] and not Path(settings.digest.state_file).exists()
    assert "To: bob@ex.test" in capsys.readouterr().out


@pytest.mark.parametrize(("text", "want"), [
    ("see https://evil.example/login now", "see hxxps[:]//evil[.]example/login now"),
    ("mallory@evil.test", "mallory@evil[.]test"),
    ("javascript:alert(1)", "javascript[:]alert(1)"),
    ("version 2.5 is out", "version 2.5 is out"),
    ("ftp://x.example", "ftp[:]//x[.]example"),
])
def test_defang(text: str, want: str) -> None:
    assert defang(text) == want
