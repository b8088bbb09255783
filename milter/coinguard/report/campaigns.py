"""Campaigns: quarantined messages that share an attachment, a wallet, a lure domain or a sender.

Grouping is union-find over *links*, indicators that tie two messages to one crew:

=================  ===============================================================  ========
kind               value                                                            strength
=================  ===============================================================  ========
``file``           sha256 of an attachment or extracted child                        0
``wallet``         first 12 characters of a checksum-valid address (the analyzer's   1
                   own prefix; case-folded for hex/bech32)
``domain``         registrable domain of a URL host, unless allowlisted               2
                   (``[report] benign_domains``) or a recipient's own domain
``ip``             the origin IP (first untrusted Received hop), unless its rDNS      3
                   belongs to a shared mailbox provider (``[report] shared_senders``)
``sender-domain``  registrable domain of an envelope/header sender, unless a shared   4
                   provider or a recipient's own domain
``sender``         the full sender address at a shared provider (``gmail.com``...)    4
=================  ===============================================================  ========

Exact IPs rather than /24 networks: a /24 at a cloud or hosting provider holds many unrelated
customers, so it would merge unrelated crews; a bulletproof host reuses its exact address.

**Campaign id** ``camp-<12 hex>``: sha256 of ``kind:value`` of the earliest member's strongest
*shared* link (one that another member has too; for a lone message its strongest link, or its
quarantine id).  It stays the same while new members arrive; it changes only when an older
message joins (an import of an earlier lure re-anchors the campaign) or the earliest member is
purged.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coinguard.report.indicators import (
    FileIndicator,
    Indicators,
    Wallet,
    merge_wallets,
    registrable_domain,
    url_host,
)
from coinguard.report.records import Record
from coinguard.report.settings import ReportSettings

STRENGTH = {"file": 0, "wallet": 1, "domain": 2, "ip": 3, "sender-domain": 4, "sender": 4}


@dataclass(frozen=True, slots=True, order=True)
class Link:
    kind: str
    value: str

    @property
    def strength(self) -> int:
        return STRENGTH[self.kind]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


def _in(domain: str, listed: Iterable[str]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in listed)


def own_domains(recipients: Iterable[str]) -> frozenset[str]:
    """The registrable domains of the recipients: ours, never evidence against a sender."""
    return frozenset(registrable_domain(r.rsplit("@", 1)[1]) for r in recipients if "@" in r)


def reportable_domain(domain: str, own: frozenset[str], settings: ReportSettings) -> bool:
    """A link domain worth linking and exporting: not ours, not on the benign allowlist."""
    return domain not in own and not _in(domain, settings.benign_domains)


def reportable_urls(urls: Iterable[str], own: frozenset[str], settings: ReportSettings) -> tuple[str, ...]:
    """The URLs whose host is an IP or a reportable domain (a google.com logo is not an indicator)."""
    out = []
    for url in urls:
        host = url_host(url)
        if host and reportable_domain(registrable_domain(host), own, settings):
            out.append(url)
    return tuple(out)


def links(ind: Indicators, settings: ReportSettings) -> tuple[Link, ...]:
    """The links of one message (see the module table)."""
    own = own_domains(ind.recipients)
    out: list[Link] = [Link("file", f.sha256) for f in ind.files]
    out += [Link("wallet", w.key) for w in ind.wallets]
    out += [Link("domain", d) for d in ind.domains if reportable_domain(d, own, settings)]
    origin = ind.origin
    if origin is not None and origin.ip:
        rdns_domain = registrable_domain(origin.rdns) if origin.rdns else ""
        if not (rdns_domain and _in(rdns_domain, settings.shared_senders)):
            out.append(Link("ip", origin.ip))
    for addr in ind.sender_addresses:
        domain = registrable_domain(addr.rsplit("@", 1)[1])
        if _in(domain, settings.shared_senders):
            out.append(Link("sender", addr))
        elif domain not in own:
            out.append(Link("sender-domain", domain))
    return tuple(dict.fromkeys(out))


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)  # the earlier record stays the root


@dataclass(frozen=True, slots=True)
class Campaign:
    id: str
    anchor: Link | None
    members: tuple[Record, ...]  # oldest first
    shared: tuple[Link, ...]  # links held by at least two members, strongest first

    @property
    def first_seen(self) -> datetime:
        return self.members[0].received

    @property
    def last_seen(self) -> datetime:
        return self.members[-1].received

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(sorted({r for m in self.members for r in m.indicators.recipients}))

    @property
    def senders(self) -> tuple[str, ...]:
        return tuple(sorted({a for m in self.members for a in m.indicators.sender_addresses}))

    @property
    def sender_domains(self) -> tuple[str, ...]:
        return tuple(sorted({d for m in self.members for d in m.indicators.sender_domains}))

    @property
    def files(self) -> tuple[FileIndicator, ...]:
        seen: dict[str, FileIndicator] = {}
        for m in self.members:
            for f in m.indicators.files:
                seen.setdefault(f.sha256, f)
        return tuple(seen.values())

    @property
    def wallets(self) -> tuple[Wallet, ...]:
        seen: dict[str, Wallet] = {}
        for m in self.members:
            for w in m.indicators.wallets:
                seen[w.key] = merge_wallets(seen.get(w.key), w)
        return tuple(seen.values())

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(d for m in self.members for d in m.indicators.domains))

    @property
    def urls(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u for m in self.members for u in m.indicators.urls))

    def reportable_domains(self, settings: ReportSettings) -> tuple[str, ...]:
        own = own_domains(self.recipients)
        return tuple(d for d in self.domains if reportable_domain(d, own, settings))

    def reportable_urls(self, settings: ReportSettings) -> tuple[str, ...]:
        return reportable_urls(self.urls, own_domains(self.recipients), settings)

    @property
    def origin_ips(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.indicators.origin_ip for m in self.members if m.indicators.origin_ip))

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for m in self.members for c in m.indicators.codes))

    @property
    def verdicts(self) -> dict[str, int]:
        return dict(Counter(m.indicators.verdict for m in self.members))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "anchor": str(self.anchor) if self.anchor else None,
            "first_seen": self.first_seen.isoformat(timespec="seconds"),
            "last_seen": self.last_seen.isoformat(timespec="seconds"),
            "messages": len(self.members),
            "reported": sum(1 for m in self.members if m.reported),
            "verdicts": self.verdicts,
            "members": [m.id for m in self.members],
            "recipients": list(self.recipients),
            "senders": list(self.senders),
            "sender_domains": list(self.sender_domains),
            "origin_ips": list(self.origin_ips),
            "files": [f.to_json() for f in self.files],
            "wallets": [w.to_json() for w in self.wallets],
            "domains": list(self.domains),
            "shared": [str(s) for s in self.shared],
            "codes": list(self.codes),
        }


def campaign_id(anchor: Link | None, fallback: str) -> str:
    text = str(anchor) if anchor is not None else f"message:{fallback}"
    return "camp-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def group(records: Sequence[Record], settings: ReportSettings, min_size: int = 2) -> list[Campaign]:
    """Campaigns of at least ``min_size`` messages, newest activity first."""
    records = sorted(records, key=lambda r: (r.received, r.id))
    per_record = [links(r.indicators, settings) for r in records]
    uf = _UnionFind(len(records))
    first: dict[Link, int] = {}
    for i, record_links in enumerate(per_record):
        for link in record_links:
            if link in first:
                uf.union(first[link], i)
            else:
                first[link] = i
    clusters: dict[int, list[int]] = {}
    for i in range(len(records)):
        clusters.setdefault(uf.find(i), []).append(i)
    out: list[Campaign] = []
    for members in clusters.values():
        if len(members) < min_size:
            continue
        counts = Counter(link for i in members for link in per_record[i])
        shared = tuple(sorted((k for k, n in counts.items() if n >= 2), key=lambda k: (k.strength, k.kind, k.value)))
        earliest = per_record[members[0]]
        candidates = [k for k in earliest if counts[k] >= 2] or list(earliest)
        anchor = min(candidates, key=lambda k: (k.strength, k.kind, k.value)) if candidates else None
        out.append(Campaign(campaign_id(anchor, records[members[0]].id), anchor,
                            tuple(records[i] for i in members), shared))
    out.sort(key=lambda c: (c.last_seen, c.id), reverse=True)
    return out


def find(records: Sequence[Record], campaign: str, settings: ReportSettings) -> Campaign | None:
    """The campaign with this id (lone messages included), or None."""
    return next((c for c in group(records, settings, min_size=1) if c.id == campaign), None)


def single(record: Record) -> Campaign:
    """One message as a report subject (the exports take a Campaign either way); its id is the quarantine id."""
    return Campaign(record.id, None, (record,), ())


def is_campaign_id(text: str) -> bool:
    return text.startswith("camp-")
