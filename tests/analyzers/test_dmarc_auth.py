"""DMARC: record parsing (RFC 7489 examples), policy discovery, alignment and spoofed brand senders.

Messages are DKIM-signed here and scanned through the whole pipeline with the envelope the milter gives,
against a real DNS server on loopback that serves the keys, the SPF and the DMARC records.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest

from auth_dns import AuthDns, auth_dns, auth_header, by_code, dkim_sign, scan
from coinguard.analyzers.auth_common import AuthResult
from coinguard.analyzers.dmarc_auth import DmarcAnalyzer, Policy, RecordError, parse_record, sampled
from coinguard.config import Config, DkimConfig
from coinguard.findings import Finding
from coinguard.handlers import MessageInfo

from helpers import make_context, make_message

IP = "192.0.2.25"


# ---------------------------------------------------------------------------- record parsing


def test_rfc7489_example_records() -> None:
    # B.2.1, B.2.3 and B.2.4 of RFC 7489
    assert parse_record("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com") == Policy(
        p="none", rua=("mailto:dmarc-feedback@example.com",))
    assert parse_record("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com; "
                        "ruf=mailto:auth-reports@example.com").p == "none"
    pol = parse_record("v=DMARC1; p=quarantine; rua=mailto:dmarc-feedback@example.com,"
                       "mailto:tld-test@thirdparty.example.net!10m; pct=25")
    assert (pol.p, pol.pct, len(pol.rua)) == ("quarantine", 25, 2)
    assert parse_record(b"v=DMARC1;p=reject;sp=none;adkim=s;aspf=s") == Policy(
        p="reject", sp="none", adkim="s", aspf="s")
    assert parse_record("v=DMARC1 ; P=Reject ; pct=100").p == "reject"  # tag names and policy case-insensitive


@pytest.mark.parametrize("record", ["v=DMARC2; p=reject", "p=reject; v=DMARC1", "v=spf1 -all", "v=DMARC1; p=bogus",
                                    "v=DMARC1", "v=DMARC1; rua=http://x.example/"])
def test_records_without_a_usable_policy(record: str) -> None:
    with pytest.raises(RecordError):
        parse_record(record)


def test_lenient_values() -> None:
    assert parse_record("v=DMARC1; p=bogus; rua=mailto:r@example.com").p == "none"  # 6.6.3: with rua, p=none
    pol = parse_record("v=DMARC1; p=reject; sp=bogus; adkim=x; pct=150; fo=1; unknown=1")
    assert (pol.sp, pol.adkim, pol.pct) == ("", "r", 100)
    assert pol.for_domain(at_org=True) == "reject" and Policy("reject", "none").for_domain(at_org=True) == "none"


def test_pct_sample_is_stable() -> None:
    assert sampled(b"x", 100) and not sampled(b"x", 0)
    hits = sum(sampled(str(i).encode(), 30) for i in range(2000))
    assert 450 < hits < 750
    assert sampled(b"same", 50) == sampled(b"same", 50)


# ---------------------------------------------------------------------------- through the pipeline


@pytest.fixture(scope="module")
def dns() -> Iterator[AuthDns]:
    with auth_dns() as d:
        d.txt("_dmarc.shop.example", "v=DMARC1; p=reject; rua=mailto:d@shop.example")
        d.txt("shop.example", "v=spf1 ip4:192.0.2.0/24 -all")
        d.txt("bounce.esp.example", "v=spf1 ip4:192.0.2.0/24 -all")
        d.txt("_dmarc.org.example", "v=DMARC1; p=none; sp=quarantine")
        d.txt("_dmarc.strict.example", "v=DMARC1; p=reject; adkim=s; aspf=s")
        d.txt("_dmarc.mon.example", "v=DMARC1; p=none")
        d.txt("_dmarc.sample.example", "v=DMARC1; p=reject; pct=0")
        d.txt("_dmarc.two.example", "v=DMARC1; p=reject", "v=DMARC1; p=none")
        d.txt("_dmarc.bad.example", "v=DMARC1; p=maybe")
        d.txt("_dmarc.upbit.com", "v=DMARC1; p=reject")
        d.txt("upbit.com", "v=spf1 ip4:198.51.100.0/24 -all")
        d.zone.servfail.add("_dmarc.broken.example")
        yield d


def signed(dns: AuthDns, sender: str, d: str, **kw: str) -> bytes:
    return dkim_sign(make_message(sender=sender, **kw), d, dns.publish_key(d))


def test_aligned_dkim_passes(dns: AuthDns) -> None:
    v = scan(signed(dns, "Shop <news@shop.example>", "shop.example"), dns.config())
    found = by_code(v)
    assert "dmarc.pass" in found and "DKIM d=shop.example aligned" in found["dmarc.pass"]
    assert "; dmarc=pass (p=reject) header.from=shop.example" in auth_header(v)


def test_aligned_spf_passes_without_dkim(dns: AuthDns) -> None:
    v = scan(make_message(sender="news@shop.example"), dns.config(), client=IP, sender="bounce@shop.example")
    assert "dmarc.pass" in by_code(v) and "SPF shop.example aligned" in by_code(v)["dmarc.pass"]


def test_unaligned_identifiers_fail_with_the_policy(dns: AuthDns) -> None:
    raw = signed(dns, "Shop <news@shop.example>", "esp.example")  # passes, but for the ESP's domain
    v = scan(raw, dns.config(), client=IP, sender="b@bounce.esp.example")  # SPF passes for the ESP too
    found = by_code(v)
    assert "dmarc.fail" in found and "dmarc.pass" not in found
    assert "p=reject pct=100 dis=reject" in found["dmarc.fail"]
    assert "DKIM d=: esp.example" in found["dmarc.fail"] and "SPF: pass bounce.esp.example" in found["dmarc.fail"]
    assert "dmarc=fail (p=reject dis=reject) header.from=shop.example" in auth_header(v)


def test_without_a_client_address_dmarc_rests_on_dkim(dns: AuthDns) -> None:
    found = by_code(scan(make_message(sender="news@shop.example"), dns.config()))
    assert "dmarc.fail" in found and "SPF not evaluated" in found["dmarc.fail"]


def test_subdomain_uses_the_organizational_record_and_sp(dns: AuthDns) -> None:
    found = by_code(scan(make_message(sender="a@mail.org.example"), dns.config()))
    assert "p=quarantine" in found["dmarc.fail"] and "_dmarc.org.example" in found["dmarc.fail"]
    found = by_code(scan(make_message(sender="a@org.example"), dns.config()))  # the domain itself: p=none
    assert "dmarc.fail_unenforced" in found and "dmarc.fail" not in found


def test_relaxed_alignment_accepts_a_subdomain_strict_does_not(dns: AuthDns) -> None:
    relaxed = by_code(scan(signed(dns, "a@shop.example", "mail.shop.example"), dns.config()))
    assert "dmarc.pass" in relaxed
    strict = by_code(scan(signed(dns, "a@strict.example", "mail.strict.example"), dns.config()))
    assert "dmarc.fail" in strict and "adkim=s" in strict["dmarc.fail"]
    exact = by_code(scan(signed(dns, "a@strict.example", "strict.example"), dns.config()))
    assert "dmarc.pass" in exact


def test_pct_zero_takes_the_milder_policy(dns: AuthDns) -> None:
    found = by_code(scan(make_message(sender="a@sample.example"), dns.config()))
    assert "dmarc.fail" in found and "p=reject pct=0 dis=quarantine" in found["dmarc.fail"]


@pytest.mark.parametrize(("sender", "code", "detail"), [
    ("a@nodmarc.example", "dmarc.none", "no DMARC record for nodmarc.example"),
    ("a@two.example", "dmarc.none", "several DMARC records at _dmarc.two.example"),
    ("a@bad.example", "dmarc.permerror", "no valid p="),
    ("a@broken.example", "dmarc.temperror", "_dmarc lookup for broken.example"),
])
def test_no_policy_results(dns: AuthDns, sender: str, code: str, detail: str) -> None:
    v = scan(make_message(sender=sender), dns.config())
    found = by_code(v)
    assert code in found and detail in found[code]
    assert f"dmarc={code.split('.')[1]} header.from={sender.split('@')[1]}" in auth_header(v)


def test_dns_failures_are_temperror_quickly() -> None:
    cfg = Config(dkim=DkimConfig(nameservers=("127.0.0.1",), dns_port=9, dns_timeout_s=0.5, authserv_id="mx"))
    started = time.monotonic()
    v = scan(make_message(sender="Upbit <notice@upbit.com>"), cfg, client=IP, sender="notice@upbit.com")
    assert time.monotonic() - started < 0.5 + 0.6  # SPF waits its timeout; DMARC then knows DNS is down
    found = by_code(v)
    assert {"dmarc.temperror", "spf.temperror"} <= set(found)
    assert "brand.spoofed_domain" not in found  # SPF could have aligned: no evidence either way
    assert auth_header(v) == ("mx; dkim=none; spf=temperror smtp.mailfrom=upbit.com; "
                              "dmarc=temperror header.from=upbit.com; arc=none")


# ---------------------------------------------------------------------------- brand senders


def test_unsigned_brand_domain_is_spoofed(dns: AuthDns) -> None:
    found = by_code(scan(make_message(sender="Upbit <notice@upbit.com>"), dns.config()))
    assert "brand.spoofed_domain" in found and "DMARC does not pass" in found["brand.spoofed_domain"]
    raw = signed(dns, "Upbit <notice@upbit.com>", "evil-sender.xyz")
    found = by_code(scan(raw, dns.config(), client=IP, sender="x@evil-sender.xyz"))
    assert "brand.spoofed_domain" in found and "dkim.unaligned" in found


def test_brand_domain_passing_dmarc_is_trusted(dns: AuthDns) -> None:
    found = by_code(scan(signed(dns, "Upbit <notice@upbit.com>", "upbit.com"), dns.config()))
    assert "dmarc.pass" in found and "brand.spoofed_domain" not in found
    # SPF alone aligns: DMARC passes without DKIM
    found = by_code(scan(make_message(sender="Upbit <notice@upbit.com>"), dns.config(), client="198.51.100.5",
                         sender="bounce@upbit.com"))
    assert "dmarc.pass" in found and "brand.spoofed_domain" not in found


def test_pending_aligned_key_is_no_evidence(dns: AuthDns) -> None:
    dns.zone.servfail.add("sel._domainkey.upbit.com")
    try:
        found = by_code(scan(signed(dns, "Upbit <notice@upbit.com>", "upbit.com"), dns.config()))
    finally:
        dns.zone.servfail.discard("sel._domainkey.upbit.com")
    assert "dkim.temperror" in found and "dmarc.temperror" in found
    assert "brand.spoofed_domain" not in found


def test_dmarc_off_still_decides_brands_on_relaxed_alignment(dns: AuthDns) -> None:
    base = dns.config()
    cfg = dataclasses.replace(base, dkim=dataclasses.replace(base.dkim, dmarc=False))
    found = by_code(scan(make_message(sender="Upbit <notice@upbit.com>"), cfg))
    assert "brand.spoofed_domain" in found and not any(c.startswith("dmarc.") for c in found)
    found = by_code(scan(signed(dns, "Upbit <notice@upbit.com>", "upbit.com"), cfg))
    assert "brand.spoofed_domain" not in found


def test_nothing_to_decide_without_dkim_or_spf() -> None:
    msg = MessageInfo(raw=make_message(sender="notice@upbit.com"), from_domain="upbit.com")
    assert list(DmarcAnalyzer().analyze_message(msg, (), (), make_context(message=msg))) == []


def test_memo_results_drive_the_decision() -> None:
    """The analyzer reads only ctx.memo: a passing aligned SPF result from spf_auth is enough."""
    def never(name: bytes, timeout: float = 5.0) -> bytes | None:
        return b"v=DMARC1; p=reject" if name == b"_dmarc.upbit.com" else None

    msg = MessageInfo(raw=make_message(sender="notice@upbit.com"), from_domain="upbit.com")
    ctx = make_context(message=msg, dns_resolver=never)
    ctx.memo["dkim_auth"] = []
    ctx.memo["spf_auth"] = AuthResult("spf", "pass", (("smtp.mailfrom", "upbit.com"),), domain="upbit.com")
    out = [f for f in DmarcAnalyzer().analyze_message(msg, (), (), ctx) if isinstance(f, Finding)]
    assert [f.code for f in out] == ["dmarc.pass"]
    ctx.memo["spf_auth"] = AuthResult("spf", "fail", (("smtp.mailfrom", "upbit.com"),), domain="upbit.com")
    out = [f for f in DmarcAnalyzer().analyze_message(msg, (), (), ctx) if isinstance(f, Finding)]
    assert [f.code for f in out] == ["dmarc.fail", "brand.spoofed_domain"]
