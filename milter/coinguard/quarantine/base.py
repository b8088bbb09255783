"""The store seam: :class:`QuarantineStore`, the contract every quarantine back end fulfils.

A back end is one module with one subclass, registered in ``coinguard.quarantine.STORES``
(``open_store`` is the only place that dispatches on ``[quarantine] backend``).  Each
store says, in ``mta_holds``, who keeps the message:

- ``mta_holds = True``: the MTA keeps it (Postfix's hold queue); the milter asks for the
  hold and accepts, and ``put`` is never called.
- ``mta_holds = False``: the store keeps it; the milter calls ``put`` and discards only
  after ``put`` returned (a failed ``put`` is a tempfail, never a discard).

``release``/``delete``/``purge`` are template methods: they validate the ID, check that
the audit log is writable, call the store's ``_release``/``_delete``/``_expired`` and
audit the result, so a new store gets auditing for free.
"""

from __future__ import annotations

import builtins
import email.parser
import email.policy
import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, Protocol

from coinguard.config import QuarantineConfig
from coinguard.errors import ConfigError, QuarantineError
from coinguard.findings import Verdict
from coinguard.quarantine.audit import AuditLog
from coinguard.quarantine.injector import Injector
from coinguard.quarantine.model import Detail, Entry, Filters, QuarantineNotFound, Released

log = logging.getLogger(__name__)


class UnknownBackend(ConfigError, QuarantineError):
    """``[quarantine] backend`` names no registered store."""


class AuditTrail(Protocol):
    """Where release/delete/purge are recorded (:class:`AuditLog`, or a store's own table)."""

    def check_writable(self) -> None: ...
    def record(self, action: str, qid: str, target: Any, result: str, **extra: Any) -> None: ...
    def records(self, qid: str | None = None) -> list[dict[str, Any]]: ...


# --------------------------------------------------------------------------- helpers for stores


def parse_headers(raw: bytes, limit: int = 500) -> tuple[tuple[str, str], ...]:
    from coinguard.mime import decode_header

    msg = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    # the value itself: str() of the Header the parser makes of raw 8-bit bytes is only U+FFFD
    return tuple((str(k), decode_header(v)) for k, v in list(msg.items())[:limit])


def header(headers: Sequence[tuple[str, str]], name: str) -> str:
    for k, v in headers:
        if k.lower() == name.lower():
            return v
    return ""


def verdict_from_headers(headers: Sequence[tuple[str, str]], verdict_header: str,
                          findings_header: str) -> tuple[str, float | None, tuple[str, ...]]:
    """``X-Coinguard-Verdict: malicious score=42`` + ``X-Coinguard-Findings: a=strong:8, b`` -> (verdict, score, codes).

    Each findings entry is ``code=strength:score`` (the code alone in older headers); the codes are kept.
    """
    value = header(headers, verdict_header)
    verdict, score = "", None
    if value:
        parts = value.split()
        verdict = parts[0].lower() if parts else ""
        for p in parts[1:]:
            if p.startswith("score="):
                try:
                    score = float(p[6:])
                except ValueError:
                    score = None
    entries = (c.split("=", 1)[0].strip() for c in header(headers, findings_header).split(","))
    codes = tuple(c for c in entries if c and not c.startswith("+"))
    return verdict, score, codes


def mime_attachments(raw: bytes) -> tuple[dict[str, Any], ...]:
    """Top-level MIME parts with sniffed types and hashes.  Decodes transfer encodings only; never opens a part."""
    from coinguard.mime import extract_parts

    _msg, items, _findings = extract_parts(raw)
    return tuple(
        {"path": i.path, "type": i.type, "size": i.size, "sha256": i.sha256,
         "declared_type": i.declared_type, "role": i.role}
        for i in items
    )


class QuarantineStore(ABC):
    """One quarantine back end.  Subclasses declare ``backend`` (its config name) and ``mta_holds``."""

    #: the ``[quarantine] backend`` value that selects this store
    backend: ClassVar[str]
    #: True: the MTA keeps the message (the milter asks it to hold the mail; ``put`` is never called).
    #: False: ``put`` stores it and the milter then discards it.
    mta_holds: ClassVar[bool]

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if not isinstance(getattr(cls, "backend", None), str) or not cls.backend:
            raise TypeError(f"{cls.__name__}: a quarantine store must declare backend = \"name\"")
        if not isinstance(getattr(cls, "mta_holds", None), bool):
            raise TypeError(f"{cls.__name__}: a quarantine store must declare mta_holds = True or False")

    def __init__(self, cfg: QuarantineConfig, verdict_header: str = "X-Coinguard-Verdict",
                 findings_header: str = "X-Coinguard-Findings") -> None:
        self.cfg = cfg
        self.verdict_header = verdict_header
        self.findings_header = findings_header
        self.audit: AuditTrail = self._open_audit()
        self.injector = Injector(cfg)

    def _open_audit(self) -> AuditTrail:
        """The audit trail: a JSON Lines file by default; a store with a database may keep its own."""
        return AuditLog(self.cfg.audit_log or os.path.join(self.cfg.path, "audit.log"))

    @abstractmethod
    def put(self, raw: bytes, verdict: Verdict) -> str:
        """Store ``raw`` durably with its verdict and return the new ID (only when not ``mta_holds``);
        raises QuarantineError, and the milter then tempfails instead of discarding."""

    def close(self) -> None:  # noqa: B027 - an optional hook, a no-op for stores that hold nothing open
        """Release what the store holds open (connections); called when the daemon retires it."""

    @abstractmethod
    def list(self, filters: Filters | None = None) -> builtins.list[Entry]: ...

    @abstractmethod
    def show(self, qid: str) -> Detail: ...

    @abstractmethod
    def _release(self, qid: str, to: str | None) -> Released: ...

    @abstractmethod
    def _delete(self, qid: str) -> None: ...

    @abstractmethod
    def _expired(self, cutoff: datetime) -> builtins.list[str]: ...

    @abstractmethod
    def check_id(self, qid: str) -> str: ...

    def release(self, qid: str, to: str | None = None) -> Released:
        """Re-inject the message (to its envelope recipients, or a copy to ``to``); audited."""
        qid = self.check_id(qid)
        self.audit.check_writable()
        target: Any = [to] if to else None
        try:
            done = self._release(qid, to)
        except QuarantineError as exc:
            self.audit.record("release", qid, target, f"error: {exc}", backend=self.backend)
            raise
        self.audit.record("release", qid, list(done.rcpts), "ok", backend=self.backend, method=done.method,
                          kept=done.kept)
        log.info("quarantine release id=%s rcpts=%d method=%s kept=%s", qid, len(done.rcpts), done.method, done.kept)
        return done

    def delete(self, qid: str) -> None:
        qid = self.check_id(qid)
        self.audit.check_writable()
        try:
            self._delete(qid)
        except QuarantineError as exc:
            self.audit.record("delete", qid, None, f"error: {exc}", backend=self.backend)
            raise
        self.audit.record("delete", qid, None, "ok", backend=self.backend)
        log.info("quarantine delete id=%s", qid)

    def purge(self, older_than: timedelta) -> int:
        """Delete every message quarantined more than ``older_than`` ago; returns how many."""
        self.audit.check_writable()
        cutoff = datetime.now(UTC) - older_than
        removed: builtins.list[str] = []
        errors: builtins.list[str] = []
        for qid in self._expired(cutoff):
            try:
                self._delete(qid)
                removed.append(qid)
            except QuarantineNotFound:
                continue  # gone meanwhile (released or deleted by someone else)
            except QuarantineError as exc:
                errors.append(f"{qid}: {exc}")
        result = "ok" if not errors else f"error: {'; '.join(errors)[:2000]}"
        self.audit.record("purge", "", {"older_than_s": int(older_than.total_seconds()),
                                        "cutoff": cutoff.isoformat(timespec="seconds")},
                          result, backend=self.backend, count=len(removed), ids=removed)
        log.info("quarantine purge removed=%d errors=%d", len(removed), len(errors))
        if errors:
            raise QuarantineError(f"purge removed {len(removed)} message(s) but failed on {len(errors)}: {errors[0]}")
        return len(removed)

