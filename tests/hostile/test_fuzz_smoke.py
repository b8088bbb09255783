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
from pathlib import Path

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


def test_new_format_seeds_are_what_they_claim() -> None:
    """The seeds of the newer parsers sniff as their format, so the fuzzers start inside those parsers."""
    sys.path.insert(0, str(REPO / "fuzz"))
    try:
        import seeds
    finally:
        sys.path.remove(str(REPO / "fuzz"))
    from coinguard.sniff import sniff

    kinds = [sniff(data) for data in seeds.new_format_files()]
    assert kinds == ["chm", "xar", "dmg", "cpio", "binary", "ole.xls", "ooxml.excel", "image.png", "pdf"]
    assert all(data in seeds.files() for data in seeds.new_format_files())
