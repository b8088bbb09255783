"""Scan functions for pool and daemon tests.  Module-level so worker processes can import
them by name (pebble pickles functions by reference); ``tests/`` is on sys.path."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from typing import Any

from coinguard.findings import Action, Finding, Verdict, VerdictKind


def _raw(raw: bytes | str) -> bytes:
    if isinstance(raw, bytes):
        return raw
    with open(raw, "rb") as f:
        return f.read()


def echo_scan(raw: bytes | str, ctx: Any) -> Verdict:
    """Clean verdict; the detail of its one finding says how the message arrived."""
    data = _raw(raw)
    how = "path" if isinstance(raw, str) else "bytes"
    return Verdict(
        id=ctx.envelope.queue_id,
        verdict=VerdictKind.CLEAN,
        action=Action.ACCEPT,
        score=0.0,
        findings=(Finding("test.echo", "test", "", f"{how} {len(data)} pid={os.getpid()}", score=0.0),),
        rcpt=ctx.envelope.rcpts,
        sender=ctx.envelope.sender,
    )


def warm_probe(raw: bytes | str, ctx: Any) -> Verdict:
    """Clean verdict saying what the worker had built before its first scan (it inherits the fork server's)."""
    from coinguard import cache, domains
    from coinguard.analyzers import extortion_common
    from coinguard.report import indicators

    built = (f"psl={domains._psl.cache_info().currsize} code_version={cache.code_version.cache_info().currsize}"
             f" report_psl={indicators._psl.cache_info().currsize}"
             f" lure_gate={extortion_common._gate.cache_info().currsize}")
    return replace(echo_scan(raw, ctx), findings=(Finding("test.warm", "test", "", built, score=0.0),))


#: the packages a worker's start goes through (multiprocessing's child set-up, pebble's worker loop, the
#: compiled rules' loader): what the fork server should have imported for it
START_PACKAGES = ("asyncio", "coinguard", "concurrent", "multiprocessing", "pebble", "yara")


def import_probe(raw: bytes | str, ctx: Any) -> Verdict:
    """Clean verdict naming the modules of START_PACKAGES this worker imported itself ("" when it inherited
    every one from the fork server, ``coinguard.pool_warm.PRELOADED``)."""
    import sys

    from coinguard import pool_warm

    own = sorted(m for m in set(sys.modules) - pool_warm.PRELOADED if m.split(".")[0] in START_PACKAGES)
    return replace(echo_scan(raw, ctx), findings=(Finding("test.imports", "test", "", " ".join(own), score=0.0),))


def misbehaving_scan(raw: bytes | str, ctx: Any) -> Verdict:
    """Hangs on b'HANG', takes 3 s on b'SLOW', raises on b'RAISE', kills its own process on b'CRASH'."""
    data = _raw(raw)
    if b"HANG" in data:
        time.sleep(3600)
    if b"SLOW" in data:
        time.sleep(3)
    if b"RAISE" in data:
        raise RuntimeError("scan blew up")
    if b"CRASH" in data:
        os._exit(3)
    return echo_scan(raw, ctx)


def tmp_scan(raw: bytes | str, ctx: Any) -> Verdict:
    """Leaves a file in the worker's temp folder; the detail is "<temp folder> <file> pid=<pid>"."""
    import tempfile

    fd, path = tempfile.mkstemp(prefix="left-over-")
    os.close(fd)
    v = echo_scan(raw, ctx)
    finding = Finding("test.tmp", "test", "", f"{tempfile.gettempdir()} {path} pid={os.getpid()}", score=0.0)
    return Verdict(id=v.id, verdict=v.verdict, action=v.action, score=0.0, findings=(finding,), rcpt=v.rcpt,
                   sender=v.sender)


def process_alive(pid: int) -> bool:
    """``pid`` exists and is not a zombie (tests that kill workers and tools check their ends)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _ppid(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def children(pid: int) -> list[int]:
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if _ppid(int(name)) == pid:
                    out.append(int(name))
            except (OSError, ValueError, IndexError):
                continue
    return out


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def daemon_workers(daemon_pid: int) -> list[int]:
    """A running ``coinguard run``'s scanner workers: children of its multiprocessing fork server."""
    servers = [p for p in children(daemon_pid) if "forkserver" in cmdline(p)]
    return [w for s in servers for w in children(s)]
