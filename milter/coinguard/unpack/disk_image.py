"""Disk images: ISO 9660 (Joliet, Rock Ridge, UDF bridge) via pycdlib; raw FAT images, VHD, VHDX,
pure UDF, macOS disk images (UDIF ``.dmg``), installer packages (xar ``.pkg``) and the cpio archives
inside packages via the 7-Zip program.

A disk image attached to a mail is itself a signal (files inside it lose Mark-of-the-Web, so
Windows runs them without the "downloaded from the Internet" prompt); one holding a shortcut,
script or executable is the ISO/LNK delivery chain of many 2022-2024 campaigns.

On the Mac the same chain is a ``.dmg`` holding an ``.app`` (the wallet stealers' carrier) or a
``.pkg`` whose install scripts run as root: their contents are opened so that the Mach-O and the
scripts inside are analysed, not only the container flagged (the macOS analyzer reports the
container itself, ``macos.disk_image`` / ``macos.package``).  7-Zip opens a UDIF image down to its
file system (HFS+, APFS, FAT) by itself; a package's ``Scripts`` and ``Payload`` members are
gzip-compressed cpio archives, opened in turn (``cpio``), or Apple's chunked xz (``pbzx``), decoded
here into the cpio it carries.
"""

from __future__ import annotations

import logging
import lzma
import re
import struct
from collections.abc import Generator, Iterator
from io import BytesIO
from typing import ClassVar

import pycdlib

from coinguard.errors import BudgetExceeded
from coinguard.findings import Category, CodeInfo, Finding, Item, safe_name
from coinguard.handlers import AnalysisContext
from coinguard.limits import read_bounded
from coinguard.sniff import EXECUTABLE_TYPES, RISKY_EXTENSIONS, ItemType
from coinguard.unpack.common import (
    PARSE_ERROR,
    UNREADABLE,
    Entry,
    decompress_stream,
    expand,
    expand_with_tool,
    finding,
    limit_finding,
    member_item,
    parse_error,
)

log = logging.getLogger(__name__)

DISK_IMAGE = CodeInfo("container.disk_image", 2.0, Category.CONTAINER,
                      "A disk image (ISO, IMG, VHD/VHDX) is attached: its files skip Mark-of-the-Web.")
DISK_IMAGE_EXECUTABLE = CodeInfo("container.disk_image_executable", 8.0, Category.CONTAINER,
                                 "A disk image holds a shortcut, script or executable (ISO/LNK delivery chain).")

#: sniff type -> 7-Zip format name, for images pycdlib does not read (None: 7-Zip detects it and opens
#: the nested layers, VHD -> MBR -> FAT, UDIF -> partition -> HFS+/APFS/FAT)
_TOOL_FORMATS: dict[str, str | None] = {
    "vhd": None, "vhdx": None, "img.fat": "fat", "udf": "udf", "dmg": None, "xar": "xar", "cpio": "cpio",
}
#: How 7-Zip names a UDIF partition it lists instead of the file system inside (``0.DOS_FAT_12``,
#: ``2.hfs``, ``1.Apple_partition_map``): index, dot, partition type.
_DMG_PARTITION = re.compile(r"^\d+\.[\w.-]+$")
#: Containers the macOS analyzer reports itself (no ``container.disk_image`` for them).
_REPORTED_ELSEWHERE = frozenset({ItemType.DMG, ItemType.XAR, ItemType.CPIO})
#: The order in which pycdlib's name spaces are preferred (richest names first).
_ISO_NAMESPACES = ("udf_path", "joliet_path", "rr_path", "iso_path")


class _IsoReader:
    def __init__(self, data: bytes) -> None:
        self.iso = pycdlib.PyCdlib()
        self.iso.open_fp(BytesIO(data))
        self.kind = self._namespace()

    def _namespace(self) -> str:
        if self.iso.has_udf():
            return "udf_path"
        if self.iso.has_joliet():
            return "joliet_path"
        if self.iso.has_rock_ridge():
            return "rr_path"
        return "iso_path"

    def entries(self) -> list[Entry]:
        out = []
        for top, _dirs, files in self.iso.walk(**{self.kind: "/"}):
            for name in files:
                path = f"{top.rstrip('/')}/{name}"
                record = self.iso.get_record(**{self.kind: path})
                shown = path.lstrip("/")
                if self.kind == "iso_path":
                    shown = shown.rsplit(";", 1)[0]  # ISO 9660 version suffix
                out.append(Entry(name=shown, size=record.get_data_length(), key=path))
        return out

    def read(self, entry: Entry, password: str | None, cap: int) -> bytes:
        with self.iso.open_file_from_iso(**{self.kind: entry.key}) as fh:
            return read_bounded(fh.read, cap, entry.name)

    def close(self) -> None:
        try:
            self.iso.close()
        except Exception:
            pass


PBZX_MAGIC = b"pbzx"
#: pbzx chunk flag: another chunk follows.
_PBZX_MORE = 1 << 24


def pbzx_decode(data: bytes, cap: int, name: str, ctx: AnalysisContext) -> bytes:
    """Apple's pbzx (a package Payload in chunks, each xz-compressed or stored) -> the bytes it carries.

    ``pbzx``, a 64-bit big-endian flags word, then while the flags say more follows: flags, length,
    chunk.  Output is bounded by ``cap`` and the Budget's ratio (BudgetExceeded past them).
    """
    if len(data) < 12 or not data.startswith(PBZX_MAGIC):
        raise ValueError("not a pbzx stream")
    (flags,) = struct.unpack_from(">Q", data, 4)
    pos, out = 12, bytearray()
    while flags & _PBZX_MORE and pos < len(data):  # Apple sets the flag on the last chunk too: the data ends
        ctx.budget.check_time()
        flags, length = struct.unpack_from(">QQ", data, pos)
        chunk = data[pos + 16 : pos + 16 + length]
        if len(chunk) < length:
            raise ValueError(f"truncated chunk at {pos}")
        pos += 16 + length
        if chunk.startswith(b"\xfd7zXZ\x00"):
            block, complete = decompress_stream(lzma.LZMADecompressor, chunk, cap - len(out), name, ctx)
            if not complete:
                raise ValueError(f"truncated xz chunk at {pos - length}")
            out += block
        else:
            out += chunk
        ctx.budget.check_ratio(safe_name(name), pos, len(out))  # over the whole stream: chunks are 16 MiB at most
        if len(out) > cap:
            raise BudgetExceeded("container.limit.file_size", f"{safe_name(name)}: more than {cap} bytes")
    return bytes(out)


def runs_code(item: Item) -> bool:
    ext = item.name.rsplit(".", 1)[-1].lower() if "." in item.name else ""
    return item.type in EXECUTABLE_TYPES or ext in RISKY_EXTENSIONS


class DiskImage:
    name: ClassVar[str] = "disk_image"
    codes: ClassVar[tuple[CodeInfo, ...]] = (DISK_IMAGE, DISK_IMAGE_EXECUTABLE, PARSE_ERROR, UNREADABLE)

    def applies_to(self, item: Item) -> bool:
        return item.type in ("iso", *_TOOL_FORMATS)

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        if item.type not in _REPORTED_ELSEWHERE:
            yield finding(DISK_IMAGE, self.name, item, item.type)
        risky: list[str] = []
        names: list[str] = []
        for out in self._members(item, ctx):
            if isinstance(out, Item) and item.type == ItemType.XAR and out.data.startswith(PBZX_MAGIC):
                out = yield from self._pbzx_member(item, out, ctx)
            if isinstance(out, Item):
                names.append(out.name)
                if runs_code(out):
                    risky.append(safe_name(out.name))
            yield out
        if risky:
            yield finding(DISK_IMAGE_EXECUTABLE, self.name, item, ", ".join(risky[:10]))
        if item.type == ItemType.DMG and names and all(_DMG_PARTITION.match(n) for n in names):
            # 7-Zip lists a UDIF image's partitions only when it opened no file system inside
            yield finding(UNREADABLE, self.name, item, "no file system in the disk image could be opened "
                                                       f"(partitions {', '.join(safe_name(n) for n in names[:5])})")

    def _pbzx_member(self, item: Item, member: Item, ctx: AnalysisContext) -> Generator[Finding, None, Item]:
        """The member decoded from pbzx (its cpio), or as it is after a finding saying why not."""
        try:
            return member_item(item, member.name, pbzx_decode(member.data, ctx.budget.member_cap(), member.name, ctx),
                               self.name)
        except BudgetExceeded as exc:
            yield limit_finding(exc, self.name, item)
        except (ValueError, lzma.LZMAError, struct.error) as exc:
            yield parse_error(self.name, item, f"{safe_name(member.name)}: pbzx: {exc}")
        return member

    def _members(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        if item.type != "iso":
            yield from expand_with_tool(item, ctx, self.name, _TOOL_FORMATS[item.type])
            return
        try:
            reader = _IsoReader(item.data)
        except Exception as exc:  # pycdlib is strict; 7-Zip reads many damaged or exotic images
            log.debug("pycdlib cannot open %s (%s); trying 7-Zip", item.path, exc)
            yield from expand_with_tool(item, ctx, self.name, None)
            return
        try:
            yield from expand(item, ctx, reader, self.name, check_passwords=False)
        finally:
            reader.close()
