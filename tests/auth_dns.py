"""A real DNS server on loopback (dnslib) serving SPF, DMARC and DKIM records, for the sender-authentication tests.

``AuthZone`` answers authoritatively from ``records`` (``(name, type) -> [values]``), SERVFAIL for
names in ``servfail``, NXDOMAIN for names it does not know.  ``scan`` runs the whole pipeline with
the envelope the milter would give, against this server.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

import dkim
from dnslib import AAAA, MX, QTYPE, RCODE, RR, TXT, A
from dnslib.server import BaseResolver, DNSLogger, DNSServer

from coinguard.config import Config, DkimConfig
from coinguard.findings import Verdict
from coinguard.scan import Envelope, ScanContext, scan_message

from helpers import dkim_keypair

AUTHSERV = "mx.test.example"


class AuthZone(BaseResolver):  # type: ignore[misc]
    def __init__(self) -> None:
        self.records: dict[tuple[str, str], list[object]] = {}
        self.servfail: set[str] = set()
        self.queries: list[tuple[str, str]] = []

    def resolve(self, request, handler):  # type: ignore[no-untyped-def]
        reply = request.reply()
        qname = str(request.q.qname).lower().rstrip(".")
        qtype = QTYPE[request.q.qtype]
        self.queries.append((qname, qtype))
        if qname in self.servfail:
            reply.header.rcode = RCODE.SERVFAIL
        elif (qname, qtype) in self.records:
            # TTL 0: tests change the zone between scans, and coinguard.dns keeps answers for their TTL
            for value in self.records[(qname, qtype)]:
                reply.add_answer(RR(qname + ".", request.q.qtype, rdata=_rdata(qtype, value), ttl=0))
        elif not any(name == qname for name, _ in self.records):
            reply.header.rcode = RCODE.NXDOMAIN
        return reply


def _rdata(qtype: str, value: object) -> object:
    if qtype == "TXT":
        data = str(value).encode()
        return TXT([data[i:i + 255] for i in range(0, len(data), 255)])
    if qtype == "A":
        return A(str(value))
    if qtype == "AAAA":
        return AAAA(str(value))
    if qtype == "MX":
        pref, host = value  # type: ignore[misc]
        return MX(host, pref)
    raise ValueError(qtype)


@dataclasses.dataclass
class AuthDns:
    zone: AuthZone
    port: int
    keys: dict[str, bytes] = dataclasses.field(default_factory=dict)

    def txt(self, name: str, *values: str) -> None:
        self.zone.records[(name, "TXT")] = list(values)

    def add(self, name: str, qtype: str, *values: object) -> None:
        self.zone.records[(name, qtype)] = list(values)

    def publish_key(self, domain: str, selector: str = "sel") -> bytes:
        """A fresh DKIM key for ``selector._domainkey.domain``; the private key (PEM) is returned."""
        if f"{selector}.{domain}" in self.keys:
            return self.keys[f"{selector}.{domain}"]
        pem, record = dkim_keypair()
        self.txt(f"{selector}._domainkey.{domain}", record)
        self.keys[f"{selector}.{domain}"] = pem
        return pem

    def config(self, timeout: float = 2.0, **kw: object) -> Config:
        dk = DkimConfig(nameservers=("127.0.0.1",), dns_port=self.port, dns_timeout_s=timeout,
                        authserv_id=AUTHSERV, **kw)  # type: ignore[arg-type]
        return Config(dkim=dk)


@contextmanager
def auth_dns() -> Iterator[AuthDns]:
    zone = AuthZone()
    server = DNSServer(zone, address="127.0.0.1", port=0, logger=DNSLogger("-request,-reply,-truncated,-error"))
    server.start_thread()
    try:
        yield AuthDns(zone, server.server.server_address[1])
    finally:
        server.stop()
        server.server.server_close()


def dkim_sign(raw: bytes, domain: str, pem: bytes, selector: str = "sel") -> bytes:
    header = dkim.sign(raw, selector.encode(), domain.encode(), pem,
                       include_headers=[b"from", b"to", b"subject", b"message-id"])
    return header + raw


def scan(raw: bytes, cfg: Config, client: str = "", sender: str = "", helo: str = "") -> Verdict:
    env = Envelope(id="t", sender=sender, client_addr=client, helo=helo, rcpts=("bob@example.net",))
    return scan_message(raw, ScanContext(config=cfg, envelope=env))


def by_code(v: Verdict) -> dict[str, str]:
    """Finding code -> detail (the first of each code)."""
    out: dict[str, str] = {}
    for f in v.findings:
        out.setdefault(f.code, f.detail)
    return out


def auth_header(v: Verdict) -> str:
    values = [value for name, value in v.headers if name == "Authentication-Results"]
    assert len(values) == 1, v.headers
    return values[0]
