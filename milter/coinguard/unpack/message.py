"""Messages inside messages: message/rfc822 parts and .eml attachments, Outlook .msg files, TNEF winmail.dat.

A forwarded message is opened with the same MIME code as the outer one
(:func:`coinguard.mime.extract_parts`); an Outlook message with extract-msg (its attachments,
embedded messages re-exported as .msg, and its body as text); TNEF with tnefparse.
The subject and body of every nested message are harvested for archive passwords too,
since the encrypted attachment and its password often travel together in the forwarded mail.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import struct
from collections.abc import Iterator
from typing import Any, ClassVar

from coinguard import mime, passwords
from coinguard.findings import Category, CodeInfo, Finding, Item, Role, safe_name
from coinguard.handlers import AnalysisContext, text_item
from coinguard.sniff import ole_damage, sniff
from coinguard.text import html_to_text
from coinguard.unpack.common import enclosed, unless_recursive

log = logging.getLogger(__name__)


class _SafeRecord(logging.Filter):
    """tnefparse logs attacker bytes as %-arguments whose count the format does not match
    ("Invalid TNEF Version %02x%02x%02x%02x" with the whole buffer): logging then prints a traceback
    to stderr for every such file, a log flood anyone can send.  Such a record is reduced to its
    format string, without the arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.getMessage()
        except (TypeError, ValueError):
            record.msg, record.args = f"{record.msg} (arguments dropped: malformed input)", None
        return True


logging.getLogger("tnefparse").addFilter(_SafeRecord())

MSG = CodeInfo("message.msg", 0.0, Category.MESSAGE, "An Outlook .msg message is attached (opened and scanned).")
TNEF = CodeInfo("message.tnef", 0.0, Category.MESSAGE, "A TNEF winmail.dat is attached (opened and scanned).")
NESTED = CodeInfo("message.nested", 0.0, Category.MESSAGE,
                  "A forwarded message (message/rfc822 or .eml) is attached (opened and scanned).")
PARSE_ERROR = CodeInfo("message.parse_error", 1.0, Category.MESSAGE,
                       "A nested message (.eml, .msg, TNEF) could not be parsed; its attachments were not scanned.")

#: Text of a nested message kept for password harvesting.
_MAX_TEXT = 256 * 1024


def _decode(item: Item) -> str:
    text = mime.decode_text(item.data[:_MAX_TEXT], str(item.meta.get("charset") or ""))
    if item.type == "html" or item.declared_type == "text/html":
        text, _links = html_to_text(text)
    return text


_BASE64 = re.compile(rb"[A-Za-z0-9+/]*={0,2}")


def _undo_transfer_encoding(data: bytes) -> bytes:
    """A message/rfc822 part sent base64-encoded (RFC 2046 forbids it, clients do it anyway) reaches us
    still encoded: decode it when the payload is nothing but base64 that decodes to a message."""
    compact = b"".join(data.split())
    if not compact or len(compact) % 4 or not _BASE64.fullmatch(compact[:65536]):
        return data
    try:
        decoded = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return data
    return decoded if sniff(decoded) == "eml" else data


def _learn_passwords(ctx: AnalysisContext, texts: list[str]) -> None:
    """Add candidates found in a nested message ahead of the ones already known."""
    found = passwords.harvest([t for t in texts if t], extra=ctx.passwords)
    ctx.passwords = found


class MessageUnpacker:
    name: ClassVar[str] = "message"
    codes: ClassVar[tuple[CodeInfo, ...]] = (MSG, TNEF, NESTED, PARSE_ERROR)

    def applies_to(self, item: Item) -> bool:
        return item.type in ("eml", "ole.msg", "tnef")

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        handler = {"eml": self._eml, "ole.msg": self._msg, "tnef": self._tnef}[item.type]
        try:
            for out in handler(item, ctx):  # the enclosing chain goes on through the message layer
                yield unless_recursive(item, enclosed(item, out), self.name) if isinstance(out, Item) else out
        except Exception as exc:  # the libraries raise anything on hostile input
            log.debug("cannot open %s as %s: %s", item.path, item.type, exc)
            yield Finding(PARSE_ERROR.code, self.name, item.path, f"{item.type}: {type(exc).__name__}: {exc}")

    # -- message/rfc822 and .eml ----------------------------------------------------------------------
    def _eml(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        yield Finding(NESTED.code, self.name, item.path, "")
        raw = _undo_transfer_encoding(item.data)
        msg, children, findings = mime.extract_parts(raw, parent=item, max_parts=ctx.budget.limits.max_files)
        subject = mime.decode_header(msg.get("Subject"))
        _learn_passwords(ctx, [subject, *(_decode(c) for c in children if c.role == Role.BODY)])
        yield from findings
        yield from children

    # -- Outlook .msg -----------------------------------------------------------------------------------
    def _msg(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        import extract_msg

        yield Finding(MSG.code, self.name, item.path, "")
        damage = ole_damage(item.data)
        if damage:  # extract-msg reads a cut file quietly: the attachments past the cut are missing
            yield Finding(PARSE_ERROR.code, self.name, item.path, f"msg: the OLE file is not whole: {damage}")
        message = extract_msg.openMsg(item.data, delayAttachments=False)
        try:
            subject = str(getattr(message, "subject", "") or "")
            body = str(getattr(message, "body", "") or "")
            if not body.strip():
                html = getattr(message, "htmlBody", None) or b""
                body = html_to_text(html.decode("utf-8", "replace"))[0] if html else ""
            _learn_passwords(ctx, [subject, body[:_MAX_TEXT]])
            if body.strip():
                yield text_item(item, body[:_MAX_TEXT], self.name, label="body")
            rtf = self._rtf_body(message)
            if rtf:
                yield item.child("<rtf body>.rtf", rtf, source=self.name, role=Role.EXTRACTED)
            for index, att in enumerate(getattr(message, "attachments", ()) or ()):
                ctx.budget.check_time()
                yield from self._msg_attachment(item, att, index)
        finally:
            message.close()

    @staticmethod
    def _rtf_body(message: Any) -> bytes:
        """The decompressed RTF body, only when it carries embedded objects (otherwise it repeats the body)."""
        try:
            rtf = message.rtfBody or b""
        except Exception:
            return b""
        return rtf if b"\\obj" in rtf else b""

    def _msg_attachment(self, item: Item, att: Any, index: int) -> Iterator[Finding | Item]:
        name = str(getattr(att, "longFilename", None) or getattr(att, "shortFilename", None) or "")
        try:
            data = att.data
        except Exception as exc:
            yield Finding(PARSE_ERROR.code, self.name, item.path, f"attachment {index}: {type(exc).__name__}: {exc}")
            return
        if isinstance(data, bytes | bytearray):
            yield item.child(name or f"<attachment {index}>", bytes(data), source=self.name, role=Role.ATTACHMENT)
        elif data is not None and hasattr(data, "exportBytes"):  # an embedded Outlook message
            label = str(getattr(data, "subject", "") or name or f"attachment {index}")
            yield item.child(f"{safe_name(label, 60)}.msg", data.exportBytes(allowBadEmbed=True), source=self.name,
                             role=Role.ATTACHMENT)

    # -- TNEF winmail.dat ------------------------------------------------------------------------------
    def _tnef(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        import tnefparse

        yield Finding(TNEF.code, self.name, item.path, "")
        damage = tnef_damage(item.data)
        if damage:  # tnefparse stops quietly at a cut attribute: what follows was never read
            yield Finding(PARSE_ERROR.code, self.name, item.path, f"tnef: {damage}")
        tnef = tnefparse.TNEF(item.data, do_checksum=False)
        body = tnef.body if isinstance(tnef.body, str) else (tnef.body or b"").decode("utf-8", "replace")
        _learn_passwords(ctx, [body[:_MAX_TEXT]])
        if body.strip():
            yield text_item(item, body[:_MAX_TEXT], self.name, label="body")
        for index, att in enumerate(tnef.attachments):
            ctx.budget.check_time()
            try:
                name = att.long_filename()
            except Exception:
                name = ""
            if isinstance(name, bytes):
                name = name.decode("utf-8", "replace")
            data = att.data or b""
            if data:
                yield item.child(str(name).strip("\x00") or f"<attachment {index}>", bytes(data), source=self.name,
                                 role=Role.ATTACHMENT)
            else:  # started but no data: cut at an attribute boundary, or a form (a MAPI object) not read here
                yield Finding(PARSE_ERROR.code, self.name, item.path, f"tnef: attachment {index} has no data")


#: attTnefVersion and attOemCodepage (MS-OXTNEF 2.1.3.3): what every stream starts with, saying nothing yet.
_TNEF_PREAMBLE = frozenset({0x00089006, 0x00069007})


def tnef_damage(data: bytes) -> str:
    """Why a TNEF stream is not whole ("" when it is): its attributes (level, id, length, data, checksum,
    MS-OXTNEF 2.1.3) must follow each other to the end exactly; trailing NUL padding is allowed."""
    pos, end = 6, len(data)
    carries = False  # an attribute other than the version and the code page: something a sender put in
    while pos < end:
        if not data[pos:].strip(b"\x00"):
            break
        if pos + 9 > end:
            return f"attribute header cut at offset {pos}"
        ident, length = struct.unpack_from("<II", data, pos + 1)
        if pos + 9 + length + 2 > end:
            return f"attribute at offset {pos} declares {length} bytes, {end - pos - 11} left"
        carries = carries or ident not in _TNEF_PREAMBLE
        pos += 9 + length + 2
    return "" if carries else "nothing after its version and code page (cut short)"
