"""Indicators computed once by the scan and stored with the verdict (issue 16 §1).

The scan puts them in ``Verdict.indicators`` for what it quarantines; the verdict JSON the
stores keep (dir, PostgreSQL) carries them; campaigns and exports read them, and extract
them from the stored message only for records that have none.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import logging
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pyzipper

from coinguard.config import Config
from coinguard.findings import Item, Role, Verdict
from coinguard.quarantine import open_store
from coinguard.report import campaigns, exports, indicators
from coinguard.report.importer import import_messages
from coinguard.report.indicators import URLS_KEY, Indicators, at_scan
from coinguard.report.records import load_record, load_records
from coinguard.report.settings import REPORTED_CODE, ReportSettings
from coinguard.scan import Envelope, ScanContext, scan_message
from coinguard.scan_cli import run_scan
from report_helpers import LURE_SCRIPT, WALLET, offline_config

from helpers import make_message

CLIENT = "203.0.113.77"
SETTINGS = ReportSettings()


def daemon_view(n: int = 1) -> bytes:
    """A lure as the milter sees it: only lines the sender wrote (Postfix does not show its own)."""
    body = (f"Dear customer #{n},\nYour Upbit wallet is locked: verify at https://upbit-secure-kyc.com/verify?c={n} "
            f"and send 0.05 ETH to {WALLET} within 24 hours.\n")
    return make_message(
        subject=f"[Upbit] wallet verification #{n}", sender="Upbit Support <support@upbit-secure-kyc.com>",
        to="alice@victim.example", body=body,
        attachments=[("wallet_recovery.pdf.js", LURE_SCRIPT, "application/octet-stream")],
        headers=[("Received", "from trusted.example (trusted.example [198.51.100.1]) by mx.victim.example; now"),
                 ("Received", "from [10.9.9.9] (helo=x) by relay.invalid; Tue, 24 Nov 2026 09:00:00 +0000")],
    )


def envelope(**kw: Any) -> Envelope:
    base: dict[str, Any] = {"id": "Q1", "queue_id": "4Xyz1Ab2Cd", "sender": "support@upbit-secure-kyc.com",
                            "rcpts": ("alice@victim.example",), "client_addr": CLIENT, "helo": "Mail.Lure.Example"}
    return Envelope(**{**base, **kw})


@pytest.fixture
def cfg(tmp_path: Path) -> Config:
    return offline_config(tmp_path)


@pytest.fixture
def scan_env(rules: Any) -> Callable[..., Verdict]:
    def run(raw: bytes, cfg: Config, env: Envelope, **kw: Any) -> Verdict:
        return scan_message(raw, ScanContext(config=cfg, rules=rules, envelope=env, **kw))

    return run


# --------------------------------------------------------------------------- the scan


def test_the_scan_stores_indicators_for_what_it_quarantines(cfg: Config, scan_env: Callable[..., Verdict]) -> None:
    v = scan_env(daemon_view(), cfg, envelope())
    assert str(v.action) == "quarantine" and v.indicators is not None
    ind = Indicators.from_json(v.indicators)
    # the MTA's client is the origin; every Received line of the message was written by others
    assert ind.client is not None and (ind.client.ip, ind.client.helo, ind.client.trusted) == (CLIENT,
                                                                                              "mail.lure.example",
                                                                                              False)
    assert ind.origin_ip == CLIENT
    assert [h.ip for h in ind.claimed_hops] == ["198.51.100.1", "10.9.9.9"]
    assert ind.envelope_from == "support@upbit-secure-kyc.com" and ind.recipients == ("alice@victim.example",)
    assert [(f.sha256, f.name) for f in ind.files] == [(hashlib.sha256(LURE_SCRIPT).hexdigest(),
                                                        "wallet_recovery.pdf.js")]
    assert [(w.address, w.complete) for w in ind.wallets] == [(WALLET, True)]
    assert "https://upbit-secure-kyc.com/verify?c=1" in ind.urls and "upbit-secure-kyc.com" in ind.domains
    assert {a.method for a in ind.auth} >= {"dkim", "spf", "dmarc"}
    assert ind.codes == tuple(v.codes)
    # plain data: through the verdict JSON and a pickle (the worker pool) unchanged
    assert Verdict.from_json(json.loads(json.dumps(v.to_json()))).indicators == v.indicators
    assert pickle.loads(pickle.dumps(v)).indicators == v.indicators


def test_a_message_that_is_delivered_gets_none_unless_asked(cfg: Config, scan_env: Callable[..., Verdict]) -> None:
    raw = make_message(body="Lunch at noon? https://www.example.com/menu\n")
    v = scan_env(raw, cfg, envelope())
    assert str(v.verdict) == "clean" and v.indicators is None and "indicators" not in v.to_json()
    asked = scan_env(raw, cfg, envelope(), indicators=True)
    assert asked.indicators is not None and asked.indicators["client"]["ip"] == CLIENT


def test_a_trusted_client_means_its_line_is_walked(cfg: Config, scan_env: Callable[..., Verdict]) -> None:
    ind = Indicators.from_json(scan_env(daemon_view(), cfg, envelope(client_addr="10.0.0.5"), indicators=True)
                               .indicators or {})
    assert ind.client is not None and ind.client.trusted
    assert ind.origin_ip == "198.51.100.1" and [h.ip for h in ind.hops] == ["10.0.0.5", "198.51.100.1"]
    # an IPv4 client on an IPv6 listener is the same client
    mapped = at_scan(daemon_view(), _verdict(), client_addr="::ffff:10.0.0.5", config=cfg)
    assert mapped is not None and mapped["client"] == {**mapped["client"], "ip": "10.0.0.5", "trusted": True}
    # no client (an offline scan): the top line is taken as our MTA's, as for a saved message
    offline = Indicators.from_json(scan_env(daemon_view(), cfg, Envelope(id="x"), indicators=True).indicators or {})
    assert offline.client is None and offline.origin_ip == "198.51.100.1"


def test_an_mta_that_shows_its_own_line_is_not_counted_twice() -> None:
    raw = make_message(headers=[("Received", f"from mail.lure.example (mail.lure.example [{CLIENT}]) by mx; now"),
                                ("Received", "from pc (pc [192.0.2.1]) by mail.lure.example; now")])
    ind = Indicators.from_json(at_scan(raw, _verdict(), client_addr=CLIENT, helo="x") or {})
    assert ind.origin is not None and (ind.origin.ip, ind.origin.rdns) == (CLIENT, "mail.lure.example")
    assert [h.ip for h in ind.claimed_hops] == ["192.0.2.1"]


def _verdict(raw: bytes = b"", **kw: Any) -> Verdict:
    return Verdict.from_json({"id": "t", "verdict": "malicious", "action": "quarantine", "score": 20, **kw})


def _item(path: str, data: bytes, type: str, role: str = Role.ATTACHMENT, **kw: Any) -> Item:
    return Item(path=path, name=kw.pop("name", path.rsplit("/", 1)[-1]), data=data, type=type, role=role, **kw)


def test_urls_from_item_meta_memo_document_text_and_pdfs() -> None:
    """The seam: wherever the scan carries URLs, they reach the indicators."""
    raw = make_message(body="see the attachment")
    pdf = b"%PDF-1.4\n1 0 obj << /A << /S /URI /URI (https://pdf-link.example/p) >> >>\nendobj\n"
    items = (
        _item("a.png", b"\x89PNG...", "image.png", meta={URLS_KEY: ["https://qr-code.example/claim", 7, ""]}),
        _item("a.pdf", pdf, "pdf"),
        _item("doc.docx/<text>", f"wallet {WALLET} and www.doc-text.example/x".encode(), "text", Role.TEXT),
        _item("run.vbs", b'x = "http://dropper.example/payload.exe"', "script.vbs"),
        _item("blob.bin", b"http://not-text.example/", "binary"),
    )
    memo = {URLS_KEY: ["https://memo-top.example/"], "links": {URLS_KEY: ("https://memo-handler.example/",)},
            "yara": {"abc": ["http://not-a-url-list.example/"]}}
    v = _verdict(findings=[{"code": "crypto.address", "analyzer": "addresses", "detail": f"ETH EIP-55 {WALLET[:12]}…"},
                           {"code": "ooxml.remote_template", "analyzer": "ooxml",
                            "detail": "attachedTemplate https://template.example/t.dotm"}])
    ind = Indicators.from_json(at_scan(raw, v, items, memo=memo) or {})
    for url in ("https://qr-code.example/claim", "https://pdf-link.example/p", "http://www.doc-text.example/x",
                "http://dropper.example/payload.exe", "https://memo-top.example/", "https://memo-handler.example/",
                "https://template.example/t.dotm"):
        assert url in ind.urls, url
    assert not any("not-text" in u or "not-a-url-list" in u for u in ind.urls)
    # the prefix in the finding is completed from the document's text, which only the scan has
    assert [(w.address, w.complete) for w in ind.wallets] == [(WALLET, True)]
    assert indicators.extract(raw, v).wallets[0].complete is False


def test_original_names_are_kept_with_control_characters_escaped() -> None:
    name = "invoice\u202etxt.js"
    v = _verdict(attachments=[{"path": "invoicetxt.js", "type": "script.js", "size": 3, "sha256": "ab" * 32}])
    ind = Indicators.from_json(at_scan(b"Subject: x\r\n\r\nbody", v,
                                       (_item("invoicetxt.js", b"abc", "script.js", name=name),)) or {})
    assert [f.name for f in ind.files] == ["invoice\\u202etxt.js"]


def test_forged_auth_results_in_our_name_are_never_read() -> None:
    raw = make_message(headers=[("Authentication-Results", "mx.ours; dkim=pass header.d=upbit.com"),
                                ("Authentication-Results", "front.ours; spf=pass smtp.mailfrom=lure.example")])
    v = dataclasses.replace(_verdict(), headers=(("Authentication-Results", "mx.ours; dkim=none; spf=fail"),))
    plain = Indicators.from_json(at_scan(raw, v) or {})
    assert [(a.authserv_id, a.method, a.result) for a in plain.auth] == [("mx.ours", "dkim", "none"),
                                                                         ("mx.ours", "spf", "fail")]
    cfg = Config(dkim=dataclasses.replace(Config().dkim, trust_upstream=("front.ours",)))
    upstream = Indicators.from_json(at_scan(raw, v, config=cfg) or {})
    assert ("front.ours", "spf", "pass") in [(a.authserv_id, a.method, a.result) for a in upstream.auth]
    assert indicators.extract(raw, v).auth == plain.auth  # the fallback reads no forgery either


def test_hostile_header_bytes_give_valid_utf8_json() -> None:
    raw = (b"From: \xff\xfe <a@lure.example>\r\nSubject: \xed\xa0\x80 x\x00y\r\n"
           b"Received: from h\xc3\xa9lo ([192.0.2.9]) by mx; now\r\n\r\nhttp://a.example/\x00b\r\n")
    out = at_scan(raw, _verdict(), (_item("<body>", raw.split(b"\r\n\r\n")[1], "text", Role.BODY),),
                  client_addr="192.0.2.9", helo="h\udcc3\udca9lo\x00")
    assert out is not None
    text = json.dumps(out, ensure_ascii=False)
    text.encode("utf-8")  # no lone surrogate left
    assert "\x00" not in text and "\\u0000" not in text and out["client"]["helo"] == "hélo"


def test_a_bug_in_extraction_costs_the_indicators_never_the_verdict(
        cfg: Config, scan_env: Callable[..., Verdict], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    def boom(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(indicators, "_build", boom)
    with caplog.at_level(logging.WARNING, logger="coinguard.report.indicators"):
        v = scan_env(daemon_view(), cfg, envelope())
    assert str(v.action) == "quarantine" and v.indicators is None
    assert "indicators of Q1 failed: RuntimeError: bug" in caplog.text


def test_the_indicators_module_imports_nothing_heavy() -> None:
    import subprocess
    import sys

    code = ("import sys, coinguard.report.indicators; "
            "print(' '.join(m for m in ('publicsuffixlist', 'stix2', 'pymisp', 'coinguard.analyzers', "
            "'coinguard.unpack', 'coinguard.scan') if m in sys.modules))")
    src = str(Path(indicators.__file__).resolve().parents[2])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": src}, timeout=60)
    assert out.stdout.split() == []


# --------------------------------------------------------------------------- stored, then read


def test_reports_read_the_stored_indicators_and_extract_for_older_records(
        cfg: Config, scan_env: Callable[..., Verdict]) -> None:
    store = open_store(cfg.quarantine)
    raw = daemon_view()
    v = scan_env(raw, cfg, envelope())
    new = store.put(raw, v)
    old = store.put(raw, dataclasses.replace(v, indicators=None))  # as quarantined before this change
    rec_new, rec_old = load_record(store, new, SETTINGS), load_record(store, old, SETTINGS)
    assert rec_new.indicators_stored and not rec_old.indicators_stored
    assert rec_new.indicators == Indicators.from_json(v.indicators or {})
    # the client address is only in the stored indicators: the exports show it for the new record
    assert CLIENT not in raw.decode()
    assert rec_new.indicators.origin_ip == CLIENT and rec_old.indicators.origin_ip == "198.51.100.1"
    for fmt in ("stix", "misp", "arf"):
        assert CLIENT in exports.render(campaigns.single(rec_new), fmt, SETTINGS).decode(), fmt
        assert CLIENT not in exports.render(campaigns.single(rec_old), fmt, SETTINGS).decode(), fmt
    bundle = exports.render(campaigns.single(rec_new), "bundle", SETTINGS)
    with pyzipper.AESZipFile(io.BytesIO(bundle)) as z:
        z.setpassword(b"infected")
        stored = json.loads(z.read(f"messages/{new}.indicators.json"))
    assert stored["client"]["ip"] == CLIENT
    # both kinds group into one campaign (same attachment, wallet, domain)
    found = campaigns.group(load_records(store, SETTINGS), SETTINGS)
    assert [sorted(m.id for m in c.members) for c in found] == [sorted((new, old))]


def test_unreadable_stored_indicators_are_extracted_again(cfg: Config, scan_env: Callable[..., Verdict],
                                                          caplog: pytest.LogCaptureFixture) -> None:
    store = open_store(cfg.quarantine)
    v = scan_env(daemon_view(), cfg, envelope())
    qid = store.put(daemon_view(), dataclasses.replace(v, indicators={"files": [{"name": "no sha256"}]}))
    with caplog.at_level(logging.WARNING, logger="coinguard.report.records"):
        rec = load_record(store, qid, SETTINGS)
    assert not rec.indicators_stored and rec.indicators.files and "stored indicators unreadable" in caplog.text


def test_import_stores_indicators_with_the_reported_code(cfg: Config, rules: Any, tmp_path: Path) -> None:
    path = tmp_path / "clean.eml"
    path.write_bytes(make_message(body="Nothing to see at https://www.example.com/\n"))
    store = open_store(cfg.quarantine)
    (done,) = import_messages([str(path)], cfg, store, rules=rules)
    assert str(done.verdict.verdict) == "clean"  # stored although clean: the user reported it
    rec = load_record(store, done.id, SETTINGS)
    assert rec.indicators_stored and REPORTED_CODE in rec.indicators.codes
    assert "https://www.example.com/" in rec.indicators.urls


def test_scan_json_shows_the_indicators_of_a_clean_message(cfg: Config, tmp_path: Path) -> None:
    path = tmp_path / "clean.eml"
    path.write_bytes(make_message(body="Lunch? https://www.example.com/menu\n"))
    out = io.StringIO()
    run_scan([str(path)], cfg, as_json=True, out=out)
    obj = json.loads(out.getvalue())
    assert obj["verdict"] == "clean" and "https://www.example.com/menu" in obj["indicators"]["urls"]


# --------------------------------------------------------------------------- PostgreSQL keeps them too


@pytest.fixture(scope="module")
def pg_dsn() -> Iterator[str]:
    try:
        from shared_state.servers import PgServer
        server = PgServer()
    except (FileNotFoundError, ImportError) as exc:
        pytest.skip(str(exc))
    try:
        server.init()
        server.start()
        server.admin("CREATE DATABASE indicators")
        yield server.dsn("indicators")
    finally:
        server.destroy()


def test_postgresql_keeps_the_indicators(pg_dsn: str, tmp_path: Path, cfg: Config,
                                         scan_env: Callable[..., Verdict]) -> None:
    from coinguard.quarantine.postgresql import PgSettings, PostgresStore, migrate

    pg = PgSettings(dsn=pg_dsn, connect_timeout_s=2.0)
    migrate(pg)
    hostile = (b"From: \xff <a@lure.example>\r\nSubject: x\r\nReceived: from h\xc3\xa9 ([192.0.2.9]) by mx; now\r\n"
               b"\r\nhttp://a.example/\x00b " + WALLET.encode() + b"\r\n")
    with PostgresStore(cfg.quarantine, settings=pg, host="mx-a") as store:
        v = scan_env(daemon_view(), cfg, envelope())
        w = scan_env(hostile, cfg, envelope(), indicators=True)
        assert v.indicators is not None and w.indicators is not None
        qid, qid2 = store.put(daemon_view(), v), store.put(hostile, w)  # jsonb takes what the scan stores
        rec = load_record(store, qid, SETTINGS)
        assert rec.indicators_stored and rec.indicators == Indicators.from_json(v.indicators)
        assert load_record(store, qid2, SETTINGS).indicators.client.ip == CLIENT  # type: ignore[union-attr]
        assert store.show(qid).verdict["indicators"]["files"][0]["sha256"] == hashlib.sha256(LURE_SCRIPT).hexdigest()


def test_a_header_block_parsed_by_the_scan_is_taken_only_when_it_is_this_one() -> None:
    """The body tier has parsed the header block already (cache.BodyCache): at_scan takes its Message when its
    bytes are the block at_scan reads (the same indicators), and parses the block itself otherwise."""
    from coinguard.cache import _HEADER_PARSER

    raw = daemon_view()
    block = raw[: raw.index(b"\r\n\r\n") + 4]
    v = _verdict()
    plain = at_scan(raw, v, client_addr=CLIENT)
    assert plain is not None and plain["subject"] == "[Upbit] wallet verification #1"
    assert at_scan(raw, v, client_addr=CLIENT, parsed=(block, _HEADER_PARSER.parsebytes(block))) == plain
    other = daemon_view(2)
    other_block = other[: other.index(b"\r\n\r\n") + 4]
    stale = (other_block, _HEADER_PARSER.parsebytes(other_block))  # another copy's block: not taken
    assert at_scan(raw, v, client_addr=CLIENT, parsed=stale) == plain


def test_remembered_clients_and_addresses_read_their_settings_and_values() -> None:
    """client_hop and the header addresses are remembered (a campaign's copies share them): the same answer as
    computing them afresh, and another trusted network or another header value is its own entry."""
    import email.parser

    indicators._client_hop.cache_clear()
    plain = indicators.client_hop("::ffff:203.0.113.77", "MX.Example", SETTINGS)
    assert plain == indicators._client_hop.__wrapped__("::ffff:203.0.113.77", "MX.Example",
                                                       SETTINGS.trusted_networks, SETTINGS.trusted_hosts)
    assert plain is not None and plain.ip == CLIENT and plain.helo == "mx.example" and not plain.trusted
    assert indicators.client_hop("::ffff:203.0.113.77", "MX.Example", SETTINGS) is plain
    ours = dataclasses.replace(SETTINGS, trusted_networks=("203.0.113.0/24",))
    trusted = indicators.client_hop("::ffff:203.0.113.77", "MX.Example", ours)
    assert trusted is not None and trusted.trusted
    msg = email.parser.Parser().parsestr("From: A <A@One.example>, b@two.example\nReply-To: c@three.example\n\n")
    assert indicators._addresses(msg, "From") == ("a@one.example", "b@two.example")
    assert indicators._addresses(msg, "Reply-To") == ("c@three.example",)
    assert indicators._addresses(msg, "From") == ("a@one.example", "b@two.example")
