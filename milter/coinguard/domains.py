"""Domain names: registrable domain (Public Suffix List), organisation alignment, visual skeletons.

Domains are compared on their registrable part through the Public Suffix List
(``publicsuffixlist``, bundled data, no download at run time).  :func:`skeleton` maps strings
that look alike (homoglyphs, ``rn``/``m``, ``0``/``o``) to the same text; :func:`edit_distance`
is the Damerau (optimal string alignment) distance.  Shared by the brand and sender
authentication analyzers (DMARC-style alignment is :func:`same_organization`).

Core module: imports no analyzer.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING

from coinguard.text import SCRIPT_LOOKALIKES, normalize

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList


@cache
def _psl() -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def to_unicode(domain: str) -> str:
    """Lower-case domain with ``xn--`` labels decoded (undecodable labels are kept as they are)."""
    labels = []
    for label in domain.strip().strip(".").lower().split("."):
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except (UnicodeError, ValueError):
                pass
        labels.append(label)
    return ".".join(labels)


def registrable(domain: str) -> str:
    """The registrable ("organizational") domain per the PSL, or '' (bare suffix, single label, empty)."""
    domain = to_unicode(domain)
    if not domain or "." not in domain:
        return ""
    try:
        return _psl().privatesuffix(domain) or ""
    except (ValueError, UnicodeError):
        return ""


def same_organization(a: str, b: str) -> bool:
    """DMARC relaxed alignment: both domains have the same registrable domain."""
    ra, rb = registrable(a), registrable(b)
    return bool(ra) and ra == rb


def first_label(reg: str) -> str:
    suffix = _psl().publicsuffix(reg) or ""
    head = reg[: -len(suffix) - 1] if suffix and reg.endswith("." + suffix) else reg
    return head.rsplit(".", 1)[-1]


_ASCII_CONFUSABLE = (("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"), ("i", "l"), ("|", "l"))


@lru_cache(maxsize=4096)
def skeleton(text: str) -> str:
    """A visual skeleton: two strings that look alike map to the same skeleton (hyphens dropped).

    Greek/Cyrillic small letters that pass for Latin ones (``к``, ``м``, ``т``...) are folded everywhere, not
    only in mixed-script words as in text: a domain label written all in such letters is a look-alike too.
    """
    out = normalize(text.translate(SCRIPT_LOOKALIKES)).replace("-", "").replace(" ", "")
    for a, b in _ASCII_CONFUSABLE:
        out = out.replace(a, b)
    return out


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Optimal-string-alignment distance (Damerau: a swap of neighbours is one edit), early exit past limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]
