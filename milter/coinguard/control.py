"""``coinguard reload``: ask the running daemon to reload its configuration and rules.

The daemon reloads on SIGUSR1 (libmilter treats SIGHUP as *stop*).  The PID comes
from ``--pid`` or from ``[milter] pid_file``, which ``coinguard run`` writes.
"""

from __future__ import annotations

import os
import signal
import sys

from coinguard.config import Config


def read_pid(path: str) -> int:
    try:
        with open(path, encoding="ascii") as f:
            text = f.read().strip()
    except OSError as exc:
        raise ValueError(f"cannot read pid file {path}: {exc.strerror or exc}") from exc
    if not text.isdigit() or int(text) <= 1:
        raise ValueError(f"pid file {path} does not hold a PID: {text[:40]!r}")
    return int(text)


def send_reload(cfg: Config, pid: int | None = None) -> int:
    """Send SIGUSR1 to ``pid`` (or the PID in ``[milter] pid_file``); exit code 0/2."""
    if pid is None:
        if not cfg.milter.pid_file:
            print("coinguard reload: give --pid or set [milter] pid_file", file=sys.stderr)
            return 2
        try:
            pid = read_pid(cfg.milter.pid_file)
        except ValueError as exc:
            print(f"coinguard reload: {exc}", file=sys.stderr)
            return 2
    try:
        os.kill(pid, signal.SIGUSR1)
    except ProcessLookupError:
        print(f"coinguard reload: no process {pid}", file=sys.stderr)
        return 2
    except PermissionError:
        print(f"coinguard reload: not allowed to signal process {pid}", file=sys.stderr)
        return 2
    print(f"coinguard reload: sent SIGUSR1 to {pid}")
    return 0
