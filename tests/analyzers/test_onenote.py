"""OneNote analyzer: strelka's harmless test.one, crafted sections, InQuest lures (in memory)."""

from __future__ import annotations

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
    assert [f.code for f in findings] == ["onenote.present", "onenote.embedded_file", "onenote.embedded_file"]
    assert [c.type for c in children] == ["ooxml.word", "image.png"]
    assert all(c.role == "embedded" and c.name.startswith("<onenote-file-") for c in children)


def test_crafted_hta_blob() -> None:
    hta = (b'<html><head><hta:application id="x"/></head>'
           b'<script language="VBScript">CreateObject("WScript.Shell")</script>')
    findings, children = run(section(blob(b"\x89PNG\r\n\x1a\n" + b"\x00" * 30), blob(hta), names=("Open.hta",)))
    assert [f.code for f in findings] == [
        "onenote.present", "onenote.embedded_file", "onenote.embedded_file", "onenote.embedded_executable",
    ]
    assert children[1].data == hta and children[1].type == "script.hta"
    assert "Open.hta" in findings[0].detail


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
    assert {f.code for f in findings} == {"onenote.present", "onenote.embedded_file", "onenote.embedded_executable"}
    assert any(c.type == "script.bat" for c in children)
