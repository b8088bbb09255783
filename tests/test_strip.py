"""strip.strip_parts on raw bytes: the bad part becomes a notice, everything else is byte-identical."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage

import pytest

from coinguard import mime
from coinguard.findings import Action, Finding, Verdict, VerdictKind
from coinguard.strip import StripError, leaves, notice_text, offending_parts, strip_parts

EXE = b"MZ\x90\x00" + b"\x00evil" * 200
PDF = b"%PDF-1.4\n" + b"fine " * 100


def message(eol: str = "\r\n", nested: bool = False) -> bytes:
    m = EmailMessage()
    m["From"] = "a@sender.test"
    m["To"] = "b@rcpt.test"
    m["Subject"] = "invoice"
    m.set_content("Hello,\nsee attached.\n")
    m.add_alternative("<p>Hello, see attached.</p>", subtype="html")
    if nested:
        inner = EmailMessage()
        inner.set_content("inner text\n")
        inner.add_attachment(EXE, maintype="application", subtype="octet-stream", filename="inner.exe")
        m.add_attachment(inner)
    m.add_attachment(EXE, maintype="application", subtype="octet-stream", filename="evil.exe")
    m.add_attachment(PDF, maintype="application", subtype="pdf", filename="ok.pdf")
    return m.as_bytes(policy=email.policy.default.clone(linesep=eol))


def parts(raw: bytes) -> list[bytes]:
    return [raw[leaf.start:leaf.end] for leaf in leaves(raw)]


@pytest.mark.parametrize("eol", ["\r\n", "\n"])
def test_strip_replaces_only_the_named_part(eol: str) -> None:
    raw = message(eol)
    out = strip_parts(raw, ["evil.exe"], lambda path: f"removed {path}: {notice_text(path, ['lnk.target'], 'Q1')}")
    before, after = parts(raw), parts(out)
    assert len(before) == len(after) == 4
    names = [i.path for i in mime.extract_parts(raw)[1]]
    assert names[2] == "evil.exe"
    for i in (0, 1, 3):
        assert after[i] == before[i]
    head = raw.index(b"\n\n" if eol == "\n" else b"\r\n\r\n")
    assert out[:head] == raw[:head]
    msg = email.message_from_bytes(out, policy=email.policy.default)
    assert not msg.defects
    leaves_ = list(msg.walk())
    bodies = [p.get_content() for p in leaves_ if p.get_content_type() == "text/plain"]
    assert any("removed evil.exe" in b and "Q1" in b for b in bodies)
    assert EXE not in out and b"TVqQ" not in out  # neither raw nor base64 of the executable survives
    assert [p.get_filename() for p in leaves_ if p.get_filename()] == ["ok.pdf"]
    assert (eol == "\n") == (b"\r\n" not in out)


def test_strip_inside_nested_multipart_and_rfc822_leaf() -> None:
    raw = message(nested=True)
    names = [i.path for i in mime.extract_parts(raw)[1]]
    assert len(names) == len(leaves(raw)) == 5
    out = strip_parts(raw, [names[2]], lambda p: "gone")  # the attached message as a whole
    assert b"inner.exe" not in out and b"evil.exe" in out
    assert parts(out)[3:] == parts(raw)[3:]


def test_strip_refuses_what_it_cannot_cut_safely() -> None:
    single = b"From: a@b\r\nSubject: x\r\nContent-Type: application/octet-stream\r\n\r\nMZ\r\n"
    with pytest.raises(StripError, match="not a multipart"):
        strip_parts(single, ["<part 1>"], lambda p: "x")
    raw = message()
    with pytest.raises(StripError, match="none of the parts"):
        strip_parts(raw, ["absent.doc"], lambda p: "x")
    unterminated = raw[: raw.rindex(b"--\r\n")]  # no closing delimiter: boundaries are unreliable
    with pytest.raises(StripError):
        strip_parts(unterminated[: unterminated.rindex(b"\r\n--")], ["evil.exe"], lambda p: "x")


def test_offending_parts_are_attachment_evidence_only() -> None:
    v = Verdict(id="q", verdict=VerdictKind.MALICIOUS, action=Action.STRIP, score=20, findings=(
        Finding("file.executable", "filetype", "evil.exe", score=8.0),
        Finding("yara.coinguard_eicar_test_file", "yara", "a.zip/eicar.com", score=20.0),
        Finding("crypto.lure.body", "crypto_theme", "<body 1>", score=3.0),
        Finding("dkim.none", "dkim_auth", "", score=0.0),
    ))
    assert offending_parts(v) == {"evil.exe": ["file.executable"], "a.zip": ["yara.coinguard_eicar_test_file"]}


def test_mangled_messages_are_cut_cleanly_or_refused() -> None:
    """Truncated or altered structure: a StripError, or a result without the bad part; never anything else."""
    import base64
    import random

    raw = message()
    bad = base64.b64encode(EXE)[:60]
    rng = random.Random(15)
    cases = [raw[:n] for n in range(200, len(raw), 97)]
    for _ in range(150):
        data = bytearray(raw)
        for _ in range(3):
            pos = rng.randrange(len(data))
            data[pos:pos + 1] = rng.choice([b"\n", b"-", b"\r\n--", b"", b'"', b"x"])
        cases.append(bytes(data))
    for case in cases:
        try:
            out = strip_parts(case, ["evil.exe"], lambda p: "removed")
        except StripError:
            continue
        assert bad not in out
        assert b"removed" in out
