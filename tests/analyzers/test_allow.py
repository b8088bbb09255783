"""Allowlists: hashes, macro-code hashes, DKIM-proven sender domains -- and what the policy makes of the hits."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from coinguard import allowlist
from coinguard.analyzers.allow import AllowlistAnalyzer
from coinguard.catalogue import catalogue
from coinguard.config import Config, parse_config
from coinguard.findings import DKIM_ALIGNED, Action, Finding, Item, Role, VerdictKind
from coinguard.handlers import MessageInfo
from coinguard.policy import decide

from helpers import make_context

DOC = Item(path="prices.xlsm", name="prices.xlsm", data=b"PK\x03\x04 doc", type="ooxml.excel")
VBA = DOC.child("<vba>", b"Sub AutoOpen()\nEnd Sub\n", source="office", role=Role.EXTRACTED, type="text")
EXE = Item(path="tool.zip", name="tool.zip", data=b"PK zip", type="zip")


def config(tmp_path: Path, records: list[dict] = (), **policy: object) -> Config:  # type: ignore[assignment]
    path = tmp_path / "allow.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    cfg = Config()
    return replace(cfg, policy=replace(cfg.policy, allowlist_file=str(path), **policy))


def hits(cfg: Config, items=(DOC, VBA, EXE), findings=(), from_domain: str = "partner.example") -> list[Finding]:
    msg = MessageInfo(from_domain=from_domain, from_addr=f"a@{from_domain}")
    return list(AllowlistAnalyzer().analyze_message(msg, items, findings, make_context(config=cfg, message=msg)))


def test_hashes_from_the_console_file_and_the_config(tmp_path: Path) -> None:
    cfg = config(tmp_path, [{"kind": "sha256", "value": EXE.sha256.upper()}, {"kind": "unknown", "value": "x"},
                            {"kind": "sha256", "value": DOC.sha256},
                            {"kind": "sha256", "value": DOC.sha256, "removed": True}],
                 allow_macro_sha256=(allowlist.macro_hash(VBA.data),))
    got = {(f.code, f.path) for f in hits(cfg)}
    assert got == {("allow.sha256", "tool.zip"), ("allow.macro", "prices.xlsm")}


def test_sender_domain_only_with_aligned_dkim(tmp_path: Path) -> None:
    rec = {"kind": "sender_domain", "value": "partner.example", "require": "dkim_aligned_pass"}
    cfg = config(tmp_path, [rec, {"kind": "sender_domain", "value": "forged.example"}])  # no "require": ignored
    aligned = (Finding(DKIM_ALIGNED, "dkim_auth"),)
    assert [f.code for f in hits(cfg, (), aligned)] == ["allow.sender_domain"]
    assert [f.code for f in hits(cfg, (), aligned, "mail.partner.example")] == ["allow.sender_domain"]
    assert [f.code for f in hits(cfg, ())] == ["allow.sender_unverified"]  # a forged From: not trusted
    assert hits(cfg, (), aligned, "forged.example") == []
    assert hits(cfg, (), aligned, "notpartner.example") == []


def test_file_changes_are_seen(tmp_path: Path) -> None:
    cfg = config(tmp_path, [])
    assert hits(cfg) == []
    Path(cfg.policy.allowlist_file).write_text(json.dumps({"kind": "sha256", "value": EXE.sha256}) + "\n#junk\n")
    assert [f.code for f in hits(cfg)] == ["allow.sha256"]


def _decide(findings: list[Finding], cfg: Config | None = None):
    return decide(findings, catalogue(), cfg or Config(), rcpts=("bob@rcpt.test",))


def test_policy_zeroes_findings_inside_an_allowlisted_file() -> None:
    bad = [Finding("file.executable", "filetype", "tool.zip/tool.exe"), Finding("archive.encrypted", "zip", "tool.zip"),
           Finding("file.executable", "filetype", "other.exe")]
    assert _decide(bad).verdict != VerdictKind.CLEAN
    v = _decide([*bad[:2], Finding("allow.sha256", "allow", "tool.zip")])
    assert v.verdict == VerdictKind.CLEAN and v.score == 0
    inside = [f for f in v.findings if f.path.startswith("tool.zip/")]
    assert inside and all(f.score == 0 and f.detail.endswith("[allowlisted]") for f in inside)
    v = _decide([*bad, Finding("allow.sha256", "allow", "tool.zip")])  # a different file still counts
    assert v.score > 0


def test_macro_allowlist_drops_only_the_macro_evidence() -> None:
    macro = [Finding("office.vba_autoexec", "office", "prices.xlsm"),
             Finding("office.vba_suspicious", "office", "prices.xlsm"),
             Finding("yara.coinguard_vba_downloader", "yara", "prices.xlsm/<vba>", score=10.0)]
    embedded = Finding("file.executable", "filetype", "prices.xlsm/oleObject1.bin/x.exe")
    allow = Finding("allow.macro", "allow", "prices.xlsm")
    assert _decide([*macro, allow]).score == 0
    assert _decide([*macro, embedded, allow]).score == _decide([embedded]).score > 0


def test_trusted_sender_caps_at_tag_but_never_for_conclusive_malware() -> None:
    bad = [Finding("file.executable", "filetype", "a.exe"), Finding("office.vba_autoexec", "office", "b.doc"),
           Finding("yara.coinguard_vba_downloader", "yara", "b.doc/<vba>", score=20.0)]
    trusted = Finding("allow.sender_domain", "allow", "")
    assert _decide(bad).action == Action.QUARANTINE
    v = _decide([*bad, trusted])
    assert (v.verdict, v.action) == (VerdictKind.MALICIOUS, Action.TAG)  # still called what it is
    eicar = Finding("yara.coinguard_eicar_test_file", "yara", "eicar.com", score=20.0)
    bomb = Finding("container.bomb", "zip", "bomb.zip")
    assert _decide([eicar, trusted]).action == Action.QUARANTINE
    assert _decide([*bad, bomb, trusted]).action == Action.QUARANTINE
    assert _decide([eicar, Finding("allow.sender_unverified", "allow", "")]).action == Action.QUARANTINE


def test_config_keys_parse() -> None:
    cfg = parse_config('[policy]\nallow_sha256 = ["ab"]\nallow_dkim_domains = ["partner.example"]\n'
                       'allowlist_file = "/nonexistent/allow.jsonl"\n')
    assert allowlist.load(cfg) == allowlist.Allowlist(frozenset({"ab"}), frozenset(), frozenset({"partner.example"}))


def test_macro_allowlist_end_to_end_through_the_scan(tmp_path: Path) -> None:
    """A partner's known XLM spreadsheet (oletools' PoC; conclusive): trusted by the hash of its <vba> item."""
    from email.message import EmailMessage

    from coinguard.scan import ScanContext, scan_message

    data = (Path(__file__).resolve().parents[1] / "data" / "oletools_excel4_sample_macro.xls").read_bytes()
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = "a@partner.example", "b@rcpt.test", "prices"
    m.set_content("prices attached")
    m.add_attachment(data, maintype="application", subtype="vnd.ms-excel", filename="prices.xls")
    base = config(tmp_path)
    base = replace(base, dkim=replace(base.dkim, nameservers=("127.0.0.1",), dns_port=9, dns_timeout_s=0.3))
    first = scan_message(m.as_bytes(), ScanContext(config=base))
    assert first.verdict == VerdictKind.MALICIOUS and "office.xlm.autoexec" in first.codes
    vba = next(a for a in first.attachments if a.path == "prices.xls/<vba>")
    trusted = replace(base, policy=replace(base.policy, allow_macro_sha256=(vba.sha256,)))
    v = scan_message(m.as_bytes(), ScanContext(config=trusted))
    assert (v.verdict, v.score) == (VerdictKind.CLEAN, 0)
    assert "allow.macro" in v.codes and "office.xlm.autoexec" in v.codes  # still shown, scored 0
