"""Rules of the code base that are cheap to check and expensive to break (STYLE.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from coinguard.analyzers import ITEM_ANALYZERS, MESSAGE_ANALYZERS
from coinguard.catalogue import catalogue
from coinguard.unpack import UNPACKERS

from helpers import REPO

PKG = REPO / "milter" / "coinguard"
HELPER_MODULES = {"__init__", "base", "common"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_milter_source_root_is_not_a_package() -> None:
    assert not (REPO / "milter" / "__init__.py").exists()


def test_only_daemon_imports_libmilter() -> None:
    offenders = [
        str(p.relative_to(PKG))
        for p in PKG.rglob("*.py")
        if p.name != "daemon.py" and _imports(p) & {"Milter", "milter", "Milter.testctx"}
    ]
    assert offenders == []


def test_analyzers_and_policy_meet_only_through_codes() -> None:
    for p in (PKG / "analyzers").glob("*.py"):
        assert "coinguard.policy" not in _imports(p), p.name
    for p in (PKG / "unpack").glob("*.py"):
        assert "coinguard.policy" not in _imports(p), p.name
    assert not {i for i in _imports(PKG / "policy.py") if i.startswith(("coinguard.analyzers", "coinguard.unpack"))}


@pytest.mark.parametrize(
    ("package", "handlers", "tests_dir"),
    [("analyzers", (*ITEM_ANALYZERS, *MESSAGE_ANALYZERS), "analyzers"), ("unpack", UNPACKERS, "unpack")],
)
def test_every_handler_module_is_registered_and_tested(package: str, handlers: tuple, tests_dir: str) -> None:
    registered = {type(h).__module__.rsplit(".", 1)[-1] for h in handlers}
    modules = {p.stem for p in (PKG / package).glob("*.py")} - HELPER_MODULES
    assert modules - registered == set(), "modules with no registered handler"
    untested = {m for m in modules if not (REPO / "tests" / tests_dir / f"test_{m}.py").exists()}
    assert untested == set(), "modules without tests"


def test_catalogue_codes_are_well_formed() -> None:
    cat = catalogue()
    assert cat
    for code, info in cat.items():
        assert re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_*]+)+", code), code
        assert info.score >= 0 and info.description, code


def test_handlers_declare_name_and_codes() -> None:
    names = [h.name for h in (*UNPACKERS, *ITEM_ANALYZERS, *MESSAGE_ANALYZERS)]
    assert len(names) == len(set(names))
    for h in (*UNPACKERS, *ITEM_ANALYZERS, *MESSAGE_ANALYZERS):
        assert isinstance(h.name, str) and h.name
        assert isinstance(h.codes, tuple) and all(c.code for c in h.codes)
