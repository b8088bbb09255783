"""coinguard.yara_scope: rule files run only on the item classes they target, and none is lost.

The scope-limited files are checked with samples built here from each file's own
literal strings (harmless: a few words and hex runs behind a header of the class),
so a file added to the scope table is tested without writing anything new.
"""

from __future__ import annotations

import base64
import re
import struct
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
import yara

from coinguard.analyzers.yara_rules import YaraRules
from coinguard.errors import RulesError
from coinguard.findings import Finding, Item
from coinguard.rules import EXTERNALS, compile_rules, find_rule_files, load_compiled, save_compiled
from coinguard.yara_scope import (
    CLASSES,
    THIRDPARTY_RULE_SCOPES,
    THIRDPARTY_SCOPES,
    ScopedRules,
    bounded_occurrence_loops,
    classify,
    compile_scoped,
    declared_scope,
    scope_table,
    without_unused_imports,
)

from helpers import DATA, REPO, make_context, run_handler

RULES = REPO / "rules"

#: The EICAR test string: our unscoped rule file matches it in every class.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

#: An item type of each class, for building Items of that class.
CLASS_TYPE = {"exe": "pe", "ole": "ole.doc", "xml": "xml.office", "rtf": "rtf", "binary": "binary", "other": "text"}


def tiny_pe() -> bytes:
    """A PE32 header without sections: sniffed as ``pe``, parsed by yara's pe module."""
    mz = bytearray(1024)
    mz[0:2] = b"MZ"
    struct.pack_into("<I", mz, 0x3C, 0x80)
    mz[0x80:0x84] = b"PE\x00\x00"
    struct.pack_into("<HHIIIHH", mz, 0x84, 0x14C, 0, 0, 0, 0, 0xE0, 0x0102)
    struct.pack_into("<H", mz, 0x98, 0x10B)
    return bytes(mz)


def pe_dll(export: bytes) -> bytes:
    """A PE32 DLL whose one section holds an export directory naming ``export``."""
    img = bytearray(0x400)
    img[0:2] = b"MZ"
    struct.pack_into("<I", img, 0x3C, 0x80)
    img[0x80:0x84] = b"PE\x00\x00"
    struct.pack_into("<HHIIIHH", img, 0x84, 0x14C, 1, 0, 0, 0, 0xE0, 0x2102)  # one section; DLL
    opt = 0x98
    struct.pack_into("<HBBIIIIIII", img, opt, 0x10B, 0, 0, 0, 0x200, 0, 0, 0x1000, 0x1000, 0x10000000)
    struct.pack_into("<IIHHHHHHIIIIHHIIIIII", img, opt + 32, 0x1000, 0x200, 4, 0, 0, 0, 4, 0, 0, 0x2000, 0x200, 0,
                     2, 0, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16)
    struct.pack_into("<II", img, opt + 96, 0x1000, 0x100)  # data directory 0: exports
    struct.pack_into("<8sIIIIIIHHI", img, opt + 0xE0, b".edata", 0x200, 0x1000, 0x200, 0x200, 0, 0, 0, 0, 0x40000040)
    e = 0x200  # file offset of RVA 0x1000
    struct.pack_into("<IIHHIIIIIII", img, e, 0, 0, 0, 0, 0x1050, 1, 1, 1, 0x1028, 0x102C, 0x1030)
    struct.pack_into("<IIH", img, e + 0x28, 0x1180, 0x1040, 0)  # function RVA, name RVA, ordinal
    img[e + 0x40 : e + 0x41 + len(export)] = export + b"\0"
    img[e + 0x50 : e + 0x56] = b"x.dll\0"
    return bytes(img)


#: Samples for files none of whose rules can be matched by their literal strings alone.
HAND_MADE = {
    # pe.DLL, pe.exports("xlAutoOpen") and all of ($s*)
    ("thirdparty/signature-base/gen_excel_xll_addin_suspicious", "exe"): (
        "gen_Excel_xll_addin_suspicious", pe_dll(b"xlAutoOpen") + b"CryptStringToBinaryA NtQueueApcThread"),
    # "$header at 0": the OLE signature, which in the exe class is an MSI package
    ("thirdparty/yara-rules/maldocs/Maldoc_APT_OLE_JSRat", "exe"): (
        "APT_OLE_JSRat", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
        + b"AAAAAAAAAA base64str deletefile scripting.filesystemobject"),
}


#: What a sample of each class starts with (rules check magic bytes at offset 0).
PREFIX = {
    "exe": tiny_pe(),
    "ole": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
    "xml": b'<?xml version="1.0"?>\n',
    "macro": b"Attribute VB_Name = \"Module1\"\n",
    "rtf": b"{\\rtf1 ",
    "binary": b"\x00\x01\x02",
    "other": b"",
}


def class_item(cls: str, data: bytes) -> Item:
    if cls == "macro":
        return Item(path="doc.docm/<vba>", name="<vba>", data=data, type="text", role="extracted", source="office")
    return Item(path=f"sample.{cls}", name=f"sample.{cls}", data=data, type=CLASS_TYPE[cls])


@cache
def repo_scoped() -> ScopedRules:
    rules = compile_rules([str(RULES)]).rules
    assert isinstance(rules, ScopedRules)
    return rules


def yara_codes(item: Item, rules: object) -> set[str]:
    return {f.code for f in YaraRules().handle(item, make_context(rules=rules)) if isinstance(f, Finding)}


# -- building a sample from a rule file's own strings ----------------------------

_RULE_START = re.compile(r"^\s*(?:(?:private|global)\s+)*rule\s+(\w+)", re.MULTILINE)
_STRING = re.compile(r'^\s*\$(\w*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"([^\n]*)|\{([^}]*)\}|/)', re.MULTILINE)


def _text(literal: str) -> bytes:
    out = bytearray()
    i = 0
    while i < len(literal):
        ch = literal[i]
        if ch == "\\" and i + 1 < len(literal):
            nxt = literal[i + 1]
            if nxt == "x":
                out.append(int(literal[i + 2 : i + 4], 16))
                i += 4
                continue
            out += {"n": b"\n", "t": b"\t", "r": b"\r"}.get(nxt, nxt.encode())
            i += 2
            continue
        out += ch.encode("utf-8")
        i += 1
    return bytes(out)


def _hex(body: str) -> bytes:
    body = re.sub(r"//[^\n]*|/\*.*?\*/", "", body, flags=re.DOTALL)
    body = re.sub(r"\(([^|)]*)\|[^)]*\)", r"\1", body)  # alternatives: the first one
    body = re.sub(r"\[(\d*)(?:-\d*)?\]", lambda m: "00" * int(m[1] or 0), body)  # jumps: the shortest
    return bytes.fromhex(body.replace("?", "0").replace(" ", "").replace("\n", "").replace("\t", ""))


def rule_blocks(path: Path) -> list[tuple[str, str]]:
    src = path.read_text(encoding="utf-8", errors="replace")
    starts = list(_RULE_START.finditer(src))
    return [(m[1], src[m.start() : (starts[i + 1].start() if i + 1 < len(starts) else len(src))])
            for i, m in enumerate(starts)]


def sample_for(block: str) -> bytes:
    """Every literal string of the rule (as its modifiers encode it), minus those its condition negates."""
    strings_part, _, condition = block.partition("condition:")
    negated = set(re.findall(r"not\s+(?:\d+\s+of\s+|any\s+of\s+|all\s+of\s+)?\(?\$(\w*)", condition))
    parts: list[bytes] = []
    for m in _STRING.finditer(strings_part):
        ident = m[1]
        if any(ident.startswith(n) for n in negated if n) or (ident in negated):
            continue
        if m[2] is not None:
            raw, mods = _text(m[2]), m[3]
            if "base64" in mods:
                parts.append(base64.b64encode(raw))
            if "wide" in mods:
                parts.append(raw.decode("latin-1").encode("utf-16-le"))
            if "wide" not in mods or "ascii" in mods:
                parts.append(raw)
        elif m[4] is not None:
            parts.append(_hex(m[4]))
    return b" \n ".join(parts)


def scoped_files() -> list[tuple[str, str, Path]]:
    out = []
    for f in find_rule_files([str(RULES)]):
        for cls in scope_table([f])[f.namespace] or ():
            out.append((f.namespace, cls, Path(f.path)))
    return out


def outside_class(namespace: str) -> str:
    """A class the file's scope leaves out (``other`` where it can)."""
    scope = scope_table([f for f in find_rule_files([str(RULES)]) if f.namespace == namespace])[namespace] or ()
    return next(c for c in ("other", *CLASSES) if c not in scope)


@pytest.mark.parametrize(("namespace", "cls", "path"), scoped_files(), ids=lambda v: str(v).rsplit("/", 1)[-1])
def test_each_scoped_file_matches_its_sample_in_scope_and_not_outside(namespace: str, cls: str, path: Path) -> None:
    rules = repo_scoped()
    outside = outside_class(namespace)
    if (namespace, cls) in HAND_MADE:
        rule, data = HAND_MADE[namespace, cls]
        assert f"yara.{rule}" in yara_codes(class_item(cls, data), rules)
        assert f"yara.{rule}" not in yara_codes(class_item(outside, data), rules)
        return
    for rule, block in rule_blocks(path):
        data = PREFIX[cls] + b"\n" + sample_for(block) + b"\n"
        if f"yara.{rule}" in yara_codes(class_item(cls, data), rules):
            assert f"yara.{rule}" not in yara_codes(class_item(outside, data), rules), rule
            return
    pytest.fail(f"no rule of {namespace} matches a {cls} sample built from its strings: add a hand-made sample")


# -- nothing vanishes ---------------------------------------------------------------


def test_every_file_is_in_the_set_of_each_class_it_targets_and_counted_once() -> None:
    files = find_rule_files([str(RULES)])
    flat = yara.compile(filepaths={f.namespace: f.path for f in files}, externals=EXTERNALS)
    scoped = repo_scoped()
    assert scoped.count == sum(1 for _ in flat)
    per_class = {cls: Counter(r.identifier for r in scoped.for_class(cls)) for cls in CLASSES}
    table = scope_table(files)
    for f in files:
        own = Counter(r.identifier for r in yara.compile(filepath=f.path, externals=EXTERNALS))
        targets = table[f.namespace] or CLASSES
        assert targets, f.namespace
        for cls in targets:
            assert not own - per_class[cls], f"{f.namespace}: rules missing from the {cls} set"


def test_scope_table_names_only_existing_files_and_known_classes() -> None:
    namespaces = {f.namespace for f in find_rule_files([str(RULES)])}
    for ns, classes in THIRDPARTY_SCOPES.items():
        assert ns in namespaces, f"stale scope entry {ns}"
        assert classes and set(classes) <= set(CLASSES), ns


def test_modules_run_only_on_the_classes_that_need_them() -> None:
    """pe costs ~0.3 ms per call on any data: no file importing it may run on 'other' or 'macro'."""
    table = scope_table(find_rule_files([str(RULES)]))
    for f in find_rule_files([str(RULES)]):
        if re.search(r'^\s*import\s+"pe"', Path(f.path).read_text(errors="replace"), re.MULTILINE):
            classes = table[f.namespace]
            assert classes is not None and not {"other", "binary", "macro", "rtf"} & set(classes), f.namespace


def modules_loaded(rules: object) -> set[str]:
    """The yara modules a compiled set builds for each scanned item."""
    loaded: set[str] = set()

    def seen(data: dict[str, object]) -> int:
        loaded.add(str(data["module"]))
        return yara.CALLBACK_CONTINUE

    rules.match(data=b"x", modules_callback=seen)  # type: ignore[attr-defined]
    return loaded


def test_pe_module_is_built_only_for_executables() -> None:
    """Maldoc_Dridex imports pe without using it: its ole/xml sets are compiled without that import."""
    scoped = repo_scoped()
    assert "pe" in modules_loaded(scoped.for_class("exe"))
    for cls in CLASSES:
        if cls != "exe":
            assert "pe" not in modules_loaded(scoped.for_class(cls)), cls
    dridex = {"Dridex_Trojan_XML", "PHISH_02Dez2015_dropped_p0o6543f", "PHISH_02Dez2015_attach_P_ORD_C_10156_124658"}
    for cls in ("exe", "ole", "xml"):  # still compiled into the sets of its scope
        assert dridex <= {r.identifier for r in scoped.for_class(cls)}, cls
    assert not dridex & {r.identifier for r in scoped.for_class("other")}


def test_unused_import_lines_are_blanked_and_used_ones_kept() -> None:
    text = 'import "pe"\nimport "hash"\n// a PE rule\nrule r { condition: hash.md5(0, filesize) == "x" }\n'
    out = without_unused_imports(text)
    assert out.splitlines()[0] == "" and out.splitlines()[1] == 'import "hash"'
    assert len(out.splitlines()) == len(text.splitlines())  # compile errors keep their line numbers
    mentioned = 'import "pe"\n// pe.exports in a comment: kept (the safe side)\nrule r { condition: true }\n'
    assert without_unused_imports(mentioned) == mentioned
    used = 'import "pe"\nrule r { condition: pe.number_of_sections > 1 }\n'
    assert without_unused_imports(used) == used
    spaced = 'import "pe"\nrule r { condition: pe . is_dll() }\n'
    assert without_unused_imports(spaced) == spaced


def test_occurrence_loops_are_capped_and_keep_their_lines() -> None:
    text = ('rule r {\n strings: $a = "x" $b = "y"\n condition:\n for any i in (1..#a): (\n  @a[i] > 1 or\n'
            '  for any j in ( 1 .. #b ) : (@b[j] == @a[i] + 1))\n}\n')
    out = bounded_occurrence_loops(text, cap=7)
    assert len(out.splitlines()) == len(text.splitlines())
    assert "(#a > 7 or for any i in (1..#a): (i <= 7 and (\n  @a[i] > 1 or" in out
    assert "(#b > 7 or for any j in ( 1 .. #b ) : (j <= 7 and (@b[j] == @a[i] + 1)))" in out
    assert out.endswith("+ 1))))))\n}\n")
    assert out.count("(") == out.count(")")
    untouched = ('rule r { strings: $a = "x" condition: for all i in (1..#a): (@a[i] > 1) and '
                 'for any i in (1..3): (@a[i] > 1) and for any i in (1..#a): ("(" == "(" ')
    assert bounded_occurrence_loops(untouched) == untouched  # all, a fixed range, an unclosed body


def test_a_set_that_cannot_be_compiled_from_memory_is_compiled_from_its_files(tmp_path: Path) -> None:
    """Not UTF-8 (the bytes of a Latin-1 string must reach yara unchanged) or using include: from the paths."""
    (tmp_path / "latin.yar").write_bytes(b'import "pe"\nrule latin { strings: $a = "caf\xe9-marker" condition: $a }\n')
    (tmp_path / "inc.yar").write_text('include "common.yara-inc"\nrule inc { condition: common_marker }\n')
    (tmp_path / "common.yara-inc").write_text('rule common_marker { strings: $a = "inc-marker" condition: $a }\n')
    rules = compile_rules([str(tmp_path)]).rules
    assert yara_codes(class_item("other", b"x caf\xe9-marker x"), rules) == {"yara.latin"}
    assert yara_codes(class_item("other", b"x inc-marker x"), rules) == {"yara.inc", "yara.common_marker"}
    (tmp_path / "inc.yar").unlink()  # alone, the Latin-1 file's unused import is kept: it is read from its path
    assert "pe" in modules_loaded(compile_rules([str(tmp_path)]).rules.for_class("other"))


def test_other_set_is_the_cheap_one() -> None:
    scoped = repo_scoped()
    other = {r.identifier for r in scoped.for_class("other")}
    assert "coinguard_eicar_test_file" in other  # unscoped files run everywhere
    assert "FE_LEGALSTRIKE_MACRO" not in other  # the atom-less regex runs on macro source only
    assert "FE_LEGALSTRIKE_MACRO" in {r.identifier for r in scoped.for_class("macro")}
    assert "FE_LEGALSTRIKE_RTF" in {r.identifier for r in scoped.for_class("rtf")}


def test_jsrat_and_its_run_of_ten_as_run_on_ole_items_only() -> None:
    """A run of A (base64 of zeros) matched JSRat's "AAAAAAAAAA" at every offset; only OLE items run it now."""
    scoped = repo_scoped()
    assert "APT_OLE_JSRat" not in {r.identifier for r in scoped.for_class("other")}
    assert "APT_OLE_JSRat" in {r.identifier for r in scoped.for_class("ole")}


def test_binary_set_is_the_other_set_without_the_whole_item_hash() -> None:
    """Bytes of no known format (random data, an encrypted blob) skip only what cannot be a document there:
    MenuPass's md5 of the whole item; every other rule of the other set still runs on them."""
    scoped = repo_scoped()
    other = Counter(r.identifier for r in scoped.for_class("other"))
    binary = Counter(r.identifier for r in scoped.for_class("binary"))
    assert other - binary == Counter({"Maldoc_APT10_MenuPass": 1}) and not binary - other
    assert "coinguard_eicar_test_file" in binary


def test_random_bytes_fall_in_the_binary_class_and_keep_their_findings() -> None:
    """A random attachment is matched against the binary set, and a string rule still fires in it."""
    import random

    from coinguard.sniff import sniff

    data = random.Random(13).randbytes(100_000)  # seeded: fresh random bytes may start with a magic by chance
    assert sniff(data) == "binary" and classify(sniff(data), "attachment", "mime") == "binary"
    eicar = EICAR
    blob = data[:50_000] + eicar + data[50_000:]
    item = Item(path="data.bin", name="data.bin", data=blob, type=sniff(blob))
    assert item.type == "binary"
    assert "yara.coinguard_eicar_test_file" in yara_codes(item, repo_scoped())
    # the same bytes against the flat set give the same findings (nothing the binary set leaves out matches)
    files = find_rule_files([str(RULES)])
    flat = yara.compile(filepaths={f.namespace: f.path for f in files}, externals=EXTERNALS)
    assert yara_codes(item, repo_scoped()) == yara_codes(item, flat)


# -- classes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("item_type", "role", "source", "cls"),
    [
        ("pe", "attachment", "mime", "exe"),
        ("pe.dll", "member", "zip", "exe"),
        ("elf", "member", "zip", "exe"),
        ("macho", "member", "zip", "exe"),
        ("ole.msi", "attachment", "mime", "exe"),
        ("ole.doc", "attachment", "mime", "ole"),
        ("ole.hwp", "attachment", "mime", "ole"),
        ("xml.office", "attachment", "mime", "xml"),
        ("rtf", "extracted", "message", "rtf"),
        ("text", "extracted", "office", "macro"),
        ("text", "text", "doctext", "other"),
        ("text", "extracted", "pdf", "other"),
        ("binary", "attachment", "mime", "binary"),
        ("binary", "member", "zip", "binary"),
        ("image.png", "attachment", "mime", "other"),
        ("zip", "attachment", "mime", "other"),
        ("something.new", "attachment", "mime", "other"),
    ],
)
def test_classify(item_type: str, role: str, source: str, cls: str) -> None:
    assert classify(item_type, role, source) == cls


def test_macro_source_from_the_office_analyzer_falls_in_the_macro_class() -> None:
    """The macro class is recognised by where the Item came from: if the office analyzer ever
    names or types its decoded source differently, this fails instead of the macro rules going quiet."""
    from coinguard.analyzers.office import OfficeMacros

    _, children = run_handler(OfficeMacros(), (DATA / "oletools_excel4_sample_macro.xls").read_bytes(), "m.xls")
    source = [c for c in children if c.name == "<vba>"]
    assert source and all(classify(c.type, c.role, c.source) == "macro" for c in source)


# -- scope lines in a rule file -------------------------------------------------------------


def test_scope_line_limits_an_admins_file(tmp_path: Path) -> None:
    (tmp_path / "mine.yar").write_text(
        "// my macro rules\n// coinguard-scope: macro, rtf\n"
        'rule my_macro { meta: description = "x" strings: $a = "evil-macro-marker" condition: $a }\n'
    )
    (tmp_path / "all.yar").write_text('rule my_any { strings: $a = "evil-macro-marker" condition: $a }\n')
    rules = compile_rules([str(tmp_path)]).rules
    data = b"x evil-macro-marker x"
    assert yara_codes(class_item("macro", data), rules) == {"yara.my_macro", "yara.my_any"}
    assert yara_codes(class_item("rtf", data), rules) == {"yara.my_macro", "yara.my_any"}
    assert yara_codes(class_item("other", data), rules) == {"yara.my_any"}
    assert yara_codes(class_item("exe", data), rules) == {"yara.my_any"}
    assert yara_codes(class_item("binary", data), rules) == {"yara.my_any"}
    assert {m.rule for m in rules.match(data=data)} == {"my_macro", "my_any"}  # no class: every set


def test_scope_line_naming_other_covers_binary_items(tmp_path: Path) -> None:
    """``binary`` was split off ``other`` for speed: an admin's ``other`` file keeps running on unknown blobs."""
    (tmp_path / "mine.yar").write_text(
        "// coinguard-scope: other\n"
        'rule my_other { meta: description = "x" strings: $a = "blob-marker" condition: $a }\n'
    )
    rules = compile_rules([str(tmp_path)]).rules
    data = b"\x00\x01 blob-marker \x02"
    assert yara_codes(class_item("binary", data), rules) == {"yara.my_other"}
    assert yara_codes(class_item("other", data), rules) == {"yara.my_other"}
    assert yara_codes(class_item("exe", data), rules) == set()


def test_unknown_class_in_a_scope_line_is_an_error_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "typo.yar"
    path.write_text('\n\n// coinguard-scope: macros\nrule r { strings: $a = "x" condition: $a }\n')
    with pytest.raises(RulesError) as exc:
        compile_rules([str(tmp_path)])
    assert exc.value.errors[0][:2] == (str(path), 3)
    assert "unknown class macros" in exc.value.errors[0][2]


def test_second_directory_copy_of_a_vendored_file_keeps_its_scope() -> None:
    ns = "thirdparty/yara-rules/maldocs/Maldoc_APT19_CVE-2017-0199"
    assert declared_scope(str(RULES / f"{ns}.yar"), f"1:{ns}") == ("macro", "rtf")
    assert declared_scope(str(RULES / "coinguard_eicar.yar"), "coinguard_eicar") is None


# -- saved and loaded -----------------------------------------------------------------------


def test_saved_scoped_set_loads_with_the_same_classes(tmp_path: Path) -> None:
    ruleset = compile_rules([str(RULES)])
    path = save_compiled(ruleset, str(tmp_path))
    loaded = load_compiled(path)
    assert isinstance(loaded, ScopedRules)
    assert loaded.count == ruleset.count and dict(loaded.class_index) == dict(ruleset.rules.class_index)
    for cls in CLASSES:
        assert sorted(r.identifier for r in loaded.for_class(cls)) == sorted(
            r.identifier for r in ruleset.rules.for_class(cls)
        )


def test_plain_compiled_file_still_loads(tmp_path: Path) -> None:
    yara.compile(source='rule plain { strings: $a = "plain-marker" condition: $a }').save(str(tmp_path / "p.yarc"))
    rules = load_compiled(str(tmp_path / "p.yarc"))
    assert not isinstance(rules, ScopedRules)
    assert yara_codes(class_item("exe", b"a plain-marker"), rules) == {"yara.plain"}


@pytest.mark.parametrize("cut", [10, 40, -5])
def test_damaged_scoped_file_is_a_rules_error(tmp_path: Path, cut: int) -> None:
    path = Path(save_compiled(compile_rules([str(RULES)]), str(tmp_path)))
    path.write_bytes(path.read_bytes()[:cut])
    with pytest.raises(RulesError):
        load_compiled(str(path))


def test_classes_with_the_same_files_share_one_set(tmp_path: Path) -> None:
    (tmp_path / "a.yar").write_text('rule a { strings: $a = "marker" condition: $a }\n')
    scoped = compile_scoped(find_rule_files([str(tmp_path)]), EXTERNALS)
    assert len(scoped.sets) == 1 and set(scoped.class_index) == set(CLASSES)


# -- single rules scoped more narrowly than their file -------------------------------------------


def test_rule_scope_entries_name_existing_rules_and_known_classes() -> None:
    files = {f.namespace: f.path for f in find_rule_files([str(RULES)])}
    for (ns, rule), classes in THIRDPARTY_RULE_SCOPES.items():
        assert ns in files, f"stale rule scope entry {ns}"
        assert rule in {r.identifier for r in yara.compile(filepath=files[ns], externals=EXTERNALS)}, rule
        assert set(classes) <= set(CLASSES), (ns, rule)


def test_rtf_shellcode_rule_is_kept_in_its_file_but_its_matches_dropped() -> None:
    """RTF_Shellcode matches any RTF carrying the hex digits 9090 (two NOP bytes): every RTF with a picture."""
    rules = repo_scoped()
    rtf = b"{\\rtf1\\ansi {\\pict\\pngblip 89504e47909090900000}}"
    assert "RTF_Shellcode" in {m.rule for m in rules.for_class("rtf").match(data=rtf)}  # compiled as shipped
    assert "yara.RTF_Shellcode" not in yara_codes(class_item("rtf", rtf), rules)
    assert "RTF_Shellcode" not in {m.rule for m in rules.match(data=rtf)}
    # its file's other rules still run on RTF (a Microsoft Word Intruder document)
    mwi = rtf + (b"{\\field{\\*\\fldinst { INCLUDEPICTURE http://x.example/s.php?id=1 "
                 b"\\\\* MERGEFORMAT \\\\d}}{\\fldrslt}}")
    assert "yara.mwi_document" in yara_codes(class_item("rtf", mwi), rules)


# -- loaded lazily: a worker loads a class's set at its first item --------------------------------------------


@cache
def saved_repo_rules(directory: str) -> str:
    return save_compiled(compile_rules([str(RULES)]), directory)


def class_samples() -> dict[str, list[bytes]]:
    """Per class: the samples the scope test builds for the files scoped to it (and each hand-made one)."""
    out: dict[str, list[bytes]] = {cls: [PREFIX[cls] + b"\nplain text\n", EICAR] for cls in CLASSES}
    for namespace, cls, path in scoped_files():
        if (namespace, cls) in HAND_MADE:
            out[cls].append(HAND_MADE[namespace, cls][1])
        out[cls] += [PREFIX[cls] + b"\n" + sample_for(block) + b"\n" for _, block in rule_blocks(path)]
    return out


@pytest.mark.parametrize("cls", CLASSES)
def test_each_class_loaded_lazily_matches_what_the_eager_set_matched(tmp_path_factory: pytest.TempPathFactory,
                                                                    cls: str) -> None:
    path = saved_repo_rules(str(tmp_path_factory.mktemp("lazy")))
    eager = repo_scoped()
    samples = class_samples()[cls]
    lazy = load_compiled(path)  # fresh: this class's set is the first one it loads (besides the eager one)
    assert isinstance(lazy, ScopedRules)
    assert lazy.loaded == (lazy.class_index["other"],)
    matched = 0
    for data in samples:
        codes = yara_codes(class_item(cls, data), lazy)
        assert codes == yara_codes(class_item(cls, data), eager)
        matched += bool(codes)
    assert matched
    assert lazy.loaded == tuple(sorted({lazy.class_index["other"], lazy.class_index[cls]}))


def damage_set(path: Path, index: int) -> None:
    """Flip one byte in the middle of set ``index`` of a saved scoped file."""
    import json

    data = bytearray(path.read_bytes())
    head_end = data.index(b"\n", len(b"coinguard-yara-scoped 1\n")) + 1
    sizes = json.loads(data[len(b"coinguard-yara-scoped 1\n") : head_end])["sizes"]
    at = head_end + sum(sizes[:index]) + sizes[index] // 2
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def test_a_damaged_set_loaded_lazily_is_a_yara_error_on_its_items_never_a_silent_scan(tmp_path: Path) -> None:
    from coinguard.catalogue import catalogue

    path = Path(save_compiled(compile_rules([str(RULES)]), str(tmp_path)))
    rules = load_compiled(str(path))
    assert isinstance(rules, ScopedRules)
    exe = rules.class_index["exe"]
    assert exe != rules.class_index["other"]
    damage_set(path, exe)
    rules = load_compiled(str(path))  # the set mail needs most loads and is fine
    for _ in range(2):  # and again: the failure is remembered, not retried into a scan without rules
        findings = [f for f in YaraRules().handle(class_item("exe", PREFIX["exe"] + EICAR), make_context(rules=rules))
                    if isinstance(f, Finding)]
        assert [f.code for f in findings] == ["yara.error"]
        assert "damaged" in findings[0].detail
    assert catalogue()["yara.error"].incomplete  # -> the verdict is unchecked, never clean
    assert "yara.coinguard_eicar_test_file" in yara_codes(class_item("other", EICAR), rules)


def test_a_damaged_eager_set_fails_the_load_as_before(tmp_path: Path) -> None:
    path = Path(save_compiled(compile_rules([str(RULES)]), str(tmp_path)))
    rules = load_compiled(str(path))
    assert isinstance(rules, ScopedRules)
    damage_set(path, rules.class_index["other"])
    with pytest.raises(RulesError):
        load_compiled(str(path))


def test_a_pruned_file_still_serves_the_workers_that_opened_it(tmp_path: Path) -> None:
    path = Path(save_compiled(compile_rules([str(RULES)]), str(tmp_path)))
    rules = load_compiled(str(path))
    assert isinstance(rules, ScopedRules)
    path.unlink()  # a reload pruned it while this generation's workers still run
    assert len(rules.sets) == len(set(rules.class_index.values()))  # every set still loads
    assert len(rules.loaded) == len(set(rules.class_index.values()))


def test_a_damaged_lazy_set_makes_the_message_unchecked_end_to_end(tmp_path: Path) -> None:
    """The whole scan, not only the handler: a harmless RTF whose class set cannot load is unchecked, not clean."""
    import dataclasses
    from email.message import EmailMessage

    from coinguard.findings import VerdictKind
    from coinguard.scan import scan_message
    from extortion_helpers import offline_context

    path = Path(save_compiled(compile_rules([str(RULES)]), str(tmp_path)))
    loaded = load_compiled(str(path))
    assert loaded.class_index["rtf"] != loaded.class_index["other"]
    damage_set(path, loaded.class_index["rtf"])
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "alice@example.org", "bob@example.org", "the letter"
    msg.set_content("Here is the letter.\n")
    msg.add_attachment(b"{\\rtf1\\ansi Dear Bob, see you on Monday.\\par}", maintype="application", subtype="rtf",
                       filename="letter.rtf")
    ctx = dataclasses.replace(offline_context(), rules=load_compiled(str(path)))
    verdict = scan_message(msg.as_bytes(), ctx)
    assert verdict.verdict == VerdictKind.UNCHECKED, verdict
    assert "yara.error" in {f.code for f in verdict.findings}
