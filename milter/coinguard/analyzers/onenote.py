"""OneNote sections (.one): files embedded in the notebook.

In the 2023 wave, OneNote lures carried an HTA, BAT, JS, WSF, LNK, CHM or EXE behind a fake
"double-click to view" button.  Embedded files are stored as FileDataStoreObject
structures ([MS-ONESTORE] 2.6.13): a header GUID {BDE316E7-2665-4511-A4C4-8D4D0B7A9EAC},
a 64-bit length, 12 reserved bytes and the file bytes.  Each blob is handed back as a
child Item so every analyzer sees it (a macro document, a zip, a script is graded by its own
analyzers); pictures (pasted images, printout pages) are stored the same way and only
extracted.  The section's printable UTF-16 runs (page text, hyperlink targets, file names) are
handed on as one text child, so the lure, link and address analyzers read the page as well.

Grading (issue 11): a blob that is itself a script, executable, HTA or shortcut is conclusive.
Any other embedded file (one that is not a picture) is conclusive under ``profile = "strict"``
and strong under ``balanced``, because

- a OneNote section is not a document people mail: notebooks are shared as OneDrive/SharePoint
  links, and a ``.one`` attachment in mail was, in practice, the 2023 malspam carrier;
- the only thing a section can make run is an embedded file, opened by one double-click on its
  icon, which the lures hide under a "click to view the document" picture;
- the attackers rotate the embedded type (HTA, WSF, CMD, then CHM, ISO, password zips, macro
  documents) faster than any list of risky types: the carrier is the constant;
- a benign notebook can embed a PDF or a spreadsheet (File Printout, attach file), so a gateway
  that must not hold such mail chooses ``balanced``, where the finding tags but delivers.
"""

from __future__ import annotations

import re
import struct
import uuid
from collections.abc import Iterator
from typing import ClassVar

from coinguard.findings import Category, CodeInfo, Finding, Item, Role, Strength
from coinguard.handlers import AnalysisContext, text_item
from coinguard.sniff import EXECUTABLE_TYPES, sniff

A = Category.ATTACHMENT

FILE_DATA_GUID = uuid.UUID("{BDE316E7-2665-4511-A4C4-8D4D0B7A9EAC}").bytes_le
#: Bytes from the GUID to the data: GUID (16) + cbLength (8) + unused (4) + reserved (8).
HEADER_SIZE = 36
#: Most embedded blobs taken from one section.
MAX_BLOBS = 128
#: Blob types that are pictures (a page's images, a printout's page images): no double-click runs them.
_PICTURE_TYPES = frozenset({"image.png", "image.jpeg", "image.gif", "image.bmp", "image.tiff", "image.webp",
                            "image.ico"})
#: Types a runnable file the section names may have been sniffed as (an HTA looks like HTML, a .cmd like text).
_NAMED_RUNNABLE_TYPES = frozenset({"text", "binary", "html", "xml", "svg"})
#: Page text and hyperlinks are stored as UTF-16 runs (RichEditTextUnicode, the link target): handed on as text
#: so the lure, link and address analyzers read what the page says and where its "view document" link goes.
_TEXT_UTF16 = re.compile(rb"(?:[\x09\x0a\x0d\x20-\x7e\xa0-\xff]\x00|[\x00-\xff]\x04){6,}")  # Latin, Cyrillic
MAX_TEXT_CHARS = 200_000
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


def is_picture(kind: str, blob: bytes) -> bool:
    """Whether a blob is a picture: a sniffed image type, or a Windows metafile (EMF, placeable WMF)."""
    return kind in _PICTURE_TYPES or blob[40:44] == b" EMF" or blob[:4] == b"\xd7\xcd\xc6\x9a"


def section_text(data: bytes, limit: int = MAX_TEXT_CHARS) -> str:
    """The printable UTF-16 runs of a section (page text, link targets, file names), one per line, bounded."""
    lines: list[str] = []
    size = 0
    for m in _TEXT_UTF16.finditer(data):
        line = m.group(0).decode("utf-16-le", "replace").strip()
        if not line:
            continue
        lines.append(line)
        size += len(line) + 1
        if size >= limit:
            break
    return "\n".join(lines)[:limit]


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
        CodeInfo("onenote.embedded_file", 5.0, A,
                 "a file (not a picture) embedded in a mailed OneNote section, opened by one double-click on its "
                 "icon: the 2023 OneNote malspam carrier whatever the file's type (extracted and analyzed). "
                 "Conclusive under the strict profile (sections are shared as links, not mailed; the embedded "
                 "type rotates), strong under balanced (a benign notebook may embed a PDF printout)",
                 strength=Strength.STRONG, strict=Strength.CONCLUSIVE),
        CodeInfo("onenote.embedded_picture", 0.5, A,
                 "a picture stored in a OneNote section (pasted image, printout page; extracted for QR codes)",
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
            picture = is_picture(kind, blob)
            yield Finding("onenote.embedded_picture" if picture else "onenote.embedded_file", self.name, item.path,
                          detail)
            # A text or unknown blob in a section that names a runnable file is most likely that file.
            if kind in EXECUTABLE_TYPES or (not picture and kind in _NAMED_RUNNABLE_TYPES and risky_names):
                yield Finding("onenote.embedded_executable", self.name, item.path,
                              f"blob {count} is {kind}" + (f" ({', '.join(risky_names[:4])})" if risky_names else ""))
            yield child
        text = section_text(item.data)
        if text:
            yield text_item(item, text, self.name)
        if count == 0 and risky_names:
            yield Finding("onenote.embedded_executable", self.name, item.path,
                          f"names a runnable file but no blob was readable: {', '.join(risky_names[:4])}")
        if count == 0 and item.data.find(FILE_DATA_GUID) >= 0:
            yield Finding("onenote.parse_error", self.name, item.path, "file-data header with an impossible length")
