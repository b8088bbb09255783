"""STIX 2.1 bundle of one message or campaign, built and validated by the ``stix2`` library.

Contents (every object carries the TLP marking and ``created_by_ref`` to our identity):

- ``identity`` (the reporting site), the TLP ``marking-definition``;
- one ``indicator`` per value with a STIX pattern: ``[file:hashes.'SHA-256' = '…']``,
  ``[url:value = '…']``, ``[domain-name:value = '…']``, ``[email-addr:value = '…']``,
  ``[ipv4-addr:value = '…']`` / ``ipv6-addr``;
- one ``attack-pattern`` per ATT&CK technique the finding codes name (``techniques.TABLE``),
  with its ``mitre-attack`` external reference;
- for a campaign a ``campaign`` object: indicators ``indicates`` it and it ``uses`` the
  attack patterns; for one message the indicators ``indicates`` the attack patterns;
- wallet addresses in a ``note``: STIX 2.1 has no cryptocurrency object, and a note is the
  standard object that parses with ``allow_custom=False`` everywhere (a custom ``x-`` object
  or an extension would need the receiver to know it);
- a ``report`` object listing everything.

Ids are UUIDv5 of their content: an indicator's id is that of its pattern within this case,
so exporting the same case again gives the same ids (a receiver updates instead of
duplicating) and times come from the messages, so the same input gives the same bundle.
The identity and the attack patterns do not depend on the case and carry a fixed
``created`` time, as STIX versioning requires for one id.
"""

from __future__ import annotations

import socket
import uuid
from datetime import UTC, datetime
from typing import Any

import stix2

from coinguard.report.campaigns import Campaign
from coinguard.report.settings import ReportSettings
from coinguard.report.techniques import Technique, codes_for, techniques_for

#: Namespace of our UUIDv5 ids (uuid5 of the URL namespace and our project name).
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://coinguard.invalid/stix")

#: ``created`` of the objects shared by every case (identity, attack patterns).
FIXED_CREATED = datetime(2026, 1, 1, tzinfo=UTC)

TLP_MARKINGS = {"clear": stix2.TLP_WHITE, "green": stix2.TLP_GREEN, "amber": stix2.TLP_AMBER, "red": stix2.TLP_RED}


def _id(kind: str, *parts: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, '|'.join((kind, *parts)))}"


def quote(value: str) -> str:
    """A STIX pattern string literal: ``'`` and ``\\`` escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def organization(settings: ReportSettings) -> str:
    return settings.organization or f"coinguard at {socket.getfqdn()}"


def patterns(case: Campaign, settings: ReportSettings) -> list[tuple[str, str, str]]:
    """(pattern, name, description) of every indicator of the case."""
    out: list[tuple[str, str, str]] = []
    for f in case.files:
        out.append((f"[file:hashes.'SHA-256' = {quote(f.sha256)}]", f"attachment {f.name}",
                    f"{f.type or 'file'} of {f.size} bytes at {f.path}"))
    for url in case.reportable_urls(settings):
        out.append((f"[url:value = {quote(url)}]", "link in the message", url))
    for domain in case.reportable_domains(settings):
        out.append((f"[domain-name:value = {quote(domain)}]", "link domain", f"registrable domain of a link: {domain}"))
    for addr in case.senders:
        out.append((f"[email-addr:value = {quote(addr)}]", "sender address", "envelope or header sender"))
    for ip in case.origin_ips:
        kind = "ipv6-addr" if ":" in ip else "ipv4-addr"
        out.append((f"[{kind}:value = {quote(ip)}]", "sending host", "the host that delivered the message to us"))
    return out


def _description(case: Campaign) -> str:
    first = case.members[0].indicators
    if case.id.startswith("camp-"):
        return (f"{len(case.members)} messages from {case.first_seen:%Y-%m-%d} to {case.last_seen:%Y-%m-%d}, "
                f"to {len(case.recipients)} recipient(s); shared: {', '.join(map(str, case.shared[:6]))}")
    return f"verdict {first.verdict} score {first.score:g}; subject: {first.subject[:200]}"


def build(case: Campaign, settings: ReportSettings) -> stix2.Bundle:
    marking = TLP_MARKINGS[settings.tlp]
    created = case.first_seen
    modified = max(case.last_seen, created)
    identity = stix2.Identity(id=_id("identity", organization(settings)), name=organization(settings),
                              identity_class="organization", created=FIXED_CREATED, modified=FIXED_CREATED)
    common: dict[str, Any] = {"created_by_ref": identity.id, "object_marking_refs": [marking.id],
                              "created": created, "modified": modified}
    objects: list[Any] = [marking, identity]

    indicators = [
        stix2.Indicator(id=_id("indicator", case.id, pattern), name=name, description=desc, pattern=pattern,
                        pattern_type="stix", valid_from=created, indicator_types=["malicious-activity"], **common)
        for pattern, name, desc in patterns(case, settings)
    ]
    objects += indicators
    techniques = techniques_for(case.codes)
    attack = [_attack_pattern(t, common) for t in techniques]
    why = {a.id: "named by coinguard findings: " + (", ".join(codes_for(t, case.codes)) or "delivery")
           for t, a in zip(techniques, attack, strict=True)}
    objects += attack

    rels: list[stix2.Relationship] = []
    target_ids: list[str]
    if case.id.startswith("camp-"):
        camp = stix2.Campaign(id=_id("campaign", case.id), name=f"coinguard {case.id}",
                              description=_description(case), first_seen=case.first_seen,
                              last_seen=case.last_seen, **common)
        objects.append(camp)
        target_ids = [camp.id]
        rels += [_rel(camp.id, "uses", a.id, common, why[a.id]) for a in attack]
    else:
        target_ids = [a.id for a in attack]
    rels += [_rel(i.id, "indicates", t, common, why.get(t, "")) for i in indicators for t in target_ids]
    objects += rels

    wallets = [w for w in case.wallets if w.complete]
    report_id = _id("report", case.id)
    if wallets:
        objects.append(stix2.Note(
            id=_id("note", case.id, "wallets"),
            abstract="Cryptocurrency addresses in the messages (checksum-verified)",
            content="\n".join(f"{w.coin} {w.kind} {w.address}".replace("  ", " ") for w in wallets),
            object_refs=[report_id, *target_ids] if target_ids else [report_id],
            **common,
        ))
    refs = [o.id for o in objects if o is not marking]
    objects.append(stix2.Report(
        id=report_id, name=f"coinguard report {case.id}", description=_description(case),
        report_types=["campaign" if case.id.startswith("camp-") else "threat-report"],
        published=modified, object_refs=refs, **common,
    ))
    return stix2.Bundle(objects=objects, id=_id("bundle", case.id, *sorted(refs)))


def _attack_pattern(t: Technique, common: dict[str, Any]) -> stix2.AttackPattern:
    return stix2.AttackPattern(
        id=_id("attack-pattern", t.id), name=t.name,
        description=f"ATT&CK {t.id}",
        external_references=[{"source_name": "mitre-attack", "external_id": t.id, "url": t.url}],
        **{**common, "created": FIXED_CREATED, "modified": FIXED_CREATED},
    )


def _rel(source: str, kind: str, target: str, common: dict[str, Any], why: str = "") -> stix2.Relationship:
    extra = {"description": why} if why else {}
    return stix2.Relationship(id=_id("relationship", source, kind, target), source_ref=source,
                              relationship_type=kind, target_ref=target, **extra, **common)


def to_json(case: Campaign, settings: ReportSettings) -> str:
    return str(build(case, settings).serialize(pretty=True, ensure_ascii=False))


__all__ = ["build", "patterns", "quote", "to_json"]
