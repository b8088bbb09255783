"""Crypto lure language in the subject, body, attachment names and extracted document text.

The phrase list is ``config/lures.txt`` (format documented in its header; admins edit it)
plus ``[crypto] extra_lures``.  Text is normalised before matching (:func:`normalize`):
NFKC, case-folded, invisible characters removed, look-alike letters folded to ASCII
(Unicode confusables data from ``confusable-homoglyphs``), whitespace collapsed.  Leetspeak
is matched on a second, folded copy (``w4ll3t`` -> ``wallet``).

Scoring: per place, the weights of the DISTINCT phrases found are summed; a finding needs at
least one topic/secret phrase and the place's threshold, so one everyday word (``코인``,
``deposit``, ``wallet``) never tags a mail.  The finding's score grows with the sum, capped.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import ClassVar

from coinguard.analyzers.base import AnalysisContext, MessageInfo
from coinguard.findings import Category, CodeInfo, Finding, Item

log = logging.getLogger(__name__)

NAME = "crypto_theme"
#: Most characters of one text that are matched (bounded work per item).
MAX_TEXT = 1024 * 1024

CATEGORIES = frozenset({"topic", "secret", "action", "urgency", "reward", "extortion"})
TOPIC_CATEGORIES = frozenset({"topic", "secret"})

# ---------------------------------------------------------------------------- normalisation

#: Format/invisible characters used to split words past filters (zero-width, soft hyphen, bidi controls).
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")
_SPACE = re.compile(r"\s+")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
#: Unicode blocks whose letters are folded to ASCII look-alikes (Latin ext., IPA, Greek, Cyrillic, Armenian,
#: Latin Extended Additional, letterlike symbols).  Hangul and CJK are never touched.
_FOLD_RANGES = ((0x00C0, 0x058F), (0x1D00, 0x1FFF), (0x2100, 0x214F), (0xA640, 0xA69F), (0xA720, 0xA7FF))


@cache
def _confusable_map() -> dict[str, str]:
    """Non-ASCII letter -> ASCII look-alike, from the Unicode confusables data shipped with confusable-homoglyphs."""
    out: dict[str, str] = {}
    try:
        from confusable_homoglyphs import confusables
    except ImportError:  # pragma: no cover - declared dependency
        log.warning("confusable-homoglyphs not installed: no homoglyph folding")
        return out
    for char, entries in confusables.confusables_data.items():
        if len(char) != 1 or not any(lo <= ord(char) <= hi for lo, hi in _FOLD_RANGES):
            continue
        for entry in entries:
            target = entry.get("c", "")
            if len(target) == 1 and target.isascii() and target.isalnum():
                out[char] = target.lower()
                break
    return out


def _fold_char(ch: str, table: dict[str, str]) -> str:
    if ch.isascii():
        return ch
    mapped = table.get(ch)
    if mapped is not None:
        return mapped
    code = ord(ch)
    if 0x00C0 <= code < 0x0250 or 0x1E00 <= code < 0x1F00:  # Latin letters with diacritics: keep the base
        base = unicodedata.normalize("NFKD", ch)[:1]
        if base.isascii():
            return base
    return ch


def normalize(text: str) -> str:
    """Text as matched: NFKC, invisible characters removed, case-folded, look-alikes folded, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text).casefold()
    if not text.isascii():
        table = _confusable_map()
        text = "".join(_fold_char(ch, table) for ch in text)
    return _SPACE.sub(" ", text).strip()


# ---------------------------------------------------------------------------- the lure list


@dataclass(frozen=True, slots=True)
class Lure:
    phrase: str
    category: str
    weight: float


@dataclass(frozen=True, slots=True)
class LureList:
    lures: tuple[Lure, ...]
    matcher: PhraseMatcher


#: Actions this heavy are crypto-specific ("connect your wallet") and also make a text crypto-themed.
TOPIC_ACTION_WEIGHT = 2.0


def is_topic(lure: Lure) -> bool:
    return lure.category in TOPIC_CATEGORIES or (lure.category == "action" and lure.weight >= TOPIC_ACTION_WEIGHT)


#: All topic phrases together count at most this much (subject matter alone is not a lure).
TOPIC_CAP = 3.0


@dataclass(frozen=True, slots=True)
class LureMatch:
    weight: float  # effective weight: topic phrases capped at TOPIC_CAP, plus everything else
    topic: bool
    terms: tuple[Lure, ...]

    def describe(self, limit: int = 8) -> str:
        shown = sorted(self.terms, key=lambda t: -t.weight)[:limit]
        more = f" +{len(self.terms) - limit}" if len(self.terms) > limit else ""
        return ", ".join(t.phrase for t in shown) + more + f" (weight {self.weight:g})"


class LureFormatError(ValueError):
    """A line of the lure list is malformed."""


_TOKEN = re.compile(r"[0-9a-z]+")
_MIXED = re.compile(r"[a-z][0-9]|[0-9][a-z]")  # leetspeak candidates (w4llet); only then a folded pass
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_HANGUL_GAP = re.compile("(?<=[\u3130-\u318f\uac00-\ud7af]) (?=[\u3130-\u318f\uac00-\ud7af])")


class PhraseMatcher:
    """Finds list phrases in normalised text, fast (token index instead of one huge regex).

    Latin-script phrases match whole tokens (``wallet`` never inside ``wallets2go``) and also
    written together or hyphenated (``seed phrase`` = ``seed-phrase`` = ``seedphrase``); at each
    position the longest phrase wins and its tokens are consumed.  Hangul phrases match as
    substrings with the spaces between Hangul syllables ignored (Korean attaches particles).
    ``re:`` phrases are regular expressions searched on the normalised text.
    """

    def __init__(self, phrases: Sequence[str]) -> None:
        self.first: dict[str, list[tuple[tuple[str, ...], int]]] = {}
        self.hangul: list[tuple[str, int]] = []
        self.regexes: list[tuple[re.Pattern[str], int]] = []
        for idx, phrase in enumerate(phrases):
            if phrase.startswith("re:"):
                self.regexes.append((re.compile(phrase[3:]), idx))
                continue
            norm = normalize(phrase)
            if _HANGUL.search(norm):
                self.hangul.append((norm.replace(" ", ""), idx))
                continue
            tokens = tuple(_TOKEN.findall(norm))
            if tokens:
                self._add(tokens, idx)
                if len(tokens) > 1:
                    self._add(("".join(tokens),), idx)
        for seqs in self.first.values():
            seqs.sort(key=lambda s: -len(s[0]))
        self.hangul.sort(key=lambda h: -len(h[0]))

    def _add(self, tokens: tuple[str, ...], idx: int) -> None:
        self.first.setdefault(tokens[0], []).append((tokens, idx))

    def _scan_tokens(self, tokens: list[str], found: dict[int, str]) -> None:
        j, n = 0, len(tokens)
        while j < n:
            step = 1
            for seq, idx in self.first.get(tokens[j], ()):
                k = len(seq)
                if tokens[j:j + k] == list(seq):
                    found.setdefault(idx, " ".join(seq))
                    step = k
                    break
            j += step

    def find(self, norm: str) -> dict[int, str]:
        """Phrase index -> the text that matched, for every phrase in normalised ``norm``."""
        found: dict[int, str] = {}
        if self.first:
            tokens = _TOKEN.findall(norm)
            self._scan_tokens(tokens, found)
            if _MIXED.search(norm):
                folded = [t.translate(_LEET) if not t.isalpha() and not t.isdigit() else t for t in tokens]
                self._scan_tokens(folded, found)
        if self.hangul and _HANGUL.search(norm):
            compact = _HANGUL_GAP.sub("", norm)
            for phrase, idx in self.hangul:
                if phrase in compact:
                    found.setdefault(idx, phrase)
                    compact = compact.replace(phrase, "|")
        for rx, idx in self.regexes:
            m = rx.search(norm)
            if m:
                found.setdefault(idx, m.group(0))
        return found


def parse_lures(lines: Iterable[str], source: str = "<lures>") -> tuple[Lure, ...]:
    out: list[Lure] = []
    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 2)
        if len(parts) != 3:
            raise LureFormatError(f"{source}:{lineno}: expected 'WEIGHT CATEGORY PHRASE', got {line!r}")
        weight_s, category, phrase = parts
        try:
            weight = float(weight_s)
        except ValueError:
            raise LureFormatError(f"{source}:{lineno}: weight {weight_s!r} is not a number") from None
        if not 0 < weight <= 10:
            raise LureFormatError(f"{source}:{lineno}: weight {weight:g} outside 0..10")
        if category not in CATEGORIES:
            raise LureFormatError(f"{source}:{lineno}: unknown category {category!r} ({', '.join(sorted(CATEGORIES))})")
        if phrase.startswith("re:"):
            try:
                re.compile(phrase[3:])
            except re.error as exc:
                raise LureFormatError(f"{source}:{lineno}: bad regular expression: {exc}") from None
        elif not normalize(phrase):
            raise LureFormatError(f"{source}:{lineno}: empty phrase")
        out.append(Lure(phrase, category, weight))
    return tuple(out)


def build_lures(lures: Sequence[Lure]) -> LureList:
    # dedupe by phrase (a later line wins: admin extras override the defaults)
    unique: dict[str, Lure] = {}
    for lure in lures:
        unique[normalize(lure.phrase) if not lure.phrase.startswith("re:") else lure.phrase] = lure
    ordered = tuple(unique.values())
    return LureList(ordered, PhraseMatcher([lure.phrase for lure in ordered]))


_CACHE: dict[tuple[str, float, tuple[str, ...]], LureList] = {}
_CACHE_LOCK = threading.Lock()


def load_lures(path: str, extra: tuple[str, ...] = ()) -> LureList:
    """The lure list from ``path`` plus ``extra`` lines, cached by path, mtime and extras.

    A missing or broken file is logged and leaves only the extras (scanning must go on).
    """
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = -1.0
    key = (path, mtime, extra)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    lures: list[Lure] = []
    try:
        with open(path, encoding="utf-8") as fh:
            lures.extend(parse_lures(fh, path))
    except (OSError, UnicodeDecodeError, LureFormatError) as exc:
        log.error("lure list %s not loaded: %s", path, exc)
    try:
        lures.extend(parse_lures(extra, "[crypto] extra_lures"))
    except LureFormatError as exc:
        log.error("extra lures not loaded: %s", exc)
    built = build_lures(lures)
    with _CACHE_LOCK:
        _CACHE[key] = built
    return built


def lures_for(ctx: AnalysisContext) -> LureList:
    cfg = ctx.config.crypto
    return load_lures(cfg.lures_file, tuple(cfg.extra_lures))


def match_lures(text: str, lures: LureList) -> LureMatch:
    """Distinct lure phrases in ``text`` (normalised here), with their effective weight (memoised)."""
    return _match_lures(text[:MAX_TEXT], lures)


@lru_cache(maxsize=32)
def _match_lures(text: str, lures: LureList) -> LureMatch:
    if not lures.lures or not text:
        return LureMatch(0.0, False, ())
    found: dict[int, Lure] = {}
    for idx, matched in lures.matcher.find(normalize(text)).items():
        lure = lures.lures[idx]
        found[idx] = Lure(matched, lure.category, lure.weight) if lure.phrase.startswith("re:") else lure
    terms = tuple(found[i] for i in sorted(found))
    topic = min(TOPIC_CAP, sum(t.weight for t in terms if t.category == "topic"))
    weight = round(topic + sum(t.weight for t in terms if t.category != "topic"), 2)
    return LureMatch(weight, any(is_topic(t) for t in terms), terms)


# ---------------------------------------------------------------------------- scoring per place


@dataclass(frozen=True, slots=True)
class Place:
    code: str
    threshold: float  # summed weight needed
    base: float  # score at the threshold
    per_weight: float  # added per weight unit above it
    cap: float


SUBJECT = Place("crypto.lure.subject", 2.0, 2.5, 0.5, 3.0)
BODY = Place("crypto.lure.body", 3.5, 2.5, 0.5, 5.0)
ATTACHMENT_NAME = Place("crypto.lure.attachment_name", 2.0, 2.0, 0.5, 3.0)
DOCUMENT = Place("crypto.lure.document", 3.5, 2.5, 0.5, 5.0)
#: Lure findings in mail from a brand's own domain with an aligned, passing DKIM signature (a genuine
#: exchange newsletter talks about wallets and withdrawals) are kept as information at this score.
VERIFIED_BRAND_CAP = 1.0


def verified_brand_sender(msg: MessageInfo, findings: Sequence[Finding], ctx: AnalysisContext) -> bool:
    """From is a brand's own domain and DKIM passed aligned with it (dkim_auth runs first)."""
    if not any(f.code == "dkim.aligned" for f in findings):
        return False
    from coinguard.analyzers.brands import brands_for

    return brands_for(ctx).owner(msg.from_domain) is not None


def place_score(match: LureMatch, place: Place, topic: bool = False) -> float | None:
    """The finding score for ``match`` at ``place``, or None when it is not a lure there.

    ``topic`` says the crypto topic was already established elsewhere (the body of a mail whose
    Subject is about bitcoin need not repeat the word).
    """
    if not (match.topic or topic) or match.weight < place.threshold:
        return None
    return round(min(place.cap, place.base + (match.weight - place.threshold) * place.per_weight), 2)


def _finding(match: LureMatch, place: Place, path: str = "", cap: float | None = None,
             topic: bool = False) -> Finding | None:
    score = place_score(match, place, topic)
    if score is None:
        return None
    if cap is not None and score > cap:
        return Finding(place.code, NAME, path, match.describe() + " [verified brand sender]", score=cap)
    return Finding(place.code, NAME, path, match.describe(), score=score)


def _name_text(name: str) -> str:
    """Attachment names: separators become spaces so ``wallet_recovery-phrase.pdf`` reads as words."""
    return re.sub(r"[_.+()\[\]]+", " ", name)


def decode_item(item: Item, limit: int = MAX_TEXT) -> str:
    """The first ``limit`` bytes of an item as text (its declared charset, else UTF-8), never raising."""
    charset = str(item.meta.get("charset") or "utf-8")
    try:
        return item.data[:limit].decode(charset, "replace")
    except LookupError:
        return item.data[:limit].decode("utf-8", "replace")


def item_text(item: Item) -> str:
    """The text of a text/HTML item (HTML rendered to text), bounded."""
    text = decode_item(item)
    if item.type in ("html", "svg"):
        from coinguard.mime import html_to_text

        text = html_to_text(text)[0]
    return text


class CryptoThemeMessage:
    """Lure language in the subject, the body text and the attachment names."""

    name: ClassVar[str] = NAME
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo(SUBJECT.code, SUBJECT.cap, Category.THEME,
                 "crypto lure phrases in the Subject or From display name (score grows with their weights)"),
        CodeInfo(BODY.code, BODY.cap, Category.THEME,
                 "crypto lure phrases in the body text (score grows with the phrases' weights, lures.txt)"),
        CodeInfo(ATTACHMENT_NAME.code, ATTACHMENT_NAME.cap, Category.THEME,
                 "crypto lure phrases in attachment file names"),
    )

    def analyze_message(
        self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding], ctx: AnalysisContext
    ) -> Iterator[Finding]:
        lures = lures_for(ctx)
        cap = VERIFIED_BRAND_CAP if verified_brand_sender(msg, findings, ctx) else None
        subject = match_lures(f"{msg.subject}\n{msg.from_display}", lures)
        for match, place in ((subject, SUBJECT), (match_lures(msg.body_text, lures), BODY)):
            f = _finding(match, place, cap=cap, topic=subject.topic)
            if f is not None:
                yield f
        names = " ; ".join(_name_text(n) for n in msg.attachment_names[:200])
        f = _finding(match_lures(names, lures), ATTACHMENT_NAME, cap=cap)
        if f is not None:
            yield f


def is_document_text(item: Item) -> bool:
    """Text the message analyzers do not already read: extracted document text, text/HTML attachments."""
    return item.role == "text" or (item.type in ("text", "html") and item.role not in ("body", "inline"))


class CryptoThemeDocument:
    """Lure language inside documents (text extracted by the document analyzers, text attachments)."""

    name: ClassVar[str] = "crypto_theme_document"
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo(DOCUMENT.code, DOCUMENT.cap, Category.THEME,
                 "crypto lure phrases in the text of an attached document"),
    )

    def applies_to(self, item: Item) -> bool:
        return is_document_text(item)

    def analyze(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        f = _finding(match_lures(item_text(item), lures_for(ctx)), DOCUMENT, item.path)
        if f is not None:
            yield f
