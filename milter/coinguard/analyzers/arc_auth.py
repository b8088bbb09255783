"""ARC (RFC 8617): validate the chain of ARC sets (dkimpy's ARC verifier) of messages that carry one.

Runs only when an ``ARC-Seal`` or ``ARC-Message-Signature`` header is present (``arc.none``
otherwise, and dkimpy is never started).  Keys come through the
same DNS as DKIM (:class:`~coinguard.analyzers.auth_common.Resolver`: the ``[dkim]`` servers, or the
injected TXT function), within the message's DNS deadline.  The chain validation status (``cv``) is:

- ``arc.pass``: every ARC-Seal and the newest ARC-Message-Signature verify;
- ``arc.fail``: a seal or the newest message signature does not verify, a set is missing or
  malformed, or an earlier intermediary already recorded ``cv=fail``;
- ``arc.temperror``: a key could not be fetched (DNS timeout/failure): no evidence either way.

The result (with the newest instance and its sealer's domain) goes to ``ctx.memo`` for the combined
Authentication-Results header.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import ClassVar

import dkim

from coinguard.analyzers.auth_common import (
    ARC,
    AuthResult,
    DnsTempError,
    Resolver,
    dkim_message,
    has_header,
    quiet_logger,
)
from coinguard.findings import AddHeader, Category, CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext, MessageInfo

log = logging.getLogger(__name__)

NAME = ARC
#: Most ARC sets we verify (RFC 8617 5.1.1.1: i= goes to 50; each set costs up to two key lookups).
MAX_INSTANCES = 10


class _KeyTempError(DnsTempError, dkim.DnsTimeoutError):
    """A key lookup failed: dkimpy then counts the signature invalid; we remember it was DNS."""


class _Keys:
    """dkimpy's dnsfunc over our Resolver: cached per message, DNS failures remembered."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.cache: dict[bytes, bytes | None] = {}
        self.failed: list[str] = []

    def __call__(self, name: bytes, timeout: float = 5.0) -> bytes | None:
        if name in self.cache:
            return self.cache[name]
        try:
            records = self.resolver.txt(name.decode("ascii", "replace").rstrip("."))
        except DnsTempError as exc:
            self.failed.append(str(exc))
            raise _KeyTempError(str(exc)) from None
        keyish = [r for r in records if b"p=" in r]
        value = (keyish or records)[0] if records else None
        self.cache[name] = value
        return value


#: Header fields that make an ARC set (or a broken attempt at one): with neither there is nothing to validate.
ARC_FIELDS = (b"arc-seal", b"arc-message-signature")


def has_arc(raw: bytes) -> bool:
    """Whether the header block of ``raw`` holds an ARC-Seal or ARC-Message-Signature (as dkimpy reads it)."""
    return has_header(raw, ARC_FIELDS)


def verify_chain(raw: bytes, resolver: Resolver) -> AuthResult:
    """Validate the ARC chain of ``raw``; an AuthResult ``arc=pass|fail|temperror``."""
    keys = _Keys(resolver)
    try:
        arc = dkim_message(dkim.ARC, raw, logger=quiet_logger(__name__), minkey=1024, timeout=resolver.timeout)
        instances, _sets = arc.sorted_arc_headers()
    except Exception as exc:  # DKIMException; IndexError for a message opening with a continuation line
        return AuthResult("arc", "fail", (), "malformed", f"ARC headers unreadable: {exc}")
    if instances > MAX_INSTANCES:
        return AuthResult("arc", "fail", (), f"i={instances}", f"{instances} ARC sets (more than {MAX_INSTANCES})")
    try:
        cv, sets, reason = arc.verify(dnsfunc=keys)
    except dkim.DKIMException as exc:
        cv, sets, reason = dkim.CV_Fail, [], str(exc)
    except Exception as exc:  # a library bug must not stop the scan
        log.warning("dkimpy ARC verification raised %s", type(exc).__name__)
        cv, sets, reason = dkim.CV_Fail, [], type(exc).__name__
    newest = sets[0] if sets else {}
    sealer = newest.get("as-domain", b"")
    domain = sealer.decode("ascii", "replace") if isinstance(sealer, bytes) else ""
    note = f"i={instances}" + (f" d={domain}" if domain else "")
    if cv == dkim.CV_Pass:
        return AuthResult("arc", "pass", (), note, f"chain of {instances} ARC set(s) verifies, newest sealed by "
                          f"{domain or '?'}", domain)
    if keys.failed:
        return AuthResult("arc", "temperror", (), note, f"ARC key lookup failed: {keys.failed[0]}", domain)
    why = str(reason or "chain terminated (cv=fail recorded)")
    return AuthResult("arc", "fail", (), note, f"{why} ({instances} ARC set(s))", domain)


class ArcAnalyzer:
    """Validates the ARC chain when the message carries ARC sets."""

    name: ClassVar[str] = NAME
    after: ClassVar[tuple[str, ...]] = ()
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("arc.pass", 0.0, Category.SENDER,
                 "informational: the message's ARC chain validates (intermediaries' seals and the newest signature)"),
        CodeInfo("arc.fail", 0.5, Category.SENDER,
                 "the message's ARC chain does not validate (a seal or signature fails, or a set is malformed)"),
        CodeInfo("arc.none", 0.0, Category.SENDER, "the message carries no ARC sets"),
        CodeInfo("arc.temperror", 0.0, Category.SENDER,
                 "an ARC key could not be fetched (DNS timeout/failure): no evidence either way"),
    )

    def analyze_message(
        self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding], ctx: AnalysisContext
    ) -> Iterator[Finding | AddHeader]:
        if not ctx.config.dkim.arc or not msg.raw:
            return
        if not has_arc(msg.raw):
            ctx.memo[NAME] = AuthResult("arc", "none")
            yield Finding("arc.none", NAME, "", "no ARC-Seal or ARC-Message-Signature header")
            return
        r = verify_chain(msg.raw, Resolver(ctx))
        ctx.memo[NAME] = r
        yield Finding(f"arc.{r.result}", NAME, "", r.reason)
