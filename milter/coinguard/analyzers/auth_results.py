"""One ``Authentication-Results`` header (RFC 8601) for every sender-authentication result.

Runs after ``dkim_auth``, ``spf_auth``, ``dmarc_auth`` and ``arc_auth`` and joins what they left in
``ctx.memo``, in that order, into one value on one line (at most :data:`MAX_HEADER_VALUE` characters;
DKIM reasons are dropped first, then trailing results)::

    mx.example.net; dkim=pass header.d=example.com header.s=sel header.b=abcdefgh;
     spf=pass smtp.mailfrom=example.com; dmarc=pass (p=reject) header.from=example.com;
     arc=pass (i=1 d=lists.example.org)

(shown folded; the value is one line).  A method that did not run is absent: SPF without a client
address, ARC when ``[dkim] arc`` is off.  ARC's registered results are pass/fail/none (RFC 8617), so
an ARC chain whose keys could not be fetched is left out (its ``arc.temperror`` finding says why).
The daemon adds the header on top and removes incoming ones that claim our authserv-id.  Off with
``[dkim] add_header = false``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from coinguard.analyzers.auth_common import ARC, DKIM, DMARC, SPF, AuthResult, authserv_id
from coinguard.findings import AddHeader, CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext, MessageInfo

NAME = "auth_results"
HEADER = "Authentication-Results"
#: Longest value we produce (one unfolded line stays well under RFC 5322's 998).
MAX_HEADER_VALUE = 900


def _resinfos(memo: dict[str, Any], brief: bool) -> list[str]:
    out: list[str] = []
    sigs: Sequence[Any] | None = memo.get(DKIM)
    if sigs is not None:
        if not sigs:
            out.append("dkim=none")
        for s in sigs:
            out.append((dataclasses.replace(s, reason="") if brief and s.reason else s).resinfo())
    for key in (SPF, DMARC, ARC):
        r = memo.get(key)
        if isinstance(r, AuthResult) and not (key == ARC and r.result == "temperror"):
            out.append(r.resinfo())
    return out


def header_value(authserv: str, memo: dict[str, Any]) -> str:
    """The combined value, or "" when no method ran."""
    parts = _resinfos(memo, brief=False)
    if not parts:
        return ""
    value = f"{authserv}; " + "; ".join(parts)
    if len(value) > MAX_HEADER_VALUE:
        value = f"{authserv}; " + "; ".join(_resinfos(memo, brief=True))
    while len(value) > MAX_HEADER_VALUE and ";" in value[len(authserv) + 1:]:
        value = value.rsplit(";", 1)[0]
    return value[:MAX_HEADER_VALUE]


class AuthResultsHeader:
    """Builds the one Authentication-Results header from the sender-authentication results."""

    name: ClassVar[str] = NAME
    after: ClassVar[tuple[str, ...]] = (DKIM, SPF, DMARC, ARC)
    codes: ClassVar[tuple[CodeInfo, ...]] = ()

    def analyze_message(
        self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding], ctx: AnalysisContext
    ) -> Iterator[Finding | AddHeader]:
        if not ctx.config.dkim.add_header:
            return
        value = header_value(authserv_id(ctx.config), ctx.memo)
        if value:
            yield AddHeader(HEADER, value)
