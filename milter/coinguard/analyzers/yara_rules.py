"""YARA over every Item: raw attachments and everything extracted from them.

The scan loop sends every Item through this analyzer: MIME parts, archive
members, decoded macro source, inflated HWP/OLE streams, decrypted documents and
extracted document text.  So a rule sees what the attacker hid, not only the
bytes on the wire.

Each match is one finding ``yara.<rule name>`` whose score is the rule's
``score`` meta (our rules, see ``docs/rules.md``).  Third-party sets under
``rules/thirdparty/<set>/`` rarely carry a score, and signature-base's
``score`` is THOR's 0-100 scale, so they are scored by :func:`match_score`.

Identical bytes are scanned once per message: the matches of a sha256 (with
the same externals) are remembered for the message's lifetime and reported
again for every further path that carries those bytes (cheap, and each path
stays explainable).  The memo lives in the message's ``AnalysisContext.memo``,
so it disappears with the message and the handler itself keeps no state.

A compiled set from :mod:`coinguard.rules` is scoped (:mod:`coinguard.yara_scope`):
each Item is matched only against the set of its class (executables, OLE, XML,
macro source, RTF, other), chosen from its sniffed ``type``, ``role`` and ``source``.
A plain ``yara.Rules`` (tests, an admin's own compile) runs whole on every Item.
"""

from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar

import yara

from coinguard.findings import Category, CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext

log = logging.getLogger(__name__)

#: Score of a match of one of our rules (or an admin's) that has no numeric ``score`` meta.
DEFAULT_SCORE = 5.0

#: Default score per third-party set, first matching namespace prefix wins (docs/rules.md).
THIRDPARTY_SCORES: tuple[tuple[str, float], ...] = (
    ("thirdparty/yara-rules/maldocs/Maldoc_PDF", 3.0),  # weighted PDF heuristics, weak alone
    ("thirdparty/yara-rules/", 8.0),  # maldocs: exploit and macro structure
    ("thirdparty/signature-base/", 10.0),  # no score meta: THOR's default is an alert
    ("thirdparty/inquest/", 8.0),
    ("thirdparty/reversinglabs/", 15.0),  # named malware families
    ("thirdparty/", 6.0),  # any other vendored set
)

#: Third-party rules that only say a feature is present (other analyzers report it already):
#: informational, whatever their set or meta says.
THIRDPARTY_RULE_SCORES: Mapping[str, float] = MappingProxyType(
    {
        "Contains_VBA_macro_code": 1.0,  # yara-rules: any VBA project
        "office_document_vba": 1.0,  # yara-rules: any VBA project
        "Contains_UserForm_Object": 1.0,  # yara-rules: any VBA UserForm
        "IQY_File": 3.0,  # inquest: any .iqy (filetype analyzer scores it too)
    }
)

#: THOR/LOKI ``score`` meta (0-100; 40 notable, 60 suspicious, 75+ alert) -> our scale.
THOR_DIVISOR = 5.0
THOR_MIN, THOR_MAX = 2.0, 15.0

#: How many matched string identifiers go into a finding's detail.
DETAIL_STRINGS = 4

_DIR_PREFIX = re.compile(r"^\d+:")  # rules.find_rule_files marks a second directory's duplicate names


@dataclass(frozen=True, slots=True)
class Hit:
    """What one scan of some bytes found, independent of the Item (path) it was found in."""

    code: str
    detail: str
    score: float | None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def is_thirdparty(namespace: str) -> bool:
    return _DIR_PREFIX.sub("", namespace).startswith("thirdparty/")


def match_score(namespace: str, rule: str, meta: Mapping[str, Any]) -> float:
    """The score of a match: our ``score`` meta, or the third-party rule's scaled score, or a default."""
    ns = _DIR_PREFIX.sub("", namespace)
    meta_score = _number(meta.get("score"))
    if not ns.startswith("thirdparty/"):
        return meta_score if meta_score is not None else DEFAULT_SCORE
    if rule in THIRDPARTY_RULE_SCORES:
        return THIRDPARTY_RULE_SCORES[rule]
    if meta_score is not None:
        return min(THOR_MAX, max(THOR_MIN, meta_score / THOR_DIVISOR))
    return next(score for prefix, score in THIRDPARTY_SCORES if ns.startswith(prefix))


def externals_for(item: Item) -> dict[str, str]:
    """The external variables a rule sees for this Item (THOR/LOKI names)."""
    ext = posixpath.splitext(item.name)[1].lower()
    return {
        "filename": item.name,
        "extension": ext,
        "filepath": item.path,
        "filetype": item.type,
        "owner": "",
        "role": item.role,
    }


def _detail(match: Any) -> str:
    """Description and the first matched string ids; third-party rules keep their author
    (the Detection Rule License asks that messages based on matches name the rule's author)."""
    meta = match.meta
    desc = str(meta.get("description") or meta.get("Description") or "").strip()
    ids: list[str] = []
    for s in match.strings:
        if s.identifier not in ids:
            ids.append(s.identifier)
        if len(ids) >= DETAIL_STRINGS:
            break
    parts = [desc or match.rule]
    if ids:
        parts.append("(" + ", ".join(ids) + ")")
    author = str(meta.get("author") or meta.get("Author") or "").strip()
    if author and is_thirdparty(match.namespace):
        parts.append(f"[rule by {author}]")
    return " ".join(parts)


def _quiet_warning(kind: int, data: Any) -> int:
    """yara's "too many matches" warning (a string hit more than a million times, common in
    padding): scanning goes on; logged at debug level instead of a Python RuntimeWarning."""
    log.debug("yara warning %s: %s", kind, data)
    return yara.CALLBACK_CONTINUE


class YaraRules:
    """Run the compiled rule set (``ctx.rules``) over one Item."""

    name: ClassVar[str] = "yara"
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo(
            "yara.match",
            DEFAULT_SCORE,
            Category.ATTACHMENT,
            "A YARA rule matched an attachment or content extracted from it (macro source, inflated "
            "stream, decrypted document, document text). The finding code is `yara.<rule name>` and its "
            "score the rule's `score` meta; third-party rules score per set (docs/rules.md).",
        ),
        CodeInfo(
            "yara.timeout",
            1.0,
            Category.INTERNAL,
            "YARA matching of one item ran past the per-item time limit ([scan] yara_timeout_s); "
            "rules that did not finish are unknown.",
        ),
        CodeInfo("yara.error", 1.0, Category.INTERNAL, "YARA could not scan an item (the error is in the detail)."),
        # Our lure rules (rules/coinguard_lures.yar, meta category = "theme") are THEME evidence,
        # not attachment evidence; tests/analyzers/test_yara_rules.py keeps this list in sync.
        *(
            CodeInfo(f"yara.{rule}", score, Category.THEME, f"YARA lure rule {rule} ({what}) in a document")
            for rule, score, what in (
                ("coinguard_lure_crypto_en", 2.0, "English crypto lure wording"),
                ("coinguard_lure_crypto_ko", 2.0, "Korean crypto lure wording"),
                ("coinguard_harvest_seed_phrase", 4.0, "asks for a wallet recovery phrase or private key"),
            )
        ),
    )

    def applies_to(self, item: Item) -> bool:
        return bool(item.data)

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        if ctx.rules is None:
            return
        ctx.budget.check_time()
        externals = externals_for(item)
        key = (item.sha256, externals["filename"], externals["filetype"], externals["role"], item.source)
        memo: dict[tuple[str, ...], tuple[Hit, ...]] = ctx.memo.setdefault(self.name, {})
        hits = memo.get(key)
        if hits is None:
            hits = memo[key] = self._scan(item, externals, ctx)
        for hit in hits:
            yield Finding(hit.code, self.name, item.path, hit.detail, score=hit.score)

    def _scan(self, item: Item, externals: dict[str, str], ctx: AnalysisContext) -> tuple[Hit, ...]:
        rules = ctx.rules
        select = getattr(rules, "for_item", None)  # yara_scope.ScopedRules: only this item's class
        try:
            if select is not None:  # loads the class's set at its first item (a damaged one: yara.Error)
                rules = select(item.type, item.role, item.source)
            matches = rules.match(
                data=item.data,
                externals=externals,
                # yara's fast mode keeps one match of a string whose rules only ask whether it is there
                # (strings counted, located or in an "of" set keep all): the same rules match, and a
                # string seen a million times in a big body costs ~64 bytes once instead of a million times
                fast=True,
                timeout=ctx.budget.yara_timeout(),
                warnings_callback=_quiet_warning,
            )
        except yara.TimeoutError:
            return (Hit("yara.timeout", f"{item.size} bytes of {item.type}", None),)
        except yara.Error as exc:
            log.warning("yara error on %s: %s", item.path, exc)
            return (Hit("yara.error", str(exc), None),)
        best: dict[str, Hit] = {}  # one finding per code: the same rule name in two sets counts once
        for m in matches:
            hit = Hit(f"yara.{m.rule}", _detail(m), match_score(m.namespace, m.rule, m.meta))
            if hit.code not in best or (hit.score or 0) > (best[hit.code].score or 0):
                best[hit.code] = hit
        return tuple(best.values())
