"""Text normalisation (coinguard.text): case, invisible characters, homoglyphs, letter spacing."""

from __future__ import annotations

import unicodedata

import pytest

from coinguard.lures import Lure, build_lures, load_lures, match_lures
from coinguard.text import normalize


def test_normalize_folds_case_invisible_and_homoglyphs() -> None:
    assert normalize("S\u200beed P\u00adhrase") == "seed phrase"
    assert normalize("wаllet") == "wallet"  # Cyrillic а
    assert normalize("ＷＡＬＬＥＴ") == "wallet"  # full width (NFKC)
    assert normalize("지갑  \n 보안") == "지갑 보안"  # Hangul untouched, spaces collapsed


def test_normalize_capital_homoglyphs_and_letter_spacing() -> None:
    assert normalize("Μetamаsk") == "metamask"  # Greek capital Mu, Cyrillic а
    assert normalize("G o o g l e wallet a i r d r o p") == "google wallet airdrop"
    assert normalize("I a m ok") == "i a m ok"  # three single letters are ordinary text
    assert normalize("Co\U000e0139in\U000e0139base") == "coinbase"  # variation selectors supplement
    assert normalize("wal\U000e0020let") == "wallet"  # tag characters


def test_html_to_text_keeps_visible_text_and_links_only() -> None:
    from coinguard.text import html_to_text

    html = ("<html><head><title>T</title><style>p{}</style></head><body><p>Hello <b>wal</b>let</p>"
            "<a href='https://x.example/a'>link</a><script>alert(1)</script> end"
            "<form action='/post'><input name=seed></form><iframe src='https://i.example'></iframe>"
            "<area href='https://m.example'><!-- a comment --></body></html>")
    text, links = html_to_text(html)
    # the spaced reading, then the joined reading's sentence that differs ("<b>wal</b>let" is "wallet")
    assert text == "Hello wal let link end Hello wallet link end"
    assert links == ["https://x.example/a", "/post", "https://i.example", "https://m.example"]


def test_html_to_text_on_hostile_markup_is_linear_and_never_raises() -> None:
    from coinguard.text import MAX_LINKS, html_to_text

    assert html_to_text("")[0] == "" and html_to_text("plain")[0] == "plain"
    assert html_to_text("a\x00b<")[0].startswith("a")
    deep = "<div>" * 20_000 + "after the nesting"
    assert html_to_text(deep)[0] == "after the nesting"  # no depth limit hides text
    assert html_to_text("<a href=" * 50_000 + "x") == ("", [])  # one unclosed attribute swallows the rest
    many = "".join(f"<a href='https://l{i}.example'>x</a>" for i in range(MAX_LINKS + 50))
    assert len(html_to_text(many)[1]) == MAX_LINKS


def test_the_text_analyzers_share_one_normalised_text_per_message() -> None:
    from coinguard.text import normalized, normalized_join

    from helpers import make_context

    ctx = make_context()
    body = "Connect your W\u0430llet " * 1000
    joined = normalized_join(ctx, "Subject", "", body)
    assert joined == "subject " + normalize(body)
    assert normalized_join(ctx, "Subject", "", body) is joined  # the same object: hashed once for the caches
    assert normalized(ctx, body) is normalized(ctx, body)
    assert normalized_join(None, "Subject", "", body) == joined
    assert normalized_join(make_context(), "Other", body) == "other " + normalize(body)  # per message



def test_mixed_script_words_fold_every_lookalike_letter_but_russian_text_keeps_its_own() -> None:
    from coinguard.text import normalize

    # small Cyrillic/Greek letters the confusables data does not map to Latin (к, м, т, г, η) are folded
    # in a word otherwise written in Latin, also across a zero-width character
    assert normalize("кraken") == "kraken"
    assert normalize("Claim on metamaѕк now") == "claim on metamask now"
    assert normalize("тrеzor вonus") == "trezor bonus"
    assert normalize("к\u200braken") == "kraken"
    assert normalize("Μetamаsk") == "metamask"  # a capital look-alike is still the confusables table's
    # a word written all in Cyrillic is not a look-alike spelling: its letters stay
    assert normalize("кракен биржа") == "кpaкeн 6иpжa"
    assert normalize("криптовалюта") == "кpиптoвaлютa"
    assert normalize("café") == "cafe"


def test_required_substrings_of_a_pattern() -> None:
    import re

    from coinguard.text import required_substrings

    def req(pattern: str) -> frozenset[str] | None:
        return required_substrings(re.compile(pattern))

    # the choice whose shortest string is longest: "gains"/"profits" (5) over "in" (2)
    assert req(r"(?<![a-z])(?:gains|profits)\s(?:in)(?![a-z])") == {"gains", "profits"}
    assert req(r"\b(?:12|24)[\s-]*words?[\s-]*(?:phrase|secret)\b") == {"phrase", "secret"}
    assert req(r"xy(?:abc|de)?z") == {"xy"}  # an optional group gives nothing
    assert req(r"(?:abcd|)z") == {"z"}  # a branch that may be empty gives nothing
    assert req(r"(?:wallet){2,}") == {"wallet"}  # a repeat of at least one holds its body
    assert req(r"(?>atomic)") == {"atomic"}
    for unknown in (r"a*", r"[a-z]+", r"(?i)wallet", r"(?i:wallet)", r"(?:x(?i:y))+z", r"(a)?(?(1)b|c)",
                    r"\d+", r"(?=wallet)\w+", r"(?:ab|\d)"):
        assert req(unknown) is None, unknown


def test_regex_phrases_skipped_by_their_required_words_match_as_before() -> None:
    """Every shipped ``re:`` lure is searched only where one of its required words is: never a lost match."""
    import random
    import re

    from coinguard.config import Config
    from coinguard.lures import load_lures
    from coinguard.text import PhraseMatcher, required_substrings

    cfg = Config().crypto
    lures = load_lures(cfg.lures_file, tuple(cfg.extra_lures))
    patterns = [rx for rx, _idx in lures.matcher.regexes]
    assert len(patterns) >= 20 and sum(required_substrings(rx) is not None for rx in patterns) >= len(patterns) - 3
    # texts made of the patterns' own words, shuffled: many match, many are near misses
    words = sorted({w for rx in patterns for w in re.findall(r"[a-z0-9$€£']{2,}", rx.pattern)})
    rng = random.Random(7)
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(2, 12))) for _ in range(4000)]
    texts += ["within 24 hours", "12 words seed phrase", "btc 0.25", "$5,000 a day", "earn 500 usd daily"]
    matcher = PhraseMatcher([f"re:{rx.pattern}" for rx in patterns])
    hits = 0
    for text in texts:
        expected = {i: m.group(0) for i, rx in enumerate(patterns) if (m := rx.search(text))}
        assert matcher._find(text) == expected, text
        hits += bool(expected)
    assert hits > 200  # the texts did exercise the matching


def test_normalize_spacing_matches_the_regex_it_replaced() -> None:
    """Whitespace runs collapse and letter-spaced words join exactly as ``\\s+`` and the letter regex did."""
    import random
    import re
    import sys

    from coinguard import text

    def reference(value: str) -> str:
        value = normalize_case(value)
        value = text._LETTER_SEPARATED.sub(text._join_separated, value)  # ("s.e.e.d": its own test file)
        return re.sub(r"\s+", " ", text._LETTER_SPACED.sub(text._join_letters, value)).strip()

    def normalize_case(value: str) -> str:  # normalize() up to its spacing steps, for ASCII and for any text
        import unicodedata

        value = unicodedata.normalize("NFKC", value)
        if value.isascii():
            return value.casefold()
        table = text._fold_table()
        value = value.translate(table).casefold()
        return value if value.isascii() else value.translate(table)

    spaces = [chr(c) for c in range(sys.maxunicode + 1) if re.match(r"\s", chr(c))]
    assert spaces == [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    alphabet = ["a", "B", "z", "1", "_", "-", ".", "é", "Ж", "ß", " ", " ", "\t", "\n", "\u00a0", "\u2003", "\x1c"]
    rng = random.Random(3)
    samples = ["a i r d r o p now", "A I R D R O P", "x a b c d", "a b c", "1 2 3 4", "é t é s u r", "  lead  trail  ",
               "s e e d\u00a0p h r a s e", "a b c d\ne f g h"]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    samples += [" ".join(rng.choice("abcxyz") for _ in range(rng.randint(1, 9))) for _ in range(500)]
    for sample in samples:
        assert normalize(sample) == reference(sample), repr(sample)


def test_required_words_that_overlap_or_nest_are_all_found_in_one_pass() -> None:
    """The needle pass reports every word present, also one inside or overlapping another's occurrence."""
    import random
    import re

    from coinguard.text import PhraseMatcher

    patterns = ["airdrop claim", "drop(?:s)? now", "dropclaim", "claim\\s+now", "rdro", "ai(?:r|d)", "now!?$"]
    matcher = PhraseMatcher([f"re:{p}" for p in patterns])
    assert matcher.needle_finder is not None
    rng = random.Random(11)
    pieces = ["air", "drop", "claim", " ", "now", "s", "ai", "d", "r", "!"]
    texts = ["airdropclaim now", "airdrops now", "airdrop claim now"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(3000)]
    for text in texts:
        expected = {i: m.group(0) for i, p in enumerate(patterns) if (m := re.search(p, text))}
        assert matcher._find(text) == expected, text


def test_a_regex_gate_skips_only_patterns_that_cannot_match() -> None:
    import random
    import re

    from coinguard.text import RegexGate

    patterns = [re.compile(p) for p in (r"(?<![a-z])(?:pay|send)\s+now", r"\d+\s?(?:hours?|days?)", r"wallet|seed",
                                        r"[$€]\d+", r"bit(?:coin)?s?")]
    gate = RegexGate(patterns)
    rng = random.Random(2)
    words = ["pay", "send", "now", "48", "hours", "day", "wallet", "seed", "$5", "bit", "coins", "lorem", " "]
    for _ in range(3000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 8)))
        may = gate.open(text)
        for rx in patterns:
            if rx.search(text):
                assert may(rx), (rx.pattern, text)
    may = gate.open("lorem ipsum dolor")
    assert not may(patterns[0]) and not may(patterns[2]) and not may(patterns[3])  # [$€]\d+ needs "$" or "€"


def test_required_terms_keep_each_part_of_a_pattern() -> None:
    import re

    from coinguard.text import required_terms

    def terms(pattern: str) -> list[list[frozenset[str]]] | None:
        return required_terms(re.compile(pattern))

    # a verb AND a coin; the optional part gives nothing
    assert terms(r"(?<![a-z])(?:get|claim)\s(?:free\s)?(?:btc|usdt)(?![a-z])") == [[{"claim", "get"}, {"btc", "usdt"}]]
    # an alternation at the top: each alternative's parts (the best first)
    assert terms(r"never \w+ phrase|jamais \w+ frase") == [[{" phrase"}, {"never "}], [{"jamais "}, {" frase"}]]
    assert terms(r"[$€£]\s?\d+") == [[{"$", "€", "£"}]]  # a class of a few uncommon characters
    assert terms(r"\d+[.,]\d+") is None  # punctuation between digits is in every text
    assert terms(r"ab\s(?:cd|e)") == [[{"ab"}]]  # parts shorter than 3 only as the best one
    assert terms(r"wallet|\d+") is None  # one alternative with nothing known: may match anywhere
    assert terms(r"(?i)wallet") is None


def test_a_regex_gate_of_parts_skips_only_patterns_that_cannot_match() -> None:
    """Patterns needing two words, alternatives of such, and classes: a pattern the gate closes never matches."""
    import random
    import re

    from coinguard.text import RegexGate

    patterns = [re.compile(p) for p in (
        r"(?<![a-z])(?:get|claim)\s(?:free\s)?(?:btc|usdt)(?![a-z])", r"never (?:\w+ ){0,2}phrase|nunca \w+ frase",
        r"(?:[$€£]\s?\d[\d,.]*|(?<![\d,.])\d[\d,.]*\s?[$€£])", r"send (?:the )?video to (?:your )?contacts",
        r"(?:pay|send)\s(?:now|today)|seed\s?phrase")]
    gate = RegexGate(patterns)
    words = ["get", "claim", "free", "btc", "usdt", "never", "nunca", "phrase", "frase", "the", "$", "€", "5", "1,000",
             "send", "video", "to", "your", "contacts", "pay", "now", "today", "seed", "seedphrase", "x", " "]
    rng = random.Random(5)
    closed = 0
    for _ in range(5000):
        text = rng.choice(["", " "]).join(rng.choice(words) for _ in range(rng.randint(0, 9)))
        may = gate.open(text)
        for rx in patterns:
            if rx.search(text):
                assert may(rx), (rx.pattern, text)
            closed += not may(rx)
    assert closed > 5000
    may = gate.open("claim your reward today")  # "claim" without a coin: the pattern's other part is missing
    assert not may(patterns[0]) and not may(patterns[3])


def test_a_regex_gate_opens_the_patterns_its_dnf_says() -> None:
    """``allowed`` (patterns found through the words present) equals checking every pattern's terms in turn."""
    import random
    import re

    from coinguard.text import RegexGate, required_terms

    patterns = [re.compile(p) for p in (
        r"(?<![a-z])(?:get|claim)\s(?:btc|usdt)", r"wallet|seed", r"\d+[.,]\d+", r"never \w+ phrase|jamais \w+ frase",
        r"[$€]\d+", r"(?:pay|send)\s(?:now|today)|seed\s?phrase")]
    gate = RegexGate(patterns)
    words = ["get", "claim", "btc", "usdt", "wallet", "seed", "1.5", "never", "my", "phrase", "jamais", "frase", "$5",
             "pay", "send", "now", "today", "x", " "]
    rng = random.Random(9)
    unknown = re.compile(r"not in the gate")
    sizes = set()
    for _ in range(4000):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(0, 8)))
        present = {w for _e, w in gate.finder.iter(text)}
        want = set()
        for rx in patterns:
            dnf = required_terms(rx)
            if dnf is None or any(all(not n.isdisjoint(present) for n in conj) for conj in dnf):
                want.add(rx)
        assert gate.allowed(text) == want, text
        may = gate.open(text)
        assert {rx for rx in patterns if may(rx)} == want and may(unknown)
        sizes.add(len(want))
    assert min(sizes) == 1 and max(sizes) >= 4  # from only the always-open pattern to most of them


def test_tokens_are_the_runs_the_token_pattern_finds() -> None:
    import random
    import string

    from coinguard import text

    rng = random.Random(9)
    alphabet = string.printable + "é\u00a0Жß한"
    samples = ["", " ", "abc", "a-b_c 12x", "w4ll3t seed phrase", "\x1c\x1fab\x0bcd", "ABC def"]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60))) for _ in range(4000)]
    for sample in samples:
        assert text._tokens(sample) == tuple(text._TOKEN.findall(sample)), repr(sample)


# region folding the forms lures are written in ------------------------------------------------------------

@pytest.mark.parametrize(("written", "folded"), [
    ("ꜱᴇᴇᴅ ᴘʜʀᴀꜱᴇ", "seed phrase"),  # "small caps" generators (IPA / phonetic extension letters)
    ("ʀᴇᴄᴏᴠᴇʀʏ ᴘʜʀᴀꜱᴇ", "recovery phrase"),
    ("w\u0336a\u0336l\u0336l\u0336e\u0336t\u0336", "wallet"),  # a stroke laid over every letter
    ("w\u0332a\u0332l\u0332l\u0332e\u0332t\u0332", "wallet"),  # underlined
    ("wal\u0301let\u20dd", "wallet"),  # marks with nothing to compose with (combining enclosing circle too)
    ("PORTFEŁ", "portfel"), ("wypłata", "wyplata"), ("đu đieu kien", "du dieu kien"), ("overfør", "overfor"),
    ("Æther", "aether"), ("cœur", "coeur"),
    ("ΙNVEST", "invest"), ("Ӏnvest", "invest"),  # capitals that pass for 'I' are 'i', not 'l'
    ("ᏔᎪᏞᏞᎬᎢ", "wallet"), ("ꓪꓮꓡꓡꓰꓔ", "wallet"),  # Cherokee and Lisu look-alikes
    ("hak kazandınız", "hak kazandiniz"), ("HAK KAZANDINIZ", "hak kazandiniz"), ("İŞLEM", "islem"),  # Turkish
    ("Ｓｅｅｄ　Ｐｈｒａｓｅ", "seed phrase"), ("𝐰𝐚𝐥𝐥𝐞𝐭 𝓼𝓮𝓮𝓭", "wallet seed"), ("wal\u200dlet", "wallet"),
])
def test_normalize_folds_the_forms_attackers_write(written: str, folded: str) -> None:
    assert normalize(written) == folded


def test_greek_folds_alike_with_or_without_accents_and_in_either_case() -> None:
    from coinguard.lures import skeleton

    forms = ["λογαριασμός", "λογαριασμος", "ΛΟΓΑΡΙΑΣΜΟΣ", "Λογαριασμός"]
    assert len({skeleton(normalize(f)) for f in forms}) == 1
    assert normalize("ἀλήθεια") == normalize("αληθεια")  # Greek Extended breathings and accents too
    assert normalize("επαλήθευση") == normalize("επαληθευση")


def test_marks_of_other_scripts_stay() -> None:
    for text in ("ガイド", "हिन्दी", "שָׁלוֹם", "مَرْحَبًا", "지갑"):
        assert normalize(text) == unicodedata.normalize("NFKC", text).casefold()


def test_the_fold_table_has_no_ascii_key_so_ascii_text_is_untouched() -> None:
    """The equivalence for ASCII input: normalize() takes its ASCII path without the table, and a text made
    ASCII by the first pass goes through a table that maps no ASCII character."""
    from coinguard.text import _fold_table

    assert min(_fold_table()) >= 0x80
    assert normalize("Seed  Phrase\tW4LL3T x^2") == "seed phrase w4ll3t x^2"


@pytest.mark.parametrize("text", [
    "Please confirm your ꜱᴇᴇᴅ ᴘʜʀᴀꜱᴇ to restore access",
    "Please confirm your s\u0336e\u0336e\u0336d\u0336 p\u0336h\u0336r\u0336a\u0336s\u0336e\u0336 to restore access",
])
def test_lures_written_in_decorated_letters_match_the_list(text: str) -> None:
    from coinguard.config import parse_config

    lures = load_lures(parse_config("").crypto.lures_file)
    assert "seed phrase" in {t.phrase for t in match_lures(text, lures).terms}


def test_a_greek_lure_matches_its_capital_and_unaccented_forms() -> None:
    lures = build_lures([Lure("επαλήθευση λογαριασμού", "action", 1.0)])
    for text in ("Απαιτείται επαλήθευση λογαριασμού", "ΑΠΑΙΤΕΙΤΑΙ ΕΠΑΛΗΘΕΥΣΗ ΛΟΓΑΡΙΑΣΜΟΥ",
                 "απαιτειται επαληθευση λογαριασμου"):
        assert match_lures(text, lures).terms, text
