"""Nested messages: forwarded message/rfc822, .eml attachments, Outlook .msg, TNEF winmail.dat."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from coinguard.findings import Finding, Item
from coinguard.scan import ScanContext, scan_message
from coinguard.sniff import sniff
from coinguard.unpack.message import MessageUnpacker
from unpack.builders import LNK, outlook_msg, tnef, zip_archive

from helpers import make_context, make_message


def run(data: bytes, name: str, passwords: tuple[str, ...] = ()) -> tuple[list[str], list[Item], object]:
    item = Item(path=name, name=name, data=data, type=sniff(data))
    ctx = make_context(passwords=passwords)
    out = list(MessageUnpacker().handle(item, ctx))
    return [o.code for o in out if isinstance(o, Finding)], [o for o in out if isinstance(o, Item)], ctx


def forwarded(inner: bytes, base64_encoded: bool) -> bytes:
    outer = EmailMessage()
    outer["From"] = "colleague@example.org"
    outer["To"] = "bob@example.net"
    outer["Subject"] = "Fwd: statement"
    outer.set_content("FYI, see the forwarded mail.")
    if base64_encoded:  # what some clients send (RFC 2046 allows only 7bit/8bit/binary here)
        outer.add_attachment(inner, maintype="message", subtype="rfc822", filename="statement.eml")
    else:
        outer.add_attachment(email.message_from_bytes(inner, policy=email.policy.default))
    return outer.as_bytes()


@pytest.mark.parametrize("base64_encoded", [False, True], ids=["7bit", "base64"])
def test_forwarded_rfc822_message_carries_the_archive_and_its_password(base64_encoded: bool) -> None:
    secret = zip_archive({"invoice.pdf.lnk": LNK}, password=b"Fw-9001")
    inner = make_message(subject="statement", body="Your statement. Password: Fw-9001",
                         attachments=[("statement.zip", secret, "application/zip")])
    verdict = scan_message(forwarded(inner, base64_encoded), ScanContext())
    paths = {a.path: a.type for a in verdict.attachments}
    eml = next(p for p, t in paths.items() if t == "eml")
    assert paths[f"{eml}/statement.zip"] == "zip"
    assert paths[f"{eml}/statement.zip/invoice.pdf.lnk"] == "lnk"  # the password came from the inner body
    codes = {f.code for f in verdict.findings}
    assert {"message.nested", "archive.password_found"} <= codes
    assert "archive.encrypted_unopened" not in codes


def test_eml_attachment_is_opened_and_its_body_harvested() -> None:
    inner = make_message(subject="pw 4455", body="hello", attachments=[("a.txt", b"inner text")])
    codes, items, ctx = run(inner, "mail.eml")
    assert codes == ["message.nested"]
    assert any(i.path == "mail.eml/a.txt" and i.data == b"inner text" for i in items)
    assert "4455" in ctx.passwords


def test_outlook_msg_attachments_body_and_password() -> None:
    secret = zip_archive({"wallet_backup.js": b"var x = new ActiveXObject('WScript.Shell');"}, password=b"Ms-3310")
    data = outlook_msg("Wallet backup", "Hi,\nthe archive password is Ms-3310\n", {"backup.zip": secret})
    codes, items, ctx = run(data, "forward.msg")
    assert codes == ["message.msg"]
    assert {(i.path, i.type) for i in items} >= {("forward.msg/backup.zip", "zip")}
    body = next(i for i in items if i.role == "text")
    assert b"Ms-3310" in body.data
    assert ctx.passwords[0] == "Ms-3310"


def test_outlook_msg_through_scan_message_reaches_inside_the_encrypted_zip() -> None:
    secret = zip_archive({"invoice.pdf.lnk": LNK}, password=b"Ms-3310")
    data = outlook_msg("Invoice", "pw: Ms-3310", {"invoice.zip": secret})
    verdict = scan_message(make_message(attachments=[("invoice.msg", data)]), ScanContext())
    assert "invoice.msg/invoice.zip/invoice.pdf.lnk" in {a.path for a in verdict.attachments}


def test_tnef_attachments() -> None:
    data = tnef({"invoice.pdf.lnk": LNK, "note.txt": b"plain note"})
    codes, items, _ = run(data, "winmail.dat")
    assert codes == ["message.tnef"]
    assert {(i.path, i.type) for i in items} == {
        ("winmail.dat/invoice.pdf.lnk", "lnk"), ("winmail.dat/note.txt", "text")}


def test_broken_msg_and_tnef_are_parse_errors() -> None:
    data = outlook_msg("x", "y", {"a.txt": b"a"})
    codes, items, _ = run(data[:1536], "broken.msg")
    # the cut (sniff.ole_damage), then extract-msg's own failure
    assert codes == ["message.msg", "message.parse_error", "message.parse_error"]
    assert items == []
    codes, items, _ = run(b"\x78\x9f\x3e\x22" + b"\x01\x00" + b"\x02\xff\xff\xff\xff" * 4, "winmail.dat")
    assert codes[0] == "message.tnef"
    assert items == []


def test_tnefparse_log_records_with_hostile_arguments_do_not_flood_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """tnefparse formats a malformed version with the whole buffer as arguments: no logging traceback."""
    import logging

    import coinguard.unpack.message  # noqa: F401  (installs the filter)

    logger = logging.getLogger("tnefparse")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:
        logger.warning("Invalid TNEF Version %02x%02x%02x%02x", *b"\x01\x02\x03\x04\x05\x06")
    finally:
        logger.removeHandler(handler)
    err = capsys.readouterr().err
    assert "Logging error" not in err and "Traceback" not in err
    assert "Invalid TNEF Version" in err and "arguments dropped" in err
