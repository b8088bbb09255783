"""Findings -> score, verdict and action.  Pure: no I/O, no analyzer imports.

The rules, in order (rspamd's "one action per message" with Mailman's decision-as-data):

1. Each finding gets its score: ``[policy.scores]`` override for its code, else the
   score the analyzer set (YARA rule meta), else the catalogue default, else 1.
2. A code counts once per message, at its highest score (fifty lure words in fifty
   text fragments are one piece of evidence, not fifty).
3. ``crypto_theme`` is the sum over THEME and SENDER codes; ``risk`` over ATTACHMENT and
   CONTAINER codes.  When both reach their minimum (``theme_min``, ``risk_min``) the total
   is multiplied by ``theme_weight``: a crypto lure carrying a risky attachment is worse
   than either alone.
4. The total maps to a verdict through ``suspicious_score`` / ``malicious_score``.
5. Strengths (:class:`~coinguard.findings.Strength`, issue 11) decide on top of the sum
   (:func:`by_strength`): any conclusive finding -> malicious; under ``profile = "strict"`` two
   different strong codes, or a strong attachment/container code with ``crypto_theme >= theme_min``
   -> malicious; a strong finding -> at least suspicious; with only weak evidence the verdict
   is at most suspicious.  A code may declare a stricter strength for the strict profile
   (``CodeInfo.strict``).  A finding that scores 0 (an override) has no strength.  The verdict
   maps to an action through ``action_<verdict>``.
6. Unchecked: a finding whose catalogue entry is ``incomplete`` (a limit, a parse failure, a
   tool or the time budget that gave up) means part of the message was not read.  Below
   ``malicious_score`` the verdict is then ``unchecked`` -- never ``clean``, and not
   ``suspicious`` either, since what was skipped may hold anything -- and the action is the
   stricter of ``action_unchecked`` and the action the score alone would get.  Malicious stays
   malicious: evidence already found is never downgraded.
7. Bypass lists (recipients, senders) cap the action at ``tag``: scanned, labelled, delivered.
8. Allowlist hits (``allow.*``, :mod:`coinguard.allowlist`) zero the findings of trusted items or
   cap the action at ``tag``; per-recipient tables (:mod:`coinguard.recipients`) set thresholds and
   actions per recipient, and the strictest recipient's outcome applies to the message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from coinguard import allowlist, recipients
from coinguard.config import Config, PolicyConfig
from coinguard.findings import (
    RISK_CATEGORIES,
    AttachmentInfo,
    Category,
    CodeInfo,
    Finding,
    Strength,
    Verdict,
    VerdictKind,
    default_strength,
    incomplete_by_name,
)
from coinguard.recipients import action_for, stricter, verdict_for

__all__ = ["action_for", "by_strength", "decide", "lookup", "score_finding", "strength_of", "stricter",
           "unchecked_reason", "verdict_for"]

DEFAULT_UNKNOWN_SCORE = 1.0
THEME_CATEGORIES = frozenset({Category.THEME, Category.SENDER})


def lookup(code: str, catalogue: Mapping[str, CodeInfo]) -> CodeInfo | None:
    """The catalogue entry of ``code``, or of its family (``yara.foo`` -> ``yara.match``)."""
    info = catalogue.get(code)
    if info is not None:
        return info
    family = code.split(".", 1)[0]
    return catalogue.get(f"{family}.match") or catalogue.get(f"{family}.*")


def score_finding(f: Finding, catalogue: Mapping[str, CodeInfo], cfg: PolicyConfig) -> float:
    if f.code in cfg.scores:
        return cfg.scores[f.code]
    if f.score is not None:
        return float(f.score)
    info = lookup(f.code, catalogue)
    return info.score if info is not None else DEFAULT_UNKNOWN_SCORE


def strength_of(f: Finding, catalogue: Mapping[str, CodeInfo], cfg: PolicyConfig) -> str:
    """The strength of a scored finding ("" when it scored 0: no evidence)."""
    value = float(f.score or 0.0)
    if value <= 0:
        return ""
    if f.strength in Strength.__members__.values():
        return f.strength  # the analyzer judged this instance (a script named .txt is weaker than its code)
    info = lookup(f.code, catalogue)
    if info is not None and info.code == f.code:
        if cfg.profile == "strict" and info.strict is not None:
            return str(info.strict)
        if info.strength is not None:
            return str(info.strength)
    category = info.category if info is not None else Category.ATTACHMENT
    return str(default_strength(value, category, cfg.malicious_score))


def by_strength(verdict: VerdictKind, strongest: Mapping[str, tuple[str, Category]], theme: float,
                cfg: PolicyConfig) -> tuple[VerdictKind, str]:
    """The verdict after the strength rules, and the basis that explains it.

    ``strongest`` maps each scored code to its strength and category.
    """
    conclusive = sorted(c for c, (s, _) in strongest.items() if s == Strength.CONCLUSIVE)
    strong = sorted(c for c, (s, _) in strongest.items() if s == Strength.STRONG)
    strong_risk = [c for c in strong if strongest[c][1] in RISK_CATEGORIES]
    if conclusive:
        return VerdictKind.MALICIOUS, "conclusive: " + ", ".join(conclusive)
    if cfg.profile == "strict":
        if len(strong) >= 2:
            return VerdictKind.MALICIOUS, "two strong: " + ", ".join(strong)
        if strong_risk and theme >= cfg.theme_min:
            return VerdictKind.MALICIOUS, f"strong with crypto theme {theme:g}: " + ", ".join(strong_risk)
    if strong:
        if verdict is VerdictKind.CLEAN:
            return VerdictKind.SUSPICIOUS, "strong: " + ", ".join(strong)
        return verdict, f"score {verdict} with strong: " + ", ".join(strong)
    if verdict is VerdictKind.MALICIOUS:
        return VerdictKind.SUSPICIOUS, "weak evidence only (capped at suspicious)"
    return verdict, "score" if verdict is not VerdictKind.CLEAN else ""


def decide(
    findings: Sequence[Finding],
    catalogue: Mapping[str, CodeInfo],
    config: Config,
    *,
    id: str = "",
    sender: str = "",
    rcpts: tuple[str, ...] = (),
    message_id: str = "",
    subject: str = "",
    attachments: tuple[AttachmentInfo, ...] = (),
    elapsed_ms: int = 0,
    errors: tuple[str, ...] = (),
) -> Verdict:
    cfg = config.policy
    # Finding.graded, not dataclasses.replace: the details were sanitized when the findings were made
    graded = [f.graded(score_finding(f, catalogue, cfg), f.strength) for f in findings]
    scored, trusted_sender = allowlist.effect(graded)
    scored = tuple(f.graded(f.score, strength_of(f, catalogue, cfg)) for f in scored)
    best: dict[str, tuple[float, Category]] = {}
    strongest: dict[str, tuple[str, Category]] = {}
    rank = {Strength.CONCLUSIVE: 0, Strength.STRONG: 1, Strength.WEAK: 2}
    for f in scored:
        info = lookup(f.code, catalogue)
        category = info.category if info is not None else Category.ATTACHMENT
        value = float(f.score or 0.0)
        if f.code not in best or value > best[f.code][0]:
            best[f.code] = (value, category)
        if f.strength and (f.code not in strongest
                           or rank[Strength(f.strength)] < rank[Strength(strongest[f.code][0])]):
            strongest[f.code] = (f.strength, category)
    risk = sum(v for v, c in best.values() if c in RISK_CATEGORIES)
    theme = sum(v for v, c in best.values() if c in THEME_CATEGORIES)
    other = sum(v for v, c in best.values() if c not in RISK_CATEGORIES | THEME_CATEGORIES)
    total = risk + theme + other
    if theme >= cfg.theme_min and risk >= cfg.risk_min:
        total = (risk + theme) * cfg.theme_weight + other
    unread = sorted({f.code for f in scored if _incomplete(f.code, catalogue)})
    def judge(verdict: VerdictKind, mine: PolicyConfig) -> tuple[VerdictKind, str]:
        return by_strength(verdict, strongest, theme, mine)

    chosen, note = recipients.resolve(total, cfg, rcpts, judge=judge, unread=bool(unread), cap=trusted_sender or bool(
        sender and recipients.matches(sender, cfg.bypass_senders)))
    verdict, action, basis = chosen.verdict, chosen.action, chosen.basis
    reason = unchecked_reason(unread) if verdict is VerdictKind.UNCHECKED else ""
    if note:
        scored += (Finding(recipients.RECIPIENTS_DIFFER, "policy", "", note, score=0.0),)
    ordered = tuple(sorted(scored, key=lambda f: (-(f.score or 0.0), f.code, f.path)))
    return Verdict(
        id=id,
        verdict=verdict,
        action=action,
        score=round(total, 2),
        crypto_theme=round(theme, 2),
        findings=ordered,
        attachments=attachments,
        message_id=message_id,
        sender=sender,
        rcpt=rcpts,
        subject=subject,
        elapsed_ms=elapsed_ms,
        errors=errors,
        reason=reason,
        dry_run=cfg.dry_run,
        basis=basis,
    )


def unchecked_reason(codes: Iterable[str]) -> str:
    """``Verdict.reason`` of an unchecked verdict: ``timeout`` when the time budget ran out, else ``incomplete``.

    (Never ``limit``: that reason means the whole message was over ``scan.max_message_bytes``.)
    """
    return "timeout" if "scan.timeout" in codes else "incomplete"


def _incomplete(code: str, catalogue: Mapping[str, CodeInfo]) -> bool:
    """Whether ``code`` says part of the message was not read (its catalogue flag; by name when unknown)."""
    info = lookup(code, catalogue)
    return bool(info.incomplete) if info is not None else incomplete_by_name(code)
