"""Release never loops (issue 12 §2): a sendmail release that Postfix would hand to the milter
again is refused; the postconf beside ``sendmail_path`` says whether it would."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from coinguard.config import QuarantineConfig
from coinguard.errors import QuarantineError
from coinguard.quarantine import Injector


def tools(tmp_path: Path, non_smtpd_milters: str | None, postconf_rc: int = 0) -> QuarantineConfig:
    """A fake sendmail that records its argv, and (unless None) a fake postconf beside it."""
    rec = tmp_path / "record"
    rec.mkdir()
    sendmail = tmp_path / "sendmail"
    sendmail.write_text(f"#!{sys.executable}\nimport json, sys\n"
                        f"open({str(rec / 'argv.json')!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
                        "sys.stdin.buffer.read()\n")
    sendmail.chmod(0o755)
    if non_smtpd_milters is not None:
        postconf = tmp_path / "postconf"
        postconf.write_text(f"#!{sys.executable}\nimport json, sys\n"
                            f"open({str(rec / 'postconf.json')!r}, 'w').write(json.dumps(sys.argv[1:]))\n"
                            f"print({non_smtpd_milters!r})\nsys.exit({postconf_rc})\n")
        postconf.chmod(0o755)
    return QuarantineConfig(path=str(tmp_path / "q"), sendmail_path=str(sendmail),
                            postfix_config_dir=str(tmp_path / "etc"))


def test_sendmail_release_is_refused_when_postfix_would_scan_it_again(tmp_path: Path) -> None:
    cfg = tools(tmp_path, "inet:127.0.0.1:8896")
    with pytest.raises(QuarantineError, match=r"non_smtpd_milters = inet:127.0\.0\.1:8896.*release_method = \"smtp\""):
        Injector(cfg).send(b"Subject: x\r\n\r\nbody\r\n", "a@ex.test", ["b@ex.test"])
    assert not (tmp_path / "record" / "argv.json").exists()  # sendmail never ran
    assert json.loads((tmp_path / "record" / "postconf.json").read_text()) == [
        "-c", str(tmp_path / "etc"), "-x", "-h", "non_smtpd_milters"]


@pytest.mark.parametrize(("value", "rc"), [("", 0), ("garbage", 1), (None, 0)])
def test_sendmail_release_proceeds_without_non_smtpd_milters_or_when_postfix_cannot_tell(
        tmp_path: Path, value: str | None, rc: int) -> None:
    cfg = tools(tmp_path, value, postconf_rc=rc)
    Injector(cfg).send(b"Subject: x\r\n\r\nbody\r\n", "a@ex.test", ["b@ex.test"])
    argv = json.loads((tmp_path / "record" / "argv.json").read_text())
    assert argv[-4:] == ["-f", "a@ex.test", "--", "b@ex.test"]
