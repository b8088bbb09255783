"""CAB unpacker: a cabinet built here, read through the 7-Zip program from a private temporary copy."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from coinguard.findings import Finding, Item
from coinguard.sniff import sniff
from coinguard.unpack.cab_archive import CabArchive
from coinguard.unpack.common import sevenzip_program
from unpack.builders import LNK, cab_archive

from helpers import make_context

needs_7zip = pytest.mark.skipif(sevenzip_program() is None, reason="the 7-Zip program is not installed")


def run(data: bytes) -> tuple[list[str], list[Item]]:
    item = Item(path="update.cab", name="update.cab", data=data, type=sniff(data))
    out = list(CabArchive().handle(item, make_context()))
    return [o.code for o in out if isinstance(o, Finding)], [o for o in out if isinstance(o, Item)]


@needs_7zip
def test_cab_members_are_read_and_the_copy_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    data = cab_archive({"readme.txt": b"hello cabinet", "invoice.pdf.lnk": LNK})
    assert sniff(data) == "cab"
    codes, items = run(data)
    assert codes == []
    assert {(i.path, i.type) for i in items} == {
        ("update.cab/readme.txt", "text"), ("update.cab/invoice.pdf.lnk", "lnk")}
    assert next(i for i in items if i.type == "lnk").data == LNK
    assert list(tmp_path.iterdir()) == []


@needs_7zip
def test_damaged_cab_is_a_parse_error() -> None:
    codes, items = run(b"MSCF\0\0\0\0" + b"\xff" * 40)
    assert codes == ["archive.parse_error"]
    assert items == []
