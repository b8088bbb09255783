"""MISP event of one message or campaign, built offline with pymisp (no server needed).

The event carries the same content as the STIX bundle, in MISP's own vocabulary:

- tags: the TLP (``tlp:amber``), one ``misp-galaxy:mitre-attack-pattern`` cluster per
  technique (``techniques.TABLE``), ``coinguard:campaign="camp-…"`` for campaigns;
- per message an ``email`` object (from, reply-to, return-path, subject, message-id,
  ip-src and received-header-hostname of the origin hop, send-date).  The recipients are
  left out: they are the victims, and a MISP event travels further than an abuse report;
- per file a ``file`` object (filename, sha256, size-in-bytes; the sniffed type and path as comment);
- per wallet a ``coin-address`` object (``address`` for BTC, ``address-crypto`` otherwise, ``symbol``);
- loose ``url``, ``domain``, ``ip-src``, ``email-src`` attributes marked ``to_ids`` so they
  correlate and feed the site's IDS exports, and a ``text`` attribute with the finding codes.

``distribution`` is 0 (your organisation only): the admin decides to share it wider in MISP.
"""

from __future__ import annotations

import uuid

from pymisp import MISPEvent, MISPObject

from coinguard.report.campaigns import Campaign, is_campaign_id
from coinguard.report.records import Record
from coinguard.report.settings import ReportSettings
from coinguard.report.stix import NAMESPACE, organization
from coinguard.report.techniques import techniques_for

#: MISP threat levels: 1 high, 2 medium, 3 low, 4 undefined.
THREAT_LEVEL = {"malicious": 1, "suspicious": 2, "unchecked": 3, "clean": 4}


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(("misp", *parts))))


def _email_object(record: Record) -> MISPObject:
    ind = record.indicators
    obj = MISPObject("email", standalone=False)
    obj.uuid = _uuid("email", record.id)
    for addr in ind.header_from or ((ind.envelope_from,) if ind.envelope_from else ()):
        obj.add_attribute("from", addr)
    for addr in ind.reply_to:
        obj.add_attribute("reply-to", addr)
    if ind.return_path:
        obj.add_attribute("return-path", ind.return_path)
    if ind.subject:
        obj.add_attribute("subject", ind.subject, to_ids=False)
    if ind.message_id:
        obj.add_attribute("message-id", ind.message_id, to_ids=False)
    if ind.origin is not None:
        if ind.origin.ip:
            obj.add_attribute("ip-src", ind.origin.ip)
        host = ind.origin.rdns or ind.origin.helo
        if host:
            obj.add_attribute("received-header-hostname", host, to_ids=False)
    obj.add_attribute("send-date", record.received.isoformat(timespec="seconds"), to_ids=False)
    return obj


def build(case: Campaign, settings: ReportSettings) -> MISPEvent:
    event = MISPEvent()
    event.uuid = _uuid("event", case.id)
    worst = min((THREAT_LEVEL.get(m.indicators.verdict, 4) for m in case.members), default=4)
    what = f"campaign {case.id} ({len(case.members)} messages)" if is_campaign_id(case.id) else f"message {case.id}"
    subject = case.members[0].indicators.subject[:120]
    event.info = f"coinguard: crypto-themed mail {what}: {subject}" if subject else f"coinguard: {what}"
    event.distribution = 0
    event.threat_level_id = worst
    event.analysis = 2
    event.date = case.first_seen.date()
    event.add_tag(f"tlp:{settings.tlp}")
    if is_campaign_id(case.id):
        event.add_tag(f'coinguard:campaign="{case.id}"')
    for t in techniques_for(case.codes):
        event.add_tag(t.misp_galaxy_tag)

    for record in case.members:
        event.add_object(_email_object(record))
    for f in case.files:
        obj = MISPObject("file", standalone=False)
        obj.uuid = _uuid("file", case.id, f.sha256)
        obj.add_attribute("filename", f.name, to_ids=False)
        obj.add_attribute("sha256", f.sha256)
        obj.add_attribute("size-in-bytes", f.size, to_ids=False)
        obj.comment = f"{f.path} (coinguard type {f.type or 'unknown'})"
        event.add_object(obj)
    for w in case.wallets:
        if not w.complete:
            continue
        obj = MISPObject("coin-address", standalone=False)
        obj.uuid = _uuid("wallet", case.id, w.address)
        obj.add_attribute("address" if w.coin == "BTC" else "address-crypto", w.address)
        obj.add_attribute("symbol", w.coin, to_ids=False)
        event.add_object(obj)
    for url in case.reportable_urls(settings):
        event.add_attribute("url", url, category="Network activity", to_ids=True)
    for domain in case.reportable_domains(settings):
        event.add_attribute("domain", domain, category="Network activity", to_ids=True)
    for ip in case.origin_ips:
        event.add_attribute("ip-src", ip, category="Network activity", to_ids=True)
    for addr in case.senders:
        event.add_attribute("email-src", addr, category="Payload delivery", to_ids=True)
    if case.codes:
        event.add_attribute("text", "coinguard finding codes: " + ", ".join(case.codes), category="Other",
                            to_ids=False, comment=f"reported by {organization(settings)}")
    _stable_uuids(event)
    return event


def _stable_uuids(event: MISPEvent) -> None:
    """Attribute uuids from their content, so the same case exports (and pushes) the same event."""
    for attr in event.attributes:
        attr.uuid = _uuid(event.uuid, attr.type, str(attr.value))
    for obj in event.objects:
        for attr in obj.attributes:
            attr.uuid = _uuid(obj.uuid, attr.object_relation, str(attr.value))


def to_json(case: Campaign, settings: ReportSettings) -> str:
    return str(build(case, settings).to_json(indent=1))
