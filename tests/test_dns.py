"""coinguard.dns against a real DNS server on loopback (dnslib): records, absence, failure, timeout."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from dnslib import AAAA, MX, PTR, QTYPE, RCODE, RR, TXT, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer

from coinguard.dns import DnsTempError, Lookup, make_dnsfunc

ZONE = {
    ("mail.example.", QTYPE.A): [A("192.0.2.10")],
    ("mail.example.", QTYPE.AAAA): [AAAA("2001:db8::10")],
    ("example.", QTYPE.MX): [MX("mx2.example.", 20), MX("MX1.example.", 10)],
    ("10.2.0.192.in-addr.arpa.", QTYPE.PTR): [PTR("mail.example.")],
    ("sel._domainkey.example.", QTYPE.TXT): [TXT(["v=spf1 -all"]), TXT(["v=DKIM1; ", "p=AAAA"])],
}


class Zone(BaseResolver):  # type: ignore[misc]
    def resolve(self, request, handler):  # type: ignore[no-untyped-def]
        reply = request.reply()
        qname = str(request.q.qname).lower()
        if qname.startswith("fail."):
            reply.header.rcode = RCODE.SERVFAIL
        elif (qname, request.q.qtype) in ZONE:
            for rdata in ZONE[(qname, request.q.qtype)]:
                reply.add_answer(RR(qname, request.q.qtype, rdata=rdata, ttl=60))
        elif not any(name == qname for name, _ in ZONE):
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


@pytest.fixture(scope="module")
def lookup() -> Iterator[Lookup]:
    server = DNSServer(Zone(), address="127.0.0.1", port=0, logger=DNSLogger("-request,-reply,-truncated,-error"))
    server.start_thread()
    try:
        yield Lookup(("127.0.0.1",), server.server.server_address[1])
    finally:
        server.stop()
        server.server.server_close()


def test_records_of_each_type(lookup: Lookup) -> None:
    assert lookup.a("mail.example") == ["192.0.2.10"]
    assert lookup.aaaa("mail.example") == ["2001:db8::10"]
    assert lookup.mx("example") == [(10, "mx1.example"), (20, "mx2.example")]
    assert lookup.ptr("192.0.2.10") == ["mail.example"]
    assert lookup.txt("sel._domainkey.example") == [b"v=spf1 -all", b"v=DKIM1; p=AAAA"]


def test_absent_name_or_type_is_empty_not_an_error(lookup: Lookup) -> None:
    assert lookup.a("nothing.example") == []
    assert lookup.mx("mail.example") == []  # the name exists, the type does not
    assert lookup.ptr("not an address") == []


def test_servfail_is_temperror(lookup: Lookup) -> None:
    with pytest.raises(DnsTempError, match="nameservers failed"):
        lookup.a("fail.example")


def test_silent_server_is_temperror_within_the_timeout() -> None:
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        started = time.monotonic()
        with pytest.raises(DnsTempError, match="timeout"):
            Lookup(("127.0.0.1",), silent.getsockname()[1]).txt("x.example", timeout=0.4)
        assert time.monotonic() - started < 2.0
    finally:
        silent.close()


def test_dkim_dnsfunc_prefers_the_key_record(lookup: Lookup) -> None:
    get_txt = make_dnsfunc(lookup.nameservers, lookup.port)
    assert get_txt(b"sel._domainkey.example") == b"v=DKIM1; p=AAAA"
    assert get_txt(b"nothing.example") is None
    assert get_txt(b"\xff.example") is None


def test_answers_are_cached_for_their_ttl_failures_are_not() -> None:
    """A campaign's copies ask for the same records: the second lookup does not reach the server."""
    asked: list[str] = []

    class Counting(Zone):
        def resolve(self, request, handler):  # type: ignore[no-untyped-def]
            asked.append(str(request.q.qname).lower())
            return super().resolve(request, handler)

    server = DNSServer(Counting(), address="127.0.0.1", port=0, logger=DNSLogger("-request,-reply,-truncated,-error"))
    server.start_thread()
    try:
        lookup = Lookup(("127.0.0.1",), server.server.server_address[1])
        assert lookup.a("mail.example") == ["192.0.2.10"]
        assert lookup.a("mail.example") == ["192.0.2.10"]
        assert asked.count("mail.example.") == 1
        for _ in range(2):
            with pytest.raises(DnsTempError):
                lookup.a("fail.example")
        assert asked.count("fail.example.") >= 2  # SERVFAIL is asked again
    finally:
        server.stop()
        server.server.server_close()


def test_nxdomain_is_cached_for_its_negative_ttl() -> None:
    """A real resolver's NXDOMAIN carries the zone's SOA (RFC 2308): dnspython keeps it for min(TTL, MINIMUM),
    so a campaign's thousand DMARC lookups of one absent ``_dmarc`` name ask once.  Without an SOA dnspython
    (2.x) still keeps it, for its default negative TTL (300 s)."""
    import dns.name
    import dns.rdataclass
    import dns.rdatatype
    from dnslib import SOA

    from coinguard.dns import resolver

    asked: list[str] = []

    class Negative(Zone):
        def resolve(self, request, handler):  # type: ignore[no-untyped-def]
            qname = str(request.q.qname).lower()
            asked.append(qname)
            reply = super().resolve(request, handler)
            if qname.startswith("soa."):
                reply.add_auth(RR("example.", QTYPE.SOA, ttl=300, rdata=SOA(
                    "ns.example.", "hostmaster.example.", (1, 1800, 900, 604800, 120))))
            return reply

    server = DNSServer(Negative(), address="127.0.0.1", port=0, logger=DNSLogger("-request,-reply,-truncated,-error"))
    server.start_thread()
    try:
        port = server.server.server_address[1]
        lookup = Lookup(("127.0.0.1",), port)
        for _ in range(3):
            assert lookup.txt("soa._dmarc.absent.example") == []
            assert lookup.txt("nosoa._dmarc.absent.example") == []
        assert asked.count("soa._dmarc.absent.example.") == 1
        assert asked.count("nosoa._dmarc.absent.example.") == 1
        cache = resolver(("127.0.0.1",), port).cache
        for name, ttl in (("soa._dmarc.absent.example.", 120), ("nosoa._dmarc.absent.example.", 300)):
            entry = cache.get((dns.name.from_text(name), dns.rdatatype.ANY, dns.rdataclass.IN))
            assert entry is not None and ttl - 5 < entry.expiration - time.time() <= ttl
    finally:
        server.stop()
        server.server.server_close()


def test_the_benches_nxdomain_server_answers_as_a_resolver() -> None:
    """bench/nxdomain_dns.py sends an SOA with its NXDOMAIN (as a resolver does): one query per name, the
    answer kept for the SOA's negative TTL."""
    import sys
    from pathlib import Path

    import dns.name
    import dns.rdatatype
    import dns.resolver

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from nxdomain_dns import NxdomainDns

    with NxdomainDns(negative_ttl=60) as server:
        lookup = Lookup(("127.0.0.1",), server.port)
        for _ in range(3):
            assert lookup.txt("_dmarc.bench.example") == []
        assert server.queries == 1
        res = dns.resolver.Resolver(configure=False)
        res.nameservers, res.port = ["127.0.0.1"], server.port
        with pytest.raises(dns.resolver.NXDOMAIN) as exc:
            res.resolve("other.bench.example", "TXT", lifetime=2)
        response = exc.value.responses()[dns.name.from_text("other.bench.example")]
        assert [(r.rdtype, r.ttl) for r in response.authority] == [(dns.rdatatype.SOA, 60)]
