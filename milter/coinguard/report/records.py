"""Quarantined messages as report input: the stored bytes, the verdict and their indicators.

Reads through the public quarantine API only (``list`` + ``show``), so every back end that
implements it (dir, PostgreSQL, hold) feeds campaigns and exports.  The indicators are the
ones the scan stored in the verdict JSON (``verdict["indicators"]``, see
:func:`coinguard.report.indicators.at_scan`); a record without them (quarantined before the
scan stored them, or held by Postfix, whose hold queue keeps no verdict JSON) gets them
extracted here from its stored bytes and verdict.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from coinguard.errors import QuarantineError
from coinguard.quarantine import Detail, Filters, QuarantineStore
from coinguard.report.indicators import Indicators, extract
from coinguard.report.settings import REPORTED_CODE, ReportSettings

log = logging.getLogger(__name__)



@dataclass(frozen=True, slots=True)
class Record:
    id: str
    received: datetime
    raw: bytes
    verdict: Mapping[str, Any]
    indicators: Indicators
    indicators_stored: bool = False  # from the scan (else extracted from the stored message now)

    @property
    def reported(self) -> bool:
        return any(isinstance(f, dict) and f.get("code") == REPORTED_CODE for f in self.verdict.get("findings") or ())


def _verdict_of(detail: Detail) -> dict[str, Any]:
    """The stored verdict JSON, or one rebuilt from what the hold back end keeps (headers, MIME parts)."""
    if detail.verdict:
        return dict(detail.verdict)
    e = detail.entry
    return {
        "id": e.queue_id or e.id, "message_id": e.message_id, "from": e.sender, "rcpt": list(e.rcpts),
        "subject": e.subject, "verdict": e.verdict if e.verdict in ("clean", "suspicious", "malicious") else
        "unchecked", "action": "quarantine", "score": e.score or 0,
        "findings": [{"code": c, "analyzer": "", "score": 0} for c in e.codes],
        "attachments": [a for a in detail.attachments if a.get("role", "attachment") != "body"],
    }


def _stored(detail: Detail, verdict: Mapping[str, Any]) -> Indicators | None:
    stored = verdict.get("indicators")
    if not isinstance(stored, Mapping):
        return None
    try:
        return Indicators.from_json(stored)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        log.warning("report: %s: stored indicators unreadable (%s: %s), extracted again", detail.entry.id,
                    type(exc).__name__, exc)
        return None


def record_from_detail(detail: Detail, settings: ReportSettings) -> Record:
    verdict = _verdict_of(detail)
    ind = _stored(detail, verdict)
    stored = ind is not None
    if ind is None:
        ind = extract(detail.raw, verdict, settings)
    return Record(detail.entry.id, detail.entry.received, detail.raw, verdict, ind, stored)


def load_record(store: QuarantineStore, qid: str, settings: ReportSettings) -> Record:
    return record_from_detail(store.show(qid), settings)


def load_records(store: QuarantineStore, settings: ReportSettings, since: datetime | None = None) -> list[Record]:
    """Every readable quarantined message (since ``since``), oldest first; unreadable ones are logged and skipped."""
    out: list[Record] = []
    for entry in store.list(Filters(since=since, limit=0)):
        if entry.problem:
            log.warning("report: skipping %s: %s", entry.id, entry.problem)
            continue
        try:
            out.append(load_record(store, entry.id, settings))
        except (QuarantineError, ValueError) as exc:
            log.warning("report: skipping %s: %s", entry.id, exc)
    out.sort(key=lambda r: (r.received, r.id))
    return out
