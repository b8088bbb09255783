from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Callable
from pathlib import Path

from coinguard.findings import Action, Finding, Verdict, VerdictKind
from coinguard.report.indicators import (
    Indicators,
    extract,
    parse_auth_results,
    parse_received,
    received_chain,
    registrable_domain,
)
from coinguard.report.settings import ReportSettings
from report_helpers import LURE_SCRIPT, MESSAGES, WALLET, offline_config, received

from helpers import make_message


def _verdict(*findings: Finding) -> Verdict:
    return Verdict(id="t", verdict=VerdictKind.SUSPICIOUS, action=Action.QUARANTINE, score=7.0, findings=findings)


def test_lure_indicators(tmp_path: Path, scan: Callable[..., Verdict]) -> None:
    raw, rcpt = MESSAGES["lure1"]
    verdict = scan(raw, offline_config(tmp_path), (rcpt,))
    ind = extract(raw, verdict)
    assert ind.origin is not None
    assert (ind.origin.ip, ind.origin.rdns, ind.origin.by) == ("203.0.113.7", "mail.upbit-secure-kyc.com",
                                                              "mx.victim.example")
    # the line below the origin was written by the sender: kept as claimed, never the origin
    assert [h.ip for h in ind.claimed_hops] == ["10.9.9.9"]
    assert ind.envelope_from == "support@upbit-secure-kyc.com"
    assert ind.sender_domains == ("upbit-secure-kyc.com",)
    assert ind.recipients == ("alice@victim.example",)
    assert ind.auth_result("dkim") == "none"
    assert "https://upbit-secure-kyc.com/verify?case=1" in ind.urls
    assert "https://upbit-secure-kyc.com/login" in ind.urls  # from the HTML href
    assert set(ind.domains) == {"upbit-secure-kyc.com", "google.com"}
    assert [(f.sha256, f.name) for f in ind.files] == [(hashlib.sha256(LURE_SCRIPT).hexdigest(),
                                                        "wallet_recovery.pdf.js")]
    assert [(w.address, w.coin, w.kind, w.complete) for w in ind.wallets] == [(WALLET, "ETH", "EIP-55", True)]
    assert "crypto.address" in ind.codes and "file.double_extension.runs" in ind.codes
    # the same from the stored JSON form of the verdict, and through JSON and back
    assert extract(raw, verdict.to_json()) == ind
    assert Indicators.from_json(ind.to_json()) == ind


def test_trusted_relays_are_skipped_and_an_unknown_client_stops_the_walk() -> None:
    settings = ReportSettings(trusted_hosts=(".corp.example",))
    chain = [
        "from relay1.corp.example (relay1.corp.example [198.51.100.1]) by mx.corp.example; Tue, 24 Nov 2026",
        "from edge.corp.example (edge.corp.example [10.1.2.3]) by relay1.corp.example; Tue, 24 Nov 2026",
        "from bad.example (bad.example [192.0.2.10]) by edge.corp.example; Tue, 24 Nov 2026",
        "from forged.example (forged.example [192.0.2.200]) by bad.example; Tue, 24 Nov 2026",
    ]
    hops, origin, claimed = received_chain(chain, settings)
    assert origin is not None and origin.ip == "192.0.2.10"
    assert [h.trusted for h in hops] == [True, True, False]
    assert [h.ip for h in claimed] == ["192.0.2.200"]
    # without the host list the first hop (a public address) is the origin
    assert received_chain(chain, ReportSettings())[1].ip == "198.51.100.1"  # type: ignore[union-attr]
    # a client line without an address is not judged: no origin rather than a forged one
    assert received_chain(["from somebody by mx.example; now", *chain[2:]], ReportSettings())[1] is None


def test_received_forms() -> None:
    exim = parse_received("from [192.0.2.7] (port=5555 helo=pc) by mail.example with esmtpa (Exim 4.96)")
    assert exim is not None and exim.ip == "192.0.2.7" and exim.rdns == ""
    unknown = parse_received("from pc (unknown [2001:db8::5]) by mx.example (Postfix) with ESMTP id X")
    assert unknown is not None and (unknown.ip, unknown.rdns, unknown.helo) == ("2001:db8::5", "", "pc")
    assert parse_received("by mx.example (Postfix, from userid 0) id 1; now") is None
    exchange = parse_received("from EXCH01.corp.example (192.0.2.44) by EXCH02.corp.example (192.0.2.45) with "
                              "Microsoft SMTP Server (version=TLS1_2) id 15.1.2507.6")
    assert exchange is not None and (exchange.ip, exchange.rdns) == ("192.0.2.44", "")
    qmail = parse_received("from unknown (HELO mail.example.org) (203.0.113.9) by mx.example with SMTP; now")
    assert qmail is not None and (qmail.ip, qmail.rdns, qmail.helo) == ("203.0.113.9", "", "unknown")


def test_auth_results_parsing() -> None:
    (dkim, spf, dmarc) = parse_auth_results(
        'mx.example; dkim=pass (2048-bit key) header.d=a.example header.s=s1; '
        'spf=fail smtp.mailfrom="b@c.example"; dmarc=fail (p=reject) header.from=a.example')
    assert (dkim.authserv_id, dkim.method, dkim.result, dkim.prop("header.d")) == ("mx.example", "dkim", "pass",
                                                                                   "a.example")
    assert (spf.result, spf.prop("smtp.mailfrom")) == ("fail", "b@c.example")
    assert (dmarc.method, dmarc.result) == ("dmarc", "fail")


def test_wallet_only_in_a_document_stays_a_prefix() -> None:
    raw = make_message(body="nothing here")
    prefix = WALLET[:12]
    ind = extract(raw, _verdict(Finding("crypto.address", "addresses_document", "doc.pdf", f"ETH EIP-55 {prefix}…")))
    assert [(w.address, w.complete) for w in ind.wallets] == [(prefix, False)]
    # a full address in the detail (no ellipsis) is taken as it is
    full = extract(raw, _verdict(Finding("crypto.address", "addresses", "", f"ETH EIP-55 {WALLET}")))
    assert [(w.address, w.complete) for w in full.wallets] == [(WALLET, True)]
    # both sightings of one address give one wallet key
    assert full.wallets[0].key == ind.wallets[0].key


XMR = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"


def test_monero_wallet_reaches_the_indicators() -> None:
    """Extortion paid in Monero: the addresses analyzer's XMR finding becomes a wallet indicator, full or prefix."""
    raw = make_message(body=f"Send 8 XMR to {XMR} within 3 days.")
    ind = extract(raw, _verdict(Finding("crypto.address_payment_demand", "addresses", "", f"XMR standard {XMR}")))
    assert [(w.address, w.coin, w.kind, w.complete) for w in ind.wallets] == [(XMR, "XMR", "standard", True)]
    cut = extract(raw, _verdict(Finding("crypto.address", "addresses", "", f"XMR standard {XMR[:12]}…")))
    assert [(w.address, w.complete) for w in cut.wallets] == [(XMR, True)]  # completed from the body


def test_urls_from_pdf_parts_findings_and_defanged_text() -> None:
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Annot /A << /S /URI /URI (https://evil-pdf.example/x\\(1\\)) >> >>\nendobj\n"
    raw = make_message(body="see hxxps://defanged.example/path.\n", attachments=[("a.pdf", pdf, "application/pdf")])
    ind = extract(raw, _verdict(Finding("ooxml.remote_template", "ooxml", "d.docx",
                                        "attachedTemplate https://template-host.example/t.dotm")))
    assert "https://evil-pdf.example/x(1)" in ind.urls
    assert "https://defanged.example/path" in ind.urls
    assert "https://template-host.example/t.dotm" in ind.urls
    assert {"evil-pdf.example", "defanged.example", "template-host.example"} <= set(ind.domains)


def test_hostile_input_is_bounded_and_never_raises() -> None:
    junk = b"\xff\xfe\x00garbage\r\n\r\n" + b"http://a.example/" * 10000
    ind = extract(junk, _verdict())
    assert len(ind.urls) <= 500
    many = "".join(f"Received: from h{i} (h{i} [192.0.2.{i % 250}]) by x; now\r\n" for i in range(5000))
    assert extract(many.encode() + b"\r\nbody", _verdict()).origin is not None


def test_registrable_domain() -> None:
    assert registrable_domain("Mail.Lure.CO.KR.") == "lure.co.kr"
    assert registrable_domain("203.0.113.5") == "203.0.113.5"
    assert registrable_domain("xn--upbt-ssa.com") == "xn--upbt-ssa.com"


def test_received_helper_matches_postfix_format() -> None:
    name, value = received("mail.example.org", "192.0.2.1")
    hop = parse_received(value)
    assert name == "Received" and hop is not None and hop.ip == "192.0.2.1"


def test_the_envelope_client_beats_a_forged_chain() -> None:
    raw = make_message(headers=[("Received", "from trusted.example (trusted.example [198.51.100.1]) by mx; now")])
    stored = {**_verdict().to_json(), "client_addr": "192.0.2.66", "helo": "Liar.Example"}
    ind = extract(raw, stored)
    assert ind.origin is not None and (ind.origin.ip, ind.origin.helo) == ("192.0.2.66", "liar.example")
    # a trusted relay as the client: the headers are walked as before
    assert extract(raw, {**stored, "client_addr": "10.0.0.1"}).origin_ip == "198.51.100.1"


def test_fast_paths_give_what_the_full_readings_give() -> None:
    """The shortcuts of the per-copy work (printable ASCII, names, files, URL-less text) change no output."""
    from coinguard.report import indicators as ind

    for text in ("plain ascii", "", "tab\there", "nul\x00bell\x07del\x7f", "caf\u00e9 \u202e", "bad \udcff byte",
                 "line\nfeed\r\n", "\x1b[31m"):
        assert ind._json_safe(text) == ind._safe_text(text)
        assert ind._json_safe({"k": [text]}) == {"k": [ind._safe_text(text)]}
    for host in ("203.0.113.5", "[203.0.113.5]", "::1", "[IPv6:2001:db8::1]", "2001:db8::1", "fe80::1%eth0",
                 "mail.example", "", "1.example", "\u0661.2.3.4", "a:b"):
        try:
            expected = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            expected = None
        assert ind._ip(host) == expected, host
    assert list(ind.text_urls("see WWW.Lure.example/x and hxxps://b.example/y.")) == [
        "http://WWW.Lure.example/x", "https://b.example/y"]
    assert list(ind.text_urls("no link here, only words: www and http")) == []
    assert ind._printable("invoice\u202efdp.exe") == "invoice\\u202efdp.exe"
    assert ind._printable("n" * 300) == "n" * ind.MAX_NAME

