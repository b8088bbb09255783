"""Shared fixtures.  Plain helper functions live in ``tests/helpers.py``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from coinguard.analyzers.base import AnalysisContext

from helpers import corpus_available, make_context, make_message, need_corpus


@pytest.fixture
def corpus_dir() -> Path:
    """The ../shared/corpus folder; skips the test cleanly when it is absent."""
    return need_corpus()


@pytest.fixture
def message_builder() -> Callable[..., bytes]:
    return make_message


@pytest.fixture
def analysis_context() -> AnalysisContext:
    return make_context()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if corpus_available():
        return
    skip = pytest.mark.skip(reason="../shared/corpus not available")
    for item in items:
        if "corpus" in item.keywords:
            item.add_marker(skip)
