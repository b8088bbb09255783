"""The lure list (coinguard.lures): the shipped list, its format, phrase matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from coinguard.config import CryptoConfig
from coinguard.lures import LureFormatError, build_lures, load_lures, match_lures, parse_lures

LURES = load_lures(CryptoConfig().lures_file)


def test_default_list_loads_and_has_both_languages() -> None:
    phrases = {lure.phrase for lure in LURES.lures}
    assert {"seed phrase", "private key", "airdrop", "지갑", "개인키", "복구 구문", "출금"} <= phrases


def test_word_boundaries_for_latin_script() -> None:
    assert match_lures("walletless swallet", LURES).terms == ()
    assert [t.phrase for t in match_lures("my wallet.", LURES).terms] == ["wallet"]


def test_spacing_variants_and_leetspeak() -> None:
    for text in ("seed phrase", "seed-phrase", "seedphrase", "s3ed phr4se", "SEED\u200bPHRASE"):
        assert "seed phrase" in {t.phrase for t in match_lures(text, LURES).terms}, text


def test_korean_substring_match_ignores_spacing() -> None:
    terms = {t.phrase for t in match_lures("지갑 보안인증을 위해 복구구문을 입력하세요", LURES).terms}
    assert {"지갑", "보안 인증", "복구 구문"} <= terms


def test_longest_phrase_wins() -> None:
    terms = [t.phrase for t in match_lures("your account will be suspended", LURES).terms]
    assert terms == ["will be suspended"]


def test_parse_errors_are_precise() -> None:
    with pytest.raises(LureFormatError, match=":2: unknown category"):
        parse_lures(["1 topic wallet", "1 nonsense foo"], "x")
    with pytest.raises(LureFormatError, match="not a number"):
        parse_lures(["heavy topic wallet"], "x")
    with pytest.raises(LureFormatError, match="regular expression"):
        parse_lures(["1 topic re:(unclosed"], "x")


def test_missing_list_file_does_not_break_scanning(tmp_path: Path) -> None:
    lures = load_lures(str(tmp_path / "absent.txt"))
    assert lures.lures == () and match_lures("seed phrase", lures).weight == 0


def test_build_lures_later_line_wins() -> None:
    lures = build_lures(parse_lures(["1 topic wallet", "5 secret wallet"]))
    assert [(lure.phrase, lure.weight) for lure in lures.lures] == [("wallet", 5.0)]


def test_regex_and_phrase_for_the_same_words_count_once() -> None:
    terms = [t.phrase for t in match_lures("bitcoin: withdraw within 24 hours", LURES).terms]
    assert terms.count("within 24 hours") == 1


def test_shipped_lure_regexes_stay_linear_on_hostile_text() -> None:
    """A regex that backtracks quadratically on a long run (e.g. 20 KB of digits) would let one
    attachment eat the whole scan budget: every ``re:`` line of the shipped list must stay fast."""
    import re
    import time

    from coinguard.config import CryptoConfig

    with open(CryptoConfig().lures_file, encoding="utf-8") as fh:
        lines = [ln.split("re:", 1)[1] for ln in fh if "re:" in ln and not ln.lstrip().startswith("#")]
    assert lines
    hostile = ["1" * 20_000, "1," * 10_000, "a" * 20_000, "1 " * 10_000, "$1" * 10_000, "시간" * 10_000,
               "in 1" * 5_000, "1.1" * 7_000]
    for pattern in lines:
        rx = re.compile(pattern.strip())
        for text in hostile:
            started = time.perf_counter()
            rx.search(text)
            assert time.perf_counter() - started < 0.25, (pattern, text[:10])


def test_lure_lists_are_cache_keys_by_identity() -> None:
    lines = [f"1 topic word{i}" for i in range(500)] + ["3 secret seed phrase"]
    a, b = build_lures(parse_lures(lines)), build_lures(parse_lures(lines))
    assert a == a and a != b and hash(a) != hash(b)  # hashing never walks the 501 lures
    assert match_lures("your seed phrase", a).weight == match_lures("your seed phrase", b).weight == 3


def test_cyrillic_phrases_match_word_start_stems_in_any_case() -> None:
    # the look-alike folding of normalisation depends on case ('К' -> 'k', 'к' stays): both must match
    lures = build_lures(parse_lures(["1.5 topic криптовалют", "1.5 reward пассивный доход", "1 topic wallet"]))
    for text in ("Криптовалюты и пассивный доход", "КРИПТОВАЛЮТУ, ПАССИВНЫЙ ДОХОД", "о криптовалюте: пассивный доход"):
        assert {t.phrase for t in match_lures(text, lures).terms} == {"криптовалют", "пассивный доход"}, text
    assert match_lures("некриптовалютный", lures).terms == ()  # a stem starts a word
    # a Latin word disguised with Cyrillic letters is still the Latin phrase ('wаllet', Cyrillic 'а')
    assert [t.phrase for t in match_lures("your w\u0430llet", lures).terms] == ["wallet"]


def test_japanese_phrases_match_anywhere_longest_first() -> None:
    lures = build_lures(parse_lures(["1.5 topic ビットコイン", "2 reward 自動売買", "1 action 登録",
                                     "1 action 今すぐ登録"]))
    terms = {t.phrase for t in match_lures("ビットコインの自動売買ツールに今すぐ登録", lures).terms}
    assert terms == {"ビットコイン", "自動売買", "今すぐ登録"}  # 登録 is inside the longer phrase: once
    assert match_lures("ﾋﾞｯﾄｺｲﾝ", lures).terms  # half-width katakana (NFKC)


def test_shipped_list_reads_the_campaigns_languages() -> None:
    samples = {
        "ru": "торговый робот на криптовалюте, зарегистрируйтесь",
        "ja": "ビットコインの自動売買で不労所得、今すぐ無料登録",
        "tr": "kripto para ticaret robotu ile pasif gelir, hemen kaydol",
        "de": "Handelsroboter für Kryptowährungen: passives Einkommen, jetzt registrieren",
    }
    for lang, text in samples.items():
        kinds = {t.category for t in match_lures(text, LURES).terms}
        assert {"topic", "reward", "action"} <= kinds, (lang, kinds)


def test_a_security_disclaimer_names_the_secret_without_asking_for_it() -> None:
    from coinguard.config import CryptoConfig
    from coinguard.lures import load_lures, match_lures

    lures = load_lures(CryptoConfig().lures_file)
    for text in ("We will never ask for your recovery phrase.", "Do not share your private key with anyone.",
                 "MetaMask will never ask you for your Secret Recovery Phrase", "Never share your seed phrase."):
        assert not any(t.category == "secret" for t in match_lures(text, lures).terms), text
    # the lure that warns and then asks still names the secret where it asks
    m = match_lures("Never share your seed phrase. To verify, enter your recovery phrase below.", lures)
    assert "recovery phrase" in {t.phrase for t in m.terms}
    assert "seed phrase" in {t.phrase for t in match_lures("Enter your seed phrase", lures).terms}


def test_script_phrases_as_a_trie_keep_longest_first_and_optional_spaces() -> None:
    from coinguard.lures import ScriptMatcher
    from coinguard.text import normalize

    m = ScriptMatcher([("крипто", 0), ("криптовалют", 1), ("секретная фраз", 2), ("空投", 3), ("空投活动", 4)])
    found: dict[int, str] = {}
    m.find(normalize("Купите криптовалюту"), found)
    assert set(found) == {1}  # the longest phrase at a position wins, the shorter is not counted too
    for text in ("секретная фраза", "секретнаяфраза", "Секретная Фраза"):
        found = {}
        m.find(normalize(text), found)
        assert set(found) == {2}, text
    found = {}
    m.find(normalize("参加空投活动，领取空投"), found)
    assert set(found) == {3, 4}
    found = {}
    m.find(normalize("некриптовалюта"), found)  # a Cyrillic stem starts a word
    assert found == {}


def test_disclaimers_are_taken_out_as_by_the_substitution_on_every_text() -> None:
    """without_disclaimers skips the substitution where the gate finds no negation with a secret's noun; the text
    is the one the substitution gives, on disclaimers in several languages and on their words shuffled."""
    import random

    from coinguard.lures import _DISCLAIMER, _SAID_NOT_ASKED, _unreported, without_disclaimers
    from coinguard.text import normalize

    vocabulary = ("never do not don't won't will not nobody will ask share enter type send your the our seed "
                  "recovery secret private wallet phrase key keys words nunca jamais niemals nie mai nooit asla "
                  "никогда frase clave phrase schlüssel фразу ключ сид email domain lorem ipsum . ! ? "
                  "決して 絶対に シードフレーズ 秘密鍵 助记词 connect sign approve beware of watch out for example "
                  "e.g. : \" “ ” reply but and ,")
    words = vocabulary.split()
    rng = random.Random(21)
    texts = [normalize(" ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))) for _ in range(3000)]
    texts += [normalize("We will never ask for your seed phrase. Nunca compartas tu frase de recuperación."),
              normalize("決してシードフレーズを共有しないでください"), "lorem ipsum dolor", "email domain mail"]
    changed = unchanged_gated = 0
    for text in texts:
        expected = text
        for rx in _SAID_NOT_ASKED:  # every substitution on every text ("never share ..." is advice too: _NEVER_DO)
            expected = rx.sub(" ", expected)
        expected = _unreported(expected)
        assert without_disclaimers(text) == expected, text
        changed += expected != text
    from coinguard.lures import _DISCLAIMER_GATE

    unchanged_gated = sum(not _DISCLAIMER_GATE.open(t)(_DISCLAIMER) for t in texts)
    # and the third: the gate open, the pattern searched where its start strings occur, and no match there
    searched_in_vain = sum(_DISCLAIMER_GATE.open(t)(rx) and rx.search(t) is None
                           for t in texts for rx in _SAID_NOT_ASKED)
    assert changed > 300 and unchanged_gated > 300 and searched_in_vain > 300  # every path was exercised


def _kinds(text: str) -> set[str]:
    return {t.category for t in match_lures(text, LURES).terms}


def test_a_retold_lure_asks_nothing() -> None:
    """Reported speech: a mail, message or site spoken of (indefinite or plural) and what it says, to the end
    of the sentence; a lure speaks of itself as "this message" and keeps its call to action."""
    friend = "I got a mail saying my wallet is eligible for a token airdrop and I should connect my wallet to claim."
    assert not {"action", "reward"} & _kinds(friend)
    assert "action" in _kinds(friend + " Connect your wallet now to claim it.")
    assert "action" in _kinds("We sent you this message to ask you to connect your wallet.")
    assert "action" not in _kinds("Scammers ask you to connect your wallet to a fake site.")
    assert "action" not in _kinds("If you receive an email claiming you must verify your wallet, report it.")


def test_a_quoted_example_is_no_request() -> None:
    assert "action" not in _kinds('A typical lure, for example: "Connect your wallet to claim 500 USDT".')
    assert "action" in _kinds('Connect your wallet to claim "500 USDT".')


def test_what_is_never_asked_is_a_promise() -> None:
    """"We will never ask you to ..." up to the end of the clause; a "but" ends it."""
    assert "action" not in _kinds("We will never ask you to verify your wallet or connect your wallet by mail.")
    assert "action" in _kinds("We never ask for your password, but verify your wallet below.")


def test_shipped_lure_regexes_need_no_string_the_normalised_text_cannot_hold() -> None:
    """A ``re:`` phrase is matched on normalised text but is not normalised itself: a string it needs
    that normalisation changes (an accent, a Cyrillic letter folded to its Latin look-alike) never occurs,
    and that alternative of the phrase is dead ("em até" was; "em ate" is what the text holds)."""
    import re

    from coinguard.text import normalize, required_terms

    dead = []
    for lure in LURES.lures:
        if not lure.phrase.startswith("re:"):
            continue
        for conj in required_terms(re.compile(lure.phrase[3:])) or ():
            dead += [(needle, lure.phrase) for needles in conj for needle in needles
                     if normalize(f".{needle}.")[1:-1] != needle]
    assert dead == []


def test_a_deadline_with_an_accent_and_a_cyrillic_address_phrase_match() -> None:
    """The two phrases the check above found dead, now written as the normalised text has them."""
    assert "em ate 48 horas" in {t.phrase for t in match_lures("Pague em até 48 horas", LURES).terms}
    for text in ("переведите на bitcoin-адрес ниже", "на BTC адресу", "мой btc адрес"):
        assert any(t.category == "extortion" for t in match_lures(text, LURES).terms), text
    assert not any(t.category == "extortion" for t in match_lures("btc адресная книга", LURES).terms)


def test_devanagari_phrases_match_word_starts_thai_and_arabic_anywhere() -> None:
    lures = build_lures(parse_lures(["1 topic वॉलेट", "4 secret วลีกู้คืน", "1 topic محفظ", "1 urgency निलंबित"]))
    # Hindi: at the start of a word
    assert {t.phrase for t in match_lures("आपका वॉलेट निलंबित कर दिया गया", lures).terms} == {"वॉलेट", "निलंबित"}
    assert match_lures("अवॉलेट", lures).terms == ()
    # Thai: no spaces between words; Arabic: the article joined to the word ("المحفظة", "محفظتك")
    assert [t.phrase for t in match_lures("กรุณายืนยันวลีกู้คืนภายใน", lures).terms] == ["วลีกู้คืน"]
    for text in ("تم تعليق محفظتك", "افتح المحفظة"):
        assert [t.phrase for t in match_lures(text, lures).terms] == ["محفظ"], text
    assert match_lures("your wallet", lures).terms == ()


def test_two_regexes_of_one_category_on_the_same_words_count_once() -> None:
    lures = build_lures(parse_lures([r"1.5 action re:claim (?:it|them) now", r"1 action re:(?:claim|take) it now",
                                     r"1 urgency re:it now", "1 topic bitcoin"]))
    m = match_lures("bitcoin: claim it now", lures)
    assert sorted((t.phrase, t.category, t.weight) for t in m.terms) == [
        ("bitcoin", "topic", 1.0), ("claim it now", "action", 1.5), ("it now", "urgency", 1.0)]
    assert m.weight == 3.5


def _leet(text: str) -> str:
    return text.translate(str.maketrans({"o": "0", "i": "1", "e": "3", "a": "4", "s": "5", "t": "7"}))


def test_the_topic_gate_never_closes_on_a_text_with_a_topic_term() -> None:
    """may_name_topic is a necessary condition of match_lures(...).topic: on every topic phrase of the shipped
    list (as written, words run together, leetspeak, inside prose, after a disclaimer or retold), on crafted
    matches of the ``re:`` topic phrases, and on random mixes of the list's words with prose, digits and
    disclaimers; and it does close (on prose, hex references and lure wording that names no topic)."""
    import random

    from coinguard.lures import is_topic, may_name_topic

    topic = [lure.phrase for lure in LURES.lures if is_topic(lure) and not lure.phrase.startswith("re:")]
    crafted = ["send 0.5 eth now", "your btc payout is ready", "my bitcoin address", "bitcoinwallet99 login",
               "write down the 24 word recovery phrase", "connect your wallet", "claim your $pepe",
               "stage 2 presale", "1500 tokens bnb", "5000 $shib waiting", "tokenami", "your wallet has earned 3 sol",
               "points converted into 40 arb", "were airdropped 250 jup", "ethereum2024 upgrade",
               "only pay the gas fee is required", "revoke your token approvals", "free mint",
               # a retold lure is cut 240 characters on, inside a word: its end is a token of its own
               "a mail saying " + "q" * 239 + "blockchain now"]
    texts = list(crafted)
    for phrase in topic:
        texts += [phrase, phrase.upper(), phrase.replace(" ", ""), _leet(phrase), f"lorem ipsum {phrase} dolor.",
                  f"We will never ask for your seed phrase. {phrase}",
                  f"a mail saying {phrase} was fake. then {phrase} again"]
    prose = ("lorem ipsum dolor sit amet the a your of to . ! ? 12 0.5 $ 2024 -abc3f never ask share seed phrase "
             "email saying claim withdraw now urgent")
    words = " ".join(topic[::25]).split() + prose.split()
    rng = random.Random(13)
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 25)))
        texts += [text, _leet(text) if rng.random() < 0.3 else text.replace(" ", rng.choice([" ", "-", "", "\n"]))]
    with_topic = closed = 0
    for text in texts:
        gate = may_name_topic(text, LURES)
        if match_lures(text, LURES).topic:
            with_topic += 1
            assert gate, text
        closed += not gate
    assert with_topic > 2000 and closed > 300  # both sides exercised
    filler = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. " * 25)[:2000]
    for text in (f"Reference 7-0a1b2c3d4e5f\n{(filler + chr(10)) * 40}", "Please withdraw now, urgent: act today",
                 "Quarterly report 2024: revenue grew 12 % in the north region."):
        assert not may_name_topic(text, LURES) and not match_lures(text, LURES).topic, text
    assert not may_name_topic("", LURES) and may_name_topic("ваш биткоин", LURES)


def test_the_topic_gate_reads_repeated_sentences_once_and_still_opens() -> None:
    """Long texts of a few sentences repeated (past text.DISTINCT_MIN, so the gate tokenises each distinct
    sentence once): a topic phrase in one repeated sentence, only in the first or the last one, split by the
    sentence separator or leet-spelled still opens the gate wherever match_lures finds a topic; filler alone
    keeps it closed."""
    import random

    from coinguard import text as T
    from coinguard.lures import is_topic, may_name_topic

    topic = [lure.phrase for lure in LURES.lures if is_topic(lure) and not lure.phrase.startswith("re:")]
    rng = random.Random(29)
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor"
    opened = 0
    for phrase in topic[::7]:
        body = ". ".join([filler] * 120)
        for text in (f"{phrase}. {body}", f"{body}. {phrase}", f"{body}. {_leet(phrase)}",
                     ". ".join(rng.choice([filler, filler, f"see {phrase} here"]) for _ in range(150)),
                     body.replace("amet", phrase, 1), f"{body}. {phrase.replace(' ', '. ', 1)}"):
            assert len(T.normalize(text)) > T.DISTINCT_MIN
            if match_lures(text, LURES).topic:
                opened += 1
                assert may_name_topic(text, LURES), text[:80]
    assert opened > len(topic[::7]) * 4
    assert not may_name_topic(". ".join([filler] * 120), LURES)


def test_token_set_is_the_set_of_the_tokens() -> None:
    """text.token_set (tokens of the distinct sentences) is set(_tokens(norm)) on long texts that repeat
    sentences, hold tokens at the cuts, digits, punctuation and non-ASCII letters."""
    import random

    from coinguard import text as T

    rng = random.Random(31)
    pieces = ["wallet", "se3d", "a", "b1", "ok", "x.", ".y", "", " ", "42", "ürün", "seed phrase", "end", "..", ". a"]
    cut = 0
    for _ in range(300):
        sentences = [" ".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(1, 5))]
        norm = T.normalize(". ".join(rng.choice(sentences) for _ in range(rng.randint(1, 2500))))
        T.token_set.cache_clear()
        assert T.token_set(norm) == set(T._tokens.__wrapped__(norm)), norm[:80]
        cut += T.distinct_sentences(norm) is not norm
        assert T.was_cut(norm, T.distinct_sentences(norm)) == (T.distinct_sentences(norm) != norm)
        copy = "".join(list(norm))  # an equal text, another object: the remembered cut is asked by length
        assert T.was_cut(copy, T.distinct_sentences(copy)) == (T.distinct_sentences(norm) != norm)
        assert T.token_set(copy) == T.token_set(norm)
    assert cut > 100
