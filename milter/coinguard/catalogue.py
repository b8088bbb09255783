"""The finding-code catalogue: every code any part of coinguard can emit.

Each handler declares its codes next to the code that emits them (``codes``);
this module collects them, refuses duplicates, and renders the README table
(``coinguard findings --markdown``).
"""

from __future__ import annotations

from functools import cache
from types import MappingProxyType
from typing import TYPE_CHECKING

from coinguard import limits, mime, recipients
from coinguard.analyzers import ITEM_ANALYZERS, MESSAGE_ANALYZERS
from coinguard.findings import Category, CodeInfo, default_strength
from coinguard.handlers import Registered
from coinguard.report import settings as report_settings
from coinguard.unpack import UNPACKERS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from coinguard.config import Config


#: The codes the scan loop itself emits (coinguard.scan); declared here so that this module, which
#: scan_message reads, never imports the scan loop back.
ANALYZER_ERROR = "scan.analyzer_error"
UNCHECKED = "scan.unchecked"
TEXT_SAMPLED = "text.sampled"
SCAN_CODES: tuple[CodeInfo, ...] = (
    CodeInfo(ANALYZER_ERROR, 1.0, Category.INTERNAL,
             "An analyzer failed on this item (a bug or an input it did not expect); others still ran "
             "(verdict unchecked)."),
    CodeInfo(TEXT_SAMPLED, 0.0, Category.INTERNAL,
             "informational: a text or HTML part is longer than the text analyzers read (lures, brands, "
             "addresses, seed phrases look at its beginning); YARA and the unpackers still read all of it.",
             incomplete=False),
    CodeInfo(UNCHECKED, 0.0, Category.INTERNAL,
             "The message was not scanned (timeout, limit or error) and fail_mode=accept let it through.",
             incomplete=True),
)


@cache
def catalogue() -> Mapping[str, CodeInfo]:
    sources: list[tuple[str, tuple[CodeInfo, ...]]] = [("mime", mime.CODES), ("limits", limits.CODES),
                                                       ("scan", SCAN_CODES), ("report", report_settings.CODES),
                                                       ("policy", recipients.CODES)]
    registered: tuple[Registered, ...] = (*UNPACKERS, *ITEM_ANALYZERS, *MESSAGE_ANALYZERS)
    for handler in registered:
        sources.append((handler.name, tuple(handler.codes)))
    out: dict[str, CodeInfo] = {}
    owner: dict[str, str] = {}
    for name, codes in sources:
        for info in codes:
            if info.code in out and out[info.code] != info:
                raise RuntimeError(f"finding code {info.code!r} declared differently by {owner[info.code]} and {name}")
            out[info.code] = info
            owner[info.code] = name
    return MappingProxyType(dict(sorted(out.items())))


def render(markdown: bool = False, config: Config | None = None) -> str:
    overrides = config.policy.scores if config is not None else {}
    malicious = config.policy.malicious_score if config is not None else 15.0
    rows = []
    for code, info in catalogue().items():
        score = overrides.get(code, info.score)
        strength = str(info.strength or default_strength(score, info.category, malicious)) if score > 0 else "-"
        if score > 0 and info.strict is not None and info.strict != strength:
            strength += f" (strict: {info.strict})"
        rows.append((code, score, strength, str(info.category), info.description))
    if markdown:
        lines = ["| code | default score | strength | category | what triggers it |", "|---|---|---|---|---|"]
        lines += [f"| `{c}` | {s:g} | {st} | {cat} | {d.replace('|', '/')} |" for c, s, st, cat, d in rows]
        return "\n".join(lines)
    width = max((len(r[0]) for r in rows), default=10)
    return "\n".join(f"{c:<{width}}  {s:>5g}  {st:<10}  {cat:<10}  {d}" for c, s, st, cat, d in rows)
