"""Airdrop / claim / NFT-mint lures and bitcoin extortion, blind batch K (issue 11, third round).

Written blind, before the changes of this round, from how the campaigns phrase these two techniques (the
held-back half's misses concentrate there): points seasons and snapshots, "eligible wallet", allocations,
unclaimed rewards, presales, token migrations, staking rewards, free mints, claim deadlines, "connect wallet to
claim", in eleven languages, plain text and HTML, long and short, with and without a link; extortion with the
address spaced out, split, in an image's alt text, amounts in USD, BTC and EUR, "I recorded you", "your device
was hacked", the pixel/webcam story, "payment within 48 hours".  Every mail is built here, harmless (the
example addresses of BIP-173 and EIP-55), none copied from a sample.

The benign look-alikes are what a holder also receives: exchange and airdrop news digests (List-Id), a
developer mailing list, a security advisory warning about sextortion that quotes one, a donation receipt with
a bitcoin address, a tax office reminder about crypto gains.

Measured once on main (fdda829) before any change, with ``_flagged`` (tests/analyzers/test_recall_variants.py):
airdrop/claim lures 20/25 flagged (missed: the RNDR 1:1 token migration, the HYPE allocation check, Indonesian
"alokasi", Polish "nieodebrane nagrody", Spanish "preventa ... antes de que suba el precio"), extortion 16/16,
look-alikes 11/15 clean (flagged: both airdrop news digests, the bitcoin donation receipt, an exchange's staking
statement in Spanish).  After this round's changes: airdrop 24/25, extortion 16/16, look-alikes 13/15 clean
(NOT_CAUGHT and NOT_CLEAN say why).  TECHNIQUE_LURES and TECHNIQUE_BENIGN were written after the changes.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from analyzers.test_phish_variants import LIST, button, mail
from analyzers.test_recall_variants import _flagged

BECH32 = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # BIP-173's valid example
P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
P2PKH = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
ETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55's example
SPACED = " ".join(BECH32)
DASHED = "-".join(BECH32[i:i + 6] for i in range(0, len(BECH32), 6))

AIRDROP: dict[str, Callable[[], bytes]] = {
    # -- English
    "points season ended, eligible wallet, claim deadline": lambda: mail(
        "Linea Surge <season@linea-surge-points.io>", "Surge season 1 has ended",
        html="<p>Surge season 1 is over and the final snapshot has been taken. Your wallet is eligible: "
             "14,820 LXP convert to 2,964 LINEA.</p><p>Unclaimed allocations expire 72 hours after the claim "
             "window opens.</p>" + button("https://linea-surge.pages.dev/claim", "Connect wallet to claim")),
    "unclaimed rewards reminder, short": lambda: mail(
        "Rewards <no-reply@defi-rewards-hub.com>", "You have unclaimed rewards",
        text="You still have 312.40 USDC in unclaimed rewards. Claim before Friday: https://rewards-hub.web.app/\n"),
    "presale whitelist, price rises": lambda: mail(
        "Nexus AI <presale@nexusai-token.io>", "Your presale whitelist spot",
        html="<p>Congratulations, you secured a whitelist spot in the NEXAI presale at $0.004. Stage 2 starts "
             "tomorrow at $0.009. Connect your wallet and buy before the price rises.</p>"
             + button("https://nexai-presale.vercel.app/", "Buy now")),
    "token migration, old contract deprecated": lambda: mail(
        "Render Network <migration@render-upgrade.net>", "RNDR to RENDER migration deadline",
        text="The RNDR ERC-20 contract is being deprecated. Holders must swap RNDR 1:1 for the new RENDER token "
             "before 31 December. Tokens not migrated will no longer be supported.\n"
             "Migration portal: https://render-migrate.netlify.app/\n"),
    "staking rewards ready to withdraw": lambda: mail(
        "Lido Finance <rewards@lido-stake-rewards.org>", "Your staking rewards are ready",
        html="<p>Your stETH position earned 0.4817 ETH in staking rewards this quarter. The rewards are ready "
             "to be withdrawn to your wallet.</p>" + button("https://lido-rewards.pages.dev/", "Withdraw rewards")),
    "free NFT mint, only gas": lambda: mail(
        "Pudgy Penguins <mint@pudgy-freemint.xyz>", "Free mint is live",
        html="<p>As a holder you can mint one Pudgy Rogue for free, only gas is required. 2,000 supply, first "
             "come first served.</p>" + button("https://pudgy-rogue.web.app/", "Mint now")),
    "allocation check, no link text": lambda: mail(
        "Hyperliquid <drops@hyperliquid-allocation.com>", "HYPE allocation",
        text="The genesis event is complete. Check your HYPE allocation and claim it within 7 days:\n"
             "https://hl-genesis.pages.dev\n"),
    "long newsletter-style airdrop phish": lambda: mail(
        "zkSync Era <community@zksync-era-drop.io>", "ZK Nation: your allocation is ready",
        html="<h1>ZK Nation</h1><p>Dear community member,</p><p>Over the past two years, early users have helped "
             "build the zkSync ecosystem by bridging, swapping and providing liquidity. To recognise that, the "
             "ZK token distribution has started.</p><p>Based on the snapshot of block 34,000,000, your address "
             "has been allocated 2,150 ZK.</p><p>To receive your tokens, connect the wallet you used on zkSync "
             "Era and sign the claim transaction. The claim portal closes on 3 January; unclaimed tokens return "
             "to the ZK Nation treasury.</p>" + button("https://zknation-claim.pages.dev/", "Claim ZK")
             + "<p>The ZK Nation team</p>"),
    "subject and button only": lambda: mail(
        "Airdrop Alert <alert@airdrop-notice.net>", "Claim your ETH airdrop",
        html=button("https://eth-drop.web.app/", "Claim")),
    "restaking points to tokens": lambda: mail(
        "EtherFi <loyalty@etherfi-loyalty.org>", "Loyalty points converted",
        text="Your 48,300 loyalty points have been converted into 1,207 ETHFI tokens. Claim them from the "
             "dashboard by connecting your wallet: https://etherfi-loyalty.netlify.app/\n"),
    # -- other languages
    "es: airdrop, billetera elegible": lambda: mail(
        "Equipo Arbitrum <equipo@arb-comunidad.es>", "Tu billetera es elegible",
        html="<p>Tu billetera es elegible para el airdrop de la temporada 3. Tienes 950 ARB sin reclamar. "
             "Conecta tu billetera para reclamar antes del cierre.</p>"
             + button("https://arb-t3.pages.dev/", "Reclamar")),
    "pt: recompensas de staking não reclamadas": lambda: mail(
        "Solana Brasil <contato@solana-recompensa.com.br>", "Recompensas não reclamadas",
        text="Você possui 21,6 SOL em recompensas de staking não reclamadas. Conecte sua carteira para resgatar "
             "até domingo: https://sol-resgate.web.app/\n"),
    "de: Token-Zuteilung, Snapshot": lambda: mail(
        "Starknet Stiftung <team@strk-zuteilung.de>", "Ihre STRK-Zuteilung",
        html="<p>Beim Snapshot wurde Ihre Wallet als berechtigt erkannt. Ihnen wurden 1.340 STRK zugeteilt. "
             "Verbinden Sie Ihre Wallet, um die Token bis zum 20. Dezember abzuholen.</p>"
             + button("https://strk-de.pages.dev/", "Jetzt abholen")),
    "fr: mint gratuit, liste blanche": lambda: mail(
        "Collection Azuki <equipe@azuki-mint.fr>", "Mint gratuit pour les détenteurs",
        text="Bonne nouvelle : votre portefeuille figure sur la liste blanche du mint gratuit. Connectez votre "
             "portefeuille et mintez votre NFT avant minuit : https://azuki-mint.vercel.app/\n"),
    "ru: аирдроп, подключите кошелёк": lambda: mail(
        "Команда TON <team@ton-razdacha.ru>", "Вам начислен аирдроп",
        html="<p>Ваш кошелёк попал в снапшот. Вам начислено 3 200 TON. Подключите кошелёк, чтобы получить "
             "токены до конца недели.</p>" + button("https://ton-drop.pages.dev/", "Получить")),
    "tr: ödül, cüzdanını bağla": lambda: mail(
        "Binance TR <odul@binance-odul.com.tr>", "Ödülleriniz sizi bekliyor",
        text="Tebrikler, 450 USDT staking ödülünüz hazır. Talep etmek için cüzdanınızı bağlayın. Son tarih: "
             "48 saat. https://bn-odul.web.app/\n"),
    "ko: 에어드랍 수령": lambda: mail(
        "업비트 이벤트 <event@upbit-airdrop.kr>", "에어드랍 수령 안내",
        html="<p>고객님의 지갑이 스냅샷 대상에 포함되었습니다. 미수령 에어드랍 1,200 SUI 를 3일 안에 수령하세요.</p>"
             + button("https://sui-kr.pages.dev/", "지갑 연결")),
    "ja: 未請求のトークン": lambda: mail(
        "Aptos Japan <info@aptos-haifu.jp>", "未請求トークンのお知らせ",
        text="お客様のウォレットには未請求の 800 APT があります。ウォレットを接続して 48 時間以内に請求してください。"
             "https://aptos-jp.web.app/\n"),
    "vi: phần thưởng chưa nhận": lambda: mail(
        "Đội ngũ Sui <hotro@sui-thuong.vn>", "Phần thưởng chưa nhận",
        html="<p>Ví của bạn đủ điều kiện nhận 1.500 SUI. Kết nối ví để nhận phần thưởng trước khi hết hạn.</p>"
             + button("https://sui-vn.pages.dev/", "Nhận ngay")),
    "id: alokasi token, hubungkan dompet": lambda: mail(
        "Komunitas Base <tim@base-alokasi.id>", "Alokasi token Anda",
        text="Dompet Anda termasuk dalam snapshot. Alokasi Anda: 2.000 token. Hubungkan dompet Anda untuk "
             "mengklaim sebelum 25 Desember: https://base-klaim.web.app/\n"),
    "it: token di migrazione": lambda: mail(
        "Polygon Italia <team@polygon-migrazione.it>", "Migrazione MATIC obbligatoria",
        html="<p>I tuoi MATIC devono essere migrati a POL entro 7 giorni. I token non migrati andranno persi. "
             "Collega il tuo wallet per completare la migrazione.</p>"
             + button("https://pol-migra.pages.dev/", "Migra ora")),
    "nl: gratis NFT claimen": lambda: mail(
        "OpenSea Drops <drops@opensea-gratis.nl>", "Uw gratis NFT staat klaar",
        text="U komt in aanmerking voor een gratis NFT uit de Genesis-collectie. Verbind uw wallet om te "
             "claimen, de actie loopt vandaag af: https://os-drop.web.app/\n"),
    "pl: nagrody za staking": lambda: mail(
        "Zespół <zespol@staking-nagrody.pl>", "Nieodebrane nagrody",
        text="Masz 0,72 ETH nieodebranych nagród za staking. Połącz portfel, aby je odebrać przed terminem: "
             "https://eth-nagrody.pages.dev/\n"),
    "es: preventa, precio sube": lambda: mail(
        "Preventa Oficial <info@preventa-token.mx>", "Última fase de la preventa",
        html="<p>Estás en la lista de la preventa. Última fase: compra el token a 0,01 USDT antes de que suba el "
             "precio y salga a los exchanges.</p>" + button("https://preventa-x.netlify.app/", "Comprar")),
    "en: HTML alt-only airdrop image": lambda: mail(
        "Arbitrum <foundation@arbitrum-season.io>", "Season 3",
        html='<a href="https://arb-s3.pages.dev/"><img src="https://arb-s3.pages.dev/b.png" '
             'alt="Your wallet is eligible: claim 1,200 ARB before the snapshot expires" width="600"></a>'),
}

EXTORTION: dict[str, Callable[[], bytes]] = {
    "address spaced out, USD": lambda: mail(
        "Unknown <mail@hidden-sender.example>", "You have been recorded",
        text="I hacked your device and recorded you with your webcam while you watched adult videos. Pay $1,450 "
             f"in Bitcoin to this address (remove the spaces): {SPACED}\nYou have 48 hours from opening this "
             "email, or the video goes to all your contacts.\n"),
    "address in dashed groups, BTC": lambda: mail(
        "Security <sec@hidden-sender.example>", "Your device was hacked",
        text="Your device was hacked months ago. My spyware filmed you through the camera. Send 0.021 BTC to "
             f"{DASHED} (without the dashes) within 2 days or I send the recording to your family.\n"),
    "address only in an image alt": lambda: mail(
        "Hacker <no-reply@hidden-sender.example>", "Final warning",
        html="<p>I recorded you through your webcam on adult sites. Pay 1200 USD in bitcoin within 48 hours to "
             f'the wallet below.</p><img src="https://img.example/w.png" alt="{BECH32}">'
             "<p>If I do not get the payment, everyone you know will see the video.</p>"),
    "pixel story, EUR": lambda: mail(
        "Anonymous <anon@hidden-sender.example>", "Privacy issue",
        text="Hello. I placed a tracking pixel in an ad you clicked and gained control of your camera. I have a "
             f"video of you. Transfer 1.300 EUR in Bitcoin to {P2SH}. Payment within 48 hours, otherwise I "
             "publish it on social networks.\n"),
    "password as proof, short": lambda: mail(
        "x <x@hidden-sender.example>", "hunter2 is your password",
        text=f"I know hunter2 is your password. I have a video of you. $2000 in BTC to {P2PKH}. 24 hours.\n"),
    "Pegasus spyware, long": lambda: mail(
        "Pegasus <pegasus@hidden-sender.example>", "Your phone is under my control",
        text="Hi, I have some bad news for you. A few months ago I installed Pegasus spyware on your phone and "
             "since then I have been watching everything you do: your messages, your photos, your browsing. I "
             "recorded a video of you satisfying yourself while watching porn, with your face in the corner.\n\n"
             "I am willing to delete everything if you send me 0.035 BTC. This is my bitcoin wallet: "
             f"{BECH32}\n\nYou have 50 hours. I will know when you read this email. Do not reply, do not go to "
             "the police, it will not help.\n"),
    "USDT TRC20 address, cheating": lambda: mail(
        "Private Investigator <pi@hidden-sender.example>", "I know about your affair",
        text="I have photos and messages proving your affair. Send 1,000 USDT (TRC20) to "
             "TXLAQ63Xg1NAzckPwKHvzw7CSEmLMEqcdj within 72 hours or your spouse receives everything.\n"),
    "es: te grabé, 48 horas": lambda: mail(
        "Hacker <hacker@hidden-sender.example>", "Te he grabado",
        text="Hackeé tu dispositivo y te grabé con la cámara mientras veías páginas para adultos. Envía 1.200 "
             f"dólares en Bitcoin a {BECH32} en un plazo de 48 horas o enviaré el video a todos tus contactos.\n"),
    "pt: gravei você, pagamento": lambda: mail(
        "Hacker <h@hidden-sender.example>", "Gravei você",
        text="Invadi seu dispositivo e gravei você pela webcam em sites adultos. Faça o pagamento de 900 euros em "
             f"bitcoin para {P2SH} em até 48 horas, senão o vídeo vai para todos os seus contatos.\n"),
    "de: Gerät gehackt, aufgezeichnet": lambda: mail(
        "Hacker <h@hidden-sender.example>", "Ihr Gerät wurde gehackt",
        text="Ihr Gerät wurde gehackt. Ich habe Sie über Ihre Webcam aufgezeichnet. Zahlen Sie 0,03 BTC an "
             f"{BECH32} innerhalb von 48 Stunden, sonst geht das Video an Ihre Familie und Kollegen.\n"),
    "fr: je vous ai filmé, paiement sous 48 heures": lambda: mail(
        "Pirate <p@hidden-sender.example>", "Je vous ai filmé",
        text="J'ai piraté votre appareil et je vous ai filmé avec votre webcam. Paiement de 1 100 € en Bitcoin "
             f"à l'adresse {P2PKH} sous 48 heures, sinon la vidéo sera envoyée à tous vos contacts.\n"),
    "ru: записал тебя, биткоин": lambda: mail(
        "Хакер <h@hidden-sender.example>", "Я записал тебя",
        text="Я взломал твоё устройство и записал тебя через веб-камеру. Переведи 0,02 BTC на "
             f"{BECH32} в течение 48 часов, иначе видео получат все твои контакты.\n"),
    "tr: seni kaydettim": lambda: mail(
        "Hacker <h@hidden-sender.example>", "Seni kaydettim",
        text="Cihazını hackledim ve seni web kameranla kaydettim. 48 saat içinde 1.000 dolar değerinde Bitcoin'i "
             f"{P2SH} adresine gönder, yoksa video tüm kişilerine gidecek.\n"),
    "id: perangkat diretas": lambda: mail(
        "Peretas <p@hidden-sender.example>", "Perangkat Anda diretas",
        text="Perangkat Anda telah saya retas dan saya merekam Anda melalui webcam. Kirim 0,02 BTC ke "
             f"{BECH32} dalam 48 jam, atau video akan dikirim ke semua kontak Anda.\n"),
    "vi: tôi đã ghi hình bạn": lambda: mail(
        "Hacker <h@hidden-sender.example>", "Tôi đã ghi hình bạn",
        text="Tôi đã hack thiết bị của bạn và ghi hình bạn qua webcam. Hãy gửi 0,02 BTC đến địa chỉ "
             f"{BECH32} trong vòng 48 giờ, nếu không video sẽ được gửi cho tất cả danh bạ của bạn.\n"),
    "ko: 웹캠 녹화, 비트코인": lambda: mail(
        "해커 <h@hidden-sender.example>", "당신을 녹화했습니다",
        text=f"당신의 기기를 해킹해서 웹캠으로 녹화했습니다. 48시간 안에 0.02 BTC를 {BECH32} 주소로 보내세요. "
             "보내지 않으면 영상을 모든 연락처에 보냅니다.\n"),
}

BENIGN: dict[str, Callable[[], bytes]] = {
    "exchange news digest on airdrops, List-Id": lambda: mail(
        "Kraken Intelligence <news@kraken-digest.example>", "This week: airdrop season returns",
        html="<p>Airdrop season is back: three projects announced snapshots this week and points programs keep "
             "multiplying. We look at how allocations were split and what unclaimed tokens mean for supply.</p>"
             + button("https://kraken-digest.example/airdrops", "Read the analysis"), headers=LIST),
    "airdrop news digest with eligibility explained": lambda: mail(
        "The Defiant <newsletter@thedefiant.example>", "The Defiant Daily: ZK airdrop eligibility explained",
        html="<p>ZKsync published the eligibility criteria for its airdrop: wallets active before the snapshot "
             "qualify, and claims open next week on the official site. As always, beware of fake claim sites "
             "and never connect your wallet to a link received by email.</p>"
             + button("https://thedefiant.example/zk", "Read more"), headers=LIST),
    "developer mailing list on a claim contract": lambda: mail(
        "Dana <dana@dev.example>", "[merkle-drop] Re: claim deadline handling",
        text="I changed the claim contract so that unclaimed allocations return to the treasury after the "
             "deadline. The snapshot fixture now has 1,000 eligible wallets; tests pass.\n",
        headers=[("List-Id", "merkle-drop developers <merkle-drop.lists.example.org>")]),
    "security advisory quoting a sextortion mail": lambda: mail(
        "CERT Advisories <advisories@cert.example>", "Advisory: sextortion emails demanding bitcoin",
        text="We are seeing a new wave of sextortion scam emails. A typical message reads: 'I hacked your device "
             "and recorded you through your webcam. Pay $1,450 in bitcoin within 48 hours.' These claims are "
             "false. Do not pay, do not reply, and report the message to your IT team. No video exists.\n",
        headers=LIST),
    "bitcoin donation receipt": lambda: mail(
        "Open Source Fund <donations@osfund.example>", "Thank you for your donation",
        text=f"Thank you for your donation of 0.005 BTC received at our address {BECH32} on 28 November. "
             "This receipt confirms your gift; no goods or services were provided in exchange.\n"),
    "tax office reminder on crypto gains": lambda: mail(
        "Tax Office <info@tax-office.example>", "Reminder: declare your crypto-asset gains",
        text="Dear taxpayer, gains from selling crypto-assets, staking rewards and airdrops received in 2025 must "
             "be declared in your annual return. The filing deadline is 31 July. See our guide on the website.\n",
        headers=LIST),
    "project blog: points season recap": lambda: mail(
        "Blast <news@blast.io>", "Points season 2 recap",
        html="<p>Season 2 has ended. Points and Gold are final and will be reflected in the app. There is "
             "nothing to claim by email; we will never ask you to connect your wallet from a link.</p>",
        headers=LIST),
    "NFT marketplace weekly": lambda: mail(
        "NFT Weekly <editor@nftweekly.example>", "NFT Weekly: free mints are back",
        html="<p>Free mints are back in fashion: three collections minted out this week with only gas to pay. "
             "Here is what collectors should check before minting anything.</p>"
             + button("https://nftweekly.example/issue/88", "Read"), headers=LIST),
    "staking statement in Spanish from a DMARC-passing brand": lambda: mail(
        "Koinly Earn <earn@koinly.io>", "Tu extracto de staking",
        html="<p>En noviembre recibiste 0,012 ETH en recompensas de staking. Las recompensas se añaden a tu saldo "
             "automáticamente.</p>", sign=b"koinly.io", headers=LIST),
    "exchange staking statement in Spanish, no link": lambda: mail(
        "Cambio Cripto <extractos@cambiocripto.example>", "Tu extracto de staking",
        html="<p>En noviembre recibiste 0,012 ETH en recompensas de staking. Las recompensas se añaden a tu saldo "
             "automáticamente.</p>", headers=LIST),
    "German police warning about sextortion": lambda: mail(
        "Polizei Prävention <praevention@polizei.example>", "Warnung vor Erpresser-Mails",
        text="Derzeit kursieren E-Mails, in denen Täter behaupten, Sie über Ihre Webcam aufgezeichnet zu haben, "
             "und eine Zahlung in Bitcoin innerhalb von 48 Stunden fordern. Zahlen Sie nicht. Es gibt kein Video.\n",
        headers=LIST),
    "IT helpdesk: your device was updated": lambda: mail(
        "IT Helpdesk <helpdesk@corp.example>", "Your device was updated",
        text="Your laptop received the November security update. The webcam driver was also updated. No action "
             "is needed; restart within 48 hours if asked.\n"),
    "token migration announcement from the project": lambda: mail(
        "Render Network <news@rendernetwork.example>", "RNDR to RENDER: what holders need to know",
        html="<p>The upgrade from RNDR to RENDER is optional for holders on Ethereum: you can swap at any time "
             "and there is no deadline. Beware of fake migration sites.</p>"
             + button("https://rendernetwork.example/blog/render", "Read"), headers=LIST),
    "friend asks about a presale": lambda: mail(
        "Max <max.meyer.84@gmail.com>", "presale?",
        text="Did you buy into that presale Tim mentioned? I think it's a scam, the price 'rises' every day. "
             "Let's talk Saturday.\n"),
    "Korean exchange notice on an airdrop, List-Id": lambda: mail(
        "업비트 <notice@upbit-news.example>", "에어드랍 지원 안내",
        html="<p>업비트는 해당 프로젝트의 에어드랍을 지원합니다. 스냅샷 시점에 보유한 회원에게 자동으로 지급되며 "
             "별도의 신청은 필요하지 않습니다.</p>", headers=LIST),
    "conference newsletter with a BTC donation address": lambda: mail(
        "Bitcoin Meetup <hello@btcmeetup.example>", "Meetup #41 recap",
        text=f"Thanks to everyone who came. Slides are on the website. We run on donations: {BECH32}\n",
        headers=LIST),
}

# ---------------------------------------------------------------------------- variants per technique (written after)
# More phrasings of each technique this round's changes generalise, each beside the look-alike it must not catch.

TECHNIQUE_LURES: dict[str, Callable[[], bytes]] = {
    # the forced one-for-one token swap (lures.txt)
    "swap tokens one-to-one, old contract": lambda: mail(
        "Lido DAO <dao@lido-upgrade.org>", "LDO contract upgrade",
        text="The LDO contract is being retired. Swap your LDO tokens one-to-one for the new token by Friday. "
             "Tokens not swapped will not be tradable: https://ldo-upgrade.web.app/\n"),
    "migrate 1:1 to the new chain": lambda: mail(
        "Maker <upgrade@maker-sky.net>", "MKR upgrade",
        html="<p>Migrate your MKR 1:1 to the new SKY token. Unmigrated tokens lose governance rights.</p>"
             + button("https://sky-upgrade.pages.dev/", "Upgrade")),
    "bridge 1:1 to mainnet, German": lambda: mail(
        "Team <team@token-bridge.de>", "Mainnet-Start",
        html="<p>Der Mainnet-Start ist da. Bridge your tokens 1:1 to the new mainnet before 20 December.</p>"
             + button("https://bridge-main.pages.dev/", "Bridge")),
    # the claim with its own deadline in days
    "claim them within days, ticker": lambda: mail(
        "Drops <drops@season-drops.io>", "Your drop",
        text="8,200 $MOVE were allocated to your address. Claim them within 5 days: https://move-drop.web.app/\n"),
    "mint it within hours": lambda: mail(
        "Mint Desk <mint@genesis-mint.xyz>", "Genesis spot",
        html="<p>Your genesis mint spot is reserved. Mint it within 12 hours or the spot is released.</p>"
             + button("https://genesis-mint.vercel.app/", "Mint")),
    # connect the wallet, unclaimed rewards in Polish
    "pl: podłącz portfel, nieodebrane tokeny": lambda: mail(
        "Fundacja <kontakt@airdrop-fundacja.pl>", "Nieodebrane tokeny",
        text="Masz nieodebrane tokeny z airdropu. Podłącz swój portfel i odbierz je przed końcem tygodnia: "
             "https://pl-drop.pages.dev/\n"),
    # the allocation and the claim in Indonesian
    "id: jatah token, mengklaim": lambda: mail(
        "Tim Airdrop <tim@airdrop-resmi.id>", "Jatah Anda siap",
        html="<p>Jatah Anda: 1.500 token ZK. Hubungkan dompet untuk mengklaim sebelum 30 Desember.</p>"
             + button("https://zk-id.pages.dev/", "Klaim")),
    # the presale bought before the price rises, pt and fr
    "pt: pré-venda, antes que o preço suba": lambda: mail(
        "Pré-venda <info@prevenda-token.com.br>", "Última chance",
        text="Compre o token na pré-venda a 0,002 USDT antes que o preço suba na próxima fase: "
             "https://prevenda.netlify.app/\n"),
    "fr: prévente, avant que le prix augmente": lambda: mail(
        "Prévente <info@prevente-token.fr>", "Dernière phase de prévente",
        html="<p>Achetez le jeton en prévente à 0,003 USDT avant que le prix augmente. Connectez votre "
             "portefeuille.</p>" + button("https://prevente.vercel.app/", "Acheter")),
    # free tokens to whoever connects a wallet, in each language; the NFT reserved for the wallet
    "de: Gratis-Token, Wallet verbinden": lambda: mail(
        "Team <team@gratis-token.de>", "Gratis-Token für Sie",
        html="<p>Sie erhalten 500 Gratis-Token. Verbinden Sie Ihre Wallet, um sie zu erhalten.</p>"
             + button("https://gratis.pages.dev/", "Jetzt erhalten")),
    "fr: jetons gratuits en connectant": lambda: mail(
        "Equipe <eq@jetons-gratuits.fr>", "Vos jetons gratuits",
        text="Recevez 300 jetons gratuits en connectant votre portefeuille avant dimanche: https://jetons.pages.dev/\n"),
    "tr: ücretsiz token": lambda: mail(
        "Ekip <e@bedava-token.com.tr>", "Ücretsiz token",
        text="500 ücretsiz token kazandınız. Cüzdanınızı bağlayın: https://token-tr.pages.dev/\n"),
    "ru: бесплатные токены": lambda: mail(
        "Команда <t@free-tokens.ru>", "Бесплатные токены",
        text="Вы получили 500 бесплатных токенов. Подключите кошелёк, чтобы забрать их: https://ru-t.pages.dev/\n"),
    "ko: 무료 토큰, 지갑을 연결": lambda: mail(
        "팀 <t@free-kr.io>", "무료 토큰 지급",
        text="500 토큰이 무료로 지급되었습니다. 지갑을 연결하여 받으세요: https://kr-t.pages.dev/\n"),
    "vi: token miễn phí": lambda: mail(
        "Đội <d@token-vn.io>", "Token miễn phí",
        text="Bạn nhận được 500 token miễn phí. Kết nối ví để nhận: https://vn-t.pages.dev/\n"),
    "ja: 無料トークン": lambda: mail(
        "チーム <t@free-jp.io>", "無料トークン",
        text="500トークンを無料で受け取れます。ウォレットを接続して受け取ってください: https://jp-t.pages.dev/\n"),
    "id: token gratis": lambda: mail(
        "Tim <t@token-gratis.id>", "Token gratis",
        text="Dapatkan 500 token gratis. Hubungkan dompet Anda: https://id-t.pages.dev/\n"),
    "NFT reserved for the wallet, mint before": lambda: mail(
        "Bored Ape <mint@bayc-reserve.io>", "Your Ape is reserved",
        html="<p>An Otherside land NFT is reserved for your wallet. Mint before it is released to the public.</p>"
             + button("https://otherside-mint.vercel.app/", "Mint")),
    # the claim button in the first person
    "claim my airdrop button, short": lambda: mail(
        "Airdrops <hello@drop-season.xyz>", "Season 4 is open",
        html="<p>Your wallet was included in season 4. 2,400 tokens are waiting.</p>"
             + button("https://s4-drop.pages.dev/", "Claim my airdrop")),
    "selected to receive a cashtag, first-person button": lambda: mail(
        "Rewards <r@pepe-rewards.io>", "Congratulations!",
        html="<p>You've been selected to receive 1,000,000 $PEPE. Only for early community members.</p>"
             + button("https://pepe-r.pages.dev/", "Get my tokens")),
    "free ETH for the first 1,000 users": lambda: mail(
        # (still missed: see NOT_CAUGHT)
        "Base <team@base-drop.xyz>", "Free ETH for the first 1,000 users",
        html="<p>The first 1,000 users to connect get 0.1 ETH for free. Don't miss out.</p>"
             + button("https://base-drop.vercel.app/", "Connect")),
}

TECHNIQUE_BENIGN: dict[str, Callable[[], bytes]] = {
    "mobile game's free coins": lambda: mail(
        "Coin Quest <news@coinquest.example>", "Free coins and spins today",
        html="<p>Log in today for free coins and 50 spins. The event ends Sunday!</p>"
             + button("https://coinquest.example/event", "Play"), headers=LIST),
    "support forum digest: get my tokens back": lambda: mail(
        "Wallet Forum <digest@walletforum.example>", "Forum digest",
        text="Top question this week: how do I get my tokens back after sending them to the wrong network? "
             "Answers from the moderators inside.\n", headers=LIST),
    "arcade's Gratis-Token voucher": lambda: mail(
        "Spielhalle <info@spielhalle.example>", "Gratis-Token zum Geburtstag",
        text="Alles Gute! Zum Geburtstag schenken wir Ihnen 10 Gratis-Token für unsere Automaten. Einfach an der "
             "Kasse vorzeigen.\n", headers=LIST),
    "stock merger converts shares 1:1": lambda: mail(
        "Investor Relations <ir@company.example>", "Merger completed",
        text="The merger is complete. Your shares convert 1:1 into shares of the combined company; no action is "
             "needed. Questions: https://company.example/ir\n", headers=LIST),
    "expense claim within 30 days": lambda: mail(
        "Finance <finance@corp.example>", "Travel expenses",
        text="Please claim your travel expenses within 30 days of the trip through the usual portal.\n"),
    "insurance claim portal": lambda: mail(
        "Insurer <claims@insurer.example>", "Your claim",
        text="Your claim 77120 was received. Track it in the claim portal: https://insurer.example/claims\n"),
    "Polish investment portfolio newsletter": lambda: mail(
        "Dom Maklerski <biuletyn@dm.example>", "Twój portfel",
        text="Twój portfel inwestycyjny zyskał w listopadzie 2,1%. Szczegóły w serwisie.\n", headers=LIST),
    "security tips: never connect, beware": lambda: mail(
        "Wallet Safety <tips@walletsafety.example>", "Five rules for your wallet",
        html="<p>Never connect your wallet to a site you reached from an email. Beware of fake airdrop claim "
             "pages. Do not sign transactions you do not understand.</p>"
             + button("https://walletsafety.example/rules", "Read the rules"), headers=LIST),
    "NFT news digest Subject": lambda: mail(
        "NFT Daily <daily@nftdaily.example>", "NFT drops of the week",
        html="<p>Three collections launched this week; floor prices held up and one free mint sold out.</p>"
             + button("https://nftdaily.example/week", "Read"), headers=LIST),
    "donation thanks in euros and ether": lambda: mail(
        "Wikimedia Fund <thanks@donate.example>", "Thank you",
        text="Thank you for your contribution of 0.05 ETH. Your support keeps the project running.\n"),
}

#: Lures still missed (strict xfail: a fix shows as XPASS and is made a plain case), with their cause.
#: (Fixed in round 4, blind batch L: "free ETH for the first 1,000 users" -- the first N who act is a call to action;
#: "bridge 1:1 to mainnet, German" -- the forced swap is a crypto-specific call (2) and its date presses.  Fixed in
#: round 6, blind batch N: "allocation check, no link text" -- a ticker in capitals right before "allocation" names the
#: topic, crypto_theme.ticker_nouns; "seat" or "share" allocations are written in lower case.)
NOT_CAUGHT: dict[str, str] = {}
#: Look-alikes still flagged (strict xfail).  (Fixed in round 4: both airdrop news digests -- a mailing that asks
#: nothing has its Subject's topic as its news, and brands it names only in Subject and body are its subject matter.)
NOT_CLEAN: dict[str, str] = {}

LURES = AIRDROP | EXTORTION | TECHNIQUE_LURES
ALL_BENIGN = BENIGN | TECHNIQUE_BENIGN


def _expected(names: dict[str, Callable[[], bytes]], lure: bool, limits: dict[str, str]) -> list[object]:
    return [pytest.param(n, lure, marks=pytest.mark.xfail(strict=True, reason=limits[n])) if n in limits
            else pytest.param(n, lure) for n in names]


@pytest.mark.parametrize(("name", "lure"), _expected(LURES, True, NOT_CAUGHT) + _expected(ALL_BENIGN, False, NOT_CLEAN))
def test_lures_flagged_and_look_alikes_clean(name: str, lure: bool) -> None:
    flagged, why = _flagged((LURES if lure else ALL_BENIGN)[name]())
    assert flagged is lure, why


def test_batch_sizes() -> None:
    assert len(AIRDROP) >= 25 and len(EXTORTION) >= 15 and len(BENIGN) >= 15
    assert len(LURES) == len(AIRDROP) + len(EXTORTION) + len(TECHNIQUE_LURES)  # no name shared
    assert len(ALL_BENIGN) == len(BENIGN) + len(TECHNIQUE_BENIGN)


def test_advice_not_to_connect_is_no_call_to_action() -> None:
    """lures._NEVER_DO: "never connect / do not sign / beware of" is advice; the clause ends at a comma, a colon or
    "and", so a request after it is still read."""
    from analyzers.test_phish_variants import _lures
    from coinguard.lures import LureList, match_lures

    lures = _lures()
    assert isinstance(lures, LureList)
    for text, asks in (("Never connect your wallet to a site you reached from an email.", False),
                       ("Do not sign transactions you do not understand.", False),
                       ("Beware of fake claim pages.", False),
                       ("Don't share this link, connect your wallet to claim.", True),
                       ("Do not ignore this: connect your wallet to claim.", True),
                       ("Never share it with anyone and connect your wallet now.", True)):
        terms = match_lures(text, lures).terms
        assert any(t.category == "action" for t in terms) is asks, (text, terms)


@pytest.mark.parametrize(("html", "flagged"), [
    # coins earned, nothing asked, no link: a statement (the no-action cap holds)
    ("<p>Recibiste 0,012 ETH y 1,2 SOL en recompensas de staking. Se añaden a tu saldo automáticamente.</p>", False),
    ("<p>You received 0.012 ETH and 1.2 SOL in staking rewards, 250 USDT cashback. Credited automatically.</p>",
     False),
    # the same bait with a call and a link is the lure
    ("<p>You received 0.012 ETH and 1.2 SOL in staking rewards. Claim them within 24 hours.</p>"
     + button("https://stake-claim.pages.dev/", "Claim now"), True),
])
def test_bait_that_leads_nowhere_is_a_notice(html: str, flagged: bool) -> None:
    got, why = _flagged(mail("Earn Desk <earn@earn-desk.example>", "Your rewards", html=html))
    assert got is flagged, why
