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


def _dns(name: bytes, timeout: float = 5.0) -> bytes | None:
    if name == b"mail._domainkey.coinbase.com.":
        return _key()[1].encode()
    raise DnsTempError("offline test")


@cache
def _ctx() -> ScanContext:
    cfg = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n')
    return ScanContext(config=cfg, rules=compile_rules(cfg.rules.dirs).rules, dns_resolver=_dns)


def scan(raw: bytes) -> Verdict:
    return scan_message(raw, _ctx())


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


def _exchange_notice() -> bytes:
    raw = make_message(
        sender="Coinbase <no-reply@coinbase.com>", subject="Your monthly account statement is ready",
        body="Hello,\n\nyour Coinbase statement for November is available in the app under Documents.\n"
             "Bitcoin and Ethereum balances are shown as of the last day of the month.\n\nThe Coinbase team\n",
        headers=[("DKIM-Signature-Placeholder", "x")])
    raw = raw.replace(b"DKIM-Signature-Placeholder: x\r\n", b"")
    sig = dkim.sign(raw, b"mail", b"coinbase.com", _key()[0],
                    include_headers=[b"from", b"to", b"subject", b"message-id", b"date"])
    return sig + raw


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


@pytest.mark.parametrize("name", list(BENIGN))
def test_benign_crypto_topic_mail_is_clean(name: str) -> None:
    v = scan(BENIGN[name]())
    assert v.verdict is VerdictKind.CLEAN, (v.score, [(f.code, f.score, f.strength) for f in v.findings if f.score])


def test_exchange_notice_really_passes_dkim() -> None:
    v = scan(_exchange_notice())
    assert "dkim.aligned" in {f.code for f in v.findings}
