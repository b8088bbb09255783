"""``coinguard setup postfix``: the documented Postfix lines, applied with the real postconf."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from coinguard import cli
from coinguard.config import Config
from coinguard.postfix_setup import PostfixSetupError, apply, main_cf, main_cf_text, master_cf_text, milter_address

from helpers import REPO

needs_postconf = pytest.mark.skipif(shutil.which("postconf") is None, reason="Postfix (postconf) not installed")
MASTER_PROTO = next((p for p in (Path("/etc/postfix/master.cf"), Path("/etc/postfix/master.cf.proto"),
                                 Path("/usr/share/postfix/master.cf.dist")) if p.is_file()), None)


def test_milter_address_in_postfix_syntax() -> None:
    assert milter_address("inet:8896@127.0.0.1") == "inet:127.0.0.1:8896"
    assert milter_address("inet:8896") == "inet:127.0.0.1:8896"
    assert milter_address("inet6:8896@::1") == "inet:[::1]:8896"
    assert milter_address("unix:/run/coinguard/milter.sock") == "unix:/run/coinguard/milter.sock"


def test_local_submissions_are_scanned_and_releases_use_the_milterless_listener() -> None:
    settings = {s.key: s.value for s in main_cf(Config())}
    assert settings["non_smtpd_milters"] == "$smtpd_milters"
    assert Config().quarantine.release_method == "smtp"  # releases never pass a milter again
    assert settings["smtpd_milters"] == "inet:127.0.0.1:8896"
    assert settings["milter_default_action"] == "tempfail"


@pytest.mark.parametrize("doc", ["README.md", "docs/operations.md"])
def test_docs_show_exactly_these_main_cf_lines(doc: str) -> None:
    """README and operations.md give the same Postfix lines: the ones this command applies."""
    text = (REPO / doc).read_text(encoding="utf-8")
    for name, want in (("main-cf", main_cf_text(Config())), ("master-cf", master_cf_text(Config()))):
        block = text.split(f"<!-- postfix-{name}:begin -->", 1)[1].split(f"<!-- postfix-{name}:end -->", 1)[0]
        body = block.split("```", 2)[1].split("\n", 1)[1]
        assert body == want, f"{doc}: paste the output of `coinguard setup postfix`'s {name} part"


def test_print_is_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["setup", "postfix", "-c", "/dev/null"]) == 0
    out = capsys.readouterr().out
    assert main_cf_text(Config()) in out and "127.0.0.1:10026 inet n - n - - smtpd" in out


@needs_postconf
def test_apply_refuses_an_unconfigured_postfix(tmp_path: Path) -> None:
    with pytest.raises(PostfixSetupError, match="dpkg-reconfigure postfix"):
        apply(Config(), str(tmp_path))


@needs_postconf
@pytest.mark.skipif(MASTER_PROTO is None, reason="no master.cf template")
def test_apply_backs_up_then_sets_main_and_master_cf(tmp_path: Path) -> None:
    assert MASTER_PROTO is not None
    (tmp_path / "main.cf").write_text("myhostname = mx.example.org\nnon_smtpd_milters = unix:/old/milter.sock\n")
    shutil.copy(MASTER_PROTO, tmp_path / "master.cf")
    original_main = (tmp_path / "main.cf").read_text()
    cfg = Config()
    cfg = replace(cfg, quarantine=replace(cfg.quarantine, release_smtp="127.0.0.1:10099"))
    assert cli.main(["setup", "postfix", "--apply", "--postfix-config-dir", str(tmp_path), "-c", "/dev/null"]) == 0
    backups = apply(cfg, str(tmp_path))  # twice: idempotent, and the second run's backups exist too
    assert {p.name.split(".coinguard-")[0] for p in backups} == {"main.cf", "master.cf"}
    assert any(p.read_text() == original_main for p in tmp_path.glob("main.cf.coinguard-*.bak"))

    def postconf(*args: str) -> str:
        return subprocess.run(["postconf", "-c", str(tmp_path), *args], capture_output=True, text=True,
                              check=True).stdout

    assert postconf("-h", "smtpd_milters").strip() == "inet:127.0.0.1:8896"
    assert postconf("-h", "non_smtpd_milters").strip() == "$smtpd_milters"  # the old value is replaced
    assert postconf("-h", "myhostname").strip() == "mx.example.org"  # the admin's own lines stay
    for port in ("10026", "10099"):
        service = postconf("-M", f"127.0.0.1:{port}/inet")
        assert service.split()[:8] == f"127.0.0.1:{port} inet n - n - - smtpd".split(), service
        name = f"127.0.0.1:{port}/inet"
        params = postconf("-P", f"{name}/smtpd_milters", f"{name}/receive_override_options")
        assert "smtpd_milters =" in params and "receive_override_options = no_milters" in params
