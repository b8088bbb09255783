"""What ``Type=notify`` services need from systemd, without libsystemd: notify, watchdog, pid file.

``sd_notify`` speaks the datagram protocol of sd_notify(3) on ``$NOTIFY_SOCKET``
(a path, or ``@name`` in the abstract namespace); outside systemd every call is a no-op.
The watchdog is pinged only while a health check passes (the daemon's: the scanner pool
scanned something recently, or scans a canary message now), so systemd restarts a daemon
that is alive but cannot scan.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

#: Longest wait for room on $NOTIFY_SOCKET.
NOTIFY_TIMEOUT_S = 1.0


def sd_notify(state: str) -> bool:
    """Send ``state`` (e.g. "READY=1") to $NOTIFY_SOCKET; False when not under systemd."""
    addr = os.environ.get("NOTIFY_SOCKET", "")
    if not addr:
        return False
    if addr[0] == "@":
        addr = "\0" + addr[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
            # never block for long: a receiver that stopped reading must not stall a stop or a reload
            s.settimeout(NOTIFY_TIMEOUT_S)
            s.connect(addr)
            s.sendall(state.encode())
        return True
    except OSError as exc:
        log.warning("sd_notify(%s) failed: %s", state.split("=", 1)[0], exc)
        return False


def watchdog_period() -> float | None:
    """``WatchdogSec`` in seconds ($WATCHDOG_USEC) when the watchdog is meant for this process."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) <= 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 1_000_000


def start_watchdog(check: Callable[[], bool], period: float | None = None,
                   stop: threading.Event | None = None) -> threading.Thread | None:
    """A daemon thread that runs ``check`` every third of the watchdog period and sends
    WATCHDOG=1 only when it passes; None without a watchdog.

    ``check`` must return within about half the period (the daemon's canary scan is
    bounded so).  When it keeps failing, systemd sees no ping for ``WatchdogSec`` and
    restarts the service (``Restart=on-failure`` covers watchdog timeouts).  Setting
    ``stop`` ends the thread.
    """
    period = period or watchdog_period()
    if not period:
        return None
    tick = period / 3
    stop = stop or threading.Event()

    def beat() -> None:
        failing = False
        while not stop.is_set():
            started = time.monotonic()
            try:
                ok = bool(check())
            except Exception as exc:  # a broken check is a failed check, never a dead thread
                log.error("watchdog health check raised %s: %s", type(exc).__name__, exc)
                ok = False
            if ok:
                sd_notify("WATCHDOG=1")
                if failing:
                    log.warning("watchdog: health check passes again; pinging systemd")
            elif not failing:
                log.error("watchdog: health check failed; not pinging systemd (it restarts us after %gs)", period)
            failing = not ok
            stop.wait(max(0.0, tick - (time.monotonic() - started)))

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
