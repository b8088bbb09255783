"""Builders for the hostile messages of issue 10, all made in code.

EICAR (the standard harmless anti-virus test string) is the payload: a scan that reads it
says ``malicious`` (yara.coinguard_eicar_test_file); a scan that did not read it must say
``unchecked``, never ``clean``.
"""

from __future__ import annotations

import base64
import io
import struct
import zipfile
import zlib

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CRLF = b"\r\n"

HEAD = (b"From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: invoice\r\n"
        b"Message-ID: <hostile-1@example.org>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n")


def zip_of(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def eicar_zip(name: str = "eicar.com") -> bytes:
    return zip_of([(name, EICAR)])


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", CRLF)


def attachment_part(name: str, data: bytes, ctype: str = "application/zip") -> bytes:
    return (b"Content-Type: " + ctype.encode() + b"; name=\"" + name.encode() + b"\"\r\n"
            b"Content-Disposition: attachment; filename=\"" + name.encode() + b"\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + b64(data))


def multipart(parts: list[bytes], boundary: bytes, subtype: bytes = b"mixed") -> bytes:
    """A multipart entity (its own Content-Type header + body)."""
    body = b"".join(b"--" + boundary + CRLF + p + CRLF for p in parts) + b"--" + boundary + b"--" + CRLF
    return b"Content-Type: multipart/" + subtype + b"; boundary=\"" + boundary + b"\"\r\n\r\n" + body


def message(entity: bytes, head: bytes = HEAD) -> bytes:
    """Top-level headers + one entity (that starts with its own Content-Type)."""
    return head + entity


def text_part(text: bytes = b"see attached\r\n", charset: bytes = b"utf-8") -> bytes:
    return b"Content-Type: text/plain; charset=" + charset + b"\r\n\r\n" + text


def zip_message(data: bytes | None = None, name: str = "invoice.zip") -> bytes:
    """A plain message with one zip (EICAR by default) attached."""
    return message(multipart([text_part(), attachment_part(name, data or eicar_zip())], b"b0"))


def nested_multipart(depth: int) -> bytes:
    """``depth`` multiparts nested inside each other with the EICAR zip at the bottom."""
    entity = attachment_part("invoice.zip", eicar_zip())
    for level in range(depth):
        entity = multipart([entity], b"n%d" % level)
    return message(entity)


def many_parts_before(count: int) -> bytes:
    """``count`` small attachments, then the EICAR zip."""
    parts = [attachment_part(f"note{n}.txt", b"hello %d\r\n" % n, "text/plain") for n in range(count)]
    return message(multipart([*parts, attachment_part("invoice.zip", eicar_zip())], b"many"))


def empty_multiparts_before(count: int) -> bytes:
    """``count`` empty multipart entities (each a node of the MIME tree), then the EICAR zip."""
    empty = b"Content-Type: multipart/mixed; boundary=\"e\"\r\n\r\n--e--\r\n"
    return message(multipart([*([empty] * count), attachment_part("invoice.zip", eicar_zip())], b"outer"))


def wide_zip(entries: int, eicar_at: int) -> bytes:
    """A zip of ``entries`` small files, EICAR at index ``eicar_at`` (negative: from the end)."""
    at = eicar_at % entries
    members = [("eicar.com", EICAR) if n == at else (f"f{n:05d}.txt", b"x%d" % n) for n in range(entries)]
    return zip_of(members)  # deflated: the payload is visible only once the member is read


def rfc822_part(inner: bytes, name: str = "fwd.eml") -> bytes:
    return (b"Content-Type: message/rfc822; name=\"" + name.encode() + b"\"\r\n"
            b"Content-Disposition: attachment; filename=\"" + name.encode() + b"\"\r\n\r\n" + inner)


def nested_rfc822(depth: int) -> bytes:
    """A message forwarding a message ... ``depth`` levels, the EICAR zip in the innermost."""
    msg = zip_message()
    for level in range(depth):
        head = HEAD.replace(b"hostile-1", b"hostile-%d" % (level + 2))
        msg = message(multipart([text_part(b"fwd\r\n"), rfc822_part(msg)], b"r%d" % level), head)
    return msg


def nested_zips(depth: int) -> bytes:
    data = eicar_zip()
    for level in range(depth - 1):
        data = zip_of([(f"layer{level}.zip", data)])
    return zip_message(data)


def nested_msg(depth: int) -> bytes:
    """Outlook .msg inside .msg ... ``depth`` levels, EICAR zip innermost (extract-msg's OLE writer)."""
    from unpack.builders import outlook_msg

    data = outlook_msg("invoice", "see attached", {"invoice.zip": eicar_zip()})
    for level in range(depth - 1):
        data = outlook_msg(f"fwd {level}", "forwarded", {f"fwd{level}.msg": data})
    return zip_message_named(data, "fwd.msg", "application/vnd.ms-outlook")


def zip_message_named(data: bytes, name: str, ctype: str) -> bytes:
    return message(multipart([text_part(), attachment_part(name, data, ctype)], b"b1"))


def sevenzip_named(name: str, data: bytes) -> bytes:
    """A 7z whose one member is stored under ``name`` exactly, even ``../x`` (unpack.builders)."""
    from unpack.builders import sevenzip_named as build

    return build(name, data)


def local_headers_only_zip(members: list[tuple[bytes, bytes]]) -> bytes:
    """A zip with local headers and deflated data but no central directory (truncated/damaged).

    ``zipfile`` refuses it; 7-Zip still reads it from the local headers (the fallback path).
    Names are raw bytes, so they may hold control characters such as a newline.
    """
    out = bytearray()
    for name, data in members:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        packed = packer.compress(data) + packer.flush()
        out += b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", 20, 0x800, 8, 0, 0x21, zlib.crc32(data), len(packed),
                                           len(data), len(name), 0) + name + packed
    return bytes(out)


def heavy_first(heavy: bytes, heavy_name: str = "words.txt") -> bytes:
    """A costly part first, the EICAR zip after it."""
    return message(multipart([attachment_part(heavy_name, heavy, "text/plain"),
                              attachment_part("invoice.zip", eicar_zip())], b"h"))


def with_raw_header_param(ctype_line: bytes, body: bytes = b"hello\r\n", zip_after: bool = True) -> bytes:
    """A text part whose Content-Type line is given raw (hostile charset), optionally the EICAR zip after."""
    parts = [ctype_line + b"\r\n\r\n" + body]
    if zip_after:
        parts.append(attachment_part("invoice.zip", eicar_zip()))
    return message(multipart(parts, b"c"))


def raw_filename(name: bytes, data: bytes) -> bytes:
    """An attachment whose filename parameter holds raw (unencoded) 8-bit bytes."""
    part = (b"Content-Type: application/octet-stream; name=\"" + name + b"\"\r\n"
            b"Content-Disposition: attachment; filename=\"" + name + b"\"\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + b64(data))
    return message(multipart([text_part(), part], b"f"))
