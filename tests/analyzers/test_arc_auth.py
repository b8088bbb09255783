"""ARC chain validation (dkimpy) of messages sealed here, keys served by a real DNS server on loopback."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator

import dkim
import pytest

from auth_dns import AuthDns, auth_dns, auth_header, by_code, scan
from coinguard.config import Config, DkimConfig

from helpers import make_message


@pytest.fixture(scope="module")
def dns() -> Iterator[AuthDns]:
    with auth_dns() as d:
        yield d


def seal(dns: AuthDns, raw: bytes, sealer: str, results: str = "dkim=pass header.d=shop.example") -> bytes:
    """What a forwarder (a mailing list) does: record its Authentication-Results, add its ARC set."""
    pem = dns.publish_key(sealer, "arc")
    raw = f"Authentication-Results: {sealer}; {results}\r\n".encode() + raw
    return b"".join(dkim.arc_sign(raw, b"arc", sealer.encode(), pem, sealer.encode())) + raw


def test_one_set_passes(dns: AuthDns) -> None:
    v = scan(seal(dns, make_message(sender="a@shop.example"), "lists.example"), dns.config())
    found = by_code(v)
    assert "arc.pass" in found and "newest sealed by lists.example" in found["arc.pass"]
    assert auth_header(v).endswith("; arc=pass (i=1 d=lists.example)")


def test_two_sets_pass(dns: AuthDns) -> None:
    raw = seal(dns, seal(dns, make_message(sender="a@shop.example"), "lists.example"), "relay.example", "arc=pass")
    v = scan(raw, dns.config())
    assert "arc.pass" in by_code(v) and "arc=pass (i=2 d=relay.example)" in auth_header(v)


def test_altered_after_sealing_fails(dns: AuthDns) -> None:
    raw = seal(dns, make_message(sender="a@shop.example", body="Pay 100 EUR\n"), "lists.example")
    found = by_code(scan(raw.replace(b"100 EUR", b"900 EUR"), dns.config()))
    assert "arc.fail" in found and "ARC-Message-Signature did not validate" in found["arc.fail"]


def test_broken_seal_fails(dns: AuthDns) -> None:
    raw = seal(dns, make_message(sender="a@shop.example"), "lists.example")
    raw = raw.replace(b"cv=none", b"cv=pass", 1)  # the seal no longer matches what it signed
    v = scan(raw, dns.config())
    assert "arc.fail" in by_code(v) and "arc=fail" in auth_header(v)


def test_recorded_failure_terminates_the_chain(dns: AuthDns) -> None:
    first = seal(dns, make_message(sender="a@shop.example"), "lists.example")
    raw = seal(dns, first.replace(b"see you", b"SEE you"), "relay.example", "arc=fail")  # set 1 broken, set 2 says so
    found = by_code(scan(raw, dns.config()))
    assert "arc.fail" in found and "arc.pass" not in found


def test_unsealed_is_none(dns: AuthDns) -> None:
    v = scan(make_message(), dns.config())
    assert "arc.none" in by_code(v) and auth_header(v).endswith("; arc=none")


def test_key_servfail_is_temperror_and_left_out_of_the_header(dns: AuthDns) -> None:
    raw = seal(dns, make_message(sender="a@shop.example"), "down.example")
    dns.zone.servfail.add("arc._domainkey.down.example")
    v = scan(raw, dns.config())
    found = by_code(v)
    assert "arc.temperror" in found and "arc.fail" not in found
    assert "; arc=" not in auth_header(v)


def test_dead_dns_is_a_quick_temperror(dns: AuthDns) -> None:
    raw = seal(dns, make_message(sender="a@shop.example"), "lists.example")
    cfg = Config(dkim=DkimConfig(nameservers=("127.0.0.1",), dns_port=9, dns_timeout_s=0.5))
    started = time.monotonic()
    found = by_code(scan(raw, cfg))
    assert "arc.temperror" in found
    assert time.monotonic() - started < 3


def test_disabled(dns: AuthDns) -> None:
    base = dns.config()
    cfg = dataclasses.replace(base, dkim=dataclasses.replace(base.dkim, arc=False))
    v = scan(seal(dns, make_message(sender="a@shop.example"), "lists.example"), cfg)
    assert not any(c.startswith("arc.") for c in by_code(v)) and "; arc=" not in auth_header(v)


def test_unsealed_mail_never_reaches_dkimpy(dns: AuthDns, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: object, **_k: object) -> None:
        raise AssertionError("dkimpy must not parse mail without ARC headers")

    monkeypatch.setattr(dkim, "ARC", refuse)
    v = scan(make_message(body="ARC-Seal: i=1; quoted in the body\n"), dns.config())
    assert "arc.none" in by_code(v) and auth_header(v).endswith("; arc=none")


def test_message_signature_without_seal_is_a_broken_chain(dns: AuthDns) -> None:
    """An ARC-Message-Signature with no ARC-Seal is an incomplete ARC set: fail, not none."""
    pem = dns.publish_key("lists.example", "arc")
    raw = b"Authentication-Results: lists.example; dkim=pass\r\n" + make_message(sender="a@shop.example")
    fields = dkim.arc_sign(raw, b"arc", b"lists.example", pem, b"lists.example")
    assert [f.split(b":", 1)[0] for f in fields] == [b"ARC-Seal", b"ARC-Message-Signature",
                                                     b"ARC-Authentication-Results"]
    found = by_code(scan(b"".join(fields[1:]) + raw, dns.config()))
    assert "arc.fail" in found and "unreadable" not in found["arc.fail"], found
