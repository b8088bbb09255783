"""html_to_text reads inline tags joined and hidden inline text left out, beside the spaced reading (issue 11).

The technique: a lure's key words split by inline tags with hidden filler between the pieces
(``re<span style="display:none">x7</span>covery phr<span>ase</span>``) so that a phrase list reads
"re x7 covery phr ase".  The text is the spaced reading (every tag a space, every text kept: nothing a
detection read before is lost) plus the sentences of the joined reading that differ from it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from analyzers.test_phish_variants import button, mail
from analyzers.test_recall_variants import _flagged
from coinguard.text import JOINED_SENTENCE_MAX, JOINED_TOTAL_MAX, html_to_text

HIDE = ('style="display:none"', "style='visibility: hidden'", 'style="font-size:0px"', 'style="FONT-SIZE: 0;"',
        "hidden")


@pytest.mark.parametrize("hide", HIDE)
@pytest.mark.parametrize(("html", "phrase"), [
    ("<p>Confirm your <span>re</span><span {h}>x7</span><span>covery phr</span><span>ase</span> now.</p>",
     "confirm your recovery phrase now."),
    ("<p>Enter your <b>se</b><i {h}>q</i><b>ed</b> <font>phr</font><font {h}>zz</font>ase below.</p>",
     "enter your seed phrase below."),
    ("<div>Geben Sie Ihre Wieder<em>herstellungs</em><em {h}>..</em>phrase ein.</div>",
     "geben sie ihre wiederherstellungsphrase ein."),
    ("<td>Introduzca su frase de recu<strong {h}>77</strong>pera<u>ción</u> aquí.</td>",
     "introduzca su frase de recuperación aquí."),
    ("<p>Share your private <span {h}>lorem</span>key with support.</p>", "share your private key with support."),
])
def test_the_joined_reading_is_read(html: str, phrase: str, hide: str) -> None:
    text = html_to_text(html.replace("{h}", hide))[0]
    assert phrase in text.lower(), text


@pytest.mark.parametrize(("html", "text"), [
    ("<p>Hello <b>world</b>, this is <i>plain</i> mail.</p>", "Hello world , this is plain mail."),
    ("<p><b>Note:</b> the <a href='https://x.example'>link</a> is new.</p>", "Note: the link is new."),
    ("<p>A <span style='font-size:0.9em'>small</span> word, a <span style='color:red'>red</span> one.</p>",
     "A small word, a red one."),
    ("<div>one</div><div>two</div><p>three</p>", "one two three"),  # block elements break the text
])
def test_nothing_is_added_when_the_readings_agree(html: str, text: str) -> None:
    assert html_to_text(html)[0] == text


def test_hidden_text_stays_in_the_spaced_reading() -> None:
    """A preheader hidden by display:none is still read (lures put words there too); a font size that is
    not zero hides nothing."""
    text = html_to_text('<p><span style="display:none">Claim your airdrop today</span>Weekly news.</p>')[0]
    assert "Claim your airdrop today" in text
    assert html_to_text('<p>a<span style="font-size:0.5em">b</span>c</p>')[0] == "a b c abc"


def test_whole_sentences_so_a_disclaimer_stays_with_its_secret() -> None:
    text = html_to_text("<p>Welcome. We will never ask for your re<b>covery</b> phrase. Enjoy.</p>")[0]
    assert "We will never ask for your recovery phrase." in text
    assert "Welcome." not in text.partition("phrase.")[2] and "Enjoy." not in text.partition("Enjoy.")[2]


def test_the_joined_reading_is_bounded() -> None:
    sentence = "<p>" + "a<b>b</b>c " * 2000 + ".</p>"
    text = html_to_text(sentence * 20)[0]
    spaced_len = len("a b c " * 2000 + ". ") * 20
    assert len(text) <= spaced_len + JOINED_TOTAL_MAX + JOINED_SENTENCE_MAX + 10


LURES: dict[str, Callable[[], bytes]] = {
    "recovery phrase, display:none filler": lambda: mail(
        "Ledger <notice@ledger-notice-center.com>", "Action required",
        html="<p>Your Ledger is out of date. Confirm your <span>re</span><span style=\"display:none\">x7</span>"
             "<span>covery phr</span><span>ase</span> to keep access.</p>"
             + button("https://ledger-notice.web.app/", "Confirm")),
    "seed phrase, font-size:0 filler, wallet sync": lambda: mail(
        "Wallet Sync <sync@wallet-sync-desk.com>", "Sync failed",
        html="<p>Your wallet could not sync. Enter your <b>se</b><b style='font-size:0'>q</b><b>ed</b> "
             "phr<i>ase</i> to restore it within 24 hours.</p>" + button("https://wallet-sync-desk.com/", "Sync")),
    "Spanish, visibility:hidden filler": lambda: mail(
        "Soporte MetaMask <soporte@mm-ayuda.com>", "Verificación necesaria",
        html="<p>Introduzca su frase de recu<span style='visibility:hidden'>zz</span>peración para "
             "desbloquear su billetera hoy.</p>" + button("https://mm-ayuda.com/", "Verificar")),
}
BENIGN: dict[str, Callable[[], bytes]] = {
    "newsletter with bold words and a hidden preheader": lambda: mail(
        "Crypto Weekly <news@cryptoweekly.example>", "This week",
        html="<p><span style='display:none'>Markets, rules and a new wallet app</span><b>Bitcoin</b> rose "
             "3% this week. Regulators met <i>exchange</i> leaders; read the <a href='https://cryptoweekly."
             "example/49'>full story</a>.</p>"),
    "security notice that disclaims, split by bold tags": lambda: mail(
        "Support <help@walletshop.example>", "Staying safe",
        html="<p>Reminder: we will never ask for your re<b>covery</b> phrase or your private <b>key</b>. "
             "Keep them offline.</p>"),
}


@pytest.mark.parametrize(("name", "lure"), [(n, True) for n in LURES] + [(n, False) for n in BENIGN])
def test_split_key_words_flag_the_mail_and_look_alikes_stay_clean(name: str, lure: bool) -> None:
    flagged, why = _flagged((LURES if lure else BENIGN)[name]())
    assert flagged is lure, why
