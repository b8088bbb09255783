from __future__ import annotations

import pytest

from coinguard.config import Config, parse_config
from coinguard.findings import Action, Category, CodeInfo, Finding, Strength, Verdict, VerdictKind
from coinguard.policy import decide, lookup

CAT = {
    "a.weak": CodeInfo("a.weak", 2.0, Category.ATTACHMENT, ""),
    "a.macro": CodeInfo("a.macro", 10.0, Category.ATTACHMENT, ""),
    "a.exploit": CodeInfo("a.exploit", 20.0, Category.ATTACHMENT, ""),
    "t.lure": CodeInfo("t.lure", 4.0, Category.THEME, ""),
    "s.lookalike": CodeInfo("s.lookalike", 6.0, Category.SENDER, ""),
    "m.defect": CodeInfo("m.defect", 0.5, Category.MESSAGE, ""),
    "yara.match": CodeInfo("yara.match", 5.0, Category.ATTACHMENT, ""),
}


def f(code: str, score: float | None = None, path: str = "") -> Finding:
    return Finding(code, "test", path, "", score)


@pytest.mark.parametrize(
    ("codes", "verdict", "action", "score"),
    [
        ([], VerdictKind.CLEAN, Action.ACCEPT, 0),
        (["m.defect"], VerdictKind.CLEAN, Action.ACCEPT, 0.5),
        (["a.weak", "a.weak", "a.weak"], VerdictKind.CLEAN, Action.ACCEPT, 2),  # a code counts once
        (["a.macro"], VerdictKind.SUSPICIOUS, Action.TAG, 10),  # a partner's macro sheet: tagged only
        (["t.lure"], VerdictKind.CLEAN, Action.ACCEPT, 4),  # one lure alone does not tag
        (["t.lure", "s.lookalike"], VerdictKind.SUSPICIOUS, Action.TAG, 10),  # theme alone tags
        (["a.macro", "t.lure"], VerdictKind.MALICIOUS, Action.QUARANTINE, 21),  # (10 + 4) * 1.5
        (["a.exploit"], VerdictKind.MALICIOUS, Action.QUARANTINE, 20),
        (["a.weak", "t.lure"], VerdictKind.SUSPICIOUS, Action.TAG, 6),  # risk 2 < risk_min: no bonus
    ],
)
def test_decision_table(codes: list[str], verdict: VerdictKind, action: Action, score: float) -> None:
    v = decide([f(c) for c in codes], CAT, Config())
    assert (v.verdict, v.action, v.score) == (verdict, action, score)


def test_crypto_theme_is_theme_plus_sender() -> None:
    v = decide([f("t.lure"), f("s.lookalike"), f("a.weak")], CAT, Config())
    assert v.crypto_theme == 10


def test_score_sources_in_order() -> None:
    cfg = parse_config("[policy]\nscores = { 'a.macro' = 1 }\n")
    v = decide([f("a.macro"), f("yara.Some_Rule", score=7.0), f("unknown.code")], CAT, cfg)
    scores = {x.code: x.score for x in v.findings}
    assert scores == {"a.macro": 1.0, "yara.Some_Rule": 7.0, "unknown.code": 1.0}
    assert lookup("yara.Some_Rule", CAT) is CAT["yara.match"]


def test_actions_and_thresholds_come_from_config() -> None:
    cfg = parse_config("[policy]\nmalicious_score = 30\naction_suspicious = 'reject'\n")
    v = decide([f("a.exploit")], CAT, cfg)
    assert v.verdict is VerdictKind.SUSPICIOUS and v.action is Action.REJECT


@pytest.mark.parametrize(
    ("rcpts", "sender", "action"),
    [
        (("abuse@example.net",), "x@evil.test", Action.TAG),
        (("abuse@example.net", "bob@example.net"), "x@evil.test", Action.QUARANTINE),
        (("a@lab.example.net",), "x@evil.test", Action.QUARANTINE),
        (("anyone@research.test",), "x@evil.test", Action.TAG),
        (("bob@example.net",), "feed@partner.test", Action.TAG),
    ],
)
def test_bypass_caps_action_at_tag(rcpts: tuple[str, ...], sender: str, action: Action) -> None:
    cfg = parse_config(
        "[policy]\nbypass_recipients = ['abuse@example.net', '@research.test']\nbypass_senders = ['@partner.test']\n"
    )
    v = decide([f("a.exploit")], CAT, cfg, rcpts=rcpts, sender=sender)
    assert v.action is action


def test_findings_sorted_by_score_and_dry_run_flag() -> None:
    cfg = parse_config("[policy]\ndry_run = true\n")
    v = decide([f("a.weak"), f("a.exploit")], CAT, cfg)
    assert [x.code for x in v.findings] == ["a.exploit", "a.weak"]
    assert v.dry_run and v.to_json()["dry_run"] is True
    assert v.codes == ["a.exploit", "a.weak"]


# -- unchecked: a finding whose code is "incomplete" (part of the message was not read) ----------------
UNREAD = {
    **CAT,
    "c.limit.files": CodeInfo("c.limit.files", 3.0, Category.CONTAINER, ""),  # incomplete by its name
    "x.parse_error": CodeInfo("x.parse_error", 1.0, Category.ATTACHMENT, ""),
    "m.too_many": CodeInfo("m.too_many", 3.0, Category.MESSAGE, "", incomplete=True),
    "c.bomb": CodeInfo("c.bomb", 15.0, Category.CONTAINER, "", incomplete=False),
    "scan.timeout": CodeInfo("scan.timeout", 3.0, Category.INTERNAL, ""),
}


@pytest.mark.parametrize(
    ("codes", "verdict", "action", "reason"),
    [
        (["c.limit.files"], VerdictKind.UNCHECKED, Action.QUARANTINE, "incomplete"),  # never clean
        (["m.too_many", "m.defect"], VerdictKind.UNCHECKED, Action.QUARANTINE, "incomplete"),
        (["x.parse_error", "a.macro"], VerdictKind.UNCHECKED, Action.QUARANTINE, "incomplete"),  # not "suspicious"
        (["scan.timeout"], VerdictKind.UNCHECKED, Action.QUARANTINE, "timeout"),
        (["c.limit.files", "a.exploit"], VerdictKind.MALICIOUS, Action.QUARANTINE, ""),  # evidence still counts
        (["c.bomb"], VerdictKind.MALICIOUS, Action.QUARANTINE, ""),  # a bomb is malicious, not unread
        (["m.defect"], VerdictKind.CLEAN, Action.ACCEPT, ""),
    ],
)
def test_unread_parts_make_the_verdict_unchecked(codes: list[str], verdict: VerdictKind, action: Action,
                                                  reason: str) -> None:
    v = decide([f(c) for c in codes], UNREAD, Config())
    assert (v.verdict, v.action, v.reason) == (verdict, action, reason)


@pytest.mark.parametrize(
    ("unchecked", "suspicious", "alone", "with_suspicion"),
    [
        ("quarantine", "tag", Action.QUARANTINE, Action.QUARANTINE),
        ("tag", "tag", Action.TAG, Action.TAG),
        ("tempfail", "tag", Action.TEMPFAIL, Action.TEMPFAIL),
        ("tag", "quarantine", Action.TAG, Action.QUARANTINE),  # the stricter of the two
        ("tempfail", "reject", Action.TEMPFAIL, Action.REJECT),
        ("tag", "accept", Action.TAG, Action.TAG),
    ],
)
def test_action_unchecked_and_the_stricter_action_with_a_suspicious_score(
        unchecked: str, suspicious: str, alone: Action, with_suspicion: Action) -> None:
    cfg = parse_config(f"[policy]\naction_unchecked = '{unchecked}'\naction_suspicious = '{suspicious}'\n")
    assert decide([f("c.limit.files")], UNREAD, cfg).action is alone
    v = decide([f("c.limit.files"), f("a.macro")], UNREAD, cfg)
    assert (v.verdict, v.action) == (VerdictKind.UNCHECKED, with_suspicion)


def test_action_unchecked_is_validated() -> None:
    from coinguard.errors import ConfigError

    with pytest.raises(ConfigError, match="action_unchecked"):
        parse_config("[policy]\naction_unchecked = 'accept'\n")


def test_unknown_code_named_like_a_give_up_is_unchecked() -> None:
    v = decide([f("newformat.parse_error")], {}, Config())
    assert v.verdict is VerdictKind.UNCHECKED


def test_bypass_caps_unchecked_quarantine_at_tag() -> None:
    cfg = parse_config("[policy]\nbypass_recipients = ['@partner.example']\n")
    v = decide([f("c.limit.files")], UNREAD, cfg, rcpts=("a@partner.example",))
    assert (v.verdict, v.action) == (VerdictKind.UNCHECKED, Action.TAG)


def test_every_give_up_code_in_the_catalogue_is_incomplete() -> None:
    """Walks the real catalogue: limit, parse-error, timeout, unopened and unreadable codes are marked."""
    from coinguard.catalogue import catalogue

    cat = catalogue()
    give_ups = [c for c in cat if ".limit." in c or c.endswith(("parse_error", "timeout", "_error", ".error",
                                                                "unopened", "unreadable", "skipped"))]
    assert len(give_ups) > 20
    assert [c for c in give_ups if not cat[c].incomplete] == []
    explicit = {"mime.too_many_parts", "scan.unchecked", "scan.timeout", "scan.analyzer_error", "archive.unreadable",
                "archive.encrypted_unopened", "container.limit.depth", "container.limit.files",
                "container.limit.bytes", "container.limit.file_size", "mime.parse_error", "archive.parse_error",
                "message.parse_error", "yara.timeout"}
    assert {c for c in explicit if not cat[c].incomplete} == set()
    evidence = {"container.bomb", "mime.defect", "mime.bad_charset", "text.sampled", "dkim.temperror",
                "dkim.permerror", "archive.encrypted", "crypto.seed_phrase"}
    assert {c for c in evidence if cat[c].incomplete} == set()


# -- strengths (issue 11): conclusive quarantines alone, strong combines, weak is context --------
SCAT = {
    **CAT,
    "x.runs": CodeInfo("x.runs", 8.0, Category.ATTACHMENT, "", Strength.CONCLUSIVE),
    "x.hides": CodeInfo("x.hides", 4.0, Category.ATTACHMENT, "", Strength.STRONG),
    "x.disguise": CodeInfo("x.disguise", 4.0, Category.ATTACHMENT, "", Strength.STRONG),
    "t.brand": CodeInfo("t.brand", 12.0, Category.SENDER, ""),
}
BALANCED = parse_config('[policy]\nprofile = "balanced"\n')


@pytest.mark.parametrize(
    ("codes", "config", "verdict"),
    [
        (["x.runs"], Config(), VerdictKind.MALICIOUS),  # 8 points, but it runs code: malicious alone
        (["x.runs"], BALANCED, VerdictKind.MALICIOUS),  # conclusive in every profile
        (["x.hides"], Config(), VerdictKind.SUSPICIOUS),  # strong alone: at least suspicious, under the tag score
        (["x.hides", "x.disguise"], Config(), VerdictKind.MALICIOUS),  # two strong
        (["x.hides", "x.disguise"], BALANCED, VerdictKind.SUSPICIOUS),  # balanced: only the sum (8) decides
        (["x.hides", "t.lure"], Config(), VerdictKind.MALICIOUS),  # strong attachment + crypto theme 4 >= 3
        (["x.hides", "t.lure"], BALANCED, VerdictKind.SUSPICIOUS),
        (["t.brand", "t.lure", "s.lookalike"], Config(), VerdictKind.SUSPICIOUS),  # 22 of weak theme: capped
        (["a.weak", "m.defect"], Config(), VerdictKind.CLEAN),
        (["a.exploit"], Config(), VerdictKind.MALICIOUS),  # undeclared, scored 20 >= malicious_score: conclusive
    ],
)
def test_strengths_combine(codes: list[str], config: Config, verdict: VerdictKind) -> None:
    v = decide([f(c) for c in codes], SCAT, config)
    assert v.verdict is verdict, v.basis


def test_a_code_may_be_conclusive_under_the_strict_profile_only() -> None:
    cat = {**SCAT, "x.carrier": CodeInfo("x.carrier", 5.0, Category.ATTACHMENT, "", Strength.STRONG,
                                         strict=Strength.CONCLUSIVE)}
    strict = decide([f("x.carrier")], cat, Config())
    assert (strict.verdict, strict.basis) == (VerdictKind.MALICIOUS, "conclusive: x.carrier")
    assert strict.strengths()["x.carrier"] == "conclusive"
    balanced = decide([f("x.carrier")], cat, BALANCED)
    assert (balanced.verdict, balanced.action) == (VerdictKind.SUSPICIOUS, Action.TAG)
    assert balanced.strengths()["x.carrier"] == "strong"
    # an analyzer that judged the instance still wins over the catalogue in either profile
    judged = decide([Finding("x.carrier", "test", "", "", None, strength=Strength.WEAK)], cat, Config())
    assert judged.verdict is VerdictKind.SUSPICIOUS and judged.strengths()["x.carrier"] == "weak"


def test_every_finding_carries_its_strength_into_the_json() -> None:
    v = decide([f("x.runs"), f("a.weak"), f("yara.rule_x", 12.0), f("yara.rule_y", 2.0), f("m.defect", 0.0)],
               SCAT, Config())
    got = {x["code"]: x["strength"] for x in v.to_json()["findings"]}
    assert got == {"x.runs": "conclusive", "a.weak": "weak", "yara.rule_x": "strong", "yara.rule_y": "weak",
                   "m.defect": ""}  # a finding that scores 0 is no evidence
    assert v.to_json()["basis"] == "conclusive: x.runs"
    assert v.strengths()["x.runs"] == "conclusive"
    again = Verdict.from_json(v.to_json())
    assert again.findings == v.findings and again.basis == v.basis


def test_score_override_to_zero_removes_the_strength_too() -> None:
    cfg = parse_config('[policy.scores]\n"x.runs" = 0\n')
    v = decide([f("x.runs")], SCAT, cfg)
    assert v.verdict is VerdictKind.CLEAN and v.findings[0].strength == ""
    # raising an undeclared code to the malicious score makes it conclusive
    v = decide([f("a.weak")], SCAT, parse_config('[policy.scores]\n"a.weak" = 15\n'))
    assert v.verdict is VerdictKind.MALICIOUS


def test_an_analyzer_may_weaken_one_finding() -> None:
    """A script named .txt (opens in an editor) is reported with strength weak, whatever its code says."""
    v = decide([Finding("x.runs", "test", "", "", None, Strength.WEAK)], SCAT, Config())
    assert v.verdict is VerdictKind.SUSPICIOUS and v.findings[0].strength == "weak"


def test_every_catalogue_code_has_a_valid_strength() -> None:
    from coinguard.catalogue import catalogue, render

    for info in catalogue().values():
        assert info.strength is None or info.strength in Strength.__members__.values()
    table = render()
    assert "office.vba.autoexec" in table and " conclusive " in table
    assert "| strength |" in render(markdown=True)


def test_graded_is_replace_without_sanitizing_again() -> None:
    """The policy's copy of a finding keeps every field but the two it sets, the detail as it was made."""
    from dataclasses import fields, replace

    made = Finding("x.runs", "test", "a.zip/b.js", "line\x00one\ttwo " + "w" * 400, 3.0, Strength.WEAK, cached=True)
    assert len(made.detail) == 300 and "\x00" not in made.detail  # sanitized once, at construction
    got = made.graded(12.0, Strength.STRONG)
    assert got == replace(made, score=12.0, strength=Strength.STRONG)
    assert [getattr(got, x.name) for x in fields(Finding)] == [
        "x.runs", "test", "a.zip/b.js", made.detail, 12.0, "strong", True]
    assert made.score == 3.0 and made.strength == "weak"  # the original is untouched
    # a detail that sanitizing would change is copied as it is: graded trusts its own input
    raw = object.__new__(Finding)
    for x in fields(Finding):
        object.__setattr__(raw, x.name, getattr(made, x.name))
    object.__setattr__(raw, "detail", "a  b")
    assert raw.graded(None, "").detail == "a  b" and replace(raw, score=None).detail == "a b"


def test_decide_keeps_each_findings_fields() -> None:
    found = [Finding("x.runs", "js", "m.zip/a.js", "eval(atob(...)) at offset 12", cached=True),
             Finding("t.lure", "lure", "", "seed phrase " * 40), f("a.weak", path="x.docx")]
    v = decide(found, {**SCAT, **CAT}, Config())
    by_code = {x.code: x for x in v.findings}
    for orig in found:
        got = by_code[orig.code]
        assert (got.analyzer, got.path, got.detail, got.cached) == (orig.analyzer, orig.path, orig.detail, orig.cached)
    assert by_code["x.runs"].strength == "conclusive" and by_code["t.lure"].score == 4.0
