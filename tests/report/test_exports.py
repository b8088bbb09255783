"""Every export format of the acceptance campaign and of one message validates with its own tooling."""

from __future__ import annotations

import dataclasses
import email
import email.policy
import hashlib
import io
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pyzipper
import stix2
from pymisp import MISPEvent
from stix2patterns.validator import run_validator

from coinguard.cli import main
from coinguard.report import arf, bundle, campaigns, misp, stix, summary
from coinguard.report.records import load_record, load_records
from coinguard.report.settings import ReportSettings
from report_helpers import LURE_SCRIPT, WALLET

SETTINGS = ReportSettings(organization="Victim Corp SOC")


@pytest.fixture
def campaign(lab) -> campaigns.Campaign:
    (found,) = campaigns.group(load_records(lab.store, SETTINGS), SETTINGS)
    return found


def _objects(bundle_json: str, kind: str) -> list:  # type: ignore[type-arg]
    parsed = stix2.parse(bundle_json, allow_custom=False)
    return [o for o in parsed.objects if o.type == kind]


def test_stix_bundle_parses_strictly_and_carries_the_indicators(campaign: campaigns.Campaign) -> None:
    text = stix.to_json(campaign, SETTINGS)
    parsed = stix2.parse(text, allow_custom=False)
    assert parsed.type == "bundle"
    indicators = _objects(text, "indicator")
    patterns = {i.pattern for i in indicators}
    sha = hashlib.sha256(LURE_SCRIPT).hexdigest()
    assert f"[file:hashes.'SHA-256' = '{sha}']" in patterns
    assert "[url:value = 'https://upbit-secure-kyc.com/login']" in patterns
    assert "[domain-name:value = 'upbit-secure-kyc.com']" in patterns
    assert "[domain-name:value = 'bithumb-wallet-verify.net']" not in patterns  # a sender domain, not a link
    assert "[email-addr:value = 'help@bithumb-wallet-verify.net']" in patterns
    assert "[ipv4-addr:value = '198.51.100.20']" in patterns
    assert not any("google.com" in p for p in patterns)  # benign domains are no indicators
    for p in patterns:
        assert run_validator(p, stix_version="2.1") == [], p
    # ATT&CK techniques named by the findings, with their external ids
    ext_ids = {ref.external_id for ap in _objects(text, "attack-pattern") for ref in ap.external_references}
    assert {"T1566.001", "T1036.007", "T1204.002", "T1566.002"} <= ext_ids
    (camp,) = _objects(text, "campaign")
    rels = _objects(text, "relationship")
    assert {(r.relationship_type, r.target_ref) for r in rels if r.source_ref == indicators[0].id} == {
        ("indicates", camp.id)}
    assert {r.relationship_type for r in rels if r.source_ref == camp.id} == {"uses"}
    # the wallet in a standard note, every object marked TLP:AMBER and created by our identity
    (note,) = _objects(text, "note")
    assert WALLET in note.content
    (identity,) = _objects(text, "identity")
    assert identity.name == "Victim Corp SOC"
    for obj in parsed.objects:
        if obj.type not in ("marking-definition", "identity"):
            assert obj.object_marking_refs == [stix2.TLP_AMBER.id]
            assert obj.created_by_ref == identity.id
    # the same input gives the same bundle (ids are content hashes, times come from the messages)
    assert stix.to_json(campaign, SETTINGS) == text


def test_stix_of_one_message_and_other_tlp(lab) -> None:
    case = campaigns.single(load_record(lab.store, lab.ids["lure3"], SETTINGS))
    red = ReportSettings(tlp="red")
    text = stix.to_json(case, red)
    assert not _objects(text, "campaign")
    (report,) = _objects(text, "report")
    assert report.report_types == ["threat-report"] and report.object_marking_refs == [stix2.TLP_RED.id]
    attack = {a.id for a in _objects(text, "attack-pattern")}
    assert {r.target_ref for r in _objects(text, "relationship")} == attack  # indicators indicate the techniques


def test_misp_event_loads_into_pymisp(campaign: campaigns.Campaign) -> None:
    event = MISPEvent()
    event.load(misp.to_json(campaign, SETTINGS))
    tags = {t.name for t in event.tags}
    assert "tlp:amber" in tags
    assert f'coinguard:campaign="{campaign.id}"' in tags
    assert 'misp-galaxy:mitre-attack-pattern="Spearphishing Attachment - T1566.001"' in tags
    objects = {o.name: o for o in event.objects}
    assert sum(1 for o in event.objects if o.name == "email") == 3
    (coin,) = [o for o in event.objects if o.name == "coin-address"]
    assert coin.get_attributes_by_relation("address-crypto")[0].value == WALLET
    (file_obj,) = [o for o in event.objects if o.name == "file"]
    assert file_obj.get_attributes_by_relation("sha256")[0].value == hashlib.sha256(LURE_SCRIPT).hexdigest()
    assert "email" in objects
    values = {(a.type, a.value) for a in event.attributes}
    assert ("domain", "upbit-secure-kyc.com") in values and ("ip-src", "203.0.113.7") in values
    assert not any("google.com" in str(v) for _t, v in values)
    assert event.threat_level_id == 1 and event.distribution == 0
    assert misp.to_json(campaign, SETTINGS) == misp.to_json(campaign, SETTINGS)  # stable uuids, same event


def _feedback(report: bytes) -> tuple[email.message.Message, list[email.message.Message]]:
    msg = email.message_from_bytes(report, policy=email.policy.compat32)
    parts = msg.get_payload()
    assert isinstance(parts, list)
    return msg, parts


def test_arf_is_a_valid_feedback_report(lab) -> None:
    record = load_record(lab.store, lab.ids["lure1"], SETTINGS)
    report = arf.build(record, SETTINGS)
    msg, parts = _feedback(report)
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "feedback-report"
    assert msg["To"] == "abuse@upbit-secure-kyc.com"  # the sending host's registrable domain
    assert [p.get_content_type() for p in parts] == ["text/plain", "message/feedback-report", "text/rfc822-headers"]
    assert "203.0.113.7" in parts[0].get_payload(decode=True).decode("utf-8")
    fields = parts[1].get_payload()[0]  # the email package parses the fields like a header block
    assert fields["Feedback-Type"] == "virus"
    assert fields["Version"] == "1"
    assert fields["User-Agent"].startswith("coinguard/")
    assert fields["Source-IP"] == "203.0.113.7"
    assert fields["Original-Mail-From"] == "<support@upbit-secure-kyc.com>"
    assert fields.get_all("Original-Rcpt-To") == ["<alice@victim.example>"]
    assert fields["Arrival-Date"] and fields["Reporting-MTA"].startswith("dns; ")
    assert "https://upbit-secure-kyc.com/verify?case=1" in fields.get_all("Reported-URI")
    assert not any("google" in u for u in fields.get_all("Reported-URI"))
    assert "; dkim=none;" in fields["Authentication-Results"]  # the combined header (dkim, dmarc, arc)
    headers = parts[2].get_payload(decode=True)
    assert headers.startswith(lab.raws["lure1"].split(b"\r\n\r\n", 1)[0])
    assert b"wallet_recovery" not in headers  # header block only: no body, no attachment


def test_arf_with_the_whole_message_keeps_it_byte_identical(lab) -> None:
    record = load_record(lab.store, lab.ids["lure2"], SETTINGS)
    report = arf.build(record, SETTINGS, to="abuse@provider.example", include_message=True)
    msg, parts = _feedback(report)
    assert msg["To"] == "abuse@provider.example"
    assert parts[2].get_content_type() == "message/rfc822"
    assert lab.raws["lure2"] in report  # the original part is the quarantined bytes, unchanged
    assert parts[2].get_payload(0)["Subject"] == email.message_from_bytes(lab.raws["lure2"])["Subject"]


def test_arf_for_a_campaign_is_an_mbox_of_reports(campaign: campaigns.Campaign, tmp_path: Path) -> None:
    import mailbox

    path = tmp_path / "reports.mbox"
    path.write_bytes(arf.build_all(campaign, SETTINGS))
    box = mailbox.mbox(path)
    try:
        messages = list(box)
    finally:
        box.close()
    assert len(messages) == 3
    assert {m["To"] for m in messages} == {"abuse@upbit-secure-kyc.com", "abuse@bithumb-wallet-verify.net"}
    assert all(m.get_content_type() == "multipart/report" for m in messages)


def test_feedback_type_fraud_without_attachment(lab) -> None:
    record = load_record(lab.store, lab.ids["newsletter"], SETTINGS)
    assert arf.feedback_type(record) == "fraud"


def test_bundle_opens_with_the_password_and_holds_the_exact_eml(lab, campaign: campaigns.Campaign) -> None:
    data = bundle.build(campaign, SETTINGS)
    with pyzipper.AESZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        with pytest.raises(RuntimeError):
            zf.read(sorted(names)[0])  # no password: refused
        zf.setpassword(b"infected")
        for name in ("lure1", "lure2", "lure3"):
            qid = lab.ids[name]
            eml = zf.read(f"messages/{qid}.eml")
            assert eml == lab.raws[name]
            assert eml == lab.store.show(qid).raw  # byte-identical to the quarantined file
            assert json.loads(zf.read(f"messages/{qid}.verdict.json"))["verdict"] == "malicious"
            assert json.loads(zf.read(f"messages/{qid}.indicators.json"))["wallets"][0]["address"] == WALLET
        stix2.parse(zf.read("stix.json").decode("utf-8"), allow_custom=False)
        MISPEvent().load(zf.read("misp.json").decode("utf-8"))
        assert json.loads(zf.read("campaign.json"))["id"] == campaign.id
        english = zf.read("summary-en.txt").decode("utf-8")
        korean = zf.read("summary-ko.txt").decode("utf-8")
    assert "3 related message(s)" in english and WALLET in english
    assert "관련된 메일 3건" in korean and "암호화폐 지갑 주소" in korean and WALLET in korean
    for info in pyzipper.AESZipFile(io.BytesIO(data)).infolist():
        assert info.flag_bits & 0x1  # every member encrypted


def test_summary_is_inert_for_hostile_subjects(lab, scan) -> None:
    raw = (b"From: x@evil.example\r\nTo: a@victim.example\r\nSubject: \x1b]0;owned\x07 \x1b[2J wipe\r\n"
           b"Message-ID: <1@evil.example>\r\n\r\nbody\r\n")
    qid = lab.store.put(raw, scan(raw, lab.cfg, ("a@victim.example",)))
    case = campaigns.single(load_record(lab.store, qid, SETTINGS))
    for lang in summary.LANGUAGES:
        text = summary.render(case, SETTINGS, lang)
        assert "owned" in text and "wipe" in text
        assert not any(ch in text for ch in "\x1b\x07"), lang


def test_report_command_writes_every_format(lab, campaign: campaigns.Campaign, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    cfg = lab.cfg.source
    out = tmp_path / "out"
    out.mkdir()
    for fmt in ("stix", "misp", "arf", "bundle", "indicators", "summary"):
        target = out / fmt
        assert main(["report", campaign.id, "--format", fmt, "-o", str(target), "-c", cfg]) == 0, fmt
        assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    stix2.parse((out / "stix").read_text(encoding="utf-8"), allow_custom=False)
    assert len(json.loads((out / "indicators").read_text(encoding="utf-8"))) == 3
    # one message, to standard output
    assert main(["report", lab.ids["lure1"], "--format", "stix", "--tlp", "green", "-c", cfg]) == 0
    assert stix2.TLP_GREEN.id in capsys.readouterr().out
    # unknown ids: exit 1; nothing asked: exit 2
    assert main(["report", "camp-000000000000", "--format", "stix", "-c", cfg]) == 1
    assert main(["report", "20990101T000000000000Z-000000000000", "--format", "stix", "-c", cfg]) == 1
    assert main(["report", lab.ids["lure1"], "-c", cfg]) == 2
    capsys.readouterr()
    # no sending host and no sender domain: the ARF has no To, and the admin is told
    qid = lab.store.put(b"Subject: hi\r\n\r\nbody\r\n", dataclasses.replace(lab.verdicts["newsletter"], sender=""))
    assert main(["report", qid, "--format", "arf", "-o", str(out / "noto"), "-c", cfg]) == 0
    assert "no sending provider known" in capsys.readouterr().err
    assert main(["report", "camp-000000000000", "--format", "stix", "-c", cfg]) == 1
    assert "no campaign camp-000000000000" in capsys.readouterr().err


def test_hostile_values_stay_valid_patterns_and_headers() -> None:
    from coinguard.report.indicators import Indicators
    from coinguard.report.records import Record

    nasty = "https://evil.example/a'b\\c?x=' OR 1=1]"
    rec = Record("20261201T000000000000Z-000000000000", datetime.now(UTC), b"Subject: x\r\n\r\n",
                 {"verdict": "malicious"},
                 Indicators(subject="\x1b[2Jwipe\x00", envelope_from="a'b@evil.example", urls=(nasty,),
                            domains=("evil.example",), recipients=("r@victim.example",), verdict="malicious"))
    case = campaigns.single(rec)
    text = stix.to_json(case, SETTINGS)
    patterns = {i.pattern for i in _objects(text, "indicator")}
    assert stix.quote(nasty) in {p.split(" = ", 1)[1].rstrip("]") for p in patterns}
    for p in patterns:
        assert run_validator(p, stix_version="2.1") == [], p
    report = arf.build(rec, SETTINGS)
    msg, parts = _feedback(report)
    assert "\x1b" not in msg["Subject"] and "wipe" in msg["Subject"]
    assert parts[1].get_payload()[0]["Reported-URI"] == nasty
