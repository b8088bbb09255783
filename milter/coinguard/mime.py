"""Message bytes -> :class:`MessageInfo` + a flat list of leaf-part Items.

Parsing is tolerant: the stdlib parser with the ``compat32`` policy never raises
on malformed input; defects it records become ``mime.*`` findings.  Nested
``message/rfc822`` parts become Items of type ``eml`` which the message unpacker
opens through :func:`extract_parts` under the Budget (so nesting is bounded).
"""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import logging
from collections.abc import Iterator
from email.message import Message

from coinguard.findings import Category, CodeInfo, Finding, Item, Role, safe_name
from coinguard.handlers import MessageInfo
from coinguard.sniff import sniff
from coinguard.text import MAX_LINKS, html_to_text

log = logging.getLogger(__name__)

ANALYZER = "mime"

CODES: tuple[CodeInfo, ...] = (
    CodeInfo("mime.defect", 0.5, Category.MESSAGE, "The MIME structure is malformed (parser defects listed)."),
    CodeInfo("mime.too_many_parts", 3.0, Category.MESSAGE,
             "More MIME parts than the file limit; the rest were not scanned."),
    CodeInfo("mime.parse_error", 1.0, Category.MESSAGE, "The message could not be parsed as MIME at all."),
)

#: Bytes of body text kept for the message analyzers.
MAX_BODY_TEXT = 512 * 1024


def decode_header(value: str | None) -> str:
    """RFC 2047-decode a header value, never raising; unknown charsets degrade to replacement chars."""
    if not value:
        return ""
    value = str(value)
    try:
        parts = email.header.decode_header(value)
    except Exception:
        return " ".join(value.split())
    out: list[str] = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            try:
                out.append(chunk.decode(charset or "ascii", "replace"))
            except LookupError:
                out.append(chunk.decode("latin-1", "replace"))
        else:
            out.append(chunk)
    text = "".join(out)
    return " ".join(text.replace("\r", " ").replace("\n", " ").split())


def _part_name(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        try:
            param = part.get_param("name")
            name = email.utils.collapse_rfc2231_value(param) if isinstance(param, tuple) else param
        except Exception:
            name = None
    return decode_header(name) if name else ""


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if data is None:
        raw = part.get_payload()
        if isinstance(raw, str):
            return raw.encode("utf-8", "surrogateescape")
        return b""
    return data if isinstance(data, bytes) else bytes(data)


def _text_of(part: Message, data: bytes) -> str:
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


def _walk(msg: Message, depth: int = 0) -> Iterator[tuple[Message, int]]:
    """Leaf parts of ``msg`` (multipart containers are descended; message/rfc822 is a leaf)."""
    stack: list[tuple[Message, int]] = [(msg, depth)]
    seen = 0
    while stack:
        part, d = stack.pop(0)
        seen += 1
        if seen > 10_000:
            return
        if part.is_multipart() and part.get_content_maintype() == "multipart":
            payload = part.get_payload()
            if isinstance(payload, list):
                stack[0:0] = [(p, d + 1) for p in payload if isinstance(p, Message)]
            continue
        yield part, d


def _role(part: Message, name: str) -> str:
    disposition = (part.get_content_disposition() or "").lower()
    ctype = part.get_content_type()
    if disposition == "attachment" or (name and disposition != "inline"):
        return Role.ATTACHMENT
    if ctype in ("text/plain", "text/html") and not name:
        return Role.BODY
    return Role.INLINE if not name else Role.ATTACHMENT


def _rfc822_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        try:
            data = payload[0].as_bytes(policy=email.policy.compat32)
        except Exception:
            data = str(payload[0]).encode("utf-8", "replace")
    else:
        data = _payload(part)
    # RFC 2046 forbids encoding message/rfc822, but some clients base64 it anyway: the
    # parser then sees the base64 text as a header-less "message".  Undo the encoding.
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if cte in ("base64", "quoted-printable"):
        import base64
        import binascii
        import quopri

        body = data.split(b"\n\n", 1)[-1] if data.startswith((b"\n", b"\r\n")) else data
        try:
            data = base64.b64decode(body, validate=False) if cte == "base64" else quopri.decodestring(body)
        except (binascii.Error, ValueError):
            pass
    return data


def extract_parts(
    raw: bytes, parent: Item | None = None, max_parts: int = 1000
) -> tuple[Message, list[Item], list[Finding]]:
    """Parse ``raw`` and return (message, leaf Items, findings).

    With ``parent`` (a nested message), Items are children of it; otherwise they are
    top-level Items (depth 0) named by their filename or ``<body N>``.
    """
    findings: list[Finding] = []
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as exc:  # pragma: no cover - compat32 is very tolerant
        log.warning("MIME parse failed: %s", exc)
        msg = Message()
        findings.append(Finding("mime.parse_error", ANALYZER, parent.path if parent else "", str(exc)))
        return msg, [], findings
    items: list[Item] = []
    defects: list[str] = []
    for index, (part, _depth) in enumerate(_walk(msg), 1):
        defects.extend(type(d).__name__ for d in getattr(part, "defects", ()))
        if len(items) >= max_parts:
            findings.append(Finding("mime.too_many_parts", ANALYZER, parent.path if parent else "",
                                    f"more than {max_parts} parts"))
            break
        name = _part_name(part)
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            data = _rfc822_bytes(part)
            label = name or f"<message {index}>.eml"
            kind = "eml"
            role = "attachment"
        else:
            data = _payload(part)
            role = _role(part, name)
            label = name or f"<{'body' if role == 'body' else 'part'} {index}>"
            kind = sniff(data)
            if role == Role.BODY and kind in ("text", "html", "empty"):
                kind = "html" if ctype == "text/html" else "text"
        meta = {"charset": part.get_content_charset() or "", "disposition": part.get_content_disposition() or ""}
        if parent is not None:
            items.append(parent.child(name or label, data, source="message", role=role, declared_type=ctype,
                                      type=kind, meta=meta))
        else:
            items.append(Item(path=safe_name(label) or f"<part {index}>", name=name, data=data, type=kind, depth=0,
                              declared_type=ctype, role=role, source="mime", meta=meta))
    defects.extend(type(d).__name__ for d in getattr(msg, "defects", ()))
    if defects:
        unique = sorted(set(defects))
        findings.append(Finding("mime.defect", ANALYZER, parent.path if parent else "", ", ".join(unique)))
    return msg, items, findings


def message_info(
    raw: bytes,
    msg: Message,
    items: list[Item],
    *,
    envelope_from: str = "",
    rcpts: tuple[str, ...] = (),
    queue_id: str = "",
    client_addr: str = "",
    helo: str = "",
) -> MessageInfo:
    """Build the MessageInfo for the message analyzers from a parsed message and its Items."""
    from_header = decode_header(msg.get("From"))
    display, addr = email.utils.parseaddr(from_header)
    addr = addr.strip()
    domain = addr.rsplit("@", 1)[1].strip().strip(">").lower() if "@" in addr else ""
    texts: list[str] = []
    links: list[str] = []
    size = 0
    for item in items:
        if item.role != Role.BODY or item.depth > 0:
            continue
        charset = str(item.meta.get("charset") or "utf-8")
        try:
            text = item.data.decode(charset, "replace")
        except LookupError:
            text = item.data.decode("utf-8", "replace")
        if item.type == "html" or item.declared_type == "text/html":
            text, found = html_to_text(text)
            links.extend(found)
        texts.append(text)
        size += len(text)
        if size > MAX_BODY_TEXT:
            break
    headers: list[tuple[str, str]] = []
    for name, value in msg.items():
        headers.append((str(name), decode_header(value) if not str(name).lower().startswith("dkim") else str(value)))
    return MessageInfo(
        raw=raw,
        headers=tuple(headers),
        from_header=from_header,
        from_display=display.strip(),
        from_addr=addr,
        from_domain=domain,
        subject=decode_header(msg.get("Subject")),
        message_id=decode_header(msg.get("Message-ID")),
        envelope_from=envelope_from,
        rcpts=rcpts,
        body_text="\n".join(texts)[:MAX_BODY_TEXT],
        body_html_links=tuple(links[:MAX_LINKS]),
        attachment_names=tuple(i.name for i in items if i.name),
        queue_id=queue_id,
        client_addr=client_addr,
        helo=helo,
    )
