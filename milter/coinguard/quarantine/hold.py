"""``backend = "hold"``: Postfix's hold queue.  The milter asks Postfix to hold the mail
(``mta_holds``); this store lists, shows, releases and deletes what Postfix holds.

Postfix does not keep our verdict JSON (and drops the quarantine reason text), so
``show`` reads the held message with ``postcat`` and reports the
``X-Coinguard-Verdict``/``X-Coinguard-Findings`` headers the daemon added before it
asked Postfix to hold the message.  Queue IDs are checked against a strict pattern
*and* against ``postqueue -j``'s hold queue before any ``postsuper`` call.  Release
without ``--to`` is ``postsuper -H`` + ``postqueue -i`` and the message simply continues.
"""

from __future__ import annotations

import builtins
import json
import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from coinguard.config import QuarantineConfig
from coinguard.errors import QuarantineError
from coinguard.findings import Verdict
from coinguard.quarantine.base import QuarantineStore, header, mime_attachments, parse_headers, verdict_from_headers
from coinguard.quarantine.model import QUEUE_ID_RE, Detail, Entry, Filters, QuarantineNotFound, Released
from coinguard.quarantine.postfix import PostfixTools, run_tool, tool_error

log = logging.getLogger(__name__)


class HoldStore(QuarantineStore):
    """Postfix's hold queue: the daemon holds mail via the milter; we list/show/release/delete it."""

    backend = "hold"
    mta_holds = True

    def __init__(self, cfg: QuarantineConfig, **kw: Any) -> None:
        super().__init__(cfg, **kw)
        self.postfix = PostfixTools(cfg.postfix_config_dir)

    def check_id(self, qid: str) -> str:
        if not isinstance(qid, str) or not QUEUE_ID_RE.match(qid):
            raise QuarantineNotFound(f"not a Postfix queue ID: {qid!r}")
        return qid

    def put(self, raw: bytes, verdict: Verdict) -> str:
        raise QuarantineError("the hold back end stores nothing itself: the daemon asks Postfix to hold the mail")

    def _queue(self) -> Iterator[dict[str, Any]]:
        argv = self.postfix.cmd("postqueue", "-j")
        proc = run_tool(argv)
        if proc.returncode != 0:
            raise QuarantineError(tool_error(proc, "postqueue"))
        for line in proc.stdout.splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                log.warning("postqueue -j: unparsable line skipped")
                continue
            if isinstance(obj, dict) and obj.get("queue_name") == "hold":
                qid = str(obj.get("queue_id", ""))
                if QUEUE_ID_RE.match(qid):
                    yield obj

    def _envelope_entry(self, obj: dict[str, Any]) -> Entry:
        rcpts = tuple(str(r.get("address", "")) for r in obj.get("recipients") or () if isinstance(r, dict))
        return Entry(
            id=str(obj["queue_id"]), backend=self.backend,
            received=datetime.fromtimestamp(int(obj.get("arrival_time", 0) or 0), UTC),
            sender=str(obj.get("sender", "")), rcpts=rcpts, size=int(obj.get("message_size", 0) or 0),
            queue_id=str(obj["queue_id"]),
        )

    def _postcat(self, qid: str, *flags: str) -> bytes:
        proc = run_tool(self.postfix.cmd("postcat", *flags, "-q", qid))
        if proc.returncode != 0:
            err = (proc.stderr or b"").decode("utf-8", "replace")
            if "No such file" in err:
                raise QuarantineNotFound(f"no held message {qid}")
            raise QuarantineError(tool_error(proc, "postcat"))
        return proc.stdout

    def _with_headers(self, entry: Entry, headers: Sequence[tuple[str, str]]) -> Entry:
        verdict, score, codes = verdict_from_headers(headers, self.verdict_header, self.findings_header)
        return replace(
            entry, subject=header(headers, "Subject"), message_id=header(headers, "Message-ID"),
            verdict=verdict, score=score, codes=codes,
            problem="" if verdict else f"no {self.verdict_header} header (held by something other than coinguard?)",
        )

    def list(self, filters: Filters | None = None) -> builtins.list[Entry]:
        filters = filters or Filters()
        candidates = [self._envelope_entry(o) for o in self._queue()]
        candidates = [e for e in candidates if filters.matches_envelope(e)]
        candidates.sort(key=lambda e: (e.received, e.id), reverse=True)
        out: list[Entry] = []
        for entry in candidates:
            try:
                entry = self._with_headers(entry, parse_headers(self._postcat(entry.id, "-h")))
            except QuarantineNotFound:
                continue  # released or deleted while we listed
            except QuarantineError as exc:
                entry = replace(entry, problem=f"cannot read headers: {exc}")
            if filters.matches(entry):
                out.append(entry)
                if filters.limit and len(out) >= filters.limit:
                    break
        return out

    def _held(self, qid: str) -> Entry:
        for obj in self._queue():
            if obj["queue_id"] == qid:
                return self._envelope_entry(obj)
        raise QuarantineNotFound(f"no message {qid} in the Postfix hold queue")

    def show(self, qid: str) -> Detail:
        qid = self.check_id(qid)
        entry = self._held(qid)
        raw = self._postcat(qid, "-b", "-h")
        headers = parse_headers(raw)
        return Detail(entry=self._with_headers(entry, headers), raw=raw, headers=headers, verdict=None,
                      attachments=mime_attachments(raw), attachments_source="mime")

    def _postsuper(self, *args: str) -> str:
        proc = run_tool(self.postfix.cmd("postsuper", *args))
        if proc.returncode != 0:
            raise QuarantineError(tool_error(proc, "postsuper"))
        return (proc.stderr + proc.stdout).decode("utf-8", "replace")

    def _release(self, qid: str, to: str | None) -> Released:
        entry = self._held(qid)
        if to:
            raw = self._postcat(qid, "-b", "-h")
            self.injector.send(raw, entry.sender, (to,))
            return Released(qid, (to,), self.injector.method, kept=True)
        out = self._postsuper("-H", qid)
        if not re.search(r"Released from hold: [1-9]", out):
            raise QuarantineNotFound(f"postsuper did not release {qid}: {out.strip()[-300:]}")
        proc = run_tool(self.postfix.cmd("postqueue", "-i", qid))
        if proc.returncode != 0:  # released anyway; the queue manager will pick it up on its next run
            log.warning("postqueue -i %s: %s", qid, tool_error(proc, "postqueue"))
        return Released(qid, entry.rcpts, "postsuper -H", kept=False)

    def _delete(self, qid: str) -> None:
        self._held(qid)
        out = self._postsuper("-d", qid, "hold")
        if not re.search(r"Deleted: [1-9]", out):
            raise QuarantineNotFound(f"postsuper did not delete {qid}: {out.strip()[-300:]}")

    def _expired(self, cutoff: datetime) -> builtins.list[str]:
        return [e.id for e in map(self._envelope_entry, self._queue()) if e.received < cutoff]
