"""Hangul Word Processor documents: HWP 5 (an OLE2 container) and HWPX (a zip).

HWP is the document format of Korean government and business mail, and the carrier
of choice for DPRK-linked lures.  The classic exploit is an Encapsulated PostScript
image in ``BinData`` whose PostScript builds and runs shellcode (Ghostscript bugs such
as CVE-2017-8291) or simply writes a VBS/PowerShell dropper: an EPS in an HWP is
treated as malicious by itself.  Embedded OLE objects and document scripts (the
``Scripts/DefaultJScript`` stream, which every document carries with an empty default
body) are the other ways in.

``BinData`` streams are raw-deflate compressed when the FileHeader says so; each one is
inflated under the Budget and handed back as a child Item so YARA and the other
analyzers see the real bytes.  The ``PrvText`` preview (UTF-16LE) becomes a text child
for the lure analyzers.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import ClassVar

import olefile

from coinguard.analyzers.eps_common import HWP_SOURCE, eps_indicators, is_postscript
from coinguard.errors import BudgetExceeded
from coinguard.findings import Category, CodeInfo, Finding, Item, Role, Strength
from coinguard.handlers import AnalysisContext, text_item
from coinguard.sniff import OLE_MAGIC, ole_damage

log = logging.getLogger(__name__)

A = Category.ATTACHMENT

HWP_SIGNATURE = b"HWP Document File"
# FileHeader property bits (HWP 5.0 spec, "FileHeader" table)
FLAG_COMPRESSED = 1 << 0
FLAG_PASSWORD = 1 << 1
FLAG_DISTRIBUTION = 1 << 2
FLAG_SCRIPT = 1 << 3
FLAG_DRM = 1 << 4
FLAG_CERT_ENCRYPTED = 1 << 8
FLAG_CERT_DRM = 1 << 10

#: Most text kept from the preview stream.
MAX_PREVIEW_CHARS = 20_000
#: Most BinData streams looked at in one document.
MAX_BINDATA = 256
_DEFAULT_SCRIPT_LINES = re.compile(
    r"var\s+Documents\s*=\s*XHwpDocuments\s*;|var\s+Document\s*=\s*Documents\.Active_XHwpDocument\s*;"
)
_EMPTY_FUNCTION = re.compile(r"function\s+\w+\s*\(\s*\)\s*\{\s*\}")
_COMMENTS = re.compile(r"//[^\r\n]*|/\*.*?\*/", re.S)
_SCRIPT_SIGNS = re.compile(
    r"ActiveXObject|WScript|Shell|CreateObject|GetObject|powershell|cmd(?:\.exe)?\b|mshta|rundll32|http[s]?://"
    r"|\\\\[\w.-]+\\|eval\s*\(|Run\s*\(|Exec|ADODB|XMLHTTP|FileSystemObject|SaveToFile",
    re.I,
)


def script_strings(raw: bytes) -> list[str]:
    """The UTF-16 strings of an HWP script stream (each a u32 length in characters, then the text)."""
    out: list[str] = []
    pos = 0
    while pos + 4 <= len(raw):
        (n,) = struct.unpack_from("<I", raw, pos)
        pos += 4
        if n == 0 or n == 0xFFFFFFFF:
            continue
        end = pos + 2 * n
        if n > len(raw) or end > len(raw):
            break
        out.append(raw[pos:end].decode("utf-16-le", "replace"))
        pos = end
    return out


def non_default_script(text: str) -> str:
    """What is left of a document script once the boilerplate every HWP carries is removed."""
    rest = _COMMENTS.sub("", text)
    rest = _DEFAULT_SCRIPT_LINES.sub("", rest)
    rest = _EMPTY_FUNCTION.sub("", rest)
    return "".join(ch for ch in rest if ch.isprintable() and not ch.isspace() and ch != "\ufffd")


def inflate(raw: bytes, cap: int, name: str) -> bytes:
    """Raw-deflate ``raw`` producing at most ``cap`` bytes (raises BudgetExceeded past it)."""
    d = zlib.decompressobj(-15)
    out = d.decompress(raw, cap + 1)
    if len(out) > cap or d.unconsumed_tail:
        raise BudgetExceeded("container.limit.file_size", f"{name}: more than {cap} bytes when inflated")
    return out


class HwpAnalyzer:
    name: ClassVar[str] = HWP_SOURCE
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("hwp.eps", 15.0, A, "PostScript/EPS inside an HWP document (the classic HWP exploit carrier)",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("hwp.ole_object", 5.0, A, "an embedded OLE object in an HWP document's BinData",
                 strength=Strength.WEAK),
        CodeInfo("hwp.script", 8.0, A, "an HWP document script with real code (not the empty default JScript)",
                 strength=Strength.STRONG),
        CodeInfo("hwp.encrypted", 2.0, A, "a password-protected or DRM-encrypted HWP document (content unreadable)",
                 strength=Strength.WEAK),
        CodeInfo("hwp.distribution", 1.0, A, "an HWP distribution document (copy-protected, body in ViewText)"),
        CodeInfo("hwp.parse_error", 1.0, A, "the HWP/HWPX document could not be parsed"),
    )

    def applies_to(self, item: Item) -> bool:
        return item.type in ("ole.hwp", "hwpx")

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        if item.type == "hwpx":
            yield from self._hwpx(item, ctx)
            return
        try:
            ole = olefile.OleFileIO(io.BytesIO(item.data))
        except Exception as exc:
            yield Finding("hwp.parse_error", self.name, item.path, f"not a readable OLE file: {exc}")
            return
        damage = ole_damage(item.data)
        if damage:  # olefile reads a cut file quietly: the streams past the cut are short or missing
            yield Finding("hwp.parse_error", self.name, item.path, f"the OLE file is not whole: {damage}")
        try:
            yield from self._hwp5(item, ctx, ole)
        finally:
            ole.close()

    # -- HWP 5 ----------------------------------------------------------
    def _hwp5(self, item: Item, ctx: AnalysisContext, ole: olefile.OleFileIO) -> Iterator[Finding | Item]:
        try:
            header = ole.openstream("FileHeader").read(256)
        except Exception as exc:
            yield Finding("hwp.parse_error", self.name, item.path, f"no FileHeader stream: {exc}")
            return
        if not header.startswith(HWP_SIGNATURE) or len(header) < 40:
            yield Finding("hwp.parse_error", self.name, item.path, "FileHeader without the HWP signature")
            return
        version, flags = struct.unpack_from("<II", header, 32)
        ver = f"{version >> 24}.{(version >> 16) & 0xFF}.{(version >> 8) & 0xFF}.{version & 0xFF}"
        if flags & (FLAG_PASSWORD | FLAG_DRM | FLAG_CERT_ENCRYPTED | FLAG_CERT_DRM):
            kinds = [k for bit, k in ((FLAG_PASSWORD, "password"), (FLAG_DRM, "DRM"),
                                      (FLAG_CERT_ENCRYPTED, "certificate"), (FLAG_CERT_DRM, "certificate DRM"))
                     if flags & bit]
            yield Finding("hwp.encrypted", self.name, item.path, f"HWP {ver} encrypted ({', '.join(kinds)})")
            return  # streams are ciphertext: nothing further to read
        if flags & FLAG_DISTRIBUTION:
            yield Finding("hwp.distribution", self.name, item.path, f"HWP {ver} distribution document")
        compressed = bool(flags & FLAG_COMPRESSED)
        streams = ["/".join(e) for e in ole.listdir(streams=True, storages=False)]
        for count, sname in enumerate(s for s in streams if s.startswith("BinData/")):
            ctx.budget.check_time()
            if count >= MAX_BINDATA:
                break
            raw = self._read_stream(ole, sname, ctx)
            data = raw
            if compressed:
                try:
                    data = inflate(raw, ctx.budget.member_cap(), sname)
                except zlib.error:
                    data = raw  # a stream stored uncompressed despite the header flag
                ctx.budget.check_ratio(sname, len(raw), len(data))
            yield from self._bindata(item, sname.split("/", 1)[1], data)
        for sname in (s for s in streams if s.startswith("Scripts/")):
            raw = self._read_stream(ole, sname, ctx)
            if compressed:
                try:
                    raw = inflate(raw, ctx.budget.member_cap(), sname)
                except zlib.error:
                    pass
            yield from self._script(item, sname, "\n".join(script_strings(raw)))
        if "PrvText" in streams:
            raw = self._read_stream(ole, "PrvText", ctx)[: MAX_PREVIEW_CHARS * 2]
            text = raw.decode("utf-16-le", "replace").strip("\x00 \r\n")
            if text:
                yield text_item(item, text, self.name, "preview-text")

    @staticmethod
    def _read_stream(ole: olefile.OleFileIO, sname: str, ctx: AnalysisContext) -> bytes:
        size = ole.get_size(sname)
        ctx.budget.check_member(sname, size)
        return ole.openstream(sname).read(size)

    def _bindata(self, item: Item, name: str, data: bytes) -> Iterator[Finding | Item]:
        if is_postscript(data, name):
            signs = eps_indicators(data)
            detail = f"{name}: " + ("; ".join(signs) if signs else "PostScript program")
            yield Finding("hwp.eps", self.name, item.path, detail)
        # An OLE BinData item is the object's storage, usually after a 4-byte size prefix.
        ole_at = data.find(OLE_MAGIC, 0, 8 + len(OLE_MAGIC))
        if ole_at >= 0:
            yield Finding("hwp.ole_object", self.name, item.path, f"{name}: embedded OLE object ({len(data)} bytes)")
            yield item.child(f"{name}.ole", data[ole_at:], source=self.name, role=Role.EMBEDDED)
            return
        yield item.child(name, data, source=self.name, role=Role.EMBEDDED)

    def _script(self, item: Item, sname: str, text: str) -> Iterator[Finding]:
        if not text:
            return
        rest = non_default_script(text)
        if not rest:
            return
        signs = sorted({m.group(0) for m in _SCRIPT_SIGNS.finditer(text)})
        what = f"uses {', '.join(signs[:8])}" if signs else f"{len(rest)} characters of code"
        yield Finding("hwp.script", self.name, item.path, f"{sname}: {what}: {rest[:100]}")

    # -- HWPX -----------------------------------------------------------
    def _hwpx(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        try:
            zf = zipfile.ZipFile(io.BytesIO(item.data))
            infos = zf.infolist()
        except Exception as exc:
            yield Finding("hwp.parse_error", self.name, item.path, f"unreadable HWPX zip: {exc}")
            return
        with zf:
            if any(i.flag_bits & 0x1 for i in infos):
                yield Finding("hwp.encrypted", self.name, item.path, "HWPX with encrypted parts")
            for info in infos:
                ctx.budget.check_time()
                low = info.filename.lower()
                wanted = low.startswith(("bindata/", "scripts/")) or low in ("preview/prvtext.txt",)
                if info.is_dir() or not wanted or info.flag_bits & 0x1:
                    continue
                ctx.budget.check_member(info.filename, info.file_size, info.compress_size)
                try:
                    with zf.open(info) as fh:
                        data = fh.read(ctx.budget.member_cap() + 1)
                except Exception as exc:
                    yield Finding("hwp.parse_error", self.name, item.path, f"{info.filename}: {exc}")
                    continue
                if len(data) > ctx.budget.member_cap():
                    raise BudgetExceeded("container.limit.file_size", f"{info.filename}: over the file limit")
                base = info.filename.rsplit("/", 1)[-1]
                if low.startswith("bindata/"):
                    yield from self._bindata(item, base, data)
                elif low.startswith("scripts/"):
                    yield from self._script(item, info.filename, _decode_text(data))
                else:
                    text = _decode_text(data)[:MAX_PREVIEW_CHARS].strip()
                    if text:
                        yield text_item(item, text, self.name, "preview-text")


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    return data.decode("utf-8-sig", "replace")
