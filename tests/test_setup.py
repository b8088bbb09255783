"""The set-up path: ./setup bootstraps make; test packages install without Recommends and never start.

apt-get, dpkg-query, make and friends are replaced by recording stand-ins on PATH, so these tests
run the real ./setup and Makefile recipes without touching the host's packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import REPO

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="the set-up installs packages only as root")


def _stand_ins(bin_dir: Path, log: Path, **extra: str) -> dict[str, str]:
    """Recording programs: each appends 'name args...' to ``log``; dpkg-query reports nothing installed."""
    bin_dir.mkdir()
    scripts = {
        "apt-get": f'echo "apt-get $*" >> {log}',
        "dpkg-query": "exit 1",  # nothing is installed
        "debconf-set-selections": "cat > /dev/null",
        "systemctl": f'echo "systemctl $*" >> {log}',
        "make": f'echo "make $*" >> {log}',
        **extra,
    }
    for name, body in scripts.items():
        path = bin_dir / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(0o755)
    return {**os.environ, "PATH": f"{bin_dir}:/usr/bin:/bin"}


def test_setup_installs_make_first_then_runs_the_same_target(tmp_path: Path) -> None:
    log = tmp_path / "log"
    env = _stand_ins(tmp_path / "bin", log)
    for target in ("run", "test"):
        r = subprocess.run([str(REPO / "setup"), target], capture_output=True, text=True, env=env, timeout=60)
        assert r.returncode == 0, r.stderr
    calls = log.read_text().splitlines()
    install = "apt-get install -y -q --no-install-recommends make ca-certificates"
    assert calls == ["apt-get update -q", install, "make --no-print-directory run",
                     "apt-get update -q", install, "make --no-print-directory test"]


def test_setup_with_make_present_goes_straight_to_make(tmp_path: Path) -> None:
    log = tmp_path / "log"
    env = _stand_ins(tmp_path / "bin", log, **{"dpkg-query": "echo 'install ok installed'"})
    r = subprocess.run([str(REPO / "setup")], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0 and log.read_text() == "make --no-print-directory run\n"


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_test_packages_install_without_recommends_and_no_service_starts(tmp_path: Path) -> None:
    log = tmp_path / "log"
    policy = tmp_path / "policy-rc.d"
    # apt-get records whether the policy forbidding service starts is in place during the install
    apt = (f'echo "apt-get $*" >> {log}; [ "$1" = install ] || exit 0; '
           f'[ -x {policy} ] && {{ {policy} prometheus start; echo "policy-rc.d exit $?" >> {log}; }}')
    env = _stand_ins(tmp_path / "bin", log, **{"apt-get": apt})
    (tmp_path / "bin" / "make").unlink()  # the real make runs the recipe (and calls itself)
    r = subprocess.run(["make", "-s", "-C", str(REPO), "apt-test", f"POLICY_RC_D={policy}"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    packages, services = _make_var("APT_TEST_PACKAGES"), _make_var("APT_TEST_SERVICES")
    assert packages[:2] == ["prometheus", "systemd"] and "prometheus.service" in services
    assert log.read_text().splitlines() == [
        "apt-get update -q",
        "apt-get install -y -q --no-install-recommends " + " ".join(packages),
        "policy-rc.d exit 101",
        *(f"systemctl disable {s}" for s in services),  # every test package's unit, never left enabled
    ]
    assert not policy.exists()  # removed again: it was ours


def _make_var(name: str) -> list[str]:
    """A Makefile variable's words, as make expands it."""
    r = subprocess.run(["make", "-s", "-C", str(REPO), "--eval", f"print-var: ; @echo $({name})", "print-var"],
                       capture_output=True, text=True, timeout=60, check=True)
    return r.stdout.split()


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_production_venv_gets_runtime_dependencies_only() -> None:
    r = subprocess.run(["make", "-n", "-C", str(REPO), "venv", "test-venv"], capture_output=True, text=True,
                       timeout=60)
    lines = [line for line in r.stdout.splitlines() if "pip install" in line and "upgrade" not in line]
    assert lines == [".venv/bin/pip install --disable-pip-version-check --progress-bar off -e .",
                     ".venv-test/bin/pip install --disable-pip-version-check --progress-bar off -e '.[test]'"]
