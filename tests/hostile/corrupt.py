"""Small valid samples of every container and document format, and the damage done to them.

The generator-driven hunt of tests/hostile/test_corrupt_inputs.py: each sample (built in code, or a
harmless tests/data file) is cut at many offsets, has bytes flipped and length fields overwritten,
and every result is scanned.  Containers carry EICAR, so a scan that read the payload says
``malicious``; one that could not read it must say ``unchecked`` -- never ``clean``.
"""

from __future__ import annotations

import bz2
import io
import lzma
import random
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from hostile import attacks

from helpers import DATA

EICAR = attacks.EICAR


@dataclass(frozen=True)
class Sample:
    name: str  # the attachment's file name
    data: bytes
    payload: bool  # carries EICAR: whole, the scan says malicious
    checksummed: bool  # every byte of the member data is under a CRC (a flipped byte cannot go unnoticed)
    #: bytes at the start that make the format recognisable: a cut before them is another (unknown) file
    magic: int = 8


def _tar(members: dict[str, bytes], mode: str = "w") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def pdf_with_attachment() -> bytes:
    """A one-page PDF with a link and EICAR as an embedded file (pypdf)."""
    from pypdf import PdfWriter
    from pypdf.annotations import Link
    from pypdf.generic import RectangleObject

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_annotation(0, Link(rect=RectangleObject((10, 10, 100, 40)), url="https://example.org/"))
    writer.add_attachment("eicar.com", EICAR)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _builders() -> dict[str, Callable[[], Sample]]:
    from analyzers.test_hwp import hwp5
    from unpack import builders as b

    inner = {"eicar.com": EICAR, "readme.txt": b"hello wallet\n"}
    fat = b.fat12_image({"EICAR.COM": EICAR}, sectors=720)

    def data(name: str) -> bytes:
        return (DATA / name).read_bytes()

    return {
        "zip": lambda: Sample("invoice.zip", attacks.eicar_zip(), True, True),
        "zip-stored": lambda: Sample("invoice.zip", attacks.zip_of([("eicar.com", EICAR)], zipfile.ZIP_STORED),
                                     True, True),
        "7z": lambda: Sample("invoice.7z", b.sevenzip_archive(inner), True, True),
        "tar": lambda: Sample("invoice.tar", _tar(inner), True, False, magic=263),
        "tgz": lambda: Sample("invoice.tar.gz", _tar({"eicar.com": EICAR}, "w:gz"), True, True),
        "gzip": lambda: Sample("eicar.com.gz", b.gzip_bytes(EICAR * 3), True, True, magic=4),
        "bzip2": lambda: Sample("eicar.com.bz2", bz2.compress(EICAR * 3), True, True, magic=10),
        "xz": lambda: Sample("eicar.com.xz", lzma.compress(EICAR * 3), True, True, magic=6),
        "zlib": lambda: Sample("eicar.com.zz", zlib.compress(EICAR * 3), True, True, magic=3),
        "iso": lambda: Sample("invoice.iso", b.iso_image(inner), True, False, magic=0x8007),
        "cab": lambda: Sample("invoice.cab", b.cab_archive(inner), True, False),  # the builder writes no checksums
        "msg": lambda: Sample("invoice.msg", b.outlook_msg("invoice", "see attached", {"eicar.com": EICAR}),
                              True, False, magic=512),
        "tnef": lambda: Sample("winmail.dat", b.tnef({"eicar.com": EICAR}), True, False, magic=6),
        "vhd": lambda: Sample("disk.vhd", b.fixed_vhd(fat), True, False, magic=512),
        "chm": lambda: Sample("help.chm", b.chm_file({"/index.htm": b"<html>hi</html>", "/eicar.com": EICAR}),
                              True, False),
        "xar": lambda: Sample("setup.pkg", b.xar_archive({"Payload": EICAR}), True, False),
        "cpio": lambda: Sample("payload.cpio", b.cpio_odc({"./eicar.com": EICAR}), True, False, magic=6),
        "pdf": lambda: Sample("statement.pdf", pdf_with_attachment(), True, False),
        "rar": lambda: Sample("notes.rar", data("strelka_test.rar"), False, True),
        "doc": lambda: Sample("letter.doc", data("oletools_dde-test-from-office2003.doc"), False, False, magic=512),
        "docx": lambda: Sample("letter.docx", data("oletools_dde-test.docx"), False, True),
        "xls": lambda: Sample("book.xls", data("oletools_excel4_sample_macro.xls"), False, False, magic=512),
        "rtf": lambda: Sample("letter.rtf", data("oletools_issue_185.rtf"), False, False),
        "lnk": lambda: Sample("invoice.pdf.lnk", data("strelka_test.lnk"), False, False, magic=76),
        "onenote": lambda: Sample("notes.one", data("strelka_test.one"), False, False, magic=64),
        "hwp": lambda: Sample("letter.hwp", hwp5({}), False, False, magic=512),
    }


FORMATS = tuple(_builders())


@cache
def sample(kind: str) -> Sample:
    return _builders()[kind]()


def message_with(s: Sample, data: bytes) -> bytes:
    return attacks.zip_message_named(data, s.name, "application/octet-stream")


def cuts(s: Sample, count: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """``count`` cuts past the format's magic: evenly spread, the last bytes, and random ones."""
    size = len(s.data)
    rng = random.Random(seed)
    low = min(s.magic, size - 1)
    spread = [low + (size - low) * k // count for k in range(count)]
    offsets = {*spread, size - 1, size - 2, size - 9, *(rng.randrange(low, size) for _ in range(count // 2))}
    for at in sorted(o for o in offsets if low <= o < size):
        yield f"cut@{at}", s.data[:at]


def flips(s: Sample, count: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """One bit flipped at ``count`` random offsets past the magic."""
    rng = random.Random(seed)
    for _ in range(count):
        at = rng.randrange(min(s.magic, len(s.data) - 1), len(s.data))
        out = bytearray(s.data)
        out[at] ^= 1 << rng.randrange(8)
        yield f"flip@{at}", bytes(out)


def length_fields(s: Sample, count: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """A 32-bit word overwritten with an absurd length (0, 1, 2**31-1, 2**32-1, 3x the file) at random offsets."""
    rng = random.Random(seed)
    for _ in range(count):
        at = rng.randrange(min(s.magic, len(s.data) - 4), len(s.data) - 4)
        value = rng.choice([0, 1, 0x7FFFFFFF, 0xFFFFFFFF, 3 * len(s.data)])
        out = bytearray(s.data)
        out[at : at + 4] = struct.pack("<I", value)
        yield f"len@{at}={value:#x}", bytes(out)


def chunks(s: Sample, count: int, seed: int) -> Iterator[tuple[str, bytes]]:
    """``count`` spans past the magic removed, and ``count`` repeated (a record or a block twice)."""
    rng = random.Random(seed)
    low = min(s.magic, len(s.data) - 1)
    for _ in range(count):
        at = rng.randrange(low, len(s.data))
        end = min(len(s.data), at + rng.randrange(1, 256))
        yield f"del@{at}-{end}", s.data[:at] + s.data[end:]
        yield f"dup@{at}-{end}", s.data[:end] + s.data[at:end] * 3 + s.data[end:]
