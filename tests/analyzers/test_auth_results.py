"""The one combined Authentication-Results header: order, RFC 8601 syntax (parsed back with authres), bounds."""

from __future__ import annotations

import dataclasses

import authres

from auth_dns import AuthDns, auth_dns, auth_header, dkim_sign, scan
from coinguard.analyzers.auth_common import AuthResult
from coinguard.analyzers.auth_results import MAX_HEADER_VALUE, AuthResultsHeader, header_value
from coinguard.analyzers.dkim_auth import SigResult
from coinguard.config import Config, DkimConfig
from coinguard.findings import AddHeader
from coinguard.handlers import MessageInfo

from helpers import make_context, make_message

SPF = AuthResult("spf", "pass", (("smtp.mailfrom", "example.com"),), domain="example.com")
DMARC = AuthResult("dmarc", "pass", (("header.from", "example.com"),), "p=reject")
ARC = AuthResult("arc", "pass", (), "i=1 d=lists.example")


def memo(**kw: object) -> dict[str, object]:
    out: dict[str, object] = {"dkim_auth": [SigResult("pass", "example.com", "sel", "abcdefgh", aligned=True)],
                              "spf_auth": SPF, "dmarc_auth": DMARC, "arc_auth": ARC}
    out.update(kw)
    return {k: v for k, v in out.items() if v is not None}


def test_every_method_in_one_value() -> None:
    value = header_value("mx.example.net", memo())
    assert value == ("mx.example.net; dkim=pass header.d=example.com header.s=sel header.b=abcdefgh; "
                     "spf=pass smtp.mailfrom=example.com; dmarc=pass (p=reject) header.from=example.com; "
                     "arc=pass (i=1 d=lists.example)")
    parsed = authres.AuthenticationResultsHeader.parse("Authentication-Results: " + value)
    assert parsed.authserv_id == "mx.example.net"
    assert [(r.method, r.result) for r in parsed.results] == [("dkim", "pass"), ("spf", "pass"), ("dmarc", "pass"),
                                                              ("arc", "pass")]


def test_methods_that_did_not_run_are_absent() -> None:
    assert header_value("mx", memo(spf_auth=None, arc_auth=None)) == (
        "mx; dkim=pass header.d=example.com header.s=sel header.b=abcdefgh; dmarc=pass (p=reject) "
        "header.from=example.com")
    assert header_value("mx", memo(dkim_auth=[], spf_auth=None, dmarc_auth=None, arc_auth=None)) == "mx; dkim=none"
    assert header_value("mx", {}) == ""
    arc_pending = AuthResult("arc", "temperror", (), "i=1")
    assert "; arc=" not in header_value("mx", memo(arc_auth=arc_pending))


def test_stays_one_bounded_line_and_header_safe() -> None:
    many = [SigResult("permerror", f"d{i}.example", "selector", "AAAAAAAA", "x" * 200) for i in range(20)]
    evil = AuthResult("spf", "fail", (("smtp.mailfrom", "evil.example\r\nX-Injected: 1 (x)"),), "a) (b\r\n")
    value = header_value("mx.example.net", memo(dkim_auth=many, spf_auth=evil))
    assert len(value) <= MAX_HEADER_VALUE and "\n" not in value and "\r" not in value
    assert "reason=" not in value and value.count("dkim=permerror") > 5
    assert not value.endswith(";")
    authres.AuthenticationResultsHeader.parse("Authentication-Results: " + value)
    assert "spf=fail (a b) smtp.mailfrom=evil.exampleX-Injected1x" in header_value("mx", memo(spf_auth=evil))


def test_added_once_unless_disabled() -> None:
    msg = MessageInfo(raw=make_message())
    ctx = make_context(config=Config(dkim=DkimConfig(authserv_id="mx")), message=msg)
    ctx.memo.update(memo())
    out = list(AuthResultsHeader().analyze_message(msg, (), (), ctx))
    assert out == [AddHeader("Authentication-Results", header_value("mx", memo()))]
    ctx.config = dataclasses.replace(ctx.config, dkim=DkimConfig(authserv_id="mx", add_header=False))
    assert list(AuthResultsHeader().analyze_message(msg, (), (), ctx)) == []


def test_whole_pipeline_one_header() -> None:
    with auth_dns() as dns:
        dns.txt("example.com", "v=spf1 ip4:192.0.2.0/24 -all")
        dns.txt("_dmarc.example.com", "v=DMARC1; p=reject")
        raw = dkim_sign(make_message(sender="Alice <alice@example.com>"), "example.com", dns.publish_key("example.com"))
        v = scan(raw, dns.config(), client="192.0.2.9", sender="bounce@example.com", helo="mail.example.com")
        check(dns, auth_header(v))


def check(dns: AuthDns, value: str) -> None:
    parsed = authres.AuthenticationResultsHeader.parse("Authentication-Results: " + value)
    assert parsed.authserv_id == "mx.test.example"
    assert [(r.method, r.result) for r in parsed.results] == [("dkim", "pass"), ("spf", "pass"), ("dmarc", "pass"),
                                                              ("arc", "none")]
    assert dns.zone.queries  # the answers came from the loopback server
