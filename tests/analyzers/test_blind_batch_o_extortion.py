"""Extortion paid in crypto in forms batches K-N do not cover, blind batch O (issue 11).

Written blind, before this round's change, from how 2024-2026 sextortion, hacked-account, hit-man, bomb-threat and
data-leak blackmail campaigns phrase and disguise themselves, not from the corpus: the campaigns' other languages
(de, fr, es, it, pt, nl, pl, ru, ja, tr), the coins they now ask for (Litecoin, Ether, USDT on Tron, Monero,
Bitcoin Cash in its ``bitcoincash:`` cashaddr form), the address written apart (dashes, zero-width characters,
uneven lines, one character per ``<span>``), given only in an HTML table, as a BIP-21 ``bitcoin:`` URI beside
"scan the QR code", or with "copy it carefully, it is case sensitive"; the amount only in dollars or euros,
"$1500 in BTC", a bare "0.08", or written out in words; the deadlines ("48 hours", "2 days", "a timer started
when you opened this mail", "before 4 pm today"); the sender spoofing the reader's own address; the leaked
password as the opener; evasive spelling (b-i-t-c-o-i-n, "B T C", Cyrillic look-alike letters, words split by
HTML entities or tags); and the short ones (three lines and an address).  Every mail is built here, harmless
(BIP-173 / EIP-55 / cashaddr-spec example addresses and those of batch N), none copied from a sample.

The benign look-alikes are what a holder also receives: a news article quoting a sextortion mail with its
wallet, a bank's and an IT department's warnings, a donation request and an invoice offering a crypto address,
a breach notice about a leaked password, a friend asking back a loan in ether, a police press release on bomb
threats paid in bitcoin.

Measured once on main (bdf1882) before any change, with ``_flagged`` (tests/analyzers/test_recall_variants.py):
extortion 24/25 flagged (the three-line one missed: "0.08 to <address>", no demand verb, no coin named), look-alikes
7/8 clean (the donation request flagged: "PayPal" read as the demand "pay", its "ends in 2 days" as pressure).
Below the verdict: the address found in 24/25 (not the cashaddr); the extortion's anatomy (crypto.extortion) in
20/25 (not the Portuguese data leak, the written-out amount with the timer, "before 4 pm today", the Cyrillic
look-alike letters, the three lines); the address's payment demand pressed (crypto.address_payment_demand 6) in
18/25 (not the Italian "if I do not receive", the Polish "zł"/"godzin", the cashaddr, the written-out amount, the
Cyrillic "sеnd", the two terse "0.08 to <address>" / "10 LTC to <address>").
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from analyzers.test_blind_batch_k import BECH32, ETH, P2PKH, _expected
from analyzers.test_blind_batch_n import BECH32_B, LTC, TRON, XMR
from analyzers.test_phish_variants import LIST, mail, scan
from analyzers.test_recall_variants import _flagged

#: The cashaddr specification's example (Bitcoin Cash), with and without its prefix.
BCH = "bitcoincash:qpm2qsznhks23z7629mms6s4cwef74vcwvy22gdx6a"
ZWJ = "\u200d"  # zero-width joiner
READER = "holder@example.net"  # the To of every mail built by ``mail``


def _dashed(addr: str, n: int) -> str:
    return "-".join(addr[i:i + n] for i in range(0, len(addr), n))


EXTORTION: dict[str, Callable[[], bytes]] = {
    # -- languages, with the coins now asked for
    "de: Litecoin, Betrag nur in Euro": lambda: mail(
        "Unbekannt <x@hidden-sender.example>", "Ich habe Zugriff auf Ihr Gerät",
        text="Ich habe Ihr Gerät mit einer Schadsoftware infiziert und Sie über die Kamera aufgenommen, während Sie "
             "Seiten für Erwachsene besucht haben. Überweisen Sie 1.100 € in Litecoin an diese Adresse:\n"
             f"{LTC}\nSie haben 48 Stunden, sonst erhalten alle Ihre Kontakte das Video.\n"),
    "fr: mot de passe en ouverture, adresse en tirets": lambda: mail(
        "Anonyme <a@hidden-sender.example>", "xyz123",
        text="Je sais que xyz123 est votre mot de passe. J'ai installé un logiciel espion sur votre ordinateur et "
             "j'ai enregistré une vidéo de vous. Envoyez 1 300 EUR en bitcoins à l'adresse suivante (retirez les "
             f"tirets) : {_dashed(BECH32, 5)}\nVous avez 2 jours, sinon la vidéo sera envoyée à votre famille.\n"),
    "es: sicario, USDT TRC20": lambda: mail(
        "Sin nombre <s@hidden-sender.example>", "Tu vida está en peligro",
        text="Me pagaron para matarte. Alguien cercano a ti quiere verte muerto. Si me pagas 5.000 USD en USDT "
             f"(red TRC20) a esta dirección: {TRON} cancelo el contrato. Tienes 72 horas. No avises a la policía.\n"),
    "it: ordigno esplosivo, 0,08 BTC": lambda: mail(
        "Anonimo <an@hidden-sender.example>", "Nel vostro edificio",
        text="Nel vostro edificio è stato nascosto un ordigno esplosivo. Lo farò detonare se non ricevo 0,08 BTC "
             f"a questo indirizzo: {BECH32_B}\nAvete tempo fino a stasera. Se chiamate la polizia, lo faccio "
             "esplodere subito.\n"),
    "pt: vazamento de dados da empresa, Monero": lambda: mail(
        "Equipe <team@hidden-sender.example>", "Seus dados foram copiados",
        text="Invadimos os servidores da sua empresa e baixamos a base de dados dos seus clientes. Para não "
             f"publicarmos tudo, transfira 4 XMR para {XMR}\nVocê tem 2 dias.\n"),
    "nl: B T C uit elkaar, adres in groepen met streepjes": lambda: mail(
        "Onbekend <o@hidden-sender.example>", "Uw apparaat is gehackt",
        text="Ik heb uw apparaat gehackt en u via de webcam opgenomen terwijl u naar pornosites keek. Betaal 950 "
             f"euro in B T C naar: {_dashed(P2PKH, 4)}\nU heeft 48 uur, anders gaat de video naar al uw "
             "contacten.\n"),
    "pl: ETH, 48 godzin": lambda: mail(
        "Haker <h@hidden-sender.example>", "Mam twoje nagranie",
        text="Zhakowałem twoje urządzenie i nagrałem cię kamerą podczas oglądania stron dla dorosłych. Wyślij "
             f"równowartość 4000 zł w ETH na adres: {ETH}\nMasz 48 godzin, inaczej nagranie trafi do twoich "
             "kontaktów.\n"),
    "ru: взлом аккаунта, адрес с невидимыми символами": lambda: mail(
        "Хакер <h@hidden-sender.example>", "Ваш аккаунт взломан",
        text="Я взломал вашу почту и получил доступ ко всем вашим перепискам и фото. Переведите 1000 долларов в "
             f"биткоинах на этот адрес: {ZWJ.join(BECH32)}\nУ вас есть 48 часов, иначе я опубликую всё.\n"),
    "ja: 円で金額、48時間以内": lambda: mail(
        "匿名 <t@hidden-sender.example>", "あなたのデバイスをハッキングしました",
        text="あなたのデバイスをハッキングし、アダルトサイトを見ている様子をカメラで録画しました。"
             f"10万円相当のビットコインを次のアドレスに送金してください:\n{BECH32_B}\n"
             "48時間以内に支払わなければ、動画をあなたの連絡先すべてに送ります。\n"),
    "tr: adres satırlara bölünmüş": lambda: mail(
        "Bilinmeyen <b@hidden-sender.example>", "Cihazınızı hackledim",
        text="Cihazınızı hackledim ve yetişkin sitelerini izlerken sizi kameradan kaydettim. 900 USD değerinde "
             f"bitcoin gönderin:\n{BECH32[:9]}\n{BECH32[9:23]}\n{BECH32[23:]}\n48 saat içinde ödeme yapmazsanız "
             "video tüm kişilerinize gidecek.\n"),
    # -- address forms
    "Bitcoin Cash cashaddr": lambda: mail(
        "Hacker <h@hidden-sender.example>", "I recorded you",
        text="I hacked your computer and recorded you through your webcam while you watched porn. Send $1,200 in "
             f"Bitcoin Cash to {BCH}\nYou have 48 hours or the video goes to all your contacts.\n"),
    "address only in an HTML table, no coin word": lambda: mail(
        "x <x@hidden-sender.example>", "Payment details",
        html="<p>I hacked your phone and I have videos of you that you would not want your family to see.</p>"
             "<p>Transfer $1,400 within 2 days using these details:</p>"
             f"<table><tr><th>Amount</th><td>$1,400</td></tr><tr><th>Address</th><td>{BECH32}</td></tr></table>"),
    "BIP-21 URI beside 'scan the QR code'": lambda: mail(
        "Anon <anon@hidden-sender.example>", "Scan to pay",
        text="I recorded you on your webcam and copied your contact list. Scan the QR code or use this payment "
             f"link: bitcoin:{BECH32_B}?amount=0.05\nYou have 48 hours before everyone receives the video.\n"),
    "copy carefully, case sensitive, ETH": lambda: mail(
        "Hacker <hk@hidden-sender.example>", "Last chance",
        text="I have full access to your device and I recorded you. Send 1000 USDT (ERC20) to my wallet, copy it "
             f"carefully, it is case sensitive:\n{ETH}\nYou have 2 days or I publish the video.\n"),
    "one character per <span>": lambda: mail(
        "x <x@hidden-sender.example>", "Your video",
        html="<p>I infected your device with malware and filmed you through your camera.</p><p>Send $1,100 in "
             "bitcoin to: " + "".join(f"<span>{c}</span>" for c in BECH32_B) + "</p><p>You have 48 hours.</p>"),
    # -- amounts and deadlines
    "written-out amount, timer started when opened": lambda: mail(
        "Hacker <h@hidden-sender.example>", "Read carefully",
        text="I hacked your device and recorded you while you watched adult content. Send one thousand five "
             f"hundred dollars in bitcoin to {P2PKH}. As soon as you opened this email a timer started: when it "
             "runs out, your contacts receive the video.\n"),
    "before 4 pm today, $1500 in BTC": lambda: mail(
        "Security <sec@hidden-sender.example>", "Final warning",
        text="I have remote access to your computer and I recorded you through the webcam. Pay $1500 in BTC to "
             f"{BECH32} before 4 pm today or I send the video to your colleagues.\n"),
    # -- the reader's own address as the sender, the password as the opener
    "sender spoofs the reader's own address": lambda: mail(
        READER, "Your account was hacked",
        text="As you can see, I sent this email from your own account. I hacked it and installed a trojan on your "
             f"device that recorded you through the camera. Send $1,000 in bitcoin to {BECH32_B} within 48 "
             "hours, or the recording goes to your contacts.\n"),
    "password opener, no shame": lambda: mail(
        "Unknown <u@hidden-sender.example>", "summer2019",
        text="I know summer2019 is your password. I have copied your files and your chat history. Pay 0.02 BTC "
             f"to {P2PKH} within 2 days, or I publish everything on social media.\n"),
    # -- evasive spelling
    "b-i-t-c-o-i-n spelled out": lambda: mail(
        "x <x@hidden-sender.example>", "Your secret",
        text="I hacked your device and filmed you with your camera. Send $1,300 in b-i-t-c-o-i-n to "
             f"{BECH32}\nYou have 48 hours or the video goes to your friends.\n"),
    "Cyrillic look-alike letters": lambda: mail(
        "x <x@hidden-sender.example>", "Yоur dеviсе",
        text="I hасkеd yоur dеviсе and rесоrdеd you through thе wеbсаm. Sеnd $1,200 in bіtсоіn to "
             f"{BECH32_B}\nYоu hаvе 48 hоurs bеfоrе your соntасts gеt thе vіdео.\n"),
    "HTML entity-split words": lambda: mail(
        "x <x@hidden-sender.example>", "Important",
        html="<p>I h&#97;cked your device and rec&#111;rded you through the w&#101;bcam.</p><p>Send $1,200 in "
             f"bit&#99;oin to {BECH32}</p><p>You have 4&#56; hours before your con&#116;acts get the vi&#100;eo.</p>"),
    "words split by tags": lambda: mail(
        "x <x@hidden-sender.example>", "Important",
        html="<p>I ha<b></b>cked your device and reco<i></i>rded you through the web<span>cam</span>.</p>"
             f"<p>Send $1,200 in bit<span>coin</span> to {BECH32_B}</p><p>You have 48 ho<b>urs</b>.</p>"),
    # -- short ones
    "three lines and an address": lambda: mail(
        "x <x@hidden-sender.example>", "video",
        text=f"I have your video from the webcam.\n0.08 to {BECH32}\n48h or your contacts see it.\n"),
    "short, hacked account, LTC": lambda: mail(
        "x <x@hidden-sender.example>", "hacked",
        text=f"Your account is hacked. I have your photos. 10 LTC to {LTC} in 2 days.\n"),
}

#: Written after this round's changes (extortion_common's, addresses'), before any further one: the same
#: techniques in other words, to see whether the fixes hold beyond the first batch's mails.  Measured then: 7/8 flagged
#: (the German compound number word and the timer that "runs out" missed), the address found in 8/8; after the
#: second change (glued number words, the timer that runs out, "veröffentliche"): 8/8.
EXTORTION_2: dict[str, Callable[[], bytes]] = {
    "cashaddr without its prefix, EUR": lambda: mail(
        "Hacker <h@hidden-sender.example>", "Ich habe Sie gefilmt",
        text="Ich habe Ihren Computer gehackt und Sie mit der Webcam gefilmt. Senden Sie 800 Euro in Bitcoin Cash "
             f"an {BCH.split(':')[1]}\nSie haben 2 Tage Zeit, sonst geht das Video an Ihre Familie.\n"),
    "terse, ETH ticker, arrow": lambda: mail(
        "x <x@hidden-sender.example>", "you know why",
        text=f"I hacked your phone. I have the videos.\n0.5 ETH -> {ETH}\n24 hours. Then your wife gets them.\n"),
    "conditional demand, hit man, English": lambda: mail(
        "x <x@hidden-sender.example>", "Read this carefully",
        text="I was hired to kill you. I will cancel the contract if I receive 1.5 BTC at "
             f"{BECH32_B} by Friday. If you go to the police, the deal is off.\n"),
    "German compound number word": lambda: mail(
        "x <x@hidden-sender.example>", "Letzte Warnung",
        text="Ich habe Ihr Konto gehackt und Ihre Fotos kopiert. Überweisen Sie zweitausend Euro in Bitcoin an "
             f"{P2PKH}, bevor der Timer abläuft, sonst veröffentliche ich alles.\n"),
    "Greek look-alike letters": lambda: mail(
        "x <x@hidden-sender.example>", "Your device",
        text="I hacκed your device and recοrded yοu through the webcam. Send $1,000 in bitcοin to "
             f"{BECH32}\nYοu have 48 hοurs before your cοntacts get the videο.\n"),
    "es: fuga de datos, hemos descargado": lambda: mail(
        "Grupo <g@hidden-sender.example>", "Sus datos",
        text="Hemos entrado en sus servidores y hemos descargado la base de datos de sus clientes. Si no paga "
             f"3 XMR a {XMR} en 72 horas, la publicaremos.\n"),
    "clock time, 24-hour, French": lambda: mail(
        "x <x@hidden-sender.example>", "Dernier avertissement",
        text="J'ai piraté votre téléphone et je vous ai filmé. Envoyez 0,05 BTC à "
             f"{BECH32_B} avant 18:00, sinon la vidéo part à tous vos contacts.\n"),
    "short, address on its own line, USDT": lambda: mail(
        "x <x@hidden-sender.example>", "photos",
        text=f"I have your private photos.\n500 USDT TRC20\n{TRON}\n2 days or they go online.\n"),
}

BENIGN: dict[str, Callable[[], bytes]] = {
    "news article quoting a sextortion mail with its wallet": lambda: mail(
        "City Herald <news@cityherald.example>", "Residents hit by sextortion emails",
        html="<p>Police say residents have received emails claiming \"I hacked your device and recorded you "
             f"through your webcam. Send $1,200 in bitcoin to {BECH32} within 48 hours\". The scammers have no "
             "video; police urge victims not to pay and to report the message.</p>", headers=LIST),
    "bank anti-scam warning": lambda: mail(
        "Example Bank <security@examplebank.example>", "Protect yourself from extortion scams",
        html="<p>Fraudsters send emails claiming to have hacked your camera and demanding bitcoin within 48 hours. "
             "Do not pay and do not reply. Your bank will never ask you to buy crypto.</p>", headers=LIST),
    "donation request with a BTC address": lambda: mail(
        "Open Wiki Foundation <donate@openwiki.example>", "Help us keep the servers running",
        text="Our year-end fundraiser ends in 2 days. If you value our work, please donate; we accept cards, "
             f"PayPal and bitcoin ({BECH32_B}). Every contribution helps us stay independent.\n", headers=LIST),
    "invoice with a crypto payment option": lambda: mail(
        "Studio Nord <billing@studionord.example>", "Invoice 2026-114",
        text="Please find invoice 2026-114 for 1,450 EUR attached. Payment is due within 14 days by bank transfer "
             f"(IBAN DE89 3704 0044 0532 0130 00) or in bitcoin to {P2PKH}. Thank you for your business.\n"),
    "IT-security awareness mail": lambda: mail(
        "IT Security <it-security@corp.example>", "Awareness: sextortion emails",
        text="We are seeing sextortion emails that claim the sender hacked your device, recorded you through the "
             "webcam and wants bitcoin within 48 hours, sometimes quoting an old password of yours. They are a "
             "scam: do not pay, do not reply, and report them to it-security@corp.example.\n"),
    "breach notice: password found in a leak": lambda: mail(
        "Accounts <accounts@forum.example>", "Your password appeared in a data breach",
        text="Your password was found in a third-party data breach. We have reset it; choose a new password "
             "within 48 hours to sign in again. We will never ask you for payment.\n"),
    "friend asks back a loan in ether": lambda: mail(
        "Jonas <jonas@mail.example>", "the ETH from the trip",
        text="Hey, could you send back the 0.3 ETH I lent you for the cabin by Friday? My address is "
             f"{ETH}. Thanks, and the photos from the trip are in the shared folder!\nJonas\n"),
    "police press release on bomb threats paid in bitcoin": lambda: mail(
        "Polizei Presse <presse@polizei.example>", "Bombendrohungen per E-Mail",
        text="Die Polizei warnt vor E-Mails, in denen Unbekannte mit einer Bombe in Schulen drohen und eine "
             "Zahlung in Bitcoin innerhalb von 24 Stunden verlangen. Es handelt sich um Betrug. Zahlen Sie "
             "nicht und erstatten Sie Anzeige.\n", headers=LIST),
}

#: Extortions still missed (strict xfail), with their cause.
NOT_CAUGHT: dict[str, str] = {}
#: Look-alikes still flagged (strict xfail).
NOT_CLEAN: dict[str, str] = {}
#: Mails whose address is not found (strict xfail).
ADDRESS_NOT_FOUND: dict[str, str] = {}


ALL = EXTORTION | EXTORTION_2


@pytest.mark.parametrize(("name", "lure"), _expected(ALL, True, NOT_CAUGHT) + _expected(BENIGN, False, NOT_CLEAN))
def test_extortions_flagged_and_look_alikes_clean(name: str, lure: bool) -> None:
    flagged, why = _flagged((ALL if lure else BENIGN)[name]())
    assert flagged is lure, why


@pytest.mark.parametrize(("name", "lure"), _expected(ALL, True, ADDRESS_NOT_FOUND))
def test_address_found(name: str, lure: bool) -> None:
    findings = scan(ALL[name]()).findings
    assert any(f.code.startswith("crypto.address") for f in findings), [(f.code, f.detail[:60]) for f in findings]


def test_batch_sizes() -> None:
    assert len(EXTORTION) >= 20 and len(BENIGN) >= 8 and len(ALL) == len(EXTORTION) + len(EXTORTION_2)
