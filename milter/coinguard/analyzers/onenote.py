"""OneNote sections (.one): files embedded in the notebook.

In the 2023 wave, OneNote lures carried an HTA, BAT, JS, LNK or EXE behind a fake
"double-click to view" button.  Embedded files are stored as FileDataStoreObject
structures ([MS-ONESTORE] 2.6.13): a header GUID {BDE316E7-2665-4511-A4C4-8D4D0B7A9EAC},
a 64-bit length, 12 reserved bytes and the file bytes.  Each blob is handed back as a
child Item so every analyzer sees it; a blob that is itself a script, executable,
HTA or shortcut is strong evidence.
"""

from __future__ import annotations

import re
import struct
import uuid
from collections.abc import Iterator
from typing import ClassVar

from coinguard.findings import Category, CodeInfo, Finding, Item, Role, Strength
from coinguard.handlers import AnalysisContext
from coinguard.sniff import EXECUTABLE_TYPES, sniff

A = Category.ATTACHMENT

FILE_DATA_GUID = uuid.UUID("{BDE316E7-2665-4511-A4C4-8D4D0B7A9EAC}").bytes_le
#: Bytes from the GUID to the data: GUID (16) + cbLength (8) + unused (4) + reserved (8).
HEADER_SIZE = 36
#: Most embedded blobs taken from one section.
MAX_BLOBS = 128
#: UTF-16 file names the section mentions (shown in the detail; the blob-to-name link needs a full parse).
_NAME_UTF16 = re.compile(rb"(?:[\x20-\x7e]\x00){1,120}\.\x00(?:[A-Za-z0-9]\x00){2,5}(?=\x00\x00)")
_RISKY_NAME = re.compile(
    r"\.(?:hta|bat|cmd|js|jse|vbs|vbe|wsf|ps1|exe|scr|com|pif|cpl|dll|lnk|chm|msi|jar|iso|img|vhdx?|url)$", re.I
)


def embedded_blobs(data: bytes, limit: int = MAX_BLOBS) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of every FileDataStoreObject whose declared length fits in ``data``."""
    pos = data.find(FILE_DATA_GUID)
    found = 0
    while pos >= 0 and found < limit:
        if pos + HEADER_SIZE <= len(data):
            (size,) = struct.unpack_from("<Q", data, pos + 16)
            start = pos + HEADER_SIZE
            if 0 < size <= len(data) - start:
                found += 1
                yield pos, data[start : start + size]
                pos = data.find(FILE_DATA_GUID, start + size)
                continue
        pos = data.find(FILE_DATA_GUID, pos + 16)


def mentioned_names(data: bytes, limit: int = 20) -> list[str]:
    """File names (with an extension) stored as UTF-16 strings in the section."""
    names: list[str] = []
    for m in _NAME_UTF16.finditer(data):
        name = m.group(0).decode("utf-16-le", "replace").strip()
        if name not in names:
            names.append(name)
        if len(names) >= limit:
            break
    return names


class OneNoteAnalyzer:
    name: ClassVar[str] = "onenote"
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("onenote.present", 3.0, A, "a OneNote section (.one) is attached (a 2023 malware carrier)",
                 strength=Strength.WEAK),
        CodeInfo("onenote.embedded_file", 3.0, A, "a file embedded in a OneNote section (extracted and analyzed)",
                 strength=Strength.WEAK),
        CodeInfo("onenote.embedded_executable", 12.0, A,
                 "a OneNote section embedding a script, executable, HTA, BAT or shortcut",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("onenote.parse_error", 1.0, A, "the OneNote section could not be parsed"),
    )

    def applies_to(self, item: Item) -> bool:
        return item.type == "onenote"

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        names = mentioned_names(item.data)
        yield Finding("onenote.present", self.name, item.path,
                      f"OneNote section, {item.size} bytes" + (f"; names: {', '.join(names[:6])}" if names else ""))
        risky_names = [n for n in names if _RISKY_NAME.search(n)]
        count = 0
        for offset, blob in embedded_blobs(item.data):
            ctx.budget.check_time()
            ctx.budget.check_member(f"onenote blob at {offset}", len(blob))
            count += 1
            kind = sniff(blob)
            child = item.child(f"<onenote-file-{count}>", blob, source=self.name, role=Role.EMBEDDED, type=kind)
            detail = f"blob {count} at {offset}: {kind}, {len(blob)} bytes"
            yield Finding("onenote.embedded_file", self.name, item.path, detail)
            # A text or unknown blob in a section that names a runnable file is most likely that file.
            if kind in EXECUTABLE_TYPES or (kind in ("text", "binary") and risky_names):
                yield Finding("onenote.embedded_executable", self.name, item.path,
                              f"blob {count} is {kind}" + (f" ({', '.join(risky_names[:4])})" if risky_names else ""))
            yield child
        if count == 0 and risky_names:
            yield Finding("onenote.embedded_executable", self.name, item.path,
                          f"names a runnable file but no blob was readable: {', '.join(risky_names[:4])}")
        if count == 0 and item.data.find(FILE_DATA_GUID) >= 0:
            yield Finding("onenote.parse_error", self.name, item.path, "file-data header with an impossible length")
