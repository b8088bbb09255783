"""Office macros (olevba + mraptor), Excel 4/XLM macros, and objects embedded in OLE documents.

Two handlers live here:

- :class:`OfficeMacros` runs oletools' ``VBA_Parser`` on .doc/.xls/.ppt, OOXML (vbaProject.bin),
  Word 2003 XML / flat OPC, MHT/ActiveMime, SYLK and plain VBA source text.  It reports macros,
  auto-exec triggers, suspicious keywords, obfuscation, VBA stomping (p-code differs from the
  source), MacroRaptor's A/W/X verdict and XLM macro sheets, and hands the decoded macro source
  on as a child Item so YARA sees what the attacker hid.
- :class:`OleEmbedded` walks OLE compound files (and the OLE objects inside PowerPoint records)
  for ``\\x01Ole10Native`` OLE Packages, ``Package``/``CONTENTS`` streams, Equation Editor objects
  and Flash, and yields every embedded file as a child Item.

The helpers shared with the other oletools-based analyzers live in :mod:`.office_common`.
"""

from __future__ import annotations

import binascii
import io
import logging
import re
import zipfile
from collections.abc import Iterator
from typing import Any, ClassVar

import olefile
from oletools import mraptor, oleobj, olevba
from oletools.thirdparty.oledump.plugin_biff import cBIFF

from coinguard.analyzers.office_common import (
    EXT_RE,
    RTF_SOURCE,
    bounded_list,
    check_zip,
    guarded,
    is_ole,
    memory_path,
    olevba_input_problem,
    open_ole,
    oversized,
    read_member,
    risky_embedded,
)
from coinguard.errors import BudgetExceeded
from coinguard.findings import Category, CodeInfo, Finding, Item, Role, Strength
from coinguard.handlers import AnalysisContext
from coinguard.limits import MiB, read_bounded
from coinguard.sniff import ItemType, ole_damage

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------
# VBA and XLM macros
# --------------------------------------------------------------------------------------------

#: Largest document handed to olevba (its parsers hold everything in memory several times).
MAX_DOC_BYTES = 48 * MiB
#: Largest decoded macro source kept as a child Item and scanned.
MAX_SOURCE_BYTES = 8 * MiB
#: olevba's keyword scanner runs ~200 regexes per pass (seconds per 500 KiB): it sees this much;
#: MacroRaptor's three combined regexes and our own ones cover the rest of a padded macro.
SCAN_CHARS = 256 * 1024
RAPTOR_CHARS = 2 * MiB
#: Below this much time left, skip the p-code disassembly used for VBA stomping detection.
STOMPING_MIN_SECONDS = 5.0

#: Extensions under which Word/Excel open an XML or MHT document without complaint.
_BINARY_OFFICE_EXTENSIONS = frozenset(
    {"doc", "dot", "docx", "docm", "dotm", "xls", "xlt", "xlsx", "xlsm", "xltm", "rtf", "ppt", "pptx", "pptm", "wbk"}
)
_OFFICE_TYPES = frozenset(
    {"ole.doc", "ole.xls", "ole.ppt", "ole.other", "ooxml.word", "ooxml.excel", "ooxml.powerpoint",
     "ooxml.other", "xml.office", "mht", "slk"}
)
#: Text types that may be bare VBA source (a .bas/.vba attachment, a module dumped by a dropper).
_TEXT_TYPES = frozenset({"text", "script.vbs", "script.ps1", "script.js", "script.bat"})
_VBA_SOURCE = re.compile(  # [ \t] not \s: a leading \s* under (?m) rescans blank lines quadratically
    rb"(?im)^[ \t]*Attribute[ \t]+VB_Name[ \t]*=|^[ \t]*(?:Private[ \t]+|Public[ \t]+)?(?:Sub|Function)[ \t]+"
    rb"(?:Auto_?Open|AutoExec|Auto_?Close|AutoNew|Document_(?:Open|Close|New)|Workbook_(?:Open|Activate))\b"
)
#: Necessary condition of :data:`_VBA_SOURCE`, looked for before the pattern, which is tried at every line start
#: (~225 us on an 80 KB text member, ~45 us for this when the text holds no underscore): its first branch holds
#: "VB_Name", its second "Auto", "Document_" or "Workbook_", so every match holds "auto" or an underscore and
#: one of these words (a bytes pattern: IGNORECASE is ASCII case, which is what ``bytes.lower`` folds).
_VBA_SOURCE_WORDS = (b"vb_name", b"document_", b"workbook_")


def vba_source(data: bytes) -> bool:
    """Whether the first MiB of ``data`` holds what :data:`_VBA_SOURCE` matches (bare VBA source)."""
    head = data[:1 * MiB]
    low = head.lower()
    if b"auto" not in low and (b"_" not in head or not any(w in low for w in _VBA_SOURCE_WORDS)):
        return False
    return _VBA_SOURCE.search(head) is not None


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Keyword classes over olevba's "Suspicious" keywords (compared lower-case).
_EXEC = _words(
    """shell wscript.shell shell.application shellexecute shellexecutea run create powershell start-process
    macscript applescript invoke-expression encodedcommand executeexcel4macro callbyname exec register
    shell32 invokeverb invokeverbex controlpanelitem popen"""
)
_DOWNLOAD = _words(
    """urldownloadtofile urldownloadtofilea msxml2.xmlhttp microsoft.xmlhttp msxml2.serverxmlhttp
    net.webclient downloadfile downloadstring user-agent"""
)
_INJECT = _words(
    """createthread createuserthread virtualalloc virtualallocex rtlmovememory writeprocessmemory
    setcontextthread queueapcthread writevirtualmemory virtualprotect settimer"""
)
#: olevba keywords too common in harmless macros to raise ``office.vba.suspicious`` alone.
_WEAK_WORDS = frozenset(
    {"open", "write", "put", "output", "print #", "binary", "chr", "chrb", "chrw", "strreverse", "xor",
     "hex strings", "base64 strings", "dridex strings", "vba obfuscated strings", "windows", "lib", "mkdir",
     "kill", "application.visible", "activeworkbook.saveas", "vbnormal", "vbnormalfocus", "vbhide",
     "vbminimizedfocus", "vbmaximizedfocus", "vbnormalnofocus", "vbminimizednofocus", "system", "command",
     "environment", "currentuser", "andy", "virtual", "xlm macro", "vba stomping", "dylib"}
)
#: Extra download/execute evidence olevba has no keyword for.
_EXTRA_EXEC = re.compile(
    r"(?i)\b(?:WinHttp\.WinHttpRequest|InternetExplorer\.Application|bitsadmin|certutil|mshta|rundll32|regsvr32"
    r"|wscript(?:\.exe)?|cscript|cmd(?:\.exe)?\s*/[ck]|Win32_Process|CreateProcessA?|WinExec)\b"
)
#: What a decoded string must contain to count as a hidden command.
_COMMANDISH = re.compile(
    r"(?i)(?:powershell|cmd(?:\.exe)?\s*/[ck]|mshta|rundll32|regsvr32|wscript|cscript|bitsadmin|certutil"
    r"|https?://|\\\\[\w.-]+\\|\.exe\b|\.dll\b|\.scr\b|\.hta\b|\.ps1\b|\.vbs\b|\.bat\b|WScript\.Shell|"
    r"Shell\.Application|XMLHTTP|ADODB\.Stream|URLDownloadToFile|Invoke-Expression|DownloadString|DownloadFile)"
)
_CHR_CALL = re.compile(r"(?i)\bChr[BW]?\$?\s*\(")
_CONCAT = re.compile(r'"\s*[&+]\s*(?:_\s*\r?\n\s*)?"')
_IOC_KEEP = ("URL", "IPv4 address", "Executable file name")
_RAW_IP_URL = re.compile(r"(?i)\b(?:https?|ftp)://\d{1,3}(?:\.\d{1,3}){3}\b")
_EXE_NAME = re.compile(r"(?i)\.(?:exe|scr|dll|pif|com|cpl|hta|js|jse|vbs|vbe|wsf|ps1|bat|cmd|msi|lnk)\b")

#: Event procedures that need the reader's click or keystroke (olevba lists them with the auto-exec ones).
_CLICK_TRIGGER = re.compile(r"(?i)_(?:Click|DblClick|MouseDown|MouseUp|MouseMove|KeyDown|KeyUp|KeyPress|Change)\b")
_XLM_EXEC = re.compile(r"(?i)\b(?:EXEC|CALL|REGISTER|RUN|URLDownloadToFileA?|ShellExecuteA?|FORMULA\.FILL)\s*\(")
#: What an XLM macro calls that runs a program or a Win32 API (a DLL function): whatever starts it,
#: no workbook mailed to a crypto holder needs it (``office.xlm.exec`` without an Auto_Open name).
_XLM_RUNS = re.compile(r"(?i)\b(?:EXEC|CALL|REGISTER(?:\.ID)?|URLDownloadToFileA?|ShellExecuteA?|WinExec)\s*\(")
#: Excel runs any defined name that *starts* with Auto_Open/Auto_Close (``Auto_openhQXpu``).
_XLM_AUTO = re.compile(r"(?i)\bAuto_(?:Open|Close|Activate)\w{0,40}|\bAuto_Ope\b")


#: Active elements of a Word/Excel 2003 XML or MHT document, found in its text (what Office acts on when it
#: opens the file, whatever olevba could decode): the ActiveMime container of a VBA project (``editdata.mso`` or any
#: ``w:binData`` part named ``*.mso``, ``application/x-mso``, base64 of the "ActiveMime" header), an embedded OLE
#: object (base64 of the OLE magic in a ``w:binData`` part, ``o:OLEObject``), the document's own
#: ``w:macrosPresent``/``w:embeddedObjPresent``/``w:ocxPresent="yes"``, a DDE/DDEAUTO field instruction.
_ACTIVE_MARKERS: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("ActiveMime (editdata.mso)", re.compile(
        rb"(?i)w:name\s*=\s*[\"']editdata\.mso|<w:binData\b[^<>]{0,2000}?\bw:name\s*=\s*[\"']"
        rb"[^\"'<>]{1,400}\.mso[\"']|Content-Location:[^\r\n]*editdata\.mso|Content-Type:\s*application/x-mso"
        rb"|(?-i:QWN0aXZlTWltZQ)")),
    ("embedded OLE object", re.compile(rb"(?i)<w:binData\b[^>]*>\s*(?-i:0M8R4KGx)|<o:OLEObject\b")),
    # Word sets these document attributes when it saves a VBA project, an embedded object or an ActiveX control
    ("declared macros, objects or ActiveX", re.compile(
        rb"(?i)\bw:(?:macros|embeddedObj|ocx)Present\s*=\s*[\"']yes[\"']")),
    ("DDE field", re.compile(rb"(?i)(?:<w:instrText\b[^>]*>|\binstr\s*=\s*[\"'])\s*(?:&quot;)?\s*DDE(?:AUTO)?\b"
                             rb"|\bss:Formula\s*=\s*\"=[\w.-]{1,40}\|\s*(?:'|&apos;)")),
)
#: An Excel 2003 XML (SpreadsheetML) document: the format stores no VBA project.
_SPREADSHEET_ML = re.compile(rb"<\?mso-application\s+progid\s*=\s*[\"']Excel\.Sheet", re.I)
#: Bytes of a document searched for them (the markers sit in the header parts and the first binData).
_ACTIVE_SCAN_BYTES = 16 * MiB


def active_elements(data: bytes) -> list[str]:
    """Names of the active elements a Word/Excel 2003 XML or MHT document carries (see ``_ACTIVE_MARKERS``)."""
    head = data[:_ACTIVE_SCAN_BYTES]
    return [label for label, pattern in _ACTIVE_MARKERS if pattern.search(head)]


#: A Word document in one XML file: Word 2003 XML (``w:wordDocument``) or flat OPC with a Word main part.
_WORD_XML = re.compile(rb"<w:wordDocument\b|\bpkg:name\s*=\s*[\"']/word/document\.xml[\"']", re.I)
#: What a reader sees in a Word document: a text run with a visible character (deleted text shows as a tracked
#: change), a symbol, a picture, drawing, shape or embedded binary, an object, a field (its result is content,
#: and a field may fetch it).
_WORD_CONTENT = re.compile(
    rb"<w:(?:t|delText)\b[^>]*>\s*[^\s<]|<w:(?:sym|pict|drawing|binData|object|fldSimple|fldChar|instrText)\b"
    rb"|<(?:v|o):(?:imagedata|shape|OLEObject)\b|<pkg:binaryData\b", re.I)


def blank_word_xml(data: bytes) -> bool:
    """Whether a Word 2003 XML / flat OPC Word document shows the reader nothing (no visible text, picture,
    object or field), read in full (a document longer than the scan window is never called blank)."""
    if len(data) > _ACTIVE_SCAN_BYTES or not _WORD_XML.search(data[:64 * 1024]):
        return False
    return _WORD_CONTENT.search(data) is None


#: Base64 binaries a flat Office document carries inline: Word 2003 XML ``w:binData`` (embedded OLE objects,
#: ActiveX, pictures, the ActiveMime editdata.mso) and flat OPC ``pkg:binaryData`` parts (oleObject*.bin ...).
_BINDATA = re.compile(rb"<w:binData\b([^<>]{0,2000})>([^<]*)</w:binData\s*>", re.I)
_BINDATA_NAME = re.compile(rb"""\bw:name\s*=\s*["']([^"']{0,400})["']""", re.I)
_PKG_BINARY = re.compile(rb"""<pkg:part\b[^<>]{0,2000}?\bpkg:name\s*=\s*["']([^"'<>]{0,400})["'][^<>]{0,2000}>\s*"""
                         rb"<pkg:binaryData\s*>([^<]*)</pkg:binaryData\s*>", re.I)
#: Inline binaries taken from one flat document at most.
MAX_FLAT_PARTS = 64


def _flat_name(raw: bytes | str, fallback: str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    name = text.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1].strip()
    return name or fallback


def flat_parts(item: Item) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of the binaries a Word/Excel 2003 XML, flat OPC or MHT document carries inline.

    Left out: ActiveMime blobs and flat OPC VBA projects (olevba decodes those itself, so the macros are
    graded once), and parts that decode to nothing.
    """
    found = 0
    for name, blob in _flat_blobs(item):
        if not blob or olevba.is_mso_file(blob) or name.lower() == "vbaproject.bin":
            continue
        found += 1
        yield name, blob
        if found >= MAX_FLAT_PARTS:
            return


_MHT_START = re.compile(rb"^[ \t]*(?:MIME[ \t]*-[ \t]*Version|Content-Type)[ \t]*:", re.I | re.M)
_MHT_MIME_VERSION = re.compile(rb"^[ \t]*MIME[ \t]*-[ \t]*Version[ \t]*:", re.I | re.M)
_HEADER_END = re.compile(rb"\r?\n\r?\n")


def _mht_headers_first(data: bytes) -> bytes:
    """An MHT document as the mail parser reads it: from its first MIME header on (Word skips junk lines
    before them), with ``MIME - Version :`` written the standard way (Word ignores the blanks)."""
    start = _MHT_START.search(data, 0, 64 * 1024)
    body = data[start.start():] if start else data
    end = _HEADER_END.search(body)
    cut = end.start() if end else len(body)
    return _MHT_MIME_VERSION.sub(b"MIME-Version:", body[:cut]) + body[cut:]


def _flat_blobs(item: Item) -> Iterator[tuple[str, bytes]]:
    if item.type == ItemType.MHT:
        import email
        import email.policy

        message = email.message_from_bytes(_mht_headers_first(item.data), policy=email.policy.compat32)
        for index, part in enumerate(message.walk()):
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True)
            label = part.get_filename() or str(part.get("Content-Location", "") or "")
            yield _flat_name(label, f"<mht-part-{index}>"), payload if isinstance(payload, bytes) else b""
        return
    for index, m in enumerate(_BINDATA.finditer(item.data)):
        named = _BINDATA_NAME.search(m.group(1))
        yield (_flat_name(named.group(1) if named else b"", f"<binData-{index}>"),
               binascii.a2b_base64(m.group(2)))
    for index, m in enumerate(_PKG_BINARY.finditer(item.data)):
        yield _flat_name(m.group(1), f"<pkg-part-{index}>"), binascii.a2b_base64(m.group(2))


def _vba_module_text(code: Any) -> str:
    if isinstance(code, bytes):
        return code.decode("utf-8", "replace")
    return str(code or "")


class OfficeMacros:
    """VBA and Excel 4/XLM macros through oletools (olevba, mraptor)."""

    name: ClassVar[str] = "office"
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("office.vba.macros", 1, Category.ATTACHMENT, "document contains VBA macros (no trigger by itself)",
                 strength=Strength.WEAK),
        CodeInfo("office.vba.autoexec", 8, Category.ATTACHMENT,
                 "VBA macro runs automatically (AutoOpen, Document_Open, Workbook_Open, ActiveX events...)",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("office.vba.suspicious", 4, Category.ATTACHMENT,
                 "VBA uses suspicious keywords (Shell, CreateObject, XMLHTTP, ADODB.Stream, Environ...)",
                 strength=Strength.WEAK),
        CodeInfo("office.vba.autoexec_exec", 15, Category.ATTACHMENT,
                 "auto-exec VBA that downloads, runs a command or injects code: malicious by itself",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("office.vba.obfuscation", 4, Category.ATTACHMENT,
                 "VBA obfuscation: Chr/StrReverse chains, split strings or encoded strings hiding commands",
                 strength=Strength.WEAK),
        CodeInfo("office.vba.stomping", 8, Category.ATTACHMENT,
                 "VBA stomping: the compiled p-code does not match the visible source", strength=Strength.STRONG),
        CodeInfo("office.mraptor.suspicious", 5, Category.ATTACHMENT,
                 "MacroRaptor: auto-exec plus write or execute (flags A/W/X)", strength=Strength.STRONG),
        CodeInfo("office.xlm.macros", 4, Category.ATTACHMENT, "Excel 4.0 (XLM) macro sheet present",
                 strength=Strength.STRONG),
        CodeInfo("office.xlm.autoexec", 10, Category.ATTACHMENT, "XLM macro sheet with an Auto_Open/Auto_Close name",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("office.xlm.autoexec_exec", 15, Category.ATTACHMENT,
                 "auto-run XLM macro that calls EXEC/CALL/REGISTER/URLDownloadToFile: malicious by itself",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("office.xlm.exec", 12, Category.ATTACHMENT,
                 "XLM macro that runs a program or calls a DLL function (EXEC, CALL, REGISTER, URLDownloadToFile), "
                 "without an auto-run name found (one may be hidden, or a button starts it)",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("office.disguised_xml", 5, Category.ATTACHMENT,
                 "Word/Excel 2003 XML or MHT document named .doc/.xls/.rtf: Office opens it by content, "
                 "extension filters do not (malspam carrier)", strength=Strength.STRONG),
        CodeInfo("office.disguised_blank", 5, Category.ATTACHMENT,
                 "Word 2003 XML or flat OPC document named .doc that shows the reader nothing (no visible text, "
                 "picture, object or field): a carrier's skeleton whose payload was stripped on the way or comes "
                 "from elsewhere; no one mails an empty document under another format's name",
                 strength=Strength.STRONG),
        CodeInfo("office.disguised_spreadsheet", 2, Category.ATTACHMENT,
                 "Excel 2003 XML spreadsheet named .xls without an active element: the format holds no VBA "
                 "project, and web applications export statements and reports that way (context only)",
                 strength=Strength.WEAK),
        CodeInfo("office.disguised_active", 15, Category.ATTACHMENT,
                 "Word/Excel 2003 XML or MHT document named .doc/.xls/.rtf that carries an active element (a VBA "
                 "project or ActiveMime editdata.mso, an embedded OLE object, a DDE field, or its own "
                 "macrosPresent/embeddedObjPresent/ocxPresent=yes flag): a disguised carrier that runs something",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("office.ppaction_macro", 15, Category.ATTACHMENT,
                 "PowerPoint 97-2003 shape action that runs a VBA macro on a mouse click or mouse-over "
                 "(an auto-exec without an Auto name; strong only when no VBA project was found)",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("office.ppaction_program", 15, Category.ATTACHMENT,
                 "PowerPoint 97-2003 shape action that runs a program on a mouse click or mouse-over",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("office.skipped", 1, Category.INTERNAL, "document too large for macro analysis"),
        CodeInfo("office.parse_error", 1, Category.ATTACHMENT, "document could not be parsed for macros"),
    )

    def applies_to(self, item: Item) -> bool:
        if item.type in _OFFICE_TYPES:
            return True
        return item.type in _TEXT_TYPES and item.source != self.name and vba_source(item.data)

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        match = EXT_RE.search(item.name)
        ext = match.group(1) if match else ""
        disguised = item.type in ("xml.office", "mht") and ext.lower() in _BINARY_OFFICE_EXTENSIONS
        active = active_elements(item.data) if disguised else []
        if disguised and not active and _SPREADSHEET_ML.search(item.data[:4096]):
            # Excel 2003 XML cannot hold a VBA project, and web applications export it as .xls (statements, tax
            # reports): without a DDE formula it is context, not evidence
            yield Finding("office.disguised_spreadsheet", self.name, item.path, f"{item.type} named .{ext}")
        elif disguised:
            yield Finding("office.disguised_xml", self.name, item.path, f"{item.type} named .{ext}")
            if not active and item.type == ItemType.XML_OFFICE and blank_word_xml(item.data):
                # the disguise is one sign, a document with nothing in it another (MacroMilter's defanged
                # carrier: its macro part removed, the empty page left)
                yield Finding("office.disguised_blank", self.name, item.path,
                              f"{item.type} named .{ext} has no visible text, picture, object or field")
        if oversized(item, ctx, MAX_DOC_BYTES):
            yield Finding("office.skipped", self.name, item.path, f"{item.size} bytes")
        else:
            results = guarded(item, self.name, "office.parse_error", lambda: self._run_checked(item, ctx))
            if disguised and any(isinstance(r, Finding) and r.code.startswith(("office.vba.", "office.xlm."))
                                 for r in results):
                active.insert(0, "macros")
            yield from results
        if item.type in (ItemType.XML_OFFICE, ItemType.MHT):
            # embedded OLE objects, ActiveX data, pictures, an MHT's HTML: each analysed as what it is
            yield from guarded(item, self.name, "office.parse_error", lambda: self._flat_children(item, ctx))
        if active:
            # The disguise alone is only strong; what it carries is what runs (issue 11: conclusive evidence).
            yield Finding("office.disguised_active", self.name, item.path,
                          f"{item.type} named .{ext} with {bounded_list(list(dict.fromkeys(active)))}")

    def _flat_children(self, item: Item, ctx: AnalysisContext) -> list[Finding | Item]:
        out: list[Finding | Item] = []
        for name, blob in flat_parts(item):
            try:
                ctx.budget.check_time()
                ctx.budget.check_member(name, len(blob))
            except BudgetExceeded as exc:  # what was found so far stands; the rest is reported unread
                out.append(Finding(exc.code, self.name, item.path, exc.detail))
                break
            out.append(item.child(name, blob, source=self.name, role=Role.EMBEDDED))
        return out

    def _run_checked(self, item: Item, ctx: AnalysisContext) -> list[Finding | Item]:
        try:
            return self._run(item, ctx)
        except olevba.FileOpenError as exc:
            # Not a format olevba knows: only worth a note when the type promised an Office file.
            if item.type in _OFFICE_TYPES:
                return [Finding("office.parse_error", self.name, item.path, f"olevba: {exc}")]
            return []

    # -- the parser run ------------------------------------------------------------------
    def _run(self, item: Item, ctx: AnalysisContext) -> list[Finding | Item]:
        out: list[Finding | Item] = []
        if item.type.startswith("ooxml."):
            check_zip(item, ctx)  # olevba inflates every OLE-looking member whole
        problem = olevba_input_problem(item, ctx)
        if problem:  # olevba would follow the declared sizes into gigabytes: not read, so never clean
            return [Finding("office.parse_error", self.name, item.path, f"not read with olevba: {problem}")]
        with memory_path(item.data) as path:
            vp = olevba.VBA_Parser(path, relaxed=True)
            try:
                has_vba = bool(vp.detect_vba_macros())
                if vp.type == olevba.TYPE_TEXT and not vba_source(item.data):
                    return out  # olevba calls any text "VBA source"; we want real modules only
                if item.type == ItemType.OLE_PPT:
                    out.extend(self._ppt_actions(item, has_vba))
                ctx.budget.check_time()
                has_xlm = bool(vp.detect_xlm_macros())
                if not has_xlm and item.type == ItemType.OLE_XLS and not _olevba_read_biff(vp):
                    has_xlm = _biff8_xlm(vp)
                ctx.budget.check_time()
                vba_code, xlm_code, stomped = "", "", False
                if has_vba or has_xlm:
                    stomped = self._stomping(vp, has_vba, ctx)
                    modules: list[str] = []
                    names: list[str] = []
                    for _sub, _stream, vba_name, code in vp.extract_all_macros():
                        text = _vba_module_text(code)
                        if vba_name == "xlm_macro.txt":
                            xlm_code += text
                        elif vba_name != "VBA_P-code.txt":
                            modules.append(text)
                            names.append(str(vba_name))
                    ctx.budget.check_time()
                    if has_vba:
                        vba_code = "\n".join(modules + self._form_strings(vp))
                    ctx.budget.check_time()
                    out.extend(self._vba_findings(item, vp, vba_code, names, stomped, ctx) if has_vba else [])
                if item.type.startswith("ooxml.excel"):
                    xlm_code, has_xlm = self._ooxml_xlm(item, ctx, xlm_code, has_xlm)
                if has_xlm:
                    out.extend(self._xlm_findings(item, xlm_code))
                source = (vba_code + ("\n" + xlm_code if xlm_code else "")).strip()
                if source and vp.type != olevba.TYPE_TEXT:  # bare source text is already an Item
                    raw = source.encode("utf-8", "replace")[:MAX_SOURCE_BYTES]
                    out.append(item.child("<vba>", raw, source=self.name, role=Role.EXTRACTED, type=ItemType.TEXT))
            finally:
                vp.close()
        return out

    def _ppt_actions(self, item: Item, has_vba: bool) -> list[Finding]:
        """Interactive actions (click / mouse-over) of a binary presentation that run a macro or a program."""
        try:
            ole = open_ole(item.data)
            try:
                if not ole.exists("PowerPoint Document"):
                    return []
                with ole.openstream("PowerPoint Document") as fh:
                    actions = ppt_actions(read_bounded(fh.read, MAX_DOC_BYTES, "PowerPoint Document"))
            finally:
                ole.close()
        except BudgetExceeded:
            raise
        except Exception as exc:  # a damaged stream costs only this check; olevba reports the rest
            log.debug("ppt actions unreadable: %s", type(exc).__name__)
            return []
        out: list[Finding] = []
        macros = [f"{trigger}: {name or '(unnamed)'}" for trigger, kind, name in actions if kind == "macro"]
        programs = [trigger for trigger, kind, _ in actions if kind == "program"]
        if macros:
            note = "" if has_vba else " (no VBA project found)"
            out.append(Finding("office.ppaction_macro", self.name, item.path, bounded_list(macros) + note,
                               strength="" if has_vba else Strength.STRONG))
        if programs:
            out.append(Finding("office.ppaction_program", self.name, item.path,
                               f"{len(programs)} action(s): {bounded_list(programs)}"))
        return out

    @staticmethod
    def _stomping(vp: Any, has_vba: bool, ctx: AnalysisContext) -> bool:
        """VBA stomping (p-code vs source), isolated so that a pcodedmp failure costs only this check."""
        if not has_vba or ctx.budget.time_left() < STOMPING_MIN_SECONDS:
            vp.vba_stomping_detected = False  # skip the p-code disassembly
            return False
        try:
            return bool(vp.detect_vba_stomping())
        except Exception as exc:  # pcodedmp asserts on odd p-code
            log.debug("p-code check failed: %s", type(exc).__name__)
            vp.vba_stomping_detected = False
            return False

    @staticmethod
    def _form_strings(vp: Any) -> list[str]:
        """Strings in UserForms (payloads hide there); a broken form never hides the modules."""
        try:
            return [_vba_module_text(s) for _a, _b, s in vp.extract_form_strings()]
        except Exception as exc:
            log.debug("form strings failed: %s", type(exc).__name__)
            return []

    # -- VBA ---------------------------------------------------------------------------------
    def _vba_findings(
        self, item: Item, vp: Any, code: str, names: list[str], stomped: bool, ctx: AnalysisContext
    ) -> list[Finding]:
        out: list[Finding] = []
        path = item.path
        code = code[:MAX_SOURCE_BYTES]
        scanner = olevba.VBA_Scanner(code[:SCAN_CHARS])
        results = scanner.scan(include_decoded_strings=True, deobfuscate=False)
        ctx.budget.check_time()
        autoexec: list[str] = []
        suspicious: list[str] = []
        iocs: list[str] = []
        decoded: list[tuple[str, str]] = []
        for kind, keyword, desc in results:
            if kind == "AutoExec" and keyword not in autoexec:
                autoexec.append(str(keyword))
            elif kind == "Suspicious" and keyword not in suspicious:
                suspicious.append(str(keyword))
            elif kind == "IOC" and str(desc).split(" (")[0] in _IOC_KEEP:
                iocs.append(str(keyword))
            elif kind in ("Hex String", "Base64 String", "Dridex string", "VBA string"):
                decoded.append((kind, str(keyword)))

        raptor = mraptor.MacroRaptor(code[:RAPTOR_CHARS])
        raptor.scan()
        if len(code) > SCAN_CHARS:  # padded past what olevba scanned: take MacroRaptor's matches too
            for match in (raptor.autoexec_match,):
                if match and match not in autoexec:
                    autoexec.append(str(match))
            if raptor.execute_match and raptor.execute_match not in suspicious:
                suspicious.append(str(raptor.execute_match))
        n = len(names) or 1
        out.append(Finding("office.vba.macros", self.name, path,
                           f"{n} VBA module(s): {bounded_list(names, 6, 40)}" if names else "VBA source"))
        if autoexec:
            # a macro that waits for a click runs only when the reader clicks a button or shape: strong,
            # not conclusive (open/close/activate and ActiveX events run on their own)
            on_click = all(_CLICK_TRIGGER.search(k) for k in autoexec)
            out.append(Finding("office.vba.autoexec", self.name, path, bounded_list(autoexec, 6, 40),
                               strength=Strength.STRONG if on_click else ""))

        lower = {k.lower() for k in suspicious}
        strong = [k for k in suspicious if k.lower() not in _WEAK_WORDS]
        execs = sorted(lower & _EXEC)
        downloads = sorted(lower & _DOWNLOAD)
        injects = sorted(lower & _INJECT)
        extra = sorted({m.group(0) for m in _EXTRA_EXEC.finditer(code)})[:6]
        if strong or extra:
            detail = "keywords: " + bounded_list(strong + [e for e in extra if e.lower() not in lower], 12, 40)
            if iocs:
                detail += "; IOCs: " + bounded_list(iocs, 6, 80)
            out.append(Finding("office.vba.suspicious", self.name, path, detail))

        hidden = self._obfuscation(code, decoded, suspicious)
        if hidden:
            out.append(Finding("office.vba.obfuscation", self.name, path, "; ".join(hidden)))

        risky_iocs = [i for i in iocs if _RAW_IP_URL.search(i) or _EXE_NAME.search(i)]
        hidden_cmd = any(h.startswith(("decodes to", "split string")) for h in hidden)
        if autoexec and (execs or downloads or injects or extra or risky_iocs or hidden_cmd):
            what = execs + downloads + injects + extra + risky_iocs[:3]
            if hidden_cmd and not what:
                what = ["obfuscated command"]
            out.append(Finding("office.vba.autoexec_exec", self.name, path,
                               f"{bounded_list(autoexec, 3, 30)} + {bounded_list(what, 8, 60)}"))
        if stomped:
            out.append(Finding("office.vba.stomping", self.name, path, "p-code and source differ"))

        if raptor.suspicious:
            out.append(Finding("office.mraptor.suspicious", self.name, path,
                               f"flags {raptor.get_flags()}: {bounded_list([str(m) for m in raptor.matches], 3, 30)}"))
        return out

    @staticmethod
    def _obfuscation(code: str, decoded: list[tuple[str, str]], suspicious: list[str]) -> list[str]:
        notes: list[str] = []
        chr_calls = len(_CHR_CALL.findall(code))
        if chr_calls >= 30:
            notes.append(f"{chr_calls} Chr() calls")
        if "strreverse" in {k.lower() for k in suspicious} and re.search(r"(?i)StrReverse\s*\(\s*\"", code):
            notes.append("StrReverse of string literals")
        for kind, value in decoded:
            m = _COMMANDISH.search(value)
            if m:
                notes.append(f"decodes to {m.group(0)!r} ({kind.lower()})")
                break
        joined = _CONCAT.sub("", code)
        if joined != code:
            before = {m.group(0).lower() for m in _COMMANDISH.finditer(code)}
            for m in _COMMANDISH.finditer(joined):
                if m.group(0).lower() not in before:
                    notes.append(f"split string hides {m.group(0)!r}")
                    break
        return notes

    # -- XLM ---------------------------------------------------------------------------------
    def _ooxml_xlm(self, item: Item, ctx: AnalysisContext, xlm_code: str, has_xlm: bool) -> tuple[str, bool]:
        """XLM macro sheets in .xlsm/.xlsb (olevba only sees them in OLE .xls without XLMMacroDeobfuscator)."""
        try:
            zf = zipfile.ZipFile(io.BytesIO(item.data))
        except (zipfile.BadZipFile, ValueError):
            return xlm_code, has_xlm
        parts: list[str] = []
        with zf:
            infos = zf.infolist()
            sheets = [i for i in infos if re.match(r"(?i)xl/macrosheets/[^/]+\.(?:xml|bin)$", i.filename)]
            ctypes = next((i for i in infos if i.filename == "[Content_Types].xml"), None)
            if ctypes is not None and not sheets:
                ct = read_member(zf, ctypes, ctx, 1 * MiB)
                if re.search(rb"(?i)macrosheet", ct):
                    sheets = [i for i in infos if re.search(r"(?i)macrosheet", i.filename)]
                    has_xlm = has_xlm or bool(sheets)
            if not sheets:
                return xlm_code, has_xlm
            has_xlm = True
            for info in sheets[:32]:
                ctx.budget.check_time()
                data = read_member(zf, info, ctx, 16 * MiB)
                if info.filename.lower().endswith(".xml"):
                    formulas = re.findall(rb"<(?:\w+:)?f\b[^>]*>([^<]{1,4096})<", data)
                    parts.extend(f.decode("utf-8", "replace") for f in formulas)
                else:
                    parts.extend(biff12_formulas(data, ctx))
                parts.append(f"' macro sheet {info.filename}")
            for info in infos:
                if re.match(r"(?i)xl/workbook\.(?:xml|bin)$", info.filename):
                    wb = read_member(zf, info, ctx, 16 * MiB)
                    text = wb.decode("latin-1")
                    if info.filename.lower().endswith(".bin"):  # names are UTF-16 in BIFF12
                        text += wb.decode("utf-16-le", "ignore") + wb[1:].decode("utf-16-le", "ignore")
                    for m in _XLM_AUTO.finditer(text):
                        parts.append(f"Named cell: {m.group(0)}")
                        break
        return (xlm_code + "\n" + "\n".join(parts)).strip(), has_xlm

    def _xlm_findings(self, item: Item, xlm_code: str) -> list[Finding]:
        """Graded by what the macro sheet calls: any auto-run name is conclusive, EXEC/CALL/REGISTER too."""
        out = [Finding("office.xlm.macros", self.name, item.path, "Excel 4.0 macro sheet")]
        auto = sorted({m.group(0) for m in _XLM_AUTO.finditer(xlm_code)})
        urls = re.findall(r"(?i)\b(?:https?|ftp)://[^\s\"',)]{1,200}", xlm_code)
        iocs = "; IOCs: " + bounded_list(urls, 4) if urls else ""
        if auto:
            out.append(Finding("office.xlm.autoexec", self.name, item.path, bounded_list(auto)))
            calls = sorted({m.group(0).rstrip("( ").upper() for m in _XLM_EXEC.finditer(xlm_code)})
            if calls:
                out.append(Finding("office.xlm.autoexec_exec", self.name, item.path,
                                   f"{bounded_list(auto, 2)} + {bounded_list(calls)}{iocs}"))
            return out
        runs = sorted({m.group(0).rstrip("( ").upper() for m in _XLM_RUNS.finditer(xlm_code)})
        if runs:
            out.append(Finding("office.xlm.exec", self.name, item.path, bounded_list(runs) + iocs))
        return out


# -- PowerPoint 97-2003 interactive actions (MS-PPT 2.7.x) ----------------------------------------------------
#: An InteractiveInfoInstance container (recVer 0xF; recInstance 0 = mouse click, 1 = mouse over; type 0x0FF2)
#: opening with its InteractiveInfoAtom (type 0x0FF3, 16 bytes: sound, hyperlink id, action, verb, jump,
#: flags, hyperlink type), then an optional MacroNameAtom (a CString, recInstance 2, type 0x0FBA).
_PPT_INTERACTIVE = re.compile(
    rb"([\x0f\x1f])\x00\xf2\x0f.{4}\x00\x00\xf3\x0f\x10\x00\x00\x00.{8}([\x01\x02]).{7}"
    rb"(?:\x20\x00\xba\x0f(.{4}))?", re.S)
_PPT_ACTIONS = {1: "macro", 2: "program"}  # II_MacroAction, II_RunProgramAction
MAX_PPT_ACTIONS = 64


def ppt_actions(stream: bytes) -> list[tuple[str, str, str]]:
    """(trigger, action, macro name) of every interactive action in a "PowerPoint Document" stream that runs
    a macro or a program (click/mouse-over actions; jumps, hyperlinks and media are left out)."""
    out: list[tuple[str, str, str]] = []
    for m in _PPT_INTERACTIVE.finditer(stream):
        name = ""
        if m.group(3):
            size = min(int.from_bytes(m.group(3), "little"), 512)
            name = stream[m.end() : m.end() + size].decode("utf-16-le", "replace")
        out.append(("mouse-over" if m.group(1) == b"\x1f" else "click", _PPT_ACTIONS[m.group(2)[0]], name))
        if len(out) >= MAX_PPT_ACTIONS:
            break
    return out


def _olevba_read_biff(vp: Any) -> bool:
    """Whether olevba already ran its BIFF parser (it does for what ftguess calls Excel, by CLSID)."""
    try:
        return bool(vp.ftg.is_excel())
    except Exception:
        return False


def _biff8_xlm(vp: Any) -> bool:
    """XLM macro sheets in a BIFF8/BIFF5 workbook olevba did not look at (loads them into ``vp``).

    olevba runs its BIFF parser (oledump's plugin_biff) only when the root storage carries an
    Excel CLSID; Excel opens a ``Workbook`` stream without one (tool-made XLM droppers), so a
    workbook typed by its streams (``ole.xls``) gets the same three passes here: sheet list,
    defined names (Auto_Open), formulas.
    """
    ole = getattr(vp, "ole_file", None)
    stream = next((s for s in ("Workbook", "Book") if ole is not None and ole.exists(s)), None)
    if ole is None or stream is None:
        return False
    with ole.openstream(stream) as fh:
        data = read_bounded(fh.read, MAX_DOC_BYTES, stream)
    lines = list(cBIFF(name=[stream], stream=data, options="-o BOUNDSHEET").Analyze())
    if "Excel 4.0 macro sheet" not in "\n".join(lines):
        return False
    for options in ("-o LABEL -r LN", "-c -r LN"):
        lines += cBIFF(name=[stream], stream=data, options=options).Analyze()
    vp.xlm_macros = lines
    vp.contains_xlm_macros = True
    return True


# -- BIFF12 (XLSB) macro sheets: the formulas olevba does not decode --------------------------------------
#: Formula cell records (MS-XLSB 2.4): BrtFmlaString, BrtFmlaNum, BrtFmlaBool, BrtFmlaError, with the size
#: of the cell value before the formula's grbitFlags (None: an XLWideString, counted from its length).
_BIFF12_FORMULA_CELLS: dict[int, int | None] = {0x0008: None, 0x0009: 8, 0x000A: 1, 0x000B: 1}
#: Function numbers (MS-XLS Ftab, and Cetab with bit 15 set) worth naming in a macro's formulas.
_XLM_FUNCTIONS: dict[int, str] = {
    0x0035: "GOTO", 0x0036: "HALT", 0x0037: "RETURN", 0x0059: "CALLER", 0x006C: "SET.VALUE", 0x006E: "EXEC",
    0x006F: "CHAR", 0x0084: "FOPEN", 0x0089: "FWRITELN", 0x008A: "FWRITE", 0x0095: "REGISTER", 0x0096: "CALL",
    0x00A6: "FILES", 0x00B2: "EXECUTE", 0x00BA: "GET.WORKSPACE", 0x010B: "REGISTER.ID", 0x8011: "RUN",
    0x8060: "FORMULA", 0x8061: "FORMULA.FILL", 0x8062: "FORMULA.ARRAY", 0x8076: "ALERT", 0x8083: "SEND.KEYS",
}
#: Size of each fixed-size parse token (MS-XLSB 2.5.97, base token numbers: class bits folded into 0x20-0x3F).
_PTG_SIZES: dict[int, int] = {
    **{ptg: 1 for ptg in range(0x03, 0x17)},  # operators, parentheses, missing argument
    0x01: 5, 0x1C: 2, 0x1D: 2, 0x1E: 3, 0x1F: 9, 0x23: 5, 0x24: 7, 0x25: 13, 0x26: 7, 0x27: 7, 0x28: 7,
    0x29: 3, 0x2A: 7, 0x2B: 13, 0x2C: 7, 0x2D: 13, 0x2E: 3, 0x2F: 3, 0x39: 7, 0x3A: 9, 0x3B: 15, 0x3C: 9,
    0x3D: 15,
}
_BINARY_OPERATORS = {0x03: "+", 0x04: "-", 0x05: "*", 0x06: "/", 0x07: "^", 0x08: "&", 0x09: "<", 0x0A: "<=",
                     0x0B: "=", 0x0C: ">=", 0x0D: ">", 0x0E: "<>"}
#: Formulas decoded per macro sheet at most (each is one line of the macro source).
MAX_XLSB_FORMULAS = 20_000
#: Bytes of one parsed formula decoded (Excel's own limit is 8192 characters of formula text), and the
#: longest text one rendered operand may grow to: nested calls copy their arguments, bounded so.
MAX_RGCE_BYTES = 16 * 1024
MAX_OPERAND_CHARS = 1024


def _biff12_records(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(record type, payload) of a BIFF12 stream: 1-2 byte type, 1-4 byte size, 7 bits per byte."""
    pos, end = 0, len(data)
    while pos < end:
        kind = data[pos]
        pos += 1
        if kind & 0x80 and pos < end:
            kind = (kind & 0x7F) | ((data[pos] & 0x7F) << 7)
            pos += 1
        size = shift = 0
        for _ in range(4):
            if pos >= end:
                return
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if pos + size > end:
            return  # truncated: what was read stands
        yield kind, data[pos : pos + size]
        pos += size


def _render_rgce(rgce: bytes) -> str:
    """A parsed formula (ptg tokens) rendered back into formula text: functions with their arguments,
    string constants quoted; references, numbers and names become placeholders.  Stops at a token it
    does not know (what it rendered so far is kept)."""
    stack: list[str] = []
    pos = 0
    while pos < len(rgce):
        ptg = rgce[pos]
        base = (ptg & 0x1F) | 0x20 if ptg >= 0x20 else ptg
        if ptg == 0x17:  # PtgStr: 16-bit character count, UTF-16LE
            if pos + 3 > len(rgce):
                break
            count = int.from_bytes(rgce[pos + 1 : pos + 3], "little")
            text = rgce[pos + 3 : pos + 3 + 2 * count].decode("utf-16-le", "replace")
            stack.append('"' + text.replace('"', '""')[:MAX_OPERAND_CHARS] + '"')
            pos += 3 + 2 * count
            continue
        if ptg == 0x19:  # PtgAttr: grbit + 2 bytes, AttrChoose adds its jump table
            if pos + 4 > len(rgce):
                break
            extra = 2 * (int.from_bytes(rgce[pos + 2 : pos + 4], "little") + 1) if rgce[pos + 1] & 0x04 else 0
            pos += 4 + extra
            continue
        if base in (0x21, 0x22):  # PtgFunc (fixed arity) / PtgFuncVar (argument count, then the number)
            var = base == 0x22
            if pos + (4 if var else 3) > len(rgce):
                break
            argc = rgce[pos + 1] & 0x7F if var else 1
            number = int.from_bytes(rgce[pos + 2 : pos + 4] if var else rgce[pos + 1 : pos + 3], "little")
            args = stack[len(stack) - argc :] if argc else []
            del stack[len(stack) - len(args) :]
            stack.append(f"{_XLM_FUNCTIONS.get(number, f'FUNC{number:#x}')}({','.join(args)})"[:MAX_OPERAND_CHARS])
            pos += 4 if var else 3
            continue
        size = _PTG_SIZES.get(base)
        if size is None:
            break
        if ptg in _BINARY_OPERATORS and len(stack) >= 2:
            right = stack.pop()
            stack.append((stack.pop() + _BINARY_OPERATORS[ptg] + right)[:MAX_OPERAND_CHARS])
        elif ptg == 0x16 or ptg == 0x01 or ptg >= 0x1C:  # an operand: missing argument, reference, constant
            stack.append({0x16: "", 0x1C: "#ERR", 0x1D: "BOOL", 0x1E: "INT", 0x1F: "NUM"}.get(ptg, "REF"))
        pos += size
    return "=" + " ".join(stack)


def biff12_formulas(data: bytes, ctx: AnalysisContext) -> list[str]:
    """The formulas of an XLSB macro sheet (``xl/macrosheets/*.bin``) as formula text, one per cell."""
    out: list[str] = []
    for kind, body in _biff12_records(data):
        value = _BIFF12_FORMULA_CELLS.get(kind, -1)
        if value == -1:
            continue
        if value is None:  # XLWideString: 32-bit character count, UTF-16LE
            value = 4 + 2 * int.from_bytes(body[8:12], "little")
        start = 8 + value + 2  # Cell, value, grbitFlags
        cce = min(int.from_bytes(body[start : start + 4], "little"), MAX_RGCE_BYTES)
        out.append(_render_rgce(body[start + 4 : start + 4 + cce]))
        if len(out) % 64 == 0:
            ctx.budget.check_time()
        if len(out) >= MAX_XLSB_FORMULAS:
            break
    return out


# --------------------------------------------------------------------------------------------
# Objects embedded in OLE compound files
# --------------------------------------------------------------------------------------------

_OLE_TYPES = frozenset({"ole.doc", "ole.xls", "ole.ppt", "ole.other"})
#: Streams whose whole content is an embedded file in its own right.
_PAYLOAD_STREAMS = frozenset({"package", "contents", "\x01ole10native"})
_EQUATION_CLSID = "0002CE02-0000-0000-C000-000000000046"
_SWF = re.compile(rb"(?:FWS|CWS|ZWS)[\x01-\x2f]")
MAX_EMBEDDED = 64


def _stream_name(parts: list[str]) -> str:
    return "/".join(p.replace("\x01", "\\x01").replace("\x03", "\\x03").replace("\x05", "\\x05") for p in parts)


class OleEmbedded:
    """OLE Packages, ObjectPool objects, Equation Editor and Flash inside OLE compound files."""

    name: ClassVar[str] = "oleobj"
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("office.embedded_object", 1, Category.ATTACHMENT, "document embeds an OLE object or file",
                 strength=Strength.WEAK),
        CodeInfo("office.package_executable", 12, Category.ATTACHMENT,
                 "OLE Package carries an executable, script or shortcut (one double-click runs it)",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("office.equation_editor", 10, Category.ATTACHMENT,
                 "Equation Editor 3.0 object (CVE-2017-11882 / CVE-2018-0802 carrier)", strength=Strength.CONCLUSIVE),
        CodeInfo("office.flash", 12, Category.ATTACHMENT, "embedded Flash (SWF) object (CVE-2018-4878 style)",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("oleobj.parse_error", 1, Category.ATTACHMENT, "OLE container could not be parsed"),
    )

    def applies_to(self, item: Item) -> bool:
        return item.type in _OLE_TYPES

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        yield from guarded(item, self.name, "oleobj.parse_error", lambda: self._run(item, ctx))

    def _run(self, item: Item, ctx: AnalysisContext) -> list[Finding | Item]:
        out: list[Finding | Item] = []
        ole = open_ole(item.data)
        damage = ole_damage(item.data)
        if damage:  # olefile reads a cut file quietly: the streams past the cut come out short or not at all
            out.append(Finding("oleobj.parse_error", self.name, item.path, f"the OLE file is not whole: {damage}"))
        try:
            self._walk(item, ole, "", ctx, out)
        finally:
            ole.close()
        if item.type == "ole.ppt":
            from oletools.ppt_record_parser import PptFile, PptRecordExOleVbaActiveXAtom

            ppt = PptFile(io.BytesIO(item.data))
            try:
                count = 0
                for stream in ppt.iter_streams():
                    for record in stream.iter_records():
                        ctx.budget.check_time()
                        if not isinstance(record, PptRecordExOleVbaActiveXAtom):
                            continue
                        data = b"".join(record.iter_uncompressed())
                        if not is_ole(data) or count >= MAX_EMBEDDED:
                            continue  # VBA storage or ActiveX; olevba handles those
                        count += 1
                        inner = open_ole(data)
                        try:
                            self._walk(item, inner, f"ExOleObjStg{count}/", ctx, out)
                        finally:
                            inner.close()
            finally:
                ppt.close()
        return out

    def _walk(self, item: Item, ole: olefile.OleFileIO, prefix: str, ctx: AnalysisContext,
              out: list[Finding | Item]) -> None:
        seen = 0
        equation_done = False
        for parts in ole.listdir(streams=True, storages=False):
            ctx.budget.check_time()
            leaf = parts[-1].lower()
            where = prefix + _stream_name(parts)
            size = ole.get_size(parts)
            if leaf == "equation native" and not equation_done:
                equation_done = True
                if item.source != RTF_SOURCE:  # the RTF analyzer already reported this object
                    out.append(Finding("office.equation_editor", self.name, item.path, f"stream {where}"))
                continue
            if leaf not in _PAYLOAD_STREAMS or seen >= MAX_EMBEDDED:
                continue
            ctx.budget.check_member(where, size)
            with ole.openstream(parts) as fh:
                data = read_bounded(fh.read, ctx.budget.member_cap(), where)
            seen += 1
            if leaf == "\x01ole10native":
                self._package(item, where, data, out)
                continue
            if _SWF.search(data[:64]):
                out.append(Finding("office.flash", self.name, item.path, f"SWF in {where}"))
            out.append(Finding("office.embedded_object", self.name, item.path, f"{where}: {size} bytes"))
            out.append(item.child(f"{where}", data, source=self.name, role=Role.EMBEDDED))
        if not equation_done:
            clsid = (ole.root.clsid or "").upper() if ole.root is not None else ""
            if clsid == _EQUATION_CLSID and item.source != RTF_SOURCE:
                out.append(Finding("office.equation_editor", self.name, item.path, f"{prefix}root CLSID {clsid}"))
        # Flash stored in a plain stream (the DPRK CVE-2018-4878 lure keeps it in 'Contents').
        for parts in ole.listdir(streams=True, storages=False):
            if parts[-1].lower() in _PAYLOAD_STREAMS:
                continue
            if ole.get_size(parts) < 64:
                continue
            with ole.openstream(parts) as fh:
                head = fh.read(64)
            if _SWF.search(head):
                out.append(Finding("office.flash", self.name, item.path, f"SWF in {prefix}{_stream_name(parts)}"))
                break

    def _package(self, item: Item, where: str, data: bytes, out: list[Finding | Item]) -> None:
        try:
            pkg = oleobj.OleNativeStream(data, package=False)
        except Exception:
            # Not a Package: keep the raw native data so other analyzers still see it.
            out.append(Finding("office.embedded_object", self.name, item.path, f"{where}: {len(data)} bytes"))
            out.append(item.child(where, data, source=self.name, role=Role.EMBEDDED))
            return
        names = tuple(str(n) for n in (pkg.filename, pkg.src_path, pkg.temp_path) if n)
        label = names[0] if names else where
        payload = pkg.data if isinstance(pkg.data, bytes) else None
        linked = " (linked, no data)" if pkg.is_link or not payload else ""
        out.append(Finding("office.embedded_object", self.name, item.path, f"OLE Package {label!r}{linked}"))
        reason = risky_embedded(names, payload)
        if reason:
            out.append(Finding("office.package_executable", self.name, item.path,
                               f"Package {label!r}: {reason}; source {bounded_list(list(names[1:]), 2, 100)}"))
        if payload:
            out.append(item.child(label, payload, source=self.name, role=Role.EMBEDDED))
