"""Allowlist hits as findings (``allow.*``): attachment hashes, macro-code hashes, DKIM-proven sender domains.

What is listed and what a hit does to the verdict is :mod:`coinguard.allowlist`; this analyzer only
looks: every Item whose SHA-256 is listed (``allow.sha256``, path = that item), every document
whose macro source hashes to a listed value (``allow.macro``, path = the document), and a From
domain that is listed *and* has an aligned passing DKIM signature (``allow.sender_domain``).  A
listed domain without that signature is ``allow.sender_unverified`` (informational): the forger's
attempt is visible, and nothing is trusted.  A bare From or envelope address is never trusted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from coinguard import allowlist
from coinguard.findings import DKIM_ALIGNED, Category, CodeInfo, Finding, Item, Role
from coinguard.handlers import AddHeader, AnalysisContext, MessageInfo

NAME = "allow"


def _listed_domain(domain: str, listed: frozenset[str]) -> str:
    """The listed entry ``domain`` falls under (itself or a parent), or ""."""
    domain = domain.lower().rstrip(".")
    labels = domain.split(".")
    for i in range(len(labels) - 1):
        candidate = ".".join(labels[i:])
        if candidate in listed:
            return candidate
    return ""


class AllowlistAnalyzer:
    name: ClassVar[str] = NAME
    after: ClassVar[tuple[str, ...]] = ("dkim_auth",)  # reads DKIM_ALIGNED
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo(allowlist.ALLOW_SHA256, 0.0, Category.MESSAGE,
                 "informational: this file's SHA-256 is allowlisted; findings in it do not count"),
        CodeInfo(allowlist.ALLOW_MACRO, 0.0, Category.MESSAGE,
                 "informational: this document's macro code is allowlisted; its macro findings do not count"),
        CodeInfo(allowlist.ALLOW_SENDER, 0.0, Category.SENDER,
                 "informational: the From domain is allowlisted and DKIM-verified (aligned): "
                 "delivered and tagged at most, unless malware is conclusive"),
        CodeInfo("allow.sender_unverified", 0.0, Category.SENDER,
                 "informational: the From domain is allowlisted but no aligned DKIM signature passed: not trusted"),
    )

    def analyze_message(
        self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding], ctx: AnalysisContext
    ) -> Iterator[Finding | AddHeader]:
        listed = allowlist.load(ctx.config)
        if not listed:
            return
        for item in items:
            if item.sha256 in listed.sha256:
                yield Finding(allowlist.ALLOW_SHA256, self.name, item.path, f"sha256 {item.sha256}")
            if (item.role == Role.EXTRACTED and item.source == allowlist.MACRO_ANALYZER
                    and item.path.endswith("/" + allowlist.MACRO_ITEM)):
                digest = allowlist.macro_hash(item.data)
                if digest in listed.macro_sha256:
                    document = item.path[: -len(allowlist.MACRO_ITEM) - 1]
                    yield Finding(allowlist.ALLOW_MACRO, self.name, document, f"macro sha256 {digest}")
        entry = _listed_domain(msg.from_domain, listed.sender_domains) if msg.from_domain else ""
        if entry:
            if any(f.code == DKIM_ALIGNED for f in findings):
                detail = f"{msg.from_domain} (listed: {entry}), DKIM aligned pass"
                yield Finding(allowlist.ALLOW_SENDER, self.name, "", detail)
            else:
                yield Finding("allow.sender_unverified", self.name, "", f"{msg.from_domain} (listed: {entry})")
