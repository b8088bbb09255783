"""Scripts and executables by content, and what the attachment's name and declared type claim.

Content decides the type (:func:`coinguard.sniff.sniff`): a PE, a script, a CHM, an
Internet Shortcut or an Excel web query is a finding whatever it is called.  The name
is attacker data used only as evidence: Windows picks the program that opens a file by
its extension, so a text file named ``.js`` *is* a script (``file.risky_extension``),
``wallet.pdf.exe`` hides its real extension (``file.double_extension``), a U+202E
override reverses it on screen (``file.rtlo``), and an executable or script that calls
itself a PDF or an image is disguised (``file.type_mismatch``).

Shortcut (``lnk``) and OneNote (``onenote``) content is judged by their own analyzers;
this one only adds the name checks for them.

A disguised name is graded by what the real type does (issue 11): conclusive when what opens
runs (a program or a script of the hidden extension's kind, a shortcut that runs something), and
whenever long blank padding, ``_`` runs or a bidirectional override hide a code-running extension
(nobody pads a name with forty spaces before ``.exe`` but to hide it; the name is the evasion even
over a stub that is not a real program).  A shortcut that only opens a local document, with no
arguments, shows what it opens (``sample.hwp.lnk`` opens ``sample.hwp``): no disguise.  A script
with no behaviour and no hiding is weak context (``file.script`` below the tag threshold); with
behaviour it is ``file.script_behavior``, conclusive.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator
from typing import ClassVar
from urllib.parse import urlsplit

from coinguard.analyzers.eps_common import EPS_EXPLOIT_SIGNS, HWP_SOURCE, eps_indicators
from coinguard.analyzers.lnk_common import parse_shortcut, run_reasons
from coinguard.analyzers.script_common import behaviour, hidden_code
from coinguard.findings import Category, CodeInfo, Finding, Item, Role, Strength
from coinguard.handlers import AnalysisContext
from coinguard.sniff import EXECUTABLE_TYPES, RISKY_EXTENSIONS, ItemType

A = Category.ATTACHMENT

#: Roles whose ``name`` came with the file (MIME filename, archive member, embedded object name).
NAMED_ROLES = frozenset({Role.ATTACHMENT, Role.INLINE, Role.MEMBER, Role.EMBEDDED})
#: Roles whose content was written by the sender as a file (extracted text and bodies are not).
FILE_ROLES = NAMED_ROLES

_PE_KINDS = frozenset({"pe", "pe.dll", "elf", "macho"})
_SCRIPT_KINDS = frozenset(t for t in EXECUTABLE_TYPES if t.startswith("script."))
#: Names a Mac opens in Terminal (or a shell) on double-click.
_SHELL_RUN_EXTENSIONS = frozenset({"command", "tool"})
_DISK_KINDS = frozenset({"iso", "udf", "vhd", "vhdx", "img.fat"})
#: Content that runs as itself: programs and Windows scripts (shortcuts, disk images... have their own analyzers).
_RUNNING_KINDS = _PE_KINDS | _SCRIPT_KINDS
#: Web query targets that fetch from elsewhere (a server or a share), on any line of the query.
_IQY_REMOTE = re.compile(r"(?im)^[ \t]*(?:https?://|\\\\[^\\\s]+\\|file://[^/\s])\S*")

#: What content an extension honestly announces (extension -> accepted sniffed types).
_EXT_CONTENT: dict[str, frozenset[str]] = {
    **dict.fromkeys(("exe", "scr", "com", "pif", "cpl", "dll", "ocx", "sys", "xll"), _PE_KINDS),
    **dict.fromkeys(("js", "jse", "vbs", "vbe", "wsf", "wsh", "wsc", "sct", "hta", "ps1", "psm1", "psd1",
                     "bat", "cmd"), _SCRIPT_KINDS),
    "lnk": frozenset({"lnk"}),
    "url": frozenset({"url"}),
    "chm": frozenset({"chm"}),
    "one": frozenset({"onenote"}),
    "onepkg": frozenset({"cab"}),
    "iqy": frozenset({"iqy"}),
    "slk": frozenset({"slk"}),
    "msi": frozenset({"ole.msi"}),
    "msp": frozenset({"ole.msi", "ole.other"}),
    "jar": frozenset({"jar", "zip"}),
    **dict.fromkeys(("iso", "img", "vhd", "vhdx"), _DISK_KINDS),
    **dict.fromkeys(("xla", "xlam", "ppam"), frozenset({"ole.xls", "ole.ppt", "ooxml.excel", "ooxml.powerpoint",
                                                       "ooxml.other"})),
}

#: Extensions whose host parses a binary format first (PE loader, shortcut, disk image, installer...):
#: with other content they do not run, so the name alone is no finding (the content checks cover them).
_BINARY_FORMAT_EXTENSIONS = frozenset(
    {"exe", "scr", "pif", "cpl", "dll", "ocx", "sys", "xll", "msi", "msp", "jar", "lnk", "chm", "one", "onepkg",
     "iso", "img", "vhd", "vhdx", "xla", "xlam", "ppam", "gadget", "hlp"}
)

#: Extensions that promise a container its readers open past a damaged or unrecognised start: archives
#: (WinRAR and 7-Zip look for the signature behind a stub or junk -- SFX -- and a zip is found by its
#: end record), disk images (mounted by descriptors at an offset, or as a raw file system of any
#: kind: a .dmg without koly, an .iso of another file system), and formats no reader here opens (ACE,
#: ARJ, LHA, old tar/cpio variants).  Under such a name, bytes sniff recognises as nothing
#: (``binary``) may be what the recipient's program opens and we could not: unchecked, never clean.
#: Content recognised as something else (text, a PDF, a picture, a document, another container) was
#: read as what it is: a misnamed file, judged by its content (``notes.dmg`` holding text is text).
#: Single compressed streams (.gz .bz2 .xz .zst .z .zz .zlib, .tgz ...) are read from their first byte
#: by every tool: with their magic damaged they open nowhere (a transfer-encoding mishap, most often),
#: so they are not listed; one whose magic is there but whose stream is damaged is archive.parse_error.
_CONTAINER_EXTENSIONS_TEXT = "zip zipx rar 7z cab tar cpio iso img udf vhd vhdx dmg pkg mpkg xar ace arj lzh lha"
CONTAINER_EXTENSIONS = frozenset(_CONTAINER_EXTENSIONS_TEXT.split())
#: Content that is no recognised format (sniff's fallback for bytes that are not text).
_UNRECOGNISED = "binary"

#: Extensions of files people expect to be harmless to open (documents, images, archives, text).
_DOCUMENT_EXTENSIONS_TEXT = """pdf doc docx docm dot dotx rtf xls xlsx xlsm csv ppt pptx odt ods odp hwp hwpx txt
    text log jpg jpeg png gif bmp tif tiff webp svg heic mp3 mp4 wav avi mov zip rar 7z gz tar html htm eml msg"""
DOCUMENT_EXTENSIONS = frozenset(_DOCUMENT_EXTENSIONS_TEXT.split())

#: Extensions Windows opens in a text editor or viewer: script content named so does not run.
TEXT_EXTENSIONS = frozenset({"txt", "text", "log", "csv", "md", "json", "xml", "ini", "cfg", "conf", "yaml", "yml"})
#: Scores for script content under such a name (evidence of a stage, not something that runs).
INERT_SCRIPT_SCORE = 2.0
INERT_BEHAVIOR_SCORE = 4.0

#: Declared MIME types that promise a document or a picture (``application/octet-stream`` promises nothing).
_DOCUMENT_MIME = re.compile(
    r"^(?:application/(?:pdf|msword|rtf|vnd\.ms-(?:excel|powerpoint)|vnd\.openxmlformats-officedocument\.[\w.-]+"
    r"|vnd\.oasis\.opendocument\.[\w.-]+|x-hwp|haansofthwp|vnd\.hancom\.[\w.-]+)"
    r"|image/[\w.+-]+|audio/[\w.+-]+|video/[\w.+-]+|text/(?:plain|csv|calendar))$",
    re.I,
)

#: Bidirectional controls that reorder what the user sees of a name (U+202E is the classic).
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
#: Invisible or blank padding used to push the real extension out of view.
_PADDING = re.compile(r"[\s\u00a0\u2000-\u200b\u3000_]{3,}$")
#: Padding this long before a code-running extension exists only to push it out of view: conclusive.
PAD_HIDES = 10
#: A weak bidirectional control: the real extension is harmless (right-to-left names carry such marks).
WEAK_BIDI_SCORE = 2.0
#: ``file.script`` with behaviour hidden behind obfuscation (strong; without it the code is weak).
HIDDEN_SCRIPT_SCORE = 5.0

_SCRIPT_SCAN_BYTES = 1 << 20

#: Internet Shortcut keys that may point somewhere.
_URL_KEY = re.compile(r"^\s*(URL|IconFile|WorkingDirectory|BASEURL)\s*=\s*(.*?)\s*$", re.I | re.M)
_RUNNABLE_TARGET = re.compile(
    r"\.(?:exe|scr|com|pif|cpl|dll|bat|cmd|vbs|vbe|js|jse|wsf|hta|ps1|lnk|msi|jar|zip|iso|img|vhdx?|search-ms|library-ms)"
    r"(?:[?#\s]|$)",
    re.I,
)


def extensions(name: str) -> list[str]:
    """Dot-separated suffixes of a name, lower case, outermost last (``a.pdf.exe`` -> ``['pdf', 'exe']``)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    parts = [p.strip().lower() for p in base.split(".")[1:]]
    return [p for p in parts if p and len(p) <= 12 and " " not in p]


def last_extension(name: str) -> str:
    """The extension Windows uses: after the last dot, trailing blanks and dots stripped (as Windows does)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].rstrip(" .\t")
    return base.rsplit(".", 1)[-1].strip().lower() if "." in base else ""


def name_findings(name: str, declared_type: str, content_type: str, path: str, analyzer: str,
                  runs: bool | None = None) -> Iterator[Finding]:
    """The name-based checks (pure: attacker name, attacker Content-Type and sniffed type in, findings out).

    ``runs``: what the content's own analysis says opening it does (a shortcut: True when it runs
    something, False when it opens a local document with no arguments); None when unknown.
    """
    if not name or name.startswith("<"):
        return  # synthetic names of extracted objects say nothing about the sender's intent
    clean = _BIDI.sub("", name)
    ext = last_extension(clean)
    runs_by_content = content_type in EXECUTABLE_TYPES
    if clean != name:
        detail = f"bidirectional control in name {name!r} (really {clean!r})"
        if ext in RISKY_EXTENSIONS or runs_by_content:
            yield Finding("file.rtlo", analyzer, path, detail)
        else:
            yield Finding("file.rtlo", analyzer, path, f"{detail}: the real extension .{ext or '-'} is harmless",
                          score=WEAK_BIDI_SCORE, strength=Strength.WEAK)
    honest = content_type in _EXT_CONTENT.get(ext, frozenset())
    if ext in RISKY_EXTENSIONS and ext not in _BINARY_FORMAT_EXTENSIONS and not honest and not runs_by_content:
        # The content did not already say "this runs": the extension alone makes Windows run it.
        yield Finding("file.risky_extension", analyzer, path, f".{ext} opens in a code-running host ({content_type})")
    if ext in RISKY_EXTENSIONS or runs_by_content:
        exts = extensions(clean.rstrip(" .\t"))
        inner = exts[-2] if len(exts) >= 2 else ""
        stem = clean.rstrip(" .\t")
        stem = stem[: len(stem) - len(ext) - 1] if ext and stem.lower().endswith("." + ext) else stem
        pad = _PADDING.search(stem)
        padding = len(pad.group(0)) if pad else 0
        if inner in DOCUMENT_EXTENSIONS or padding:
            shown = f".{inner} shown, .{ext} is what runs" if inner in DOCUMENT_EXTENSIONS else f"padding hides .{ext}"
            if padding >= PAD_HIDES and ext in RISKY_EXTENSIONS:
                yield Finding("file.double_extension.runs", analyzer, path,
                              f"{name!r}: {padding} blank characters hide .{ext}: the name is the evasion "
                              f"({content_type})")
            elif (honest and content_type in _RUNNING_KINDS) or runs:
                yield Finding("file.double_extension.runs", analyzer, path, f"{name!r}: {shown} ({content_type})")
            elif runs is None:
                yield Finding("file.double_extension", analyzer, path, f"{name!r}: {shown} ({content_type})")
            # runs is False: what opens is the document the name shows (a shortcut to a local .hwp)
    if content_type == _UNRECOGNISED and ext in CONTAINER_EXTENSIONS:
        yield Finding("file.container_unreadable", analyzer, path,
                      f"{name!r} is named .{ext} but holds no structure of one that could be opened (damaged, "
                      "cut short, or a format not read here): its content was not scanned")
    if runs_by_content:
        # Script text named or declared as text is a pasted snippet more often than a disguise.
        scripty = content_type in _SCRIPT_KINDS
        claims = []
        if ext in DOCUMENT_EXTENSIONS and not (scripty and ext in TEXT_EXTENSIONS):
            claims.append(f"name says .{ext}")
        mime = declared_type.split(";", 1)[0].strip().lower()
        if mime and _DOCUMENT_MIME.match(mime) and not (scripty and mime.startswith("text/")):
            claims.append(f"Content-Type says {mime}")
        if claims:
            yield Finding("file.type_mismatch", analyzer, path, f"{' and '.join(claims)} but content is {content_type}")


def shortcut_runs(data: bytes) -> bool | None:
    """Whether a shortcut runs something (True), only opens local documents with no arguments (False),
    or cannot be told (None: unparsable, or a target of another kind)."""
    try:
        sc = parse_shortcut(data)
    except Exception:  # LnkParse3 raises many types on hostile input; the lnk analyzer reports it
        return None
    if run_reasons(sc):
        return True
    if not sc.arguments.strip() and sc.targets and all(
            last_extension(t.strip().strip('"')) in DOCUMENT_EXTENSIONS for t in sc.targets):
        return False
    return None


def url_shortcut_targets(text: str) -> list[tuple[str, str]]:
    """(key, value) pairs of an Internet Shortcut that point somewhere (URL, IconFile, WorkingDirectory)."""
    return [(m.group(1), m.group(2)) for m in _URL_KEY.finditer(text) if m.group(2)]


def risky_url_target(key: str, value: str) -> str:
    """Why an Internet Shortcut target is dangerous, or '' when it is an ordinary web link."""
    v = value.strip().strip('"')
    if v.startswith(("\\\\", "//")):
        return f"{key} is a UNC path {v!r}"
    if re.match(r"^[a-z]:[\\/]", v, re.I):
        if key.lower() == "url":
            return f"{key} runs a local file {v!r}"
        return ""
    scheme = urlsplit(v).scheme.lower() if ":" in v else ""
    if scheme == "file":
        return f"{key} is a file: URL {v!r}"
    if scheme in ("search-ms", "search", "ms-msdt", "ms-officecmd", "ms-excel", "ms-word", "javascript", "vbscript"):
        return f"{key} uses the {scheme}: handler"
    if scheme in ("http", "https", "ftp") and key.lower() == "url":
        host = urlsplit(v).hostname or ""
        if _RUNNABLE_TARGET.search(urlsplit(v).path or ""):
            return f"{key} downloads a runnable file {v!r}"
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return ""
        return f"{key} points to a raw IP address {v!r}"
    return ""


class FileTypeAnalyzer:
    name: ClassVar[str] = "filetype"
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("file.executable", 10.0, A, "an executable program (PE, ELF or Mach-O) by content",
                 strength=Strength.CONCLUSIVE),
        # no declared strength: weak at its score (context), conclusive when an admin raises it to malicious_score;
        # strong (score 5) when the script hides code (file.script_obfuscated beside it)
        CodeInfo("file.script", 3.0, A,
                 "a Windows script (JS, JSE, VBS, VBE, WSF, HTA, PS1, BAT/CMD) by content, with no behaviour found: "
                 "context (strong when it hides code; behaviour is file.script_behavior)"),
        CodeInfo("file.script_behavior", 10.0, A,
                 "script content that downloads, decodes or launches something (WScript.Shell, IEX, XMLHTTP...)",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("file.script_obfuscated", 6.0, A,
                 "script text hidden behind character codes, string building, reversal or encoded commands, "
                 "with dynamic code (eval/Execute of what it built): a dropper hiding what it runs",
                 strength=Strength.STRONG),
        CodeInfo("file.chm", 12.0, A, "a compiled HTML help file (.chm), a code-running container",
                 strength=Strength.STRONG),
        CodeInfo("file.url_shortcut", 2.0, A, "an Internet Shortcut (.url) file", strength=Strength.WEAK),
        CodeInfo("file.url_remote_target", 13.0, A,
                 "an Internet Shortcut pointing to a file: URL, UNC share, local program or runnable download",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("file.iqy", 6.0, A, "an Excel web query (.iqy) without a web or share URL (a local query)",
                 strength=Strength.STRONG),
        CodeInfo("file.iqy.remote", 12.0, A,
                 "an Excel web query (.iqy) that fetches an http(s) or UNC URL into Excel on open: the server's "
                 "reply (formulas, DDE) runs in Excel", strength=Strength.CONCLUSIVE),
        CodeInfo("file.postscript_exploit", 12.0, A,
                 "PostScript/EPS that builds and runs code or drops files (Office/HWP EPS exploit carrier)",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("file.slk", 3.0, A, "a SYLK spreadsheet (.slk), a known Excel 4 macro carrier",
                 strength=Strength.WEAK),
        CodeInfo("file.risky_extension", 5.0, A,
                 "the name's extension makes Windows run the file (e.g. text named .js) though content did not say so",
                 strength=Strength.STRONG),
        CodeInfo("file.double_extension", 6.0, A,
                 "a document-looking name hiding a runnable extension (wallet.pdf.exe, padding before .lnk)",
                 strength=Strength.STRONG),
        CodeInfo("file.double_extension.runs", 12.0, A,
                 "a document-looking name (or blank padding) hiding an executable, script or shortcut extension over "
                 "content that runs (invoice.pdf.exe with a PE, scan.jpg.js with JScript, a .pdf.lnk that runs "
                 "PowerShell), or long padding before a code-running extension whatever the content: the name "
                 "is the evasion", strength=Strength.CONCLUSIVE),
        CodeInfo("file.rtlo", 10.0, A, "bidirectional control characters (U+202E) that disguise a code-running "
                 "extension (weak, score 2, when the real extension is harmless)", strength=Strength.CONCLUSIVE),
        CodeInfo("file.container_unreadable", 1.0, Category.CONTAINER,
                 "a file named as an archive or disk image (.zip, .rar, .7z, .cab, .iso, .img, .vhdx, .dmg, "
                 ".pkg, .ace ...) whose bytes are no recognisable format: its reader may open what we could "
                 "not, so what it holds was not scanned (verdict unchecked); text or a known format under such "
                 "a name is judged as what it is"),
        CodeInfo("file.type_mismatch", 12.0, A,
                 "an executable or script whose name or Content-Type claims a document or image",
                 strength=Strength.STRONG),
    )

    def applies_to(self, item: Item) -> bool:
        return item.role in FILE_ROLES

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        t = item.type
        if t in _PE_KINDS:
            kind = {"pe": "Windows PE", "pe.dll": "Windows DLL", "elf": "ELF", "macho": "Mach-O"}[t]
            ext = last_extension(item.name)
            extra = " (Excel add-in .xll)" if ext == "xll" else ""
            yield Finding("file.executable", self.name, item.path, f"{kind} executable{extra}, {item.size} bytes")
        elif t in _SCRIPT_KINDS:
            lang = t.split(".", 1)[1].upper()
            # Named .txt/.log/.csv..., Windows opens it in an editor: the code does not run as attached.
            inert = item.role in NAMED_ROLES and last_extension(item.name) in TEXT_EXTENSIONS
            note = f" (named .{last_extension(item.name)}: opens in an editor)" if inert else ""
            content = list(self._script_content(item, note, inert))
            hides = any(f.code == "file.script_obfuscated" for f in content)
            if inert:
                yield Finding("file.script", self.name, item.path, f"{lang} script, {item.size} bytes{note}",
                              score=INERT_SCRIPT_SCORE, strength=Strength.WEAK)
            elif hides:
                yield Finding("file.script", self.name, item.path, f"{lang} script hiding code, {item.size} bytes",
                              score=HIDDEN_SCRIPT_SCORE, strength=Strength.STRONG)
            else:
                yield Finding("file.script", self.name, item.path, f"{lang} script, {item.size} bytes")
            yield from content
        elif t == ItemType.SCRIPT_SH:
            # a shell script is a script on a Mac when its name runs it (.command opens in Terminal)
            runs = last_extension(item.name) in _SHELL_RUN_EXTENSIONS and item.role in NAMED_ROLES
            if runs:
                yield Finding("file.script", self.name, item.path, f"shell script named .{last_extension(item.name)}")
            yield from self._script_content(item, "", not runs, sign_score=0.0 if not runs else None)
        elif t == "chm":
            yield Finding("file.chm", self.name, item.path, f"compiled HTML help, {item.size} bytes")
        elif t == "url":
            yield from self._url(item)
        elif t == "iqy":
            text = item.data[:4096].decode("latin-1")
            remote = _IQY_REMOTE.search(text)
            if remote:
                yield Finding("file.iqy.remote", self.name, item.path, f"web query to {remote.group(0)[:120]}")
            else:
                first_url = next((ln for ln in text.splitlines() if "://" in ln), "")
                yield Finding("file.iqy", self.name, item.path, f"web query to {first_url.strip()[:120] or '(none)'}")
        elif t == ItemType.POSTSCRIPT and item.source != HWP_SOURCE:  # the HWP analyzer reports its own EPS (hwp.eps)
            signs = [s for s in eps_indicators(item.data) if s in EPS_EXPLOIT_SIGNS]
            if signs:
                yield Finding("file.postscript_exploit", self.name, item.path, "; ".join(signs))
        elif t == "slk":
            yield Finding("file.slk", self.name, item.path, "SYLK spreadsheet")
        if item.role in NAMED_ROLES:
            shortcut = shortcut_runs(item.data) if t == ItemType.LNK else None
            yield from name_findings(item.name, item.declared_type, t, item.path, self.name, shortcut)

    def _script_content(self, item: Item, note: str, inert: bool,
                        sign_score: float | None = None) -> Iterator[Finding]:
        """Behaviour and hiding in a script's text, after de-obfuscation (script_common)."""
        text = item.data[:_SCRIPT_SCAN_BYTES].decode("latin-1")
        if item.data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = item.data[:_SCRIPT_SCAN_BYTES].decode("utf-16", "replace")
        hits, hidden = behaviour(text)
        if hits:
            extra = " (after de-obfuscation)" if hidden else ""
            yield Finding("file.script_behavior", self.name, item.path, ", ".join(hits[:8]) + extra + note,
                          score=INERT_BEHAVIOR_SCORE if inert else None, strength=Strength.WEAK if inert else "")
        signs = hidden_code(text)
        if signs and not hits and sign_score != 0.0:
            yield Finding("file.script_obfuscated", self.name, item.path, "; ".join(signs) + note,
                          score=INERT_SCRIPT_SCORE if inert else sign_score, strength=Strength.WEAK if inert else "")

    def _url(self, item: Item) -> Iterator[Finding]:
        raw = item.data[:65536]
        try:
            text = raw.decode("utf-16") if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        targets = url_shortcut_targets(text)
        url = next((v for k, v in targets if k.lower() == "url"), "")
        yield Finding("file.url_shortcut", self.name, item.path, f"URL={url[:150]}" if url else "no URL key")
        reasons = [r for k, v in targets if (r := risky_url_target(k, v))]
        if reasons:
            yield Finding("file.url_remote_target", self.name, item.path, "; ".join(reasons))
