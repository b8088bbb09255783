"""SPF (RFC 7208) of the envelope sender, or of the HELO name for a null sender, with pyspf.

pyspf evaluates the record (mechanisms, macros, include/redirect, the 10-lookup and 2-void-lookup
limits); its DNS goes through :class:`~coinguard.analyzers.auth_common.Resolver`, so it uses the
``[dkim]`` servers and timeout and the message's deadline.  pyspf calls one module-level function
for every lookup (``spf.DNSLookup``); this module replaces it once with a dispatcher that serves the
query running in this thread (a context variable) and hands any other caller to pyspf's own.

Runs only with the client address the milter saw (``MessageInfo.client_addr``): a file scanned
offline has none, mail submitted on this host comes from loopback, and then SPF is not evaluated
(no finding, no ``spf=`` in the header).  Results
are the seven of RFC 7208 as ``spf.<result>`` findings; a DNS failure is ``spf.temperror``.
"""

from __future__ import annotations

import contextvars
import ipaddress
import logging
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import spf

from coinguard.analyzers.auth_common import SPF, AuthResult, DnsTempError, Resolver, authserv_id
from coinguard.findings import AddHeader, Category, CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext, MessageInfo

log = logging.getLogger(__name__)

NAME = SPF
RESULTS = ("pass", "fail", "softfail", "neutral", "none", "permerror", "temperror")

_CURRENT: contextvars.ContextVar[Resolver | None] = contextvars.ContextVar("coinguard_spf_resolver", default=None)
_PYSPF_LOOKUP = spf.DNSLookup


def _lookup(name: str, qtype: str, strict: Any = True, timeout: float = 20) -> list[tuple[tuple[str, str], Any]]:
    """pyspf's DNSLookup contract: ``[((name, type), value), ...]``; TXT values are lists of strings."""
    resolver = _CURRENT.get()
    if resolver is None:
        return list(_PYSPF_LOOKUP(name, qtype, strict, timeout))
    try:
        if qtype == "TXT":
            return [((name, qtype), [record]) for record in resolver.txt(name)]
        if qtype == "SPF":  # type 99 is obsolete (RFC 7208 3.1); pyspf only asks for it in harsh mode
            return []
        return [((name, qtype), value) for value in resolver.other(name, qtype, timeout)]
    except DnsTempError as exc:
        raise spf.TempError(f"DNS {exc}") from None


if getattr(spf.DNSLookup, "__module__", "") != __name__:
    spf.DNSLookup = _lookup


def client_ip(addr: str) -> str:
    """The SMTP client's address as pyspf wants it ("" when the milter gave none, a name or loopback)."""
    addr = addr.strip().strip("[]")
    if addr.lower().startswith("ipv6:"):
        addr = addr[5:]
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return "" if ip.is_loopback else str(ip)  # mail submitted on this host: no SPF to check


def check(ip: str, sender: str, helo: str, resolver: Resolver, receiver: str) -> AuthResult:
    """SPF for ``sender`` (the HELO identity when it is null) sending from ``ip``."""
    sender = sender.strip().strip("<>")
    q = spf.query(i=ip, s=sender, h=helo, receiver=receiver, timeout=resolver.timeout,
                  querytime=resolver.time_left())
    ident = "mailfrom" if sender else "helo"
    domain = str(q.o or "").lower().rstrip(".")
    if not domain:
        return AuthResult("spf", "none", (), "no sender and no HELO", "no identity to check", "")
    prop = ("smtp.mailfrom" if ident == "mailfrom" else "smtp.helo", domain)
    context = _CURRENT.set(resolver)
    try:
        result, _code, explanation = q.check()
    except Exception as exc:  # a library bug must not stop the scan; no evidence either way
        log.warning("pyspf raised %s for %s", type(exc).__name__, domain)
        result, explanation = "temperror", f"{type(exc).__name__}"
    finally:
        _CURRENT.reset(context)
    result = str(result).lower()
    if result not in RESULTS:
        result = "permerror"
    why = f"{ident} {domain} from {ip}" + (f": {explanation}" if explanation else "")
    return AuthResult("spf", result, (prop,), "", why, domain)


class SpfAnalyzer:
    """SPF of the envelope sender (or HELO) for the client address; the result waits in ctx.memo."""

    name: ClassVar[str] = NAME
    after: ClassVar[tuple[str, ...]] = ()
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("spf.pass", 0.0, Category.SENDER, "informational: the client is authorized to send for the "
                 "envelope sender (or HELO) domain"),
        CodeInfo("spf.none", 0.0, Category.SENDER, "the envelope sender's domain publishes no SPF record"),
        CodeInfo("spf.neutral", 0.0, Category.SENDER, "the SPF record makes no assertion about the client (?all)"),
        CodeInfo("spf.softfail", 0.5, Category.SENDER, "the SPF record says the client is probably not "
                 "authorized (~all)"),
        CodeInfo("spf.fail", 1.5, Category.SENDER, "the SPF record says the client is not authorized to send "
                 "for the envelope sender's domain (-all)"),
        CodeInfo("spf.permerror", 0.3, Category.SENDER, "the SPF record is malformed or needs too many lookups"),
        CodeInfo("spf.temperror", 0.0, Category.SENDER, "SPF could not be evaluated (DNS timeout or server "
                 "failure): no evidence either way"),
    )

    def analyze_message(
        self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding], ctx: AnalysisContext
    ) -> Iterator[Finding | AddHeader]:
        cfg = ctx.config.dkim
        ip = client_ip(msg.client_addr)
        if not cfg.spf or not ip:
            return
        r = check(ip, msg.envelope_from, msg.helo, Resolver(ctx), authserv_id(ctx.config))
        ctx.memo[NAME] = r
        yield Finding(f"spf.{r.result}", NAME, "", r.reason)
