from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from coinguard.cli import main
from coinguard.findings import Verdict
from coinguard.quarantine import open_store
from coinguard.report import campaigns
from coinguard.report.records import load_records
from coinguard.report.settings import ReportSettings
from report_helpers import LURE_SCRIPT, WALLET, lure, offline_config, received

from helpers import make_message


def test_acceptance_three_lures_make_exactly_one_campaign(lab, capsys: pytest.CaptureFixture[str]) -> None:
    settings = ReportSettings()
    found = campaigns.group(load_records(lab.store, settings), settings)
    assert len(found) == 1
    camp = found[0]
    assert {m.id for m in camp.members} == {lab.ids["lure1"], lab.ids["lure2"], lab.ids["lure3"]}
    assert [f.sha256 for f in camp.files] == [hashlib.sha256(LURE_SCRIPT).hexdigest()]
    assert camp.sender_domains == ("bithumb-wallet-verify.net", "upbit-secure-kyc.com")
    assert [(w.address, w.complete) for w in camp.wallets] == [(WALLET, True)]
    assert camp.recipients == ("alice@victim.example", "bob@victim.example", "carol@victim.example")
    assert camp.origin_ips == ("203.0.113.7", "203.0.113.8", "198.51.100.20")
    assert campaigns.Link("file", hashlib.sha256(LURE_SCRIPT).hexdigest()) in camp.shared
    assert campaigns.Link("wallet", WALLET[:12].lower()) in camp.shared
    # the id is the hash of the earliest member's strongest shared link: the attachment
    assert camp.anchor == campaigns.Link("file", hashlib.sha256(LURE_SCRIPT).hexdigest())
    assert camp.id == "camp-" + hashlib.sha256(f"file:{camp.anchor.value}".encode()).hexdigest()[:12]
    assert camp.first_seen <= camp.last_seen

    # the same through the command line
    cfg_file = lab.cfg.source  # the file the lab wrote
    assert main(["campaigns", "--json", "-c", cfg_file]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    obj = json.loads(lines[0])
    assert obj["id"] == camp.id and obj["messages"] == 3 and obj["verdicts"] == {"malicious": 3}
    assert main(["campaigns", "-c", cfg_file]) == 0
    text = capsys.readouterr().out
    assert text.startswith(camp.id) and "wallet:0x5aaeb6053f" in text
    # --min-size 1 also lists the two lone messages
    assert main(["campaigns", "--json", "--min-size", "1", "-c", cfg_file]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_campaign_id_stays_when_a_later_lure_joins(lab, scan: Callable[..., Verdict]) -> None:
    settings = ReportSettings()
    before = campaigns.group(load_records(lab.store, settings), settings)[0]
    raw = lure(4, "kyc@upbit-secure-kyc.com", "mx9.upbit-secure-kyc.com", "203.0.113.99", "frank@victim.example")
    lab.store.put(raw, scan(raw, lab.cfg, ("frank@victim.example",)))
    after = campaigns.group(load_records(lab.store, settings), settings)
    assert len(after) == 1 and len(after[0].members) == 4
    assert after[0].id == before.id
    assert campaigns.find(load_records(lab.store, settings), before.id, settings) is not None


def _two(tmp_path: Path, scan: Callable[..., Verdict], a: bytes, b: bytes, settings: ReportSettings) -> list:  # type: ignore[type-arg]
    cfg = offline_config(tmp_path)
    store = open_store(cfg.quarantine)
    for raw, rcpt in ((a, "x@victim.example"), (b, "y@victim.example")):
        store.put(raw, scan(raw, cfg, (rcpt,)))
    return campaigns.group(load_records(store, settings), settings)


def test_benign_domains_do_not_link(tmp_path: Path, scan: Callable[..., Verdict]) -> None:
    a = make_message(sender="a@one.example", body="https://docs.google.com/a and https://www.w3.org/x",
                     headers=[received("h1.one.example", "192.0.2.1")])
    b = make_message(sender="b@two.example", body="https://docs.google.com/b",
                     headers=[received("h2.two.example", "192.0.2.2")])
    assert _two(tmp_path / "1", scan, a, b, ReportSettings()) == []
    # the allowlist is what keeps them apart
    linked = _two(tmp_path / "2", scan, a, b, ReportSettings(benign_domains=()))
    assert len(linked) == 1 and linked[0].shared == (campaigns.Link("domain", "google.com"),)


def test_shared_providers_link_by_address_not_domain(tmp_path: Path, scan: Callable[..., Verdict]) -> None:
    a = make_message(sender="crew.one@gmail.com", body="hello")
    b = make_message(sender="someone.else@gmail.com", body="hello")
    c = make_message(sender="Crew.One@gmail.com", body="again")
    assert _two(tmp_path / "1", scan, a, b, ReportSettings()) == []
    same = _two(tmp_path / "2", scan, a, c, ReportSettings())
    assert len(same) == 1 and same[0].shared == (campaigns.Link("sender", "crew.one@gmail.com"),)


def test_recipient_domain_and_shared_sending_ip_do_not_link(tmp_path: Path, scan: Callable[..., Verdict]) -> None:
    # both spoof the victim's own domain and come through one freemail outbound IP
    a = make_message(sender="ceo@victim.example", body="see https://victim.example/a",
                     headers=[received("mail-ot1.outbound.protection.outlook.com", "192.0.2.77")])
    b = make_message(sender="hr@victim.example", body="see https://victim.example/b",
                     headers=[received("mail-ot1.outbound.protection.outlook.com", "192.0.2.77")])
    assert _two(tmp_path, scan, a, b, ReportSettings()) == []


def test_links_of_one_message() -> None:
    from coinguard.report.indicators import FileIndicator, Hop, Indicators, Wallet

    ind = Indicators(envelope_from="x@lure.example", recipients=("me@victim.example",),
                     origin=Hop(ip="192.0.2.5", rdns="h.lure.example"), domains=("lure.example", "google.com"),
                     files=(FileIndicator("ab" * 32, "a.js", "a.js"),), wallets=(Wallet(WALLET, "ETH"),))
    kinds = [str(k) for k in campaigns.links(ind, ReportSettings())]
    assert kinds == [f"file:{'ab' * 32}", f"wallet:{WALLET[:12].lower()}", "domain:lure.example", "ip:192.0.2.5",
                     "sender-domain:lure.example"]


def test_records_from_the_hold_back_end_without_a_stored_verdict() -> None:
    from datetime import UTC, datetime

    from coinguard.quarantine import Detail, Entry
    from coinguard.report.records import record_from_detail
    from report_helpers import MESSAGES

    raw = MESSAGES["lure1"][0]
    entry = Entry(id="4AbC1D2e3F", backend="hold", received=datetime(2026, 11, 24, tzinfo=UTC),
                  sender="support@upbit-secure-kyc.com", rcpts=("alice@victim.example",), size=len(raw),
                  verdict="malicious", score=84.0, codes=("file.double_extension", "crypto.address"))
    attachments = ({"path": "wallet_recovery.pdf.js", "type": "script.js", "size": len(LURE_SCRIPT),
                    "sha256": hashlib.sha256(LURE_SCRIPT).hexdigest(), "role": "attachment"},)
    record = record_from_detail(Detail(entry=entry, raw=raw, headers=(), verdict=None, attachments=attachments,
                                       attachments_source="mime"), ReportSettings())
    ind = record.indicators
    assert ind.verdict == "malicious" and set(ind.codes) == {"file.double_extension", "crypto.address"}
    assert [f.sha256 for f in ind.files] == [hashlib.sha256(LURE_SCRIPT).hexdigest()]
    assert ind.origin is not None and ind.origin.ip == "203.0.113.7"
    assert ind.wallets == ()  # the hold store keeps codes, not details: no address to find again


def test_report_settings_from_config() -> None:
    from types import SimpleNamespace

    from coinguard.config import Config
    from coinguard.errors import ConfigError
    from coinguard.report.settings import report_settings

    assert report_settings(Config()) == ReportSettings()
    section = SimpleNamespace(tlp="red", trusted_hosts=(".corp.example",), unknown_later_key=1)
    got = report_settings(SimpleNamespace(report=section))  # type: ignore[arg-type]
    assert (got.tlp, got.trusted_hosts, got.misp_url) == ("red", (".corp.example",), "")
    assert got.with_overrides(tlp="green", misp_url=None).tlp == "green"
    with pytest.raises(ConfigError, match=r"report\.tlp"):
        ReportSettings(tlp="amber+strict")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="trusted_networks"):
        ReportSettings(trusted_networks=("10.0.0.0/33",))
