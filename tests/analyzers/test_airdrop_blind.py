"""Airdrop, token-claim, giveaway, NFT-mint, wallet-connect and exchange-brand phishing (issue 11, third batch).

Written blind, before the changes of this round, in dresses the other crafted batches
(test_phish_variants.py, test_recall_variants.py) do not wear: eleven other languages, HTML whose words sit
in buttons, ``alt`` and ``title`` only, lures through hosted pages (Google Forms, Notion, IPFS gateways,
Cloudflare Pages, Telegram), fake snapshots, allowlist spots, presales, staking rewards, v2-token migrations,
"claim your $ARB/$OP/$JUP", "verify your wallet to keep receiving airdrops", wallet vendors' names with a
look-alike link, exchange "new device" alerts and fake support tickets.

The benign look-alikes are what a holder also receives: a project's own airdrop newsletter from its
DMARC-passing domain that asks nothing sensitive, an exchange's marketing, a conference invitation, a
price-alert digest, a GitHub notification from a crypto repository, newsletters whose logos carry
``alt="Coinbase logo"``.

Measured once on main before any change (the numbers are in the commit message and the report of issue 11).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from analyzers.test_phish_variants import LIST, _cases, _photo, button, mail
from analyzers.test_recall_variants import _flagged

CID = "bafybeihkoviema7g3gxyt6la7vd5ho32ictqbilu3wnlo3rs7ewhnp7lly"


def logo(alt: str, cid: str = "banner") -> str:
    return f'<img src="cid:{cid}" alt="{alt}" width="120" height="40">'


def pic_button(href: str, alt: str, title: str = "") -> str:
    """A linked picture whose only words are its alt (and title) text: the button is an image."""
    t = f' title="{title}"' if title else ""
    return f'<a href="{href}"{t}><img src="cid:banner" alt="{alt}" width="600" height="120"></a>'


PIC = [("banner", _photo())]

LURES: dict[str, Callable[[], bytes]] = {
    # -- other languages
    "es: snapshot, tokens to claim": lambda: mail(
        "Equipo Jupiter <equipo@jup-snapshot.es>", "Snapshot completado: tus JUP",
        html="<p>Tu billetera fue incluida en el snapshot del 28 de noviembre. Tienes 1.840 JUP pendientes.</p>"
             "<p>Los tokens no reclamados se queman el domingo.</p>"
             + button("https://jup-reclamo.pages.dev/", "Reclamar tokens")),
    "pt: staking reward in a Google Form": lambda: mail(
        "Recompensas Solana <suporte@sol-recompensas.com.br>", "Sua recompensa de staking",
        text="Olá! Sua recompensa de staking de 14,2 SOL está disponível.\n"
             "Para receber, informe o endereço da sua carteira no formulário: https://forms.gle/Sol4Rcmp2026\n"
             "Prazo: 48 horas.\n"),
    "fr: allowlist spot, connect wallet": lambda: mail(
        "Magic Eden <equipe@me-liste-blanche.fr>", "Votre place sur la liste blanche",
        html="<p>Félicitations, vous avez obtenu une place sur la liste blanche du mint. "
             "Connectez votre portefeuille avant ce soir pour confirmer votre place.</p>"
             + button("https://me-mint.pages.dev/", "Connecter le portefeuille")),
    "de: v2 token migration": lambda: mail(
        "Aave Team <team@aave-v2-umstellung.de>", "Umstellung auf den V2-Token",
        html="<p>Ihre AAVE-Token müssen bis zum 15. Dezember auf den neuen V2-Vertrag umgestellt werden. "
             "Nicht umgestellte Token verlieren ihren Wert.</p>"
             + button("https://aave-migration.web.app/", "Jetzt umstellen")),
    "it: presale reserved": lambda: mail(
        "Prevendita <info@prevendita-token.it>", "Prevendita riservata",
        text="Sei stato selezionato per la prevendita del token NOVA a 0,002 USDT. "
             "Acquista entro 24 ore collegando il tuo wallet: https://nova-presale.netlify.app/\n"),
    "tr: airdrop claim, telegram link": lambda: mail(
        "Topluluk Ekibi <ekip@token-dagitim.com.tr>", "Airdrop hakkınız hazır",
        text="Tebrikler! Cüzdanınız 2.500 TON airdrop için uygun. Ödülünüzü almak için Telegram botumuza "
             "katılın: https://t.me/ton_drop_claim_bot\nSon gün yarın.\n"),
    "ru: wallet verification to keep receiving airdrops": lambda: mail(
        "Trust Wallet <support@trustwallet-verify.ru>", "Требуется верификация кошелька",
        html="<p>Чтобы продолжать получать аирдропы, подтвердите свой кошелёк в течение 24 часов. "
             "Неподтверждённые кошельки будут отключены.</p>"
             + button("https://tw-verify.pages.dev/", "Подтвердить")),
    "ja: claim airdrop": lambda: mail(
        "Arbitrum 財団 <info@arb-jp-drop.jp>", "エアドロップ受け取りのお知らせ",
        html="<p>お客様のウォレットは 1,250 ARB のエアドロップ対象です。期限までに請求してください。</p>"
             + button("https://arb-claim-jp.web.app/", "今すぐ請求")),
    "ko: NFT mint whitelist": lambda: mail(
        "민트 운영팀 <mint@nft-minting.kr>", "화이트리스트 당첨 안내",
        html="<p>축하합니다! 무료 NFT 민팅 화이트리스트에 선정되었습니다. 오늘 자정까지 지갑을 연결하세요.</p>"
             + button("https://nft-mint-kr.vercel.app/", "지갑 연결")),
    "vi: token reward": lambda: mail(
        "Sự kiện <sukien@binance-thuong.vn>", "Bạn nhận được phần thưởng",
        text="Chúc mừng! Bạn đã nhận được 300 USDT phần thưởng airdrop. Kết nối ví của bạn để nhận thưởng: "
             "https://bnb-thuong.pages.dev/\nƯu đãi hết hạn sau 24 giờ.\n"),
    "id: wallet connect to claim": lambda: mail(
        "Tim Komunitas <tim@klaim-token.id>", "Klaim token Anda",
        html="<p>Dompet Anda memenuhi syarat untuk menerima 900 OP. Hubungkan dompet Anda untuk mengklaim "
             "token sebelum batas waktu.</p>" + button("https://op-klaim.web.app/", "Klaim sekarang")),
    # -- HTML whose words are in buttons, alt and title only
    "alt-only: claim button picture": lambda: mail(
        "Optimism <drops@op-rewards.xyz>", "Round 5",
        html=pic_button("https://op-round5.pages.dev/", "Claim your 640 $OP airdrop now"), images=PIC),
    "title-only: linked picture with a title": lambda: mail(
        "Rewards <desk@reward-station.io>", "For you",
        html=pic_button("https://rb.gy/x8ws2", "", "Connect your wallet to claim 0.25 ETH"), images=PIC),
    "buttons-only: brand, connect, claim": lambda: mail(
        "Phantom <hi@phantom-wallet-app.co>", "Phantom",
        html=logo("Phantom") + button("https://phantom-claim.pages.dev/", "Connect wallet")
             + button("https://phantom-claim.pages.dev/claim", "Claim 5 SOL"), images=PIC),
    # -- hosted pages
    "IPFS gateway: wallet sync": lambda: mail(
        "Wallet Support <noreply@wallet-sync-desk.com>", "Wallet sync required",
        html="<p>Your wallet is out of sync with the new network upgrade. Synchronise it to avoid losing access "
             "to your tokens.</p>" + button(f"https://{CID}.ipfs.dweb.link/", "Sync now")),
    "Notion page: claim JUP": lambda: mail(
        "Jupiter DAO <dao@jup-ag-news.com>", "Claim your $JUP",
        text="Jupuary round 2 is live. Claim your $JUP before the window closes: "
             "https://jupdao.notion.site/claim-round-2\n"),
    "Cloudflare pages: claim ARB": lambda: mail(
        "Arbitrum <airdrop@arb-foundation.net>", "Claim your $ARB",
        html="<p>Your address qualifies for the second $ARB distribution.</p>"
             + button("https://arb-second.pages.dev/", "Claim $ARB")),
    # -- wallet vendors and look-alike links
    "MetaMask look-alike link: KYC": lambda: mail(
        "MetaMask <no-reply@metamask-support.help>", "Your MetaMask wallet will be restricted",
        html="<p>Due to new regulations, all MetaMask wallets must complete verification. Wallets that are "
             "not verified by December 12 will be restricted.</p>"
             + button("https://metamask.io-verify.com/", "Verify wallet")),
    "Ledger look-alike link: recovery check": lambda: mail(
        "Ledger <security@ledger-support.io>", "Security incident: action required",
        html="<p>A data incident may have exposed your Ledger. Check that your device is safe by confirming "
             "your recovery phrase.</p>" + button("https://ledger-check.web.app/", "Check my device")),
    "Phantom look-alike: new airdrop": lambda: mail(
        "Phantom <team@phantorn.app>", "Phantom airdrop is here",
        html="<p>Phantom users are eligible for the PHNTM airdrop. Connect your wallet to check your allocation."
             "</p>" + button("https://phantorn.app/airdrop", "Check allocation")),
    # -- exchange alerts and support tickets
    "exchange new device login alert": lambda: mail(
        "Kraken <security@kraken-login-alert.com>", "New device login detected",
        html="<p>A new device signed in to your Kraken account from Lagos, Nigeria. If this wasn't you, secure "
             "your account now.</p>" + button("https://kraken-secure.pages.dev/", "This wasn't me")),
    "exchange support ticket": lambda: mail(
        "Coinbase Support <ticket@cb-helpdesk.net>", "Case #CB-209481: withdrawal on hold",
        text="Hello,\n\nyour recent withdrawal is on hold pending verification (case #CB-209481). To release "
             "it, complete the verification form within 24 hours: https://forms.gle/cbCase209481\n\n"
             "Coinbase Support\n"),
    "fake snapshot, English": lambda: mail(
        "Blur <snapshot@blur-season3.io>", "Season 3 snapshot taken",
        html="<p>The season 3 snapshot has been taken. Your wallet earned 12,400 BLUR.</p>"
             + button("https://blur-s3.netlify.app/", "View and claim")),
    "staking reward, English": lambda: mail(
        "EigenLayer <restake@eigen-rewards.org>", "Restaking rewards available",
        text="Your restaking rewards are available: 1.12 ETH. Withdraw to your wallet before they expire on "
             "Friday: https://eigen-rewards.web.app/\n"),
    "giveaway, Telegram": lambda: mail(
        "Solana Events <events@sol-giveaway.net>", "Solana anniversary giveaway",
        text="We are giving away 50,000 SOL to celebrate. Join our Telegram and send your wallet address to "
             "receive your share: https://t.me/solanagiveaway2026\n"),
    "keep receiving airdrops, English": lambda: mail(
        "Airdrop Center <notice@airdrop-center.org>", "Wallet verification required",
        html="<p>To keep receiving airdrops to your wallet, verification is required. Unverified wallets will "
             "no longer be eligible.</p>" + button("https://airdrop-verify.pages.dev/", "Verify")),
    "OP claim, cashtag subject only": lambda: mail(
        "OP Labs <team@op-labs-drop.com>", "Claim your $OP", text="https://op-drop.pages.dev/\n"),
}

BENIGN: dict[str, Callable[[], bytes]] = {
    "project's own airdrop newsletter, DMARC passes": lambda: mail(
        "Phantom <news@phantom.app>", "Our community airdrop: what you need to know",
        html="<p>We are distributing PHNTM to early users. Eligible users will see the tokens in the app; "
             "there is nothing to claim on any website and we will never ask for your recovery phrase.</p>"
             + button("https://phantom.app/blog/airdrop-faq", "Read the FAQ"), sign=b"phantom.app", headers=LIST),
    "exchange marketing, signed": lambda: mail(
        "Coinbase <marketing@coinbase.com>", "Earn up to 4.1% on USDC",
        html=logo("Coinbase logo") + "<p>Hold USDC on Coinbase and earn rewards every month.</p>"
             + button("https://www.coinbase.com/usdc", "Learn more"), images=PIC, sign=b"coinbase.com",
        headers=LIST),
    "conference invitation": lambda: mail(
        "Devcon Team <team@devcon.example>", "Devcon tickets: second wave",
        html="<p>The second wave of Devcon tickets opens on Monday. Builders and students can apply for "
             "discounted tickets. See you in the city!</p>" + button("https://devcon.example/tickets", "Tickets"),
        headers=LIST),
    "price alert digest": lambda: mail(
        "CoinStats <alerts@coinstats.app>", "Price alert: BTC above 100,000 USD",
        html="<p>Bitcoin (BTC) crossed 100,000 USD. ETH 3,720 USD (+2.1%). SOL 241 USD (-0.4%).</p>"
             + button("https://coinstats.app/portfolio", "Open portfolio"), sign=b"coinstats.app", headers=LIST),
    "GitHub notification in a crypto repo": lambda: mail(
        "Alice <notifications@github.com>", "Re: [example/airdrop-claim-contract] Fix merkle proof check (#42)",
        text="@bob the claim function now checks the merkle proof before transferring the tokens. "
             "Can you rerun the tests on the snapshot fixture?\n\n--\nReply to this email directly or view it "
             "on GitHub: https://github.com/example/airdrop-claim-contract/pull/42\n",
        headers=[("List-Id", "example/airdrop-claim-contract <airdrop-claim-contract.example.github.com>")]),
    "newsletter with exchange logos in alt text": lambda: mail(
        "Fintech Weekly <editor@fintechweekly.example>", "Fintech Weekly #118",
        html=logo("Coinbase logo") + logo("Binance logo", "b2") + logo("MetaMask fox", "b3")
             + "<p>This week: payments, open banking and the stablecoin bill.</p>"
             + button("https://fintechweekly.example/118", "Read the issue"),
        images=[*PIC, ("b2", _photo()), ("b3", _photo())], headers=LIST),
    "wallet vendor release notes, signed": lambda: mail(
        "MetaMask <news@metamask.io>", "What's new in MetaMask 13",
        html=logo("MetaMask logo") + "<p>Smart transactions, a new swap screen and better network switching. "
             "Update from your browser's extension store.</p>", images=PIC, sign=b"metamask.io", headers=LIST),
    "exchange staking statement, signed": lambda: mail(
        "Kraken <statements@kraken.com>", "Your staking rewards for November",
        html="<p>You earned 0.012 ETH and 1.4 SOL in staking rewards in November. Rewards are added to your "
             "balance automatically.</p>" + button("https://www.kraken.com/u/staking", "View"), sign=b"kraken.com"),
    "conference call with a Google Form": lambda: mail(
        "ETHGlobal <hello@ethglobal.example>", "Hackathon applications open",
        html="<p>Applications for the December hackathon are open. Tell us about your team.</p>"
             + button("https://forms.gle/ethglobalApply", "Apply"), headers=LIST),
    "friend's message about an airdrop": lambda: mail(
        "Tom <tom.baker.77@gmail.com>", "that airdrop",
        text="Hey, did you get anything from the Jupiter airdrop last week? I got a few hundred JUP, "
             "sold half. Beers on Friday?\n"),
    "tax tool export ready, signed": lambda: mail(
        "Koinly <hello@koinly.io>", "Your tax report is ready",
        html="<p>Your 2026 tax report including airdrops and staking income is ready to download.</p>"
             + button("https://app.koinly.io/reports", "Download report"), sign=b"koinly.io"),
    "exchange device login notice, signed": lambda: mail(
        "Binance <do-not-reply@binance.com>", "New device authorised",
        html="<p>A new device was authorised for your account: Chrome on Windows. If you did not do this, "
             "disable your account in the app.</p>", sign=b"binance.com"),
}

# ---------------------------------------------------------------------------- variants per technique (written after)
# More variants of each technique this round generalises, each beside the look-alike it must not catch.

TECHNIQUE_LURES: dict[str, Callable[[], bytes]] = {
    # a claim call naming the cashtag
    "collect your cashtag, Notion page": lambda: mail(
        "Starknet <team@strk-provisions.org>", "Provisions round 3",
        text="Round 3 is open. Collect your $STRK before Sunday: https://strkround3.notion.site/collect\n"),
    "redeem a cashtag, image and button": lambda: mail(
        "Wormhole <drop@w-multigov.io>", "Unclaimed W",
        html=pic_button("https://w-redeem.pages.dev/", "") + button("https://w-redeem.pages.dev/", "Redeem $W"),
        images=PIC),
    # the wallet earned an unknown ticker (the fake snapshot)
    "address qualifies for a ticker, snapshot": lambda: mail(
        "Kamino <points@kamino-season.xyz>", "Season 2 snapshot",
        html="<p>The season 2 snapshot was taken. Your address qualifies for 8,300 KMNO.</p>"
             + button("https://kamino-s2.web.app/", "Check and claim")),
    "wallet received a ticker, plain text": lambda: mail(
        "Drops <drops@ecosystem-drops.net>", "Distribution done",
        text="Your wallet received 2,250 ZRO in the final distribution. Withdraw them here before they expire: "
             "https://zro-final.netlify.app/\n"),
    # points converted to tokens
    "XP converted to a ticker": lambda: mail(
        "Scroll <marks@scroll-marks.io>", "Your marks",
        text="Your marks were converted to 4,100 SCR. Claim: https://scroll-marks.pages.dev/\n"),
    # picture buttons whose words are in alt or title only, other languages
    "alt-only button, Spanish": lambda: mail(
        "Equipo <equipo@recompensas-red.es>", "Recompensa",
        html=pic_button("https://red-recompensa.web.app/", "Reclama tus 300 USDT de airdrop ahora"), images=PIC),
    "submit button label in a form": lambda: mail(
        "Wallet Desk <desk@wallet-desk.net>", "Wallet review",
        html="<form action='https://wallet-desk.pages.dev/s'><p>Enter your 12-word phrase below.</p>"
             "<input type='text' name='p'><input type='submit' value='Validate my wallet'></form>"),
    # the address asked for, the deadline as a noun
    "address asked for, Spanish": lambda: mail(
        "Sorteo Cripto <sorteo@sorteo-eth.es>", "Ganaste el sorteo",
        text="Ganaste 0,5 ETH en nuestro sorteo. Indique la dirección de su billetera para recibir el premio. "
             "Plazo de 24 horas.\n"),
    "address asked for, French": lambda: mail(
        "Cadeau Crypto <cadeau@cadeau-btc.fr>", "Votre gain",
        text="Vous avez gagné 0,02 BTC. Envoyez l'adresse de votre portefeuille pour recevoir votre gain. "
             "Délai : 48 heures.\n"),
    # allowlist spots
    "allowlist spot, connect": lambda: mail(
        "Mad Lads <mint@madlads-allowlist.io>", "You have been allowlisted",
        html="<p>You have been allowlisted for the Mad Lads reprint. Connect your wallet within 12 hours to "
             "keep your allowlist spot.</p>" + button("https://madlads-al.vercel.app/", "Connect")),
    # the loss of future airdrops
    "continue receiving airdrops, wallet validation": lambda: mail(
        "Drop Network <validate@drop-network.io>", "Validation needed",
        text="To continue receiving airdrops, validate your wallet by December 20: "
             "https://drop-validate.pages.dev/\n"),
    # eligibility, the claim of the tokens and the deadline, in the campaigns' languages
    "eligibility claim, German": lambda: mail(
        "Arbitrum DAO <dao@arb-anspruch.de>", "Ihre Token",
        html="<p>Sie haben Anspruch auf 500 ARB. Fordern Sie Ihre Token jetzt an, bevor die Frist abläuft.</p>"
             + button("https://arb-anspruch.pages.dev/", "Token anfordern")),
    "eligibility claim, Polish": lambda: mail(
        "Fundacja <kontakt@tokeny-dystrybucja.pl>", "Twoje tokeny",
        html="<p>Kwalifikujesz się do otrzymania 500 tokenów ARB. Odbierz swoje tokeny przed terminem.</p>"
             + button("https://arb-pl.web.app/", "Odbierz")),
    "eligibility claim, Russian": lambda: mail(
        "Фонд <info@token-razdacha.ru>", "Ваши токены",
        text="Вы имеете право на 500 токенов ARB. Заберите свои токены до окончания срока: "
             "https://arb-ru.pages.dev/\n"),
    "eligibility claim, Korean": lambda: mail(
        "재단 <info@token-kr.io>", "토큰 안내",
        html="<p>500 ARB 토큰을 받을 자격이 있습니다. 기한 전에 토큰을 청구하세요.</p>"
             + button("https://arb-kr.vercel.app/", "청구")),
    "eligibility claim, Indonesian": lambda: mail(
        "Tim <tim@token-id.io>", "Token Anda",
        text="Anda berhak atas 500 token ARB. Klaim token Anda sebelum batas waktu: https://arb-id.web.app/\n"),
}

TECHNIQUE_BENIGN: dict[str, Callable[[], bytes]] = {
    "German tax refund letter": lambda: mail(
        "Finanzamt Service <service@steuer-service.example>", "Ihre Erstattung",
        text="Sehr geehrte Frau Weber,\n\nSie haben Anspruch auf eine Erstattung von 412 EUR. Bitte reichen Sie "
             "die Belege vor Ablauf der Frist ein.\n\nMit freundlichen Grüßen\n"),
    "Russian bank's tax deduction notice": lambda: mail(
        "Банк <info@bank.example>", "Налоговый вычет",
        text="Вы имеете право на налоговый вычет. Подайте заявление до окончания срока в личном кабинете.\n"),
    "Spanish crypto conference student tickets": lambda: mail(
        "ETHBarcelona <hola@ethbarcelona.example>", "Entradas de estudiante",
        html="<p>Eres elegible para la entrada de estudiante de ETHBarcelona, la conferencia de Ethereum. "
             "Inscríbete antes de la fecha límite.</p>" + button("https://ethbarcelona.example/tickets", "Entradas"),
        headers=LIST),
    "gift card with a dollar amount": lambda: mail(
        "Shop <offers@shop.example>", "Claim your $50 gift card",
        html="<p>Thanks for shopping with us. Claim your $50 gift card in your account.</p>"
             + button("https://shop.example/account", "Claim"), headers=LIST),
    "tax refund in US dollars": lambda: mail(
        "Tax Desk <desk@tax.example>", "Claim your $US refund",
        text="Non-residents can claim their $US withholding refund with form 1040-NR. Our guide: "
             "https://tax.example/guide\n", headers=LIST),
    "airline miles converted": lambda: mail(
        "SkyMiles <miles@airline.example>", "Your miles",
        text="Your points were converted to 50 EUR in travel credit. Redeem them in the app before 31 March.\n",
        headers=LIST),
    "IP allowlist notice": lambda: mail(
        "Cloud Ops <ops@cloud.example>", "Your IP has been allowlisted",
        text="Your office IP 203.0.113.7 has been allowlisted for the staging API. No action is needed.\n"),
    "project newsletter about its snapshot, no ask": lambda: mail(
        "Kamino <news@kamino.example>", "Season 2 has ended",
        html="<p>The season 2 snapshot was taken on 1 December. Allocations will be shown in the app when the "
             "token launches. We will never ask you to connect your wallet from an email.</p>"
             + button("https://kamino.example/blog/season-2", "Read the post"), headers=LIST),
    "colleague asks for a wallet address to pay an invoice": lambda: mail(
        "Jonas <jonas@studio.example>", "Invoice 2026-117",
        text="Hi Sam,\n\nthanks for the invoice. Could you send your wallet address? We pay freelancers in USDC "
             "on Base now.\n\nJonas\n"),
    "newsletter whose pictures have captions": lambda: mail(
        "Crypto Weekly <editor@cryptoweekly.example>", "Crypto Weekly #52",
        html=logo("Crypto Weekly logo") + '<img src="cid:banner" alt="Bitcoin price chart for the week">'
             "<p>Bitcoin closed the week higher; the ETF flows turned positive.</p>"
             + button("https://cryptoweekly.example/52", "Read"), images=PIC, headers=LIST),
    "mailing list with a crypto name": lambda: mail(
        "Bob <bob@dev.example>", "[token-claim-dev] Re: merkle claim tests",
        text="The claim tests pass on the airdrop fixture now; the snapshot is the one from block 19000000.\n",
        headers=[("List-Id", "Token claim developers <token-claim-dev.lists.example.org>")]),
}

#: Lures still missed (strict xfail: a fix shows as XPASS and is made a plain case).
LIMITS: dict[str, str] = {}
#: Technique variants still missed (strict xfail).
#: (the last, "continue receiving airdrops, wallet validation", is caught since its deadline by a calendar date
#: counts as pressure: lures.txt, fourth blind batch)
TECHNIQUE_LIMITS: dict[str, str] = {}
#: Look-alikes flagged (strict xfail).
BENIGN_LIMITS: dict[str, str] = {}


ALL_LURES = LURES | TECHNIQUE_LURES
ALL_BENIGN = BENIGN | TECHNIQUE_BENIGN


@pytest.mark.parametrize("name", _cases(ALL_LURES, LIMITS | TECHNIQUE_LIMITS))
def test_lure_is_flagged(name: str) -> None:
    flagged, why = _flagged(ALL_LURES[name]())
    assert flagged, why


@pytest.mark.parametrize("name", _cases(ALL_BENIGN, BENIGN_LIMITS))
def test_look_alike_is_clean(name: str) -> None:
    flagged, why = _flagged(ALL_BENIGN[name]())
    assert not flagged, why


def test_batch_sizes() -> None:
    assert len(LURES) >= 25 and len(BENIGN) >= 10
    assert len(ALL_LURES) == len(LURES) + len(TECHNIQUE_LURES)  # no name shared
    assert len(ALL_BENIGN) == len(BENIGN) + len(TECHNIQUE_BENIGN)
