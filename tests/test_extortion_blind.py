"""A blind batch of extortion and "bitcoin balance" lures, of kinds the crafted sets did not have (issue 11).

Written before any change to the vocabularies (analyzers/extortion_common, the extortion and bait sections of
data/lures.txt) and measured once against main (f82f5cc): the corpus's held-back half misses this class on
unseen mail although tests/analyzers/test_extortion_variants.py is caught in full, so this batch asks what
the anatomy does with the ways real campaigns differ from those sets: the wallet address absent (in a text
or PDF attachment, a QR code, "reply for the address"), hidden (zero-width characters, split over lines or
table cells), the coin written with look-alike letters or masked ("B*tcoin"), the amount only in dollars or
euros, a threat of another kind (DDoS against a site, a ransomware note, data sold, a kidnapping), a mail of
two lines, and baits without the words the fake-balance sets use (a forgotten wallet, an inheritance, a
recovery service, a tax to release profits, an account statement with only a login).  Every mail is built
here, harmless (test addresses of the BIPs and EIPs), none copied from a sample.

The benign mails beside them have the same words in another structure and must stay clean.  A lure not
caught yet is a strict xfail with the reason.
"""

from __future__ import annotations

import io
from email.message import EmailMessage
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from coinguard.findings import VerdictKind
from extortion_helpers import codes, scan
from test_benign_crypto_mail import scan as scan_signed
from test_benign_crypto_mail import signed

from helpers import make_message, zip_bytes

BECH32 = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # BIP-173's valid example
P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
P2PKH = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
ETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55's example
ZW = "\u200b"


def qr_png(text: str) -> bytes:
    """A picture with one QR code holding ``text``."""
    mark = Image.fromarray(zxingcpp.write_barcode_to_image(
        zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode), scale=6)).convert("RGB")
    pic = Image.new("RGB", (600, 500), (255, 255, 255))
    pic.paste(mark, (150, 90))
    buf = io.BytesIO()
    pic.save(buf, "PNG")
    return buf.getvalue()


def pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` in Helvetica (with its font resource, so the text is extractable)."""
    content = f"BT /F1 9 Tf 30 740 Td ({text}) Tj ET".encode("latin-1")
    objs = (b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 "
            b"5 0 R >> >> >>", b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, obj)
    table = b"".join(b"%010d 00000 n \n" % at for at in offsets)
    tail = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, len(out))
    return bytes(out) + b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + table + tail


def homoglyphs(word: str) -> str:
    """``word`` with its Latin a, c, e, i, o and B written in Cyrillic look-alikes."""
    return word.translate(str.maketrans("aceioB", "асеіоВ"))


#: A lure: subject, plain body, HTML (or None), attachments ((name, data, type)).
Lure = tuple[str, str, "str | None", tuple[tuple[Any, ...], ...]]

EXTORTION: dict[str, Lure] = {
    "en: reply to receive the wallet address": (
        "Your secret",
        "I hacked your laptop months ago and my software recorded you through the camera while you were on "
        "adult websites. I want $1,500 in bitcoin. Reply to this email and I will send you my wallet address. "
        "You have 48 hours after my reply.", None, ()),
    "en: the address in a .txt attachment": (
        "about your recordings",
        "Your phone is infected with my spyware and I have the videos from your front camera. Send 0.08 BTC "
        "within 2 days. The wallet address is in the attached file, copy it from there. Tell nobody.", None,
        (("wallet.txt", f"BTC wallet: {P2SH}\n".encode(), "text/plain"),)),
    "en: the whole letter in a PDF": (
        "Document for you", "Read the attached document carefully. It concerns you and your family.", None,
        (("letter.pdf", pdf(f"I hacked your computer and recorded you with the webcam on porn sites. Pay 0.1 BTC "
                             f"to {BECH32} within 48 hours or the video goes to all your contacts."),
          "application/pdf"),)),
    "en: the whole letter in a .txt attachment": (
        "open it", "Open the attachment, it is about you.", None,
        (("READ_ME.txt", ("I have full access to your operating system. My malware filmed you through your "
                          f"webcam. Transfer $1,300 in Bitcoin to {P2PKH} within 50 hours, otherwise your "
                          "relatives and colleagues will receive the clip.").encode(), "text/plain"),)),
    "en: a QR code to pay, no address in the text": (
        "Last warning",
        "I recorded you on porn sites with your own webcam. Scan the QR code in the attachment and pay $900 in "
        "bitcoin within 24 hours, or the video goes to your contacts.", None,
        (("pay.png", qr_png(f"bitcoin:{BECH32}?amount=0.01"), "image/png"),)),
    "en: the address with zero-width characters": (
        "Your account",
        "I hacked your email account and copied your private photos. Send 0.05 BTC to "
        f"{ZW.join(BECH32)} within 72 hours or I publish them.", None, ()),
    "en: bitcoin in Cyrillic look-alike letters": (
        "Privacy",
        f"I installed a trojan on your device and recorded you naked. Send $1,200 in {homoglyphs('Bitcoin')} to "
        f"{P2SH} within 48 hours or your contacts get the video.", None, ()),
    "en: bitcoin masked with an asterisk, dollars only": (
        "Pay attention",
        f"I am a hacker who has access to your operating system. I recorded you with your webcam on adult "
        f"sites. Send $1350 in B*tcoin to {P2PKH} in two days or everyone you know gets the video.", None, ()),
    "en: the address split over two lines": (
        "Your device",
        "My spyware recorded you through your camera while you were watching porn. Send 0.03 BTC within 48 "
        f"hours to this address (join the two lines):\n{BECH32[:20]}\n{BECH32[20:]}\nor the video goes public.",
        None, ()),
    "en: HTML only, the letter and the address in table cells": (
        "Notice", "",
        "<html><body><table><tr><td>I hacked</td><td>your phone and</td><td>recorded you</td></tr><tr><td>on "
        "adult sites.</td><td>Pay 0.04 BTC</td><td>within 48 hours to</td></tr><tr>"
        f"<td>{BECH32[:14]}</td><td>{BECH32[14:28]}</td><td>{BECH32[28:]}</td></tr></table></body></html>", ()),
    "en: the router hacked, the data sold": (
        "Your router",
        "I got into your router and from there into every device in your home. I have your passwords and your "
        f"bank logins. Pay 0.06 BTC to {BECH32} within 48 hours, or your data will be sold on the dark web.", None, ()),
    "en: two lines, pay or else": (
        "you know why",
        f"I have the videos. 0.1 BTC to {P2SH} by tomorrow night or your wife sees them.", None, ()),
    "en: a DDoS against the website": (
        "DDoS attack on your website",
        "Your website will be hit by a massive DDoS attack next Monday and stay offline until you pay 2 BTC "
        f"to {BECH32}. After the deadline the price rises to 4 BTC. We already took down your competitors.",
        None, ()),
    "en: a ransomware note by mail": (
        "Your network",
        "All files on your network have been encrypted with military grade encryption. To get the decryptor, "
        f"pay 3 BTC to {P2PKH} within 72 hours. If you do not pay, the key is destroyed and your data published.",
        None, ()),
    "en: a kidnapping threat to the family": (
        "your daughter",
        "We know where your daughter goes to school. If you want her safe, send $25,000 in Bitcoin to "
        f"{P2SH} before Friday. Call the police and you will never see her again.", None, ()),
    "en: sent from your own account, paid in crypto": (
        "me@your-account",
        "As you can see, I sent this email from your own account. I have access to all your mail and to your "
        f"cloud photos. Send $900 in crypto (USDT) to {ETH} within 48 hours or I forward everything to your "
        "contacts.", None, ()),
    "de: Betriebssystem, Euro, 2 Tage": (
        "Zahlungsaufforderung",
        "Ich bin ein Hacker und habe Zugriff auf Ihr Betriebssystem. Ich habe Sie beim Besuch von Erotikseiten "
        f"gefilmt. Überweisen Sie 1.000 Euro in Bitcoin an {BECH32}. Sie haben 2 Tage, dann geht das Video an "
        "alle Ihre Kontakte.", None, ()),
    "fr: système d'exploitation, 2 jours": (
        "Votre système",
        "Je suis un hacker qui a accès à votre système d'exploitation. Je vous ai filmé sur des sites pour "
        f"adultes. Envoyez 800 € en BTC à {P2SH} sous 2 jours, sinon la vidéo ira à vos proches.", None, ()),
    "es: datos vendidos": (
        "Sus datos",
        "Soy un hacker y tengo acceso a su correo y a sus fotos privadas. Si no envía 600 dólares en bitcoin a "
        f"{BECH32} en 48 horas, sus datos serán vendidos y sus fotos enviadas a sus contactos.", None, ()),
    "it: bomba nell'edificio": (
        "Avviso",
        "Nel vostro edificio è stata nascosta una bomba. Esploderà se entro stasera non riceverò 20.000 dollari "
        f"in Bitcoin all'indirizzo {P2PKH}. Se chiamate la polizia la farò esplodere.", None, ()),
    "pt: roteador hackeado, fotos": (
        "Seu roteador",
        "Seu roteador foi hackeado e eu tenho acesso a todos os seus dispositivos e às suas fotos íntimas. "
        f"Envie 0,05 BTC para {BECH32} em 48 horas, ou envio tudo para seus contatos.", None, ()),
    "nl: database gedumpt": (
        "Uw website",
        "We hebben uw website gehackt en de volledige database gedownload. Betaal 0,5 BTC naar "
        f"{P2SH} binnen 72 uur, anders publiceren we de klantgegevens.", None, ()),
    "pl: system operacyjny, nagranie": (
        "Twój system",
        "Jestem hakerem i mam dostęp do twojego systemu operacyjnego. Nagrałem cię kamerką na stronach dla "
        f"dorosłych. Wyślij 1000 zł w bitcoinach na {BECH32} w ciągu 2 dni.", None, ()),
    "ru: бомба в здании": (
        "Внимание",
        "В вашем здании заложена бомба. Если до вечера я не получу 20 000 долларов в биткоинах на "
        f"{P2PKH}, она взорвётся. Не звоните в полицию.", None, ()),
    "ja: データベース, 公開": (
        "ウェブサイトについて",
        f"あなたのウェブサイトをハッキングし、データベースを盗みました。72時間以内に0.5 BTCを{BECH32}に送金しない場合、"
        "顧客情報を公開します。", None, ()),
    "ko: 몸캠, 유포": (
        "영상 확인하세요",
        f"당신의 영상 통화를 녹화했습니다. 24시간 안에 0.05 BTC를 {P2SH}로 보내지 않으면 가족과 지인에게 유포합니다.",
        None, ()),
    "tr: işletim sistemi, video": (
        "Uyarı",
        "Ben bir hackerım ve işletim sisteminize erişimim var. Yetişkin sitelerinde sizi kameranızla kaydettim. "
        f"48 saat içinde {BECH32} adresine 0,05 BTC gönderin, yoksa video tüm kişilerinize gidecek.", None, ()),
}

BAIT: dict[str, Lure] = {
    "en: a statement, the balance ready, log in": (
        "Account statement",
        "Your account balance 0.8 BTC is ready for withdrawal. Log in to your dashboard to withdraw: "
        "https://btc-dashboard.example/login", None, ()),
    "en: a forgotten wallet found, a network fee": (
        "Unclaimed wallet",
        "During a blockchain audit we found a forgotten wallet registered to your email address holding 2.41 "
        "BTC. To claim ownership, verify your identity and pay the 0.02 BTC network fee.", None, ()),
    "en: an inheritance in bitcoin": (
        "Inheritance claim",
        "I am the attorney of the late Mr. Hansen, who died without a will and left 45 BTC in a cold wallet. "
        "You share his surname and I can present you as the next of kin. Reply with your full name and phone "
        "number so we can start the transfer of the inheritance.", None, ()),
    "en: a recovery service for lost crypto": (
        "We recover stolen crypto",
        "Did you lose Bitcoin or USDT to a fake platform? Our certified recovery agents trace the blockchain and "
        "get your funds back within 7 days. 97% success rate. Contact our recovery desk today: "
        "recovery-desk@recover-funds.example", None, ()),
    "en: a tax to release the profits": (
        "Withdrawal on hold",
        "Your withdrawal of $86,400 in USDT is on hold. Before the funds are released you must pay the 10% "
        "capital gains tax of $8,640. Deposit it within 3 days or the account is frozen.", None, ()),
    "en: a cloud-mining balance, upgrade to withdraw": (
        "Mining report",
        "Your cloud-mining rig has earned 0.0912 BTC this month. Withdrawals open once you upgrade to the Pro "
        "plan for $199: https://cloudrig.example/upgrade", None, ()),
    "de: Mining-Guthaben, anmelden": (
        "Ihr Guthaben",
        "Ihr Mining-Guthaben von 0,37 BTC ist zur Auszahlung bereit. Melden Sie sich jetzt an und zahlen Sie es "
        "aus: https://mining-konto.example", None, ()),
    "es: herencia en bitcoin": (
        "Herencia",
        "Soy abogado. Un cliente fallecido dejó 30 BTC sin herederos y usted puede reclamarlos como familiar. "
        "Responda con sus datos para iniciar la transferencia de la herencia.", None, ()),
    "fr: fonds récupérés, frais de libération": (
        "Fonds récupérés",
        "Notre cabinet a récupéré 1,8 BTC qui vous avaient été volés. Pour libérer les fonds, réglez les frais "
        "de dossier de 350 €.", None, ()),
    "pt: saldo disponível para saque, login": (
        "Extrato",
        "O seu saldo de 0,9 BTC está disponível para saque. Faça login para sacar: https://saque-btc.example",
        None, ()),
    "ja: 残高, ログイン": (
        "残高のご案内",
        "お客様のアカウントに1.3 BTCの残高があります。ログインして出金してください: https://zandaka.example", None, ()),
}

BLIND = {**EXTORTION, **BAIT}

#: Lures main did not catch before this branch (filled in after the first measurement).
NOT_YET: dict[str, str] = {}
#: What main (f82f5cc) missed of this batch, and the technique each fix generalises (29/38 caught before):
#: "en: two lines, pay or else" -- a deadline named as a day (extortion_common.DEADLINE_DAY);
#: "en: a DDoS against the website", "en: a kidnapping threat to the family" -- harm: the ransom DDoS, the
#: kidnapping; "it: bomba nell'edificio" -- "dollari" (MONEY), the plural reader (READER), "stasera";
#: "en: a recovery service for lost crypto", "es: herencia en bitcoin", "ja: 残高, ログイン" -- lures.txt's
#: coins offered to a stranger and the balance behind a login; "en: a cloud-mining balance, upgrade to
#: withdraw" -- the paid upgrade is a fee (FEE); "fr: fonds récupérés, frais de libération" -- settling a fee
#: is a demand (DEMAND: "réglez").


def build(lure: Lure, sender: str = "x <x@mailer.example>") -> bytes:
    """The message: HTML only when the plain body is ''."""
    subject, body, html, attachments = lure
    if body or html is None:
        return make_message(sender=sender, subject=subject, body=body, html=html, attachments=attachments)
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "reader@example.net", subject
    msg["Message-ID"], msg["Date"] = "<blind-1@example.org>", "Tue, 24 Nov 2026 10:00:00 +0000"
    msg.set_content(html, subtype="html")
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def _cases(lures: dict[str, Lure], not_yet: dict[str, str]) -> list[Any]:
    """The names of ``lures``, those in ``not_yet`` as strict xfails with their reason."""
    return [pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=not_yet[name])) if name in not_yet
            else name for name in lures]


def _flagged(name: str, lure: Lure) -> set[str]:
    """Scan ``lure`` (YARA rules on), assert it is flagged and return its scoring codes."""
    v = scan(build(lure), rules=True)
    assert v.verdict in (VerdictKind.SUSPICIOUS, VerdictKind.MALICIOUS), (name, v.score, codes(v))
    return codes(v)


def _clean(name: str, sender: str, lure: Lure) -> None:
    v = scan(build(lure, sender), rules=True)
    assert v.verdict is VerdictKind.CLEAN, (name, v.score, codes(v))


def test_the_batch_is_large_and_varied() -> None:
    assert len(BLIND) >= 25 and len(BENIGN) + len(SIGNED_BENIGN) >= 10
    bodies = [m[1] or m[2] for m in BLIND.values()]
    assert len(set(bodies)) == len(bodies)


@pytest.mark.parametrize("name", _cases(BLIND, NOT_YET))
def test_blind_lure_is_flagged(name: str) -> None:
    _flagged(name, BLIND[name])


BENIGN: dict[str, tuple[str, Lure]] = {
    "an awareness newsletter quoting an extortion mail": (
        "IT Security <awareness@corp.example>", (
            "Phishing of the week",
            "This week many of you received the following mail. It is a scam, do not pay:\n\n"
            f"> I hacked your computer and recorded you with the webcam. Pay 0.1 BTC to {BECH32} within 48 "
            "hours or the video goes to all your contacts.\n\nThe sender has no video. Report such mail with the "
            "phishing button.", None, ())),
    "a German news article on sextortion": (
        "Stadtanzeiger <redaktion@stadtanzeiger.example>", (
            "Welle von Erpressermails",
            "Derzeit erhalten viele Leser E-Mails, in denen Betrüger behaupten, sie hätten den Computer gehackt und "
            "die Webcam eingeschaltet. Sie fordern 1.000 Euro in Bitcoin innerhalb von 48 Stunden. Die Polizei "
            "rät: nicht zahlen, Anzeige erstatten.", None, ())),
    "a password-reset notice": (
        "Accounts <no-reply@service.example>", (
            "Reset your password",
            "We received a request to reset the password of your account. The link below is valid for 24 hours: "
            "https://service.example/reset. If you did not ask for it, ignore this mail; your password stays "
            "the same.", None, ())),
    "a ransomware incident report to customers": (
        "Acme Hosting <security@acmehosting.example>", (
            "Security incident: what happened and what we are doing",
            "On 12 November our file servers were hit by ransomware. The attackers encrypted part of our backups "
            "and demanded 20 BTC within 72 hours; we did not pay and restored from offline copies. Some customer "
            "names and e-mail addresses may have been copied. As a precaution please change your password. We "
            "are sorry for the trouble.", None, ())),
    "a cloud-mining company newsletter": (
        "HashFarm <news@hashfarm.example>", (
            "HashFarm monthly: difficulty, new site, payouts",
            "Network difficulty rose 4% in November. Our new site in Norway runs on hydro power. Payouts stayed at "
            "about 0.00004 BTC per TH/s a day; your balance is always visible in the dashboard.", None, ())),
    "an estate lawyer on crypto inheritance": (
        "Notariat Weber <info@notariat-weber.example>", (
            "Crypto in your will",
            "Heirs often cannot reach a late relative's bitcoin because nobody knew the seed phrase. Our seminar on "
            "3 February explains how to leave crypto to your heirs safely. Registration on our website.", None,
            ())),
    "a friend whose router was hacked": (
        "Tom <tom@friends.example>", (
            "lost everything",
            "My router got hacked last week and the guy wiped my laptop; I lost all the photos from the trip. "
            "Do you still have the videos from the boat? Could you send them?", None, ())),
    "a school's bomb-threat drill": (
        "Principal <office@school.example>", (
            "Drill on Thursday",
            "On Thursday we will rehearse the evacuation for a bomb threat. Pupils leave the building within 10 "
            "minutes and gather on the sports field. Parents need not do anything.", None, ())),
    "a DDoS protection vendor's newsletter": (
        "ShieldNet <news@shieldnet.example>", (
            "Ransom DDoS is back",
            "Extortion groups again threaten websites with a DDoS attack unless they pay 2 BTC within 24 hours. "
            "Never pay: most threats are empty. Our mitigation plan blocks attacks up to 3 Tbps.", None, ())),
    "a recovered-funds notice from the police": (
        "Police Cyber Unit <cyber@police.example>", (
            "Seized funds returned",
            "Following the closure of a fraudulent exchange, seized funds are returned to the victims through the "
            "court's official portal. You will never be asked to pay a fee. Beware of scammers offering "
            "'recovery services'.", None, ())),
}


def _exchange_statement() -> bytes:
    """A real exchange's monthly statement with a balance and a login, DKIM-signed by its own domain."""
    return signed(make_message(
        sender="Coinbase <no-reply@coinbase.com>", subject="Your November statement",
        body="Hello,\n\nyour account balance on 30 November: 0.8213 BTC (about $51,200) and 1.2 ETH. Log in to "
             "see your full statement under Documents.\n\nThe Coinbase team\n"))


def _withdrawal_confirmation() -> bytes:
    """A real exchange asking to confirm a withdrawal the reader requested, DKIM-signed by its own domain (the
    same mail from an unauthenticated sender is flagged on main: a withdrawal-confirmation phish says it)."""
    return signed(make_message(
        sender="Coinbase <no-reply@coinbase.com>", subject="Confirm your withdrawal",
        body=f"You requested a withdrawal of 0.5 BTC to {BECH32}. Confirm it in the app within 30 minutes. If this "
             "was not you, lock your account in the app."))


SIGNED_BENIGN = {"a real exchange statement from a DMARC-passing brand": _exchange_statement,
                 "a real exchange's withdrawal confirmation": _withdrawal_confirmation}


@pytest.mark.parametrize("name", list(BENIGN))
def test_look_alike_stays_clean(name: str) -> None:
    _clean(name, *BENIGN[name])


@pytest.mark.parametrize("name", list(SIGNED_BENIGN))
def test_signed_look_alike_stays_clean(name: str) -> None:
    v = scan_signed(SIGNED_BENIGN[name]())
    assert v.verdict is VerdictKind.CLEAN, (name, v.score, codes(v))


#: More wordings of each technique the fixes name, written after them (not blind): several variants each.
VARIANTS: dict[str, Lure] = {
    "de: DDoS gegen den Shop, bis Freitag": (
        "DDoS",
        f"Ihr Online-Shop wird ab Montag mit einem DDoS angegriffen, bis Sie 1 BTC an {BECH32} zahlen. Die Frist "
        "endet am Freitag, danach kostet es 2 BTC.", None, ()),
    "es: secuestro, antes del viernes": (
        "Su hijo",
        f"Sabemos dónde estudia su hijo. Si no quiere un secuestro, envíe 1 BTC a {P2SH} hoy mismo. No avise a "
        "la policía.", None, ()),
    "en: terse, before Monday": (
        "pics",
        f"I have your photos and your contacts list. 0.05 BTC to {P2PKH} before Monday or your family gets them.",
        None, ()),
    "fr: terse, demain soir": (
        "vidéos",
        f"J'ai vos vidéos et la liste de vos contacts. 0,05 BTC à {BECH32} avant demain soir, sinon votre famille "
        "les reçoit.", None, ()),
    "en: a VIP level bought to withdraw": (
        "Withdrawal pending",
        "Your trading account balance of 2.3 BTC is pending withdrawal. Upgrade to VIP level 3 for 0.2 BTC to "
        "unlock it: https://vip-trade.example/upgrade", None, ()),
    "fr: héritage en bitcoin": (
        "Succession",
        "Je suis notaire. Un client décédé a laissé 12 BTC et un héritage sans héritier connu. Répondez-moi pour "
        "démarrer le transfert à votre nom.", None, ()),
    "en: get your bitcoin back": (
        "Scammed?",
        "Lost money to an online trading platform? Our fund recovery experts get your bitcoin back in days. "
        "Write to our desk now: desk@recover-btc.example", None, ()),
    "ko: 잔액, 로그인 후 출금": (
        "잔액 안내",
        "회원님 계정에 0.9 BTC 잔액이 있습니다. 로그인 후 출금하세요: https://jango.example", None, ()),
}

VARIANT_BENIGN: dict[str, tuple[str, Lure]] = {
    "a news item on ransom DDoS": (
        "City Herald <news@herald.example>", (
            "Ransom DDoS hits local shops",
            "Several shops received emails threatening a DDoS attack unless they paid 1 BTC by Friday. Police "
            "advise victims not to pay and to report the extortion.", None, ())),
    "an exchange crediting a deposit by tomorrow": (
        "Kestrel Exchange <notice@kestrel-exchange.example>", (
            "Deposit on its way",
            "Your deposit of 0.5 BTC will be credited to your balance by tomorrow morning. Log in to see it in "
            "your history.", None, ())),
    "a plan upgrade with a balance mentioned": (
        "Node Hosting <billing@nodehost.example>", (
            "Your plan",
            "Your node wallet balance is 0.02 BTC. Upgrade to the Pro plan for $19 a month to get more storage; "
            "you can cancel at any time.", None, ())),
    "a film review on a kidnapping": (
        "Film Club <club@films.example>", (
            "This week: Ransom",
            "In this thriller the kidnappers demand 10 bitcoin before Friday, or the father will never see his "
            "son again. A tense two hours; tickets at the door.", None, ())),
    "a Russian digest: hackers stole bitcoins (похитить is also to steal)": (
        "Крипто-дайджест <digest@krypto-news.example>", (
            "Дайджест недели",
            "Напоминаем вам: в 2016 году хакерам удалось похитить 120 тыс. биткоинов с биржи, видео с камер "
            "наблюдения так и не нашли. Оплатите подписку на дайджест в течение 3 дней, чтобы читать дальше.",
            None, ())),
    "an inheritance lawyer on a bitcoin estate": (
        "Kanzlei Roth <office@kanzlei-roth.example>", (
            "Ihre Erbschaft",
            "Sehr geehrte Frau Berger, zur Erbschaft Ihres Vaters gehören auch 0,4 BTC. Bitte bringen Sie zum "
            "Termin am 12. Januar den Erbschein mit.", None, ())),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_variant_of_a_fixed_technique_is_flagged(name: str) -> None:
    _flagged(name, VARIANTS[name])


@pytest.mark.parametrize("name", list(VARIANT_BENIGN))
def test_variant_look_alike_stays_clean(name: str) -> None:
    _clean(name, *VARIANT_BENIGN[name])


def test_a_day_named_deadline_presses_only_an_extortion() -> None:
    """ "By tomorrow" is a deadline with claims that hold the reader, never pressure on a balance."""
    from coinguard.analyzers.extortion_common import anatomy
    credited = anatomy("Your deposit of 0.5 BTC will be credited to your balance by tomorrow. Log in to see it.")
    assert credited.credited and not credited.deadline and not credited.fake_balance(link=True)
    held = anatomy(f"I have your videos and your contacts. 0.1 BTC to {P2SH} by tomorrow night.")
    assert held.deadline and held.extortion(address=True)


def test_an_upgrade_is_a_fee_only_with_its_price() -> None:
    from coinguard.analyzers.extortion_common import anatomy
    priced = anatomy("Your balance 0.3 BTC. Withdrawals open once you upgrade to the Pro plan for $199.")
    free = anatomy("Your balance 0.3 BTC. Upgrade the app to see it in the new dashboard.")
    assert priced.fee.startswith("upgrad") and not free.fee


def test_a_coin_amount_right_after_cjk_text_is_one() -> None:
    from coinguard.analyzers.extortion_common import anatomy
    assert anatomy("お客様のアカウントに1.3 BTCの残高があります").coin_amount == "1.3 btc"
    assert not anatomy("abc1.3 btc").coin_amount


#: A second blind round, written after the first round's fixes and before any further change: the hiding
#: tricks of the HTML template (hash-buster spans, font-size zero, words broken by tags), leetspeak, an
#: address in groups of four, the letter in an HTML or zipped attachment, and more of the bait.
ROUND2: dict[str, Lure] = {
    "en: HTML only, hash-buster spans hidden with display:none": (
        "Security notice", "",
        "<html><body><p>I h<span style='display:none'>qz7</span>acked your dev<span style='display:none'>xk"
        "</span>ice and rec<span style='display:none'>pw</span>orded you through the web<span style='display:"
        "none'>jj</span>cam on adult sites. Send 0.05 BTC to " + BECH32 + " within 48 hours or your cont<span "
        "style='display:none'>mm</span>acts get the video.</p></body></html>", ()),
    "en: HTML only, letters split by font-size zero": (
        "Your files", "",
        "<html><body><p>I have <font style='font-size:0'>r4</font>access to your phone. My spy<span "
        "style='font-size:0px'>w</span>ware recorded you naked. Pay $1200 in Bitcoin to " + P2SH +
        " in 2 days or every<span style='font-size:0'>z</span>one in your contacts sees it.</p></body></html>", ()),
    "en: leetspeak": (
        "y0ur s3cr3t",
        f"I h4cked y0ur c0mputer and rec0rded y0u thr0ugh the w3bcam on p0rn s1tes. Pay 0.06 BTC to {P2PKH} "
        "within 48 h0urs or your c0ntacts get the v1deo.", None, ()),
    "en: the address in groups of four": (
        "Pay now",
        "My malware recorded you through the camera on adult sites. Send 0.05 BTC within 48 hours to "
        f"{' '.join(BECH32[i:i + 4] for i in range(0, len(BECH32), 4))} or the clip goes to your family.", None, ()),
    "en: the letter in an HTML attachment": (
        "Notice", "See the attached page.", None,
        (("notice.html", ("<html><body><p>I hacked your phone and filmed you through the camera. Send 0.04 BTC "
                          f"to {BECH32} within 48 hours or the video goes to your contacts.</p></body></html>"
                          ).encode(), "text/html"),)),
    "en: the letter in a zipped .txt": (
        "Document", "The document is in the archive.", None,
        (("doc.zip", zip_bytes({"letter.txt": ("I have access to your email and your private photos. Send $800 "
                                               f"in Bitcoin to {P2SH} within 48 hours or I publish them.").encode()}),
          "application/zip"),)),
    "en: spaced letters B T C and bitcoin": (
        "Warning",
        f"I recorded you with your webcam on porn sites. Send 0.05 B T C to {BECH32} within 48 hours or your "
        "contacts see the video.", None, ()),
    "en: an incoming payment to accept": (
        "1 incoming payment",
        "You have 1 incoming payment of 0.8 BTC pending on your Bitcoin wallet. Sign in to accept it before it "
        "is returned: https://wallet-accept.example", None, ()),
    "en: a fake balance as a terse Subject and a link": (
        "Bitcoin Balance: 0.7495 BTC", "Withdraw here: https://btc-withdraw.example", None, ()),
    "es: correo hackeado, billetera": (
        "Tu correo",
        "Hackeé tu correo electrónico y tengo tus fotos íntimas. Transfiere 500 dólares en bitcoin a la billetera "
        f"{BECH32}. Tienes 48 horas o las publico en tus redes sociales.", None, ()),
    "de: Mining-Guthaben, Gebühr vor Auszahlung": (
        "Auszahlung",
        "Ihr Cloud-Mining-Guthaben beträgt 0,52 BTC. Vor der Auszahlung ist eine Aktivierungsgebühr von 0,01 BTC "
        "zu zahlen: https://mining-auszahlung.example", None, ()),
    "it: saldo, commissione di sblocco": (
        "Saldo",
        "Il tuo saldo di 0,6 BTC è pronto per il prelievo. Paga la commissione di sblocco di 50 € entro 24 ore: "
        "https://prelievo.example", None, ()),
}
#: What main (f82f5cc) and this branch before the fix missed of round two (11/12 caught by both): "en: an
#: incoming payment to accept" -- the pending transfer that "is returned" unless accepted (EXPIRY).
ROUND2_NOT_YET: dict[str, str] = {}


@pytest.mark.parametrize("name", _cases(ROUND2, ROUND2_NOT_YET))
def test_round_two_lure_is_flagged(name: str) -> None:
    _flagged(name, ROUND2[name])


def test_a_returned_order_is_no_expiry() -> None:
    """Only the transfer that goes back unless accepted presses: a shop's returned parcel does not."""
    from coinguard.analyzers.extortion_common import anatomy
    shop = anatomy("We refunded 0.002 BTC to your wallet for the parcel that was returned to us. Log in to see it.")
    assert not shop.expiry and not shop.fake_balance(link=True)


#: A third blind round, written before its changes: sextortion in languages the vocabularies did not have
#: (campaigns run in each), the way each is usually worded.
ROUND3: dict[str, Lure] = {
    "cs: hacknul jsem, kamera, 48 hodin": (
        "Váš účet",
        "Hacknul jsem vaše zařízení a nahrál jsem vás přes webkameru na stránkách pro dospělé. Pošlete 1000 USD v "
        f"bitcoinech na {BECH32} do 48 hodin, jinak video pošlu všem vašim kontaktům.", None, ()),
    "sv: hackat, webbkamera, 48 timmar": (
        "Ditt konto",
        "Jag har hackat din enhet och spelat in dig via webbkameran på porrsidor. Skicka 1000 USD i bitcoin till "
        f"{P2SH} inom 48 timmar, annars skickas videon till alla dina kontakter.", None, ()),
    "da: hacket, video, 48 timer": (
        "Din konto",
        "Jeg har hacket din computer og optaget dig via dit webcam på pornosider. Send 1000 USD i bitcoin til "
        f"{BECH32} inden for 48 timer, ellers sender jeg videoen til alle dine kontakter.", None, ()),
    "no: hacket, video, 48 timer": (
        "Kontoen din",
        "Jeg har hacket enheten din og tatt opp en video av deg gjennom kameraet mens du så på porno. Send 1000 USD "
        f"i bitcoin til {P2PKH} innen 48 timer, ellers får alle kontaktene dine videoen.", None, ()),
    "fi: hakkeroin, video, 48 tuntia": (
        "Tilisi",
        "Hakkeroin laitteesi ja nauhoitin sinut verkkokameralla aikuisten sivustoilla. Lähetä 1000 USD bitcoinina "
        f"osoitteeseen {BECH32} 48 tunnin kuluessa, tai video lähtee kaikille yhteystiedoillesi.", None, ()),
    "hu: feltörtem, kamera, 48 óra": (
        "Fiókja",
        "Feltörtem az eszközét, és a webkamerán keresztül felvettem, miközben felnőtt oldalakat nézett. Küldjön "
        f"1000 USD-t bitcoinban a {P2SH} címre 48 órán belül, különben a videót elküldöm minden ismerősének.", None,
        ()),
    "ro: am spart, camera, 48 de ore": (
        "Contul tău",
        "Am spart dispozitivul tău și te-am filmat prin camera web pe site-uri pentru adulți. Trimite 1000 USD în "
        f"bitcoin la {BECH32} în 48 de ore, altfel trimit videoclipul tuturor contactelor tale.", None, ()),
    "el: χάκαρα, κάμερα, 48 ώρες": (
        "Ο λογαριασμός σας",
        "Χάκαρα τη συσκευή σας και σας κατέγραψα μέσω της κάμερας σε ιστότοπους για ενήλικες. Στείλτε 1000 USD σε "
        f"bitcoin στο {P2PKH} μέσα σε 48 ώρες, αλλιώς το βίντεο θα πάει σε όλες τις επαφές σας.", None, ()),
    "uk: зламав, відео, 48 годин": (
        "Ваш акаунт",
        "Я зламав ваш пристрій і записав вас через камеру на сайтах для дорослих. Надішліть 1000 доларів у біткоїнах "
        f"на {BECH32} протягом 48 годин, інакше відео отримають усі ваші контакти.", None, ()),
    "vi: hack, video, 48 giờ": (
        "Tài khoản của bạn",
        "Tôi đã hack thiết bị của bạn và quay video bạn qua webcam khi bạn xem trang web người lớn. Hãy gửi 1000 "
        f"USD bằng bitcoin đến {P2SH} trong vòng 48 giờ, nếu không video sẽ được gửi đến tất cả danh bạ của bạn.",
        None, ()),
    "he: פרצתי, מצלמה, 48 שעות": (
        "החשבון שלך",
        "פרצתי למכשיר שלך והקלטתי אותך דרך מצלמת הרשת באתרים למבוגרים. שלח 1000 דולר בביטקוין לכתובת "
        f"{BECH32} תוך 48 שעות, אחרת הסרטון יישלח לכל אנשי הקשר שלך.", None, ()),
}
#: What main (f82f5cc) and this branch before the vocabularies caught of round three: 2/11 (da, no, by the
#: address's payment demand); the fix is one set of stems per part and language in extortion_common.
ROUND3_NOT_YET: dict[str, str] = {}

ROUND3_BENIGN: dict[str, tuple[str, Lure]] = {
    "cs: a police warning": (
        "Policie ČR <prevence@policie.example>", (
            "Varování před vyděračskými e-maily",
            "Podvodníci tvrdí, že hackli váš počítač a nahráli vás webkamerou. Požadují 1000 USD v bitcoinech do 48 "
            "hodin. Jde o podvod: neplaťte a věc oznamte policii.", None, ())),
    "sv: a news item": (
        "Nyheter <red@nyheter.example>", (
            "Ny våg av utpressningsmejl",
            "Bedragare skickar mejl där de påstår att de hackat mottagarens webbkamera och kräver 1000 USD i bitcoin "
            "inom 48 timmar. Polisen uppmanar: betala inte, det är bedrägeri.", None, ())),
    "el: a bank's warning": (
        "Τράπεζα <info@trapeza.example>", (
            "Προσοχή σε απάτες",
            "Απατεώνες στέλνουν email ότι χάκαραν την κάμερά σας και ζητούν 1000 USD σε bitcoin μέσα σε 48 ώρες. "
            "Είναι απάτη: μην πληρώσετε.", None, ())),
    "hu: a family video sent to contacts": (
        "Anna <anna@csalad.example>", (
            "a nyaralás videója",
            "Felvettem a videót a nyaraláson, holnap elküldöm minden ismerősnek. A bitcoin tanfolyam 48 óra "
            "múlva kezdődik, ne felejtsd el.", None, ())),
    "uk: a news digest on a hacked exchange": (
        "Крипто-новини <news@krypto.example>", (
            "Огляд тижня",
            "Хакери зламали біржу та вкрали 300 біткоїнів; відео з камер спостереження передали поліції. Шахраї "
            "вже розсилають листи жертвам. Не платіть нікому.", None, ())),
}


@pytest.mark.parametrize("name", _cases(ROUND3, ROUND3_NOT_YET))
def test_round_three_lure_is_flagged(name: str) -> None:
    """Flagged, and by the extortion's anatomy (not only by the address's payment demand)."""
    assert "crypto.extortion" in _flagged(name, ROUND3[name]), name


@pytest.mark.parametrize("name", list(ROUND3_BENIGN))
def test_round_three_look_alike_stays_clean(name: str) -> None:
    _clean(name, *ROUND3_BENIGN[name])


#: A fourth blind round, written before its changes: the fake balance in the languages round three added.
ROUND4: dict[str, Lure] = {
    "cs: zůstatek, výběr, poplatek": (
        "Váš zůstatek",
        "Na vašem účtu je zůstatek 0,8 BTC. Pro výběr zaplaťte poplatek 0,01 BTC do 24 hodin: "
        "https://vyber-btc.example", None, ()),
    "sv: saldo, uttag, avgift": (
        "Ditt saldo",
        "Ditt konto har ett saldo på 0,8 BTC. Bekräfta uttaget inom 24 timmar och betala avgiften på 0,01 BTC: "
        "https://uttag-btc.example", None, ()),
    "fi: saldo, nosto, maksu": (
        "Saldosi",
        "Tililläsi on 0,8 BTC:n saldo. Vahvista nosto 24 tunnin kuluessa: https://nosto-btc.example", None, ()),
    "hu: egyenleg, kifizetés, díj": (
        "Egyenlege",
        "Fiókja egyenlege 0,8 BTC. A kifizetéshez fizessen 0,01 BTC díjat 24 órán belül: "
        "https://kifizetes-btc.example", None, ()),
    "ro: sold, retragere, comision": (
        "Soldul tău",
        "Contul tău are un sold de 0,8 BTC. Confirmă retragerea în 24 de ore și plătește comisionul de 0,01 BTC: "
        "https://retragere-btc.example", None, ()),
    "el: υπόλοιπο, ανάληψη, χρέωση": (
        "Το υπόλοιπό σας",
        "Ο λογαριασμός σας έχει υπόλοιπο 0,8 BTC. Επιβεβαιώστε την ανάληψη μέσα σε 24 ώρες: "
        "https://analipsi-btc.example", None, ()),
    "uk: баланс, виведення, комісія": (
        "Ваш баланс",
        "На вашому рахунку 0,8 BTC. Щоб вивести кошти, сплатіть комісію 0,01 BTC протягом 24 годин: "
        "https://vyvedennya.example", None, ()),
    "vi: số dư, rút tiền, phí": (
        "Số dư của bạn",
        "Tài khoản của bạn có số dư 0,8 BTC. Xác nhận rút tiền trong vòng 24 giờ và thanh toán phí 0,01 BTC: "
        "https://rut-tien.example", None, ()),
    "he: יתרה, משיכה, עמלה": (
        "היתרה שלך",
        "בחשבון שלך יתרה של 0.8 BTC. אשר את המשיכה תוך 24 שעות ושלם עמלה של 0.01 BTC: https://mshicha.example",
        None, ()),
}
#: What main (f82f5cc) caught of round four: 0/9; the branch before its stems 3/9 (sv, fi: "saldo" and the hours
#: round three added; uk: "баланс" and "вивести" as Russian writes them).
ROUND4_NOT_YET: dict[str, str] = {}

ROUND4_BENIGN: dict[str, tuple[str, Lure]] = {
    "cs: a processed withdrawal with its network fee": (
        "Burza <info@burza.example>", (
            "Výběr zpracován",
            "Váš výběr 0,5 BTC byl zpracován. Poplatek sítě: 0,0002 BTC. Pokud jste o výběr nežádali, kontaktujte "
            "podporu.", None, ())),
    "hu: a statement line with its fee": (
        "Tőzsde <info@tozsde.example>", (
            "Havi kimutatás",
            "Egyenlege: 0,31 BTC. Hálózati díj: 0,0002 BTC. A részleteket a fiókjában találja.", None, ())),
    "el: a maintenance notice": (
        "Ανταλλακτήριο <info@antallaktirio.example>", (
            "Συντήρηση",
            "Οι αναλήψεις bitcoin διακόπτονται για 2 ώρες την Κυριακή. Το υπόλοιπό σας δεν επηρεάζεται.", None, ())),
    "vi: a news item on withdrawals": (
        "Tin Crypto <tin@tincrypto.example>", (
            "Tin tức",
            "Một sàn giao dịch đã tạm dừng rút tiền bitcoin trong 24 giờ sau sự cố. Cảnh sát đang điều tra vụ lừa "
            "đảo.", None, ())),
}


@pytest.mark.parametrize("name", _cases(ROUND4, ROUND4_NOT_YET))
def test_round_four_lure_is_flagged(name: str) -> None:
    _flagged(name, ROUND4[name])


@pytest.mark.parametrize("name", list(ROUND4_BENIGN))
def test_round_four_look_alike_stays_clean(name: str) -> None:
    _clean(name, *ROUND4_BENIGN[name])


def test_short_words_of_the_new_languages_stay_whole() -> None:
    """The English "sold" is no Romanian balance, "philosophy" no Vietnamese fee ("phí")."""
    from coinguard.analyzers.extortion_common import anatomy
    sale = anatomy("We sold 0.5 BTC for you at the market price; the philosophy fund pays out in 24 hours.")
    assert not sale.balance.startswith("sold") and not sale.fee
    assert anatomy("Contul tău are un sold de 0,8 BTC. Plătește comisionul.").credited == "0,8 btc"
