"""text.prefixed_search is rx.search: a pattern whose every match starts with one of match_prefixes' strings is
tried only where they occur, and finds the same (leftmost) match on every text (issue 13)."""

from __future__ import annotations

import glob
import os
import random
import re

import pytest

from coinguard.text import PhraseMatcher, match_prefixes, normalize, prefixed_search

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _config_patterns() -> list[str]:
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "config", "*.txt"))):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if "re:" in line and not line.lstrip().startswith("#"):
                    pat = line.split("re:", 1)[1].rstrip("\n")
                    try:
                        re.compile(pat)
                    except re.error:
                        continue
                    out.append(pat)
    return out


CRAFTED = [
    r"(?<![a-z])(?:eth|ethereum|sol|solana)(?![a-z])",
    r"(?<![a-z])eth\b",
    r"\beth",
    r"^eth",
    r"(?m)^eth",
    r"(?:your )?device (?:is|was) locked",
    r"(?:a|ab)+c",
    r"(?:aa)+b",
    r"aa",
    r"aba",
    r"[$€£]\s?\d+",
    r"(?=eth)e\w+",
    r"(?<=x)eth",
    r"(?>eth|et)h",
    r"(?:x?)eth",
    r"(?:ab|a)*c",
    r"(?:ab){0}c",
    r"(?:ab)?(?:cd)?e",
    r"₿\s?\d",
    r"(?i:eth)x",
    r"(?:ETH|Eth|eth)",
]

ALPHABET = [*"ab cdehtxsol$€₿1 \n", "eth", "sol", "aa", "whether", "solely", "your ", "device ", "is ",
            "locked", "ethereum", "bitcoin", "btc ", "0.5 ", "get ", "free "]


def _texts(seed: int = 13) -> list[str]:
    rnd = random.Random(seed)
    texts = ["", "eth", "xeth", "ethx", "eth eth", "whether", "ethethe", "aaaa", "aab", "ababc", "abcabc",
             "x\neth", "Eth ETH eth", "éth eth", "ethé", "ßeth", "whether solely " * 200 + "eth",
             "eth" + " whether" * 500, "€ 12 $5 ₿1", "your device is locked", "device was locked",
             "your your device is locked", "ETHx Ethx"]
    for _ in range(600):
        texts.append("".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 60))))
    prose = ("whether or not the method solely applies, together with something else; you may get free btc or "
             "receive 0.5 eth of 24 words seed phrase within 24 hours. ")
    texts.append(prose * 700)  # ~80 KB
    texts.append(normalize(prose * 20))
    return texts


TEXTS = _texts()


def _same(rx: re.Pattern[str], prefixes: frozenset[str], text: str) -> None:
    want = rx.search(text)
    got = prefixed_search(rx, prefixes, text)
    assert (got.span(), got.group(0)) == (want.span(), want.group(0)) if want else got is None, (rx.pattern, text[:80])


@pytest.mark.parametrize("pattern", CRAFTED + _config_patterns())
def test_prefixed_search_equals_search(pattern: str) -> None:
    rx = re.compile(pattern)
    prefixes = match_prefixes(rx)
    if prefixes is None:
        return
    for text in TEXTS:
        _same(rx, prefixes, text)


def test_prefixes_are_read_where_provable() -> None:
    assert match_prefixes(re.compile(r"(?<![a-z])(?:eth|ethereum|sol)(?![a-z])")) == {"eth", "sol"}
    assert match_prefixes(re.compile(r"(?:your )?device")) == {"your ", "device"}
    assert match_prefixes(re.compile(r"[$€£]\d")) == {"$", "€", "£"}
    # not provable: an optional end, a digit class, case-insensitive, a match that may be empty
    for pat in (r"\d+eth", r"(?i)eth", r"(?i:eth)", r"(?:eth)?", r"x*", r"(?:eth|\d)", r"[^a]eth", r".eth",
                r"(?<![a-z])", r"(?:eth|)x?"):
        assert match_prefixes(re.compile(pat)) is None, pat


def test_most_config_patterns_qualify() -> None:
    pats = _config_patterns()
    assert sum(match_prefixes(re.compile(p)) is not None for p in pats) * 4 > len(pats) * 3


def test_phrase_matcher_same_as_plain_search() -> None:
    pats = CRAFTED + _config_patterns()
    m = PhraseMatcher(["re:" + p for p in pats])
    plain = [re.compile(p) for p in pats]
    for text in TEXTS[::7] + TEXTS[-2:]:
        norm = normalize(text)
        want = {i: mm.group(0) for i, rx in enumerate(plain) if (mm := rx.search(norm))}
        assert m.find(norm) == want
