"""Wallet seed phrases (BIP-39) in mail and documents, and requests to type one.

- ``crypto.seed_phrase``: a run of 12/15/18/21/24 BIP-39 English words (word list from the
  ``mnemonic`` package, the reference implementation's data), allowing numbering, commas and line
  breaks between the words.  A run whose words also pass the BIP-39 checksum is stronger (a real,
  usable phrase: "leaked wallet" bait that lures victims into paying gas to a drained wallet).
- ``crypto.seed_request``: text asking to enter/type/confirm the recovery phrase or private key
  (English and Korean), or an HTML form with inputs named/labelled for a seed phrase, mnemonic or
  private key, or a form with 12+ word inputs.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator, Sequence
from functools import cache
from typing import ClassVar

from coinguard.findings import Category, CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext, MessageInfo
from coinguard.lures import without_disclaimers
from coinguard.text import (
    SENTENCE_SEP,
    RegexGate,
    decode_item,
    distinct_sentences,
    is_document_text,
    item_text,
    normalized,
    normalized_join,
    was_cut,
)

log = logging.getLogger(__name__)

NAME = "seed_phrase"
PHRASE_LENGTHS = (24, 21, 18, 15, 12)
SCORE_PHRASE = 4.0
SCORE_PHRASE_VALID = 6.0
MAX_HTML = 2 * 1024 * 1024


@cache
def _mnemonic():  # type: ignore[no-untyped-def]
    from mnemonic import Mnemonic

    return Mnemonic("english")


@cache
def wordlist() -> frozenset[str]:
    return frozenset(_mnemonic().wordlist)


@cache
def _word_index() -> dict[str, int]:
    return {word: index for index, word in enumerate(_mnemonic().wordlist)}


def checksum_ok(words: Sequence[str]) -> bool:
    """True when ``words`` are a BIP-39 mnemonic with a valid checksum.

    The BIP-39 check itself (as ``mnemonic.Mnemonic.check``), with a dict for the word indices:
    ``Mnemonic.check`` looks each word up with ``list.index`` (2048 comparisons a word).
    """
    n = len(words)
    if n not in PHRASE_LENGTHS:
        return False
    index = _word_index()
    bits = 0
    for word in words:
        value = index.get(word)
        if value is None:
            return False
        bits = (bits << 11) | value
    checksum_bits = n // 3  # 11 n bits = 32 n / 3 bits of entropy + n / 3 bits of checksum
    entropy = (bits >> checksum_bits).to_bytes(n * 4 // 3, "big")
    return hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits) == bits & ((1 << checksum_bits) - 1)


#: Splits a text into its words and what lies between them (linear: one search for each word).
_SPLIT_WORDS = re.compile(r"([a-z]+)")
#: What may separate two words of one written phrase: spaces, numbering ("1." "2)"), commas, bullets, quotes.
_GAP = re.compile(r"[\s\d.,;:()\[\]\-|•*#'\"/]{1,16}")


def word_runs(text: str, ctx: AnalysisContext | None = None) -> list[list[str]]:
    """Runs of consecutive BIP-39 words (at least 12) in ``text``."""
    return _word_runs(normalized(ctx, text))


def _word_runs(norm: str) -> list[list[str]]:
    """Runs of BIP-39 words joined by :data:`_GAP` separators (at least 12 words each).

    One C-speed split gives the words (and, where a stretch of them is listed, the gaps before them); the
    set lookup comes first and the gap is only checked when a BIP-39 word continues a run, so ordinary prose
    costs one set lookup a word (a gap ``fullmatch`` on every word was a third of a zip message's scan)."""
    # BIP-39 or not, for every word, at C speed (one byte each); a run needs 12 of them in a row, so only
    # stretches of 12+ consecutive BIP-39 words (whatever their gaps) are walked word by word below.  The
    # words alone first (the text's bytes with all but a-z made spaces, split; anything not ASCII is a "?"):
    # most texts have no such stretch, and the split that keeps the gaps (a third of the cost) is not needed
    listed = _listed(norm)
    if _TWELVE not in listed:  # (a substring search: the regex tried its repeat at every word)
        return []
    parts = _SPLIT_WORDS.split(norm)  # [gap, word, gap, word, ..., gap]: its words are ``words``
    runs: list[list[str]] = []
    for stretch in _STRETCH.finditer(listed):
        lo, hi = stretch.span()
        _runs_in(parts[2 * lo:2 * hi + 1], runs)
    return runs


def _flags(text: str) -> bytes:
    """A byte per word of ``text`` (a run of a-z; anything not ASCII a "?"): 1 for a BIP-39 word, else 0."""
    return bytes(map(wordlist().__contains__, text.encode("ascii", "replace").translate(_WORD_BYTES)
                     .decode("ascii").split()))


def _listed(norm: str) -> bytes:
    """:func:`_flags` of ``norm``; a text of repeated sentences (the needle pass's :func:`distinct_sentences`
    cut it) has each distinct sentence flagged once and the flags joined in the text's order: a word never
    holds the separator, so the text's words are its sentences' words one after the other (the same bytes)."""
    if not was_cut(norm, distinct_sentences(norm)):
        return _flags(norm)
    pieces = norm.split(SENTENCE_SEP)
    flags = {piece: _flags(piece) for piece in set(pieces)}
    return b"".join(map(flags.__getitem__, pieces))


#: A stretch of at least 12 consecutive BIP-39 words (bytes of 1 in :func:`_word_runs`' flags).
_STRETCH = re.compile(rb"\x01{12,}")
#: Twelve BIP-39 words in a row: a :data:`_STRETCH` is in the flags exactly when this is.
_TWELVE = b"\x01" * 12
#: ``bytes.translate`` table keeping a-z (the words :data:`_SPLIT_WORDS` finds), every other byte a space.
_WORD_BYTES = bytes(b if 0x61 <= b <= 0x7A else 0x20 for b in range(256))


def _runs_in(parts: list[str], runs: list[list[str]]) -> None:
    """Appends to ``runs`` the runs of ``parts`` (gap, word, ..., gap) joined by :data:`_GAP` separators."""
    words = wordlist()
    current: list[str] = []
    gap = _GAP.fullmatch
    for before, w in zip(parts[0:-1:2], parts[1::2], strict=True):
        if w not in words:
            if len(current) >= 12:
                runs.append(current)
            current = []
        elif not current:
            current = [w]
        elif gap(before) is not None:
            current.append(w)
        else:
            if len(current) >= 12:
                runs.append(current)
            current = [w]
    if len(current) >= 12:
        runs.append(current)


def seed_phrases(text: str, ctx: AnalysisContext | None = None) -> list[tuple[list[str], bool]]:
    """(words, checksum valid) for every plausible seed phrase in ``text``."""
    return _seed_phrases(normalized(ctx, text))


#: Checksum tests per text at most (each one dict lookup a word and a SHA-256 of 16-32 bytes, ~2 us).  A
#: phrase written in a mail is a short run of its own (a 24-word run has 65 windows of the five lengths);
#: only a text of nothing but BIP-39 words has more, and past the cap its runs are still reported, unvalidated.
MAX_CHECKSUM_WINDOWS = 4096


def _valid_window(run: list[str], budget: list[int]) -> list[str] | None:
    """The first of the longest windows of ``run`` that pass the BIP-39 checksum, or None.

    ``budget[0]`` is the checksum tests left for this text: the cost is linear in the text however
    its words repeat (``Mnemonic.check`` on every window was quadratic: ~150 s/MB).
    """
    for n in PHRASE_LENGTHS:
        for i in range(len(run) - n + 1):
            if budget[0] <= 0:
                return None
            budget[0] -= 1
            if checksum_ok(run[i:i + n]):
                return run[i:i + n]
    return None


def _seed_phrases(norm: str) -> list[tuple[list[str], bool]]:
    out: list[tuple[list[str], bool]] = []
    budget = [MAX_CHECKSUM_WINDOWS]
    for run in _word_runs(norm):
        valid = _valid_window(run, budget)
        if valid:
            out.append((valid, True))
        elif len(set(run)) >= len(run) - 2:  # "test test test ... junk" and prose repeats are not phrases
            out.append((run[:24], False))
    return out


_REQUEST_PATTERNS = [
    re.compile(p)
    for p in (
        r"(?<![a-z])(?:enter|type|input|provide|submit|paste|import|confirm|verify|validate|fill in|share|"
        r"write down|re-?enter|sync|restore)(?: in)?(?: your| the| all)?(?: \w+){0,4}? "
        r"(?:(?:12|15|18|21|24|twelve|twenty[- ]four)[- ]words? )?"
        r"(?:secret |wallet |seed |recovery |backup |mnemonic )+(?:phrase|words|key)s?(?![a-z])",
        r"(?<![a-z])(?:enter|type|input|provide|submit|paste|import|confirm|share)(?: in)?(?: your| the)? "
        r"(?:wallet )?private keys?(?![a-z])",
        r"(?:복구|시드|비밀|니모닉)\s?(?:구문|문구|단어)[^.!?\n]{0,30}(?:입력|제출|작성|확인|인증|동기화)",
        r"(?:개인\s?키|프라이빗\s?키)[^.!?\n]{0,30}(?:입력|제출|작성|인증)",
    )
]

_FIELD_WORDS = re.compile(
    r"seed|mnemonic|phrase|recovery|private[\s_-]?key|privkey|secret|keystore|복구|시드|개인\s?키", re.IGNORECASE
)


#: Wording just before a match that turns it into a warning ("never share your recovery phrase").
_NEGATION = re.compile(r"(?:never|not|n't|no one|nobody|don't|do not|절대|않)\W*(?:\w+\W+){0,2}$")


def seed_request_text(text: str, ctx: AnalysisContext | None = None) -> str:
    """The wording that asks for a seed phrase / private key ('' when none; warnings do not count)."""
    return _seed_request(normalized(ctx, text))


#: The request patterns' required words (a verb and the secret's name; the Korean nouns): one pass over the
#: text, then only the patterns that can match are searched (each costs ~0.6 ms per 80 KB to find nothing).
_REQUEST_GATE = RegexGate(_REQUEST_PATTERNS, shared=True)  # (normalised text, as the lists')


def _seed_request(norm: str) -> str:
    # a warning that quotes the lure ("fake mails asking you to enter your recovery phrase") asks nothing
    norm = without_disclaimers(norm)
    may = _REQUEST_GATE.open(norm)
    for pattern in _REQUEST_PATTERNS:
        if not may(pattern):
            continue  # none of the strings every match holds: finditer would find nothing
        for m in pattern.finditer(norm):
            if not _NEGATION.search(norm[max(0, m.start() - 40):m.start()]):
                return m.group(0)
    return ""


def seed_request_form(html: str) -> str:
    """Why an HTML document asks for a seed phrase or private key in a form ('' when it does not)."""
    if "<input" not in html.lower() and "<textarea" not in html.lower():
        return ""
    from bs4 import BeautifulSoup

    try:
        soup = BeautifulSoup(html[:MAX_HTML], "html.parser")
    except Exception:  # bs4 with html.parser tolerates nearly everything; never let markup stop a scan
        return ""
    fields = soup.find_all(["input", "textarea"], limit=500)
    texty = [f for f in fields if f.name == "textarea" or str(f.get("type") or "text").lower() in
             ("text", "password", "")]
    for field in texty:
        attrs = " ".join(str(field.get(a) or "") for a in ("name", "id", "placeholder", "aria-label", "class",
                                                           "title"))
        m = _FIELD_WORDS.search(attrs)
        if m:
            return f"form field <{field.name} {m.group(0)!s}>"
    if len(texty) >= 12:
        label = soup.get_text(" ")[:20000]
        if _FIELD_WORDS.search(label):
            return f"form with {len(texty)} word inputs"
    return ""


def phrase_findings(text: str, path: str = "", ctx: AnalysisContext | None = None) -> Iterator[Finding]:
    return _phrase_findings(normalized(ctx, text), path)


def _phrase_findings(norm: str, path: str = "") -> Iterator[Finding]:
    phrases = _seed_phrases(norm)
    if phrases:
        words, valid = max(phrases, key=lambda p: (p[1], len(p[0])))
        detail = f"{len(words)} BIP-39 words{' with a valid checksum' if valid else ''}: {' '.join(words[:3])} …"
        yield Finding("crypto.seed_phrase", NAME, path, detail, score=SCORE_PHRASE_VALID if valid else SCORE_PHRASE)
    request = _seed_request(norm)
    if request:
        yield Finding("crypto.seed_request", NAME, path, f"asks: '{request[:80]}'")


CODES = (
    CodeInfo("crypto.seed_phrase", SCORE_PHRASE, Category.THEME,
             "a run of 12/15/18/21/24 BIP-39 words (6 when the BIP-39 checksum is valid)"),
    CodeInfo("crypto.seed_request", 6.0, Category.THEME,
             "asks the reader to enter a recovery/seed phrase or private key (text or HTML form)"),
)


class SeedPhraseMessage:
    """Seed phrases and seed-phrase requests in the Subject and body text."""

    name: ClassVar[str] = NAME
    after: ClassVar[tuple[str, ...]] = ()
    codes: ClassVar[tuple[CodeInfo, ...]] = CODES

    def analyze_message(
        self, msg: MessageInfo, items: Sequence[Item], findings: Sequence[Finding], ctx: AnalysisContext
    ) -> Iterator[Finding]:
        yield from _phrase_findings(normalized_join(ctx, msg.subject, msg.body_text))


class SeedPhraseDocument:
    """Seed phrases, seed requests and seed-phrase forms in documents and HTML (body or attached)."""

    name: ClassVar[str] = "seed_phrase_document"
    codes: ClassVar[tuple[CodeInfo, ...]] = CODES

    def applies_to(self, item: Item) -> bool:
        return is_document_text(item) or item.type == "html"

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        if item.type == "html":
            why = seed_request_form(decode_item(item, MAX_HTML))
            if why:
                yield Finding("crypto.seed_request", NAME, item.path, why)
        if is_document_text(item):
            yield from phrase_findings(item_text(item, ctx), item.path, ctx)

