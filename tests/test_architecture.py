"""Rules of the code base that are cheap to check and expensive to break (STYLE.md)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from coinguard.analyzers import ITEM_ANALYZERS, MESSAGE_ANALYZERS, ordered
from coinguard.catalogue import catalogue
from coinguard.sniff import ItemType
from coinguard.unpack import UNPACKERS

from helpers import REPO

PKG = REPO / "milter" / "coinguard"
#: Modules of analyzers/ and unpack/ that hold no handler: the registry and shared helpers (``*_common``).
HELPER_MODULES = {"__init__", "common"}
#: The only core modules that may import the registries (coinguard.analyzers, coinguard.unpack).
REGISTRY_USERS = {"scan.py", "catalogue.py"}


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (``from a import b`` gives a and a.b)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _is_helper(stem: str) -> bool:
    return stem in HELPER_MODULES or stem.endswith("_common")


def _submodules(imports: set[str], package: str) -> set[str]:
    """The modules of ``coinguard.<package>`` among ``imports`` (not the package's own names)."""
    prefix = f"coinguard.{package}."
    existing = {p.stem for p in (PKG / package).glob("*.py")} - {"__init__"}
    return {m for m in (i[len(prefix):].split(".")[0] for i in imports if i.startswith(prefix)) if m in existing}


def _leaf_modules(imports: set[str], package: str) -> set[str]:
    """Imported handler modules of ``coinguard.<package>`` (helpers excluded)."""
    return {m for m in _submodules(imports, package) if not _is_helper(m)}


def test_core_modules_import_no_analyzer_or_unpacker() -> None:
    """Core (coinguard/*.py) never reaches into analyzers/ or unpack/; only the scan loop and the
    catalogue read the registries."""
    offenders = {}
    for p in PKG.glob("*.py"):
        imports = _imports(p)
        bad = {f"analyzers.{m}" for m in _submodules(imports, "analyzers")}
        bad |= {f"unpack.{m}" for m in _submodules(imports, "unpack")}
        if p.name not in REGISTRY_USERS:
            bad |= {i for i in imports if i in ("coinguard.analyzers", "coinguard.unpack")}
        if bad:
            offenders[p.name] = sorted(bad)
    assert offenders == {}


def test_analyzers_import_no_other_analyzer() -> None:
    """Analyzers use core modules and ``*_common`` helpers only; unpackers use no analyzer at all."""
    offenders = {}
    for p in (PKG / "analyzers").glob("*.py"):
        if p.stem == "__init__":
            continue
        imports = _imports(p)
        bad = _leaf_modules(imports, "analyzers") | {f"unpack.{m}" for m in _submodules(imports, "unpack")}
        if _is_helper(p.stem):  # a helper may not lean on an analyzer either
            bad |= {m for m in _submodules(imports, "analyzers") if not _is_helper(m)}
        if bad:
            offenders[p.name] = sorted(bad)
    for p in (PKG / "unpack").glob("*.py"):
        if p.stem == "__init__":
            continue
        imports = _imports(p)
        bad = {f"analyzers.{m}" for m in _submodules(imports, "analyzers")}
        bad |= {i for i in imports if i == "coinguard.analyzers"} | _leaf_modules(imports, "unpack")
        if bad:
            offenders[f"unpack/{p.name}"] = sorted(bad)
    assert offenders == {}


def test_importing_mime_loads_no_analyzer_or_parsing_library() -> None:
    """mime (and the core under it) stays cheap: no registry, no oletools/yara/dkim/pypdf in a fresh process."""
    heavy = ("oletools", "yara", "dkim", "pypdf", "coinguard.analyzers", "coinguard.unpack")
    code = ("import sys, coinguard.mime, coinguard.handlers, coinguard.text, coinguard.domains, coinguard.dns; "
            f"print(' '.join(m for m in {heavy!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(PKG.parent)}, timeout=60)
    assert out.stdout.split() == []


class _Msg:
    codes = ()

    def __init__(self, name: str, *after: str) -> None:
        self.name, self.after = name, after


def test_message_analyzer_order_follows_after() -> None:
    names = [a.name for a in MESSAGE_ANALYZERS]
    for i, analyzer in enumerate(MESSAGE_ANALYZERS):
        assert set(analyzer.after) <= set(names[:i]), analyzer.name
    assert names.index("dkim_auth") < names.index("crypto_theme") and names.index("dkim_auth") < names.index("brands")
    got = ordered([_Msg("b", "a"), _Msg("c"), _Msg("a")])  # type: ignore[list-item]
    assert [a.name for a in got] == ["c", "a", "b"]


def test_message_analyzer_order_refuses_unknown_names_and_cycles() -> None:
    with pytest.raises(RuntimeError, match="unknown analyzer"):
        ordered([_Msg("a", "dkim")])  # type: ignore[list-item]
    with pytest.raises(RuntimeError, match="cycle"):
        ordered([_Msg("a", "b"), _Msg("b", "a")])  # type: ignore[list-item]


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
    modules = {p.stem for p in (PKG / package).glob("*.py") if not _is_helper(p.stem)}
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


def _is_type_attr(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "type" and isinstance(node.value, ast.Name)


def _strings(node: ast.AST) -> set[str]:
    return {c.value for c in ast.walk(node) if isinstance(c, ast.Constant) and isinstance(c.value, str)}


def _type_names_compared(path: Path) -> tuple[set[str], set[str]]:
    """(type names, type prefixes) a module compares ``<x>.type`` with: literals, literal collections,
    module-level constants holding them, and ``<x>.type.startswith(...)`` prefixes."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    consts = {node.targets[0].id: node.value for node in tree.body
              if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)}
    names: set[str] = set()
    prefixes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and _is_type_attr(node.left):
            for comp in node.comparators:
                if isinstance(comp, ast.Name) and comp.id in consts:
                    value = consts[comp.id]  # a dict is probed by its keys
                    names |= _strings(value) if not isinstance(value, ast.Dict) else {
                        k.value for k in value.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
                elif isinstance(comp, ast.Constant | ast.Tuple | ast.Set | ast.List):
                    names |= _strings(comp)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "startswith"
              and _is_type_attr(node.func.value)):
            prefixes |= {s for arg in node.args for s in _strings(arg)}
    return names, prefixes


def test_item_types_compared_in_handlers_are_in_the_sniff_vocabulary() -> None:
    """``item.type == "ole.dco"`` would silently never match: every type name a handler compares
    ``Item.type`` with is an ItemType (sniff's vocabulary), every prefix starts one."""
    vocabulary = {t.value for t in ItemType}
    unknown: dict[str, set[str]] = {}
    checked = 0
    for p in [*PKG.glob("*.py"), *(PKG / "analyzers").glob("*.py"), *(PKG / "unpack").glob("*.py")]:
        names, prefixes = _type_names_compared(p)
        checked += len(names) + len(prefixes)
        bad = (names - vocabulary) | {f"{x}*" for x in prefixes if not any(t.startswith(x) for t in vocabulary)}
        if bad:
            unknown[str(p.relative_to(PKG))] = bad
    assert checked > 40  # the check sees the dispatch code (it would pass vacuously otherwise)
    assert unknown == {}
