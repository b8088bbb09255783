"""Text shared by the analyzers: normalisation, phrase matching, the text of an item, HTML to text.

Text is normalised before matching (:func:`normalize`): NFKC, case-folded, invisible characters
removed, look-alike letters folded to ASCII (Unicode confusables data from
``confusable-homoglyphs``), whitespace collapsed.  :class:`PhraseMatcher` finds list phrases
(lures, brand names) in normalised text; leetspeak is matched on a second, folded copy
(``w4ll3t`` -> ``wallet``).

Core module: imports no analyzer.
"""

from __future__ import annotations

import codecs
import logging
import re
import threading
import unicodedata
import weakref
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from functools import cache, cached_property, lru_cache
from itertools import compress
from operator import itemgetter
from typing import Any

import ahocorasick

from coinguard.findings import Item, Role
from coinguard.handlers import AnalysisContext
from coinguard.sniff import ItemType

log = logging.getLogger(__name__)

#: Most characters of one text that are matched (bounded work per item).
MAX_TEXT = 1024 * 1024
#: Key of this module's per-message memo in ``AnalysisContext.memo``.
MEMO_KEY = "text"
#: Bytes of HTML rendered to text per part (rendering is the costly step).
MAX_HTML_RENDER = 2 * 1024 * 1024
MAX_LINKS = 500

# ---------------------------------------------------------------------------- normalisation

#: Format/invisible characters used to split words past filters (zero-width, soft hyphen, bidi controls).
_INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180e\u200b-\u200f\u202a-\u202e"
                        "\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0"
                        "\U0001d173-\U0001d17a\U000e0000-\U000e007f\U000e0100-\U000e01ef]")
#: The supplementary-plane part of _INVISIBLE (tag characters, variation selectors supplement, musical
#: formatting), which the fold table lists explicitly.
_INVISIBLE_SUPPLEMENTARY = ((0x1D173, 0x1D17A), (0xE0000, 0xE007F), (0xE0100, 0xE01EF))
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
#: Unicode blocks whose letters are folded to ASCII look-alikes (Latin ext., IPA, Greek, Cyrillic, Armenian,
#: Latin Extended Additional, letterlike symbols).  Hangul and CJK are never touched.
_FOLD_RANGES = ((0x00C0, 0x058F), (0x13A0, 0x13FF), (0x1D00, 0x1FFF), (0x2100, 0x214F), (0xA4D0, 0xA4FF),
                (0xA640, 0xA69F), (0xA720, 0xA7FF), (0xAB70, 0xABBF))
#: Latin letters with a stroke or a ligature that have no Unicode decomposition (NFKD leaves 'ł', 'ø', 'đ',
#: 'æ' whole) and that the confusables data does not list: folded as ASCII folding does ('portfeł' is
#: written 'portfel' as often).
_LATIN_UNDECOMPOSED = {
    "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ƀ": "b", "ƚ": "l", "ƶ": "z", "ȼ": "c", "ɇ": "e",
    "ɍ": "r", "ɏ": "y", "ɨ": "i", "ʉ": "u", "ĸ": "k", "ð": "d", "æ": "ae", "œ": "oe", "þ": "th",
}
#: Capitals that look like a Latin 'I': Greek Iota, Cyrillic Byelorussian-Ukrainian I and palochka, Latin Iota.
_CAPITAL_I = "\u0399\u0406\u04c0\u0196"
#: Combining marks left over after NFKC (nothing to compose with: a stroke or underline laid over every
#: letter, "w\u0336a\u0336l\u0336l\u0336e\u0336t\u0336", or a Cyrillic stress accent): removed, as an accent
#: on a letter that has a composed form is folded away.  Marks of other scripts' blocks (Indic, Arabic,
#: Hebrew, the Japanese voiced marks) are not in these ranges and stay.
_COMBINING_RANGES = ((0x0300, 0x036F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))
#: "LATIN LETTER SMALL CAPITAL G" (and "LATIN SMALL CAPITAL ..."): the "small caps" text generators'
#: letters ('ꜱᴇᴇᴅ ᴘʜʀᴀꜱᴇ'), which neither NFKC nor the confusables data map to ASCII.
_SMALL_CAPITAL = re.compile(r"LATIN (?:LETTER )?SMALL CAPITAL ([A-Z])")
_SMALL_CAPITAL_BLOCKS = ((0x0250, 0x02AF), (0x1D00, 0x1D7F), (0xA720, 0xA7FF), (0xAB30, 0xAB6F))


@cache
def _confusable_map() -> dict[str, str]:
    """Non-ASCII letter -> ASCII look-alike, from the Unicode confusables data shipped with confusable-homoglyphs."""
    out: dict[str, str] = {}
    try:
        from confusable_homoglyphs import confusables  # type: ignore[import-untyped]
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
    # a capital that passes for 'I' is an 'i' once case-folded (the confusables data gives 'l', the
    # prototype of I/l/1: Greek 'ΙNVEST' was 'lnvest', and Ukrainian 'І' did not fold like its small 'і')
    table.update(dict.fromkeys(map(ord, _CAPITAL_I), "i"))
    # Greek capital Upsilon as its small letter 'υ' folds ('u'), so that a Greek word folds alike in either
    # case; in a word mixed with Latin letters it is a 'Y' (SCRIPT_LOOKALIKES: "CRΥPTO")
    table[ord("\u03a5")] = "u"
    for char, target in _LATIN_UNDECOMPOSED.items():
        table.setdefault(ord(char), target)
        table.setdefault(ord(char.upper()), target)  # (casefold makes the capital small; fold both alike)
    for lo, hi in _SMALL_CAPITAL_BLOCKS:
        for code in range(lo, hi + 1):
            small = _SMALL_CAPITAL.fullmatch(unicodedata.name(chr(code), ""))
            if small and code not in table:
                table[code] = small.group(1).lower()
    # Greek with tonos or dialytika ('ό', 'ΐ', Greek Extended's breathings): its base letter, so that a lure
    # matches with or without accents (capitals are written without them); the base letter is then folded
    # like any other in normalize()'s second pass
    for code in (*range(0x0370, 0x0400), *range(0x1F00, 0x2000)):
        if code not in table:
            base = unicodedata.normalize("NFD", chr(code))
            if len(base) > 1 and "\u0370" <= base[0] <= "\u03ff" and all(unicodedata.combining(c) for c in base[1:]):
                table[code] = base[0]
    for lo, hi in _COMBINING_RANGES:
        for code in range(lo, hi + 1):
            if unicodedata.category(chr(code)) in ("Mn", "Me"):  # (enclosing marks have combining class 0)
                table.setdefault(code, None)
    for code in range(0x80, 0x10000):
        if _INVISIBLE.match(chr(code)):
            table[code] = None
    for lo, hi in _INVISIBLE_SUPPLEMENTARY:
        table.update(dict.fromkeys(range(lo, hi + 1)))
    return table


#: Greek and Cyrillic small letters that pass for Latin ones in a word otherwise written in Latin
#: ("кraken", "metamaѕк", "binanсe"), though Unicode's confusables data does not list them as such (it maps
#: 'к' to 'ĸ', and 'м', 'н', 'т' only look like small capitals): folded inside mixed-script words only, so
#: that Russian or Greek text keeps its letters.  Domains fold them everywhere (:data:`SCRIPT_LOOKALIKES`).
SCRIPT_LOOKALIKES = str.maketrans({
    "в": "b", "к": "k", "м": "m", "н": "h", "т": "t", "п": "n", "ь": "b", "ш": "w", "ѡ": "w",
    "ё": "e", "ѐ": "e", "ќ": "k", "κ": "k", "τ": "t", "ε": "e", "η": "n", "β": "b",
    "ω": "w", "χ": "x", "ά": "a", "έ": "e", "ί": "i", "ϊ": "i", "ό": "o", "ύ": "u", "ή": "n",
    "Υ": "y",  # (the one capital: the table folds it as its small letter, for Greek words)
})
_GREEK_CYRILLIC = "\u0370-\u03ff\u0400-\u052f"
#: A word (at most ~80 letters) in which an ASCII letter and a Greek/Cyrillic letter touch.  Anchored at
#: a word start with bounded repeats: constant work per word, linear in the text.
_MIXED_WORD = re.compile(
    rf"(?<![^\W\d_])[^\W\d_]{{0,40}}?(?:[A-Za-z][{_GREEK_CYRILLIC}]|[{_GREEK_CYRILLIC}][A-Za-z])"
    rf"[^\W\d_]{{0,40}}(?![^\W\d_])")


@cache
def _invisible_table() -> dict[int, None]:
    return {code: None for code, target in _fold_table().items() if target is None}


def _fold_mixed(m: re.Match[str]) -> str:
    return m.group(0).translate(SCRIPT_LOOKALIKES)  # (capitals are folded by the confusables table)


@cache
def _mixed_word_table() -> dict[int, str]:
    """``str.translate`` table: each Greek or Cyrillic letter to the Latin letter :func:`normalize` folds it to in
    a word mixed with Latin letters (the confusables, then :data:`SCRIPT_LOOKALIKES`), built once."""
    table: dict[int, str] = {}
    for code in range(0x0370, 0x0530):
        folded = normalize(chr(code))
        if len(folded) == 1 and folded.isascii() and folded.isalpha():
            table[code] = folded
    table.update({k: v for k, v in SCRIPT_LOOKALIKES.items() if isinstance(v, str)})
    return table


def _fold_mixed_fully(m: re.Match[str]) -> str:
    return m.group(0).translate(_mixed_word_table())


def fold_mixed_words(text: str) -> str:
    """``text`` with every Greek or Cyrillic letter of a word mixing them with Latin letters folded to the Latin
    letter :func:`normalize` reads it as ("hасkеd" -> "hacked"), and nothing else changed: Russian and Greek
    words keep their letters, case and accents are left as they are (one C-level translation per such word)."""
    return _MIXED_WORD.sub(_fold_mixed_fully, text)


def normalize(text: str) -> str:
    """Text as matched: NFKC, invisible characters removed, case-folded, look-alikes folded, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text)
    if text.isascii():
        text = text.casefold()
    else:
        # words mixing Latin with Greek/Cyrillic letters are look-alike spellings: every such letter is
        # folded in them (invisible characters first removed, or "к\u200braken" would be two words)
        text = _MIXED_WORD.sub(_fold_mixed, text.translate(_invisible_table()))
        # fold before and after case-folding: a capital look-alike (Greek 'Μ') may only be listed as
        # itself, and its lower case form ('μ') may not be a Latin look-alike at all
        table = _fold_table()
        text = text.translate(table).casefold()
        if not text.isascii():
            text = text.translate(table)
    shape = text.encode("ascii").translate(_ASCII_SHAPE) if text.isascii() else None
    if shape is None or _letters_separated_in(shape):
        text = _LETTER_SEPARATED.sub(_join_separated, text)
        shape = text.encode("ascii").translate(_ASCII_SHAPE) if shape is not None else None
    if shape is None or _letters_spaced_in(shape):
        text = _LETTER_SPACED.sub(_join_letters, text)
    # str.split() splits on the characters \s matches (both: Py_UNICODE_ISSPACE): runs become one space,
    # none at either end, as re.sub(r"\s+", " ", text).strip() did, at C speed (the regex made a piece a run)
    return collapse_spaces(text)


#: ``bytes.translate`` table making every ASCII whitespace character of ``str.split()`` a space.
_ASCII_SPACES = bytes(0x20 if chr(b) in " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f" else b for b in range(256))


def collapse_spaces(text: str) -> str:
    """``" ".join(text.split())``: whitespace runs made one space, none at either end.

    ASCII text has its whitespace made spaces by ``bytes.translate``, and runs of spaces halved by a few
    ``replace`` passes (a double space after a full stop is one pass): a tenth of splitting 80 KB into
    13,000 strings and joining them; a text with longer runs is split as before."""
    if not text.isascii():
        return " ".join(text.split())
    flat = text.encode("ascii").translate(_ASCII_SPACES)
    for _ in range(COLLAPSE_PASSES):
        if b"  " not in flat:
            return flat.strip(b" ").decode("ascii")
        flat = flat.replace(b"  ", b" ")
    return " ".join(text.split())


#: ``replace`` passes of :func:`collapse_spaces` (each halves every run of spaces: runs of up to 64 take six)
#: before it splits the text instead.  Indented text (a rendered HTML page, a licence, a signature block) has
#: runs of 10-40 spaces: three passes left them to the split, which costs twice the passes (0.45 ms per 80 KB);
#: a pass over a text already halved is cheaper than the first, so six stay under the split at any length.
COLLAPSE_PASSES = 6


#: Words written letter by letter to dodge filters ("a i r d r o p", "G o o g l e"): 4+ single letters.
_LETTER_SPACED = re.compile(r"(?<!\S)(?:[^\W\d_] ){3,}[^\W\d_](?!\S)")
#: ASCII text with each letter made "a", space kept, anything else "." (``bytes.translate``): a text without
#: "a a a a" in that shape has nothing _LETTER_SPACED can match (its letters are ASCII letters there), and
#: the check costs a tenth of the regex, which tries its lookbehind at every position.
_ASCII_SHAPE = bytes(ord("a") if chr(b).isascii() and chr(b).isalpha() else b if b == 0x20 else ord(".")
                     for b in range(256))
_ASCII_LETTERS_SPACED = b"a a a a"
#: ``_ASCII_LETTERS_SPACED in shape``, by ``re``'s literal search: a shape is nearly all "a" and " ", where
#: ``bytes.__contains__`` compares at almost every position (0.17 ms per 80 KB) and re's prefix table
#: skips (0.07 ms); the same answer (tests/test_text_speed_equivalence.py).
_LETTERS_SPACED_IN_SHAPE = re.compile(re.escape(_ASCII_LETTERS_SPACED)).search
#: A middle of :data:`_ASCII_LETTERS_SPACED` (two one-letter words): held by every shape that holds it.  Its
#: spaces are rarer in a shape than its letters, so ``in`` skips further (0.04 ms per 80 KB, against 0.11 ms for
#: the whole needle's search, which only runs where this is found: a text of one-letter words, rare in prose).
_ASCII_LETTERS_SPACED_MIDDLE = _ASCII_LETTERS_SPACED[1:-1]


def _letters_spaced_in(shape: bytes) -> bool:
    """``_ASCII_LETTERS_SPACED in shape`` (tests/test_text_speed_equivalence.py), the middle looked for first."""
    return _ASCII_LETTERS_SPACED_MIDDLE in shape and _LETTERS_SPACED_IN_SHAPE(shape) is not None


def _join_letters(m: re.Match[str]) -> str:
    return m.group(0).replace(" ", "")


#: Words written letter by letter with one separator ("s.e.e.d", "w-a-l-l-e-t", "k_e_y_s", "s·e·e·d"): 4+
#: single letters, the same separator between each (a trailing one allowed), the word standing alone
#: (after a space, a bracket or a quote; before at most 3 punctuation marks and a space or the end), so that
#: a host name ("a.b.c.d.example") or a path is not joined.  Abbreviations of 3 letters ("u.s.a.") stay.
#: One pass, each match attempt bounded by its run: linear in the text.
_LETTER_SEPARATED = re.compile(
    r"(?<![^\s(\[\"'\u00ab\u201c\u2018])"  # alone: after a space, a bracket, a quote or the start
    r"[^\W\d_]([.\-_*~\u00b7\u2022\u2027\u2219\u22c5\u2010\u2011\u30fb])(?:[^\W\d_]\1){2,}[^\W\d_]\1?"
    r"(?=[.,;:!?)\]\"'\u00bb\u201d\u2019]{0,3}(?:\s|$))")
#: What a letter-separated word looks like in :data:`_ASCII_SHAPE` (a necessary condition, at C speed).
_ASCII_LETTERS_SEPARATED = b"a.a.a.a"
#: ``_ASCII_LETTERS_SEPARATED in shape``, by re's literal search (see :data:`_LETTERS_SPACED_IN_SHAPE`).
_LETTERS_SEPARATED_IN_SHAPE = re.compile(re.escape(_ASCII_LETTERS_SEPARATED)).search
#: Its middle, looked for first (see :data:`_ASCII_LETTERS_SPACED_MIDDLE`: 0.02-0.03 ms per 80 KB against 0.1 ms).
_ASCII_LETTERS_SEPARATED_MIDDLE = _ASCII_LETTERS_SEPARATED[1:-1]


def _letters_separated_in(shape: bytes) -> bool:
    """``_ASCII_LETTERS_SEPARATED in shape``, the middle looked for first."""
    return _ASCII_LETTERS_SEPARATED_MIDDLE in shape and _LETTERS_SEPARATED_IN_SHAPE(shape) is not None


def _join_separated(m: re.Match[str]) -> str:
    return m.group(0).replace(m.group(1), "")


def normalized(ctx: AnalysisContext | None, text: str) -> str:
    """:func:`normalize` once per text per message (``ctx.memo``), bounded to MAX_TEXT characters."""
    text = text[:MAX_TEXT]
    if ctx is None:
        return normalize(text)
    memo: dict[str, str] = ctx.memo.setdefault(MEMO_KEY, {}).setdefault("norm", {})
    cached = memo.get(text)
    if cached is None:
        cached = memo[text] = normalize(text)
    return cached


def normalized_join(ctx: AnalysisContext | None, *parts: str) -> str:
    """Several texts normalised (each once per message) and joined by a space.

    The joined text is remembered too (``ctx.memo``), so the text analyzers asking for the same parts
    share one string object: its hash is computed once for the matchers' caches, not per analyzer."""
    if ctx is None:
        return " ".join(n for n in (normalize(p[:MAX_TEXT]) for p in parts if p) if n)
    memo: dict[tuple[str, ...], str] = ctx.memo.setdefault(MEMO_KEY, {}).setdefault("join", {})
    joined = memo.get(parts)
    if joined is None:
        norms = [n for n in (normalized(ctx, p) for p in parts if p) if n]
        joined = memo[parts] = " ".join(norms)
        if len(norms) > 1:
            _remember_join(joined, " ".join(norms[:-1]), norms[-1], len(norms[-1]) >= SPLIT_JOIN_MIN)
    return joined


#: A joined text whose last part (the body) is this long is split by :func:`split_join`, so that what is a pure
#: function of each part is computed on the parts.
SPLIT_JOIN_MIN = 2048
#: Joined texts remembered (the last few messages'; a message joins several sets of parts).
SPLIT_JOINS = 16
#: joined text -> (head, last part, split: whether :func:`split_join` gives it)
_JOINS: dict[str, tuple[str, str, bool]] = {}
_JOINS_LOCK = threading.Lock()


def _remember_join(joined: str, head: str, body: str, split: bool = True) -> None:
    """Remember that ``joined`` is ``head + " " + body`` (both normalised: no space at either end); ``split``:
    :func:`split_join` gives it (:func:`join_parts` gives every one).

    A campaign's copies have one body and each its own Subject and recipient: the joined text is new per
    copy, and every memo keyed by it missed, but the tokens (:func:`_tokens`, :func:`token_set`,
    :func:`_leet_changes`) and the needles a text holds (:class:`_NeedleSets`) of ``head + " " + body``
    follow from the parts' (see :func:`split_join`): the body's are remembered by the body."""
    with _JOINS_LOCK:
        known = _JOINS.pop(joined, None)
        _JOINS[joined] = (head, body, split or (known is not None and known[2]))
        while len(_JOINS) > SPLIT_JOINS:
            del _JOINS[next(iter(_JOINS))]


def remember_join(joined: str, head: str, body: str) -> None:
    """:func:`_remember_join` for a caller that knows ``joined == head + " " + body`` (both normalised, no space
    at either end), whatever the body's length: the needles of ``joined`` are then the parts' (the body's
    remembered by the body)."""
    if split_join(joined) is None:
        _remember_join(joined, head, body)


def _known_join(text: str, split_only: bool) -> tuple[str, str] | None:
    known = _JOINS.get(text)
    if known is None or (split_only and not known[2]) or len(known[0]) + 1 + len(known[1]) != len(text):
        return None  # (an equal text is the same join)
    return known[0], known[1]


def split_join(text: str) -> tuple[str, str] | None:
    """``(head, body)`` when ``text`` is a joined text remembered by :func:`normalized_join` with a body of
    :data:`SPLIT_JOIN_MIN` or more, or by :func:`remember_join` (``text == head + " " + body``), else None."""
    return _known_join(text, True)


def join_parts(text: str) -> tuple[str, str] | None:
    """``(head, body)`` when ``text`` is a text :func:`normalized_join` joined of several parts (``text == head +
    " " + body``, ``body`` the last part), whatever their length, else None.  The lure matcher's body memo
    (lures._match_norm) reads it: a campaign's copies have one body and each its own Subject."""
    return _known_join(text, False)


#: A forwarded or quoted message: a forwarding separator in the text or a forward prefix on the Subject.
_FORWARDED = re.compile(r"-{2,}\s*(?:forwarded message|original message|weitergeleitete nachricht|message transféré)"
                        r"|^(?:fwd?|wg|tr)\s*:", re.IGNORECASE | re.MULTILINE)
FORWARD_SCAN_CHARS = 100_000


def is_forwarded(subject: str, body: str) -> bool:
    """Does the mail forward another one (someone passing on a receipt or a brand's notice)?"""
    return bool(_FORWARDED.search(f"{subject}\n{body[:FORWARD_SCAN_CHARS]}"))


# ---------------------------------------------------------------------------- phrase matching


_TOKEN = re.compile(r"[0-9a-z]+")
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
        #: the most tokens of one phrase (how far a changed token can change a match, see _rescan_folded)
        self.span = max((len(seq) for seqs in self.first.values() for seq, _idx in seqs), default=1)
        # ``first`` split for the scan: a first token's phrases of several tokens by their second token (in
        # their order: the longest first), and its first one-token phrase (tried last, as in ``first``)
        self._by_second: dict[str, dict[str, list[tuple[tuple[str, ...], int]]]] = {}
        self._single: dict[str, int] = {}
        for tok, seqs in self.first.items():
            for seq, idx in seqs:
                if len(seq) > 1:
                    self._by_second.setdefault(tok, {}).setdefault(seq[1], []).append((seq, idx))
                else:
                    self._single.setdefault(tok, idx)
        #: the ``re:`` phrases' required words, found in one pass before any of them is searched (shared with the
        #: other gates of normalised text)
        self.gate = RegexGate([rx for rx, _idx in self.regexes], shared=True)
        #: each ``re:`` phrase's index in the gate (an int set lookup per phrase, where a Pattern in a set of
        #: Patterns is hashed over its compiled code at every lookup: 140 of them cost 50 us per text)
        self._gated = [self.gate.index_of(rx) for rx, _idx in self.regexes]
        #: each ``re:`` phrase's match-start strings (:func:`match_prefixes`): searched only where they occur
        self._prefixes = [match_prefixes(rx) for rx, _idx in self.regexes]
        #: gate number -> the positions in :attr:`regexes` of the phrases it stands for
        self._by_gate: dict[int, list[int]] = {}
        for k, gated in enumerate(self._gated):
            self._by_gate.setdefault(gated, []).append(k)
        self._searched_memo: dict[frozenset[int], list[int]] = {}
        #: each ``re:`` phrase's reach before its match (:func:`lookbehind_reach`; None: not known)
        self._reaches = [lookbehind_reach(rx) for rx, _idx in self.regexes]
        #: body -> ``re:`` phrase position -> its leftmost match in the body from its reach on (:meth:`find_parts`)
        self._body_memo: OrderedDict[str, dict[int, str | None]] = OrderedDict()

    @property
    def needle_finder(self) -> Any:
        """The gate's Aho-Corasick automaton (None when no phrase has a known required word)."""
        return self.gate.finder

    def _add(self, tokens: tuple[str, ...], idx: int) -> None:
        self.first.setdefault(tokens[0], []).append((tokens, idx))

    def _scan_tokens(self, tokens: tuple[str, ...], found: dict[int, str],
                     matches: tuple[list[int], list[int]] | None = None) -> None:
        """The phrases of ``tokens`` into ``found``, left to right, the longest at each position consuming its
        tokens; ``matches``: where each match starts and ends (its last token), appended in order."""
        by_second, single = self._by_second, self._single
        last = len(tokens) - 1
        consumed = -1  # tokens up to this index belong to an earlier (longer) match
        # the candidates (tokens that start a phrase) in one C-speed pass: map and compress iterate in C
        for j in compress(range(len(tokens)), map(self.first.__contains__, tokens)):
            if j <= consumed:
                continue
            tok = tokens[j]
            # the phrases of ``first[tok]`` in their order, but only those whose second token follows
            seqs = by_second[tok].get(tokens[j + 1]) if j < last and tok in by_second else None
            for seq, idx in seqs or ():
                k = len(seq)
                if tokens[j:j + k] == seq:
                    found.setdefault(idx, " ".join(seq))
                    consumed = j + k - 1
                    break
            else:
                if tok not in single:
                    continue
                found.setdefault(single[tok], tok)
                consumed = j
            if matches is not None:
                matches[0].append(j)
                matches[1].append(consumed)

    def _rescan_folded(self, tokens: tuple[str, ...], changed: dict[int, str],
                       matches: tuple[list[int], list[int]], found: dict[int, str]) -> None:
        """:meth:`_scan_tokens` of the leet-folded tokens (``tokens`` with ``changed`` put in), into ``found``,
        looking only where that pass can differ from the first one (whose ``matches`` are given).

        The scan's decision at a position depends on the next :attr:`span` tokens only, and its state is the
        last token consumed: where no changed token is in reach and both passes have consumed nothing from
        the position on, the folded pass does what the first pass did (``found.setdefault`` of a phrase
        already found), so it is skipped up to the next changed token's reach.  The same matches, in the
        same order, as scanning every folded token."""
        first, span, n = self.first, self.span, len(tokens)
        starts, ends = matches
        positions = sorted(changed)

        def first_pass_consumed(j: int) -> int:  # the first pass's state on reaching j
            k = bisect_left(starts, j)
            return ends[k - 1] if k else -1

        p = 0  # positions[p]: the next changed token not behind j
        j = 0
        consumed = -1
        while p < len(positions):
            lo = max(j, positions[p] - span + 1)
            if lo > j:  # skipped a stretch where both passes agree: the folded pass's state is the first's
                consumed = first_pass_consumed(lo)
            j = lo
            while j < n:
                while p < len(positions) and positions[p] < j:
                    p += 1
                if (p == len(positions) or positions[p] >= j + span) and j > consumed \
                        and j > first_pass_consumed(j):
                    break  # no change in reach and nothing consumed ahead by either pass: in step again
                tok = changed.get(j, tokens[j])
                if j > consumed and tok in first:
                    for seq, idx in first[tok]:
                        k = len(seq)
                        if k == 1 or tuple(changed.get(i, tokens[i]) for i in range(j, min(j + k, n))) == seq:
                            found.setdefault(idx, " ".join(seq))
                            consumed = j + k - 1
                            break
                j += 1
            if j >= n:
                break

    def find(self, norm: str) -> dict[int, str]:
        """Phrase index -> the text that matched, for every phrase in normalised ``norm`` (do not mutate:
        results are shared while the same text is looked at again)."""
        return _find(self, norm)

    def find_parts(self, norm: str, head: str, body: str) -> dict[int, str]:
        """:meth:`find` of ``norm == head + " " + body`` (a dict of its own), the ``re:`` phrases' searches on the body
        remembered by the body (:attr:`_body_memo`, the last :data:`BODY_MEMO` bodies): a campaign's copies share
        it and each has its own Subject.

        The leftmost match of a phrase in ``norm`` is one that starts before ``len(head) + 1 + reach``
        (``reach``: how far before its start a match looks, :func:`lookbehind_reach`), found by trying there,
        or else the body's leftmost from ``reach`` on: a match starting there reads what follows it (the same
        text in both) and at most ``reach`` characters before it (the body's own).  Phrases whose reach or start
        strings are not known, and texts with Hangul or other scripts in them, are searched on ``norm`` as
        :meth:`find` does."""
        if not self.regexes or not norm.isascii():
            return dict(self.find(norm))
        found: dict[int, str] = {}
        self._find_tokens(norm, found)
        with _BODY_MEMO_LOCK:
            memo = self._body_memo.get(body)
            if memo is not None:
                self._body_memo.move_to_end(body)
            else:
                memo = self._body_memo[body] = {}
                while len(self._body_memo) > BODY_MEMO:
                    self._body_memo.popitem(last=False)
        off = len(head) + 1
        regexes, prefixes, reaches = self.regexes, self._prefixes, self._reaches
        body_allowed: frozenset[int] | None = None
        for k in self._searched(self.gate.allowed_indexes(norm)):
            rx, idx = regexes[k]
            p, reach = prefixes[k], reaches[k]
            if reach is None or p is None:  # (without start strings a search of the whole text costs no more)
                m = rx.search(norm) if p is None else prefixed_search(rx, p, norm)
                if m:
                    found.setdefault(idx, m.group(0))
                continue
            m = prefixed_search(rx, p, norm, before=off + reach)
            if m:
                found.setdefault(idx, m.group(0))
                continue
            if k not in memo:
                if body_allowed is None:
                    body_allowed = self.gate.allowed_indexes(body)
                mb = None
                if self._gated[k] in body_allowed:  # (a match from ``reach`` on is a match in the body)
                    mb = prefixed_search(rx, p, body, reach)
                memo[k] = mb.group(0) if mb else None
            got = memo[k]
            if got is not None:
                found.setdefault(idx, got)
        return found

    def _find(self, norm: str) -> dict[int, str]:
        found: dict[int, str] = {}
        self._find_tokens(norm, found)
        if self.hangul and not norm.isascii() and _HANGUL.search(norm):  # (ASCII text: no scan for Hangul)
            compact = _compact_hangul(norm)
            for phrase, idx in self.hangul:
                if phrase in compact:
                    found.setdefault(idx, phrase)
                    compact = compact.replace(phrase, "|")
        if self.regexes:
            # only the phrases whose gate lets them (the others' searches would find nothing: none of the
            # strings every match holds), in the list's order, as when each was checked in turn
            regexes, prefixes = self.regexes, self._prefixes
            for k in self._searched(self.gate.allowed_indexes(norm)):
                rx, idx = regexes[k]
                p = prefixes[k]
                m = rx.search(norm) if p is None else prefixed_search(rx, p, norm)
                if m:
                    found.setdefault(idx, m.group(0))
        return found

    def _find_tokens(self, norm: str, found: dict[int, str]) -> None:
        """The token phrases of ``norm`` into ``found`` (the first part of :meth:`_find`)."""
        if self.first:
            tokens = _tokens(norm)
            changed = _leet_changes(norm)
            matches: tuple[list[int], list[int]] = ([], [])
            self._scan_tokens(tokens, found, matches if changed else None)
            if changed:  # leetspeak (w4ll3t): the tokens mixing letters and digits folded, a second pass
                if len(changed) * DENSE_LEET > len(tokens):  # nearly every token: one whole pass is quicker
                    folded = list(tokens)
                    for i, tok in changed.items():
                        folded[i] = tok
                    self._scan_tokens(tuple(folded), found)
                else:
                    self._rescan_folded(tokens, changed, matches, found)

    def _searched(self, allowed: frozenset[int]) -> list[int]:
        """The positions in :attr:`regexes` of the phrases whose gate number is in ``allowed``, in order
        (remembered per allowed set: the gate's own memo hands out one object per needle set)."""
        out = self._searched_memo.get(allowed)
        if out is None:
            by_gate = self._by_gate
            out = _bounded_put(self._searched_memo, allowed, sorted(k for g in allowed for k in by_gate.get(g, ())))
        return out


#: A folded second pass over every token once more than one token in this many changes.
DENSE_LEET = 4
#: Bodies whose ``re:`` phrase searches a matcher remembers (:meth:`PhraseMatcher.find_parts`).
BODY_MEMO = 8
_BODY_MEMO_LOCK = threading.Lock()  # (one for all matchers: a matcher is pickled, a lock cannot be)


def lookbehind_reach(rx: re.Pattern[str]) -> int | None:
    """How many characters before a match's start ``rx`` may look at: 1 (a word boundary, a line start) plus the
    widths of all its lookbehinds (nested ones included); None when that is not known (a pattern this module
    cannot parse, a lookbehind of unbounded width)."""
    tree = _parse(rx)
    if tree is None:
        return None
    sre = _sre()
    from re import _parser  # type: ignore[attr-defined]

    reach = 1
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, _parser.SubPattern):
            for op, av in node.data:
                if op in (sre.ASSERT, sre.ASSERT_NOT) and av[0] < 0:
                    width = av[1].getwidth()[1]
                    if width >= sre.MAXREPEAT or width > 1000:
                        return None
                    reach += width
                stack.append(av)
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return reach


def needle_finder(needle_sets: Sequence[frozenset[str] | None]) -> Any:
    """An Aho-Corasick automaton over every string of ``needle_sets`` (None when there is none):
    ``{w for _end, w in finder.iter(text)}`` is the set of them present in ``text``, in one pass."""
    words = {w for needles in needle_sets if needles for w in needles}
    if not words:
        return None
    finder = ahocorasick.Automaton()
    for w in sorted(words):
        finder.add_word(w, w)
    finder.make_automaton()
    return finder


#: Texts at least this long have their needles found in one pass shared by every shared gate
#: (:class:`_SharedNeedles`); shorter ones by each gate's own automaton.
SHARED_PASS_MIN = 512
#: Needle sets whose allowed patterns a gate remembers (:meth:`RegexGate.allowed_indexes`).
ALLOWED_MEMO = 32


def _bounded_put(memo: dict[Any, Any], key: Any, value: Any, limit: int = ALLOWED_MEMO) -> Any:
    """``memo[key] = value``, the oldest entry dropped past ``limit``; returns ``value``."""
    memo[key] = value
    if len(memo) > limit:
        try:
            del memo[next(iter(memo))]
        except (KeyError, RuntimeError, StopIteration):  # (another thread's eviction first)
            pass
    return value


class RegexGate:
    """Regular expressions that are searched only where the strings every match contains are present.

    ``gate.open(text)`` finds, in one pass, which of the patterns' required strings
    (:func:`required_terms`) the text holds; the returned function says whether a pattern could
    match at all: a long text that holds none of a vocabulary's words skips its search (a 13-language
    stem alternation costs 2-5 ms per 80 KB of text to find nothing), and a pattern that needs two
    words (``(?:get|claim)\\s(?:btc|eth)``) is skipped where only one of them is.  Patterns with no
    known required strings are always searched.

    A ``shared`` gate finds a long text's needles in one pass with the other shared gates (the phrase
    lists', the disclaimers', the seed requests', which all read the same normalised text: one Aho-Corasick
    pass costs ~0.5-1 ms per 80 KB, whatever it finds), see :class:`_SharedNeedles`; the result is the
    same as the gate's own pass.  Single-character needles are looked for with ``in`` (:class:`_NeedleSets`).
    """

    def __init__(self, patterns: Sequence[re.Pattern[str]], shared: bool = False) -> None:
        self._terms: dict[re.Pattern[str], list[list[frozenset[str]]] | None] = {}
        for rx in patterns:
            self._terms[rx] = required_terms(rx)
        #: every required string of the patterns (what the needle pass looks for)
        self.needles: frozenset[str] = frozenset(w for terms in self._terms.values() if terms
                                                 for conj in terms for needles in conj for w in needles)
        # the patterns by number (equal patterns are one): looked up by int, not by hashing a Pattern
        self._patterns: tuple[re.Pattern[str], ...] = tuple(self._terms)
        self._index: dict[re.Pattern[str], int] = {rx: i for i, rx in enumerate(self._patterns)}
        self._held = tuple(patterns)  # (kept: the ids below stay theirs)
        self._ids: dict[int, int] = {id(rx): self._index[rx] for rx in self._held}
        self._dnf = [self._terms[rx] for rx in self._patterns]
        #: each required string -> the patterns that name it (so a text is checked only against the
        #: patterns one of its words could open, not against every pattern of the gate)
        self._by_needle: dict[str, list[int]] = {}
        self._always: frozenset[int] = frozenset(i for i, terms in enumerate(self._dnf) if terms is None)
        for i, terms in enumerate(self._dnf):
            for w in {w for conj in terms or () for needles in conj for w in needles}:
                self._by_needle.setdefault(w, []).append(i)
        self._sets = _NeedleSets(set(self.needles)) if self.needles else None
        self.shared = shared and self._sets is not None
        self._checked: _NeedleSets | None = None  # the shared snapshot known to hold the needles
        self._allowed_memo: dict[frozenset[str], frozenset[int]] = {}
        if self.shared:
            _SHARED.add(self)

    @cached_property
    def finder(self) -> Any:
        """An Aho-Corasick automaton over :attr:`needles` (None when there is none); the gate's passes use its
        :class:`_NeedleSets` (single characters apart, an ASCII automaton), built on first use."""
        return needle_finder([self.needles])

    def index_of(self, rx: re.Pattern[str]) -> int:
        """The number :meth:`allowed_indexes` gives pattern ``rx`` of this gate (-1: not of this gate)."""
        i = self._ids.get(id(rx))  # (the gate holds its patterns: an id it knows is that pattern's)
        return i if i is not None else self._index.get(rx, -1)

    def present(self, text: str) -> frozenset[str]:
        """The gate's needles that ``text`` holds."""
        if self._sets is None:
            return frozenset()
        if self.shared and len(text) >= SHARED_PASS_MIN:
            snap = _SHARED.snapshot()
            if snap is not self._checked:  # (once per snapshot: a copied gate was never registered)
                if not self.needles <= snap.words:
                    _SHARED.add(self)
                    snap = _SHARED.snapshot()
                self._checked = snap
            return _shared_present(snap, text) & self.needles
        return self._sets.present(text)

    def allowed_indexes(self, text: str) -> frozenset[int]:
        """The numbers (:meth:`index_of`) of the gate's patterns that could match ``text`` (a function of the
        needles it holds: remembered for the last few needle sets, which a campaign's copies share)."""
        present = self.present(text)
        out = self._allowed_memo.get(present)
        if out is None:
            out = _bounded_put(self._allowed_memo, present, self._allowed(present))
        return out

    def _allowed(self, present: frozenset[str]) -> frozenset[int]:
        out = set(self._always)
        dnfs = self._dnf
        for i in {i for w in present for i in self._by_needle[w]}:
            dnf = dnfs[i]
            if dnf is not None and any(all(not n.isdisjoint(present) for n in conj) for conj in dnf):
                out.add(i)
        return frozenset(out)

    def allowed(self, text: str) -> set[re.Pattern[str]]:
        """The gate's patterns that could match ``text`` (those with no known required strings included)."""
        patterns = self._patterns
        return {patterns[i] for i in self.allowed_indexes(text)}

    def open(self, text: str) -> Callable[[re.Pattern[str]], bool]:
        """``may_match(rx)``: whether ``rx`` could match ``text`` (a pattern not of this gate: always)."""
        allowed = self.allowed_indexes(text)
        ids, index = self._ids, self._index

        def may_match(rx: re.Pattern[str]) -> bool:
            i = ids.get(id(rx))
            if i is None:
                i = index.get(rx)  # an equal pattern compiled apart (rare): hashed
                if i is None:
                    return True
            return i in allowed

        return may_match


class _NeedleSets:
    """Needles found in a text in one pass (a gate's own, or the shared gates' in :class:`_SharedNeedles`).

    Single characters are looked for with ``in`` (a C ``memchr``: "i" or "$" would be thousands of hits of
    the automaton in 80 KB of prose); an ASCII text is searched only for the ASCII needles (a smaller
    automaton: the others cannot be in it); a long text's repeated sentences are walked once
    (:func:`distinct_sentences`)."""

    def __init__(self, words: set[str]) -> None:
        self.words = frozenset(words)
        # single characters, and needles holding the sentence separator (see distinct_sentences), by ``in``
        longer = {w for w in words if len(w) > 1 and SENTENCE_SEP not in w}
        self.by_in = tuple(sorted(w for w in words if len(w) == 1 or SENTENCE_SEP in w))
        self.ascii_by_in = tuple(c for c in self.by_in if c.isascii())
        self.finder = needle_finder([frozenset(longer)])
        self.ascii_finder = needle_finder([frozenset(w for w in longer if w.isascii())])
        #: the longest needle's length (how far past the joining space a needle of a joined text reaches)
        self.longest = max(map(len, words), default=1)

    def present(self, text: str) -> frozenset[str]:
        split = split_join(text)
        if split is not None:
            return self._present_split(*split)
        return self._present(text)

    def _present_split(self, head: str, body: str) -> frozenset[str]:
        """:meth:`present` of ``head + " " + body``: a needle is in it where it is in the head, in the body, or
        across the space, within the head's last and the body's first ``longest - 1`` characters (the body's
        needles remembered by the body: :func:`_shared_present`)."""
        reach = self.longest - 1
        seam = f"{head[-reach:] if reach else ''} {body[:reach]}"
        return self._present(head) | _body_present(self, body) | self._present(seam)

    def _present(self, text: str) -> frozenset[str]:
        ascii_text = text.isascii()
        finder = self.ascii_finder if ascii_text else self.finder
        found = set(map(_second, finder.iter(distinct_sentences(text)))) if finder is not None else set()
        found.update(c for c in (self.ascii_by_in if ascii_text else self.by_in) if c in text)
        return frozenset(found)


_second = itemgetter(1)

#: What a long text is cut at before a needle pass (:func:`distinct_sentences`): it cannot overlap itself.
SENTENCE_SEP = ". "
#: Texts shorter than this are passed whole; a cut that keeps more than 7/8 of a text is not used.
DISTINCT_MIN = 4096


def distinct_sentences(text: str) -> str:
    """:func:`cut_repeated_sentences` of ``text``, remembered for the last few texts: the needle pass
    (:class:`_NeedleSets`) and :func:`token_set` read the same normalised text."""
    return _distinct_sentences(text, DISTINCT_MIN)


@lru_cache(maxsize=4)
def _distinct_sentences(text: str, minimum: int) -> str:
    return cut_repeated_sentences(text, minimum)


def was_cut(text: str, cut: str) -> bool:
    """Is ``cut`` (:func:`distinct_sentences` of ``text``) shorter than the text?  A cut drops a repeated
    piece and its separator, so a text that was not cut has its own length (asked by length, not identity:
    the remembered result of an equal text is another string object)."""
    return len(cut) != len(text)


def cut_repeated_sentences(text: str, minimum: int = DISTINCT_MIN) -> str:
    """``text`` with each repeated sentence kept once: the pieces between :data:`SENTENCE_SEP` joined by it,
    the first and the last piece where they were and each piece between them once (in any order).

    It holds exactly the strings without ``SENTENCE_SEP`` that ``text`` holds: the separator cannot overlap
    itself, so such a string stands within one piece and the ends of the separators around it, and every
    piece between the first and the last has a separator on both sides in both texts (the first only after
    it, the last only before it).  The needle pass (~1 ms per 80 KB, the automaton walk itself) then reads
    a text made of one paragraph repeated (a template, a signature, filler) once; in prose without repeats
    the cut costs ~0.1 ms per 80 KB and is dropped.  Texts shorter than ``minimum`` are passed whole."""
    if len(text) < minimum:
        return text
    pieces = text.split(SENTENCE_SEP)
    if len(pieces) < 4:
        return text
    middle = set(pieces[1:-1])
    if len(middle) * 8 > (len(pieces) - 2) * 7:  # (a rough count: pieces, not characters)
        return text
    return SENTENCE_SEP.join([pieces[0], *middle, pieces[-1]])


class _SharedNeedles:
    """The needles of the shared gates, searched once per long text for all of them (memoised per text).

    A message's normalised text is gated by the lure list, the disclaimers, the seed requests ...: each
    gate's own pass read it again (0.8 ms per 80 KB each); one pass over the union, remembered for the last
    texts, gives each gate its present needles by a set intersection.  Only gates that read the same texts
    should share (a vocabulary of short words searched on another text would add its hits to every pass).
    Gates register when built (weakly: a reloaded list's old gate leaves at the next snapshot); a new gate
    makes a new snapshot."""

    def __init__(self) -> None:
        self._gates: weakref.WeakSet[RegexGate] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._snapshot: _NeedleSets | None = None

    def add(self, gate: RegexGate) -> None:
        with self._lock:
            self._gates.add(gate)
            self._snapshot = None

    def snapshot(self) -> _NeedleSets:
        snap = self._snapshot
        if snap is None:
            with self._lock:
                snap = self._snapshot
                if snap is None:
                    words: set[str] = set()
                    for gate in list(self._gates):
                        words.update(gate.needles)
                    snap = self._snapshot = _NeedleSets(words)
        return snap

_SHARED = _SharedNeedles()


@lru_cache(maxsize=8)
def _shared_present(needles: _NeedleSets, text: str) -> frozenset[str]:
    return needles.present(text)


#: The parts of a joined text (:func:`split_join`) that are its body: remembered by the body, apart from
#: the joined texts' memos (each copy of a campaign brings a new joined text, and the same body).
@lru_cache(maxsize=8)
def _body_present(needles: _NeedleSets, body: str) -> frozenset[str]:
    return needles.present(body)


class _Unknown(Exception):
    """A pattern :func:`required_substrings` cannot reason about (case-insensitive, conditional)."""


def required_substrings(rx: re.Pattern[str]) -> frozenset[str] | None:
    """Strings one of which every match of ``rx`` contains, or None when no such set is known.

    A phrase list's regular expressions are searched on every message's text, and Python's ``re``
    tries each one at every position (~25 us per pattern on 2 KB of text, 50 patterns): checking
    first, at C speed, that the text holds one of the words a pattern cannot match without
    (``(?<![a-z])(?:gains|profits)\\s(?:daily)`` needs "gains" or "profits"; "daily" would do too,
    the longest choice is kept) skips the search where it cannot succeed; the result is the same.
    Read from the parsed pattern: a literal run, a group, a branch (the union of its branches' sets,
    unknown if one is), a repeat of at least one, a class of a few literal characters (``[$€£]``);
    lookarounds, other classes and optional parts give nothing.  Case-insensitive or conditional
    patterns give None: they are always searched.
    """
    tree = _parse(rx)
    if tree is None:
        return None
    try:
        return _best(_choices(tree.data, _sre()))
    except _Unknown:
        return None


def required_terms(rx: re.Pattern[str]) -> list[list[frozenset[str]]] | None:
    """What every match of ``rx`` contains, as alternatives of conjunctions: a match holds, for one of the
    returned lists, a string of each of its sets (None when nothing is known).

    :func:`required_substrings` keeps one set per pattern; here a pattern made of several parts keeps
    each distinctive part (``(?:get|claim)\\s(?:btc|eth)``: a verb AND a coin), and a pattern that is an
    alternation at its top keeps each alternative's parts (``never ... phrase|nunca ... frase``).  Parts
    whose strings are shorter than :data:`MIN_EXTRA_TERM` are left out (they are in nearly every text and
    cost a hit each in the needle pass) unless they are an alternative's only known part.
    """
    tree = _parse(rx)
    if tree is None:
        return None
    sre = _sre()
    try:
        items = list(tree.data)
        if len(items) == 1 and items[0][0] is sre.BRANCH:
            alternatives = [sub.data for sub in items[0][1][1]]
        else:
            alternatives = [items]
        out: list[list[frozenset[str]]] = []
        for alt in alternatives:
            choices = _choices(alt, sre)
            best = _best(choices)
            if best is None:
                return None  # one alternative with nothing known: the pattern may match anywhere
            out.append([best, *(c for c in choices if c != best and min(map(len, c)) >= MIN_EXTRA_TERM)])
        return out
    except _Unknown:
        return None


def match_prefixes(rx: re.Pattern[str]) -> frozenset[str] | None:
    """Strings one of which every match of ``rx`` starts with (None when that is not known): a match can
    only start where one of them occurs, see :func:`prefixed_search`.

    Read from the parsed pattern like :func:`required_terms`: leading zero-width parts (lookarounds,
    ``\\b``, ``^``) are passed over; then a literal run, a group, a branch (every branch must give strings),
    a repeat of at least one (an optional part: its strings and those of what follows), or a class of at
    most :data:`MAX_CLASS_CHARS` literal characters gives the strings; anything else (``\\d``, an
    optional end, a case-insensitive group) gives None.  Strings that start with another of the set are
    dropped (the shorter one's occurrences hold theirs)."""
    tree = _parse(rx)
    if tree is None:
        return None
    found = _prefixes(tree.data, _sre())
    if not found or not all(found):
        return None
    return frozenset(p for p in found if not any(q != p and p.startswith(q) for q in found))


def _prefixes(items: Sequence[tuple[Any, Any]], sre: Any) -> frozenset[str] | None:
    """The strings one of which every match of a parsed sequence starts with, or None."""
    items = list(items)
    for k, (op, av) in enumerate(items):
        if op in (sre.ASSERT, sre.ASSERT_NOT, sre.AT):  # zero-width: the match starts at what follows
            continue
        if op is sre.LITERAL:
            run = []
            for op2, av2 in items[k:]:
                if op2 is not sre.LITERAL:
                    break
                run.append(chr(av2))
            return frozenset(("".join(run),))
        if op is sre.SUBPATTERN:
            if av[1] & re.IGNORECASE:  # (group, add_flags, del_flags, pattern)
                return None
            return _prefixes(av[3].data, sre)
        if op is sre.ATOMIC_GROUP:
            return _prefixes(av.data, sre)
        if op is sre.BRANCH:
            union: set[str] = set()
            for sub in av[1]:
                got = _prefixes(sub.data, sre)
                if got is None:
                    return None
                union |= got
            return frozenset(union)
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):  # (min, max, pattern)
            inner = _prefixes(av[2].data, sre)
            if inner is None or av[0] >= 1:
                return inner
            rest = _prefixes(items[k + 1:], sre)  # optional (``(?:your )?device``): it, or what follows
            return None if rest is None else inner | rest
        if op is sre.IN:
            return _class_chars(av, sre, frozenset())  # (a match may start with punctuation)
        return None
    return None


def _occurrences(text: str, needle: str, pos: int = 0) -> Iterator[int]:
    """Every position of ``needle`` in ``text`` from ``pos`` on, overlapping ones included, in order."""
    find = text.find
    i = find(needle, pos)
    while i >= 0:
        yield i
        i = find(needle, i + 1)


def prefixed_search(rx: re.Pattern[str], prefixes: frozenset[str], text: str, pos: int = 0,
                    before: int | None = None) -> re.Match[str] | None:
    """``rx.search(text, pos)`` for a pattern every match of which starts with one of ``prefixes``
    (:func:`match_prefixes`): ``rx.match`` is tried only where one of them occurs (found by ``str.find``, at
    C speed), in order, and the first match is returned: the leftmost, the one ``rx.search`` finds (a
    pattern whose required word sits in ordinary words, "eth" in "whether", passes its gate and is then
    tried at every position of the text: ~40 us per 2 KB).  ``rx.match(text, pos)`` sees the text before
    ``pos`` (lookbehinds, ``\\b``) as the search does.  ``before``: only matches starting before it (None
    when the leftmost starts there or later)."""
    match, find = rx.match, text.find
    stop = len(text) if before is None else min(len(text), before)
    if len(prefixes) == 1:
        for i in _occurrences(text, next(iter(prefixes)), pos):
            if i >= stop:
                return None
            m = match(text, i)
            if m is not None:
                return m
        return None
    # each prefix's next occurrence; the least tried, then those there moved past it (every position where
    # one occurs, once, in order: what merging their occurrences tried, less the repeats)
    needles = tuple(prefixes)
    ahead = [find(p, pos) for p in needles]
    while True:
        i = min([a for a in ahead if a >= 0], default=-1)
        if i < 0 or i >= stop:
            return None
        m = match(text, i)
        if m is not None:
            return m
        ahead = [find(p, i + 1) if a == i else a for a, p in zip(ahead, needles, strict=True)]


#: Patterns whose :func:`factored` twin is remembered (by identity: a Pattern's hash reads its whole code).
FACTORED_MEMO = 1024
_FACTORED: dict[int, tuple[re.Pattern[str], re.Pattern[str]]] = {}


def factored(rx: re.Pattern[str]) -> re.Pattern[str]:
    """``rx`` compiled with its alternations of literal-first branches made a trie: the same matches (each
    search, match and finditer gives the same spans and groups), found in about half the time.

    ``re`` tries a pattern at every position of a text, and an alternation there tries its branches one after
    the other (each branch's first literal compared with the character): a vocabulary of 120 stems
    (``(?<![a-z])(?:pay|send|transfer|...)``) makes 120 comparisons per character.  Grouped by their first
    character (``p(?:ay|...)|s(?:end|...)|t(?:ransfer|...)``, recursively), a position costs one comparison per
    distinct first character.  The grouping keeps the order of the branches that start with the same literal
    (the first of them that matches still wins) and moves a branch only past branches that start with another
    literal, which cannot match where it does: the pattern is the same, only its code differs.  Runs of
    literal-first branches are grouped apart, a branch of any other kind stays where it is; a case-insensitive
    pattern or group is left as it is.  The twin has no ``pattern`` string: it is for searching only (gates,
    :func:`required_terms`, pickling use ``rx``).  A pattern this module cannot parse is its own twin."""
    known = _FACTORED.get(id(rx))
    if known is not None and known[0] is rx:
        return known[1]
    twin = _factored(rx)
    _bounded_put(_FACTORED, id(rx), (rx, twin), FACTORED_MEMO)
    return twin


def _factored(rx: re.Pattern[str]) -> re.Pattern[str]:
    tree = _parse(rx)
    if tree is None:
        return rx
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        sre = _sre()
        twin: re.Pattern[str] = _compiler.compile(_factor(tree, sre, _parser.SubPattern), rx.flags)
        return twin
    except Exception:  # a conditional group, a stdlib whose parser differs: searched as written
        log.debug("pattern %r not factored", rx.pattern, exc_info=True)
        return rx


def _factor(sub: Any, sre: Any, node: Any) -> Any:
    """A parsed sequence with every alternation in it grouped by first literal (see :func:`factored`)."""
    data: list[tuple[Any, Any]] = []
    for op, av in sub.data:
        if op is sre.BRANCH:
            branches = _grouped([_factor(b, sre, node) for b in av[1]], sre, node, sub.state)
            if len(branches) == 1:
                data.extend(branches[0].data)  # (one group: its literal, then its branches)
            else:
                data.append((op, (av[0], branches)))
        elif op is sre.SUBPATTERN:  # (group, add_flags, del_flags, pattern)
            data.append((op, av if av[1] & re.IGNORECASE else (*av[:3], _factor(av[3], sre, node))))
        elif op in (sre.ASSERT, sre.ASSERT_NOT):  # (direction, pattern)
            data.append((op, (av[0], _factor(av[1], sre, node))))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):  # (min, max, pattern)
            data.append((op, (av[0], av[1], _factor(av[2], sre, node))))
        elif op is sre.ATOMIC_GROUP:
            data.append((op, _factor(av, sre, node)))
        elif op is sre.GROUPREF_EXISTS:
            raise _Unknown  # (not walked into: left as written)
        else:
            data.append((op, av))
    return node(sub.state, data)


def _grouped(branches: list[Any], sre: Any, node: Any, state: Any) -> list[Any]:
    """Branches in order, each run of literal-first ones grouped by that literal (in the order of its first
    branch; a group's branches keep their order, after the literal, grouped again)."""
    out: list[Any] = []
    run: dict[int, list[Any]] = {}

    def flush() -> None:
        for literal, group in run.items():
            if len(group) == 1:
                out.append(group[0])
                continue
            rests = _grouped([node(state, b.data[1:]) for b in group], sre, node, state)
            tail = rests[0].data if len(rests) == 1 else [(sre.BRANCH, (None, rests))]
            out.append(node(state, [(sre.LITERAL, literal), *tail]))
        run.clear()

    for branch in branches:
        if branch.data and branch.data[0][0] is sre.LITERAL:
            run.setdefault(branch.data[0][1], []).append(branch)
        else:
            flush()
            out.append(branch)
    flush()
    return out


#: Shortest strings of a pattern's part that is kept besides its best one (see :func:`required_terms`).
MIN_EXTRA_TERM = 3
#: A character class of at most this many literal characters is a part of its own (``[$€£]``).
MAX_CLASS_CHARS = 8


def _sre() -> Any:
    from re import _constants as sre  # type: ignore[attr-defined]

    return sre


def _parse(rx: re.Pattern[str]) -> Any:
    """The parsed pattern, or None for one that is searched everywhere (case-insensitive, unparsable here)."""
    if rx.flags & re.IGNORECASE:
        return None
    try:
        from re import _parser  # type: ignore[attr-defined]

        return _parser.parse(rx.pattern, rx.flags)
    except Exception:  # a stdlib whose parser differs: search as before
        log.debug("no required substrings for %r", rx.pattern, exc_info=True)
        return None


def _best(choices: list[frozenset[str]]) -> frozenset[str] | None:
    """The choice whose shortest string is longest (then the smallest set)."""
    if not choices:
        return None
    return max(choices, key=lambda c: (min(map(len, c)), -len(c)))


#: Characters too common in text to be a required part (``[.,]`` between digits is in every text).
_COMMON_CHARS = frozenset(" \t\r\n.,;:!?'\"-_/()[]")


def _class_chars(av: Any, sre: Any, common: frozenset[str] = _COMMON_CHARS) -> frozenset[str] | None:
    """The characters of a class made only of a few literals none of which is ``common`` (``[$€£]``), None
    for any other (ranges, \\d, [^...], by default punctuation)."""
    chars: set[str] = set()
    for op, value in av:
        if op is not sre.LITERAL or chr(value) in common:
            return None
        chars.add(chr(value))
    return frozenset(chars) if 0 < len(chars) <= MAX_CLASS_CHARS else None


def _required(items: Sequence[tuple[Any, Any]], sre: Any) -> frozenset[str] | None:
    """The best required set of a parsed sequence (the one whose shortest string is longest)."""
    return _best(_choices(items, sre))


def _choices(items: Sequence[tuple[Any, Any]], sre: Any) -> list[frozenset[str]]:
    """Every required set of a parsed sequence: each match holds a string of each of them."""
    choices: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            choices.append(frozenset(("".join(run),)))
            run.clear()

    for op, av in items:
        if op is sre.LITERAL:
            run.append(chr(av))
            continue
        flush()
        found: frozenset[str] | None = None
        if op is sre.SUBPATTERN:
            if av[1] & re.IGNORECASE:  # (group, add_flags, del_flags, pattern)
                raise _Unknown
            found = _required(av[3].data, sre)
        elif op is sre.ATOMIC_GROUP:
            found = _required(av.data, sre)
        elif op is sre.BRANCH:
            branches = [_required(sub.data, sre) for sub in av[1]]
            if all(b is not None for b in branches):
                found = frozenset().union(*(b for b in branches if b is not None))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):  # (min, max, pattern)
            inner = _required(av[2].data, sre)  # looked into even when optional: an inline flag there is unknown
            found = inner if av[0] >= 1 else None
        elif op in (sre.ASSERT, sre.ASSERT_NOT):  # (direction, pattern): zero-width, gives nothing
            _required(av[1].data, sre)  # (its inline flags are checked)
        elif op is sre.IN:
            found = _class_chars(av, sre)
        elif op is sre.GROUPREF_EXISTS:
            raise _Unknown
        if found:
            choices.append(found)
    flush()
    return [c for c in choices if all(c)]


#: Small caches: a message's texts are looked at by several matchers in a row; up to MAX_TEXT each.
@lru_cache(maxsize=4)
def _tokens(norm: str) -> tuple[str, ...]:
    """Latin-script tokens of a normalised text (shared by the lure and brand matchers): its maximal runs of
    [0-9a-z].  ASCII text has every other byte made a space and is split, at C speed (a fifth of
    ``_TOKEN.findall``, which tries the class at every position)."""
    split = split_join(norm)
    if split is not None:  # a token is a run of [0-9a-z]: none crosses the space joining the parts
        return _tokens.__wrapped__(split[0]) + _body_tokens(split[1])
    if norm.isascii():
        return tuple(norm.encode("ascii").translate(_TOKEN_BYTES).decode("ascii").split())
    return tuple(_TOKEN.findall(norm))


@lru_cache(maxsize=4)
def token_set(norm: str) -> frozenset[str]:
    """The distinct tokens of a normalised text (``set(_tokens(norm))``), read from
    :func:`distinct_sentences` of it: a token is a run of [0-9a-z] and the separator holds none, so every
    token stands within one piece, bounded there as in the text, and the cut keeps every piece (a text of
    one paragraph repeated, a template or filler, is tokenised once, not forty times)."""
    split = split_join(norm)
    if split is not None:  # (no token crosses the joining space: see _tokens)
        return token_set.__wrapped__(split[0]) | _body_token_set(split[1])
    cut = distinct_sentences(norm)
    return frozenset(_tokens(norm) if not was_cut(norm, cut) else _tokens.__wrapped__(cut))


#: ``bytes.translate`` table keeping the bytes :data:`_TOKEN` matches (0-9, a-z), every other one a space.
_TOKEN_BYTES = bytes(b if chr(b) in "0123456789abcdefghijklmnopqrstuvwxyz" else 0x20 for b in range(256))
#: ``bytes.translate`` table of the joined tokens: a digit "1", a letter "a" (a space stays).
_LETTER_DIGIT = bytes(ord("1") if chr(b).isdigit() and b < 128 else ord("a") if chr(b).isalpha() and b < 128 else b
                      for b in range(256))


@lru_cache(maxsize=4)
def _leet_changes(norm: str) -> dict[int, str]:
    """Token index -> its leet-folded form (``w4ll3t`` -> ``wallet``), for the tokens of ``norm`` that mix
    letters and digits and that folding changes.

    The tokens joined by single spaces, in the shape of :data:`_LETTER_DIGIT`, searched for a letter next to a
    digit ("a1", "1a": a substring search each, at C speed; a regex tried every character): a token's index is
    the spaces before it, counted from the previous one found; each token is looked at once (linear)."""
    split = split_join(norm)
    if split is not None:  # each token is folded alone: the body's, numbered after the head's tokens
        offset = len(_tokens.__wrapped__(split[0]))
        joined = _leet_changes.__wrapped__(split[0])
        joined.update((i + offset, tok) for i, tok in _body_leet_changes(split[1]).items())
        return joined
    tokens = _tokens(norm)
    shape = " ".join(tokens).encode("ascii").translate(_LETTER_DIGIT)
    out: dict[int, str] = {}
    needles = (b"a1", b"1a")
    ahead = [shape.find(needle) for needle in needles]  # the next occurrence of each, from pos on
    counted = index = 0
    while (found := [at for at in ahead if at >= 0]):
        at = min(found)
        index += shape.count(b" ", counted, at)
        counted = at
        end = shape.find(b" ", at)
        pos = end if end >= 0 else len(shape)  # (the rest of this token is looked at no more)
        folded = tokens[index].translate(_LEET)
        if folded != tokens[index]:
            out[index] = folded
        ahead = [shape.find(needle, pos) if 0 <= a < pos else a for a, needle in zip(ahead, needles, strict=True)]
    return out


@lru_cache(maxsize=4)
def _body_tokens(body: str) -> tuple[str, ...]:
    return _tokens.__wrapped__(body)


@lru_cache(maxsize=4)
def _body_token_set(body: str) -> frozenset[str]:
    return token_set.__wrapped__(body)


@lru_cache(maxsize=4)
def _body_leet_changes(body: str) -> dict[int, str]:
    return _leet_changes.__wrapped__(body)


@lru_cache(maxsize=4)
def _compact_hangul(norm: str) -> str:
    return _HANGUL_GAP.sub("", norm)


@lru_cache(maxsize=16)
def _find(matcher: PhraseMatcher, norm: str) -> dict[int, str]:
    return matcher._find(norm)


# ---------------------------------------------------------------------------- the text of an item


#: Codecs that exist but decode nothing (``undefined`` raises on every input).
_NOT_TEXT = frozenset({"undefined"})

#: Charset labels mail clients know and Python does not (WHATWG Encoding Standard labels, Outlook's own).
_LABELS = {
    "x-sjis": "cp932", "windows-31j": "cp932", "x-ms-cp932": "cp932", "ms_kanji": "cp932",
    "windows-874": "cp874", "x-windows-874": "cp874", "x-gbk": "gbk", "x-euc-cn": "gbk", "euc-cn": "gbk",
    "iso-8859-8-i": "iso8859-8", "iso_8859-8-i": "iso8859-8", "iso-8859-6-i": "iso8859-6",
    "x-mac-roman": "mac-roman", "x-mac-cyrillic": "mac-cyrillic", "x-mac-greek": "mac-greek",
    "unicode-1-1-utf-8": "utf-8", "unicode11utf8": "utf-8", "unicode20utf8": "utf-8", "x-unicode20utf8": "utf-8",
    "utf8mb4": "utf-8", "x-cp1250": "cp1250", "x-cp1251": "cp1251", "x-cp1252": "cp1252",
    "x-euc-jp": "euc_jp", "x-euc-kr": "cp949", "ks_c_5601": "cp949", "ksc5601": "cp949", "ksc_5601": "cp949",
    "x-windows-949": "cp949", "windows-949": "cp949", "x-big5": "big5hkscs", "big5-hkscs": "big5hkscs",
}

#: Codecs mail clients (and browsers, by the Encoding Standard) read as their wider superset, since senders
#: label windows-1252 text "iso-8859-1", GBK text "gb2312", Outlook's windows-949 "ks_c_5601-1987" ...
_SUPERSET = {
    "ascii": "cp1252", "iso8859-1": "cp1252", "iso8859-9": "cp1254", "iso8859-11": "cp874", "tis-620": "cp874",
    "gb2312": "gb18030", "gbk": "gb18030", "euc_kr": "cp949", "shift_jis": "cp932", "big5": "big5hkscs",
}

#: Single-byte codecs whose text is read as UTF-8 when it is valid UTF-8 with non-ASCII in it: the sender
#: wrote UTF-8 and declared (or defaulted to) the wrong charset; real latin-1 text is almost never valid UTF-8.
_UTF8_FIRST = frozenset({"cp1252", "cp1254", "cp874"})


_CODE_PAGE = re.compile(r"(?:x-)?(?:cp|ibm|windows)[-_ ]?(\d{3,5})")


def _codec(charset: str) -> str | None:
    label = charset.strip().strip("\"'").strip().lower()
    page = _CODE_PAGE.fullmatch(label)
    if page:  # "cp-850", "IBM-437", "x-cp1251": the code page Python names cpNNN
        label = "cp" + page.group(1)
    try:
        info = codecs.lookup(_LABELS.get(label, label))
    except Exception:  # LookupError, ValueError (embedded NUL), TypeError ...
        return None
    if info.name in _NOT_TEXT or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def text_codec(charset: str | None) -> str | None:
    """The codec name for a declared ``charset`` if it decodes bytes to text, else None.  Never raises.

    Labels Python lacks but mail clients know (``x-sjis``, ``windows-874``, ``iso-8859-8-i`` ...) are codecs."""
    if not charset:
        return None
    return _codec(str(charset))


def reading_codec(charset: str | None) -> str | None:
    """The codec a mail client reads a declared ``charset`` with (its superset: ``iso-8859-1`` is windows-1252,
    ``gb2312`` GB18030, ``ks_c_5601-1987`` windows-949), or None when the label decodes no text."""
    codec = text_codec(charset)
    return _SUPERSET.get(codec, codec) if codec else None


def decode_text(data: bytes, charset: str | None, default: str = "utf-8") -> str:
    """``data`` as a mail client shows it, undecodable bytes replaced.  Never raises.

    The declared ``charset`` is read as its superset (:func:`reading_codec`); text with no usable charset
    (none, unknown, or a single-byte one) that is valid UTF-8 is UTF-8, as it is when the declared
    multi-byte codec cannot decode it and UTF-8 can; otherwise undeclared text is ``default``, or
    windows-1252 when ``default`` is UTF-8 and the bytes are not UTF-8 (a reader sees letters, not U+FFFD)."""
    return _decode(data, charset, default)[0]


def _decode(data: bytes, charset: str | None, default: str) -> tuple[str, bool]:
    """:func:`decode_text`, and whether bytes had to be replaced."""
    codec = reading_codec(charset)
    if data.isascii():
        try:
            return data.decode(codec or "ascii", "replace"), False
        except Exception:  # a codec that fails even with errors="replace"
            return data.decode("latin-1"), False
    if codec is None or codec in _UTF8_FIRST or codec == "utf-8":
        try:
            return data.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
        if codec is None:
            codec = "cp1252" if text_codec(default) == "utf-8" else (reading_codec(default) or "latin-1")
    try:
        return data.decode(codec), False
    except UnicodeDecodeError:
        if codec != "utf-8":
            try:
                return data.decode("utf-8"), False
            except UnicodeDecodeError:
                pass
    except Exception:
        pass
    try:
        return data.decode(codec, "replace"), True
    except Exception:  # a codec that fails even with errors="replace"
        return data.decode("latin-1"), False


#: Replaced characters from which a text counts as unreadable (:func:`unreadable_text`), at least ...
UNREADABLE_MIN = 16
#: ... and at least this share of the decoded characters.
UNREADABLE_SHARE = 0.02


def unreadable_text(data: bytes, charset: str | None) -> int:
    """How many characters of ``data`` a reader would see as U+FFFD, when that many (at least
    :data:`UNREADABLE_MIN` and :data:`UNREADABLE_SHARE` of the text) that the text cannot be taken as read:
    neither its declared charset, its superset, nor UTF-8 decodes it.  0 otherwise (a stray bad byte)."""
    if data.isascii():
        return 0
    text, replaced = _decode(data, charset, "utf-8")
    if not replaced:
        return 0
    lost = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    return lost if lost >= UNREADABLE_MIN and lost >= UNREADABLE_SHARE * len(text) else 0


def decode_item(item: Item, limit: int = MAX_TEXT) -> str:
    """The first ``limit`` bytes of an item as text (its declared charset, else UTF-8), never raising.

    A charset that is unknown, malformed (an embedded NUL) or not a text codec falls back to UTF-8,
    so a hostile charset parameter cannot make an analyzer fail (``mime.bad_charset`` says so).
    """
    return decode_text(item.data[:limit], str(item.meta.get("charset") or ""))


def item_text(item: Item, ctx: AnalysisContext | None = None) -> str:
    """The text of a text/HTML item (HTML rendered to text), bounded; rendered once per message via ``ctx``."""
    memo: dict[tuple[str, str, int], str] | None = None
    key = (item.path, item.sha256, len(item.data))
    if ctx is not None:
        memo = ctx.memo.setdefault(MEMO_KEY, {}).setdefault("item_text", {})
        cached = memo.get(key)
        if cached is not None:
            return cached
    text = decode_item(item)
    if item.type in (ItemType.HTML, ItemType.SVG):
        text = html_to_text(text)[0]
    if memo is not None:
        memo[key] = text
    return text


def is_document_text(item: Item) -> bool:
    """Text the message analyzers do not already read: extracted document text, text/HTML attachments."""
    return item.role == Role.TEXT or (item.type in (ItemType.TEXT, ItemType.HTML)
                                      and item.role not in (Role.BODY, Role.INLINE))




#: Elements whose content is not text a reader sees.
_HIDDEN_ELEMENTS = frozenset({"script", "style", "head"})
#: Elements whose target is a link: (tag, attribute) pairs.
_LINK_ATTRS = {"a": "href", "area": "href", "form": "action", "iframe": "src"}
#: Tags and tag fragments, for the fallback: bounded by the next "<", so linear however many are unclosed.
_TAGLIKE = re.compile(r"<[^<>]*>?")
#: Attributes whose words stand in for the element (the picture-button technique: a lure whose words are
#: only in an image's ``alt``/``title``, a link's tooltip, an image or submit button's label), by tag, in
#: the order tried (the first that says something is read).
_SUBSTITUTE_ATTRS = {"img": ("alt", "title"), "area": ("alt", "title"), "a": ("title",),
                     "input": ("value", "alt")}
#: ``input`` types whose ``value``/``alt`` is a label shown on the button.
_BUTTON_INPUTS = frozenset({"submit", "button", "image", "reset"})
#: What a picture's label names the picture by ("Coinbase logo", "header image", "Twitter icon"): a
#: description of the picture, not words the mail says.
_PICTURE_LABEL = re.compile(
    r"(?<![^\W_])(?:logo\w*|icon\w*|banner|image|img|photo|picture|pic|avatar|spacer|pixel|header|footer"
    r"|divider|separator|badge|emblem|screenshot|illustration|thumbnail|bild|imagen|imagem|immagine|foto)(?![^\W_])",
    re.IGNORECASE)
#: Letters of the scripts written without spaces between words (Japanese, Chinese; Hangul is spaced but dense).
_DENSE_SCRIPT = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
#: A substitute text is read when it is a phrase: at least this many words (or dense-script letters).
SUBSTITUTE_MIN_WORDS, SUBSTITUTE_MIN_DENSE = 3, 4
#: The most characters of one attribute read (an alt text is a caption, not a page).
SUBSTITUTE_MAX_CHARS = 300


def substitute_text(tag: str, attrib: dict[str, str]) -> str:
    """The words an element's attributes show in its place (``alt``/``title`` of a picture, a link's title,
    a button's label), or '' -- only when they are a phrase, not a picture's name: ``alt="Claim 0.5 ETH now"``
    is what the picture says; ``alt="Coinbase logo"``, ``alt="Phantom"`` name the picture (newsletters
    label their logos so), and are left out as before."""
    names = _SUBSTITUTE_ATTRS.get(tag)
    if names is None or (tag == "input" and attrib.get("type", "").strip().lower() not in _BUTTON_INPUTS):
        return ""
    for name in names:
        value = " ".join(str(attrib.get(name) or "")[:SUBSTITUTE_MAX_CHARS].split())
        if not value:
            continue
        if tag == "input" and name == "value":
            return value  # a button's label is shown as it is, a word or a phrase
        if _PICTURE_LABEL.search(value):
            return ""
        words = sum(1 for w in value.split() if any(ch.isalpha() for ch in w))
        if words >= SUBSTITUTE_MIN_WORDS or len(_DENSE_SCRIPT.findall(value)) >= SUBSTITUTE_MIN_DENSE:
            return value
    return ""


#: Inline elements: the text on either side of their tags runs on (``<span>re</span><span>covery</span>`` is
#: "recovery" on screen); block elements (and pictures, whose label stands in) break the text.
_INLINE_ELEMENTS = frozenset({"a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em",
                              "font", "i", "ins", "kbd", "label", "mark", "q", "s", "samp", "small", "span",
                              "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr"})
#: An inline style that hides the element's text: display:none, visibility:hidden, a zero font size.
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*(?:0+(?:\.0*)?|\.0+)(?:px|pt|em|rem|%)?\s*(?:[;!\"']|$)",
    re.IGNORECASE)
#: Markers in the one part list the parser target writes: an inline tag boundary (a space in the spaced
#: reading, nothing in the joined one), the start and end of hidden inline text (kept in the spaced reading,
#: left out of the joined one, where it is _DROPPED).  Control characters that markup text does not keep.
_JOIN, _DROPPED, _HIDE_START, _HIDE_END = "\x00", "\x01", "\x02", "\x03"
_HIDDEN_RUN = re.compile("\x02[^\x03]*\x03?")
_MARKERS = str.maketrans({_JOIN: " ", _DROPPED: None, _HIDE_START: None, _HIDE_END: None})
#: Letters on both sides of inline tags (and nothing else between): a word the joining may make.
_CROSS_TAG = re.compile(r"\w\x00+\w")
#: A word the joined reading makes across inline tags or left-out hidden text ("re<span>x7</span>covery").
_JOINED_WORD = re.compile(r"\w+(?:[\x00\x01]+\w+)+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_WORDS = re.compile(r"\w+")
#: Bounds on the joined reading's sentences added to the text: per sentence, and in all.
JOINED_SENTENCE_MAX, JOINED_TOTAL_MAX = 600, 20_000


def _is_hidden_style(attrib: dict[str, str]) -> bool:
    style = attrib.get("style")
    return ("hidden" in attrib) or (bool(style) and _HIDDEN_STYLE.search(str(style)) is not None)


def _joined_sentences(spaced: str, joined: str) -> str:
    """The sentences of the joined reading (inline tags run on, hidden inline text left out) that read
    otherwise than the spaced one: a word made across inline tags that the spaced reading does not have, or
    hidden filler left out between words.  Whole sentences, so a disclaimer stays with what it disclaims;
    read sentence by sentence up to JOINED_TOTAL_MAX added."""
    words: set[str] | None = None
    extra: list[str] = []
    total = start = 0
    ends = [*(m.span() for m in _SENTENCE_END.finditer(joined)), (len(joined), len(joined))]
    for end, after in ends:
        sentence, start = joined[start:end], after
        differs = _DROPPED in sentence
        if not differs and _JOIN in sentence:
            for m in _JOINED_WORD.finditer(sentence):
                word = m.group()
                if _JOIN in word:
                    if words is None:
                        words = set(_WORDS.findall(spaced))
                    if word.replace(_JOIN, "") not in words:
                        differs = True
                        break
        if differs:
            clean = " ".join(sentence.replace(_JOIN, "").replace(_DROPPED, "").split())[:JOINED_SENTENCE_MAX]
            extra.append(clean)
            total += len(clean)
            if total >= JOINED_TOTAL_MAX:
                break
    return " ".join(extra)


class _TextTarget:
    """lxml parser target: collects the visible text and the link targets while parsing (no tree is built).

    Two readings are made from one list of parts: the spaced one (a space at every tag, every text kept, as
    bs4's ``get_text(" ")``) and the joined one (inline tags run their text on, hidden inline elements are
    left out: the words as a reader sees them).  The text is the spaced reading plus the joined reading's
    sentences that differ from it (:func:`_joined_sentences`), so a word split by inline tags and hidden
    filler is read, and nothing the spaced reading had is lost."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.links: list[str] = []
        self.hidden = 0
        self.depth = 0  # of open elements
        self.hide_at: list[int] = []  # the depths of the open hidden inline elements

    def start(self, tag: object, attrib: dict[str, str]) -> None:
        name = tag.lower() if isinstance(tag, str) else ""
        self.depth += 1
        if name not in _INLINE_ELEMENTS:
            self.parts.append(" ")  # text on either side of a tag is two strings (as bs4's get_text(" "))
        elif ("style" in attrib or "hidden" in attrib) and _is_hidden_style(attrib):
            self.hide_at.append(self.depth)
            self.parts.append(_JOIN + _HIDE_START if len(self.hide_at) == 1 else _JOIN)
        else:
            self.parts.append(_JOIN)
        if name in _HIDDEN_ELEMENTS:
            self.hidden += 1
            return
        if self.hidden:
            return
        if name in _LINK_ATTRS and len(self.links) < MAX_LINKS:
            target = attrib.get(_LINK_ATTRS[name]) or attrib.get("href") or attrib.get("src") or ""
            if target.strip():
                self.links.append(target.strip()[:2000])
        if name in _SUBSTITUTE_ATTRS:
            words = substitute_text(name, attrib)
            if words:
                self.parts.extend((" ", words, " "))

    def end(self, tag: object) -> None:
        name = tag.lower() if isinstance(tag, str) else ""
        if self.hide_at and self.hide_at[-1] == self.depth:
            self.hide_at.pop()
            self.parts.append(_JOIN if self.hide_at else _HIDE_END + _JOIN)
        else:
            self.parts.append(_JOIN if name in _INLINE_ELEMENTS else " ")
        self.depth -= 1
        if name in _HIDDEN_ELEMENTS and self.hidden:
            self.hidden -= 1

    def data(self, text: str) -> None:
        if not self.hidden:
            self.parts.append(text)

    def comment(self, text: str) -> None:
        return None

    def close(self) -> str:
        raw = "".join(self.parts)
        spaced = raw.replace(_JOIN, " ")
        if _HIDE_START in raw or _HIDE_END in raw or _DROPPED in raw:
            spaced = spaced.translate(_MARKERS)
        if _HIDE_START not in raw and (_JOIN not in raw or _CROSS_TAG.search(raw) is None):
            return spaced
        joined = _HIDDEN_RUN.sub(_drop, raw)
        extra = _joined_sentences(spaced, joined)
        return f"{spaced} {extra}" if extra else spaced


def _drop(m: re.Match[str]) -> str:
    """A run of hidden inline text in the joined reading: _DROPPED when it held something (a mark that the
    text differs there), else nothing."""
    return _DROPPED if m.group().strip(_HIDE_START + _HIDE_END + _JOIN + " \t\r\n") else ""


def html_to_text(html: str) -> tuple[str, list[str]]:
    """Render HTML to plain text and collect link targets (bounded: the first MAX_HTML_RENDER characters).

    lxml's (libxml2) HTML parser with a target that keeps only text and links: linear in the input
    and a C-speed parse, where building a BeautifulSoup tree cost ~2 s/MB and was quadratic for
    unclosed tags.  Script, style and head content is not text; hostile markup never raises.
    """
    from lxml import etree  # type: ignore[import-untyped]  # (no stubs shipped)

    html = html[:MAX_HTML_RENDER]
    target = _TextTarget()
    try:
        parser = etree.HTMLParser(target=target, recover=True, no_network=True, huge_tree=True,
                                  remove_comments=True, remove_pis=True)
        parser.feed(html)
        text = parser.close()
        links = target.links
    except Exception:  # libxml2 with recover=True takes nearly anything; never let markup stop a scan
        text, links = _TAGLIKE.sub(" ", html), []
    return " ".join(str(text).split()), links


#: The end of a clause or a sentence: a full stop, "!", "?" or ";" before a space.
CLAUSE_END = re.compile(r"[.!?;]\s")


def clause_before(text: str, pos: int, reach: int) -> str:
    """What stands before ``pos`` in its clause: ``text[pos - reach:pos]`` after its last :data:`CLAUSE_END`."""
    return CLAUSE_END.split(text[max(0, pos - reach):pos])[-1]
