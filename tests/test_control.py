from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace

from coinguard.config import Config
from coinguard.control import send_reload


def _config(pid_file: str) -> Config:
    cfg = Config()
    return replace(cfg, milter=replace(cfg.milter, pid_file=pid_file))


def test_reload_sends_sigusr1_to_the_pid_in_the_pid_file(tmp_path):
    flag = tmp_path / "got"
    code = ("import signal, sys, time, pathlib\n"
            f"signal.signal(signal.SIGUSR1, lambda *a: (pathlib.Path({str(flag)!r}).write_text('1'), sys.exit(0)))\n"
            "print('ready', flush=True)\n"
            "time.sleep(30)\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    try:
        assert proc.stdout.readline().strip() == b"ready"
        pid_file = tmp_path / "coinguard.pid"
        pid_file.write_text(f"{proc.pid}\n")
        assert send_reload(_config(str(pid_file))) == 0
        assert proc.wait(10) == 0
        assert flag.read_text() == "1"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def test_reload_errors(tmp_path, capsys):
    assert send_reload(_config("")) == 2
    assert send_reload(_config(str(tmp_path / "missing.pid"))) == 2
    bad = tmp_path / "bad.pid"
    bad.write_text("not a pid")
    assert send_reload(_config(str(bad))) == 2
    # a PID that does not exist (reaped child)
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    time.sleep(0.05)
    assert send_reload(Config(), proc.pid) == 2
    assert "no process" in capsys.readouterr().err
