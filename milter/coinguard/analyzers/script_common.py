"""What a script does, after undoing the cheap tricks that hide it (filetype, markup, macos).

Droppers hide their behaviour from keyword scans with string building: ``"WScr" & "ipt.Sh" + "ell"``,
``Chr(87) & ChrW(83)``, ``String.fromCharCode(...)``, ``[char]0x57``, reversed strings
(``StrReverse``, ``.split("").reverse().join("")``), ``Replace("WXScXript", "X", "")`` and base64
PowerShell (``-enc``, ``FromBase64String``).  :func:`deobfuscate` undoes those on a bounded
prefix and :func:`behaviour` looks for the calls that *do* something in the original and the
decoded text.  Dynamic code on its own (``eval(``, ``Execute``, ``new ActiveXObject``) is not
behaviour: it is counted by :func:`obfuscation_signs` with the other hiding techniques.

Pure functions, bounded input, no regex with nested quantifiers over attacker text.
"""

from __future__ import annotations

import base64
import binascii
import re

#: Bytes of a script that are de-obfuscated and searched (droppers put the work up front).
SCAN_CHARS = 1 << 20
#: Characters of a script that are de-obfuscated (string building is undone on the first part).
DEOBFUSCATE_CHARS = 256 << 10
#: Rounds of decoding (a base64 command that builds strings with Chr needs two).
MAX_ROUNDS = 3
#: Longest decoded text kept per round.
MAX_DECODED = 1 << 20

#: Calls that fetch, write-and-run or launch something (the behaviour of a dropper).
BEHAVIOUR = re.compile(
    r"WScript\.Shell|Shell\.Application|ShellExecute|\.ShellExec|\bWScript\.Run\b|\.Run\b|\.Exec\b"
    r"|Invoke-Expression|\bIEX\b|Invoke-Command|Start-Process|DownloadString|DownloadFile|DownloadData"
    r"|Net\.WebClient|Invoke-WebRequest|Invoke-RestMethod|\biwr\b|\birm\b|Start-BitsTransfer"
    r"|XMLHTTP|ServerXMLHTTP|WinHttp\.WinHttpRequest|ADODB\.Stream|URLDownloadToFile|\.SaveToFile\b"
    r"|powershell(?:\.exe)?\s+[-/]|pwsh(?:\.exe)?\s+-|mshta(?:\.exe)?\s|rundll32(?:\.exe)?\s|regsvr32(?:\.exe)?\s"
    r"|certutil(?:\.exe)?\s+[-/]|bitsadmin(?:\.exe)?\s|curl(?:\.exe)?\s+-|wget\s+(?:-|https?:)"
    r"|schtasks(?:\.exe)?\s+/create|\bAdd-MpPreference\b|Set-MpPreference"
    r"|System\.Reflection\.Assembly|\[Reflection\.Assembly\]::Load|Assembly\]::Load|DynamicInvoke"
    r"|GetObject\s*\(\s*[\"']winmgmts|Win32_Process|cmd(?:\.exe)?\s+/[ck]\b"
    # macOS / Unix droppers
    r"|curl\s[^\n|]{0,300}\|\s*(?:ba|z)?sh\b|wget\s[^\n|]{0,300}\|\s*(?:ba|z)?sh\b|\bosascript\s+-e\b|do shell script"
    r"|base64\s+(?:-d|--decode|-D)[^\n|]{0,100}\|\s*(?:ba|z)?sh\b|xattr\s+-[a-z]*d[a-z]*\s+com\.apple\.quarantine"
    r"|chmod\s+\+x[^\n]{0,200}&&",
    re.I,
)
#: Dynamic code and hiding (a sign, not behaviour).
DYNAMIC = re.compile(
    r"\beval\s*\(|\bExecuteGlobal\b|\bExecute\s*\(|\bExecute\s+\w|new\s+Function\s*\(|\bunescape\s*\(|\batob\s*\("
    r"|new\s+ActiveXObject\s*\(|-e(?:nc(?:odedcommand)?)?\s+[A-Za-z0-9+/=]{40,}|FromBase64String",
    re.I,
)

_CONCAT = re.compile(r"([\"'])((?:(?!\1)[^\\\n]){0,200})\1\s*(?:[&+]|\.\.)\s*(?:_\s*\r?\n\s*)?([\"'])")
_CHR = re.compile(r"\b(?:Chr[BW]?\$?|ChrW\$?)\s*\(\s*(&H[0-9a-f]{1,4}|\d{1,5})\s*\)", re.I)
_PS_CHAR = re.compile(r"\[char\]\s*(0x[0-9a-f]{1,4}|\d{1,5})", re.I)
_NUM = r"(?:0x[0-9a-f]{1,4}|\d{1,5})"
_FROMCHARCODE = re.compile(rf"String\.fromCharCode\s*\(\s*({_NUM}(?:\s*,\s*{_NUM}){{0,4000}})\s*\)", re.I)
_STRREVERSE = re.compile(r"StrReverse\s*\(\s*\"([^\"\n]{1,2000})\"\s*\)", re.I)
_JS_REVERSE = re.compile(
    r"([\"'])([^\"'\n]{1,2000})\1\s*\.split\(\s*([\"'])\3\s*\)\s*\.reverse\(\s*\)\s*\.join\(\s*([\"'])\4\s*\)")
_REPLACE_VB = re.compile(
    r"Replace\s*\(\s*\"([^\"\n]{1,2000})\"\s*,\s*\"([^\"\n]{1,40})\"\s*,\s*\"([^\"\n]{0,40})\"\s*\)", re.I)
_REPLACE_JS = re.compile(
    r"([\"'])([^\"'\n]{1,2000})\1\s*\.replace(?:All)?\s*\(\s*([\"'])([^\"'\n]{1,40})\3\s*,\s*"
    r"([\"'])([^\"'\n]{0,40})\5\s*\)", re.I)
_REPLACE_JS_RE = re.compile(
    r"([\"'])([^\"'\n]{1,2000})\1\s*\.replace\s*\(\s*/([^/\n]{1,40})/g?i?\s*,\s*([\"'])([^\"'\n]{0,40})\4\s*\)")
#: ``new ActiveXObject(x)`` / ``CreateObject(x)`` whose ProgID is not a literal: hides what it creates.
_COMPUTED_OBJECT = re.compile(r"(?:new\s+ActiveXObject|\bCreateObject|\bGetObject)\s*\(\s*(?![\s\"')])", re.I)
#: Characters computed with Xor (``Chr(Asc(Mid(s, i, 1)) Xor k)``, ``fromCharCode(c ^ k)``).
_XOR_DECODE = re.compile(r"\bChr[BW]?\$?\s*\([^\n]{0,80}?\bXor\b|fromCharCode\s*\([^\n]{0,80}?\^", re.I)
#: A string assembled from a dozen or more array elements or properties (``a[2]+b.c+d[4]+...``).
_INDEXED_BUILD = re.compile(r"(?:[A-Za-z_$][\w$]{0,60}(?:\[\d{1,4}\]|\.[A-Za-z_$][\w$]{0,60})\s*\+\s*){12}")
_PS_ENC = re.compile(r"-e(?:nc(?:odedcommand)?|c)?\s+([A-Za-z0-9+/]{20,}={0,2})", re.I)
_B64_CALL = re.compile(
    r"(?:FromBase64String|atob|base64_decode|b64decode)\s*\(\s*[\"']([A-Za-z0-9+/\r\n]{16,}={0,2})[\"']", re.I)
_HEX_LITERAL = re.compile(r"[\"']((?:[0-9A-Fa-f]{2}){20,})[\"']")
#: A literal holding character codes with a separator (``"87&+:83&+:99"``), split and Chr'd at run time.
_CODE_LIST = re.compile(r"[\"']((?:\d{2,3}[^\d\"'\n]{1,4}){8,}\d{2,3})[\"']")
_BASH_B64 = re.compile(r"echo\s+[\"']?([A-Za-z0-9+/]{16,}={0,2})[\"']?\s*\|\s*base64\s+(?:-d|--decode|-D)", re.I)


def _chr(value: str) -> str:
    try:
        n = int(value[2:], 16) if value.lower().startswith(("&h", "0x")) else int(value)
        return chr(n) if 0 < n < 0x110000 else ""
    except ValueError:
        return ""


def _quote(text: str) -> str:
    return '"' + text.replace('"', "") + '"'


def _b64(text: str) -> str:
    try:
        raw = base64.b64decode("".join(text.split()) + "=" * (-len(text) % 4), validate=False)
    except (binascii.Error, ValueError):
        return ""
    if len(raw) >= 4 and raw[1:2] == b"\x00" and raw[3:4] == b"\x00":
        return raw.decode("utf-16-le", "replace")
    return raw.decode("latin-1")


def _round(text: str) -> str:
    text = _CHR.sub(lambda m: _quote(_chr(m.group(1))), text)
    text = _PS_CHAR.sub(lambda m: _quote(_chr(m.group(1))), text)
    text = _FROMCHARCODE.sub(lambda m: _quote("".join(_chr(v.strip()) for v in m.group(1).split(","))), text)
    text = _STRREVERSE.sub(lambda m: _quote(m.group(1)[::-1]), text)
    text = _JS_REVERSE.sub(lambda m: _quote(m.group(2)[::-1]), text)
    text = _REPLACE_VB.sub(lambda m: _quote(m.group(1).replace(m.group(2), m.group(3))), text)
    text = _REPLACE_JS.sub(lambda m: _quote(m.group(2).replace(m.group(4), m.group(6))), text)
    text = _REPLACE_JS_RE.sub(lambda m: _quote(_regex_replace(m.group(2), m.group(3), m.group(5))), text)
    # joining literals last: the replacements above leave quoted pieces next to each other
    for _ in range(64):
        joined = _CONCAT.sub(lambda m: m.group(1) + m.group(2), text)
        if joined == text:
            break
        text = joined
    return text


def _regex_replace(text: str, pattern: str, repl: str) -> str:
    if re.fullmatch(r"[\w\\.\[\]-]{1,40}", pattern) is None:
        return text  # only simple character classes and literals: never an attacker-sized regex
    try:
        return re.sub(pattern, repl, text)
    except re.error:
        return text


def _decoded_payloads(text: str) -> list[str]:
    out = []
    for pattern in (_PS_ENC, _B64_CALL, _BASH_B64):
        for m in pattern.finditer(text):
            decoded = _b64(m.group(1))
            if decoded:
                out.append(decoded[:MAX_DECODED])
            if len(out) >= 16:
                return out
    for m in _CODE_LIST.finditer(text):
        out.append("".join(chr(int(n)) for n in re.findall(r"\d+", m.group(1)) if 8 < int(n) < 256)[:MAX_DECODED])
        if len(out) >= 64:
            break
    for m in _HEX_LITERAL.finditer(text):
        out.append(binascii.unhexlify(m.group(1)).decode("latin-1")[:MAX_DECODED])
        if len(out) >= 32:
            break
    return out


def deobfuscate(text: str) -> str:
    """The script with string building, char codes, reversal, replacements and base64 commands undone.

    Returns the decoded text only (empty when nothing changed), bounded by :data:`MAX_DECODED` per round.
    """
    text = text[:DEOBFUSCATE_CHARS]
    original = text
    pieces: list[str] = []
    current = text
    for _ in range(MAX_ROUNDS):
        changed = _round(current)
        payloads = _decoded_payloads(changed)
        if changed == current and not payloads:
            break
        pieces.extend(payloads)
        current = (changed + "\n" + "\n".join(payloads))[:MAX_DECODED]
    return "" if current == original else current


def behaviour(text: str) -> tuple[list[str], bool]:
    """(the behaviour calls found, whether some were only visible after de-obfuscation)."""
    plain = {m.group(0).strip()[:40] for m in BEHAVIOUR.finditer(text, 0, SCAN_CHARS)}
    decoded_text = deobfuscate(text)
    hidden = {m.group(0).strip()[:40] for m in BEHAVIOUR.finditer(decoded_text)} - plain if decoded_text else set()
    return sorted(plain | hidden, key=str.lower), bool(hidden)


def obfuscation_signs(text: str) -> list[str]:
    """Hiding techniques present in ``text`` (each named), for a detail or a strong finding."""
    sample = text[:SCAN_CHARS]
    signs = []
    chars = len(_CHR.findall(sample)) + len(_PS_CHAR.findall(sample))
    codes = sum(m.group(1).count(",") + 1 for m in _FROMCHARCODE.finditer(sample))
    if chars + codes >= 20:
        signs.append(f"{chars + codes} character codes")
    if len(_CONCAT.findall(sample)) >= 30:
        signs.append("string building")
    if _STRREVERSE.search(sample) or _JS_REVERSE.search(sample):
        signs.append("reversed strings")
    if _PS_ENC.search(sample):
        signs.append("encoded command")
    if re.search(r"[A-Za-z0-9+/]{2000}", sample):
        signs.append("long base64 blob")
    if _XOR_DECODE.search(sample):
        signs.append("xor decoding")
    if _COMPUTED_OBJECT.search(sample):
        signs.append("object created from a computed name")
    if _INDEXED_BUILD.search(sample):
        signs.append("strings built from array/property lookups")
    return signs


def dynamic_code(text: str) -> list[str]:
    """Dynamic code calls (``eval(``, ``Execute``, ``new ActiveXObject(``...): what runs what was built."""
    return sorted({m.group(0).strip()[:24] for m in DYNAMIC.finditer(text, 0, SCAN_CHARS)}, key=str.lower)


def hidden_code(text: str) -> list[str]:
    """The hiding signs when they hide code: some sign with dynamic code, or two signs; else []."""
    signs = obfuscation_signs(text)
    dynamic = dynamic_code(text)
    if signs and dynamic:
        return [*signs, "dynamic code: " + ", ".join(dynamic[:4])]
    return signs if len(signs) >= 2 else []
