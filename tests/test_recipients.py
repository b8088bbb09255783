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


#: one mailbox tags mail that could not be fully read, one domain retries it, the rest quarantine it
UNCHECKED_CFG = parse_config("""
[policy]
action_unchecked = "quarantine"
action_suspicious = "tag"
[policy.recipients."reader@corp.test"]
action_unchecked = "tag"
[policy.recipients."retry.test"]
action_unchecked = "tempfail"
[policy.recipients."strict@corp.test"]
action_unchecked = "tag"
action_suspicious = "reject"
suspicious_score = 2
""")
UNREAD = [Finding("pdf.parse_error", "pdf", "report.pdf", score=0.0)]


def test_action_unchecked_per_recipient() -> None:
    assert UNCHECKED_CFG.policy.recipients["reader@corp.test"].action_unchecked == "tag"
    assert UNCHECKED_CFG.policy.recipients["strict@corp.test"].action_unchecked == "tag"
    for rcpt, action in [("reader@corp.test", Action.TAG), ("bob@corp.test", Action.QUARANTINE),
                         ("ann@retry.test", Action.TEMPFAIL)]:
        v = run(UNREAD, rcpt, cfg=UNCHECKED_CFG)
        assert (v.verdict, v.action) == (VerdictKind.UNCHECKED, action), rcpt
    # a read message is not affected: the entry only sets what unread mail gets
    assert run(MILD, "reader@corp.test", cfg=UNCHECKED_CFG).action == Action.ACCEPT
    # unread with a suspicious score: the stricter of the recipient's action_suspicious and action_unchecked
    assert run(UNREAD + MILD, "strict@corp.test", cfg=UNCHECKED_CFG).action == Action.REJECT
    assert run(UNREAD + MILD, "reader@corp.test", cfg=UNCHECKED_CFG).action == Action.TAG
    # malicious stays malicious whatever action_unchecked says
    v = run(UNREAD + BAD, "reader@corp.test", cfg=UNCHECKED_CFG)
    assert (v.verdict, v.action) == (VerdictKind.MALICIOUS, Action.QUARANTINE)


@pytest.mark.parametrize(("rcpts", "action"), [
    (("reader@corp.test", "bob@corp.test"), Action.QUARANTINE),
    (("reader@corp.test", "ann@retry.test"), Action.TEMPFAIL),
    # quarantine is final and keeps the message for an admin; tempfail only delays it
    (("ann@retry.test", "bob@corp.test"), Action.QUARANTINE),
])
def test_action_unchecked_strictest_recipient_applies_to_all(rcpts: tuple[str, ...], action: Action) -> None:
    v = run(UNREAD, *rcpts, cfg=UNCHECKED_CFG)
    assert (v.verdict, v.action) == (VerdictKind.UNCHECKED, action)
    note = next(f.detail for f in v.findings if f.code == RECIPIENTS_DIFFER)
    assert note.startswith(f"{action} for all")
    assert all(f"{r}: " in note for r in rcpts)


def test_reject_for_one_recipient_is_stricter_than_tempfail_for_another() -> None:
    """The order across recipients is the one within a recipient (recipients.STRICTNESS)."""
    cfg = parse_config('[policy]\naction_unchecked = "tempfail"\n'
                       '[policy.recipients."strict@corp.test"]\naction_suspicious = "reject"\nsuspicious_score = 2\n')
    assert run(UNREAD + MILD, "strict@corp.test", "bob@corp.test", cfg=cfg).action == Action.REJECT


@pytest.mark.parametrize("bad", ['"accept"', '"reject"', '"strip"', '"nuke"', "1"])
def test_a_bad_recipient_action_unchecked_is_a_clear_error(bad: str) -> None:
    with pytest.raises(ConfigError, match=r"policy\.recipients\.\"x\.test\"\.action_unchecked.*(expected|one of)"):
        parse_config(f'[policy.recipients."x.test"]\naction_unchecked = {bad}\n')


def test_action_unchecked_per_recipient_through_scan_message() -> None:
    """The scan path the daemon's workers run: the envelope's recipients pick the table."""
    from coinguard.scan import Envelope, ScanContext, scan_message

    from helpers import make_message

    raw = make_message(attachments=[("report.pdf", b"%PDF-1.4\n% truncated\n", "application/pdf")])
    for rcpts, action in [(("reader@corp.test",), Action.TAG), (("bob@corp.test",), Action.QUARANTINE),
                          (("reader@corp.test", "bob@corp.test"), Action.QUARANTINE)]:
        v = scan_message(raw, ScanContext(config=UNCHECKED_CFG, envelope=Envelope(rcpts=rcpts)))
        assert (v.verdict, v.action) == (VerdictKind.UNCHECKED, action), rcpts
        assert "pdf.parse_error" in v.codes
