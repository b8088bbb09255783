"""Plain text of documents, for the lure analyzers and YARA text rules.

Word/Excel/PowerPoint OOXML, OpenDocument, HWPX sections, Word/Excel 2003 XML, RTF
(roughly: control words and binary groups dropped) and legacy Word binaries (printable
UTF-16 and 8-bit runs of the WordDocument stream, which is where Word keeps the text).
Bounded to :data:`MAX_TEXT_CHARS`; emits no findings except ``doctext.parse_error``.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
from collections.abc import Iterator
from typing import ClassVar

import olefile

from coinguard.errors import BudgetExceeded
from coinguard.findings import Category, CodeInfo, Finding, Item, Role
from coinguard.handlers import AnalysisContext, text_item

#: Most characters of text handed on per document.
MAX_TEXT_CHARS = 200_000
#: Most compressed bytes read from one XML part.
MAX_PART_BYTES = 8 * 1024 * 1024
#: Most bytes read from a Word binary's WordDocument and table streams.
MAX_WORD_STREAM = 16 * 1024 * 1024
#: Most XML parts read per document.
MAX_PARTS = 200

_PARTS: dict[str, re.Pattern[str]] = {
    "ooxml.word": re.compile(r"^word/(?:document|footnotes|endnotes|comments|header\d*|footer\d*)\.xml$", re.I),
    "ooxml.excel": re.compile(r"^xl/(?:sharedStrings|worksheets/sheet\d+)\.xml$", re.I),
    "ooxml.powerpoint": re.compile(r"^ppt/(?:slides/slide\d+|notesSlides/notesSlide\d+)\.xml$", re.I),
    "odf": re.compile(r"^content\.xml$", re.I),
    "hwpx": re.compile(r"^contents/section\d+\.xml$", re.I),
}
_BREAK_TAGS = re.compile(r"</(?:\w+:)?(?:p|tr|si|br|h|div|li|para)>|<(?:\w+:)?(?:br|tab|cr)\b[^>]*/>", re.I)
_TAG = re.compile(r"<[^>]+>")
_BLANKS = re.compile(r"[ \t\u00a0]+")
_LINES = re.compile(r"\n\s*\n+")

_RTF_SKIP_GROUPS = re.compile(
    r"\{(?:\\\*)?\\(?:fonttbl|colortbl|stylesheet|info|pict|object|objdata|datastore|themedata|colorschememapping"
    r"|latentstyles|listtable|listoverridetable|rsidtbl|generator|xmlnstbl|mmathPr|bkmkstart|bkmkend|fldinst"
    r"|sp|shppict|nonshppict|blipuid|result)(?![a-zA-Z])"
)
_RTF_UNICODE = re.compile(r"\\u(-?\d+)\??")
_RTF_HEX = re.compile(r"\\'([0-9a-fA-F]{2})")
_RTF_CONTROL = re.compile(r"\\[a-zA-Z]+-?\d* ?|\\[^a-zA-Z]")

#: UTF-16LE runs of ASCII/Latin-1 text and Hangul syllables (U+AC00-U+D7A3).
_UTF16_RUN = re.compile(rb"(?:[\x20-\x7e\xa0-\xff\r\n\t]\x00|[\x00-\xff][\xac-\xd7]){4,}")
_ASCII_RUN = re.compile(rb"[\x20-\x7e\r\n\t]{6,}")


def xml_text(xml: str) -> str:
    """Text content of an XML document part, paragraphs on their own lines."""
    text = _BREAK_TAGS.sub("\n", xml)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _BLANKS.sub(" ", text)
    return _LINES.sub("\n", "\n".join(line.strip() for line in text.splitlines())).strip()


_RTF_BRACE_OR_BACKSLASH = re.compile(r"[\\{}]")


def _group_end(rtf: str, start: int) -> int:
    """Where the group opened by the ``{`` at ``start`` closes (the index of its ``}``), or ``len(rtf)``
    when it is left open.  Escapes (a backslash and the character after it, ``\\{`` and ``\\}`` too) are
    skipped; the search jumps from brace or backslash to the next at C speed (a picture's hex digits)."""
    depth, pos = 0, start
    search = _RTF_BRACE_OR_BACKSLASH.search
    while (t := search(rtf, pos)) is not None:
        at = t.start()
        c = rtf[at]
        if c == "\\":
            pos = at + 2
            continue
        pos = at + 1
        if c == "{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return at
    return len(rtf)


def _drop_groups(rtf: str) -> str:
    """Remove RTF groups that hold no body text (font tables, pictures, object data).

    Only braces and escapes are visited (a picture's hex digits are skipped at C speed: a 518 K
    character RTF costs 2.7 ms instead of 32); a group left open runs to the end of the text."""
    out: list[str] = []
    pos = 0
    for _ in range(10_000):
        m = _RTF_SKIP_GROUPS.search(rtf, pos)
        if not m:
            break
        out.append(rtf[pos : m.start()])
        pos = _group_end(rtf, m.start()) + 1
    out.append(rtf[pos:])
    return "".join(out)


def rtf_text(data: bytes, limit: int = MAX_TEXT_CHARS) -> str:
    """A rough plain-text rendering of RTF: enough for lure words, not for layout."""
    rtf = data[: limit * 8].decode("latin-1")
    rtf = _drop_groups(rtf)
    rtf = re.sub(r"\\(?:par|line|row|cell|sect|page)\b ?", "\n", rtf)
    rtf = _RTF_UNICODE.sub(lambda m: chr(int(m.group(1)) % 0x10000), rtf)
    rtf = _RTF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]).decode("cp1252", "replace"), rtf)
    rtf = _RTF_CONTROL.sub("", rtf).replace("{", "").replace("}", "")
    rtf = _BLANKS.sub(" ", rtf)
    return _LINES.sub("\n", rtf).strip()[:limit]


def binary_strings(data: bytes, limit: int = MAX_TEXT_CHARS) -> str:
    """UTF-16LE and 8-bit printable runs of a binary stream (legacy Word keeps its text this way)."""
    parts: list[str] = []
    total = 0
    for m in _UTF16_RUN.finditer(data):
        run = m.group(0)
        s = run[: len(run) // 2 * 2].decode("utf-16-le", "replace").strip()
        if sum(ch.isalnum() for ch in s) >= 4:
            parts.append(s)
            total += len(s)
            if total >= limit:
                break
    if total < limit // 2:
        for m in _ASCII_RUN.finditer(data):
            s = m.group(0).decode("latin-1").strip()
            if sum(ch.isalpha() for ch in s) >= 4:
                parts.append(s)
                total += len(s)
                if total >= limit:
                    break
    return "\n".join(parts)[:limit]


class DocTextAnalyzer:
    name: ClassVar[str] = "doctext"
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("doctext.parse_error", 0.5, Category.ATTACHMENT, "document text could not be extracted"),
    )

    def applies_to(self, item: Item) -> bool:
        return item.role != Role.TEXT and (item.type in _PARTS or item.type in ("rtf", "ole.doc", "xml.office"))

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        try:
            if item.type in _PARTS:
                text = self._zip_text(item, ctx, _PARTS[item.type])
            elif item.type == "rtf":
                text = rtf_text(item.data)
            elif item.type == "xml.office":
                text = xml_text(item.data[: MAX_TEXT_CHARS * 8].decode("utf-8", "replace"))
            else:
                text = self._word_text(item)
        except BudgetExceeded:
            raise
        except Exception as exc:  # zipfile/olefile raise many types on damaged input
            yield Finding("doctext.parse_error", self.name, item.path, f"{type(exc).__name__}: {exc}")
            return
        text = text[:MAX_TEXT_CHARS].strip()
        if text:
            yield text_item(item, text, self.name, "document-text")

    @staticmethod
    def _zip_text(item: Item, ctx: AnalysisContext, wanted: re.Pattern[str]) -> str:
        out: list[str] = []
        total = 0
        with zipfile.ZipFile(io.BytesIO(item.data)) as zf:
            infos = [i for i in zf.infolist() if wanted.match(i.filename) and not i.flag_bits & 0x1]
            infos.sort(key=lambda i: [int(n) if n.isdigit() else n for n in re.split(r"(\d+)", i.filename)])
            for info in infos[:MAX_PARTS]:
                ctx.budget.check_time()
                ctx.budget.check_member(info.filename, min(info.file_size, MAX_PART_BYTES), info.compress_size)
                with zf.open(info) as fh:
                    raw = fh.read(MAX_PART_BYTES)
                text = xml_text(raw.decode("utf-8", "replace"))
                out.append(text)
                total += len(text)
                if total >= MAX_TEXT_CHARS:
                    break
        return "\n".join(out)

    @staticmethod
    def _word_text(item: Item) -> str:
        with olefile.OleFileIO(io.BytesIO(item.data)) as ole:
            if not ole.exists("WordDocument"):
                return ""
            size = min(ole.get_size("WordDocument"), MAX_WORD_STREAM)
            word = ole.openstream("WordDocument").read(size)
            table_name = "1Table" if len(word) > 0x0B and word[0x0B] & 0x02 else "0Table"
            table = b""
            if ole.exists(table_name):
                table = ole.openstream(table_name).read(min(ole.get_size(table_name), MAX_WORD_STREAM))
        try:
            text = word_piece_text(word, table)
        except (struct.error, IndexError, ValueError):
            text = ""
        return text or binary_strings(word)


def word_piece_text(word: bytes, table: bytes, limit: int = MAX_TEXT_CHARS) -> str:
    """Text of a Word 97-2003 document through its piece table ([MS-DOC] 2.8.35 Clx / 2.9.177 PlcPcd)."""
    if len(word) < 0x1AA:
        return ""
    fc_clx, lcb_clx = struct.unpack_from("<II", word, 0x1A2)
    clx = table[fc_clx : fc_clx + lcb_clx]
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc entries (property modifiers) come first
        (cb,) = struct.unpack_from("<H", clx, pos + 1)
        pos += 3 + cb
    if pos >= len(clx) or clx[pos] != 0x02:
        return ""
    (lcb,) = struct.unpack_from("<I", clx, pos + 1)
    plc = clx[pos + 5 : pos + 5 + lcb]
    n = (len(plc) - 4) // 12
    if n <= 0:
        return ""
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    out: list[str] = []
    total = 0
    for i in range(min(n, 10_000)):
        (fc,) = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * i + 2)
        chars = max(0, min(cps[i + 1] - cps[i], limit - total))
        if fc & 0x40000000:
            start = (fc & 0x3FFFFFFF) // 2
            out.append(word[start : start + chars].decode("cp1252", "replace"))
        else:
            out.append(word[fc : fc + 2 * chars].decode("utf-16-le", "replace"))
        total += chars
        if total >= limit:
            break
    text = "".join(out).replace("\r", "\n").replace("\x07", "\t")
    return "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
