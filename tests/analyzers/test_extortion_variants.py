"""Extortion, fake-balance and get-rich lures in the wording of their real families, against look-alikes.

Every mail here is written for this test (none is copied from a sample): each lure is a different
paraphrase of one of the families these scams come in -- sextortion ("your password is ...", webcam,
Pegasus on the phone), "I know your secret", bomb and hit-man threats, stolen-data ransom, recovery and
refund scams, cloud-mining and exchange balances waiting for a fee, "you received 2.5 BTC, confirm",
airdrops, pig-butchering and trading-robot lures -- in fifteen languages, written as plain text, as
HTML only, with the address in an image's alt text, as a reply or a forward.  What they share is the
technique's anatomy (analyzers/extortion_common), not phrases.  The benign mails beside them have the
same words in another structure (news quoting an address, an exchange's notice, a tax letter, an
invoice, a colleague's request, fiction, an awareness newsletter, a bug bounty) and must stay clean.
"""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from coinguard.analyzers.crypto_theme import INVESTMENT_SCORE
from coinguard.analyzers.extortion_common import anatomy, prepare
from coinguard.findings import Verdict, VerdictKind
from extortion_helpers import codes, scan

from helpers import make_message

BECH32 = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # BIP-173's valid example
P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
P2PKH = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
ETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55's example


def html_only(sender: str, subject: str, html: str) -> bytes:
    """A message whose only body is HTML (no text/plain alternative)."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "reader@example.net", subject
    msg["Message-ID"], msg["Date"] = "<v-1@example.org>", "Tue, 24 Nov 2026 10:00:00 +0000"
    msg.set_content(html, subtype="html")
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def spaced(address: str) -> str:
    return " ".join(address)


#: A mail: (subject, plain body, HTML body or None).  HTML-only when the plain body is "".
Mail = tuple[str, str, "str | None"]

EXTORTIONS: dict[str, Mail] = {
    "en: your password is, adult site, 24 hours": (
        "hunter2!x", "I know hunter2!x is your password. I put a program on the adult site you like and it "
        f"switched your webcam on while you watched. Send $1900 in bitcoin to {P2SH} within 24 hours. "
        "Do not tell anybody about this letter.", None),
    "en: Pegasus on the phone, chats and photos, 50 hours": (
        "Security alert for your iPhone",
        "Pegasus has been running on your iPhone for months. Every chat, every photo and every NSFW page you "
        f"opened is on my drive now. Transfer 1450 USD worth of BTC to {BECH32}. You have 50 hours from the "
        "moment you open this email, then your relatives get the whole archive.", None),
    "en: I know your secret, an affair, the wife": (
        "I know your secret",
        "I know about the affair you've been hiding from your wife. I have the pictures and the hotel "
        f"receipts. Pay 0.15 BTC to {P2PKH} within 3 days or she gets everything, and so does your boss. "
        "Keep this between us.", None),
    "en: a hit man paid to end your life": (
        "Your life",
        "Someone you know paid me to end your life. I am a professional and I have watched you for a week. "
        f"I give you one chance: pay me 0.5 BTC at {BECH32} within 48 hours and I will tell you who ordered it "
        "and walk away. Contact the police and the contract is carried out at once.", None),
    "en: a device planted in the building": (
        "Read carefully",
        "There is a device planted in the building where you work. It contains tetryl and it will blow up "
        f"unless I receive $20,000 in Bitcoin at {P2SH} before the end of the working day. If I notice police "
        "or anyone acting unusual, I will set it off.", None),
    "en: a database copied, leaked in 48 hours": (
        "Your database",
        "All your data has been backed up to our servers. We downloaded the customer tables and the mail "
        f"archive. To recover them send 0.01 BTC to {BECH32}. If we don't receive payment within 48 hours, we "
        "will leak everything to the public and to your customers.", None),
    "en: the mailbox was compromised, the address book": (
        "Mailbox",
        "Your mailbox was compromised in March. I have full access to it and I read your correspondence. I "
        f"copied your address book too. Send $950 in Bitcoin to {P2PKH} within 2 days, otherwise everyone in "
        "your address book receives your private mail.", None),
    "en: the address spaced out, amount in USD": (
        "last warning",
        "I recorded you with your own camera while you were on a porn site. Pay $1,200 to my wallet within "
        f"48 hours, copy it without the spaces: {spaced(BECH32)}. If you go to the police the video goes to "
        "your contacts.", None),
    "en: amount in words": (
        "Pay attention",
        "My malware filmed you through the webcam during your visits to adult pages. Send one thousand three "
        f"hundred US dollars in Bitcoin to {P2SH}. You have two days. Nobody can help you.", None),
    "en: HTML only, address in an image's alt text": (
        "Private", "",
        "<html><body><p>I hacked your computer and the camera recorded everything you did on those "
        "pornographic sites.</p><p>Send <b>$800</b> in bitcoin within <i>48 hours</i> to the wallet below, or "
        f"the clip goes to all your contacts.</p><img src='cid:wallet' alt='{P2PKH}'></body></html>"),
    "en: a reply quoting an earlier mail": (
        "Re: Re: your order",
        "This is the last time I write. I hacked your device and recorded you through the webcam.\n"
        f"Send 0.04 BTC to {BECH32} within 24 hours or your contacts see the video.\n\n"
        "On Mon, 23 Nov 2026, you wrote:\n> Who are you? Stop writing to me.\n> I will not pay.", None),
    "en: slang for the shameful act": (
        "Hi pervert",
        "I caught you pleasuring yourself to some filthy clips. My software was in your browser and it used "
        f"your laptop's lens. Transfer $1,150 in Litecoin to the wallet in this mail within 72 hours: {P2SH}. "
        "Tell no one.", None),
    "en: a zero-day in the router, a RAT": (
        "Your router",
        "A zero-day exploit in your router let me install a remote administration tool on every device in "
        "your home. I have hours of footage from your screen and your camera. Send 0.07 BTC to "
        f"{BECH32} within 36 hours or it all goes online.", None),
    "en: HTML only, words split by tags": (
        "Notice", "",
        "<html><body><div><span>I</span> <span>have</span> <span>access</span> <span>to</span> "
        "<span>your</span> <span>phone</span>. <span>My</span> <span>spyware</span> <span>recorded</span> "
        "<span>you</span> <span>naked</span>. <span>Send</span> <span>0.03</span> <span>BTC</span> "
        f"<span>to</span> <span>{P2PKH}</span> <span>within</span> <span>48</span> <span>hours</span>."
        "</div></body></html>"),
    "en: cloud photos stolen, forwarded": (
        "Fwd: photos",
        "---------- Forwarded message ---------\nFrom: unknown\n\nI downloaded every photo from your cloud "
        "storage, the intimate ones too. I will post them on social media and send them to your colleagues "
        f"unless you pay 0.06 BTC to {BECH32}. You have 2 days.", None),
    "de: Ihr Passwort, Webcam, 48 Stunden": (
        "Ihr Konto",
        "Ich kenne Ihr Passwort: sommer2019. Mein Trojaner hat über Ihre Webcam aufgezeichnet, was Sie auf "
        f"Pornoseiten tun. Überweisen Sie 1.200 € in Bitcoin an {P2SH} innerhalb von 48 Stunden. Sagen Sie "
        "niemandem davon.", None),
    "de: ich kenne Ihr Geheimnis, die Affäre": (
        "Ich weiß Bescheid",
        "Ich weiß von Ihrer Affäre. Ich habe Fotos von Ihnen und dieser Frau. Zahlen Sie 0,2 BTC an "
        f"{BECH32}, sonst bekommt Ihre Ehefrau die Bilder, und Ihr Arbeitgeber auch. Sie haben 3 Tage.", None),
    "de: Bombendrohung": (
        "Warnung",
        "In Ihrem Gebäude habe ich einen Sprengsatz versteckt. Er wird gezündet, wenn ich nicht bis heute "
        f"Abend 15.000 Dollar in Bitcoin an {P2PKH} bekomme. Wenn Sie die Polizei rufen, explodiert er.", None),
    "fr: webcam, sites pour adultes, 48 heures": (
        "Votre ordinateur",
        "J'ai piraté votre appareil et votre webcam m'a permis de vous filmer pendant vos visites de sites "
        f"pornographiques. Envoyez 900 € en bitcoin à {BECH32} sous 48 heures, sinon la vidéo partira à tous "
        "vos contacts.", None),
    "fr: compte compromis, données volées": (
        "Compte compromis",
        "Votre compte a été compromis. J'ai copié vos courriels et vos photos personnelles. Payez 0,05 BTC à "
        f"l'adresse {P2SH} dans les 72 heures, ou je publie tout sur les réseaux sociaux. N'en parlez à "
        "personne.", None),
    "es: tu contraseña, cámara, 48 horas": (
        "Seguridad",
        "Tu contraseña es luna1987. Instalé un virus en tu dispositivo y la cámara te grabó viendo videos "
        f"para adultos. Envía 700 dólares en Bitcoin a {BECH32} en 48 horas o tus contactos lo verán.", None),
    "es: sicario": (
        "Tu vida",
        "Me pagaron para matarte. Soy un sicario y conozco tu casa. Si me pagas 0,4 BTC a "
        f"{P2PKH} en 24 horas, cancelo el trabajo. Si hablas con la policía, mueres.", None),
    "it: password, webcam, 48 ore": (
        "Attenzione",
        "Conosco la tua password e ho installato un trojan sul tuo computer. La webcam ti ha registrato su "
        f"siti porno. Invia 650 euro in Bitcoin a {BECH32} entro 48 ore, altrimenti il video va a tutti i "
        "tuoi contatti.", None),
    "pt: hackeei, vídeos íntimos, 3 dias": (
        "Seu celular",
        "Hackeei o seu celular e gravei vídeos íntimos seus pela câmera. Pague 0,03 BTC para "
        f"{P2SH} em 3 dias ou publico tudo para a sua família. Não conte a ninguém.", None),
    "nl: gehackt, webcam, 48 uur": (
        "Let op",
        "Ik heb je computer gehackt en via je webcam opnames gemaakt terwijl je porno keek. Betaal 0,04 BTC "
        f"naar {BECH32} binnen 48 uur, anders krijgen al je contacten de video.", None),
    "pl: zhakowałem, kamera, 48 godzin": (
        "Ważne",
        "Zhakowałem twój komputer i nagrałem cię kamerką na stronach porno. Wyślij 0,05 BTC na "
        f"{P2PKH} w ciągu 48 godzin, inaczej nagranie trafi do wszystkich twoich kontaktów.", None),
    "ru: Pegasus, переписка, 48 часов": (
        "Ваш телефон",
        "Я установил шпионскую программу на ваш телефон и скопировал всю переписку и фото. Переведите "
        f"0,05 BTC на {BECH32} в течение 48 часов, иначе я разошлю всё вашим контактам.", None),
    "ja: ハッキング, 動画, 48時間": (
        "あなたの秘密",
        "私はあなたのデバイスをハッキングし、アダルトサイトを見ているあなたをカメラで録画しました。"
        f"48時間以内に1500ドル相当のビットコインを{P2SH}に送金してください。"
        "さもなければ動画を連絡先に送ります。", None),
    "ko: 해킹, 영상, 48시간": (
        "중요",
        f"나는 당신의 휴대폰을 해킹해서 카메라로 음란한 영상을 녹화했다. 48시간 안에 0.05 BTC를 {BECH32}로 "
        "송금해라. 그렇지 않으면 연락처 전체에 유포하겠다.", None),
    "zh: 黑客, 视频, 48小时": (
        "你的秘密",
        f"我是黑客，我已经控制了你的电脑，并用摄像头录下了你看色情网站的视频。请在48小时内向{P2PKH}支付0.05 BTC，"
        "否则我会把视频发给你所有的联系人。", None),
    "tr: hackledim, kamera, 48 saat": (
        "Önemli",
        "Bilgisayarını hackledim ve kameranla porno izlerken seni kaydettim. 48 saat içinde "
        f"{BECH32} adresine 0,05 BTC gönder, yoksa video tüm kişilerine gider.", None),
    "ar: اختراق, كاميرا, 48 ساعة": (
        "تحذير",
        "لقد قمت باختراق جهازك وقمت بتسجيل فيديو لك عبر الكاميرا أثناء مشاهدتك مواقع إباحية. "
        f"أرسل 0.05 BTC إلى {P2SH} خلال 48 ساعة وإلا سأرسل الفيديو إلى جميع جهات الاتصال لديك.", None),
    "id: meretas, video, 48 jam": (
        "Penting",
        "Saya telah meretas perangkat Anda dan merekam video Anda lewat kamera saat menonton situs porno. "
        f"Kirim 0,05 BTC ke {BECH32} dalam 48 jam, atau video akan saya sebarkan ke semua kontak Anda.", None),
    "en: tether on tron, a week of screenshots": (
        "Screenshots",
        "For a week my spy program took screenshots of your screen, your private chats included. Your "
        f"partner and your employer will receive them unless you send 900 USDT (TRC20) to my wallet {ETH} "
        "by midnight.", None),
    "en: a police-style accusation paid in bitcoin": (
        "Case file 2231",
        "I have evidence of your visits to illegal adult websites: logs, screenshots and a video from your "
        f"webcam. I can make the file disappear for 0.1 BTC sent to {P2SH} within 24 hours. After that it goes "
        "to the police and to your family.", None),
}

FAKE_BALANCES: dict[str, Mail] = {
    "en: a cloud-mining contract, activation fee": (
        "Your mining contract has matured",
        "Your cloud mining contract generated 0.8 BTC. Withdraw your 0.8 BTC before the contract expires; a "
        "one-time activation fee of 0.01 BTC applies. https://cloudmine-portal.example/withdraw", None),
    "en: an exchange deposit that returns to sender": (
        "Incoming deposit",
        "3.1042 BTC have been deposited to your account. Log in to view your funds. If you do not confirm "
        "within 12 hours, the funds return to the sender. https://exchange-login.example", None),
    "en: you received 2.5 BTC, confirm": (
        "You received 2.5 BTC",
        "You have received 2.5 BTC from an external address. Confirm the incoming transfer to make it "
        "available. Unconfirmed transfers are reversed after 24 hours. https://wallet-confirm.example/tx", None),
    "en: a recovery of stolen funds, a release fee": (
        "Recovered funds",
        "Our recovery team has located 4.37 BTC stolen from you in 2021. To release the recovered funds to "
        "your wallet, pay the processing fee of $780 within 72 hours. Reply to start the transfer.", None),
    "en: an airdrop burned after 48 hours": (
        "Airdrop allocated",
        "1,500 USDT have been allocated to your wallet in our community airdrop. Claim them now: "
        "https://airdrop-claim.example. Unclaimed tokens are burned after 48 hours.", None),
    "en: a miner balance and a gas fee": (
        "Miner payout",
        "Your miner balance: 0.34 BTC. The minimum payout is reached. Pay the gas fee of 0.002 ETH to unlock "
        "your withdrawal: https://minerpool.example/payout", None),
    "en: a transaction waiting for approval": (
        "Action required",
        "A transfer of 0.9 BTC is waiting for your approval. Approve it within 6 hours or it will be "
        "cancelled. https://approve-transfer.example", None),
    "en: a dollar balance in a bitcoin wallet": (
        "Dormant wallet",
        "Your dormant Bitcoin wallet holds $48,210.55. Activate it today to withdraw the funds; inactive "
        "wallets are frozen after 3 days. https://wallet-reactivate.example", None),
    "en: HTML only, a balance notice": (
        "Balance update", "",
        "<html><body><h2>Account balance: 1.27 BTC</h2><p>Your funds are ready for withdrawal.</p><p><a "
        "href='https://withdraw-now.example'>Withdraw now</a> - the offer expires in 24 hours.</p></body></html>"),
    "en: a compensation fund for scam victims": (
        "Compensation approved",
        "You have been approved for compensation of $9,500 in USDT for losses on crypto platforms. Confirm "
        "your wallet and pay the release fee of $120 within 48 hours to receive it.", None),
    "de: gutgeschrieben, Gebühr": (
        "Gutschrift",
        "Ihrem Konto wurden 0,74 BTC gutgeschrieben. Zahlen Sie die Gebühr von 45 € und zahlen Sie das "
        "Guthaben jetzt aus: https://auszahlung.example/de", None),
    "fr: solde, retrait, 24 heures": (
        "Solde disponible",
        "Votre solde de 2,1 BTC est disponible. Confirmez votre retrait dans les 24 heures : "
        "https://solde-retrait.example", None),
    "es: fondos recuperados, comisión": (
        "Fondos recuperados",
        "Hemos recuperado 3,2 BTC de sus fondos perdidos. Para el retiro, pague la comisión de 250 dólares "
        "en 48 horas.", None),
    "it: airdrop, riscuoti, scade": (
        "Il tuo airdrop",
        "Sul tuo portafoglio sono stati accreditati 800 USDT. Riscuoti il premio prima che scada: "
        "https://riscuoti.example", None),
    "pt: mineração, saldo, saque": (
        "Saldo de mineração",
        "Sua conta de mineração tem um saldo de 0,45 BTC. Confirme o saque em 24 horas: "
        "https://saque-mineracao.example", None),
    "nl: uitbetaling, kosten": (
        "Uitbetaling",
        "Uw uitbetaling van 0,6 BTC staat klaar. Bevestig binnen 24 uur en betaal de kosten van € 30: "
        "https://uitbetaling.example", None),
    "pl: saldo, wypłata, opłata": (
        "Saldo konta",
        "Na Twoim koncie jest 0,9 BTC. Wypłać środki po uiszczeniu opłaty 0,01 BTC w ciągu 48 godzin: "
        "https://wyplata-konto.example", None),
    "ru: баланс, вывод, комиссия": (
        "Ваш баланс",
        "На вашем счету 0,5 BTC. Чтобы вывести средства, оплатите комиссию 50$ в течение 24 часов: "
        "https://vyvod.example", None),
    "ja: 残高, 出金, 24時間": (
        "残高のお知らせ",
        "あなたのアカウントに0.7 BTCの残高があります。24時間以内に出金を確認してください: "
        "https://shukkin.example", None),
    "ko: 잔액, 출금, 수수료": (
        "잔액 안내",
        "회원님의 계정에 0.6 BTC 잔액이 있습니다. 수수료를 납부하고 24시간 안에 출금하세요: https://chulgeum.example",
        None),
    "zh: 余额, 提现, 手续费": (
        "余额通知",
        "您的账户余额为 1.2 BTC。请在24小时内支付手续费并确认提现: https://tixian.example", None),
    "ar: رصيد, سحب, رسوم": (
        "رصيدك",
        "رصيد حسابك 0.8 BTC. قم بتأكيد السحب خلال 24 ساعة بعد دفع الرسوم: https://sahb.example", None),
    "id: saldo, penarikan, biaya": (
        "Saldo Anda",
        "Saldo akun Anda 0,5 BTC. Konfirmasi penarikan dalam 24 jam dan bayar biaya 0,01 BTC: "
        "https://penarikan.example", None),
}

INVESTMENTS: dict[str, Mail] = {
    "en: pig butchering, a friendly chat": (
        "hi, it's Lily from the wine tasting",
        "So nice to chat again! My uncle is an analyst and he showed me USDT contract trading. I made 38% "
        "profit last month, and I am becoming financially independent. You should register on the platform "
        "too, I will guide you step by step: https://trade-uncle.example", None),
    "en: a trading bot, $1,300 a day": (
        "The bot the banks hate",
        "This Bitcoin trading bot makes ordinary people rich: members earn $1,300 a day on autopilot. Join "
        "now, only 20 places left: https://bot-join.example", None),
    "de: Bitcoin-Roboter, reich, registrieren": (
        "Finanzielle Freiheit",
        "Mit unserem Bitcoin-Roboter werden Sie reich: Nutzer verdienen 900 € am Tag. Registrieren Sie sich "
        "heute kostenlos.", None),
    "es: plataforma, rico, regístrese": (
        "Su oportunidad",
        "Hágase rico con Bitcoin: nuestra plataforma con inteligencia artificial le hace ganar 500 € al día. "
        "Regístrese hoy.", None),
    "pt: robô, renda passiva, cadastre-se": (
        "Renda passiva",
        "Ganhe renda passiva com o robô de Bitcoin: nossos membros lucram 300 reais por dia. Cadastre-se "
        "agora.", None),
    "ru: робот, богатство, зарегистрируйтесь": (
        "Новая жизнь",
        "Станьте богатым с биткоином: наш робот зарабатывает 50 000 рублей в день. Зарегистрируйтесь сейчас.",
        None),
    "id: robot trading, kaya, daftar": (
        "Peluang",
        "Jadi kaya dengan Bitcoin: robot trading kami menghasilkan keuntungan Rp 5 juta per hari. Daftar "
        "sekarang.", None),
    "ar: منصة, ثراء, سجل": (
        "فرصة",
        "كن ثريًا مع البيتكوين: منصتنا تحقق لك أرباحًا يومية تصل إلى 500 دولار. سجل الآن.", None),
    "ja: 自動売買, 億万長者, 登録": (
        "新しい人生",
        "ビットコインの自動売買ロボットで億万長者に。毎日5万円を稼げます。今すぐ登録してください。", None),
    "zh: 平台, 致富, 注册": (
        "财富机会",
        "用比特币致富：我们的人工智能平台每天为您赚500美元。立即注册。", None),
}

LURES = ([("crypto.extortion", n, m) for n, m in EXTORTIONS.items()]
         + [("crypto.fake_balance", n, m) for n, m in FAKE_BALANCES.items()]
         + [("crypto.investment_lure", n, m) for n, m in INVESTMENTS.items()])


def build(mail: Mail, sender: str = "x <x@mailer.example>") -> bytes:
    subject, body, html = mail
    if not body and html is not None:
        return html_only(sender, subject, html)
    return make_message(sender=sender, subject=subject, body=body, html=html)


def scan_all(raw: bytes) -> Verdict:
    """The real scan, YARA rules included."""
    return scan(raw, rules=True)


def test_the_set_is_varied() -> None:
    """At least 60 lures and 25 look-alikes, none a copy of another."""
    assert len(LURES) >= 90 and len(BENIGN) >= 35
    bodies = [m[1] or m[2] for _, _, m in LURES] + [m[1] or m[2] for m in BENIGN.values()]
    assert len(set(bodies)) == len(bodies)


BENIGN: dict[str, tuple[str, Mail]] = {
    "news digest quoting an address, an amount and a deadline": (
        "Chain Weekly <digest@chainweekly.example>", (
            "Chain Weekly: exchange hack, Mt. Gox deadline, ETF flows",
            "This week: hackers drained 4,000 BTC from a mid-size exchange; on-chain sleuths traced the coins "
            f"to {BECH32}. The exchange gave users 48 hours to withdraw remaining funds before the platform "
            "pauses. Separately, the Mt. Gox trustee set the repayment deadline for 31 October, and spot ETFs "
            "took in $1.2 billion. Read more: https://chainweekly.example/issue/212", None)),
    "an exchange's real security notice": (
        "Kestrel Exchange <security@kestrel-exchange.example>", (
            "New sign-in to your account",
            "We noticed a new sign-in to your Kestrel account from Firefox on Windows in Lisbon. If this was "
            "you, no action is needed. If not, change your password and turn on two-factor authentication at "
            "https://kestrel-exchange.example/security. Your balance is unaffected. We will never ask you to "
            "send crypto or share your password.", None)),
    "a tax office letter on crypto gains": (
        "Finanzamt Musterstadt <post@finanzamt.example>", (
            "Einkommensteuerbescheid 2025",
            "Sehr geehrte Frau Berger, für 2025 ergibt sich aus Ihren Gewinnen aus Kryptowährungen (Bitcoin, "
            "Ethereum) eine Nachzahlung von 1.240,00 €. Bitte überweisen Sie den Betrag bis zum 15.01.2027 auf "
            "IBAN DE12 5001 0517 0000 0000 00. Bei Fragen erreichen Sie uns montags bis freitags.", None)),
    "an invoice with IBAN, due date and a coin option": (
        "Studio Nord <billing@studio-nord.example>", (
            "Invoice 2026-118",
            "Invoice 2026-118 for the website redesign: EUR 3,400.00, due within 14 days. Please pay by bank "
            "transfer to IBAN NL91 ABNA 0417 1643 00 or, as agreed, 0.034 BTC to our wallet "
            f"{P2PKH}. Thank you for your business.", None)),
    "a colleague asking for 0.01 BTC": (
        "Marta <marta@team.example>", (
            "test transaction",
            f"Hey, could you send 0.01 BTC to my address {BECH32}? I want to test the new node before the demo "
            "tomorrow. I'll send it back tonight.", None)),
    "a ransom-themed novel excerpt": (
        "Jonas <jonas@writers.example>", (
            "Chapter 7 draft",
            "Here is chapter 7, comments welcome.\n\nThe phone buzzed. 'Two bitcoins, Inspector, sent to the "
            "address on the card within 48 hours,' the voice said. 'No police.' Kessler looked at the photo of "
            "the girl and the timer on the video. The kidnapper had thought of everything, except the "
            "camera in the stairwell.", None)),
    "a security newsletter describing sextortion": (
        "IT Security <awareness@corp.example>", (
            "Security tip of the month: sextortion mail",
            "Scammers send emails claiming they hacked your webcam and recorded you on adult sites, quoting "
            "an old password from a data breach, and demand $1,000 in bitcoin within 48 hours. It is a scam: "
            "they have no video. Do not pay, do not reply, report it to the security team.", None)),
    "a bug bounty payout": (
        "Bounty Desk <bounty@platform.example>", (
            "Your report #4412 was rewarded",
            "Congratulations! Your report #4412 was awarded a bounty of $2,500. Rewards are paid in USDC or "
            "BTC to the payout address on your profile; confirm your payout method within 14 days. We do not "
            "charge any fees.", None)),
    "a crypto conference invitation": (
        "Bitcoin Forum 2027 <team@btcforum.example>", (
            "Bitcoin Forum 2027: register now",
            "Join 3,000 builders in Prague. Three days of talks on Bitcoin scaling, wealth management panels and "
            "daily workshops on running a node. Register before 1 March for the early-bird price.", None)),
    "a mining pool's real payout notice": (
        "PoolOps <payouts@poolops.example>", (
            "Payout sent",
            f"Payout of 0.00231 BTC sent to your wallet {BECH32}. Transaction id "
            "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b. Next payout when the balance "
            "reaches 0.001 BTC.", None)),
    "an IT helpdesk note after a compromise": (
        "Helpdesk <helpdesk@corp.example>", (
            "Your mailbox was reset",
            "Your mailbox was compromised last night; we reset your password and removed the forwarding rule. "
            "If anyone writes claiming to have your videos or contacts and asks for bitcoin, it is a scam: "
            "do not pay and forward it to us.", None)),
    "ransomware explained": (
        "Learn Security <course@learnsec.example>", (
            "Lesson 4: ransomware",
            "Ransomware encrypts your files and shows a note asking for bitcoin, often within 72 hours. Modern "
            "gangs also leak stolen data. Researchers recommend offline backups; victims should never pay.",
            None)),
    "a crypto tax adviser": (
        "TaxCoin Advisers <team@taxcoin.example>", (
            "Your 2026 crypto tax report",
            "Your crypto gains of €12,400 must be declared by 31 May. Please send us your wallet balance "
            "statements and the exchange export; our fee is €180, payable within 30 days.", None)),
    "a friend settling a debt": (
        "Ben <ben@friends.example>", (
            "Re: the bitcoin I owe you",
            "Sorry for the delay, my laptop got a virus last week. I'll transfer 0.05 BTC to your wallet "
            "tonight, promise.", None)),
    "a lawyer's letter about a divorce": (
        "Kanzlei Roth <office@kanzlei-roth.example>", (
            "Ihre Scheidung",
            "Die Gegenseite legt Fotos vor, die eine Affäre belegen sollen. Die Ausgleichszahlung von 8.000 € "
            "ist binnen 3 Tagen zu leisten. Bitte sprechen Sie mit niemandem über das Verfahren.", None)),
    "an exchange staking newsletter": (
        "Kestrel Exchange <news@kestrel-exchange.example>", (
            "Earn on your USDT",
            "Earn up to 6% APY on your USDT with flexible staking; rewards are paid daily to your Kestrel "
            "account. Subscribe in the app. Crypto assets are volatile; past returns do not guarantee future "
            "returns.", None)),
    "a news report on the bomb-threat wave": (
        "City Herald <news@herald.example>", (
            "Hoax bomb emails hit local schools",
            "Dozens of schools received emails on Friday claiming a bomb had been planted and demanding "
            "$20,000 in bitcoin by the end of the day. Police said the threats were a hoax and no device was "
            "found.", None)),
    "a Japanese exchange maintenance notice": (
        "コインデスク取引所 <info@coin-exchange.example>", (
            "メンテナンスのお知らせ",
            "12月3日2時から4時まで、ビットコインの入金と出金を停止します。残高には影響ありません。"
            "詳細はお知らせページをご確認ください。", None)),
    "a Korean news digest": (
        "코인뉴스 <news@coinnews.example>", (
            "오늘의 코인 뉴스",
            "해커들이 한 거래소에서 비트코인 300개를 탈취했다. 거래소는 48시간 동안 출금을 중단했다. "
            "경찰이 수사 중이다.", None)),
    "a German colleague asking for coins": (
        "Lukas <lukas@team.example>", (
            "kurze Bitte",
            f"Kannst du mir 0,01 BTC an meine Adresse {P2SH} schicken? Bis morgen wäre super, ich zahle es dir "
            "heute Abend zurück.", None)),
    "a Spanish invoice with a coin option": (
        "Diseño Sur <facturas@disenosur.example>", (
            "Factura 87",
            "Adjuntamos la factura 87 por 1.200 €. Vencimiento: 30 días. Puede pagar por transferencia al "
            "IBAN ES91 2100 0418 4502 0005 1332 o en bitcoin, como acordamos.", None)),
    "a CTF announcement with a coin prize": (
        "CTF Team <ctf@hackclub.example>", (
            "Winter CTF",
            "Our 48 hour capture-the-flag starts on Saturday. Hack the vulnerable VMs, the first team to root "
            "all boxes wins 0.05 BTC. Register your team on the site.", None)),
    "a parent about a school video": (
        "Anna <anna@family.example>", (
            "the recital video",
            "I recorded the recital on my camera. Please don't post the video on social media, some parents "
            "asked us to keep it private. I'll send you the link tonight.", None)),
    "an exchange's withdrawal-fee change": (
        "Kestrel Exchange <notice@kestrel-exchange.example>", (
            "Withdrawal fees change on 1 January",
            "From 1 January the Bitcoin withdrawal fee becomes 0.0001 BTC. Your balance and deposit addresses "
            "do not change. See the fee schedule in the help centre.", None)),
    "a wallet app release note": (
        "Wallet App <release@walletapp.example>", (
            "Version 5.2",
            "Version 5.2 lets you confirm a transaction with Face ID, shows your balance in USD or EUR, and "
            "warns when an address was copied from the clipboard by malware. Update within the app.", None)),
    "a French crypto newsletter": (
        "Lettre Crypto <lettre@cryptofr.example>", (
            "La semaine crypto",
            "Le bitcoin a franchi les 90 000 dollars. Une plateforme a été piratée et des pirates ont publié des "
            "données de clients. L'AMF rappelle de se méfier des arnaques aux faux placements.", None)),
    "an Arabic exchange notice": (
        "منصة تداول <info@exchange-ar.example>", (
            "تحديث الرسوم",
            "ابتداءً من الشهر القادم ستصبح رسوم سحب البيتكوين 0.0002 BTC. رصيدك لن يتأثر.", None)),
    "an Indonesian exchange notice": (
        "Bursa Kripto <info@bursakripto.example>", (
            "Pemeliharaan sistem",
            "Penarikan Bitcoin akan dihentikan sementara selama 2 jam pada hari Minggu. Saldo Anda aman.", None)),
    "a team lunch with a camera and contacts": (
        "Office <office@corp.example>", (
            "Friday photos",
            "The photographer's camera captured great shots at Friday's lunch. The video will be shared with "
            "all contacts in the company directory; if you don't want to appear, tell me by Monday.", None)),
}


BENIGN.update({
    "a fintech's build-wealth newsletter": (
        "Stack Savings <hello@stacksavings.example>", (
            "Build wealth with Bitcoin, one week at a time",
            "Build long-term wealth with Bitcoin: our app buys a little every week and you earn 3% a year on "
            "your cash balance. Sign up in two minutes; cancel any time. Capital at risk.", None)),
    "a shop refunding coins": (
        "Nordic Gear <orders@nordicgear.example>", (
            "Refund for order 5521",
            "We refunded 0.0021 BTC for the returned jacket to the wallet you paid from. It can take up to "
            "an hour to confirm on the network. Questions? Reply to this mail.", None)),
})

#: A second set, written after the vocabularies were (tests/analyzers/test_extortion_variants.py's first
#: sets guided them) and measured once before any change: how the anatomy holds on wording it was not
#: written for.  (code, subject, body, html)
FRESH_LURES: dict[str, tuple[str, Mail]] = {
    "en: gadgets watched, a split-screen clip, the clock": ("crypto.extortion", (
        "Regarding your online habits",
        "Some months back I got into the gadgets you use to go online, and since then I have watched everything "
        "you do. I cut a split-screen clip: you on one side, what you were enjoying on the other. Move $1,650 "
        f"worth of BTC to {BECH32}. The clock started when you opened this letter: 50 hours.", None)),
    "en: a terse list of terms": ("crypto.extortion", (
        "Your device has been hacked",
        f"Payment: 0.1 BTC\nWallet: {P2SH}\nDeadline: 2 days\nOtherwise the recordings of you on adult sites "
        "reach your social circle. I am not bluffing.", None)),
    "en: Hexogen in the building": ("crypto.extortion", (
        "Think twice",
        "My man carried a bomb (Hexogen) into the building where your company is located. I will call it off "
        f"for $20'000 in Bitcoin sent to {P2PKH}. If you call the police, the bomb will be exploded.", None)),
    "en: a website and its database held": ("crypto.extortion", (
        "Your website",
        "We have hacked your website and copied your database. Send 0.05 BTC to "
        f"{BECH32} within 72 hours, or we publish the customer records and wipe the server.", None)),
    "de: Zugang zum Betriebssystem, 48 Stunden": ("crypto.extortion", (
        "Sicherheitshinweis",
        "Leider muss ich Ihnen mitteilen, dass ich seit Monaten Zugang zu Ihrem Betriebssystem habe. Ich habe ein "
        f"Video von Ihnen zusammengeschnitten. Senden Sie 1350 USD in BTC an {P2SH}. Sie haben 48 Stunden.", None)),
    "fr: tromperie, preuves, police": ("crypto.extortion", (
        "Je sais tout",
        "Je sais que vous trompez votre femme. J'ai des photos et des messages. Payez 0,1 BTC à "
        f"{BECH32} sous 3 jours. Si vous prévenez la police, votre femme recevra tout.", None)),
    "es: bomba en la oficina": ("crypto.extortion", (
        "Aviso",
        "He colocado una bomba en su oficina. Si no recibo 10.000 dólares en Bitcoin en "
        f"{P2PKH} hoy mismo, la haré detonar. No avise a la policía.", None)),
    "it: account email, video, 2 giorni": ("crypto.extortion", (
        "Il tuo account",
        "Ho accesso al tuo account email da mesi e ho registrato un video tramite la tua webcam. Invia 1000 € in "
        f"BTC a {BECH32} entro 2 giorni, oppure lo mando ai tuoi amici.", None)),
    "pt: contas, vídeo, 48 horas": ("crypto.extortion", (
        "Aviso importante",
        "Tenho acesso às suas contas e gravei um vídeo seu em um site adulto. Transfira R$ 5.000 em bitcoin "
        f"para {P2SH} em até 48 horas, senão envio para todos os seus contatos.", None)),
    "nl: apparaten, video, 2 dagen": ("crypto.extortion", (
        "Belangrijk bericht",
        "Ik heb al maanden toegang tot je apparaten en heb een video van je gemaakt op een pornosite. Stuur 1000 "
        f"euro in bitcoin naar {BECH32} binnen 2 dagen, anders gaat het naar je familie.", None)),
    "ru: аккаунт взломан, видео, 2 дня": ("crypto.extortion", (
        "Ваш аккаунт",
        "Ваш аккаунт был взломан, у меня есть видео с вашей камеры. Переведите 500 долларов в биткоинах на "
        f"{P2PKH} за 2 дня, иначе видео увидят ваши друзья.", None)),
    "pl: dostęp do konta, nagranie, 48 godzin": ("crypto.extortion", (
        "Twoje konto",
        "Mam dostęp do Twojego konta i nagrałem Cię przez kamerę. Przelej 1000 zł w bitcoinach na "
        f"{BECH32} w ciągu 48 godzin albo nagranie trafi do Twoich znajomych.", None)),
    "ko: 계정 해킹, 동영상, 48시간": ("crypto.extortion", (
        "경고",
        f"당신의 계정을 해킹했습니다. 당신의 동영상을 가지고 있습니다. 48시간 안에 비트코인 0.03 BTC를 {P2SH}로 "
        "보내지 않으면 지인들에게 보내겠습니다.", None)),
    "en: loyalty coins, verification in 24 hours": ("crypto.fake_balance", (
        "Congratulations",
        "Your account has been credited with 0.45 BTC from our loyalty programme. To transfer the coins to your "
        "private wallet, complete verification within 24 hours: https://loyalty-verify.example", None)),
    "en: pending coins, a network fee": ("crypto.fake_balance", (
        "NOTICE",
        "1.03 BTC is pending in your account. A small network fee of 0.005 BTC must be paid to complete the "
        "withdrawal.", None)),
    "en: HTML only, an available balance table": ("crypto.fake_balance", (
        "Account summary", "",
        "<html><body><table><tr><td>Available balance</td><td>2.08 BTC</td></tr></table><p><a "
        "href='https://exch-withdraw.example'>Withdraw</a></p><p>This offer is valid for 12 hours.</p></body></html>")),
    "de: erhalten, bestätigen, 24 Stunden": ("crypto.fake_balance", (
        "Transaktion",
        "Sie haben 0,5 BTC erhalten. Bitte bestätigen Sie die Transaktion innerhalb von 24 Stunden: "
        "https://bestaetigen.example", None)),
    "fr: reçu, réclamez, expiration": ("crypto.fake_balance", (
        "Fonds reçus",
        "Vous avez reçu 0,32 BTC. Réclamez vos fonds avant leur expiration : https://reclamer.example", None)),
    "es: minería en la nube, tarifa": ("crypto.fake_balance", (
        "Minería",
        "Su cuenta de minería en la nube acumuló un saldo de 0,72 BTC. Para retirar, active su cuenta pagando una "
        "tarifa de 0,01 BTC.", None)),
    "pt: recebeu, confirme, 24 horas": ("crypto.fake_balance", (
        "Recebimento",
        "Você recebeu 1,2 BTC. Confirme o recebimento em 24 horas: https://confirmar.example", None)),
    "tr: bakiye, komisyon, 24 saat": ("crypto.fake_balance", (
        "Bakiye",
        "Hesabınızda 0,8 BTC bakiye bulunuyor. Çekim için 24 saat içinde komisyon ödeyin: "
        "https://cekim-bakiye.example", None)),
    "zh: 空投奖励, 24小时内领取": ("crypto.fake_balance", (
        "恭喜",
        "恭喜您获得0.5 BTC空投奖励，请在24小时内领取: https://lingqu.example", None)),
    "en: $250 into $12,000, a millionaire": ("crypto.investment_lure", (
        "How I did it",
        "I turned $250 into $12,000 in three weeks with a Bitcoin trading app. Become a millionaire like me: "
        "sign up today at https://era-app.example", None)),
    "de: KI-Plattform, täglich, anmelden": ("crypto.investment_lure", (
        "Millionär werden",
        "Mit Bitcoin Millionär werden: die KI-Plattform bringt Ihnen 1.000 € täglich. Jetzt anmelden.", None)),
    "fr: robot, par jour, inscrivez-vous": ("crypto.investment_lure", (
        "Liberté",
        "Devenez millionnaire grâce au Bitcoin : notre robot de trading gagne pour vous 500 € par jour. "
        "Inscrivez-vous.", None)),
    "it: lo zio, USDT, registrati": ("crypto.investment_lure", (
        "ciao caro",
        "Mio zio mi ha insegnato a fare trading di USDT e questo mese ho guadagnato il 30%. Presto sarò ricca! "
        "Registrati sulla piattaforma, ti aiuto io.", None)),
    "tr: yapay zeka, günde, kaydolun": ("crypto.investment_lure", (
        "Zengin olun",
        "Bitcoin ile zengin olun: yapay zeka robotumuz günde 5.000 TL kazandırıyor. Hemen kaydolun.", None)),
    "ko: 부자, AI 로봇, 가입": ("crypto.investment_lure", (
        "기회",
        "비트코인으로 부자가 되세요. AI 로봇이 매일 수익을 냅니다. 지금 가입하세요.", None)),
}

FRESH_BENIGN: dict[str, tuple[str, Mail]] = {
    "a journalist asking about sextortion mail": (
        "Dana <dana@newsroom.example>", (
            "Interview request",
            "We're writing a piece on sextortion emails that claim to have webcam footage and demand bitcoin within "
            "48 hours. Have you received one? Could we quote you?", None)),
    "a police warning in German": (
        "Polizei <praevention@polizei.example>", (
            "Warnung vor Erpressermails",
            "Die Polizei warnt: Betrüger behaupten, Ihre Webcam gehackt zu haben, und fordern 500 € in Bitcoin "
            "innerhalb von 48 Stunden. Zahlen Sie nicht und erstatten Sie Anzeige.", None)),
    "a parent asking for help": (
        "Mark <mark@family.example>", (
            "need advice",
            "Hi, my son's laptop was hacked and someone is threatening to post his videos. They want 0.2 BTC in "
            "24 hours. What should we do? Should I call the police?", None)),
    "an exchange's processed withdrawal": (
        "Kestrel Exchange <notice@kestrel-exchange.example>", (
            "Withdrawal processed",
            "Your withdrawal of 0.25 BTC has been processed. Network fee: 0.0002 BTC. If you did not request this, "
            "contact support within 24 hours.", None)),
    "a payroll in bitcoin": (
        "Payroll <payroll@corp.example>", (
            "November salary",
            "Your November salary of 0.12 BTC has been credited to your wallet. Log in to the payroll portal to "
            "download your payslip before 5 December.", None)),
    "a thriller's blurb": (
        "Bookshop <news@bookshop.example>", (
            "New this week: Cold Wallet",
            "A hacker records a senator through his webcam and demands 50 bitcoin within 48 hours, or the tape goes "
            "to every newspaper. 'Pay me,' he writes, 'and nobody will know.' A thriller out this week.", None)),
    "an incident report": (
        "CISO <ciso@corp.example>", (
            "Post-incident review",
            "On 3 March our file server was compromised; the attackers exfiltrated data and demanded 5 BTC within "
            "72 hours. We did not pay and restored from backups. Lessons learned are attached.", None)),
    "a Spanish tax reminder": (
        "Agencia Tributaria <avisos@hacienda.example>", (
            "Declaración de criptomonedas",
            "Le recordamos que debe declarar sus ganancias en criptomonedas antes del 30 de junio. El pago puede "
            "fraccionarse sin recargo.", None)),
}


#: The crypto casino's promotion: the coin, a prize (a jackpot, a pool, "win up to 1 BTC"), winning, the
#: chance that makes it (a lottery, betting, dice) and the call to play.
CASINO: dict[str, Mail] = {
    "en: spin and win up to 1 BTC": (
        "Spin the wheel", "Spin the wheel and win up to 1 BTC! Our Bitcoin casino doubles your first deposit. "
        "Play now: https://spin-btc.example", None),
    "en: a template leaking its escapes": (
        "Daily draw", "DAILY DRAW\\n\\nThe jackpot is 0.02 BTC today.\\n\\nWager on dice to enter.\\n\\nPlay to win: "
        "https://dice-draw.example", None),
    "de: Bitcoin-Jackpot, jetzt spielen": (
        "Jackpot", "Gewinnen Sie den Bitcoin-Jackpot: 2 BTC warten im Casino auf Sie. Jetzt spielen!", None),
    "es: premio gordo, juega": (
        "Casino cripto", "Casino cripto: gana el premio gordo de 0,5 BTC en nuestras apuestas. ¡Juega ahora!", None),
    "pt: jackpot, cassino, jogue": (
        "Jackpot", "Ganhe o jackpot de 1 BTC no nosso cassino. Jogue agora!", None),
    "fr: jackpot, casino, jouez": (
        "Jackpot crypto", "Tentez de gagner le jackpot de 3 BTC sur notre casino crypto. Jouez maintenant !", None),
}
LURES += [("crypto.investment_lure", name, mail) for name, mail in CASINO.items()]
BENIGN.update({
    "a news item on a lottery winner": (
        "Chain Weekly <digest@chainweekly.example>", (
            "Regulators and crypto casinos",
            "A Bitcoin lottery winner in Spain collected a jackpot of 2 BTC last week; regulators say crypto casinos "
            "remain illegal in the country and players have no protection.", None)),
    "a friend sharing an office pool": (
        "Jo <jo@team.example>", (
            "we won!",
            "We won the office pool on the final! Your share is 0.01 BTC, I'll send it to your wallet tonight.", None)),
})
LURES += [(code, name, mail) for name, (code, mail) in FRESH_LURES.items()]
BENIGN.update(FRESH_BENIGN)

ANATOMY_CODES = {"crypto.extortion", "crypto.fake_balance", "crypto.investment_lure"}


@pytest.mark.parametrize(("code", "name", "mail"), LURES, ids=[f"{c}-{n}" for c, n, _ in LURES])
def test_lure_is_flagged_by_its_parts(code: str, name: str, mail: Mail) -> None:
    v = scan_all(build(mail))
    assert code in codes(v), (name, codes(v), anatomy("\n".join(p or "" for p in mail)))
    assert v.verdict in (VerdictKind.SUSPICIOUS, VerdictKind.MALICIOUS), (v.score, codes(v))

@pytest.mark.parametrize("name", list(BENIGN), ids=list(BENIGN))
def test_look_alike_has_no_anatomy(name: str) -> None:
    """No extortion or fake balance; an investment lure's parts at most at the informational grade (a
    fintech's "build wealth with Bitcoin, earn, sign up")."""
    sender, mail = BENIGN[name]
    v = scan_all(build(mail, sender))
    graded = {f.code: f.score for f in v.findings if f.code in ANATOMY_CODES and f.score}
    assert graded.get("crypto.investment_lure", 0) <= INVESTMENT_SCORE, (name, graded)
    assert not set(graded) - {"crypto.investment_lure"}, (name, graded, anatomy("\n".join(p or "" for p in mail)))


@pytest.mark.parametrize("name", list(BENIGN), ids=list(BENIGN))
def test_look_alike_stays_clean(name: str) -> None:
    sender, mail = BENIGN[name]
    v = scan_all(build(mail, sender))
    assert v.verdict is VerdictKind.CLEAN, (name, v.score, codes(v))


def test_a_fee_denied_is_no_pressure() -> None:
    """"We do not charge any fees" is the opposite of a fee to release the coins."""
    lure = "Your payout of $2,500 in USDT is ready. Confirm it now; a fee of $20 applies."
    assert anatomy(lure).fake_balance()
    assert not anatomy(lure.replace("a fee of $20 applies", "we do not charge any fees")).fake_balance()
    assert not anatomy("Retiro de 0,2 BTC listo. Confirme: sin comisiones.").fake_balance()


def test_the_fee_is_not_the_balance() -> None:
    """The amount right after a fee word is the fee ("withdrawal fee becomes 0.0001 BTC"), not coins held out."""
    notice = "From 1 January the Bitcoin withdrawal fee becomes 0.0001 BTC; withdraw as usual within 24 hours."
    assert anatomy(notice).credited != "0.0001 btc"
    assert anatomy("Your withdrawal of 0.4 BTC: fee 0.0001 BTC.").credited == "0.4 btc"


def test_paying_a_fee_to_release_is_the_call_to_act() -> None:
    """The recovery scam's call to act is the demand to pay its fee; a fee merely mentioned is not."""
    lure = "We recovered 2.2 BTC of your lost funds. Pay the release fee of $300 within 48 hours."
    assert anatomy(lure).fake_balance()
    assert not anatomy("We recovered 2.2 BTC of your lost funds. Our fee is listed online; 48 hours.").fake_balance()


def test_a_named_deadline_presses_a_payment_only_with_claims() -> None:
    """A colleague's "I'll pay you back tonight" is no pressure; "48 hours" is, and so is "by midnight" next
    to claims that hold the reader."""
    from coinguard.analyzers.extortion_common import pressed

    assert not pressed("could you send 0.01 BTC to my address? I'll send it back tonight")
    assert pressed("send 0.01 BTC to my address within 48 hours")
    assert pressed("I hacked your phone and filmed you: send 0.01 BTC by midnight")


def test_a_payout_is_no_payment_demand() -> None:
    """"Payout" is what the reader is given, not what they are asked to pay."""
    assert not anatomy("Payout of 0.002 BTC sent to your wallet.").demand
    assert anatomy("Pay 0.002 BTC to the wallet.").demand == "pay"


def test_a_rate_beside_modest_wealth_needs_money() -> None:
    """"Wealth panels and daily workshops, register" is a conference; "wealth ... $900 a day" a promise."""
    conference = "Bitcoin Forum: wealth panels and daily workshops. Register now."
    assert not anatomy(conference).investment()
    assert anatomy(conference.replace("daily workshops", "members make $900 a day")).investment()
    assert anatomy(conference.replace("wealth panels", "get rich")).investment()  # riches promised


def test_modest_wealth_is_no_promise_of_riches() -> None:
    """A fintech's "build wealth ... earn interest" has the lure's parts but promises no riches: it keeps the
    informational grade (crypto_theme.INVESTMENT_SCORE, below the tag threshold)."""
    fintech = "Build wealth with Bitcoin: our app helps you earn interest. Sign up."
    assert anatomy(fintech).investment() and not anatomy(fintech).investment_complete
    assert anatomy(fintech.replace("Build wealth", "Become a millionaire")).investment_complete


def test_a_report_in_a_pro_drop_language_is_no_extortion() -> None:
    """The speaker may hide in the verb ("Hackeei o seu celular"), but a report speaks of someone else."""
    threat = "Hackeei o seu celular e gravei vídeos íntimos. Pague 0,03 BTC em 3 dias."
    assert anatomy(threat).extortion()
    assert not anatomy("Hackearam o celular dela e gravaram vídeos íntimos. Pedem 0,03 BTC em 3 dias.").extortion()


def test_the_claims_are_made_to_the_reader() -> None:
    """A blurb, a report or a victim's plea tells of "his webcam", "they want": no reader is addressed."""
    blurb = "A hacker records a senator through his webcam and demands 50 bitcoin within 48 hours. 'Pay me.'"
    assert not anatomy(blurb).extortion()
    assert anatomy(blurb.replace("a senator through his", "you through your")).extortion()


def test_a_victim_asking_for_help_reports_the_demand() -> None:
    plea = "Hi, your webcam video of my son was hacked and leaked; they want 0.2 BTC in 24 hours. What should we do?"
    assert anatomy(plea).about_scams and not anatomy(plea).extortion()


def test_warning_words_inside_addresses_and_urls_are_not_prose() -> None:
    """"phishing@pot" (a mailbox) and "utm_campaign=" (a URL's parameter) warn of nothing."""
    from coinguard.analyzers.extortion_common import about_scams

    assert not about_scams("To: phishing@pot https://x.example/?utm_campaign=play")
    assert about_scams("This phishing campaign targets you")


def test_the_celebrity_loophole_lure_needs_no_rate() -> None:
    """Millions promised, the banks that fear it, a sign-up: the lure without an earning verb."""
    lure = "The method makes anyone a millionaire with Bitcoin; the banks hate it. Register now."
    assert anatomy(lure).investment() and not anatomy(lure).investment_complete
    assert not anatomy(lure.replace("a millionaire", "wealth")).investment()


def test_separators_that_evade_filters_are_spaces() -> None:
    """"Bitcoin__Balance__0.7495__BTC" and "up.to.1.BTC" are words; "0.75" and a domain keep their dots."""
    from coinguard.analyzers.extortion_common import prepare

    assert prepare("Bitcoin__Balance__0.7495__BTC") == "bitcoin balance 0.7495 btc"
    assert prepare("Get.up.to.1.BTC at pool.example") == "get.up.to 1 btc at pool.example"
    assert anatomy("Your__balance__0.7495__BTC. Withdraw it within 24 hours.").fake_balance()


def test_a_verb_final_receipt_is_credited() -> None:
    """German and Dutch put the amount between "haben" and "erhalten"."""
    assert anatomy("Sie haben 0,5 BTC erhalten. Bestätigen Sie innerhalb von 24 Stunden.").fake_balance()
    assert anatomy("Je hebt 0,3 BTC ontvangen. Bevestig binnen 24 uur.").fake_balance()


def test_every_vocabulary_is_behind_the_gate() -> None:
    """Each part's vocabulary has required words (text.RegexGate skips it on a text holding none of them)."""
    from coinguard.analyzers import extortion_common as ec
    from coinguard.text import required_substrings

    gated = [ec.COIN, ec.COIN_AMOUNT, ec.DEADLINE, ec.DEADLINE_DAY, ec.DEMAND, ec.SECRECY, ec.BALANCE, ec.ACT,
             ec.EXPIRY, ec.FEE, ec.FIRST_PERSON, ec.READER, ec.CREDENTIALS, ec.WEALTH, ec.EARN, ec.RATE, ec.SYSTEM,
             ec.JOIN, ec.AWARENESS, *ec.THREAT_GROUPS.values()]
    assert all(required_substrings(rx) for rx in gated)
    may = ec._gate().open(ec.prepare("qwz vbn " * 5000))
    assert not any(may(rx) for rx in gated)


@pytest.mark.parametrize("text", [
    "Opening balance 0.8120 BTC; deposits 0.2000 BTC; trading fees 0.0004 BTC; closing balance 0.8616 BTC. "
    "Statement: https://x.example/s",
    "Your balance is 0.31 BTC. Network fee: 0.0002 BTC. Details at https://x.example/tx",
    "Saldo 0,5 BTC. Comisión de retiro: 0,0001 BTC. https://x.example/tarifas",
])
def test_a_fee_stated_with_its_amount_is_no_pressure(text: str) -> None:
    """A statement, a receipt or a fee schedule lists the fee with its amount and asks nothing: a charge
    reported, not the fee that releases a balance."""
    assert not anatomy(text).fake_balance(link=True), anatomy(text)


@pytest.mark.parametrize("text", [
    "Your balance is 0.31 BTC. A withdrawal fee of 0.0002 BTC applies: https://x.example/withdraw",
    "Your balance is 1.47 BTC. An activation fee of $290 must be paid first: https://x.example",
    "Your balance is 0.31 BTC. Pay the fee of 0.002 BTC to withdraw: https://x.example",
    "Your balance is 0.31 BTC. Fee: 0.0002 BTC, required to release the funds. https://x.example",
])
def test_a_fee_asked_of_the_reader_presses(text: str) -> None:
    assert anatomy(text).fake_balance(link=True), anatomy(text)


# ---------------------------------------------------------------------------- blind batch O's techniques


def test_look_alike_letters_do_not_hide_the_parts() -> None:
    """Technique: the claims, the coin and the demand spelled with Cyrillic look-alike letters (mixed-script
    words are folded); Russian words keep their letters."""
    plain = anatomy("I hacked your device and recorded you. Send $1,200 in bitcoin within 48 hours.")
    mixed = anatomy("I hасkеd yоur dеviсе and rесоrdеd yоu. Sеnd $1,200 in bіtсоіn within 48 hоurs.")
    assert mixed == plain and mixed.extortion()
    assert prepare("Переведите биткоин") == "переведите биткоин"


@pytest.mark.parametrize("text", ["one thousand five hundred dollars", "two thousand euros", "mille euros",
                                  "dos mil dolares", "tausend euro", "zweitausend Euro", "vijfduizend euro"])
def test_an_amount_written_out_is_money(text: str) -> None:
    """Technique: the amount written out in words so that no digit-and-currency filter reads it."""
    from coinguard.analyzers.extortion_common import MONEY

    assert MONEY.search(prepare(f"send {text} now"))
    assert not MONEY.search(prepare("a thousand thanks, dollars aside"))


@pytest.mark.parametrize("deadline", ["As soon as you opened this email a timer started.",
                                      "The clock is ticking.", "Pay before 4 pm today.", "Pay by 17:00.",
                                      "Zahlen Sie bis 18 Uhr.", "Pay before the timer runs out.",
                                      "Zahlen Sie, bevor der Timer abläuft."])
def test_a_timer_or_a_clock_time_presses_only_with_claims(deadline: str) -> None:
    """Technique: the countdown said to start on opening, and a clock time the same day; a named deadline, so
    it presses only beside claims that hold the reader ("the meeting is by 17:00" is none)."""
    from coinguard.analyzers.extortion_common import pressed

    claims = "I hacked your phone and filmed you. Send 0.05 BTC to the wallet. "
    assert anatomy(claims + deadline).extortion(), deadline
    assert pressed(claims + deadline)
    assert not pressed("Send me the slides. " + deadline)


@pytest.mark.parametrize("text", [
    "A bomb is hidden in your building. I detonate it if I do not receive 0.08 BTC by tonight.",
    "Nel vostro edificio c'è un ordigno esplosivo. Lo faccio esplodere se non ricevo 0,08 BTC entro stasera.",
    "Hay una bomba en su edificio. La detonaré si no recibo 0,08 BTC antes de mañana por la noche.",
])
def test_the_conditional_demand_of_a_bomb_threat(text: str) -> None:
    """Technique: the demand as a condition ("if I do not receive"); a threat to life counts twice in pressed()
    as in the anatomy."""
    from coinguard.analyzers.extortion_common import pressed

    parts = anatomy(text)
    assert parts.demand and parts.extortion(), parts
    assert pressed(text)


def test_the_gangs_data_theft_in_portuguese_and_spanish() -> None:
    """Technique: the stolen-database ransom told by a gang ("invadimos", "baixamos a base de dados")."""
    for text in ("Invadimos os servidores da sua empresa e baixamos a base de dados. Para não publicarmos tudo, "
                 "transfira 4 XMR. Você tem 2 dias.",
                 "Descargamos la base de datos de su empresa. Si no paga 2 BTC en 48 horas, la publicaremos en "
                 "su web."):
        assert anatomy(text).extortion(), text


def test_paypal_is_no_demand() -> None:
    """"PayPal", "payroll", "payslip" name a means or a record of payment, not the demand to pay."""
    assert not anatomy("We accept cards, PayPal and bitcoin; see your payslip and the payroll.").demand
    assert anatomy("Pay via PayPal or bitcoin.").demand == "pay"
