"""Single-stream decompression: gzip, bzip2, xz, zstd; names, truncation, concatenated streams."""

from __future__ import annotations

import bz2
import lzma
import zlib

import pytest

from coinguard.findings import Finding, Item
from coinguard.sniff import sniff
from coinguard.unpack.compressed import CompressedStream, _zstd, inner_name
from unpack.builders import LNK, gzip_bytes

from helpers import make_context

PAYLOAD = b"#!/bin/sh\necho hello\n" + b"log line\n" * 2000


def run(data: bytes, name: str) -> tuple[list[str], list[Item]]:
    item = Item(path=name, name=name, data=data, type=sniff(data))
    out = list(CompressedStream().handle(item, make_context()))
    return [o.code for o in out if isinstance(o, Finding)], [o for o in out if isinstance(o, Item)]


COMPRESSORS = {
    "gzip": gzip_bytes,
    "bzip2": bz2.compress,
    "xz": lzma.compress,
    "zlib": zlib.compress,
}
if _zstd is not None:
    COMPRESSORS["zstd"] = _zstd.compress


@pytest.mark.parametrize("kind", sorted(COMPRESSORS))
def test_round_trip_gives_one_child(kind: str) -> None:
    data = COMPRESSORS[kind](PAYLOAD)
    assert sniff(data) == kind
    codes, items = run(data, "report.sh.gz")
    assert codes == []
    assert len(items) == 1
    assert items[0].data == PAYLOAD
    assert items[0].type == "script.sh"
    assert items[0].depth == 1


def test_concatenated_gzip_members_are_all_read() -> None:
    codes, items = run(gzip_bytes(b"first part\n") + gzip_bytes(b"second part\n"), "a.txt.gz")
    assert codes == []
    assert items[0].data == b"first part\nsecond part\n"


def test_truncated_stream_is_a_parse_error_but_keeps_what_was_recovered() -> None:
    data = gzip_bytes(LNK + bytes(range(256)) * 40)
    codes, items = run(data[: len(data) // 2], "invoice.lnk.gz")
    assert codes == ["archive.parse_error"]
    assert items and items[0].data.startswith(LNK)


def test_garbage_after_magic_is_a_parse_error() -> None:
    codes, items = run(b"\x1f\x8b\x08\x00" + b"\xff" * 64, "x.gz")
    assert codes == ["archive.parse_error"]
    assert items == []


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [("report.tar.gz", "gzip", "report.tar"), ("a.tgz", "gzip", "a.tar"), ("doc.pdf.bz2", "bzip2", "doc.pdf"),
     ("x.xz", "xz", "x"), ("noext", "gzip", "noext.out"), ("", "zstd", "zstd.out"),
     ("data.bin.zz", "zlib", "data.bin"), ("a.js.zlib", "zlib", "a.js"), ("b.exe.z", "zlib", "b.exe"),
     ("", "zlib", "zlib.out")],
)
def test_inner_name(name: str, kind: str, expected: str) -> None:
    assert inner_name(name, kind) == expected


# region raw zlib (RFC 1950) streams ------------------------------------------------------------------------
def _zlib(data: bytes, level: int = 6, wbits: int = 15) -> bytes:
    packer = zlib.compressobj(level, zlib.DEFLATED, wbits)
    return packer.compress(data) + packer.flush()


@pytest.mark.parametrize(("level", "wbits"), [(0, 15), (1, 15), (6, 15), (9, 15), (9, 9), (6, 12)])
def test_zlib_stream_of_any_level_and_window_is_sniffed_and_inflated(level: int, wbits: int) -> None:
    data = _zlib(PAYLOAD, level, wbits)
    assert sniff(data) == "zlib"
    codes, items = run(data, "")  # an attachment with no name
    assert codes == []
    assert [i.data for i in items] == [PAYLOAD]
    assert items[0].name == "zlib.out" and items[0].type == "script.sh"


@pytest.mark.parametrize("text", [b"x^2 + y^2 = r^2, the circle\n" * 4, b"x\x9c is not enough" * 3, b"x\xda"])
def test_text_or_bytes_that_merely_start_like_a_zlib_header_are_not_zlib(text: bytes) -> None:
    assert sniff(text) != "zlib"


def test_zlib_header_with_garbage_after_it_is_not_zlib() -> None:
    assert sniff(b"\x78\x9c" + b"\xff" * 200) != "zlib"
    assert sniff(b"\x78\x9c" + b"\x00\xff" * 100) == "binary"


def test_zlib_preset_dictionary_is_not_taken_for_a_stream() -> None:
    packer = zlib.compressobj(zdict=b"wallet seed phrase")
    assert sniff(packer.compress(PAYLOAD) + packer.flush()) != "zlib"


def test_truncated_zlib_stream_is_a_parse_error_but_keeps_what_was_recovered() -> None:
    data = _zlib(LNK + bytes(range(256)) * 40)
    codes, items = run(data[: len(data) // 2], "invoice.lnk.zz")
    assert codes == ["archive.parse_error"]
    assert items and items[0].data.startswith(LNK) and items[0].name == "invoice.lnk"


def test_zlib_stream_with_a_wrong_adler32_is_a_parse_error() -> None:
    data = bytearray(_zlib(PAYLOAD))
    data[-1] ^= 1
    codes, _items = run(bytes(data), "x.zlib")
    assert codes == ["archive.parse_error"]


def test_zlib_bomb_is_stopped_by_the_ratio_limit() -> None:
    data = _zlib(bytes(64 << 20), 9)
    codes, items = run(data, "x.zz")
    assert codes and codes[0] in ("container.bomb", "container.limit.file_size"), codes
    assert items == []
