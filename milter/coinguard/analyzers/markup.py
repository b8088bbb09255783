"""Active content in HTML and SVG attachments: HTML smuggling, scripted SVG, credential forms.

An HTML file attached to a mail opens in the browser from the local disk, where the gateway no
longer sees what it does:

- **HTML smuggling**: script assembles a file from data carried in the page (a base64 string,
  a byte array) into a ``Blob`` or a ``data:`` URL and triggers its download (``a.download`` +
  ``click()``, ``msSaveOrOpenBlob``).  The payload (often a zip or ISO with a script) never
  crossed the gateway as an attachment.  Smuggling with a payload is conclusive; the payload
  is decoded when it is one literal and handed back as an Item, so it is analysed like any file.
- **Scripted SVG**: an SVG picture needs no script; one with ``<script>`` or event handlers is a
  redirector or a smuggler (2024's SVG phishing wave).
- **HTML Help shortcut commands**: the HTML Help ActiveX control (HHCtrl) with
  ``Command=ShortCut`` runs the program its ``Item1`` names when the page (a CHM topic) opens or
  is clicked: how malicious CHM files start ``cmd``/``mshta``/``powershell``.
- **Credential forms**: a login page attached as a file (``<form>`` with a password field), the
  local copy of a phishing kit.

Scripts and XSL that run under Windows Script Host are typed by content (``script.hta``,
``script.xsl``) and judged by the filetype analyzer.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from typing import ClassVar

from coinguard.findings import Category, CodeInfo, Finding, Item, Role, Strength
from coinguard.handlers import AnalysisContext
from coinguard.sniff import ItemType

A = Category.ATTACHMENT
SCAN_BYTES = 4 << 20
#: Smallest embedded payload that makes blob assembly smuggling (a few hundred bytes of file).
MIN_PAYLOAD_CHARS = 400
MAX_PAYLOAD_BYTES = 32 << 20
_FILE_ROLES = frozenset({Role.ATTACHMENT, Role.MEMBER, Role.EMBEDDED})

_BLOB = re.compile(rb"new\s+Blob\s*\(|msSaveOrOpenBlob|msSaveBlob|URL\.createObjectURL|createObjectURL\s*\(", re.I)
_TRIGGER = re.compile(
    rb"\.download\s*=|setAttribute\s*\(\s*[\"']download[\"']|\bdownload\s*=\s*[\"'][^\"']{1,200}[\"']|msSaveOrOpenBlob"
    rb"|msSaveBlob|\.click\s*\(\s*\)|dispatchEvent\s*\(", re.I)
_B64_LITERAL = re.compile(rb"[\"'`]([A-Za-z0-9+/]{%d,}={0,2})[\"'`]" % MIN_PAYLOAD_CHARS)
_BYTE_ARRAY = re.compile(rb"\[\s*(?:0x[0-9a-f]{1,2}|\d{1,3})(?:\s*,\s*(?:0x[0-9a-f]{1,2}|\d{1,3})){200,}", re.I)
_DATA_DOWNLOAD = re.compile(
    rb"<a\b[^>]{0,400}\bhref\s*=\s*[\"']data:(?:application|image/svg)[^;,\"']{0,80};base64,([A-Za-z0-9+/]{%d,}={0,2})"
    rb"[^>]{0,400}>" % MIN_PAYLOAD_CHARS, re.I)
_SVG_SCRIPT = re.compile(rb"<\s*script\b|\son(?:load|click|mouseover|focus|error|begin|end|activate)\s*=|"
                         rb"javascript:|<\s*foreignObject\b", re.I)
#: HHCtrl (HTML Help ActiveX control) and its ShortCut command with the program to run.
_HHCTRL = re.compile(rb"clsid:\s*(?:adb880a6-d8ff-11cf-9377-00aa003b7a11|52a2aaae-085d-4187-97ea-8c30db990436)", re.I)
_HH_SHORTCUT = re.compile(rb"<\s*param\b[^>]{0,200}\bvalue\s*=\s*[\"']?\s*shortcut\b", re.I)
_HH_ITEM = re.compile(rb"<\s*param\b[^>]{0,200}name\s*=\s*[\"']?item1[\"']?[^>]{0,40}value\s*=\s*[\"']([^\"'>]{1,300})",
                      re.I)
_FORM = re.compile(rb"<\s*form\b", re.I)
_PASSWORD = re.compile(rb"<\s*input\b[^>]{0,400}\btype\s*=\s*[\"']?password\b", re.I)
_ACTION = re.compile(rb"<\s*form\b[^>]{0,400}\baction\s*=\s*[\"']?(https?://[^\s\"'>]{1,200})", re.I)


def _b64(raw: bytes) -> bytes:
    try:
        return base64.b64decode(raw + b"=" * (-len(raw) % 4))
    except (binascii.Error, ValueError):
        return b""


class Markup:
    """HTML smuggling, scripted SVG and credential forms in HTML/SVG files."""

    name: ClassVar[str] = "markup"
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("markup.smuggling", 14.0, A,
                 "HTML smuggling: the page assembles a file from data it carries (Blob or data: URL) and triggers "
                 "its download, so the payload never crossed the gateway as an attachment",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("markup.smuggling_code", 6.0, A,
                 "HTML builds a Blob and triggers a download, with no embedded payload found (fetched or computed)",
                 strength=Strength.STRONG),
        CodeInfo("markup.svg_script", 6.0, A,
                 "an SVG picture with script, event handlers or javascript: links (a redirector or smuggler)",
                 strength=Strength.STRONG),
        CodeInfo("markup.hh_shortcut", 14.0, A,
                 "an HTML Help control with a ShortCut command that runs a program (the malicious CHM technique)",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("markup.credential_form", 5.0, A,
                 "an attached HTML page with a password form (a phishing kit's login page opened from disk)",
                 strength=Strength.STRONG),
    )

    def applies_to(self, item: Item) -> bool:
        return item.type in (ItemType.HTML, ItemType.SVG) and item.role in _FILE_ROLES

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        data = item.data[:SCAN_BYTES]
        yield from self._smuggling(item, data, ctx)
        if _HHCTRL.search(data) and _HH_SHORTCUT.search(data):
            run = _HH_ITEM.search(data)
            yield Finding("markup.hh_shortcut", self.name, item.path,
                          f"runs {run.group(1).decode('latin-1').strip()[:200]}" if run else "ShortCut command")
        if item.type == ItemType.SVG:
            hits = sorted({m.group(0).strip().decode("latin-1")[:20] for m in _SVG_SCRIPT.finditer(data)})
            if hits:
                yield Finding("markup.svg_script", self.name, item.path, ", ".join(hits[:5]))
        if _FORM.search(data) and _PASSWORD.search(data):
            action = _ACTION.search(data)
            where = f" posting to {action.group(1).decode('latin-1')}" if action else ""
            yield Finding("markup.credential_form", self.name, item.path, f"password form{where}")

    def _smuggling(self, item: Item, data: bytes, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        payload = b""
        how = ""
        link = _DATA_DOWNLOAD.search(data)
        if link and b"download" in link.group(0).lower():
            payload, how = _b64(link.group(1)), "data: link with download attribute"
        elif _BLOB.search(data) and _TRIGGER.search(data):
            literal = max((m.group(1) for m in _B64_LITERAL.finditer(data)), key=len, default=b"")
            if literal:
                payload, how = _b64(literal), "Blob from an embedded base64 payload + download trigger"
            elif _BYTE_ARRAY.search(data):
                how = "Blob from an embedded byte array + download trigger"
            else:
                yield Finding("markup.smuggling_code", self.name, item.path, "Blob + download trigger")
                return
        if not how:
            return
        yield Finding("markup.smuggling", self.name, item.path,
                      f"{how}" + (f", {len(payload)} bytes decoded" if payload else ""))
        if payload:
            ctx.budget.check_time()
            yield item.child("<smuggled>", payload[:MAX_PAYLOAD_BYTES], source=self.name, role=Role.EMBEDDED)
