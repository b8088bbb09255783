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


def test_html_to_text_keeps_visible_text_and_links_only() -> None:
    from coinguard.text import html_to_text

    html = ("<html><head><title>T</title><style>p{}</style></head><body><p>Hello <b>wal</b>let</p>"
            "<a href='https://x.example/a'>link</a><script>alert(1)</script> end"
            "<form action='/post'><input name=seed></form><iframe src='https://i.example'></iframe>"
            "<area href='https://m.example'><!-- a comment --></body></html>")
    text, links = html_to_text(html)
    assert text == "Hello wal let link end"
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
