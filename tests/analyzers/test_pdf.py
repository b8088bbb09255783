"""PDF analyzer: crafted PDFs (pypdf writer and a hand-built object-stream file), corpus PDFs."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

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

from coinguard.analyzers.pdf import PdfAnalyzer, classify_uri, lure_terms
from coinguard.catalogue import catalogue
from coinguard.findings import Finding, Item, incomplete_by_name
from coinguard.sniff import sniff

from helpers import make_context, read_corpus_sample, run_handler

SCORES = {c.code: c.score for c in PdfAnalyzer.codes}
PE = b"MZ" + b"\x00" * 0x3A + b"\x40\x00\x00\x00" + b"PE\x00\x00" + b"\x00" * 200


def run(data: bytes, name: str = "doc.pdf") -> tuple[list[Finding], list[Item]]:
    return run_handler(PdfAnalyzer(), data, name)


def action(**entries: object) -> DictionaryObject:
    d = DictionaryObject()
    for k, v in entries.items():
        d[NameObject("/" + k)] = NameObject(v) if isinstance(v, str) and v.startswith("/") else v  # type: ignore[assignment]
    return d


def written(writer: PdfWriter) -> bytes:
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_openaction_javascript() -> None:
    w = PdfWriter()
    w.add_blank_page(200, 200)
    js = action(S="/JavaScript", JS=TextStringObject("app.alert('hi'); this.exportDataObject({cName:'a'});"))
    w._root_object[NameObject("/OpenAction")] = w._add_object(js)
    findings, children = run(written(w))
    assert {f.code for f in findings} == {"pdf.javascript", "pdf.autoaction"}
    assert "/OpenAction -> JavaScript" in next(f.detail for f in findings if f.code == "pdf.autoaction")
    scripts = [c for c in children if c.name.startswith("<pdf-javascript")]
    assert len(scripts) == 1 and b"exportDataObject" in scripts[0].data


def test_names_tree_javascript_without_autoaction() -> None:
    w = PdfWriter()
    w.add_blank_page(200, 200)
    js = w._add_object(action(S="/JavaScript", JS=TextStringObject("var x = 1;")))
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("init"), js])})
    w._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): w._add_object(tree)})
    findings, _ = run(written(w))
    assert {f.code for f in findings} == {"pdf.javascript"}


def test_launch_uri_ip_unc_embedded_xfa() -> None:
    w = PdfWriter()
    page = w.add_blank_page(200, 200)
    launch = action(S="/Launch", Win=action(F=TextStringObject("cmd.exe"), P=TextStringObject("/c calc")))
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): w._add_object(launch)})
    annots = ArrayObject()
    for uri in ("http://203.0.113.5/login", "file://198.51.100.1/share/x.lnk", "https://example.org/"):
        link = action(Type="/Annot", Subtype="/Link", A=action(S="/URI", URI=TextStringObject(uri)))
        link[NameObject("/Rect")] = ArrayObject([NumberObject(0)] * 4)
        annots.append(w._add_object(link))
    page[NameObject("/Annots")] = annots
    w.add_attachment("invoice.pdf.exe", PE)
    w._root_object[NameObject("/AcroForm")] = action(XFA=ArrayObject())
    findings, children = run(written(w))
    assert {f.code for f in findings} == {
        "pdf.autoaction", "pdf.launch", "pdf.uri_ip", "pdf.uri_unc", "pdf.embedded_file", "pdf.xfa",
    }
    assert "cmd.exe /c calc" in next(f.detail for f in findings if f.code == "pdf.launch")
    exe = next(c for c in children if c.name == "invoice.pdf.exe")
    assert exe.type == "pe" and exe.role == "embedded" and exe.data == PE
    text = next(c for c in children if c.role == "text").data.decode()
    assert "https://example.org/" in text


def objstm_pdf() -> bytes:
    """A PDF 1.5 whose /OpenAction JavaScript lives only inside a compressed object stream."""
    js_obj = b"<< /S /JavaScript /JS (app.launchURL\\('http://203.0.113.9/x'\\)) >>"
    header = b"4 0 "
    objstm_data = zlib.compress(header + js_obj)
    objs = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>",
        5: b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(header), len(objstm_data))
        + objstm_data + b"\nendstream",
    }
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for num, body in objs.items():
        offsets[num] = len(out)
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    rows = [b"\x00\x00\x00\x00\xff\xff"]
    for num in range(1, 7):
        if num == 4:
            rows.append(b"\x02" + (5).to_bytes(4, "big") + (0).to_bytes(1, "big"))
        elif num == 6:
            rows.append(b"\x01" + len(out).to_bytes(4, "big") + b"\x00")
        else:
            rows.append(b"\x01" + offsets[num].to_bytes(4, "big") + b"\x00")
    xref = b"".join(rows)
    xref_at = len(out)
    out += (b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 1] /Root 1 0 R /Length %d >>\nstream\n" % len(xref)
            + xref + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at)
    return bytes(out)


def test_javascript_hidden_in_object_stream() -> None:
    data = objstm_pdf()
    assert b"JavaScript" not in data  # only visible after inflating the object stream
    findings, _ = run(data)
    assert {f.code for f in findings} == {"pdf.javascript", "pdf.autoaction"}


def test_encrypted_pdf_opened_with_a_password_from_the_message() -> None:
    w = PdfWriter()
    w.add_blank_page(200, 200)
    js = action(S="/JavaScript", JS=TextStringObject("app.alert('x')"))
    w._root_object[NameObject("/OpenAction")] = w._add_object(js)
    w.encrypt(user_password="123", owner_password="owner", algorithm="RC4-128")
    data = written(w)
    item = Item(path="f.pdf", name="f.pdf", data=data, type=sniff(data))
    without = [f for f in PdfAnalyzer().handle(item, make_context()) if isinstance(f, Finding)]
    assert [f.code for f in without] == ["pdf.encrypted", "pdf.encrypted_unopened"]
    assert without[0].detail == "encrypted, no candidate password opened it"
    assert incomplete_by_name("pdf.encrypted_unopened")  # its strings and streams were not read: never clean
    ctx = make_context(passwords=("wrong", "123"))
    found = [f for f in PdfAnalyzer().handle(item, ctx) if isinstance(f, Finding)]
    assert {f.code for f in found} == {"pdf.encrypted", "pdf.password_in_message", "pdf.javascript", "pdf.autoaction"}
    assert found[0].detail == "encrypted, opened with candidate #2"


def test_broken_pdf_is_a_parse_error() -> None:
    findings, _ = run(b"%PDF-1.7\n" + b"\x00garbage" * 10)
    assert {f.code for f in findings} == {"pdf.parse_error"}


def hand_built(objs: list[bytes], *, tail: bool = True) -> bytes:
    """A PDF written object by object; ``tail=False`` leaves out xref, trailer, startxref and %%EOF."""
    out = bytearray(b"%PDF-1.4\r\n%\xe4\xf6\xdc\xdf\r\n")
    offsets = []
    for num, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\r\n" % num + body + b"\r\nendobj\r\n"
    if tail:
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
        out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def text_page_objects(text: bytes, catalog_extra: bytes = b"") -> list[bytes]:
    content = zlib.compress(b"BT /F1 18 Tf 72 700 Td (" + text + b") Tj ET")
    return [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\r\nstream\r\n" % len(content) + content + b"\r\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def test_pdf_without_its_tail_is_read_as_readers_do() -> None:
    # every object complete, but no xref, trailer, startxref or %%EOF (a cut download): readers open it
    data = hand_built(text_page_objects(b"Quarterly invoice 2024"), tail=False)
    findings, children = run(data)
    assert [f.code for f in findings] == ["pdf.repaired"]
    assert "no %%EOF, startxref, trailer" in findings[0].detail
    assert not catalogue()["pdf.repaired"].incomplete
    assert b"Quarterly invoice 2024" in next(c for c in children if c.role == "text").data
    # the same file with its tail is no repair at all
    assert run(hand_built(text_page_objects(b"Quarterly invoice 2024")))[0] == []


def test_active_content_in_a_tailless_pdf_is_found() -> None:
    # a parser that gives up on a missing %%EOF would report only a parse error and miss the script
    objs = text_page_objects(b"Invoice", catalog_extra=b"/OpenAction 6 0 R")
    objs.append(b"<< /S /JavaScript /JS (app.launchURL\\('http://203.0.113.9/x'\\)) >>")
    findings, _ = run(hand_built(objs, tail=False))
    assert {f.code for f in findings} == {"pdf.repaired", "pdf.javascript", "pdf.autoaction"}


def test_pdf_cut_inside_its_first_stream_stays_unread() -> None:
    # the kind of file a mail test suite attaches as "broken.pdf": the first kilobyte of a real PDF,
    # ending inside the deflated content stream of object 1; no catalog, no trailer: no reader opens it
    drawing = b"".join(b"%d.%d %d.1 l\r\n" % (n, n % 10, n * 3) for n in range(400))
    stream = zlib.compress(drawing)
    data = (b"%PDF-1.4\r\n%\xe4\xf6\xdc\xdf\r\n1 0 obj\r\n<< /Length 2 0 R\r\n   /Filter /FlateDecode\r\n>>"
            b"\r\nstream\r\n" + stream)[:1026]
    findings, children = run(data, "broken.pdf")
    assert [f.code for f in findings] == ["pdf.parse_error"]
    assert "truncated" in findings[0].detail and "no document catalog" in findings[0].detail
    assert catalogue()["pdf.parse_error"].incomplete  # unchecked, never clean
    assert children == []


def test_pdf_cut_inside_a_page_stream_stays_unread() -> None:
    # catalog and page survive, the page's content is cut: a reader shows part of it, we read part of it
    data = hand_built(text_page_objects(b"Payment details " * 40), tail=False)
    cut = data[: data.index(b"endstream") - 8]
    findings, _ = run(cut)
    assert [f.code for f in findings] == ["pdf.parse_error"]
    assert "1 of 4 objects unreadable" in findings[0].detail


def test_classify_uri() -> None:
    assert classify_uri("https://[2001:db8::1]/x") == "ip"
    assert classify_uri("\\\\host\\share") == "unc"
    assert classify_uri("https://example.org") == ""


@pytest.mark.corpus
def test_benign_pdf(corpus_dir: Path) -> None:
    findings, children = run(read_corpus_sample("benign/attachments/strelka/test.pdf"), "test.pdf")
    assert findings == []
    assert b"Lorem ipsum" in next(c for c in children if c.role == "text").data


@pytest.mark.corpus
def test_phishing_pdf_links_reach_the_text_child(corpus_dir: Path) -> None:
    path = "maldocs/inquest/34f33612c9f6b132430385e6dc3f8603ff897d34c780bfa5a4cf7663922252ba.pdf.zip"
    findings, children = run(read_corpus_sample(path), "lure.pdf")
    # the Apple ID is locked (ロック), verify it; above the button, the "login details" of a sign-in
    assert [f.code for f in findings] == ["pdf.credential_lure", "pdf.signin_alert"]
    assert "アカウント" in findings[0].detail and "?16shop" in findings[0].detail
    assert findings[1].detail == "sign-in record: IP 93.188.160.176, オペレーティング システム, カントリー"
    assert b"?16shop" in next(c for c in children if c.role == "text").data


def test_lure_terms() -> None:
    assert lure_terms("Your account is locked. Sign in to verify.") == ["account", "locked", "sign in", "verify"]
    assert lure_terms("Quarterly report, see the appendix.") == []


def test_link_annotations_are_handed_to_the_message_link_analyzers() -> None:
    """The text child carries the /URI targets in its meta (urls_common.message_urls reads them there)."""
    from coinguard.analyzers.urls_common import URLS_META, WHERE_META

    w = PdfWriter()
    page = w.add_blank_page(200, 200)
    link = action(Type="/Annot", Subtype="/Link", A=action(S="/URI", URI=TextStringObject("https://binance-kyc.top/a")))
    link[NameObject("/Rect")] = ArrayObject([NumberObject(0)] * 4)
    page[NameObject("/Annots")] = ArrayObject([w._add_object(link)])
    _, children = run(written(w), "statement.pdf")
    (text,) = [c for c in children if c.role == "text"]
    assert text.meta[URLS_META] == ["https://binance-kyc.top/a"] and text.meta[WHERE_META] == "PDF link"
    _, plain = run(written(PdfWriter()), "blank.pdf")
    assert all(URLS_META not in c.meta for c in plain)


def page_pdf(lines: list[str], links: list[tuple[str, tuple[float, float, float, float]]],
             size: tuple[int, int] = (612, 792)) -> bytes:
    """A one-page PDF (pypdf writer) with Helvetica text lines and /Link annotations ((url, rect) pairs)."""
    w = PdfWriter()
    page = w.add_blank_page(*size)
    content = StreamObject()
    content.set_data(" ".join(f"BT /F1 12 Tf 72 {size[1] - 72 - 16 * i} Td ({line}) Tj ET"
                              for i, line in enumerate(lines)).encode())
    font = action(Type="/Font", Subtype="/Type1", BaseFont="/Helvetica")
    page[NameObject("/Resources")] = action(Font=action(F1=w._add_object(font)))
    page[NameObject("/Contents")] = w._add_object(content)
    annots = []
    for url, rect in links:
        link = action(Type="/Annot", Subtype="/Link", A=action(S="/URI", URI=TextStringObject(url)))
        link[NameObject("/Rect")] = ArrayObject([FloatObject(v) for v in rect])
        annots.append(w._add_object(link))
    page[NameObject("/Annots")] = ArrayObject(annots)
    return written(w)


BUTTON = (200.0, 300.0, 400.0, 340.0)  # a "button": 1.7 % of a letter page
FULL_PAGE = (0.0, 0.0, 612.0, 792.0)


@pytest.mark.parametrize(
    ("lines", "links", "expected"),
    [
        # credential phishing: the account is locked, verify through the link
        (["Your account has been locked due to unusual activity.", "Sign in to verify your identity."],
         [("https://secure-login.example/verify", BUTTON)], {"pdf.credential_lure"}),
        # the same wording without pressure stays the weak lure
        (["Sign in to your account to view the statement."], [("https://portal.example/login", BUTTON)],
         {"pdf.link_lure"}),
        # a picture-of-a-document page: one link over the whole page, nothing else to read
        (["View document"], [("https://files.example/share/d/81", FULL_PAGE)], {"pdf.click_through"}),
        # "open invoice" linking to the payload itself (an archive, a script)
        (["Invoice 4471 - click to open"], [("https://cdn.example/inv/Invoice_4471.zip", BUTTON)],
         {"pdf.link_download"}),
        (["Scan 0032"], [("http://198.51.100.9/scan0032.js", FULL_PAGE)],
         {"pdf.link_download", "pdf.click_through", "pdf.uri_ip"}),
        # an ordinary document with a link to a web page: nothing
        (["Quarterly report. Details on our site."], [("https://www.example.com/report", BUTTON)], set()),
        (["Download the report."], [("https://www.example.com/report.pdf", BUTTON)], set()),
    ],
)
def test_pdf_lure_grading(lines: list[str], links: list[tuple[str, tuple[float, float, float, float]]],
                          expected: set[str]) -> None:
    findings, _ = run(page_pdf(lines, links), "document.pdf")
    assert {f.code for f in findings} == expected


def test_pdf_lure_strengths() -> None:
    from coinguard.catalogue import catalogue

    cat = catalogue()
    assert [str(cat[c].strength) for c in ("pdf.credential_lure", "pdf.click_through", "pdf.link_download",
                                           "pdf.link_lure")] == ["strong", "strong", "strong", "weak"]


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("Operating System : Linux\nCountry : Belgium\nIP Address : 93.188.160.176",
         "sign-in record: IP 93.188.160.176, Operating System, Country"),
        ("オペレーティング  システム   : Linux\n カントリー : Belgium\n IP Address : 93.188.160.176",
         "sign-in record: IP 93.188.160.176, オペレーティング システム, カントリー"),
        ("기기: iPhone 위치: 서울 IP 주소: 211.36.1.5", "sign-in record: IP 211.36.1.5, 기기, 위치"),
        ("IP Address : 93.188.160.176", ""),  # an address alone is no record of a sign-in
        ("Country: Belgium, Device: iPhone", ""),  # nor are fields without one
        ("Version 10.1.2.3.4 Device: x", ""),  # a dotted version number is no IPv4 address
        ("IP 999.1.1.1, Device: x", ""),
    ],
)
def test_signin_record(text: str, record: str) -> None:
    from coinguard.analyzers.pdf import signin_record

    assert signin_record(text) == record


def test_signin_alert_needs_the_credential_lure() -> None:
    alert = ["Your account has been locked due to unusual activity.", "Sign in to verify your identity.",
             "IP Address: 93.188.160.176", "Country: Belgium"]
    findings, _ = run(page_pdf(alert, [("https://secure-login.example/verify", BUTTON)]), "notice.pdf")
    assert {f.code for f in findings} == {"pdf.credential_lure", "pdf.signin_alert"}
    # the same record in a report that asks nothing of the reader's account
    report = ["Firewall report", "IP Address: 93.188.160.176", "Country: Belgium", "Blocked 14 times."]
    findings, _ = run(page_pdf(report, [("https://fw.example/report", BUTTON)]), "report.pdf")
    assert findings == []
    assert str(catalogue()["pdf.signin_alert"].strength) == "strong"


def test_long_document_with_a_big_link_is_no_click_through() -> None:
    lines = [f"Section {n}: the terms of the agreement, paragraph {n}, continued." for n in range(20)]
    findings, _ = run(page_pdf(lines, [("https://www.example.com/terms", FULL_PAGE)]), "terms.pdf")
    assert findings == []


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ({"/T": "pw", "/Ff": 1 << 13}, ("pw", False)),  # the Password flag, whatever the name
        ({"/T": "userPassword"}, ("userPassword", False)),
        ({"/T": "f1", "/TU": "Contraseña"}, ("f1 Contraseña", False)),  # the tooltip names it
        ({"/T": "words", "/TU": "Recovery phrase"}, ("words Recovery phrase", True)),
        ({"/T": "private_key"}, ("private_key", True)),
        ({"/T": "passport"}, None),
        ({"/T": "boarding pass"}, None),
        ({"/T": "PIN code"}, None),  # India's postal code
        ({"/T": "name", "/Ff": 1 << 12}, None),  # multiline, not a password
    ],
)
def test_secret_field(entries: dict[str, object], expected: tuple[str, bool] | None) -> None:
    from coinguard.analyzers.pdf import secret_field

    field = DictionaryObject({NameObject("/FT"): NameObject("/Tx")})
    for key, value in entries.items():
        field[NameObject(key)] = NumberObject(value) if isinstance(value, int) else TextStringObject(value)
    assert secret_field(field) == expected


def test_credential_form_strength_follows_the_secret() -> None:
    def form(name: str, submit: str) -> bytes:
        w = PdfWriter()
        page = w.add_blank_page(200, 200)
        field = action(Type="/Annot", Subtype="/Widget", FT="/Tx", T=TextStringObject(name))
        field[NameObject("/Rect")] = ArrayObject([NumberObject(0)] * 4)
        go = action(S="/SubmitForm", F=action(FS="/URL", F=TextStringObject(submit)))
        button = action(Type="/Annot", Subtype="/Widget", FT="/Btn", T=TextStringObject("ok"), A=go)
        button[NameObject("/Rect")] = ArrayObject([NumberObject(0)] * 4)
        refs = [w._add_object(field), w._add_object(button)]
        page[NameObject("/Annots")] = ArrayObject(refs)
        w._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): ArrayObject(refs)})
        return written(w)

    findings, _ = run(form("password", "https://x.example/p"))
    (found,) = [f for f in findings if f.code == "pdf.credential_form"]
    assert found.strength == "" and str(catalogue()["pdf.credential_form"].strength) == "strong"
    assert found.detail == "field(s) 'password' submitted to https://x.example/p"
    findings, _ = run(form("seed phrase", "https://x.example/s"))
    assert [f.strength for f in findings if f.code == "pdf.credential_form"] == ["conclusive"]
    # sent to no web address (a mailto:, a local file): nothing is graded
    findings, _ = run(form("password", "mailto:hr@example.com"))
    assert "pdf.credential_form" not in {f.code for f in findings}


def _read_both(raw: bytes, encoding: object = None) -> tuple[object, object]:
    """(result or exception type, stream position after) of pypdf's literal-string reader and of ours."""
    from pypdf.generic import _utils

    from coinguard.analyzers import pdf as pdf_module

    out = []
    for reader in (_utils.read_string_from_stream, pdf_module._read_literal_string):
        stream = io.BytesIO(b"q " + raw + b" Tj Q")
        stream.seek(2)
        try:
            value: object = reader(stream, encoding)  # type: ignore[arg-type]
            result: object = (type(value), value, getattr(value, "original_bytes", None))
        except Exception as exc:
            result = type(exc)
        out.append((result, stream.tell()))
    return out[0], out[1]


def test_literal_string_reader_matches_pypdf() -> None:
    """The fast literal-string path returns what pypdf's own reader returns and leaves the stream where it does:
    plain strings, empty, escapes, octal, escaped line breaks, nesting, long strings past the peek, UTF-16
    with a BOM, a string the stream cuts (pypdf's error), binary bytes."""
    import random

    from coinguard.analyzers import pdf as pdf_module

    fixed = [b"()", b"(Hello world)", b"(a(b)c)", b"(a\\)b)", b"(\\101\\102C)", b"(x\\\ny)", b"(x\\\r\ny)",
             b"(tab\\there\\n)", b"(" + b"A" * 300 + b")", b"(" + b"B" * 255 + b")", b"(" + b"C" * 254 + b")",
             b"(\xfe\xff\x00H\x00i)", b"(unterminated", b"(", b"(\\", b"(a)(b)", b"(\x00\x01\xff)",
             b"(\\777)", b"(\\9)", b"(" + b"D" * 254 + b"\\))"]
    rng = random.Random(7)
    alphabet = b"ab()\\\n\r01789 \xe9"
    fuzz = [b"(" + bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 400))) for _ in range(3000)]
    for raw in fixed + fuzz:
        for encoding in (None, "charmap"):
            theirs, ours = _read_both(raw, encoding)
            assert ours == theirs, raw
    # pypdf's content-stream parser reads strings through the replaced name (else nothing is sped up)
    from pypdf.generic import _data_structures

    assert _data_structures.read_string_from_stream is pdf_module._read_literal_string


_TEXT_OPS = (b"BT /F1 12 Tf 20 200 Td (Verify your wallet) Tj 0 -20 Td (a \\(nested\\) word) Tj"
             b" 0 -20 Td (x(y)z) Tj 0 -20 Td (\\123\\145ed) Tj 0 -20 Td [(Ke) -120 (rned) 300 (gap)] TJ"
             b" 0 -20 Td <48656c6c6f> Tj 0 -20 Td (caf\\351 \\200 \\225) Tj ET"
             b" BT /F1 9 Tf 0 1 -1 0 250 20 Tm (rotated text) Tj ET BT /F1 9 Tf -1 0 0 -1 250 250 Tm (upside) Tj ET")


def _text_pdf(font_entries: dict[str, object] | None = None, ops: bytes = _TEXT_OPS) -> bytes:
    """One page of text operators in a simple font (Helvetica, or the given font dictionary entries)."""
    writer = PdfWriter()
    page = writer.add_blank_page(300, 300)
    entries: dict[str, object] = {"/Type": NameObject("/Font"), "/Subtype": NameObject("/Type1"),
                                  "/BaseFont": NameObject("/Helvetica"), **(font_entries or {})}
    font = DictionaryObject({NameObject(k): v for k, v in entries.items()})
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})})
    content = StreamObject()
    content.set_data(ops)
    page[NameObject("/Contents")] = writer._add_object(content)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_text_operands_match_pypdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every get_text_operands call of a text extraction gives, through the fast path, what pypdf's own function
    gives for the same arguments: standard, WinAnsi and /Differences encodings, TJ arrays, hex and octal strings,
    rotated and upside-down text (orientations left out of the extraction), a width table."""
    from pypdf import PdfReader
    from pypdf._text_extraction import _text_extractor

    from coinguard.analyzers import pdf as pdf_module

    if _text_extractor.get_text_operands is not pdf_module._text_operands:
        pytest.skip("another pypdf version: its own get_text_operands is used")
    calls = []

    def both(*args: object) -> object:
        ours = pdf_module._text_operands(*args)
        theirs = pdf_module._pypdf_text_operands(*args)
        calls.append((ours, theirs))
        return ours

    monkeypatch.setattr(_text_extractor, "get_text_operands", both)
    differences = ArrayObject([NumberObject(65), NameObject("/Z"), NameObject("/Y"), NumberObject(233),
                               NameObject("/eacute")])
    fonts: list[dict[str, object]] = [
        {},
        {"/Encoding": NameObject("/WinAnsiEncoding")},
        {"/Encoding": DictionaryObject({NameObject("/Type"): NameObject("/Encoding"),
                                        NameObject("/BaseEncoding"): NameObject("/WinAnsiEncoding"),
                                        NameObject("/Differences"): differences})},
        {"/FirstChar": NumberObject(32), "/LastChar": NumberObject(126),
         "/Widths": ArrayObject([NumberObject(300 + 7 * i % 400) for i in range(95)])},
    ]
    for entries in fonts:
        for orientations in ((0,), (0, 90, 180, 270)):
            reader = PdfReader(io.BytesIO(_text_pdf(entries)))
            text = reader.pages[0].extract_text(orientations=orientations)
            assert "Verify your wallet" in text
    assert len(calls) > 40
    for ours, theirs in calls:
        assert ours == theirs


def test_page_text_with_escaped_and_nested_strings() -> None:
    """Text extraction through the fast reader: plain, escaped, nested and octal strings all come out."""
    _, items = run(_text_pdf())
    text = "\n".join(i.data.decode() for i in items if i.source == "pdf")
    assert "Verify your wallet" in text and "a (nested) word" in text and "x(y)z" in text and "Seed" in text


@pytest.mark.parametrize("cut_after", [b"/JS (app.la", b"/JS (app.launchURL\\(", b"/T (Pass"])
def test_pdf_cut_inside_a_literal_string_stays_unread(cut_after: bytes) -> None:
    """A file that ends inside a ``(...)`` string of an object (the string reader's fast path finds no ``)``
    and hands the string back to pypdf's, which meets the end of the data): that object is unreadable, the
    PDF a parse error -- unchecked, never clean."""
    objs = text_page_objects(b"Invoice", catalog_extra=b"/OpenAction 6 0 R")
    objs.append(b"<< /S /JavaScript /JS (app.launchURL\\('http://203.0.113.9/x'\\)) /T (Password) >>")
    data = hand_built(objs, tail=False)
    findings, _ = run(data[: data.index(cut_after) + len(cut_after)])
    assert "pdf.parse_error" in [f.code for f in findings], [(f.code, f.detail) for f in findings]
    assert catalogue()["pdf.parse_error"].incomplete


def fontless_page_objects(content: bytes) -> list[bytes]:
    """A page that shows text in a font its resources do not hold (no /Resources at all)."""
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\r\nstream\r\n" % len(content) + content + b"\r\nendstream",
    ]


@pytest.mark.parametrize("content, shown", [
    (b"BT /F1 12 Tf 72 720 Td (Send 0.1 BTC to the address below) Tj ET", b"Send 0.1 BTC to the address below"),
    (b"BT /F9 11 Tf 72 700 Td [(Your wal) -20 (let is lo) 5 (cked)] TJ ET", b"Your wallet is locked"),
    (b"BT /F1 12 Tf 14 TL (first line) Tj (next line) ' 1 2 (third line) \" ET", b"first line next line third line"),
])
def test_text_in_a_font_the_page_does_not_hold_is_read(content: bytes, shown: bytes) -> None:
    # pypdf's extraction gives nothing without the font; viewers substitute one and show the words
    _findings, children = run(hand_built(fontless_page_objects(content)))
    assert shown in next(c for c in children if c.role == "text").data


def test_a_page_that_shows_no_text_and_a_normal_page_read_as_before() -> None:
    scanned = hand_built(fontless_page_objects(b"q 612 0 0 792 0 0 cm /Im1 Do Q"))
    assert not any(c.role == "text" and c.data.strip() for c in run(scanned)[1])
    text = next(c for c in run(hand_built(text_page_objects(b"Quarterly invoice 2024")))[1] if c.role == "text")
    assert text.data.strip() == b"Quarterly invoice 2024"
