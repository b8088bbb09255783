"""PDF documents, read with pypdf (objects resolved, streams and object streams decompressed).

Looks at every object the cross-reference tables list, including those packed in
object streams where a byte-regex scanner would see only deflated noise: JavaScript
actions, actions that run on open (``/OpenAction``, ``/AA``) with JavaScript or
``/Launch``, embedded files (each handed back as a child Item under its own name), URI
and remote-go-to actions aimed at raw IP addresses or ``file:``/UNC paths (NTLM hash
theft, WebDAV payloads), XFA forms and encryption.  The first pages' text becomes a
text child for the lure analyzers.

A PDF without its tail (no ``%%EOF``, ``startxref`` or trailer: a download or a mail client cut
the last bytes) still opens in every reader, which rebuild the cross-reference from the
``N G obj`` headers.  pypdf gives up on it, so :func:`open_pdf` does what the readers do: it
appends a trailer and a ``startxref 0`` that makes pypdf rebuild the table from the objects, and
reads that (``pdf.repaired``: the whole file was read).  A PDF that even so has no document
catalog, or whose objects cannot all be read (a file cut inside a stream), is a ``pdf.parse_error``:
what is missing may hold anything, so the verdict is ``unchecked``, never clean.
"""

from __future__ import annotations

import io
import ipaddress
import logging
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlsplit

from pypdf import PdfReader
from pypdf import __version__ as pypdf_version
from pypdf import _text_extraction as pypdf_text
from pypdf._text_extraction import _text_extractor as pypdf_extractor
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject
from pypdf.generic import _data_structures as pypdf_structures
from pypdf.generic import _utils as pypdf_utils
from pypdf.generic._font import Font as PdfFont

from coinguard.analyzers.urls_common import url_item
from coinguard.errors import BudgetExceeded
from coinguard.findings import Category, CodeInfo, Finding, Item, Role, Strength
from coinguard.handlers import AnalysisContext, text_item

log = logging.getLogger(__name__)
# pypdf logs a warning for every repair it makes on a damaged or hostile file ("Object 3 0 found",
# "incorrect startxref pointer"): attacker-controlled volume in the daemon log.  Damage that
# matters is reported as pdf.parse_error instead.
logging.getLogger("pypdf").setLevel(logging.ERROR)

#: How far ahead :func:`_read_literal_string` looks for a literal string's end.
_STRING_PEEK = 256
_pypdf_read_string = pypdf_utils.read_string_from_stream


def _read_literal_string(stream: Any, forced_encoding: Any = None) -> Any:
    """pypdf's ``read_string_from_stream`` (a ``(literal)`` string of a content stream or an object), its
    common case at C speed: the string ends within :data:`_STRING_PEEK` bytes and holds no backslash and
    no nested parenthesis, so its bytes are those up to the first ``)`` -- exactly what pypdf's byte-by-byte
    loop collects (a third of text extraction's time).  Any other string goes to pypdf's own reader
    from its start, so escapes, nesting and a stream that ends inside the string behave as before."""
    start = stream.tell()
    head = stream.read(_STRING_PEEK)
    end = head.find(b")", 1)
    if end > 0:
        body = head[1:end]
        if b"(" not in body and b"\\" not in body:
            stream.seek(start + end + 1)
            return pypdf_utils.create_string_object(body, forced_encoding)
    stream.seek(start)
    return _pypdf_read_string(stream, forced_encoding)


_pypdf_text_operands = pypdf_text.get_text_operands
_pypdf_text_width = PdfFont.get_text_width


def _text_operands(operands: Any, cm_matrix: Any, tm_matrix: Any, font: Any, orientations: Any) -> Any:
    """pypdf 7.1's ``get_text_operands`` (the text and width of a ``Tj``/``TJ`` string) for its common case, a
    byte string in a simple font (a dict encoding), with the two per-byte generator expressions done by
    ``map`` and a latin-1 decode (the same characters: ``encoding.get(b, chr(b))``, ``chr(b)``); the widths are
    summed by the same loop in the same order.  Every other case is pypdf's own function."""
    encoding = getattr(font, "encoding", None)
    if not operands or type(encoding) is not dict or not isinstance(operands[0], bytes):
        return _pypdf_text_operands(operands, cm_matrix, tm_matrix, font, orientations)
    if pypdf_text.orient(pypdf_text.mult(tm_matrix, cm_matrix)) not in orientations:
        return "", False, 0.0
    tt = operands[0]
    raw_characters = tt.decode("latin-1")
    text = "".join(map(encoding.get, tt, raw_characters))
    widths = 0.0
    width_cache: dict[str, float] = {}
    space_char, space_width = font.space_char, font.space_width
    # Font.get_text_width(char) is sum([widths.get(char, widths["default"])], 0.0), that is 0.0 + the width
    inline = type(font).get_text_width is _pypdf_text_width
    char_widths = font.character_widths if inline else {}
    for char in raw_characters or text:
        if char == space_char:
            widths += space_width
        else:
            if char not in width_cache:
                width_cache[char] = (0.0 + char_widths.get(char, char_widths["default"]) if inline
                                     else font.get_text_width(char))
            widths += width_cache[char]
    return text, False, widths


# read_object (pypdf.generic._data_structures) reads every literal string of a content stream or object
# through its module's name; replaced only when it is the reader this was written against.
if getattr(pypdf_structures, "read_string_from_stream", None) is _pypdf_read_string:
    pypdf_structures.read_string_from_stream = _read_literal_string
# the text extractor calls get_text_operands by the name it imported; its body is pypdf 7.1's
if pypdf_version.startswith("7.1.") and getattr(pypdf_extractor, "get_text_operands", None) is _pypdf_text_operands:
    pypdf_extractor.get_text_operands = _text_operands

#: The text-showing operators (PDF 32000-1, 9.4.3) and the operand index of what each shows.
_SHOW_OPERATORS = {b"Tj": 0, b"'": 0, b'"': 2, b"TJ": 0}


def _shown_strings(page: Any) -> str:
    """The strings a page's content stream shows (``Tj``, ``'``, ``"``, ``TJ``), read as they are.

    pypdf's extraction gives nothing for a string drawn in a font the page's resources do not hold (a lure
    PDF stripped of its ``/Font`` still shows its words: viewers substitute a font), so a page it reads as
    empty is read again from its text operators; a scanned page (images only) has none and stays empty.
    Bounded by :data:`MAX_TEXT_CHARS`."""
    try:
        contents = page.get_contents()
        # (the operators are parsed only when one of them is there: a scanned page's stream is not read twice)
        shows = contents is not None and any(op in contents.get_data() for op in _SHOW_OPERATORS)
        operations = contents.operations if shows else []
    except Exception as exc:  # a broken content stream shows nothing we can read
        log.debug("pdf content stream not read: %r", exc)
        return ""
    out: list[str] = []
    total = 0
    for operands, operator in operations:
        at = _SHOW_OPERATORS.get(operator)
        if at is None or len(operands) <= at:
            continue
        shown = operands[at]
        pieces = shown if isinstance(shown, list) else [shown]
        text = "".join(p if isinstance(p, str) else p.decode("latin-1") if isinstance(p, bytes) else ""
                       for p in pieces)
        out.append(text)
        total += len(text)
        if total >= MAX_TEXT_CHARS:
            break
    return " ".join(out)


A = Category.ATTACHMENT

#: Most objects inspected in one PDF (a hostile file may declare millions).
MAX_OBJECTS = 20_000
#: Pages whose text is extracted, and the most characters kept.
MAX_TEXT_PAGES = 10
MAX_TEXT_CHARS = 100_000
#: Most bytes of JavaScript kept per script (for the detail and the child item).
MAX_JS_BYTES = 256 * 1024
MAX_DEPTH = 24
#: Most candidate passwords (from the message body) tried on an encrypted PDF.
MAX_PASSWORDS = 30
#: A "click here" lure: few pages, little text, an external link and account/credential wording.
LURE_MAX_PAGES = 3
LURE_MAX_CHARS = 4000
_LURE_TERMS = re.compile(
    r"\b(?:account|verify|verification|confirm|locked|suspend(?:ed)?|unusual activity|sign[ -]?in|log[ -]?in|password"
    r"|unlock|expire[sd]?|update your|secure (?:my|your)|wallet|seed phrase|recovery phrase|credentials"
    # Spanish, Portuguese, French, German, Italian
    r"|cuenta|contraseña|iniciar sesión|verificar|confirmar|conta|senha|compte|mot de passe|identifiant|vérifier"
    r"|konto|passwort|kennwort|anmelden|bestätigen|verifizieren|accedi|verifica)\b"
    r"|계정|인증|로그인|비밀번호|잠금|정지|지갑|본인 ?확인|アカウント|ログイン|パスワード|ロック|停止|検証|認証",
    re.I,
)
#: Link targets appended to the text child (lookalike-domain and lure analyzers read them there).
MAX_LINKS = 100
#: Account-pressure wording: what turns "log in to your account" into "your account is locked, verify now".
_PRESSURE_TERMS = re.compile(
    r"\b(?:locked|suspend(?:ed)?|unusual activity|suspicious activity|expire[sd]?|unlock|disabled|restricted"
    r"|deactivat(?:ed|ion)|limited|suspendid[ao]|bloquead[ao]|restringid[ao]|inusual|suspens[ao]|suspendu[e]?"
    r"|bloqué[e]?|verrouillé[e]?|inhabituelle|gesperrt|eingeschränkt|ungewöhnliche|bloccat[oa]|sospes[oa])\b"
    r"|잠금|정지|제한|ロック|停止|制限|失効",
    re.I,
)
#: The record of a sign-in that a fake security alert shows ("IP address: 93.188.160.176, Operating system:
#: Linux, Country: Belgium"): a dotted IPv4 address, and a device or place field written as "label:" in one of
#: the languages of the lure list.  Services report sign-ins in their own mail or app, never in an attached PDF.
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\d.])")
_SIGNIN_FIELD = re.compile(
    r"(?i)(?:\b(?:operating[ \t]+system|OS|browser|device|platform|location|country|region|city"
    r"|sistema[ \t]+operativo|sistema[ \t]+operacional|navegador|dispositivo|ubicaci[oó]n|localiza[cç][aã]o|pa[ií]s"
    r"|syst[eè]me[ \t]+d.exploitation|navigateur|appareil|emplacement|pays|betriebssystem|ger[aä]t|standort"
    r"|posizione|paese|besturingssysteem|apparaat|locatie)\b"
    r"|オペレーティング[ \t\u3000]*システム|ブラウザ|デバイス|端末|場所|カントリー|地域|位置|国"
    r"|운영[ \t]*체제|브라우저|기기|장치|위치|국가|操作系统|浏览器|设备|国家|地区)[ \t\u3000]*[:：]"
)
#: Form fields that ask for a secret (their name or tooltip), and the text field flag for a password (ISO 32000
#: 12.7.4.3, bit 14).  A PIN is left out: in India a "PIN code" is the postal code.
_PASSWORD_FIELD = re.compile(
    r"(?i)pass(?:word|wd|code)|\bpwd\b|passwort|kennwort|contrase[ñn]a|\bsenha|mot[ _-]?de[ _-]?passe"
    r"|パスワード|비밀번호|密码|密碼")
_WALLET_FIELD = re.compile(
    r"(?i)\bseed|mnemonic|(?:recovery|secret|backup)[ _-]?(?:phrase|words?)|private[ _-]?key|keystore"
    r"|니모닉|복구[ ]?구문|助记词|助記詞|秘密鍵|シードフレーズ|リカバリーフレーズ")
PASSWORD_FLAG = 1 << 13
MAX_FORM_FIELDS = 200
_WEB_TARGET = re.compile(r"(?i)^\s*https?://")
#: A form submitted from JavaScript: ``this.submitForm("https://...")`` or ``submitForm({cURL: "https://..."})``.
_JS_SUBMIT = re.compile(r"""submitForm\s*\(\s*(?:\{[^{}]{0,400}?\bcURL\s*:\s*)?["'](https?://[^"'\s]{1,300})""")
#: A click-through page: one external link annotation covering this share of a page, little text beside it.
CLICK_THROUGH_SHARE = 0.3
CLICK_THROUGH_CHARS = 400
#: Annotations looked at per page for it.
MAX_PAGE_ANNOTS = 200
#: An object header ("12 0 obj"): what a reader's repair scan looks for.
_OBJ_HEADER = re.compile(rb"(?<![0-9])([0-9]{1,7})[ \t\r\n\f\x00]+[0-9]{1,5}[ \t\r\n\f\x00]+obj(?![A-Za-z])")
_REFERENCE = re.compile(rb"(?<![0-9])([0-9]{1,7})[ \t\r\n\f\x00]+[0-9]{1,5}[ \t\r\n\f\x00]+R(?![A-Za-z0-9])")
#: URL paths that download something that runs, installs, mounts or unpacks.
_DOWNLOAD_PATH = re.compile(
    r"(?i)\.(?:exe|scr|com|pif|cpl|dll|msi|msix|appx|jar|js|jse|vbs|vbe|wsf|hta|ps1|bat|cmd|lnk|url|iso|img|vhdx?"
    r"|zip|rar|7z|cab|gz|tgz|ace|arj|dmg|pkg|apk|one|chm|xll|iqy|library-ms|search-ms)$"
)


@dataclass
class _Scan:
    """What one walk over a PDF found (mutable, local to one analyze call)."""

    javascript: list[str] = field(default_factory=list)
    launch: list[str] = field(default_factory=list)
    auto: list[str] = field(default_factory=list)
    uri_ip: list[str] = field(default_factory=list)
    uri_unc: list[str] = field(default_factory=list)
    xfa: bool = False
    secret_fields: list[tuple[str, bool]] = field(default_factory=list)  # (field name, a wallet secret)
    submits: list[str] = field(default_factory=list)  # web targets of SubmitForm actions
    files: list[tuple[str, Any]] = field(default_factory=list)  # (name, embedded file stream)
    seen_files: set[int] = field(default_factory=set)
    scripts: list[bytes] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # every URI target, for the text child
    objects: int = 0  # objects the cross-reference lists (looked at, up to MAX_OBJECTS)
    unreadable: list[str] = field(default_factory=list)  # "12 0: why", objects pypdf could not read
    cut: bool = False  # an unreadable object runs to the end of the file

    def unreadable_summary(self) -> str:
        if not self.unreadable:
            return ""
        return f"{len(self.unreadable)} of {self.objects} objects unreadable: " + "; ".join(self.unreadable[:3])


def rebuilt_tail(data: bytes) -> bytes:
    """``data`` with a trailer sized to its objects and a ``startxref 0`` that makes pypdf rebuild the xref.

    A trailer already in the file (``/Root``, ``/Info``, ``/Encrypt``) still counts: pypdf merges the
    trailers it finds, this one only adds ``/Size`` so that the catalog search covers every object.
    """
    numbers = (int(m.group(1)) for m in _OBJ_HEADER.finditer(data))
    size = min(max(numbers, default=0) + 1, MAX_OBJECTS * 50)
    return data + b"\ntrailer\n<< /Size %d >>\nstartxref\n0\n%%%%EOF\n" % size


def open_pdf(data: bytes) -> tuple[PdfReader, str]:
    """A reader over ``data``, and why it needed repair ('' when pypdf read it as it is).

    Raises the first parse error when the rebuilt file does not parse either.
    """
    try:
        return PdfReader(io.BytesIO(data), strict=False), ""
    except BudgetExceeded:
        raise
    except Exception as first:
        try:
            reader = PdfReader(io.BytesIO(rebuilt_tail(data)), strict=False)
        except BudgetExceeded:
            raise
        except Exception:
            raise first from None
        tail = data[-2048:]
        missing = [w.decode() for w in (b"%%EOF", b"startxref", b"trailer") if w not in tail]
        return reader, ("no " + ", ".join(missing)) if missing else f"{type(first).__name__}: {first}"


def open_object_at_end(data: bytes) -> bool:
    """Whether ``data`` ends inside an indirect object: an object header after its last ``endobj`` (or one
    with no ``endobj`` at all).  A file without its tail is rebuilt from its objects, and pypdf reads a
    dictionary or string the file ends in as if it were whole; such an object was not read in full."""
    last = data.rfind(b"endobj")
    return _OBJ_HEADER.search(data, last + 6 if last >= 0 else 0) is not None


def missing_referenced(data: bytes, reader: PdfReader) -> list[int]:
    """Object numbers ``data`` refers to (``N G R``) that no object header or object stream holds.

    Asked only of a file without its tail: cut between two objects, it has no object open at its end,
    yet the objects after the cut are gone, and the ones before still point at them (the catalog at its
    pages, a name tree at its embedded files).  Bounded: one pass of each pattern over the file.
    """
    present = {int(m.group(1)) for m in _OBJ_HEADER.finditer(data)} | set(reader.xref_objStm)
    return sorted({int(m.group(1)) for m in _REFERENCE.finditer(data)} - present - {0})


def _catalog_problem(reader: PdfReader) -> str:
    """Why no reader can show this PDF ('' when it has a document catalog)."""
    try:
        root = reader.root_object
    except BudgetExceeded:
        raise
    except Exception as exc:
        return f"no document catalog ({type(exc).__name__}: {exc})"
    return "" if isinstance(root, DictionaryObject) else "no document catalog"


def _text(value: Any) -> str:
    """A PDF string/name/stream as text (bounded)."""
    value = _resolve(value)
    if isinstance(value, StreamObject):
        try:
            data = value.get_data()[:MAX_JS_BYTES]
        except Exception:
            return ""
        return data.decode("utf-8", "replace") if not data.startswith(b"\xfe\xff") else data.decode("utf-16", "replace")
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return str(value) if value is not None else ""


def _resolve(value: Any) -> Any:
    try:
        return value.get_object() if isinstance(value, IndirectObject) else value
    except Exception:
        return None


def classify_uri(uri: str) -> str:
    """'ip', 'unc' or '' for a link target."""
    u = uri.strip()
    if u.startswith(("\\\\", "//")) or u.lower().startswith("file:"):
        return "unc"
    try:
        host = urlsplit(u).hostname or ""
    except ValueError:
        return ""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return ""
    return "ip"


def lure_terms(text: str) -> list[str]:
    """Distinct account/credential lure words in ``text`` (lower case, first-seen order)."""
    return list(dict.fromkeys(m.group(0).lower() for m in _LURE_TERMS.finditer(text)))


def submit_targets(scan: _Scan) -> list[str]:
    """The web addresses the PDF's forms are submitted to (SubmitForm actions, ``submitForm`` in its scripts)."""
    scripted = [m.group(1) for code in scan.scripts for m in _JS_SUBMIT.finditer(code.decode("utf-8", "replace"))]
    return list(dict.fromkeys(scan.submits + scripted))[:MAX_FORM_FIELDS]


def secret_field(field: DictionaryObject) -> tuple[str, bool] | None:
    """(name, is a wallet secret) of a text field that asks for a password or a wallet secret, else None:
    its Password flag (what the reader types is shown as dots), or its name or tooltip."""
    name = " ".join(_text(field.get(k)) for k in ("/T", "/TU", "/TM")).strip()
    wallet = bool(_WALLET_FIELD.search(name))
    try:
        flags = int(_resolve(field.get("/Ff")) or 0)
    except (TypeError, ValueError):
        flags = 0
    if wallet or flags & PASSWORD_FLAG or _PASSWORD_FIELD.search(name):
        return (name or "(unnamed)")[:60], wallet
    return None


def signin_record(text: str) -> str:
    """The sign-in record a fake security alert shows ('' when the text has none): an IPv4 address and a
    device/place field (``_SIGNIN_FIELD``)."""
    ip = _IPV4.search(text)
    fields = list(dict.fromkeys(" ".join(m.group(0).rstrip(":：").split()) for m in _SIGNIN_FIELD.finditer(text)))
    if ip is None or not fields:
        return ""
    return f"sign-in record: IP {ip.group(0)}, {', '.join(fields[:4])}"


def bounded(urls: list[str], count: int = 3) -> str:
    return ", ".join(u[:120] for u in urls[:count]) + (f" (+{len(urls) - count})" if len(urls) > count else "")


def _url_path(url: str) -> str:
    try:
        return urlsplit(url.strip()).path
    except ValueError:
        return ""


def _largest_link(reader: PdfReader) -> tuple[float, str]:
    """The largest share of a page one external /URI link annotation covers, and its target (first pages)."""
    best: tuple[float, str] = (0.0, "")
    try:
        for n, page in enumerate(reader.pages):
            if n >= LURE_MAX_PAGES:
                break
            box = page.mediabox
            area = abs(float(box.width) * float(box.height))
            annots = _resolve(page.get("/Annots"))
            if area <= 0 or not isinstance(annots, ArrayObject):
                continue
            for ref in annots[:MAX_PAGE_ANNOTS]:
                annot = _resolve(ref)
                if not isinstance(annot, DictionaryObject) or annot.get("/Subtype") != "/Link":
                    continue
                act = _resolve(annot.get("/A"))
                uri = _text(act.get("/URI")) if isinstance(act, DictionaryObject) else ""
                rect = _resolve(annot.get("/Rect"))
                web = uri.lower().startswith(("http://", "https://"))
                if not web or not isinstance(rect, ArrayObject) or len(rect) != 4:
                    continue
                x0, y0, x1, y1 = (float(_resolve(v)) for v in rect)
                share = min(abs(x1 - x0) * abs(y1 - y0) / area, 1.0)
                if share > best[0]:
                    best = (share, uri)
    except Exception as exc:  # a damaged page tree: the other checks stand
        log.debug("pdf link areas unreadable: %r", exc)
    return best


def _file_spec_target(value: Any) -> str:
    value = _resolve(value)
    if isinstance(value, DictionaryObject):
        return _text(value.get("/UF") or value.get("/F") or value.get("/DOS") or value.get("/Unix"))
    return _text(value)


class PdfAnalyzer:
    name: ClassVar[str] = "pdf"
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("pdf.javascript", 6.0, A, "JavaScript in the PDF (/JS, /JavaScript actions or name tree)",
                 strength=Strength.STRONG),
        CodeInfo("pdf.autoaction", 6.0, A, "an action run on open or on an event (/OpenAction, /AA) runs JavaScript,"
                 " Launch or a remote link", strength=Strength.STRONG),
        CodeInfo("pdf.launch", 10.0, A, "a /Launch action that starts a program or opens a file",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("pdf.embedded_file", 3.0, A, "a file embedded in the PDF (extracted and analyzed)",
                 strength=Strength.WEAK),
        CodeInfo("pdf.uri_ip", 4.0, A, "a link or action to a raw IP address", strength=Strength.WEAK),
        CodeInfo("pdf.uri_unc", 8.0, A, "a link or action to a file: URL or UNC share (NTLM theft, remote payload)",
                 strength=Strength.STRONG),
        CodeInfo("pdf.link_lure", 5.0, A,
                 "a short PDF whose text asks to log in/verify an account next to an external link (phishing lure)",
                 strength=Strength.WEAK),
        CodeInfo("pdf.credential_lure", 8.0, A,
                 "a short PDF that says the reader's account is locked, suspended or expiring and asks to sign "
                 "in/verify through an external link (credential phishing carrier)", strength=Strength.STRONG),
        CodeInfo("pdf.signin_alert", 6.0, A,
                 "a PDF credential lure dressed as a security alert: it shows the record of a sign-in (an IP "
                 "address with the device, system or country) next to the locked-account link -- services report "
                 "sign-ins in their own mail or app, phishing kits render this page into PDFs",
                 strength=Strength.STRONG),
        CodeInfo("pdf.credential_form", 8.0, A,
                 "a PDF form with a password field (flagged as one, or named so) that submits what is typed to a "
                 "web address; conclusive when the field asks for a wallet's recovery phrase or private key",
                 strength=Strength.STRONG),
        CodeInfo("pdf.click_through", 8.0, A,
                 "a short PDF whose page is mostly one clickable link to an external site (a picture of a "
                 "document or a big 'View document' button: the PDF only carries the click)",
                 strength=Strength.STRONG),
        CodeInfo("pdf.link_download", 10.0, A,
                 "a short PDF linking to the download of an executable, script, shortcut, installer, disk image "
                 "or archive (the lure's payload is one click away)", strength=Strength.STRONG),
        CodeInfo("pdf.xfa", 2.0, A, "an XFA form (scriptable XML forms)", strength=Strength.WEAK),
        CodeInfo("pdf.encrypted", 1.0, A, "an encrypted PDF (informational)"),
        CodeInfo("pdf.encrypted_unopened", 1.0, A,
                 "an encrypted PDF that neither the empty password nor a password from the message opened: its "
                 "strings and streams (scripts, text, embedded files) were not read (verdict unchecked)",
                 strength=Strength.WEAK),
        CodeInfo("pdf.password_in_message", 3.0, A,
                 "an encrypted PDF whose password is written in the message (hides content from scanners)",
                 strength=Strength.WEAK),
        CodeInfo("pdf.repaired", 0.0, A,
                 "informational: the PDF lacks its end (%%EOF, startxref or trailer), as a cut download does; "
                 "its cross-reference was rebuilt from the objects, as PDF readers do, and it was read in full",
                 incomplete=False),
        CodeInfo("pdf.parse_error", 1.0, A,
                 "the PDF could not be read in full (no document catalog, objects or streams cut or unreadable,"
                 " even after rebuilding its cross-reference): verdict unchecked"),
    )

    def applies_to(self, item: Item) -> bool:
        return item.type == "pdf"

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                reader, repair = open_pdf(item.data)
            except BudgetExceeded:
                raise
            except Exception as exc:
                yield Finding("pdf.parse_error", self.name, item.path, f"{type(exc).__name__}: {exc}")
                return
            locked = False
            if reader.is_encrypted:
                how = self._decrypt(reader, item, ctx)
                yield Finding("pdf.encrypted", self.name, item.path, how)
                if "candidate" in how and "no candidate" not in how:
                    # the sender shipped the key with the lock: only scanners are kept out
                    yield Finding("pdf.password_in_message", self.name, item.path, how)
                locked = "opened with" not in how
                if locked:
                    yield Finding("pdf.encrypted_unopened", self.name, item.path, how)
            scan = _Scan()
            try:
                self._walk(reader, scan, ctx)
            except BudgetExceeded:
                raise
            except Exception as exc:  # pypdf on hostile input: keep what was found so far
                yield Finding("pdf.parse_error", self.name, item.path, f"{type(exc).__name__}: {exc}")
            problems = [p for p in (_catalog_problem(reader), scan.unreadable_summary()) if p] if not locked else []
            if repair and not locked and open_object_at_end(item.data):
                scan.cut = True
                problems.append("the last object has no endobj")
            elif repair and not locked:
                missing = missing_referenced(item.data, reader)
                if missing:  # cut between objects: those after the cut are gone
                    scan.cut = True
                    problems.append(f"{len(missing)} referenced object(s) missing: "
                                    + ", ".join(str(n) for n in missing[:5]))
            if problems:
                # a reader shows nothing, or less than the file holds: what is missing was not read
                cut = "the file ends inside an object (truncated); " if scan.cut else ""
                rebuilt = f" (after rebuilding the cross-reference: {repair})" if repair else ""
                yield Finding("pdf.parse_error", self.name, item.path, cut + "; ".join(problems) + rebuilt)
            elif repair:
                yield Finding("pdf.repaired", self.name, item.path,
                              f"cross-reference rebuilt from the objects: {repair}")
            yield from self._report(item, scan, ctx)
            text = self._page_text(reader, ctx)
            pages = self._page_count(reader)
            covered = _largest_link(reader) if pages <= LURE_MAX_PAGES else (0.0, "")
        yield from self._lures(item, scan, text, pages, covered)
        if scan.links:
            # the link targets go with the text: the lure analyzers read them there, and the message's
            # link analyzers (links, brands) find them in the child's meta (urls_common.message_urls)
            text = f"{text}\n\nLinks:\n" + "\n".join(scan.links)
            yield url_item(item, scan.links, source=self.name, where="PDF link", label="pdf-text", text=text)
        elif text:
            yield text_item(item, text, self.name, "pdf-text")

    def _lures(self, item: Item, scan: _Scan, text: str, pages: int,
               covered: tuple[float, str]) -> Iterator[Finding]:
        """A short PDF that exists to carry one click: credential wording, a page-sized link, a payload link."""
        # a form's submit address is where a lure sends the reader's answers, as a link is where it sends the reader
        external = [u for u in scan.links if u.lower().startswith(("http://", "https://"))] + submit_targets(scan)
        if not external or pages > LURE_MAX_PAGES or len(text) > LURE_MAX_CHARS:
            return
        downloads = [u for u in external if _DOWNLOAD_PATH.search(_url_path(u))]
        if downloads:
            yield Finding("pdf.link_download", self.name, item.path, f"link to {bounded(downloads)}")
        lure = lure_terms(text)
        pressure = list(dict.fromkeys(m.group(0).lower() for m in _PRESSURE_TERMS.finditer(text)))
        if len(lure) >= 2 and pressure:
            yield Finding("pdf.credential_lure", self.name, item.path,
                          f"{', '.join(lure[:5])} ({', '.join(pressure[:3])}) with link {external[0][:120]}")
            record = signin_record(text)
            if record:
                yield Finding("pdf.signin_alert", self.name, item.path, record)
        elif len(lure) >= 2:
            yield Finding("pdf.link_lure", self.name, item.path, f"{', '.join(lure[:5])} with link {external[0][:120]}")
        share, target = covered
        if share >= CLICK_THROUGH_SHARE and len(text) <= CLICK_THROUGH_CHARS:
            yield Finding("pdf.click_through", self.name, item.path,
                          f"a link covers {share:.0%} of a page ({len(text)} characters of text): {target[:120]}")

    def _credential_form(self, item: Item, scan: _Scan) -> Iterator[Finding]:
        """A form field for a password or a wallet secret, in a form that sends what is typed to a web server."""
        submits = submit_targets(scan)
        if not submits:
            return  # a fillable form kept on the reader's disk (or printed) sends nothing anywhere
        names = list(dict.fromkeys(name for name, _ in scan.secret_fields))
        wallet = any(w for _, w in scan.secret_fields)
        yield Finding("pdf.credential_form", self.name, item.path,
                      f"field(s) {', '.join(repr(n) for n in names[:4])} submitted to {bounded(submits, 2)}",
                      strength=Strength.CONCLUSIVE if wallet else "")

    @staticmethod
    def _decrypt(reader: PdfReader, item: Item, ctx: AnalysisContext) -> str:
        """Try the empty user password, then the message's candidate passwords; say what happened."""
        for n, password in enumerate(("", *ctx.passwords[:MAX_PASSWORDS])):
            try:
                if reader.decrypt(password):
                    return "encrypted, opened with " + ("the empty password" if not password else f"candidate #{n}")
            except Exception as exc:  # unsupported handler or broken /Encrypt: nothing more to try
                log.debug("pdf decrypt failed for %s: %r", item.path, exc)
                return f"encrypted, cannot decrypt ({type(exc).__name__})"
        return "encrypted, no candidate password opened it"

    # -- walking ----------------------------------------------------------
    def _walk(self, reader: PdfReader, scan: _Scan, ctx: AnalysisContext) -> None:
        refs: list[tuple[int, int]] = [(0, n) for n in reader.xref_objStm]
        for gen, table in reader.xref.items():
            refs.extend((gen, n) for n in table)
        self._inspect(reader.trailer, scan, 0)
        for count, (gen, num) in enumerate(sorted(set(refs), key=lambda r: r[1])):
            if count >= MAX_OBJECTS:
                break
            if count % 64 == 0:
                ctx.budget.check_time()
            scan.objects += 1
            try:
                obj = reader.get_object(IndirectObject(num, gen, reader))
            except BudgetExceeded:
                raise
            except Exception as exc:
                log.debug("pdf object %d %d unreadable: %r", num, gen, exc)
                scan.unreadable.append(f"{num} {gen}: {type(exc).__name__}")
                scan.cut = scan.cut or "endstream" in str(exc) or "ended unexpectedly" in str(exc)
                continue
            self._inspect(obj, scan, 0)

    def _inspect(self, obj: Any, scan: _Scan, depth: int) -> None:
        """Look at one object and the direct (not indirect) objects nested in it."""
        if depth > MAX_DEPTH:
            return
        if isinstance(obj, ArrayObject):
            for v in obj[:4096]:
                if not isinstance(v, IndirectObject):
                    self._inspect(v, scan, depth + 1)
            return
        if not isinstance(obj, DictionaryObject):
            return
        self._action(obj, scan)
        for key in ("/OpenAction", "/AA"):
            if key in obj:
                self._auto(key, obj[key], scan)
        if "/XFA" in obj:
            scan.xfa = True
        if obj.get("/FT") == "/Tx" and len(scan.secret_fields) < MAX_FORM_FIELDS:
            secret = secret_field(obj)
            if secret is not None:
                scan.secret_fields.append(secret)
        if "/EF" in obj:
            self._filespec(obj, scan)
        for key, v in list(obj.items())[:4096]:
            if key in ("/Parent", "/P") or isinstance(v, IndirectObject):
                continue
            self._inspect(v, scan, depth + 1)

    def _action(self, d: DictionaryObject, scan: _Scan) -> str:
        """Record what an action dictionary does; returns a short label ('' when harmless)."""
        kind = str(d.get("/S", ""))
        if "/JS" in d or kind == "/JavaScript":
            code = _text(d.get("/JS"))
            if code and code not in (s.decode("utf-8", "replace") for s in scan.scripts):
                scan.scripts.append(code.encode("utf-8", "replace")[:MAX_JS_BYTES])
            scan.javascript.append(" ".join(code.split())[:120])
            return "JavaScript"
        if kind == "/Launch":
            target = _file_spec_target(d.get("/F"))
            win = _resolve(d.get("/Win"))
            if isinstance(win, DictionaryObject):
                target = f"{_text(win.get('/F'))} {_text(win.get('/P'))}".strip() or target
            scan.launch.append(target[:150] or "(no target)")
            return "Launch"
        if kind == "/URI":
            uri = _text(d.get("/URI"))
            if uri and len(scan.links) < MAX_LINKS and uri not in scan.links:
                scan.links.append(uri[:500])
            where = classify_uri(uri)
            if where == "ip":
                scan.uri_ip.append(uri[:150])
            elif where == "unc":
                scan.uri_unc.append(uri[:150])
            return f"URI {where}" if where else ""
        if kind in ("/GoToR", "/GoToE", "/ImportData", "/SubmitForm"):
            target = _file_spec_target(d.get("/F"))
            if kind == "/SubmitForm" and _WEB_TARGET.match(target) and len(scan.submits) < MAX_FORM_FIELDS:
                scan.submits.append(target.strip()[:200])
            if target and classify_uri(target) == "unc":
                scan.uri_unc.append(f"{kind[1:]} {target[:150]}")
                return f"{kind[1:]} to a share"
        return ""

    def _auto(self, key: str, value: Any, scan: _Scan) -> None:
        value = _resolve(value)
        actions: list[Any] = []
        if key == "/AA" and isinstance(value, DictionaryObject):
            actions = [(f"/AA{k}", _resolve(v)) for k, v in list(value.items())[:64]]
        else:
            actions = [(key, value)]
        for trigger, action in actions:
            if isinstance(action, DictionaryObject):
                label = self._action(action, scan)
                nxt = _resolve(action.get("/Next"))
                if not label and isinstance(nxt, DictionaryObject):
                    label = self._action(nxt, scan)
                if label in ("JavaScript", "Launch") or label.endswith(("unc", "share")):
                    scan.auto.append(f"{trigger} -> {label}")

    def _filespec(self, spec: DictionaryObject, scan: _Scan) -> None:
        ef = _resolve(spec.get("/EF"))
        if not isinstance(ef, DictionaryObject):
            return
        name = _text(spec.get("/UF") or spec.get("/F")) or "embedded-file"
        for k in ("/UF", "/F", "/DOS", "/Unix", "/Mac"):
            ref = ef.get(k)
            if ref is None:
                continue
            key = ref.idnum if isinstance(ref, IndirectObject) else id(ref)
            if key in scan.seen_files:
                continue
            scan.seen_files.add(key)
            stream = _resolve(ref)
            if isinstance(stream, StreamObject):
                scan.files.append((name, stream))
            break

    # -- reporting ----------------------------------------------------------
    def _report(self, item: Item, scan: _Scan, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        def uniq(xs: list[str]) -> str:
            return "; ".join(dict.fromkeys(x for x in xs if x))[:250]

        if scan.javascript:
            yield Finding("pdf.javascript", self.name, item.path,
                          f"{len(scan.javascript)} script(s): {uniq(scan.javascript) or '(empty)'}")
        if scan.auto:
            yield Finding("pdf.autoaction", self.name, item.path, uniq(scan.auto))
        if scan.launch:
            yield Finding("pdf.launch", self.name, item.path, uniq(scan.launch))
        if scan.uri_ip:
            yield Finding("pdf.uri_ip", self.name, item.path, uniq(scan.uri_ip))
        if scan.uri_unc:
            yield Finding("pdf.uri_unc", self.name, item.path, uniq(scan.uri_unc))
        if scan.secret_fields:
            yield from self._credential_form(item, scan)
        if scan.xfa:
            yield Finding("pdf.xfa", self.name, item.path, "XFA form present")
        for n, code in enumerate(scan.scripts):
            yield item.child(f"<pdf-javascript-{n + 1}>", code, source=self.name, role=Role.EXTRACTED)
        for name, stream in scan.files:
            ctx.budget.check_time()
            declared = _resolve(stream.get("/Params"))
            size = declared.get("/Size") if isinstance(declared, DictionaryObject) else None
            if isinstance(size, int):
                ctx.budget.check_member(name, size)
            try:
                data = stream.get_data()
            except Exception as exc:
                yield Finding("pdf.parse_error", self.name, item.path, f"embedded file {name!r}: {exc}")
                continue
            if len(data) > ctx.budget.member_cap():
                raise BudgetExceeded("container.limit.file_size", f"{name}: {len(data)} bytes over the file limit")
            child = item.child(name, data, source=self.name, role=Role.EMBEDDED)
            yield Finding("pdf.embedded_file", self.name, item.path, f"{name!r} ({child.type}, {len(data)} bytes)")
            yield child

    @staticmethod
    def _page_count(reader: PdfReader) -> int:
        try:
            return len(reader.pages)
        except Exception:
            return 0

    @staticmethod
    def _page_text(reader: PdfReader, ctx: AnalysisContext) -> str:
        parts: list[str] = []
        total = 0
        try:
            for n, page in enumerate(reader.pages):
                if n >= MAX_TEXT_PAGES or total >= MAX_TEXT_CHARS:
                    break
                ctx.budget.check_time()
                text = page.extract_text() or ""
                if not text.strip():
                    text = _shown_strings(page)
                parts.append(text)
                total += len(text)
        except BudgetExceeded:
            raise
        except Exception as exc:
            log.debug("pdf text extraction stopped: %r", exc)
        return "\n".join(parts)[:MAX_TEXT_CHARS].strip()
