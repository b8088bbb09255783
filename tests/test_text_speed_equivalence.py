"""The text analyzers' quick paths give what their plain definitions give (issue 13).

Each optimised function is compared with the plain definition it replaced (copied here as it was) on
crafted adversarial texts (leet tokens at phrase boundaries, Hangul, needles repeated, empty, huge) and
on thousands of random ones.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from coinguard import text as T
from coinguard.config import parse_config
from coinguard.lures import load_lures

LURES = load_lures(parse_config("").crypto.lures_file)

# ---------------------------------------------------------------------------- plain definitions

_PLAIN_MIXED = re.compile(r"[a-z][0-9]|[0-9][a-z]")


def plain_scan_tokens(matcher: T.PhraseMatcher, tokens: tuple[str, ...], found: dict[int, str]) -> None:
    first = matcher.first
    consumed = -1
    for j in [i for i, tok in enumerate(tokens) if tok in first]:
        if j <= consumed:
            continue
        for seq, idx in first[tokens[j]]:
            k = len(seq)
            if k == 1 or tokens[j:j + k] == seq:
                found.setdefault(idx, " ".join(seq))
                consumed = j + k - 1
                break


def plain_present(gate: T.RegexGate, text: str) -> set[str]:
    return {w for _end, w in gate.finder.iter(text)} if gate.finder is not None else set()


def plain_allowed(gate: T.RegexGate, text: str) -> set[re.Pattern[str]]:
    present = plain_present(gate, text)
    out = set()
    for rx, dnf in gate._terms.items():  # (required_terms(rx), computed once)
        if dnf is None or any(all(not n.isdisjoint(present) for n in conj) for conj in dnf):
            out.add(rx)
    return out


def plain_find(matcher: T.PhraseMatcher, norm: str) -> dict[int, str]:
    found: dict[int, str] = {}
    if matcher.first:
        tokens = T._tokens(norm)
        plain_scan_tokens(matcher, tokens, found)
        if _PLAIN_MIXED.search(norm):
            folded = tuple(t.translate(T._LEET) if not t.isalpha() and not t.isdigit() else t for t in tokens)
            plain_scan_tokens(matcher, folded, found)
    if matcher.hangul and T._HANGUL.search(norm):
        compact = T._HANGUL_GAP.sub("", norm)
        for phrase, idx in matcher.hangul:
            if phrase in compact:
                found.setdefault(idx, phrase)
                compact = compact.replace(phrase, "|")
    allowed = plain_allowed(matcher.gate, norm)
    for rx, idx in matcher.regexes:
        if rx not in allowed:
            continue
        m = rx.search(norm)
        if m:
            found.setdefault(idx, m.group(0))
    return found


def plain_leet_changes(norm: str) -> dict[int, str]:
    tokens = T._tokens(norm)
    return {i: t.translate(T._LEET) for i, t in enumerate(tokens)
            if not t.isalpha() and not t.isdigit() and t.translate(T._LEET) != t}


# ---------------------------------------------------------------------------- texts

#: Phrases whose tokens hold digits, overlap and nest, so that a folded token changes what the longest
#: match at a position consumes (the local rescan must reproduce it exactly).
CRAFTED_PHRASES = [
    "seed phrase", "seed", "phrase words", "b1 c", "bi c", "c d", "c d e", "a b c d e f", "d e", "x1 y", "y z",
    "24 hours", "web3 wallet", "wallet", "2fa code", "code", "s3ed", "air drop", "airdrop claim", "claim now",
    "now", "e f", "f g h", "tokens", "a", "re:(?<![a-z])claim\\s(?:now|today)", "re:[$€]\\d+", "re:w[a4]llet",
    "지갑 주소", "re:i\\d", "re:(?:btc|eth)\\s?\\d", "re:x", "re:seed|phrase",
]
VOCABULARY = ["seed", "s3ed", "5eed", "phrase", "phr4se", "phras3", "words", "w0rds", "b1", "bi", "c", "d", "e", "f",
              "g", "h", "x1", "xi", "y", "z", "24", "hours", "h0urs", "web3", "webe", "wallet", "w4ll3t", "wa11et",
              "2fa", "code", "c0de", "air", "a1r", "drop", "dr0p", "airdrop", "4irdrop", "claim", "cl4im", "now",
              "n0w", "a2", "1a", "123", "0x1f", "tokens", "t0kens", "a", "4", "$5", "€", "btc", "eth", "i2", "지갑",
              "주소", "x", "lorem", "ipsum", "1", "3", "0", "a1b2c3d4e5f6"]
SEPARATORS = [" ", " ", " ", "-", ", ", ". ", "  ", "\n", "'", "_"]


def random_text(rng: random.Random, words: int, vocabulary: Sequence[str] = VOCABULARY) -> str:
    return "".join(rng.choice(vocabulary) + rng.choice(SEPARATORS) for _ in range(words))


def crafted_texts() -> list[str]:
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. " * 25
    texts = [
        "", " ", "a", "4", "s3ed", "s3ed phr4se", "seed phr4se", "s3ed phrase", "b1 c d e", "bi c d e", "x1 y z",
        "a b c d e f g h", "a b1 c d e f", "seed phrase words", "s3ed phrase w0rds", "24 h0urs", "web3 w4ll3t",
        "w4ll3t " * 50, "b1 c " * 300, "c d e " * 200 + "b1 c d", "Reference 7-a1b2c3d4e5f6\n" + filler * 40,
        "a2 " * 1000, "지갑 주소 s3ed phr4se 지갑주소", "지갑" * 500, "claim now " * 3000, "$5 €5 i2 x" * 100,
        "1a2b3c4d5e6f7 " * 2000, "seed" * 10_000, "s" * 50_000 + "3ed phrase", "0" * 30_000,
        "a1 " + "lorem " * 20_000 + "b1 c", "lorem " * 20_000 + "a b c d e f",
        "пароль s3ed фраза wallet", "metamask\ud800 s3ed", "ｗａｌｌｅｔ ｓ３ｅｄ",
    ]
    rng = random.Random(13)
    texts += [random_text(rng, 2000) for _ in range(5)]  # long: past SHARED_PASS_MIN
    texts += [random_text(rng, 200_000 // 6)]  # huge
    return texts


def random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [random_text(rng, rng.randint(0, 40)) for _ in range(count)]


def _matchers() -> list[T.PhraseMatcher]:
    from coinguard.brandlist import load_brands

    brands = load_brands(parse_config("").crypto.brands_file)
    return [T.PhraseMatcher(CRAFTED_PHRASES), LURES.matcher, brands.strong.matcher, brands.weak.matcher]


# ---------------------------------------------------------------------------- the phrase matcher


def test_leet_changes_are_the_tokens_the_plain_fold_changes() -> None:
    for text in [*crafted_texts(), *random_texts(3000, 1)]:
        norm = T.normalize(text)
        assert T._leet_changes(norm) == plain_leet_changes(norm), text[:80]


@pytest.mark.parametrize("which", range(4))
def test_find_equals_the_plain_definition(which: int) -> None:
    """Same phrases, same matched text, same order (the local folded rescan, the candidate pass, the gate)."""
    matcher = _matchers()[which]
    texts = crafted_texts() + random_texts(2500, 100 + which)
    # the real lists' own words, leet-spelled at random, next to each other (the boundaries of their phrases)
    words = sorted({t for seqs in matcher.first.values() for seq, _idx in seqs for t in seq})
    rng = random.Random(which)
    leet = str.maketrans({"o": "0", "i": "1", "e": "3", "a": "4", "s": "5", "t": "7"})
    for _ in range(1500):
        picked = [rng.choice(words) for _ in range(rng.randint(1, 30))]
        texts.append(" ".join(w.translate(leet) if rng.random() < 0.3 else w for w in picked))
    for text in texts:
        norm = T.normalize(text)
        assert matcher._find(norm) == plain_find(matcher, norm), text[:120]
        assert list(matcher._find(norm).items()) == list(plain_find(matcher, norm).items()), text[:120]


def test_find_equals_the_plain_definition_for_random_overlapping_phrase_lists() -> None:
    """Random lists of overlapping phrases over a few tokens, some of which leet-fold into others: the longest
    match consumes differently in the two passes, at every distance from a folded token."""
    leet = ["x1", "y3", "5v", "0o", "a2"]  # (fold to xi, ye, sv, oo; a2 stays)
    plain = ["xi", "ye", "zz", "ww", "sv", "qq", "oo"]
    rng = random.Random(21)
    paths = set()
    for _ in range(400):
        phrases = {" ".join(rng.choice(leet + plain) for _ in range(rng.randint(1, 5)))
                   for _ in range(rng.randint(1, 12))}
        matcher = T.PhraseMatcher(sorted(phrases))
        for _ in range(25):
            share = rng.choice([0.03, 0.1, 0.2, 0.5])  # the local rescan and the whole folded pass
            norm = T.normalize(" ".join(rng.choice(leet if rng.random() < share else plain)
                                        for _ in range(rng.randint(0, 80))))
            changed = len(T._leet_changes(norm))
            paths.add(changed * T.DENSE_LEET > len(T._tokens(norm)) if changed else None)
            assert list(matcher._find(norm).items()) == list(plain_find(matcher, norm).items()), (phrases, norm)
    assert paths == {None, False, True}
    # the folded pass matches "xi ye zz" where the first matched "zz ww oo": "ww oo" is left to it, past the
    # folded token's reach
    crafted = T.PhraseMatcher(["xi ye zz", "zz ww oo", "ww oo"])
    norm = "x1 ye zz ww oo" + " qq" * 20
    assert crafted._find(norm) == plain_find(crafted, norm) == {1: "zz ww oo", 0: "xi ye zz", 2: "ww oo"}


def test_dense_and_sparse_leet_take_both_paths() -> None:
    """A text where more than one token in DENSE_LEET changes is folded whole; a sparse one locally."""
    matcher = T.PhraseMatcher(CRAFTED_PHRASES)
    dense = T.normalize("s3ed phr4se b1 c " * 100)
    sparse = T.normalize("seed phrase b1 c " + "code lorem " * 200)
    assert len(T._leet_changes(dense)) * T.DENSE_LEET > len(T._tokens(dense))
    assert 0 < len(T._leet_changes(sparse)) * T.DENSE_LEET < len(T._tokens(sparse))
    for norm in (dense, sparse):
        assert matcher._find(norm) == plain_find(matcher, norm)


# ---------------------------------------------------------------------------- the regex gates


def _gates() -> list[T.RegexGate]:
    from coinguard.analyzers import crypto_theme, extortion_common, seed_phrase
    from coinguard.lures import _DISCLAIMER_GATE

    return [LURES.matcher.gate, _DISCLAIMER_GATE, seed_phrase._REQUEST_GATE, crypto_theme._coin_gate(),
            extortion_common._gate(), T.PhraseMatcher(CRAFTED_PHRASES).gate]


def _gate_texts(gate: T.RegexGate, seed: int) -> list[str]:
    """Texts of the gate's own needles (single characters, non-ASCII ones), short and past SHARED_PASS_MIN."""
    rng = random.Random(seed)
    needles = sorted(gate.needles)
    out = crafted_texts()[:30]
    for _ in range(300):
        pieces = [rng.choice(needles) if rng.random() < 0.4 else rng.choice(VOCABULARY)
                  for _ in range(rng.randint(0, 12))]
        out.append(rng.choice(["", " "]).join(pieces))
    for _ in range(20):
        pieces = [rng.choice(needles) if rng.random() < 0.05 else rng.choice(VOCABULARY)
                  for _ in range(rng.randint(400, 2000))]
        out.append(" ".join(pieces))
    out.append("lorem ipsum " * 1000 + "".join(needles[:3]))
    out.append("i" * 5000)
    return out


@pytest.mark.parametrize("which", range(6))
def test_gates_allow_what_their_own_pass_allows(which: int) -> None:
    gate = _gates()[which]
    assert gate.finder is not None
    for text in _gate_texts(gate, which):
        for t in (text, text.lower(), T.normalize(text)):
            assert gate.present(t) == plain_present(gate, t), t[:80]
            want = plain_allowed(gate, t)
            assert gate.allowed(t) == want, t[:80]
            may = gate.open(t)
            assert {rx for rx in gate._terms if may(rx)} == want


def test_a_gate_asked_of_an_equal_or_a_foreign_pattern_answers_as_before() -> None:
    own = re.compile(r"(?<![a-z])claim\s(?:now|today)")
    gate = T.RegexGate([own, re.compile(r"wallet|seed")])
    twin = re.compile(r"(?<![a-z])claim\s(?:now|today)", re.UNICODE)  # (another key of re's cache)
    assert twin == own and twin is not own
    foreign = re.compile(r"never in the gate")
    for text in ("claim now", "claim later", "my wallet", "x " * 3000 + "claim today", ""):
        may = gate.open(text)
        want = plain_allowed(gate, text)
        assert may(twin) == (twin in want)
        assert may(foreign)


def test_the_shared_pass_follows_new_and_dropped_gates() -> None:
    import gc

    text = "zzqv unusual needle " * 500
    assert len(text) >= T.SHARED_PASS_MIN
    gate = T.RegexGate([re.compile("zzqv unusual")])
    assert gate.present(text) == {"zzqv unusual"}
    other = T.RegexGate([re.compile("needle zzqv")])  # a new gate: a new snapshot holds its needles
    assert other.present(text) == {"needle zzqv"} and gate.present(text) == {"zzqv unusual"}
    del gate
    gc.collect()
    third = T.RegexGate([re.compile("unusual needle")])  # the next snapshot is of the live gates only
    assert "zzqv unusual" not in T._SHARED.snapshot().present(text)
    assert third.present(text) == {"unusual needle"} and other.present(text) == {"needle zzqv"}


# ---------------------------------------------------------------------------- cost


def _cpu(fn: Callable[[], Any], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


@pytest.mark.parametrize("unit", ["s3ed phr4se b1 c ", "seed phrase code lorem a1 ", "w4ll3t " * 3 + "b1 c d e f "])
def test_find_stays_linear(unit: str) -> None:
    matcher = T.PhraseMatcher(CRAFTED_PHRASES)
    small = T.normalize(unit * (20_000 // len(unit)))
    large = T.normalize(unit * (200_000 // len(unit)))
    ratio = _cpu(lambda: matcher._find(large)) / max(_cpu(lambda: matcher._find(small)), 1e-4)
    assert ratio < 20, ratio
