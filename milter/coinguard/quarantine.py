"""Quarantine stores: our own directory store (``dir``) and Postfix's hold queue (``hold``).

``open_store(cfg)`` returns the store for ``[quarantine] backend``.  Both stores offer
``list``/``show``/``release``/``delete``/``purge``; only the directory store has ``put``
(for ``hold`` the daemon calls pymilter's ``quarantine()`` and Postfix keeps the mail).

Directory store layout (``[quarantine] path``, mode 0700)::

    20261125T134140123456Z-9f3ac2d1e0b7.eml    the exact raw message, 0600
    20261125T134140123456Z-9f3ac2d1e0b7.json   sidecar: envelope, sha256, stored_at, verdict JSON, 0600
    audit.log                                  one JSON line per release/delete/purge, 0600

IDs are generated here (UTC time to the microsecond + 48 random bits), so they sort
by time and never contain anything from the message.  Writes are atomic: each file is
written to a temp file in the same folder, fsynced and renamed (sidecar first, message
last, so a listed message always has its sidecar), then the folder is fsynced.

Hold store: Postfix does not keep our verdict JSON (and drops the quarantine reason
text), so ``show`` reads the held message with ``postcat`` and reports the
``X-Coinguard-Verdict``/``X-Coinguard-Findings`` headers the daemon added before it
asked Postfix to hold the message.  Queue IDs are checked against a strict pattern
*and* against ``postqueue -j``'s hold queue before any ``postsuper`` call.

Release re-injects the exact stored bytes without scanning them again: through
``sendmail -G -i -f SENDER -- RCPT...`` (``release_method = "sendmail"``) or SMTP to
``release_smtp``, a Postfix listener without the milter; for ``hold`` without ``--to``
it is ``postsuper -H`` + ``postqueue -i`` and the message simply continues.
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import json
import logging
import os
import pwd
import re
import secrets
import shutil
import smtplib
import subprocess
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from coinguard.config import QuarantineConfig
from coinguard.errors import QuarantineError
from coinguard.findings import Verdict

log = logging.getLogger(__name__)

#: Our own IDs: ``20261125T134140123456Z-9f3ac2d1e0b7`` (UTC time with microseconds, 48 random bits).
ID_RE = re.compile(r"\A\d{8}T\d{12}Z-[0-9a-f]{12}\Z")
#: Postfix queue IDs, short (hex) and long (base 52 with a ``z`` separator).  Letters and digits only,
#: so nothing can look like an option or a path, and ``ALL`` (too short) can never pass.
QUEUE_ID_RE = re.compile(r"\A[0-9A-Za-z]{6,32}\Z")
_ID_TIME = "%Y%m%dT%H%M%S%fZ"
SIDECAR_FORMAT = 1
#: Largest sidecar we read (a verdict is a few KB; anything bigger is not ours).
MAX_SIDECAR_BYTES = 8 * 1024 * 1024
#: Temp files older than this are leftovers of a crash and are removed by purge.
STALE_TEMP = timedelta(hours=1)
COMMAND_TIMEOUT_S = 120.0
_ADDR_RE = re.compile(r"\A[^\s\x00-\x1f\x7f<>]*\Z")


class QuarantineNotFound(QuarantineError):
    """No quarantined message has this ID."""


@dataclass(frozen=True, slots=True)
class Filters:
    """What ``list`` shows.  Text filters are case-insensitive substrings; ``code`` also matches a prefix."""

    sender: str = ""
    recipient: str = ""
    since: datetime | None = None
    until: datetime | None = None
    verdict: str = ""
    code: str = ""
    limit: int = 0

    def needs_headers(self) -> bool:
        return bool(self.verdict or self.code)

    def matches_envelope(self, entry: Entry) -> bool:
        if self.sender and self.sender.lower() not in entry.sender.lower():
            return False
        if self.recipient and not any(self.recipient.lower() in r.lower() for r in entry.rcpts):
            return False
        if self.since is not None and entry.received < self.since:
            return False
        return not (self.until is not None and entry.received > self.until)

    def matches(self, entry: Entry) -> bool:
        if not self.matches_envelope(entry):
            return False
        if self.verdict and entry.verdict.lower() != self.verdict.lower():
            return False
        if self.code:
            want = self.code.lower()
            return any(c.lower() == want or c.lower().startswith(want + ".") for c in entry.codes)
        return True


@dataclass(frozen=True, slots=True)
class Entry:
    """One quarantined message as ``list`` shows it."""

    id: str
    backend: str
    received: datetime
    sender: str
    rcpts: tuple[str, ...]
    size: int
    subject: str = ""
    message_id: str = ""
    verdict: str = ""
    score: float | None = None
    codes: tuple[str, ...] = ()
    queue_id: str = ""
    problem: str = ""  # set when the sidecar (or the message file) is missing or corrupt

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "backend": self.backend,
            "received": self.received.isoformat(timespec="seconds"),
            "from": self.sender,
            "rcpt": list(self.rcpts),
            "size": self.size,
            "subject": self.subject,
            "message_id": self.message_id,
            "verdict": self.verdict,
            "score": self.score,
            "codes": list(self.codes),
            "queue_id": self.queue_id,
        }
        if self.problem:
            out["problem"] = self.problem
        return out


@dataclass(frozen=True, slots=True)
class Detail:
    """What ``show`` returns: the entry, the stored verdict (dir only), headers, attachment list."""

    entry: Entry
    raw: bytes
    headers: tuple[tuple[str, str], ...]
    verdict: dict[str, Any] | None = None
    attachments: tuple[dict[str, Any], ...] = ()
    attachments_source: str = ""  # "verdict" (full tree from the scan) or "mime" (top-level parts only)

    def to_json(self) -> dict[str, Any]:
        return {
            **self.entry.to_json(),
            "headers": [[k, v] for k, v in self.headers],
            "stored_verdict": self.verdict,
            "attachments": list(self.attachments),
            "attachments_source": self.attachments_source,
        }


@dataclass(frozen=True, slots=True)
class Released:
    id: str
    rcpts: tuple[str, ...]
    method: str
    kept: bool  # the message stays in quarantine (a copy went to --to)


# --------------------------------------------------------------------------- helpers shared by both stores


def new_id(now: datetime | None = None) -> str:
    """A fresh, time-sortable quarantine ID; nothing in it comes from the message."""
    now = now or datetime.now(UTC)
    return f"{now.strftime(_ID_TIME)}-{secrets.token_hex(6)}"


def id_time(qid: str) -> datetime:
    return datetime.strptime(qid.split("-", 1)[0], _ID_TIME).replace(tzinfo=UTC)


def parse_age(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m``, ``2w``, ``45s`` (or a bare number of days) -> timedelta."""
    m = re.fullmatch(r"\s*(\d+)\s*([smhdw]?)\s*", text or "")
    if not m:
        raise ValueError(f"expected a duration like 30d, 12h or 90m, got {text!r}")
    n = int(m.group(1))
    unit = m.group(2) or "d"
    return timedelta(seconds=n * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit])


def _check_addresses(addrs: Sequence[str], what: str) -> tuple[str, ...]:
    out = tuple(a.strip() for a in addrs)
    for a in out:
        if not _ADDR_RE.match(a):
            raise QuarantineError(f"refusing {what} address {a!r}: contains spaces, controls or <>")
    return out


def _parse_headers(raw: bytes, limit: int = 500) -> tuple[tuple[str, str], ...]:
    from coinguard.mime import decode_header

    msg = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    return tuple((str(k), decode_header(str(v))) for k, v in list(msg.items())[:limit])


def _header(headers: Sequence[tuple[str, str]], name: str) -> str:
    for k, v in headers:
        if k.lower() == name.lower():
            return v
    return ""


def _verdict_from_headers(headers: Sequence[tuple[str, str]], verdict_header: str,
                          findings_header: str) -> tuple[str, float | None, tuple[str, ...]]:
    """``X-Coinguard-Verdict: malicious score=42`` + ``X-Coinguard-Findings: a, b`` -> (verdict, score, codes)."""
    value = _header(headers, verdict_header)
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
    codes = tuple(c.strip() for c in _header(headers, findings_header).split(",") if c.strip())
    return verdict, score, codes


def _mime_attachments(raw: bytes) -> tuple[dict[str, Any], ...]:
    """Top-level MIME parts with sniffed types and hashes.  Decodes transfer encodings only; never opens a part."""
    from coinguard.mime import extract_parts

    _msg, items, _findings = extract_parts(raw)
    return tuple(
        {"path": i.path, "type": i.type, "size": i.size, "sha256": i.sha256,
         "declared_type": i.declared_type, "role": i.role}
        for i in items
    )


def _who() -> str:
    sudo = os.environ.get("SUDO_USER")
    if sudo:
        return sudo
    try:
        return os.getlogin()
    except OSError:
        pass
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


class AuditLog:
    """Append-only JSON Lines log of every release, delete and purge (O_APPEND, 0600, one write per line)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def check_writable(self) -> None:
        """Fail before acting when the audit trail cannot be written."""
        os.close(self._open())

    def _open(self) -> int:
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            return os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
        except OSError as exc:
            raise QuarantineError(f"cannot open audit log {self.path}: {exc.strerror or exc}") from exc

    def record(self, action: str, qid: str, target: Any, result: str, **extra: Any) -> None:
        entry = {
            "when": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "who": _who(),
            "uid": os.getuid(),
            "action": action,
            "id": qid,
            "target": target,
            "result": result,
            **extra,
        }
        line = (json.dumps(entry, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
        fd = self._open()
        try:
            os.write(fd, line)
        except OSError as exc:
            raise QuarantineError(f"cannot write audit log {self.path}: {exc.strerror or exc}") from exc
        finally:
            os.close(fd)


def _run(argv: Sequence[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run a Postfix tool; every argument was validated by the caller (no shell)."""
    log.debug("running %s", " ".join(argv))
    try:
        return subprocess.run(list(argv), input=stdin, capture_output=True, timeout=COMMAND_TIMEOUT_S,
                              check=False, close_fds=True)
    except FileNotFoundError as exc:
        raise QuarantineError(f"{argv[0]}: not found (is Postfix installed?)") from exc
    except subprocess.TimeoutExpired as exc:
        raise QuarantineError(f"{argv[0]}: no answer within {COMMAND_TIMEOUT_S:.0f} s") from exc
    except OSError as exc:
        raise QuarantineError(f"{argv[0]}: {exc.strerror or exc}") from exc


def _tool_error(proc: subprocess.CompletedProcess[bytes], argv0: str) -> str:
    text = (proc.stderr or proc.stdout or b"").decode("utf-8", "replace").strip()
    return f"{argv0} exited {proc.returncode}: {text[-500:]}"


def _smtp_target(spec: str) -> tuple[str, int]:
    m = re.fullmatch(r"\[?([^\[\]]+?)\]?:(\d+)", spec.strip())
    if not m:
        raise QuarantineError(f"quarantine.release_smtp: expected HOST:PORT, got {spec!r}")
    return m.group(1), int(m.group(2))


class Injector:
    """Hands exact message bytes back to Postfix without the milter: ``sendmail -G -i`` or SMTP."""

    def __init__(self, cfg: QuarantineConfig) -> None:
        self.cfg = cfg

    @property
    def method(self) -> str:
        return self.cfg.release_method

    def send(self, raw: bytes, sender: str, rcpts: Sequence[str]) -> None:
        (sender,) = _check_addresses([sender], "sender")
        rcpts = _check_addresses(rcpts, "recipient")
        if not rcpts or not all(rcpts):
            raise QuarantineError("no recipient to release to")
        if self.cfg.release_method == "smtp":
            self._smtp(raw, sender, rcpts)
        else:
            self._sendmail(raw, sender, rcpts)

    def _sendmail(self, raw: bytes, sender: str, rcpts: Sequence[str]) -> None:
        argv = [self.cfg.sendmail_path]
        if self.cfg.postfix_config_dir:
            argv += ["-C", self.cfg.postfix_config_dir]
        argv += ["-G", "-i", "-f", sender, "--", *rcpts]
        proc = _run(argv, stdin=raw)
        if proc.returncode != 0:
            raise QuarantineError(_tool_error(proc, self.cfg.sendmail_path))

    def _smtp(self, raw: bytes, sender: str, rcpts: Sequence[str]) -> None:
        host, port = _smtp_target(self.cfg.release_smtp)
        wire = re.sub(rb"(?<!\r)\n", b"\r\n", raw)  # SMTP needs CRLF; smtplib dot-stuffs bytes itself
        try:
            with smtplib.SMTP(host, port, timeout=COMMAND_TIMEOUT_S) as smtp:
                smtp.ehlo_or_helo_if_needed()
                opts: list[str] = []
                if any(b > 0x7F for b in wire) and smtp.has_extn("8bitmime"):
                    opts.append("BODY=8BITMIME")
                if not all(a.isascii() for a in (sender, *rcpts)) and smtp.has_extn("smtputf8"):
                    opts.append("SMTPUTF8")
                refused = smtp.sendmail(sender, list(rcpts), wire, mail_options=opts)
        except (smtplib.SMTPException, OSError) as exc:
            raise QuarantineError(f"SMTP release to {host}:{port} failed: {exc}") from exc
        if refused:
            raise QuarantineError(f"SMTP release to {host}:{port}: recipients refused: {refused}")


# --------------------------------------------------------------------------- the stores


class QuarantineStore(ABC):
    backend: str = ""

    def __init__(self, cfg: QuarantineConfig, verdict_header: str = "X-Coinguard-Verdict",
                 findings_header: str = "X-Coinguard-Findings") -> None:
        self.cfg = cfg
        self.verdict_header = verdict_header
        self.findings_header = findings_header
        self.audit = AuditLog(cfg.audit_log or os.path.join(cfg.path, "audit.log"))
        self.injector = Injector(cfg)

    @abstractmethod
    def put(self, raw: bytes, verdict: Verdict) -> str: ...

    @abstractmethod
    def list(self, filters: Filters | None = None) -> list[Entry]: ...

    @abstractmethod
    def show(self, qid: str) -> Detail: ...

    @abstractmethod
    def _release(self, qid: str, to: str | None) -> Released: ...

    @abstractmethod
    def _delete(self, qid: str) -> None: ...

    @abstractmethod
    def _expired(self, cutoff: datetime) -> list[str]: ...

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
        removed: list[str] = []
        errors: list[str] = []
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


class DirStore(QuarantineStore):
    """Our own store: raw message + verdict sidecar per ID in one 0700 folder."""

    backend = "dir"

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
        qid = new_id()
        eml, side = self._paths(qid)
        sidecar = {
            "format": SIDECAR_FORMAT,
            "id": qid,
            "stored_at": id_time(qid).isoformat(timespec="microseconds"),
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
            temps.append(self._write_temp(json.dumps(sidecar, ensure_ascii=False, indent=1).encode("utf-8"), ".json"))
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

    def list(self, filters: Filters | None = None) -> list[Entry]:
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
            attachments, source = _mime_attachments(raw), "mime"
        return Detail(entry=entry, raw=raw, headers=_parse_headers(raw), verdict=verdict,
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

    def _expired(self, cutoff: datetime) -> list[str]:
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


@dataclass
class _Postfix:
    """argv builders for Postfix's admin tools, each with ``-c DIR`` when configured."""

    config_dir: str = ""
    paths: dict[str, str] = field(default_factory=dict)

    def cmd(self, tool: str, *args: str) -> list[str]:
        exe = self.paths.get(tool) or shutil.which(tool) or f"/usr/sbin/{tool}"
        conf = ["-c", self.config_dir] if self.config_dir else []
        return [exe, *conf, *args]


class HoldStore(QuarantineStore):
    """Postfix's hold queue: the daemon holds mail via the milter; we list/show/release/delete it."""

    backend = "hold"

    def __init__(self, cfg: QuarantineConfig, **kw: Any) -> None:
        super().__init__(cfg, **kw)
        self.postfix = _Postfix(cfg.postfix_config_dir)

    def check_id(self, qid: str) -> str:
        if not isinstance(qid, str) or not QUEUE_ID_RE.match(qid):
            raise QuarantineNotFound(f"not a Postfix queue ID: {qid!r}")
        return qid

    def put(self, raw: bytes, verdict: Verdict) -> str:
        raise QuarantineError("the hold back end stores nothing itself: the daemon asks Postfix to hold the mail")

    def _queue(self) -> Iterator[dict[str, Any]]:
        argv = self.postfix.cmd("postqueue", "-j")
        proc = _run(argv)
        if proc.returncode != 0:
            raise QuarantineError(_tool_error(proc, "postqueue"))
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
        proc = _run(self.postfix.cmd("postcat", *flags, "-q", qid))
        if proc.returncode != 0:
            err = (proc.stderr or b"").decode("utf-8", "replace")
            if "No such file" in err:
                raise QuarantineNotFound(f"no held message {qid}")
            raise QuarantineError(_tool_error(proc, "postcat"))
        return proc.stdout

    def _with_headers(self, entry: Entry, headers: Sequence[tuple[str, str]]) -> Entry:
        verdict, score, codes = _verdict_from_headers(headers, self.verdict_header, self.findings_header)
        return replace(
            entry, subject=_header(headers, "Subject"), message_id=_header(headers, "Message-ID"),
            verdict=verdict, score=score, codes=codes,
            problem="" if verdict else f"no {self.verdict_header} header (held by something other than coinguard?)",
        )

    def list(self, filters: Filters | None = None) -> list[Entry]:
        filters = filters or Filters()
        candidates = [self._envelope_entry(o) for o in self._queue()]
        candidates = [e for e in candidates if filters.matches_envelope(e)]
        candidates.sort(key=lambda e: (e.received, e.id), reverse=True)
        out: list[Entry] = []
        for entry in candidates:
            try:
                entry = self._with_headers(entry, _parse_headers(self._postcat(entry.id, "-h")))
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
        headers = _parse_headers(raw)
        return Detail(entry=self._with_headers(entry, headers), raw=raw, headers=headers, verdict=None,
                      attachments=_mime_attachments(raw), attachments_source="mime")

    def _postsuper(self, *args: str) -> str:
        proc = _run(self.postfix.cmd("postsuper", *args))
        if proc.returncode != 0:
            raise QuarantineError(_tool_error(proc, "postsuper"))
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
        proc = _run(self.postfix.cmd("postqueue", "-i", qid))
        if proc.returncode != 0:  # released anyway; the queue manager will pick it up on its next run
            log.warning("postqueue -i %s: %s", qid, _tool_error(proc, "postqueue"))
        return Released(qid, entry.rcpts, "postsuper -H", kept=False)

    def _delete(self, qid: str) -> None:
        self._held(qid)
        out = self._postsuper("-d", qid, "hold")
        if not re.search(r"Deleted: [1-9]", out):
            raise QuarantineNotFound(f"postsuper did not delete {qid}: {out.strip()[-300:]}")

    def _expired(self, cutoff: datetime) -> list[str]:
        return [e.id for e in map(self._envelope_entry, self._queue()) if e.received < cutoff]


def open_store(cfg: QuarantineConfig, *, verdict_header: str = "X-Coinguard-Verdict",
               findings_header: str = "X-Coinguard-Findings") -> QuarantineStore:
    """The store for ``cfg.backend`` (``dir`` or ``hold``)."""
    kw = {"verdict_header": verdict_header, "findings_header": findings_header}
    if cfg.backend == "hold":
        return HoldStore(cfg, **kw)
    if cfg.backend == "dir":
        return DirStore(cfg, **kw)
    raise QuarantineError(f"unknown quarantine backend {cfg.backend!r}")


__all__ = [
    "ID_RE", "QUEUE_ID_RE", "AuditLog", "Detail", "DirStore", "Entry", "Filters", "HoldStore",
    "QuarantineError", "QuarantineNotFound", "QuarantineStore", "Released", "id_time", "new_id",
    "open_store", "parse_age",
]
