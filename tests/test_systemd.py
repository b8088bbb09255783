"""The systemd units: offline verification, the security exposure score, and a smoke test
that runs the unit's own ExecStart line (paths substituted) the way systemd would:
NOTIFY_SOCKET + WATCHDOG_USEC, UMask, MemoryDenyWriteExecute (via the kernel's
PR_SET_MDWE where available), reload by SIGUSR1, stop by SIGTERM.

PID 1 here is not systemd, so nothing can be started through systemctl; systemd-analyze
works offline.  Tests skip with a reason when a tool is missing.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from coinguard.cli import build_parser

from helpers import free_port

REPO = Path(__file__).resolve().parents[1]
UNITS = REPO / "systemd"
DEPLOY_EXE = "/opt/coinguard/.venv/bin/coinguard"
DEPLOY_CONF = "/etc/coinguard/coinguard.toml"
VENV_EXE = str(Path(sys.executable).with_name("coinguard"))
UNIT_FILES = ("coinguard.service", "coinguard-purge.service", "coinguard-purge.timer")
#: systemd-analyze security's "low exposure" bands are SAFE (< 1.0) and OK (< 2.0 is what we hold ourselves to).
MAX_EXPOSURE = 2.0

needs_analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed")


def parse_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """A unit file as {section: {key: [values...]}} (keys may repeat, as systemd allows)."""
    out: dict[str, dict[str, list[str]]] = {}
    section = ""
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line.strip("[]")
            out.setdefault(section, {})
            continue
        key, _, value = line.partition("=")
        out[section].setdefault(key.strip(), []).append(value.strip())
    return out


def installed_copy(tmp_path: Path, config: Path | None = None) -> Path:
    """The units as they would be installed, with the deploy paths pointing at this checkout."""
    dest = tmp_path / "units"
    dest.mkdir()
    for name in UNIT_FILES:
        text = (UNITS / name).read_text().replace(DEPLOY_EXE, VENV_EXE)
        if config is not None:
            text = text.replace(DEPLOY_CONF, str(config))
        (dest / name).write_text(text)
    return dest


def exec_start(unit: Path) -> list[str]:
    (line,) = parse_unit(unit)["Service"]["ExecStart"]
    return shlex.split(line)


# --------------------------------------------------------------------------- static contract


def test_service_unit_contract() -> None:
    svc = parse_unit(UNITS / "coinguard.service")["Service"]
    one = {k: v[-1] for k, v in svc.items()}
    assert one["Type"] == "notify" and one["NotifyAccess"] == "main"
    assert one["ExecStart"] == f"{DEPLOY_EXE} run -c {DEPLOY_CONF}"
    assert one["ExecReload"] == "/bin/kill -USR1 $MAINPID"  # SIGHUP would stop libmilter
    assert one["Restart"] == "on-failure" and one["User"] == "coinguard"
    assert one["StateDirectory"] == "coinguard" and one["RuntimeDirectory"] == "coinguard"
    assert re.fullmatch(r"\d+s", one["WatchdogSec"]) and one["MemoryMax"]
    expected = {
        "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes",
        "NoNewPrivileges": "yes", "CapabilityBoundingSet": "", "AmbientCapabilities": "",
        "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6", "SystemCallArchitectures": "native",
        "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes",
        "ProtectControlGroups": "yes", "ProtectClock": "yes", "ProtectHostname": "yes", "RestrictNamespaces": "yes",
        "RestrictRealtime": "yes", "RestrictSUIDSGID": "yes", "LockPersonality": "yes",
        "MemoryDenyWriteExecute": "yes", "UMask": "0077",
    }
    assert {k: one.get(k) for k in expected} == expected
    assert svc["SystemCallFilter"][0] == "@system-service"
    assert "/var/lib/coinguard" in one["ReadWritePaths"]


def test_unit_command_lines_parse_with_our_cli() -> None:
    """Both ExecStart lines are valid coinguard invocations (a renamed option would break the units)."""
    parser = build_parser()
    argv = exec_start(UNITS / "coinguard.service")
    assert argv[0] == DEPLOY_EXE
    args = parser.parse_args(argv[1:])
    assert args.command == "run" and args.config == DEPLOY_CONF
    argv = exec_start(UNITS / "coinguard-purge.service")
    args = parser.parse_args(argv[1:])
    assert (args.command, args.quarantine_command, args.config) == ("quarantine", "purge", DEPLOY_CONF)


def test_timer_and_sysusers() -> None:
    timer = parse_unit(UNITS / "coinguard-purge.timer")
    assert timer["Timer"]["OnCalendar"] == ["daily"] and timer["Timer"]["Persistent"] == ["true"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]
    purge = parse_unit(UNITS / "coinguard-purge.service")["Service"]
    assert purge["Type"] == ["oneshot"] and purge["User"] == ["coinguard"]
    lines = [x for x in (UNITS / "coinguard.sysusers").read_text().splitlines() if x and not x.startswith("#")]
    assert lines and shlex.split(lines[0])[:2] == ["u", "coinguard"]


@pytest.mark.skipif(shutil.which("systemd-sysusers") is None, reason="systemd-sysusers not installed")
def test_sysusers_creates_the_user(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    proc = subprocess.run(["systemd-sysusers", "--dry-run", f"--root={tmp_path}", str(UNITS / "coinguard.sysusers")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "Creating user 'coinguard'" in proc.stdout + proc.stderr


# --------------------------------------------------------------------------- systemd-analyze


def analyze(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["systemd-analyze", *args], capture_output=True, text=True, timeout=120, cwd=cwd,
                          check=False)


@needs_analyze
def test_systemd_analyze_verify_is_clean(tmp_path: Path) -> None:
    units = installed_copy(tmp_path)
    proc = analyze("verify", "--man=no", *(f"./{n}" for n in UNIT_FILES), cwd=units)
    # verify exits 0 even for "ignoring" parse warnings, so any output at all is a failure
    assert proc.returncode == 0 and (proc.stdout + proc.stderr).strip() == "", proc.stdout + proc.stderr


@needs_analyze
def test_systemd_analyze_verify_catches_a_typo(tmp_path: Path) -> None:
    """Negative control for the test above: a misspelt value is reported."""
    units = installed_copy(tmp_path)
    svc = units / "coinguard.service"
    svc.write_text(svc.read_text().replace("ProtectSystem=strict", "ProtectSystem=stricter"))
    proc = analyze("verify", "--man=no", "./coinguard.service", cwd=units)
    assert "ProtectSystem" in proc.stdout + proc.stderr or "protect system" in proc.stdout + proc.stderr


def exposure(unit: str, cwd: Path) -> float:
    proc = analyze("security", "--offline=yes", f"./{unit}", cwd=cwd)
    m = re.search(rf"Overall exposure level for {re.escape(unit)}: (\d+\.\d+) (\w+)", proc.stdout + proc.stderr)
    assert m, proc.stdout[-2000:] + proc.stderr
    return float(m.group(1))


@needs_analyze
def test_security_exposure_is_low_and_documented(tmp_path: Path) -> None:
    units = installed_copy(tmp_path)
    daemon = exposure("coinguard.service", units)
    purge = exposure("coinguard-purge.service", units)
    assert daemon <= MAX_EXPOSURE and purge <= MAX_EXPOSURE
    doc = (REPO / "docs" / "operations.md").read_text()
    assert f"coinguard.service: {daemon:.1f}" in doc, "update the measured score in docs/operations.md"
    assert f"coinguard-purge.service: {purge:.1f}" in doc, "update the measured score in docs/operations.md"


# --------------------------------------------------------------------------- smoke: the unit's ExecStart


def mdwe_supported() -> bool:
    """Linux >= 6.3 PR_SET_MDWE: the kernel-level equivalent of MemoryDenyWriteExecute=yes."""
    probe = "import ctypes,sys; sys.exit(0 if ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) == 0 else 1)"
    return subprocess.run([sys.executable, "-c", probe], timeout=30, check=False).returncode == 0


def _mdwe_and_exec() -> None:  # pragma: no cover - runs in the child between fork and exec
    if ctypes.CDLL(None).prctl(65, 1, 0, 0, 0) != 0:
        os._exit(99)


class Notify:
    """A stand-in for systemd's notification socket: like systemd, it reads all the time
    (a daemon's datagrams would otherwise fill the socket's queue)."""

    def __init__(self, path: Path) -> None:
        import threading

        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.sock.settimeout(0.1)
        self.seen: list[str] = []
        self._cond = threading.Condition()
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while not self._closed:
            try:
                data = self.sock.recv(4096).decode()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._cond:
                self.seen.extend(data.split("\n"))
                self._cond.notify_all()

    def wait_for(self, state: str, timeout: float) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: state in self.seen, timeout):
                raise AssertionError(f"no {state} from the daemon within {timeout}s; got {self.seen}")

    def count(self, state: str, seconds: float) -> int:
        """How often ``state`` arrives during the next ``seconds``."""
        with self._cond:
            self.seen.clear()
        time.sleep(seconds)
        with self._cond:
            return self.seen.count(state)

    def drain(self) -> None:
        time.sleep(0.2)

    def close(self) -> None:
        self._closed = True
        self._reader.join(2)
        self.sock.close()


def milter_negotiate(port: int) -> bytes:
    """Send SMFIC_OPTNEG (protocol version 6) and return the command byte of the reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(struct.pack(">IcIII", 13, b"O", 6, 0x1FF, 0x1FFFFF))
        header = s.recv(5)
        return header[4:5]


def smoke_config(tmp_path: Path, milter_port: int, metrics_port: int) -> Path:
    state = tmp_path / "state"
    conf = tmp_path / "coinguard.toml"
    conf.write_text(
        "[milter]\n"
        f'socket = "inet:{milter_port}@127.0.0.1"\n'
        f'pid_file = "{tmp_path / "run" / "coinguard.pid"}"\n'
        "drain_timeout_s = 5.0\n"
        "[scan]\nworkers = 1\n"
        f'[quarantine]\npath = "{state / "quarantine"}"\n'
        f'[rules]\ncache_dir = "{state / "cache"}"\n'
        f'[metrics]\nlisten = "127.0.0.1:{metrics_port}"\n'
    )
    return conf


@contextlib.contextmanager
def daemon_under_notify(tmp_path: Path, argv: list[str], watchdog_usec: int,
                        **popen_kw: object) -> Iterator[tuple[subprocess.Popen[bytes], Notify]]:
    """``argv`` as systemd would run it: $NOTIFY_SOCKET, $WATCHDOG_USEC, output in daemon.log;
    killed at the end of the block if still running."""
    notify = Notify(tmp_path / "notify.sock")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFY_", "WATCHDOG_", "LISTEN_"))}
    env.update(NOTIFY_SOCKET=str(notify.path), WATCHDOG_USEC=str(watchdog_usec))
    log = (tmp_path / "daemon.log").open("wb")
    proc = subprocess.Popen(argv, env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
                            **popen_kw)  # type: ignore[call-overload]
    try:
        yield proc, notify
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        log.close()
        notify.close()


@pytest.mark.skipif(not Path(VENV_EXE).exists(), reason="coinguard console script not installed in the venv")
def test_execstart_smoke_notify_watchdog_reload_stop(tmp_path: Path) -> None:
    milter_port, metrics_port = free_port(), free_port()
    conf = smoke_config(tmp_path, milter_port, metrics_port)
    units = installed_copy(tmp_path, config=conf)
    argv = exec_start(units / "coinguard.service")
    assert argv == [VENV_EXE, "run", "-c", str(conf)]
    mdwe = mdwe_supported()
    with daemon_under_notify(tmp_path, argv, 1_000_000, umask=0o077,
                             preexec_fn=_mdwe_and_exec if mdwe else None) as (proc, notify):
        notify.wait_for("READY=1", 90)
        assert milter_negotiate(milter_port) == b"O"  # libmilter answered the option negotiation
        notify.wait_for("WATCHDOG=1", 10)
        with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10) as resp:
            body = resp.read().decode()
        assert re.search(r"^coinguard_rules_loaded [1-9]", body, re.M), "no rules loaded"
        assert re.search(r"^process_resident_memory_bytes ", body, re.M)  # why the unit has no ProcSubset=pid
        # ExecReload: SIGUSR1 reloads without stopping
        notify.seen.clear()
        os.kill(proc.pid, signal.SIGUSR1)
        notify.wait_for("RELOADING=1", 30)
        notify.wait_for("READY=1", 60)
        assert proc.poll() is None
        assert milter_negotiate(milter_port) == b"O"
        # systemctl stop: SIGTERM, then the daemon drains and exits by itself
        os.kill(proc.pid, signal.SIGTERM)
        rc = proc.wait(timeout=60)
        notify.drain()
    output = (tmp_path / "daemon.log").read_text(errors="replace")
    assert rc == 0, f"exit status {rc} after SIGTERM (a clean drain exits 0):\n{output[-3000:]}"
    assert "STOPPING=1" in notify.seen
    if not mdwe:
        pytest.skip("ran without PR_SET_MDWE: this kernel cannot emulate MemoryDenyWriteExecute=yes")


@pytest.mark.skipif(not Path(VENV_EXE).exists(), reason="coinguard console script not installed in the venv")
def test_purge_execstart_runs(tmp_path: Path) -> None:
    conf = tmp_path / "coinguard.toml"
    conf.write_text(f'[quarantine]\npath = "{tmp_path / "q"}"\nretention_days = 30\n')
    units = installed_copy(tmp_path, config=conf)
    proc = subprocess.run(exec_start(units / "coinguard-purge.service"), capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, umask=0o077, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("purged 0 message(s) older than 30d")
    assert (tmp_path / "q" / "audit.log").stat().st_mode & 0o777 == 0o600


# --------------------------------------------------------------------------- watchdog tied to a canary scan
def _generation(number: int, pool):  # type: ignore[no-untyped-def]
    from coinguard.config import Config
    from coinguard.runtime import Generation

    return Generation(number, Config(), pool)


def test_watchdog_pings_only_while_the_pool_can_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading
    from dataclasses import replace

    from prometheus_client import CollectorRegistry

    from coinguard import daemon
    from coinguard.config import Config
    from coinguard.metrics import make_metrics
    from coinguard.pool import ScanPool
    from coinguard.runtime import Runtime
    from pool_fakes import echo_scan

    cfg = Config()
    one = replace(cfg, scan=replace(cfg.scan, workers=1))
    broken_rules = tmp_path / "rules.compiled"
    broken_rules.write_bytes(b"not compiled rules")  # every scan in this pool fails: it cannot scan
    notify = Notify(tmp_path / "notify.sock")
    monkeypatch.setenv("NOTIFY_SOCKET", str(notify.path))
    metrics = make_metrics(CollectorRegistry())
    runtime = Runtime(_generation(1, ScanPool(one, scan_fn=echo_scan)), metrics)
    stop = threading.Event()
    try:
        # period 1.2 s: a check every 0.4 s, each canary bounded by 0.72 s
        assert daemon.start_scanner_watchdog(runtime, period=1.2, stop=stop) is not None
        assert notify.count("WATCHDOG=1", 2.5) >= 3
        runtime.swap(_generation(2, ScanPool(one, rules_path=str(broken_rules), scan_fn=echo_scan)))
        time.sleep(1.0)  # a check already running may still pass on the old generation
        assert notify.count("WATCHDOG=1", 2.5) == 0
        failures = metrics.registry.get_sample_value("coinguard_canary_total", {"result": "failure"})
        assert failures and failures >= 2
        runtime.swap(_generation(3, ScanPool(one, scan_fn=echo_scan)))
        assert notify.count("WATCHDOG=1", 3.0) >= 2  # a daemon that can scan again is pinged again
        assert metrics.registry.get_sample_value("coinguard_canary_last_success_timestamp_seconds") > 0
    finally:
        stop.set()
        runtime.shutdown(5)
        notify.close()


def _sigcont(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGCONT)


def test_running_daemon_stops_pinging_while_its_worker_cannot_scan(tmp_path: Path) -> None:
    """The real daemon under a 3 s watchdog: a stopped (hung) worker stops the pings; when it
    runs again they resume.  systemd would have restarted the daemon in between."""
    from pool_fakes import daemon_workers

    conf = smoke_config(tmp_path, free_port(), free_port())
    workers: list[int] = []
    with daemon_under_notify(tmp_path, [sys.executable, "-m", "coinguard", "run", "-c", str(conf)],
                             3_000_000) as (proc, notify), contextlib.ExitStack() as resume:
        resume.callback(lambda: [_sigcont(pid) for pid in workers])
        notify.wait_for("READY=1", 90)
        assert notify.count("WATCHDOG=1", 3.5) >= 2
        workers = daemon_workers(proc.pid)
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGSTOP)  # alive, but it scans nothing
        time.sleep(2.0)  # a check may still pass on the last success (fresh for a third of the period)
        assert notify.count("WATCHDOG=1", 4.0) == 0
        os.kill(workers[0], signal.SIGCONT)
        assert notify.count("WATCHDOG=1", 4.0) >= 1
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    output = (tmp_path / "daemon.log").read_text(errors="replace")
    assert "watchdog: health check failed; not pinging systemd" in output
    assert "watchdog: health check passes again" in output
