"""DMARC (RFC 7489): the From domain's policy, SPF/DKIM identifier alignment, and spoofed brand senders.

Policy discovery (RFC 7489 6.6.3): the TXT records of ``_dmarc.<From domain>`` that start with
``v=DMARC1``; none there, those of ``_dmarc.<organizational domain>`` (Public Suffix List, via
:func:`coinguard.domains.registrable`), whose ``sp=`` (else ``p=``) then applies.  Several records
at one name: no policy.  Tags: ``p``, ``sp``, ``adkim``/``aspf`` (``r`` relaxed: same organizational
domain; ``s`` strict: the same domain), ``pct`` (0-100; the failing messages outside the sample get
the next milder policy, chosen by a hash of the message so that a message always gets the same answer).

The identifiers come from the other analyzers' results in ``ctx.memo``: every passing DKIM signature's
``d=`` (``dkim_auth``) and the SPF-authenticated MAIL FROM or HELO domain (``spf_auth``; not evaluated
without the client address, then DMARC rests on DKIM alone and says so in the detail).

Results: ``dmarc.pass`` (:data:`~coinguard.findings.DMARC_PASS`, which the brand and theme analyzers
read), ``dmarc.fail`` (the policy asks for quarantine or reject; policy, pct and disposition in the
detail), ``dmarc.fail_unenforced`` (fails under ``p=none``), ``dmarc.none`` (no record),
``dmarc.temperror`` (DNS failure, or a candidate identifier could not be checked) and
``dmarc.permerror`` (a DMARC record without a usable policy).

A From domain that belongs to a brand (brands.toml) is that brand's mail only when DMARC passes
(without a record, or with DMARC off: an aligned passing DKIM or SPF identifier, relaxed); otherwise it
is ``brand.spoofed_domain`` -- unless a candidate identifier is a temperror (no evidence either way).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from coinguard.analyzers.auth_common import DKIM, DMARC, SPF, AuthResult, DnsTempError, Resolver, ascii_domain
from coinguard.brandlist import brands_for
from coinguard.domains import registrable, same_organization, to_unicode
from coinguard.findings import DMARC_PASS, AddHeader, Category, CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext, MessageInfo

NAME = DMARC
POLICIES = ("none", "quarantine", "reject")
#: The next milder policy, for failing messages outside the ``pct`` sample (RFC 7489 6.6.4).
MILDER = {"reject": "quarantine", "quarantine": "none", "none": "none"}


class RecordError(ValueError):
    """A ``v=DMARC1`` record without a usable policy (DMARC permerror)."""


@dataclass(frozen=True, slots=True)
class Policy:
    """One parsed DMARC record."""

    p: str
    sp: str = ""
    adkim: str = "r"
    aspf: str = "r"
    pct: int = 100
    rua: tuple[str, ...] = ()

    def for_domain(self, at_org: bool) -> str:
        """The policy that applies: ``sp`` (else ``p``) when the record was found at the organizational domain."""
        return (self.sp or self.p) if at_org else self.p


def is_dmarc_record(record: bytes | str) -> bool:
    text = record.decode("utf-8", "replace") if isinstance(record, bytes) else record
    return re.match(r"\s*v\s*=\s*DMARC1\s*(;|$)", text) is not None


def parse_record(record: bytes | str) -> Policy:
    """Parse a DMARC record (RFC 7489 6.3); unknown tags are ignored, bad optional values take defaults.

    Raises RecordError when the record is not ``v=DMARC1`` or has no valid ``p=`` and no ``rua=``
    (with a ``rua``, a bad ``p`` reads as ``p=none``, 6.6.3).
    """
    text = record.decode("utf-8", "replace") if isinstance(record, bytes) else record
    if not is_dmarc_record(text):
        raise RecordError("not a v=DMARC1 record")
    tags: dict[str, str] = {}
    for part in text.split(";")[1:]:
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if sep and name and name not in tags:
            tags[name] = value.strip()
    rua = tuple(u.strip() for u in tags.get("rua", "").split(",") if u.strip().lower().startswith("mailto:"))
    p = tags.get("p", "").lower()
    if p not in POLICIES:
        if not rua:
            raise RecordError(f"no valid p= ({tags.get('p', 'missing')!r})")
        p = "none"
    sp = tags.get("sp", "").lower()
    pct_text = tags.get("pct", "100")
    pct = int(pct_text) if pct_text.isdigit() and int(pct_text) <= 100 else 100
    return Policy(
        p=p,
        sp=sp if sp in POLICIES else "",
        adkim="s" if tags.get("adkim", "").lower() == "s" else "r",
        aspf="s" if tags.get("aspf", "").lower() == "s" else "r",
        pct=pct,
        rua=rua,
    )


def discover(from_domain: str, resolver: Resolver) -> tuple[Policy | None, str, bool]:
    """(policy or None, the name it was found at or "", found at the organizational domain).

    Raises DnsTempError (temperror) and RecordError (permerror).
    """
    domain = ascii_domain(from_domain)
    if not domain:
        return None, "", False
    org = ascii_domain(registrable(from_domain))
    for name, at_org in ((domain, False), (org, True)):
        if not name or (at_org and name == domain):
            continue
        qname = f"_dmarc.{name}"
        records = [r for r in resolver.txt(qname) if is_dmarc_record(r)]
        if len(records) > 1:
            return None, qname, at_org  # several records: no policy (6.6.3 step 2)
        if records:
            return parse_record(records[0]), qname, at_org
    return None, "", False


def aligned(identifier: str, from_domain: str, mode: str) -> bool:
    """Is ``identifier`` aligned with the From domain: the same domain (``s``) or organization (``r``)."""
    if not identifier or not from_domain:
        return False
    if mode == "s":
        return to_unicode(identifier) == to_unicode(from_domain)
    return same_organization(identifier, from_domain)


def sampled(raw: bytes, pct: int) -> bool:
    """Is this message inside the ``pct`` sample?  Decided by its hash: the same message, the same answer."""
    if pct >= 100:
        return True
    return int.from_bytes(hashlib.sha256(raw).digest()[:2], "big") % 100 < pct


@dataclass(frozen=True, slots=True)
class Identifiers:
    """The authenticated identifiers of one message, and those whose check could not be completed."""

    dkim_pass: tuple[str, ...]  # d= of every passing signature
    dkim_pending: tuple[str, ...]  # d= of temperror signatures ("" when unreadable)
    spf: AuthResult | None

    def dkim_aligned(self, from_domain: str, mode: str) -> str:
        return next((d for d in self.dkim_pass if aligned(d, from_domain, mode)), "")

    def spf_aligned(self, from_domain: str, mode: str) -> str:
        spf = self.spf
        ok = spf is not None and spf.result == "pass" and aligned(spf.domain, from_domain, mode)
        return spf.domain if ok and spf is not None else ""

    def pending(self, from_domain: str) -> bool:
        """Could an identifier that we failed to check have aligned (relaxed)?"""
        if any(not d or aligned(d, from_domain, "r") for d in self.dkim_pending):
            return True
        spf = self.spf
        if spf is None or spf.result != "temperror":
            return False
        return not spf.domain or aligned(spf.domain, from_domain, "r")


def identifiers(ctx: AnalysisContext) -> Identifiers:
    sigs: Sequence[Any] = ctx.memo.get(DKIM) or ()
    spf = ctx.memo.get(SPF)
    return Identifiers(
        tuple(str(s.domain) for s in sigs if s.result == "pass" and s.domain),
        tuple(str(s.domain) for s in sigs if s.result == "temperror"),
        spf if isinstance(spf, AuthResult) else None,
    )


class DmarcAnalyzer:
    """DMARC for the From domain from the DKIM and SPF results; decides spoofed brand senders."""

    name: ClassVar[str] = NAME
    after: ClassVar[tuple[str, ...]] = (DKIM, SPF)
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo(DMARC_PASS, 0.0, Category.SENDER,
                 "informational: DMARC passes (an SPF or DKIM identifier aligned with the From domain passed)"),
        CodeInfo("dmarc.fail", 3.0, Category.SENDER,
                 "DMARC fails and the From domain's policy asks for quarantine or reject (policy in the detail)"),
        CodeInfo("dmarc.fail_unenforced", 0.5, Category.SENDER,
                 "DMARC fails, but the From domain's policy is p=none (monitoring only)"),
        CodeInfo("dmarc.none", 0.0, Category.SENDER, "the From domain publishes no DMARC record"),
        CodeInfo("dmarc.temperror", 0.0, Category.SENDER,
                 "DMARC could not be evaluated (DNS failure, or an identifier's check failed): no evidence"),
        CodeInfo("dmarc.permerror", 0.3, Category.SENDER, "the From domain's DMARC record has no usable policy"),
        CodeInfo("brand.spoofed_domain", 12.0, Category.SENDER,
                 "From is an exchange/wallet brand's own domain but DMARC does not pass (no aligned DKIM or SPF)"),
    )

    def analyze_message(
        self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding], ctx: AnalysisContext
    ) -> Iterator[Finding | AddHeader]:
        if DKIM not in ctx.memo and SPF not in ctx.memo:
            return  # no sender authentication ran: nothing to decide on
        ids = identifiers(ctx)
        from_domain = msg.from_domain
        trusted = bool(ids.dkim_aligned(from_domain, "r") or ids.spf_aligned(from_domain, "r"))
        if ctx.config.dkim.dmarc:
            result, finding = self.evaluate(msg, ids, ctx)
            ctx.memo[NAME] = result
            yield finding
            if result.result in ("pass", "fail"):
                trusted = result.result == "pass"
        brand = brands_for(ctx).owner(from_domain)
        if brand is not None and not trusted and not ids.pending(from_domain):
            dkim = ", ".join(ids.dkim_pass[:4]) or "none"
            spf = f"{ids.spf.result} for {ids.spf.domain or '?'}" if ids.spf is not None else "not evaluated"
            yield Finding("brand.spoofed_domain", NAME, "",
                          f"From {from_domain} ({brand.display}): DMARC does not pass (passing DKIM d=: {dkim}; "
                          f"SPF: {spf})")

    def evaluate(self, msg: MessageInfo, ids: Identifiers, ctx: AnalysisContext) -> tuple[AuthResult, Finding]:
        from_domain = msg.from_domain
        header_from = (("header.from", ascii_domain(from_domain) or from_domain),)

        def out(result: str, code: str, detail: str, note: str = "") -> tuple[AuthResult, Finding]:
            return AuthResult("dmarc", result, header_from, note, detail, from_domain), Finding(code, NAME, "", detail)

        if not from_domain:
            return out("none", "dmarc.none", "no From domain")
        try:
            policy, where, at_org = discover(from_domain, Resolver(ctx))
        except DnsTempError as exc:
            return out("temperror", "dmarc.temperror", f"_dmarc lookup for {from_domain}: {exc}")
        except RecordError as exc:
            return out("permerror", "dmarc.permerror", f"DMARC record for {from_domain}: {exc}")
        if policy is None:
            why = f"several DMARC records at {where}" if where else f"no DMARC record for {from_domain}"
            return out("none", "dmarc.none", why)
        dkim_d = ids.dkim_aligned(from_domain, policy.adkim)
        spf_d = ids.spf_aligned(from_domain, policy.aspf)
        applied = policy.for_domain(at_org)
        modes = f"adkim={policy.adkim} aspf={policy.aspf}"
        if dkim_d or spf_d:
            how = f"DKIM d={dkim_d}" if dkim_d else f"SPF {spf_d}"
            return out("pass", DMARC_PASS, f"{how} aligned with From {from_domain} ({modes}; {where})",
                       f"p={applied}")
        if ids.pending(from_domain):
            return out("temperror", "dmarc.temperror",
                       f"From {from_domain}: an identifier that could align was not checked (DNS temperror)")
        disposition = applied if sampled(msg.raw, policy.pct) else MILDER[applied]
        spf_note = "" if ids.spf is not None else "; SPF not evaluated (no client address)"
        detail = (f"From {from_domain}: p={applied} pct={policy.pct} dis={disposition} ({where}, {modes}); "
                  f"no aligned identifier passes (DKIM d=: {', '.join(ids.dkim_pass[:4]) or 'none'}; "
                  f"SPF: {ids.spf.result + ' ' + ids.spf.domain if ids.spf is not None else 'none'}){spf_note}")
        code = "dmarc.fail" if disposition != "none" else "dmarc.fail_unenforced"
        return out("fail", code, detail, f"p={applied} dis={disposition}")
