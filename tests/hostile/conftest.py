"""Fixtures for the hostile-input suite (issue 10).

Names that issue 9 moves are imported only in ``hostile_imports.py``; the offline scan
pipeline is in ``pipeline.py`` (both importable as ``hostile.*`` since tests/ is on sys.path).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from coinguard.findings import Verdict
from hostile.pipeline import scan


@pytest.fixture
def scanner() -> Callable[..., Verdict]:
    return scan


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "fuzz: a bounded fuzzing run of fuzz/ harnesses (deselect with -m 'not fuzz')")
