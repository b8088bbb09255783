"""The text analyzers' quick paths give what their plain definitions give (issue 13).

Each optimised function is compared with the plain definition it replaced (copied here as it was) on
crafted adversarial texts (leet tokens at phrase boundaries, Hangul, needles repeated, empty, huge) and
on thousands of random ones.
"""

from __future__ import annotations

import random
import re
import time
import zlib
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
    """Shared or not, short texts and long, ASCII or not: the needles present and the patterns allowed are
    those of the gate's own automaton."""
    gate = _gates()[which]
    assert gate.finder is not None
    assert gate.shared == (which in (0, 1, 2, 5))  # (the gates of normalised text share their pass)
    for text in _gate_texts(gate, which):
        for t in (text, text.lower(), T.normalize(text)):
            assert gate.present(t) == plain_present(gate, t), t[:80]
            want = plain_allowed(gate, t)
            assert gate.allowed(t) == want, t[:80]
            may = gate.open(t)
            assert {rx for rx in gate._terms if may(rx)} == want


def _substrings(text: str, longest: int) -> set[str]:
    return {text[i:i + n] for n in range(1, longest + 1) for i in range(len(text) - n + 1)}


def test_distinct_sentences_hold_the_strings_without_the_separator_the_text_holds(monkeypatch: Any) -> None:
    """Every string without ". " is in the cut text exactly when it is in the text (checked for all strings of
    up to 7 characters of either, on random texts of a small alphabet that repeat pieces and empty ones)."""
    monkeypatch.setattr(T, "DISTINCT_MIN", 0)
    rng = random.Random(55)
    texts = ["", ". ", ". . ", "a. b", "a. b. c", "a. a. a. a", ". a. a. a. ", "x. . . . y", "..  .. ", "a.. b. . c.",
             "ab. ab. ab. ab. b", "b. ab. ab. ab. ab"]
    for _ in range(3000):
        pieces = [rng.choice(["a", "b", "ab", "a b", "", ".", " ", "ba."]) for _ in range(rng.randint(0, 8))]
        texts.append(". ".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) if pieces else "")
    texts += ["".join(rng.choice("ab. ") for _ in range(rng.randint(0, 80))) for _ in range(3000)]
    cut_some = 0
    for text in texts:
        cut = T.distinct_sentences(text)
        cut_some += len(cut) < len(text)
        want = {w for w in _substrings(text, 7) if T.SENTENCE_SEP not in w}
        got = {w for w in _substrings(cut, 7) if T.SENTENCE_SEP not in w}
        assert got == want, (text, cut)
    assert cut_some > 1000  # (the cut was taken, not only passed over)


def test_needle_sets_of_repeated_sentences_are_the_plain_pass() -> None:
    """Long texts made of a few sentences repeated (past DISTINCT_MIN, so they are cut), with the gates' needles
    at the ends, inside and across sentences: the present needles are those of the plain automaton pass;
    a needle holding the separator is found as before."""
    rng = random.Random(77)
    dotted = T.RegexGate([re.compile(r"end\. next"), re.compile(r"wallet|seed"), re.compile(r"q\. z|zz\.")])
    assert "end. next" in dotted.needles
    cut = 0
    for gate in [*_gates(), dotted]:
        needles = sorted(gate.needles)
        for _ in range(40):
            sentences = [" ".join(rng.choice(needles) if rng.random() < 0.2 else rng.choice(VOCABULARY)
                                  for _ in range(rng.randint(0, 9))) for _ in range(rng.randint(1, 6))]
            text = ". ".join(rng.choice(sentences) for _ in range(rng.randint(300, 900)))
            text = rng.choice(["", "end", ". ", rng.choice(needles)]) + text + rng.choice(["", ". next", "."])
            cut += len(T.distinct_sentences(text)) < len(text)
            for t in (text, text.lower(), T.normalize(text)):
                assert gate.present(t) == plain_present(gate, t), t[:80]
                assert gate._sets is not None and gate._sets.present(t) == plain_present(gate, t)
    assert cut > 200  # (the texts were cut, not passed whole)
    text = "first end. next one. " + "a b. " * 2000
    assert dotted.present(text) == plain_present(dotted, text) == {"end. next"}


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
    gate = T.RegexGate([re.compile("zzqv unusual")], shared=True)
    assert gate.present(text) == {"zzqv unusual"} and "zzqv unusual" in T._shared_present(T._SHARED.snapshot(), text)
    alone = T.RegexGate([re.compile("zzqv alone")])  # not shared: its needles are in no shared pass
    assert alone.present(text + "zzqv alone") == {"zzqv alone"}
    assert "zzqv alone" not in T._shared_present(T._SHARED.snapshot(), text + "zzqv alone")
    other = T.RegexGate([re.compile("needle zzqv")], shared=True)  # a new gate: a new snapshot holds its needles
    assert other.present(text) == {"needle zzqv"} and gate.present(text) == {"zzqv unusual"}
    del gate
    gc.collect()
    third = T.RegexGate([re.compile("unusual needle")], shared=True)  # the next snapshot: of the live gates only
    assert "zzqv unusual" not in T._shared_present(T._SHARED.snapshot(), text)
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


# ---------------------------------------------------------------------------- addresses

ADDRESSES = ["bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
             "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "BC1SW50QGDZ25J",
             "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
             "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "LM2WMpR1Rp6j3Sa59cMXMs1SPzj9eXpGc1",
             "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
             "ltc1qg82tz5u7jtnmn8ec0hjt3a8krqnnv5ef3gnw3y"]


def _address_texts(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    b58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    pieces = [*ADDRESSES, "bc1", "BC1", "ltc1", "LTC1", "Bc1", "lTc1", "c1", "C1", "0x", "1", "3", "L", "M", "T",
              "Lorem", "M4rk", "T-9", "abc", "tbc1q", "xltc1", "₿", "адрес", "é", "地址", "\u00a0", "12", "1A2B", "0O",
              "bc1q ar0s rrr7 xfkv y5l6 43ly dnw9 re59 gtzz wf5m dq", "1BvB MSEY stWe tqTF n5Au 4m4G FG7x JaNV N2",
              "0x71C7 656E C7ab 88b0 98de fB75 1B74 01B5 f6d8 976F"]
    out = ["", "bc1", "1", "L9", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "x" * 30, "1" * 26, "a" * 25 + "b",
           "Z" + "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2" + "é",
           "é1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "Lorem ipsum dolor sit amet. " * 3000,
           "1 2 3 " * 5000, "bc1 " * 3000, "T1" * 20_000,
           "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2\ud800bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq\U0001f600LTC1"]
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            r = rng.random()
            parts.append(rng.choice(pieces) if r < 0.6 else
                         "".join(rng.choice(b58) for _ in range(rng.randint(1, 40))) if r < 0.9 else
                         rng.choice(ADDRESSES)[rng.randint(0, 5):])
        out.append("".join(rng.choice([" ", "", "-", ". ", "\n", ":", "é", "₿"]) + p for p in parts))
    return out


def test_address_candidates_are_the_candidate_pattern_matches() -> None:
    from coinguard.analyzers import addresses as A

    for text in _address_texts(31, 4000):
        want = [(m.span(), m.groupdict()) for m in A._CANDIDATE.finditer(text)]
        assert [(m.span(), m.groupdict()) for m in A._candidates(text)] == want, text[:120]
        # (find_addresses hands both searches the bech32 starts it found once)
        assert [(m.span(), m.groupdict()) for m in A._candidates(text, A._bech32_starts(text))] == want, text[:120]


def test_grouped_starts_are_the_group_first_pattern_matches() -> None:
    from coinguard.analyzers import addresses as A

    broad = re.compile(r"(?<![0-9A-Za-z])(?:bc1|BC1|ltc1|LTC1|0x|[13LMT])")
    for text in _address_texts(32, 4000):
        assert list(A._group_firsts(text)) == [m.start() for m in A._GROUP_FIRST.finditer(text)], text[:120]
        assert list(A._group_firsts(text, A._bech32_starts(text))) == list(A._group_firsts(text)), text[:120]
        # what the starts are for: the same addresses as trying every word that starts with 1, 3, L, M, T
        assert set(A._group_firsts(text)) <= {m.start() for m in broad.finditer(text)}


def plain_find_addresses(text: str, limit: int = 200) -> list[Any]:
    """find_addresses as it was: the candidate pattern and the grouped starts' pattern searched at every position."""
    from coinguard.analyzers import addresses as A

    text = text[:A.MAX_TEXT]
    out: list[A.Address] = []
    for m in A._CANDIDATE.finditer(text):
        res = A._decode(m)
        if res is not None:
            out.append(A.Address(m.group(0), res[0], res[1], m.start()))
            if len(out) >= limit:
                return out
    spaced = A.find_spaced(text, limit - len(out))
    taken = [(a.start, a.stop) for a in out + spaced]
    grouped: list[A.Address] = []
    starts = 0
    for m in A._GROUP_FIRST.finditer(text):
        if len(grouped) >= limit - len(out) - len(spaced) or starts >= A.MAX_GROUP_STARTS:
            break
        first = A._GROUP_START.match(text, m.start())
        if first is None or (first.end() < len(text) and text[first.end()].isalnum()):
            continue
        if A._GROUP_GAP.match(text, first.end()) is None:
            continue
        starts += 1
        hit = A._grouped_from(text, first)
        if hit is not None:
            grouped.append(hit)
    grouped = [a for a in grouped if not any(lo < a.stop and a.start < hi for lo, hi in taken)]
    extra = spaced + grouped
    return sorted(out + extra, key=lambda a: a.start) if extra else out


def test_find_addresses_equals_the_plain_definition() -> None:
    from coinguard.analyzers import addresses as A

    texts = _address_texts(33, 3000)
    texts += [" ".join(ADDRESSES) * 30, "\n".join(f"{a} {a[:4]} {a[4:]}" for a in ADDRESSES * 40)]
    found = 0
    for text in texts:
        for limit in (200, 3):
            got = A.find_addresses(text, limit)
            assert got == plain_find_addresses(text, limit), text[:120]
            found += len(got)
    assert found > 3000


def test_collapsed_spaces_are_the_split_and_join() -> None:
    import string

    rng = random.Random(41)
    alphabet = string.printable + "\x1c\x1d\x1e\x1f\x85\xa0\u2003\u3000é"
    texts = ["", " ", "  ", "\n", "a", " a ", "a  b", "a\t\nb", "a" + " " * 9 + "b", " " * 100, "x\x1c\x1fy",
             "end.  Next", "a \u00a0 b", "\x0b\x0ca"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(5000)]
    texts += ["".join(rng.choice(" \t\nab") for _ in range(rng.randint(0, 400))) for _ in range(2000)]
    # runs on either side of what T.COLLAPSE_PASSES halves to one space (2 ** passes), and indented lines
    texts += [f"a{' ' * n}b{ws * n}c " for n in range(1, 2 ** T.COLLAPSE_PASSES + 9) for ws in (" ", "\t", " \n")]
    texts += ["".join(f"{' ' * rng.randint(0, 90)}word{rng.choice(' .')}\n" for _ in range(40)) for _ in range(200)]
    for text in texts:
        assert T.collapse_spaces(text) == " ".join(text.split()), repr(text)


def test_a_copied_shared_gate_joins_the_shared_pass() -> None:
    """A gate that was not built here (copied, unpickled) is added to the shared pass when first asked."""
    import copy
    import pickle

    text = "qqzv copied gate " * 100
    gate = T.RegexGate([re.compile("qqzv copied")], shared=True)
    twin = copy.copy(gate)
    del gate
    import gc

    gc.collect()
    T.RegexGate([re.compile("qqzv other")], shared=True)  # a new snapshot, without the dead original
    assert twin.present(text) == {"qqzv copied"}
    assert pickle.loads(pickle.dumps(T.PhraseMatcher(["re:qqzv pickled"])))._find("a qqzv pickled " * 60) == \
        {0: "qqzv pickled"}


def test_shape_searches_answer_as_the_substring_test() -> None:
    """normalize's and find_spaced's gates search their dense shapes (nearly all "a" and a separator) with re's
    literal search: the answer is ``needle in shape`` on shapes that hold the needle, miss it by one unit,
    or hold it at either end."""
    from coinguard.analyzers import addresses as A

    rng = random.Random(43)
    searches = [(T._LETTERS_SPACED_IN_SHAPE, T._ASCII_LETTERS_SPACED, b"a ."),
                (T._LETTERS_SEPARATED_IN_SHAPE, T._ASCII_LETTERS_SEPARATED, b"a ."),
                (T._letters_spaced_in, T._ASCII_LETTERS_SPACED, b"a ."),  # (their middles looked for first)
                (T._letters_separated_in, T._ASCII_LETTERS_SEPARATED, b"a ."),
                (A._SPACED_SHAPE_RUN_IN, A._SPACED_SHAPE_RUN, b"asx")]
    for search, needle, alphabet in searches:
        shapes = [b"", needle, needle[:-1], needle[1:], b"a" + needle, needle + b"a", needle[:-2] * 50]
        for _ in range(3000):
            size = rng.randint(0, 3 * len(needle))
            units = [bytes([rng.choice(alphabet)]) if rng.random() < 0.3 else needle[: rng.randint(1, len(needle))]
                     for _ in range(size // 4 + 1)]
            shapes.append(b"".join(units))
        held = 0
        for shape in shapes:
            assert (search(shape) not in (None, False)) == (needle in shape), shape
            held += needle in shape
        assert 50 < held < len(shapes) - 50  # both answers were asked


# ---------------------------------------------------------------------------- factored alternations

#: Crafted patterns: shared prefixes, an empty branch first and last, a one-letter branch before longer ones
#: (ordered choice: the first that matches wins, backtracking into the next), groups, nested alternations,
#: lookarounds with branches, repeats, a case-insensitive group, a class branch between literal runs.
FACTOR_CRAFTED = [
    r"ab|ac|a|b", r"a|ab|abc", r"(?:|a|ab)c", r"(?:a|ab)(?:c|bcd)", r"(ab|ac)(d)|(a)(bd)",
    r"(?<![a-z])(?:pay|paid|p)(?![a-z])",
    r"x(?:ab|ac|[ab]c|ad|ae)y", r"(?=ab|ac)a\w", r"(?<=ab|ac)d", r"(?:ab|ac){2,3}", r"(?:ab|ac)*?d", r"(?>ab|a)b",
    r"(?i:ab|AC)|ab", r"(?:pre|pro|p)(?:fix|fi|f)?x", r"(?P<w>ab|ac)\1|ad", r"\d(?:btc|bt|b)|btc\d", r"€|€u|e",
    r"(?:a(?:b|c)|a(?:d|e))f", r"(?:ab|ac)++c", r"(?:ab|)(?:|ab)b",
]


def _factor_pieces(patterns: Sequence[re.Pattern[str]]) -> list[str]:
    pieces = ["a", "b", "c", "ab", "ac", "d", "x", "y", "p", " ", ". ", "1", "24", "0.5", "€", "é", "ß", "\n", "A"]
    for rx in patterns:
        pieces.extend(sorted(T.match_prefixes(rx) or ())[:60])
    return pieces


def _factor_texts(patterns: Sequence[re.Pattern[str]], seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    pieces = _factor_pieces(patterns)
    return ["", "a", "ab" * 50] + ["".join(rng.choice(pieces) + rng.choice(("", "", " ", "s ", "x")) for _ in
                                           range(rng.randint(1, 40))) for _ in range(count)]


def _same_matches(rx: re.Pattern[str], twin: re.Pattern[str], text: str) -> None:
    got = [(m.span(), m.groups()) for m in twin.finditer(text)]
    assert got == [(m.span(), m.groups()) for m in rx.finditer(text)], (rx.pattern, text)
    for pos in (0, 1, len(text) // 2):
        a, b = rx.search(text, pos), twin.search(text, pos)
        assert (a and (a.span(), a.groups())) == (b and (b.span(), b.groups())), (rx.pattern, text, pos)
        a, b = rx.match(text, pos), twin.match(text, pos)
        assert (a and a.span()) == (b and b.span())
    assert twin.sub("_", text) == rx.sub("_", text)


@pytest.mark.parametrize("pattern", FACTOR_CRAFTED)
def test_factored_crafted_patterns_match_the_same(pattern: str) -> None:
    rx = re.compile(pattern)
    twin = T.factored(rx)
    for text in _factor_texts([rx], zlib.crc32(pattern.encode()) % 1000, 400):  # (a seed every run repeats)
        _same_matches(rx, twin, text)


def _vocabularies() -> list[re.Pattern[str]]:
    from coinguard import lures as L
    from coinguard.analyzers import extortion_common as E

    found = [v for mod in (E, L) for v in vars(mod).values() if isinstance(v, re.Pattern)]
    return [*found, *E.THREAT_GROUPS.values(), *(rx for rx, _i in LURES.matcher.regexes)]


def test_factored_vocabularies_match_the_same() -> None:
    """Every pattern of extortion_common and lures (and the lure list's ``re:`` phrases), factored, finds what
    it finds as written, on random texts of their own stems."""
    patterns = _vocabularies()
    factored = [rx for rx in patterns if T.factored(rx) is not rx]
    assert len(factored) > 30  # (the vocabularies are factored: not all returned as written)
    texts = _factor_texts(patterns, 13, 300)
    from coinguard.analyzers.extortion_common import prepare

    texts += [prepare(t) for t in texts[:100]]
    for rx in patterns:
        twin = T.factored(rx)
        assert T.factored(rx) is twin  # (remembered)
        for text in texts:
            _same_matches(rx, twin, text)


def test_factored_leaves_what_it_cannot_group() -> None:
    rx = re.compile("ab|ac", re.IGNORECASE)
    assert T.factored(rx) is rx
    conditional = re.compile(r"(a)?(?(1)b|c)")
    assert T.factored(conditional) is conditional
    plain = re.compile(r"\d+")
    assert T.factored(plain).search("x 12").span() == (2, 4)


def test_factored_search_stays_linear() -> None:
    from coinguard.analyzers.extortion_common import DEMAND, THREAT_GROUPS

    for rx in (DEMAND, *THREAT_GROUPS.values()):
        twin = T.factored(rx)
        unit = " ".join(sorted(T.match_prefixes(rx) or ())[:40]).replace(" ", "x ") + " "
        small, large = unit * (20_000 // len(unit)), unit * (200_000 // len(unit))
        def scan(text: str, twin: re.Pattern[str] = twin) -> None:
            list(twin.finditer(text))

        ratio = _cpu(lambda: scan(large)) / max(_cpu(lambda: scan(small)), 1e-4)  # noqa: B023 (called here)
        assert ratio < 20, (rx.pattern[:40], ratio)
