"""The console and digest systemd units, and a smoke test of the unit's ExecStart line:
the real `coinguard console` process (uvicorn) serving on loopback, under MemoryDenyWriteExecute
when the kernel supports PR_SET_MDWE."""

from __future__ import annotations

import ctypes
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from consoletest import free_port

from coinguard.cli import build_parser

REPO = Path(__file__).resolve().parents[2]
UNITS = REPO / "systemd"
DEPLOY_EXE = "/opt/coinguard/.venv/bin/coinguard"
DEPLOY_CONF = "/etc/coinguard/coinguard.toml"
OURS = ("coinguard-console.service", "coinguard-digest.service", "coinguard-digest.timer")
needs_analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")


def exec_start(name: str) -> list[str]:
    lines = [x for x in (UNITS / name).read_text().splitlines() if x.startswith("ExecStart=")]
    assert len(lines) == 1
    return shlex.split(lines[0].partition("=")[2])


def test_exec_start_lines_parse_with_our_cli() -> None:
    parser = build_parser()
    argv = exec_start("coinguard-console.service")
    assert argv[0] == DEPLOY_EXE
    args = parser.parse_args(argv[1:])
    assert (args.command, args.console_command, args.config) == ("console", None, DEPLOY_CONF)
    args = parser.parse_args(exec_start("coinguard-digest.service")[1:])
    assert (args.command, args.config, args.dry_run) == ("digest", DEPLOY_CONF, False)


def installed(tmp_path: Path) -> Path:
    dest = tmp_path / "units"
    dest.mkdir()
    venv_exe = str(Path(sys.executable).with_name("coinguard"))
    for name in OURS:
        (dest / name).write_text((UNITS / name).read_text().replace(DEPLOY_EXE, venv_exe))
    return dest


@needs_analyze
def test_units_verify_clean_and_expose_little(tmp_path: Path) -> None:
    units = installed(tmp_path)
    proc = subprocess.run(["systemd-analyze", "verify", "--man=no", *(f"./{n}" for n in OURS)], cwd=units,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0 and (proc.stdout + proc.stderr).strip() == "", proc.stdout + proc.stderr
    for unit in OURS[:2]:
        proc = subprocess.run(["systemd-analyze", "security", "--offline=yes", f"./{unit}"], cwd=units,
                              capture_output=True, text=True, timeout=120, check=False)
        m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", proc.stdout + proc.stderr)
        assert m and float(m.group(1)) <= 2.0, proc.stdout[-1500:]


def _mdwe() -> None:  # pragma: no cover - runs in the child between fork and exec
    if ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) != 0:
        os._exit(99)


def mdwe_supported() -> bool:
    probe = "import ctypes,sys; sys.exit(0 if ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) == 0 else 1)"
    return subprocess.run([sys.executable, "-c", probe], timeout=30, check=False).returncode == 0


def test_console_process_serves_and_stops(tmp_path: Path) -> None:
    port = free_port()
    conf = tmp_path / "coinguard.toml"
    conf.write_text(f"""
[quarantine]
path = "{tmp_path / 'q'}"
release_method = "smtp"
[console]
listen = "127.0.0.1:{port}"
users_file = "{tmp_path / 'users'}"
secret_file = "{tmp_path / 'secret'}"
""")
    argv = [*exec_start("coinguard-console.service")]
    argv[0] = sys.executable
    argv[1:1] = ["-m", "coinguard"]
    argv[argv.index(DEPLOY_CONF)] = str(conf)
    env = {**os.environ, "PYTHONPATH": str(REPO / "milter")}
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            preexec_fn=_mdwe if mdwe_supported() else None)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.read() == b"ok\n"
                    assert "default-src 'none'" in r.headers["content-security-policy"]
                    break
            except OSError:
                assert time.monotonic() < deadline, "console did not answer"
                time.sleep(0.2)
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/r/forged.link", timeout=5)
        assert exc.value.code == 404
        exc.value.close()
        assert (tmp_path / "secret").stat().st_mode & 0o777 == 0o600
    finally:
        proc.terminate()
        # uvicorn shuts down gracefully, then re-raises SIGTERM: systemd counts that as a clean exit
        assert proc.wait(20) in (0, -15)
        out = proc.stdout.read().decode() if proc.stdout else ""
        if proc.stdout:
            proc.stdout.close()
    assert "Finished server process" in out, out
    assert "forged.link" not in out  # recipient links are bearer tokens: no access log line carries them
