"""External tools under a hard limit: own process group, killed as a group, dying with their worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coinguard import subproc
from pool_fakes import process_alive


def _wait_dead(pid: int, timeout: float = 10.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if not process_alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_run_tool_returns_output_and_status() -> None:
    proc = subproc.run_tool(["sh", "-c", "cat; echo err >&2; exit 3"], 10, input=b"in")
    assert (proc.returncode, proc.stdout, proc.stderr) == (3, b"in", b"err\n")


def test_a_tool_past_its_limit_is_killed_with_everything_it_started(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild"
    started = time.monotonic()
    with pytest.raises(subproc.ToolTimeout, match=r"sh: no result within 0\.5s"):
        # the grandchild keeps stdout open: without the group kill, communicate() would wait 60 s
        subproc.run_tool(["sh", "-c", f"sleep 60 & echo $! > {pidfile}; wait"], 0.5)
    assert time.monotonic() - started < 5
    assert _wait_dead(int(pidfile.read_text()))


def test_tool_process_streams_and_kills_the_group_when_the_block_ends(tmp_path: Path) -> None:
    pidfile = tmp_path / "grandchild"
    with subproc.tool_process(["sh", "-c", f"sleep 60 & echo $! > {pidfile}; yes"], 30,
                              stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None
        assert proc.stdout.read(4) == b"y\ny\n"  # the reader stops at its cap; the tool would run on
        assert os.getpgid(proc.pid) == proc.pid != os.getpgid(0)
    assert proc.returncode in (128 + signal.SIGPIPE, -signal.SIGKILL) and not proc.timed_out
    assert _wait_dead(int(pidfile.read_text()))  # the sleeping grandchild too


def test_a_tool_that_ends_by_itself_keeps_its_exit_status() -> None:
    with subproc.tool_process(["sh", "-c", "exit 0"], 10, stdout=subprocess.PIPE) as proc:
        assert proc.stdout is not None and proc.stdout.read() == b""
    assert proc.returncode == 0 and not proc.timed_out


def test_a_tool_dies_with_the_worker_that_started_it(tmp_path: Path) -> None:
    pidfile = tmp_path / "tool"
    worker = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\n"
        "from coinguard import subproc\n"
        f"with subproc.tool_process(['sleep', '60'], 60) as p:\n"
        f"    open({str(pidfile)!r}, 'w').write(str(p.pid))\n"
        "    time.sleep(60)\n")], env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        end = time.monotonic() + 20
        while not pidfile.exists() or not pidfile.read_text():
            assert time.monotonic() < end and worker.poll() is None
            time.sleep(0.05)
        tool = int(pidfile.read_text())
        assert process_alive(tool)
        worker.kill()  # what a scan timeout or the OOM killer does to a worker
        worker.wait(10)
        assert _wait_dead(tool), "the tool outlived its worker"
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()


def test_rarfile_programs_run_guarded() -> None:
    rarfile = pytest.importorskip("rarfile")
    original = rarfile.custom_popen
    try:
        subproc.guard_rarfile()
        subproc.guard_rarfile()  # idempotent
        proc = rarfile.custom_popen(["sh", "-c", "echo listed"])
        assert isinstance(proc, subproc.ToolProcess) and os.getpgid(proc.pid) == proc.pid
        assert proc.communicate()[0] == b"listed\n"
        with pytest.raises(rarfile.RarCannotExec):
            rarfile.custom_popen(["/nonexistent/unar"])
    finally:
        rarfile.custom_popen = original


def test_tracked_tools_leave_a_marker_only_while_they_run(tmp_path: Path) -> None:
    subproc.track_tools(str(tmp_path))
    try:
        with subproc.tool_process(["sleep", "30"], 30) as proc:
            assert [p.name for p in tmp_path.iterdir()] == [f".tool-{proc.pid}-{subproc._start_time(proc.pid)}"]
        assert list(tmp_path.iterdir()) == []
        subproc.run_tool(["true"], 10)
        assert list(tmp_path.iterdir()) == []
    finally:
        subproc.track_tools(None)


def test_kill_orphans_kills_marked_groups_and_leaves_reused_pids_alone(tmp_path: Path) -> None:
    """What a dead worker's tools left running is killed; a marker whose PID now names another process
    (start time differs) is not acted on, nor one that would name our own group."""
    pidfile = tmp_path / "grandchild"
    ours = subprocess.Popen(["sh", "-c", f"sleep 60 & echo $! > {pidfile}; exec sleep 60"], start_new_session=True)
    stranger = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        end = time.monotonic() + 10
        while not pidfile.exists() or not pidfile.read_text().strip():
            assert time.monotonic() < end
            time.sleep(0.02)
        grandchild = int(pidfile.read_text())
        dead = tmp_path / "w123"
        dead.mkdir()
        for name in (f".tool-{ours.pid}-{subproc._start_time(ours.pid)}", f".tool-{stranger.pid}-1",
                     f".tool-{os.getpgrp()}-{subproc._start_time(os.getpgrp())}", ".tool-0-0", "archive"):
            (dead / name).touch()
        assert subproc.kill_orphans(str(dead)) == 1
        assert _wait_dead(ours.pid) and _wait_dead(grandchild)
        assert process_alive(stranger.pid)
    finally:
        for proc in (ours, stranger):
            proc.kill()
            proc.wait()
