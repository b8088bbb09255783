"""QR codes in pictures ("quishing"): the link is drawn, so no text or URL filter reads it.

Decoded with zxing-cpp (the C++ port of ZXing, through its Python binding) from images that
Pillow opens: image attachments and inline pictures (PNG, JPEG, GIF, BMP, TIFF, WebP), pictures an
HTML part carries as ``data:`` URIs, the images of a PDF's first pages (their XObjects, read with
pypdf) and the pictures of an Office document (``word/media``, ``xl/media``, ``ppt/media``).  Only
the QR family is searched (QR, Micro QR, rMQR): it is what phones open with the camera.  A code
drawn with vector paths on a PDF page, or as an HTML table, is not seen (nothing renders pages).

What a code holds goes on as a child text Item (:func:`~coinguard.analyzers.urls_common.url_item`):
its URLs reach the links and brands analyzers through ``message_urls`` (a QR code to a brand
look-alike is ``brand.lookalike_link``, one to a shortener or a raw IP ``links.*``), and its text the
crypto-theme and address analyzers (a ``bitcoin:`` payment code).  ``qr.url`` itself is weak: tickets,
invoices and app-store badges carry QR codes too.

Cost is bounded: images over MAX_IMAGE_BYTES or MAX_IMAGE_PIXELS (declared in their header, before
decoding) are not decoded; the others are scaled down to MAX_DECODE_PIXELS; at most MAX_IMAGES per
message, MAX_PDF_PAGES pages and MAX_DOC_IMAGES pictures per document.  An image that Pillow cannot
open, or that holds no QR code, is the normal case: no finding, and never a reason for ``unchecked``
(the image is analysed as a file by the other analyzers all the same).  Images left out by the limits
are named in ``qr.sampled`` (informational).  Not cached (``cacheable = False``): whether an image is
decoded depends on the message's image count.  What a picture file decodes to is a function of its bytes
alone, remembered per process for the last :data:`DECODED_MEMO` files (:func:`decode_bytes`): a campaign's
copies carry the same pictures, and every copy the body tier does not replay (the first ones per worker,
another boundary layout) decoded them again (~10 ms for the invoice lure's two).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
import re
import threading
import warnings
import zipfile
from collections import OrderedDict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from coinguard.analyzers.office_common import read_member
from coinguard.analyzers.urls_common import QR_CODE, url_item, urls_in_text
from coinguard.errors import BudgetExceeded
from coinguard.findings import Category, CodeInfo, Finding, Item, Strength
from coinguard.handlers import AnalysisContext
from coinguard.limits import MiB
from coinguard.sniff import ItemType

if TYPE_CHECKING:
    from PIL.Image import Image

log = logging.getLogger(__name__)

NAME = "qr"
PARSE_ERROR = "qr.parse_error"
IMAGE_TYPES = frozenset({ItemType.IMAGE_PNG, ItemType.IMAGE_JPEG, ItemType.IMAGE_GIF, ItemType.IMAGE_BMP,
                         ItemType.IMAGE_TIFF, ItemType.IMAGE_WEBP})
#: Largest image file decoded, and most pixels its header may declare.
MAX_IMAGE_BYTES = 16 * MiB
MAX_IMAGE_PIXELS = 30_000_000
#: Images are scaled down to at most this many pixels before the search (a QR code that fills a
#: phone screen survives that; the cost of one search stays in the tens of milliseconds).
MAX_DECODE_PIXELS = 4_000_000
#: Smallest side that can hold a QR code (21 modules): spacers and tracking pixels are skipped.
MIN_SIDE = 21
#: Most images searched per message, PDF pages looked at, pictures per PDF or Office document.
MAX_IMAGES = 24
MAX_PDF_PAGES = 5
MAX_DOC_IMAGES = 8
#: Most codes kept per image, and characters of one code's text.
MAX_CODES = 4
MAX_CODE_CHARS = 4096
#: ``ctx.memo`` key: images searched so far in this message.
MEMO_KEY = NAME

#: Pictures written into HTML as data: URIs (``<img src="data:image/png;base64,...">``), no MIME part of their own.
_DATA_IMAGE = re.compile(rb"data:image/(?:png|jpe?g|gif|webp|bmp);base64,([A-Za-z0-9+/=\s]{200,%d})"
                         % (MAX_IMAGE_BYTES * 4 // 3), re.I)
#: Bytes of an HTML part searched for data: pictures.
MAX_HTML_SCAN = 32 * MiB
_MEDIA = re.compile(r"(?i)^(?:word|xl|ppt)/media/[^/]+\.(?:png|jpe?g|gif|bmp|tiff?|webp)$")
_BARE_HOST = re.compile(r"(?i)^(?:www\.)?[a-z0-9\u00a1-\uffff-]{1,63}(?:\.[a-z0-9\u00a1-\uffff-]{1,63})*"
                        r"\.[a-z\u00a1-\uffff]{2,63}(?:[/?#]\S*)?$")
_SCHEME_LINK = re.compile(r"(?i)^\s*(?:javascript|vbscript|data):")


class _TooLarge(Exception):
    """An image over the size limits: named in qr.sampled, not decoded."""


class _Unreadable(Exception):
    """A container whose pictures could not be listed: a qr.parse_error (verdict unchecked)."""


def _formats() -> Any:
    import zxingcpp

    return zxingcpp.BarcodeFormat.QRCode | zxingcpp.BarcodeFormat.MicroQRCode | zxingcpp.BarcodeFormat.RMQRCode


def _prepare(img: Image) -> Image:
    """``img`` as an 8-bit grey picture of at most MAX_DECODE_PIXELS, transparency on white."""
    from PIL import Image as PilImage

    width, height = img.size
    if width * height > MAX_IMAGE_PIXELS:
        raise _TooLarge(f"{width}x{height} pixels")
    if width * height > MAX_DECODE_PIXELS and img.format == "JPEG":
        scale = (width * height / MAX_DECODE_PIXELS) ** 0.5
        img.draft("L", (int(width / scale), int(height / scale)))  # the JPEG decoder scales for free
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = PilImage.new("RGBA", rgba.size, (255, 255, 255, 255))
        background.alpha_composite(rgba)
        img = background
    grey = img.convert("L")
    if grey.width * grey.height > MAX_DECODE_PIXELS:
        scale = (grey.width * grey.height / MAX_DECODE_PIXELS) ** 0.5
        grey = grey.resize((max(1, int(grey.width / scale)), max(1, int(grey.height / scale))),
                           PilImage.Resampling.BOX)
    return grey


def decode_image(img: Image) -> list[str] | None:
    """The texts of the QR codes in ``img`` (at most MAX_CODES); None for a picture too small to hold one
    (not searched, not counted).  Raises _TooLarge past the pixel limit."""
    import zxingcpp

    if min(img.size) < MIN_SIDE:
        return None
    grey = _prepare(img)
    codes = zxingcpp.read_barcodes(grey, formats=_formats())
    texts = [c.text[:MAX_CODE_CHARS] for c in codes if c.valid and c.text]
    return list(dict.fromkeys(texts))[:MAX_CODES]


#: Picture files whose decoding is remembered per process (by sha256 of the bytes; a few short texts each).
DECODED_MEMO = 64
_DECODED: OrderedDict[bytes, list[str] | None] = OrderedDict()
_DECODED_LOCK = threading.Lock()


def decode_bytes(data: bytes) -> list[str] | None:
    """The QR codes of an image file (:func:`decode_image`); [] when it cannot be read: a damaged picture
    has no code to read, and is no reason for "unchecked".  Raises _TooLarge past the limits.

    Remembered by the file's sha256 for the last :data:`DECODED_MEMO` files (the decoding reads nothing
    else: no rule, no configuration, no message); a decoder that failed is not remembered, nor a file over
    the limits (it raises)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise _TooLarge(f"{len(data)} bytes")
    key = hashlib.sha256(data).digest()
    with _DECODED_LOCK:
        if key in _DECODED:
            _DECODED.move_to_end(key)
            known = _DECODED[key]
            return None if known is None else list(known)
    texts, decoded = _decode_bytes(data)
    if decoded:
        with _DECODED_LOCK:
            _DECODED[key] = None if texts is None else list(texts)
            while len(_DECODED) > DECODED_MEMO:
                _DECODED.popitem(last=False)
    return texts


def _decode_bytes(data: bytes) -> tuple[list[str] | None, bool]:
    """:func:`decode_bytes` and whether the result is the file's own (False: the decoder library failed)."""
    from PIL import Image as PilImage
    from PIL import UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning: our own pixel limit decides
            with PilImage.open(io.BytesIO(data)) as img:
                return decode_image(img), True
    except _TooLarge:
        raise
    except PilImage.DecompressionBombError as exc:
        raise _TooLarge(str(exc)[:80]) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, TypeError) as exc:
        log.debug("image not decoded for QR codes: %r", exc)
        return [], True
    except Exception as exc:  # a decoder library failing on odd input: still only "no code found"
        log.warning("QR decoding failed on an image: %r", exc)
        return [], False


def code_urls(text: str) -> list[str]:
    """The URLs a QR code's text opens: the whole text when it is a link (``https://``, ``www.``, a bare
    host with a path, ``javascript:``/``data:``), else the http(s) URLs written in it (``MEBKM:URL:...``)."""
    t = text.strip()
    if re.match(r"(?i)^https?://\S+$", t):
        return [t]
    if _SCHEME_LINK.match(t):
        return [t]
    if _BARE_HOST.match(t) and not t.replace(".", "").isdigit():
        return ["http://" + t]
    return urls_in_text(t)


class QrCodes:
    """QR codes in images, PDF pages and Office pictures: decoded, their URLs handed to the link analyzers."""

    name: ClassVar[str] = NAME
    cacheable: ClassVar[bool] = False
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("qr.url", 2.0, Category.SENDER,
                 "a picture holds a QR code that opens a web address (quishing: a link no text filter reads); "
                 "the address is judged by the links and brands analyzers like any other",
                 strength=Strength.WEAK),
        CodeInfo("qr.sampled", 0.0, Category.INTERNAL,
                 "informational: pictures over the QR decoder's limits (size, pixels, count per message) "
                 "were not searched for QR codes; they were analysed as files all the same",
                 incomplete=False),
        CodeInfo(PARSE_ERROR, 0.0, Category.INTERNAL,
                 "an Office package whose pictures could not be listed (a damaged or unsupported zip, e.g. a "
                 "decrypted document that is no valid package): its pictures were not searched for QR codes "
                 "(verdict unchecked)"),
    )

    def applies_to(self, item: Item) -> bool:
        if item.type == ItemType.HTML:
            return b"data:image/" in item.data[:MAX_HTML_SCAN]
        return item.type in IMAGE_TYPES or item.type == ItemType.PDF or item.type.startswith("ooxml.")

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        memo: dict[str, int] = ctx.memo.setdefault(MEMO_KEY, {"images": 0})
        skipped: list[str] = []
        found: list[tuple[str, list[str]]] = []
        for where, load in self._images(item, ctx):
            if memo["images"] >= MAX_IMAGES:
                skipped.append(f"{where}: over {MAX_IMAGES} pictures in the message")
                break
            ctx.budget.check_time()
            try:
                texts = load()
            except _TooLarge as exc:
                skipped.append(f"{where}: {exc}")
                continue
            except _Unreadable as exc:
                yield Finding(PARSE_ERROR, NAME, item.path, f"{where}: {exc}")
                continue
            if texts is not None:  # searched (spacers and tracking pixels are not counted)
                memo["images"] += 1
            if texts:
                found.append((where, texts))
        all_urls: list[str] = []
        for where, texts in found:
            urls = list(dict.fromkeys(u for t in texts for u in code_urls(t)))
            for url in urls:
                yield Finding("qr.url", NAME, item.path, f"QR code in {where} opens {url[:200]}")
            all_urls += urls
        if found:
            text = "\n".join(dict.fromkeys(t for _, texts in found for t in texts))
            yield url_item(item, all_urls, source=NAME, where=QR_CODE, label="qr-code", text=text)
        if skipped:
            yield Finding("qr.sampled", NAME, item.path, "; ".join(skipped[:3]))

    def _images(self, item: Item, ctx: AnalysisContext) -> Iterator[tuple[str, Any]]:
        """(where, decode callable) for each picture of ``item``."""
        if item.type in IMAGE_TYPES:
            yield item.path, lambda: decode_bytes(item.data)
        elif item.type == ItemType.PDF:
            yield from _pdf_images(item, ctx)
        elif item.type == ItemType.HTML:
            yield from _html_images(item)
        else:
            yield from _office_images(item, ctx)


def _html_images(item: Item) -> Iterator[tuple[str, Any]]:
    """Pictures an HTML part carries as base64 ``data:`` URIs."""
    for n, m in enumerate(_DATA_IMAGE.finditer(item.data[:MAX_HTML_SCAN]), 1):
        if n > MAX_DOC_IMAGES:
            return
        try:
            data = base64.b64decode(re.sub(rb"\s+", b"", m.group(1)), validate=False)
        except (binascii.Error, ValueError):
            continue
        yield f"{item.path} (data: picture {n})", _bytes_loader(data)


def _pdf_images(item: Item, ctx: AnalysisContext) -> Iterator[tuple[str, Any]]:
    """The image XObjects of the first pages (pypdf decodes them to Pillow images)."""
    from pypdf import PdfReader
    from pypdf.generic import DictionaryObject

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            reader = PdfReader(io.BytesIO(item.data), strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                return
            pages = list(reader.pages[:MAX_PDF_PAGES])
        except BudgetExceeded:
            raise
        except Exception as exc:  # the pdf analyzer reports a broken file; here there is nothing to read
            log.debug("pdf not read for QR codes: %r", exc)
            return
        count = 0
        for number, page in enumerate(pages, 1):
            ctx.budget.check_time()
            try:
                keys = list(page.images.keys())
                resources = page.get("/Resources")
                xobjects = resources.get_object().get("/XObject") if resources is not None else None
                xobjects = xobjects.get_object() if xobjects is not None else None
            except BudgetExceeded:
                raise
            except Exception as exc:
                log.debug("pdf page %d images not listed: %r", number, exc)
                continue
            for key in keys:
                if count >= MAX_DOC_IMAGES:
                    return
                count += 1
                declared = xobjects.get(key) if isinstance(key, str) and isinstance(xobjects, DictionaryObject) \
                    else None
                yield f"{item.path} page {number}", _pdf_loader(page, key, declared)


def _pdf_loader(page: Any, key: Any, declared: Any) -> Any:
    def load() -> list[str] | None:
        try:
            obj = declared.get_object() if declared is not None else None
            if obj is not None:
                width, height = int(obj.get("/Width", 0)), int(obj.get("/Height", 0))
                if width * height > MAX_IMAGE_PIXELS:
                    raise _TooLarge(f"{width}x{height} pixels")
                if min(width, height) < MIN_SIDE:
                    return None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                image = page.images[key].image
                return decode_image(image) if image is not None else []
        except (_TooLarge, BudgetExceeded):
            raise
        except Exception as exc:  # pypdf or Pillow on a damaged image: no code to read
            log.debug("pdf image %r not decoded: %r", key, exc)
            return []

    return load


def _office_images(item: Item, ctx: AnalysisContext) -> Iterator[tuple[str, Any]]:
    """The pictures of an OOXML package (``*/media/*``), read after asking the Budget."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(item.data))
        media = [i for i in zf.infolist() if _MEDIA.match(i.filename)][:MAX_DOC_IMAGES]
    except BudgetExceeded:
        raise
    except Exception as exc:  # BadZipFile, NotImplementedError (flag bit 5), struct.error, EOFError ...
        log.debug("ooxml not read for QR codes: %r", exc)
        yield item.path, _raise_unreadable(f"pictures not listed: {type(exc).__name__}: {str(exc)[:120]}")
        return
    with zf:
        for info in media:
            if info.file_size > MAX_IMAGE_BYTES:
                yield f"{item.path}/{info.filename}", _raise_too_large(f"{info.file_size} bytes")
                continue
            try:
                data = read_member(zf, info, ctx, MAX_IMAGE_BYTES)  # a member that lies about its size: a limit
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
                log.debug("ooxml picture %s not read: %r", info.filename, exc)
                continue
            yield f"{item.path}/{info.filename}", _bytes_loader(data)


def _bytes_loader(data: bytes) -> Any:
    return lambda: decode_bytes(data)


def _raise_unreadable(why: str) -> Any:
    def load() -> list[str] | None:
        raise _Unreadable(why)

    return load


def _raise_too_large(why: str) -> Any:
    def load() -> list[str] | None:
        raise _TooLarge(why)

    return load
