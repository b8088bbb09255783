"""Extortion and fake-balance mail told by their parts, not by phrases (analyzers/extortion_common).

Every lure here is written for this test, in several languages, and shares no phrase with the corpus or
with config/lures.txt's extortion entries: what they share is the technique's anatomy -- claims that hold
the reader, a payment in a coin, a deadline or secrecy; or coins credited, a call to act, pressure.
Benign counterparts live in tests/test_benign_crypto_mail.py.
"""

from __future__ import annotations

from functools import cache

import dkim
import pytest

from coinguard.analyzers.extortion_common import DEADLINE, anatomy, prepare
from coinguard.config import parse_config
from coinguard.dns import DnsTempError
from coinguard.findings import VerdictKind
from coinguard.scan import ScanContext, scan_message
from extortion_helpers import codes, scan

from helpers import dkim_keypair, make_message

BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"  # BIP-173's example address (valid checksum)
LEGACY = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
ETH = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55's example


#: Sextortion / threat paraphrases: (subject, body).  No "hacked your", "recorded you", "webcam" etc.
EXTORTIONS = {
    "en: software on the laptop, a clip, two days": (
        "About what happened last spring",
        f"Let me be blunt. Months ago my tool slipped onto your laptop while you browsed some adult pages, and "
        f"the lens above the screen has been filming you since. Move 0.09 BTC to {BTC} before two days pass, "
        f"or the clip lands with everyone in your contact list. Speak of this to nobody."),
    "de: Gerät übernommen, Video, Frist": (
        "Letzte Warnung",
        f"Ich habe die Kontrolle über Ihr Handy übernommen. Meine Software hat über die Kamera ein Video von "
        f"Ihnen gemacht, während Sie Seiten für Erwachsene angesehen haben. Überweisen Sie 1.300 € in Bitcoin an "
        f"{LEGACY}. Sie haben 3 Tage, sonst bekommt jeder Ihrer Kontakte die Aufnahme. Die Polizei hilft Ihnen nicht."),
    "fr: enregistrement, contacts, minuit": (
        "Votre secret",
        f"J'ai installé un programme espion sur votre ordinateur et j'ai un enregistrement de vos visites sur des "
        f"sites pour adultes. Versez 950 € en bitcoin à l'adresse {BTC} avant minuit demain, sinon vos contacts "
        f"recevront tout. Ne parlez de ce message à personne."),
    "es: cámara, contactos, 72 horas": (
        "Tenemos que hablar",
        f"Mi programa controla tu teléfono y la cámara me dejó grabarte en momentos íntimos. Envía 0,05 BTC a "
        f"{BTC} en las próximas 72 horas o mando el material a tus contactos. No se lo cuentes a nadie."),
    "it: telecamera, contatti, 48 ore": (
        "Ultimo avviso",
        f"Ho preso il controllo del tuo computer: la telecamera mi ha mostrato cose molto intime. Paga 800 euro in "
        f"Bitcoin al portafoglio {LEGACY} entro 48 ore, altrimenti il video arriva ai tuoi contatti."),
    "pt: câmera, contatos, 2 dias": (
        "Leia com atenção",
        f"Eu controlo o seu celular há semanas e a câmera gravou você em cenas íntimas. Transfira 0,04 BTC para "
        f"{BTC} em 2 dias ou seus contatos verão tudo. Não conte isso para ninguém."),
    "nl: camera, contacten, 24 uur": (
        "Belangrijk",
        f"Ik heb via je camera beelden van je gemaakt terwijl je naar seks keek. Maak binnen 24 uur 0.03 BTC over "
        f"naar {BTC}, anders stuur ik alles naar je contacten."),
    "ru: камера, контакты, 48 часов": (
        "Внимательно прочтите",
        f"Я получил доступ к вашему телефону и сделал видео через камеру. Переведите 0.02 BTC на {BTC} в течение "
        f"48 часов, иначе запись увидят все ваши контакты."),
    "en: bomb threat paid in bitcoin": (
        "Read this now",
        f"My associate has left an explosive device in your building. It will be set off unless I receive $20,000 "
        f"in bitcoin at {LEGACY} by the end of the working day. Calling the police ends in detonation."),
    "ja: カメラ, 連絡先, 48時間": (
        "重要なお知らせ",
        f"私はあなたのパソコンを乗っ取り、カメラで動画を撮りました。48時間以内に0.03 BTCを{BTC}に送金してください。"
        f"さもなければ連絡先の全員に公開します。"),
}

#: Fake balances / pending payouts, paraphrased.
FAKE_BALANCES = {
    "en: coins parked in an account, a release fee": (
        "Statement: 0.84 BTC on hold",
        "Dear member, our mining pool credited 0.84 BTC to your profile. To release it, log in and settle the "
        "network fee of $49. Unclaimed holdings expire on Friday. https://pool-portal.example/login"),
    "fr: solde crédité, retrait sous 24 heures": (
        "Votre solde",
        "Bonjour, 1,27 BTC ont été crédités sur votre compte. Retirez-les dans les 24 heures en cliquant ici : "
        "https://retrait.example/fr"),
    "es: saldo, confirmar, caduca": (
        "Saldo disponible",
        "Tu cuenta tiene un saldo de 0,66 BTC listo para retirar. Confirma tus datos antes de que caduque: "
        "https://saldo.example/es"),
    "it: prelievo in sospeso, 12 ore": (
        "Prelievo in sospeso",
        "Il tuo prelievo di 0,35 BTC è pronto. Conferma entro 12 ore oppure verrà annullato: https://prelievo.example"),
    "pl: wypłata, potwierdź, 48 godzin": (
        "Wypłata gotowa",
        "Twoja wypłata 0,5 BTC czeka. Potwierdź ją w ciągu 48 godzin: https://wyplata.example/pl"),
    "en: a stranger hands over an account full of coins": (
        "Re: the details",
        "Hi, the exchange account I mentioned holds 14.2 BTC in your portfolio now. Site: coin-vault.example "
        "User: 55120 Password: Qx81mTe9 - cash it out and we share."),
    "es: cuenta con bitcoins, datos de acceso": (
        "Los datos",
        "Hola, se han acreditado 9,6 BTC en su cuenta. Usuario 88213, contraseña: Lm42pQr7. Entre y retire."),
    "tr: bakiye, onayla, 24 saat": (
        "Bitcoin ödemeniz",
        "Hesabınıza 0,21 BTC kazanç yatırıldı. Çekim için 24 saat içinde onaylayın: https://cekim.example/tr"),
}


#: Get-rich investment lures, paraphrased (the coin, wealth, earning, a call to join).
INVESTMENTS = {
    "it: robot, ogni giorno, registrati": (
        "Una nuova vita",
        "Migliaia di italiani sono diventati milionari grazie al Bitcoin: il nostro robot lavora per te e "
        "guadagna ogni giorno. Registrati oggi, i posti sono pochi."),
    "fr: plateforme, par jour, inscrivez-vous": (
        "Ils ont tout changé",
        "Devenez riche avec le bitcoin : notre plateforme automatique rapporte 900 € par jour. Inscrivez-vous "
        "avant que les banques ne ferment cette porte."),
    "pl: system, dziennie, zarejestruj": (
        "Twoja szansa",
        "Zostań milionerem dzięki bitcoinowi. Nasz system zarabia dziennie za Ciebie. Zarejestruj się teraz."),
    "en: AI, a week, sign up": (
        "The quiet way",
        "Ordinary people build real wealth with Bitcoin while an AI trades for them, making $4,000 a week. "
        "Sign up before the banks close the door."),
}

LURES = [("crypto.extortion", name, *text) for name, text in EXTORTIONS.items()] + \
    [("crypto.fake_balance", name, *text) for name, text in FAKE_BALANCES.items()] + \
    [("crypto.investment_lure", name, *text) for name, text in INVESTMENTS.items()]


@pytest.mark.parametrize(("code", "name", "subject", "body"), LURES, ids=[f"{c}-{n}" for c, n, _, _ in LURES])
def test_paraphrased_lure_is_flagged_by_its_parts(code: str, name: str, subject: str, body: str) -> None:
    v = scan(make_message(sender="x <x@mailer.example>", subject=subject, body=body))
    assert code in codes(v), (name, anatomy(f"{subject}\n{body}"))
    if code != "crypto.investment_lure":  # (4: it tags with any lure wording, not alone)
        assert v.verdict in (VerdictKind.SUSPICIOUS, VerdictKind.MALICIOUS), (v.score, codes(v))


def test_each_part_is_needed() -> None:
    """Take one part away and the anatomy is gone: the parts together are the technique."""
    full = "I got into your phone and made a video through the camera. Send 0.02 BTC to the wallet within 48 hours."
    assert anatomy(full).extortion()
    assert not anatomy(full.replace("within 48 hours", "some time")).extortion()  # no deadline or secrecy
    assert not anatomy(full.replace("0.02 BTC to the wallet", "it")).extortion()  # no coin
    assert not anatomy(full.replace("made a video through the camera", "saw you")).extortion()  # one claim
    reported = "Hackers got into her phone and made a video through the camera. They want 0.02 BTC within 48 hours."
    assert not anatomy(reported).extortion()  # nobody speaks for himself: a report
    talk = "Scammers claim they got into your phone; this fraud asks 0.02 BTC within 48 hours. " + full
    assert not anatomy(talk).extortion()  # a text about the scam
    balance = "Your balance of 0.5 BTC is ready. Withdraw it within 24 hours."
    assert anatomy(balance).fake_balance()
    assert not anatomy(balance.replace("within 24 hours", "whenever you like")).fake_balance()
    assert not anatomy(balance.replace("Withdraw it", "It stays there")).fake_balance()


def test_a_demand_with_a_long_term_is_no_pressure() -> None:
    """An invoice's "within 30 days" is no extortion deadline; hours and up to three days are."""
    def deadline(text: str) -> bool:
        return bool(DEADLINE.search(prepare(text)))

    assert not deadline("Payment due within 30 days.")
    assert deadline("within 72 hours") and deadline("in 3 Tagen")
    assert deadline("avant minuit") and deadline("24시간 이내")
    # (anatomy() looks for a deadline only where a technique's rarer parts are)
    assert not anatomy("within 72 hours").deadline and anatomy("Your balance of 1 BTC: within 72 hours").deadline


def test_preparation_keeps_cjk_and_hangul_whole() -> None:
    assert prepare("Überweisen ビットコイン 비트코인") == "uberweisen ビットコイン 비트코인"
    assert prepare("b\u200bitc\u00adoin") == "bitcoin"


def test_extortion_in_an_attached_text_file() -> None:
    body = EXTORTIONS["en: software on the laptop, a clip, two days"][1]
    v = scan(make_message(sender="x <x@mailer.example>", subject="Read the attachment", body="See the file.\n",
                          attachments=[("message.txt", body.encode(), "text/plain")]))
    assert "crypto.extortion" in codes(v), codes(v)


def test_address_split_by_invisible_characters_is_found() -> None:
    hidden = "\u200b".join(BTC)
    v = scan(make_message(sender="x <x@mailer.example>", subject="Pay up",
                          body=f"I filmed you through the camera and your contacts will see it. Send 0.05 BTC to "
                               f"{hidden} within 48 hours.\n"))
    assert {"crypto.address", "crypto.address_payment_demand", "crypto.extortion"} <= codes(v), codes(v)


def test_address_in_the_subject_makes_the_payment() -> None:
    v = scan(make_message(sender="x <x@mailer.example>", subject=f"wallet {ETH}",
                          body="I have footage from your camera and your contacts are next. Pay $900 before midnight."))
    assert "crypto.extortion" in codes(v), codes(v)


def test_an_unpressed_demand_next_to_an_address_only_informs() -> None:
    v = scan(make_message(sender="Tom <tom@studio.example>", subject="Invoice 42",
                          body=f"Hi Ana, invoice 42 for the logo work: please send 0.015 BTC to {BTC}. Thanks!\n"))
    demand = [f for f in v.findings if f.code == "crypto.address_payment_demand"]
    assert demand and demand[0].score == 2.5, demand
    assert v.verdict is VerdictKind.CLEAN, (v.score, codes(v))


def test_address_split_by_html_tags_is_found() -> None:
    split = "".join(f"<span>{BTC[i:i + 4]}</span>" for i in range(0, len(BTC), 4))
    html = (f"<html><body><p>My program filmed you through the camera; your contacts get the clip.</p>"
            f"<p>Send 0.05 BTC to {split} within 48 hours.</p></body></html>")
    v = scan(make_message(sender="x <x@mailer.example>", subject="Pay", body="", html=html))
    assert {"crypto.address", "crypto.extortion"} <= codes(v), codes(v)


def test_full_width_address_is_found() -> None:
    wide = "".join(chr(ord(c) + 0xFEE0) for c in LEGACY)  # ＦＵＬＬＷＩＤＴＨ forms
    v = scan(make_message(sender="x <x@mailer.example>", subject="Pay",
                          body=f"I filmed you through the camera. Send $700 to {wide} within 2 days.\n"))
    assert "crypto.address" in codes(v), codes(v)


def test_invisible_characters_inside_words_do_not_hide_the_parts() -> None:
    body = ("I took c\u200bontrol of your ph\u200bone and the c\u200bamera gave me a vi\u200bdeo. "
            "Send 0.03 B\u200bTC in 48 h\u200bours.")
    assert anatomy(body).extortion()


_exchange_key = cache(dkim_keypair)


def _exchange_dns(name: bytes, timeout: float = 5.0) -> bytes | None:
    if name.rstrip(b".") == b"mail._domainkey.smallexchange.example":
        return _exchange_key()[1].encode()
    if name.rstrip(b".") == b"_dmarc.smallexchange.example":
        return b"v=DMARC1; p=reject"
    raise DnsTempError("offline test")


def test_fake_balance_parts_from_a_dmarc_passing_domain_only_inform() -> None:
    """An exchange no brand list knows, passing DMARC: its withdrawal notice has a fake balance's parts."""
    raw = make_message(sender="SmallEx <notify@smallexchange.example>", subject="Withdrawal pending",
                       body="Your withdrawal of 0.4 BTC is pending. Confirm it within 24 hours or it is cancelled: "
                            "https://smallexchange.example/confirm\n")
    raw = dkim.sign(raw, b"mail", b"smallexchange.example", _exchange_key()[0],
                    include_headers=[b"from", b"to", b"subject", b"message-id", b"date"]) + raw
    cfg = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n')
    v = scan_message(raw, ScanContext(config=cfg, rules=None, dns_resolver=_exchange_dns))
    assert "dmarc.pass" in {f.code for f in v.findings}
    found = [f for f in v.findings if f.code == "crypto.fake_balance"]
    assert found and found[0].score == 2.5, found


def test_a_shop_that_received_the_readers_coins_is_no_fake_balance() -> None:
    """"We received your 0.002 BTC" is the reader's own payment; a fake balance is credited to the reader."""
    text = ("Thanks for your order 1182! We received 0.002 BTC. Log in to follow the parcel: "
            "https://shop.example/orders. Delivery within 3 days.")
    assert not anatomy(text).fake_balance(link=True)


def test_address_in_an_image_alt_text_is_found() -> None:
    html = ('<html><body><p>My software filmed you through the camera; your contacts get the clip unless you send '
            f'$800 within 48 hours to the wallet in the picture.</p><img src="cid:qr" alt="{LEGACY}"></body></html>')
    v = scan(make_message(sender="x <x@mailer.example>", subject="Pay", body="", html=html))
    assert {"crypto.address", "crypto.address_payment_demand", "crypto.extortion"} <= codes(v), codes(v)


def test_a_coin_amount_credited_alone_is_no_fake_balance() -> None:
    """The bait without pressure ("you got 0.0004 BTC, here is the transaction") is left to lures.txt's
    reward wording: the parts of a fake balance include something that presses the reader."""
    v = scan(make_message(sender="Sam <sam@friends.example>", subject="lunch",
                          body="Hey, you got 0.0004 BTC from me for lunch, here is the transaction: "
                               "https://mempool.space/tx/4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b\n"))
    assert v.verdict is VerdictKind.CLEAN, (v.score, codes(v))
    assert "crypto.fake_balance" not in codes(v)


def test_the_vocabulary_gate_changes_no_anatomy(monkeypatch: pytest.MonkeyPatch) -> None:
    """anatomy() searches a vocabulary only where one of its required words is; the parts it finds are
    those of searching every vocabulary everywhere, on lures and on text that shares words with them."""
    import random

    from coinguard.analyzers import extortion_common as ec

    rng = random.Random(4)
    lure = ("i have recorded you pay 0.05 btc to my wallet within 48 hours or i send the video to your contacts "
            "tell nobody your account balance 1.2 bitcoin withdraw now fee expires today login password hackeado "
            "tengo tu video pagar 500 € en bitcoin dentro de 48 horas lorem ipsum dolor amet")
    words = lure.split()
    texts = [" ".join(rng.choice(words) for _ in range(rng.randint(3, 40))) for _ in range(400)]
    gated = [ec.anatomy(t) for t in texts]

    class Open:
        def open(self, text: str) -> object:
            return lambda rx: True

    monkeypatch.setattr(ec, "_gate", lambda: Open())
    assert gated == [ec.anatomy(t) for t in texts]
    assert sum(bool(a.threats) for a in gated) > 50


@pytest.mark.parametrize("unit", [
    "I hacked your phone and recorded you. Pay 0.1 BTC within 48 hours, tell no one. ",
    "Your balance of 2.5 BTC is credited: withdraw it now, the fee of 0.01 BTC expires tonight. ",
    "Earn $1,000 a day with our bitcoin robot, financial freedom: join now. Scam warning, do not pay. ",
    "payx paidx hackex bitcoinx walletx balancex feex 24x 0.1x ",  # stems with no boundary: near misses
])
def test_anatomy_cost_grows_linearly(unit: str) -> None:
    """Ten times the text costs about ten times the CPU (a generous bound): every vocabulary is searched in
    one pass, each part bounded (MAX_BALANCE_WORDS, MAX_AMOUNTS, windows)."""
    import time

    def cpu(text: str) -> float:
        best = float("inf")
        for _ in range(3):
            prepare.cache_clear()
            t0 = time.process_time()
            anatomy(text)
            best = min(best, time.process_time() - t0)
        return best

    small, large = unit * (8_000 // len(unit)), unit * (80_000 // len(unit))
    ratio = cpu(large) / max(cpu(small), 1e-4)
    assert ratio < 20, ratio
