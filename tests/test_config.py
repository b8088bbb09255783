from __future__ import annotations

import dataclasses
import re

import pytest

from coinguard.config import SECTIONS, Config, load_config, parse_config
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
    ],
)
def test_bad_config_names_file_line_and_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text, "x.toml")
    assert message in str(err.value)


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
