"""YARA rule scopes: each rule file runs only on the item classes it can match.

One flat rule set costs every item the same: a rule file that imports the ``pe``
module makes yara build the module's whole object tree on *every* match call (about
0.3 ms, even on empty data), and a few third-party regexes without a literal atom
(``(\\w{5}\\s&\\s){7}\\w{5}`` in a maldoc macro rule) cost milliseconds per 100 KB of
any content.  So the files are grouped by the item classes they target:

- every item falls into exactly one class (:func:`classify`): ``exe`` (PE, ELF,
  Mach-O, MSI), ``ole`` (other OLE2 containers), ``xml`` (XML and Office 2003 XML),
  ``macro`` (VBA/XLM source the office analyzer extracted), ``rtf``, ``binary`` (bytes
  sniff knows no format of and that are not text: random data, an unknown or encrypted
  blob), or ``other``;
- a rule file declares the classes it targets, by a line
  ``// coinguard-scope: exe, ole`` in its first lines (our own files, an admin's) or by
  :data:`THIRDPARTY_SCOPES` (vendored files stay byte-for-byte as upstream shipped them);
  a file that declares nothing runs on every class; ``binary`` is a part of ``other``
  split off for speed, so a scope line naming ``other`` covers ``binary`` items too;
- one compiled set per class holds the files of that class plus every unscoped file,
  so each item still costs exactly one match call; a set is compiled without the
  ``import`` lines of modules its files never use (:func:`without_unused_imports`:
  ``Maldoc_Dridex`` imports ``pe`` for nothing, which cost every OLE and XML item ~0.3 ms);
- a single vendored rule can be scoped more narrowly than its file
  (:data:`THIRDPARTY_RULE_SCOPES`): its matches on items outside its classes are dropped
  (:meth:`ScopedRules.for_item` and :meth:`ScopedRules.match` hand out a filtering view),
  since the file must stay as upstream shipped it and its other rules still apply.

:class:`ScopedRules` keeps the sets and behaves like ``yara.Rules`` where callers
need it (``match``, iteration, ``save``): ``match`` without a class runs every set
(each rule once), which is what an item of unknown origin needs.  It saves to one
file (:func:`load` reads it back; a plain compiled ``yara.Rules`` file still loads).
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, BinaryIO

import yara

from coinguard.errors import RulesError
from coinguard.findings import Role
from coinguard.sniff import ItemType

log = logging.getLogger(__name__)

#: Every class an item can fall into; a scope names some of them.
CLASSES: tuple[str, ...] = ("exe", "ole", "xml", "macro", "rtf", "binary", "other")

#: Classes that are a part of another one: a file scoped to the whole runs on the part too.
SUBCLASSES: Mapping[str, tuple[str, ...]] = MappingProxyType({"other": ("binary",)})

#: Item types of the type-based classes (``macro`` depends on where the item came from).
EXE_TYPES = frozenset({ItemType.PE, ItemType.PE_DLL, ItemType.ELF, ItemType.MACHO, ItemType.OLE_MSI})
XML_TYPES = frozenset({ItemType.XML, ItemType.XML_OFFICE})

#: The analyzer whose decoded VBA/XLM source (a ``text`` Item, role ``extracted``) is the ``macro`` class.
MACRO_SOURCE = "office"

#: Scopes of vendored files (namespace = path under the rules directory, no suffix).
#: Why each one: the ``pe`` importers are malware-family signatures for executables (their
#: few string-only rules name implant strings, a Mach-O/ELF sibling, a webshell or a GIF
#: anomaly; only the executable ones matter in mail); the APT19 macro rules carry the
#: atom-less concatenation regex and target macro source, their sibling targets RTF.
THIRDPARTY_SCOPES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        **{
            f"thirdparty/signature-base/{name}": ("exe",)
            for name in (
                "apt_babyshark",
                "apt_freemilk",
                "apt_golddragon",
                "apt_hidden_cobra",
                "apt_lazarus_applejeus",
                "apt_lazarus_dec20",
                "apt_lazarus_jun18",
                "apt_mal_gopuram_apr23",
                "apt_nk_andariel_jul24",
                "apt_nk_tradingtech_apr23",
                "apt_rokrat",
                "apt_ta17_318A",
                "apt_ta17_318B",
                "gen_excel_xll_addin_suspicious",  # XLL add-ins are DLLs
                "gen_file_anomalies",  # PE anomalies (+ a GIF anomaly, a host-scanner hint)
                "gen_mal_3cx_compromise_mar23",  # PE, Mach-O and the signed MSI
            )
        },
        # a PE, an OLE .xls and a Word 2003 XML rule (its unused pe import is dropped: without_unused_imports)
        "thirdparty/yara-rules/maldocs/Maldoc_Dridex": ("exe", "ole", "xml"),
        # FE_LEGALSTRIKE_MACRO(_2): macro source; FE_LEGALSTRIKE_RTF: RTF
        "thirdparty/yara-rules/maldocs/Maldoc_APT19_CVE-2017-0199": ("macro", "rtf"),
        # hash.md5 of the whole item (0.15 ms per 100 KB, on every item) for three APT10 phishing documents,
        # or paths their macro writes (padre1.txt ...): a document Word opens (OLE, OOXML, RTF, XML, MHT, HTML)
        # is never sniffed ``binary``, and the paths stand in macro source, a VBA stream or a dropped script
        "thirdparty/yara-rules/maldocs/Maldoc_APT10_MenuPass": tuple(c for c in CLASSES if c != "binary"),
        # "$header at 0" (the OLE signature) and "AAAAAAAAAA", which matches at every offset of a run of A
        # (base64 of zeros: a smuggled ISO or PE in HTML) and, with Maldoc_PDF's "A", made such runs cost
        # ~9 ms per 100 KB: an item starting with the OLE signature is sniffed ole.* (MSI: exe)
        "thirdparty/yara-rules/maldocs/Maldoc_APT_OLE_JSRat": ("ole", "exe"),
    }
)

#: Scopes of single vendored rules, narrower than their file's: ``(namespace, rule) -> classes`` (empty:
#: the rule's matches are dropped on every class).  Why each one:
#: ``RTF_Shellcode`` is ``{\rtf`` at 0 plus ``(90){2,20}`` anywhere, i.e. the two hex digits of two
#: NOP bytes: every RTF with a picture or a few KB of hex has them (the 2 MB RTF specification
#: does); the RTF analyzer decodes object data and judges what is in it.
THIRDPARTY_RULE_SCOPES: Mapping[tuple[str, str], tuple[str, ...]] = MappingProxyType(
    {
        ("thirdparty/yara-rules/maldocs/maldoc_somerules", "RTF_Shellcode"): (),
    }
)

#: How far into a file a ``// coinguard-scope:`` line is looked for.
SCOPE_HEADER_LINES = 30
_SCOPE_LINE = re.compile(r"^\s*//\s*coinguard-scope\s*:\s*(?P<classes>.*?)\s*$", re.IGNORECASE)

_DIR_PREFIX = re.compile(r"^\d+:")  # rules.find_rule_files: a second directory's duplicate name
_MAGIC = b"coinguard-yara-scoped 1\n"


def classify(item_type: str, role: str = "", source: str = "") -> str:
    """The class of an item, from its sniffed type and where it came from."""
    if item_type in EXE_TYPES:
        return "exe"
    if item_type.startswith("ole."):
        return "ole"
    if item_type in XML_TYPES:
        return "xml"
    if item_type == ItemType.RTF:
        return "rtf"
    if item_type == ItemType.TEXT and role == Role.EXTRACTED and source == MACRO_SOURCE:
        return "macro"  # decoded VBA/XLM source (analyzers/office.py)
    if item_type == ItemType.BINARY:
        return "binary"  # sniff.sniff: no format it knows at any offset it checks, and not text
    return "other"


def with_subclasses(classes: Sequence[str]) -> tuple[str, ...]:
    """``classes`` and the parts of each (:data:`SUBCLASSES`): the classes a scope runs on."""
    out = list(classes)
    out += [part for c in classes for part in SUBCLASSES.get(c, ()) if part not in out]
    return tuple(out)


def declared_scope(path: str, namespace: str) -> tuple[str, ...] | None:
    """The classes a rule file targets (``None``: every class).

    A ``// coinguard-scope:`` line in the file wins over :data:`THIRDPARTY_SCOPES`; a class it names
    brings its parts along (:data:`SUBCLASSES`: ``other`` runs on ``binary`` items too), while the
    table's entries are taken as written.
    An unknown class name is a :class:`RulesError` at that line: a typo must not
    make a file quietly stop running.
    """
    with open(path, encoding="utf-8", errors="replace") as fh:
        for lineno, line in enumerate(fh, 1):
            if lineno > SCOPE_HEADER_LINES:
                break
            m = _SCOPE_LINE.match(line)
            if m:
                names = tuple(n.strip() for n in m["classes"].split(",") if n.strip())
                bad = [n for n in names if n not in CLASSES]
                if bad or not names:
                    msg = f"coinguard-scope: unknown class {', '.join(bad)!s} (known: {', '.join(CLASSES)})"
                    raise RulesError(f"{path}:{lineno}: {msg}", [(path, lineno, msg)])
                return with_subclasses(names)
    return THIRDPARTY_SCOPES.get(_DIR_PREFIX.sub("", namespace))


def scope_table(files: Sequence[Any]) -> dict[str, tuple[str, ...] | None]:
    """namespace -> declared classes (None = all) for rule files with ``path`` and ``namespace``."""
    return {f.namespace: declared_scope(f.path, f.namespace) for f in files}


def files_per_class(files: Sequence[Any]) -> dict[str, list[Any]]:
    """For each class, the rule files that run on it (scoped to it, or unscoped)."""
    table = {ns: classes or CLASSES for ns, classes in scope_table(files).items()}
    return {cls: [f for f in files if cls in table[f.namespace]] for cls in CLASSES}


def dropped_rules(cls: str | None) -> frozenset[tuple[str, str]]:
    """The (namespace, rule) pairs whose matches are dropped on ``cls`` (None: class unknown, every
    rule that runs on no class at all)."""
    return frozenset(key for key, classes in THIRDPARTY_RULE_SCOPES.items()
                     if (cls not in classes if cls is not None else not classes))


class RuleFilter:
    """A compiled set whose ``match`` leaves out the matches of some rules (a narrower rule scope)."""

    def __init__(self, rules: Any, dropped: frozenset[tuple[str, str]]) -> None:
        self.rules = rules
        self.dropped = dropped

    def match(self, *args: Any, **kwargs: Any) -> list[Any]:
        return [m for m in self.rules.match(*args, **kwargs)
                if (_DIR_PREFIX.sub("", m.namespace), m.rule) not in self.dropped]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rules)


class ScopedRules:
    """One compiled ``yara.Rules`` per item class (classes with the same files share one)."""

    def __init__(self, sets: Sequence[Any], class_index: Mapping[str, int], count: int,
                 loader: Callable[[int], Any] | None = None) -> None:
        """``sets``: each a ``yara.Rules``, or None for one that ``loader(index)`` loads on first use
        (:func:`load`: a worker loads only the sets of the classes it meets)."""
        missing = [c for c in CLASSES if c not in class_index]
        if missing or any(not 0 <= i < len(sets) for i in class_index.values()):
            raise ValueError(f"scoped rules without a set for {missing or 'an index out of range'}")
        if loader is None and any(s is None for s in sets):
            raise ValueError("scoped rules with a set to load later and no loader")
        self._sets: list[Any] = list(sets)
        self._loader = loader
        self._failed: dict[int, str] = {}
        self._lock = threading.Lock()
        self.class_index = MappingProxyType(dict(class_index))
        self.count = count  #: rules in all sets together, each once

    @property
    def sets(self) -> tuple[Any, ...]:
        """Every set (each loaded now if it was not yet)."""
        return tuple(self.load_set(i) for i in range(len(self._sets)))

    @property
    def loaded(self) -> tuple[int, ...]:
        """Indices of the sets loaded so far."""
        return tuple(i for i, s in enumerate(self._sets) if s is not None)

    def load_set(self, index: int) -> Any:
        """Set ``index``, loaded on first use; ``yara.Error`` when it cannot be (again on every later call:
        an item of that class is then a YARA error, its verdict unchecked, never scanned without rules)."""
        rules = self._sets[index]
        if rules is not None:
            return rules
        with self._lock:
            if self._sets[index] is None:
                if index in self._failed:
                    raise yara.Error(self._failed[index])
                assert self._loader is not None  # __init__: a set to load later comes with a loader
                try:
                    self._sets[index] = self._loader(index)
                except yara.Error as exc:
                    self._failed[index] = str(exc)
                    log.error("%s", exc)
                    raise
            return self._sets[index]

    def for_class(self, cls: str) -> Any:
        """The compiled set of a class (every rule its files hold: see :meth:`for_item` for matching)."""
        return self.load_set(self.class_index.get(cls, self.class_index["other"]))

    def for_item(self, item_type: str, role: str = "", source: str = "") -> Any:
        """What an item of this type/role/source is matched against: its class's set, without the
        rules whose own scope (:data:`THIRDPARTY_RULE_SCOPES`) leaves that class out."""
        cls = classify(item_type, role, source)
        dropped = dropped_rules(cls)
        return RuleFilter(self.for_class(cls), dropped) if dropped else self.for_class(cls)

    def match(self, *args: Any, **kwargs: Any) -> list[Any]:
        """Every set's matches, each (namespace, rule) once: for data of unknown class."""
        dropped = dropped_rules(None)
        seen: set[tuple[str, str]] = set()
        out = []
        for rules in self.sets:
            for m in rules.match(*args, **kwargs):
                if (m.namespace, m.rule) not in seen and (_DIR_PREFIX.sub("", m.namespace), m.rule) not in dropped:
                    seen.add((m.namespace, m.rule))
                    out.append(m)
        return out

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Any]:
        """Each rule once (yara's Rule objects carry no namespace: identical name, tags
        and meta count once here; :attr:`count` is exact)."""
        seen: set[tuple[str, tuple[str, ...], str]] = set()
        for rules in self.sets:
            for r in rules:
                key = (r.identifier, tuple(r.tags), repr(sorted(r.meta.items())))
                if key not in seen:
                    seen.add(key)
                    yield r

    def save(self, file: BinaryIO | None = None, filepath: str | None = None) -> None:
        """One file: a magic line, a JSON index line, then each set as yara saved it."""
        blobs = []
        for rules in self.sets:
            buf = io.BytesIO()
            rules.save(file=buf)
            blobs.append(buf.getvalue())
        index = json.dumps(
            {"classes": dict(self.class_index), "sizes": [len(b) for b in blobs], "count": self.count,
             "sha256": [hashlib.sha256(b).hexdigest() for b in blobs]}
        ).encode()
        payload = _MAGIC + index + b"\n" + b"".join(blobs)
        if file is not None:
            file.write(payload)
        elif filepath is not None:
            Path(filepath).write_bytes(payload)
        else:
            raise TypeError("save() needs file or filepath")


def compile_scoped(files: Sequence[Any], externals: Mapping[str, str]) -> ScopedRules:
    """Compile one set per distinct class file list (``yara.Error`` and RulesError propagate).

    All files are first compiled together once: that reports errors exactly as a flat
    compile would and counts the rules (then it is dropped).
    """
    per_class = files_per_class(files)
    count = sum(1 for _ in yara.compile(filepaths={f.namespace: f.path for f in files}, externals=dict(externals)))
    sets: list[Any] = []
    by_files: dict[tuple[str, ...], int] = {}
    class_index: dict[str, int] = {}
    for cls, members in per_class.items():
        key = tuple(f.namespace for f in members)
        if key not in by_files:
            by_files[key] = len(sets)
            sets.append(_compile_set(members, externals))
        class_index[cls] = by_files[key]
    return ScopedRules(sets, class_index, count)


#: Changes whenever how a set is compiled from its files changes (a saved set of another version is rebuilt).
COMPILE_VERSION = "unused-imports-1,occurrence-cap-2"

#: ``for any i in (1..#s) : (...)`` loops look at no more than this many occurrences of ``$s``
#: (:func:`bounded_occurrence_loops`).
OCCURRENCE_LOOP_CAP = 1000

_IMPORT_LINE = re.compile(r'^[ \t]*import[ \t]+"(?P<module>\w+)"[ \t]*$', re.MULTILINE)
_INCLUDE_LINE = re.compile(r'^[ \t]*include[ \t]+"', re.MULTILINE)


def without_unused_imports(text: str) -> str:
    """``text`` with each ``import "m"`` line blanked whose module ``m`` the file never names as ``m.``
    (``m.`` in a comment or string keeps the import; the lines keep their numbers).

    An imported module costs every match call of its set, used or not: yara builds the module's
    object tree for each scanned item (``pe``: ~0.3 ms, even on empty data).
    """
    def blank(m: re.Match[str]) -> str:
        rest = text[: m.start()] + text[m.end() :]
        return m[0] if re.search(rf"\b{re.escape(m['module'])}\s*\.", rest) else ""

    return _IMPORT_LINE.sub(blank, text)


_ANY_OCCURRENCE_LOOP = re.compile(r"\bfor\s+any\s+(?P<var>\w+)\s+in\s*\(\s*1\s*\.\.\s*#(?P<count>\w+)\s*\)\s*:\s*\(")


def _closing_paren(text: str, start: int) -> int:
    """Index of the ``)`` closing the ``(`` at ``start`` (double-quoted strings skipped); -1 if none."""
    depth, i, n = 0, start, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def bounded_occurrence_loops(text: str, cap: int = OCCURRENCE_LOOP_CAP) -> str:
    """``text`` with each ``for any i in (1..#s) : (body)`` made
    ``(#s > cap or for any i in (1..#s) : (i <= cap and (body)))``.

    yara finds ``@s[i]`` by walking the match list of ``$s`` from its head, so such a loop costs the
    square of the string's matches: 100 KB of "MZ" (50,000 matches) kept InQuest's ``Embedded_PE`` busy
    6 s, into a ``yara.timeout`` of the whole item.  The guard (``and`` short-circuits) makes the loop
    linear and looks at the first ``cap`` occurrences only; an item with more occurrences than that is
    one the rule cannot read to its end, and it matches, as a timeout made the item unchecked before:
    padding a payload behind a thousand decoys does not get it through (the strings of these rules are
    two to nine bytes that ordinary data holds a handful of times per megabyte).  Lines keep their
    numbers; a body whose parenthesis does not close is left as it is.
    """
    out: list[str] = []
    pos = 0
    for m in _ANY_OCCURRENCE_LOOP.finditer(text):
        if m.start() < pos:  # inside a body already rewritten (done there, recursively)
            continue
        end = _closing_paren(text, m.end() - 1)
        if end < 0:
            continue
        out += [text[pos:m.start()], f"(#{m['count']} > {cap} or ", text[m.start():m.end()],
                f"{m['var']} <= {cap} and (", bounded_occurrence_loops(text[m.end():end], cap),
                ")))"]  # the guard's, the loop's, the or's
        pos = end + 1
    out.append(text[pos:])
    return "".join(out)


def prepared_source(text: str) -> str:
    """A rule file's text as a set compiles it: without unused imports, with bounded occurrence loops."""
    return bounded_occurrence_loops(without_unused_imports(text))


def _compile_set(members: Sequence[Any], externals: Mapping[str, str]) -> Any:
    """One class's set; from memory as :func:`prepared_source` has it when that changes any file (no unused
    imports: :func:`without_unused_imports`; occurrence loops capped: :func:`bounded_occurrence_loops`).

    The files are compiled from their paths as they are whenever a member is not strict UTF-8 (its
    bytes must reach yara unchanged), uses ``include`` (resolved against the file's directory only
    from a path), or the stripped text does not compile (a module used in a way the check missed).
    """
    externals = dict(externals)
    sources: dict[str, str] = {}
    for f in members:
        try:
            text = Path(f.path).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            sources = {}
            break
        if _INCLUDE_LINE.search(text):
            sources = {}
            break
        sources[f.namespace] = text
    stripped = {ns: prepared_source(text) for ns, text in sources.items()}
    if stripped != sources:
        try:
            return yara.compile(sources=stripped, externals=externals)
        except yara.Error:
            pass
    return yara.compile(filepaths={f.namespace: f.path for f in members}, externals=externals)


def load(path: str) -> Any:
    """A file written by :meth:`ScopedRules.save`, or a plain ``yara.Rules`` file (``yara.Error`` propagates).

    A scoped file's index and length are checked now; each set is read and loaded when an item of its class
    first needs it (:meth:`ScopedRules.load_set`): loading all of them cost a worker ~100 ms CPU and ~13,000
    page faults at every start, and most mail needs one (text, HTML, zip: ``other``).  The file stays open
    until every set is loaded, so a reload that prunes it (:data:`coinguard.rules.KEEP_COMPILED`) cannot take
    the rules from under a worker of the old generation; a set whose bytes differ from the digest saved
    with it does not load.
    """
    with open(path, "rb") as fh:
        if fh.read(len(_MAGIC)) != _MAGIC:
            return yara.load(filepath=str(path))
        head = fh.readline()
        fd = os.dup(fh.fileno())
        base = fh.tell()
    try:
        return _lazy_sets(path, fd, base, head)
    except BaseException:
        os.close(fd)
        raise


def _lazy_sets(path: str, fd: int, base: int, head: bytes) -> ScopedRules:
    try:
        index = json.loads(head)
        sizes = [int(n) for n in index["sizes"]]
        classes = {str(k): int(v) for k, v in index["classes"].items()}
        count = int(index["count"])
        digests = [str(d) for d in index.get("sha256", ())]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise yara.Error(f"corrupt scoped rules index in {path}: {exc}") from exc
    if not head.endswith(b"\n") or (digests and len(digests) != len(sizes)):
        raise yara.Error(f"corrupt scoped rules index in {path}")
    left = os.fstat(fd).st_size - base
    if sum(sizes) != left or any(n <= 0 for n in sizes):
        raise yara.Error(f"truncated scoped rules file {path}: {left} of {sum(sizes)} bytes")
    offsets = [base + sum(sizes[:i]) for i in range(len(sizes))]

    def load_one(i: int) -> Any:
        try:
            blob = os.pread(fd, sizes[i], offsets[i])
        except OSError as exc:
            raise yara.Error(f"cannot read set {i} of compiled rules {path}: {exc}") from exc
        if len(blob) != sizes[i] or (digests and hashlib.sha256(blob).hexdigest() != digests[i]):
            raise yara.Error(f"compiled rules {path}: set {i} damaged (its bytes differ from the saved digest)")
        try:
            rules = yara.load(file=io.BytesIO(blob))
        except yara.Error as exc:
            raise yara.Error(f"compiled rules {path}: set {i}: {exc}") from exc
        if all(s is not None for j, s in enumerate(scoped._sets) if j != i):  # the last one: the file is done
            done.detach()
            os.close(fd)
        return rules

    try:
        scoped = ScopedRules([None] * len(sizes), classes, count, loader=load_one)
    except ValueError as exc:
        raise yara.Error(f"scoped rules file {path}: {exc}") from exc
    done = weakref.finalize(scoped, os.close, fd)
    return scoped


def table_digest() -> str:
    """Text that changes whenever the scoping changes (part of the rule set's source hash)."""
    rules = {f"{ns}:{rule}": list(classes) for (ns, rule), classes in THIRDPARTY_RULE_SCOPES.items()}
    return json.dumps({"classes": CLASSES, "parts": dict(SUBCLASSES), "thirdparty": dict(THIRDPARTY_SCOPES),
                       "rules": rules, "compile": COMPILE_VERSION}, sort_keys=True)
