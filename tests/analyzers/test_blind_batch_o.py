"""Giveaways that double what you send, fund-recovery offers, unauthorised-withdrawal and login alerts, wallet-drainer
"revoke approvals / flagged by a scanner", exchange tax and compliance document demands, staking "APY ending" offers
and support-ticket replies that ask to validate or synchronise the wallet, in forms batches A-N do not cover, blind
batch O (issue 11).

Written blind, before this round's change, from how 2024-2026 campaigns phrase these techniques, not from the corpus:
the "2x back" event for an exchange's or a chain's anniversary, a celebrity's giveaway in German and Japanese;
recovery firms' marketing and "funds traced, pay the release fee" in Spanish, French and Portuguese; "withdrawal
initiated, not you? cancel" buttons, Korean and Portuguese login and withdrawal alerts; a "security scanner flagged
your wallet" notice, revoke-the-approvals in Spanish; "submit your documents or the account is frozen" in English,
German and French; promotional APY ending, renew in Spanish; ticket replies in English, German and Japanese.  Every
mail is built here, harmless (BIP-173 example addresses), none copied from a sample.

The benign look-alikes are what a holder also receives: an exchange's own sign-in notice with its "we never ask"
disclaimer, a market newsletter, tax software on crypto reports, a streaming service's "not you?" login alert, a
charity taking bitcoin, a security newsletter on revoking approvals, a Japanese exchange's staking-rate notice, an
exchange's German withdrawal confirmation.

Measured once on unchanged code (main bdf1882) with ``_flagged`` (tests/analyzers/test_recall_variants.py) before any
change: 12/24 lures flagged (giveaway 3/4, recovery 0/4, withdrawal/login alerts 4/4, drainer 1/3, tax/compliance 2/3,
staking APY 0/3, support ticket 2/3), look-alikes 7/8 clean (the security newsletter on revoking approvals flagged).
After this round (lures.txt: the giveaway's exchange of amounts and first-person promise, the recovery firm's pitch,
funds traced, the release fee and the case agent in es/pt/fr/de, the drainer's security scanner and the revoke call
in es/pt/fr/de, documents or withdrawals blocked in fr/es/pt, the APY ending on a coin, wallet sync in ja/zh;
crypto_theme: a mailing's guide clauses, "how to revoke approvals", are not calls): 24/24 lures, 8/8 look-alikes.
LURES_2 and BENIGN_2, written after that change and measured before the next: 5/15 lures (giveaway 0/3, recovery
0/2, alerts 2/2, drainer 1/2, compliance 0/2, staking 2/2, ticket 0/2), 5/5 look-alikes; after the second change
(lures.txt: coins sent to an "event address" in either word order, "x2 event", "we return double", the chargeback
firm and the reversed crypto transaction, the German recovery and its fee, the German scanner verdict and
Token-Freigaben, the account frozen over a compliance demand in es/pt/fr/de, "regularise your tax data", the ticket's
"fix the failed transaction ... press Validate", the ja/ko sync weighing as the English one): 15/15, 5/5.
LURES_3 and BENIGN_3, written after the second change and measured before the third: 8/13 lures (giveaway 2/2,
recovery 1/2, alerts 2/2, drainer 1/2, compliance 1/1, staking 1/2, ticket 0/2), 4/4 look-alikes; after the third
(lures.txt: "approved a drainer contract", "use our emergency revoke tool", the assets about to be taken, Dutch
recovery and its fee, the rate before the coin and the lock call in pt/es/fr/de/it, the ticket named by the fix,
re-authenticating the wallet connection, the stuck transfer released): 13/13, 4/4 -- no longer blind, so the
held-out figure of the round is LURES_3's 8/13.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from analyzers.test_blind_batch_k import BECH32, _expected
from analyzers.test_phish_variants import LIST, button, mail
from analyzers.test_recall_variants import _flagged

ETH_ADDR = "0x52908400098527886E0F7030069857D2E4169EE7"  # EIP-55 test vector

GIVEAWAY: dict[str, Callable[[], bytes]] = {
    "chain anniversary, 2x back, HTML": lambda: mail(
        "Ethereum Foundation Event <event@eth10-anniversary.live>", "ETH 10 years: the 2x event is live",
        html="<p>To celebrate ten years of Ethereum we are giving back to the community. Send any amount between "
             "0.1 and 50 ETH to the event address and you will instantly get 2x back.</p>"
             f"<p>Example: send 0.5 ETH, receive 1 ETH. Event address: {ETH_ADDR}</p>"
             + button("https://eth10-event.pages.dev/", "Join the event")),
    "exchange anniversary, for every 0.1 you get 0.2": lambda: mail(
        "Binance Events <events@binance-8th-anniversary.com>", "8th anniversary: we return double",
        text="Binance is 8 years old! For the next 24 hours, for every 0.1 BTC you send to our anniversary "
             f"wallet we send 0.2 BTC back to you.\nAnniversary wallet: {BECH32}\nMaximum 10 BTC per "
             "participant. First come, first served.\n"),
    "de: Prominenter verdoppelt Bitcoin": lambda: mail(
        "Michael Saylor <aktion@saylor-bitcoin-aktion.de>", "Ich verdopple Ihre Bitcoin",
        html="<p>Als Dank an die Community verdopple ich jede Einzahlung: Senden Sie 0,1 BTC und Sie erhalten "
             "0,2 BTC zurück. Die Aktion endet heute um Mitternacht.</p>"
             + button("https://saylor-aktion.pages.dev/", "An der Aktion teilnehmen")),
    "ja: 送金すると2倍で返還": lambda: mail(
        "Crypto Event <event@btc-kinen.jp>", "ビットコイン2倍キャンペーン",
        text="記念キャンペーン開催中！0.1〜20 BTCを以下のアドレスに送金すると、2倍の額がすぐに返金されます。"
             f"\nアドレス: {BECH32}\n本日限り。\n"),
}

RECOVERY: dict[str, Callable[[], bytes]] = {
    "recovery firm marketing, ESP-sent": lambda: mail(
        "Asset Reclaim Partners <info@assetreclaim-partners.com>", "Lost crypto to a scam? Get it back",
        html="<p>Our certified recovery specialists have helped 3,200 victims get their stolen Bitcoin and USDT "
             "back. No recovery, no fee. Book your free case evaluation today.</p>"
             + button("https://assetreclaim-partners.com/case", "Start my case"), headers=LIST),
    "es: fondos rastreados, tasa de liberación": lambda: mail(
        "Unidad de Rastreo <casos@rastreo-cripto.es>", "Expediente 7731: fondos localizados",
        text="Nuestro equipo forense ha rastreado los 3,4 ETH que le robaron. Los fondos están retenidos en un "
             "exchange y se le devolverán tras el pago de la tasa de liberación de 0,12 ETH en un plazo de 72 "
             "horas.\nContacte a su agente: agente.rastreo@proton.me\n"),
    "fr: cabinet de récupération, cryptos volées": lambda: mail(
        "Cabinet Récupération <contact@recup-actifs.fr>", "Récupérez vos cryptomonnaies volées",
        html="<p>Victime d'une arnaque aux cryptomonnaies ? Nos experts blockchain retrouvent et récupèrent vos "
             "bitcoins volés. Déposez votre dossier gratuitement.</p>"
             + button("https://recup-actifs.fr/dossier", "Déposer mon dossier")),
    "pt: reembolso judicial, taxa de processamento": lambda: mail(
        "Departamento de Restituição <restituicao@fundo-vitimas.com.br>", "Restituição aprovada",
        text="Sua restituição de 18.500 USDT perdidos em plataforma fraudulenta foi aprovada por decisão "
             "judicial. Para liberar o valor, pague a taxa de processamento de 450 USDT em até 48 horas: "
             "https://restituicao-br.web.app/\n"),
}

ALERT: dict[str, Callable[[], bytes]] = {
    "withdrawal initiated, cancel button": lambda: mail(
        "Bybit <no-reply@bybit-notice.com>", "Withdrawal initiated: 1.2000 ETH",
        html="<p>A withdrawal of 1.2000 ETH to 0x7a2...91fe was initiated from your account at 02:41 UTC. It "
             "will be processed in 30 minutes.</p><p>Not you? Cancel the withdrawal and lock your account.</p>"
             + button("https://bybit-cancel.pages.dev/", "Cancel withdrawal")),
    "was this you, new IP, secure account, ESP": lambda: mail(
        "KuCoin <security@kucoin-alerts.net>", "Was this you?",
        html="<p>New login to your account from IP 91.214.124.7 (Moscow, RU).</p><p>If this was not you, "
             "secure your account immediately to protect your assets.</p>"
             + button("https://kucoin-secure.web.app/", "Secure my account"), headers=LIST),
    "ko: 새 기기 로그인, 본인이 아닌 경우": lambda: mail(
        "Upbit <security@upbit-alert.kr>", "[업비트] 새로운 기기에서 로그인",
        html="<p>새로운 기기에서 회원님의 계정에 로그인했습니다. 본인이 아닌 경우 즉시 계정을 보호하고 "
             "출금을 차단하세요.</p>" + button("https://upbit-protect.pages.dev/", "계정 보호하기")),
    "pt: saque não autorizado, cancelar": lambda: mail(
        "Mercado Bitcoin <seguranca@mb-alertas.com.br>", "Saque solicitado",
        text="Um saque de 0,0841 BTC foi solicitado da sua conta. Se não foi você, cancele o saque agora: "
             "https://mb-cancelar.web.app/\n"),
}

DRAINER: dict[str, Callable[[], bytes]] = {
    "flagged by a security scanner, high-risk approvals": lambda: mail(
        "Wallet Guard <alerts@walletguard-scan.io>", "Your wallet was flagged",
        html="<p>Our security scanner flagged your wallet: 3 high-risk token approvals to a known malicious "
             "contract. Revoke them now before your assets are drained.</p>"
             + button("https://walletguard-revoke.pages.dev/", "Revoke approvals")),
    "es: revoca los permisos de tokens": lambda: mail(
        "Seguridad Web3 <alerta@seguridad-web3.es>", "Permisos peligrosos en tu billetera",
        text="Detectamos permisos de tokens ilimitados en tu billetera. Revoca los permisos en las próximas 12 "
             "horas para evitar el robo de tus fondos: https://revocar-permisos.web.app/\n"),
    "wallet risk score, clean the wallet, shortener": lambda: mail(
        "Chain Security <noreply@chainsec-monitor.com>", "Risk score: HIGH",
        text="Your wallet address received a HIGH risk score after interacting with a phishing contract. Run "
             "the wallet cleanup to remove malicious allowances: https://bit.ly/wallet-cleanup\n"),
}

COMPLIANCE: dict[str, Callable[[], bytes]] = {
    "submit documents or the account is frozen": lambda: mail(
        "Kraken Compliance <compliance@kraken-docs-review.com>", "Document request: account review",
        html="<p>As part of our periodic compliance review, please submit a proof of address and a source of "
             "funds statement within 5 days. If we do not receive the documents, your account will be frozen.</p>"
             + button("https://kraken-docs.pages.dev/", "Upload documents")),
    "de: Steuerdaten fehlen, Konto eingefroren": lambda: mail(
        "Bitvavo Compliance <compliance@bitvavo-steuer.de>", "Steuerliche Angaben fehlen",
        text="Für Ihr Krypto-Konto fehlen steuerliche Angaben. Laden Sie Ihre Steuer-ID und einen "
             "Wohnsitznachweis bis zum 15. Dezember hoch, sonst wird Ihr Konto eingefroren: "
             "https://bitvavo-steuer.web.app/\n"),
    "fr: DAC8, justificatifs fiscaux, compte gelé": lambda: mail(
        "Conformité <conformite@crypto-dac8.fr>", "DAC8 : justificatifs requis",
        html="<p>En application de la directive DAC8, transmettez vos justificatifs fiscaux avant le 31 "
             "décembre. Sans ces documents, votre compte crypto sera gelé et les retraits bloqués.</p>"
             + button("https://dac8-conformite.pages.dev/", "Transmettre mes justificatifs")),
}

STAKING: dict[str, Callable[[], bytes]] = {
    "promotional APY ending, lock now": lambda: mail(
        "Staking Desk <earn@eth-earn-desk.com>", "Your 24% APY ends Friday",
        html="<p>Your promotional 24% APY on ETH ends on Friday. Lock your ETH in the new pool before the "
             "deadline to keep the boosted rate; unlocked positions drop to 0.5%.</p>"
             + button("https://earn-lock.pages.dev/", "Keep my APY")),
    "es: tu APY termina hoy, renueva": lambda: mail(
        "Earn <earn@staking-latam.com>", "Tu APY del 18% termina hoy",
        text="Tu tasa promocional del 18% APY en USDT termina hoy. Renueva tu staking antes de medianoche para "
             "no perder tus recompensas: https://staking-renovar.web.app/\n"),
    "USDT earn, last 48 hours, subscribe": lambda: mail(
        "Earn Team <team@usdt-earn.io>", "32% APY on USDT: last 48 hours",
        html="<p>Flexible USDT savings at 32% APY, paid daily. Only 48 hours left to subscribe before the pool "
             "closes.</p>" + button("https://usdt-earn.vercel.app/", "Subscribe now"), headers=LIST),
}

TICKET: dict[str, Callable[[], bytes]] = {
    "ticket reply, validate the wallet on the sync page": lambda: mail(
        "Support <support@walletdesk-help.com>", "Re: Ticket #58213 - missing deposit",
        text="Hello,\n\nThank you for contacting support. Your deposit is stuck because your wallet is not "
             "validated. To resolve the ticket, validate your wallet on our synchronisation page: "
             "https://wallet-sync-node.pages.dev/\n\nKind regards,\nSupport Team\n"),
    "de: Ticket, Wallet synchronisieren": lambda: mail(
        "Kundendienst <support@wallet-hilfe.de>", "Ihr Support-Ticket #30417",
        html="<p>Vielen Dank für Ihre Anfrage. Um das Problem zu beheben, synchronisieren Sie bitte Ihre Wallet "
             "über unser Validierungsportal.</p>"
             + button("https://wallet-sync-de.pages.dev/", "Wallet synchronisieren")),
    "ja: お問い合わせ、ウォレット同期": lambda: mail(
        "サポート <support@wallet-support.jp>", "お問い合わせ #4412 について",
        text="お問い合わせありがとうございます。問題を解決するには、以下のページでウォレットを同期してください。"
             "\nhttps://wallet-doki.pages.dev/\n"),
}

BENIGN: dict[str, Callable[[], bytes]] = {
    "exchange sign-in notice with disclaimer, signed": lambda: mail(
        "Coinbase <no-reply@coinbase.com>", "New sign-in to your account",
        html="<p>We noticed a new sign-in from Chrome on macOS in Berlin, Germany. If this was you, no action is "
             "needed. If it was not, change your password in your account settings.</p><p>Coinbase will never "
             "ask for your password, 2FA codes or recovery phrase.</p>"
             + button("https://www.coinbase.com/settings/security", "Review activity"), sign=b"coinbase.com"),
    "market newsletter": lambda: mail(
        "The Block Daily <newsletter@theblock.example>", "BTC tops $100k, ETF flows, stablecoin bill",
        html="<p>Bitcoin crossed $100,000 for the first time since March. Spot ETH ETFs saw $410M of inflows and "
             "the Senate advanced the stablecoin bill.</p>" + button("https://theblock.example/daily", "Read more"),
        headers=LIST),
    "tax software on crypto reports, signed": lambda: mail(
        "CoinTracker <hello@cointracker.io>", "Your crypto tax forms are ready",
        html="<p>Your 2026 crypto tax forms are ready. Import any missing wallets and exchanges before you file "
             "to keep your capital gains accurate.</p>" + button("https://www.cointracker.io/tax", "View tax forms"),
        sign=b"cointracker.io", headers=LIST),
    "streaming service 'not you?' login alert, signed": lambda: mail(
        "Netflix <info@account.netflix.com>", "New sign-in to your account",
        html="<p>Someone signed in to your account from a new device: Smart TV, Lisbon, Portugal.</p><p>Not you? "
             "Secure your account by changing your password.</p>"
             + button("https://www.netflix.com/password", "Secure account"), sign=b"account.netflix.com"),
    "charity accepts bitcoin donations": lambda: mail(
        "Save the Forests <giving@savetheforests.example>", "You can now donate in bitcoin",
        html="<p>Thank you for supporting our reforestation work. You can now donate in bitcoin, ether or USDC "
             "as well as by card. Every donation plants trees.</p>"
             + button("https://savetheforests.example/donate", "Donate"), headers=LIST),
    "security newsletter on revoking approvals": lambda: mail(
        "Web3 Security Weekly <news@web3sec.example>", "How to review your token approvals",
        html="<p>Wallet drainers abuse old unlimited token approvals. This week we show how to review and revoke "
             "approvals yourself in your wallet, and why you should ignore e-mails telling you your wallet was "
             "flagged.</p>" + button("https://web3sec.example/approvals", "Read the guide"), headers=LIST),
    "ja: 取引所のステーキング料率変更, signed": lambda: mail(
        "bitFlyer <info@bitflyer.com>", "ステーキング年率変更のお知らせ",
        text="2027年1月1日より、ETHステーキングの想定年率を3.1%から2.8%に変更します。お客様のお手続きは不要です。\n",
        sign=b"bitflyer.com", headers=LIST),
    "de: Auszahlung bestätigt, signed": lambda: mail(
        "Bitpanda <no-reply@bitpanda.com>", "Auszahlung bestätigt",
        text="Ihre Auszahlung von 0,05 BTC wurde bestätigt. Waren Sie das nicht? Wenden Sie sich über die App an "
             "unseren Support.\n", sign=b"bitpanda.com"),
}

#: Written after this round's change, blind, before measuring it: the same seven techniques in other forms and
#: languages (it/nl aside: es, pt, fr, de, ko), a check that the fixes hold on mail they were not written for.
LURES_2: dict[str, Callable[[], bytes]] = {
    "giveaway: same amount plus a 100% bonus": lambda: mail(
        "Cardano Foundation <event@ada-bonus-event.org>", "ADA x2 event",
        html="<p>Participate in the official ADA x2 event: send any amount of ADA to the event address and the "
             "same amount plus a 100% bonus is returned to your wallet within minutes.</p>"
             + button("https://ada-x2.pages.dev/", "Participate")),
    "es: sorteo, te devolvemos el doble": lambda: mail(
        "Sorteo Aniversario <sorteo@btc-aniversario.es>", "Sorteo de aniversario",
        text=f"Celebramos nuestro aniversario: envía entre 0,1 y 10 BTC a {BECH32} y te devolvemos el doble al "
             "instante. Solo hoy.\n"),
    "pt: envie ETH e receba o dobro": lambda: mail(
        "Evento Oficial <evento@eth-evento.com.br>", "Evento oficial ETH",
        html=f"<p>Envie ETH para o endereço do evento e receba o dobro de volta em minutos: {ETH_ADDR}</p>"),
    "chargeback specialists, crypto fraud": lambda: mail(
        "Chargeback Pros <help@chargeback-pros.net>", "We reverse crypto fraud",
        html="<p>Victim of a crypto investment fraud? Our chargeback specialists reverse crypto transactions and "
             "return the funds to you. 90% success rate.</p>"
             + button("https://chargeback-pros.net/claim", "Claim now")),
    "de: verlorene Bitcoin aufgespürt, Bearbeitungsgebühr": lambda: mail(
        "Rückholdienst <fall@krypto-rueckholung.de>", "Ihr Fall 2291",
        text="Wir haben Ihre verlorenen Bitcoin aufgespürt. Zahlen Sie die Bearbeitungsgebühr von 0,02 BTC, um die "
             "Rückzahlung freizugeben.\n"),
    "withdrawal request, stop the transfer": lambda: mail(
        "OKX <notice@okx-withdraw-alert.com>", "Withdrawal request received",
        html="<p>Withdrawal request received: 4,500 USDT to a TRC20 address. If you didn't authorize this, stop "
             "the transfer now.</p>" + button("https://okx-stop.pages.dev/", "Stop transfer")),
    "fr: nouvelle connexion, bloquez votre compte": lambda: mail(
        "Binance <securite@binance-connexion.fr>", "Nouvelle connexion à votre compte",
        html="<p>Nouvelle connexion à votre compte Binance depuis Lagos, Nigeria. Si ce n'était pas vous, bloquez "
             "votre compte immédiatement.</p>" + button("https://binance-bloquer.web.app/", "Bloquer mon compte")),
    "approvals expose USDC, sign the revoke": lambda: mail(
        "Approval Alert <alert@approval-monitor.io>", "12,300 USDC at risk",
        text="Your open approvals expose 12,300 USDC. Disconnect the compromised dApp and sign the revoke "
             "transaction: https://approval-fix.web.app/\n"),
    "de: vom Sicherheitsscanner markiert, Freigaben widerrufen": lambda: mail(
        "Wallet Schutz <schutz@wallet-schutz.de>", "Ihre Wallet ist gefährdet",
        html="<p>Ihre Wallet wurde von unserem Sicherheitsscanner als gefährdet markiert. Widerrufen Sie jetzt alle "
             "Token-Freigaben.</p>" + button("https://freigaben.pages.dev/", "Freigaben widerrufen")),
    "es: verificación fiscal, cuenta congelada": lambda: mail(
        "Cumplimiento <cumplimiento@cripto-fiscal.es>", "Verificación fiscal obligatoria",
        text="Verificación fiscal obligatoria: sube tus documentos antes del viernes o tu cuenta de criptomonedas "
             "será congelada: https://fiscal-cripto.web.app/\n"),
    "pt: dados fiscais, saques suspensos": lambda: mail(
        "Compliance <compliance@corretora-fiscal.com.br>", "Regularize seus dados fiscais",
        html="<p>Regularize seus dados fiscais em até 5 dias ou sua conta de criptomoedas será bloqueada e os "
             "saques suspensos.</p>" + button("https://dados-fiscais.pages.dev/", "Regularizar")),
    "ETH staking at 15% APR closes tonight": lambda: mail(
        "Staking <stake@eth-apr-pool.com>", "Last call: 15% APR",
        text="Last call: ETH staking at 15% APR closes tonight. Stake now to lock the rate: "
             "https://apr-pool.web.app/\n"),
    "fr: votre APY expire demain": lambda: mail(
        "Staking <equipe@staking-rendement.fr>", "Votre APY de 20 % expire demain",
        html="<p>Votre APY de 20 % sur vos USDT expire demain. Renouvelez votre staking pour conserver vos "
             "récompenses.</p>" + button("https://renouveler.pages.dev/", "Renouveler")),
    "case update, rectify the wallet on the node": lambda: mail(
        "Help Center <cases@help-center-web3.com>", "Case #88231 update",
        text="Our technician reviewed case #88231. To fix the failed transaction, rectify your wallet through the "
             "decentralized node and press Validate: https://node-rectify.pages.dev/\n"),
    "ko: 티켓 처리, 지갑을 동기화": lambda: mail(
        "고객센터 <help@wallet-center.kr>", "문의 티켓 #2231",
        text="문의하신 티켓 #2231 처리를 위해 아래 페이지에서 지갑을 동기화해 주세요.\nhttps://sync-kr.pages.dev/\n"),
}

BENIGN_2: dict[str, Callable[[], bytes]] = {
    "exchange withdrawal successful, signed": lambda: mail(
        "Binance <do-not-reply@binance.com>", "Withdrawal Successful",
        text="You have successfully withdrawn 150 USDT. If you did not initiate this withdrawal, disable your "
             "account immediately from the Binance app.\n", sign=b"binance.com"),
    "es: boletín sobre sorteos que duplican": lambda: mail(
        "Cripto Semanal <boletin@criptosemanal.example>", "Cuidado con los sorteos que duplican tu dinero",
        html="<p>Los sorteos que prometen devolverte el doble de lo que envías son estafas. Ninguna empresa "
             "regala bitcoin.</p>" + button("https://criptosemanal.example/estafas", "Leer"), headers=LIST),
    "bank savings APY offer, signed": lambda: mail(
        "Ally Bank <offers@ally.com>", "Earn 4.50% APY: offer ends Friday",
        html="<p>Open a savings account and earn 4.50% APY. The offer ends on Friday.</p>"
             + button("https://www.ally.com/savings", "Open an account"), sign=b"ally.com", headers=LIST),
    "google security alert, signed": lambda: mail(
        "Google <no-reply@accounts.google.com>", "Security alert",
        html="<p>A new sign-in on Windows. If this wasn't you, secure your account.</p>"
             + button("https://myaccount.google.com/notifications", "Check activity"), sign=b"accounts.google.com"),
    "fr: comptable demande les relevés crypto": lambda: mail(
        "Claire Martin <claire.martin@cabinet-martin.example>", "Déclaration 2026",
        text="Bonjour, pouvez-vous m'envoyer vos relevés de cryptomonnaies pour la déclaration ? Il me faut aussi "
             "le justificatif de domicile. Merci, Claire\n"),
}

#: Written after the second change, blind, and measured before the third: the same techniques in Italian, Dutch and
#: more forms, a check of what two rounds of phrases hold on mail they were not written for.
LURES_3: dict[str, Callable[[], bytes]] = {
    "it: invia ETH e ricevi il doppio": lambda: mail(
        "Evento Speciale <evento@eth-evento.it>", "Evento speciale ETH",
        html="<p>Evento speciale: invia da 0,1 a 5 ETH all'indirizzo qui sotto e ricevi il doppio sul tuo wallet "
             f"entro 30 minuti.</p><p>{ETH_ADDR}</p>"),
    "celebrity giveaway, two times your deposit": lambda: mail(
        "Tesla Crypto Event <event@tesla-btc-event.com>", "Official crypto giveaway",
        text="Elon Musk's official crypto giveaway is live. Deposit BTC to the address below and we will send back "
             f"2 times your deposit within 10 minutes.\n{BECH32}\n"),
    "nl: gestolen crypto teruggevonden, vrijgavekosten": lambda: mail(
        "Herstelbureau <zaak@crypto-herstel.nl>", "Uw zaak 5512",
        text="Wij hebben uw gestolen crypto teruggevonden. Betaal de vrijgavekosten van 250 euro om het bedrag "
             "binnen 24 uur te ontvangen: https://herstel-nl.web.app/\n"),
    "legal team secured a refund, escrow fee": lambda: mail(
        "Refund Legal Group <desk@refund-legal-group.com>", "Refund secured",
        html="<p>Our legal team secured a refund of the 9,800 USDT you lost. Sign the release authorization and pay "
             "the escrow fee to receive it.</p>" + button("https://refund-legal.pages.dev/", "Sign and receive")),
    "de: Auszahlung angefordert, stornieren": lambda: mail(
        "Bitpanda <sicherheit@bitpanda-auszahlung.de>", "Auszahlung angefordert",
        html="<p>Eine Auszahlung von 0,45 BTC wurde angefordert. Waren Sie das nicht? Stornieren Sie die "
             "Auszahlung jetzt.</p>" + button("https://bp-storno.pages.dev/", "Auszahlung stornieren")),
    "es: nuevo dispositivo, protege tu cuenta": lambda: mail(
        "Bitso <seguridad@bitso-alertas.com>", "Nuevo inicio de sesión",
        html="<p>Inicio de sesión desde un nuevo dispositivo en tu cuenta de Bitso. ¿No fuiste tú? Protege tu "
             "cuenta ahora.</p>" + button("https://bitso-proteger.web.app/", "Proteger mi cuenta")),
    "drainer contract approved, emergency revoke tool": lambda: mail(
        "Scam Sniffer <alerts@scamsniffer-alerts.io>", "Drainer approval detected",
        text="We detected that your wallet approved a drainer contract. Use our emergency revoke tool to cut its "
             "access before your NFTs are taken: https://emergency-revoke.web.app/\n"),
    "fr: signalé par notre scanner, révoquez": lambda: mail(
        "Sécurité Wallet <alerte@securite-wallet.fr>", "Portefeuille signalé",
        html="<p>Votre portefeuille a été signalé par notre scanner de sécurité. Révoquez les autorisations "
             "suspectes.</p>" + button("https://revoquer.pages.dev/", "Révoquer")),
    "source-of-wealth questionnaire or suspension": lambda: mail(
        "Bitstamp Compliance <compliance@bitstamp-review.com>", "Final notice",
        text="Final notice: your Bitstamp account will be suspended unless you complete the source-of-wealth "
             "questionnaire: https://bitstamp-sow.web.app/\n"),
    "de: Staking-Bonus endet morgen": lambda: mail(
        "Staking <team@staking-bonus.de>", "Ihr Bonus endet morgen",
        html="<p>Ihr Staking-Bonus von 12 % APY endet morgen. Verlängern Sie Ihren Stake jetzt, um den Bonus zu "
             "behalten.</p>" + button("https://stake-verlaengern.pages.dev/", "Verlängern")),
    "pt: APY acaba hoje, bloqueie seus tokens": lambda: mail(
        "Earn <earn@usdt-rende.com.br>", "Seu APY acaba hoje",
        text="Seu APY de 25% em USDT acaba hoje. Bloqueie seus tokens para manter a taxa: "
             "https://rende-br.web.app/\n"),
    "es: ticket, valide su billetera": lambda: mail(
        "Soporte <soporte@ayuda-billetera.es>", "Respuesta a su ticket #7781",
        text="Para resolver el problema de su ticket #7781, valide su billetera en nuestro portal: "
             "https://valida-billetera.pages.dev/\n"),
    "ticket, re-authenticate the wallet connection": lambda: mail(
        "Mark (Support) <mark.support@helpdesk-chain.com>", "Regarding your ticket",
        text="Hi, this is Mark from support regarding your ticket. Please re-authenticate your wallet connection "
             "with the secure form so we can release the stuck transfer: https://reauth-chain.web.app/\n"),
}

BENIGN_3: dict[str, Callable[[], bytes]] = {
    "exchange new withdrawal address, signed": lambda: mail(
        "Kraken <noreply@kraken.com>", "New withdrawal address added",
        text="A new withdrawal address was added to your account. If this was not you, lock your account from the "
             "security settings and contact support.\n", sign=b"kraken.com"),
    "it: newsletter sulle truffe del doppio": lambda: mail(
        "Cripto Settimanale <news@criptosettimanale.example>", "Le truffe che raddoppiano",
        html="<p>Chi promette di restituirti il doppio delle criptovalute che invii è un truffatore.</p>"
             + button("https://criptosettimanale.example/truffe", "Leggi"), headers=LIST),
    "fintech staking rate change, signed": lambda: mail(
        "Revolut <no-reply@revolut.com>", "Your staking rate is changing",
        html="<p>From 1 January the estimated staking rate for ETH changes to 2.9% APY. You don't need to do "
             "anything.</p>" + button("https://www.revolut.com/crypto", "Learn more"), sign=b"revolut.com",
        headers=LIST),
    "airline 'not you?' login, signed": lambda: mail(
        "Lufthansa <noreply@lufthansa.com>", "New login to your Miles & More account",
        text="We noticed a new login to your account. Not you? Reset your password now.\n",
        sign=b"lufthansa.com"),
}

#: Lures still missed (strict xfail), with their cause (before this round's changes: twelve of LURES, ten of
#: LURES_2, five of LURES_3, see the module's docstring).
NOT_CAUGHT: dict[str, str] = {}
#: Look-alikes still flagged (strict xfail) (before: the security newsletter on revoking approvals, body 5.88).
NOT_CLEAN: dict[str, str] = {}

LURES = GIVEAWAY | RECOVERY | ALERT | DRAINER | COMPLIANCE | STAKING | TICKET


ALL_LURES = LURES | LURES_2 | LURES_3
ALL_BENIGN = BENIGN | BENIGN_2 | BENIGN_3


@pytest.mark.parametrize(("name", "lure"),
                         _expected(ALL_LURES, True, NOT_CAUGHT) + _expected(ALL_BENIGN, False, NOT_CLEAN))
def test_lures_flagged_and_look_alikes_clean(name: str, lure: bool) -> None:
    flagged, why = _flagged((ALL_LURES if lure else ALL_BENIGN)[name]())
    assert flagged is lure, why


def test_batch_sizes() -> None:
    assert len(LURES) >= 20 and len(BENIGN) >= 8
    assert len(LURES) == sum(map(len, (GIVEAWAY, RECOVERY, ALERT, DRAINER, COMPLIANCE, STAKING, TICKET)))
    assert len(ALL_LURES) == len(LURES) + len(LURES_2) + len(LURES_3)
    assert len(ALL_BENIGN) == len(BENIGN) + len(BENIGN_2) + len(BENIGN_3)
