"""YARA rules: find, check, compile (one namespace per file), save precompiled, load.

The daemon compiles once (:func:`compile_rules`), saves the compiled set
(:func:`save_compiled`) and every worker loads that file (:func:`load_compiled`).
A reload compiles the new set first: :func:`compile_rules` raises
:class:`~coinguard.errors.RulesError` listing *every* broken file with its line,
and the caller keeps serving the previous set.  Broken files are never silently
dropped.

Every ``*.yar`` / ``*.yara`` file under the configured directories is used,
recursively and in sorted order.  Each file gets its own namespace: its path
relative to the directory without the extension (``coinguard_macros``,
``thirdparty/signature-base/gen_maldoc``), so two files may reuse a rule name.
The externals ``filename``, ``extension``, ``filepath``, ``filetype`` and
``owner`` are declared as empty strings so THOR/LOKI-style third-party rules
compile, and ``role`` (the Item's role, e.g. ``body``) for our own; the YARA
analyzer passes each Item's values at match time.

The compiled set is a :class:`~coinguard.yara_scope.ScopedRules`: one yara set per
item class, each file only in the classes it targets (``// coinguard-scope:`` line
or the vendored-file table in :mod:`coinguard.yara_scope`; unscoped files run on all).

``coinguard rules check [FILE|DIR...]`` is :func:`check_command`.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yara

from coinguard import yara_scope
from coinguard.errors import RulesError

log = logging.getLogger(__name__)

#: External variables every rule may use; values are set per Item at match time
#: (THOR/LOKI names, plus ``role``: attachment, body, member, extracted, text ...).
EXTERNALS: dict[str, str] = {
    "filename": "",
    "extension": "",
    "filepath": "",
    "filetype": "",
    "owner": "",
    "role": "",
}

RULE_SUFFIXES = (".yar", ".yara")

#: Path component that marks vendored rule sets (not held to our meta conventions).
THIRDPARTY_DIR = "thirdparty"

#: Compiled-set files kept in the cache directory (the newest and the one before it,
#: which workers of the previous generation may still be loading).
KEEP_COMPILED = 2

_LOCATED = re.compile(r"^(?P<file>.*?)\((?P<line>\d+)\): (?P<msg>.*)$", re.DOTALL)
_LINE_ONLY = re.compile(r"^line (?P<line>\d+): (?P<msg>.*)$", re.DOTALL)

RuleError = tuple[str, int, str]


@dataclass(frozen=True, slots=True)
class RuleFile:
    """One rule file and the namespace its rules live in."""

    path: str
    namespace: str


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A compiled rule set and what it was built from."""

    rules: Any  # yara.Rules
    count: int
    files: tuple[str, ...]
    source_hash: str


# -- finding the files --------------------------------------------------------


def find_rule_files(dirs: Sequence[str]) -> list[RuleFile]:
    """Every rule file under ``dirs`` (recursively, sorted), with a unique namespace each.

    An entry may also name one rule file (``coinguard rules check new.yar``); its namespace is
    its name without the extension.  An entry that does not exist is an error (a typo in
    ``[rules] dirs`` must not quietly run with no rules).
    """
    missing = [d for d in dirs if not (Path(d).is_dir() or Path(d).is_file())]
    if missing:
        raise RulesError(
            "rule file or directory not found: " + ", ".join(missing),
            [(d, 0, "no such file or directory") for d in missing],
        )
    out: list[RuleFile] = []
    used: set[str] = set()
    for index, d in enumerate(dirs):
        root = Path(d)
        if root.is_file():
            found = [(root, root.stem)]
        else:
            paths = sorted(p for p in root.rglob("*") if p.suffix.lower() in RULE_SUFFIXES and p.is_file())
            found = [(p, p.relative_to(root).with_suffix("").as_posix()) for p in paths]
        for p, ns in found:
            if ns in used:  # the same relative name in a second directory
                ns = f"{index}:{ns}"
            used.add(ns)
            out.append(RuleFile(str(p), ns))
    return out


def source_hash(files: Iterable[RuleFile]) -> str:
    """sha256 over every file's namespace and bytes: equal hashes mean an identical rule set."""
    h = hashlib.sha256(f"yara {yara.YARA_VERSION}\n{yara_scope.table_digest()}\n".encode())
    for f in files:
        data = Path(f.path).read_bytes()
        h.update(f"{f.namespace}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def current_source_hash(dirs: Sequence[str]) -> str:
    """The hash :func:`compile_rules` would record, without compiling (cheap reload check)."""
    return source_hash(find_rule_files(dirs))


# -- compiling ----------------------------------------------------------------


def parse_yara_error(text: str, default_file: str) -> RuleError:
    """Split a yara error message (``file(line): message``) into (file, line, message)."""
    text = str(text).strip()
    m = _LOCATED.match(text)
    if m:
        return m["file"] or default_file, int(m["line"]), m["msg"].strip()
    m = _LINE_ONLY.match(text)
    if m:
        return default_file, int(m["line"]), m["msg"].strip()
    return default_file, 0, text


def _compile_one(f: RuleFile) -> tuple[Any, RuleError | None]:
    try:
        return yara.compile(filepath=f.path, externals=EXTERNALS), None
    except yara.SyntaxError as exc:
        return None, parse_yara_error(str(exc), f.path)
    except yara.Error as exc:  # unreadable file and the like
        return None, (f.path, 0, str(exc))


def compile_rules(dirs: Sequence[str]) -> RuleSet:
    """Compile every rule file under ``dirs`` into one :class:`RuleSet`.

    All files are compiled together, one namespace per file.  yara stops at the
    first error of a compile, so when that fails every file is compiled alone to
    report *every* broken one.  Raises :class:`RulesError` with ``errors`` =
    [(file, line, message), ...] if anything fails.
    """
    files = find_rule_files(dirs)
    try:
        return _compile_all(files)
    except RulesError as exc:
        _, errors = _compile_each(files)
        if errors:
            raise RulesError(_summary(errors), errors) from exc
        raise  # each file compiles alone but not together


def _compile_each(files: Sequence[RuleFile]) -> tuple[list[tuple[RuleFile, Any]], list[RuleError]]:
    compiled: list[tuple[RuleFile, Any]] = []
    errors: list[RuleError] = []
    for f in files:
        rules, err = _compile_one(f)
        if err is not None:
            errors.append(err)
        else:
            compiled.append((f, rules))
    return compiled, errors


def _compile_all(files: Sequence[RuleFile]) -> RuleSet:
    digest = source_hash(files)
    try:
        rules = yara_scope.compile_scoped(files, EXTERNALS)  # one set per item class
    except yara.Error as exc:  # SyntaxError is a subclass
        err = parse_yara_error(str(exc), ",".join(f.path for f in files) or "<none>")
        raise RulesError(_summary([err]), [err]) from exc
    count = rules.count
    log.info("compiled %d YARA rules from %d files (hash %s)", count, len(files), digest[:12])
    return RuleSet(rules=rules, count=count, files=tuple(f.path for f in files), source_hash=digest)


def _summary(errors: Sequence[RuleError]) -> str:
    first = errors[0]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"YARA rules failed to compile: {first[0]}:{first[1]}: {first[2]}{more}"


# -- the precompiled cache ----------------------------------------------------


def compile_to_cache(dirs: Sequence[str], cache_dir: str) -> tuple[str, int, str]:
    """Compile ``dirs`` and save the set into ``cache_dir``: (path, rule count, source hash).

    The daemon runs this in a short-lived child process: compiling (and, after an
    error, compiling every file alone to report them all) allocates hundreds of MB
    that glibc would otherwise keep in the long-running daemon for good.
    """
    ruleset = compile_rules(dirs)
    return save_compiled(ruleset, cache_dir), ruleset.count, ruleset.source_hash


def save_compiled(ruleset: RuleSet, cache_dir: str) -> str:
    """Write the compiled set into ``cache_dir`` atomically (temp file + rename); return its path.

    The file name carries the source hash, so a set that did not change is the
    same file.  Older compiled sets beyond the last :data:`KEEP_COMPILED` are removed.
    """
    directory = Path(cache_dir)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"rules-{ruleset.source_hash[:16]}.yarc"
    fd, tmp = tempfile.mkstemp(prefix=".rules-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            ruleset.rules.save(file=fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(directory)
    _prune(directory, keep=target)
    return str(target)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _prune(directory: Path, keep: Path) -> None:
    old = sorted(
        (p for p in directory.glob("rules-*.yarc") if p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for p in old[KEEP_COMPILED - 1 :]:
        with contextlib.suppress(OSError):
            p.unlink()


#: The class whose set is loaded with the file (text, HTML, zip and most attachments: nearly every message).
EAGER_CLASS = "other"


def load_compiled(path: str) -> Any:
    """Load a set written by :func:`save_compiled` (in a worker process).

    Of a scoped set, only the :data:`EAGER_CLASS` set is loaded now, so a missing, truncated or damaged
    file still fails here (the worker then fails every task); the other classes' sets load when an item of
    theirs first comes (:meth:`~coinguard.yara_scope.ScopedRules.load_set`; one that fails then is a
    ``yara.error`` on that item: its verdict unchecked).
    """
    try:
        rules = yara_scope.load(str(path))
        if isinstance(rules, yara_scope.ScopedRules):
            rules.for_class(EAGER_CLASS)
        return rules
    except (yara.Error, OSError) as exc:
        raise RulesError(f"cannot load compiled rules {path}: {exc}", [(str(path), 0, str(exc))]) from exc


# -- `coinguard rules check` --------------------------------------------------


def is_thirdparty(path: str) -> bool:
    return THIRDPARTY_DIR in Path(path).parts


def meta_warnings(f: RuleFile, rules: Any) -> list[RuleError]:
    """Convention problems in one compiled file: ``score`` must be a number;
    our own rules (not under ``thirdparty/``) need a ``description``."""
    out: list[RuleError] = []
    ours = not is_thirdparty(f.path)
    for rule in rules:
        if rule.is_private:
            continue
        meta = rule.meta
        if "score" in meta and (isinstance(meta["score"], bool) or not _is_number(meta["score"])):
            out.append((f.path, 0, f"rule {rule.identifier}: meta score {meta['score']!r} is not a number"))
        if ours and not meta.get("description"):
            out.append((f.path, 0, f"rule {rule.identifier}: missing meta description"))
    return out


def _is_number(value: Any) -> bool:
    if isinstance(value, int):
        return True
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def check_command(dirs: Sequence[str], out: TextIO | None = None) -> int:
    """Compile the rules and print what is wrong; exit status 0 (all compile) or 1.

    Errors print as ``file:line: message``; convention problems (see
    :func:`meta_warnings`) and yara's own warnings as ``file:line: warning: ...``
    without failing the check.  Success ends with ``OK: N rules in M files``.
    """
    out = out or sys.stdout
    try:
        files = find_rule_files(dirs)
    except RulesError as exc:
        for file, line, msg in exc.errors:
            print(f"{file}:{line}: {msg}", file=out)
        return 1
    compiled, errors = _compile_each(files)
    warnings: list[RuleError] = []
    hidden = 0
    for f, rules in compiled:
        if is_thirdparty(f.path):  # vendored: their yara performance warnings are not ours to fix
            hidden += len(rules.warnings)
        else:
            warnings.extend(parse_yara_error(w, f.path) for w in rules.warnings)
        warnings.extend(meta_warnings(f, rules))
    for file, line, msg in warnings:
        print(f"{file}:{line}: warning: {msg}", file=out)
    if hidden:
        print(f"note: {hidden} yara performance warnings in {THIRDPARTY_DIR}/ files not shown", file=out)
    count = 0
    if not errors:
        try:
            count = _compile_all(files).count
        except RulesError as exc:
            errors = list(exc.errors)
    for file, line, msg in errors:
        print(f"{file}:{line}: {msg}", file=out)
    if errors:
        print(f"FAILED: {len(errors)} of {len(files)} files have errors", file=out)
        return 1
    print(f"OK: {count} rules in {len(files)} files", file=out)
    return 0
