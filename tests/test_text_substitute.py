"""html_to_text reads the words that stand in for a picture or a button (issue 11: the picture-button lure).

A lure whose only words are an image's ``alt`` or ``title``, a linked picture's tooltip, or a form button's
label was textless to every analyzer; a newsletter's logos (``alt="Coinbase logo"``, ``alt="Phantom"``) name
the picture and stay out of the text, as before.
"""

from __future__ import annotations

import pytest

from coinguard.text import html_to_text, substitute_text


@pytest.mark.parametrize("html, words", [
    ('<a href="https://x.example/"><img src="cid:b" alt="Claim 0.5 ETH now"></a>', "Claim 0.5 ETH now"),
    ('<a href="https://x.example/" title="Connect your wallet to claim"><img src="cid:b" alt=""></a>',
     "Connect your wallet to claim"),
    ('<img src="cid:b" title="Verify your wallet today">', "Verify your wallet today"),
    ('<map><area href="https://x.example/" alt="Claim your free tokens"></map>', "Claim your free tokens"),
    ('<img src="cid:b" alt="エアドロップを受け取る">', "エアドロップを受け取る"),
    ('<form><input type="submit" value="Validate"></form>', "Validate"),
    ('<input type="image" src="b.png" alt="Claim your reward here">', "Claim your reward here"),
])
def test_substitute_words_are_read(html: str, words: str) -> None:
    assert words in html_to_text(html)[0]


@pytest.mark.parametrize("html", [
    '<img src="cid:b" alt="Coinbase logo"><p>News</p>',
    '<img src="cid:b" alt="Phantom"><p>News</p>',
    '<img src="cid:b" alt="MetaMask fox"><p>News</p>',
    '<img src="cid:b" alt="Header image of the Binance newsletter"><p>News</p>',
    '<img src="cid:b" alt="Follow us on X icon"><p>News</p>',
    '<input type="text" value="Claim your free tokens now"><p>News</p>',
    '<input type="hidden" value="Claim your free tokens now"><p>News</p>',
    '<head><title>t</title></head><style>img{}</style>'
    '<script>"<img alt=\'claim your tokens now\'>"</script><p>News</p>',
])
def test_picture_names_and_hidden_values_are_not_text(html: str) -> None:
    assert html_to_text(html)[0] == "News"


def test_substitute_is_bounded_and_alt_wins_over_title() -> None:
    assert substitute_text("img", {"alt": "w " * 1000}) == " ".join(["w"] * 150)
    assert substitute_text("img", {"alt": "Claim your tokens", "title": "Other words here"}) == "Claim your tokens"
    assert substitute_text("img", {"alt": "", "title": "Claim your tokens"}) == "Claim your tokens"
    assert substitute_text("p", {"title": "Claim your tokens"}) == ""


def test_links_are_still_collected() -> None:
    text, links = html_to_text('<a href="https://x.example/"><img alt="Claim your 5 SOL now" src="b"></a>')
    assert links == ["https://x.example/"] and text == "Claim your 5 SOL now"
