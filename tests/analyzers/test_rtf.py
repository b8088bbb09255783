"""RTF objects: crafted Equation Editor, OLE2Link, Package and obfuscated objects, plus real exploits."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from coinguard.analyzers.rtf import RtfObjects
from coinguard.findings import Finding, Item, VerdictKind
from coinguard.scan import ScanContext, scan_message

from helpers import DATA, codes, make_message, read_corpus_sample, run_handler

ANALYZER = RtfObjects()


def ansi(text: bytes) -> bytes:
    """MS-OLEDS LengthPrefixedAnsiString."""
    return struct.pack("<I", len(text) + 1) + text + b"\x00" if text else struct.pack("<I", 0)


def ole1(class_name: bytes, native: bytes) -> bytes:
    """An OLE 1.0 embedded object (ObjectHeader + EmbeddedObject) as RTF \\objdata carries it."""
    header = struct.pack("<II", 0x0501, 2) + ansi(class_name) + ansi(b"") + ansi(b"")
    return header + struct.pack("<I", len(native)) + native


def package(filename: bytes, payload: bytes) -> bytes:
    """OLE Package native data: label, source path, temp path, then the file."""
    return (struct.pack("<H", 2) + filename + b"\x00" + b"C:\\Users\\a\\" + filename + b"\x00"
            + struct.pack("<HH", 0, 3) + struct.pack("<I", 20) + b"C:\\Temp\\" + filename + b"\x00"
            + struct.pack("<I", len(payload)) + payload)


def rtf(obj: bytes, objclass: bytes = b"", objupdate: bool = False, header: bytes = b"{\\rtf1",
        hex_filter: bytes | None = None) -> bytes:
    hexdata = obj.hex().encode()
    if hex_filter is not None:
        hexdata = hex_filter(hexdata)
    cls = b"{\\*\\objclass " + objclass + b"}" if objclass else b""
    upd = b"\\objupdate" if objupdate else b""
    return (header + b"\\ansi{\\fonttbl{\\f0 Arial;}}Invoice attached.\\par"
            b"{\\object\\objemb" + upd + cls + b"\\objw380\\objh260{\\*\\objdata " + hexdata + b"}}}")


def run(data: bytes) -> tuple[list[Finding], list[Item]]:
    return run_handler(ANALYZER, data, "doc.rtf")


def test_plain_rtf_has_no_findings() -> None:
    findings, children = run(b"{\\rtf1\\ansi Hello {\\b world}\\par}")
    assert findings == [] and children == []


def test_equation_editor_object() -> None:
    findings, children = run(rtf(ole1(b"Equation.3", b"\x1c\x00" + b"A" * 64), b"Equation.3"))
    assert codes(findings) == {"rtf.object", "rtf.equation_editor"}
    assert len(children) == 1 and children[0].meta["class"] == "Equation.3"


def test_equation_with_objupdate_and_odd_case_class() -> None:
    findings, _ = run(rtf(ole1(b"eQuATion.3", b"\x00" * 40), b"Equation.3", objupdate=True))
    assert codes(findings) == {"rtf.object", "rtf.equation_editor", "rtf.objupdate"}


def test_ole2link_object_names_its_url() -> None:
    native = b"\x01\x00\x00\x02" + b"\x00" * 16 + "http://198.51.100.9/doc.hta".encode("utf-16-le") + b"\x00\x00"
    findings, _ = run(rtf(ole1(b"OLE2Link", native), objupdate=True))
    assert codes(findings) == {"rtf.object", "rtf.ole2link", "rtf.objupdate"}
    assert "http://198.51.100.9/doc.hta" in next(f.detail for f in findings if f.code == "rtf.ole2link")


def test_package_with_executable_is_yielded_as_the_file() -> None:
    payload = b"MZ" + b"\x90" * 300
    findings, children = run(rtf(ole1(b"Package", package(b"invoice.pdf.exe", payload))))
    assert codes(findings) == {"rtf.object", "rtf.package_executable"}
    assert [(c.name, c.type, c.data) for c in children] == [("invoice.pdf.exe", "pe", payload)]


def test_package_with_text_file_is_harmless() -> None:
    findings, children = run(rtf(ole1(b"Package", package(b"notes.txt", b"meeting at 10"))))
    assert codes(findings) == {"rtf.object"}
    assert children[0].name == "notes.txt"


def test_control_words_hidden_in_objdata_are_obfuscation() -> None:
    def nibbles(hexdata: bytes) -> bytes:
        return b"\\par ".join(hexdata[i : i + 8] for i in range(0, len(hexdata), 8)) + b"{\\*\\junk x}"

    findings, _ = run(rtf(ole1(b"Equation.3", b"\x00" * 40), hex_filter=nibbles))
    assert codes(findings) == {"rtf.object", "rtf.equation_editor", "rtf.obfuscation"}
    assert "control words inside \\objdata" in next(f.detail for f in findings if f.code == "rtf.obfuscation")


def test_truncated_header_is_obfuscation() -> None:
    findings, _ = run(rtf(ole1(b"Package", package(b"a.txt", b"x")), header=b"{\\rtvpn"))
    assert "rtf.obfuscation" in codes(findings)


def test_oletools_issue_185_malformed_object() -> None:
    findings, _ = run((DATA / "oletools_issue_185.rtf").read_bytes())
    assert codes(findings) == {"rtf.object", "rtf.objupdate", "rtf.obfuscation"}


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("relpath", "expected"),
    [
        ("maldocs/inquest/0655d58db2798ad8336f92dd580f988312f37f3e52b405c9c71d3afd2bd2c290.rtf.zip",
         {"rtf.object", "rtf.equation_editor", "rtf.objupdate", "rtf.obfuscation"}),
        ("maldocs/inquest/008d54ba06ec1b5fd909c1e0e9d9ba9a23c6d9a11d6e0f6910877e639b31c529.rtf.zip",
         {"rtf.object", "rtf.ole2link", "rtf.objupdate", "rtf.obfuscation"}),
        ("maldocs/inquest/0c91e70676609b765e4d20afa992660f306798af60f9c164dd41336590636864.rtf.zip",
         {"rtf.object", "rtf.ole2link", "rtf.objupdate", "rtf.obfuscation"}),
        ("maldocs/inquest/10ceb5916cd90e75f8789881af40287c655831c5086ae1575b327556b63cdb24.rtf.zip",
         {"rtf.object", "rtf.ole2link", "rtf.objupdate", "rtf.obfuscation"}),
    ],
)
def test_real_rtf_exploits(corpus_dir: object, relpath: str, expected: set[str]) -> None:
    findings, children = run(read_corpus_sample(relpath))
    assert codes(findings) == expected
    assert children and all(c.role == "embedded" for c in children)


def test_garbage_after_header_never_raises() -> None:
    findings, _ = run(b"{\\rtf1" + bytes(range(256)) * 50)
    assert {f.code for f in findings} <= {"rtf.parse_error", "rtf.obfuscation"}


def test_long_control_words_without_objects_are_not_obfuscation() -> None:
    """A long specification-like document writes long words and parameters honestly (no object to hide)."""
    para = b"{\\pard\\fs24 \\rsid%d00000000000 Paragraph %d \\verylongcontrolwordthatisjustlongerthanforty %d\\par}"
    body = b"".join(para % (i, i, i) for i in range(2000))
    findings, _ = run(b"{\\rtf1\\ansi " + body + b"}")
    assert "rtf.obfuscation" not in codes(findings)


# -- a long, well-formed RTF is not an exploit (the RTF specification, 2 MB, was one false positive) --------
def spec_like_rtf(paragraphs: int = 12000) -> bytes:
    """A long document the way Word writes one: styles, revision ids, pictures as hex with their
    signed 32-bit ``\\bliptag``, a few overlong words and parameters in the text, and one harmless
    embedded object (a chart with its picture as the result)."""
    picture = (bytes(range(256)) + b"\x90\x90\x90\x90" * 8).hex().encode()  # hex "9090..." as in any picture
    para = (b"{\\pard\\plain \\s2\\rtlch\\fcs1 \\af0\\ltrch\\insrsid%d\\charrsid12345678 Section %d: "
            b"the \\\\objdata destination holds hexadecimal data of an embedded object.\\par}\r\n")
    pict = (b"{\\*\\shppict{\\pict\\picscalex100\\bliptag-1656291532{\\*\\blipuid 9d46dc3472fd}\\pngblip "
            + picture + b"}}")
    body = bytearray()
    for i in range(paragraphs):
        body += para % (i, i)
        if i % 40 == 0:
            body += pict + b"\r\n"
        if i % 500 == 0:  # what long-word obfuscation looks like, but in ordinary text
            body += b"{\\pard \\averyveryverylongcontrolwordnameforthisexampletext \\rsid12345678901234 x\\par}"
    chart = ole1(b"Excel.Chart.8", b"harmless chart data " * 20)
    obj = (b"{\\object\\objemb\\objw4000\\objh3000{\\*\\objclass Excel.Chart.8}{\\*\\objdata " + chart.hex().encode()
           + b"}{\\result " + pict + b"}}")
    return (b"{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0\\froman Times New Roman;}}"
            b"{\\stylesheet{\\s2 heading 2;}}" + bytes(body) + obj + b"}")


@pytest.fixture(scope="module")
def repo_rules() -> object:
    from coinguard.rules import compile_rules

    return compile_rules([str(Path(__file__).resolve().parents[2] / "rules")]).rules


def test_long_well_formed_rtf_with_pictures_and_an_object_is_not_flagged(repo_rules: object) -> None:
    data = spec_like_rtf()
    assert len(data) > 2_000_000
    findings, children = run(data)
    assert codes(findings) == {"rtf.object"}  # an embedded chart is worth noting, nothing more
    assert len(children) == 1
    verdict = scan_message(make_message(attachments=[("RTF-Spec-1.9.1.rtf", data)]), ScanContext(rules=repo_rules))
    assert verdict.verdict is VerdictKind.CLEAN, verdict.basis
    assert not any(f.code.startswith("yara.") for f in verdict.findings)


def test_oversized_words_inside_an_object_are_still_obfuscation() -> None:
    def pad(hexdata: bytes) -> bytes:
        return hexdata[:40] + b"\\" + b"x" * 60 + b" " + hexdata[40:80] + b"\\objw1234567890123 " + hexdata[80:]

    findings, _ = run(rtf(ole1(b"Equation.3", b"\x1c\x00" + b"A" * 64), b"Equation.3", hex_filter=pad))
    assert codes(findings) == {"rtf.object", "rtf.equation_editor", "rtf.obfuscation"}
    assert "2 oversized control words or parameters inside objects" in next(
        f.detail for f in findings if f.code == "rtf.obfuscation")
