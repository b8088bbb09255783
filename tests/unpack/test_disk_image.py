"""Disk images: ISO (pycdlib) with a nested zip-in-7z, FAT images and fixed VHDs (7-Zip), corpus ISO."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from coinguard.findings import Finding, Item
from coinguard.scan import ScanContext, scan_message
from coinguard.sniff import sniff
from coinguard.unpack.common import sevenzip_program
from coinguard.unpack.disk_image import DiskImage
from unpack.builders import LNK, fat12_image, fixed_vhd, iso_image, sevenzip_archive, zip_archive

from helpers import DATA, make_context, make_message, need_corpus

needs_7zip = pytest.mark.skipif(sevenzip_program() is None, reason="the 7-Zip program is not installed")


def run(data: bytes, name: str) -> tuple[list[Finding], list[Item]]:
    item = Item(path=name, name=name, data=data, type=sniff(data))
    out = list(DiskImage().handle(item, make_context()))
    return [o for o in out if isinstance(o, Finding)], [o for o in out if isinstance(o, Item)]


def test_iso_with_a_shortcut_is_flagged_and_opened() -> None:
    data = iso_image({"Invoice_2024.pdf.lnk": LNK, "readme.txt": b"open the invoice"})
    assert sniff(data) == "iso"
    findings, items = run(data, "invoice.iso")
    assert [f.code for f in findings] == ["container.disk_image", "container.disk_image_executable"]
    assert "Invoice_2024.pdf.lnk" in findings[1].detail
    assert {(i.path, i.type) for i in items} == {
        ("invoice.iso/Invoice_2024.pdf.lnk", "lnk"), ("invoice.iso/readme.txt", "text")}


def test_udf_names_are_preferred() -> None:
    findings, items = run(iso_image({"Very Long Invoice Name.pdf.lnk": LNK, "notes.txt": b"n"}, udf=True), "u.iso")
    assert sorted(i.path for i in items) == ["u.iso/Very Long Invoice Name.pdf.lnk", "u.iso/notes.txt"]
    assert [f.code for f in findings] == ["container.disk_image", "container.disk_image_executable"]


def test_iso_without_anything_runnable_is_only_informational() -> None:
    findings, items = run(iso_image({"photo.txt": b"just text"}, joliet=False), "photos.iso")
    assert [f.code for f in findings] == ["container.disk_image"]
    assert [i.name for i in items] == ["F0."]  # plain ISO 9660 names (no Joliet), version suffix removed


def test_nested_zip_in_7z_in_iso_through_scan_message() -> None:
    lnk = (DATA / "strelka_test.lnk").read_bytes()
    inner_zip = zip_archive({"invoice.pdf.lnk": lnk})
    seven = sevenzip_archive({"docs/bundle.zip": inner_zip})
    iso = iso_image({"archive.7z": seven})
    verdict = scan_message(make_message(attachments=[("delivery.iso", iso)]), ScanContext())
    paths = {a.path: a.type for a in verdict.attachments}
    assert paths["delivery.iso/archive.7z"] == "7z"
    assert paths["delivery.iso/archive.7z/docs/bundle.zip"] == "zip"
    assert paths["delivery.iso/archive.7z/docs/bundle.zip/invoice.pdf.lnk"] == "lnk"
    assert "container.disk_image" in {f.code for f in verdict.findings}


def test_damaged_iso_is_a_parse_error() -> None:
    data = bytearray(iso_image({"a.txt": b"a"}))
    data[0x8000 + 80 : 0x8000 + 200] = b"\xff" * 120  # break the primary volume descriptor
    findings, items = run(bytes(data), "broken.iso")
    assert [f.code for f in findings] == ["container.disk_image", "archive.parse_error"]
    assert items == []


@needs_7zip
def test_fat_image_and_fixed_vhd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    fat = fat12_image({"README.TXT": b"hello from fat", "INVOICE.LNK": LNK})
    for data, name, kind in ((fat, "disk.img", "img.fat"), (fixed_vhd(fat), "disk.vhd", "vhd")):
        assert sniff(data) == kind
        findings, items = run(data, name)
        assert [f.code for f in findings] == ["container.disk_image", "container.disk_image_executable"]
        assert {(i.path, i.type) for i in items} == {(f"{name}/README.TXT", "text"), (f"{name}/INVOICE.LNK", "lnk")}
        assert next(i for i in items if i.type == "lnk").data == LNK
    assert list(tmp_path.iterdir()) == []  # the private copies are gone


@needs_7zip
def test_vhd_whose_disk_is_not_readable_is_a_parse_error() -> None:
    findings, items = run(fixed_vhd(bytes(64 * 1024)), "empty.vhd")
    assert findings[0].code == "container.disk_image"
    assert items == []


@pytest.mark.corpus
def test_corpus_iso() -> None:
    data = (need_corpus() / "benign" / "attachments" / "strelka" / "test.iso").read_bytes()
    findings, items = run(data, "test.iso")
    assert [f.code for f in findings] == ["container.disk_image"]
    assert [i.path for i in items] == ["test.iso/lorem.txt"]
