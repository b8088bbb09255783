"""Shared by the console and digest tests (conftest.py exposes the fixtures): a DirStore filled
by really scanning crafted messages, an SMTP sink (aiosmtpd on loopback) that the store's
Injector releases to, and console settings pointing at files in tmp_path."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from coinguard.config import Config, parse_config
from coinguard.console import auth
from coinguard.console.settings import ConsoleConfig, DigestConfig, Settings
from coinguard.findings import VerdictKind
from coinguard.quarantine import QuarantineStore, open_store
from coinguard.scan import Envelope, ScanContext, scan_message

from helpers import free_port, make_message, zip_bytes

ADMIN, PASSWORD = "ann", "correct horse battery"
XSS_SUBJECT = '<script>alert("subject")</script><img src=x onerror=alert(2)>'
XSS_FILE = '"><script>alert("file")</script><img src=x onerror=alert(3)>.exe'
MZ = b"MZ\x90\x00" + b"\x00" * 200


@dataclass
class Sink:
    """Every message the SMTP sink received: (mail_from, rcpts, bytes)."""

    port: int = 0
    got: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.got.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))  # type: ignore[attr-defined]
        self.arrived.set()
        return "250 OK"


@pytest.fixture
def sink() -> Iterator[Sink]:
    from aiosmtpd.controller import Controller

    handler = Sink(port=free_port())
    ctl = Controller(handler, hostname="127.0.0.1", port=handler.port)
    ctl.start()
    try:
        yield handler
    finally:
        ctl.stop()


def make_config(tmp_path: Path, smtp_port: int) -> Config:
    return parse_config(f"""
[quarantine]
backend = "dir"
path = "{tmp_path / 'quarantine'}"
release_method = "smtp"
release_smtp = "127.0.0.1:{smtp_port}"
[dkim]
nameservers = ["127.0.0.1"]
dns_port = 9
dns_timeout_s = 0.3
""")


def make_settings(tmp_path: Path, smtp_port: int, **console: object) -> Settings:
    cc = ConsoleConfig(users_file=str(tmp_path / "users"), secret_file=str(tmp_path / "secret"),
                       allowlist_file=str(tmp_path / "allowlist.jsonl"), cookie_secure=False)
    cc = dataclasses.replace(cc, **console)  # type: ignore[arg-type]
    dc = DigestConfig(state_file=str(tmp_path / "digest-state.json"), sender="quarantine@ex.test",
                      smtp=f"127.0.0.1:{smtp_port}")
    return Settings(make_config(tmp_path, smtp_port), cc, dc)


#: The crafted messages: name -> (raw, envelope sender, recipients)
def messages() -> dict[str, tuple[bytes, str, tuple[str, ...]]]:
    return {
        "script": (make_message(
            subject="Your wallet seed phrase update", sender="Binance <support@binance-secure.test>",
            to="bob@ex.test", body="Dear Binance user, verify your wallet seed phrase now: https://evil.example/x",
            attachments=[("wallet.pdf.js", b"var s=new ActiveXObject('WScript.Shell');s.Run('powershell -enc AA');")]),
            "support@binance-secure.test", ("bob@ex.test",)),
        "xss": (make_message(
            subject=XSS_SUBJECT, sender="Mallory <mallory@evil.test>", to="bob@ex.test, carol@ex.test",
            body="plain part", html='<p>Hello <b>Bob</b></p><script>alert("body")</script>'
                                    '<img src="https://tracker.example/p.gif"><a href="https://evil.example/">click</a>',
            # a local Excel web query (file.iqy): strong, not conclusive -> suspicious (a script that only
            # echoes is weak context since issue 11, so it no longer makes the message suspicious)
            attachments=[(XSS_FILE, b"WEB\r\n1\r\nC:\\data\\local.htm\r\n")]),
            "mallory@evil.test", ("bob@ex.test", "carol@ex.test")),
        "airdrop": (make_message(
            subject="Claim your airdrop", sender="Drops <drop@airdrop.test>", to="carol@ex.test",
            body="claim your airdrop today", attachments=[("claim.zip", zip_bytes({"claim.pdf.exe": MZ}),
                                                           "application/zip")]),
            "drop@airdrop.test", ("carol@ex.test",)),
        "lookalike": (make_message(subject="Invoice", sender="x@partner.test", to="xbob@ex.test",
                                   attachments=[("invoice.exe", MZ)]),
                      "x@partner.test", ("xbob@ex.test",)),
    }


@dataclass
class Filled:
    store: QuarantineStore
    ids: dict[str, str]  # message name -> quarantine id
    verdicts: dict[str, str]


def fill(store: QuarantineStore, cfg: Config) -> Filled:
    ids: dict[str, str] = {}
    verdicts: dict[str, str] = {}
    for name, (raw, sender, rcpts) in messages().items():
        v = scan_message(raw, ScanContext(config=cfg, envelope=Envelope(id=f"Q{name}", sender=sender, rcpts=rcpts)))
        ids[name] = store.put(raw, v)
        verdicts[name] = str(v.verdict)
    assert verdicts["script"] == VerdictKind.MALICIOUS and verdicts["xss"] == VerdictKind.SUSPICIOUS
    return Filled(store, ids, verdicts)


@pytest.fixture
def env(tmp_path: Path, sink: Sink) -> tuple[Settings, Filled]:
    settings = make_settings(tmp_path, sink.port)
    store = open_store(settings.config.quarantine)
    filled = fill(store, settings.config)
    auth.write_users(settings.console.users_file, {ADMIN: auth.hash_password(PASSWORD)})
    return settings, filled
