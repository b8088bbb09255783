"""Letters written one by one with a separator ("s.e.e.d p.h.r.a.s.e", "w-a-l-l-e-t") are joined back
into words by text.normalize, as spaced letters are; abbreviations, host names and numbers are not."""

from __future__ import annotations

import time

import pytest

from coinguard.config import parse_config
from coinguard.lures import load_lures
from coinguard.text import normalize


@pytest.mark.parametrize(("written", "read"), [
    ("s.e.e.d p.h.r.a.s.e", "seed phrase"),
    ("Enter your S.E.E.D. P-H-R-A-S-E now!", "enter your seed phrase now!"),
    ("w-a-l-l-e-t", "wallet"),
    ("(w_a_l_l_e_t)", "(wallet)"),
    ("«s·e·e·d»", "«seed»"),
    ("r*e*c*o*v*e*r*y, please", "recovery, please"),
    ("m\u2010e\u2010t\u2010a\u2010m\u2010a\u2010s\u2010k", "metamask"),
    ("s.e.e.d p h r a s e", "seed phrase"),  # with the spaced-letter join
])
def test_separated_letters_are_joined(written: str, read: str) -> None:
    assert normalize(written) == read


@pytest.mark.parametrize("kept", [
    "u.s.a. and e.g. i.e. j.r.r. tolkien",  # abbreviations of 2-3 letters
    "a.b.c.d.example.com",  # a host name
    "see x-y-z.html",  # a file name
    "3.1.4.1 and 1-2-3-4",  # numbers
    "s.e-e.d",  # mixed separators
    "a.b.c.dx",  # the last piece is no single letter
    "xa.b.c.d",  # nor the first
])
def test_what_is_not_a_separated_word_stays(kept: str) -> None:
    assert normalize(kept) == kept.casefold()


def test_the_lure_matcher_reads_the_joined_words() -> None:
    matcher = load_lures(parse_config("").crypto.lures_file).matcher
    plain = set(matcher._find(normalize("verify your seed phrase to unlock the wallet")).values())
    disguised = normalize("verify your s.e.e.d p-h-r-a-s-e to unlock the w_a_l_l_e_t")
    assert plain and set(matcher._find(disguised).values()) == plain


def _cpu(text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        normalize(text)
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("unit", ["a.", "a.a.a.a,,,x ", "(a.b.c.d", "a-" * 50 + "xy ", "a.b.c.d " + "!" * 40])
def test_cost_is_linear(unit: str) -> None:
    small = unit * (20_000 // len(unit))
    large = unit * (200_000 // len(unit))
    ratio = _cpu(large) / max(_cpu(small), 1e-4)
    assert ratio < 20, f"normalize grows {ratio:.1f}x for 10x input ({unit[:12]!r})"
