"""coinguard.rules: finding, compiling, checking, saving and loading YARA rules."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
import yara

from coinguard import cli
from coinguard.config import Config
from coinguard.errors import RulesError
from coinguard.rules import (
    EXTERNALS,
    RuleSet,
    check_command,
    compile_rules,
    current_source_hash,
    find_rule_files,
    load_compiled,
    parse_yara_error,
    save_compiled,
)

from helpers import REPO

GOOD = """rule good_one
{
    meta:
        description = "matches the word coinguard-test"
        score = 3
    strings:
        $a = "coinguard-test"
    condition:
        $a
}
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_check(*dirs: Path | str) -> tuple[int, str]:
    out = io.StringIO()
    rc = check_command([str(d) for d in dirs], out=out)
    return rc, out.getvalue()


# -- the repository's own rules ----------------------------------------------


def test_repo_rules_compile() -> None:
    ruleset = compile_rules(Config().rules.dirs)
    assert isinstance(ruleset, RuleSet)
    names = {Path(f).name for f in ruleset.files}
    assert {"coinguard_eicar.yar", "coinguard_macros.yar", "coinguard_lnk.yar", "coinguard_lures.yar"} <= names
    assert any("/thirdparty/signature-base/" in f for f in ruleset.files)
    assert ruleset.count > 300
    assert len(ruleset.source_hash) == 64
    assert ruleset.rules.match(data=b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")


def test_our_rules_carry_the_required_meta() -> None:
    for f in find_rule_files([str(REPO / "rules")]):
        if "thirdparty/" in f.namespace:
            continue
        for rule in yara.compile(filepath=f.path, externals=EXTERNALS):
            if rule.is_private:
                continue
            meta = rule.meta
            assert meta.get("author") == "coinguard", (f.path, rule.identifier)
            assert meta.get("description") and meta.get("reference"), (f.path, rule.identifier)
            assert isinstance(meta.get("score"), int) and 0 < meta["score"] <= 25, (f.path, rule.identifier)


def test_repo_rules_check_command_passes() -> None:
    rc, out = run_check(REPO / "rules")
    assert rc == 0
    assert out.splitlines()[-1].startswith("OK: ")
    assert "missing meta description" not in out  # our files all have one


def test_cli_rules_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a.yar", GOOD)
    assert cli.main(["rules", "check", str(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == "OK: 1 rules in 1 files"
    write(tmp_path / "b.yar", "rule broken { condition: }\n")
    assert cli.main(["rules", "check", str(tmp_path)]) == 1
    assert f"{tmp_path / 'b.yar'}:1: " in capsys.readouterr().out


# -- finding files and namespaces ----------------------------------------------


def test_finds_yar_and_yara_recursively_sorted_with_namespaces(tmp_path: Path) -> None:
    write(tmp_path / "z.yar", GOOD)
    write(tmp_path / "sub" / "a.yara", GOOD)  # same rule name: fine, one namespace per file
    write(tmp_path / "notes.txt", "not a rule")
    files = find_rule_files([str(tmp_path)])
    assert [f.namespace for f in files] == ["sub/a", "z"]
    ruleset = compile_rules([str(tmp_path)])
    assert ruleset.count == 2
    assert sorted(m.namespace for m in ruleset.rules.match(data=b"a coinguard-test b")) == ["sub/a", "z"]


def test_same_relative_name_in_two_directories_gets_distinct_namespaces(tmp_path: Path) -> None:
    write(tmp_path / "one" / "x.yar", GOOD)
    write(tmp_path / "two" / "x.yar", GOOD)
    files = find_rule_files([str(tmp_path / "one"), str(tmp_path / "two")])
    assert [f.namespace for f in files] == ["x", "1:x"]
    assert compile_rules([str(tmp_path / "one"), str(tmp_path / "two")]).count == 2


def test_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RulesError) as exc:
        compile_rules([str(tmp_path / "nope")])
    assert exc.value.errors == [(str(tmp_path / "nope"), 0, "no such file or directory")]
    rc, out = run_check(tmp_path / "nope")
    assert rc == 1 and "no such file or directory" in out


def test_rule_files_and_directories_mix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "dir" / "a.yar", GOOD)
    write(tmp_path / "single.yara", GOOD)
    files = find_rule_files([str(tmp_path / "dir"), str(tmp_path / "single.yara")])
    assert [(Path(f.path).name, f.namespace) for f in files] == [("a.yar", "a"), ("single.yara", "single")]
    assert cli.main(["rules", "check", str(tmp_path / "single.yara"), str(tmp_path / "dir")]) == 0
    assert capsys.readouterr().out.strip() == "OK: 2 rules in 2 files"
    write(tmp_path / "broken.yar", "rule broken { condition: }\n")
    assert cli.main(["rules", "check", str(tmp_path / "broken.yar")]) == 1
    assert f"{tmp_path / 'broken.yar'}:1: " in capsys.readouterr().out


def test_externals_are_declared_for_thirdparty_style_rules(tmp_path: Path) -> None:
    write(
        tmp_path / "ext.yar",
        'rule ext { condition: filename == "a" or extension == ".b" or filepath contains "c"'
        ' or filetype == "pe" or owner == "x" or role == "body" }\n',
    )
    ruleset = compile_rules([str(tmp_path)])
    assert not ruleset.rules.match(data=b"x")
    assert ruleset.rules.match(data=b"x", externals={"extension": ".b"})


# -- errors: every broken file, with file and line ---------------------------


def test_syntax_errors_name_every_broken_file_and_line(tmp_path: Path) -> None:
    write(tmp_path / "a_good.yar", GOOD)
    bad1 = write(tmp_path / "b_bad.yar", GOOD.replace("good_one", "bad_one").replace("$a\n}", "$a and\n}"))
    bad2 = write(tmp_path / "c_bad.yar", "rule undefined_ref {\n  condition:\n    no_such_rule\n}\n")
    with pytest.raises(RulesError) as exc:
        compile_rules([str(tmp_path)])
    errors = exc.value.errors
    assert [(f, line) for f, line, _ in errors] == [(str(bad1), 10), (str(bad2), 3)]
    assert "syntax error" in errors[0][2]
    assert 'undefined identifier "no_such_rule"' in errors[1][2]
    assert str(bad1) in str(exc.value) and "(and 1 more)" in str(exc.value)


def test_check_command_prints_each_error_and_fails(tmp_path: Path) -> None:
    write(tmp_path / "a_good.yar", GOOD)
    bad = write(tmp_path / "b_bad.yar", 'rule x {\n  strings: $a = "x"\n  condition: $b\n}\n')
    rc, out = run_check(tmp_path)
    assert rc == 1
    assert f'{bad}:4: undefined string "$b"' in out
    assert out.splitlines()[-1] == "FAILED: 1 of 2 files have errors"


def test_check_command_warns_about_meta_conventions(tmp_path: Path) -> None:
    write(tmp_path / "ours.yar", 'rule no_desc { meta: score = "high" condition: false }\n')
    write(tmp_path / "thirdparty" / "vendor" / "theirs.yar", "rule vendor_rule { condition: false }\n")
    rc, out = run_check(tmp_path)
    assert rc == 0
    ours = tmp_path / "ours.yar"
    assert f"{ours}:0: warning: rule no_desc: meta score 'high' is not a number" in out
    assert f"{ours}:0: warning: rule no_desc: missing meta description" in out
    assert "vendor_rule" not in out  # vendored rules are not held to our conventions
    assert out.splitlines()[-1] == "OK: 2 rules in 2 files"


def test_check_command_reports_yara_warnings_of_our_files(tmp_path: Path) -> None:
    slow = write(
        tmp_path / "slow.yar", 'rule slow { meta: description = "x" strings: $a = { 00 ?? ?? 00 } condition: $a }\n'
    )
    rc, out = run_check(tmp_path)
    assert rc == 0
    assert f'{slow}:1: warning: string "$a" may slow down scanning' in out


def test_parse_yara_error_forms() -> None:
    assert parse_yara_error("/r/x.yar(12): syntax error, unexpected '}'", "d") == (
        "/r/x.yar",
        12,
        "syntax error, unexpected '}'",
    )
    assert parse_yara_error("line 4: undefined identifier", "/d.yar") == ("/d.yar", 4, "undefined identifier")
    assert parse_yara_error("could not open file", "/d.yar") == ("/d.yar", 0, "could not open file")


# -- the compiled cache ----------------------------------------------------------


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    write(tmp_path / "rules" / "a.yar", GOOD)
    ruleset = compile_rules([str(tmp_path / "rules")])
    cache = tmp_path / "cache" / "nested"
    path = save_compiled(ruleset, str(cache))
    assert Path(path).parent == cache and Path(path).name.startswith("rules-")
    assert [p.name for p in cache.iterdir()] == [Path(path).name]  # no temp file left behind
    rules = load_compiled(path)
    assert [m.rule for m in rules.match(data=b"xx coinguard-test")] == ["good_one"]
    assert save_compiled(ruleset, str(cache)) == path  # same sources, same file


def test_save_keeps_only_the_newest_compiled_sets(tmp_path: Path) -> None:
    rules_dir = tmp_path / "rules"
    paths = []
    for i in range(4):
        write(rules_dir / "a.yar", GOOD.replace("coinguard-test", f"coinguard-test-{i}"))
        paths.append(save_compiled(compile_rules([str(rules_dir)]), str(tmp_path / "cache")))
        os.utime(paths[-1], (1000 + i, 1000 + i))
    assert len(set(paths)) == 4
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == sorted(Path(p).name for p in paths[-2:])


def test_failed_compile_leaves_the_saved_set_usable(tmp_path: Path) -> None:
    rules_dir = tmp_path / "rules"
    write(rules_dir / "a.yar", GOOD)
    good = compile_rules([str(rules_dir)])
    path = save_compiled(good, str(tmp_path / "cache"))
    write(rules_dir / "a.yar", GOOD.replace("condition:", "condition: and"))
    assert current_source_hash([str(rules_dir)]) != good.source_hash
    with pytest.raises(RulesError):
        compile_rules([str(rules_dir)])
    assert Path(path).exists()
    assert [m.rule for m in load_compiled(path).match(data=b"coinguard-test")] == ["good_one"]


def test_source_hash_tracks_content(tmp_path: Path) -> None:
    write(tmp_path / "a.yar", GOOD)
    first = compile_rules([str(tmp_path)])
    assert current_source_hash([str(tmp_path)]) == first.source_hash
    write(tmp_path / "a.yar", GOOD + "\n// comment\n")
    assert compile_rules([str(tmp_path)]).source_hash != first.source_hash


def test_load_compiled_of_garbage_raises_rules_error(tmp_path: Path) -> None:
    junk = write(tmp_path / "rules-junk.yarc", "not compiled rules")
    with pytest.raises(RulesError) as exc:
        load_compiled(str(junk))
    assert exc.value.errors[0][0] == str(junk)
