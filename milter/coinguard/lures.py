"""The crypto lure list: phrases with a category and a weight, loaded from ``config/lures.txt``.

The phrase list is ``config/lures.txt`` (format documented in its header; admins edit it) plus
``[crypto] extra_lures``.  :func:`match_lures` finds the DISTINCT phrases of a text and sums their
weights (topic phrases capped).  Shared by the crypto-theme and brand analyzers.

Core module: imports no analyzer.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from coinguard.handlers import AnalysisContext
from coinguard.text import (
    _LEET,
    PhraseMatcher,
    RegexGate,
    clause_before,
    join_parts,
    lookbehind_reach,
    match_prefixes,
    normalize,
    normalized,
    normalized_join,
    prefixed_search,
    remember_join,
    token_set,
)

log = logging.getLogger(__name__)

CATEGORIES = frozenset({"topic", "secret", "action", "urgency", "reward", "extortion"})
TOPIC_CATEGORIES = frozenset({"topic", "secret"})

@dataclass(frozen=True, slots=True)
class Lure:
    phrase: str
    category: str
    weight: float


@dataclass(frozen=True, slots=True, eq=False)
class LureList:
    """One loaded list.  Compared and hashed by identity (``eq=False``): it is the key of the
    ``_match_norm`` cache, and hashing its hundreds of Lure values on every lookup cost ~1 ms per
    message; :func:`load_lures` hands out one object per file version, so identity is its version."""

    lures: tuple[Lure, ...]
    matcher: PhraseMatcher
    script: ScriptMatcher


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


#: Kinds of lure wording besides the topic (a lure combines several: crypto_theme.DIVERSE_KINDS).
LURE_KINDS = frozenset({"secret", "action", "urgency", "reward", "extortion"})
#: A kind only counts when its phrases weigh this much together (one "$5" is not bait).
KIND_MIN_WEIGHT = 1.0


def lure_kinds(match: LureMatch, min_weight: float = KIND_MIN_WEIGHT) -> set[str]:
    """The kinds of lure wording (LURE_KINDS) in ``match`` whose phrases weigh at least ``min_weight`` together."""
    weights: dict[str, float] = {}
    for t in match.terms:
        if t.category in LURE_KINDS and not is_topic(t):
            weights[t.category] = weights.get(t.category, 0.0) + t.weight
    return {kind for kind, w in weights.items() if w >= min_weight}


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


#: Letters of scripts that text.PhraseMatcher does not tokenise (its tokens are ASCII letters and digits;
#: it knows Hangul): Greek, Cyrillic, Hebrew, Arabic, Devanagari, Thai, kana, CJK ideographs.  Phrases in
#: these scripts are matched here.
_SCRIPT = re.compile("[\u0370-\u03ff\u0400-\u052f\u0590-\u05ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f"
                     "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
#: Scripts whose phrases match anywhere: Thai, Japanese and Chinese are written without spaces between
#: words; Arabic joins its article and prepositions to the word ("المحفظة", "بمحفظتك": the phrase "محفظ"
#: is inside them).
_UNSPACED = re.compile("[\u0600-\u06ff\u0e00-\u0e7f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
                       "\uff66-\uff9f]")


@lru_cache(maxsize=4)
def skeleton(norm: str) -> str:
    """Normalised text with every letter folded in its capital form (ScriptMatcher compares these)."""
    return norm if norm.isascii() else normalize(norm.upper())


class ScriptMatcher:
    """Phrases in Greek, Cyrillic, Hebrew, Arabic, Devanagari, Thai, Japanese or Chinese script, found in
    normalised text.

    Phrase and text are compared by their :func:`skeleton`: the look-alike folding of normalisation
    (Cyrillic 'а' -> 'a', which keeps 'wаllet' from dodging the Latin list) depends on letter case
    ('К' -> 'k', 'к' stays), and the skeleton folds every letter in its capital form, so case does not
    matter in any script (Ukrainian 'і' and a few Greek letters excepted).  A Cyrillic or Greek phrase matches at the
    start of a word and may run on (a stem: 'криптовалют' matches 'криптовалюта', 'криптовалюты');
    a Hebrew or Devanagari phrase likewise; a Thai, Arabic, Japanese or Chinese phrase matches anywhere
    (no spaces between words, or the article joined to the word).  One pass of one
    alternation, longest phrase first: overlapping phrases count once, the longest wins.
    """

    def __init__(self, phrases: Sequence[tuple[str, int]]) -> None:
        #: phrase skeleton without its spaces (a match's text without them) -> phrase index
        self.index: dict[str, int] = {}
        anchored: list[str] = []
        unanchored: list[str] = []
        for phrase, idx in sorted(phrases, key=lambda p: -len(normalize(p[0]))):
            norm = skeleton(normalize(phrase))
            key = norm.replace(" ", "")
            if not key or key in self.index:
                continue
            self.index[key] = idx
            # a Cyrillic/Greek/Hebrew/Devanagari stem starts a word; Thai, Arabic, Japanese, Chinese match anywhere
            (unanchored if _UNSPACED.search(phrase) else anchored).append(norm)
        # the phrases as two tries (one alternation per shared prefix): the cost per position of the text
        # is the depth of the trie, not the number of phrases, as it was with one alternative per phrase
        parts = ([rf"(?<!\w)(?:{_trie_regex(anchored)})"] if anchored else []) + \
            ([f"(?:{_trie_regex(unanchored)})"] if unanchored else [])
        self.regex = re.compile("|".join(parts)) if parts else None

    def find(self, norm: str, found: dict[int, str]) -> None:
        if self.regex is None or norm.isascii():
            return
        for m in self.regex.finditer(skeleton(norm)):
            idx = self.index.get(m.group(0).replace(" ", ""))
            if idx is not None:
                found.setdefault(idx, m.group(0))


_Trie = dict[str, "_Trie"]


def _trie_regex(phrases: Sequence[str]) -> str:
    """One regular expression matching any of ``phrases`` (a space in one: an optional space), as a trie:
    alternatives only where phrases part, the longest continuation tried first (greedy)."""
    trie: _Trie = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}  # a phrase ends here

    def emit(node: _Trie) -> str:
        # (an optional space first: it consumes more than the letter that could follow without it)
        alts = [(r"\s?" if ch == " " else re.escape(ch)) + emit(child)
                for ch, child in sorted(node.items(), key=lambda kv: kv[0] != " ") if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


def build_lures(lures: Sequence[Lure]) -> LureList:
    # dedupe by phrase (a later line wins: admin extras override the defaults)
    unique: dict[str, Lure] = {}
    for lure in lures:
        unique[normalize(lure.phrase) if not lure.phrase.startswith("re:") else lure.phrase] = lure
    ordered = tuple(unique.values())
    script = [(lure.phrase, i) for i, lure in enumerate(ordered)
              if not lure.phrase.startswith("re:") and _SCRIPT.search(lure.phrase)]
    in_script = {i for _, i in script}
    # (a script phrase is "" for the PhraseMatcher: the indexes stay aligned, it matches nothing there)
    return LureList(ordered, PhraseMatcher(["" if i in in_script else lure.phrase for i, lure in enumerate(ordered)]),
                    ScriptMatcher(script))


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


#: A security disclaimer ("we will never ask for your recovery phrase", "do not share your private key
#: with anyone"): the secret is named to warn, not asked for.  Genuine exchange and wallet mail carries
#: one; it is taken out before matching, so the secret counts only where the text names it otherwise
#: ("never share it ... enter your recovery phrase below" still has the second).  Bounded repeats from a
#: negation: linear.
_DISCLAIMER_EN = (
    r"(?<![a-z])(?:never|do not|don't|dont|won't|will not|nobody will|no one will|not even we)\s(?:[^\s.!?]+\s){0,5}?"
    r"(?:ask|asks|asking|share|request|requests|give|send|disclose|reveal|tell|type|enter)\s(?:[^\s.!?]+\s){0,5}?"
    r"(?:seed|recovery|secret|mnemonic|private|backup|wallet)\s(?:phrase|phrases|words|key|keys)(?![a-z])")
#: The same warning in the other languages of the list: "never" and, within six words, the secret's noun
#: ("nunca compartas tu frase de recuperación", "никогда не сообщайте сид-фразу"; in Japanese and Chinese
#: within twenty characters; or the secret's noun first and "never" within four words, the German order: "geben Sie
#: Ihre Wiederherstellungsphrase niemals ein").  Written in normalised form (normalize() folds look-alike letters).
_NEVER = ("nunca", "jamás", "jamais", "niemals", "nie", "mai", "nooit", "asla", "никогда")
_SECRET_NOUNS = ("frase", "phrase", "clave", "chave", "cle", "schlüssel", "wiederherstellungsphrase", "chiave",
                 "sleutel", "privésleutel", "herstelzin", "herstelfrase", "ifade", "anahtar", "фраз", "ключ", "сид")
#: "never" after the secret's noun, in the languages whose word order puts it there (de, nl); not "mai" or
#: "jamais" ("votre phrase de récupération avant le 5 mai" is a deadline, not a warning)
_NEVER_AFTER = ("niemals", "nie", "nooit")
_NEVER_CJK = ("決して", "絶対に", "绝不", "永远不要", "切勿", "请勿")
_SECRET_CJK = ("シードフレーズ", "復元フレーズ", "秘密鍵", "助记词", "私钥")


def _alternation(words: Sequence[str]) -> str:
    # each word as normalised in every letter case (a capital Cyrillic 'Н' folds to 'h', a small one stays)
    forms = {normalize(v) for w in words for v in (w, w.capitalize(), w.upper())}
    return "|".join(re.escape(f) for f in sorted(forms, key=lambda f: -len(f)))


_DISCLAIMER = re.compile(
    f"{_DISCLAIMER_EN}"
    rf"|(?<!\w)(?:{_alternation(_NEVER)})\s(?:[^\s.!?]+\s){{0,5}}?(?:{_alternation(_SECRET_NOUNS)})"
    rf"|(?<!\w)(?:{_alternation(_SECRET_NOUNS)})\s(?:[^\s.!?]+\s){{0,3}}?(?:{_alternation(_NEVER_AFTER)})(?!\w)"
    rf"|(?:{_alternation(_NEVER_CJK)})[^。！!？?]{{0,20}}?(?:{_alternation(_SECRET_CJK)})"
    rf"|(?:{_alternation(_SECRET_CJK)})[^。！!？?]{{0,20}}?(?:{_alternation(_NEVER_CJK)})")
#: What a sender says it will never ask the reader to do ("we will never ask you to send crypto or verify
#: your wallet by mail"): a promise, not a request; up to the end of the clause ("but", "however" end it:
#: "we never ask for your password, but verify your wallet below" keeps the request).
_NEVER_ASK = re.compile(
    r"(?<![a-z])(?:never|will not|won't|do not|don't|dont|does not|doesn't|would never)\s"
    r"(?:ask|asks|request|requests|require|requires)\s(?:you\s|users\s|customers\s)?(?:to|for)\s"
    r"(?:(?!but\s|however\s)[^.!?;]){0,120}")
#: A warning to the reader not to do what lures ask ("never connect your wallet to a link received by email",
#: "do not sign transactions on sites you do not know", "beware of fake claim sites"): advice, not a request;
#: up to the end of the clause (a comma, a colon, "and", "but", "however" end it: "don't share this link, connect
#: your wallet" keeps the request).  The technique of the false positive on security advice in newsletters and
#: exchange notices.
_NEVER_DO = re.compile(
    r"(?<![a-z])(?:(?:never|do not|don't|dont)\s(?:ever\s)?"
    r"(?:connect|link|sign|approve|enter|type|paste|share|send|click|scan|import)"
    r"|beware of|watch out for|be wary of)\s"
    r"(?:(?!but\s|however\s|and\s)[^.!?;:,]){0,100}")
#: Reported speech: a lure retold or quoted, not made to the reader.  A mail, message or site spoken of
#: ("I got a mail saying ...", "if you receive an email asking for ...", "fake mails that pretend to come
#: from Ledger, asking you to ...", "scammers claim ...") and what it says, up to the end of the sentence;
#: or an example quoted ("for example: 'verify your wallet'", "e.g. “connect your wallet”").  The mail
#: spoken of is indefinite or plural ("a mail", "fake emails", "scammers": :data:`_SPOKEN_OF`): a lure says
#: "this message" or "we" of itself.  A verb right after "to" is a purpose, not a report ("sign a message with
#: your wallet to claim them": the sign-to-claim lure's own call); what the mail spoken of wants or tries to get
#: is reported ("scammers want you to claim a refund").  The pattern starts at the noun (a literal alternation:
#: the scan is quick) and the determiner before it is checked where it matched.  Bounded repeats: linear.
_REPORTED = re.compile(
    r"(?:e-?mail|mail|message|text|sms|dm|website|site|page|letter|call|popup|pop-up|scammer|fraudster|criminal"
    r"|attacker|phisher|impostor|imposter)(s?)\s(?:[^\s.!?]+\s){0,8}?(?<!(?<![a-z])to\s)"
    r"(?:saying|says|said|claiming|claims|claim|asking|asks|ask|telling|tells|tell|urging|urge|urges"
    r"|pretending|pretend|pretends|demanding|demand|instructing|promising|promise|promises|offering"
    r"|want|wants|wanting|try|tries|trying)"
    r"(?![a-z])[^.!?]{0,240}")
#: An indefinite determiner (or a warning's adjective) up to two words before the noun of :data:`_REPORTED`.
_SPOKEN_OF = re.compile(r"(?<![a-z])(?:an?|any|some|fake|fraudulent|phishing|scam|suspicious|such|these|those|other)"
                        r"\s(?:[^\s.!?]+\s){0,2}$")
_QUOTED_EXAMPLE = re.compile(
    r"(?<![a-z])(?:for example|for instance|example|e\.g\.)\s?:?\s?[\"“„'‘«][^\"”“„’»]{1,240}"
    r"[\"”“„'’»]")


def _unreported(norm: str, start_at: int = 0) -> str:
    """``norm`` with the lures it retells (:data:`_REPORTED` after a determiner or as a plural) made a space
    (those starting at ``start_at`` or later)."""
    out: list[str] = []
    pos = 0
    for m in _REPORTED.finditer(norm, start_at):
        start = m.start()
        if start and norm[start - 1].isalpha():
            continue  # inside a word ("email" is matched from "e"; "female" is no mail)
        if not m.group(1) and _SPOKEN_OF.search(norm, max(0, start - 40), start) is None:
            continue  # "this message asks you to ...": the lure speaking of itself
        out.append(norm[pos:start])
        out.append(" ")
        pos = m.end()
    if not out:
        return norm
    out.append(norm[pos:])
    return "".join(out)


#: The required words of the disclaimers and reported speech (a negation AND a secret's noun, per language;
#: a mail noun and a reporting verb): most texts hold none of them together, and the substitution, which
#: tries the pattern at every position, is skipped (~3 ms per 80 KB); where it cannot match it would leave
#: the text as it is.
_SAID_NOT_ASKED = (_DISCLAIMER, _NEVER_ASK, _NEVER_DO, _QUOTED_EXAMPLE)
_DISCLAIMER_GATE = RegexGate([*_SAID_NOT_ASKED, _REPORTED], shared=True)  # (normalised text, as the lists')


#: Each of :data:`_SAID_NOT_ASKED`'s match-start strings (text.match_prefixes): a text its gate lets through
#: is first searched only where they occur, and substituted only where that finds a match (a substitution
#: tries the pattern at every position: ~45 us per 600 characters for the disclaimers, where the gate's words
#: stood apart -- "do not reply", "phrase" -- and nothing matched).  None where they are unknown or a short
#: one would be met everywhere.
_SAID_PREFIXES = tuple(p if p is not None and min(map(len, p)) >= 2 else None
                       for p in map(match_prefixes, _SAID_NOT_ASKED))


@lru_cache(maxsize=16)
def without_disclaimers(norm: str) -> str:
    """Normalised text with what it says without asking it of the reader made a space: its security
    disclaimers (:data:`_DISCLAIMER`, :data:`_NEVER_ASK`, :data:`_NEVER_DO`) and the lures it retells or quotes
    (:data:`_REPORTED`, :data:`_QUOTED_EXAMPLE`)."""
    may = _DISCLAIMER_GATE.open(norm)
    for rx, prefixes in zip(_SAID_NOT_ASKED, _SAID_PREFIXES, strict=True):
        if may(rx) and (prefixes is None or prefixed_search(rx, prefixes, norm) is not None):
            norm = rx.sub(" ", norm)
    return _unreported(norm) if may(_REPORTED) else norm


#: A joined text (Subject, display name, body: text.join_parts) whose body is this long is matched from its
#: parts (:func:`_disclaimed_parts`, PhraseMatcher.find_parts): what follows the head is the body's, remembered.
PARTS_MIN = 256
#: How far before its start a match of the disclaimer patterns looks (their lookbehinds), and :func:`_unreported`
#: (the character before a match and the 40 before it for a determiner, whose lookbehind reads one more): a
#: match starting this far into the body reads only the body.  None: a pattern's reach is not known.
_REPORTED_REACH = 42
_SAID_REACH: int | None = None if any(lookbehind_reach(rx) is None for rx in (*_SAID_NOT_ASKED, _REPORTED)) \
    else max(_REPORTED_REACH, *(lookbehind_reach(rx) or 0 for rx in (*_SAID_NOT_ASKED, _REPORTED)))
_STAGES = (*_SAID_NOT_ASKED, _REPORTED)
_STAGE_PREFIXES = tuple(map(match_prefixes, _STAGES))


def _substituted_from(rx: re.Pattern[str], text: str, pos: int) -> str:
    """``text`` with every match of ``rx`` starting at ``pos`` or later made a space (as ``rx.sub`` replaces
    them: the matches ``finditer`` gives from ``pos``, left to right)."""
    out: list[str] = []
    last = 0
    for m in rx.finditer(text, pos):
        out += (text[last:m.start()], " ")
        last = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


@lru_cache(maxsize=16)
def _disclaimed_body(body: str, applied: tuple[bool, ...]) -> tuple[str, ...]:
    """The body after each stage of :func:`without_disclaimers` (``applied``: the stages its gate let run), what
    starts :data:`_SAID_REACH` characters into it or later taken out."""
    assert _SAID_REACH is not None
    out: list[str] = []
    for n, rx in enumerate(_SAID_NOT_ASKED):
        if applied[n]:
            body = _substituted_from(rx, body, _SAID_REACH)
        out.append(body)
    out.append(_unreported(body, _SAID_REACH) if applied[-1] else body)
    return tuple(out)


def _disclaimed_parts(norm: str, head: str, body: str) -> tuple[str, str] | None:
    """``(without_disclaimers(norm), its body)`` for ``norm == head + " " + body``, from the body's stages
    (:func:`_disclaimed_body`, remembered by the body), or None where a stage's match may start in the head or
    within :data:`_SAID_REACH` of the body's start (then the whole text is read, as :func:`without_disclaimers`).

    Each stage is a substitution of the matches found left to right; where the leftmost starts past that
    point in the text, it and every later one are the body's own from there on (the same text follows, and
    the same :data:`_SAID_REACH` characters precede), and the text before stays as it is."""
    if _SAID_REACH is None:
        return None
    may = _DISCLAIMER_GATE.open(norm)
    applied = tuple(may(rx) for rx in _STAGES)
    stages = _disclaimed_body(body, applied)
    stop = len(head) + 1 + _SAID_REACH
    text = norm
    for n, rx in enumerate(_STAGES):
        if not applied[n]:
            continue
        prefixes = _STAGE_PREFIXES[n]
        first = rx.search(text) if prefixes is None else prefixed_search(rx, prefixes, text, before=stop)
        if first is not None and first.start() < stop:
            return None
        if stages[n] is not (stages[n - 1] if n else body):
            text = f"{head} {stages[n]}"
    return text, stages[-1]


def _from_parts(norm: str, lures: LureList) -> tuple[str, dict[int, str]] | None:
    """``(without_disclaimers(norm), lures.matcher.find of it)`` for a joined ASCII text whose body (its last part,
    text.join_parts) is at least :data:`PARTS_MIN` long, read from its parts; None where it is read whole.

    Both texts are remembered as their head and body (text.remember_join: their needles are then the parts',
    the body's remembered by the body)."""
    parts = join_parts(norm) if norm.isascii() else None
    if parts is None or len(parts[1]) < PARTS_MIN:
        return None
    head, body = parts
    remember_join(norm, head, body)
    split = _disclaimed_parts(norm, head, body)
    if split is None:
        return None
    said, said_body = split
    remember_join(said, head, said_body)
    return said, lures.matcher.find_parts(said, head, said_body)


@lru_cache(maxsize=4096)
def _normal_phrase(phrase: str) -> str:
    """:func:`normalize` of a listed phrase (the same few hundred, every message)."""
    return normalize(phrase)


@lru_cache(maxsize=16)
def _match_norm(norm: str, lures: LureList) -> LureMatch:
    if not norm:
        return LureMatch(0.0, False, ())
    split = _from_parts(norm, lures)
    if split is not None:  # a campaign's copy: what the body holds from a few characters in on is remembered
        norm, hits = split
    else:
        norm = without_disclaimers(norm)
        hits = dict(lures.matcher.find(norm))  # (a copy: the matcher's result is shared, see PhraseMatcher.find)
    found: dict[int, Lure] = {}
    lures.script.find(norm, hits)
    for idx, matched in hits.items():
        lure = lures.lures[idx]
        found[idx] = Lure(matched, lure.category, lure.weight) if lure.phrase.startswith("re:") else lure
    # a regular expression matching the same words as a listed phrase ("within 24 hours") counts once, and
    # so do two regular expressions of one category matching the same words ("claim it now" as two calls to
    # action): the heavier one is kept
    phrases = {_normal_phrase(t.phrase) for i, t in found.items() if not lures.lures[i].phrase.startswith("re:")}
    heaviest: dict[tuple[str, str], int] = {}
    for i in sorted(found):
        if lures.lures[i].phrase.startswith("re:"):
            key = (found[i].phrase, found[i].category)
            kept = heaviest.get(key)
            if kept is None or found[i].weight > found[kept].weight:
                heaviest[key] = i
    terms = tuple(found[i] for i in sorted(found)
                  if not (lures.lures[i].phrase.startswith("re:")
                          and (found[i].phrase in phrases or heaviest[(found[i].phrase, found[i].category)] != i))
                  and not _said_of_the_reader(norm, lures.lures[i], found[i]))
    topic = min(TOPIC_CAP, sum(t.weight for t in terms if t.category == "topic"))
    weight = round(topic + sum(t.weight for t in terms if t.category != "topic"), 2)
    return LureMatch(weight, any(is_topic(t) for t in terms), terms)



@dataclass(frozen=True, slots=True)
class _TopicGate:
    """What a topic term of a list needs in an ASCII text (see :func:`may_name_topic`)."""

    #: the first tokens of the topic phrases' token sequences in the list's PhraseMatcher (each phrase's
    #: words and its words written together)
    first: frozenset[str]
    #: the ``re:`` topic phrases, and a gate over their required words (shared: their needles are among
    #: the matcher's own gate's, so the one needle pass per text is not lengthened)
    regexes: tuple[re.Pattern[str], ...]
    gate: RegexGate


@lru_cache(maxsize=8)
def _topic_gate(lures: LureList) -> _TopicGate:
    topic = {i for i, lure in enumerate(lures.lures) if is_topic(lure)}
    first = frozenset(tok for tok, seqs in lures.matcher.first.items() if any(i in topic for _seq, i in seqs))
    regexes = tuple(rx for rx, i in lures.matcher.regexes if i in topic)
    return _TopicGate(first, regexes, RegexGate(list(regexes), shared=True))


def may_name_topic(text: str, lures: LureList, ctx: AnalysisContext | None = None) -> bool:
    """Could :func:`match_lures` of ``text`` find a topic term (``LureMatch.topic``)?  False only where it
    cannot: then no place that needs the topic (the document, crypto_theme.DOCUMENT) can score the text, and
    its phrases need not be matched (the leet pass, the token scan and the ``re:`` phrases: ~1 ms of the
    ~2 ms per 80 KB document).

    A necessary condition on the text the matcher reads (the normalised text without its disclaimers, as
    :func:`_match_norm`): where it is ASCII (the Hangul and script phrases match no ASCII text) a topic term
    is a token phrase whose first token is a token of the text or, leetspeak folded, of a token holding a
    digit (the folded pass changes only those, by ``_LEET``), or an ``re:`` phrase whose required words the
    text holds.  Terms are only ever dropped after matching (repeated, said of someone else), never added."""
    if not lures.lures or not text:
        return False
    norm = normalized(ctx, text)
    if not norm:
        return False
    norm = without_disclaimers(norm)
    if not norm.isascii():
        return True
    gate = _topic_gate(lures)
    tokens = token_set(norm)  # (each distinct sentence tokenised once)
    if not gate.first.isdisjoint(tokens) \
            or not gate.first.isdisjoint(t.translate(_LEET) for t in tokens if not t.isalpha()):
        return True
    if not gate.regexes:
        return False
    may = gate.gate.open(norm)
    return any(may(rx) for rx in gate.regexes)


# ---------------------------------------------------------------------------- what an amount or a deadline is

#: A coin or money amount as a reward phrase matches it ("0.25 btc", "btc 0.05", "$20", "150 eur"): the
#: bait of a lure -- unless the text says it is something the reader pays, is charged or sent.
_AMOUNT_PHRASE = re.compile(r"(?:[$€£¥]\s?)?\d[\d,.' ]*\s?(?:[a-z₿]{2,10}|[$€£¥])?"
                            r"|(?:[a-z₿]{2,6})(?:\sof)?\s?\d[\d,.]*")
#: What the amount is, said just before it (the last of these words in its sentence decides):
#: a charge (a fee, a price, a limit, a sum to pay) -- "the withdrawal fee becomes 0.0001 BTC", "tickets cost
#: 0.05 ETH", "please pay by bank transfer ... or 0.034 BTC", "the daily limit is raised to 5 BTC";
_CHARGE = (r"fees?|commissions?|charged?|charges|costs?|priced?|prices|tickets?|pay|payable|paying|due|invoiced?"
           r"|total|subtotal|tax|taxes|limits?|minimum|maximum|min|max|threshold|reaches|asking|gebuhr\w*|gebühr\w*"
           r"|kosten|preis|zahlen|bezahlen|comision|comisión|precio|pagar|pague|frais|prix|payer|payez|commissione"
           r"|prezzo|pagare|taxa|tarifa|preço|preco|limite|prijs|betalen|ucret|ücret|fiyat")
#: the reader's own money going out, reported done (:data:`_DONE`) -- "your withdrawal of 0.25 BTC has been
#: processed", "you sent 0.05 BTC, and it was confirmed";
_OUTGOING = (r"withdrawals?|withdrew|withdrawn|you sent|you paid|you transferred|you spent|you bought|you sold"
             r"|auszahlung|retiro|retirada|retrait|prelievo|saque|opname")
#: what is given to the reader -- "your payout of", "you received", "a bonus of", "balance": bait.
_CREDIT = (r"receive[ds]?|receiving|get|gets|got|win|wins|won|earn\w*|credit\w*|rewards?|bonus\w*|payouts?|prizes?"
           r"|claim\w*|balances?|airdrop\w*|gift\w*|worth|allocat\w*|refund\w*|double|return|recovered|unlock\w*"
           r"|erhalten|gewonnen|guthaben|saldo|recibido|ganado|recu|reçu|gagne|gagné|ricevuto|vinto|ontvangen|recebeu"
           r"|ganhou|odul|ödül|bakiye")
_AMOUNT_CUE = re.compile(rf"(?<![\w])(?:(?P<charge>{_CHARGE})|(?P<out>{_OUTGOING})|(?P<credit>{_CREDIT}))(?![\w])")
#: The reader's own withdrawal is done (not waiting for the reader: "is pending", "is ready" are a fake
#: balance's): said within a clause after the amount.
_DONE = re.compile(r"^[^.!?;]{0,60}?(?<![\w])(?:has been|have been|was|were|is now|got)\s(?:successfully\s)?"
                   r"(?:processed|completed|sent|confirmed|executed|broadcast|settled|paid out)(?![\w])")
#: A deadline that says how long the sender's processing takes ("deposits are credited within 24 hours",
#: "withdrawals are usually processed within 48 hours"): no pressure on the reader.
_PROCESSING = re.compile(r"(?<![\w])(?:processed|credited|reviewed|completed|confirmed|answered|handled|arrives?"
                         r"|appears?|appear|reflected|usually|typically|normally|takes?|generally)\s(?:[^\s.!?;]+\s)"
                         r"{0,3}$")
#: Characters looked at before an amount or a deadline for what it is (within its sentence), occurrences of a
#: phrase looked at.
CUE_CHARS, MAX_OCCURRENCES = 160, 20


@lru_cache(maxsize=512)
def _occurrences_rx(lure: Lure) -> re.Pattern[str]:
    if lure.phrase.startswith("re:"):
        return re.compile(lure.phrase[3:])
    return re.compile(r"(?<![\w])" + re.escape(normalize(lure.phrase)) + r"(?![\w])")


def _charged(norm: str, start: int, end: int) -> bool:
    """Is the amount at ``norm[start:end]`` one the reader pays, is charged or sent (see :data:`_CHARGE`,
    :data:`_OUTGOING`) rather than one given to the reader?"""
    cues = list(_AMOUNT_CUE.finditer(clause_before(norm, start, CUE_CHARS)))
    if not cues:
        return False
    last = cues[-1]
    if last.group("charge"):
        return True
    if last.group("out"):  # (a bare "you sent 0.79 ETH" opens the fake transaction alert too)
        return _DONE.search(norm[end:end + 80]) is not None
    return False


def _processing(norm: str, start: int, end: int) -> bool:
    """Is the deadline at ``norm[start:end]`` the sender's processing time (see :data:`_PROCESSING`)?"""
    return _PROCESSING.search(clause_before(norm, start, CUE_CHARS)) is not None


def _said_of_the_reader(norm: str, lure: Lure, matched: Lure) -> bool:
    """Does a matched phrase say something that is no lure wording where it stands?  An amount (reward) the
    reader pays, is charged or sent is no bait (a fee schedule, an invoice, the reader's own processed
    withdrawal, a limit); a deadline (urgency) that is the sender's processing time is no pressure.  Every
    occurrence must say so (one amount held out is bait)."""
    if not any(ch.isdigit() for ch in matched.phrase):
        return False
    if lure.category == "reward" and _AMOUNT_PHRASE.fullmatch(matched.phrase):
        test = _charged
    elif lure.category == "urgency":
        test = _processing
    else:
        return False
    seen = 0
    for m in _occurrences_rx(lure).finditer(norm):
        if not test(norm, m.start(), m.end()):
            return False
        seen += 1
        if seen >= MAX_OCCURRENCES:
            break
    return seen > 0
