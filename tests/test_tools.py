"""Optional external tools: a missing one is named, with what it opens and its Debian package."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from coinguard.tools import OPTIONAL_TOOLS, Tool, missing_tool_warnings, tool_status


def _fake_program(directory: Path, name: str) -> Path:
    path = directory / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return path


def test_any_listed_program_satisfies_a_tool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    seven = _fake_program(tmp_path, "7za")  # the last alternative is enough
    statuses = {s.tool.name: s for s in tool_status()}
    assert statuses["7zz"].path == str(seven) and statuses["7zz"].present
    assert not statuses["unar"].present and not statuses["bsdtar"].present
    warnings = missing_tool_warnings()
    assert warnings == [
        "optional tool unar not found (apt-get install unar): RAR archives (rarfile's decompressor)"
        " cannot be opened",
        "optional tool bsdtar not found (apt-get install libarchive-tools): RAR archives when unar is missing"
        " cannot be opened",
    ]


def test_nothing_missing_means_no_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    for tool in OPTIONAL_TOOLS:
        _fake_program(tmp_path, tool.programs[0])
    assert missing_tool_warnings() == []
    assert tool_status((Tool("x", ("no-such-program-here",), "x", "x"),))[0].path is None


def test_config_check_warns_about_missing_tools_and_still_passes(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(tmp_path), "COINGUARD_CONFIG": ""}  # no tool on PATH at all
    r = subprocess.run([sys.executable, "-m", "coinguard", "config", "check"], capture_output=True, text=True,
                       timeout=120, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("coinguard: warning: optional tool") == len(OPTIONAL_TOOLS)
    assert "apt-get install 7zip" in r.stderr


def test_missing_tools_are_a_gauge_set_at_start_and_on_reload(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    """coinguard_optional_tool_missing{tool}: build_generation (start-up and every reload) looks again."""
    from prometheus_client import CollectorRegistry

    from coinguard import runtime
    from coinguard.config import Config
    from coinguard.metrics import make_metrics

    monkeypatch.setenv("PATH", str(tmp_path))
    _fake_program(tmp_path, "7zz")
    reg = CollectorRegistry()
    m = make_metrics(reg)

    def gauge() -> dict[str, float | None]:
        return {t.name: reg.get_sample_value("coinguard_optional_tool_missing", {"tool": t.name})
                for t in OPTIONAL_TOOLS}

    assert gauge() == {"7zz": None, "unar": None, "bsdtar": None}  # nothing claimed before a look

    def no_store(cfg: Config) -> None:  # stop build_generation before rules and workers
        raise RuntimeError("stop here")

    monkeypatch.setattr(runtime, "open_quarantine", no_store)
    with pytest.raises(RuntimeError, match="stop here"):
        runtime.build_generation(Config(), 1, m)
    assert gauge() == {"7zz": 0.0, "unar": 1.0, "bsdtar": 1.0}
    _fake_program(tmp_path, "unar")  # the admin installs unar and reloads
    (tmp_path / "7zz").unlink()
    with pytest.raises(RuntimeError, match="stop here"):
        runtime.build_generation(Config(), 2, m)
    assert gauge() == {"7zz": 1.0, "unar": 0.0, "bsdtar": 1.0}
