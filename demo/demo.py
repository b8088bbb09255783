"""The coinguard demo (run by ``make demo``): real Postfix + real daemon, on loopback only.

1. starts a private Postfix (own config and spool in a temp folder, smtpd on a free
   127.0.0.1 port, relaying to an SMTP sink this script runs), and ``coinguard run``;
2. sends a clean message, an EICAR zip and a harmless DDE proof-of-concept document;
3. prints the headers coinguard added to the delivered message and where the malicious
   ones were quarantined (our ``dir`` store, then Postfix's hold queue);
4. stops everything and removes Postfix's temp folder (the daemons' folder with the
   quarantined message and their logs is kept, and printed, for inspection).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import zipfile
from email.message import EmailMessage
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from integration import harness  # noqa: E402

DATA = REPO / "tests" / "data"


def sample(zip_name: str, password: bytes) -> tuple[str, bytes]:
    with zipfile.ZipFile(DATA / zip_name) as z:
        name = z.namelist()[0]
        return name, z.read(name, pwd=password)


def message(subject: str, body: str, attachment: tuple[str, bytes] | None = None,
            sender: str = "Upbit Support <support@upbit-security.test>") -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "holder@example.test"
    msg["Subject"] = subject
    msg["X-Coinguard-Verdict"] = "clean score=0 (forged by the sender: coinguard removes it)"
    msg.set_content(body)
    if attachment:
        msg.add_attachment(attachment[1], maintype="application", subtype="octet-stream", filename=attachment[0])
    return msg.as_bytes()


def say(text: str) -> None:
    print(f"\n== {text}", flush=True)


def main() -> int:
    reason = harness.missing_prerequisite()
    if reason:
        print(f"demo: cannot run: {reason}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="coinguard-demo-"))
    ports = {"dir": harness.free_port(), "hold": harness.free_port()}
    listeners = {name: f"inet:127.0.0.1:{port}" for name, port in ports.items()}
    daemons: dict[str, harness.DaemonProcess] = {}
    with harness.gateway(listeners) as (sink, pf):
        try:
            for backend, port in ports.items():
                d = work / backend
                d.mkdir()
                cfg = d / "coinguard.toml"
                harness.write_daemon_config(cfg, port, harness.free_port(), quarantine_backend=backend,
                                            quarantine_dir=d / "quarantine", postfix_config_dir=pf.config_dir,
                                            workers=2)
                daemons[backend] = harness.DaemonProcess(cfg, port, d / "daemon.log")
                daemons[backend].start()
            say(f"Postfix listening on 127.0.0.1:{pf.ports['dir']} (quarantine: dir) and :{pf.ports['hold']} "
                f"(quarantine: Postfix hold queue); sink on 127.0.0.1:{sink.port}")

            say("1. a clean message")
            r = harness.send(pf.ports["dir"], message("Lunch on Friday?", "Hi,\nshall we meet at noon?\n",
                                                      sender="Alice <alice@example.org>"))
            print(f"SMTP reply: {r.code} {r.text}")
            got = sink.wait_for(lambda m: b"Lunch on Friday" in m.header_block(), 20)
            if got is None:
                print("not delivered?!\n" + pf.log_tail())
                return 1
            print("delivered; headers coinguard added or kept:")
            for line in got.header_block().decode(errors="replace").split("\r\n"):
                if line.lower().startswith(("x-coinguard", "authentication-results", "subject")):
                    print("   ", line)

            say("2. an EICAR test file in a zip (quarantine backend: dir)")
            eicar = sample("eicar.com.zip", b"infected")
            r = harness.send(pf.ports["dir"], message("KYC verification required",
                                                      "Open the attached form to keep your wallet.\n",
                                                      ("kyc-form.zip", _zip(*eicar))))
            print(f"SMTP reply: {r.code} {r.text}")
            qdir = work / "dir" / "quarantine"
            for meta in sorted(qdir.glob("*.json")):
                v = json.loads(meta.read_text())
                verdict = v.get("verdict", v)
                print(f"quarantined as {meta.with_suffix('.eml')}")
                codes = [f["code"] for f in verdict.get("findings", []) if f.get("score")]
                print(f"    verdict={verdict.get('verdict')} score={verdict.get('score')} "
                      f"action={verdict.get('action')} codes={codes}")

            say("3. a harmless DDE proof-of-concept Word document (quarantine backend: Postfix hold queue)")
            dde = sample("dde-test-from-office2003.doc.zip", b"infected-test")
            r = harness.send(pf.ports["hold"], message("Airdrop allocation list", "See the attached list.\n", dde))
            print(f"SMTP reply: {r.code} {r.text}")
            for _ in range(50):
                held = [e for e in pf.queue() if e.get("queue_id") == r.queue_id]
                if held:
                    break
                time.sleep(0.2)
            for e in held:
                print(f"held in Postfix's hold queue: {e['queue_id']} queue_name={e['queue_name']} "
                      f"(postqueue -c {pf.config_dir} -j; release with coinguard quarantine release)")

            say("the daemons' one log line per message")
            for backend, d in daemons.items():
                for line in d.log_text().splitlines():
                    if " qid=" in line:
                        print(f"[{backend}] {line.split(': ', 1)[-1]}")
            return 0
        finally:
            for d in daemons.values():
                d.stop()
            say(f"stopped Postfix, the sink and the daemons; quarantine and daemon logs kept in {work}")


def _zip(name: str, data: bytes) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return buf.getvalue()


if __name__ == "__main__":
    sys.exit(main())
