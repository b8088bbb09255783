"""Quarantine: where held mail lives, and how an admin lists, shows, releases and deletes it.

``open_store(cfg)`` returns the store for ``[quarantine] backend``; it is the only place
that dispatches on the back-end name.  The daemon asks the store who keeps the message
(``store.mta_holds``), never the name.  The package:

- ``model``: IDs, list filters, entries, details, release results, ``parse_age``
- ``base``: :class:`QuarantineStore`, the contract (and helpers) of every back end
- ``audit``: the audit log; ``injector``: release by ``sendmail -G -i`` or SMTP;
  ``postfix``: running Postfix's tools
- one module per back end: ``dir`` (our folder), ``hold`` (Postfix's hold queue),
  ``postgresql`` (one database shared by several MX hosts; psycopg is imported on first use)

Adding a back end: a new module with one ``QuarantineStore`` subclass (``backend``,
``mta_holds``, the abstract methods; ``close`` for held connections, ``_open_audit``
for an audit trail of its own), plus its entry in :data:`STORES`.  The daemon opens
the store once per generation and closes it when the generation retires.
"""

from __future__ import annotations

from coinguard.config import Config, QuarantineConfig
from coinguard.errors import QuarantineError
from coinguard.quarantine.audit import AuditLog
from coinguard.quarantine.base import QuarantineStore, UnknownBackend
from coinguard.quarantine.dir import DirStore
from coinguard.quarantine.hold import HoldStore
from coinguard.quarantine.injector import Injector
from coinguard.quarantine.model import (
    ID_RE,
    QUEUE_ID_RE,
    Detail,
    Entry,
    Filters,
    QuarantineNotFound,
    Released,
    id_time,
    new_id,
    parse_age,
)
from coinguard.quarantine.postgresql import PostgresStore

#: ``[quarantine] backend`` -> store class.  Registering a back end is one entry here.
STORES: dict[str, type[QuarantineStore]] = {cls.backend: cls for cls in (DirStore, HoldStore, PostgresStore)}


def open_store(cfg: QuarantineConfig, *, verdict_header: str = "X-Coinguard-Verdict",
               findings_header: str = "X-Coinguard-Findings") -> QuarantineStore:
    """The store for ``cfg.backend``; an unknown name is an error (never a silent fallback)."""
    try:
        cls = STORES[cfg.backend]
    except KeyError:
        raise UnknownBackend(
            f"[quarantine] backend: unknown back end {cfg.backend!r} (known: {', '.join(sorted(STORES))})"
        ) from None
    return cls(cfg, verdict_header=verdict_header, findings_header=findings_header)


def store_for(config: Config) -> QuarantineStore:
    """``open_store`` with the header names ``[policy]`` gives (what the daemon and the CLI use)."""
    return open_store(config.quarantine, verdict_header=config.policy.verdict_header,
                      findings_header=config.policy.findings_header)


__all__ = [
    "ID_RE", "QUEUE_ID_RE", "STORES", "AuditLog", "Detail", "DirStore", "Entry", "Filters", "HoldStore",
    "Injector", "PostgresStore", "QuarantineError", "QuarantineNotFound", "QuarantineStore", "Released",
    "UnknownBackend",
    "id_time", "new_id", "open_store", "parse_age", "store_for",
]
