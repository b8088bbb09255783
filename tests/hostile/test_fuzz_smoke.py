"""A bounded run of every fuzz harness (issue 10 item 9): ~8 s each, fixed seed.

Fails when an exception escapes the harness target (for the scan harnesses: escapes
``scan_message``), with the harness's output, which names the ``crash-*`` file to replay
(``python fuzz/<harness>.py crash-...``).  Crash signatures already filed in issue 10
are skipped (``COINGUARD_FUZZ_SKIP_KNOWN``, list in fuzz/harness.py) so this stays a
detector of *new* crashes; their regression tests are in this folder.  Deselect with
``-m 'not fuzz'``.  Longer runs by hand: fuzz/README.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("COINGUARD_FUZZ_SMOKE_S", "8"))


@pytest.mark.fuzz
@pytest.mark.parametrize(("harness", "unpacker"), [
    ("fuzz_scan_message", ""), ("fuzz_attachment", ""), ("fuzz_mime", ""), ("fuzz_unpackers", ""),
    ("fuzz_unpackers", "chm"), ("fuzz_unpackers", "disk_image"),  # the newer CHM and dmg/xar/cpio readers
])
def test_fuzz_harness_bounded_run(harness: str, unpacker: str, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "milter"), "COINGUARD_FUZZ_SKIP_KNOWN": "1",
           "COINGUARD_FUZZ_UNPACKER": unpacker}
    argv = [sys.executable, str(REPO / "fuzz" / f"{harness}.py"), f"-max_total_time={SECONDS}", "-seed=1",
            "-timeout=60", "-rss_limit_mb=2048", f"-artifact_prefix={tmp_path}/", "-print_final_stats=1"]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=SECONDS * 6 + 120, cwd=tmp_path, env=env)
    tail = "\n".join(line for line in r.stderr.splitlines() if not line.startswith(("#", "INFO:")))[-3000:]
    assert r.returncode == 0, f"{harness} found a crash:\n{tail}"
    assert "stat::number_of_executed_units" in r.stderr or "engine=mutate runs=" in r.stderr, tail


@pytest.fixture
def seeds() -> Any:
    """fuzz/seeds.py (with fuzz/harness.py, the only top-level ``seeds`` and ``harness`` modules)."""
    sys.path.insert(0, str(REPO / "fuzz"))
    try:
        import seeds
    finally:
        sys.path.remove(str(REPO / "fuzz"))
    assert Path(seeds.__file__).parent == REPO / "fuzz"
    return seeds


def test_new_format_seeds_are_what_they_claim(seeds: Any) -> None:
    """The seeds of the newer parsers sniff as their format, so the fuzzers start inside those parsers."""
    from coinguard.sniff import sniff

    kinds = [sniff(data) for data in seeds.new_format_files()]
    assert kinds == ["chm", "xar", "dmg", "cpio", "binary", "ole.xls", "ooxml.excel", "image.png", "pdf"]
    assert all(data in seeds.files() for data in seeds.new_format_files())


def test_new_format_seeds_are_one_set_however_slow_the_build(seeds: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """files() holds the very seeds new_format_files() gives, even when the clock moves between the
    calls: zip members carry the current time (2 s resolution), so building the seeds twice gave
    different XLSB bytes whenever a second boundary fell between (the test above failed in ~1 run of 5)."""
    clock = iter(range(1_800_000_000, 1_900_000_000, 7))
    monkeypatch.setattr(time, "time", lambda: float(next(clock)))
    _forget_built_seeds(seeds)
    try:
        first = seeds.new_format_files()
        assert all(data in seeds.files() for data in first)
        assert seeds.new_format_files() == first
    finally:
        _forget_built_seeds(seeds)


def _forget_built_seeds(seeds: Any) -> None:
    for built in (seeds.files, seeds.new_format_files):
        getattr(built, "cache_clear", lambda: None)()
