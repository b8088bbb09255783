"""A joined text remembered as its head and body (text.split_join) gives exactly what the joined text gave.

A campaign's copies share a body and differ in the Subject: the tokens, leet folds and needles of
``head + " " + body`` are computed from the parts (the body's remembered by the body).  Each check below
computes the joined text's result the old way (no join remembered, caches empty) and the new way (the join
remembered), on texts built to cross the joining space: phrases split between Subject and body, leetspeak,
disclaimers and reported speech spanning it, repeated phrases in both parts, other scripts."""

from __future__ import annotations

import random
from typing import Any

import pytest

from coinguard import lures as lures_mod
from coinguard import text
from coinguard.brandlist import brands_for, mentioned_norm

from helpers import make_context

WORDS = [
    "wallet", "w4ll3t", "seed", "phrase", "s33d", "recovery", "private", "key", "verify", "your", "account",
    "claim", "reward", "airdrop", "now", "within", "24", "hours", "0.5", "btc", "eth", "$20", "fee", "withdrawal",
    "has", "been", "processed", "connect", "metamask", "ledger", "binance", "coinbase", "kraken", "urgent",
    "suspended", "we", "will", "never", "ask", "for", "i", "got", "a", "mail", "saying", "do", "not", "share",
    "the", "invoice", "attached", "payment", "bitcoin", "crypto", "криптовалюта", "кошелек", "钱包", "助记词",
    "지갑", "복구", "e.g.", "\"verify", "wallet\"", "for example:", "never share your seed phrase", ".", "!",
    "scammers", "claim", "you", "won", "1", "bitcoin", "limited", "time", "offer", "log", "in", "here",
    "unlock", "funds", "gift", "usdt", "trc20", "double", "send", "back", "fake", "emails", "asking",
]


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _case(rng: random.Random) -> tuple[str, str]:
    head = _sentence(rng, rng.randint(1, 8))
    body_words = [_sentence(rng, rng.randint(4, 30)) for _ in range(rng.randint(3, 12))]
    body = ". ".join(body_words)
    # repeat until long enough to be split (a template body), sometimes with a varying tail
    while len(body) < text.SPLIT_JOIN_MIN:
        body = body + ". " + body_words[rng.randrange(len(body_words))]
    if rng.random() < 0.5:  # a phrase begun in the head and ended in the body
        lead, _, rest = rng.choice(["recovery phrase", "seed phrase", "private key", "connect wallet",
                                    "verify your wallet", "never ask for your recovery phrase",
                                    "within 24 hours", "claim your reward"]).partition(" ")
        head, body = f"{head} {lead}", f"{rest} {body}"
    return text.normalize(head), text.normalize(body)


def _clear() -> None:
    for fn in (text._tokens, text.token_set, text._leet_changes, text._shared_present, text._body_present,
               text._body_tokens, text._body_token_set, text._body_leet_changes, text._find,
               text._distinct_sentences, lures_mod._match_norm, lures_mod.without_disclaimers,
               lures_mod.skeleton):
        fn.cache_clear()


def _results(joined: str, lures: Any, table: Any) -> tuple[Any, ...]:
    snap = text._SHARED.snapshot()
    return (text._tokens(joined), text.token_set(joined), dict(text._leet_changes(joined)),
            snap.present(joined), lures_mod.without_disclaimers(joined),
            lures_mod._match_norm(joined, lures), mentioned_norm(joined, table, context=False),
            mentioned_norm(joined, table, context=True), dict(lures.matcher.find(joined)))


@pytest.mark.parametrize("seed", range(12))
def test_split_join_equals_joined_text(seed: int) -> None:
    ctx = make_context()
    lures, table = lures_mod.lures_for(ctx), brands_for(ctx)
    rng = random.Random(seed)
    for _ in range(25):
        head, body = _case(rng)
        joined = f"{head} {body}"
        text._JOINS.clear()
        _clear()
        old = _results(joined, lures, table)
        text._remember_join(joined, head, body)
        assert text.split_join(joined) == (head, body)
        _clear()
        new = _results(joined, lures, table)
        # and once more with the body's memos warm (the next copy of a campaign)
        second = _results(f"{head} {body}", lures, table)
        assert new == old
        assert second == old


def test_normalized_join_remembers_long_bodies_only() -> None:
    ctx = make_context()
    body = "please verify your wallet. " * 100
    joined = text.normalized_join(ctx, "Subject w4ll3t", "", body)
    assert text.split_join(joined) == ("subject w4ll3t", text.normalize(body))
    short = text.normalized_join(make_context(), "Subject", "short body")
    assert text.split_join(short) is None


def test_needles_across_the_join_are_found() -> None:
    """A needle standing across the joining space only (neither part holds it) is present in the join."""
    snap = text._SHARED.snapshot()
    needle = next(w for w in sorted(snap.words) if " " in w and len(w) > 4 and w.isascii())
    cut = needle.index(" ")
    head, body = f"hello {needle[:cut]}", needle[cut + 1:] + " tail" + " filler text" * 300
    assert needle not in head and needle not in body
    joined = f"{head} {body}"
    text._remember_join(joined, head, body)
    _clear()
    assert needle in snap.present(joined)


def _lure_texts(seed: int, lures: Any, count: int) -> list[str]:
    """Texts of the list's own phrases and the words above: most of the ``re:`` phrases' gates open."""
    rng = random.Random(seed)
    phrases = [lure.phrase for lure in lures.lures if not lure.phrase.startswith("re:")]
    out = []
    for _ in range(count):
        words = [rng.choice(phrases) if rng.random() < 0.4 else rng.choice(WORDS) for _ in range(rng.randint(3, 60))]
        out.append(text.normalize(" ".join(words)))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_regex_phrases_found_as_an_ungated_search_finds_them(seed: int) -> None:
    """PhraseMatcher.find searches only the gated-in ``re:`` phrases (by prefix where known): each phrase's
    result is the first match of a plain ``rx.search`` over the text, or none."""
    ctx = make_context()
    lures = lures_mod.lures_for(ctx)
    matcher = lures.matcher
    assert matcher.regexes
    hits = 0
    for norm in _lure_texts(seed, lures, 60):
        _clear()
        found = matcher.find(norm)
        for rx, idx in matcher.regexes:
            m = rx.search(norm)
            assert found.get(idx) == (m.group(0) if m else None), (rx.pattern, norm)
            hits += m is not None
    assert hits  # (the texts do open some of them)


@pytest.mark.parametrize("seed", range(4))
def test_needles_present_are_the_substrings(seed: int) -> None:
    snap = text._SHARED.snapshot()
    ctx = make_context()
    for norm in _lure_texts(seed, lures_mod.lures_for(ctx), 30):
        long = ". ".join([norm] * 3)  # (a repeated sentence: the cut pass)
        for t in (norm, long):
            assert snap.present(t) == frozenset(w for w in snap.words if w in t)
