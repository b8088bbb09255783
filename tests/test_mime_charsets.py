"""Text decoded as a mail client shows it: charset supersets and aliases, UTF-8 first on undeclared or
single-byte-labelled 8-bit text, raw 8-bit headers, RFC 2047 words decoded one by one (crafted mail)."""

from __future__ import annotations

import base64

from coinguard import mime
from coinguard.catalogue import catalogue
from coinguard.text import decode_text, reading_codec, text_codec, unreadable_text


def _mail(headers: bytes, body: bytes, ctype: bytes = b"text/plain") -> bytes:
    return (b"From: a@example.org\r\nTo: b@example.org\r\n" + headers
            + b"MIME-Version: 1.0\r\nContent-Type: " + ctype + b"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body)


def _read(raw: bytes) -> tuple[str, str, set[str]]:
    msg, items, findings = mime.extract_parts(raw)
    info = mime.message_info(raw, msg, items)
    return info.subject, info.body_text, {f.code for f in findings}


def test_raw_utf8_subject_is_read_not_replacement_characters() -> None:
    subject, _body, _codes = _read(_mail("Subject: Claim your €2500 seed bonus 🎉\r\n".encode(), b"hi"))
    assert subject == "Claim your €2500 seed bonus 🎉"
    # the Header object compat32 hands back for raw 8-bit bytes (its str() is all U+FFFD)
    msg = mime.parse_bytes(_mail("Subject: Wallet gesperrt – bestätigen\r\n".encode(), b"x"))
    assert mime.decode_header(msg.get("Subject")) == "Wallet gesperrt – bestätigen"


def test_mislabelled_charsets_read_as_their_superset() -> None:
    korean = "지갑 복구 문구를 입력하세요"  # windows-949 (UHC) text, labelled as Outlook labels it
    assert decode_text(korean.encode("cp949"), "ks_c_5601-1987") == korean
    hanzi = "镕基钱包"  # 镕 is GBK, not GB2312
    assert decode_text(hanzi.encode("gbk"), "gb2312") == hanzi
    assert decode_text("“seed” – now".encode("cp1252"), "iso-8859-1") == "“seed” – now"  # not C1 controls
    assert reading_codec("ISO-8859-1") == "cp1252" and reading_codec("x-sjis") == "cp932"
    assert text_codec("cp-850") == "cp850" and text_codec("windows-874") == "cp874"


def test_utf8_first_on_undeclared_or_single_byte_labelled_text() -> None:
    text = "Ihre Auszahlung in Höhe von 0,5 BTC – jetzt bestätigen"
    assert decode_text(text.encode(), "") == text
    assert decode_text(text.encode(), "iso-8859-1") == text  # UTF-8 labelled latin-1
    assert decode_text(text.encode(), "x-nonsense") == text
    assert decode_text("Höhe".encode("cp1252"), "") == "Höhe"  # undeclared and not UTF-8: windows-1252
    assert decode_text("Höhe".encode("latin-1"), "iso-8859-1") == "Höhe"
    assert decode_text(b"caf\xc3", "utf-8") == "caf\ufffd"  # declared UTF-8 stays UTF-8


def test_encoded_words_decoded_one_by_one() -> None:
    euro = "€".encode()
    split = f"=?utf-8?B?{base64.b64encode(euro[:1]).decode()}?= =?utf-8?B?{base64.b64encode(euro[1:]).decode()}?="
    assert mime.decode_header(split) == "€"  # one character split over two words
    assert mime.decode_header("=?utf-8?Q?s=C3=A9ed?==?utf-8?Q?_phrase?=") == "séed phrase"  # glued words
    assert mime.decode_header("Re: =?utf-8?B?####?= =?utf-8?Q?wallet?=") == "Re: wallet"  # a bad word costs only itself
    assert mime.decode_header("TEST =?utf-8?Q?x?=") == "TEST x"  # space between text and a word is kept
    korean = base64.b64encode("지갑".encode("cp949")).decode()
    assert mime.decode_header(f"=?ks_c_5601-1987?B?{korean}?=") == "지갑"
    assert mime.decode_header("=?utf-8*en?Q?hi?=") == "hi"  # RFC 2231 language tail


def test_body_that_decodes_in_nothing_is_recorded_but_a_stray_byte_is_not() -> None:
    assert not catalogue()[mime.UNDECODABLE].incomplete
    garbage = bytes(range(0x80, 0x100)) * 4  # no valid UTF-8 sequence, declared UTF-8
    _s, _b, found = _read(_mail(b"Subject: s\r\n", b"Hello " + garbage, b"text/plain; charset=utf-8"))
    assert mime.UNDECODABLE in found
    _s, body, found = _read(_mail(b"Subject: s\r\n", b"Hello caf\xe9 friends, see you", b"text/plain; charset=utf-8"))
    assert mime.UNDECODABLE not in found and body.startswith("Hello caf")
    assert unreadable_text("Grüße".encode("cp1252") * 50, "") == 0  # undeclared latin text reads as windows-1252
    assert unreadable_text("안녕".encode("cp949") * 50, "ks_c_5601-1987") == 0


def test_a_mislabelled_latin_newsletter_is_recorded_not_unchecked() -> None:
    """windows-1252 text declared UTF-8 (a broken mailer): the reader sees U+FFFD where we do; clean, not
    unchecked (quarantined under the strict profile), with the finding kept as a record."""
    from coinguard.findings import VerdictKind
    from coinguard.scan import Envelope, ScanContext, scan_message

    text = ("Chère cliente, cher client, découvrez nos idées de sorties à Noël : marchés, musées, "
            "concerts et théâtre près de chez vous. À très bientôt ! ").encode("cp1252") * 6
    raw = _mail(b"Subject: Lettre de d\xe9cembre\r\n", text, b"text/plain; charset=utf-8")
    v = scan_message(raw, ScanContext(envelope=Envelope(id="N1")))
    assert mime.UNDECODABLE in v.codes
    assert v.verdict is VerdictKind.CLEAN, v.codes
