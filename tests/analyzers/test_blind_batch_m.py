"""Airdrop/claim/points lures and extortion without the word "bitcoin", blind batch M (issue 11).

Written blind, before this round's change, from how 2024-2026 campaigns phrase the two techniques the held-back
half still misses most (airdrop / token giveaway, bitcoin-balance extortion), not from the corpus: points seasons,
season-2 snapshots, eligibility and allocations under made-up projects and tickers on several chains (Base, TON,
Sui, Solana, Bitcoin Runes), HTML-only bodies whose words sit in buttons, very short bodies, German, Spanish,
Korean, Japanese, Portuguese and French; extortion with a bech32, taproot or legacy address, amounts in USD and
EUR, deadlines written as "by tomorrow evening" or "the timer started when you opened this", no word "bitcoin"
beside the address, the address in an image's alt text or broken over two lines.  Every mail is built here,
harmless (BIP-173/BIP-350 example addresses), none copied from a sample.

The benign look-alikes are what a holder also receives: airdrop newsletters with List-Unsubscribe, an exchange's
own signed announcement, a security-awareness mail quoting a sextortion mail with its address, a colleague
planning a token launch, tax notices mentioning crypto-assets, a signed payment-processor invoice with an
address and a 15-minute window.

Measured once on main (1214aa5) before any change, with ``_flagged`` (tests/analyzers/test_recall_variants.py):
lures 21/32 flagged (airdrop 10/20, extortion 11/12), look-alikes 14/15 clean.  After this round's changes
(crypto_theme: amounts of tickers known to no list, the discussion that asks nothing; extortion_common: the wallet
to pay into; lures.txt: the claim's deadline by day or countdown, the claim call by pronoun or before the amount):
lures 30/32 (airdrop 18/20, extortion 12/12), look-alikes 15/15; then the sign-to-claim call (lures._REPORTED: a verb
after "to" is a purpose): 31/32.  NOT_CAUGHT says why the one is still missed.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from analyzers.test_airdrop_blind import PIC, pic_button
from analyzers.test_blind_batch_k import BECH32, P2PKH, P2SH, _expected
from analyzers.test_phish_variants import LIST, button, mail
from analyzers.test_recall_variants import _flagged

TAPROOT = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"  # BIP-350's example
BECH32_B = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"

AIRDROP: dict[str, Callable[[], bytes]] = {
    # -- English, made-up projects and tickers
    "points season 2 converted, unknown ticker, HTML": lambda: mail(
        "Quasar Protocol <season@quasar-points.xyz>", "Season 2 points are final",
        html="<p>Season 2 has closed. Your 18,240 points convert to 3,648 QSR at TGE.</p>"
             "<p>The claim window is open for 72 hours only.</p>" + button("https://qsr-s2.pages.dev/", "Claim QSR")),
    "button text only, cashtag": lambda: mail(
        "Vertex <drops@vertex-season.io>", "You're eligible",
        html="<p>You're eligible.</p>" + button("https://vrtx-drop.web.app/", "Claim 2,400 $VRTX")),
    "Base snapshot, ETH reserved": lambda: mail(
        "Base Summer <summer@base-onchain-summer.org>", "You were in the snapshot",
        html="<p>Your wallet was included in the Onchain Summer snapshot. 0.35 ETH has been reserved for you. "
             "Connect before Sunday to receive it.</p>" + button("https://base-summer.vercel.app/", "Connect")),
    "TON drop, Telegram bot": lambda: mail(
        "Notcoin <team@not-season2.org>", "Season 2 drop",
        text="Your TON wallet earned 120,000 NOT in the season 2 drop. Claim it in our bot before midnight: "
             "https://t.me/not_season2_bot\n"),
    "Solana memecoin, eligibility check, short": lambda: mail(
        "BONKZ <gm@bonkz-drop.fun>", "gm",
        text="42,000,000 $BONKZ dropped to early Solana wallets. Check eligibility: https://bonkz.pages.dev/\n"),
    "Sui allocation, verify to unlock": lambda: mail(
        "DeepBook <allocation@deep-sui.io>", "DEEP allocation locked",
        html="<p>Your Sui address has an allocation of 910 DEEP. Verify your wallet to unlock it within 48 "
             "hours.</p>" + button("https://deep-unlock.netlify.app/", "Verify wallet")),
    "Runes airdrop, sign a message": lambda: mail(
        "Runes Foundation <drop@runes-genesis.org>", "Runes airdrop for taproot holders",
        text="Your taproot address qualifies for 5,000 GENESIS runes. Sign a message with your wallet to claim "
             "them before the block height deadline: https://runes-claim.web.app/\n"),
    "retroactive rewards, long": lambda: mail(
        "Nexa Bridge <community@nexa-bridge-retro.io>", "Retroactive rewards for early bridgers",
        html="<p>Hello early supporter,</p><p>Thank you for bridging with Nexa during our beta. To reward the "
             "users who tested the protocol before launch, the foundation set aside 8% of the NXB supply for a "
             "retroactive distribution.</p><p>Your address bridged 6 times and received a tier 2 allocation of "
             "1,980 NXB.</p><p>Claims close on 20 December; anything not claimed returns to the treasury.</p>"
             + button("https://nexa-retro.pages.dev/", "Claim my NXB") + "<p>The Nexa team</p>"),
    "testnet points to tokens": lambda: mail(
        "Berachain Testnet <points@bera-testnet-rewards.com>", "Your testnet points",
        text="Your testnet activity earned 1,200 points, worth 600 BERA. Connect your wallet to convert them: "
             "https://bera-points.vercel.app/\n"),
    "reward pool share, no airdrop word": lambda: mail(
        "Polyhedra <rewards@zkj-pool.net>", "Your reward pool share",
        html="<p>Your share of the reward pool: 3,410 ZKJ.</p><p>Finalise your claim before the pool closes.</p>"
             + button("https://zkj-pool.pages.dev/", "Finalise claim")),
    "picture button only, alt text": lambda: mail(
        "Eclipse <drops@eclipse-es.xyz>", "ES",
        html=pic_button("https://eclipse-es.web.app/", "Claim your 900 $ES tokens now"), images=PIC),
    "ESP-sent season 2 claim": lambda: mail(
        "Monad Points <news@monad-points.io>", "Season 2 eligibility is live",
        html="<p>Season 2 eligibility is live. Check your allocation and claim before the snapshot deadline.</p>"
             + button("https://monad-s2.pages.dev/", "Check eligibility"), headers=LIST),
    # -- other languages
    "de: Airdrop-Berechtigung, zweite Saison": lambda: mail(
        "ZRC Team <team@zircuit-saison2.de>", "Ihre Airdrop-Berechtigung",
        html="<p>Ihre Wallet ist für den Airdrop der zweiten Saison berechtigt. 2.100 ZRC warten auf Sie. "
             "Verbinden Sie jetzt Ihre Wallet, bevor die Frist endet.</p>"
             + button("https://zrc-saison2.pages.dev/", "Jetzt beanspruchen")),
    "de: kurz, nur ein Knopf": lambda: mail(
        "Belohnungen <team@strk-belohnung.de>", "Ihre Belohnung ist da",
        html="<p>Ihre Belohnung ist da.</p>" + button("https://strk-belohnung.web.app/", "500 STRK abholen")),
    "es: puntos canjeables, 48 horas": lambda: mail(
        "Equipo Kinto <equipo@kinto-puntos.es>", "Tus puntos de la temporada 2",
        text="Tus puntos de la temporada 2 ya se pueden canjear por 640 KNT. Conecta tu billetera y reclama tus "
             "tokens en las próximas 48 horas: https://kinto-t2.pages.dev/\n"),
    "es: solo botón, asignación": lambda: mail(
        "Solana Latam <hola@sol-latam-drop.com>", "Asignación disponible",
        html=button("https://sol-latam.web.app/", "Reclamar 15 SOL")),
    "ko: 에어드랍 당첨, 24시간": lambda: mail(
        "노바 재단 <drop@nova-airdrop.kr>", "2시즌 에어드랍 당첨 안내",
        html="<p>축하합니다! 회원님의 지갑이 2시즌 에어드랍 대상으로 선정되었습니다. 3,200 NOVA 토큰을 24시간 안에 "
             "수령하세요.</p>" + button("https://nova-kr.pages.dev/", "지금 수령하기")),
    "ja: シーズン2 配布対象": lambda: mail(
        "ZEN 財団 <info@zen-drop.jp>", "シーズン2 エアドロップのお知らせ",
        html="<p>お客様のウォレットはシーズン2のエアドロップ対象です。48時間以内に 1,500 ZEN を受け取ってください。"
             "</p>" + button("https://zen-drop-jp.web.app/", "ウォレットを接続")),
    "pt: carteira elegível, resgate": lambda: mail(
        "Mantle Brasil <time@mantle-resgate.com.br>", "Sua carteira é elegível",
        html="<p>Sua carteira é elegível para o airdrop da temporada 2. Resgate seus 780 MNT antes que expire.</p>"
             + button("https://mnt-br.pages.dev/", "Resgatar agora")),
    "fr: instantané, réclamez": lambda: mail(
        "Ondo France <equipe@ondo-repartition.fr>", "Votre répartition ONDO",
        text="Votre portefeuille figure dans l'instantané de la saison 2. 1 250 ONDO vous attendent. "
             "Réclamez-les avant vendredi : https://ondo-fr.web.app/\n"),
}

EXTORTION: dict[str, Callable[[], bytes]] = {
    "no word bitcoin, bech32, USD": lambda: mail(
        "Unknown <u@hidden-sender.example>", "I know what you did",
        text="I hacked your device and recorded you through your webcam while you watched adult sites. Send "
             f"$1,500 to this wallet: {BECH32_B}\nYou have 48 hours, or the video goes to all your contacts.\n"),
    "address split across two lines": lambda: mail(
        "Hacker <h@hidden-sender.example>", "Your device was hacked",
        text="Your device was hacked. I have a video of you from your own camera. Pay 1,300 USD in BTC to:\n"
             f"{BECH32[:21]}\n{BECH32[21:]}\n(join the two lines). 2 days, then everyone sees it.\n"),
    "taproot address, EUR": lambda: mail(
        "Anonymous <anon@hidden-sender.example>", "Privacy breach",
        text="I have had access to your computer for months and filmed you. Transfer 1.200 € to "
             f"{TAPROOT} by tomorrow evening or the recording is published.\n"),
    "address only in an image alt, no bitcoin word": lambda: mail(
        "No Reply <nr@hidden-sender.example>", "Last warning",
        html="<p>Your phone was hacked and I recorded you with its camera. Pay $950 to the address in the "
             f'picture within 48 hours.</p><img src="https://img.example/a.png" alt="{P2PKH}">'
             "<p>Otherwise your family and colleagues receive the video.</p>"),
    "timer started when you opened it": lambda: mail(
        "x <x@hidden-sender.example>", "Read carefully",
        text="I installed malware on your device and have all your contacts and a video of you. The timer "
             "started the moment you opened this email. Send the equivalent of 1,100 USD to "
             f"{P2SH} before it runs out. Do not contact the police.\n"),
    "HTML address broken by line breaks": lambda: mail(
        "Hacker <hk@hidden-sender.example>", "Your account was compromised",
        html="<p>I hacked your email account and your device. I recorded you watching porn.</p>"
             f"<p>Wallet: {BECH32[:14]}<br>{BECH32[14:28]}<br>{BECH32[28:]}</p>"
             "<p>Amount: 1 450 EUR. Deadline: 50 hours.</p>"),
    "data leak, browsing history, no sex": lambda: mail(
        "Admin <admin@hidden-sender.example>", "Your data has been leaked",
        text="Your device was hacked and I copied your browsing history, photos and messages. Pay 800 USD to "
             f"{BECH32_B} within 3 days or I publish everything and send it to your employer.\n"),
    "de: Gerät gehackt, bis morgen Abend": lambda: mail(
        "Hacker <h@hidden-sender.example>", "Letzte Warnung",
        text="Ich habe Ihr Gerät gehackt und Sie über die Kamera gefilmt. Überweisen Sie 1.500 Euro an diese "
             f"Adresse: {BECH32_B} bis morgen Abend, sonst erhalten alle Ihre Kontakte das Video.\n"),
    "es: dispositivo hackeado, euros": lambda: mail(
        "Hacker <h@hidden-sender.example>", "Tu dispositivo fue hackeado",
        text="Tu dispositivo fue hackeado y te grabé con la cámara. Transfiere 1.000 € a esta dirección: "
             f"{TAPROOT}. Tienes 2 días; si no, el vídeo llegará a tu familia.\n"),
    "ja: デバイスをハッキング": lambda: mail(
        "ハッカー <h@hidden-sender.example>", "あなたのデバイスはハッキングされました",
        text="あなたのデバイスをハッキングし、カメラであなたを録画しました。48時間以内に 1,500 USD 相当を次のアドレスに"
             f"送金してください: {BECH32_B} 送金がなければ動画をすべての連絡先に送ります。\n"),
    "ko: 기기 해킹, 주소": lambda: mail(
        "해커 <h@hidden-sender.example>", "기기가 해킹되었습니다",
        text="당신의 기기를 해킹해서 카메라로 영상을 찍었습니다. 이틀 안에 1,200달러를 이 주소로 보내세요: "
             f"{P2SH} 보내지 않으면 영상을 가족에게 보냅니다.\n"),
    "pt: seu dispositivo foi hackeado, EUR": lambda: mail(
        "Hacker <h@hidden-sender.example>", "Seu dispositivo foi hackeado",
        text="Seu dispositivo foi hackeado e eu gravei você pela câmera. Envie 900 euros para o endereço "
             f"{BECH32_B} até amanhã à noite, senão o vídeo vai para todos os seus contatos.\n"),
}

BENIGN: dict[str, Callable[[], bytes]] = {
    "airdrop newsletter: points programs to watch": lambda: mail(
        "Airdrop Hunter <weekly@airdrophunter.example>", "Five points programs to watch this season",
        html="<p>Season 2 of several points programs started this week. We compare how each project describes "
             "eligibility and which snapshots are rumoured. None of these teams has announced a claim date.</p>"
             + button("https://airdrophunter.example/issue/31", "Read the issue"), headers=LIST),
    "exchange announcement, signed": lambda: mail(
        "Coinbase <no-reply@coinbase.com>", "Coinbase will support the season 2 airdrop",
        html="<p>Coinbase will support the season 2 airdrop for eligible users who hold the token at the snapshot. "
             "Tokens will be credited to your account automatically; no action is needed.</p>"
             + button("https://www.coinbase.com/blog", "Learn more"), sign=b"coinbase.com", headers=LIST),
    "security awareness quoting a sextortion mail with its address": lambda: mail(
        "Security Awareness <awareness@corp.example>", "Phishing of the month: 'your device was hacked'",
        text="This month's example: 'I hacked your device and recorded you. Send $1,500 to "
             f"{BECH32_B} within 48 hours.' This is a mass scam: nobody recorded anything. Do not pay, do not reply, "
             "report it with the Phish button.\n"),
    "colleague planning a token launch": lambda: mail(
        "Priya <priya@studio-corp.example>", "TGE timeline",
        text="Hi all,\n\nlegal signed off on the TGE for 14 February. The airdrop claim page goes live the same "
             "day; eligibility comes from the season 1 snapshot. Can marketing draft the announcement by Friday?\n\n"
             "Priya\n"),
    "tax notice on crypto-assets, German": lambda: mail(
        "Finanzamt <poststelle@finanzamt.example>", "Hinweis zur Besteuerung von Kryptowerten",
        text="Sehr geehrte Steuerpflichtige, Gewinne aus der Veräußerung von Kryptowerten sowie erhaltene Airdrops "
             "und Staking-Erträge sind in der Einkommensteuererklärung anzugeben. Die Frist endet am 31. Juli.\n",
        headers=LIST),
    "tax notice on crypto, Portuguese": lambda: mail(
        "Receita <comunicado@receita.example>", "Declaração de criptoativos",
        text="Prezado contribuinte, operações com criptoativos acima de 30 mil reais por mês devem ser "
             "declaradas até o último dia útil do mês seguinte. Consulte o manual no portal.\n", headers=LIST),
    "Japanese exchange newsletter on an airdrop": lambda: mail(
        "取引所ニュース <news@exchange-jp.example>", "エアドロップ対応のお知らせ",
        html="<p>当社はシーズン2のエアドロップに対応します。スナップショット時点の保有者に自動で付与されるため、"
             "お客様の手続きは不要です。</p>", headers=LIST),
    "Korean news digest about airdrops": lambda: mail(
        "코인뉴스 <news@coinnews-kr.example>", "이번 주 에어드랍 소식",
        html="<p>이번 주에는 세 개의 프로젝트가 2시즌 에어드랍 스냅샷을 발표했습니다. 분석가들은 배분 방식을 "
             "비교합니다.</p>" + button("https://coinnews-kr.example/weekly", "기사 읽기"), headers=LIST),
    "Spanish newsletter on points seasons": lambda: mail(
        "Cripto Diario <boletin@criptodiario.example>", "La temporada 2 de puntos",
        html="<p>Varios protocolos abrieron la temporada 2 de sus programas de puntos. Explicamos cómo se calcula "
             "la elegibilidad y por qué nadie debe conectar su billetera desde un correo.</p>"
             + button("https://criptodiario.example/t2", "Leer"), headers=LIST),
    "bank fraud alert on sextortion, EUR": lambda: mail(
        "Bank Security <security@bank.example>", "Warning: extortion emails",
        text="Criminals are sending emails claiming your device was hacked and demanding 1,000 EUR in crypto "
             "within 48 hours. These emails are fake. Never pay and never send money to an address from such a "
             "mail.\n", headers=LIST),
    "hardware wallet vendor warns about fake claims, signed": lambda: mail(
        "Ledger <news@ledger.com>", "Beware of fake airdrop claims",
        html="<p>Scammers send emails about airdrops and ask you to connect your wallet or enter your 24 words. "
             "Ledger will never ask for your recovery phrase and does not run airdrops.</p>"
             + button("https://www.ledger.com/academy/security", "Stay safe"), sign=b"ledger.com", headers=LIST),
    "governance forum digest on a season 2 allocation": lambda: mail(
        "Protocol Forum <forum@gov.protocol.example>", "[Governance] Proposal: season 2 allocation for points",
        text="New topic: the proposal allocates 4% of supply to season 2 points holders, claimable for 90 days "
             "after the snapshot. Discussion is open until the vote.\n",
        headers=[("List-Id", "Protocol governance <gov.protocol.example>"),
                 ("List-Unsubscribe", "<https://gov.protocol.example/unsubscribe>")]),
    "friend: checked the allocation on the official site": lambda: mail(
        "Lena <lena.fischer.91@gmail.com>", "the drop",
        text="Did you check your allocation? I got 300 tokens on the official site, nothing to do with those "
             "fake emails. Coffee tomorrow?\n"),
    "payment processor invoice with an address, signed": lambda: mail(
        "BitPay <invoices@bitpay.com>", "Invoice from Example Store",
        text=f"Example Store sent you an invoice for 49.00 USD. Pay 0.00051 BTC to {BECH32} within 15 minutes to "
             "lock the exchange rate.\n", sign=b"bitpay.com"),
    "research mailing list on extortion wallets": lambda: mail(
        "Anna <anna@uni.example>", "[crimelab] sextortion wallet clustering",
        text="We clustered 1,200 addresses from sextortion emails; most received nothing. The deadline phrasing "
             "('48 hours') barely changed since 2018. Slides for Thursday attached later.\n",
        headers=[("List-Id", "crime lab <crimelab.lists.uni.example>")]),
}

#: Lures still missed (strict xfail), with their cause.
#: ("ESP-sent season 2 claim" -- snapshot, eligibility, allocation and claim, but no topic word, no ticker and no
#: coin -- is caught since batch N: Monad, the project the From name claims to be, is in brands.toml, so "Monad
#: Points" on monad-points.io is brand.impersonation.)
NOT_CAUGHT: dict[str, str] = {}
#: Look-alikes still flagged (strict xfail).
NOT_CLEAN: dict[str, str] = {}

LURES = AIRDROP | EXTORTION


@pytest.mark.parametrize(("name", "lure"), _expected(LURES, True, NOT_CAUGHT) + _expected(BENIGN, False, NOT_CLEAN))
def test_lures_flagged_and_look_alikes_clean(name: str, lure: bool) -> None:
    flagged, why = _flagged((LURES if lure else BENIGN)[name]())
    assert flagged is lure, why


def test_batch_sizes() -> None:
    assert len(AIRDROP) >= 20 and len(EXTORTION) >= 12 and len(BENIGN) >= 15
    assert len(LURES) == len(AIRDROP) + len(EXTORTION)  # no name shared
