"""Single-stream decompression: gzip, bzip2, xz, zstd; names, truncation, concatenated streams."""

from __future__ import annotations

import bz2
import lzma

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
     ("x.xz", "xz", "x"), ("noext", "gzip", "noext.out"), ("", "zstd", "zstd.out")],
)
def test_inner_name(name: str, kind: str, expected: str) -> None:
    assert inner_name(name, kind) == expected
