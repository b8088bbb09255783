"""SPF through pyspf, its DNS served by a real DNS server on loopback: every RFC 7208 result."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import pytest
import spf

from auth_dns import AuthDns, auth_dns, auth_header, by_code, scan
from coinguard.analyzers import spf_auth
from coinguard.analyzers.auth_common import AuthResult
from coinguard.analyzers.spf_auth import SpfAnalyzer, client_ip
from coinguard.config import Config, DkimConfig
from coinguard.findings import Finding
from coinguard.handlers import MessageInfo

from helpers import make_context, make_message

IP = "192.0.2.25"


@pytest.fixture(scope="module")
def dns() -> Iterator[AuthDns]:
    with auth_dns() as d:
        d.txt("pass.example", "v=spf1 ip4:192.0.2.0/24 -all")
        d.txt("fail.example", "v=spf1 ip4:198.51.100.1 -all")
        d.txt("soft.example", "v=spf1 ~all")
        d.txt("neutral.example", "v=spf1 ?all")
        d.txt("bad.example", "v=spf1 ip4:192.0.2.0/24 bogus:x -all")
        d.txt("two.example", "v=spf1 -all", "v=spf1 +all")
        d.txt("inc.example", "v=spf1 include:_spf.esp.example mx a:relay.inc.example -all")
        d.txt("_spf.esp.example", "v=spf1 ip4:203.0.113.0/24 -all")
        d.add("inc.example", "MX", (10, "mx1.inc.example"))
        d.add("mx1.inc.example", "A", "198.51.100.7")
        d.add("relay.inc.example", "A", "198.51.100.8")
        d.txt("v6.example", "v=spf1 ip6:2001:db8::/32 -all")
        d.txt("helo.example", "v=spf1 a -all")
        d.add("helo.example", "A", IP)
        d.txt("other.example", "unrelated text")
        d.zone.servfail.add("broken.example")
        yield d


def run(cfg: Config, sender: str, client: str = IP, helo: str = "mail.client.example",
        **ctx_kw: object) -> tuple[dict[str, Finding], AuthResult | None]:
    msg = MessageInfo(raw=make_message(), envelope_from=sender, client_addr=client, helo=helo)
    ctx = make_context(config=cfg, message=msg, **ctx_kw)
    out = {f.code: f for f in SpfAnalyzer().analyze_message(msg, (), (), ctx) if isinstance(f, Finding)}
    return out, ctx.memo.get("spf_auth")


@pytest.mark.parametrize(("sender", "client", "result"), [
    ("alice@pass.example", IP, "pass"),
    ("alice@fail.example", IP, "fail"),
    ("alice@soft.example", IP, "softfail"),
    ("alice@neutral.example", IP, "neutral"),
    ("alice@nospf.example", IP, "none"),
    ("alice@other.example", IP, "none"),  # a TXT record that is not SPF
    ("alice@bad.example", IP, "permerror"),
    ("alice@two.example", IP, "permerror"),  # two SPF records
    ("alice@broken.example", IP, "temperror"),  # SERVFAIL
    ("bounce@inc.example", "203.0.113.9", "pass"),  # through include:
    ("bounce@inc.example", "198.51.100.7", "pass"),  # through mx (MX, then A)
    ("bounce@inc.example", "198.51.100.8", "pass"),  # through a:host
    ("bounce@inc.example", IP, "fail"),
    ("alice@v6.example", "2001:db8::25", "pass"),
    ("alice@v6.example", "IPv6:2001:db9::1", "fail"),
])
def test_results(dns: AuthDns, sender: str, client: str, result: str) -> None:
    found, r = run(dns.config(), sender, client)
    assert list(found) == [f"spf.{result}"]
    assert r is not None and r.result == result and r.domain == sender.split("@")[1]
    assert r.resinfo() == f"spf={result} smtp.mailfrom={sender.split('@')[1]}"
    assert found[f"spf.{result}"].detail.startswith(f"mailfrom {sender.split('@')[1]} from {client_ip(client)}")
    assert not found[f"spf.{result}"].detail.endswith(":")


def test_null_sender_checks_the_helo_name(dns: AuthDns) -> None:
    found, r = run(dns.config(), "<>", IP, helo="helo.example")
    assert "spf.pass" in found and r is not None
    assert r.resinfo() == "spf=pass smtp.helo=helo.example"
    found, r = run(dns.config(), "", "198.51.100.99", helo="helo.example")
    assert "spf.fail" in found


def test_not_evaluated_without_a_client_address(dns: AuthDns) -> None:
    assert run(dns.config(), "alice@pass.example", client="") == ({}, None)
    assert run(dns.config(), "alice@pass.example", client="localhost") == ({}, None)
    cfg = dataclasses.replace(dns.config(), dkim=dataclasses.replace(dns.config().dkim, spf=False))
    assert run(cfg, "alice@pass.example") == ({}, None)


def test_client_address_forms() -> None:
    assert client_ip("192.0.2.1") == "192.0.2.1"
    assert client_ip("[192.0.2.1]") == "192.0.2.1"
    assert client_ip("IPv6:2001:db8::1") == "2001:db8::1"
    assert client_ip("::ffff:192.0.2.1") == "192.0.2.1"
    assert client_ip("mail.example") == ""
    assert client_ip("127.0.0.1") == client_ip("::1") == client_ip("::ffff:127.0.0.1") == ""  # local submission


def test_closed_port_is_a_quick_temperror() -> None:
    cfg = Config(dkim=DkimConfig(nameservers=("127.0.0.1",), dns_port=9, dns_timeout_s=0.5))
    started = time.monotonic()
    found, r = run(cfg, "alice@pass.example")
    assert list(found) == ["spf.temperror"] and r is not None and r.result == "temperror"
    assert time.monotonic() - started < 1.5


def test_silent_server_stays_within_two_timeouts() -> None:
    import socket

    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        cfg = Config(dkim=DkimConfig(nameservers=("127.0.0.1",), dns_port=silent.getsockname()[1], dns_timeout_s=0.4))
        started = time.monotonic()
        found, _ = run(cfg, "bounce@inc.example")
        elapsed = time.monotonic() - started
    finally:
        silent.close()
    assert list(found) == ["spf.temperror"]
    assert elapsed < 0.4 * 2 + 0.6


def test_injected_resolver_serves_txt_only() -> None:
    def txt(name: bytes, timeout: float = 5.0) -> bytes | None:
        return {b"pass.example": b"v=spf1 ip4:192.0.2.0/24 -all",
                b"inc.example": b"v=spf1 a:relay.inc.example -all"}.get(name)

    found, _ = run(Config(), "alice@pass.example", dns_resolver=txt)
    assert list(found) == ["spf.pass"]
    found, _ = run(Config(), "alice@inc.example", dns_resolver=txt)  # needs an A lookup: not through it
    assert list(found) == ["spf.temperror"]


def test_pyspf_lookup_outside_our_checks_is_pyspfs_own() -> None:
    assert spf.DNSLookup is spf_auth._lookup
    assert spf_auth._CURRENT.get() is None  # nothing left behind by the checks above


def test_in_the_pipeline_with_the_milter_envelope(dns: AuthDns) -> None:
    raw = make_message(sender="Alice <alice@pass.example>")
    v = scan(raw, dns.config(), client=IP, sender="alice@pass.example", helo="mail.pass.example")
    assert "spf.pass" in by_code(v)
    header = auth_header(v)
    assert header.startswith("mx.test.example; dkim=none; spf=pass smtp.mailfrom=pass.example; dmarc=")
