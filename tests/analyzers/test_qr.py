"""QR codes in pictures (quishing): decoded with zxing-cpp, their URLs judged like every other link.

Every QR picture is drawn here with zxing-cpp's own writer; PDFs are made by Pillow's PDF writer
(one page holding the picture as an image XObject), Office documents by zipfile.
"""

from __future__ import annotations

import base64
import io
import struct
import time
import zlib

import pytest
import zxingcpp
from PIL import Image

from coinguard.analyzers import qr
from coinguard.analyzers.qr import QrCodes, code_urls
from coinguard.analyzers.urls_common import URLS_META, WHERE_META
from coinguard.catalogue import catalogue
from coinguard.config import parse_config
from coinguard.findings import Item, VerdictKind
from coinguard.scan import ScanContext, scan_message
from coinguard.sniff import sniff

from helpers import codes, make_context, make_message, run_handler, zip_bytes

OFFLINE = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n')


def qr_picture(text: str, *, scale: int = 6, canvas: tuple[int, int] = (900, 700), invert: bool = False) -> Image.Image:
    """A photo-sized RGB picture with one QR code holding ``text`` somewhere off-centre."""
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode)
    mark = Image.fromarray(zxingcpp.write_barcode_to_image(code, scale=scale)).convert("RGB")
    if invert:
        mark = Image.eval(mark, lambda v: 255 - v)
    picture = Image.new("RGB", canvas, (0, 0, 0) if invert else (214, 200, 180))
    picture.paste(mark, (canvas[0] // 3, canvas[1] // 5))
    return picture


def encoded(picture: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    picture.save(buf, fmt)
    return buf.getvalue()


def pdf_with(picture: Image.Image) -> bytes:
    buf = io.BytesIO()
    picture.save(buf, "PDF", resolution=150)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF"])
def test_qr_code_in_an_image_attachment(fmt: str) -> None:
    data = encoded(qr_picture("https://ledgerlivewallet.com/verify?id=7"), fmt)
    findings, children = run_handler(QrCodes(), data, f"scan.{fmt.lower()}")
    assert [f.code for f in findings] == ["qr.url"]
    assert "opens https://ledgerlivewallet.com/verify?id=7" in findings[0].detail
    (child,) = children
    assert child.meta[URLS_META] == ["https://ledgerlivewallet.com/verify?id=7"]
    assert child.meta[WHERE_META] == "QR code"
    assert child.data == b"https://ledgerlivewallet.com/verify?id=7"  # the text analyzers read it too


def test_light_on_dark_code_and_transparent_background() -> None:
    findings, _ = run_handler(QrCodes(), encoded(qr_picture("https://a.example/x", invert=True), "PNG"), "dark.png")
    assert codes(findings) == {"qr.url"}
    code = zxingcpp.create_barcode("https://b.example/y", zxingcpp.BarcodeFormat.QRCode)
    grey = Image.fromarray(zxingcpp.write_barcode_to_image(code, scale=5))
    sticker = Image.new("RGBA", grey.size, (0, 0, 0, 0))
    sticker.putalpha(Image.eval(grey, lambda v: 255 - v))  # black modules, transparent elsewhere
    findings, _ = run_handler(QrCodes(), encoded(sticker, "PNG"), "sticker.png")
    assert [f.detail for f in findings] == ["QR code in sticker.png opens https://b.example/y"]


def test_pictures_without_a_code_and_broken_pictures_say_nothing() -> None:
    plain = Image.effect_noise((800, 600), 60).convert("RGB")
    for data, name in ((encoded(plain, "PNG"), "photo.png"), (encoded(plain, "JPEG"), "photo.jpg"),
                       (b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "broken.png"), (b"GIF89a\x01\x00", "cut.gif")):
        item = Item(path=name, name=name, data=data, type=sniff(data))
        assert QrCodes().applies_to(item), item.type
        assert list(QrCodes().handle(item, make_context())) == []  # normal: not "unchecked", no finding


def test_non_link_content_goes_to_the_text_analyzers_only() -> None:
    findings, children = run_handler(QrCodes(), encoded(qr_picture("bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq?"
                                                                   "amount=0.05"), "PNG"), "pay.png")
    assert findings == []
    assert children[0].data.startswith(b"bitcoin:bc1q") and children[0].meta[URLS_META] == []


@pytest.mark.parametrize(("text", "urls"), [
    ("https://x.example/a b", ["https://x.example/a"]),
    ("binance-verify.com/login", ["http://binance-verify.com/login"]),
    ("www.example.org", ["http://www.example.org"]),
    ("MEBKM:TITLE:Claim;URL:https://claim.example/c;;", ["https://claim.example/c"]),
    ("javascript:alert(1)", ["javascript:alert(1)"]),
    ("WIFI:S:home;T:WPA;P:secret;;", []),
    ("10.5", []),
])
def test_what_a_code_opens(text: str, urls: list[str]) -> None:
    assert code_urls(text) == urls


def test_qr_code_on_a_pdf_page_and_in_an_office_document() -> None:
    picture = qr_picture("https://metamask-restore.io/x", canvas=(1240, 1754))
    findings, children = run_handler(QrCodes(), pdf_with(picture), "statement.pdf")
    assert [f.detail for f in findings] == ["QR code in statement.pdf page 1 opens https://metamask-restore.io/x"]
    assert children[0].meta[URLS_META] == ["https://metamask-restore.io/x"]
    docx = zip_bytes({"[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
                      "word/document.xml": b"<w:document/>",
                      "word/media/image1.png": encoded(qr_picture("https://kraken-support.help/"), "PNG")})
    item = Item(path="notice.docx", name="notice.docx", data=docx, type="ooxml.word")
    out = list(QrCodes().handle(item, make_context()))
    assert [o.detail for o in out if not isinstance(o, Item)] == [
        "QR code in notice.docx/word/media/image1.png opens https://kraken-support.help/"]


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` (the pixels are never there)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def test_limits_are_informational_never_unchecked() -> None:
    findings, children = run_handler(QrCodes(), _png_header_only(9000, 9000), "huge.png")
    assert [f.code for f in findings] == ["qr.sampled"] and children == []
    assert "81000000 pixels" not in findings[0].detail and "9000x9000" in findings[0].detail
    info = catalogue()["qr.sampled"]
    assert info.incomplete is False and info.score == 0.0
    ctx = make_context()
    data = encoded(qr_picture("https://a.example/"), "PNG")
    seen = []
    for n in range(qr.MAX_IMAGES + 2):
        item = Item(path=f"p{n}.png", name=f"p{n}.png", data=data, type=sniff(data))
        seen += [f.code for f in QrCodes().handle(item, ctx) if not isinstance(f, Item)]
    assert seen.count("qr.url") == qr.MAX_IMAGES and seen.count("qr.sampled") == 2


def test_decoding_cost_is_bounded() -> None:
    noise = encoded(Image.effect_noise((4000, 3000), 90).convert("L"), "PNG")  # 12 MP, no code
    started = time.monotonic()
    findings, _ = run_handler(QrCodes(), noise, "noise.png")
    assert findings == [] and time.monotonic() - started < 5
    big = qr_picture("https://big.example/", scale=24, canvas=(5000, 4000))  # 20 MP: scaled down, still read
    findings, _ = run_handler(QrCodes(), encoded(big, "JPEG"), "big.jpg")
    assert codes(findings) == {"qr.url"}


def _scan(raw: bytes) -> tuple[VerdictKind, dict[str, str]]:
    v = scan_message(raw, ScanContext(config=OFFLINE))
    return v.verdict, {f.code: f.detail for f in v.findings if (f.score or 0) > 0}


def test_quishing_mail_with_a_lookalike_in_an_inline_picture() -> None:
    """The body says only "scan the code": the brand and the link are in the picture."""
    picture = encoded(qr_picture("https://secure-binance-login.com/start"), "PNG")
    raw = make_message(sender="Security <no-reply@notice-mail.example>", subject="Action required",
                       body="Scan the code below with your phone to continue.\n",
                       attachments=[("code.png", picture, "image/png")])
    verdict, found = _scan(raw)
    assert "qr.url" in found
    assert found["brand.lookalike_link"] == ("link to secure-binance-login.com imitates Binance (brand plus word), "
                                             "QR code in code.png")
    assert verdict is VerdictKind.SUSPICIOUS


def test_everyday_word_brand_in_a_qr_code_needs_crypto_context() -> None:
    picture = encoded(qr_picture("https://ledgerlivewallet.com/start"), "PNG")
    plain = make_message(subject="Action required", body="Scan the code below with your phone to continue.\n",
                         attachments=[("code.png", picture, "image/png")])
    assert "brand.lookalike_link" not in _scan(plain)[1]
    themed = make_message(subject="Your crypto wallet will be suspended",
                          body="Verify your wallet now: scan the code below to restore access to your funds.\n",
                          attachments=[("code.png", picture, "image/png")])
    assert "imitates Ledger" in _scan(themed)[1]["brand.lookalike_link"]


def test_qr_code_to_a_shortener_is_judged_without_crypto_words() -> None:
    raw = make_message(subject="Your parcel", body="Scan to reschedule.\n",
                       attachments=[("label.png", encoded(qr_picture("https://bit.ly/3xYzAbC"), "PNG"), "image/png")])
    _, found = _scan(raw)
    assert found["links.shortener"] == "bit.ly (QR code in label.png)"


def test_event_ticket_with_a_qr_code_stays_clean() -> None:
    raw = make_message(sender="Box office <tickets@theatre.example>", subject="Your tickets for Saturday",
                       body="Show this code at the entrance. Doors open at 19:00.\n",
                       attachments=[("ticket.png", encoded(qr_picture("https://theatre.example/t/5521"), "PNG"),
                                     "image/png")])
    verdict, found = _scan(raw)
    assert verdict is VerdictKind.CLEAN and set(found) == {"qr.url"}


def test_picture_written_into_the_html_body_as_a_data_uri() -> None:
    png = base64.b64encode(encoded(qr_picture("https://coinbase-wallet-restore.com/q"), "PNG")).decode()
    src = f"data:image/png;base64,{png[:76]}\n{png[76:]}"  # wrapped, as mailers do
    html = f'<html><body><p>Scan to verify</p><img alt="" src="{src}"></body></html>'
    raw = make_message(subject="Verify", body="Scan to verify\n", html=html)
    _, found = _scan(raw)
    assert found["qr.url"].endswith("(data: picture 1) opens https://coinbase-wallet-restore.com/q")
    assert "imitates Coinbase" in found["brand.lookalike_link"]
    plain = Item(path="p.html", name="p.html", data=b"<p>no pictures</p>", type="html")
    assert not QrCodes().applies_to(plain)


def test_spacers_do_not_use_up_the_image_count() -> None:
    ctx = make_context()
    pixel = encoded(Image.new("RGB", (1, 1), "white"), "GIF")
    for n in range(qr.MAX_IMAGES + 5):
        item = Item(path=f"s{n}.gif", name=f"s{n}.gif", data=pixel, type=sniff(pixel))
        assert list(QrCodes().handle(item, ctx)) == []
    data = encoded(qr_picture("https://a.example/"), "PNG")
    out = list(QrCodes().handle(Item(path="q.png", name="q.png", data=data, type=sniff(data)), ctx))
    assert codes(o for o in out if not isinstance(o, Item)) == {"qr.url"}


def test_a_decoder_failure_is_no_code_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("decoder bug")

    monkeypatch.setattr(qr, "_DECODED", type(qr._DECODED)())  # (another test's decoding of this picture)
    monkeypatch.setattr(zxingcpp, "read_barcodes", broken)
    data = encoded(qr_picture("https://a.example/"), "PNG")
    findings, children = run_handler(QrCodes(), data, "q.png")
    assert findings == [] and children == []
    monkeypatch.undo()  # a failed decoding is not remembered: the picture decodes once the decoder works
    assert qr.decode_bytes(data) == ["https://a.example/"]


def test_a_decoded_picture_is_remembered_by_its_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A campaign's next copy carries the same picture: its decoding is remembered by the bytes (the same
    texts, and a list of its own), another picture is decoded, and the memo is bounded."""
    monkeypatch.setattr(qr, "_DECODED", type(qr._DECODED)())
    monkeypatch.setattr(qr, "DECODED_MEMO", 2)
    calls: list[int] = []
    real = zxingcpp.read_barcodes

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(zxingcpp, "read_barcodes", counted)
    one, two = (encoded(qr_picture(u), "PNG") for u in ("https://a.example/", "https://b.example/"))
    first = qr.decode_bytes(one)
    assert first == ["https://a.example/"] and len(calls) == 1
    first.append("changed by a caller")
    assert qr.decode_bytes(bytes(one)) == ["https://a.example/"] and len(calls) == 1
    assert qr.decode_bytes(two) == ["https://b.example/"] and len(calls) == 2
    small = encoded(Image.new("RGB", (4, 4), "white"), "PNG")  # too small to hold a code: None, remembered
    assert qr.decode_bytes(small) is None and qr.decode_bytes(small) is None
    assert len(qr._DECODED) == 2  # the oldest (one) forgotten
    assert qr.decode_bytes(one) == ["https://a.example/"] and len(calls) == 3


def _future_version(package: bytes) -> bytes:
    """``package`` whose last central directory entry needs zip version 9.9 to extract: zipfile refuses
    to open it with NotImplementedError, as it does a damaged decrypted OOXML with garbage in that field."""
    at = package.rfind(b"PK\x01\x02")
    return package[:at + 6] + struct.pack("<H", 99) + package[at + 8:]


def test_office_package_that_zipfile_refuses_is_a_parse_error_and_unchecked() -> None:
    docx = zip_bytes({"[Content_Types].xml": b'<?xml version="1.0"?><Types/>',
                      "word/document.xml": b"<w:document/>",
                      "word/media/image1.png": encoded(qr_picture("https://kraken-support.help/"), "PNG")})
    item = Item(path="decrypted.docx", name="decrypted.docx", data=_future_version(docx), type="ooxml.word")
    out = list(QrCodes().handle(item, make_context()))  # no exception (it was scan.analyzer_error)
    assert [(o.code, o.path) for o in out if not isinstance(o, Item)] == [("qr.parse_error", "decrypted.docx")]
    assert "NotImplementedError" in out[0].detail
    assert catalogue()["qr.parse_error"].incomplete  # the verdict says the pictures were not read
    garbage = Item(path="x.docx", name="x.docx", data=b"PK\x03\x04 not a zip", type="ooxml.word")
    assert codes(QrCodes().handle(garbage, make_context())) == {"qr.parse_error"}
