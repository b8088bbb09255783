"""Document text extraction (OOXML, ODF, HWPX, flat XML, RTF, Word 97) into text children."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinguard.analyzers.doctext import DocTextAnalyzer, rtf_text, word_piece_text, xml_text
from coinguard.findings import Finding, Item

from helpers import make_context, read_corpus_sample, run_handler, zip_bytes


def run(data: bytes, name: str = "doc") -> tuple[list[Finding], list[Item]]:
    return run_handler(DocTextAnalyzer(), data, name)


def text_of(data: bytes) -> str:
    findings, children = run(data)
    assert findings == []
    assert len(children) == 1 and children[0].role == "text" and children[0].type == "text"
    return children[0].data.decode()


def test_docx_text() -> None:
    data = zip_bytes({
        "[Content_Types].xml": b"<Types/>",
        "word/document.xml": b"<w:document><w:body><w:p><w:r><w:t>Your MetaMask wallet</w:t></w:r></w:p>"
        b"<w:p><w:r><w:t>enter your seed phrase &amp; confirm</w:t></w:r></w:p></w:body></w:document>",
    })
    assert text_of(data) == "Your MetaMask wallet\nenter your seed phrase & confirm"


def test_xlsx_and_hwpx_text() -> None:
    xlsx = zip_bytes({"[Content_Types].xml": b"<Types/>",
                      "xl/sharedStrings.xml": b"<sst><si><t>USDT airdrop</t></si></sst>"})
    assert text_of(xlsx) == "USDT airdrop"
    hwpx = zip_bytes({"mimetype": b"application/hwp+zip", "version.xml": b"<v/>",
                      "Contents/section0.xml": "<hp:p><hp:t>거래소 출금 안내</hp:t></hp:p>".encode()})
    assert text_of(hwpx) == "거래소 출금 안내"


def test_rtf_text() -> None:
    rtf = rb"{\rtf1\ansi{\fonttbl{\f0 Arial;}}{\*\generator x;}\f0 Dear customer,\par your \b Binance\b0  account\par"
    rtf += rb"{\object\objemb{\*\objdata 0105000002000000}}\u51648?\u44049?}"
    assert rtf_text(rtf) == "Dear customer,\nyour Binance account\n지갑"


def test_helpers_on_bad_input() -> None:
    assert xml_text("<a>x &lt; y</a>") == "x < y"
    assert word_piece_text(b"\x00" * 10, b"") == ""


def test_broken_docx_is_a_parse_error() -> None:
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:t>x</w:t>"})
    data = data.replace(b"word/document.xml", b"word/document.xml", 1)[:-30]  # cut the central directory
    item = Item(path="d.docx", name="d.docx", data=data, type="ooxml.word")
    out = list(DocTextAnalyzer().handle(item, make_context()))
    assert [f.code for f in out if isinstance(f, Finding)] == ["doctext.parse_error"]


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("benign/attachments/oletools/harmless-clean.doc", "This is a harmless test document."),
        ("benign/attachments/strelka/test.doc", "Lorem ipsum dolor sit amet"),
        ("benign/attachments/oletools/embedded-simple-2007.odt", "This document contains an embedded file"),
        ("benign/attachments/oletools/harmless-clean.xml", "This is a harmless test document."),
        ("maldocs/oletools/dde-test-from-office2013-utf_16le-korean.doc.zip", "DDEAUTO"),
    ],
)
def test_corpus_documents(corpus_dir: Path, path: str, needle: str) -> None:
    assert needle in text_of(read_corpus_sample(path))


def test_rtf_groups_without_text_are_dropped_whole_also_when_nested_escaped_or_left_open() -> None:
    rtf = (rb"{\rtf1{\fonttbl{\f0 Arial;}}{\pict\pngblip " + b"89ab" * 50 + rb"{\*\x \}}}Visit the wallet"
           rb"\par {\*\datastore 0105\{}after{\object\objdata 0102")
    # the picture's escaped brace does not close it; the unclosed object group runs to the end
    assert rtf_text(rtf) == "Visit the wallet\nafter"


def test_rtf_text_of_a_large_picture_costs_its_size() -> None:
    """Dropping a picture group does not walk its hex digits in Python (a 1 MB picture in ~ms)."""
    import time

    def cost(n: int) -> float:
        rtf = rb"{\rtf1 Hello{\pict\pngblip " + b"0123456789abcdef" * n + rb"} your wallet}"
        t = time.process_time()
        assert "your wallet" in rtf_text(rtf)
        return time.process_time() - t

    cost(1000)
    small, big = min(cost(6_000) for _ in range(3)), min(cost(60_000) for _ in range(3))
    assert big < 0.05 and big < 20 * max(small, 0.0005), (small, big)


def _group_end_reference(rtf: str, start: int) -> int:
    """The brace walk as it was (every brace and escape token through one finditer), to compare against."""
    import re

    depth = 0
    for t in re.compile(r"\\.|[{}]", re.S).finditer(rtf, start):
        c = t.group()
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return t.start()
    return len(rtf)


def test_rtf_group_end_matches_the_token_walk() -> None:
    """The brace search finds the end the token walk found, from every brace: nesting, escaped braces and
    backslashes, a backslash before a line break or at the very end, groups left open, pictures of hex
    (the groups _drop_groups removes are cut where these ends are)."""
    import random

    from coinguard.analyzers.doctext import _drop_groups, _group_end

    fixed = [
        r"{\rtf1{\fonttbl{\f0 Arial;}}\pard Hello\par}",
        r"{\rtf1{\pict\pngblip 89504e47" + "0a" * 5000 + r"}Body {\b bold}\par}",
        r"{\rtf1{\*\objdata 01050000 \{ not a brace \} \\}after}",
        r"{\rtf1{\info{\title a\}b}{\author c}}text}",
        r"{\rtf1{\stylesheet{\s0 Normal;}" + "\\",
        r"{\rtf1{\colortbl;\red0\green0\blue0;}\pard{\field{\*\fldinst HYPERLINK x}{\fldrslt y}}}",
        "{\\rtf1{\\fonttbl\\\n{\\f0 x;}}z}",
        r"{\rtf1{\fonttbl{\f0 open",
    ]
    rng = random.Random(11)
    pieces = ["{", "}", "\\", "\\{", "\\}", "\\\\", "{\\pict ", " text ", "\n", "ab12", "\\par "]
    fuzz = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 60))) for _ in range(1500)]
    for rtf in fixed + fuzz:
        for start in (i for i, c in enumerate(rtf) if c == "{"):
            assert _group_end(rtf, start) == _group_end_reference(rtf, start), (rtf, start)
    assert _drop_groups(fixed[1]) == "{\\rtf1Body {\\b bold}\\par}"
    assert _drop_groups(fixed[2]) == "{\\rtf1after}"
