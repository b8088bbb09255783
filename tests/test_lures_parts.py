"""A joined text (Subject, display name, body) matched from its parts gives exactly what the whole text gave.

A campaign's copies share a body and differ in the Subject: lures._match_norm takes the disclaimers out of the
body past its first few characters once per body (lures._disclaimed_body) and the matcher remembers the
``re:`` phrases' searches on the body (text.PhraseMatcher.find_parts); only the head and the characters around
the joining space are read per copy.  Each check computes the result the old way (nothing remembered) and the
new way, on texts built to cross the joining space."""

from __future__ import annotations

import random
import re

import pytest

from coinguard import lures as lures_mod
from coinguard import text
from coinguard.lures import _match_norm, build_lures, lures_for
from test_text_join_split import WORDS

from helpers import make_context

ASCII_WORDS = [w for w in WORDS if w.isascii()]
SEAM = ["recovery phrase", "seed phrase", "never ask for your recovery phrase", "within 24 hours",
        "claim your reward", "i got a mail saying", "do not share your seed phrase", "a fee of $20",
        "for example: \"verify your wallet\"", "connect wallet"]


def _clear() -> None:
    text._JOINS.clear()
    for fn in (text._tokens, text.token_set, text._leet_changes, text._shared_present, text._body_present,
               text._body_tokens, text._body_token_set, text._body_leet_changes, text._find,
               text._distinct_sentences, lures_mod._match_norm, lures_mod.without_disclaimers,
               lures_mod._disclaimed_body):
        fn.cache_clear()


def _case(rng: random.Random, words: list[str]) -> tuple[str, str]:
    head = " ".join(rng.choice(words) for _ in range(rng.randint(1, 10)))
    body = ". ".join(" ".join(rng.choice(words) for _ in range(rng.randint(3, 25)))
                     for _ in range(rng.randint(3, 10)))
    if rng.random() < 0.5:  # a phrase, a disclaimer, a report begun in the head and ended in the body
        lead, _, rest = rng.choice(SEAM).partition(" ")
        head, body = f"{head} {lead}", f"{rest} {body}"
    return text.normalize(head), text.normalize(body)


def _whole(joined: str, lures: lures_mod.LureList) -> lures_mod.LureMatch:
    _clear()  # nothing remembered: the joined text is read whole
    return _match_norm(joined, lures)


@pytest.mark.parametrize("seed", range(8))
def test_a_joined_text_matched_from_its_parts_is_matched_as_a_whole(seed: int) -> None:
    lures = lures_for(make_context())
    rng = random.Random(seed)
    split = 0
    for _ in range(30):
        head, body = _case(rng, ASCII_WORDS if seed % 4 else WORDS)
        if not head or not body:
            continue
        joined = f"{head} {body}"
        expected = _whole(joined, lures)
        _clear()
        text._remember_join(joined, head, body, split=False)
        assert text.join_parts(joined) == (head, body)
        split += len(body) >= lures_mod.PARTS_MIN and joined.isascii() \
            and lures_mod._disclaimed_parts(joined, head, body) is not None
        assert _match_norm(joined, lures) == expected
        # the next copy: another string, the body's stages and searches remembered
        _match_norm.cache_clear()
        again = f"{head} {body}"
        text._remember_join(again, head, body, split=False)
        assert _match_norm(again, lures) == expected
    assert split >= 5 or seed % 4 == 0  # the parts were read (a text of other scripts is read whole)


def test_the_body_memo_gives_the_same_terms_and_misses_for_another_body_or_list() -> None:
    """A campaign's next copy hits the body's memo (the same result as reading it whole); another body, or the
    same lines loaded anew (a reload: another LureList, another matcher), has its own entry."""
    ctx = make_context()
    lures = lures_for(ctx)
    body = text.normalize("Dear customer, your withdrawal of 0.4812 BTC is on hold until the attached invoice is "
                          "settled. Open the attached invoice and confirm the payment within 24 hours, or the "
                          "withdrawal will be cancelled. Verify your seed phrase at the link below. We will never "
                          "ask for your password by phone. This is an automated message, please do not reply.")
    _clear()
    memo = lures.matcher._body_memo
    memo.clear()
    results = []
    for n in range(3):
        joined = text.normalized_join(make_context(), f"Binance: verify your wallet (case {100000 + n})",
                                      "Binance Security", body)
        results.append((joined, _match_norm(joined, lures)))
    parts = text.join_parts(results[0][0])
    assert parts is not None and parts[1] == body
    disclaimed = lures_mod._disclaimed_parts(results[0][0], *parts)
    assert disclaimed is not None and disclaimed[1] in memo and len(memo) == 1  # one body, one entry
    for joined, got in results:
        assert got == _whole(joined, lures)
        assert "within 24 hours" in {t.phrase for t in got.terms}
    other = text.normalized_join(make_context(), "Subject", "", body.replace("24 hours", "48 hours"))
    _match_norm(other, lures)
    assert len(memo) == 2  # another body: its own searches

    again = build_lures(lures.lures)  # the same lines, a new list (a reload): nothing shared
    assert again.matcher._body_memo is not memo and not again.matcher._body_memo
    joined = results[0][0]
    text._remember_join(joined, *parts, split=False)
    assert _match_norm(joined, again).terms == results[0][1].terms
    assert len(again.matcher._body_memo) == 1


def test_the_body_memo_is_bounded() -> None:
    lures = lures_for(make_context())
    _clear()
    lures.matcher._body_memo.clear()
    for n in range(text.BODY_MEMO + 5):
        body = f"claim your reward number {n} within 24 hours, " * 10
        joined = text.normalized_join(make_context(), "Subject", "", body)
        _match_norm(joined, lures)
    assert len(lures.matcher._body_memo) == text.BODY_MEMO


def test_a_disclaimer_or_report_in_the_head_reads_the_whole_text() -> None:
    body = text.normalize("enter your recovery phrase below to keep your wallet. " * 8)
    for head in ("we will never ask for your", "i got a mail saying", "nothing here"):
        joined = f"{text.normalize(head)} {body}"
        parts = (text.normalize(head), body)
        got = lures_mod._disclaimed_parts(joined, *parts)
        if head == "nothing here":
            assert got is not None and got[0] == lures_mod.without_disclaimers(joined)
        else:
            assert got is None  # a stage's match starts in the head: not split
        _clear()
        text._remember_join(joined, *parts, split=False)
        lures = lures_for(make_context())
        split = _match_norm(joined, lures)
        assert split == _whole(joined, lures)


def test_prefixed_search_from_a_position_and_before_a_limit() -> None:
    rx = re.compile(r"(?<![a-z])(?:get|claim)\s(?:btc|eth)")
    prefixes = text.match_prefixes(rx)
    assert prefixes == frozenset({"get", "claim"})
    sample = "get btc, forget btc, claim eth and get eth"
    for pos in range(len(sample) + 1):
        expected = rx.search(sample, pos)
        got = text.prefixed_search(rx, prefixes, sample, pos)
        assert (got and got.span()) == (expected and expected.span())
        for before in range(len(sample) + 2):
            limited = text.prefixed_search(rx, prefixes, sample, pos, before=before)
            want = expected if expected is not None and expected.start() < before else None
            assert (limited and limited.span()) == (want and want.span())


def test_lookbehind_reach_counts_every_lookbehind() -> None:
    assert text.lookbehind_reach(re.compile("abc")) == 1
    assert text.lookbehind_reach(re.compile(r"(?<![a-z])abc\b")) == 2
    assert text.lookbehind_reach(re.compile(r"(?:x|(?<=ab(?<!cde))y)")) == 6
    assert text.lookbehind_reach(re.compile("(?i)abc")) is None  # not parsed here: searched whole
