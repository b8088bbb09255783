"""DKIM: verify every signature (dkimpy), DMARC-style alignment, spoofed brand senders, Authentication-Results.

Every ``DKIM-Signature`` over ``MessageInfo.raw`` (the exact received bytes) is verified with
dkimpy; a message without one (the header block is searched first) never reaches dkimpy and is
``dkim=none``.  Keys come through a ``dnsfunc`` (``dnsfunc(name: bytes, timeout=...) -> bytes | None``,
dkimpy's contract): ``AnalysisContext.dns_resolver`` when one is injected, else
:func:`coinguard.dns.make_dnsfunc` from ``[dkim]`` (nameservers, dns_port, dns_timeout_s; system resolv.conf when no
nameservers are set).  Results per signature follow RFC 8601:

- ``pass``; ``fail`` (body hash or signature mismatch);
- ``permerror`` (malformed signature, missing/NXDOMAIN or unusable key, key too small);
- ``temperror`` (DNS timeout or server failure: bounded by ``dns_timeout_s`` and the scan budget,
  never an exception).

A passing signature is *aligned* when its ``d=`` has the same registrable domain as the From
domain (DMARC relaxed alignment through the Public Suffix List).  The SigResults wait in
``ctx.memo["dkim_auth"]`` for ``dmarc_auth`` (which decides ``brand.spoofed_domain``) and for
``auth_results`` (the one combined Authentication-Results header the daemon adds).

The ``dkim.result`` finding's detail is the DKIM part of that header as a value of its own::

    mx.example.net; dkim=pass header.d=example.com header.s=sel header.b=abcdefgh;
     dkim=fail reason="body hash mismatch" header.d=other.org header.s=s1 header.b=ZZZZZZZZ

(one line, results separated by ``; ``; ``<authserv-id>; dkim=none`` without signatures).
With ``[dkim] trust_upstream`` the topmost ``Authentication-Results`` header from one of those
authserv-ids is used instead of re-verifying.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import dkim

from coinguard import dns as dnsq
from coinguard.analyzers.auth_common import dkim_message, has_header, quiet_logger
from coinguard.domains import same_organization
from coinguard.findings import AddHeader, Category, CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext, DnsFunc, MessageInfo

log = logging.getLogger(__name__)

NAME = "dkim_auth"
#: Most signatures verified per message (each may cost one DNS lookup).
MAX_SIGNATURES = 8
#: All DNS waits of one message together last at most this many ``dns_timeout_s``.
DNS_ROUNDS = 2
#: Shortest DNS wait we still attempt when the scan budget is nearly spent.
MIN_DNS_TIMEOUT = dnsq.MIN_TIMEOUT


class DnsTempError(dnsq.DnsTempError, dkim.DnsTimeoutError):
    """A DNS temperror as dkimpy knows it (its verify() then returns False instead of raising on)."""


class _Recorder:
    """Wraps a dnsfunc: caches per message and remembers what happened, since dkimpy turns
    DNS failures and key errors into a bare False."""

    def __init__(self, func: DnsFunc) -> None:
        self.func = func
        self.cache: dict[bytes, bytes | Exception | None] = {}
        self.last: bytes | Exception | None = None

    def forget(self) -> None:
        """Start a new signature: what the previous lookup returned no longer counts."""
        self.last = None

    def __call__(self, name: bytes, timeout: float = 5.0) -> bytes | None:
        if name in self.cache:
            value = self.cache[name]
        else:
            try:
                value = self.func(name, timeout=timeout)
                if isinstance(value, str):
                    value = value.encode("utf-8")
            except Exception as exc:  # any resolver failure is a temperror, never a crash
                known = isinstance(exc, dkim.DnsTimeoutError | dnsq.DnsTempError)
                value = exc if known else DnsTempError(f"{type(exc).__name__}: {exc}")
            self.cache[name] = value
        self.last = value
        if isinstance(value, Exception):
            raise DnsTempError(str(value))
        return value


# ---------------------------------------------------------------------------- verification


@dataclass(frozen=True, slots=True)
class SigResult:
    result: str  # pass | fail | neutral | permerror | temperror | none
    domain: str = ""
    selector: str = ""
    b: str = ""  # first 8 characters of b=
    reason: str = ""
    aligned: bool = False

    def resinfo(self) -> str:
        parts = [f"dkim={self.result}"]
        if self.reason:
            parts.append('reason="' + re.sub(r'[^\x20-\x7e]|["\\]', "", self.reason)[:60] + '"')
        for prop, value in (("header.d", self.domain), ("header.s", self.selector), ("header.b", self.b)):
            value = _token(value)
            if value:
                parts.append(f"{prop}={value}")
        return " ".join(parts)


def _token(value: str) -> str:
    """A header-safe property value (attacker-controlled d=/s=/b= reduced to token characters)."""
    return re.sub(r"[^A-Za-z0-9._+/=-]", "", value)[:80]


def _text(value: Any) -> str:
    return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value or "")


def _sig_tags(header_value: bytes) -> dict[str, str]:
    """Best-effort d=/s=/b= of a signature that dkimpy could not parse (for the result line)."""
    out: dict[str, str] = {}
    for tag in ("d", "s", "b"):
        m = re.search(rb"(?:^|;)\s*" + tag.encode() + rb"\s*=\s*([^;]*)", header_value)
        if m:
            out[tag] = re.sub(rb"\s+", b"", m.group(1)).decode("ascii", "replace")
    return out


def verify_signatures(raw: bytes, dnsfunc: DnsFunc, timeout: float, from_domain: str,
                      time_left: Callable[[], float] | None = None) -> list[SigResult]:
    """Verify every DKIM-Signature of ``raw``; one SigResult each ([] when there is none)."""
    if not has_header(raw, (b"dkim-signature",)):
        return []  # nothing dkimpy could verify: it is not even started (issue 13: DKIM cost on unsigned mail)
    try:
        d = dkim_message(dkim.DKIM, raw, logger=quiet_logger(__name__), timeout=timeout)
    except Exception as exc:  # DKIMException; IndexError for a message opening with a continuation line
        return [SigResult("permerror", reason=f"unparseable message: {type(exc).__name__}: {exc}")]
    sig_headers = [value for name, value in d.headers if name.lower() == b"dkim-signature"]
    recorder = _Recorder(dnsfunc)
    results: list[SigResult] = []
    for idx, header_value in enumerate(sig_headers[:MAX_SIGNATURES]):
        tags = _sig_tags(header_value)
        domain, selector, b = tags.get("d", "").lower(), tags.get("s", ""), tags.get("b", "")[:8]
        aligned = bool(domain) and bool(from_domain) and same_organization(domain, from_domain)

        def res(result: str, reason: str = "", *, domain: str = domain, selector: str = selector,
                b: str = b, aligned: bool = aligned) -> SigResult:
            return SigResult(result, domain, selector, b, reason, aligned)

        if time_left is not None:
            left = time_left()
            if left <= MIN_DNS_TIMEOUT:
                results.append(res("temperror", "DNS time limit for this message"))
                continue
            d.timeout = min(timeout, left)
        try:
            d.verify_headerprep(idx)
        except dkim.DKIMException as exc:
            results.append(res("permerror", str(exc)))
            continue
        recorder.forget()
        try:
            ok = d.verify(idx=idx, dnsfunc=recorder)
        except dkim.ValidationError as exc:
            results.append(res("fail", "body hash mismatch" if "body hash" in str(exc) else str(exc)))
            continue
        except dkim.DKIMException as exc:
            results.append(res("permerror", str(exc)))
            continue
        except Exception as exc:  # a library bug must not stop the scan
            log.warning("dkimpy raised %s verifying signature %d", type(exc).__name__, idx)
            results.append(res("permerror", f"{type(exc).__name__}"))
            continue
        if ok:
            results.append(res("pass"))
        elif isinstance(recorder.last, Exception):
            results.append(res("temperror", str(recorder.last)))
        elif recorder.last is None:
            results.append(res("permerror", "no key"))
        else:
            try:
                dkim.evaluate_pk(b"key", recorder.last)
            except dkim.DKIMException as exc:
                results.append(res("permerror", f"bad key: {exc}"))
                continue
            results.append(res("fail", "signature did not verify"))
    return results


# ---------------------------------------------------------------------------- upstream Authentication-Results

_RESINFO = re.compile(r"^\s*dkim\s*=\s*([a-z]+)(.*)$", re.IGNORECASE | re.DOTALL)


def _strip_comments(value: str) -> str:
    out, depth = [], 0
    for ch in value:
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
    return "".join(out)


def upstream_results(
    headers: Sequence[tuple[str, str]], trusted: Sequence[str], from_domain: str
) -> list[SigResult] | None:
    """DKIM results from the topmost Authentication-Results header of a trusted authserv-id, or None."""
    wanted = {t.lower() for t in trusted}
    for name, value in headers:
        if name.lower() != "authentication-results":
            continue
        parts = _strip_comments(value).split(";")
        authserv = parts[0].strip().split()[0].lower() if parts[0].strip() else ""
        if authserv not in wanted:
            continue
        results: list[SigResult] = []
        for part in parts[1:]:
            m = _RESINFO.match(part)
            if not m:
                continue
            props = dict(re.findall(r"([a-z]+\.[a-z]+)\s*=\s*(\S+)", m.group(2), re.IGNORECASE))
            domain = props.get("header.d", "") or props.get("header.i", "").rsplit("@", 1)[-1]
            domain = domain.strip('"').lower()
            result = m.group(1).lower()
            aligned = result == "pass" and bool(domain) and same_organization(domain, from_domain)
            results.append(SigResult(result, domain, props.get("header.s", ""), props.get("header.b", "")[:8],
                                     "from upstream " + authserv, aligned))
        return [r for r in results if r.result != "none"]
    return None


#: Longest Authentication-Results value we produce (one unfolded line stays well under RFC 5322's 998).
MAX_HEADER_VALUE = 900


def authentication_results(authserv_id: str, results: Sequence[SigResult]) -> str:
    """The RFC 8601 header value for ``results`` (one line; reasons dropped if it would grow too long)."""
    head = _token(authserv_id) or "localhost"
    value = f"{head}; " + ("; ".join(r.resinfo() for r in results) if results else "dkim=none")
    if len(value) > MAX_HEADER_VALUE:
        value = f"{head}; " + "; ".join(dataclasses.replace(r, reason="").resinfo() for r in results)
    return value[:MAX_HEADER_VALUE].rsplit(";", 1)[0] if len(value) > MAX_HEADER_VALUE else value


# ---------------------------------------------------------------------------- the analyzer


def dnsfunc_for(ctx: AnalysisContext) -> DnsFunc:
    if ctx.dns_resolver is not None:
        return ctx.dns_resolver
    cfg = ctx.config.dkim
    return dnsq.make_dnsfunc(tuple(cfg.nameservers), cfg.dns_port)


class DkimAnalyzer:
    """Verifies DKIM, reports alignment, spoofed brand domains and the Authentication-Results value."""

    name: ClassVar[str] = NAME
    after: ClassVar[tuple[str, ...]] = ()
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("dkim.result", 0.0, Category.SENDER,
                 "informational: detail is the DKIM part of the Authentication-Results header (RFC 8601)"),
        CodeInfo("dkim.none", 0.0, Category.SENDER, "the message carries no DKIM signature"),
        CodeInfo("dkim.fail", 1.0, Category.SENDER, "a DKIM signature did not verify (body or headers altered)"),
        CodeInfo("dkim.permerror", 0.5, Category.SENDER,
                 "a DKIM signature is malformed or its key is missing (NXDOMAIN) or unusable"),
        CodeInfo("dkim.temperror", 0.0, Category.SENDER,
                 "a DKIM key could not be fetched (DNS timeout/server failure): no evidence either way"),
        CodeInfo("dkim.aligned", 0.0, Category.SENDER,
                 "informational: a passing DKIM signature aligns with the From domain (same organizational domain)"),
        CodeInfo("dkim.unaligned", 0.0, Category.SENDER,
                 "informational: DKIM passes only for domains other than the From domain's organization"),
    )

    def analyze_message(
        self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding], ctx: AnalysisContext
    ) -> Iterator[Finding | AddHeader]:
        cfg = ctx.config.dkim
        if not cfg.enabled or not msg.raw:
            return
        results: list[SigResult] | None = None
        if cfg.trust_upstream:
            results = upstream_results(msg.headers, cfg.trust_upstream, msg.from_domain)
        if results is None:
            timeout = max(MIN_DNS_TIMEOUT, min(cfg.dns_timeout_s, ctx.budget.time_left()))
            # all lookups of one message together wait at most DNS_ROUNDS timeouts (and never past the budget)
            deadline = time.monotonic() + DNS_ROUNDS * timeout

            def time_left() -> float:
                return min(ctx.budget.time_left(), deadline - time.monotonic())

            results = verify_signatures(msg.raw, dnsfunc_for(ctx), timeout, msg.from_domain, time_left)
        ctx.memo[NAME] = results  # for DMARC and the combined Authentication-Results (auth_results)
        authserv = cfg.authserv_id or socket.gethostname()
        header = authentication_results(authserv, results)
        yield Finding("dkim.result", NAME, "", header)
        if not results:
            yield Finding("dkim.none", NAME, "", "no DKIM-Signature header")
        for r in results:
            if r.result in ("fail", "permerror", "temperror"):
                yield Finding(f"dkim.{r.result}", NAME, "", f"d={r.domain or '?'} s={r.selector or '?'}: {r.reason}")
        passing = [r for r in results if r.result == "pass"]
        aligned = [r for r in passing if r.aligned]
        if aligned:
            yield Finding("dkim.aligned", NAME, "", f"d={aligned[0].domain} aligns with From {msg.from_domain}")
        elif passing:
            yield Finding("dkim.unaligned", NAME, "",
                          f"passes for {', '.join(sorted({r.domain for r in passing}))}, From is {msg.from_domain}")
