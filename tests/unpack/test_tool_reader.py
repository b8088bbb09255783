"""The 7-Zip program under coinguard.subproc: a hanging 7zz (and what it started) is killed within the scan's
budget, the member is unchecked, and a worker killed mid-extraction leaves no process and no temp copy behind.

The 7zz here is a shell script put first on PATH: it lists one member, then hangs while "extracting" with a
grandchild holding its stdout (what a group kill, not a kill of the direct child, ends).
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from coinguard import subproc
from coinguard.config import parse_config
from coinguard.findings import VerdictKind
from coinguard.scan import Envelope, ScanContext, scan_message
from pool_fakes import process_alive
from unpack.builders import cab_archive

from helpers import make_message

SCAN_TIMEOUT_S = 3  # soft budget 85%: 2.55 s


@dataclass
class Fake7zz:
    folder: Path

    @property
    def calls(self) -> list[tuple[int, int, list[str]]]:
        """(parent pid, tool pid, argv) of each run."""
        log = self.folder / "calls"
        rows = [line.split(" ", 2) for line in log.read_text().splitlines()] if log.exists() else []
        return [(int(ppid), int(pid), args.split(" ")) for ppid, pid, args in rows]

    def pids(self) -> list[int]:
        """Every process the fake started: the tools and their grandchildren."""
        grand = [int(p.read_text()) for p in self.folder.glob("grandchild.*") if p.read_text().strip()]
        return [pid for _, pid, _ in self.calls] + grand

    def wait_extracting(self, timeout: float = 60.0) -> int:
        """Wait until a run hangs in extraction; its tool pid."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            done = [p for p in self.folder.glob("grandchild.*") if p.read_text().strip()]
            if done:
                return int(done[0].name.split(".")[1])
            time.sleep(0.05)
        raise AssertionError("the fake 7zz never started extracting")


def fake_7zz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hang: str) -> Fake7zz:
    """A 7zz on PATH that hangs in ``hang`` ("l": listing, "x": extraction) with a sleeping grandchild."""
    folder = tmp_path / "fake7zz"
    (folder / "bin").mkdir(parents=True)
    script = folder / "bin" / "7zz"
    script.write_text(f"""#!/bin/sh
echo "$PPID $$ $*" >> {folder}/calls
if [ "$1" = "{hang}" ]; then
    sleep 300 &
    echo $! > {folder}/grandchild.$$
    sleep 300
fi
if [ "$1" = l ]; then
    printf 'Path = a.txt\\nFolder = -\\nSize = 5\\nPacked Size = 5\\n\\n'
fi
""")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder / 'bin'}{os.pathsep}{os.environ['PATH']}")
    return Fake7zz(folder)


def all_dead(pids: list[int], timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while any(process_alive(p) for p in pids):
        if time.monotonic() > end:
            return False
        time.sleep(0.05)
    return True


def cab_message() -> bytes:
    return make_message(subject="update", attachments=[("update.cab", cab_archive({"a.txt": b"hello"}),
                                                        "application/vnd.ms-cab-compressed")])


@pytest.mark.parametrize(("hang", "code", "why"), [
    ("x", "archive.unreadable", "7-Zip gave no result within"),  # extracting the member
    ("l", "archive.parse_error", "ToolTimeout"),  # listing the archive
])
def test_a_hanging_7zip_is_killed_with_its_group_and_the_message_is_unchecked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hang: str, code: str, why: str) -> None:
    fake = fake_7zz(tmp_path, monkeypatch, hang)
    cfg = parse_config(f"[scan]\ntimeout_s = {SCAN_TIMEOUT_S}\n")
    started = time.monotonic()
    v = scan_message(cab_message(), ScanContext(config=cfg, envelope=Envelope(id="t")))
    elapsed = time.monotonic() - started
    assert elapsed < SCAN_TIMEOUT_S, f"{elapsed:.1f}s: the tool outlived the scan's budget"
    assert v.verdict is VerdictKind.UNCHECKED, v.codes
    details = [f.detail for f in v.findings if f.code == code]
    assert details and why in details[0], (v.codes, details)
    assert [args[0] for _, _, args in fake.calls] == (["l", "x"] if hang == "x" else ["l"])
    assert len(fake.pids()) == len(fake.calls) + 1  # the tools and the one grandchild
    assert all_dead(fake.pids(), timeout=2), "a 7zz process or its grandchild was left running"


def test_a_tool_that_exits_by_itself_keeps_its_status_promptly() -> None:
    """The grace after EOF (up to the tool's limit) ends as soon as the tool exits: no polling delay.

    Compared with the same command run by plain ``subprocess.run``, medians of 20 runs each: a busy machine
    slows some runs of both, waiting out the 30 s grace would slow every run of the tool."""
    tool: list[float] = []
    plain: list[float] = []
    for _ in range(20):
        started = time.monotonic()
        with subproc.tool_process(["sh", "-c", "echo out; exit 2"], 30, grace=30,
                                  stdout=subprocess.PIPE) as proc:
            assert proc.stdout is not None and proc.stdout.read() == b"out\n"
        assert proc.returncode == 2
        tool.append(time.monotonic() - started)
        started = time.monotonic()
        subprocess.run(["sh", "-c", "echo out; exit 2"], stdout=subprocess.PIPE, check=False)
        plain.append(time.monotonic() - started)
    assert statistics.median(tool) < statistics.median(plain) + 0.25, (tool, plain)


def test_a_worker_killed_mid_extraction_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """The real pool (spawned workers: they see this test's PATH and TMPDIR): kill the worker while 7zz hangs."""
    from coinguard.pool import WORKER_TMP, ScanPool, WorkerCrashed

    fake = fake_7zz(tmp_path, monkeypatch, "x")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    cfg = parse_config("[scan]\ntimeout_s = 120\nworkers = 1\n")
    pool = ScanPool(cfg, context="spawn")
    try:
        pool.warm_up(timeout=120)
        pending = pool.submit(cab_message(), Envelope(id="Q1", queue_id="Q1"))
        tool = fake.wait_extracting()
        worker, _, args = next(call for call in fake.calls if call[1] == tool)
        copy = Path(args[args.index("--") - 1])  # the archive 7zz was given: ToolReader's temp copy
        folder = tmp / WORKER_TMP / f"w{worker}"
        assert copy.is_relative_to(folder) and copy.exists()
        assert [p.name for p in folder.iterdir() if p.name.startswith(".tool-")] == [
            f".tool-{tool}-{subproc._start_time(tool)}"]  # the marker the next worker acts on
        os.kill(worker, signal.SIGKILL)  # what a scan timeout or the OOM killer does
        with pytest.raises(WorkerCrashed):
            pending.result(60)
        pool.warm_up(timeout=120)  # the replacement worker has started (and emptied the dead one's folder)
        assert all_dead(fake.pids()), "7zz or its grandchild outlived the worker"
        assert not folder.exists() and not copy.exists()
        assert [p.name for p in (tmp / WORKER_TMP).iterdir()] == [f"w{pid}" for pid in pool.worker_pids()]
    finally:
        pool.close(timeout=10)
        for pid in fake.pids():  # never leave a sleeper behind, even when an assertion failed
            if process_alive(pid):
                os.kill(pid, signal.SIGKILL)
