"""True file type from content.

Names and Content-Type headers are attacker input: :func:`sniff` looks only at the
bytes (the name is never consulted).  The returned type is one short string from
the vocabulary below; analyzers and unpackers dispatch on it.

Vocabulary (``family`` or ``family.subtype``):

- executables: ``pe``, ``pe.dll``, ``elf``, ``macho``
- OLE2/CFB: ``ole.doc``, ``ole.xls``, ``ole.ppt``, ``ole.msg``, ``ole.hwp``, ``ole.encrypted``
  (an encrypted OOXML package), ``ole.msi``, ``ole.other``
- zip-based: ``ooxml.word``, ``ooxml.excel``, ``ooxml.powerpoint``, ``ooxml.other``, ``odf``,
  ``hwpx``, ``jar``, ``zip``
- other documents: ``rtf``, ``pdf``, ``xml.office`` (Word/Excel 2003 XML, flat OPC),
  ``mht`` (MHTML/ActiveMime), ``onenote``, ``chm``, ``slk``, ``iqy``, ``postscript`` (PostScript/EPS)
- shortcuts: ``lnk``, ``url`` (Internet Shortcut)
- archives and images: ``7z``, ``rar``, ``gzip``, ``bzip2``, ``xz``, ``zstd``, ``zlib`` (a raw RFC 1950
  stream: ``.z``/``.zz``/``.zlib``, or unnamed), ``tar``, ``cab``,
  ``iso``, ``udf``, ``vhd``, ``vhdx``, ``img.fat``
- mail: ``eml``, ``tnef``
- scripts (content markers): ``script.encoded`` (JScript/VBScript.Encode), ``script.hta``,
  ``script.wsf``, ``script.ps1``, ``script.bat``, ``script.vbs``, ``script.js``, ``script.sh``,
  ``script.xsl`` (XSLT with an ``msxsl:script`` block)
- macOS: ``dmg`` (UDIF disk image), ``xar`` (installer package), ``cpio`` (odc/newc archive: a
  package's ``Scripts`` and ``Payload`` once gunzipped), ``applescript`` (compiled)
- a zip is also found by its end-of-central-directory record when its first bytes are damaged
  or prefixed; a message by its headers after an mbox ``From`` line
- markup and plain: ``html``, ``svg``, ``xml``, ``text``
- media: ``image.png``, ``image.jpeg``, ``image.gif``, ``image.bmp``, ``image.tiff``, ``image.webp``,
  ``image.ico``, ``media``
- ``empty``, ``binary`` (unknown)
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from enum import StrEnum
from io import BytesIO


class ItemType(StrEnum):
    """The vocabulary above as constants (``Item.type`` holds one; compare with ``==`` or ``in``)."""

    PE = "pe"
    PE_DLL = "pe.dll"
    ELF = "elf"
    MACHO = "macho"
    OLE_DOC = "ole.doc"
    OLE_XLS = "ole.xls"
    OLE_PPT = "ole.ppt"
    OLE_MSG = "ole.msg"
    OLE_HWP = "ole.hwp"
    OLE_ENCRYPTED = "ole.encrypted"
    OLE_MSI = "ole.msi"
    OLE_OTHER = "ole.other"
    OOXML_WORD = "ooxml.word"
    OOXML_EXCEL = "ooxml.excel"
    OOXML_POWERPOINT = "ooxml.powerpoint"
    OOXML_OTHER = "ooxml.other"
    ODF = "odf"
    HWPX = "hwpx"
    JAR = "jar"
    ZIP = "zip"
    RTF = "rtf"
    PDF = "pdf"
    XML_OFFICE = "xml.office"
    MHT = "mht"
    ONENOTE = "onenote"
    CHM = "chm"
    SLK = "slk"
    IQY = "iqy"
    POSTSCRIPT = "postscript"
    LNK = "lnk"
    URL = "url"
    SEVEN_Z = "7z"
    RAR = "rar"
    GZIP = "gzip"
    BZIP2 = "bzip2"
    XZ = "xz"
    ZSTD = "zstd"
    ZLIB = "zlib"
    TAR = "tar"
    CAB = "cab"
    ISO = "iso"
    UDF = "udf"
    VHD = "vhd"
    VHDX = "vhdx"
    IMG_FAT = "img.fat"
    EML = "eml"
    TNEF = "tnef"
    SCRIPT_ENCODED = "script.encoded"
    SCRIPT_HTA = "script.hta"
    SCRIPT_WSF = "script.wsf"
    SCRIPT_PS1 = "script.ps1"
    SCRIPT_BAT = "script.bat"
    SCRIPT_VBS = "script.vbs"
    SCRIPT_JS = "script.js"
    SCRIPT_SH = "script.sh"
    SCRIPT_XSL = "script.xsl"
    DMG = "dmg"
    XAR = "xar"
    CPIO = "cpio"
    APPLESCRIPT = "applescript"
    HTML = "html"
    SVG = "svg"
    XML = "xml"
    TEXT = "text"
    IMAGE_PNG = "image.png"
    IMAGE_JPEG = "image.jpeg"
    IMAGE_GIF = "image.gif"
    IMAGE_BMP = "image.bmp"
    IMAGE_TIFF = "image.tiff"
    IMAGE_WEBP = "image.webp"
    IMAGE_ICO = "image.ico"
    MEDIA = "media"
    EMPTY = "empty"
    BINARY = "binary"


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACHO_MAGICS = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
ONENOTE_GUID = bytes.fromhex("e4525c7b8cd8a74daeb15378d02996d3")
TNEF_MAGIC = b"\x78\x9f\x3e\x22"

#: Types that run code when a user opens them (or hand control to something that does).
EXECUTABLE_TYPES = frozenset(
    {"pe", "pe.dll", "elf", "macho", "lnk", "url", "chm", "onenote", "iqy", "slk"}
    | {"script.encoded", "script.hta", "script.wsf", "script.ps1", "script.bat", "script.vbs", "script.js",
       "script.xsl"}
)
#: macOS carriers: disk images, installer packages (xar) and compiled AppleScript.
MACOS_TYPES = frozenset({"dmg", "xar", "applescript"})

#: Extensions Windows runs (or opens in a host that runs code) on double-click.
RISKY_EXTENSIONS = frozenset(
    (
     "exe", "scr", "com", "pif", "cpl", "dll", "ocx", "sys", "msi", "msp", "msc", "jar", "js", "jse", "vbs",
     "vbe", "wsf", "wsh", "wsc", "hta", "ps1", "psm1", "psd1", "bat", "cmd", "lnk", "url", "chm", "hlp", "reg",
     "inf", "iso", "img", "vhd", "vhdx", "one", "onepkg", "xll", "xla", "xlam", "ppam", "appref-ms",
     "application", "gadget", "settingcontent-ms", "library-ms", "search-ms", "iqy", "slk", "sct", "scf", "ws",
     "ins", "isp",
    )
)

_TEXT_SAMPLE = 8192


def sniff(data: bytes, name: str = "") -> str:
    """Return the content type of ``data`` (see the module docstring)."""
    if not data:
        return "empty"
    head = data[:16]
    if head.startswith(b"MZ"):
        return _pe_kind(data)
    if head.startswith(b"\x7fELF"):
        return "elf"
    if head[:4] in MACHO_MAGICS:
        return "macho"
    if head.startswith(OLE_MAGIC):
        return _ole_kind(data)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if head.startswith(b"{\\rt"):
        return "rtf"
    if head.startswith(ONENOTE_GUID):  # before the loose PDF search: a section may hold a PDF in its first KiB
        return "onenote"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(b"L\x00\x00\x00\x01\x14\x02\x00"):
        return "lnk"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "7z"
    if head.startswith(b"Rar!\x1a\x07"):
        return "rar"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and len(data) > 4 and data[3:4].isdigit():
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    if head.startswith(b"MSCF\x00\x00\x00\x00"):
        return "cab"
    if head.startswith((b"%!PS", b"\xc5\xd0\xd3\xc6")):
        return "postscript"
    if head.startswith(b"ITSF"):
        return "chm"
    if head.startswith(TNEF_MAGIC):
        return "tnef"
    if head.startswith(b"vhdxfile"):
        return "vhdx"
    if head.startswith(b"conectix") or data[-512:].startswith(b"conectix"):
        return "vhd"
    image = _image_kind(head)
    if image:
        return image
    if len(data) > 0x8006 and data[0x8001:0x8006] == b"CD001":
        return "iso"
    if len(data) > 0x8006 and data[0x8001:0x8006] in (b"BEA01", b"NSR02", b"NSR03"):
        return "udf"
    if len(data) > 262 and data[257:262] == b"ustar":
        return "tar"
    if len(data) >= 512 and data[510:512] == b"\x55\xaa" and (b"FAT" in data[0x36:0x3E] or b"FAT32" in data[0x52:0x5A]):
        return "img.fat"
    if head.startswith(b"ActiveMime"):
        return "mht"
    if head.startswith(b"xar!"):
        return "xar"
    if _CPIO_HEADER.match(data) or _CPIO_CUT.fullmatch(data):
        return "cpio"
    if head.startswith(b"FasdUAS"):
        return "applescript"
    if len(data) >= 512 and data[-512:-508] == b"koly":
        return "dmg"
    if _zip_by_eocd(data):
        return _zip_kind(data)
    if _is_zlib(data):
        return "zlib"
    return _text_kind(data)


#: Input inflated to tell a zlib stream from other bytes that happen to start with a valid header.
_ZLIB_PROBE = 4096
_ZLIB_STEP = 64
#: Bytes a damaged stream must have inflated to before its error for it to be taken as zlib.
_ZLIB_DAMAGED = 24


def _inflated_before_error(inflater: zlib._Decompress, piece: bytes) -> int:
    """Bytes ``inflater`` gives from ``piece``, fed one byte at a time, before it fails (a few dozen calls)."""
    out = 0
    for at in range(len(piece)):
        try:
            out += len(inflater.decompress(piece[at:at + 1], _ZLIB_PROBE))
        except zlib.error:
            break
    return out


def _is_zlib(data: bytes) -> bool:
    """A raw zlib stream (RFC 1950): a valid header and a start that inflates.

    Two header bytes are a weak magic (one in 31 pairs with the low nibble 8 checks out, and ``x^`` is
    one), so text that starts with printable header bytes is never taken for zlib, a preset dictionary
    (which nobody mails) is refused, and the first bytes must inflate without error (random bytes do
    not for long); tried last, after every other magic.
    """
    if len(data) < 3:
        return False
    cmf, flg = data[0], data[1]
    if cmf & 0x0F != 8 or cmf >> 4 > 7 or (cmf << 8 | flg) % 31 or flg & 0x20:
        return False
    if 0x20 <= flg < 0x7F and 0x20 <= cmf < 0x7F and is_text(data[:_TEXT_SAMPLE]):
        return False  # "x^2 + y^2" (a stored, level 0 stream of text starts with a control byte: "x\x01")
    inflater = zlib.decompressobj()
    produced = 0
    for at in range(0, min(len(data), _ZLIB_PROBE), _ZLIB_STEP):
        before = inflater.copy()
        try:
            produced += len(inflater.decompress(data[at:at + _ZLIB_STEP], _ZLIB_PROBE))
        except zlib.error as exc:
            # random bytes after a valid header fail within a few symbols (a back reference before any
            # output); a stream that inflated this far first, or to its end and a wrong Adler-32, is one
            # damaged further on (so unchecked).  What the failing piece gave before its error counts too
            produced += _inflated_before_error(before, data[at:at + _ZLIB_STEP])
            return produced >= _ZLIB_DAMAGED or "data check" in str(exc)
        if inflater.eof or produced >= _ZLIB_PROBE:
            break
    return True  # a stream cut short inflates without error up to its end: still zlib (truncated)


#: A cpio member header: odc (``070707`` + 70 octal digits) or newc/crc (``07070[12]`` + 104 hex digits).
_CPIO_HEADER = re.compile(rb"070707[0-7]{70}|07070[12][0-9A-Fa-f]{104}")
#: A cpio whose first header is cut (a file of fewer bytes than one header): still a cpio, one that cannot be read.
_CPIO_CUT = re.compile(rb"070707[0-7]{0,69}|07070[12][0-9A-Fa-f]{0,103}")

#: End of central directory record: signature, then (at +10) entries, (+12) size, (+16) offset.
_EOCD = b"PK\x05\x06"
_EOCD_SEARCH = 65535 + 22


def _zip_by_eocd(data: bytes) -> bool:
    """A zip whose first bytes are damaged or prefixed (stub, junk) but whose directory is whole.

    Zip readers (and Windows Explorer) find a zip by its end-of-central-directory record, not by its
    first bytes; so does this: the record near the end, and a central directory header where the
    record says the directory ends.
    """
    pos = data.rfind(_EOCD, max(0, len(data) - _EOCD_SEARCH))
    if pos < 0 or len(data) < pos + 22:
        return False
    entries = int.from_bytes(data[pos + 10:pos + 12], "little")
    size = int.from_bytes(data[pos + 12:pos + 16], "little")
    start = pos - size
    return entries > 0 and start >= 0 and data[start:start + 4] == b"PK\x01\x02"


def _pe_kind(data: bytes) -> str:
    if len(data) < 0x40:
        return "pe"  # a truncated MZ stub: meant to be run, and named so (mail gateways block these)
    (off,) = struct.unpack_from("<I", data, 0x3C)
    if off + 24 > len(data) or data[off : off + 4] != b"PE\x00\x00":
        # MZ without a PE header: DOS stub or a truncated PE; still an executable for mail purposes
        return "pe"
    (characteristics,) = struct.unpack_from("<H", data, off + 22)
    return "pe.dll" if characteristics & 0x2000 else "pe"


def _ole_kind(data: bytes) -> str:
    # Directory entry names are UTF-16LE; a cheap byte search avoids a full parse here.
    # The analyzers parse properly with olefile.
    def has(name: str) -> bool:
        return name.encode("utf-16-le") in data

    if has("EncryptedPackage") and has("EncryptionInfo"):
        return "ole.encrypted"
    if has("FileHeader") and has("DocInfo") and (has("BodyText") or has("ViewText")):
        return "ole.hwp"
    if has("__substg1.0_"):
        return "ole.msg"
    if has("WordDocument"):
        return "ole.doc"
    if has("Workbook") or has("Book"):
        return "ole.xls"
    if has("PowerPoint Document"):
        return "ole.ppt"
    if data[0x200:].find(b"\x84\x10\x0c\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\x46") != -1:
        return "ole.msi"
    return "ole.other"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            names = set(zf.namelist()[:5000])
            lower = {n.lower() for n in names}
            if "[content_types].xml" in lower:
                if any(n.startswith("word/") for n in lower):
                    return "ooxml.word"
                if any(n.startswith("xl/") for n in lower):
                    return "ooxml.excel"
                if any(n.startswith("ppt/") for n in lower):
                    return "ooxml.powerpoint"
                return "ooxml.other"
            if "mimetype" in names:
                try:
                    mt = zf.read("mimetype")[:100]
                except Exception:
                    mt = b""
                if b"hwp" in mt:
                    return "hwpx"
                if b"opendocument" in mt:
                    return "odf"
            if any(n.startswith("contents/section") for n in lower) and "version.xml" in lower:
                return "hwpx"
            if "meta-inf/manifest.mf" in lower:
                return "jar"
    except Exception:
        pass
    # Plain, damaged or encrypted zip: unpackers decide what they can open.
    if b"[Content_Types].xml" in data[:65536]:
        return "ooxml.other"
    return "zip"


def _image_kind(head: bytes) -> str | None:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image.png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image.jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image.gif"
    if head.startswith(b"BM") and len(head) >= 14:
        return "image.bmp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image.tiff"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image.webp"
    if head.startswith(b"\x00\x00\x01\x00"):
        return "image.ico"
    if head.startswith((b"ID3", b"OggS", b"fLaC")) or head[4:8] in (b"ftyp",):
        return "media"
    return None


_EML_HEADER = re.compile(
    rb"^(?:(?:Return-Path|Received|From|To|Subject|Date|Message-ID|MIME-Version|Delivered-To|X-[\w-]+)"
    rb":[^\n]*\r?\n(?:[ \t][^\n]*\r?\n)*){3,}",
    re.IGNORECASE,
)
#: A line that starts with a living-off-the-land binary in command syntax (a one-line .bat/.cmd stage).
#: Command syntax only (switches, dll,entry), so prose that merely names a tool does not match.
_BAT_LOLBIN_LINE = re.compile(
    rb"^[ \t\r]*@?(?:start\s+(?:\"[^\"]*\"\s+)?)?(?:\"?[a-z]:\\[^\s\"]*\\)?"
    rb"(?:rundll32(?:\.exe)?\s+\S+,|regsvr32(?:\.exe)?\s+/|mshta(?:\.exe)?\s+(?:\"?https?:|vbscript:|javascript:|\S+\.hta)"
    rb"|certutil(?:\.exe)?\s+-|bitsadmin(?:\.exe)?\s+/|schtasks(?:\.exe)?\s+/|msiexec(?:\.exe)?\s+/"
    rb"|powershell(?:\.exe)?\s+(?:-|\$\w+\s*=|[\"']?(?:iex|invoke-)|\w+-\w+\s)|cmd(?:\.exe)?\s+/[ck]\b|[wc]script(?:\.exe)?\s+(?://\S+\s+)*\S+\.(?:vbs|vbe|js|jse|wsf))",
    re.I | re.M,
)
#: HTML that scripts ActiveX/WSH or uses VBScript runs only under mshta (an HTA), never in a browser.
_HTA_ACTIVE = re.compile(
    rb"<\s*hta:application|<\s*script\b[^>]*language\s*=\s*[\"']?vbscript|\bnew\s+ActiveXObject\s*\("
    rb"|\bCreateObject\s*\(\s*[\"']WScript\.Shell|\bGetObject\s*\(\s*[\"']winmgmts:",
    re.I,
)
_HTA_SCAN_BYTES = 1 << 20
#: XSLT with Microsoft script extension blocks (msxsl:script): runs JScript/VBScript under
#: msxsl.exe or ``wmic ... /format:`` (a script carrier named .xsl).
_XSL_NAMESPACE = b"urn:schemas-microsoft-com:xslt"
_XSL_SCRIPT = re.compile(rb"<\s*[\w.-]+:script\b[^>]{0,400}\blanguage\s*=", re.I)

_MARKERS: tuple[tuple[str, re.Pattern[bytes]], ...] = (
    ("script.encoded", re.compile(rb"#@~\^[A-Za-z0-9+/]{6}==")),
    ("script.hta", re.compile(rb"<\s*hta:application", re.I)),
    ("script.wsf", re.compile(rb"<\s*job\b[^>]*>.*?<\s*script\b[^>]*language", re.I | re.S)),
    ("xml.office", re.compile(rb"<\?mso-application\s+progid=\"(?:Word|Excel|PowerPoint)\.|<pkg:package\b", re.I)),
    # Word opens a Single File Web Page (.mht named .doc) with junk lines before its headers and with blanks
    # inside "MIME - Version" (the 2015 Dridex evasion; olevba reads such files the same way)
    ("mht", re.compile(rb"^[ \t]*MIME[ \t]*-[ \t]*Version[ \t]*:[^\n]*\n(?:[^\n]*\n){0,20}?[^\n]*multipart/related"
                       rb"|^[ \t]*Content-Type:[ \t]*multipart/related[^\n]*\n(?:[^\n]*\n){0,20}?[ \t]*MIME[ \t]*-"
                       rb"[ \t]*Version[ \t]*:", re.I | re.M)),
    ("svg", re.compile(rb"<svg\b", re.I)),
    ("html", re.compile(rb"<!doctype\s+html|<html\b|<body\b|<head\b|<script\b|<iframe\b", re.I)),
    ("xml", re.compile(rb"^\s*<\?xml\b")),
    ("script.ps1", re.compile(
        rb"\b(?:Invoke-(?:Expression|WebRequest|RestMethod)|IEX\s*\(|New-Object\s+(?:System\.)?Net\.WebClient"
        rb"|Start-Process|Set-ExecutionPolicy|\$env:[A-Za-z]+|-EncodedCommand|FromBase64String"
        # obfuscated launchers: $VerbosePreference.ToString()[1,3]+'x'-join'' spells iex, so do $ShellId/$PSHome
        rb"|(?:VerbosePreference|ShellId|PSHome|env:ComSpec)\S{0,20}\[\s*\d+\s*,|\[char\]\s*0?x?\d+\s*\+|-bxor\s)",
        re.I)),
    # batch syntax, not English: "set NAME=value", "call :label", "start "" x.exe" (a VBScript "Set o = ..."
    # or a text line "Start with..." must not match)
    ("script.bat", re.compile(
        rb"^\s*@?echo\s+off\b|^\s*@?(?:set(?:\s+/[ap])?\s+\"?[\w.-]+=|setlocal\b[^\n]*$|goto\s+:?\w+\s*$"
        rb"|call\s+(?::\w|\S+\.(?:bat|cmd)\b)|start\s+(?:\"[^\"]*\"|/\w+|\S+\.(?:exe|bat|cmd|vbs|js|hta|lnk)\b))"
        rb"|%~dp0|%COMSPEC%",
        re.I | re.M)),
    ("script.bat", _BAT_LOLBIN_LINE),
    ("script.js", re.compile(
        rb"\bfunction\s+\w*\s*\([^)]*\)\s*\{|\bvar\s+\w+\s*=|\bnew\s+ActiveXObject\s*\(|\bString\.fromCharCode\s*\(")),
    ("script.vbs", re.compile(
        rb"CreateObject\s*\(\s*\"(?:WScript|Scripting|MSXML2|ADODB|Shell)\.|^\s*(?:Dim|Set|Sub|Function)\s+\w+.*$"
        rb"|\bWScript\.(?:Shell|Echo|Sleep)\b|^\s*Execute(?:Global)?\b", re.I | re.M)),
    ("script.js", re.compile(
        rb"\bnew\s+ActiveXObject\s*\(|\bWScript\.CreateObject\s*\(|\beval\s*\(|\bfunction\s+\w+\s*\(|\bvar\s+\w+\s*="
        rb"|String\.fromCharCode\s*\(")),
    ("script.sh", re.compile(rb"^#!\s*/(?:usr/)?bin/(?:env\s+)?(?:ba|z|da)?sh\b")),
)


#: Literals without which a text marker cannot match (each alternative of the pattern contains one;
#: lower case where the pattern ignores case, which for bytes patterns is ASCII-only like bytes.lower).
#: A cheap ``in`` test skips the regex on most text: the script markers are alternations the regex
#: engine tries at every offset (half of sniff's time on mail bodies).
_MARKER_NEEDLES: dict[re.Pattern[bytes], tuple[bytes, ...]] = {
    _MARKERS[1][1]: (b"hta:application",),
    _MARKERS[2][1]: (b"language",),
    _MARKERS[3][1]: (b"<?mso-application", b"<pkg:package"),
    _MARKERS[4][1]: (b"multipart/related",),
    _MARKERS[5][1]: (b"<svg",),
    _MARKERS[6][1]: (b"<!doctype", b"<html", b"<body", b"<head", b"<script", b"<iframe"),
    _MARKERS[8][1]: (b"invoke-", b"iex", b"new-object", b"start-process", b"set-executionpolicy", b"$env:",
                     b"-encodedcommand", b"frombase64string", b"verbosepreference", b"shellid", b"pshome",
                     b"env:comspec", b"[char]", b"-bxor"),
    _MARKERS[9][1]: (b"echo", b"set", b"goto", b"call", b"start", b"%~dp0", b"%comspec%"),
    _BAT_LOLBIN_LINE: (b"rundll32", b"regsvr32", b"mshta", b"certutil", b"bitsadmin", b"schtasks", b"msiexec",
                       b"powershell", b"cmd", b"script"),
    _MARKERS[11][1]: (b"function", b"var", b"ActiveXObject", b"fromCharCode"),
    _MARKERS[12][1]: (b"createobject", b"dim", b"set", b"sub", b"function", b"wscript.", b"execute"),
    _MARKERS[13][1]: (b"ActiveXObject", b"CreateObject", b"eval", b"function", b"var", b"fromCharCode"),
}
if [k for k, p in _MARKERS if p in _MARKER_NEEDLES] != [
    "script.hta", "script.wsf", "xml.office", "mht", "svg", "html",
    "script.ps1", "script.bat", "script.bat", "script.js", "script.vbs", "script.js"
]:  # pragma: no cover - guards edits of _MARKERS
    raise RuntimeError("sniff: _MARKER_NEEDLES no longer matches _MARKERS")


def top_alternatives(pattern: bytes) -> list[bytes]:
    """``pattern`` cut at each ``|`` that stands outside every group and class and is not escaped."""
    out: list[bytes] = []
    depth, in_class, escaped, start = 0, False, False, 0
    for i, byte in enumerate(pattern):
        if escaped:
            escaped = False
        elif byte == 0x5C:  # backslash
            escaped = True
        elif in_class:
            in_class = byte != 0x5D  # "]"
        elif byte == 0x5B:  # "["
            in_class = True
        elif byte == 0x28:  # "("
            depth += 1
        elif byte == 0x29:  # ")"
            depth -= 1
        elif byte == 0x7C and depth == 0:  # "|"
            out.append(pattern[start:i])
            start = i + 1
    out.append(pattern[start:])
    return out


#: The needles of each top-level alternative of a marker (in order; lower case where it ignores case): these
#: markers are searched one alternative at a time, each only where its own needles are.  The alternation is
#: tried at every offset of the sample (0.14-0.25 ms per 8 KB), an alternative alone scans at its own pace
#: (a literal's, a ``^``'s line starts: 0.002-0.05 ms); and prose holds "set", "call", "sub" or "function"
#: (the whole marker's needles) far more often than the rest of an alternative.  Only whether the marker
#: matches is asked, and an alternation matches exactly where one of its alternatives does.
_ALTERNATIVE_NEEDLES: dict[re.Pattern[bytes], tuple[tuple[bytes, ...], ...]] = {
    _MARKERS[9][1]: ((b"echo",), (b"set", b"goto", b"call", b"start"), (b"%~dp0",), (b"%comspec%",)),
    _MARKERS[11][1]: ((b"function",), (b"var",), (b"ActiveXObject",), (b"fromCharCode",)),
    _MARKERS[12][1]: ((b"createobject",), (b"dim", b"set", b"sub", b"function"), (b"wscript.",), (b"execute",)),
    _MARKERS[13][1]: ((b"ActiveXObject",), (b"CreateObject",), (b"eval",), (b"function",), (b"var",),
                      (b"fromCharCode",)),
}


def _alternatives(pattern: re.Pattern[bytes]) -> tuple[tuple[re.Pattern[bytes], tuple[bytes, ...]], ...] | None:
    needles = _ALTERNATIVE_NEEDLES.get(pattern)
    if needles is None:
        return None
    alternatives = top_alternatives(pattern.pattern)
    if b"|".join(alternatives) != pattern.pattern or len(alternatives) != len(needles) \
            or not {n for alt in needles for n in alt} <= set(_MARKER_NEEDLES[pattern]):  # pragma: no cover
        raise RuntimeError(f"sniff: _ALTERNATIVE_NEEDLES no longer matches {pattern.pattern[:40]!r}")
    return tuple((re.compile(alt, pattern.flags), alt_needles) for alt, alt_needles in zip(alternatives, needles,
                                                                                          strict=True))


#: (kind, pattern, its needles or None, whether they are looked for in the lower-cased sample, its alternatives
#: with their needles or None), in order.
_MARKER_PLAN: tuple[tuple[str, re.Pattern[bytes], tuple[bytes, ...] | None, bool,
                          tuple[tuple[re.Pattern[bytes], tuple[bytes, ...]], ...] | None], ...] = tuple(
    (kind, pattern, _MARKER_NEEDLES.get(pattern), bool(pattern.flags & re.IGNORECASE), _alternatives(pattern))
    for kind, pattern in _MARKERS
)

#: C0 controls that do not occur in text (tab, LF, FF, CR and ESC do).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def is_text(sample: bytes) -> bool:
    """True if ``sample`` looks like text in some common encoding (no NULs, mostly printable)."""
    if not sample:
        return True
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in sample:
        return False
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return control <= len(sample) // 100


def _text_kind(data: bytes) -> str:
    sample = data[:_TEXT_SAMPLE]
    if sample.startswith(b"\xef\xbb\xbf"):
        sample = sample[3:]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            sample = sample.decode("utf-16").encode("utf-8", "replace")
        except UnicodeDecodeError:
            return "binary"
    if not is_text(sample):
        return "binary"
    stripped = sample.lstrip()
    if re.match(rb"(?i)\[(?:\{[0-9a-f-]+\}|internetshortcut)\]", stripped):
        return "url"
    if stripped.startswith(b"WEB\r\n1") or stripped.startswith(b"WEB\n1"):
        return "iqy"
    if stripped.startswith(b"ID;P"):
        return "slk"
    if _EML_HEADER.match(sample):
        return "eml"
    if stripped.startswith(b"From ") and _EML_HEADER.match(stripped[stripped.find(b"\n") + 1:]):
        return "eml"  # an mbox file, or a message saved with its mbox "From " separator line
    if _XSL_NAMESPACE in sample and _XSL_SCRIPT.search(data, 0, _HTA_SCAN_BYTES):
        return "script.xsl"
    lowered: bytes | None = None
    for kind, pattern, needles, ignorecase, alternatives in _MARKER_PLAN:
        hay = sample
        if needles is not None:
            if ignorecase:
                lowered = sample.lower() if lowered is None else lowered
                hay = lowered
            for needle in needles:
                if needle in hay:
                    break
            else:
                continue
        if alternatives is not None:
            matched = any(any(n in hay for n in alt_needles) and alt.search(sample) is not None
                          for alt, alt_needles in alternatives)
        else:
            matched = pattern.search(sample) is not None
        if matched:
            if kind == "html" and _HTA_ACTIVE.search(data, 0, _HTA_SCAN_BYTES):
                return "script.hta"
            return kind
    return "text"


# -- is an OLE compound file whole? -------------------------------------------------------------------------
_ENDOFCHAIN, _FREESECT = 0xFFFFFFFE, 0xFFFFFFFF
#: Sector walks at most, per file (each a few operations): past it the question is left to the parsers.
_OLE_MAX_STEPS = 1 << 20


def ole_damage(data: bytes) -> str:
    """Why an OLE compound file (MS-CFB) is not whole, "" when every sector it uses is there.

    olefile and the libraries on it (olevba, extract-msg) read a file cut short quietly: a stream whose
    sectors lie past the end comes out short or empty, a directory cut in the middle lists fewer entries.
    So the header's FAT, the directory chain, the MiniFAT and every stream of the directory (the mini
    stream in the root entry) are followed here, and a sector past the end of the file, or a chain shorter
    than its stream's size, is the answer.  A header this reader does not understand gives "" (the parsers
    judge it).  Bounded: ``_OLE_MAX_STEPS`` sector steps, each chain stops at its own length.
    """
    if len(data) < 512 or not data.startswith(OLE_MAGIC):
        return "the OLE header is cut" if data.startswith(b"\xd0\xcf\x11\xe0") else ""
    (shift,) = struct.unpack_from("<H", data, 30)
    if shift not in (9, 12):
        return ""
    size = 1 << shift
    n_fat, first_dir = struct.unpack_from("<II", data, 44)
    (cutoff, first_minifat, n_minifat, first_difat, n_difat) = struct.unpack_from("<IIIII", data, 56)
    present = (len(data) - 512 + size - 1) // size  # sectors that start inside the file

    def sector(index: int) -> bytes:
        return data[512 + index * size : 512 + (index + 1) * size]

    fat_sectors = list(struct.unpack_from("<109I", data, 76))
    sect, steps = first_difat, 0
    while sect not in (_ENDOFCHAIN, _FREESECT) and steps < min(n_difat, 1 << 16):
        if sect >= present:
            return f"DIFAT sector {sect} lies past the end of the file"
        words = struct.unpack(f"<{size // 4}I", sector(sect).ljust(size, b"\xff"))
        fat_sectors += words[:-1]
        sect, steps = words[-1], steps + 1
    fat_sectors = [s for s in fat_sectors[:n_fat] if s not in (_ENDOFCHAIN, _FREESECT)]
    fat: list[int] = []
    for sect in fat_sectors:
        if sect >= present:
            return f"FAT sector {sect} lies past the end of the file"
        fat += struct.unpack(f"<{size // 4}I", sector(sect).ljust(size, b"\xff"))
    budget = [_OLE_MAX_STEPS]

    def walk(start: int, what: str, need: int | None = None) -> tuple[list[int], str]:
        chain: list[int] = []
        sect = start
        while sect not in (_ENDOFCHAIN, _FREESECT) and len(chain) <= len(fat):
            budget[0] -= 1
            if budget[0] <= 0 or (need is not None and len(chain) * size >= need):
                return chain, ""
            if sect >= present:
                return chain, f"{what}: sector {sect} lies past the end of the file"
            if sect >= len(fat):
                return chain, ""  # a sector the FAT does not describe: olefile's own defect
            chain.append(sect)
            sect = fat[sect]
        if need is not None and len(chain) * size < need:
            return chain, f"{what}: {need} bytes declared, {len(chain) * size} in its sector chain"
        if need is not None and chain:  # the last sector may be the file's last, cut in the middle
            last = 512 + chain[-1] * size + (need - (len(chain) - 1) * size)
            if last > len(data):
                return chain, f"{what}: its last sector ends {last - len(data)} bytes past the end of the file"
        return chain, ""

    dir_chain, why = walk(first_dir, "the directory")
    if why:
        return why
    if dir_chain and 512 + (max(dir_chain) + 1) * size > len(data):  # entries cut: streams lost with them
        return "the directory: its last sector is cut"
    if n_minifat:
        _chain, why = walk(first_minifat, "the MiniFAT", n_minifat * size)
        if why:
            return why
    for sect in dir_chain[:4096]:
        block = sector(sect)
        for off in range(0, len(block) - 127, 128):
            kind = block[off + 66]
            start, low = struct.unpack_from("<II", block, off + 116)
            stream_size = low if size == 512 else struct.unpack_from("<Q", block, off + 120)[0]
            if kind == 5 or (kind == 2 and stream_size >= cutoff):
                name = "the root entry" if kind == 5 else "a stream"
                _chain, why = walk(start, name, stream_size) if stream_size else ([], "")
                if why:
                    return why
            if budget[0] <= 0:
                return ""
    return ""
