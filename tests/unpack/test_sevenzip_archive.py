"""7z unpacker: plain, AES-encrypted content, encrypted headers, refused key derivations, corrupt input."""

from __future__ import annotations

import pytest

from coinguard.config import Config, ScanConfig
from coinguard.findings import Finding, Item
from coinguard.passwords import harvest
from coinguard.sniff import sniff
from coinguard.unpack.sevenzip_archive import MAX_KEY_CYCLES, SevenZipArchive, _key_cycles
from unpack.builders import LNK, sevenzip_archive, sevenzip_named, zip_archive

from helpers import make_context

Result = tuple[list[str], list[Item], list[Finding]]


def run(data: bytes, body: str = "", common: tuple[str, ...] = ("infected",)) -> Result:
    item = Item(path="inner.7z", name="inner.7z", data=data, type=sniff(data))
    assert item.type == "7z"
    ctx = make_context(Config(scan=ScanConfig(passwords=common)), passwords=harvest([body]) if body else ())
    out = list(SevenZipArchive().handle(item, ctx))
    findings = [o for o in out if isinstance(o, Finding)]
    return [f.code for f in findings], [o for o in out if isinstance(o, Item)], findings


def test_plain_7z_members_with_folders() -> None:
    inner_zip = zip_archive({"a.txt": b"nested"})
    codes, items, _ = run(sevenzip_archive({"docs/invoice.pdf.lnk": LNK, "x/inner.zip": inner_zip, "r.txt": b"hi"}))
    assert codes == []
    assert {(i.path, i.type) for i in items} == {
        ("inner.7z/docs/invoice.pdf.lnk", "lnk"), ("inner.7z/x/inner.zip", "zip"), ("inner.7z/r.txt", "text")}
    assert next(i for i in items if i.type == "lnk").data == LNK


def test_encrypted_content_opened_with_the_password_from_the_body() -> None:
    data = sevenzip_archive({"invoice.pdf.lnk": LNK, "b.txt": b"b" * 3000}, password="비번2024")
    codes, items, findings = run(data, body="압축 비밀번호: 비번2024")
    assert codes == ["archive.encrypted", "archive.password_found"]
    assert "비번2024" in findings[1].detail
    assert sorted(i.name for i in items) == ["b.txt", "invoice.pdf.lnk"]


def test_encrypted_headers_opened_with_the_password_from_the_body() -> None:
    data = sevenzip_archive({"invoice.pdf.lnk": LNK}, password="Q1w2e3", header_encryption=True)
    codes, items, _ = run(data, body='Use "Q1w2e3" to open it')
    assert codes == ["archive.encrypted", "archive.password_found"]
    assert [i.path for i in items] == ["inner.7z/invoice.pdf.lnk"]


def test_unknown_password_leaves_it_closed() -> None:
    for header_encryption in (False, True):
        data = sevenzip_archive({"invoice.pdf.lnk": LNK}, password="zz-unknown", header_encryption=header_encryption)
        codes, items, findings = run(data, body="nothing useful here", common=("infected", "1234"))
        assert codes == ["archive.encrypted", "archive.encrypted_unopened"]
        assert findings[1].detail == "tried 2 password(s)"
        assert items == []


def test_key_derivation_cost_is_read_from_the_coder_properties() -> None:
    aes = b"\x06\xf1\x07\x01"
    assert _key_cycles([{"method": aes, "properties": bytes([0xD3]) + bytes(17)}]) == 0x13
    assert _key_cycles([{"method": b"\x21", "properties": b"\x18"}]) == 0
    assert _key_cycles([{"method": aes, "properties": bytes([0x3E])}]) > MAX_KEY_CYCLES


def test_corrupt_7z_is_a_parse_error() -> None:
    data = sevenzip_archive({"a.txt": b"hello " * 200})
    codes, items, _ = run(data[:40])
    assert codes == ["archive.parse_error"]
    assert items == []
    broken = bytearray(data)
    broken[40] ^= 0xFF  # damage the packed stream: the CRC catches it
    codes, items, _ = run(bytes(broken))
    assert codes and set(codes) <= {"archive.parse_error"}


@pytest.mark.parametrize("name", ["../inv.zip", "/etc/inv.zip", "a/../../inv.zip", "C:\\x\\inv.zip"])
def test_members_are_read_by_position_not_by_their_hostile_names(name: str) -> None:
    inner = zip_archive({"a.txt": b"payload"})
    codes, items, _ = run(sevenzip_named(name, inner))
    assert codes == [] and [i.data for i in items] == [inner]  # py7zr refuses such names; we read it anyway
    assert ".." not in items[0].path and items[0].name in (name, name.replace("\\", "/"))  # data, shown sanitised

