"""Airdrop/token-giveaway, bitcoin-balance extortion and brand lures in forms batches K-M do not cover, blind batch N
(issue 11).

Written blind, before this round's change, from how 2024-2026 campaigns phrase the techniques the held-back half
still misses most, not from the corpus: NFT mint / allowlist spots, presale and IDO allocations, staking rewards
ready to withdraw, token migration to a V2 contract, retroactive drops and points programs, "eligible wallet"
snapshots, gas-fee refunds, ESP-sent claims without the word crypto, German/Spanish/French/Portuguese, button-only
HTML and shortener links; extortion with the address split over lines, ``<br>``, spaces, zero-width characters or
table cells, Litecoin, Monero and USDT-TRC20 addresses, fake platforms' "balance awaits withdrawal" and German
"Bitcoin System" get-rich pages; brands named only in the body, weak brand names with balance bait, glued brand
domains.  Every mail is built here, harmless (BIP-173 and well-known example addresses), none copied from a sample.

The benign look-alikes are what a holder also receives: an exchange's own signed notices, newsletters, a price
alert, a tax statement, a conference invitation, a staking-reward receipt from the exchange itself.

Measured once on main (6e170ec) before any change, with ``_flagged`` (tests/analyzers/test_recall_variants.py):
airdrop 15/21 flagged, extortion 14/14 (the address itself found in 5 of the 9 mails carrying one: not the 14-char
``<br>`` groups, not Monero), brand 8/8, look-alikes 8/9 clean (a colleague's note on validator earnings flagged);
four brand newsletters first sent from ``.example`` domains were a test mistake (a brand writes from its own domain,
signed), corrected before any change.  After this round (addresses: groups up to 21 characters, Monero; lures.txt:
the free mint as the call, gas only, whitelist/mint words in fr/es/pt/de, the German forced migration;
crypto_theme: a ticker before "allocation", the linkless note whose calls are nouns): airdrop 18/21, extortion 14/14
(addresses found in 8 of 9), brand 8/8, look-alikes 9/9; with the airdrop projects in brands.toml, airdrop 20/21.
AIRDROP_2, written after the first change and before the
second (the TON wallet and coins "ready to withdraw"): 9/10 -> 10/10.  NOT_CAUGHT says why the one is missed.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from analyzers.test_airdrop_blind import PIC, pic_button
from analyzers.test_blind_batch_k import BECH32, P2PKH, _expected
from analyzers.test_phish_variants import LIST, button, mail
from analyzers.test_recall_variants import _flagged

BECH32_B = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
LTC = "LbTjMGN7gELw4KbeyQf6cTCq859hD18guE"
XMR = ("4AdUndXHHZ6cfufTMvppY6JwXNouMBzSkbLYfpAV5Usx3skxNgYeYTRj5UzqtReoS44qo9mtmXCqY45DJ852K5Jv2684Rge")
TRON = "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL"
ZW = "\u200b"  # zero-width space

AIRDROP: dict[str, Callable[[], bytes]] = {
    # -- NFT mint / allowlist
    "NFT allowlist spot, free mint, HTML": lambda: mail(
        "Azuki Elementals <mint@azuki-garden.xyz>", "Your allowlist spot is confirmed",
        html="<p>Congratulations, your wallet secured an allowlist spot for the Elementals free mint. Only 48 hours "
             "remain to mint before unclaimed spots are released to the public.</p>"
             + button("https://azuki-mint.pages.dev/", "Mint now")),
    "NFT whitelist, mint pass, gas only": lambda: mail(
        "Pudgy World <wl@pudgy-world-mint.com>", "Whitelist confirmed",
        text="You are on the whitelist. Mint your free Pudgy World pass today; you only pay gas. "
             "Mint here: https://pudgy-pass.web.app/\n"),
    # -- presale / IDO allocation
    "IDO allocation reserved, unknown ticker": lambda: mail(
        "Fjord Launchpad <ido@fjord-launch.io>", "Your IDO allocation is reserved",
        html="<p>Your guaranteed IDO allocation of 2,500 USDT in the KRYO sale is reserved. Confirm your wallet "
             "within 24 hours or the allocation passes to the waitlist.</p>"
             + button("https://kryo-ido.vercel.app/", "Confirm allocation")),
    "presale bonus tokens, plain": lambda: mail(
        "Pepe Unchained <presale@pepeu-presale.com>", "Presale bonus unlocked",
        text="Your presale bonus of 40,000 PEPU is unlocked. Claim your presale tokens before the listing: "
             "https://pepeu-claim.pages.dev/\n"),
    # -- staking / yield reward ready
    "staking reward ready to withdraw": lambda: mail(
        "Staking Desk <rewards@eth-staking-desk.com>", "Your staking rewards are ready",
        html="<p>Your staking rewards of 1.84 ETH are ready for withdrawal. Rewards not withdrawn within 72 hours "
             "are restaked.</p>" + button("https://stake-withdraw.netlify.app/", "Withdraw rewards")),
    "yield vault earned, connect to collect": lambda: mail(
        "Yield Vault <vault@yieldvault-finance.io>", "Your vault earned 412 USDC",
        text="Your yield vault earned 412 USDC this epoch. Connect your wallet to collect your yield: "
             "https://yv-collect.web.app/\n"),
    # -- token migration / swap to V2
    "token migration to V2 contract": lambda: mail(
        "Arbitrum Foundation <migration@arb-v2-upgrade.org>", "Action required: migrate to ARB V2",
        html="<p>The ARB token is moving to a new V2 contract. Holders must migrate their tokens before 31 January; "
             "old tokens will no longer be transferable after that date.</p>"
             + button("https://arb-v2.pages.dev/", "Migrate tokens")),
    "swap to the new contract, short": lambda: mail(
        "Team <team@token-v2swap.io>", "V2 swap is live",
        text="The V2 swap is live. Swap your old tokens to V2 before the deadline: https://bit.ly/v2-swap-live\n"),
    # -- retroactive / points / season claim
    "retroactive drop, tier, button only": lambda: mail(
        "Hyperlane <retro@hyperlane-retro.xyz>", "Retro",
        html=button("https://hyper-retro.pages.dev/", "Claim your retroactive HYPER")),
    "points program converted, season 3": lambda: mail(
        "Ethena <points@ethena-sats.io>", "Season 3 sats converted",
        html="<p>Season 3 has ended. Your 52,000 sats have been converted to 2,080 ENA.</p>"
             "<p>Claim before the season 3 window closes.</p>" + button("https://ena-s3.pages.dev/", "Claim ENA")),
    # -- eligible wallet snapshot
    "eligible wallet snapshot, plain": lambda: mail(
        "Snapshot Team <snapshot@layer-snapshot.org>", "Your wallet is eligible",
        text="Our snapshot shows your wallet is eligible for the community distribution. Verify your wallet to "
             "receive your share: https://layer-dist.web.app/\n"),
    # -- gas-fee refund
    "gas fee refund, ETH": lambda: mail(
        "Refund Desk <refunds@gas-refund-center.com>", "Gas fee refund approved",
        html="<p>Your gas fee refund of 0.42 ETH for failed transactions has been approved. Connect your wallet "
             "to receive the refund within 48 hours.</p>" + button("https://gas-refund.pages.dev/", "Get refund")),
    # -- ESP-sent marketing without the word crypto
    "ESP-sent rewards claim, no crypto word": lambda: mail(
        "Linea <hello@linea-surge.io>", "Your LXP rewards are claimable",
        html="<p>Your LXP rewards are claimable now. Claim them before 15 January.</p>"
             + button("https://linea-lxp.pages.dev/", "Claim rewards"), headers=LIST),
    "shortener link, token giveaway": lambda: mail(
        "Giveaway <giveaway@sol-giveaway.fun>", "You received 25 SOL",
        text="You received 25 SOL in our anniversary giveaway. Collect them within 24h: https://tinyurl.com/sol25x\n"),
    "picture button, mint allowlist": lambda: mail(
        "Mint <mint@bayc-otherside.xyz>", "Otherside",
        html=pic_button("https://otherside-mint.web.app/", "Mint your free Otherdeed now"), images=PIC),
    # -- other languages
    "de: Staking-Belohnung auszahlen": lambda: mail(
        "Staking Team <team@staking-belohnung.de>", "Ihre Staking-Belohnung",
        html="<p>Ihre Staking-Belohnung von 0,92 ETH steht zur Auszahlung bereit. Verbinden Sie Ihre Wallet "
             "innerhalb von 48 Stunden.</p>" + button("https://stake-de.pages.dev/", "Jetzt auszahlen")),
    "de: Token-Migration auf V2": lambda: mail(
        "Migration <migration@token-umzug.de>", "Token-Migration erforderlich",
        text="Ihre Token müssen bis zum 20. Januar auf den neuen V2-Vertrag migriert werden, sonst verfallen sie. "
             "Jetzt migrieren: https://v2-migration.web.app/\n"),
    "es: reembolso de gas": lambda: mail(
        "Soporte <soporte@reembolso-gas.es>", "Reembolso aprobado",
        html="<p>Tu reembolso de 0,35 ETH en comisiones de gas fue aprobado. Conecta tu billetera en las próximas "
             "48 horas para recibirlo.</p>" + button("https://reembolso-gas.pages.dev/", "Recibir")),
    "fr: place sur la liste blanche, mint": lambda: mail(
        "Équipe NFT <equipe@mint-liste.fr>", "Votre place sur la liste blanche",
        html="<p>Votre portefeuille a obtenu une place sur la liste blanche. Mintez votre NFT gratuit avant "
             "dimanche.</p>" + button("https://mint-fr.pages.dev/", "Minter")),
    "pt: recompensas de staking, resgate": lambda: mail(
        "Equipe <equipe@staking-recompensa.com.br>", "Suas recompensas estão prontas",
        text="Suas recompensas de staking de 1.200 USDT estão prontas. Conecte sua carteira e resgate em 48 horas: "
             "https://resgate-br.web.app/\n"),
    "es: preventa, asignación garantizada": lambda: mail(
        "Launchpad <hola@preventa-token.es>", "Tu asignación en la preventa",
        html="<p>Tienes una asignación garantizada de 5.000 NOVA en la preventa. Confirma tu billetera antes del "
             "viernes.</p>" + button("https://preventa.pages.dev/", "Confirmar")),
}

#: Written after the first change of this round (its lures.txt and crypto_theme commits), before the second: more
#: airdrop forms (exploit compensation, vesting unlocks, Telegram mini-apps, Italian, Dutch, Turkish, a cashtag claim
#: without an amount, the wallet that "qualifies").
AIRDROP_2: dict[str, Callable[[], bytes]] = {
    "exploit compensation for affected wallets": lambda: mail(
        "Radiant Capital <recovery@radiant-compensation.org>", "Compensation for affected users",
        html="<p>Your wallet was affected by the recent exploit. The DAO approved a compensation of 2,310 USDC for "
             "your address. Submit your claim within 7 days.</p>" + button("https://rdnt-comp.pages.dev/", "Claim")),
    "vesting unlock ready": lambda: mail(
        "Vesting <unlock@token-vesting-portal.io>", "Your tokens have unlocked",
        text="Your vested tokens have unlocked: 14,000 ALT are now available. Connect your wallet to release them "
             "before the cliff window closes: https://alt-vesting.web.app/\n"),
    "Telegram mini-app drop": lambda: mail(
        "Hamster Team <team@hamster-drop.app>", "Your coins are ready",
        text="Your mining coins are ready to withdraw to your TON wallet. Open the mini-app and withdraw within 24 "
             "hours: https://t.me/hamster_claim_bot\n"),
    "cashtag claim, no amount": lambda: mail(
        "Jupiter <hello@jup-claims.io>", "Claim $JUP",
        html="<p>Round 2 is open. Claim your $JUP before Friday.</p>" + button("https://jup-r2.pages.dev/", "Claim")),
    "wallet qualifies, plain": lambda: mail(
        "Rewards <rewards@onchain-rewards.net>", "Your wallet qualifies",
        text="Good news: your wallet qualifies for the holder reward. Sign in with your wallet to receive it: "
             "https://holder-reward.vercel.app/\n"),
    "it: airdrop, riscatta": lambda: mail(
        "Team Italia <team@drop-italia.it>", "Il tuo airdrop è pronto",
        html="<p>Il tuo portafoglio ha diritto a 1.500 ARB. Collega il portafoglio e riscatta i token entro 48 "
             "ore.</p>" + button("https://arb-it.pages.dev/", "Riscatta")),
    "nl: claim je tokens": lambda: mail(
        "Team <team@token-claim.nl>", "Je tokens staan klaar",
        text="Je wallet komt in aanmerking voor 900 OP. Verbind je wallet en claim je tokens binnen 48 uur: "
             "https://op-nl.web.app/\n"),
    "tr: ödül, cüzdan bağla": lambda: mail(
        "Ekip <ekip@odul-token.com.tr>", "Ödülünüz hazır",
        html="<p>Cüzdanınız 2.000 SUI ödül almaya hak kazandı. 24 saat içinde cüzdanınızı bağlayın ve ödülünüzü "
             "alın.</p>" + button("https://sui-tr.pages.dev/", "Ödülü al")),
    "staking pool closing, move funds": lambda: mail(
        "Pool Ops <ops@eth-pool-v2.com>", "Pool closing",
        html="<p>The staking pool you joined is closing. Withdraw your stake and rewards before 12 January, after "
             "which unclaimed rewards are forfeited.</p>" + button("https://pool-exit.pages.dev/", "Withdraw")),
    "pt: reembolso de gás": lambda: mail(
        "Suporte <suporte@reembolso-gas.com.br>", "Reembolso de taxas",
        text="Seu reembolso de 0,21 ETH em taxas de gás foi aprovado. Conecte sua carteira em 48 horas para "
             "recebê-lo: https://gas-br.web.app/\n"),
}

EXTORTION: dict[str, Callable[[], bytes]] = {
    "address in 14-char groups by <br>": lambda: mail(
        "Hacker <h@hidden-sender.example>", "Your device is under my control",
        html="<p>I hacked your device and recorded you through the camera while you watched adult videos.</p>"
             f"<p>Send 1,200 USD in bitcoin to:<br>{BECH32[:14]}<br>{BECH32[14:28]}<br>{BECH32[28:]}</p>"
             "<p>You have 48 hours.</p>"),
    "14-char groups by <br>, no coin word": lambda: mail(
        "Unknown <u@hidden-sender.example>", "Important",
        html="<p>I know your secret. I filmed you and I have your contact list.</p><p>Pay $1,200 to the wallet "
             f"below within 48 hours:</p><p>{BECH32_B[:14]}<br>{BECH32_B[14:28]}<br>{BECH32_B[28:]}</p>"),
    "Monero address over two lines, no coin name": lambda: mail(
        "x <x@hidden-sender.example>", "Your reputation",
        text="I filmed you through your laptop camera. Transfer the equivalent of 900 EUR to this wallet:\n"
             f"{XMR[:48]}\n{XMR[48:]}\nYou have 3 days before your colleagues get the video.\n"),
    "address split by spaces in groups of 4": lambda: mail(
        "Anonymous <a@hidden-sender.example>", "Read this",
        text="I have recorded you with your own webcam. Pay 1000 USD in BTC to this address (remove the spaces): "
             + " ".join(P2PKH[i:i + 4] for i in range(0, len(P2PKH), 4)) + "\nYou have 2 days.\n"),
    "address with zero-width characters": lambda: mail(
        "x <x@hidden-sender.example>", "Your secret",
        html="<p>I hacked your phone and filmed you. Transfer $1,300 in bitcoin to "
             + ZW.join(BECH32_B) + " within 48 hours or the video goes to your contacts.</p>"),
    "address in table cells": lambda: mail(
        "Hacker <hk@hidden-sender.example>", "Final notice",
        html="<p>I recorded you through your camera. Pay 900 USD in BTC within 2 days.</p><table><tr>"
             + "".join(f"<td>{BECH32[i:i + 7]}</td>" for i in range(0, len(BECH32), 7)) + "</tr></table>"),
    "Litecoin address": lambda: mail(
        "Hacker <h@hidden-sender.example>", "Your device was hacked",
        text="I hacked your device and recorded a video of you. Send 15 LTC to this Litecoin address: "
             f"{LTC}\nYou have 48 hours or everyone sees the video.\n"),
    "Monero address": lambda: mail(
        "Anon <anon@hidden-sender.example>", "Privacy",
        text="I have access to your computer and a recording of you from your webcam. Send 8 XMR to "
             f"{XMR}\nwithin 3 days, otherwise I send it to your family.\n"),
    "USDT TRC20 address": lambda: mail(
        "Hacker <h@hidden-sender.example>", "Last warning",
        text="Your phone was hacked and I have your photos and a video of you. Pay 1500 USDT (TRC20) to "
             f"{TRON} within 48 hours, or I publish everything.\n"),
    "fake platform: balance awaits withdrawal": lambda: mail(
        "CryptoBoss <support@cryptoboss-trade.com>", "Your account balance: 0.8741 BTC",
        html="<p>Dear client, your account balance of 0.8741 BTC is awaiting withdrawal. To withdraw, activate "
             "your account and pay the verification fee.</p>" + button("https://cryptoboss-trade.com/login",
                                                                        "Withdraw now")),
    "fake platform: funds frozen, pay tax to release": lambda: mail(
        "BitMining Pro <accounts@bitmining-pro.net>", "Withdrawal pending",
        text="Your withdrawal of 1.25 BTC ($52,300) is pending. Pay the 3% withdrawal tax to release your funds "
             "within 24 hours: https://bitmining-pro.net/withdraw\n"),
    "de: Bitcoin System, passives Einkommen": lambda: mail(
        "Bitcoin System <info@btc-system-de.com>", "So verdienen Deutsche 3.000 € am Tag",
        html="<p>Mit dem Bitcoin System verdienen Sie bis zu 3.000 € täglich mit Bitcoin, vollautomatisch durch "
             "unseren Trading-Roboter. Nur noch 12 Plätze frei! Starten Sie mit 250 €.</p>"
             + button("https://btc-system-de.com/start", "Jetzt registrieren")),
    "de: Guthaben wartet auf Auszahlung": lambda: mail(
        "Krypto Konto <konto@krypto-konto24.de>", "Ihr Guthaben: 0,6512 BTC",
        text="Ihr Kontoguthaben von 0,6512 BTC wartet auf Auszahlung. Bestätigen Sie Ihr Konto innerhalb von 24 "
             "Stunden, um die Auszahlung freizuschalten: https://krypto-konto24.de/auszahlung\n"),
    "investment bot, English": lambda: mail(
        "Quantum AI <news@quantum-ai-trade.net>", "Turn $250 into $5,000 this week",
        text="Our AI trading bot made members $5,000 in a week trading Bitcoin automatically. No experience "
             "needed, deposit $250 and let the bot trade for you. Only 7 spots left: "
             "https://quantum-ai-trade.net/join\n"),
}

BRAND: dict[str, Callable[[], bytes]] = {
    "brand only in the body, sender generic": lambda: mail(
        "Support Team <support@wallet-helpdesk.net>", "Security alert",
        html="<p>Your MetaMask wallet has been flagged for suspicious activity. Verify your wallet within 24 hours "
             "to avoid suspension.</p>" + button("https://mm-verify.pages.dev/", "Verify wallet")),
    "exchange in the body, balance bait": lambda: mail(
        "Account Service <service@acct-notice.com>", "Pending deposit",
        text="A deposit of 0.51 BTC is pending on your Binance account. Confirm it within 12 hours or it is "
             "returned: https://bnb-confirm.web.app/\n"),
    "weak brand name, balance to withdraw": lambda: mail(
        "Exodus <noreply@exodus-balance.com>", "Your balance is ready",
        html="<p>Your Exodus balance of 2,450 USDT is ready to withdraw. Confirm your wallet to complete the "
             "withdrawal.</p>" + button("https://exodus-withdraw.pages.dev/", "Withdraw")),
    "glued brand domain, ledger": lambda: mail(
        "Ledger <security@ledgerlivesupport.com>", "Firmware update required",
        html="<p>A critical firmware update is required for your Ledger device. Update now to keep your funds "
             "safe.</p>" + button("https://ledgerlivesupport.com/update", "Update")),
    "glued brand domain, coinbase": lambda: mail(
        "Coinbase <alerts@coinbasesecure-login.com>", "Unusual sign-in",
        text="We detected an unusual sign-in to your account. If this was not you, secure your account now: "
             "https://coinbasesecure-login.com/secure\n"),
    "glued brand domain, trezor, seed": lambda: mail(
        "Trezor <no-reply@trezorwalletsync.com>", "Wallet sync failed",
        html="<p>Your Trezor wallet failed to sync. Restore access by confirming your recovery seed.</p>"
             + button("https://trezorwalletsync.com/restore", "Restore")),
    "brand in body, kraken, verify": lambda: mail(
        "Verification <verify@account-review.net>", "Account review",
        text="Your Kraken account is under review. Complete verification within 48 hours to keep withdrawals "
             "enabled: https://kraken-review.pages.dev/\n"),
    "weak brand, phantom, airdrop": lambda: mail(
        "Phantom <team@phantom-rewards.app>", "Rewards",
        html="<p>Phantom users received 120 SOL in rewards. Connect to claim.</p>"
             + button("https://phantom-rw.web.app/", "Claim")),
}

BENIGN: dict[str, Callable[[], bytes]] = {
    "exchange staking receipt, signed": lambda: mail(
        "Coinbase <no-reply@coinbase.com>", "You earned staking rewards",
        html="<p>You earned 0.0021 ETH in staking rewards this week. Rewards are added to your balance "
             "automatically.</p>" + button("https://www.coinbase.com/earn", "View rewards"),
        sign=b"coinbase.com", headers=LIST),
    "price alert mail": lambda: mail(
        "CoinGecko <alerts@coingecko.com>", "BTC is up 5.2%",
        text="Price alert: Bitcoin (BTC) rose 5.2% to $71,240 in the last 24 hours. Manage your alerts in the "
             "app settings.\n", sign=b"coingecko.com", headers=LIST),
    "tax statement, English": lambda: mail(
        "Koinly <hello@koinly.io>", "Your 2026 crypto tax report is ready",
        html="<p>Your 2026 capital gains report is ready. It lists your airdrops, staking income and disposals "
             "for your tax return.</p>" + button("https://app.koinly.io/reports", "Download report"),
        sign=b"koinly.io", headers=LIST),
    "conference invitation": lambda: mail(
        "ETHDenver <team@ethdenver.example>", "Join us at ETHDenver",
        html="<p>Join 15,000 builders in Denver. Talks on restaking, points programs and token launches. "
             "Early-bird tickets end Friday.</p>" + button("https://ethdenver.example/tickets", "Get tickets"),
        headers=LIST),
    "DeFi newsletter on migrations": lambda: mail(
        "The Defiant <newsletter@thedefiant.example>", "Token migrations explained",
        html="<p>Several projects migrated to V2 contracts this month. We explain how legitimate migrations work "
             "and why you should only use the project's official site.</p>"
             + button("https://thedefiant.example/migrations", "Read"), headers=LIST),
    "exchange withdrawal confirmation, signed": lambda: mail(
        "Kraken <noreply@kraken.com>", "Withdrawal confirmed",
        text="Your withdrawal of 0.05 BTC to bc1q...f3t4 was confirmed. If you did not request it, contact "
             "support.\n", sign=b"kraken.com"),
    "German exchange newsletter": lambda: mail(
        "Bitpanda <newsletter@bitpanda.com>", "Neu: Staking für SOL",
        html="<p>Ab sofort können Sie SOL direkt in Ihrer App staken. Die Belohnungen werden wöchentlich "
             "gutgeschrieben.</p>" + button("https://www.bitpanda.com/de/staking", "Mehr erfahren"),
        sign=b"bitpanda.com", headers=LIST),
    "NFT marketplace newsletter": lambda: mail(
        "OpenSea <newsletter@opensea.io>", "This week's drops",
        html="<p>This week: three new collections minting on Base and a recap of the allowlist trends.</p>"
             + button("https://opensea.io/drops", "Browse drops"), sign=b"opensea.io",
        headers=LIST),
    "colleague on the staking report": lambda: mail(
        "Tom <tom@fund-corp.example>", "staking numbers",
        text="Hi, the validator earned 1.84 ETH last quarter; I put the figures in the board deck. Can you check "
             "the withdrawal schedule before Thursday?\nTom\n"),
}


#: Lures still missed (strict xfail), with their cause.  ("retroactive drop, tier, button only" and "ESP-sent rewards
#: claim, no crypto word" have no topic word; they are caught since the airdrop projects claim lures sign as are in
#: brands.toml: the From name is Hyperlane's, Linea's, on a domain of the name plus a word.)
NOT_CAUGHT: dict[str, str] = {
    "picture button, mint allowlist": "the whole lure is a picture's five-word alt text, 'Mint your free Otherdeed "
                                      "now': the free mint named (2) is below the body's threshold alone",
}
#: Look-alikes still flagged (strict xfail).
NOT_CLEAN: dict[str, str] = {}

LURES = AIRDROP | AIRDROP_2 | EXTORTION | BRAND


@pytest.mark.parametrize(("name", "lure"), _expected(LURES, True, NOT_CAUGHT) + _expected(BENIGN, False, NOT_CLEAN))
def test_lures_flagged_and_look_alikes_clean(name: str, lure: bool) -> None:
    flagged, why = _flagged((LURES if lure else BENIGN)[name]())
    assert flagged is lure, why


def test_batch_sizes() -> None:
    assert len(AIRDROP) >= 20 and len(EXTORTION) >= 12 and len(BRAND) >= 8 and len(BENIGN) >= 8
    assert len(LURES) == len(AIRDROP) + len(AIRDROP_2) + len(EXTORTION) + len(BRAND)  # no name shared
