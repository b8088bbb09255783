"""ZIP and JAR archives: stored, deflate, bzip2, lzma; ZipCrypto and WinZip AES encryption (pyzipper).

Office Open XML, ODF and HWPX packages are zips too, but their analyzers handle them
(sniff gives them their own types); this unpacker opens only ``zip`` and ``jar``.

Before anything is decompressed the central directory is checked for bombs: the number
of entries the end record declares, local headers shared or overlapped by several entries
(the overlapping-entry bomb), and declared sizes against compressed sizes (42.zip).
"""

from __future__ import annotations

import itertools
import logging
import struct
from collections.abc import Iterator, Sequence
from io import BytesIO
from typing import Any, ClassVar

import pyzipper

from coinguard.errors import BudgetExceeded
from coinguard.findings import Category, CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext
from coinguard.limits import read_bounded
from coinguard.unpack.common import (
    ARCHIVE_CODES,
    PARSE_ERROR,
    Entry,
    WrongPassword,
    copy_identities,
    expand,
    expand_with_tool,
    extension,
    finding,
    limit_finding,
    member_item,
    parse_error,
    stored_bytes_digest,
)

log = logging.getLogger(__name__)

_LOCAL_HEADER = 30
_EOCD = b"PK\x05\x06"
_EOCD64 = b"PK\x06\x06"
_CENTRAL = b"PK\x01\x02"
_CENTRAL_FIXED = 46


def declared_entry_count(data: bytes) -> int | None:
    """Entries the end-of-central-directory record declares (zip64 aware), or None if there is none."""
    pos = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if pos < 0 or pos + 22 > len(data):
        return None
    (total,) = struct.unpack_from("<H", data, pos + 10)
    if total == 0xFFFF:
        pos64 = data.rfind(_EOCD64, max(0, pos - 65_536), pos)
        if pos64 >= 0 and pos64 + 40 <= len(data):
            (total,) = struct.unpack_from("<Q", data, pos64 + 32)
    return total


def first_entries(data: bytes, keep: int) -> bytes | None:
    """``data`` cut after the first ``keep`` central-directory records, with an end record declaring just
    those (so the zip library parses no more than ``keep`` entries, however many the archive declares).

    None when that cannot be done (no classic end record, a zip64 archive, a directory that does not
    parse): the caller then reads nothing of it and says so.
    """
    pos = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if pos < 0 or pos + 22 > len(data):
        return None
    disk, cd_disk, on_disk, total, size, offset, _comment = struct.unpack_from("<HHHHIIH", data, pos + 4)
    if 0xFFFF in (disk, cd_disk, on_disk, total) or 0xFFFFFFFF in (size, offset):
        return None  # zip64
    start = pos - size  # where zipfile looks for the directory (it allows data prepended to the archive)
    if start < 0:
        return None
    end = start
    for _ in range(keep):
        if data[end : end + 4] != _CENTRAL or end + _CENTRAL_FIXED > pos:
            return None
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", data, end + 28)
        end += _CENTRAL_FIXED + name_len + extra_len + comment_len
    kept = end - start
    eocd = _EOCD + struct.pack("<HHHHIIH", 0, 0, keep, keep, kept, offset, 0)
    return data[:end] + eocd


def overlap(infos: Sequence[Any]) -> str | None:
    """Describe the first pair of entries whose local header + data overlap, or None."""
    spans = sorted(
        (info.header_offset, info.header_offset + _LOCAL_HEADER + info.compress_size, info.filename)
        for info in infos
    )
    for (start_a, end_a, name_a), (start_b, _end_b, name_b) in itertools.pairwise(spans):
        if start_b < end_a:
            shared = "share a local header" if start_b == start_a else "overlap"
            return f"entries {name_a!r} and {name_b!r} {shared} (offsets {start_a}, {start_b})"
    return None


class _ZipReader:
    def __init__(self, zf: pyzipper.AESZipFile, data: bytes) -> None:
        self.zf = zf
        self.data = data

    def _stored(self, info: Any) -> bytes | None:
        """The digest of the member's stored bytes (after its local header), or None."""
        head = info.header_offset
        if self.data[head:head + 4] != b"PK\x03\x04" or len(self.data) < head + 30:
            return None
        name_len, extra_len = struct.unpack_from("<HH", self.data, head + 26)
        return stored_bytes_digest(self.data, head + 30 + name_len + extra_len, info.compress_size)

    def entries(self) -> list[Entry]:
        files = [info for info in self.zf.infolist() if not info.is_dir()]
        return [Entry(
            name=info.filename,
            size=info.file_size,
            compressed=info.compress_size,
            encrypted=bool(info.flag_bits & 0x1),
            key=info,
            identity=identity,
            declared=(info.CRC, info.file_size, extension(info.filename)) if info.CRC else None,
        ) for info, identity in zip(files, copy_identities(files, self._key, self._stored), strict=True)]

    @staticmethod
    def _key(info: Any) -> tuple[object, ...]:
        """What the directory declares of a member's content: equal for every copy of it."""
        return (info.CRC, info.file_size, info.compress_type, bool(info.flag_bits & 0x1), extension(info.filename))

    def read(self, entry: Entry, password: str | None, cap: int) -> bytes:
        pwd = password.encode("utf-8") if password is not None else None
        try:
            with self.zf.open(entry.key, pwd=pwd) as fh:
                return read_bounded(fh.read, cap, entry.name)
        except RuntimeError as exc:
            if "password" in str(exc).lower():
                raise WrongPassword(str(exc)) from exc
            raise


CONCATENATED = CodeInfo("archive.concatenated", 4.0, Category.CONTAINER,
                        "Another zip precedes the one the central directory describes (zip concatenation: "
                        "unzip tools disagree on which part they show); both parts are scanned.")


class ZipArchive:
    name: ClassVar[str] = "zip"
    codes: ClassVar[tuple[CodeInfo, ...]] = (*ARCHIVE_CODES, CONCATENATED)

    def applies_to(self, item: Item) -> bool:
        return item.type in ("zip", "jar")

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        count = declared_entry_count(item.data)
        max_files = ctx.budget.limits.max_files
        data = item.data
        if count is not None and count > max_files:
            # parse (and read) the first max_files entries only; the rest stays unread: unchecked
            cut = first_entries(data, max_files)
            yield Finding("container.limit.files", self.name, item.path,
                          f"the archive declares {count} entries (limit {max_files}); "
                          + ("only the first ones were read" if cut is not None else "not parsed"))
            if cut is None:
                return
            data = cut
        try:
            zf = pyzipper.AESZipFile(BytesIO(data))
        except Exception as exc:
            # no usable central directory (truncated, damaged on purpose): 7-Zip and WinRAR still open such
            # files from their local headers, so read them the same way
            yield parse_error(self.name, item, exc)
            for out in expand_with_tool(item, ctx, self.name, "zip", check_passwords=True):
                if not (isinstance(out, Finding) and out.code == PARSE_ERROR.code):  # reported once above
                    yield out
            return
        with zf:
            infos = zf.infolist()
            described = overlap(infos)
            if described:
                yield limit_finding(BudgetExceeded("container.bomb", described), self.name, item)
                return
            first = min((info.header_offset for info in infos), default=0)
            if first > 0 and item.data.startswith(b"PK\x03\x04"):
                # a whole zip before the one the last end record describes: Explorer and 7-Zip show different parts
                yield finding(CONCATENATED, self.name, item, f"{first} bytes of another zip precede the listed members")
                yield member_item(item, "<concatenated part>.zip", item.data[:first], self.name)
            yield from expand(item, ctx, _ZipReader(zf, data), self.name)
