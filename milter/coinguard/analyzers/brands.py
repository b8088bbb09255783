"""Exchange and wallet brands: impersonation by name, look-alike sender domains and links.

The brand table is ``config/brands.toml`` (format in its header).  Domains are compared on
their registrable part through the Public Suffix List (``publicsuffixlist``, bundled data,
no download at run time).  A look-alike is a registrable domain that is not the brand's but
whose first label

- folds to the brand label after homoglyph folding (Unicode confusables, IDN/punycode decoded,
  ``0``/``o``, ``1``/``l``/``i``, ``rn``/``m``, ``vv``/``w``; hyphens ignored),
- is within a small edit distance of it (1 for labels of 6+ letters, 2 for 10+),
- contains it as a word (``upbit-security.com``) or, for distinctive labels, as a substring
  (``metamaskwallet.io``),

or a domain that carries the brand in a subdomain of someone else's registrable domain
(``binance.com.secure-login.xyz``, ``metamask.wallet-sync.app``).
"""

from __future__ import annotations

import logging
import os
import re
import threading
import tomllib
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import ClassVar

from coinguard.analyzers.base import AnalysisContext, MessageInfo
from coinguard.analyzers.crypto_theme import (
    PhraseMatcher,
    lures_for,
    match_lures,
    normalize,
    verified_brand_sender,
)
from coinguard.findings import Category, CodeInfo, Finding, Item

log = logging.getLogger(__name__)

NAME = "brands"
MAX_LINK_HOSTS = 300
MAX_LINK_FINDINGS = 5

#: brand.impersonation score by where the brand is named (From display name is the claim that matters).
SCORE_DISPLAY = 5.0
SCORE_SUBJECT = 3.0
SCORE_BODY = 1.0
#: Lure weight (lures.txt) that gives a mail crypto context even without a topic word ("complete the
#: 2FA verification ... withdrawing funds"): brands with everyday-word names then count.
CONTEXT_LURE_WEIGHT = 3.0


# ---------------------------------------------------------------------------- domains


@cache
def _psl():  # type: ignore[no-untyped-def]
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
    """A visual skeleton: two strings that look alike map to the same skeleton (hyphens dropped)."""
    out = normalize(text).replace("-", "").replace(" ", "")
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


# ---------------------------------------------------------------------------- the brand table


@dataclass(frozen=True, slots=True)
class Brand:
    id: str
    names: tuple[str, ...]
    weak_names: tuple[str, ...]
    domains: tuple[str, ...]  # registrable domains, lower case
    labels: tuple[str, ...]  # registrable labels used for look-alike detection

    @property
    def display(self) -> str:
        return self.names[0] if self.names else self.id

    def owns(self, domain: str) -> bool:
        """True when ``domain`` is one of the brand's domains or a subdomain of one."""
        d = to_unicode(domain)
        return any(d == own or d.endswith("." + own) for own in self.domains)


@dataclass(frozen=True, slots=True)
class BrandTable:
    brands: tuple[Brand, ...]
    strong: NameIndex
    weak: NameIndex

    def owner(self, domain: str) -> Brand | None:
        """The brand whose own domain ``domain`` is (or is under)."""
        if not domain:
            return None
        return next((b for b in self.brands if b.owns(domain)), None)


class BrandFormatError(ValueError):
    """brands.toml is malformed."""


def _strs(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise BrandFormatError(f"{where}: expected a list of non-empty strings")
    return tuple(v.strip() for v in value)


def parse_brands(text: str, source: str = "<brands>") -> tuple[Brand, ...]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BrandFormatError(f"{source}: {exc}") from None
    table = data.get("brand", {})
    if not isinstance(table, dict) or set(data) - {"brand"}:
        raise BrandFormatError(f"{source}: expected only [brand.<id>] tables")
    out: list[Brand] = []
    for bid, spec in table.items():
        where = f"{source}: [brand.{bid}]"
        if not isinstance(spec, dict):
            raise BrandFormatError(f"{where}: must be a table")
        unknown = set(spec) - {"names", "weak_names", "domains", "labels"}
        if unknown:
            raise BrandFormatError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        names = _strs(spec.get("names", []), f"{where}.names")
        weak = _strs(spec.get("weak_names", []), f"{where}.weak_names")
        domains = tuple(to_unicode(d) for d in _strs(spec.get("domains", []), f"{where}.domains"))
        if not domains or not (names or weak):
            raise BrandFormatError(f"{where}: needs domains and names or weak_names")
        if "labels" in spec:
            raw_labels = spec["labels"]
            labels = _strs(raw_labels, f"{where}.labels") if raw_labels else ()
        else:
            labels = tuple(dict.fromkeys(first_label(d) for d in domains if registrable(d)))
        out.append(Brand(str(bid), names, weak, domains, tuple(dict.fromkeys(x.lower() for x in labels))))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class NameIndex:
    matcher: PhraseMatcher
    owner: tuple[int, ...]  # phrase index -> brand index


def _name_index(brands: Sequence[Brand], attr: str) -> NameIndex:
    names: list[str] = []
    owner: list[int] = []
    for i, brand in enumerate(brands):
        for name in getattr(brand, attr):
            names.append(name)
            owner.append(i)
    return NameIndex(PhraseMatcher(names), tuple(owner))


def build_table(brands: Sequence[Brand]) -> BrandTable:
    return BrandTable(tuple(brands), _name_index(brands, "names"), _name_index(brands, "weak_names"))


_CACHE: dict[tuple[str, float], BrandTable] = {}
_CACHE_LOCK = threading.Lock()


def load_brands(path: str) -> BrandTable:
    """The brand table from ``path``, cached by path and mtime; a broken file is logged and gives no brands."""
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = -1.0
    key = (path, mtime)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    try:
        with open(path, encoding="utf-8") as fh:
            table = build_table(parse_brands(fh.read(), path))
    except (OSError, UnicodeDecodeError, BrandFormatError) as exc:
        log.error("brand list %s not loaded: %s", path, exc)
        table = build_table(())
    with _CACHE_LOCK:
        _CACHE[key] = table
    return table


def brands_for(ctx: AnalysisContext) -> BrandTable:
    return load_brands(ctx.config.crypto.brands_file)


def mentioned(text: str, table: BrandTable, *, context: bool) -> set[int]:
    """Indexes of brands named in ``text`` (weak names only when ``context`` is true)."""
    if not text:
        return set()
    norm = normalize(text[: 1024 * 1024])
    found: set[int] = set()
    for index in (table.strong, table.weak) if context else (table.strong,):
        found.update(index.owner[i] for i in index.matcher.find(norm))
    return found


# ---------------------------------------------------------------------------- look-alikes


@dataclass(frozen=True, slots=True)
class Lookalike:
    brand: Brand
    domain: str
    reason: str


def _label_reason(label: str, brand_label: str, weak: bool) -> str:
    """Why registrable label ``label`` imitates ``brand_label`` ('' when it does not)."""
    skel, target = skeleton(label), skeleton(brand_label)
    if not skel or not target:
        return ""
    if skel == target:
        return "brand name on another domain" if label.lower().replace("-", "") == brand_label else "homoglyph"
    if target in (skeleton(t) for t in re.split(r"[-_]+", label) if t):
        return "brand plus word"
    if weak:  # an everyday word: only exact look-alikes above
        return ""
    if len(target) >= 5 and target in skel:
        return "contains brand"
    if len(target) >= 6 and len(skel) >= 6:
        limit = 2 if len(target) >= 10 else 1
        if edit_distance(skel, target, limit) <= limit:
            return "edit distance"
    return ""


def lookalike(domain: str, table: BrandTable, *, context: bool = True) -> Lookalike | None:
    """The brand ``domain`` imitates, or None.  Brands with everyday-word names need crypto ``context``."""
    domain = to_unicode(domain)
    reg = registrable(domain)
    if not reg or table.owner(domain) is not None:
        return None
    label = first_label(reg)
    sub = domain[: -len(reg)].rstrip(".")
    sub_skels = {skeleton(s) for s in re.split(r"[.\-_]+", sub) if s}
    for brand in table.brands:
        weak = bool(brand.weak_names)
        if weak and not context:
            continue
        if sub and any(f".{own}." in f".{sub}." for own in brand.domains):
            return Lookalike(brand, domain, "brand domain inside another domain")
        if sub and any(skeleton(bl) in sub_skels for bl in brand.labels):
            return Lookalike(brand, domain, "brand in a subdomain of another domain")
        native = normalize(label)
        if not native.isascii() and any(normalize(n).replace(" ", "") == native for n in brand.names):
            return Lookalike(brand, domain, "brand name as an IDN label")
        for brand_label in brand.labels:
            reason = _label_reason(label, brand_label, weak)
            if reason:
                return Lookalike(brand, domain, reason)
    return None


_URL = re.compile(r"\bhttps?://[^\s<>\"'()\[\]]{3,2000}", re.IGNORECASE)


def link_hosts(links: Iterable[str], text: str = "") -> list[str]:
    """Distinct host names of http(s) links (HTML hrefs plus URLs written in the text), bounded."""
    hosts: dict[str, None] = {}
    candidates = list(links)[:MAX_LINK_HOSTS * 2] + [m.group(0) for m in _URL.finditer(text[: 1024 * 1024])]
    for link in candidates:
        link = link.strip()
        if not link.lower().startswith(("http://", "https://", "//")):
            continue
        try:
            host = urllib.parse.urlsplit(link if not link.startswith("//") else "http:" + link).hostname or ""
        except ValueError:
            continue
        if host and not re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host):
            hosts[host.rstrip(".")] = None
        if len(hosts) >= MAX_LINK_HOSTS:
            break
    return list(hosts)


# ---------------------------------------------------------------------------- the analyzer


def crypto_context(msg: MessageInfo, ctx: AnalysisContext, table: BrandTable) -> bool:
    """Does the mail talk about crypto, or read like a lure (topic phrase, lure weight, distinctive brand)?"""
    lures = lures_for(ctx)
    text = f"{msg.subject}\n{msg.from_display}\n{msg.body_text}"
    m = match_lures(text, lures)
    if m.topic or m.weight >= CONTEXT_LURE_WEIGHT:
        return True
    return bool(mentioned(text, table, context=False))


class BrandAnalyzer:
    """Brand named by a sender who is not the brand; look-alike sender domains and link hosts."""

    name: ClassVar[str] = NAME
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("brand.impersonation", SCORE_DISPLAY, Category.SENDER,
                 "an exchange/wallet brand is named in the From display name (5), Subject (3) or body (1) "
                 "but the From domain is not one of the brand's domains"),
        CodeInfo("brand.lookalike_domain", 8.0, Category.SENDER,
                 "the From domain imitates a brand's domain (homoglyphs/IDN, edit distance, brand-plus-word, "
                 "brand in a subdomain of another registrable domain)"),
        CodeInfo("brand.lookalike_link", 5.0, Category.SENDER,
                 "a link in the body points to a host that imitates a brand's domain"),
    )

    def analyze_message(
        self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding], ctx: AnalysisContext
    ) -> Iterator[Finding]:
        table = brands_for(ctx)
        if not table.brands or verified_brand_sender(msg, findings, ctx):
            return  # a brand's own, DKIM-verified mail names brands and links its own domains
        context = crypto_context(msg, ctx, table)
        own = table.owner(msg.from_domain)
        sender = msg.from_domain or "(no From domain)"
        places = ((msg.from_display, SCORE_DISPLAY, "From display name"), (msg.subject, SCORE_SUBJECT, "Subject"),
                  (msg.body_text, SCORE_BODY, "body"))
        best: dict[int, tuple[float, str]] = {}
        for text, score, where in places:
            for idx in mentioned(text, table, context=context):
                if score > best.get(idx, (0.0, ""))[0]:
                    best[idx] = (score, where)
        for idx, (score, where) in sorted(best.items(), key=lambda kv: -kv[1][0]):
            brand = table.brands[idx]
            if own is not None and own.id == brand.id:
                continue
            yield Finding("brand.impersonation", NAME, "", f"{brand.display} named in the {where}, sent from {sender}",
                          score=score)
        if msg.from_domain:
            hit = lookalike(msg.from_domain, table, context=context)
            if hit is not None:
                yield Finding("brand.lookalike_domain", NAME, "",
                              f"From domain {hit.domain} imitates {hit.brand.display} ({hit.reason})")
        reported = 0
        for host in link_hosts(msg.body_html_links, msg.body_text):
            ctx.budget.check_time()
            hit = lookalike(host, table, context=context)
            if hit is None or (own is not None and hit.brand.id == own.id):
                continue
            yield Finding("brand.lookalike_link", NAME, "", f"link to {hit.domain} imitates {hit.brand.display} "
                          f"({hit.reason})")
            reported += 1
            if reported >= MAX_LINK_FINDINGS:
                break
