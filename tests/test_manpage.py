"""coinguard(8) is generated from the argparse definitions; bash completion answers through argcomplete."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO

BIN = Path(sys.executable).parent
needs_tools = pytest.mark.skipif(
    not (BIN / "argparse-manpage").exists() or not (BIN / "register-python-argcomplete").exists(),
    reason="argparse-manpage/argcomplete not in this venv (the [test] extra has them)")


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs")
    env = {**os.environ, "PYTHONPATH": str(REPO / "milter")}
    subprocess.run([str(REPO / "packaging" / "build-docs.sh"), str(BIN), str(out)], check=True, timeout=120, env=env)
    return out


@needs_tools
def test_man_page_has_every_command_and_the_admin_sections(docs: Path) -> None:
    page = (docs / "coinguard.8").read_text()
    assert page.startswith('.TH COINGUARD "8"')
    for command in ("run", "scan", "rules", "config", "reload", "findings", "setup", "quarantine"):
        assert f"\\fBcoinguard\\fR \\fI\\,{command}\\/\\fR" in page, command
    for section in (".SH FILES", ".SH ENVIRONMENT", ".SH \"EXIT STATUS\"", ".SH \"SEE ALSO\""):
        assert section in page or section.replace('"', "") in page, section
    assert "COINGUARD_CONFIG" in page and "/etc/coinguard/coinguard.toml" in page


@needs_tools
@pytest.mark.skipif(shutil.which("man") is None, reason="man not installed")
def test_man_page_renders_without_warnings(docs: Path) -> None:
    r = subprocess.run(["man", "--warnings", "-l", str(docs / "coinguard.8")], capture_output=True, text=True,
                       env={**os.environ, "MANPAGER": "cat", "MANWIDTH": "100", "LANG": "C.UTF-8"}, timeout=60)
    assert r.returncode == 0 and "COINGUARD(8)" in r.stdout, r.stderr
    assert r.stderr == "", r.stderr


@needs_tools
def test_completion_script_registers_coinguard(docs: Path) -> None:
    script = (docs / "coinguard.bash").read_text()
    assert "complete" in script and "coinguard" in script and "_python_argcomplete" in script


def _complete(line: str, tmp_path: Path) -> list[str]:
    """What bash would offer for ``line`` (argcomplete's protocol: environment in, a file out)."""
    out = tmp_path / "completions"
    env = {**os.environ, "_ARGCOMPLETE": "1", "_ARGCOMPLETE_IFS": "\v", "COMP_LINE": line,
           "COMP_POINT": str(len(line)), "_ARGCOMPLETE_STDOUT_FILENAME": str(out), "COINGUARD_CONFIG": ""}
    subprocess.run([sys.executable, "-m", "coinguard"], env=env, capture_output=True, timeout=60, check=True)
    text = out.read_text()
    return sorted(text.split("\v")) if text else []


def test_bash_completion_of_commands_and_options(tmp_path: Path) -> None:
    assert _complete("coinguard qu", tmp_path) == ["quarantine "]
    assert {"run", "scan", "setup", "reload"} <= set(_complete("coinguard ", tmp_path))
    assert _complete("coinguard setup postfix --ap", tmp_path) == ["--apply "]
