"""External tools (7zz, unar...) under a hard time limit, killed as a whole process group.

Every tool starts in its own session (so its process group holds the tool and anything
it spawns), with the parent-death signal set (SIGKILL when the scanner worker that
started it dies: a worker killed by its scan timeout or the OOM killer leaves no tool
running), and a timer that SIGKILLs the whole group when the time is up.

- :func:`run_tool`: run to completion, output in memory (listings, small results);
- :func:`tool_process`: a context manager around a running tool, for streaming its
  stdout with a byte cap (extracting a member); when the block ends the group is
  killed (a tool that stopped reading is not waited for);
- :func:`guard_rarfile`: the same for the programs rarfile starts (unar, unrar, bsdtar),
  through rarfile's one process-spawning function;
- :func:`track_tools` / :func:`kill_orphans`: the parent-death signal reaches the tool only, not
  what the tool started.  A worker that tracks its tools leaves a marker per running tool in its
  temp folder; whoever empties the folder of a dead worker first kills the process groups its
  markers name (the pool does, when the next worker starts).

The default time limit is set per worker (``set_default_timeout``; the pool sets the scan
timeout); callers pass what is left of the scan's budget when they know it.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from coinguard.errors import CoinguardError

#: Used when neither the caller nor the worker set a limit.
DEFAULT_TIMEOUT_S = 60.0
_default_timeout = DEFAULT_TIMEOUT_S

_PR_SET_PDEATHSIG = 1
try:  # resolved now: the child, between fork and exec, only makes the call
    _prctl: Any = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # pragma: no cover - not Linux
    _prctl = None


#: Marker files of running tools: ``.tool-<pid>-<start time>`` in the tracking folder.
_MARKER = ".tool-"
_tracking: str | None = None


class ToolTimeout(CoinguardError):
    """An external tool ran past its time limit; its process group was killed."""


def set_default_timeout(seconds: float) -> None:
    global _default_timeout
    _default_timeout = float(seconds) if seconds and seconds > 0 else DEFAULT_TIMEOUT_S


def default_timeout() -> float:
    return _default_timeout


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    # the signal comes when the *thread* that started the tool ends: scans run on the
    # worker's main thread, so in practice when the worker process dies
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def track_tools(folder: str | None) -> None:
    """Leave a marker in ``folder`` for every tool started from now on (None: stop)."""
    global _tracking
    _tracking = folder


def _start_time(pid: int) -> str | None:
    """The process's start time (clock ticks since boot, /proc/PID/stat field 22), None if there is none."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2:].split()  # after "pid (comm) "; comm may hold spaces and ")"
    return fields[19].decode() if len(fields) > 19 else None


def kill_orphans(folder: str) -> int:
    """Kill the process groups of the tools whose markers are in ``folder`` (a dead worker's); how many.

    A marked tool that still runs (same PID, same start time) has its group killed; a tool that
    is gone may have left children in its group, whose ID the kernel keeps from reuse while any
    member lives: that group is killed.  A PID now held by a different process is left alone.
    """
    killed = 0
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    for name in names:
        if not name.startswith(_MARKER):
            continue
        pid_text, _, started = name[len(_MARKER):].partition("-")
        pid = int(pid_text) if pid_text.isdigit() else 0
        if pid <= 1 or pid == os.getpgrp():  # never our own group (killpg(0) is the caller's)
            continue
        now = _start_time(pid)
        if now is not None and now != started:
            continue  # the PID was reused: not ours
        try:
            os.killpg(pid, signal.SIGKILL)
            killed += 1
        except (ProcessLookupError, PermissionError):
            pass
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(folder, name))
    return killed


def kill_group(proc: subprocess.Popen[bytes]) -> bool:
    """SIGKILL ``proc``'s process group (the tool and whatever it started); False if already gone."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
        return True
    except (ProcessLookupError, PermissionError):
        return False


class ToolProcess(subprocess.Popen[bytes]):
    """A tool in its own process group; ``timed_out`` once its timer killed the group."""

    timed_out = False

    def __init__(self, argv: Sequence[str], timeout: float | None = None, **kw: Any) -> None:
        kw.setdefault("stdin", subprocess.DEVNULL)
        super().__init__(list(argv), start_new_session=True, preexec_fn=_die_with_parent, close_fds=True, **kw)
        self._marker = self._mark()
        self.limit = default_timeout() if timeout is None else max(0.0, timeout)
        self._deadline = time.monotonic() + self.limit
        self._timer = threading.Timer(self.limit, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _mark(self) -> str | None:
        if _tracking is None:
            return None
        path = os.path.join(_tracking, f"{_MARKER}{self.pid}-{_start_time(self.pid)}")
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        except OSError:
            return None
        return path

    def wait(self, timeout: float | None = None) -> int:
        code = super().wait(timeout)
        self._timer.cancel()  # reaped: nothing left for the timer (rarfile waits on its own)
        if self._marker is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._marker)
            self._marker = None
        return code

    def _expire(self) -> None:
        if self.returncode is None:  # not reaped yet: the group id still belongs to this tool
            self.timed_out = True
            kill_group(self)

    def _exited(self) -> bool:
        """Has the tool exited?  Without reaping it: a zombie keeps its PID, so its group ID cannot
        be reused by another process while we kill the group."""
        if self.returncode is not None:
            return True
        try:
            return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        except ChildProcessError:
            return True

    def _wait_exited(self, seconds: float) -> None:
        """Wait up to ``seconds`` for the tool to exit, without reaping it (a pidfd turns readable)."""
        if seconds <= 0 or self._exited():
            return
        try:
            fd = os.pidfd_open(self.pid)
        except OSError:  # pragma: no cover - Linux < 5.3
            end = time.monotonic() + seconds
            while not self._exited() and time.monotonic() < end:
                time.sleep(0.01)
            return
        try:
            select.select([fd], [], [], seconds)
        finally:
            os.close(fd)

    def finish(self, grace: float = 0.5) -> None:
        """Give the tool ``grace`` seconds (never past its time limit) to exit by itself (its pipes
        are closed by then: a tool still writing gets EPIPE); kill its whole group (whatever it
        left running too) while its PID is still reserved; reap it."""
        self._wait_exited(min(grace, self._deadline - time.monotonic()))
        self._timer.cancel()
        if self.returncode is None:
            kill_group(self)
        self.wait()


@contextlib.contextmanager
def tool_process(argv: Sequence[str], timeout: float | None = None, *, grace: float = 0.5,
                 **popen_kw: Any) -> Iterator[ToolProcess]:
    """Start a tool (``stdout=subprocess.PIPE`` etc. as for Popen).  When the block ends its pipes
    are closed, the tool gets ``grace`` seconds (at most what is left of its limit) to exit with
    its own status, and its process group is killed."""
    proc = ToolProcess(argv, timeout, **popen_kw)
    try:
        yield proc
    finally:
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        proc.finish(grace)


def run_tool(argv: Sequence[str], timeout: float | None = None, *, input: bytes | None = None,
             cwd: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run a tool to completion, stdout and stderr in memory; :class:`ToolTimeout` past ``timeout``."""
    with tool_process(argv, timeout, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env) as proc:
        out, err = proc.communicate(input)  # ends at the latest when the timer kills the group (EOF)
    if proc.timed_out:
        raise ToolTimeout(f"{os.path.basename(argv[0])}: no result within {proc.limit:g}s; "
                          "its process group was killed")
    return subprocess.CompletedProcess(list(argv), proc.returncode, out, err)


def guard_rarfile() -> None:
    """Make every program rarfile starts a :class:`ToolProcess` (own group, timer, dies with us).

    rarfile starts its tools only through ``rarfile.custom_popen(cmd)`` (rarfile 4.x); the
    replacement keeps its contract (stdout pipe, stderr into it, errors as RarCannotExec).
    """
    import rarfile

    if getattr(rarfile.custom_popen, "coinguard_guarded", False):
        return

    def custom_popen(cmd: Sequence[str]) -> ToolProcess:
        try:
            return ToolProcess(cmd, bufsize=0, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        except OSError as ex:
            if ex.errno == errno.ENOENT:
                raise rarfile.RarCannotExec("Unrar not installed?") from None
            if ex.errno in (errno.EACCES, errno.EPERM):
                raise rarfile.RarCannotExec("Cannot execute unrar") from None
            raise

    custom_popen.coinguard_guarded = True  # type: ignore[attr-defined]
    rarfile.custom_popen = custom_popen
