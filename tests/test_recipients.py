"""Per-recipient policy: overrides by address and domain, the strictest outcome, bypass only for all."""

from __future__ import annotations

import pytest

from coinguard.catalogue import catalogue
from coinguard.config import Config, parse_config
from coinguard.errors import ConfigError
from coinguard.findings import Action, Finding, VerdictKind
from coinguard.policy import decide
from coinguard.recipients import RECIPIENTS_DIFFER, override_for

CFG = parse_config("""
[policy]
bypass_recipients = ["abuse@corp.test"]
[policy.recipients."finance.corp.test"]
suspicious_score = 2
action_suspicious = "quarantine"
[policy.recipients."ceo@finance.corp.test"]
action_suspicious = "reject"
suspicious_score = 2.5
[policy.recipients."lab.test"]
bypass = true
""")
#: scores 3 under the default thresholds: clean for most, suspicious for finance.corp.test
MILD = [Finding("file.url_shortcut", "filetype", "a.url", score=3.0)]
BAD = [Finding("file.executable", "filetype", "a.exe", score=20.0)]


def run(findings: list[Finding], *rcpts: str, cfg: Config = CFG):
    return decide(findings, catalogue(), cfg, rcpts=rcpts)


def test_most_specific_entry_applies() -> None:
    table = CFG.policy.recipients
    assert override_for("ceo@finance.corp.test", table)[0] == "ceo@finance.corp.test"
    assert override_for("bob@finance.corp.test", table)[0] == "finance.corp.test"
    assert override_for("bob@eu.finance.corp.test", table)[0] == "finance.corp.test"
    assert override_for("bob@corp.test", table) == ("", None)
    assert override_for("ceo@other.test", table) == ("", None)  # an address entry is not a domain


def test_thresholds_and_actions_per_recipient() -> None:
    assert (run(MILD, "bob@corp.test").verdict, run(MILD, "bob@corp.test").action) == (VerdictKind.CLEAN, Action.ACCEPT)
    v = run(MILD, "ann@finance.corp.test")
    assert (v.verdict, v.action) == (VerdictKind.SUSPICIOUS, Action.QUARANTINE)
    assert run(MILD, "ceo@finance.corp.test").action == Action.REJECT
    # entries do not stack: the address entry alone applies, [policy] fills what it leaves unset
    weak = [Finding("file.url_shortcut", "filetype", "a.url", score=2.2)]
    assert run(weak, "ceo@finance.corp.test").action == Action.ACCEPT
    assert RECIPIENTS_DIFFER not in {f.code for f in v.findings}


def test_strictest_applies_and_the_verdict_says_so() -> None:
    v = run(MILD, "bob@corp.test", "ann@finance.corp.test")
    assert v.action == Action.QUARANTINE and v.verdict == VerdictKind.SUSPICIOUS
    note = next(f for f in v.findings if f.code == RECIPIENTS_DIFFER)
    assert "ann@finance.corp.test: quarantine" in note.detail and "bob@corp.test: accept" in note.detail
    assert note.score == 0


def test_bypass_only_when_every_recipient_is_bypassed() -> None:
    assert run(BAD, "abuse@corp.test").action == Action.TAG
    assert run(BAD, "abuse@corp.test", "x@lab.test").action == Action.TAG
    mixed = run(BAD, "abuse@corp.test", "bob@corp.test")
    assert mixed.action == Action.QUARANTINE
    assert "abuse@corp.test: tag" in next(f.detail for f in mixed.findings if f.code == RECIPIENTS_DIFFER)


@pytest.mark.parametrize(("text", "message"), [
    ('[policy.recipients."a b"]\nbypass = true\n', "expected an address"),
    ('[policy.recipients."x.test"]\naction_malicious = "nuke"\n', "expected one of"),
    ('[policy.recipients."x.test"]\nmalicious_score = 1\n', "malicious_score 1 < suspicious_score 5"),
    ('[policy.recipients."x.test"]\nbogus = 1\n', "unknown key bogus"),
])
def test_config_check_validates_recipient_tables(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(text)
