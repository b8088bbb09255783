from __future__ import annotations

import dataclasses
import re

import pytest

from coinguard import config as config_module
from coinguard.config import CONFIG_ENV, SECTIONS, Config, find_config, load_config, parse_config
from coinguard.errors import ConfigError

from helpers import REPO

EXAMPLE = REPO / "config" / "coinguard.toml"


def test_defaults_need_no_file() -> None:
    cfg = load_config(None)
    assert cfg == Config()
    assert cfg.milter.socket == "inet:8896@127.0.0.1"
    assert cfg.milter.fail_mode == "tempfail"
    assert cfg.metrics.listen == "127.0.0.1:9810"
    assert cfg.quarantine.backend == "dir"
    assert cfg.rules.dirs[0].endswith("/rules")


def test_example_config_loads_and_matches_defaults() -> None:
    cfg = load_config(EXAMPLE)
    # the example shows defaults: only the source differs
    assert dataclasses.replace(cfg, source="<defaults>") == Config()


def test_example_config_documents_every_key() -> None:
    text = EXAMPLE.read_text()
    sections = re.split(r"^\[(\w+)\]\s*$", text, flags=re.M)
    documented = {sections[i]: sections[i + 1] for i in range(1, len(sections), 2)}
    for name, cls in SECTIONS.items():
        assert name in documented, f"[{name}] missing from the example config"
        for f in dataclasses.fields(cls):
            assert re.search(rf"^#?\s*{f.name}\s*=", documented[name], flags=re.M), f"{name}.{f.name} undocumented"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[scan]\nworkers = 2\nworker = 3\n", "x.toml:3: unknown key scan.worker"),
        ("[nope]\na = 1\n", "x.toml:1: unknown section [nope]"),
        ("\n\n[policy]\nsuspicious_score = 'high'\n", "x.toml:4: policy.suspicious_score: expected a number"),
        ("[milter]\nfail_mode = 'drop'\n", "x.toml:2: milter.fail_mode: expected one of 'tempfail', 'accept'"),
        ("[scan]\nmax_depth = -1\n", "x.toml:2: scan.max_depth: must not be negative"),
        ("[scan]\nmax_depth = true\n", "x.toml:2: scan.max_depth: expected an integer"),
        ("[scan]\npasswords = 'x'\n", "x.toml:2: scan.passwords: expected a list of strings"),
        ("[policy]\nscores = { 'a.b' = 'x' }\n", "policy.scores.a.b: expected a number"),
        ("[milter]\nsocket = 'tcp:25'\n", "x.toml:2: milter.socket: expected inet:PORT@HOST"),
        ("[policy]\nsuspicious_score = 20.0\n", "policy.malicious_score: must be >= policy.suspicious_score"),
        ("[policy\n", "x.toml: TOML syntax error"),
        ("milter = 3\n", "[milter] must be a table"),
        ("[quarantine]\nbackend = 'postgresql'\n", "x.toml:1: quarantine.dsn: backend \"postgresql\" needs a dsn"),
        ("[quarantine]\nbackend = 's3'\n", "quarantine.backend: expected one of 'dir', 'hold', 'postgresql'"),
        ("[cache]\nbackend = 'redis'\n", "x.toml:1: cache.url: backend \"redis\" needs a url"),
        ("[cache]\nbackend = 'memcached'\n", "cache.backend: expected one of 'memory', 'redis', 'off'"),
    ],
)
def test_bad_config_names_file_line_and_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text, "x.toml")
    assert message in str(err.value)


def test_every_error_is_reported_not_only_the_first() -> None:
    text = "[scan]\nworkerz = 2\nmax_depth = 0\ntimeout_s = 'x'\n[nope]\n[milter]\nsocket = 'tcp:25'\n"
    with pytest.raises(ConfigError) as err:
        parse_config(text, "x.toml")
    lines = str(err.value).splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == ["x.toml:2", "x.toml:4", "x.toml:5", "x.toml:7", "x.toml:3"]
    assert "unknown key scan.workerz" in lines[0] and "scan.timeout_s: expected a number" in lines[1]
    assert "unknown section [nope]" in lines[2] and "milter.socket" in lines[3]
    assert "scan.max_depth: must be at least 1" in lines[4]  # semantics after the type errors


def test_find_config_order(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    system = tmp_path / "etc.toml"
    monkeypatch.setattr(config_module, "SYSTEM_CONFIG", str(system))
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert find_config(None) == (None, f"no -c, no ${CONFIG_ENV}, no {system}")
    system.write_text("")
    assert find_config(None) == (str(system), "the system configuration")
    monkeypatch.setenv(CONFIG_ENV, "/srv/cg.toml")
    assert find_config(None) == ("/srv/cg.toml", f"${CONFIG_ENV}")
    assert find_config("mine.toml") == ("mine.toml", "-c")
    monkeypatch.setenv(CONFIG_ENV, "")  # explicitly the embedded defaults, /etc or not
    assert find_config(None) == (None, f"${CONFIG_ENV} is empty")


def test_values_are_typed() -> None:
    cfg = parse_config("[scan]\ntimeout_s = 5\npasswords = ['a', 'b']\n[policy]\nscores = { 'x.y' = 3 }\n")
    assert cfg.scan.timeout_s == 5.0 and isinstance(cfg.scan.timeout_s, float)
    assert cfg.scan.passwords == ("a", "b")
    assert cfg.policy.scores == {"x.y": 3.0}


def test_unreadable_file_is_a_config_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bin.toml"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(bad)


def test_soft_deadline_is_below_the_hard_timeout() -> None:
    cfg = parse_config("[scan]\ntimeout_s = 10\n")
    assert cfg.scan.limits().timeout_s < cfg.scan.timeout_s


def test_subject_tag_verdicts_accept_unchecked_and_refuse_unknown_verdicts() -> None:
    assert "unchecked" in Config().policy.subject_tag_verdicts  # so that action_unchecked = "tag" tags
    cfg = parse_config("[policy]\nsubject_tag_verdicts = ['unchecked', 'malicious']\n")
    assert cfg.policy.subject_tag_verdicts == ("unchecked", "malicious")
    with pytest.raises(ConfigError, match=r"subject_tag_verdicts.*unknown verdict 'uncheked'"):
        parse_config("[policy]\nsubject_tag_verdicts = ['uncheked']\n")
