"""Crafted benign crypto-topic mail must pass untagged (issue 11 §5: false positives to zero).

Each message is built here and goes through the real ``scan_message`` (YARA rules included).
DNS is an injected function: the exchange's DKIM key is served from memory, every other lookup
fails at once (temperror), so nothing leaves the machine.
"""

from __future__ import annotations

import io
from functools import cache

import dkim
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from coinguard.config import parse_config
from coinguard.dns import DnsTempError
from coinguard.findings import Verdict, VerdictKind
from coinguard.rules import compile_rules
from coinguard.scan import ScanContext, scan_message
from unpack.builders import zip_archive

from helpers import dkim_keypair, make_message, zip_bytes

_key = cache(dkim_keypair)


#: Domains whose DKIM key (selector "mail") and DMARC record the test resolver serves (exchanges' own).
SIGNING_DOMAINS = (b"coinbase.com", b"bit2me.com")


@cache
def signing_context(domains: tuple[bytes, ...] = SIGNING_DOMAINS) -> ScanContext:
    """A scan context (YARA rules on) whose resolver serves the DKIM key and DMARC record of ``domains``;
    every other lookup fails at once."""
    def dns(name: bytes, timeout: float = 5.0) -> bytes | None:
        for domain in domains:
            if name.rstrip(b".") == b"mail._domainkey." + domain:
                return _key()[1].encode()
            if name.rstrip(b".") == b"_dmarc." + domain:
                return b"v=DMARC1; p=reject; adkim=r; aspf=r"
        raise DnsTempError("offline test")

    cfg = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n')
    return ScanContext(config=cfg, rules=compile_rules(cfg.rules.dirs).rules, dns_resolver=dns)


def scan(raw: bytes) -> Verdict:
    return scan_message(raw, signing_context())


def _docx(text: str) -> bytes:
    body = f'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>' \
           f"<w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    return zip_bytes({
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               b'content-types"><Override PartName="/word/document.xml" ContentType="application/'
                               b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                       b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                       b'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                       b"</Relationships>",
        "word/document.xml": body.encode(),
    })


def _encrypted(plain: bytes, password: str) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt(password, out)
    return out.getvalue()


def _pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)


def signed(raw: bytes, domain: bytes = b"coinbase.com") -> bytes:
    """``raw`` with a DKIM signature of ``domain`` (selector "mail", the key :func:`signing_context` serves)."""
    sig = dkim.sign(raw, b"mail", domain, _key()[0],
                    include_headers=[b"from", b"to", b"subject", b"message-id", b"date"])
    return sig + raw


def _exchange_notice() -> bytes:
    return signed(make_message(
        sender="Coinbase <no-reply@coinbase.com>", subject="Your monthly account statement is ready",
        body="Hello,\n\nyour Coinbase statement for November is available in the app under Documents.\n"
             "Bitcoin and Ethereum balances are shown as of the last day of the month.\n\nThe Coinbase team\n"))


def _exchange_security_notice() -> bytes:
    """A genuine withdrawal confirmation: security wording, amounts, a link, a support number; DMARC passes."""
    return signed(make_message(
        sender="Coinbase <no-reply@coinbase.com>", subject="You sent 0.05 BTC",
        body="You sent 0.05 BTC (about $3,120) to an external wallet address on 28 Nov 2026.\n"
             "If you did not make this withdrawal, lock your account immediately at "
             "https://www.coinbase.com/settings/security and call us at +1 (888) 908-7930.\n"
             "Never share your password or 2-step verification codes with anyone.\n\nThe Coinbase team\n",
        html='<html><body><img src="https://static.coinbase.com/logo.png" alt="Coinbase"><p>You sent 0.05 BTC '
             '(about $3,120) to an external wallet address.</p><p>If you did not make this withdrawal, <a '
             'href="https://www.coinbase.com/settings/security">lock your account</a> immediately.</p></body></html>'))


def _spanish_exchange_notice() -> bytes:
    """A Spanish exchange's deposit confirmation and fee notice, DKIM-signed by its own domain (DMARC passes).

    Coin amounts, "credited to your account" and a withdrawal fee are what a fake balance says too: the
    exchange's own aligned signature is what tells them apart (brands.toml lists bit2me.com).
    """
    return signed(make_message(
        sender="Bit2Me <notificaciones@bit2me.com>", subject="Hemos recibido tu depósito de 0,0500 BTC",
        body="Hola Lucía:\n\nTu depósito de 0,0500 BTC se ha acreditado en tu cuenta tras 3 confirmaciones de la "
             "red Bitcoin y ya está disponible en tu monedero.\n\nA partir del 1 de enero, la comisión de retiro "
             "de bitcoin pasará a ser de 0,0001 BTC. Puedes consultar todas las comisiones en la sección Tarifas "
             "de la web.\n\nSi no reconoces esta operación, escríbenos desde el centro de ayuda de la app.\n\n"
             "Un saludo,\nEl equipo de Bit2Me\n"), b"bit2me.com")


def _german_newsletter() -> bytes:
    return make_message(
        sender="Krypto-Briefing <newsletter@krypto-briefing.example>",
        subject="Krypto-Briefing: Bitcoin über 100.000 Dollar, Ethereum-Upgrade verschoben",
        body="Guten Morgen,\n\nBitcoin hat in der Nacht erstmals die Marke von 100.000 Dollar überschritten. "
             "Viele Anleger nutzten den Anstieg für Gewinnmitnahmen, Kryptowährungen wie Solana und XRP legten "
             "dennoch zu. Die Börsenaufsicht BaFin warnt erneut vor unseriösen Plattformen, die hohe Gewinne "
             "versprechen.\n\nAußerdem in dieser Ausgabe: Wie Sie Kryptowährungen in der Steuererklärung angeben "
             "und was die neue EU-Verordnung MiCA für Wallets bedeutet.\n\nZum vollständigen Artikel: "
             "https://krypto-briefing.example/2026/12/01\n\nSie erhalten diesen Newsletter, weil Sie sich "
             "angemeldet haben. Newsletter abbestellen: https://krypto-briefing.example/abmelden\n",
        html='<html><body><h1>Krypto-Briefing</h1><p>Bitcoin hat in der Nacht erstmals die Marke von 100.000 '
             'Dollar überschritten.</p><a href="https://krypto-briefing.example/2026/12/01">Weiterlesen</a> '
             '<a href="https://krypto-briefing.example/abmelden">Abbestellen</a></body></html>')


def _japanese_market_report() -> bytes:
    return make_message(
        sender="マーケットリサーチ <report@research.example.jp>",
        subject="【週間レポート】ビットコイン相場と暗号資産市場の動向",
        body="いつもご覧いただきありがとうございます。\n\n今週のビットコイン価格は前週比4%上昇し、"
             "イーサリアムも堅調に推移しました。一部の投資家による利益確定の売りが見られたものの、暗号資産市場"
             "全体の取引高は増加しています。来週は米国の金融政策の発表が予定されており、相場の変動に注意が"
             "必要です。\n\n詳しくは当社ウェブサイトのレポートをご覧ください。\n配信停止はこちら: "
             "https://research.example.jp/unsubscribe\n")


def _eval_script() -> bytes:
    js = (b"// unit converter for the team wiki\nfunction convert(expr) {\n  // the formula comes from our own table\n"
          b"  return eval(expr);\n}\nconsole.log(convert('1.5 * 1000'));\n")
    return make_message(sender="Dev <dev@company.example>", subject="converter script",
                        body="Hi, here is the little converter we talked about.\n", attachments=[("convert.js", js)])


def _encrypted_without_password() -> bytes:
    return make_message(
        sender="Kim <kim@company.example>", subject="Q3 bitcoin treasury figures",
        body="Hi, the treasury figures are attached. I will call you with the password.\nKim\n",
        attachments=[("q3-treasury.docx", _encrypted(_docx("Treasury: BTC 12.5 held in cold storage. " * 40),
                                                      "Harbour-2026"))])


def _exchange_airdrop_newsletter() -> bytes:
    """An exchange's own newsletter about an airdrop, with a survey on Google Forms; DMARC passes."""
    return signed(make_message(
        sender="Coinbase <news@coinbase.com>", subject="The Base airdrop is live: check your eligibility",
        body="Hello,\n\nthe Base network airdrop is now live for eligible users. Claim your tokens in the Coinbase "
             "app under Rewards before 31 January: you can get up to 250 tokens, and the snapshot was taken on 1 "
             "December. We will never ask for your recovery phrase.\n\nTell us what you think in a two-minute "
             "survey: https://docs.google.com/forms/d/e/1FAIpQLSfSurvey2026/viewform\n\nThe Coinbase team\n",
        html='<html><body><h1>The Base airdrop is live</h1><p>Claim your tokens in the Coinbase app under Rewards '
             'before 31 January.</p><a href="https://www.coinbase.com/rewards">Open Rewards</a> <a href="https://'
             'docs.google.com/forms/d/e/1FAIpQLSfSurvey2026/viewform">Take the survey</a></body></html>'))


def _conference_with_a_form() -> bytes:
    """A Web3 conference's call for speakers: topic words, a travel grant and a Google Forms registration."""
    return make_message(
        sender="ETH Lisbon Team <hello@ethlisbon.example>", subject="Call for speakers: DeFi and wallet security",
        body="Dear builders,\n\nETH Lisbon 2026 invites talks on DeFi protocols, staking, web3 wallet security, "
             "hardware wallet backups and smart contract audits. Speakers receive a $500 travel grant and a free "
             "ticket; students get a 50% discount.\n\nPlease register through our form by 15 January: "
             "https://docs.google.com/forms/d/e/1FAIpQLScCallForSpeakers/viewform\nThe agenda is on our site: "
             "https://ethlisbon.pages.dev/agenda\n\nSee you in Lisbon!\n",
        html='<html><body><p>ETH Lisbon 2026 invites talks on DeFi, staking and web3 wallet security.</p>'
             '<a href="https://docs.google.com/forms/d/e/1FAIpQLScCallForSpeakers/viewform">Register</a> '
             '<a href="https://ethlisbon.pages.dev/agenda">Agenda</a></body></html>')


def _exchange_withdrawal_confirmation() -> bytes:
    """An exchange's own withdrawal confirmation (DMARC passes): an amount, "withdrawal", a fee, a deadline and
    a link -- the parts of a fake balance, from the exchange itself (issue 11, crypto.fake_balance)."""
    return signed(make_message(
        sender="Coinbase <no-reply@coinbase.com>", subject="Confirm your withdrawal of 0.12 BTC",
        body="Hello,\n\nyou asked to withdraw 0.12 BTC to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq. Network fee: "
             "0.00004 BTC. Confirm the withdrawal within 30 minutes, or it is cancelled: "
             "https://www.coinbase.com/withdrawals/confirm\nIf you did not ask for it, lock your account.\n\n"
             "The Coinbase team\n"))


_BTC = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
#: Crypto-topic mail with the parts of extortion or fake balances that is none (issue 11, crypto.extortion).
BENIGN_EXTORTION_TOPIC = {
    "donation page footer with a BTC address": lambda: make_message(
        sender="Open Maps Foundation <news@openmaps.example>", subject="Our November update",
        body="We mapped 12,000 new footpaths this month, thanks to 300 volunteers.\n\n--\nSupport our work: "
             f"donate by card at https://openmaps.example/donate or in bitcoin to {_BTC}. Every satoshi helps.\n"),
    "exchange withdrawal confirmation that passes DMARC": _exchange_withdrawal_confirmation,
    "crypto news digest quoting an extortion campaign": lambda: make_message(
        sender="Chain Digest <digest@news.example>", subject="Crypto weekly: sextortion wave, ETF flows",
        body="Researchers tracked a sextortion campaign this week: the mails claim the sender hacked the "
             "victim's camera and recorded a video, and demand $1,200 in bitcoin within 48 hours, or the video "
             "goes to every contact. Wallets such as bc1qar0s…5mdq received 3 payments. Do not pay: the recordings "
             "do not exist.\n\nRead online: https://news.example/issue/50\n"),
    "invoice paid in BTC between colleagues": lambda: make_message(
        sender="Tom Reyes <tom@studio.example>", subject="Invoice 42 (BTC)",
        body=f"Hi Ana,\n\nhere is invoice 42 for the logo work: 0.015 BTC. Please send it to {_BTC} when you can; "
             "the payment is due within 30 days as usual.\n\nThanks!\nTom\n"),
    "security awareness newsletter describing sextortion": lambda: make_message(
        sender="IT Security <security@company.example>", subject="Security tip of the month: sextortion mail",
        body="Some of you received mail claiming that a hacker installed malware on your computer, filmed you "
             "through the webcam on adult sites and will send the video to your contacts unless you pay 0.05 BTC "
             "within 48 hours. This is a scam: nobody filmed anything. Do not pay, do not reply, and report it to "
             "security@company.example. Never tell anyone your password.\n"),
    "news digest on the number of bitcoin millionaires": lambda: make_message(
        sender="Chain Digest <digest@news.example>", subject="Crypto weekly: 85,000 bitcoin millionaires",
        body="A new study counts 85,000 bitcoin millionaires worldwide, up 20% on last year, while miners' daily "
             "revenue fell after the halving. Analysts warn that most retail traders lose money.\n\n"
             "Read online: https://news.example/issue/51 - Unsubscribe: https://news.example/unsubscribe\n"),
    "a 48-hour sale": lambda: make_message(
        sender="Bike Shop <news@bikeshop.example>", subject="48 hours only: 30% off helmets",
        body="Our winter sale runs for 48 hours: 30% off every helmet, $20 off lights. You can pay by card or in "
             "bitcoin at checkout. Log in to see your member balance of reward points: "
             "https://bikeshop.example/account\n"),
}


BENIGN = {
    "exchange notice with a passing DKIM signature": _exchange_notice,
    "newsletter": lambda: make_message(
        sender="The Block Weekly <news@newsletter.example>", subject="This week in crypto: ETF flows, Solana upgrade",
        body="Bitcoin ETFs saw record inflows this week while the Ethereum community debated the next upgrade.\n"
             "Read the full analysis on our site. You are receiving this because you subscribed.\n",
        html='<html><body><p>Bitcoin ETFs saw record inflows this week.</p><a href="https://click.newsletter.example'
             '/t?url=https%3A%2F%2Fwww.theblock.example%2Fetf">Read more</a> <a href="https://click.newsletter.example'
             '/unsubscribe?u=1">Unsubscribe</a></body></html>'),
    "tax spreadsheet from an accountant": lambda: make_message(
        sender="Dana Accountant <dana@tax-office.example>", subject="Crypto gains for your 2026 tax return",
        body="Hi,\n\nattached is the sheet with your bitcoin and ether disposals for the tax return.\n"
             "Please check the cost basis column.\n\nDana\n",
        attachments=[("crypto-gains-2026.docx", _docx("Disposals: BTC 0.5, ETH 2.0; cost basis in EUR"))]),
    "invoice pdf": lambda: make_message(
        sender="Billing <billing@hosting.example>", subject="Invoice 2026-114 (paid in USDC)",
        body="Thank you for your payment in USDC. The invoice is attached for your records.\n",
        attachments=[("invoice-2026-114.pdf", _pdf("Invoice 2026-114 - node hosting - paid in USDC"))]),
    "photo zip": lambda: make_message(
        sender="Sam <sam@friends.example>", subject="Photos from the bitcoin meetup",
        body="Here are the photos from Thursday's meetup. Great talk about hardware wallets!\n",
        attachments=[("meetup-photos.zip", zip_bytes({"IMG_001.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 400,
                                                       "IMG_002.jpg": b"\xff\xd8\xff\xe0" + b"\x01" * 400}))]),
    "exchange security notice that passes DMARC": _exchange_security_notice,
    "one-line newsletter under a crypto Subject": lambda: make_message(
        sender="Chain Digest <digest@news.example>", subject="Bitcoin weekly: the halving explained",
        body="This week's issue is on our website.\n"),
    "newsletter with a picture and a topic Subject": lambda: make_message(
        sender="Chain Digest <digest@news.example>", subject="This week in crypto: Ethereum and Solana",
        body="Read online.\n",
        html='<html><body><img src="https://news.example/banner.png" alt="Chain Digest"><p>Read online.</p>'
             '<a href="https://news.example/issue/48">Read</a></body></html>'),
    "market report full of topic words, no call to action": lambda: make_message(
        sender="Research <research@broker.example>", subject="Crypto market report, week 48",
        body="Bitcoin, ethereum and solana led the crypto market this week. Staking rewards on DeFi platforms, "
             "web3 wallet adoption, NFT volumes, stablecoin supply, airdrop seasons and gas fees: our analysts "
             "cover the blockchain news, with a bonus chart on cryptocurrency ETF inflows and token unlocks.\n"),
    "meetup invitation from a free mailbox with a phone number": lambda: make_message(
        sender="Jo <jo.meetups@gmail.com>", subject="Bitcoin meetup on Thursday",
        body="Hi all, the bitcoin meetup is on Thursday at 7pm, the dinner is paid by our sponsor.\n"
             "Talks: Lightning wallets and hardware wallet backups. Lost? Call me at 415-555-0134.\nJo\n"),
    "German crypto news newsletter": _german_newsletter,
    "Spanish exchange deposit notice that passes DMARC": _spanish_exchange_notice,
    "Japanese crypto market report": _japanese_market_report,
    "German crypto tax webinar invitation": lambda: make_message(
        sender="Steuerkanzlei Weber <info@kanzlei-weber.example>",
        subject="Webinar: Kryptowährungen in der Steuererklärung",
        body="Sehr geehrte Damen und Herren,\n\nwie werden Gewinne aus Bitcoin und anderen Kryptowährungen versteuert? "
             "In unserem kostenlosen Webinar am 12. Januar erklären wir Haltefristen, Staking-Erträge und die "
             "Dokumentation für das Finanzamt.\n\nJetzt registrieren: https://kanzlei-weber.example/webinar\n\n"
             "Mit freundlichen Grüßen\nIhre Steuerkanzlei Weber\n"),
    "exchange airdrop newsletter with a survey form that passes DMARC": _exchange_airdrop_newsletter,
    "conference call for speakers with a Google Forms registration": _conference_with_a_form,
    "Russian crypto digest naming exchanges": lambda: make_message(
        sender="Крипто-дайджест <digest@news.example.ru>", subject="Криптовалюты за неделю: биткоин, Kraken и Binance",
        body="Добрый день!\n\nБиткоин за неделю вырос на 4%, эфир торговался у отметки 3500 долларов. Биржи Kraken и "
             "Binance сообщили о новых правилах вывода средств для клиентов из ЕС. Кракен — не только биржа: так "
             "называется и морское чудовище из скандинавских легенд.\n\nПолная версия на сайте: "
             "https://news.example.ru/digest/48\nОтписаться: https://news.example.ru/unsubscribe\n"),
    "crypto news digest quoting an exchange's team, with a photo credit": lambda: make_message(
        sender="Chain Digest <digest@news.example>", subject="Crypto weekly: withdrawals resume",
        body="Bitcoin and ethereum rallied this week. The Binance team said on Monday that withdrawals of "
             "stablecoins resume after the upgrade, and the Kraken support team answered questions on X.\n"
             "Photo: © Binance\n\nRead online: https://news.example/issue/49\n© 2026 Chain Digest\n"),
    "a Ledger notice forwarded to a colleague, with its sign-off": lambda: make_message(
        sender="Sam <sam@company.example>", subject="Fwd: Ledger Live update",
        body="FYI, we should update the treasury devices next week.\n\n---------- Forwarded message ---------\n"
             "From: Ledger <hello@ledger.com>\nSubject: Ledger Live update\n\nLedger Live 2.90 is available for "
             "your hardware wallet: update it from the app. We will never ask for your recovery phrase.\n\n"
             "The Ledger Team\n© 2026 Ledger SAS\n"),
    "newsletter presented by an exchange, its banner on top": lambda: make_message(
        sender="The Defi Letter <letter@defiletter.example>", subject="DeFi this week: staking yields and new L2s",
        body="Presented by Binance. Staking yields fell across DeFi protocols this week while two new layer-2 "
             "networks launched their mainnets. Our analysts look at web3 wallet adoption and stablecoin supply.\n"
             "Read online: https://defiletter.example/48\n",
        html='<html><body><a href="https://www.binance.com/en/earn?utm_source=defiletter"><img src="https://cdn.'
             'defiletter.example/sponsor.png" alt="Binance"></a><p>Staking yields fell across DeFi protocols this '
             'week.</p><a href="https://defiletter.example/48">Read online</a></body></html>'),
    "wallet safety tips from a news site": lambda: make_message(
        sender="Chain Digest <digest@news.example>", subject="Five habits that keep your crypto safe",
        body="Drainer sites copy real dapps. Before you connect your hardware wallet to a new site, check its "
             "address twice, and verify the wallet address on the device screen before you send. Hardware "
             "wallets keep the keys offline; we will never ask for your seed phrase, and nobody else should "
             "either.\n\nRead the full guide: https://news.example/guides/wallet-safety\n"),
    "Spanish wallet safety tips from a news site": lambda: make_message(
        sender="Cripto Noticias <boletin@criptonoticias.example>",
        subject="Cinco hábitos para proteger tus criptomonedas",
        body="Los sitios de drenaje copian aplicaciones reales. Antes de conectar tu billetera de hardware a un sitio "
             "nuevo, revisa la dirección dos veces. Nunca compartas tu frase de recuperación con nadie: ningún "
             "exchange te la pedirá. Guarda la copia de seguridad en papel, lejos del teléfono.\n\nLee la guía "
             "completa: https://criptonoticias.example/guias/seguridad\n"),
    "a shop that now takes bitcoin": lambda: make_message(
        sender="Bike Shop <news@bikeshop.example>", subject="You can now pay in bitcoin",
        body="Good news: you can now pay in bitcoin at checkout. Choose Bitcoin, and the BTC address and amount "
             "are shown on the payment page; the order ships after one confirmation. Prices stay in euros.\n"
             "Questions? Reply to this mail.\n"),
    "conference invitation": lambda: make_message(
        sender="Events <events@conference.example>", subject="Invitation: Web3 Security Summit, Seoul",
        body="You are invited to speak at the Web3 Security Summit about wallet security and DeFi audits.\n"
             "Please reply by Friday to confirm your slot.\n"),
    # (an encrypted .docx would do as well, but msoffcrypto-tool cannot decrypt what its own
    # OOXMLFile.encrypt writes for a document this small; a document nobody opens is unchecked)
    "password-protected document with its password from a colleague": lambda: make_message(
        sender="Kim <kim@company.example>", subject="Treasury report (encrypted)",
        body="Hi, the treasury report with our BTC reserves is attached. Password: Harbour-2026\nKim\n",
        attachments=[("treasury.zip", zip_archive({"treasury.docx": _docx("Treasury: BTC 12.5 held in cold storage")},
                                                  password=b"Harbour-2026"))]),
}


def test_forwarded_exchange_receipt_from_a_free_mailbox_is_no_callback_scam() -> None:
    # (the exchange named in a forwarded Subject still counts as brand.impersonation: a known limit)
    v = scan(make_message(
        sender="Lee <lee.family@gmail.com>", subject="Fwd: Your receipt",
        body="Hi Dana, for the tax file.\n\n---------- Forwarded message ---------\nFrom: Coinbase "
             "<no-reply@coinbase.com>\nSubject: Your receipt\n\nYou bought 0.25 BTC for $14,210.00 on 3 March.\n"
             "Questions about this order? Call us at +1 (888) 908-7930.\n"))
    assert "crypto.callback_scam" not in {f.code for f in v.findings}
    assert v.verdict is not VerdictKind.MALICIOUS


def test_exchange_security_notice_passes_dmarc() -> None:
    v = scan(_exchange_security_notice())
    assert "dmarc.pass" in {f.code for f in v.findings}


def test_spanish_exchange_notice_passes_dmarc() -> None:
    v = scan(_spanish_exchange_notice())
    assert "dmarc.pass" in {f.code for f in v.findings}


def test_script_with_a_bare_eval_is_not_quarantined() -> None:
    # a script by mail is risky by type (tagged), but dynamic code alone is no dropper behaviour
    v = scan(_eval_script())
    assert v.verdict is not VerdictKind.MALICIOUS, v.basis
    assert not {"file.script_behavior", "file.script_obfuscated"} & {f.code for f in v.findings}


def test_encrypted_document_without_its_password_is_unchecked_not_flagged() -> None:
    # never clean (nobody read it) and never suspicious: the password-in-the-body lure is not there
    v = scan(_encrypted_without_password())
    assert v.verdict is VerdictKind.UNCHECKED, (v.score, [(f.code, f.score) for f in v.findings if f.score])
    assert "office.encrypted.unopened" in {f.code for f in v.findings}


@pytest.mark.parametrize("name", list(BENIGN))
def test_benign_crypto_topic_mail_is_clean(name: str) -> None:
    v = scan(BENIGN[name]())
    assert v.verdict is VerdictKind.CLEAN, (v.score, [(f.code, f.score, f.strength) for f in v.findings if f.score])


@pytest.mark.parametrize("name", list(BENIGN_EXTORTION_TOPIC))
def test_benign_mail_with_extortion_or_balance_parts_is_clean(name: str) -> None:
    v = scan(BENIGN_EXTORTION_TOPIC[name]())
    assert v.verdict is VerdictKind.CLEAN, (v.score, [(f.code, f.score, f.strength) for f in v.findings if f.score])
    assert not {"crypto.extortion", "crypto.fake_balance"} & {f.code for f in v.findings if f.score and f.score > 1}


def test_exchange_notice_really_passes_dkim() -> None:
    v = scan(_exchange_notice())
    assert "dkim.aligned" in {f.code for f in v.findings}
