"""OOXML packages: external relationships (remote templates, linked OLE objects, UNC and
protocol-handler targets) and embedded OLE/ActiveX binaries.

Every ``*.rels`` part is read (bounded, after asking the Budget) and each ``Relationship``
with ``TargetMode="External"`` is judged by its type and target:

- ``attachedTemplate`` to http(s)/UNC: remote template injection (the template brings the macros);
  a ``file:///C:/...`` template on the author's own disk is normal and ignored.
- ``oleObject`` links: CVE-2017-0199 style remote OLE objects.
- ``frame``/``subDocument``/``externalLink``/hyperlinks to non-web targets: external links.
- ``\\\\host\\share`` or ``file://host/`` targets leak NTLM hashes when Word fetches them;
  ``mhtml:``, ``ms-msdt:``, ``search-ms:`` and other protocol handlers are exploit launchers
  (CVE-2021-40444, Follina CVE-2022-30190).

Flat OPC / Word 2003 XML packages (``xml.office``) carry the same relationships inline.
Embedded ``oleObject*.bin``, ``activeX*.bin`` and files under ``embeddings/`` are yielded as
child Items (role ``embedded``) so the OLE, RTF, macro and file-type analyzers see them.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from typing import ClassVar
from urllib.parse import urlsplit

from coinguard.analyzers.office_common import bounded_list, guarded, is_ole, read_member
from coinguard.analyzers.urls_common import url_item
from coinguard.findings import Category, CodeInfo, Finding, Item, Role, Strength
from coinguard.handlers import AnalysisContext
from coinguard.limits import MiB

_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
#: Largest .rels part parsed (real ones are a few KiB).
MAX_RELS_BYTES = 4 * MiB
MAX_RELS_PARTS = 2000
MAX_EMBEDDED = 256
MAX_LISTED = 6

#: URI schemes that hand the target to another program instead of fetching a document.
_EXPLOIT_SCHEME = re.compile(
    r"(?i)^\s*(?:mhtml|ms-msdt|search-ms|search|ms-search|ms-officecmd|ms-excel|ms-word|ms-powerpoint|"
    r"ms-appinstaller|ms-cxh|ms-cxh-full|ms-distribution|ms-rd|ms-settings|ms-its|its|mk|javascript|"
    r"vbscript|hcp|shell|x-usc)\s*:"
)
_LOCAL_FILE = re.compile(r"(?i)^\s*(?:file:/{2,3}(?:localhost/)?)?[a-z]:[\\/]")
_WEB = re.compile(r"(?i)^\s*(?:https?|ftp)://")
_RISKY_LINK_EXT = re.compile(
    r"(?i)\.(?:exe|scr|com|pif|cpl|dll|hta|js|jse|vbs|vbe|wsf|ps1|bat|cmd|lnk|url|msi|iso|img|vhdx?|doc[mx]?|"
    r"dot[mx]?|xls[mbx]?|xlt[mx]?|rtf|one|chm|jar|library-ms|search-ms|settingcontent-ms)$"
)
#: Relationships whose external target Word loads as a document when the file opens (template
#: injection through settings.xml.rels; frame injection through webSettings.xml.rels / document.xml.rels).
_REMOTE_LOAD_TYPES = frozenset({"attachedTemplate", "frame", "subDocument"})
_LINK_TYPES = frozenset({"frame", "subDocument", "externalLink", "externalLinkPath", "externalReference", "package",
                         "slideUpdateUrl", "slideUpdateInfo", "officeDocument", "worksheet", "slide", "slideMaster"})
_MARKUP_TYPES = frozenset({"xml", "html", "text", "svg"})
_RELS_NS_BYTES = b"schemas.openxmlformats.org/package/2006/relationships"
_WORDML_TEMPLATE = re.compile(rb'<w:attachedTemplate\b[^>]*?\bw:val\s*=\s*(?:"([^"]*)"|\'([^\']*)\')', re.I)
_FLAT_RELS = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>", re.I)
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"|([\w:]+)\s*=\s*\'([^\']*)\'')
#: Parts whose text may hold HYPERLINK fields (Word body, headers, footers, notes; Excel sheets' formulas).
_FIELD_PARTS = re.compile(r"(?i)^(?:word/(?:document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml"
                          r"|xl/worksheets/sheet\d*\.xml)$")
_HYPERLINK_FIELD = re.compile(rb'\bHYPERLINK\s*\(?\s*(?:"|&quot;)((?:(?!&quot;)[^"<>\s]){3,2000})(?:"|&quot;)', re.I)
MAX_FIELD_PARTS = 64
#: Slide parts whose shapes carry actions, and the actions that run code: ``<a:hlinkClick action=
#: "ppaction://macro?name=Module1.Go">`` / ``<a:hlinkMouseOver action="ppaction://program">`` (the program is
#: the hyperlink relationship's target).  Jumps (``ppaction://hlinkshowjump``...) are navigation.
_SLIDE_PARTS = re.compile(r"(?i)^ppt/(?:slides|slideLayouts|slideMasters)/[^/]+\.xml$")
_PPACTION = re.compile(
    rb"<(?:\w+:)?(hlinkClick|hlinkMouseOver)\b[^>]*?\baction\s*=\s*[\"']\s*ppaction://(macro|program)\b([^\"']*)", re.I)
MAX_FIELD_PART_BYTES = 16 * MiB
#: Most hyperlinks handed on per document.
MAX_LINKS = 200
_EMBED_NAME = re.compile(r"(?i)(?:^|/)(?:embeddings|activeX)/|(?:^|/)(?:oleObject|activeX)\d*\.bin$")


def _type_name(rel_type: str) -> str:
    return rel_type.rstrip("/").rsplit("/", 1)[-1]


class OoxmlRelations:
    """External relationships and embedded binaries in OOXML and flat-XML Office documents."""

    name: ClassVar[str] = "ooxml"
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("ooxml.remote_template", 12, Category.ATTACHMENT,
                 "attachedTemplate, frame or subDocument fetched from a remote URL when the document opens "
                 "(template or frame injection), in any relationship part", strength=Strength.CONCLUSIVE),
        CodeInfo("ooxml.external_ole", 10, Category.ATTACHMENT,
                 "OLE object linked to an external target (CVE-2017-0199 style)", strength=Strength.CONCLUSIVE),
        CodeInfo("ooxml.external_link", 4, Category.ATTACHMENT,
                 "frame, subDocument, external workbook or file hyperlink with an external target",
                 strength=Strength.WEAK),
        CodeInfo("ooxml.unc_target", 15, Category.ATTACHMENT,
                 "relationship to a \\\\UNC or file://host target (NTLM hash theft on open)",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("ooxml.exploit_uri", 15, Category.ATTACHMENT,
                 "relationship target uses mhtml:, ms-msdt:, search-ms: or another protocol handler "
                 "(CVE-2021-40444, Follina)", strength=Strength.CONCLUSIVE),
        CodeInfo("ooxml.embedded_ole", 1, Category.ATTACHMENT, "embedded OLE object (oleObject*.bin or embeddings/)",
                 strength=Strength.WEAK),
        CodeInfo("ooxml.activex", 2, Category.ATTACHMENT, "ActiveX control binary (activeX*.bin)",
                 strength=Strength.WEAK),
        CodeInfo("ooxml.ppaction_macro", 15, Category.ATTACHMENT,
                 "PowerPoint shape action (ppaction://macro, on a mouse click or mouse-over) that runs a VBA macro "
                 "of the package (strong only when the package has no VBA project)", strength=Strength.CONCLUSIVE),
        CodeInfo("ooxml.ppaction_program", 15, Category.ATTACHMENT,
                 "PowerPoint shape action (ppaction://program, on a mouse click or mouse-over) that runs a program",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("ooxml.parse_error", 1, Category.ATTACHMENT, "OOXML package could not be read"),
    )

    def applies_to(self, item: Item) -> bool:
        if item.type.startswith("ooxml.") or item.type == "xml.office":
            return True
        # A bare relationships part (a .rels file sent on its own, or one unpacked from a damaged package).
        return item.type in _MARKUP_TYPES and _RELS_NS_BYTES in item.data[:65536]

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        if item.type.startswith("ooxml."):
            yield from guarded(item, self.name, "ooxml.parse_error", lambda: list(self._package(item, ctx)))
        else:
            yield from guarded(item, self.name, "ooxml.parse_error", lambda: list(self._flat(item, ctx)))

    # -- zip packages ------------------------------------------------------------------------
    def _package(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        with zipfile.ZipFile(io.BytesIO(item.data)) as zf:
            infos = zf.infolist()
            rels = [i for i in infos if i.filename.lower().endswith(".rels")][:MAX_RELS_PARTS]
            relations: list[tuple[str, str, str]] = []
            for info in rels:
                ctx.budget.check_time()
                data = read_member(zf, info, ctx, MAX_RELS_BYTES)
                relations.extend((info.filename, t, target) for t, target in _external_relationships(data))
            yield from self._judge(item, relations)
            fields: list[str] = []
            for info in [i for i in infos if _FIELD_PARTS.search(i.filename)][:MAX_FIELD_PARTS]:
                ctx.budget.check_time()
                fields += hyperlink_fields(read_member(zf, info, ctx, MAX_FIELD_PART_BYTES))
            yield from _links_item(item, relations, fields)
            yield from self._slide_actions(item, zf, infos, relations, ctx)
            yield from self._embedded(item, zf, infos, ctx)

    def _slide_actions(self, item: Item, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo],
                       relations: list[tuple[str, str, str]], ctx: AnalysisContext) -> Iterator[Finding]:
        """Shape actions of slides, layouts and masters that run a macro or a program on a click or mouse-over."""
        macros: list[str] = []
        programs: list[str] = []
        for info in [i for i in infos if _SLIDE_PARTS.search(i.filename)][:MAX_FIELD_PARTS]:
            ctx.budget.check_time()
            data = read_member(zf, info, ctx, MAX_FIELD_PART_BYTES)
            part = info.filename.rsplit("/", 1)[-1]
            for m in _PPACTION.finditer(data):
                trigger = "mouse-over" if m.group(1).lower().endswith(b"mouseover") else "click"
                target = _unescape(m.group(3).decode("utf-8", "replace"))
                if m.group(2).lower() == b"macro":
                    macros.append(f"{part} {trigger}: {target.split('name=', 1)[-1][:80] or '(unnamed)'}")
                else:
                    rels_part = f"{info.filename.rsplit('/', 1)[0]}/_rels/{part}.rels"
                    runs = [t for p, _t, t in relations if p == rels_part]
                    programs.append(f"{part} {trigger}" + (f": {bounded_list(runs, 2, 100)}" if runs else ""))
        if macros:
            has_vba = any(i.filename.lower().endswith("vbaproject.bin") for i in infos)
            note = "" if has_vba else " (no VBA project in the package)"
            yield Finding("ooxml.ppaction_macro", self.name, item.path, bounded_list(macros, 4, 100) + note,
                          strength="" if has_vba else Strength.STRONG)
        if programs:
            yield Finding("ooxml.ppaction_program", self.name, item.path, bounded_list(programs, 4, 160))

    def _embedded(self, item: Item, zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo],
                  ctx: AnalysisContext) -> Iterator[Finding | Item]:
        ole_names: list[str] = []
        activex: list[str] = []
        count = 0
        for info in infos:
            name = info.filename
            low = name.lower()
            if info.is_dir() or low.endswith((".rels", ".xml")) or "vbaproject" in low or "vbadata" in low:
                continue
            if not _EMBED_NAME.search(name):
                continue
            if count >= MAX_EMBEDDED:
                break
            ctx.budget.check_time()
            data = read_member(zf, info, ctx)
            count += 1
            if "activex" in low:
                activex.append(name)
            elif is_ole(data) or "embeddings/" in low:
                ole_names.append(name)
            yield item.child(name, data, source=self.name, role=Role.EMBEDDED)
        if ole_names:
            yield Finding("ooxml.embedded_ole", self.name, item.path, bounded_list(ole_names, MAX_LISTED, 60))
        if activex:
            yield Finding("ooxml.activex", self.name, item.path,
                          f"{len(activex)} control(s): {bounded_list(activex, 3, 60)}")

    # -- flat OPC / Word 2003 XML ---------------------------------------------------------------
    def _flat(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        relations: list[tuple[str, str, str]] = []
        for m in _FLAT_RELS.finditer(item.data):
            if len(relations) >= MAX_RELS_PARTS:
                break
            attrs = {}
            for a in _ATTR.finditer(m.group(0)):
                key = (a.group(1) or a.group(3)).decode("ascii", "replace").rsplit(":", 1)[-1]
                attrs[key] = _unescape((a.group(2) if a.group(1) else a.group(4)).decode("utf-8", "replace"))
            if attrs.get("TargetMode", "").lower() == "external":
                relations.append(("<flat xml>", _type_name(attrs.get("Type", "")), attrs.get("Target", "")))
        # Word 2003 XML names its template in an element, not a relationship: the same remote-template
        # injection when the value is a URL, a share or a protocol handler (else it is the author's own template).
        for m in _WORDML_TEMPLATE.finditer(item.data[:MAX_FIELD_PART_BYTES]):
            value = _unescape((m.group(1) or m.group(2) or b"").decode("utf-8", "replace"))
            remote = _WEB.search(value) or _is_unc(value) or _EXPLOIT_SCHEME.search(value)
            if remote and len(relations) < MAX_RELS_PARTS:  # a bare "Normal.dot" is a local name
                relations.append(("<w:attachedTemplate>", "attachedTemplate", value))
        ctx.budget.check_time()
        yield from self._judge(item, relations)
        yield from _links_item(item, relations, hyperlink_fields(item.data[:MAX_FIELD_PART_BYTES]))

    # -- verdicts ----------------------------------------------------------------------------------
    def _judge(self, item: Item, relations: list[tuple[str, str, str]]) -> Iterator[Finding]:
        found: dict[str, list[str]] = {}
        for part, rel_type, target in relations:
            code = _classify(rel_type, target)
            if code:
                found.setdefault(code, []).append(f"{rel_type}->{target} (in {part})")
        for code in ("ooxml.exploit_uri", "ooxml.unc_target", "ooxml.remote_template", "ooxml.external_ole",
                     "ooxml.external_link"):
            if code in found:
                yield Finding(code, self.name, item.path, bounded_list(found[code], 4, 140))


def hyperlink_fields(xml: bytes) -> list[str]:
    """Targets of ``HYPERLINK`` fields in a document part: Word's ``<w:instrText> HYPERLINK "url"`` and
    ``<w:fldSimple w:instr="HYPERLINK &quot;url&quot;">``, Excel's ``HYPERLINK("url", ...)`` formulas."""
    out: list[str] = []
    # bytes patterns fold ASCII case only, as bytes.lower() does: no "hyperlink" in the lowered part, no match
    # (the word search runs at C speed; the pattern's leading \b tries every position: 6 ms on a 1 MB sheet)
    if b"hyperlink" not in xml.lower():
        return out
    for m in _HYPERLINK_FIELD.finditer(xml):
        if len(out) >= MAX_LINKS:
            break
        out.append(_unescape(m.group(1).decode("utf-8", "replace")))
    return out


def _links_item(item: Item, relations: list[tuple[str, str, str]], fields: list[str]) -> Iterator[Item]:
    """The document's hyperlinks (relationships of type hyperlink, HYPERLINK fields) as a URL-carrying child,
    for the message's link analyzers (urls_common.message_urls)."""
    links = [target for _, rel_type, target in relations if rel_type == "hyperlink"] + fields
    links = [u for u in dict.fromkeys(t.strip() for t in links)
             if u and not u.startswith("#") and not u.lower().startswith(("mailto:", "tel:"))][:MAX_LINKS]
    if links:
        yield url_item(item, links, source="ooxml", where="Office hyperlink", label="ooxml-links")


def _external_relationships(data: bytes) -> Iterator[tuple[str, str]]:
    """(type name, target) of every external relationship in one .rels part."""
    root = ET.fromstring(data)
    for rel in root.iter(_RELS_NS):
        if (rel.get("TargetMode") or "").lower() == "external":
            yield _type_name(rel.get("Type") or ""), rel.get("Target") or ""


def _unescape(text: str) -> str:
    return (text.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<").replace("&gt;", ">")
            .replace("&amp;", "&"))


def _url_path(url: str) -> str:
    """The path of a URL (so that ``.com`` in a host name is not read as a file extension)."""
    try:
        return urlsplit(url.strip()).path
    except ValueError:
        return url


def _is_unc(target: str) -> bool:
    """\\\\host\\share, //host/share and their file: URI spellings (file://host/, file:///\\\\host\\, file:////host/)."""
    t = target.strip()
    if t[:5].lower() == "file:":
        rest = t[5:].replace("\\", "/")
        slashes = len(rest) - len(rest.lstrip("/"))
        host = rest.lstrip("/").split("/", 1)[0].lower()
        if slashes >= 4:
            return bool(host)
        if slashes == 2:
            return bool(host) and host != "localhost" and not re.fullmatch(r"[a-z]:|[a-z]\|", host)
        return False
    return t.startswith(("\\\\", "//")) and len(t) > 2 and t[2] not in "/\\"


def _classify(rel_type: str, target: str) -> str:
    """The finding code for one external relationship, or '' when it is harmless."""
    if _EXPLOIT_SCHEME.search(target) or "!x-usc:" in target.lower():
        return "ooxml.exploit_uri"
    if _is_unc(target):
        return "ooxml.unc_target"
    if rel_type in _REMOTE_LOAD_TYPES:
        if _LOCAL_FILE.search(target) or not target.strip():
            return ""  # the author's own template path: normal
        if rel_type == "attachedTemplate" or _WEB.search(target):
            return "ooxml.remote_template"  # Word fetches and opens it: template or frame injection
    if rel_type == "oleObject":
        return "ooxml.external_ole"
    if rel_type in _LINK_TYPES:
        return "ooxml.external_link"
    if rel_type == "hyperlink":
        if _WEB.search(target) and not _RISKY_LINK_EXT.search(_url_path(target)):
            return ""  # an ordinary web link
        if target.lower().startswith(("mailto:", "#", "tel:")):
            return ""
        if _LOCAL_FILE.search(target) and not _RISKY_LINK_EXT.search(target.strip()):
            return ""  # a document on the author's own disk
        return "ooxml.external_link"
    return ""
