"""A forwarded message is a password source for the encrypted files of the whole message (issue 11).

The technique: an encrypted zip or Office file travels with its password in a forwarded mail (a
message/rfc822 part or an attached .eml): "the password is ..." in the forwarded body, in its Subject or in a
text note inside it, with the encrypted file inside the forwarded mail or beside it in the outer one, in
either order.  passwords.note_files takes the top-level forwarded messages (bounded) and note_texts reads
their Subject and text parts (bounded in bytes, parts and characters), lazily, as for the text notes.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from analyzers.test_encrypted import _clean_docx, encrypt
from coinguard import passwords
from coinguard.config import parse_config
from coinguard.findings import Item, Role
from coinguard.scan import ScanContext, scan_message
from unpack.builders import zip_archive

PW = "Vq7-Lupo-93"
CFG = '[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.05\n'
LOCKED_ZIP = zip_archive({"figures.txt": b"quarterly figures, as agreed\n" * 40}, password=PW.encode())


def _message(subject: str, body: str, *, html: bool = False,
             attachments: tuple[tuple[str, bytes, str], ...] = (), forwarded: tuple[bytes, ...] = ()) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Kim <kim@example.org>", "bob@example.net", subject
    msg.set_content(body, subtype="html" if html else "plain")
    for name, data, ctype in attachments:
        maintype, subtype = ctype.split("/", 1)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    for inner in forwarded:
        msg.add_attachment(email.message_from_bytes(inner, policy=email.policy.default))
    return msg.as_bytes()


def _found(raw: bytes) -> set[tuple[str, str]]:
    verdict = scan_message(raw, ScanContext(config=parse_config(CFG)))
    return {(f.code, f.path.rpartition("/")[2]) for f in verdict.findings}


ZIP = ("figures.zip", LOCKED_ZIP, "application/zip")
BODIES = {
    "English": ("Q3 figures", "Hi Bob,\nthe password is Vq7-Lupo-93\nKim\n", False),
    "German": ("Zahlen Q3", "Hallo Bob,\ndas Passwort lautet: Vq7-Lupo-93\nGruß Kim\n", False),
    "Korean": ("분기 보고서", "안녕하세요. 첨부 파일 암호는 Vq7-Lupo-93입니다.\n", False),
    "HTML, bold password": ("Q3 figures", "<p>Hi, the <b>password</b> is <b>Vq7-Lupo-93</b>.</p>", True),
    "in the forwarded Subject": ("Q3 figures (pw: Vq7-Lupo-93)", "Hi Bob,\nfigures attached.\n", False),
}


@pytest.mark.parametrize("language", BODIES)
@pytest.mark.parametrize("where", ["inside the forwarded mail", "beside it, before", "beside it, after"])
def test_the_forwarded_mail_gives_the_password(language: str, where: str) -> None:
    subject, body, html = BODIES[language]
    inside = where == "inside the forwarded mail"
    inner = _message(subject, body, html=html, attachments=(ZIP,) if inside else ())
    if inside:
        outer = _message("Fwd: Q3", "see below", forwarded=(inner,))
    elif where == "beside it, before":
        outer = _message("Fwd: Q3", "see below", attachments=(ZIP, ("fwd.eml", inner, "message/rfc822")))
    else:
        outer = _message("Fwd: Q3", "see below", attachments=(("fwd.eml", inner, "application/octet-stream"), ZIP))
    found = _found(outer)
    assert ("archive.password_found", "figures.zip") in found, found
    assert ("archive.encrypted_unopened", "figures.zip") not in found


@pytest.mark.parametrize("note", [f"{PW}\n", f"Password: {PW}\n", f"Das Kennwort ist {PW}\n"])
def test_a_text_note_inside_the_forwarded_mail_gives_the_password(note: str) -> None:
    inner = _message("Q3", "Hi Bob,\nthe password is in the note.\n",
                     attachments=(ZIP, ("password.txt", note.encode(), "text/plain")))
    found = _found(_message("Fwd: Q3", "see below", forwarded=(inner,)))
    assert ("archive.password_found", "figures.zip") in found, found


def test_forwarded_inside_forwarded() -> None:
    inner = _message("Q3", "the password is Vq7-Lupo-93\n")
    middle = _message("Fwd: Q3", "below", forwarded=(inner,))
    found = _found(_message("Fwd: Fwd: Q3", "see below", attachments=(ZIP,), forwarded=(middle,)))
    assert ("archive.password_found", "figures.zip") in found, found


def test_an_encrypted_office_file_beside_the_forwarded_mail_is_opened() -> None:
    locked = encrypt(_clean_docx(), PW)
    inner = _message("Figures", "Hi,\nthe document password is Vq7-Lupo-93\n")
    found = _found(_message("Fwd: Figures", "see below", attachments=(
        ("figures.docx", locked, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),),
        forwarded=(inner,)))
    assert ("office.encrypted.opened", "figures.docx") in found, found


def test_a_forwarded_mail_with_another_password_opens_nothing() -> None:
    inner = _message("Q3", "the password is Other-1234\n")
    found = _found(_message("Fwd: Q3", "see below", attachments=(ZIP,), forwarded=(inner,)))
    assert ("archive.encrypted_unopened", "figures.zip") in found, found


def _item(data: bytes, kind: str = "eml", depth: int = 0) -> Item:
    return Item(path="fwd.eml", name="fwd.eml", data=data, type=kind, role=Role.ATTACHMENT, depth=depth)


def test_bounds() -> None:
    inner = _message("Q3", "nothing here\n")
    items = [_item(inner) for _ in range(passwords.NESTED_MESSAGES + 3)] + [_item(inner, depth=1)]
    assert len(passwords.note_files(items)) == passwords.NESTED_MESSAGES
    # past NESTED_BYTES nothing is read
    late = _message("Q3", "x\n" * (passwords.NESTED_BYTES // 2 + 10) + f"the password is {PW}\n")
    assert PW not in " ".join(passwords.nested_message_texts(late))
    assert PW in " ".join(passwords.nested_message_texts(_message("Q3", f"the password is {PW}\n")))
    # at most NESTED_PARTS parts walked
    many = _message("Q3", "body", attachments=tuple((f"n{i}.txt", f"note {i}".encode(), "text/plain")
                                                   for i in range(passwords.NESTED_PARTS * 2)))
    assert len(passwords.nested_message_texts(many)) <= passwords.NESTED_PARTS + 1


@pytest.mark.parametrize("data", [b"", b"\x00\xff" * 100, b"Subject: =?bogus?Q?x?=\r\n\r\nhi",
                                  b"Content-Type: text/plain; charset=nonexistent-9\r\n\r\n\xff\xfe password x"])
def test_hostile_forwarded_bytes_never_raise(data: bytes) -> None:
    assert isinstance(passwords.nested_message_texts(data), tuple)


def test_the_forwarded_mail_is_read_only_when_something_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    """note_files only picks the items; the forwarded mail is parsed when the candidates are first read.
    (A nested message's unpacker reads them as it learns its own body's candidates: unpack/message.py.)"""
    calls: list[bytes] = []
    real = passwords.nested_message_texts
    monkeypatch.setattr(passwords, "nested_message_texts", lambda data: calls.append(data) or real(data))
    inner = _message("Q3", "the password is Vq7-Lupo-93\n")
    candidates = passwords.Candidates(("Fwd", "see below"), notes=passwords.note_files([_item(inner)]))
    assert not calls and not candidates.harvested
    assert PW in candidates and len(calls) == 1
