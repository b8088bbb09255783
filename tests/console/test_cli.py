"""``coinguard console adduser/passwd/deluser/link``, ``coinguard digest --dry-run`` and the
[console]/[digest] settings read from the main configuration file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from coinguard.cli import main
from coinguard.console import auth
from coinguard.console.settings import ConsoleConfig, load
from coinguard.errors import ConfigError


def config_file(tmp_path: Path, extra: str = "") -> Path:
    p = tmp_path / "coinguard.toml"
    p.write_text(f"""# test configuration
[quarantine]
path = "{tmp_path / 'q'}"

[console]
users_file = "{tmp_path / 'users'}"
secret_file = "{tmp_path / 'secret'}"
base_url = "https://quarantine.ex.test/"
link_days = 3

[digest]
state_file = "{tmp_path / 'state.json'}"
{extra}
""")
    return p


def test_adduser_passwd_deluser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    conf = str(config_file(tmp_path))
    monkeypatch.setattr("sys.stdin", io.StringIO("first password\n"))
    assert main(["console", "-c", conf, "adduser", "ann", "--password-stdin"]) == 0
    users = auth.read_users(tmp_path / "users")
    assert users["ann"].startswith("$argon2id$") and auth.verify_password(users, "ann", "first password")
    assert (tmp_path / "users").stat().st_mode & 0o777 == 0o600
    monkeypatch.setattr("sys.stdin", io.StringIO("x\n"))
    assert main(["console", "adduser", "ann", "--password-stdin", "-c", conf]) == 2  # exists
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["console", "-c", conf, "passwd", "ann", "--password-stdin"]) == 2
    assert "too short" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("second password\n"))
    assert main(["console", "-c", conf, "passwd", "ann", "--password-stdin"]) == 0
    users = auth.read_users(tmp_path / "users")
    assert auth.verify_password(users, "ann", "second password")
    assert not auth.verify_password(users, "ann", "first password")
    assert main(["console", "-c", conf, "passwd", "bob", "--password-stdin"]) == 2
    assert main(["console", "-c", conf, "adduser", "bad name", "--password-stdin"]) == 2
    assert main(["console", "-c", conf, "deluser", "ann"]) == 0
    assert auth.read_users(tmp_path / "users") == {}


def test_link_prints_a_valid_personal_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conf = str(config_file(tmp_path))
    assert main(["console", "-c", conf, "link", "bob@ex.test"]) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("https://quarantine.ex.test/r/")
    rcpt, expiry = auth.check_link(auth.load_secret(tmp_path / "secret"), url.rsplit("/", 1)[1])
    assert rcpt == "bob@ex.test"
    import time

    assert 2.9 * 86400 < expiry - time.time() <= 3 * 86400


def test_digest_dry_run_on_an_empty_quarantine(tmp_path: Path) -> None:
    assert main(["digest", "--dry-run", "-c", str(config_file(tmp_path))]) == 0
    assert not (tmp_path / "state.json").exists()


def test_settings_load_beside_the_main_config(tmp_path: Path) -> None:
    s = load(str(config_file(tmp_path)))
    assert s.console.link_days == 3 and s.console.public_url() == "https://quarantine.ex.test"
    assert s.console.listen == "127.0.0.1:9811" and s.config.quarantine.path == str(tmp_path / "q")
    assert s.digest.state_file == str(tmp_path / "state.json")
    assert load(None).console == ConsoleConfig()


@pytest.mark.parametrize(("extra", "message"), [
    ("[console.x]\n", r"unknown key (console\.)?x"),
    ('[milter]\nbogus = 1\n', ":14: unknown key milter.bogus"),  # line numbers survive the blanked tables
])
def test_settings_errors_name_the_key(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load(str(config_file(tmp_path, extra)))


@pytest.mark.parametrize(("table", "message"), [
    ('recipient_release_verdicts = ["malicious"]', "never release malicious"),
    ('recipient_release_verdicts = ["fine"]', "unknown verdict"),
    ('listen = "everywhere"', "expected HOST:PORT"),
    ("link_days = -1", "(expected int|must not be negative)"),
    ('cookie_secure = "yes"', "expected (bool|true or false)"),
    ('nope = 1', r"unknown key (console\.)?nope"),
])
def test_console_section_is_validated(tmp_path: Path, table: str, message: str) -> None:
    p = tmp_path / "c.toml"
    p.write_text(f"[console]\n{table}\n")
    with pytest.raises(ConfigError, match=message):
        load(str(p))


def test_documented_defaults_are_the_real_ones() -> None:
    import re
    import tomllib

    from coinguard.config import parse_config
    from coinguard.console.settings import DigestConfig

    doc = (Path(__file__).resolve().parents[2] / "docs" / "console.md").read_text()
    block = re.search(r"```toml\n\s*(\[console\].*?)```", doc, re.S)
    assert block
    text = "\n".join(line.strip() for line in block.group(1).splitlines())
    data = tomllib.loads(text)
    cfg = parse_config(text, "doc")
    assert cfg.console == ConsoleConfig()
    assert cfg.digest == DigestConfig()
    assert set(data["console"]) == set(ConsoleConfig.__dataclass_fields__)
    assert set(data["digest"]) == set(DigestConfig.__dataclass_fields__)


def test_reasons_put_the_weightiest_first_and_drop_informational_codes() -> None:
    from coinguard.console.records import describe, reasons

    got = reasons(["dkim.none", "dkim.result", "file.double_extension", "file.script_behavior", "yara.custom_rule"])
    assert got[:2] == [describe("file.script_behavior"), describe("file.double_extension")]
    assert describe("dkim.none") not in got and describe("dkim.result") not in got
    assert got[2] == "yara.custom_rule" or describe("yara.custom_rule") in got
    assert reasons(["dkim.none"]) == []
