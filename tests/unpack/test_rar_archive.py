"""RAR unpacker: a real RAR (strelka's fixture) read through rarfile and the installed unar tool."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import rarfile

from coinguard.findings import Finding, Item
from coinguard.sniff import sniff
from coinguard.unpack.rar_archive import RarArchive

from helpers import DATA, make_context

RAR = DATA / "strelka_test.rar"


def run(data: bytes) -> tuple[list[str], list[Item]]:
    item = Item(path="test.rar", name="test.rar", data=data, type=sniff(data))
    out = list(RarArchive().handle(item, make_context()))
    return [o.code for o in out if isinstance(o, Finding)], [o for o in out if isinstance(o, Item)]


def _tool_available() -> bool:
    try:
        rarfile.tool_setup()
    except rarfile.RarCannotExec:
        return False
    return True


needs_tool = pytest.mark.skipif(not _tool_available(), reason="no unrar/unar/bsdtar installed")


def test_sniffed_as_rar() -> None:
    assert sniff(RAR.read_bytes()) == "rar"


@needs_tool
def test_real_rar_members_are_read_and_identical_copies_scanned_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    codes, items = run(RAR.read_bytes())
    assert codes == []
    # three members with identical content and extension: one is scanned, under its folder path
    assert len(items) == 1
    assert items[0].path == "test.rar/hidden/lorem-hidden.txt"
    assert items[0].type == "text"
    assert items[0].data.startswith(b"Lorem ipsum dolor sit amet")
    assert len(items[0].data) == 4015
    assert list(tmp_path.iterdir()) == []  # the private copy of the archive is gone


def test_truncated_rar_is_a_parse_error() -> None:
    data = RAR.read_bytes()
    codes, items = run(data[:30])
    assert codes == ["archive.parse_error"]
    assert items == []


@needs_tool
def test_damaged_member_data_is_reported_not_raised() -> None:
    data = bytearray(RAR.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    codes, _items = run(bytes(data))
    assert set(codes) <= {"archive.parse_error"}


def test_no_program_to_decompress_is_unreadable_not_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for tool in ("UNRAR_TOOL", "UNAR_TOOL", "BSDTAR_TOOL", "SEVENZIP_TOOL", "SEVENZIP2_TOOL"):
        monkeypatch.setattr(rarfile, tool, "/nonexistent/coinguard-no-such-tool")
    monkeypatch.setattr(rarfile, "CURRENT_SETUP", None)
    codes, items = run(RAR.read_bytes())
    assert "archive.unreadable" in codes and items == []
    from coinguard.catalogue import catalogue

    assert catalogue()["archive.unreadable"].incomplete  # so the verdict is unchecked
