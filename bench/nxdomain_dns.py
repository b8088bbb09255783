"""A loopback DNS server that answers every query NXDOMAIN at once, for the benchmarks.

A closed loopback port (``dns_port = 9``) never answers a UDP query: dnspython does not see the ICMP
"port unreachable" on its unconnected socket, so every SPF/DMARC lookup waits its whole timeout
(0.5 s per message in the benches), which measures the timeout, not the filter.  This server stands
for a fast local resolver: the lookups end at once with "no such name", on 127.0.0.1 only, and
nothing is forwarded anywhere.

Like a real resolver (RFC 2308), the NXDOMAIN carries an SOA in its authority section (here the
root zone's, TTL and MINIMUM ``negative_ttl``, 300 s by default): ``coinguard.dns`` (dnspython's
cache) keeps the "no such name" for that negative TTL and asks once per name and worker, as in
production (dnspython 2.x also keeps an NXDOMAIN without SOA, for 300 s: ``negative_ttl=0`` sends
none).

    with NxdomainDns() as dns:
        cfg = parse_config(dns.config())   # [dkim] nameservers = ["127.0.0.1"], dns_port = dns.port
"""

from __future__ import annotations

import socket
import threading


def _root_soa(ttl: int) -> bytes:
    """The root zone's SOA record (owner ".", MNAME and RNAME "."), its TTL and MINIMUM both ``ttl``:
    the negative-caching TTL of the answer (RFC 2308 section 5: the smaller of the two)."""
    ttl32 = ttl.to_bytes(4, "big")
    rdata = b"\x00" + b"\x00" + (1).to_bytes(4, "big") + (1800).to_bytes(4, "big") + (900).to_bytes(4, "big") \
        + (604800).to_bytes(4, "big") + ttl32  # MNAME, RNAME, SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM
    return b"\x00" + (6).to_bytes(2, "big") + (1).to_bytes(2, "big") + ttl32 + len(rdata).to_bytes(2, "big") + rdata


class NxdomainDns:
    """A loopback UDP DNS server answering every query NXDOMAIN at once (rspamd's RBL/SPF/DMARC
    lookups then end as they would against a fast local resolver, instead of waiting for
    timeouts against a closed port).  Nothing is forwarded anywhere."""

    def __init__(self, negative_ttl: int = 300) -> None:
        self.negative_ttl = negative_ttl
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self.queries = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                query, addr = self.sock.recvfrom(4096)
            except OSError:
                return  # closed
            if len(query) < 12:
                continue
            self.queries += 1
            qd_end = 12
            while qd_end < len(query) and query[qd_end]:
                qd_end += 1 + query[qd_end]
            question = query[12 : qd_end + 5]  # name, its 0 byte, QTYPE, QCLASS
            flags = 0x8000 | (query[2] & 0x01) << 8 | 0x0080 | 3  # QR, RD copied, RA, NXDOMAIN
            authority = _root_soa(self.negative_ttl) if self.negative_ttl > 0 else b""
            counts = b"\x00\x01\x00\x00" + (b"\x00\x01" if authority else b"\x00\x00") + b"\x00\x00"
            header = query[:2] + flags.to_bytes(2, "big") + counts  # QD 1, AN 0, NS 0/1, AR 0
            try:
                self.sock.sendto(header + question + authority, addr)
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()

    def config(self, timeout_s: float = 0.5) -> str:
        """The ``[dkim]`` section pointing every lookup of coinguard at this server."""
        return f'[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = {self.port}\ndns_timeout_s = {timeout_s:g}\n'

    def __enter__(self) -> NxdomainDns:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
