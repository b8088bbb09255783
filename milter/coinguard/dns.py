"""DNS lookups for the sender-authentication analyzers: one resolver per server set, hard timeouts.

Built on dnspython.  Every lookup takes a ``timeout`` (seconds, the whole query including
retries) and answers with the records, an empty list when the name or the record type does
not exist (NXDOMAIN, no answer), or raises :class:`DnsTempError` when no answer could be had
(timeout, SERVFAIL/REFUSED from every server, no resolver configuration): RFC 8601's
``temperror``, never evidence either way.

Each resolver keeps answers in a bounded LRU cache for their TTL (the records a campaign's copies
share are looked up once per worker), NXDOMAIN for its negative TTL (the SOA's, RFC 2308); a failure
is never cached.  A dict in front of it answers the repeated names without dnspython's resolution
machinery.

``nameservers`` empty means the system's ``/etc/resolv.conf``; tests and offline runs pass
``("127.0.0.1",)`` and a closed or test-owned ``port``.

Core module: imports no analyzer; dnspython is imported on first use.
"""

from __future__ import annotations

import threading
import time
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

#: (servers, port, name, type) -> (expiry, records): the answers of dnspython's cache, kept in front of it.
#: A cached lookup through ``Resolver.resolve`` still costs ~0.4 ms of CPU (a resolution object, the cache
#: keys, the answer); a campaign's copies ask for the same DMARC/SPF names thousands of times.
_ANSWERS: dict[tuple[tuple[str, ...], int, str, str], tuple[float, tuple[dns.rdata.Rdata, ...]]] = {}


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

        known = _ANSWERS.get((self.nameservers, self.port, qname, rdtype))
        if known is not None and known[0] > time.time():
            return list(known[1])
        try:
            answer = resolver(self.nameservers, self.port).resolve(
                qname, rdtype, lifetime=max(MIN_TIMEOUT, timeout), raise_on_no_answer=False, search=False)
        except dns.resolver.NXDOMAIN as exc:
            self._keep(qname, rdtype, exc, ())
            return []
        except dns.resolver.NoAnswer:
            return []
        except dns.resolver.NoResolverConfiguration as exc:
            raise DnsTempError(f"no resolver configuration: {exc}") from None
        except dns.exception.Timeout:
            raise DnsTempError(f"timeout after {timeout:g}s") from None
        except dns.resolver.NoNameservers:
            raise DnsTempError("all nameservers failed (SERVFAIL/REFUSED)") from None
        except (dns.exception.DNSException, OSError) as exc:
            raise DnsTempError(f"{type(exc).__name__}: {exc}") from None
        records = tuple(answer.rrset) if answer.rrset is not None else ()
        self._keep(qname, rdtype, answer, records)
        return list(records)

    def _keep(self, qname: str, rdtype: str, answer: object, records: tuple[dns.rdata.Rdata, ...]) -> None:
        """Remember an answer until dnspython's cache would let it go (its TTL, or the NXDOMAIN's negative TTL)."""
        import dns.resolver

        if isinstance(answer, dns.resolver.NXDOMAIN):
            try:
                response = next(iter(answer.responses().values()))
                expires = time.time() + response.resolve_chaining().minimum_ttl
            except Exception:  # an odd response: just not kept here (dnspython still has it)
                return
        else:
            expires = float(getattr(answer, "expiration", 0.0))
        if len(_ANSWERS) >= CACHE_ENTRIES:
            _ANSWERS.clear()  # rare (20,000 names within their TTLs): start again rather than track order
        _ANSWERS[(self.nameservers, self.port, qname, rdtype)] = (expires, records)

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
