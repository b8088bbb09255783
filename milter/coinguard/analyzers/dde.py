"""DDE / DDEAUTO fields and DDE formulas (oletools ``msodde``).

Word fields ``DDE``/``DDEAUTO`` and Excel DDE links (``=cmd|'/c calc'!A1``) start a program when
the document opens (after one prompt the user is trained to accept).  msodde finds them in:
Word .doc (field characters in every stream), .docx and Word 2003/flat XML (``instrText`` and
``fldSimple``, including ``QUOTE``-encoded fields), RTF (``\\fldinst``), Excel .xls (SupBook
records), .xlsx/.xlsb (``ddeLink`` and BIFF12 records), Excel 2003 XML and CSV/SYLK text.

A DDE field is ``dde.field``; when it runs a command interpreter or a LOLBin it is ``dde.command``.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from typing import ClassVar

from lxml import etree  # type: ignore[import-untyped]  # (no stubs shipped)
from oletools import msodde, ooxml, xls_parser

from coinguard.analyzers.office_common import bounded_list, check_zip, guarded, memory_path, open_ole, oversized
from coinguard.findings import Category, CodeInfo, Finding, Item, Strength
from coinguard.handlers import AnalysisContext
from coinguard.limits import MiB

MAX_DDE_BYTES = 48 * MiB
#: Largest text item scanned as CSV/SYLK.
MAX_CSV_BYTES = 4 * MiB
#: lxml's iterparse (msodde's parser) feeds libxml2 this many bytes at a time.
_CHUNK = 32768

_WORD_TYPES = frozenset({"ole.doc", "ooxml.word", "ooxml.other", "xml.office", "rtf"})
_EXCEL_TYPES = frozenset({"ole.xls", "ooxml.excel"})
_TEXT_TYPES = frozenset({"text", "slk", "script.bat"})
#: A DDE formula at the start of a cell (line start, after a delimiter or quote), bounded so that
#: long runs of '=' cannot make the search quadratic.
_CSV_HINT = re.compile(rb"(?m)(?:^|[,;\t|^\"'])[ \t]*[=+\-@][^|\r\n]{0,64}\|[^!\r\n]{0,1024}!")
#: A stream can only hold a DDE field if it contains these letters (maybe UTF-16).
_DDE_BYTES = re.compile(rb"(?i)d\x00?d\x00?e")
_DDE_WORD = re.compile(r"(?i)^\s*dde(?:auto)?\b")
_COMMAND = re.compile(
    r"(?i)\b(?:cmd|command|powershell|pwsh|mshta|rundll32|regsvr32|wscript|cscript|certutil|bitsadmin|msiexec"
    r"|schtasks|wmic|forfiles|conhost|calc|curl|hh|explorer|ftp|cmstp|installutil)"
    r"(?:\.exe)?\b|\\\\[\w.-]+\\|https?://|\.(?:exe|bat|cmd|ps1|vbs|js|hta|dll|scr)\b"
)


def _field_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class DdeFields:
    """DDE fields and formulas in Word, Excel, RTF and CSV."""

    name: ClassVar[str] = "dde"
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("dde.field", 6, Category.ATTACHMENT, "DDE/DDEAUTO field or DDE link/formula in a document",
                 strength=Strength.STRONG),
        CodeInfo("dde.command", 12, Category.ATTACHMENT,
                 "DDE field or formula that starts cmd, powershell, mshta or another program",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("dde.parse_error", 1, Category.ATTACHMENT, "document could not be searched for DDE"),
    )

    def applies_to(self, item: Item) -> bool:
        if item.type in _WORD_TYPES or item.type in _EXCEL_TYPES:
            return True
        textual = item.type in _TEXT_TYPES or item.type.startswith("script.")  # a CSV may look like a script
        if not textual or item.size > MAX_CSV_BYTES or b"|" not in item.data or b"!" not in item.data:
            return False
        return bool(_CSV_HINT.search(item.data))

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        if oversized(item, ctx, MAX_DDE_BYTES):
            return  # the macro analyzer already reports oversized documents
        yield from guarded(item, self.name, "dde.parse_error", lambda: self._findings(item, ctx))

    def _findings(self, item: Item, ctx: AnalysisContext) -> list[Finding | Item]:
        fields = self._fields(item, ctx)
        if not fields:
            return []
        out: list[Finding | Item] = [Finding("dde.field", self.name, item.path, bounded_list(fields, 4, 120))]
        commands = [f for f in fields if _COMMAND.search(f)]
        if commands:
            out.append(Finding("dde.command", self.name, item.path, bounded_list(commands, 4, 160)))
        return out

    def _fields(self, item: Item, ctx: AnalysisContext) -> list[str]:
        kind = item.type
        if kind == "ole.doc":
            return self._doc(item, ctx)
        if kind in _TEXT_TYPES or kind.startswith("script."):
            return self._csv(item)
        if kind.startswith("ooxml."):
            check_zip(item, ctx)
        with memory_path(item.data) as path:
            if kind == "ole.xls":
                text = msodde.process_xls(path)
                return _field_lines(text)
            if kind == "rtf":
                with open(path, "rb") as fh:
                    fh.read(4)  # process_rtf expects the '{\rt' magic consumed
                    text = msodde.process_rtf(fh, msodde.FIELD_FILTER_DDE)
                return _field_lines(text)
            doctype = ooxml.get_type(path)
            ctx.budget.check_time()
            if doctype == ooxml.DOCTYPE_EXCEL or kind == "ooxml.excel":
                return _field_lines(xlsx_dde_links(item.data, path, ctx))
            if doctype in (ooxml.DOCTYPE_EXCEL_XML, ooxml.DOCTYPE_EXCEL_XML2003):
                return _field_lines(msodde.process_excel_xml(path))
            try:
                text = msodde.process_docx(path, msodde.FIELD_FILTER_DDE)
            except AssertionError:  # oletools' iter_xml asserts its depth is back to 0 after a part
                raise ValueError(_DOCX_XML_BROKEN) from None
            return [f for f in _field_lines(text) if _DDE_WORD.match(f)]

    @staticmethod
    def _doc(item: Item, ctx: AnalysisContext) -> list[str]:
        """Word 97-2003: msodde's field scanner over every stream that could hold 'DDE'."""
        ole = open_ole(item.data)
        found: list[str] = []
        try:
            for sid, entry in enumerate(ole.direntries):
                ctx.budget.check_time()
                if entry is None:  # orphan or unused entry: Word may still read it
                    entry = ole._load_direntry(sid)
                if entry.entry_type != 2:  # olefile.STGTY_STREAM
                    continue
                ctx.budget.check_member(entry.name, entry.size)
                data = ole._open(entry.isectStart, entry.size).read()
                if not _DDE_BYTES.search(data):
                    continue
                for part in msodde.process_doc_stream(io.BytesIO(data)):
                    found.extend(_field_lines(part.replace("\x00", "")))
        finally:
            ole.close()
        return found

    @staticmethod
    def _csv(item: Item) -> list[str]:
        text = item.data.decode("utf-8", "replace")
        results: list[str] = []
        try:
            results, _dialect = msodde.process_csv_dialect(io.StringIO(text, newline=""), msodde.CSV_DELIMITERS)
        except Exception:  # csv.Sniffer gives up on odd files: fall back to a line scan
            results = []
        if not results:
            for line in text.splitlines()[:100_000]:
                for cell in re.split(r"[,;\t]", line):
                    m = msodde.CSV_DDE_FORMAT.match(cell)
                    if m:
                        results.append(" ".join(m.groups()[:2]))
        return [r.strip() for r in results if r.strip()]


#: dde.parse_error's detail when msodde's walk of a Word part stops inside an element (its bare ``assert``).
_DOCX_XML_BROKEN = ("an XML part of the document stops inside an element: it breaks off, is not well-formed "
                    "or nests deeper than libxml2 reads (256 levels)")


class _DdeLinkTarget:
    """lxml parser target that keeps the ``ddeLink`` elements ``msodde.process_xlsx`` looks for.

    No tree is built: libxml2 still reads (and checks) every byte of the part, and only each start
    tag costs a call.  The test is msodde's: the tag lowercased is ``ddelink`` in any namespace.
    """

    def __init__(self) -> None:
        self.links: list[str] = []
        self.started = False

    def start(self, tag: str, attrib: Mapping[str, str]) -> None:
        self.started = True
        tag = tag.lower()
        if tag == "ddelink" or tag.endswith("}ddelink"):
            self.links.append(" ".join(attrib[key] for key in ("ddeService", "ddeTopic") if key in attrib))

    def close(self) -> None:
        return None


class _NullTarget:
    """lxml parser target that keeps nothing: libxml2 only checks that the part is well-formed."""

    started = True  # unknown: a syntax error is looked at by _breaks_off_inside

    def close(self) -> None:
        return None


#: A UTF-8 XML part: it opens with no declaration ('<' then anything but '?' or NUL) or with one that
#: names UTF-8 or no encoding (libxml2 reads either as UTF-8; UTF-16 and UCS-4 start with NULs).
_UTF8_XML = re.compile(
    rb"(?:\xef\xbb\xbf)?(?:<[^?\x00]|<\?xml(?:\s+(?:version|standalone)\s*=\s*(?:'[^']*'|\"[^\"]*\"))*"
    rb"(?:\s+encoding\s*=\s*(?:'utf-?8'|\"utf-?8\"))?(?:\s+(?:version|standalone)\s*=\s*(?:'[^']*'|\"[^\"]*\"))*"
    rb"\s*\?>)", re.IGNORECASE)


def _may_hold_ddelink(data: bytes) -> bool:
    """Whether a UTF-8 part could give lxml a ddeLink element: it holds the tag name as msodde's
    test ``tag.lower()`` sees it ("ddelin" in any ASCII case, and then a 'k' or U+212A KELVIN SIGN,
    the one non-ASCII letter that lowercases to an ASCII one), or an entity declaration, whose
    value can spell the tag with character references (``<&#100;deLink>``) that libxml2 expands
    into markup.  (``bytes.lower`` and ``in`` run at memory speed, a case-blind regex does not; a
    MiB at a time, overlapping by the needles' length, so a large part is not copied whole.)"""
    for at in range(0, len(data), MiB):
        low = data[at:at + MiB + 8].lower()
        if b"ddelin" in low or b"<!entity" in low:
            return True
    return False


def _xml_dde_links(zf: zipfile.ZipFile, name: str) -> tuple[list[str], bool]:
    """The ddeLink elements of one zip part, and whether the part is well-formed XML.

    The same parser ``ooxml.XmlParser.iter_xml`` uses (lxml's feed parser, iterparse's options), so
    a part is "not XML" exactly when msodde's iterparse fails on it; links seen before a syntax
    error count, as they do in msodde.  A part that breaks off inside its root element (truncated
    or corrupt XML, not an image or a record stream) makes msodde fail the whole document, and
    this too: the document was not fully read.  A UTF-8 part whose bytes cannot spell a ddeLink
    tag (a worksheet, nearly always) is still parsed in full, but with a target that receives
    nothing (3x cheaper again).
    """
    with zf.open(name, "r") as handle:
        data = handle.read()  # the Budget has admitted every member's size (check_zip)
    if _UTF8_XML.match(data) and not _may_hold_ddelink(data):
        target: _DdeLinkTarget | _NullTarget = _NullTarget()
    else:
        target = _DdeLinkTarget()
    parser = etree.XMLParser(target=target, resolve_entities="internal")
    try:
        for at in range(0, len(data), _CHUNK):  # in iterparse's chunks: libxml2 refuses a feed over 10 MB
            parser.feed(data[at:at + _CHUNK])
        parser.close()
    except etree.ParseError:
        if target.started and _breaks_off_inside(zf, name):
            raise ValueError(f"XML part {name!r} breaks off inside an element") from None
        return getattr(target, "links", []), False
    return getattr(target, "links", []), True


def _breaks_off_inside(zf: zipfile.ZipFile, name: str) -> bool:
    """Whether msodde's iterparse of a malformed part stops inside an element (its ``depth != 0``).

    Only asked about parts that fail after a start tag, so the element walk it repeats is rare.
    """
    depth = 0
    with zf.open(name, "r") as handle:
        try:
            for event, elem in etree.iterparse(handle, ("start", "end")):
                depth += 1 if event == "start" else -1
                elem.clear()
        except etree.ParseError:
            return depth != 0
    return False


def xlsx_dde_links(data: bytes, path: str, ctx: AnalysisContext) -> str:
    """``msodde.process_xlsx`` at a fraction of its cost: the same DDE links, one per line.

    msodde walks every element of every part through ``iterparse`` and clears it (163 ms for an
    8,000-row sheet); the ddeLink test needs only each start tag, which a parser target gets without
    building elements, and a UTF-8 part that cannot spell the tag needs no call at all (together
    about 30x less CPU; every byte is still parsed).  Parts that are not XML go, as in msodde, to
    the XLSB record parser for DDE SupBook records, through msodde's own ``iter_non_xml``.  One
    difference: a part the record parser rejects and [Content_Types].xml gives no type makes msodde
    fail (its error handler reads the missing type); it is skipped here like any other rejected
    part.  ``path`` names the same bytes as ``data`` (``memory_path``).
    """
    if not zipfile.is_zipfile(io.BytesIO(data)):  # single-file XML: msodde's path (never an .xlsx)
        return str(msodde.process_xlsx(path))
    links: list[str] = []
    not_xml: set[str] = set()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():  # every part, as msodde: a ddeLink counts wherever it is
            ctx.budget.check_time()
            found, is_xml = _xml_dde_links(zf, name)
            links.extend(found)
            if not is_xml:
                not_xml.add(name)
    parser = ooxml.XmlParser(path)
    parser.subfiles_no_xml = not_xml
    parser.did_iter_all = True
    for subfile, content_type, handle in parser.iter_non_xml():
        ctx.budget.check_time()
        try:
            for record in xls_parser.parse_xlsb_part(handle, content_type, subfile):
                if isinstance(record, xls_parser.XlsbBeginSupBook) and \
                        record.link_type == xls_parser.XlsbBeginSupBook.LINK_TYPE_DDE:
                    links.append(record.string1 + " " + record.string2)
        except Exception:  # msodde too goes on with the next part (an image is no record stream) -
            continue  # except when the part has no content type, where its error handler fails
    return "\n".join(links)
