"""Optional pushes against loopback servers: a MISP-like HTTP endpoint and an SMTP sink (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import io
import json
import os
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import pyzipper
from aiosmtpd.controller import Controller
from pymisp import MISPEvent

from coinguard.cli import main
from coinguard.report import campaigns
from coinguard.report.push import PushError, push_cert, push_misp
from coinguard.report.records import load_records
from coinguard.report.settings import ReportSettings
from report_helpers import offline_config

KEY = "k3y-0123456789abcdef"


class _Misp(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, dict[str, str], bytes]]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).received.append((self.path, dict(self.headers.items()), body))
        if type(self).status != 200:
            answer = {"errors": ["Authentication failed"]}
        else:
            event = json.loads(body)
            answer = {"Event": {**event.get("Event", event), "id": "42"}}
        data = json.dumps(answer).encode()
        self.send_response(type(self).status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def misp_server() -> Iterator[tuple[str, type[_Misp]]]:
    handler = type("Handler", (_Misp,), {"received": [], "status": 200})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


class _Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp_sink() -> Iterator[tuple[int, _Sink]]:
    with socket.socket() as probe:  # aiosmtpd's ready check needs the port up front
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = _Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield port, sink
    finally:
        controller.stop()


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "misp.key"
    path.write_text(KEY + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def _campaign(lab: Any) -> campaigns.Campaign:
    settings = ReportSettings()
    (found,) = campaigns.group(load_records(lab.store, settings), settings)
    return found


def test_misp_push_posts_the_event(lab, misp_server, key_file: Path) -> None:
    url, handler = misp_server
    case = _campaign(lab)
    answer = push_misp(case, ReportSettings(misp_url=url, misp_key_file=str(key_file)))
    assert answer["Event"]["id"] == "42"
    ((path, headers, body),) = handler.received
    assert path == "/events/add"
    assert headers["Authorization"] == KEY and headers["Content-Type"] == "application/json"
    event = MISPEvent()
    event.load(body.decode("utf-8"))
    assert f'coinguard:campaign="{case.id}"' in {t.name for t in event.tags}


def test_misp_push_refusals(lab, misp_server, key_file: Path, tmp_path: Path) -> None:
    url, handler = misp_server
    case = _campaign(lab)
    with pytest.raises(PushError, match="misp_url is not set"):
        push_misp(case, ReportSettings())
    os.chmod(key_file, 0o644)
    with pytest.raises(PushError, match="must not be readable"):
        push_misp(case, ReportSettings(misp_url=url, misp_key_file=str(key_file)))
    os.chmod(key_file, 0o600)
    handler.status = 403
    with pytest.raises(PushError, match="HTTP 403"):
        push_misp(case, ReportSettings(misp_url=url, misp_key_file=str(key_file)))
    with pytest.raises(PushError, match="not reachable"):
        push_misp(case, ReportSettings(misp_url="http://127.0.0.1:9", misp_key_file=str(key_file)))


def test_cert_mail_carries_summaries_and_the_bundle(lab, smtp_sink) -> None:
    port, sink = smtp_sink
    case = _campaign(lab)
    settings = ReportSettings(cert_address="report@cert.example", smtp=f"127.0.0.1:{port}",
                              report_from="soc@victim.example")
    assert push_cert(case, settings) == "report@cert.example"
    ((mail_from, rcpts, data),) = sink.messages
    assert mail_from == "soc@victim.example" and rcpts == ["report@cert.example"]
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert msg["Subject"] == f"[TLP:AMBER] coinguard incident report {case.id}"
    body = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "3 related message(s)" in body and "관련된 메일 3건" in body
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == f"coinguard-{case.id}.zip"
    with pyzipper.AESZipFile(io.BytesIO(attachment.get_content())) as zf:
        zf.setpassword(b"infected")
        assert zf.read(f"messages/{lab.ids['lure1']}.eml") == lab.raws["lure1"]


def test_cert_push_through_the_cli(lab, smtp_sink, capsys: pytest.CaptureFixture[str]) -> None:
    port, sink = smtp_sink
    case = _campaign(lab)
    # without [report] smtp the mail goes to [quarantine] release_smtp (the listener without the milter)
    cfg = offline_config(Path(lab.cfg.source).parent, extra=f'release_smtp = "127.0.0.1:{port}"\n')
    assert cfg.quarantine.path == lab.cfg.quarantine.path
    assert main(["report", case.id, "--push", "cert", "--to", "cert@cert.example", "-c", cfg.source]) == 0
    assert main(["report", case.id, "--push", "misp", "-c", cfg.source]) == 2
    err = capsys.readouterr().err
    assert f"mailed {case.id} to cert@cert.example" in err and "misp_url is not set" in err
    assert [r for _f, r, _d in sink.messages] == [["cert@cert.example"]]
