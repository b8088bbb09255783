"""Text normalisation (coinguard.text): case, invisible characters, homoglyphs, letter spacing."""

from __future__ import annotations

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
