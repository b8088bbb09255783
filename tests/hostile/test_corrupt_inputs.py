"""Corrupt and truncated files of every format: a finding or the payload, never ``clean``; bounded cost.

Generator-driven (tests/hostile/corrupt.py): each format's small valid sample is cut at many
offsets, and the checksummed ones have bits flipped and length fields overwritten.  Every result
goes through ``scan_message`` (DNS to a closed loopback port) and must

- not raise, and take less than ``MAX_SCAN_S`` (the inputs are a few KB);
- never be ``clean``: a sample that carries EICAR is ``malicious`` (the payload was read) or
  ``unchecked`` (what could not be read is named); a document sample is not ``clean``.

A cut before the format's magic (``Sample.magic``) makes another, unrecognisable file: those are
not asked about (nothing of the format is left to read).  The named regressions below are the
bugs this hunt found, each with the input kind that showed it.
"""

from __future__ import annotations

import bz2
import gzip
import time
import zipfile
import zlib
from collections.abc import Iterator

import pytest

from coinguard.findings import Verdict
from hostile import attacks, corrupt
from hostile.pipeline import scan

#: Seconds one scan of a few-KB input may take (the target is well under 1 s; the machine is shared).
MAX_SCAN_S = 4.0
CUTS = 10
FLIPS = 6
LENGTHS = 3
CHUNKS = 2


def scanned(raw: bytes) -> Verdict:
    started = time.monotonic()
    verdict = scan(raw)
    took = time.monotonic() - started
    assert took < MAX_SCAN_S, f"{took:.1f}s"
    return verdict


def failures(s: corrupt.Sample, cases: Iterator[tuple[str, bytes]]) -> list[str]:
    """The cases whose verdict breaks the promise, described."""
    out = []
    for label, data in cases:
        v = scanned(corrupt.message_with(s, data))
        allowed = ("malicious", "unchecked") if s.payload else ("malicious", "unchecked", "suspicious")
        if v.verdict not in allowed:
            out.append(f"{label}: {v.verdict} {sorted(v.codes)}")
    return out


@pytest.mark.parametrize("kind", corrupt.FORMATS)
def test_whole_sample_is_read(kind: str) -> None:
    s = corrupt.sample(kind)
    v = scanned(corrupt.message_with(s, s.data))
    assert "scan.analyzer_error" not in v.codes, v.codes
    if s.payload:
        assert v.verdict == "malicious" and "yara.coinguard_eicar_test_file" in v.codes, v.codes
    else:
        assert v.verdict != "unchecked", v.codes  # the whole sample reads: the cuts below are what is unchecked


@pytest.mark.parametrize("kind", corrupt.FORMATS)
def test_cut_sample_is_never_clean(kind: str) -> None:
    s = corrupt.sample(kind)
    assert failures(s, corrupt.cuts(s, CUTS, seed=len(kind))) == []


@pytest.mark.parametrize("kind", [k for k in corrupt.FORMATS if corrupt.sample(k).checksummed])
def test_damaged_checksummed_sample_is_never_clean(kind: str) -> None:
    s = corrupt.sample(kind)
    cases = [*corrupt.flips(s, FLIPS, seed=7), *corrupt.length_fields(s, LENGTHS, seed=11)]
    assert failures(s, iter(cases)) == []


@pytest.mark.parametrize("kind", [k for k in corrupt.FORMATS if corrupt.sample(k).checksummed])
def test_checksummed_sample_with_a_span_removed_or_repeated_is_never_clean(kind: str) -> None:
    s = corrupt.sample(kind)
    assert failures(s, corrupt.chunks(s, CHUNKS, seed=13)) == []


# region the bugs the hunt found ---------------------------------------------------------------
def test_zip_member_behind_a_decoy_header_is_read() -> None:
    """A member whose header copies another's CRC and sizes was taken as its duplicate and never read."""
    decoy = b"Hello, here is the invoice you asked for. Regards, Alice Example..!"[: len(attacks.EICAR)]
    decoy = decoy.ljust(len(attacks.EICAR), b".")
    data = attacks.zip_of([("a.txt", decoy), ("b.com", decoy)], zipfile.ZIP_STORED)
    second = data.rfind(decoy)
    data = data[:second] + attacks.EICAR + data[second + len(decoy):]
    v = scanned(attacks.zip_message(data))
    assert v.verdict in ("malicious", "unchecked"), v.codes
    assert {"archive.parse_error", "yara.coinguard_eicar_test_file"} & set(v.codes), v.codes


def test_rar_member_damaged_behind_an_identical_header_is_read() -> None:
    """strelka_test.rar holds three members with one CRC: a flip in the second went unread (identity)."""
    data = bytearray(corrupt.sample("rar").data)
    data[3000] ^= 8  # inside hidden/lorem-readonly.txt's packed data
    v = scanned(corrupt.message_with(corrupt.sample("rar"), bytes(data)))
    assert v.verdict == "unchecked" and "archive.parse_error" in v.codes, v.codes


@pytest.mark.parametrize("at", [6, 21, 40, 60, 65, 100])
def test_tnef_cut_inside_or_between_attributes(at: int) -> None:
    s = corrupt.sample("tnef")
    v = scanned(corrupt.message_with(s, s.data[:at]))
    assert v.verdict in ("malicious", "unchecked") and "message.parse_error" in v.codes, v.codes


@pytest.mark.parametrize("at", [8, 40, 75, 100, 130])
def test_cpio_cut_in_a_header_or_member(at: int) -> None:
    s = corrupt.sample("cpio")
    v = scanned(corrupt.message_with(s, s.data[:at]))
    assert v.verdict in ("malicious", "unchecked") and "archive.parse_error" in v.codes, v.codes


@pytest.mark.parametrize(("kind", "at"), [("msg", 1253), ("msg", 2048), ("doc", 12288), ("hwp", 11520), ("xls", 25766)])
def test_ole_cut_short(kind: str, at: int) -> None:
    s = corrupt.sample(kind)
    v = scanned(corrupt.message_with(s, s.data[:at]))
    assert v.verdict in ("malicious", "unchecked"), v.codes
    assert any(c.endswith("parse_error") for c in v.codes), v.codes


def test_ole_damage_is_silent_on_whole_files() -> None:
    from coinguard.sniff import ole_damage

    for kind in ("msg", "doc", "xls", "hwp"):
        data = corrupt.sample(kind).data
        assert ole_damage(data) == "", kind
        assert ole_damage(data[: len(data) // 2]), kind


@pytest.mark.parametrize("at", [197, 310])
def test_pdf_cut_between_objects(at: int) -> None:
    """No object open at the cut, so the rebuilt file looked whole: the catalog points at objects gone."""
    s = corrupt.sample("pdf")
    cut = s.data[: s.data.find(b"endobj", at) + 7]
    v = scanned(corrupt.message_with(s, cut))
    assert v.verdict == "unchecked" and "pdf.parse_error" in v.codes, v.codes


@pytest.mark.parametrize("at", [120, 281, 800])
def test_lnk_cut_short(at: int) -> None:
    s = corrupt.sample("lnk")
    v = scanned(corrupt.message_with(s, s.data[:at]))
    assert "lnk.parse_error" in v.codes and v.verdict != "clean", v.codes


@pytest.mark.parametrize("at", [16, 100, 6105, 40000])
def test_onenote_cut_short(at: int) -> None:
    s = corrupt.sample("onenote")
    v = scanned(corrupt.message_with(s, s.data[:at]))
    assert "onenote.parse_error" in v.codes and v.verdict != "clean", v.codes


def test_base64_part_with_bad_padding_is_decoded() -> None:
    """The stdlib hands back the base64 text of a part cut inside a quantum: it was scanned as text."""
    z = attacks.eicar_zip()
    raw = attacks.HEAD + (b'Content-Type: application/zip; name="a.zip"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
                          + attacks.b64(z)[:57])
    v = scanned(raw)
    assert v.verdict == "unchecked" and "archive.parse_error" in v.codes, v.codes
    whole = attacks.b64(z).replace(b"\r\n", b"")
    v = scanned(raw.replace(attacks.b64(z)[:57], whole[:-1]))  # one '=' missing: the whole zip still comes out
    assert v.verdict == "malicious", v.codes


def test_multipart_without_a_usable_boundary_is_split_by_the_one_its_body_uses() -> None:
    """Unsplit (no boundary, or one the body never uses), the parts were read as one text: clean."""
    att = attacks.attachment_part("invoice.zip", attacks.eicar_zip())
    for ctype in (b"multipart/mixed", b'multipart/mixed; boundary="other"'):
        raw = attacks.HEAD + b"Content-Type: " + ctype + b"\r\n\r\n--zz\r\n" + att + b"\r\n--zz--\r\n"
        v = scanned(raw)
        assert v.verdict == "malicious" and "yara.coinguard_eicar_test_file" in v.codes, v.codes


def test_multipart_without_a_boundary_and_no_delimiters_is_text() -> None:
    raw = attacks.HEAD + b"Content-Type: multipart/mixed\r\n\r\nJust a note, nothing attached.\r\n"
    assert scanned(raw).verdict == "clean"


@pytest.mark.parametrize("junk", [b"JUNK" * 10, b"\x1f\x8b\x08garbage", b"PK\x03\x04"])
def test_gzip_with_trailing_bytes_keeps_what_came_out(junk: bytes) -> None:
    data = gzip.compress(attacks.EICAR) + junk
    v = scanned(attacks.zip_message_named(data, "a.gz", "application/gzip"))
    assert v.verdict == "malicious" and "archive.parse_error" in v.codes, v.codes


@pytest.mark.parametrize(("name", "data"), [
    ("a.gz", gzip.compress(attacks.EICAR * 50)[:-8]),
    ("a.bz2", bz2.compress(attacks.EICAR * 50)[:-5]),
    ("a.zz", zlib.compress(attacks.EICAR * 50)[:-4]),  # no Adler-32
    ("a.zip", attacks.local_headers_only_zip([(b"eicar.com", attacks.EICAR * 50)])[:60]),  # deflate cut inside
])
def test_compressed_stream_without_its_end(name: str, data: bytes) -> None:
    v = scanned(attacks.zip_message_named(data, name, "application/octet-stream"))
    assert v.verdict in ("malicious", "unchecked"), v.codes
    assert v.verdict == "malicious" or any(c.endswith(("parse_error", "unreadable")) for c in v.codes), v.codes


def test_member_shorter_than_its_header_declares_is_unreadable() -> None:
    from coinguard.findings import Finding, Item
    from coinguard.unpack.common import Entry, read_members

    from helpers import make_context

    class Short:
        def entries(self) -> list[Entry]:
            return [Entry(name="a.bin", size=100, key=0)]

        def read(self, entry: Entry, password: str | None, cap: int) -> bytes:
            return b"x" * 10

    parent = Item(path="a.zip", name="a.zip", data=b"PK", type="zip")
    out = list(read_members(parent, make_context(), Short(), Short().entries(), "zip", None))
    assert [o.code for o in out if isinstance(o, Finding)] == ["archive.unreadable"]
    assert [len(o.data) for o in out if isinstance(o, Item)] == [10]  # what came out is still scanned


# endregion


def test_locked_copy_of_a_member_read_is_not_unread() -> None:
    """A member another password locks, declaring the content (CRC, size, extension) of one that was read:
    a re-encrypted copy (strelka's test_mixedcrypto.zip), not unread content."""
    from coinguard.findings import Finding
    from coinguard.unpack.common import Entry, WrongPassword, read_members

    from helpers import make_context

    class Mixed:
        def __init__(self, entries: list[Entry]) -> None:
            self.listed = entries

        def entries(self) -> list[Entry]:
            return self.listed

        def read(self, entry: Entry, password: str | None, cap: int) -> bytes:
            if entry.key == "locked":
                raise WrongPassword("bad password")
            return b"x" * entry.size

    from coinguard.findings import Item

    parent = Item(path="a.zip", name="a.zip", data=b"PK", type="zip")
    same = (123, 10, "txt")
    for declared in (same, (456, 10, "txt"), None):
        entries = [Entry(name="a.txt", size=10, key="open", declared=same, identity=("a",)),
                   Entry(name="b.txt", size=10, key="locked", declared=declared, identity=("b",))]
        out = list(read_members(parent, make_context(), Mixed(entries), entries, "zip", None))
        codes = [o.code for o in out if isinstance(o, Finding)]
        assert codes == ([] if declared == same else ["archive.encrypted_unopened"]), (declared, codes)


def test_zlib_stream_attached_without_a_name_is_inflated_and_scanned() -> None:
    """A raw zlib stream (no gzip wrapper) in a part with no file name: its content is read like any other."""
    part = (b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + attacks.b64(zlib.compress(attacks.EICAR)))
    v = scanned(attacks.message(attacks.multipart([attacks.text_part(), part], b"z1")))
    assert v.verdict == "malicious" and "yara.coinguard_eicar_test_file" in v.codes, v.codes


def test_zlib_bomb_is_unchecked_never_clean() -> None:
    v = scanned(attacks.zip_message_named(zlib.compress(bytes(200 << 20), 9), "data.zlib", "application/zlib"))
    assert v.verdict != "clean" and {"container.bomb", "container.limit.file_size"} & set(v.codes), v.codes


# region a name that promises a container the content is not ---------------------------------------------
def _named_containers() -> list[tuple[str, bytes]]:
    """One damaged container per type, each under its own name, whose bytes sniff recognises as nothing."""
    from unpack import builders as b

    inner = {"eicar.com": attacks.EICAR, "readme.txt": b"hello wallet\n"}
    dmg = b.udif_image(b.fat12_image({"EICAR.COM": attacks.EICAR}, sectors=720))
    iso = b.iso_image(inner)
    return [
        ("installer.dmg", dmg[:-600]),  # its koly trailer cut off (the first chunk is a zlib stream: read)
        ("setup.dmg", b"\x00\x00" + dmg[2:-600]),  # ... and the first chunk's header damaged too
        ("disk.iso", iso[:0x8000]),  # cut before the volume descriptor at 0x8001
        ("disk.img", bytes(512) + b"\x01\x02" * 200),  # no boot sector signature, no file system
        ("disk.vhdx", b"vhdxfilX" + bytes(range(256)) * 16),  # its signature damaged
        ("invoice.zip", b"\x00PK" + attacks.eicar_zip()[4:-22]),  # first bytes and end record damaged
        ("invoice.rar", b"\x00ar!\x1a\x07\x00" + bytes(range(256)) * 4),
        ("invoice.7z", b"\x00z\xbc\xaf\x27\x1c" + bytes(range(256)) * 4),
        ("invoice.cab", b"\x00SCF" + bytes(range(256)) * 4),
        ("old.tar", bytes(range(256)) * 4),  # no ustar magic (a v7 tar's headers, to us)
        ("setup.pkg", b"\x00ar!" + bytes(range(256)) * 4),
        ("old.ace", bytes(7) + b"**ACE**" + bytes(range(200))),  # a format no reader here opens
    ]


@pytest.mark.parametrize(("name", "data"), _named_containers(), ids=lambda v: v if isinstance(v, str) else "")
def test_a_named_container_that_cannot_be_opened_is_unchecked(name: str, data: bytes) -> None:
    from coinguard.sniff import sniff

    v = scanned(attacks.zip_message_named(data, name, "application/octet-stream"))
    if sniff(data) == "binary":  # the damage left nothing any reader recognises
        assert v.verdict == "unchecked" and "file.container_unreadable" in v.codes, (v.verdict, v.codes)
    else:  # a cut UDIF image starts with its first zlib chunk: that is read (EICAR), the rest reported
        assert v.verdict in ("malicious", "unchecked"), (v.verdict, v.codes)
        assert any(c.endswith(("parse_error", "unreadable")) for c in v.codes), v.codes


@pytest.mark.parametrize(("name", "data"), [
    ("notes.dmg", b"Meeting notes: the quarterly figures are attached in the other mail.\n" * 5),  # text
    ("photo.zip", bytes.fromhex("89504e470d0a1a0a") + bytes(64)),  # a picture under an archive name
    ("empty.iso", b""),  # nothing in it to read
    # a single stream with its magic damaged opens in no program (every one reads it from byte 0); the
    # corpus has one: a .gz mangled by the sender's MUA
    ("report.pdf.gz", b"\x00\x8b" + gzip.compress(b"%PDF-1.4 harmless")[2:]),
    ("data.zz", b"\x78\x00" + zlib.compress(b"harmless")[2:]),  # no valid zlib header
])
def test_a_benign_file_merely_misnamed_as_a_container_is_judged_by_its_content(name: str, data: bytes) -> None:
    v = scanned(attacks.zip_message_named(data, name, "application/octet-stream"))
    assert "file.container_unreadable" not in v.codes, v.codes
    assert v.verdict in ("clean", "suspicious"), (v.verdict, v.codes)  # read whole: never unchecked or malicious


def test_unrecognised_bytes_under_a_document_name_are_not_a_container() -> None:
    v = scanned(attacks.zip_message_named(bytes(range(256)) * 8, "scan.jpg", "image/jpeg"))
    assert "file.container_unreadable" not in v.codes, v.codes


@pytest.mark.parametrize("at", [51, 52])
def test_zlib_stream_damaged_in_its_first_bytes_is_still_zlib_and_unchecked(at: int) -> None:
    """The mutation hunt: a zlib stream (of a zip) with a length word overwritten 51 bytes in was sniffed
    'binary' (the probe's failing 64-byte piece counted for nothing) and scanned clean."""
    import struct

    from coinguard.sniff import sniff

    data = bytearray(zlib.compress(attacks.eicar_zip()))
    data[at:at + 4] = struct.pack("<I", 0x7FFFFFFF)
    assert sniff(bytes(data)) == "zlib"
    v = scanned(attacks.zip_message_named(bytes(data), "invoice.zip.zz", "application/octet-stream"))
    assert v.verdict in ("malicious", "unchecked") and "archive.parse_error" in v.codes, v.codes


@pytest.mark.parametrize("bit", [3, 4])
def test_zlib_stream_with_a_bit_flipped_after_a_few_dozen_bytes_is_unchecked(bit: int) -> None:
    """The mutation hunt: the zlib sample with byte 21 flipped inflated 28-29 bytes, then failed (an invalid
    distance): below the damaged-stream threshold, so 'binary' and clean."""
    s = corrupt.sample("zlib")
    data = bytearray(s.data)
    data[21] ^= 1 << bit
    v = scanned(corrupt.message_with(s, bytes(data)))
    assert v.verdict in ("malicious", "unchecked") and "archive.parse_error" in v.codes, v.codes


@pytest.mark.parametrize("nesting", ["cut", "deep"])
def test_a_word_part_that_stops_inside_an_element_is_a_parse_error_that_says_so(nesting: str) -> None:
    """The format-token probe after the fuzz runs (2026-12-03): msodde's walk of a Word part that breaks off
    inside an element, or nests past libxml2's 256 levels (well-formed, 85 nested tables), ends in oletools'
    bare ``assert depth == 0``: dde.parse_error read "AssertionError: " and nothing else."""
    from helpers import zip_bytes

    tables = b"<w:tbl><w:tr><w:tc>" * 90 + b"<w:p/>" + b"</w:tc></w:tr></w:tbl>" * 90
    cell = tables if nesting == "deep" else b"<w:p><w:r>"
    doc = (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
           b"<w:body>" + cell + (b"</w:body></w:document>" if nesting == "deep" else b""))
    ctypes = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
              b'wordprocessingml.document.main+xml"/></Types>')
    data = zip_bytes({"[Content_Types].xml": ctypes, "word/document.xml": doc})
    v = scanned(attacks.zip_message_named(data, "invoice.docx", "application/octet-stream"))
    errors = [f for f in v.findings if f.code == "dde.parse_error"]
    assert v.verdict != "clean" and errors, v.codes
    assert "stops inside an element" in errors[0].detail, errors[0].detail
