"""OneNote sections (.one): files embedded in the notebook.

In the 2023 wave, OneNote lures carried an HTA, BAT, JS, WSF, LNK, CHM or EXE behind a fake
"double-click to view" button.  Embedded files are stored as FileDataStoreObject
structures ([MS-ONESTORE] 2.6.13): a header GUID {BDE316E7-2665-4511-A4C4-8D4D0B7A9EAC},
a 64-bit length, 12 reserved bytes and the file bytes.  Each blob is handed back as a
child Item so every analyzer sees it (a macro document, a zip, a script is graded by its own
analyzers), named as the section's embedded-file node records it (``Open.hta``: the revision
store's links, :func:`recorded_names`) or ``<onenote-file-N>`` when no node links to it; pictures
(pasted images, printout pages) are stored the same way and only extracted.  The section's
printable UTF-16 runs (page text, hyperlink targets, file names) are handed on as one text child,
so the lure, link and address analyzers read the page as well.

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

import contextlib
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
#: UTF-16 file names the section mentions anywhere (shown in the detail; recorded_names links names to blobs).
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


# -- [MS-ONESTORE] revision store: the name each embedded file's node records ---------------------------------
#: FileNodeListFragment magic (header) and the walk's bounds: lists followed, nodes read, nesting of property sets.
_LIST_MAGIC = 0xA4567AB1F5F7F4C4
_ROOT_REF_AT = 172  # Header.fcrFileNodeListRoot: FileChunkReference64x32 (stp u64, cb u32)
_EXPECTED_LENGTH_AT = 196  # Header.cbExpectedFileLength (u64): the size of the whole section file
#: Header.guidFileFormat ([MS-ONESTORE] 2.3.1) at offset 48: a real header is there, its fields can be read.
_FILE_FORMAT_GUID = uuid.UUID("{109ADD3F-911B-49F5-A5D0-1791EDC8AED8}").bytes_le


def cut_short(data: bytes) -> str:
    """Why a section with a real header is not whole ("" when it is, or has no header to tell):
    its header declares the file's length (cbExpectedFileLength), and a file cut short has less."""
    if len(data) < 64:  # not even the header's four GUIDs: a section cut short (sniff found the first one)
        return f"the header is cut at {len(data)} bytes"
    if data[48:64] != _FILE_FORMAT_GUID:
        return ""
    if len(data) < _EXPECTED_LENGTH_AT + 8:
        return f"the header is cut at {len(data)} bytes"
    expected = _unpack("<Q", data, _EXPECTED_LENGTH_AT)
    return f"{len(data)} bytes of the {expected} its header declares" if expected > len(data) else ""
_MAX_LISTS = 4096
_MAX_NODES = 50_000
_MAX_NESTING = 8
_MAX_VALUES = 1000  # property values read in one property set (an embedded file node has ~20)
_MAX_NAMED = 2 * MAX_BLOBS  # embedded-file nodes (property sets) read in one section
_MAX_NAME = 255
#: FileNode IDs ([MS-ONESTORE] 2.4.3) the names need.
_FILE_DATA_REF = 0x094  # FileDataStoreObjectReferenceFND: ref -> FileDataStoreObject, guidReference
_FILE_DATA_DECL = {0x072: 1, 0x073: 4}  # ObjectDeclarationFileData3(Large)RefCountFND: the size of cRef
_OBJECT_DECL = {0x0A4, 0x0A5, 0x0C4, 0x0C5}  # (ReadOnly)ObjectDeclaration2(Large)RefCountFND: ref -> property set
_ID_TABLE_START = {0x021, 0x022}
_ID_TABLE_ENTRY = 0x024
_CHUNK_TERMINATOR = 0x0FF
#: [MS-ONE]: the embedded file's node, its file name property and its (object) reference to the file data.
JCID_EMBEDDED_FILE_NODE = 0x00060035
PRID_EMBEDDED_FILE_NAME = 0x1C001D9C
PRID_EMBEDDED_FILE_CONTAINER = 0x20001D9B
#: FileNodeChunkReference field sizes by StpFormat / CbFormat, and whether the value is stored divided by 8.
_STP_FORMATS = {0: ("<Q", 1), 1: ("<I", 1), 2: ("<H", 8), 3: ("<I", 8)}
_CB_FORMATS = {0: ("<I", 1), 1: ("<Q", 1), 2: ("<B", 8), 3: ("<H", 8)}


class _Unreadable(Exception):
    """A structure that does not parse: that name is not known (the blob keeps its generic one)."""


def _unpack(fmt: str, data: bytes | memoryview, pos: int) -> int:
    if pos < 0 or pos + struct.calcsize(fmt) > len(data):
        raise _Unreadable(f"{fmt} at {pos} is past the end")
    return int(struct.unpack_from(fmt, data, pos)[0])


def _chunk_ref(body: bytes, stp_format: int, cb_format: int) -> tuple[int, int, int]:
    """(stp, cb, bytes used) of the FileNodeChunkReference at the start of a node's body."""
    (sfmt, sscale), (cfmt, cscale) = _STP_FORMATS[stp_format], _CB_FORMATS[cb_format]
    stp = _unpack(sfmt, body, 0) * sscale
    used = struct.calcsize(sfmt)
    return stp, _unpack(cfmt, body, used) * cscale, used + struct.calcsize(cfmt)


def _list_nodes(data: bytes, stp: int, cb: int, seen: set[int]) -> Iterator[tuple[int, int, int, int, bytes]]:
    """(FileNodeID, BaseType, ref stp, ref cb, rest of the body) of the nodes of the list at ``stp``, over
    its fragments (each fragment read once: ``seen``)."""
    while stp not in seen and len(seen) < _MAX_LISTS and cb >= 36 and stp + cb <= len(data):
        seen.add(stp)
        if _unpack("<Q", data, stp) != _LIST_MAGIC:
            return
        pos, end = stp + 16, stp + cb - 20  # header; then nextFragment (12) and the footer (8)
        while pos + 4 <= end:
            head = _unpack("<I", data, pos)
            fid, size = head & 0x3FF, (head >> 10) & 0x1FFF
            if fid == _CHUNK_TERMINATOR or size < 4 or pos + size > end:
                break
            body, base = data[pos + 4 : pos + size], (head >> 27) & 0xF
            ref_stp = ref_cb = 0
            if base in (1, 2):
                ref_stp, ref_cb, used = _chunk_ref(body, (head >> 23) & 3, (head >> 25) & 3)
                body = body[used:]
            yield fid, base, ref_stp, ref_cb, body
            pos += size
        stp, cb = _unpack("<Q", data, stp + cb - 20), _unpack("<I", data, stp + cb - 12)


def _string(data: bytes, pos: int) -> tuple[str, int]:
    """A StringInStorageBuffer (cch u32, UTF-16LE) at ``pos``: (text, position after it)."""
    cch = _unpack("<I", data, pos)
    if pos + 4 + 2 * cch > len(data):
        raise _Unreadable("string past the end")
    return data[pos + 4 : pos + 4 + 2 * cch].decode("utf-16-le", "replace"), pos + 4 + 2 * cch


class _PropertySet:
    """The embedded file name and the container's CompactID in one ObjectSpaceObjectPropSet ([MS-ONESTORE]
    2.6.1): its OIDs stream, then a PropertySet whose ObjectID properties take those OIDs in order."""

    def __init__(self, data: memoryview) -> None:
        self.data, self.name, self.container, self.values = data, "", -1, 0
        head = _unpack("<I", data, 0)
        count = head & 0xFFFFFF
        self.oids = [_unpack("<I", data, 4 + 4 * n) for n in range(min(count, 4096))]
        pos = 4 + 4 * count
        if not head >> 31:  # OsidStreamNotPresent clear: an OSIDs stream, and maybe ContextIDs after it
            osids = _unpack("<I", data, pos)
            pos += 4 + 4 * (osids & 0xFFFFFF)
            if (osids >> 30) & 1:
                pos += 4 + 4 * (_unpack("<I", data, pos) & 0xFFFFFF)
        self.next_oid = 0
        if self._read(pos, 0) > len(data):
            raise _Unreadable("property set past the end")

    def _read(self, pos: int, depth: int) -> int:
        """Read the PropertySet at ``pos``; the position after it."""
        self.values += 1
        if depth > _MAX_NESTING or self.values > _MAX_VALUES:
            raise _Unreadable("property sets nested too deep or too many values")
        count = _unpack("<H", self.data, pos)
        if self.values + count > _MAX_VALUES:
            raise _Unreadable("too many property values")
        prids = [_unpack("<I", self.data, pos + 2 + 4 * n) for n in range(count)]
        pos += 2 + 4 * count
        for prid in prids:
            self.values += 1
            if self.values > _MAX_VALUES:
                raise _Unreadable("too many property values")
            pos = self._value(prid, pos, depth)
        return pos

    def _value(self, prid: int, pos: int, depth: int) -> int:
        kind = (prid >> 26) & 0x1F
        fixed = {1: 0, 2: 0, 3: 1, 4: 2, 5: 4, 6: 8, 0xA: 0, 0xC: 0}
        if kind in fixed:
            return pos + fixed[kind]
        if kind == 7:  # FourBytesOfLengthFollowedByData
            size = _unpack("<I", self.data, pos)
            if pos + 4 + size > len(self.data):
                raise _Unreadable("property data past the end")
            if prid == PRID_EMBEDDED_FILE_NAME:
                raw = bytes(self.data[pos + 4 : pos + 4 + min(size, 4 * _MAX_NAME)])
                self.name = raw.decode("utf-16-le", "replace")
            return pos + 4 + size
        if kind == 8:  # ObjectID: the next of the OIDs stream
            if prid == PRID_EMBEDDED_FILE_CONTAINER and self.next_oid < len(self.oids):
                self.container = self.oids[self.next_oid]
            self.next_oid += 1
            return pos
        if kind in (9, 0xB, 0xD):  # arrays of ObjectIDs / ObjectSpaceIDs / ContextIDs: a count here
            if kind == 9:
                self.next_oid += _unpack("<I", self.data, pos)
            return pos + 4
        if kind == 0x10:  # ArrayOfPropertyValues: count, then the element prid and that many PropertySets
            count = _unpack("<I", self.data, pos)
            pos += 4
            if count:
                pos += 4
                for _ in range(min(count, 4096)):
                    pos = self._read(pos, depth + 1)
            return pos
        if kind == 0x11:  # PropertySet
            return self._read(pos, depth + 1)
        raise _Unreadable(f"property type {kind:#x}")


def recorded_names(data: bytes) -> dict[int, str]:
    """Offset of a FileDataStoreObject -> the file name its embedded-file node records ({} when the
    section's revision store does not link them; nothing is guessed).

    The link ([MS-ONESTORE] 2.5.21-2.5.28, [MS-ONE] 2.2.32): an embedded file's node (jcid
    ``jcidEmbeddedFileNode``) has ``EmbeddedFileName`` and ``EmbeddedFileContainer``, an object ID; that
    object is declared by an ObjectDeclarationFileData3RefCountFND naming ``<ifndf>{GUID}``; the
    FileDataStoreObjectReferenceFND with that GUID points at the file data.  Object IDs are CompactIDs,
    resolved through the global ID table of the list they are in.
    """
    links = _Links(data)
    try:
        links.walk(_unpack("<Q", data, _ROOT_REF_AT), _unpack("<I", data, _ROOT_REF_AT + 8))
    except _Unreadable:
        return {}
    out: dict[int, str] = {}
    for container, name in links.named:
        at = links.file_at.get(links.declared.get(container, ""), -1)
        if at >= 0:
            out.setdefault(at, name)
    return out


class _Links:
    """What :func:`recorded_names` collects from the file node lists, within the walk's bounds."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.file_at: dict[str, int] = {}  # "{GUID}" -> stp of its FileDataStoreObject
        self.declared: dict[tuple[str, int], str] = {}  # object ExtendedGUID -> "{GUID}" of its file data
        self.named: list[tuple[tuple[str, int], str]] = []  # (container ExtendedGUID, file name)
        self.nodes = self.property_sets = 0

    def walk(self, root_stp: int, root_cb: int) -> None:
        seen: set[int] = set()
        pending: list[tuple[int, int, dict[int, str]]] = [(root_stp, root_cb, {})]
        while pending and self.nodes < _MAX_NODES:
            stp, cb, inherited = pending.pop()
            table = dict(inherited)  # the global ID table in force: guidIndex -> GUID
            try:
                for fid, base, ref_stp, ref_cb, body in _list_nodes(self.data, stp, cb, seen):
                    self.nodes += 1
                    if self.nodes >= _MAX_NODES:
                        break
                    if base == 2:
                        pending.append((ref_stp, ref_cb, table))
                    elif fid in _ID_TABLE_START:
                        table = {}
                    elif fid == _ID_TABLE_ENTRY and len(body) >= 20:
                        table[_unpack("<I", body, 0)] = str(uuid.UUID(bytes_le=body[4:20])).upper()
                    elif fid == _FILE_DATA_REF and len(body) >= 16:
                        self.file_at[str(uuid.UUID(bytes_le=body[:16])).upper()] = ref_stp
                    else:
                        with contextlib.suppress(_Unreadable):  # a node that does not parse: its name stays unknown
                            self._declaration(fid, base, ref_stp, ref_cb, body, table)
            except _Unreadable:
                continue  # this list does not parse past here

    def _declaration(self, fid: int, base: int, ref_stp: int, ref_cb: int, body: bytes,
                     table: dict[int, str]) -> None:
        """A file data object's declaration (its ``<ifndf>{GUID}``) or an embedded file's node (name, container)."""
        if fid in _FILE_DATA_DECL:
            oid = _resolve(_unpack("<I", body, 0), table)
            reference, _ = _string(body, 8 + _FILE_DATA_DECL[fid])
            if oid and reference.startswith("<ifndf>{"):
                self.declared[oid] = reference[8:].rstrip("}\x00").upper()
        elif (fid in _OBJECT_DECL and base == 1 and self.property_sets < _MAX_NAMED
              and _unpack("<I", body, 4) == JCID_EMBEDDED_FILE_NODE):
            self.property_sets += 1
            props = _PropertySet(memoryview(self.data)[ref_stp : ref_stp + ref_cb])
            container = _resolve(props.container, table)
            name = props.name.replace("\x00", "").strip()[:_MAX_NAME]
            if container and name:
                self.named.append((container, name))


def _resolve(compact: int, table: dict[int, str]) -> tuple[str, int] | None:
    """A CompactID (n: 8 bits, guidIndex: 24 bits) as an ExtendedGUID, or None (no such table entry)."""
    guid = table.get(compact >> 8) if compact >= 0 else None
    return (guid, compact & 0xFF) if guid else None


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
        cut = cut_short(item.data)
        if cut:  # the blobs and pages past the cut were never read
            yield Finding("onenote.parse_error", self.name, item.path, f"the section is cut short: {cut}")
        named = recorded_names(item.data)
        count = 0
        for offset, blob in embedded_blobs(item.data):
            ctx.budget.check_time()
            ctx.budget.check_member(f"onenote blob at {offset}", len(blob))
            count += 1
            kind = sniff(blob)
            recorded = named.get(offset, "")
            child = item.child(recorded or f"<onenote-file-{count}>", blob, source=self.name, role=Role.EMBEDDED,
                               type=kind)
            detail = f"blob {count} at {offset}: {kind}, {len(blob)} bytes" + (f", {recorded}" if recorded else "")
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
