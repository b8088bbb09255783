"""The exchange and wallet brand table (``config/brands.toml``) and where a text names a brand.

The format is documented in ``config/brands.toml``'s header.  A :class:`BrandTable` answers
"whose domain is this" (:meth:`BrandTable.owner`) and "which brands does this text name"
(:func:`mentioned`).  Shared by the brand, crypto-theme and DKIM analyzers.

Core module: imports no analyzer.
"""

from __future__ import annotations

import logging
import os
import threading
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field

from coinguard.domains import first_label, registrable, to_unicode
from coinguard.findings import DKIM_ALIGNED, DMARC_PASS, Finding
from coinguard.handlers import AnalysisContext, MessageInfo
from coinguard.text import PhraseMatcher, normalized

log = logging.getLogger(__name__)


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
    #: own domain -> brand (the first brand listing it), for one dictionary probe per domain suffix
    by_domain: dict[str, Brand] = field(default_factory=dict, compare=False, hash=False)
    #: (domain, context) -> look-alike verdict, shared by every scan using this table (bounded)
    lookalikes: dict[tuple[str, bool], Lookalike | None] = field(default_factory=dict, compare=False, hash=False)

    def owner(self, domain: str) -> Brand | None:
        """The brand whose own domain ``domain`` is (or is under)."""
        if not domain:
            return None
        labels = to_unicode(domain).split(".")
        for i in range(len(labels) - 1):
            brand = self.by_domain.get(".".join(labels[i:]))
            if brand is not None:
                return brand
        return None


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
    by_domain: dict[str, Brand] = {}
    for brand in brands:
        for own in brand.domains:
            by_domain.setdefault(own, brand)
    return BrandTable(tuple(brands), _name_index(brands, "names"), _name_index(brands, "weak_names"), by_domain)


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


#: Free mailbox providers: a business's receipts, alerts and support replies never come from these (the
#: callback scam of crypto_theme, a brand named in a free mailbox's address in brands).
FREEMAIL = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
    "yahoo.co.uk", "yahoo.co.jp", "ymail.com", "aol.com", "icloud.com", "me.com", "mail.com", "gmx.com",
    "gmx.de", "gmx.net", "web.de", "mail.ru", "yandex.ru", "yandex.com", "proton.me", "protonmail.com",
    "zoho.com", "naver.com", "daum.net", "hanmail.net", "qq.com", "163.com", "126.com",
})


def mentioned(text: str, table: BrandTable, *, context: bool, ctx: AnalysisContext | None = None) -> set[int]:
    """Indexes of brands named in ``text`` (weak names only when ``context`` is true)."""
    if not text:
        return set()
    return mentioned_norm(normalized(ctx, text), table, context=context)


def mentioned_norm(norm: str, table: BrandTable, *, context: bool) -> set[int]:
    """:func:`mentioned` on already normalised text."""
    found: set[int] = set()
    for index in (table.strong, table.weak) if context else (table.strong,):
        found.update(index.owner[i] for i in index.matcher.find(norm))
    return found


@dataclass(frozen=True, slots=True)
class Lookalike:
    """A domain that imitates ``brand`` (the brands analyzer decides; BrandTable memoises)."""

    brand: Brand
    domain: str
    reason: str


def verified_brand_sender(msg: MessageInfo, findings: Sequence[Finding], ctx: AnalysisContext) -> bool:
    """From is a brand's own domain and DMARC (or DKIM) passed aligned with it (readers run ``after`` dmarc_auth)."""
    if not any(f.code in (DMARC_PASS, DKIM_ALIGNED) for f in findings):
        return False
    return brands_for(ctx).owner(msg.from_domain) is not None
