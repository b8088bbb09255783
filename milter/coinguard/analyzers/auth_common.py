"""What the sender-authentication analyzers share: DNS under one deadline, their results, A-R syntax.

The analyzers ``dkim_auth``, ``spf_auth``, ``dmarc_auth`` and ``arc_auth`` each leave their result
in ``AnalysisContext.memo`` under their own name (:data:`DKIM`, :data:`SPF`, :data:`DMARC`,
:data:`ARC`); ``auth_results`` turns them into one ``Authentication-Results`` header (RFC 8601).

DNS goes through :class:`Resolver`: the ``[dkim]`` servers (``nameservers``, ``dns_port``,
``dns_timeout_s``), or only the injected ``AnalysisContext.dns_resolver`` when a test or an offline
run gives one (a TXT function: every other record type is then a temperror, so an offline run never
reaches the machine's resolver).  All lookups of those checks on one message together wait at most
:data:`DNS_ROUNDS` timeouts and never past the scan budget; a failure is :class:`DnsTempError`.
"""

from __future__ import annotations

import logging
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

import dkim

from coinguard import dns as dnsq
from coinguard.handlers import AnalysisContext

if TYPE_CHECKING:
    from coinguard.config import Config

#: memo keys: the analyzers' names
DKIM = "dkim_auth"
SPF = "spf_auth"
DMARC = "dmarc_auth"
ARC = "arc_auth"
#: All DNS waits of SPF, DMARC and ARC on one message together last at most this many ``dns_timeout_s``.
DNS_ROUNDS = 2
#: memo key of the DNS deadline and health shared by those checks
DNS_STATE = "auth_dns"

T = TypeVar("T")

DnsTempError = dnsq.DnsTempError

D = TypeVar("D", bound="dkim.DomainSigner")


def header_block_end(raw: bytes) -> int:
    """Where the header block of ``raw`` ends as dkimpy reads it (``rfc822_parse``: lines split at
    ``\\r?\\n``, the first empty line ends the headers): the offset just after the last header line's
    line break (0 when the message starts with an empty line, ``len(raw)`` when there is none)."""
    if raw.startswith((b"\n", b"\r\n")):
        return 0
    # the earlier of the two line-break pairs; the second search stops where the first one matched,
    # so a CRLF message is not searched to its end for an LF pair it does not have
    crlf = raw.find(b"\n\r\n")
    lf = raw.find(b"\n\n", 0, crlf + 2 if crlf >= 0 else len(raw))
    ends = [i + 1 for i in (lf, crlf) if i >= 0]
    return min(ends) if ends else len(raw)


def has_header(raw: bytes, names: tuple[bytes, ...]) -> bool:
    """Whether the header block of ``raw`` has a field named one of ``names`` (lower case) as dkimpy
    would see it: a line starting with the name and a colon.  Never a false "no": at worst a yes for
    a line dkimpy would not take as that field (dkimpy then gives the real answer)."""
    end = header_block_end(raw)
    if any(raw[: len(n) + 1].lower() == n + b":" for n in names):
        return True
    # "\n" outside the case-insensitive group keeps a literal prefix: the scan jumps from line to line
    # (with "(?:\A|\n)" it tried every position: 5.6 s on a 50 MB header line, now 0.09 s)
    alternatives = b"|".join(re.escape(n) for n in names)
    return re.search(rb"\n(?i:" + alternatives + rb"):", memoryview(raw)[:end]) is not None


def dkim_message(cls: type[D], raw: bytes, **kwargs: Any) -> D:
    """A dkimpy verifier (``dkim.DKIM`` or ``dkim.ARC``) over ``raw`` holding one copy of the body.

    ``cls(raw)`` splits the whole message into a list of lines and joins them back (about three
    times the message at once); here dkimpy parses only the header block and gets the body as it
    would have made it (every line break ``\\r\\n``), a slice of ``raw`` when it already is.
    """
    end = header_block_end(raw)
    verifier = cls(raw[:end], **kwargs)
    if end < len(raw):
        start = end + (2 if raw.startswith(b"\r\n", end) else 1)  # the empty line is not body
        body = raw[start:]
        if body.count(b"\n") != body.count(b"\r\n"):
            body = re.sub(rb"\r?\n", b"\r\n", body)
        verifier.body = body
    return verifier


@cache
def quiet_logger(module: str) -> logging.Logger:
    """The logger to hand dkimpy: it logs every failed lookup or signature at ERROR; our findings carry
    that, so its own lines stay debug-only."""
    logger = logging.getLogger(f"{module}.dkimpy")
    logger.propagate = False
    logger.addHandler(logging.NullHandler())
    return logger


def token(value: str, limit: int = 80) -> str:
    """A header-safe property value (attacker-controlled domains and addresses reduced to token characters)."""
    return re.sub(r"[^A-Za-z0-9._+/=@-]", "", value)[:limit]


def comment(value: str, limit: int = 60) -> str:
    """A header-safe ``(comment)`` body: printable ASCII without parentheses or backslashes."""
    return re.sub(r"[^\x20-\x7e]|[()\\]", "", value)[:limit].strip()


def authserv_id(cfg: Config) -> str:
    """Our authserv-id (``[dkim] authserv_id``, else the host name), header-safe."""
    return token(cfg.dkim.authserv_id or socket.gethostname()) or "localhost"


def ascii_domain(domain: str) -> str:
    """``domain`` as DNS wants it (IDNA A-labels); "" when it cannot be encoded."""
    try:
        return domain.strip(".").encode("idna").decode("ascii").lower() if domain else ""
    except UnicodeError:
        return ""


@dataclass(frozen=True, slots=True)
class AuthResult:
    """One method's result as RFC 8601 ``resinfo``: ``spf=pass smtp.mailfrom=example.com``."""

    method: str  # spf | dmarc | arc
    result: str
    props: tuple[tuple[str, str], ...] = ()
    note: str = ""  # rendered as a (comment) after the result
    reason: str = ""  # for findings and logs; not in the header
    domain: str = ""  # the identity the result is about (SPF: the MAIL FROM or HELO domain)

    def resinfo(self) -> str:
        parts = [f"{self.method}={self.result}"]
        if self.note and comment(self.note):
            parts.append(f"({comment(self.note)})")
        parts += [f"{prop}={token(value)}" for prop, value in self.props if token(value)]
        return " ".join(parts)


class Resolver:
    """DNS for one message's SPF, DMARC and ARC checks: one deadline for all of them together.

    The deadline (:data:`DNS_ROUNDS` timeouts, never past the scan budget) and a server that has
    timed out once are remembered in ``ctx.memo``: with the resolver down, the next checks of the
    same message are temperrors at once instead of each waiting its own timeout.
    """

    def __init__(self, ctx: AnalysisContext) -> None:
        cfg = ctx.config.dkim
        self.injected = ctx.dns_resolver
        self.lookup = dnsq.Lookup(tuple(cfg.nameservers), cfg.dns_port)
        self.budget = ctx.budget
        self.timeout = max(dnsq.MIN_TIMEOUT, min(cfg.dns_timeout_s, ctx.budget.time_left()))
        self.state: dict[str, Any] = ctx.memo.setdefault(DNS_STATE, {})
        self.deadline: float = self.state.setdefault("deadline", time.monotonic() + DNS_ROUNDS * self.timeout)

    def time_left(self) -> float:
        return min(self.budget.time_left(), self.deadline - time.monotonic())

    def wait(self, timeout: float | None = None) -> float:
        """How long the next lookup may take; DnsTempError when the time for this message is spent."""
        if self.state.get("down"):
            raise DnsTempError(f"DNS server did not answer this message's earlier lookup ({self.state['down']})")
        left = self.time_left()
        if left <= dnsq.MIN_TIMEOUT:
            raise DnsTempError("DNS time limit for this message")
        return min(left, timeout if timeout is not None else self.timeout, self.timeout)

    def _ours(self, func: Callable[[str, float], T], name: str, wait: float) -> T:
        try:
            return func(name, wait)
        except DnsTempError as exc:
            if str(exc).startswith("timeout"):
                self.state["down"] = str(exc)
            raise

    def txt(self, name: str) -> list[bytes]:
        wait = self.wait()
        if self.injected is None:
            return self._ours(self.lookup.txt, name, wait)
        try:
            value = self.injected(name.encode("ascii", "replace"), timeout=wait)
        except Exception as exc:  # an injected resolver's failure is a temperror, like ours
            raise DnsTempError(f"{type(exc).__name__}: {exc}") from None
        if value is None:
            return []
        return [value.encode("utf-8") if isinstance(value, str) else bytes(value)]

    def other(self, name: str, qtype: str, timeout: float | None = None) -> list[object]:
        """A/AAAA/MX/PTR-by-name records, as SPF needs them (MX as (preference, host))."""
        wait = self.wait(timeout)
        if self.injected is not None:
            raise DnsTempError(f"no {qtype} lookups through the injected resolver")
        if qtype == "A":
            return list(self._ours(self.lookup.a, name, wait))
        if qtype == "AAAA":
            return list(self._ours(self.lookup.aaaa, name, wait))
        if qtype == "MX":
            return list(self._ours(self.lookup.mx, name, wait))
        if qtype == "PTR":
            import dns.exception
            import dns.name
            import dns.reversename

            try:
                address = dns.reversename.to_address(dns.name.from_text(name))
            except (dns.exception.DNSException, ValueError):
                return []
            return list(self._ours(self.lookup.ptr, address, wait))
        return []
