"""The quarantine audit trail: one JSON line per release, delete and purge (who, what, when, result)."""

from __future__ import annotations

import json
import os
import pwd
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from coinguard.errors import QuarantineError


def who() -> str:
    """Who is acting: the sudo user, the login name, or the uid's name."""
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


#: How much of the end of the log :meth:`AuditLog.records` reads (older records of a huge log are skipped).
MAX_READ_BYTES = 32 * 1024 * 1024


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
            "who": who(),
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


    def records(self, qid: str | None = None) -> list[dict[str, Any]]:
        """Records oldest first (of ``qid`` only when given), from the last MAX_READ_BYTES of the log."""
        try:
            with open(self.path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if size > MAX_READ_BYTES:
                    fh.seek(size - MAX_READ_BYTES)
                    fh.readline()  # skip the partial line
                data = fh.read()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise QuarantineError(f"cannot read audit log {self.path}: {exc.strerror or exc}") from exc
        out = []
        for line in data.splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if isinstance(rec, dict) and (qid is None or rec.get("id") == qid):
                out.append(rec)
        return out
