"""DNS lookups for the sender-authentication analyzers: one resolver per server set, hard timeouts.

Built on dnspython.  Every lookup takes a ``timeout`` (seconds, the whole query including
retries) and answers with the records, an empty list when the name or the record type does
not exist (NXDOMAIN, no answer), or raises :class:`DnsTempError` when no answer could be had
(timeout, SERVFAIL/REFUSED from every server, no resolver configuration): RFC 8601's
``temperror``, never evidence either way.

Each resolver keeps answers in a bounded LRU cache for their TTL (the records a campaign's copies
share are looked up once per worker); a failure is never cached.

``nameservers`` empty means the system's ``/etc/resolv.conf``; tests and offline runs pass
``("127.0.0.1",)`` and a closed or test-owned ``port``.

Core module: imports no analyzer; dnspython is imported on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import dns.rdata
    import dns.resolver
    from dns.rdtypes.ANY.MX import MX
    from dns.rdtypes.ANY.PTR import PTR
    from dns.rdtypes.ANY.TXT import TXT
    from dns.rdtypes.IN.A import A
    from dns.rdtypes.IN.AAAA import AAAA

#: Shortest DNS wait still attempted (a budget nearly spent is not a reason for a 0 s query).
MIN_TIMEOUT = 0.2

#: Answers kept per resolver (dnspython's LRU cache, each answer for its TTL).  A campaign's
#: thousand copies ask for the same DMARC/SPF/DKIM records: only the first copy waits for DNS.
CACHE_ENTRIES = 20_000

class DnsTempError(Exception):
    """A DNS lookup timed out or every server failed (RFC 8601 temperror)."""


_RESOLVERS: dict[tuple[tuple[str, ...], int], dns.resolver.Resolver] = {}
_RESOLVERS_LOCK = threading.Lock()


def resolver(nameservers: tuple[str, ...] = (), port: int = 53) -> dns.resolver.Resolver:
    """The shared dnspython resolver for these servers (system configuration when none are given)."""
    import dns.resolver

    key = (nameservers, port)
    with _RESOLVERS_LOCK:
        res = _RESOLVERS.get(key)
        if res is None:
            res = dns.resolver.Resolver(configure=not nameservers)
            if nameservers:
                res.nameservers = list(nameservers)
            res.port = port
            res.cache = dns.resolver.LRUCache(CACHE_ENTRIES)  # answers for their TTL, failures never
            _RESOLVERS[key] = res
    return res


class Lookup:
    """Lookups against one server set.  Cheap to make; the resolver underneath is shared."""

    def __init__(self, nameservers: tuple[str, ...] = (), port: int = 53) -> None:
        self.nameservers = tuple(nameservers)
        self.port = port

    def _query(self, qname: str, rdtype: str, timeout: float) -> list[dns.rdata.Rdata]:
        import dns.exception
        import dns.resolver

        try:
            answer = resolver(self.nameservers, self.port).resolve(
                qname, rdtype, lifetime=max(MIN_TIMEOUT, timeout), raise_on_no_answer=False, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except dns.resolver.NoResolverConfiguration as exc:
            raise DnsTempError(f"no resolver configuration: {exc}") from None
        except dns.exception.Timeout:
            raise DnsTempError(f"timeout after {timeout:g}s") from None
        except dns.resolver.NoNameservers:
            raise DnsTempError("all nameservers failed (SERVFAIL/REFUSED)") from None
        except (dns.exception.DNSException, OSError) as exc:
            raise DnsTempError(f"{type(exc).__name__}: {exc}") from None
        return list(answer.rrset) if answer.rrset is not None else []

    def txt(self, name: str, timeout: float = 5.0) -> list[bytes]:
        """TXT records of ``name``, each one record's strings joined."""
        return [b"".join(rdata.strings) for rdata in cast("list[TXT]", self._query(name, "TXT", timeout))]

    def a(self, name: str, timeout: float = 5.0) -> list[str]:
        """IPv4 addresses of ``name`` (A records)."""
        return [rdata.address for rdata in cast("list[A]", self._query(name, "A", timeout))]

    def aaaa(self, name: str, timeout: float = 5.0) -> list[str]:
        """IPv6 addresses of ``name`` (AAAA records)."""
        return [rdata.address for rdata in cast("list[AAAA]", self._query(name, "AAAA", timeout))]

    def mx(self, name: str, timeout: float = 5.0) -> list[tuple[int, str]]:
        """(preference, exchange host) of ``name``'s MX records, lowest preference first."""
        rows = [(int(r.preference), r.exchange.to_text(omit_final_dot=True).lower())
                for r in cast("list[MX]", self._query(name, "MX", timeout))]
        return sorted(rows)

    def ptr(self, address: str, timeout: float = 5.0) -> list[str]:
        """Host names of an IPv4/IPv6 address (PTR records under in-addr.arpa / ip6.arpa)."""
        import dns.exception
        import dns.reversename

        try:
            qname = dns.reversename.from_address(address).to_text()
        except (ValueError, dns.exception.SyntaxError):
            return []
        return [r.target.to_text(omit_final_dot=True).lower()
                for r in cast("list[PTR]", self._query(qname, "PTR", timeout))]


def make_dnsfunc(nameservers: tuple[str, ...] = (), port: int = 53) -> Callable[..., bytes | None]:
    """A dkimpy ``dnsfunc`` (``handlers.DnsFunc``): the TXT record of ``name`` (one carrying ``p=``
    preferred), None when absent.

    Raises DnsTempError when the lookup fails.
    """
    lookup = Lookup(nameservers, port)

    def get_txt(name: bytes, timeout: float = 5.0) -> bytes | None:
        try:
            qname = name.decode("ascii") if isinstance(name, bytes) else str(name)
        except UnicodeDecodeError:
            return None
        records = lookup.txt(qname, timeout)
        keyish = [r for r in records if b"p=" in r]
        return (keyish or records)[0] if records else None

    return get_txt
