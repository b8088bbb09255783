"""Per-recipient policy: thresholds and actions per recipient address or domain, strictest wins.

``[policy.recipients."KEY"]`` tables override ``suspicious_score``, ``malicious_score`` and the
``action_*`` keys of ``[policy]`` (``action_clean``, ``action_suspicious``, ``action_malicious``,
``action_unchecked``), or set ``bypass = true``, for mail to KEY.  KEY is a full
address (``ceo@example.org``) or a domain (``example.org``, which also covers its subdomains); the
most specific entry applies: the address, then the domain, then its parent domains (entries do not
stack: what the chosen entry leaves unset comes from ``[policy]``).

One message has one outcome for all its recipients.  libmilter can only remove recipients
(``delrcpt``) and change the one copy of the message: it cannot deliver a modified copy to one
recipient and the original to another, nor reject for some recipients after DATA.  Splitting would
need re-injecting copies behind Postfix's back (new queue IDs, a second scan path, DSN and
bounce semantics of its own), so instead the **strictest** recipient's outcome applies to all,
in the order accept < tag < strip < tempfail < quarantine < reject (:data:`STRICTNESS`, the order
that also combines one recipient's score action with its ``action_unchecked``), and when the
recipients' outcomes differ the verdict carries a ``policy.recipients`` finding naming each
recipient's outcome (the daemon logs it as ``recipients=``).  A recipient bypass (``[policy] bypass_recipients`` or
``bypass = true``) therefore only takes effect when *every* recipient is bypassed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from coinguard.config import PolicyConfig, RecipientPolicy
from coinguard.findings import Action, Category, CodeInfo, VerdictKind

RECIPIENTS_DIFFER = "policy.recipients"
CODES: tuple[CodeInfo, ...] = (
    CodeInfo(RECIPIENTS_DIFFER, 0.0, Category.MESSAGE,
             "informational: the recipients' policies asked for different actions; the strictest applied to all"),
)
#: Actions from the mildest to the strictest (tempfail only delays; quarantine and reject are final,
#: and quarantine keeps the message for an admin): combines the score's action with
#: ``action_unchecked`` for one recipient, and the recipients' outcomes (the strictest applies to all).
STRICTNESS = (Action.ACCEPT, Action.TAG, Action.STRIP, Action.TEMPFAIL, Action.QUARANTINE, Action.REJECT)
RANK = {action: n for n, action in enumerate(STRICTNESS)}
SEVERITY = {VerdictKind.CLEAN: 0, VerdictKind.SUSPICIOUS: 1, VerdictKind.UNCHECKED: 1, VerdictKind.MALICIOUS: 2}
#: Actions a bypass (recipient or sender) turns into "tag".
CAPPED = (Action.STRIP, Action.QUARANTINE, Action.REJECT)


@dataclass(frozen=True, slots=True)
class Outcome:
    rcpt: str
    rule: str  # "policy" or 'policy.recipients."KEY"'
    verdict: VerdictKind
    action: Action
    bypassed: bool = False
    basis: str = ""  # why this verdict (policy.by_strength's explanation)

    def describe(self) -> str:
        extra = ", bypass" if self.bypassed else ""
        return f"{self.rcpt or '-'}: {self.action} ({self.verdict}; {self.rule}{extra})"


def matches(address: str, patterns: Iterable[str]) -> bool:
    """``address`` is one of ``patterns`` (full addresses, or ``@domain`` for a whole domain)."""
    address = address.strip("<>").lower()
    for pattern in patterns:
        pattern = pattern.lower()
        if pattern.startswith("@"):
            if address.endswith(pattern):
                return True
        elif address == pattern:
            return True
    return False


def override_for(rcpt: str, table: dict[str, RecipientPolicy]) -> tuple[str, RecipientPolicy | None]:
    """The most specific ``[policy.recipients]`` entry for ``rcpt``: address, domain, parent domains."""
    if not table:
        return "", None
    lowered = {k.lower().lstrip("@").rstrip("."): (k, v) for k, v in table.items()}
    address = rcpt.strip("<>").lower()
    if address in lowered:
        return lowered[address]
    domain = address.rpartition("@")[2]
    labels = domain.split(".")
    for i in range(len(labels)):
        hit = lowered.get(".".join(labels[i:]))
        if hit is not None and "@" not in hit[0]:
            return hit
    return "", None


def effective(cfg: PolicyConfig, over: RecipientPolicy | None) -> PolicyConfig:
    """``cfg`` with the override's set keys in place."""
    if over is None:
        return cfg
    changes = {f.name: getattr(over, f.name) for f in dataclasses.fields(over)
               if f.name != "bypass" and getattr(over, f.name) is not None}
    return dataclasses.replace(cfg, **changes) if changes else cfg


def verdict_for(score: float, cfg: PolicyConfig) -> VerdictKind:
    if score >= cfg.malicious_score:
        return VerdictKind.MALICIOUS
    if score >= cfg.suspicious_score:
        return VerdictKind.SUSPICIOUS
    return VerdictKind.CLEAN


def action_for(verdict: VerdictKind, cfg: PolicyConfig) -> Action:
    name = {
        VerdictKind.CLEAN: cfg.action_clean,
        VerdictKind.SUSPICIOUS: cfg.action_suspicious,
        VerdictKind.MALICIOUS: cfg.action_malicious,
        VerdictKind.UNCHECKED: cfg.action_unchecked,
    }.get(verdict, "tag")
    return Action(name)


def stricter(a: Action, b: Action) -> Action:
    return a if RANK[a] >= RANK[b] else b


#: The policy's verdict rules on top of the score (policy.by_strength): (score verdict, the
#: recipient's policy) -> (verdict, basis).
Judge = Callable[[VerdictKind, PolicyConfig], tuple[VerdictKind, str]]


def _by_score(verdict: VerdictKind, cfg: PolicyConfig) -> tuple[VerdictKind, str]:
    return verdict, "score" if verdict is not VerdictKind.CLEAN else ""


def outcome(score: float, cfg: PolicyConfig, rcpt: str, *, judge: Judge = _by_score, unread: bool = False,
            cap: bool = False) -> Outcome:
    """What ``rcpt``'s policy makes of ``score`` (``judge``: the verdict rules on top of the score;
    ``unread``: part of the message was not read; ``cap``: a sender-side bypass or trusted sender)."""
    key, over = override_for(rcpt, cfg.recipients) if rcpt else ("", None)
    mine = effective(cfg, over)
    verdict, basis = judge(verdict_for(score, mine), mine)
    action = action_for(verdict, mine)
    if unread and verdict is not VerdictKind.MALICIOUS:  # never clean what was not read
        verdict, basis = VerdictKind.UNCHECKED, f"not fully read ({basis})" if basis else "not fully read"
        action = stricter(action, action_for(VerdictKind.UNCHECKED, mine))
    bypassed = bool(rcpt) and ((over is not None and over.bypass) or matches(rcpt, cfg.bypass_recipients))
    if action in CAPPED and (bypassed or cap):
        action = Action.TAG
    return Outcome(rcpt, f'policy.recipients."{key}"' if key else "policy", verdict, action, bypassed, basis)


def resolve(score: float, cfg: PolicyConfig, rcpts: Sequence[str], *, judge: Judge = _by_score,
            unread: bool = False, cap: bool = False) -> tuple[Outcome, str]:
    """The outcome that applies to the whole message (the strictest), and a note when recipients differ."""
    outcomes = ([outcome(score, cfg, r, judge=judge, unread=unread, cap=cap) for r in dict.fromkeys(rcpts)]
                or [outcome(score, cfg, "", judge=judge, unread=unread, cap=cap)])
    strictest = max(outcomes, key=lambda o: (RANK[o.action], SEVERITY.get(o.verdict, 0)))
    if len({o.action for o in outcomes}) == 1:
        return strictest, ""
    others = "; ".join(o.describe() for o in outcomes if o is not strictest)
    return strictest, f"{strictest.action} for all: strictest is {strictest.describe()}; others: {others}"
