"""HWP 5 / HWPX analyzer: the real malicious EPS sample, the benign pyhwp/pyhwpscan documents,
crafted HWPX packages and the PostScript/script detectors on crafted input."""

from __future__ import annotations

import io
import itertools
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from coinguard.analyzers.eps_common import eps_indicators, is_postscript
from coinguard.analyzers.hwp import HwpAnalyzer, inflate, non_default_script
from coinguard.errors import BudgetExceeded
from coinguard.findings import Finding, Item
from coinguard.sniff import sniff

from helpers import CORPUS, corpus_available, read_corpus_sample, run_handler

SCORES = {c.code: c.score for c in HwpAnalyzer.codes}
DEFAULT_SCRIPT = (
    "var Documents = XHwpDocuments;\r\nvar Document = Documents.Active_XHwpDocument;\r\n"
    "function OnDocument_New()\r\n{\r\n\t//todo : \r\n}\r\n\r\n"
)
EXPLOIT_EPS = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n/sc <" + b"90" * 300 + b"> def\n"
    b"/buf 4096 string def buf 0 sc putinterval currentfile buf readstring pop cvx exec\n"
    b"(cmd.exe /c powershell -enc AAAA) (w) file\n"
)


def run(data: bytes, name: str = "lure.hwp") -> tuple[list[Finding], list[Item]]:
    return run_handler(HwpAnalyzer(), data, name)


def hwpx(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("mimetype", "application/hwp+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("version.xml", "<version/>")
        zf.writestr("Contents/section0.xml", "<hs:sec><hp:p><hp:t>안녕하세요</hp:t></hp:p></hs:sec>")
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_eps_detector_on_crafted_postscript() -> None:
    signs = eps_indicators(EXPLOIT_EPS)
    assert "builds strings with putinterval" in signs
    assert "reads hidden data (readstring/readhexstring)" in signs
    assert "executes built code (exec/cvx)" in signs
    assert "long hex blob (shellcode?)" in signs
    assert "references PowerShell/WScript/cmd" in signs
    assert "writes files" in signs
    assert eps_indicators(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nnewpath 0 0 moveto stroke\n") == []
    assert is_postscript(EXPLOIT_EPS) and not is_postscript(b"\x89PNG\r\n\x1a\n")


def test_default_script_is_not_code() -> None:
    assert non_default_script(DEFAULT_SCRIPT) == ""
    rest = non_default_script(DEFAULT_SCRIPT + "function OnDocument_Open() { new ActiveXObject('WScript.Shell'); }")
    assert "ActiveXObject" in rest


def test_inflate_is_bounded() -> None:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = comp.compress(b"\x00" * 2_000_000) + comp.flush()
    assert inflate(raw, 3_000_000, "BIN0001") == b"\x00" * 2_000_000
    with pytest.raises(BudgetExceeded):
        inflate(raw, 1_000_000, "BIN0001")


def test_hwpx_with_eps_and_script() -> None:
    data = hwpx({
        "BinData/image1.eps": EXPLOIT_EPS,
        "BinData/image2.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        "Scripts/sourceScripts": (DEFAULT_SCRIPT + "function OnDocument_Open(){ var s = new ActiveXObject"
                                  "('WScript.Shell'); s.Run('cmd /c calc'); }").encode("utf-16"),
        "Preview/PrvText.txt": "가상자산 지갑 보안 점검 안내".encode(),
    })
    assert sniff(data) == "hwpx"
    findings, children = run(data, "notice.hwpx")
    assert {f.code for f in findings} == {"hwp.eps", "hwp.script"}
    assert {c.name for c in children} == {"image1.eps", "image2.png", "<preview-text>"}
    assert next(c for c in children if c.name == "image1.eps").type == "postscript"
    assert "지갑" in next(c for c in children if c.role == "text").data.decode()


def test_benign_hwpx_default_script() -> None:
    findings, _ = run(hwpx({"Scripts/headerScripts": DEFAULT_SCRIPT.encode("utf-16")}), "a.hwpx")
    assert findings == []


def test_corrupt_hwp_is_a_parse_error() -> None:
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "FileHeaderDocInfoBodyText".encode("utf-16-le")
    findings, _ = run(data)
    assert [f.code for f in findings] == ["hwp.parse_error"]


@pytest.mark.corpus
def test_malicious_hwp_eps(corpus_dir: Path) -> None:
    findings, children = run(read_corpus_sample("maldocs/pyhwpscan/mal_sample.hwp.zip"), "mal_sample.hwp")
    assert [f.code for f in findings] == ["hwp.eps"]
    detail = findings[0].detail
    assert "putinterval" in detail and "PowerShell" in detail
    eps = next(c for c in children if c.name == "BIN0001.eps")
    assert eps.data.startswith(b"%!PS-Adobe") and eps.role == "embedded"
    assert any(c.role == "text" for c in children)


BENIGN_HWP = sorted(p.relative_to(CORPUS).as_posix() for p in (CORPUS / "benign/attachments").glob("*/*.hwp")) \
    if corpus_available() else []


@pytest.mark.corpus
@pytest.mark.parametrize("path", BENIGN_HWP or ["benign/attachments/pyhwp/aligns.hwp"])
def test_benign_hwp_stays_below_tag(corpus_dir: Path, path: str) -> None:
    findings, _ = run(read_corpus_sample(path), path.rsplit("/", 1)[-1])
    expected = {"hwp.encrypted"} if "password" in path else set()
    assert {f.code for f in findings} == expected
    assert sum(SCORES[f.code] for f in findings) < 5


@pytest.mark.corpus
def test_benign_hwp_bindata_children(corpus_dir: Path) -> None:
    _, children = run(read_corpus_sample("benign/attachments/pyhwpscan/sample.hwp"), "sample.hwp")
    kinds = sorted(c.type for c in children if c.role == "embedded")
    assert kinds == ["image.bmp", "image.bmp", "image.bmp", "image.jpeg", "image.png"]


# -- a crafted HWP 5 file: a minimal Compound File Binary writer (no mini stream) -----------------
SECTOR = 512
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    kids: list[int] = field(default_factory=list)
    right: int = NOSTREAM
    start: int = END


def _u32(n: int) -> bytes:
    return n.to_bytes(4, "little")


def cfb(tree: dict[str, Any]) -> bytes:
    """An OLE2 file holding ``tree`` ({name: bytes | subtree}).  Streams are padded to 4096 bytes so
    they live in regular sectors (readers take smaller streams from the mini stream, not written here)."""
    entries = [_Entry("Root Entry", 5)]

    def add(parent: int, node: dict[str, Any]) -> None:
        for name, value in node.items():
            entries[parent].kids.append(len(entries))
            if isinstance(value, dict):
                entries.append(_Entry(name, 1))
                add(len(entries) - 1, value)
            else:
                entries.append(_Entry(name, 2, bytes(value).ljust(4096, b"\x00")))

    add(0, tree)
    body, fat = bytearray(), []
    for e in entries:
        if e.kind == 2:
            e.start, n = len(fat), -(-len(e.data) // SECTOR)
            fat.extend([*range(len(fat) + 1, len(fat) + n), END])
            body += e.data.ljust(n * SECTOR, b"\x00")
        for left, right in itertools.pairwise(e.kids):  # siblings: a chain of right links
            entries[left].right = right
    directory = bytearray()
    for e in entries:
        name = e.name.encode("utf-16-le") + b"\x00\x00"
        directory += name.ljust(64, b"\x00") + bytes([len(name), 0, e.kind, 1])
        directory += _u32(NOSTREAM) + _u32(e.right) + _u32(e.kids[0] if e.kids else NOSTREAM)
        directory += b"\x00" * 36 + _u32(e.start) + len(e.data).to_bytes(8, "little")
    directory = directory.ljust(-(-len(directory) // SECTOR) * SECTOR, b"\x00")
    dir_start, n_dir = len(fat), len(directory) // SECTOR
    fat.extend([*range(dir_start + 1, dir_start + n_dir), END])
    n_fat = -(-(len(fat) + 1) * 4 // SECTOR)
    fat_start = len(fat)
    fat.extend([FATSECT] * n_fat)
    fat_bytes = b"".join(map(_u32, fat)).ljust(n_fat * SECTOR, b"\xff")
    difat = [fat_start + i for i in range(n_fat)] + [FREE] * (109 - n_fat)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00\x06\x00"
        + b"\x00" * 6 + _u32(0) + _u32(n_fat) + _u32(dir_start) + _u32(0) + _u32(4096)
        + _u32(END) + _u32(0) + _u32(END) + _u32(0) + b"".join(map(_u32, difat))
    )
    return header + bytes(body) + bytes(directory) + fat_bytes


def raw_deflate(data: bytes) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    return comp.compress(data) + comp.flush()


def script_stream(text: str) -> bytes:
    return len(text).to_bytes(4, "little") + text.encode("utf-16-le")


def hwp5(bindata: dict[str, bytes], script: str = DEFAULT_SCRIPT, flags: int = 1) -> bytes:
    header = b"HWP Document File".ljust(32, b"\x00") + (0x05000300).to_bytes(4, "little") + flags.to_bytes(4, "little")
    return cfb({
        "FileHeader": header.ljust(256, b"\x00"),
        "DocInfo": raw_deflate(b"\x00" * 64),
        "BodyText": {"Section0": raw_deflate(b"\x00" * 64)},
        "BinData": {name: raw_deflate(data) for name, data in bindata.items()},
        "Scripts": {"DefaultJScript": raw_deflate(script_stream(script))},
        "PrvText": "지갑 복구 문구를 확인하세요".encode("utf-16-le"),
    })


def test_crafted_hwp5_eps_ole_and_script() -> None:
    ole_object = len(PE_OLE).to_bytes(4, "little") + PE_OLE
    png = b"\x89PNG\r\n\x1a\n" + b"1" * 20
    script = DEFAULT_SCRIPT + "function OnDocument_Open(){ new ActiveXObject('WScript.Shell').Run('calc'); }"
    data = hwp5({"BIN0001.eps": EXPLOIT_EPS, "BIN0002.OLE": ole_object, "BIN0003.png": png}, script=script)
    assert sniff(data) == "ole.hwp"
    findings, children = run(data)
    assert {f.code for f in findings} == {"hwp.eps", "hwp.ole_object", "hwp.script"}
    by_name = {c.name: c for c in children}
    assert by_name["BIN0001.eps"].data == EXPLOIT_EPS
    assert by_name["BIN0002.OLE.ole"].data.startswith(b"\xd0\xcf\x11\xe0")
    assert by_name["BIN0003.png"].type == "image.png"
    assert "지갑" in by_name["<preview-text>"].data.decode()


def test_crafted_hwp5_benign_and_flags() -> None:
    findings, _ = run(hwp5({"BIN0001.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 100}))
    assert findings == []
    findings, _ = run(hwp5({}, flags=1 | 4))
    assert [f.code for f in findings] == ["hwp.distribution"]
    findings, _ = run(hwp5({"BIN0001.eps": EXPLOIT_EPS}, flags=1 | 2))
    assert [f.code for f in findings] == ["hwp.encrypted"]  # ciphertext: nothing else is read


PE_OLE = cfb({"\x01Ole10Native": b"\x00" * 16})
