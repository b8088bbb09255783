"""Crypto-lure campaigns for the verdict-cache tests and benches: harmless samples that are detected.

Each kind is one attachment built once (zipfile and pypdf stamp times or IDs, and a campaign's copies
carry the same bytes) sent in copies that differ in recipient, Subject and Message-ID; the stdlib
draws a new MIME boundary for every copy, as bulk mailers do.

* ``zip``:  a DDE docx and an XLM macro sheet in one zip (oletools' test files);
* ``xlm``:  the XLM macro sheet itself (Excel 4 macros, an auto-open formula);
* ``pdf``:  a PDF whose OpenAction runs JavaScript and whose link goes to a wallet "verification" site;
* ``lnk``:  a zip holding ``statement.pdf.lnk``, a shortcut that runs a program (strelka's test PoC);
* ``invoice``: the size such attacks really have: a macro-enabled invoice workbook (``.xlsm``, 266 KB: an
  invoice sheet of 1,500 line items, a banner and a scanned page as pictures, a hidden Excel 4.0 macro
  sheet run by ``Auto_Open``) under an HTML body with a table and a button link (367 KB of mail).

The first four are tiny crafted attachments: their scan is cheap and the fixed cost of every message
(SMTP, the MTA, the hand-off, the quarantine write) dominates; ``invoice`` shows the cache where the
scan is what costs.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable

from helpers import DATA, make_message, zip_bytes

KINDS = ("zip", "xlm", "pdf", "lnk", "invoice")

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


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
#: The invoice's line items: (description, unit price); quantities and dates vary by row.
_ITEMS = (("Cold-storage wallet subscription (12 months)", 149.00), ("Hardware wallet replacement", 89.50),
          ("Express courier, insured", 24.90), ("Account security audit", 310.00),
          ("Seed backup plate, steel", 39.00), ("Priority support", 55.00))


def _xml(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n' + body).encode()


def _banner_png() -> bytes:
    """The "enable content" banner these lures put at the top of the sheet (a PNG with the text drawn)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (900, 160), (255, 242, 204))
    draw = ImageDraw.Draw(img)
    draw.rectangle((8, 8, 891, 151), outline=(191, 144, 0), width=4)
    draw.text((40, 40), "PROTECTED INVOICE - this document was created in a newer version of Excel", fill=(0, 0, 0))
    draw.text((40, 80), "To view the invoice click ENABLE EDITING and then ENABLE CONTENT", fill=(192, 0, 0))
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=False)
    return buf.getvalue()


def _scan_jpeg() -> bytes:
    """A scanned, stamped page (photographic noise: a JPEG of the size real scans have, ~210 KB)."""
    import random

    from PIL import Image, ImageDraw, ImageFilter

    rnd = random.Random(14)
    w, h = 820, 1100
    img = Image.frombytes("L", (w, h), bytes(rnd.randrange(200, 256) for _ in range(w * h))).convert("RGB")
    draw = ImageDraw.Draw(img)
    for y in range(80, h - 80, 22):  # lines of "text"
        x = 60
        while x < w - 80:
            n = rnd.randrange(20, 90)
            draw.rectangle((x, y, x + n, y + 9), fill=(rnd.randrange(20, 80),) * 3)
            x += n + rnd.randrange(8, 18)
    draw.ellipse((520, 820, 760, 1060), outline=(30, 60, 170), width=9)  # the stamp
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _sheet(rows: int) -> tuple[bytes, bytes]:
    """The invoice sheet (``rows`` line items) and its shared strings."""
    strings = ["Item", "Description", "Date", "Quantity", "Unit price", "Amount", *(d for d, _ in _ITEMS)]
    index = {s: n for n, s in enumerate(strings)}
    out = [f'<worksheet xmlns="{_NS}" xmlns:r="{_REL}"><dimension ref="A1:F{rows + 1}"/><sheetData>']
    out.append('<row r="1">' + "".join(f'<c r="{c}1" t="s"><v>{n}</v></c>' for n, c in enumerate("ABCDEF")) + "</row>")
    for r in range(2, rows + 2):
        desc, price = _ITEMS[r % len(_ITEMS)]
        qty = 1 + r % 4
        out.append(f'<row r="{r}"><c r="A{r}"><v>{10000 + r}</v></c><c r="B{r}" t="s"><v>{index[desc]}</v></c>'
                   f'<c r="C{r}"><v>{46000 + r // 7}</v></c><c r="D{r}"><v>{qty}</v></c>'
                   f'<c r="E{r}"><v>{price:.2f}</v></c><c r="F{r}"><f>D{r}*E{r}</f><v>{qty * price:.2f}</v></c></row>')
    out.append('</sheetData><drawing r:id="rId1"/></worksheet>')
    sst = (f'<sst xmlns="{_NS}" count="{len(strings)}" uniqueCount="{len(strings)}">'
           + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")
    return _xml("".join(out)), _xml(sst)


def _invoice_xlsm() -> bytes:
    """A macro-enabled invoice workbook of the size such lures have (266 KB): an invoice sheet of 1,500
    line items, a banner and a scanned page as pictures, and a hidden Excel 4.0 macro sheet run by an
    ``Auto_Open`` name.  Harmless: the macro's only formula starts calc.exe (the usual proof of concept)
    and nothing here is executed by anyone."""
    sheet, sst = _sheet(1500)
    ct = "application/vnd.openxmlformats-officedocument"
    members = {
        "[Content_Types].xml": _xml(
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>'
            '<Default Extension="jpeg" ContentType="image/jpeg"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/macrosheets/sheet2.xml" ContentType="application/vnd.ms-excel.macrosheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.spreadsheetml.sharedStrings+xml"/>'
            f'<Override PartName="/xl/drawings/drawing1.xml" ContentType="{ct}.drawing+xml"/></Types>'),
        "_rels/.rels": _xml(f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
                            'Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": _xml(
            f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets><sheet name="Invoice" sheetId="1" r:id="rId1"/>'
            '<sheet name="Macro1" sheetId="2" state="veryHidden" r:id="rId2"/></sheets><definedNames>'
            '<definedName name="_xlnm.Auto_Open" hidden="1">Macro1!$A$1</definedName></definedNames></workbook>'),
        "xl/_rels/workbook.xml.rels": _xml(
            f'<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet" '
            'Target="macrosheets/sheet2.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/worksheets/_rels/sheet1.xml.rels": _xml(
            f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}/drawing" '
            'Target="../drawings/drawing1.xml"/></Relationships>'),
        "xl/sharedStrings.xml": sst,
        "xl/macrosheets/sheet2.xml": _xml(
            f'<xm:macrosheet xmlns="{_NS}" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
            '<sheetData><row r="1"><c r="A1"><f>EXEC("calc.exe")</f></c></row>'
            '<row r="2"><c r="A2"><f>HALT()</f></c></row></sheetData></xm:macrosheet>'),
        "xl/drawings/drawing1.xml": _xml(
            '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
            f'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="{_REL}">'
            + "".join(f'<xdr:twoCellAnchor><xdr:pic><xdr:nvPicPr><xdr:cNvPr id="{n}" name="Picture {n}" '
                      f'descr="{alt}"/></xdr:nvPicPr><xdr:blipFill><a:blip r:embed="rId{n}"/></xdr:blipFill>'
                      '</xdr:pic></xdr:twoCellAnchor>'
                      for n, alt in ((1, "Enable content"), (2, "Scanned invoice")))
            + "</xdr:wsDr>"),
        "xl/drawings/_rels/drawing1.xml.rels": _xml(
            f'<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/image" Target="../media/image1.png"/>'
            f'<Relationship Id="rId2" Type="{_REL}/image" Target="../media/image2.jpeg"/></Relationships>'),
        "xl/media/image1.png": _banner_png(),
        "xl/media/image2.jpeg": _scan_jpeg(),
    }
    return zip_bytes(members)


#: The HTML body of the invoice lure (what such mail looks like: a logo, a table, a button link).
INVOICE_HTML = """<html><head><style>td{font-family:Arial;font-size:13px;padding:6px}</style></head><body>
<table width="600" cellspacing="0" cellpadding="0" style="border:1px solid #ddd">
<tr><td style="background:#1e2329;color:#f0b90b;font-size:20px"><b>BINANCE</b> Billing</td></tr>
<tr><td>Dear customer,<br><br>your withdrawal of <b>0.4812 BTC</b> is on hold until the attached invoice for the
cold-storage subscription is settled. Open the attached invoice, click <b>Enable Content</b> to view it and
confirm the payment within 24 hours, or the withdrawal will be cancelled.</td></tr>
<tr><td><table width="100%" style="border-collapse:collapse">
<tr><td>Invoice</td><td>INV-2026-20931</td></tr><tr><td>Amount due</td><td>USD 1,249.00</td></tr>
<tr><td>Due</td><td>within 24 hours</td></tr></table></td></tr>
<tr><td><a href="https://binance-verify.example/billing/confirm?inv=20931"
style="background:#f0b90b;color:#000;padding:10px 18px;text-decoration:none">Confirm payment</a></td></tr>
<tr><td style="color:#888;font-size:11px">Binance Billing Department. This is an automated message, please do
not reply.</td></tr></table></body></html>
"""


_BUILDERS: dict[str, Callable[[], tuple[str, bytes, str]]] = {
    "zip": lambda: ("statement.zip", zip_bytes({
        "statement.docx": (DATA / "oletools_dde-test.docx").read_bytes(),
        "ledger.xls": (DATA / "oletools_excel4_sample_macro.xls").read_bytes()}), "application/zip"),
    "xlm": lambda: ("ledger.xls", (DATA / "oletools_excel4_sample_macro.xls").read_bytes(), "application/vnd.ms-excel"),
    "pdf": lambda: ("statement.pdf", _pdf_lure(), "application/pdf"),
    "lnk": lambda: ("statement.zip", zip_bytes({"statement.pdf.lnk": (DATA / "strelka_test.lnk").read_bytes()}),
                    "application/zip"),
    "invoice": lambda: ("Invoice_INV-2026-20931.xlsm", _invoice_xlsm(),
                        "application/vnd.ms-excel.sheet.macroEnabled.12"),
}
#: The kinds whose mail has an HTML part beside the text one.
_HTML = {"invoice": INVOICE_HTML}


def _with_zip_comment(data: bytes, comment: bytes) -> bytes:
    import zipfile

    if not data.startswith(b"PK"):
        raise ValueError("unique copies need a zip-based attachment (zip, lnk, invoice)")
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as z:
        z.comment = comment
    return buf.getvalue()


@functools.cache
def attachment(kind: str) -> tuple[str, bytes, str]:
    """(file name, bytes, content type) of ``kind``'s attachment, the same bytes for every copy."""
    return _BUILDERS[kind]()


def copy(kind: str, n: int, *, subject: str = "", sender: str = "Binance Security <alerts@binance-verify.example>",
         body: str = BODY, unique: bool = False) -> bytes:
    """Copy ``n`` of the ``kind`` campaign: the same attachment (and HTML part), per-copy recipient, Subject
    and Message-ID.  ``unique`` (zip-based kinds): the attachment's zip comment names the copy, so its bytes
    (not what it holds) differ from every other copy's and no verdict cache serves it."""
    name, data, ctype = attachment(kind)
    if unique:
        data = _with_zip_comment(data, f"copy {n}".encode())
    return make_message(
        subject=subject or f"Binance: verify your wallet (case {100000 + n})", to=f"user{n}@corp.example",
        sender=sender, body=body, html=_HTML.get(kind), attachments=[(name, data, ctype)],
    ).replace(b"<test-1@example.org>", f"<campaign-{kind}-{n}@sender.example>".encode())
