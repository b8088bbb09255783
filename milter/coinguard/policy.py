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
4. The total maps to a verdict through ``suspicious_score`` / ``malicious_score`` and the
   verdict to an action through ``action_<verdict>``.
5. Bypass lists (recipients, senders) cap the action at ``tag``: scanned, labelled, delivered.
6. Allowlist hits (``allow.*``, :mod:`coinguard.allowlist`) zero the findings of trusted items or
   cap the action at ``tag``; per-recipient tables (:mod:`coinguard.recipients`) set thresholds and
   actions per recipient, and the strictest recipient's outcome applies to the message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from coinguard import allowlist, recipients
from coinguard.config import Config, PolicyConfig
from coinguard.findings import AttachmentInfo, Category, CodeInfo, Finding, Verdict
from coinguard.recipients import action_for, verdict_for

__all__ = ["action_for", "decide", "lookup", "score_finding", "verdict_for"]

DEFAULT_UNKNOWN_SCORE = 1.0
RISK_CATEGORIES = frozenset({Category.ATTACHMENT, Category.CONTAINER})
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
    scored, trusted_sender = allowlist.effect([replace(f, score=score_finding(f, catalogue, cfg)) for f in findings])
    best: dict[str, tuple[float, Category]] = {}
    for f in scored:
        info = lookup(f.code, catalogue)
        category = info.category if info is not None else Category.ATTACHMENT
        value = float(f.score or 0.0)
        if f.code not in best or value > best[f.code][0]:
            best[f.code] = (value, category)
    risk = sum(v for v, c in best.values() if c in RISK_CATEGORIES)
    theme = sum(v for v, c in best.values() if c in THEME_CATEGORIES)
    other = sum(v for v, c in best.values() if c not in RISK_CATEGORIES | THEME_CATEGORIES)
    total = risk + theme + other
    if theme >= cfg.theme_min and risk >= cfg.risk_min:
        total = (risk + theme) * cfg.theme_weight + other
    chosen, note = recipients.resolve(total, cfg, rcpts, cap=trusted_sender or bool(
        sender and recipients.matches(sender, cfg.bypass_senders)))
    verdict, action = chosen.verdict, chosen.action
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
        dry_run=cfg.dry_run,
    )
