"""The necessary-condition gates in front of the brands sign-off and balance patterns and of office's VBA
source pattern (issue 13) never skip a text the pattern matches, and give the output of the plain definition.

The gates look for fixed pieces of every match (brands: in ``str.lower()`` of the text; office: in
``bytes.lower()``) before the pattern runs.  For the case-insensitive str patterns that is only sound for
characters that ``re.IGNORECASE`` matches with a character whose ``lower()`` is that very character: checked
here over every code point.
"""

from __future__ import annotations

import random
import re
import sys

import pytest

from coinguard.analyzers import brands as B
from coinguard.analyzers import office as O
from coinguard.brandlist import load_brands
from coinguard.config import parse_config
from coinguard.limits import MiB

TABLE = load_brands(parse_config("").crypto.brands_file)


def test_needle_characters_fold_to_themselves_under_lower() -> None:
    """Every character that IGNORECASE lets stand for a needle's character lowers to exactly it (so the needle
    is in the lowered text wherever the pattern matched), for every code point."""
    chars = sorted({c for needle in (*B._COPYRIGHT_NEEDLES, *B._TEAM_NEEDLES) for c in needle})
    assert chars and all(c == c.lower() for c in chars)
    any_needle = re.compile("[" + re.escape("".join(chars)) + "]", re.IGNORECASE)
    seen = 0
    for code in range(sys.maxunicode + 1):
        c = chr(code)
        if any_needle.fullmatch(c) is None:
            continue
        seen += 1
        for ch in chars:
            if re.fullmatch(re.escape(ch), c, re.IGNORECASE):
                assert c.lower() == ch, (hex(code), ch)
    assert seen >= 2 * len(chars) - 3  # each letter and its capital ('©', '(' and ')' have none)
    # the letters the needles leave out do have such characters (why "copyr", "upport", "ecur")
    for letter, other in (("i", "\u0131"), ("i", "\u0130"), ("s", "\u017f")):
        assert re.fullmatch(letter, other, re.IGNORECASE) and other.lower() != letter


def test_gates_are_necessary_conditions_of_their_patterns() -> None:
    for text in CRAFTED + random_texts(3000):
        low = text.lower()
        if B._COPYRIGHT.search(text):
            assert any(w in low for w in B._COPYRIGHT_NEEDLES), text
        if B._TEAM.search(text):
            assert any(w in low for w in B._TEAM_NEEDLES), text
        norm = text.lower()
        if B._BALANCE.search(norm):
            assert B._BALANCE_GATE.search(norm), norm


def plain_signoff(body: str, *, context: bool) -> dict[int, str]:
    out: dict[int, str] = {}
    text = body[:B.SIGNOFF_SCAN_CHARS]
    seen = 0
    for m in B._COPYRIGHT.finditer(text):
        seen += 1
        if seen > B.MAX_SIGNOFFS:
            break
        if B._CREDIT.search(text[max(0, m.start() - 12):m.start()]):
            continue
        idx = B._leading_brand(m.group("name"), TABLE, context)
        if idx is not None:
            out.setdefault(idx, " ".join(m.group(0).split())[:60])
    for n, m in enumerate(B._TEAM.finditer(text)):
        if n >= B.MAX_SIGNOFFS:
            break
        idx = B._leading_brand(m.group("line") or m.group("closing") or "", TABLE, context)
        if idx is not None:
            out.setdefault(idx, " ".join(m.group(0).split())[:60])
    return out


def test_signoff_and_balance_equal_their_plain_definitions(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = CRAFTED + random_texts(1500)
    fast = [(B.signoff_brands(t, TABLE, context=c), B.balance_bait(t.lower(), TABLE, context=c))
            for t in texts for c in (False, True)]
    monkeypatch.setattr(B, "_BALANCE_GATE", re.compile(""))  # matches everywhere: the plain definition
    plain = [(plain_signoff(t, context=c), B.balance_bait(t.lower(), TABLE, context=c))
             for t in texts for c in (False, True)]
    assert fast == plain
    assert sum(1 for s, b in fast if s) >= 10 and sum(1 for s, b in fast if b) >= 5  # the texts do reach them


def test_signoff_found_through_unusual_case_and_folded_letters() -> None:
    assert B.signoff_brands("Thanks.\n\u00a9 2024 LEDGER SAS\n", TABLE, context=True)
    assert B.signoff_brands("Thanks.\nCOPYR\u0130GHT 2024 Binance\n", TABLE, context=True)  # İ for I
    assert B.signoff_brands("Thanks.\ncopyr\u0131ght 2024 Binance\n", TABLE, context=True)  # dotless ı
    assert B.signoff_brands("Hello,\nThe MetaMask Team\n", TABLE, context=True)
    assert B.signoff_brands("Best regards, Binance \u017fecurity\n", TABLE, context=True)  # long ſ
    assert not B.signoff_brands("Lorem ipsum dolor sit amet.\nThe end.\n", TABLE, context=True)


def test_vba_source_equals_the_pattern() -> None:
    samples = [b"Attribute VB_Name = \"Module1\"\r\nSub x()\r\nEnd Sub\r\n", b"  attribute\tvb_name=\"m\"\n",
               b"Sub AutoOpen()\n", b"Private Sub Document_Open()\n", b"public function workbook_activate()\n",
               b"Sub Auto_Close()\n", b"sub autoexec\n", b"Function AutoNew\n", b"AUTOMATIC door\n",
               b"Sub Documents_Open()\n", b"a_b c_d\nSub Main()\n", b"", b"Sub\tWORKBOOK_OPEN()\n",
               b"x" * 100 + b"\nSub AutoOpen()\n", b"Lorem ipsum dolor sit amet\n" * 50]
    rng = random.Random(13)
    pieces = [b"Sub ", b"Function ", b"Private ", b"Attribute ", b"VB_Name", b"=", b"Auto", b"_", b"Open", b"Exec",
              b"Document", b"Workbook", b"Activate", b"\n", b" ", b"\t", b"x", b"AUTO", b"sub ", b"vb_name ",
              b"\nSub Auto", b"\nattribute vb_name", b"\nFunction Workbook_", b"\nSub Document_"]
    samples += [b"".join(rng.choice(pieces) for _ in range(rng.randrange(1, 25))) for _ in range(4000)]
    hits = 0
    for data in samples:
        want = bool(O._VBA_SOURCE.search(data[:1 * MiB]))
        assert O.vba_source(data) == want, data
        hits += want
    assert 100 <= hits <= len(samples) - 1000
    # only the first MiB is read, as before
    assert not O.vba_source(b"x" * MiB + b"\nSub AutoOpen()\n")


# ---------------------------------------------------------------------------- texts
CRAFTED = [
    "", "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n" * 30,
    "Regards,\nThe Binance Team\n", "© 2024 Ledger SAS. All rights reserved.", "(c) Kraken 2023",
    "Copyright © 2022-2024 MetaMask", "Image: © Binance\n", "photo credit: (C) Coinbase",
    "Best regards, Trust Wallet Support", "Thank you,\nCoinbase customer care", "Cheers the OKX security team!",
    "  Bybit Security Team.  \n", "Sincerely, the kraken wallet team", "Thanks Binance SUPPORT",
    "Your balance: 127 325 USD BINANCE", "1.364 BTC KRAKEN", "BINANCE 136 138 EURO", "0.5 eth metamask",
    "12,500.00 usdt bybit", "1 000 000 dollars coinbase", "1234 usd", "3.3 sol phantom", "9,999 EUR Ledger",
    "Tel. 0800 123 456; order 2024.11 solved", "1.5btc binance", "100 000usd okx",
    "COPYR\u0130GHT 2024 Binance", "copyr\u0131ght 2024 Binance", "Binance \u017fecurity team",
    "\u212araken support", "T\u0435am Binance",  # Cyrillic е: no "team"
]

_WORDS = ("the", "team", "support", "security", "customer", "care", "wallet", "regards", "thanks", "cheers",
          "best", "©", "(c)", "copyright", "binance", "ledger", "kraken", "coinbase", "metamask", "trust",
          "okx", "usd", "eur", "euro", "btc", "eth", "sol", "dollars", "127", "325", "1.364", "000", "2024",
          "lorem", "ipsum", "Team", "SUPPORT", "Security", "Copyright", "©2024", "photo:", "\n", ",", ".", "-",
          "\u0131", "\u017f", "\u0130")


def random_texts(n: int, seed: int = 1313) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = [rng.choice(_WORDS) for _ in range(rng.randrange(1, 30))]
        out.append("".join(w + rng.choice((" ", " ", "\n", "", "  ")) for w in words))
    return out
