"""``backend = "dir"``: our own store, the raw message and a verdict sidecar per ID in one 0700 folder.

Layout (``[quarantine] path``)::

    20261125T134140123456Z-9f3ac2d1e0b7.eml    the exact raw message, 0600
    20261125T134140123456Z-9f3ac2d1e0b7.json   sidecar: envelope, sha256, stored_at, verdict JSON, 0600
    audit.log                                  one JSON line per release/delete/purge, 0600

IDs are generated here (UTC time to the microsecond + 48 random bits), so they sort
by time and never contain anything from the message.  Writes are atomic: each file is
written to a temp file in the same folder, fsynced and renamed (sidecar first, message
last, so a listed message always has its sidecar), then the folder is fsynced.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import logging
import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from coinguard.config import QuarantineConfig
from coinguard.errors import QuarantineError
from coinguard.findings import Verdict
from coinguard.quarantine.base import QuarantineStore, mime_attachments, parse_headers
from coinguard.quarantine.model import (
    ID_RE,
    Detail,
    Entry,
    Filters,
    QuarantineNotFound,
    Released,
    id_time,
    new_id,
)

log = logging.getLogger(__name__)

SIDECAR_FORMAT = 1
#: Largest sidecar we read (a verdict is a few KB; anything bigger is not ours).
MAX_SIDECAR_BYTES = 8 * 1024 * 1024
#: Temp files older than this are leftovers of a crash and are removed by purge.
STALE_TEMP = timedelta(hours=1)


class DirStore(QuarantineStore):
    """Our own store: raw message + verdict sidecar per ID in one 0700 folder."""

    backend = "dir"
    mta_holds = False

    def __init__(self, cfg: QuarantineConfig, **kw: Any) -> None:
        super().__init__(cfg, **kw)
        self.root = Path(cfg.path)

    def check_id(self, qid: str) -> str:
        if not isinstance(qid, str) or not ID_RE.match(qid):
            raise QuarantineNotFound(f"not a quarantine ID: {qid!r}")
        return qid

    def _paths(self, qid: str) -> tuple[Path, Path]:
        return self.root / f"{qid}.eml", self.root / f"{qid}.json"

    # ---- writing

    def _ensure_root(self) -> None:
        try:
            self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
            st = self.root.stat()
            if st.st_mode & 0o077 and st.st_uid == os.geteuid():
                os.chmod(self.root, 0o700)
        except OSError as exc:
            raise QuarantineError(f"quarantine folder {self.root}: {exc.strerror or exc}") from exc

    def _write_temp(self, data: bytes, suffix: str) -> Path:
        tmp = self.root / f".tmp-{secrets.token_hex(8)}{suffix}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        try:
            view = memoryview(data)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        os.close(fd)
        return tmp

    def _fsync_dir(self) -> None:
        fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def put(self, raw: bytes, verdict: Verdict) -> str:
        """Store ``raw`` and its verdict atomically; raises QuarantineError (the daemon then tempfails)."""
        self._ensure_root()
        now = datetime.now(UTC)
        qid = new_id(now)  # its time is ``now`` to the microsecond: id_time(qid) == now, without parsing it back
        eml, side = self._paths(qid)
        sidecar = {
            "format": SIDECAR_FORMAT,
            "id": qid,
            "stored_at": now.isoformat(timespec="microseconds"),
            "sender": verdict.sender,
            "rcpts": list(verdict.rcpt),
            "size": len(raw),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "queue_id": verdict.id,
            "verdict": verdict.to_json(),
        }
        temps: list[Path] = []
        try:
            temps.append(self._write_temp(raw, ".eml"))
            # compact: with an indent json runs its pure-Python encoder (~8 % of the daemon's time per quarantined
            # copy of a campaign with indicators); readers parse it, `coinguard quarantine show` prints it
            sidecar_json = json.dumps(sidecar, ensure_ascii=False, separators=(",", ":"))
            temps.append(self._write_temp(sidecar_json.encode("utf-8"), ".json"))
            os.rename(temps[1], side)  # sidecar first: a visible .eml always has its sidecar
            os.rename(temps[0], eml)
            self._fsync_dir()
        except OSError as exc:
            for p in (*temps, side, eml):
                try:
                    p.unlink(missing_ok=True)
                except OSError:
                    pass
            raise QuarantineError(f"cannot write quarantine {self.root}: {exc.strerror or exc}") from exc
        log.info("quarantine put id=%s queue_id=%s bytes=%d", qid, verdict.id, len(raw))
        return qid

    # ---- reading

    def _ids(self) -> tuple[set[str], set[str]]:
        emls: set[str] = set()
        sides: set[str] = set()
        try:
            with os.scandir(self.root) as it:
                for de in it:
                    stem, dot, ext = de.name.rpartition(".")
                    if not dot or not ID_RE.match(stem):
                        continue
                    if ext == "eml":
                        emls.add(stem)
                    elif ext == "json":
                        sides.add(stem)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise QuarantineError(f"cannot read quarantine folder {self.root}: {exc.strerror or exc}") from exc
        return emls, sides

    def _sidecar(self, qid: str) -> tuple[dict[str, Any] | None, str]:
        path = self._paths(qid)[1]
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_SIDECAR_BYTES + 1)
        except FileNotFoundError:
            return None, "verdict sidecar missing"
        except OSError as exc:
            return None, f"verdict sidecar unreadable: {exc.strerror or exc}"
        if len(data) > MAX_SIDECAR_BYTES:
            return None, "verdict sidecar corrupt: too large"
        try:
            obj = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            return None, f"verdict sidecar corrupt: {exc}"
        if not isinstance(obj, dict) or not isinstance(obj.get("verdict", {}), dict):
            return None, "verdict sidecar corrupt: not a JSON object"
        return obj, ""

    def _entry(self, qid: str, has_eml: bool = True) -> Entry:
        eml = self._paths(qid)[0]
        side, problem = self._sidecar(qid)
        size = 0
        if has_eml:
            try:
                size = eml.stat().st_size
            except OSError:
                has_eml = False
        if not has_eml:
            problem = "message file missing" + (f"; {problem}" if problem else "")
        if side is None:
            return Entry(id=qid, backend=self.backend, received=id_time(qid), sender="", rcpts=(), size=size,
                         problem=problem)
        v = side.get("verdict") or {}
        try:
            score = float(v["score"]) if "score" in v else None
        except (TypeError, ValueError):
            score = None
        codes: list[str] = []
        for f in v.get("findings") or ():
            code = f.get("code") if isinstance(f, dict) else None
            if isinstance(code, str) and code not in codes:
                codes.append(code)
        rcpts = side.get("rcpts") or []
        return Entry(
            id=qid, backend=self.backend, received=id_time(qid),
            sender=str(side.get("sender", "")),
            rcpts=tuple(str(r) for r in rcpts) if isinstance(rcpts, list) else (),
            size=size or int(side.get("size", 0) or 0),
            subject=str(v.get("subject", "")), message_id=str(v.get("message_id", "")),
            verdict=str(v.get("verdict", "")), score=score, codes=tuple(codes),
            queue_id=str(side.get("queue_id", "")), problem=problem,
        )

    def list(self, filters: Filters | None = None) -> builtins.list[Entry]:
        filters = filters or Filters()
        emls, sides = self._ids()
        out: list[Entry] = []
        for qid in sorted(emls | sides, reverse=True):
            entry = self._entry(qid, has_eml=qid in emls)
            if filters.matches(entry):
                out.append(entry)
                if filters.limit and len(out) >= filters.limit:
                    break
        return out

    def _read_raw(self, qid: str) -> bytes:
        try:
            with open(self._paths(qid)[0], "rb") as fh:
                return fh.read()
        except FileNotFoundError as exc:
            raise QuarantineNotFound(f"no quarantined message {qid}") from exc
        except OSError as exc:
            raise QuarantineError(f"cannot read {qid}: {exc.strerror or exc}") from exc

    def show(self, qid: str) -> Detail:
        qid = self.check_id(qid)
        raw = self._read_raw(qid)
        entry = self._entry(qid)
        side, _problem = self._sidecar(qid)
        verdict = side.get("verdict") if side else None
        if verdict and isinstance(verdict.get("attachments"), list):
            attachments = tuple(a for a in verdict["attachments"] if isinstance(a, dict))
            source = "verdict"
        else:
            attachments, source = mime_attachments(raw), "mime"
        return Detail(entry=entry, raw=raw, headers=parse_headers(raw), verdict=verdict,
                      attachments=attachments, attachments_source=source)

    # ---- changing

    def _release(self, qid: str, to: str | None) -> Released:
        raw = self._read_raw(qid)
        side, problem = self._sidecar(qid)
        if side is None and not to:
            raise QuarantineError(f"{qid}: {problem}: the envelope recipients are unknown; use --to ADDR")
        if side is not None and side.get("sha256") and hashlib.sha256(raw).hexdigest() != side["sha256"]:
            raise QuarantineError(f"{qid}: message file changed since it was quarantined (sha256 mismatch)")
        sender = str(side.get("sender", "")) if side else ""
        rcpts = (to,) if to else tuple(str(r) for r in side.get("rcpts") or ()) if side else ()
        self.injector.send(raw, sender, rcpts)
        if not to:
            self._delete(qid)
        return Released(qid, tuple(rcpts), self.injector.method, kept=bool(to))

    def _delete(self, qid: str) -> None:
        found = False
        for p in self._paths(qid):
            try:
                p.unlink()
                found = True
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise QuarantineError(f"cannot delete {p}: {exc.strerror or exc}") from exc
        if not found:
            raise QuarantineNotFound(f"no quarantined message {qid}")
        try:
            self._fsync_dir()
        except OSError:
            pass

    def _expired(self, cutoff: datetime) -> builtins.list[str]:
        self._remove_stale_temps()
        emls, sides = self._ids()
        return sorted(q for q in emls | sides if id_time(q) < cutoff)

    def _remove_stale_temps(self) -> None:
        limit = datetime.now(UTC) - STALE_TEMP
        try:
            with os.scandir(self.root) as it:
                for de in it:
                    if (de.name.startswith(".tmp-") and de.is_file(follow_symlinks=False)
                            and datetime.fromtimestamp(de.stat(follow_symlinks=False).st_mtime, UTC) < limit):
                        os.unlink(de.path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("quarantine: cannot clean temp files in %s: %s", self.root, exc)
