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

from coinguard.findings import Category, CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext, MessageInfo

log = logging.getLogger(__name__)

NAME = "crypto_theme"
#: Most characters of one text that are matched (bounded work per item).
MAX_TEXT = 1024 * 1024

CATEGORIES = frozenset({"topic", "secret", "action", "urgency", "reward", "extortion"})
TOPIC_CATEGORIES = frozenset({"topic", "secret"})

# ---------------------------------------------------------------------------- normalisation

#: Format/invisible characters used to split words past filters (zero-width, soft hyphen, bidi controls).
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
                        "\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef]")
#: The supplementary-plane part of _INVISIBLE (tag characters, variation selectors supplement, musical
#: formatting), which the fold table lists explicitly.
_INVISIBLE_SUPPLEMENTARY = ((0x1D173, 0x1D17A), (0xE0000, 0xE007F), (0xE0100, 0xE01EF))
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


@cache
def _fold_table() -> dict[int, str | None]:
    """``str.translate`` table: invisible characters removed, look-alikes folded to ASCII, Latin letters with
    diacritics folded to their base letter.  Built once; translating is a single C-level pass."""
    table: dict[int, str | None] = {ord(ch): target for ch, target in _confusable_map().items()}
    for code in (*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)):
        if code not in table:
            base = unicodedata.normalize("NFKD", chr(code))[:1]
            if base.isascii() and base.isalpha():
                table[code] = base
    for code in range(0x80, 0x10000):
        if _INVISIBLE.match(chr(code)):
            table[code] = None
    for lo, hi in _INVISIBLE_SUPPLEMENTARY:
        table.update(dict.fromkeys(range(lo, hi + 1)))
    return table


def normalize(text: str) -> str:
    """Text as matched: NFKC, invisible characters removed, case-folded, look-alikes folded, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        text = text.casefold()
    else:
        # fold before and after case-folding: a capital look-alike (Greek 'Μ') may only be listed as
        # itself, and its lower case form ('μ') may not be a Latin look-alike at all
        table = _fold_table()
        text = text.translate(table).casefold()
        if not text.isascii():
            text = text.translate(table)
    return _SPACE.sub(" ", _LETTER_SPACED.sub(_join_letters, text)).strip()


#: Words written letter by letter to dodge filters ("a i r d r o p", "G o o g l e"): 4+ single letters.
_LETTER_SPACED = re.compile(r"(?<!\S)(?:[^\W\d_] ){3,}[^\W\d_](?!\S)")


def _join_letters(m: re.Match[str]) -> str:
    return m.group(0).replace(" ", "")


def normalized(ctx: AnalysisContext | None, text: str) -> str:
    """:func:`normalize` once per text per message (``ctx.memo``), bounded to MAX_TEXT characters."""
    text = text[:MAX_TEXT]
    if ctx is None:
        return normalize(text)
    memo = ctx.memo.setdefault(NAME, {}).setdefault("norm", {})
    cached = memo.get(text)
    if cached is None:
        cached = memo[text] = normalize(text)
    return cached


def normalized_join(ctx: AnalysisContext | None, *parts: str) -> str:
    """Several texts normalised (each once per message) and joined by a space."""
    return " ".join(n for n in (normalized(ctx, p) for p in parts if p) if n)


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

    def _scan_tokens(self, tokens: tuple[str, ...], found: dict[int, str]) -> None:
        first = self.first
        consumed = -1  # tokens up to this index belong to an earlier (longer) match
        for j in [i for i, tok in enumerate(tokens) if tok in first]:  # one C-speed pass picks candidates
            if j <= consumed:
                continue
            for seq, idx in first[tokens[j]]:
                k = len(seq)
                if k == 1 or tokens[j:j + k] == seq:
                    found.setdefault(idx, " ".join(seq))
                    consumed = j + k - 1
                    break

    def find(self, norm: str) -> dict[int, str]:
        """Phrase index -> the text that matched, for every phrase in normalised ``norm`` (do not mutate:
        results are shared while the same text is looked at again)."""
        return _find(self, norm)

    def _find(self, norm: str) -> dict[int, str]:
        found: dict[int, str] = {}
        if self.first:
            tokens = _tokens(norm)
            self._scan_tokens(tokens, found)
            if _MIXED.search(norm):
                folded = tuple(t.translate(_LEET) if not t.isalpha() and not t.isdigit() else t for t in tokens)
                self._scan_tokens(folded, found)
        if self.hangul and _HANGUL.search(norm):
            compact = _compact_hangul(norm)
            for phrase, idx in self.hangul:
                if phrase in compact:
                    found.setdefault(idx, phrase)
                    compact = compact.replace(phrase, "|")
        for rx, idx in self.regexes:
            m = rx.search(norm)
            if m:
                found.setdefault(idx, m.group(0))
        return found


#: Small caches: a message's texts are looked at by several matchers in a row; up to MAX_TEXT each.
@lru_cache(maxsize=4)
def _tokens(norm: str) -> tuple[str, ...]:
    """Latin-script tokens of a normalised text (shared by the lure and brand matchers)."""
    return tuple(_TOKEN.findall(norm))


@lru_cache(maxsize=4)
def _compact_hangul(norm: str) -> str:
    return _HANGUL_GAP.sub("", norm)


@lru_cache(maxsize=16)
def _find(matcher: PhraseMatcher, norm: str) -> dict[int, str]:
    return matcher._find(norm)


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


def match_lures(text: str, lures: LureList, ctx: AnalysisContext | None = None) -> LureMatch:
    """Distinct lure phrases in ``text`` (normalised once per message via ``ctx``), with their weight."""
    if not lures.lures or not text:
        return LureMatch(0.0, False, ())
    return _match_norm(normalized(ctx, text), lures)


def match_parts(parts: Sequence[str], lures: LureList, ctx: AnalysisContext | None = None) -> LureMatch:
    """:func:`match_lures` on several texts read as one (each normalised once per message)."""
    if not lures.lures:
        return LureMatch(0.0, False, ())
    return _match_norm(normalized_join(ctx, *parts), lures)


@lru_cache(maxsize=16)
def _match_norm(norm: str, lures: LureList) -> LureMatch:
    if not norm:
        return LureMatch(0.0, False, ())
    found: dict[int, Lure] = {}
    for idx, matched in lures.matcher.find(norm).items():
        lure = lures.lures[idx]
        found[idx] = Lure(matched, lure.category, lure.weight) if lure.phrase.startswith("re:") else lure
    # a regular expression matching the same words as a listed phrase ("within 24 hours") counts once
    phrases = {normalize(t.phrase) for i, t in found.items() if not lures.lures[i].phrase.startswith("re:")}
    terms = tuple(found[i] for i in sorted(found)
                  if not (lures.lures[i].phrase.startswith("re:") and found[i].phrase in phrases))
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
    #: added per weight unit of lure wording proper (call to action, pressure, bait, extortion; not the
    #: subject matter or a secret merely named): a text that mostly pushes is worse than one that informs
    per_lure_weight: float = 0.0


SUBJECT = Place("crypto.lure.subject", 2.0, 2.5, 0.5, 3.0)
BODY = Place("crypto.lure.body", 3.5, 2.5, 0.5, 6.0, per_lure_weight=0.25)
#: The Subject names the crypto topic but the body has (almost) no text: an image-only or QR-code lure.
IMAGE_ONLY_CODE = "crypto.lure.image_only"
IMAGE_ONLY_SCORE = 3.0
#: Body text shorter than this (letters and digits) counts as "no text".
IMAGE_ONLY_MAX_CHARS = 60
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


def brand_named(parts: Sequence[str], ctx: AnalysisContext) -> bool:
    """Do these texts name an exchange or wallet brand (by a distinctive name)?  Then they are about crypto."""
    from coinguard.analyzers.brands import brands_for, mentioned_norm

    return bool(mentioned_norm(normalized_join(ctx, *parts), brands_for(ctx), context=False))


#: Kinds of lure wording besides the topic; a text using at least DIVERSE_KINDS of them has the anatomy
#: of a lure (bait + call to action + pressure, or a secret asked for with pressure): +DIVERSITY_BONUS.
LURE_KINDS = frozenset({"secret", "action", "urgency", "reward", "extortion"})
DIVERSE_KINDS = 3
PUSH_KINDS = frozenset({"action", "urgency", "reward", "extortion"})
DIVERSITY_BONUS = 1.0
#: A kind only counts when its phrases weigh this much together (one "$5" is not bait).
KIND_MIN_WEIGHT = 1.0


def lure_kinds(match: LureMatch, min_weight: float = KIND_MIN_WEIGHT) -> set[str]:
    """The kinds of lure wording (LURE_KINDS) in ``match`` whose phrases weigh at least ``min_weight`` together."""
    weights: dict[str, float] = {}
    for t in match.terms:
        if t.category in LURE_KINDS and not is_topic(t):
            weights[t.category] = weights.get(t.category, 0.0) + t.weight
    return {kind for kind, w in weights.items() if w >= min_weight}


def place_score(match: LureMatch, place: Place, topic: bool = False) -> float | None:
    """The finding score for ``match`` at ``place``, or None when it is not a lure there.

    ``topic`` says the crypto topic was already established elsewhere (the body of a mail whose
    Subject is about bitcoin need not repeat the word, or that names an exchange).
    """
    if not (match.topic or topic) or match.weight < place.threshold:
        return None
    score = place.base + (match.weight - place.threshold) * place.per_weight
    if place.per_lure_weight:
        pushed = sum(t.weight for t in match.terms if t.category in PUSH_KINDS and not is_topic(t))
        score += pushed * place.per_lure_weight
    if len(lure_kinds(match)) >= DIVERSE_KINDS:
        score += DIVERSITY_BONUS
    return round(min(place.cap, score), 2)


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


def item_text(item: Item, ctx: AnalysisContext | None = None) -> str:
    """The text of a text/HTML item (HTML rendered to text), bounded; rendered once per message via ``ctx``."""
    memo: dict[tuple[str, str, int], str] | None = None
    key = (item.path, item.sha256, len(item.data))
    if ctx is not None:
        memo = ctx.memo.setdefault(NAME, {}).setdefault("item_text", {})
        cached = memo.get(key)
        if cached is not None:
            return cached
    text = decode_item(item)
    if item.type in ("html", "svg"):
        from coinguard.mime import html_to_text

        text = html_to_text(text)[0]
    if memo is not None:
        memo[key] = text
    return text


class CryptoThemeMessage:
    """Lure language in the subject, the body text and the attachment names."""

    name: ClassVar[str] = NAME
    after: ClassVar[tuple[str, ...]] = ("dkim_auth",)  # reads DKIM_ALIGNED (verified brand senders)
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo(SUBJECT.code, SUBJECT.cap, Category.THEME,
                 "crypto lure phrases in the Subject or From display name (score grows with their weights)"),
        CodeInfo(BODY.code, BODY.cap, Category.THEME,
                 "crypto lure phrases in the body text (score grows with the phrases' weights, lures.txt)"),
        CodeInfo(ATTACHMENT_NAME.code, ATTACHMENT_NAME.cap, Category.THEME,
                 "crypto lure phrases in attachment file names"),
        CodeInfo(IMAGE_ONLY_CODE, IMAGE_ONLY_SCORE, Category.THEME,
                 "the Subject/From name is about crypto but the body has no readable text (image or QR-code lure)"),
    )

    def analyze_message(
        self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding], ctx: AnalysisContext
    ) -> Iterator[Finding]:
        lures = lures_for(ctx)
        cap = VERIFIED_BRAND_CAP if verified_brand_sender(msg, findings, ctx) else None
        subject = match_parts((msg.subject, msg.from_display), lures, ctx)
        topic = subject.topic or brand_named((msg.subject, msg.from_display, msg.body_text), ctx)
        # the body is read together with the Subject: a lure often splits topic and call to action
        # between them ("0.75 BTC" in the Subject, "withdraw within 24 hours" in the body)
        body = (match_parts((msg.subject, msg.from_display, msg.body_text), lures, ctx) if msg.body_text.strip()
                else LureMatch(0.0, False, ()))
        for match, place in ((subject, SUBJECT), (body, BODY)):
            f = _finding(match, place, cap=cap, topic=topic)
            if f is not None:
                yield f
        names = " ; ".join(_name_text(n) for n in msg.attachment_names[:200])
        f = _finding(match_lures(names, lures, ctx), ATTACHMENT_NAME, cap=cap)
        if f is not None:
            yield f
        if subject.topic and subject.weight >= SUBJECT.threshold and _is_textless(msg.body_text):
            yield Finding(IMAGE_ONLY_CODE, NAME, "", f"Subject: {subject.describe(4)}; body has no text",
                          score=min(IMAGE_ONLY_SCORE, cap) if cap is not None else IMAGE_ONLY_SCORE)


def _is_textless(body: str) -> bool:
    """True when the body has (almost) no letters or digits outside links: images, a QR code, a bare link."""
    count = 0
    for word in body[:20000].split():
        if "://" in word or word[:4].lower() == "www.":
            continue
        count += sum(ch.isalnum() for ch in word)
        if count >= IMAGE_ONLY_MAX_CHARS:
            return False
    return True


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

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        f = _finding(match_lures(item_text(item, ctx), lures_for(ctx), ctx), DOCUMENT, item.path)
        if f is not None:
            yield f
