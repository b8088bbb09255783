"""OneNote analyzer: strelka's harmless test.one, crafted sections, InQuest lures (in memory)."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import pytest

from coinguard.analyzers.onenote import FILE_DATA_GUID, OneNoteAnalyzer, embedded_blobs
from coinguard.findings import Finding, Item
from coinguard.sniff import ONENOTE_GUID

from helpers import CORPUS, DATA, corpus_available, read_corpus_sample, run_handler


def blob(data: bytes) -> bytes:
    return FILE_DATA_GUID + struct.pack("<QIQ", len(data), 0, 0) + data + b"\x00" * 8


def section(*blobs: bytes, names: tuple[str, ...] = ()) -> bytes:
    body = b"".join(blobs) + b"".join(n.encode("utf-16-le") + b"\x00\x00\x00\x00" for n in names)
    return ONENOTE_GUID + b"\x00" * 64 + body


def run(data: bytes) -> tuple[list[Finding], list[Item]]:
    return run_handler(OneNoteAnalyzer(), data, "notes.one")


def test_strelka_one_embeds_a_docx() -> None:
    findings, children = run((DATA / "strelka_test.one").read_bytes())
    assert [f.code for f in findings] == ["onenote.present", "onenote.embedded_file", "onenote.embedded_picture"]
    embedded = [c for c in children if c.role == "embedded"]
    assert [c.type for c in embedded] == ["ooxml.word", "image.png"]
    assert all(c.name.startswith("<onenote-file-") for c in embedded)
    (text,) = [c for c in children if c.role == "text"]
    assert b"test.docx" in text.data and b"\x00" not in text.data


def test_crafted_hta_blob() -> None:
    hta = (b'<html><head><hta:application id="x"/></head>'
           b'<script language="VBScript">CreateObject("WScript.Shell")</script>')
    findings, children = run(section(blob(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30), blob(hta), names=("Open.hta",)))
    assert [f.code for f in findings] == [
        "onenote.present", "onenote.embedded_picture", "onenote.embedded_file", "onenote.embedded_executable",
    ]
    assert children[1].data == hta and children[1].type == "script.hta"
    assert "Open.hta" in findings[0].detail


def test_runnable_name_over_an_html_blob_is_executable() -> None:
    # an HTA without the hta:application tag sniffs as HTML; the section names it Open.hta
    page = b"<html><body><script>new ActiveXObject('WScript.Shell')</script></body></html>"
    findings, _ = run(section(blob(page), names=("Open.hta",)))
    assert "onenote.embedded_executable" in {f.code for f in findings}


def test_pictures_and_metafiles_are_only_extracted() -> None:
    emf = struct.pack("<II", 1, 108) + b"\x00" * 32 + b" EMF" + b"\x00" * 64
    findings, children = run(section(blob(b"\xff\xd8\xff\xe0" + b"\x00" * 40), blob(emf)))
    assert [f.code for f in findings] == ["onenote.present", "onenote.embedded_picture", "onenote.embedded_picture"]
    assert len(children) == 2  # still handed on (QR codes in a pasted picture)


def scan_section(data: bytes, profile: str) -> object:
    from coinguard.config import parse_config
    from coinguard.scan import ScanContext, scan_message

    from helpers import make_message

    offline = '[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n'
    config = parse_config(f'[policy]\nprofile = "{profile}"\n' + offline)
    return scan_message(make_message(attachments=[("notes.one", data)]), ScanContext(config=config))


@pytest.mark.parametrize(("profile", "verdict", "action"), [("strict", "malicious", "quarantine"),
                                                             ("balanced", "suspicious", "tag")])
def test_any_embedded_file_behind_a_double_click(profile: str, verdict: str, action: str) -> None:
    # a harmless PDF behind the icon: the carrier itself is the technique (attackers rotate the embedded type)
    import pypdf

    writer, out = pypdf.PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=200, height=200)
    writer.write(out)
    pdf = out.getvalue()
    v = scan_section(section(blob(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30), blob(pdf), names=("Invoice.pdf",)), profile)
    assert (str(v.verdict), str(v.action)) == (verdict, action), v.basis  # type: ignore[attr-defined]
    assert v.strengths()["onenote.embedded_file"] == ("conclusive" if profile == "strict" else "strong")  # type: ignore[attr-defined]


def test_section_with_pictures_only_is_not_malicious() -> None:
    v = scan_section(section(blob(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30)), "strict")
    assert str(v.verdict) != "malicious", v.basis  # type: ignore[attr-defined]


def test_page_text_and_link_targets_are_handed_on_as_text() -> None:
    page = "Your wallet is locked. Click to view: https://ledger-unlock.example/claim".encode("utf-16-le")
    cyrillic = "Ваш кошелек заблокирован".encode("utf-16-le")
    _, children = run(section(blob(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30))
                      + b"\x00\x00" + page + b"\x00\x00\x07\x11" + cyrillic + b"\x00\x00")
    (text,) = [c for c in children if c.role == "text"]
    assert text.type == "text"
    lines = text.data.decode().splitlines()
    assert "Your wallet is locked. Click to view: https://ledger-unlock.example/claim" in lines
    assert "Ваш кошелек заблокирован" in lines


def test_impossible_length_is_a_parse_error() -> None:
    bad = FILE_DATA_GUID + struct.pack("<QIQ", 10**9, 0, 0) + b"short"
    findings, children = run(section(bad))
    assert [f.code for f in findings] == ["onenote.present", "onenote.parse_error"]
    assert children == []
    assert list(embedded_blobs(bad)) == []


ONE_LURES = sorted(p.relative_to(CORPUS).as_posix() for p in (CORPUS / "maldocs/inquest").glob("*.one.zip")) \
    if corpus_available() else []


@pytest.mark.corpus
@pytest.mark.parametrize("path", ONE_LURES or ["maldocs/inquest/none.one.zip"])
def test_inquest_onenote_lures(corpus_dir: Path, path: str) -> None:
    findings, children = run(read_corpus_sample(path))
    got = {f.code for f in findings}
    assert {"onenote.present", "onenote.embedded_file", "onenote.embedded_executable"} <= got
    assert got <= {"onenote.present", "onenote.embedded_file", "onenote.embedded_picture",
                   "onenote.embedded_executable"}
    assert any(c.type == "script.bat" for c in children)
