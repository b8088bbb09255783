"""Recall on crypto phishing never seen (issue 11): blind variants of each technique, written the way another crew would.

Each lure names the technique it stands for, in a dress no corpus sample wears: other wording and languages,
HTML-only bodies, a picture with a button, the lure only in the subject, the brand only in the display name,
a free-mail Reply-To, a link behind a shortener or a free host, a free cloud tenant as the sender.  The benign
look-alikes are what a holder also receives: an exchange's newsletter, a project's own airdrop notice (signed,
DMARC passes), a tax advisor's request, ordinary mail from a Microsoft 365 tenant, a storage quota notice.

Batch 1 was written before the fixes and measured once on main; batch 2 was written after them, blind, and
measured once (the numbers are in the module's commit message and the report of issue 11).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from analyzers.test_phish_variants import LIST, _photo, button, mail, scan
from coinguard.findings import VerdictKind

IMG = '<a href="{href}"><img src="cid:banner" width="600" height="300" alt=""></a>'

# ---------------------------------------------------------------------------- batch 1 (written before the fixes)

BATCH1_LURES: dict[str, Callable[[], bytes]] = {
    # allocation named by an unknown ticker next to a claim call
    "ticker allocation, claim button": lambda: mail(
        "Mocaverse <team@moca-rewards.io>", "Season 2 rewards",
        html="<p>Good news: 1,480 MOCA are now claimable by your address.</p>"
             + button("https://tinyurl.com/moca-s2", "Claim rewards")),
    "ticker allocation in German": lambda: mail(
        "Movement Labs <info@movement-verteilung.de>", "Ihre Zuteilung",
        html="<p>Ihrer Adresse wurden 3.200 MOVE zugeteilt. Holen Sie sie vor Freitag ab.</p>"
             + button("https://move-zuteilung.pages.dev/", "Jetzt abholen")),
    "ticker with dollar sign, claim before expiry": lambda: mail(
        "Grass Foundation <hello@grass-epoch.app>", "Epoch 3 closes tonight",
        text="Your node earned 612 $GRASS during epoch 3.\nClaim them before midnight UTC: "
             "https://grass-epoch3.netlify.app/claim\nUnclaimed rewards are burned.\n"),
    # the lure only in the subject, a bare link in the body
    "subject-only lure, bare shortener link": lambda: mail(
        "Rewards Desk <desk@rewards-hub.net>", "Claim your 500 USDT airdrop reward now",
        text="https://cutt.ly/r7Qx2mZ\n"),
    "subject-only balance lure, one line": lambda: mail(
        "Wallet Notice <notice@walletnotice.org>", "0.7214 BTC is waiting in your account - withdraw today",
        html='<p><a href="https://is.gd/wd7214">Open</a></p>'),
    # a picture and a button, no words
    "image-only airdrop with a button link": lambda: mail(
        "Jupiter <jup@jup-events.com>", "🎁 Reward pending",
        html=IMG.format(href="https://jup-claim.web.app/"), images=[("banner", _photo())]),
    "image-only with alt text as the lure": lambda: mail(
        "Claims <claims@drop-portal.info>", "Your share",
        html='<a href="https://rb.gy/k2p9qe"><img src="cid:banner" alt="Claim 0.5 ETH now"></a>',
        images=[("banner", _photo())]),
    # free cloud tenants as the sender
    "exchange lure from a Microsoft 365 trial tenant": lambda: mail(
        "Coinbase Support <noreply@secops4471.onmicrosoft.com>", "Action needed on your account",
        html="<p>We noticed unusual activity and limited your account. Confirm your identity to lift the limit.</p>"
             + button("https://cb-verify-id.vercel.app/", "Confirm identity")),
    "token lure from a trial tenant, shortener": lambda: mail(
        "Celestia Drops <info@tiadist09.onmicrosoft.com>", "Unclaimed TIA",
        text="2,050 TIA remain unclaimed on your wallet. Collect: https://t.ly/tia-collect\n"),
    # the brand only in the display name, another language
    "brand only in the display name, French": lambda: mail(
        "MetaMask <alertes@service-clients-portefeuille.fr>", "Vérification requise",
        html="<p>Votre portefeuille sera suspendu dans 24 heures. Veuillez vérifier votre phrase de récupération.</p>"
             + button("https://mm-verif.glitch.me/", "Vérifier")),
    # reply-to free mail
    "staking bonus, reply to a free-mail address": lambda: mail(
        "Kraken Rewards <rewards@kr-promotions.net>", "Your staking bonus",
        text="A staking bonus of 0.42 ETH is reserved for you. Reply with your wallet address to receive it.\n",
        headers=[("Reply-To", "kraken.bonus.desk@gmail.com")]),
    # free-hosted pages, freemail sender
    "bitcoin profit on a Google Sites page, freemail": lambda: mail(
        "Daniel Ortiz <dan.ortiz.5521@gmail.com>", "Profit ready",
        text="Your bitcoin profit of $4,310 is ready for withdrawal.\n"
             "Details: https://sites.google.com/view/btc-payout-desk\n"),
    "brand in a help-desk notification with a hosted form": lambda: mail(
        "Support Desk <notifications@helpdesk-mailer.com>", "Ticket #88412 updated",
        html="<p>Binance Compensation Team replied:</p><p>You are entitled to a compensation payment. "
             "Fill the form to receive it.</p>" + button("https://forms.office.com/r/Xy12abCD", "Open form")),
    # extortion and fake balance, picture or subject only
    "extortion whose text is an image, demand in subject": lambda: mail(
        "Unknown <x9211@proton-safe.org>", "I recorded you. Send $1500 in bitcoin within 48 hours",
        html='<img src="cid:banner">', images=[("banner", _photo())]),
    "fake balance in Spanish, HTML only": lambda: mail(
        "Plataforma Cripto <aviso@saldo-cripto.es>", "Saldo disponible",
        html="<p>Su saldo de 1,27 BTC está disponible para retirar. Confirme su cuenta para recibir los fondos.</p>"
             + button("https://bit.ly/saldo-btc", "Retirar")),
    "fake balance in Russian, one link": lambda: mail(
        "Биржа <info@birzha-vyvod.ru>", "Начисление",
        text="Вам начислено 0,35 BTC. Для вывода средств перейдите по ссылке: https://clck.ru/3Abc9\n"),
    "pending withdrawal on a free host": lambda: mail(
        "Withdrawals <no-reply@wd-center.io>", "Pending withdrawal expires",
        html="<p>A withdrawal of 2.14 ETH to your wallet is pending and expires in 6 hours.</p>"
             + button("https://wd-center-1.firebaseapp.com/", "Release funds")),
    # giveaways
    "giveaway, send to receive double, Italian": lambda: mail(
        "Evento Cripto <evento@giveaway-live.it>", "Evento speciale",
        text="Invia da 0,1 a 5 ETH all'indirizzo dell'evento e ricevi il doppio indietro. "
             "Indirizzo: 0x52908400098527886E0F7030069857D2E4169EE7\n"),
    "airdrop in Portuguese, short": lambda: mail(
        "Comunidade <contato@drop-comunidade.com.br>", "Você foi selecionado",
        html="<p>Você tem 750 tokens WLD para resgatar.</p>" + button("https://s.id/wld-resgate", "Resgatar")),
    "token migration, HTML only, trial tenant in return-path only": lambda: mail(
        "Polygon <updates@polygon-migrate.org>", "MATIC to POL migration deadline",
        html="<p>Your MATIC must be migrated to POL before the deadline or it will be lost.</p>"
             + button("https://pol-migrate.pages.dev/", "Migrate"),
        headers=[("Return-Path", "<bounce@mig77.onmicrosoft.com>")]),
}

BATCH1_BENIGN: dict[str, Callable[[], bytes]] = {
    "exchange newsletter, signed": lambda: mail(
        "Coinbase <news@coinbase.com>", "This week in crypto",
        html="<p>Bitcoin rose 4% this week while ETH was flat. Read our market report.</p>"
             + button("https://www.coinbase.com/learn/market-update", "Read more"), sign=b"coinbase.com",
        headers=LIST),
    "project's own airdrop notice, signed": lambda: mail(
        "Phantom <hello@phantom.app>", "Community rewards are live",
        html="<p>Phantom users who swapped in 2026 can check their eligibility for community rewards in the app. "
             "We will never ask for your recovery phrase.</p>" + button("https://phantom.app/rewards", "Learn more"),
        sign=b"phantom.app"),
    "crypto tax advisor asking for CSVs": lambda: mail(
        "Laura Brenner <laura@brenner-steuer.de>", "Your 2026 crypto tax return",
        text="Hello Mr. Weber,\n\nfor your 2026 return I need the CSV exports of your exchange accounts "
             "(Kraken and Bitpanda) and the list of staking rewards you received. Please send them by the 15th.\n\n"
             "Kind regards\nLaura Brenner\n"),
    "ordinary mail from a Microsoft 365 tenant": lambda: mail(
        "Peter Lang <peter@langbau1.onmicrosoft.com>", "Meeting notes Thursday",
        text="Hi all,\n\nattached the notes from Thursday. Next meeting on the 10th, same room.\n\nPeter\n"),
    "Microsoft 365 tenant sharing a document link": lambda: mail(
        "Office Admin <admin@kanzlei-roth.onmicrosoft.com>", "Invoice November",
        html="<p>Hello,</p><p>please find the November invoice here.</p>"
             + button("https://kanzleiroth-my.sharepoint.com/:b:/g/personal/inv-11", "Open")),
    "storage quota with an uppercase unit": lambda: mail(
        "IT Service <it@uni-example.edu>", "Your storage",
        text="Hello,\n\n500 GB have been allocated to your project share. Claim the space in the portal: "
             "https://portal.uni-example.edu/storage\n"),
    "staff allocation, claim expenses": lambda: mail(
        "PMO <pmo@example-consulting.com>", "Staffing for Q1",
        text="3 FTE allocated to your project from January. Claim travel expenses via the usual form.\n"),
    "friend sends photos via a shortener": lambda: mail(
        "Anna <anna.k.1990@gmail.com>", "Photos from Saturday", text="https://bit.ly/sat-photos\n"),
    "exchange monthly statement with balance, signed": lambda: mail(
        "Kraken <statements@kraken.com>", "Your November statement",
        html="<p>Your account balance on 30 November: 0.5 BTC, 2.1 ETH.</p>"
             + button("https://www.kraken.com/u/history", "View statement"), sign=b"kraken.com"),
    "editorial newsletter about airdrops": lambda: mail(
        "The Defiant <newsletter@thedefiant.example>", "Five airdrops to watch",
        html="<p>This week we look at five projects whose tokens may launch soon, and how to avoid fake claim "
             "sites.</p>" + button("https://thedefiant.example/airdrops", "Read"), headers=LIST),
}

#: Batch 1 lures still missed after the fixes (strict xfail: a fix shows as XPASS and is made a plain case).
BATCH1_LIMITS = {
    "image-only airdrop with a button link":
        "no crypto word anywhere: 'Reward pending', a picture and a free-hosted link read as any prize spam",
    "image-only with alt text as the lure":
        "the lure is only in the picture's alt text, which the body text (text.html_to_text) leaves out",
    "brand in a help-desk notification with a hosted form":
        "brand in the body (3) + free-hosted form (1.5): the compensation wording weighs 2.5, under the body's 3.5",
}


def _cases(names: dict[str, Callable[[], bytes]], limits: dict[str, str]) -> list[object]:
    return [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=limits[n])) if n in limits else n
            for n in names]


def _flagged(raw: bytes) -> tuple[bool, object]:
    v = scan(raw)
    return (v.verdict in (VerdictKind.SUSPICIOUS, VerdictKind.MALICIOUS),
            (v.score, [(f.code, f.score, f.detail[:80]) for f in v.findings if f.score]))


@pytest.mark.parametrize("name", _cases(BATCH1_LURES, BATCH1_LIMITS))
def test_batch1_lure_is_flagged(name: str) -> None:
    flagged, why = _flagged(BATCH1_LURES[name]())
    assert flagged, why


@pytest.mark.parametrize("name", list(BATCH1_BENIGN))
def test_batch1_look_alike_is_clean(name: str) -> None:
    flagged, why = _flagged(BATCH1_BENIGN[name]())
    assert not flagged, why
