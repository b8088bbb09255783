"""Start-up data checks: lost or broken rules, lure and brand lists are errors, never a silent switch-off."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinguard.checks import data_problems, require_data
from coinguard.config import Config, CryptoConfig, RulesConfig
from coinguard.errors import ConfigError


def test_shipped_data_has_no_problems() -> None:
    assert data_problems(Config()) == []
    require_data(Config())


def test_every_problem_is_reported_with_its_key(tmp_path: Path) -> None:
    empty = tmp_path / "empty-rules"
    empty.mkdir()
    (empty / "README").write_text("no rules here\n")
    bad_lures = tmp_path / "lures.txt"
    bad_lures.write_text("3 topic wallet\nnot-a-weight topic seed\n")
    cfg = Config(
        rules=RulesConfig(dirs=(str(tmp_path / "missing"), str(empty))),
        crypto=CryptoConfig(lures_file=str(bad_lures), brands_file=str(tmp_path / "none.toml")),
    )
    problems = data_problems(cfg)
    assert len(problems) == 4, problems
    assert problems[0] == f"rules.dirs: {tmp_path / 'missing'}: no such rule file or directory"
    assert problems[1] == f"rules.dirs: {empty}: no rule files (*.yar, *.yara)"
    assert problems[2].startswith(f"crypto.lures_file: {bad_lures}:2:")
    assert problems[3] == f"crypto.brands_file: {tmp_path / 'none.toml'}: cannot read: No such file or directory"
    with pytest.raises(ConfigError) as err:
        require_data(cfg)
    assert all(p in str(err.value) for p in problems)


def test_empty_and_undecodable_lists_are_problems(tmp_path: Path) -> None:
    empty = tmp_path / "lures.txt"
    empty.write_text("# only a comment\n")
    latin1 = tmp_path / "brands.toml"
    latin1.write_bytes(b"[binance]\nnames = [\"B\xe9\"]\n")
    problems = data_problems(Config(crypto=CryptoConfig(lures_file=str(empty), brands_file=str(latin1))))
    assert problems[0] == f"crypto.lures_file: {empty}: no lure phrases"
    assert problems[1].startswith(f"crypto.brands_file: {latin1}: not UTF-8")
    assert data_problems(Config(crypto=CryptoConfig(lures_file="")))[0] == "crypto.lures_file: not set"


def test_config_warnings_for_forgeable_or_impossible_settings() -> None:
    from coinguard.checks import config_warnings
    from coinguard.config import parse_config

    assert config_warnings(parse_config("")) == []
    warned = config_warnings(parse_config('[policy]\nbypass_senders = ["ceo@corp.test"]\n'))
    assert len(warned) == 1 and "forge" in warned[0] and "allow_dkim_domains" in warned[0]
    warned = config_warnings(parse_config('[policy]\naction_malicious = "strip"\n[quarantine]\nbackend = "hold"\n'))
    assert len(warned) == 1 and "strip" in warned[0]
