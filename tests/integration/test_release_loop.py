"""Releases never loop (issue 12 §2), through a real Postfix configured with exactly the lines
the docs give (``harness.DOC_MAIN_CF`` / ``DOC_MASTER_CF``): milters on smtpd AND on local
submission (``non_smtpd_milters = $smtpd_milters``), and the re-injection listener without
milters that ``release_method = "smtp"`` sends to.

The session's "dir" daemon is the milter (a milter serves any number of Postfixes).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from integration import harness

from helpers import make_message

pytestmark = pytest.mark.integration

MARKER = "COINGUARD-INTEGRATION-MARKER-7f3a"  # the conftest's marker rule: score 20, quarantined
CLI = Path(sys.executable).with_name("coinguard")
SENDMAIL = "/usr/sbin/sendmail"


def malicious(tag: str) -> bytes:
    return make_message(subject=f"release loop {tag}", body=f"verify your wallet\n{MARKER}\n")


def cli_config(gw, path: Path, pf: harness.PrivatePostfix, **quarantine: str) -> Path:  # type: ignore[no-untyped-def]
    """The dir daemon's config for the CLI, with this Postfix and the given [quarantine] keys."""
    text = gw.daemon.config_path.read_text()
    text = text.replace(f'postfix_config_dir = "{gw.postfix.config_dir}"', f'postfix_config_dir = "{pf.config_dir}"')
    keys = "".join(f"{k} = {json.dumps(v)}\n" for k, v in quarantine.items())
    path.write_text(text.replace("[quarantine]\n", "[quarantine]\n" + keys, 1))
    return path


def release(config: Path, qid: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CLI), "quarantine", "release", "-c", str(config), qid],
                          capture_output=True, text=True, timeout=120, check=False)


def entries(gw) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Quarantine ID -> subject of every message in the dir daemon's quarantine."""
    proc = subprocess.run([str(CLI), "quarantine", "list", "--json", "-c", str(gw.daemon.config_path)],
                          capture_output=True, text=True, timeout=60, check=True)
    return {row["id"]: row["subject"] for row in map(json.loads, proc.stdout.splitlines())}


def wait_entry(gw, subject: str, timeout: float = 20.0) -> str:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = [qid for qid, subj in entries(gw).items() if subj == subject]
        if found:
            assert len(found) == 1, found
            return found[0]
        time.sleep(0.3)
    raise AssertionError(f"{subject!r} never reached the quarantine:\n{gw.daemon.log_text()[-2000:]}")


def test_released_message_arrives_once_and_is_not_scanned_again(gateways, tmp_path: Path) -> None:
    gw = gateways["dir"]
    release_port = harness.free_port()
    main_cf, master_cf = harness.doc_postfix_lines(f"unix:{gw.daemon.unix_path}", release_port)
    with harness.gateway({"in": ""}, main_extra=main_cf, master_extra=master_cf) as (sink, pf):
        assert harness.wait_port(release_port, 15), pf.log_tail()
        tag = uuid.uuid4().hex[:10]
        # 1. over SMTP: the documented smtpd_milters scan it, the dir back end keeps it
        scanned_before = gw.metric("coinguard_messages_total", verdict="malicious", action="quarantine")
        assert harness.send(pf.ports["in"], malicious(tag)).code == 250
        qid = wait_entry(gw, f"release loop {tag}")
        # 2. local submission is scanned too (non_smtpd_milters = $smtpd_milters): what would loop
        local = f"local {tag}"
        subprocess.run([SENDMAIL, "-C", str(pf.config_dir), "-i", "-f", "alice@sender.test", "--", "bob@rcpt.test"],
                       input=make_message(subject=local, body=f"{MARKER}\n"), check=True, timeout=60)
        wait_entry(gw, local)
        assert gw.metric("coinguard_messages_total", verdict="malicious", action="quarantine") == scanned_before + 2

        # 3. releasing by sendmail would be scanned again: refused, the message stays in quarantine
        by_sendmail = cli_config(gw, tmp_path / "sendmail.toml", pf, release_method="sendmail")
        proc = release(by_sendmail, qid)
        assert proc.returncode != 0 and "would scan it again" in proc.stderr, proc
        assert qid in entries(gw)

        # 4. release_method = "smtp" to the documented listener: delivered once, never rescanned
        by_smtp = cli_config(gw, tmp_path / "smtp.toml", pf, release_method="smtp",
                             release_smtp=f"127.0.0.1:{release_port}")
        before = gw.metrics()
        proc = release(by_smtp, qid)
        assert proc.returncode == 0, proc
        got = sink.wait_for(lambda m: tag.encode() in m.content and b"local" not in m.content, timeout=30)
        assert got is not None, pf.log_tail()
        assert got.rcpts == ("bob@rcpt.test",)
        time.sleep(3.0)  # a loop would show up as a second copy or a second quarantine entry by now
        assert [m.rcpts for m in sink.messages if f"release loop {tag}".encode() in m.content] == [("bob@rcpt.test",)]
        assert f"release loop {tag}" not in entries(gw).values()
        assert _messages_total(gw.metrics()) == _messages_total(before)  # the milter never saw it
        assert b"coinguard-release" in pf.log_file.read_bytes()  # it came in through the release listener
        assert pf.queue() == []  # nothing left over either


def _messages_total(text: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("coinguard_messages_total{"))
