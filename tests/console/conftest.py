"""Fixtures for tests/console: they live in consoletest.py (importable by the test modules)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from consoletest import env, sink  # noqa: F401 - fixtures
