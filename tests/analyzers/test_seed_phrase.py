"""Seed phrases (BIP-39) and requests to type one."""

from __future__ import annotations

import random
import re

import pytest
from mnemonic import Mnemonic

from coinguard.analyzers.seed_phrase import (
    SeedPhraseDocument,
    SeedPhraseMessage,
    _word_runs,
    seed_phrases,
    seed_request_form,
    seed_request_text,
    wordlist,
)
from coinguard.findings import Item
from coinguard.handlers import MessageInfo, text_item

from helpers import make_context

# BIP-39 reference test vector (trezor/python-mnemonic vectors.json, entropy 7f7f...7f)
VECTOR_12 = "legal winner thank year wave sausage worth useful legal winner thank yellow"
VECTOR_24 = ("letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor "
             "acoustic avoid letter advice cage absurd amount doctor acoustic bless")


def run_msg(body: str, subject: str = "") -> dict[str, float]:
    msg = MessageInfo(subject=subject, body_text=body)
    return {f.code: f.score or 0.0 for f in SeedPhraseMessage().analyze_message(msg, (), (), make_context(message=msg))}


def test_reference_vectors_valid_checksum() -> None:
    assert seed_phrases(VECTOR_12) == [(VECTOR_12.split(), True)]
    assert seed_phrases(f"my phrase: {VECTOR_24}!") == [(VECTOR_24.split(), True)]


def test_numbered_and_comma_separated_phrase() -> None:
    words = Mnemonic("english").to_mnemonic(bytes(range(16))).split()
    numbered = "\n".join(f"{i}. {w}" for i, w in enumerate(words, 1))
    assert seed_phrases(f"Wallet backup:\n{numbered}\nThanks") == [(words, True)]
    assert seed_phrases(", ".join(words)) == [(words, True)]


def test_invalid_checksum_run_is_weaker() -> None:
    words = "abandon ability able about above absent absorb abstract absurd abuse access accident"
    assert seed_phrases(words) == [(words.split(), False)]
    assert run_msg(words) == {"crypto.seed_phrase": 4.0}
    assert run_msg(f"Here is my old wallet, withdraw the USDT and pay the gas: {VECTOR_12}") == {
        "crypto.seed_phrase": 6.0}


def test_prose_and_repeats_are_not_phrases() -> None:
    prose = ("Thank you for your order. We will ship the items to the address below as soon as the payment "
             "is confirmed. Please keep this email for your records and contact support with any question.")
    assert seed_phrases(prose) == []
    assert seed_phrases("apple banana " * 10) == []  # banana is not a BIP-39 word: no run of 12
    assert run_msg(prose) == {}


def test_seed_request_text() -> None:
    assert seed_request_text("To restore access, enter your 12-word secret recovery phrase below.")
    assert seed_request_text("Please confirm your wallet seed phrase to complete the validation")
    assert seed_request_text("Submit your private key to sync the wallet")
    assert seed_request_text("지갑을 복구하려면 복구 구문을 입력하세요")
    assert seed_request_text("개인키를 입력하여 인증을 완료하세요")
    assert not seed_request_text("Never share your recovery phrase with anyone. We will never ask for it.")
    assert not seed_request_text("Do not enter your seed phrase on any website.")
    assert set(run_msg("Verify now: type in your seed phrase")) == {"crypto.seed_request"}


def test_a_lure_quoted_in_a_warning_asks_nothing() -> None:
    """Reported speech (coinguard.lures._REPORTED): the awareness mail tells what fake mails ask for."""
    warning = ("We are seeing fake mails that pretend to come from your wallet vendor, asking you to verify your "
               "wallet or enter your recovery phrase on a website.")
    assert not seed_request_text(warning)
    assert not seed_request_text("If you receive an email asking you to enter your seed phrase, delete it.")
    # the request made to the reader in the next sentence is still one
    assert seed_request_text(warning + " To keep your funds, enter your recovery phrase below.")
    assert seed_request_text("This message asks you to enter your recovery phrase to keep access.")


def test_html_form_asking_for_the_phrase() -> None:
    form = ('<form action="https://evil.example/x"><label>Wallet</label>'
            '<textarea name="phrase" placeholder="Enter your recovery phrase"></textarea>'
            '<input type="submit" value="Import"></form>')
    assert seed_request_form(form)
    twelve = "<form>" + "".join(f'<input type="text" name="w{i}">' for i in range(12)) + "<p>Seed</p></form>"
    assert seed_request_form(twelve)
    login = '<form><input name="email" type="email"><input name="password" type="password"></form>'
    assert seed_request_form(login) == ""
    item = Item(path="verify.html", name="verify.html", data=form.encode(), type="html")
    found = list(SeedPhraseDocument().handle(item, make_context()))
    assert "crypto.seed_request" in {f.code for f in found}


def test_document_text_item() -> None:
    parent = Item(path="backup.docx", name="backup.docx", data=b"PK", type="ooxml.word")
    item = text_item(parent, f"Recovery sheet\n{VECTOR_12}\n", "doctext")
    analyzer = SeedPhraseDocument()
    assert analyzer.applies_to(item)
    assert [f.code for f in analyzer.handle(item, make_context())] == ["crypto.seed_phrase"]


def test_checksum_matches_the_reference_implementation() -> None:
    import random

    from coinguard.analyzers.seed_phrase import checksum_ok

    reference = Mnemonic("english")
    rng = random.Random(7)
    for strength in (128, 160, 192, 224, 256):
        for _ in range(50):
            words = reference.to_mnemonic(rng.randbytes(strength // 8)).split()
            assert checksum_ok(words)
            words[rng.randrange(len(words))] = rng.choice(reference.wordlist)
            assert checksum_ok(words) == reference.check(" ".join(words))
    assert not checksum_ok(["abandon"] * 11 + ["notaword"]) and not checksum_ok(["abandon"] * 13)
    assert checksum_ok(["abandon"] * 11 + ["about"])  # the famous all-zero phrase repeats a word


def test_checksum_tests_are_capped_per_text() -> None:
    from coinguard.analyzers import seed_phrase

    calls = []
    real = seed_phrase.checksum_ok
    try:
        seed_phrase.checksum_ok = lambda words: calls.append(1) or real(words)  # type: ignore[assignment]
        seed_phrases(" ".join(["zoo"] * 100_000))
    finally:
        seed_phrase.checksum_ok = real  # type: ignore[assignment]
    assert len(calls) == seed_phrase.MAX_CHECKSUM_WINDOWS


def _word_runs_every_gap(norm: str) -> list[list[str]]:
    """The former _word_runs: the gap before every word checked, then the word looked up."""
    words = wordlist()
    runs: list[list[str]] = []
    current: list[str] = []
    last_end = -1
    gap = re.compile(r"[\s\d.,;:()\[\]\-|•*#'\"/]{1,16}")
    for m in re.finditer(r"[a-z]+", norm):
        w = m.group(0)
        joined = last_end >= 0 and gap.fullmatch(norm[last_end:m.start()]) is not None
        if w in words and (joined or not current):
            current.append(w)
        else:
            if len(current) >= 12:
                runs.append(current)
            current = [w] if w in words else []
        last_end = m.end()
    if len(current) >= 12:
        runs.append(current)
    return runs


def _varied_texts() -> list[str]:
    rng = random.Random(1339)
    bip = sorted(wordlist())
    prose = ["the", "quarterly", "numbers", "are", "attached", "please", "confirm", "wallets", "xyzzy", "transfer"]
    gaps = [" ", ", ", "\n", " 1. ", "  ", " - ", " | ", "; ", " (2) ", "x", " ! ", " " * 17, "1234", "•", "/"]
    out = [VECTOR_12, VECTOR_24, "", "abandon", " ".join(["abandon"] * 40), f"{VECTOR_12} {VECTOR_24} {VECTOR_12}"]
    for _ in range(300):
        parts: list[str] = []
        for _ in range(rng.randrange(1, 80)):
            pool = bip if rng.random() < 0.8 else prose
            parts.append(rng.choice(pool))
            parts.append(rng.choice(gaps) if rng.random() < 0.3 else " ")
        out.append("".join(parts))
    return out


def test_word_runs_same_output_as_checking_every_gap() -> None:
    texts = _varied_texts()
    runs = [_word_runs(t) for t in texts]
    assert runs == [_word_runs_every_gap(t) for t in texts]
    assert sum(len(r) for r in runs) > 100  # the inputs do contain runs (and breaks: ' ! ', 17 spaces, 'x')
    assert _word_runs(f"{VECTOR_12} ! {VECTOR_12}") == [VECTOR_12.split(), VECTOR_12.split()]


def _word_runs_reference(norm: str) -> list[list[str]]:
    """The word-by-word walk over every word of the text (what _word_runs did before it looked only at
    stretches of 12+ BIP-39 words)."""
    from coinguard.analyzers.seed_phrase import _runs_in

    runs: list[list[str]] = []
    _runs_in(re.split(r"([a-z]+)", norm), runs)
    return runs


def test_word_runs_of_stretches_are_those_of_the_whole_text() -> None:
    rng = random.Random(17)
    bip = sorted(wordlist())
    vocab = [*bip[:40], "lorem", "ipsum", "zzz", "qwerty"]
    gaps = [" ", " ", ", ", "\n", " 3. ", " - ", " / ", " ; ", " !! ", "  x  ", " (12) ", "", "1", " ... " * 5]
    texts = []
    for _ in range(1500):
        n = rng.randint(0, 60)
        texts.append("".join(rng.choice(gaps) + rng.choice(vocab if rng.random() < 0.1 else bip[:40])
                             for _ in range(n)) + rng.choice(gaps))
    texts += [VECTOR_12, VECTOR_24, "lorem " * 50, ""]
    found = 0
    for text in texts:
        expected = _word_runs_reference(text)
        assert _word_runs(text) == expected, text
        found += bool(expected)
    assert found > 100


def test_word_runs_of_repeated_sentences_are_those_of_the_whole_text() -> None:
    """Long texts of a few sentences repeated (cut by text.distinct_sentences, so each sentence is flagged once):
    the runs are the plain walk's, with a phrase inside a repeated sentence, split across the ". " separator,
    made of one-word sentences, at either end, or once in the middle of filler."""
    from coinguard import text as T

    rng = random.Random(23)
    bip = sorted(wordlist())
    filler = "lorem ipsum dolor sit amet, consectetur adipiscing elit"
    words12 = VECTOR_12.split()
    sentences = [filler, "zzz qwerty", VECTOR_12, " ".join(words12[:6]), " ".join(words12[6:]), "abandon", "",
                 " ".join(rng.choice(bip) for _ in range(5))]
    texts = [". ".join([filler] * 200 + [VECTOR_12] + [filler] * 200), ". ".join(words12 * 30),
             VECTOR_24 + ". " + ". ".join([filler] * 300), ". ".join([filler] * 300) + ". " + VECTOR_24]
    for _ in range(200):
        pool = rng.sample(sentences, rng.randint(1, len(sentences)))
        texts.append(". ".join(rng.choice(pool) for _ in range(rng.randint(100, 900))))
    cut = found = 0
    for text in texts:
        norm = T.normalize(text)
        expected = _word_runs_reference(norm)
        assert _word_runs(norm) == expected, norm[:80]
        cut += T.distinct_sentences(norm) is not norm
        found += bool(expected)
    assert cut > 150 and found > 50


def test_seed_requests_skipped_by_their_required_words_match_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    from coinguard.analyzers import seed_phrase

    vocabulary = ("enter type input provide submit paste import confirm verify share write down sync restore in "
                  "your the all wallet seed recovery secret backup mnemonic phrase words key keys private 12 "
                  "twenty-four word never not don't 복구 구문 입력 개인 키 제출 lorem ipsum . !")
    words = vocabulary.split()
    rng = random.Random(19)
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 20))) for _ in range(3000)]
    gated = [seed_phrase._seed_request(t) for t in texts]

    class Open:
        def open(self, text: str) -> object:
            return lambda rx: True

    monkeypatch.setattr(seed_phrase, "_REQUEST_GATE", Open())
    assert gated == [seed_phrase._seed_request(t) for t in texts]
    assert sum(bool(g) for g in gated) > 100


def test_word_runs_quick_refusal_splits_the_words_the_gap_split_finds() -> None:
    """The words split out at C speed (to refuse a text without 12 BIP-39 words in a row before the split that
    keeps the gaps) are the split's words: non-ASCII letters, digits, capitals, Hangul and surrogates between
    them; and _word_runs gives what the walk over every word gives."""
    from coinguard.analyzers import seed_phrase

    rng = random.Random(23)
    bip = sorted(wordlist())
    pieces = [*bip[:30], "lorem", "é", "ß", "Abandon", "ABILITY", "지갑", "\ud800", "1", "12.", "\u00a0", " ", "  ",
              "-", "ﬁ", "Ж", "a", "z", "\x00", "\n"]
    texts = ["", " ", "é", "abandonéability", "abandon\u00a0ability", " ".join(bip[:12]), "é".join(bip[:12]),
             "1".join(bip[:24]), "지갑".join(bip[:13]), "x" * 10_000]
    texts += ["".join(rng.choice(bip[:30]) + " " if rng.random() < 0.85 else rng.choice(pieces) + rng.choice(["", " "])
                      for _ in range(rng.randint(0, 80))) for _ in range(3000)]
    found = 0
    for text in texts:
        words = text.encode("ascii", "replace").translate(seed_phrase._WORD_BYTES).decode("ascii").split()
        assert words == seed_phrase._SPLIT_WORDS.split(text)[1::2], repr(text)
        expected = _word_runs_reference(text)
        assert _word_runs(text) == expected, repr(text)
        found += bool(expected)
    assert found > 50
