"""Crypto-lure campaigns for the verdict-cache tests and benches: harmless samples that are detected.

Each kind is one attachment built once (zipfile and pypdf stamp times or IDs, and a campaign's copies
carry the same bytes) sent in copies that differ in recipient, Subject and Message-ID; the stdlib
draws a new MIME boundary for every copy, as bulk mailers do.

* ``zip``:  a DDE docx and an XLM macro sheet in one zip (oletools' test files);
* ``xlm``:  the XLM macro sheet itself (Excel 4 macros, an auto-open formula);
* ``pdf``:  a PDF whose OpenAction runs JavaScript and whose link goes to a wallet "verification" site;
* ``lnk``:  a zip holding ``statement.pdf.lnk``, a shortcut that runs a program (strelka's test PoC).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable

from helpers import DATA, make_message, zip_bytes

KINDS = ("zip", "xlm", "pdf", "lnk")

BODY = ("Dear customer, your Binance wallet withdrawal is on hold. Open the attached statement "
        "and enable content to verify your seed phrase.\n")


def _pdf_lure() -> bytes:
    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    w = PdfWriter()
    page = w.add_blank_page(200, 200)
    js = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                           NameObject("/JS"): TextStringObject("app.launchURL('https://binance-verify.example/seed');")})
    w._root_object[NameObject("/OpenAction")] = w._add_object(js)
    uri = DictionaryObject({NameObject("/S"): NameObject("/URI"),
                            NameObject("/URI"): TextStringObject("https://binance-verify.example/wallet/unlock")})
    link = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                             NameObject("/A"): uri, NameObject("/Rect"): ArrayObject([NumberObject(0)] * 4)})
    page[NameObject("/Annots")] = ArrayObject([w._add_object(link)])
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


_BUILDERS: dict[str, Callable[[], tuple[str, bytes, str]]] = {
    "zip": lambda: ("statement.zip", zip_bytes({
        "statement.docx": (DATA / "oletools_dde-test.docx").read_bytes(),
        "ledger.xls": (DATA / "oletools_excel4_sample_macro.xls").read_bytes()}), "application/zip"),
    "xlm": lambda: ("ledger.xls", (DATA / "oletools_excel4_sample_macro.xls").read_bytes(), "application/vnd.ms-excel"),
    "pdf": lambda: ("statement.pdf", _pdf_lure(), "application/pdf"),
    "lnk": lambda: ("statement.zip", zip_bytes({"statement.pdf.lnk": (DATA / "strelka_test.lnk").read_bytes()}),
                    "application/zip"),
}


@functools.cache
def attachment(kind: str) -> tuple[str, bytes, str]:
    """(file name, bytes, content type) of ``kind``'s attachment, the same bytes for every copy."""
    return _BUILDERS[kind]()


def copy(kind: str, n: int, *, subject: str = "", sender: str = "Binance Security <alerts@binance-verify.example>",
         body: str = BODY) -> bytes:
    """Copy ``n`` of the ``kind`` campaign: the same attachment, per-copy recipient, Subject and Message-ID."""
    return make_message(
        subject=subject or f"Binance: verify your wallet (case {100000 + n})", to=f"user{n}@corp.example",
        sender=sender, body=body, attachments=[attachment(kind)],
    ).replace(b"<test-1@example.org>", f"<campaign-{kind}-{n}@sender.example>".encode())
