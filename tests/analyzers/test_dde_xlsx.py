"""dde.xlsx_dde_links against oletools' msodde.process_xlsx: the same DDE links, at linear and lower cost."""

from __future__ import annotations

import io
import random
import struct
import time
import zipfile
from collections.abc import Callable

import pytest
from lxml import etree
from oletools import msodde

from coinguard.analyzers.dde import DdeFields, _xml_dde_links, xlsx_dde_links
from coinguard.analyzers.office_common import memory_path
from coinguard.findings import Finding, Item
from coinguard.limits import MiB
from coinguard.sniff import sniff

from helpers import DATA, make_context, read_corpus_sample, zip_bytes

BOTH = {"dde.field", "dde.command"}

S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
CTYPES = (HEAD + b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          b'<Default Extension="xml" ContentType="application/xml"/>'
          b'<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
          b'<Override PartName="/xl/workbook.xml" '
          b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
BOOK = HEAD + f'<workbook xmlns="{S}"><sheets><sheet name="Data" sheetId="1"/></sheets></workbook>'.encode()
DDE_LINK = HEAD + (f'<externalLink xmlns="{S}"><ddeLink ddeService="cmd" ddeTopic="/c calc.exe">'
                   '<ddeItems><ddeItem name="A1" advise="1"/></ddeItems></ddeLink></externalLink>').encode()


def sheet(rows: int, formula: str = "") -> bytes:
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>item {r} of the ledger</t></is></c>'
                    f'<c r="B{r}"><v>{r * 37 % 9973}</v></c><c r="C{r}"><v>{r * 1.25:.2f}</v></c></row>'
                    for r in range(1, rows + 1))
    if formula:
        cells += f'<row r="{rows + 1}"><c r="A{rows + 1}"><f>{formula}</f><v>0</v></c></row>'
    return HEAD + f'<worksheet xmlns="{S}"><sheetData>{cells}</sheetData></worksheet>'.encode()


def workbook(**parts: bytes) -> bytes:
    members = {"[Content_Types].xml": CTYPES, "xl/workbook.xml": BOOK, "xl/worksheets/sheet1.xml": sheet(20)}
    members.update({name.replace("__", "/").replace("_dot_", "."): data for name, data in parts.items()})
    return zip_bytes(members)


def xlsb_supbook(service: str, topic: str) -> bytes:
    """A BIFF12 record stream holding one BrtBeginSupBook of the DDE kind (sbt 1), as in an .xlsb."""
    def xlwide(text: str) -> bytes:
        return struct.pack("<I", len(text)) + text.encode("utf-16-le")
    body = struct.pack("<H", 1) + xlwide(service) + xlwide(topic)
    assert len(body) < 128
    return bytes([0x168 & 0x7F | 0x80, 0x168 >> 7, len(body)]) + body


def scan(data: bytes) -> list[Finding]:
    item = Item(path="book.xlsx", name="book.xlsx", data=data, type=sniff(data))
    assert DdeFields().applies_to(item)
    return [f for f in DdeFields().handle(item, make_context()) if isinstance(f, Finding)]


def both(data: bytes) -> tuple[list[str], list[str]]:
    """(msodde's links, ours), each sorted (msodde lists a part's links at end tags, we at start tags)."""
    with memory_path(data) as path:
        theirs = msodde.process_xlsx(path)
        ours = xlsx_dde_links(data, path, make_context())
    return sorted(filter(None, theirs.split("\n"))), sorted(filter(None, ours.split("\n")))


KELVIN = "\u212a"  # 'K'.lower() == 'k': msodde's tag.lower() takes it for a ddeLink

CASES: dict[str, tuple[bytes, list[str]]] = {
    "none": (workbook(), []),
    "dde link in an external link part": (workbook(xl__externalLinks__externalLink1_dot_xml=DDE_LINK),
                                          ["cmd /c calc.exe"]),
    "DDE formula in a cell and its link": (workbook(
        xl__worksheets__sheet1_dot_xml=sheet(50, "[1]!'/c calc.exe'"),
        xl__externalLinks__externalLink1_dot_xml=DDE_LINK), ["cmd /c calc.exe"]),
    "DDE formula without a link part": (workbook(xl__worksheets__sheet1_dot_xml=sheet(50, "cmd|'/c calc.exe'!A1")),
                                        []),
    "huge benign sheet": (workbook(xl__worksheets__sheet1_dot_xml=sheet(20_000)), []),
    "links anywhere, any case, no namespace, kelvin sign": (workbook(
        customXml__item1_dot_xml=('<r><DDELINK ddeService="mshta" ddeTopic="http://x.example/a"/>'
                                  '<a:ddelink xmlns:a="urn:x" ddeTopic="only a topic"/>'
                                  f'<ddeLin{KELVIN} ddeService="pwsh"/></r>').encode()),
        ["mshta http://x.example/a", "only a topic", "pwsh"]),
    "kelvin sign alone in a utf-8 part": (workbook(
        xl__externalLinks__externalLink1_dot_xml=DDE_LINK.replace(b"ddeLink", "ddeLin\u212a".encode())),
        ["cmd /c calc.exe"]),
    "tag spelt by character references in an entity": (workbook(xl__externalLinks__externalLink1_dot_xml=(
        HEAD + b'<!DOCTYPE r [<!ENTITY e "<&#100;deLink ddeService=\'cmd\' ddeTopic=\'/c calc\'/>">]><r>&e;</r>')),
        ["cmd /c calc"]),
    "latin-1 part": (workbook(xl__externalLinks__externalLink1_dot_xml=(
        '<?xml version="1.0" encoding="ISO-8859-1"?><r>\xe9t\xe9<ddeLink ddeService="cmd" ddeTopic="/c calc"/>'
        '</r>').encode("latin-1")), ["cmd /c calc"]),
    "utf-8 BOM, single quotes": (workbook(xl__externalLinks__externalLink1_dot_xml=(
        b"\xef\xbb\xbf<?xml version='1.0' encoding='utf-8'?>" + DDE_LINK[len(HEAD):])), ["cmd /c calc.exe"]),
    "utf-16 part": (workbook(xl__externalLinks__externalLink1_dot_xml=DDE_LINK.decode().replace(
        "UTF-8", "UTF-16").encode("utf-16")), ["cmd /c calc.exe"]),
    "link before junk after the root": (workbook(xl__externalLinks__externalLink1_dot_xml=DDE_LINK + b"<x/>"),
                                        ["cmd /c calc.exe"]),
    "xlsb SupBook record in a binary part": (workbook(xl__externalLinks__externalLink1_dot_bin=xlsb_supbook(
        "cmd", "/c calc.exe"), xl__media__image1_dot_png=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8),
        ["cmd /c calc.exe"]),
    "empty and undeclared-prefix parts": (workbook(xl__empty_dot_xml=b"", xl__bad_dot_xml=b"<x:ddeLink/>"), []),
}


@pytest.mark.parametrize("case", list(CASES))
def test_same_links_as_msodde(case: str) -> None:
    data, expected = CASES[case]
    theirs, ours = both(data)
    assert ours == theirs
    assert ours == expected


def test_a_part_neither_xml_nor_records_without_a_content_type_is_skipped_where_msodde_fails() -> None:
    """The one difference: msodde's handler for a part the XLSB record parser rejects reads its
    content type, which is None when [Content_Types].xml names none (AttributeError, its bug); such a
    part cannot hold a SupBook record, and a part with a content type is skipped by msodde too."""
    data = workbook(xl__externalLinks__externalLink1_dot_xml=DDE_LINK, xl__blob_dot_dat=b"\xff")
    with memory_path(data) as path:
        with pytest.raises(AttributeError):
            msodde.process_xlsx(path)
        assert xlsx_dde_links(data, path, make_context()) == "cmd /c calc.exe"
    typed = workbook(xl__externalLinks__externalLink1_dot_xml=DDE_LINK, xl__blob_dot_bin=b"\xff")
    assert both(typed) == (["cmd /c calc.exe"], ["cmd /c calc.exe"])


@pytest.mark.parametrize("name", ["oletools_dde-test.xlsx"])
def test_same_links_as_msodde_on_the_oletools_poc(name: str) -> None:
    theirs, ours = both((DATA / name).read_bytes())
    assert ours == theirs and ours


@pytest.mark.corpus
def test_same_links_as_msodde_on_the_xlsb_poc(corpus_dir: object) -> None:
    theirs, ours = both(read_corpus_sample("maldocs/oletools/dde-test.xlsb.zip"))
    assert ours == theirs and ours


def test_findings_for_a_crafted_dde_link() -> None:
    data = CASES["dde link in an external link part"][0]
    assert sniff(data) == "ooxml.excel"
    findings = scan(data)
    assert {f.code for f in findings} == BOTH
    assert "cmd /c calc.exe" in findings[1].detail
    assert scan(CASES["huge benign sheet"][0]) == []


@pytest.mark.parametrize("link", [True, False])
def test_xml_that_breaks_off_inside_an_element_is_a_parse_error_as_in_msodde(link: bool) -> None:
    part = (DDE_LINK if link else sheet(500))[:-40]
    data = workbook(xl__externalLinks__externalLink1_dot_xml=part)
    with memory_path(data) as path:
        with pytest.raises(AssertionError):  # ooxml.XmlParser.iter_xml: assert(depth == 0)
            msodde.process_xlsx(path)
        with pytest.raises(ValueError, match="breaks off inside"):
            xlsx_dde_links(data, path, make_context())
    assert [f.code for f in scan(data)] == ["dde.parse_error"]


def test_a_part_with_a_bad_crc_is_a_parse_error_not_clean() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, part in {"[Content_Types].xml": CTYPES, "xl/workbook.xml": BOOK,
                           "xl/worksheets/sheet1.xml": sheet(5000)}.items():
            zf.writestr(name, part)
    data = bytearray(buf.getvalue())
    at = data.find(b"item 4000 of")
    data[at:at + 4] = b"ITEM"  # stored bytes changed: the member's CRC no longer matches
    assert [f.code for f in scan(bytes(data))] == ["dde.parse_error"]


def cpu(fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return best


def test_cost_grows_linearly_and_stays_below_msodde() -> None:
    small, large = (workbook(xl__worksheets__sheet1_dot_xml=sheet(rows)) for rows in (2_000, 20_000))
    ctx = make_context()
    with memory_path(small) as p_small, memory_path(large) as p_large:
        t_small = cpu(lambda: xlsx_dde_links(small, p_small, ctx))
        t_large = cpu(lambda: xlsx_dde_links(large, p_large, ctx))
        t_msodde = cpu(lambda: msodde.process_xlsx(p_large))
    assert t_large <= 13 * t_small + 0.005, (t_small, t_large)
    assert t_large * 3 < t_msodde, (t_large, t_msodde)


@pytest.mark.parametrize("at", [MiB - 8, MiB - 3, MiB, MiB + 2, 2 * MiB - 1])
def test_a_ddelink_tag_anywhere_in_a_large_part_is_seen(at: int) -> None:
    """The bytes pre-check reads a large part a MiB at a time: a tag across a boundary still counts."""
    head = HEAD + b"<r><!--"
    before = head + b"x" * (at - len(head) - len(b"--><")) + b"--><"
    part = before + b'DdeLink ddeService="cmd" ddeTopic="/c calc"/><!--' + b"y" * MiB + b"--></r>"
    assert part.find(b"DdeLink") == at
    theirs, ours = both(workbook(xl__externalLinks__externalLink1_dot_xml=part))
    assert ours == theirs == ["cmd /c calc"]


def test_a_part_over_libxml2s_10_mb_feed_limit_is_still_well_formed_xml() -> None:
    """lxml refuses one feed() over 10 MB ("huge input lookup"); iterparse feeds 32 KB at a time."""
    rows = b'<row><c t="n"><v>12345</v></c></row>' * 320_000
    part = HEAD + b"<worksheet><sheetData>" + rows + b"</sheetData></worksheet>"
    assert len(part) > 11_000_000
    linked = HEAD + b"<worksheet><sheetData>" + rows + b'<ddeLink ddeService="cmd" ddeTopic="/c calc.exe"/>' \
        b"</sheetData></worksheet><junk-after-the-root/>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", part)
        zf.writestr("xl/worksheets/sheet2.xml", linked)
    with zipfile.ZipFile(buf) as zf:
        assert _xml_dde_links(zf, "xl/worksheets/sheet1.xml") == ([], True)
        assert _xml_dde_links(zf, "xl/worksheets/sheet2.xml") == (["cmd /c calc.exe"], False)


MUTATIONS = (b"<ddeLink ddeService='cmd' ddeTopic='x'/>", b"<", b">", b"&", b"]]>", b"\x00", b"\xff", b"</c>",
             b"<!ENTITY", b"ddelink", b"<x:ddeLink/>", b"<?xml version='1.0' encoding='utf-16'?>",
             "\u212a".encode(), b"<!DOCTYPE r []>")


def test_mutated_workbooks_give_msodde_s_links_or_both_fail() -> None:
    """300 workbooks with one part cut, spliced or garbled: the same links, or an error from both
    (msodde's content-type bug excepted: its AttributeError, where we go on)."""
    rng = random.Random(13)
    base = {"[Content_Types].xml": CTYPES, "xl/workbook.xml": BOOK, "xl/worksheets/sheet1.xml": sheet(30),
            "xl/externalLinks/externalLink1.xml": DDE_LINK}

    def outcome(fn: Callable[[], str]) -> tuple[str, object]:
        try:
            return "links", sorted(filter(None, fn().split("\n")))
        except Exception as exc:
            return "error", type(exc).__name__

    for _ in range(300):
        parts = dict(base)
        name = rng.choice(list(parts))
        part = bytearray(parts[name])
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(part) + 1)
            how = rng.random()
            if how < 0.4:
                part[at:at] = rng.choice(MUTATIONS)
            elif how < 0.6:
                del part[at:]
            elif how < 0.8 and at < len(part):
                part[at] = rng.randrange(256)
            else:
                del part[at:at + rng.randint(1, 20)]
        parts[name] = bytes(part)
        data = zip_bytes(parts)
        with memory_path(data) as path:
            theirs = outcome(lambda: msodde.process_xlsx(path))
            ours = outcome(lambda: xlsx_dde_links(data, path, make_context()))  # noqa: B023
        if theirs == ("error", "AttributeError"):
            continue
        assert ours[0] == theirs[0] and (ours[0] == "error" or ours == theirs), (name, bytes(part)[:300])


def test_iterparse_gives_the_events_before_an_error() -> None:
    """What msodde and ``_breaks_off_inside`` rely on: lxml's iterparse hands out the elements it parsed before
    a syntax error.  lxml 6.2.0 raises with none of them (setup.cfg keeps lxml below 6.2 for this)."""
    data = DDE_LINK + b"<junk-after-the-root/>"
    seen: list[str] = []
    with pytest.raises(etree.ParseError):
        for _event, elem in etree.iterparse(io.BytesIO(data), ("start", "end")):
            seen.append(str(elem.tag))
    assert any(t.endswith("ddeLink") for t in seen), seen
