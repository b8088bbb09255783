"""Recall on crypto phishing never seen (issue 11): blind variants of each technique, as another crew writes them.

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

from analyzers.test_phish_variants import LIST, _cases, _photo, button, mail, scan
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
#: The third round (test_airdrop_blind.py) read an image's alt text as text and the compensation payment as bait.
#: ("image-only airdrop with a button link" passes since the link host jup-claim.web.app, an everyday-word
#: brand with a crypto word, gives the mail its crypto context: brands.domain_context.)
BATCH1_LIMITS: dict[str, str] = {}


def _flagged(raw: bytes) -> tuple[bool, object]:
    v = scan(raw)
    return (v.verdict in (VerdictKind.SUSPICIOUS, VerdictKind.MALICIOUS),
            (v.score, [(f.code, f.score, f.detail[:80]) for f in v.findings if f.score]))


# ---------------------------------------------------------------------------- batch 2 (written after the fixes, blind)

BATCH2_LURES: dict[str, Callable[[], bytes]] = {
    "tokens airdropped to the wallet, Spanish": lambda: mail(
        "Zeta Chain <equipo@zeta-recompensas.com>", "Tu asignación está lista",
        html="<p>Se han asignado 2.000 ZETA a tu billetera por tu actividad en la red.</p>"
             + button("https://zeta-asignacion.vercel.app/", "Reclamar ahora")),
    "tokens attributed, French, plain text": lambda: mail(
        "Scroll <contact@scroll-session.fr>", "Session 2 : vos jetons",
        text="1 200 SCR vous ont été attribués pour la session 2.\nRécupérez-les ici avant dimanche : "
             "https://scroll-session2.netlify.app/\n"),
    "airdropped ticker, nothing but a button": lambda: mail(
        "EigenLayer <stakedrop@eigen-season.org>", "Stakedrop season 2",
        html="<p>4,310 EIGEN were airdropped to your wallet.</p>" + button("https://is.gd/eigs2", "Claim")),
    "cashtag reward, short": lambda: mail(
        "Blast <points@blast-gold.io>", "Gold converted",
        text="Your Gold points became 9,800 $BLAST. Redeem: https://blast-redeem.pages.dev\n"),
    "trial tenant, wallet support, Dutch": lambda: mail(
        "Trust Wallet <ondersteuning@twsupport77.onmicrosoft.com>", "Uw wallet wordt geblokkeerd",
        html="<p>Uw wallet wordt binnen 24 uur geblokkeerd. Bevestig uw herstelzin om dit te voorkomen.</p>"
             + button("https://tw-herstel.web.app/", "Bevestigen")),
    "trial tenant, staking reward": lambda: mail(
        "Lido <rewards@stk8841.onmicrosoft.com>", "stETH rewards waiting",
        text="Your staking rewards of 0.91 ETH are waiting. Withdraw them here: https://shorturl.at/lidoW\n"),
    "firebase sender, exchange name in the subject only": lambda: mail(
        "Security <noreply@acct-check-5521.firebaseapp.com>", "Bybit: new withdrawal address added",
        html="<p>A new withdrawal address was added to your account. If this was not you, cancel it now.</p>"
             + button("https://acct-check-5521.firebaseapp.com/cancel", "Cancel")),
    "subject-only giveaway, link only": lambda: mail(
        "Live Event <events@cryptolive-stream.net>", "Send 0.1 ETH, get 0.2 ETH back - live giveaway",
        html='<p><a href="https://tinyurl.com/ethlive2x">Join</a></p>'),
    "subject-only airdrop, Turkish": lambda: mail(
        "Topluluk <destek@airdrop-odul.com.tr>", "500 USDT airdrop ödülünüzü talep edin",
        text="https://bit.ly/usdt-odul\n"),
    "extortion picture, Spanish subject": lambda: mail(
        "Anon <anon7712@mail-anon.net>", "Tengo tus videos. Paga 900 USD en bitcoin o los publico",
        html='<div><img src="cid:banner"></div>', images=[("banner", _photo())]),
    "balance in the subject, picture body": lambda: mail(
        "Account <statement@acc-balance.info>", "Balance update: 1.0432 BTC available for payout",
        html=IMG.format(href="https://rb.gy/payout1"), images=[("banner", _photo())]),
    "seed phrase via a notion page, display-name brand": lambda: mail(
        "Ledger Live <team@ledger-notice.support>", "Firmware check",
        html="<p>A firmware check found a problem with your device. Re-enter your 24-word recovery phrase to "
             "restore access.</p>" + button("https://ledgerfix.notion.site/restore", "Restore")),
    "reply-to free mail, recovery service": lambda: mail(
        "Crypto Recovery Desk <desk@recoverfunds-desk.com>", "We located your lost funds",
        text="Our team traced 3.8 BTC lost in your scam case. To release the funds, pay the 0.05 BTC "
             "release fee and reply with your wallet address.\n",
        headers=[("Reply-To", "recovery.agent.2026@outlook.com")]),
    "telegraph page, Polish": lambda: mail(
        "Giełda <powiadomienia@gielda-krypto.pl>", "Środki do wypłaty",
        html="<p>Na Twoim koncie jest 0,62 BTC do wypłaty. Potwierdź wypłatę w ciągu 24 godzin.</p>"
             + button("https://telegra.ph/wyplata-12-01", "Wypłać")),
    "typeform claim, German": lambda: mail(
        "Arbitrum Stiftung <info@arb-stiftung.de>", "Ihre ARB-Belohnung",
        html="<p>Sie sind berechtigt, 830 ARB zu erhalten. Bestätigen Sie Ihre Wallet, um die Belohnung zu "
             "erhalten.</p>" + button("https://form.typeform.com/to/aB3xYz", "Bestätigen")),
    "NFT mint, Italian, free host": lambda: mail(
        "Pudgy Penguins <mint@pudgy-mint.it>", "Mint gratuito",
        html="<p>Sei nella whitelist per il mint gratuito. Paghi solo il gas. Collega il tuo wallet entro stasera.</p>"
             + button("https://pudgy-mint.glitch.me/", "Collega wallet")),
    "wallet drain warning with revoke link, short": lambda: mail(
        "Revoke Alert <alert@approval-guard.app>", "Risky approval detected",
        text="A risky approval on your USDC was detected. Revoke it now: https://approval-guard.pages.dev\n"),
    "exchange KYC from a freemail sender, display name brand": lambda: mail(
        "OKX Compliance <okx.compliance.team@gmail.com>", "KYC update required",
        text="Dear user, complete your KYC update within 48 hours or withdrawals will be disabled.\n"
             "https://forms.gle/okxKyc2026\n"),
    "point conversion to tokens, HTML only": lambda: mail(
        "Linea <surge@linea-xp.com>", "LXP conversion",
        html="<p>Your LXP have been converted. 6,140 LINEA are claimable until Friday.</p>"
             + button("https://linea-lxp.vercel.app", "Claim LINEA")),
    "fake balance, Indonesian": lambda: mail(
        "Dompet Kripto <info@dompet-saldo.id>", "Saldo Anda",
        html="<p>Saldo 0,45 BTC telah dikreditkan ke akun Anda. Tarik dana Anda sekarang sebelum kedaluwarsa.</p>"
             + button("https://s.id/tarik-btc", "Tarik")),
}

BATCH2_BENIGN: dict[str, Callable[[], bytes]] = {
    "equity plan vesting notice": lambda: mail(
        "Equity Plans <noreply@equity-portal.example>", "Your RSUs have vested",
        html="<p>2,500 RSUs vested on 1 December. View your allocation in the portal.</p>"
             + button("https://equity-portal.example/holdings", "View")),
    "fintech market note from its Microsoft 365 tenant": lambda: mail(
        "Nordic Digital Assets <research@nordicdigital.onmicrosoft.com>", "Weekly market note",
        text="Bitcoin closed the week at 98,000 USD, ether at 3,600. Stablecoin supply grew 2 %. "
             "Our full note is attached to the portal as usual.\n\nNordic Digital Assets Research\n"),
    "Firebase app's password reset": lambda: mail(
        "Habit Tracker <noreply@habit-tracker-91.firebaseapp.com>", "Reset your password",
        text="Follow this link to reset your Habit Tracker password: "
             "https://habit-tracker-91.firebaseapp.com/__/auth/action?mode=resetPassword&oobCode=x\n"),
    "conference call for papers on a Google Form": lambda: mail(
        "ETH Research Workshop <chairs@ethworkshop.example>", "Call for papers",
        html="<p>The workshop on Ethereum scalability invites submissions. Deadline 15 January.</p>"
             + button("https://docs.google.com/forms/d/e/1FAIpQL/viewform", "Submit abstract"), headers=LIST),
    "tax advisor's reminder about staking income": lambda: mail(
        "Steuerkanzlei Roth <info@kanzlei-roth.de>", "Staking-Erträge 2026",
        text="Guten Tag,\n\nbitte senden Sie uns bis zum 31. Januar die Übersicht Ihrer Staking-Erträge und die "
             "Transaktionsliste Ihrer Wallet. Ohne diese Angaben können wir die Erklärung nicht abgeben.\n\n"
             "Mit freundlichen Grüßen\nKanzlei Roth\n"),
    "warehouse stock allocation": lambda: mail(
        "Logistics <ops@warehouse.example>", "Stock allocation",
        text="1,200 SKU units allocated to the Hamburg store. 40 PAL claimable from the carrier after damage "
             "inspection. View allocation: https://wms.warehouse.example/alloc/881\n"),
    "exchange's own airdrop notice, signed": lambda: mail(
        "Binance <do-not-reply@binance.com>", "Launchpool: new project",
        html="<p>Stake BNB to farm the new token from 5 December. Rewards are distributed to your account "
             "automatically; no action is needed.</p>" + button("https://www.binance.com/en/launchpool", "Details"),
        sign=b"binance.com"),
    "newsletter about token unlocks": lambda: mail(
        "Unlocks Weekly <hi@unlocks.example>", "This week's token unlocks",
        html="<p>12,000,000 ARB unlocked on Monday; 3,400,000 OP are scheduled for Friday. Our take on what "
             "it means for prices.</p>" + button("https://unlocks.example/w49", "Read"), headers=LIST),
    "colleague shares a Notion page": lambda: mail(
        "Mia <mia@startup.example>", "Roadmap",
        text="Here is the roadmap draft: https://startup.notion.site/roadmap-2027\n"),
    "payroll claim with uppercase codes": lambda: mail(
        "HR <hr@company.example>", "Expense claims",
        text="20 PTO days allocated for 2027. 3 CME credits are claimable; submit via the HR portal.\n"),
}

#: Batch 2 lures missed when it was measured (after the first round of fixes): 13/20 on main, 15/20 on this
#: branch; the second round fixed five of the seven misses (numbers in the report of issue 11), the third
#: (test_airdrop_blind.py) the last: the points-to-cashtag conversion is bait.
BATCH2_LIMITS: dict[str, str] = {}


LURES = BATCH1_LURES | BATCH2_LURES
BENIGN = BATCH1_BENIGN | BATCH2_BENIGN


@pytest.mark.parametrize("name", _cases(LURES, BATCH1_LIMITS | BATCH2_LIMITS))
def test_lure_is_flagged(name: str) -> None:
    flagged, why = _flagged(LURES[name]())
    assert flagged, why


@pytest.mark.parametrize("name", list(BENIGN))
def test_look_alike_is_clean(name: str) -> None:
    flagged, why = _flagged(BENIGN[name]())
    assert not flagged, why


def test_batches_do_not_share_names() -> None:
    assert len(LURES) == len(BATCH1_LURES) + len(BATCH2_LURES) == 40
    assert len(BENIGN) == len(BATCH1_BENIGN) + len(BATCH2_BENIGN) == 20
