"""Short airdrop/claim lures and benign crypto-topic mail, blind batch L (issue 11).

Written blind, before this round's change, around the three short lures batch K still missed (an allocation
checked under an unknown ticker, a one-for-one bridge with a calendar-date deadline, free coins for the first
N users) and its two flagged airdrop news digests: several phrasings and languages each, beside what a holder
also receives (exchange security notices that say "never connect your wallet to ...", a DeFi newsletter, a
conference invitation about airdrops, a developer list, a podcast, an exchange's airdrop-support notice).
Every mail is built here, harmless, none copied from a sample.

Measured once on main (2e2a4a6) before any change, with ``_flagged`` (tests/analyzers/test_recall_variants.py):
short lures 5/15 flagged (missed: the four allocation checks but the one naming LayerZero, the four 1:1 swaps,
"first N" in English for SOL, Portuguese and Italian), look-alikes 7/10 clean (flagged: the developer list, the
podcast naming ZKsync in its Subject, and the exchange notice -- sent then from a look-alike domain, a mistake of
the test corrected before the change: an exchange writes from its own, DKIM-signed).  With the notice corrected
and MAILING_LURES (written after the change) on 2e2a4a6: lures 7/18, look-alikes 8/10.  After: lures 15/18
(NOT_CAUGHT says why), look-alikes 10/10.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from analyzers.test_blind_batch_k import _expected
from analyzers.test_phish_variants import LIST, button, mail
from analyzers.test_recall_variants import _flagged

SHORT_LURES: dict[str, Callable[[], bytes]] = {
    # -- the allocation checked and claimed, the ticker unknown to the list
    "allocation check, unknown ticker, HTML": lambda: mail(
        "Movement Labs <genesis@movement-allocation.io>", "MOVE allocation",
        html="<p>The genesis snapshot is final. Check your MOVE allocation and claim it before the window "
             "closes.</p>" + button("https://move-genesis.pages.dev/", "Check allocation")),
    "allocation ready, cashtag, plain": lambda: mail(
        "LayerZero <drops@zro-allocation.com>", "Your $ZRO allocation",
        text="Your $ZRO allocation is ready. Claim it within 3 days: https://zro-claim.web.app/\n"),
    "es: asignación, reclámala": lambda: mail(
        "Jupiter <equipo@jup-asignacion.com>", "Asignación JUP",
        text="Tu asignación de JUP está lista. Reclámala en los próximos 5 días: https://jup-asig.pages.dev/\n"),
    "de: Zuteilung prüfen": lambda: mail(
        "Wormhole <team@w-zuteilung.de>", "W-Zuteilung",
        html="<p>Prüfen Sie Ihre W-Zuteilung und fordern Sie sie innerhalb von 7 Tagen an.</p>"
             + button("https://w-claim.pages.dev/", "Zuteilung prüfen")),
    # -- one call: the one-for-one swap or bridge, with only a calendar date
    "bridge 1:1, English, date only": lambda: mail(
        "Mantle <upgrade@mantle-bridge.org>", "Mainnet upgrade",
        html="<p>Bridge your tokens 1:1 to the new network before 15 January.</p>"
             + button("https://mnt-bridge.pages.dev/", "Bridge")),
    "de: Token 1:1 tauschen": lambda: mail(
        "Team <team@token-tausch.de>", "Token-Umstellung",
        html="<p>Tauschen Sie Ihre Token 1:1 in den neuen Token bis zum 10. Januar.</p>"
             + button("https://tausch.pages.dev/", "Tauschen")),
    "es: migra tus tokens 1:1": lambda: mail(
        "Equipo <equipo@token-migra.es>", "Nueva red",
        text="Migra tus tokens 1:1 a la nueva red antes del 10 de enero: https://migra-red.web.app/\n"),
    "fr: migrez vos jetons 1:1": lambda: mail(
        "Equipe <equipe@jeton-migration.fr>", "Nouveau réseau",
        html="<p>Migrez vos jetons 1:1 vers le nouveau réseau avant le 12 janvier.</p>"
             + button("https://migration-fr.pages.dev/", "Migrer")),
    # -- free coins for the first N, no "you"
    "free SOL for the first 500 wallets": lambda: mail(
        "Solana Drops <drops@sol-first500.xyz>", "Free SOL for the first 500 wallets",
        html="<p>The first 500 wallets to connect receive 2 SOL for free. Don't miss out.</p>"
             + button("https://sol-first.vercel.app/", "Connect")),
    "first 2,000 holders get USDT": lambda: mail(
        "Tether Rewards <rewards@usdt-early.io>", "Early holders bonus",
        text="The first 2,000 holders to connect a wallet get 50 USDT free. Ends Friday: https://usdt-early.web.app/\n"),
    "pt: os primeiros 1.000 usuários": lambda: mail(
        "Base Brasil <time@base-gratis.com.br>", "ETH grátis",
        html="<p>Os primeiros 1.000 usuários a conectar a carteira recebem 0,1 ETH grátis.</p>"
             + button("https://base-br.vercel.app/", "Conectar")),
    "de: die ersten 1.000 Nutzer": lambda: mail(
        "Arbitrum DE <team@arb-gratis.de>", "Gratis ARB",
        html="<p>Die ersten 1.000 Nutzer, die ihre Wallet verbinden, erhalten 100 ARB gratis.</p>"
             + button("https://arb-de.pages.dev/", "Verbinden")),
    # -- one crypto-specific call beside a bare bait
    "connect to check eligibility, short": lambda: mail(
        "Starknet <eligibility@strk-check.io>", "Eligibility check",
        html="<p>Connect your wallet to check your eligibility. 1,200 STRK unclaimed.</p>"
             + button("https://strk-elig.pages.dev/", "Connect wallet")),
    "wallet qualifies, claim link": lambda: mail(
        "Optimism <drops@op-qualify.io>", "Drop 5",
        text="Your wallet qualifies for 1,500 OP in drop 5. Claim: https://op-drop5.web.app/\n"),
    "it: i primi 1.000 utenti": lambda: mail(
        "Team <team@eth-gratis.it>", "ETH gratis",
        html="<p>I primi 1.000 utenti che collegano il wallet ricevono 0,1 ETH gratis.</p>"
             + button("https://eth-it.pages.dev/", "Collega")),
}

#: Lures sent through a mailing service (List-Unsubscribe / List-Id added by the sender's ESP): a mailing that asks
#: the reader to act keeps its Subject and its brand (written after the change, beside the digests it spares).
MAILING_LURES: dict[str, Callable[[], bytes]] = {
    "ESP-sent airdrop, claim button": lambda: mail(
        "PEPE <news@pepe-drop.xyz>", "PEPE Token Airdrop is Now Live",
        html="<p>Season 2 is open. Eligible wallets can claim before the snapshot closes.</p>"
             + button("https://pepe-s2.pages.dev/", "Claim airdrop"), headers=LIST),
    "ESP-sent brand airdrop, connect your wallet": lambda: mail(
        "Rewards Desk <desk@rewards-desk.io>", "MetaMask airdrop: check eligibility",
        html="<p>Connect your wallet to see your MetaMask airdrop allocation.</p>"
             + button("https://mm-drop.vercel.app/", "Connect"), headers=LIST),
    "ESP-sent migration, 1:1 swap": lambda: mail(
        "Upgrade <news@token-upgrade.net>", "Token upgrade",
        text="Swap your tokens 1:1 to the new contract before 31 January: https://upgrade-now.web.app/\n",
        headers=LIST),
}

BENIGN: dict[str, Callable[[], bytes]] = {
    "exchange security notice: never connect your wallet": lambda: mail(
        "Bitstamp Security <security@bitstamp.net>", "Security notice: fake airdrop sites", sign=b"bitstamp.net",
        html="<p>Fraudsters are promoting fake airdrops that ask you to connect your wallet. Never connect your "
             "wallet to a site you reached from an email or a social media post, and never share your recovery "
             "phrase. We do not run airdrops.</p>"
             + button("https://www.bitstamp.net/security", "Security centre"), headers=LIST),
    "de: Sicherheitshinweis, Wallet niemals verbinden": lambda: mail(
        "Börse Sicherheit <sicherheit@boerse-hinweise.example>", "Sicherheitshinweis: gefälschte Airdrops",
        html="<p>Derzeit kursieren gefälschte Airdrop-Seiten. Verbinden Sie Ihre Wallet niemals mit einer Seite "
             "aus einer E-Mail. Wir veranstalten keine Airdrops.</p>", headers=LIST),
    "de: Wallet nicht verbinden, Airdrop-Warnung (written after)": lambda: mail(
        "Krypto-Börse <news@krypto-boerse.example>", "Warnung: falsche Airdrops im Umlauf",
        text="Verbinden Sie Ihr Wallet nicht mit Seiten, die Ihnen Gratis-Token versprechen, und geben Sie Ihre "
             "Wiederherstellungsphrase niemals ein. Wir verteilen keine Airdrops per E-Mail.\n", headers=LIST),
    "DeFi newsletter: airdrop roundup": lambda: mail(
        "DeFi Weekly <editor@defiweekly.example>", "DeFi Weekly: the airdrop roundup",
        html="<p>This week three protocols finished their points programs. Arbitrum and Optimism holders saw "
             "new distributions, and analysts argue that most airdropped tokens are sold within a month. Our "
             "research desk compares the allocation formulas.</p>"
             + button("https://defiweekly.example/issue/140", "Read the issue"), headers=LIST),
    "conference invitation: airdrop design panel": lambda: mail(
        "Token Summit <events@tokensummit.example>", "Invitation: Token Summit, panel on airdrop design",
        html="<p>Token Summit returns to Lisbon on 14 March. This year's panel on airdrop design brings "
             "together the teams behind three large token distributions to discuss sybil filtering and "
             "vesting.</p>" + button("https://tokensummit.example/register", "Register"), headers=LIST),
    "developer list: airdrop claim contract gas": lambda: mail(
        "Ravi <ravi@dev.example>", "[token-dev] airdrop claim gas costs",
        text="The merkle claim costs 48k gas per wallet; batching the airdrop would cut it by a third. "
             "Eligibility proofs are generated from the snapshot in CI now.\n",
        headers=[("List-Id", "token developers <token-dev.lists.example.org>")]),
    "podcast episode on the ZK airdrop": lambda: mail(
        "Bankless Podcast <podcast@banklesspod.example>", "Episode 212: the ZKsync airdrop, one month later",
        html="<p>One month after the ZKsync airdrop, we look at who sold, who staked and what the eligibility "
             "rules got wrong.</p>" + button("https://banklesspod.example/212", "Listen"), headers=LIST),
    "exchange supports an airdrop, no action needed": lambda: mail(
        "Exchange News <news@exchange-news.example>", "We support the STRK airdrop",
        html="<p>We will support the STRK airdrop for eligible users holding ETH at the snapshot. Tokens will be "
             "credited automatically; no action is needed.</p>", headers=LIST),
    "es: boletín, temporada de airdrops": lambda: mail(
        "Cripto Semanal <boletin@criptosemanal.example>", "Cripto Semanal: vuelve la temporada de airdrops",
        html="<p>Vuelve la temporada de airdrops: tres proyectos anunciaron sus snapshots esta semana. Los "
             "analistas comparan cómo se repartieron las asignaciones.</p>"
             + button("https://criptosemanal.example/n/52", "Leer"), headers=LIST),
    "tax newsletter: how airdrops are taxed": lambda: mail(
        "Crypto Tax Digest <digest@cryptotax.example>", "How airdrops and staking rewards are taxed",
        text="Airdropped tokens are income when received; staking rewards are too in most countries. Our guide "
             "walks through three examples with their cost basis.\n", headers=LIST),
    "airdrop calendar newsletter": lambda: mail(
        "Airdrop Calendar <news@dropcalendar.example>", "Airdrop calendar: December",
        html="<p>Snapshots expected this month: two L2 networks and a restaking protocol. Allocations are not "
             "confirmed by the teams yet; we will update the calendar as they announce.</p>"
             + button("https://dropcalendar.example/december", "Open the calendar"), headers=LIST),
}

#: Lures still missed (strict xfail), with their cause.  ("es: asignación, reclámala" is caught since batch M: the
#: claim call by an object pronoun, "reclámala", is lure wording, and with it the From name "Jupiter" is read as the
#: exchange's, brands.py.  "allocation check, unknown ticker, HTML" is caught since batch N: a ticker in capitals
#: right before "allocation" names the topic, crypto_theme.ticker_nouns.)
_NO_TOPIC = ("nothing names the crypto topic: an unknown ticker before 'allocation' and a claim with a deadline "
             "('check your seat / share / ticket allocation' is everyday wording; rights issues 'claim' one too); only "
             "the hosted claim page says crypto")
NOT_CAUGHT: dict[str, str] = {
    "de: Zuteilung prüfen": _NO_TOPIC + " (a one-letter ticker, 'W-Zuteilung', is no symbol crypto_theme.ticker_nouns "
                            "reads, and no German allocation call in lures.txt)",
}
#: Look-alikes still flagged (strict xfail).  ("geben Sie Ihre Wiederherstellungsphrase niemals ein", the
#: German order of the warning, is read as one since lures._DISCLAIMER takes "never" after the secret's noun.)
NOT_CLEAN: dict[str, str] = {}


LURES = SHORT_LURES | MAILING_LURES


@pytest.mark.parametrize(("name", "lure"), _expected(LURES, True, NOT_CAUGHT) + _expected(BENIGN, False, NOT_CLEAN))
def test_short_lures_flagged_and_crypto_topic_mail_clean(name: str, lure: bool) -> None:
    flagged, why = _flagged((LURES if lure else BENIGN)[name]())
    assert flagged is lure, why


def test_batch_sizes() -> None:
    assert len(SHORT_LURES) >= 15 and len(BENIGN) >= 11
    assert len(LURES) == len(SHORT_LURES) + len(MAILING_LURES)


def test_crypto_specific_call_is_topic_and_lure_wording() -> None:
    """crypto_theme.lure_wording: an action of TOPIC_ACTION_WEIGHT or more ("connect your wallet") names the topic
    and is the call to action: it counts as the action kind; a topic phrase or a wallet secret named is no kind."""
    from coinguard.analyzers.crypto_theme import has_lure_anatomy, lure_kinds
    from coinguard.lures import Lure, LureMatch

    call, bait = Lure("connect your wallet", "action", 3.0), Lure("500 tokens", "reward", 1.5)
    assert lure_kinds(LureMatch(4.5, True, (call, bait))) == {"action", "reward"}
    assert has_lure_anatomy(LureMatch(4.5, True, (call, bait)))
    assert lure_kinds(LureMatch(3.5, True, (Lure("airdrop", "topic", 2.5), Lure("seed phrase", "secret", 2.0)))) \
        == set()


def test_mailing_discussion_drops_light_calls_only() -> None:
    """crypto_theme.discussed: in a mailing that addresses nobody and bids nothing, light actions ("claim",
    FIRM_ACTION or less) are a discussion's nouns; a firm or crypto-specific call stays."""
    from coinguard.analyzers.crypto_theme import discussed
    from coinguard.lures import Lure, LureMatch

    noun, firm = Lure("claim", "action", 1.0), Lure("connect your wallet", "action", 3.0)
    topic = Lure("airdrop", "topic", 2.5)
    assert discussed(LureMatch(3.5, True, (topic, noun))) == LureMatch(2.5, True, (topic,))
    kept = LureMatch(6.5, True, (topic, noun, firm))
    assert discussed(kept).terms == (topic, firm) and discussed(kept).weight == 5.5


@pytest.mark.parametrize(("text", "warning"), [
    ("geben sie ihre wiederherstellungsphrase niemals ein", True),
    ("deel uw herstelzin nooit met iemand", True),
    ("confirmez votre phrase de récupération avant le 5 mai", False),
    ("geben sie ihre wiederherstellungsphrase jetzt ein", False),
])
def test_never_after_the_secret_is_a_disclaimer(text: str, warning: bool) -> None:
    from coinguard.lures import _DISCLAIMER

    assert (_DISCLAIMER.search(text) is not None) is warning
