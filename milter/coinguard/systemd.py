"""What ``Type=notify`` services need from systemd, without libsystemd: notify, watchdog, pid file.

``sd_notify`` speaks the datagram protocol of sd_notify(3) on ``$NOTIFY_SOCKET``
(a path, or ``@name`` in the abstract namespace); outside systemd every call is a no-op.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time

log = logging.getLogger(__name__)


def sd_notify(state: str) -> bool:
    """Send ``state`` (e.g. "READY=1") to $NOTIFY_SOCKET; False when not under systemd."""
    addr = os.environ.get("NOTIFY_SOCKET", "")
    if not addr:
        return False
    if addr[0] == "@":
        addr = "\0" + addr[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
            s.connect(addr)
            s.sendall(state.encode())
        return True
    except OSError as exc:
        log.warning("sd_notify(%s) failed: %s", state.split("=", 1)[0], exc)
        return False


def watchdog_interval() -> float | None:
    """Half of $WATCHDOG_USEC in seconds when the watchdog is meant for this process."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) <= 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 2_000_000


def start_watchdog() -> threading.Thread | None:
    """A daemon thread sending WATCHDOG=1 every half watchdog period; None without a watchdog."""
    interval = watchdog_interval()
    if not interval:
        return None

    def beat() -> None:
        while True:
            sd_notify("WATCHDOG=1")
            time.sleep(interval)

    t = threading.Thread(target=beat, name="coinguard-watchdog", daemon=True)
    t.start()
    return t


def write_pid(path: str) -> None:
    """Write our PID to ``path`` atomically (nothing when ``path`` is empty)."""
    if not path:
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        f.write(f"{os.getpid()}\n")
    os.replace(tmp, path)


def remove_pid(path: str) -> None:
    if path:
        with contextlib.suppress(OSError):
            os.unlink(path)
