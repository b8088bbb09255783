from __future__ import annotations

import pytest

from coinguard import mime
from coinguard.findings import Item

from helpers import make_message, manifest, need_corpus


def test_parts_become_items_with_true_types() -> None:
    raw = make_message(
        body="plain body",
        html="<p>Hello <a href='https://evil.test/x'>here</a></p>",
        attachments=[("invoice.pdf", b"MZ" + b"\0" * 200), ("notes.txt", b"just text\n", "text/plain")],
    )
    msg, items, findings = mime.extract_parts(raw)
    assert findings == []
    by_name = {i.name: i for i in items if i.name}
    assert by_name["invoice.pdf"].type == "pe"  # content, not the name
    assert by_name["invoice.pdf"].declared_type == "application/octet-stream"
    assert by_name["invoice.pdf"].role == "attachment"
    assert by_name["notes.txt"].role == "attachment"
    bodies = [i for i in items if i.role == "body"]
    assert {b.type for b in bodies} == {"text", "html"}
    info = mime.message_info(raw, msg, items, rcpts=("bob@example.net",))
    assert info.from_addr == "alice@example.org" and info.from_domain == "example.org"
    assert info.from_display == "Alice"
    assert "plain body" in info.body_text and "Hello here" in info.body_text
    assert info.body_html_links == ("https://evil.test/x",)
    assert info.attachment_names == ("invoice.pdf", "notes.txt")


def test_encoded_headers_and_rfc2231_names_are_decoded() -> None:
    raw = (
        b"From: =?utf-8?b?7JeF67mE7Yq4?= <notice@upbit-security.test>\r\n"
        b"Subject: =?utf-8?q?=EC=A7=80=EA=B0=91_=EB=B3=B4=EC=95=88?=\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n"
        b"--b\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''%EC%A7%80%EA%B0%91.lnk\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nTAAAAAEUAgA=\r\n--b--\r\n"
    )
    msg, items, _ = mime.extract_parts(raw)
    info = mime.message_info(raw, msg, items)
    assert info.from_display == "업비트"
    assert info.subject == "지갑 보안"
    assert items[1].name == "지갑.lnk" and items[1].path == "지갑.lnk"
    assert items[1].type == "lnk"


def test_nested_message_is_one_eml_item() -> None:
    inner = make_message(subject="inner", attachments=[("a.bin", b"\x00\x01")])
    raw = (
        b"From: a@b.test\r\nSubject: fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n"
        b"--zz\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--zz\r\nContent-Type: message/rfc822\r\n\r\n"
        + inner + b"\r\n--zz--\r\n"
    )
    _, items, _ = mime.extract_parts(raw)
    eml = [i for i in items if i.type == "eml"]
    assert len(eml) == 1 and b"Subject: inner" in eml[0].data
    # a nested message parsed with a parent: children one level down with joined paths
    _, children, _ = mime.extract_parts(eml[0].data, parent=eml[0])
    assert any(c.path.endswith("/a.bin") and c.depth == 1 for c in children)


def test_hostile_structure_is_a_finding_not_an_exception() -> None:
    raw = b"From: x\r\nContent-Type: multipart/mixed; boundary=\"q\"\r\n\r\n--q\r\nContent-Type: text/plain\r\n"
    _, items, findings = mime.extract_parts(raw)
    assert [f.code for f in findings] == ["mime.defect"]
    garbage = bytes(range(256)) * 50
    _, items, _ = mime.extract_parts(garbage)
    assert all(isinstance(i, Item) for i in items)


def test_part_limit_is_enforced() -> None:
    parts = b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(30))
    raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + parts + b"--b--\r\n"
    _, items, findings = mime.extract_parts(raw, max_parts=10)
    assert len(items) == 10
    assert "mime.too_many_parts" in [f.code for f in findings]


def test_every_benign_corpus_message_parses() -> None:
    corpus = need_corpus()
    rows = [r for r in manifest() if r["path"].startswith("benign/") and r["path"].endswith(".eml")]
    assert rows
    for row in rows:
        raw = (corpus / row["path"]).read_bytes()
        msg, items, _ = mime.extract_parts(raw)
        info = mime.message_info(raw, msg, items)
        assert isinstance(info.subject, str)


def test_base64_encoded_rfc822_part_is_decoded() -> None:
    import base64

    inner = make_message(subject="inner secret")
    raw = (
        b"From: a@b.test\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n"
        b"--zz\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(inner).replace(b"\n", b"\r\n") + b"--zz--\r\n"
    )
    _, items, _ = mime.extract_parts(raw)
    eml = [i for i in items if i.type == "eml"]
    assert len(eml) == 1 and b"Subject: inner secret" in eml[0].data


# -- hostile structure and decoding (issue 10) -----------------------------------------------------------
def _nested_multipart(depth: int, leaf: bytes) -> bytes:
    entity = leaf
    for level in range(depth):
        entity = (b'Content-Type: multipart/mixed; boundary="n%d"\r\n\r\n--n%d\r\n' % (level, level) + entity
                  + b"\r\n--n%d--\r\n" % level)
    return b"From: a@example.org\r\nSubject: deep\r\nMIME-Version: 1.0\r\n" + entity


LEAF = b'Content-Type: text/plain; name="x.txt"\r\nContent-Disposition: attachment; filename="x.txt"\r\n\r\nhello\r\n'


def test_deep_multipart_is_walked_without_recursion() -> None:
    _msg, items, findings = mime.extract_parts(_nested_multipart(200, LEAF))
    assert [i.name for i in items] == ["x.txt"] and findings == []


def test_multipart_too_deep_for_the_parser_is_a_parse_error_and_keeps_the_headers() -> None:
    raw = _nested_multipart(3000, LEAF)
    msg, items, findings = mime.extract_parts(raw)
    assert items == [] and [f.code for f in findings] == ["mime.parse_error"]
    assert "RecursionError" in findings[0].detail
    assert msg["Subject"] == "deep"  # the header block is still read for the message analyzers


def test_empty_multiparts_are_entities_not_parts() -> None:
    empty = b'Content-Type: multipart/mixed; boundary="e"\r\n\r\n--e--\r\n'
    body = b"".join(b"--o\r\n" + empty + b"\r\n" for _ in range(200)) + b"--o\r\n" + LEAF + b"\r\n--o--\r\n"
    raw = b'From: a@example.org\r\nContent-Type: multipart/mixed; boundary="o"\r\n\r\n' + body
    _msg, items, findings = mime.extract_parts(raw, max_parts=10)
    assert [i.name for i in items] == ["x.txt"] and findings == []


def test_walk_past_the_entity_limit_says_so() -> None:
    empty = b'Content-Type: multipart/mixed; boundary="e"\r\n\r\n--e--\r\n'
    body = b"".join(b"--o\r\n" + empty + b"\r\n" for _ in range(10_001)) + b"--o\r\n" + LEAF + b"\r\n--o--\r\n"
    raw = b'From: a@example.org\r\nContent-Type: multipart/mixed; boundary="o"\r\n\r\n' + body
    _msg, items, findings = mime.extract_parts(raw)
    assert items == []
    assert [f.code for f in findings] == ["mime.too_many_parts"] and "MIME entities" in findings[0].detail


def _rfc822_chain(depth: int) -> bytes:
    msg = b"From: a@example.org\r\nSubject: inner\r\n\r\nthe end\r\n"
    for level in range(depth):
        msg = (b'From: a@example.org\r\nSubject: fwd %d\r\nContent-Type: multipart/mixed; boundary="r%d"\r\n\r\n'
               b'--r%d\r\nContent-Type: message/rfc822\r\n\r\n' % (level, level, level) + msg
               + b"\r\n--r%d--\r\n" % level)
    return msg


def test_rfc822_nested_hundreds_deep_never_raises() -> None:
    _msg, items, findings = mime.extract_parts(_rfc822_chain(300))
    assert items == [] and [f.code for f in findings] == ["mime.parse_error"]
    assert "too deep" in findings[0].detail
    _msg, items, findings = mime.extract_parts(_rfc822_chain(3))  # shallow chains still become .eml items
    assert [i.type for i in items] == ["eml"] and findings == []


def test_decode_header_never_raises() -> None:
    for value in ("=?undefined?q?x?=", "=?utf\x00-8?q?x?=", "=?rot13?q?x?=", "=?hex?q?41?=", "=?utf-8?b?####?=",
                  "=?x-unknown?q?caf=E9?="):
        assert isinstance(mime.decode_header(value), str)
    assert mime.decode_header("=?utf-8?q?caf=C3=A9?=") == "café"
    assert mime.decode_header("=?x-unknown?q?caf=E9?=") == "café"  # unknown charset: latin-1


def test_text_codec_refuses_what_cannot_decode_text() -> None:
    assert mime.text_codec("UTF-8") == "utf-8" and mime.text_codec("latin1") == "iso8859-1"
    for charset in ("undefined", "rot13", "hex", "base64", "utf\x00-8", "unicode_internal", "", None):
        assert mime.text_codec(charset) is None
    assert mime.decode_text("café".encode(), "undefined") == "café"  # UTF-8 instead


def test_hostile_charset_is_a_finding_never_an_exception() -> None:
    for charset in (b"undefined", b'"utf\x00-8"', b"rot13", b"hex", b"x-nonsense"):
        raw = (b"From: a@example.org\r\nSubject: s\r\nContent-Type: text/plain; charset=" + charset
               + b"\r\n\r\nhello\r\n")
        msg, items, findings = mime.extract_parts(raw)
        assert [f.code for f in findings] == ["mime.bad_charset"], charset
        info = mime.message_info(raw, msg, items)
        assert "hello" in info.body_text


def _raw_named(name: bytes, charset: bytes = b"") -> bytes:
    params = b"; charset=" + charset if charset else b""
    return (b'From: a@example.org\r\nContent-Type: multipart/mixed; boundary="f"\r\n\r\n--f\r\n'
            b"Content-Type: application/octet-stream" + params + b'; name="' + name + b'"\r\n'
            b'Content-Disposition: attachment; filename="' + name + b'"\r\n\r\nMZ\r\n--f--\r\n')


def test_raw_8bit_filenames_keep_their_characters() -> None:
    for raw_name, charset, expected in (
        ("invoice\u202ecod.exe".encode(), b"", "invoice\u202ecod.exe"),  # UTF-8 first: the RTLO survives
        ("caf\u00e9.pdf".encode("latin-1"), b"", "caf\u00e9.pdf"),  # not UTF-8: latin-1
        ("\u0436.pdf".encode("koi8-r"), b"koi8-r", "\u0436.pdf"),  # not UTF-8: the part's charset
    ):
        _msg, items, _findings = mime.extract_parts(_raw_named(raw_name, charset))
        assert [i.name for i in items] == [expected]
        assert "\ufffd" not in items[0].path


def test_long_header_lines_are_cut_for_the_parser_only() -> None:
    limit = mime.MAX_HEADER_LINE
    for eol in (b"\r\n", b"\n"):
        raw = (b"From: a@example.org" + eol + b"X-Long: " + b"a" * (3 * limit) + eol + b"Subject: kept" + eol
               + b"X-Last: " + b"b" * (2 * limit) + eol + eol + b"body" + eol)
        cut, count = mime.cut_long_header_lines(raw)
        assert count == 2 and len(cut) < 2 * limit + 200
        assert cut.endswith(eol + eol + b"body" + eol) and b"Subject: kept" + eol in cut
        msg, items, findings = mime.extract_parts(raw)
        assert [f.code for f in findings] == ["mime.limit.header_line"]
        assert msg["Subject"] == "kept" and len(msg["X-Long"]) == limit - len("X-Long: ")
        assert [i.data for i in items] == [b"body" + eol]
    ordinary = make_message(body="a" * (3 * limit))  # long lines in a body are not header lines
    assert mime.cut_long_header_lines(ordinary) == (ordinary, 0)
    assert mime.cut_long_header_lines(ordinary)[0] is ordinary  # no copy


def test_parse_bytes_matches_the_stdlib() -> None:
    import email
    import email.policy

    raw = make_message(body="plain", html="<p>x</p>", attachments=[("a.bin", bytes(range(256)) * 700)])
    ours, stdlib = mime.parse_bytes(raw), email.message_from_bytes(raw, policy=email.policy.compat32)
    assert ours.as_bytes() == stdlib.as_bytes()
    assert [mime._payload(p) for p in ours.walk()] == [mime._payload(p) for p in stdlib.walk()]
    attachment = next(p for p in ours.walk() if p.get_filename() == "a.bin")
    assert mime._payload(attachment) == bytes(range(256)) * 700


def test_base64_fast_path_falls_back_to_the_stdlib_for_damaged_text() -> None:
    head = b'From: a@example.org\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    for body, expected in ((b"QUJD\r\nRA==\r\n", b"ABCD"), (b"QUJDRA\r\n", b"ABCD"), (b"QU\xc3\xa9JD\r\n", None)):
        msg = mime.parse_bytes(head + body)
        stdlib = msg.get_payload(decode=True)
        assert mime._payload(msg) == stdlib and (expected is None or stdlib == expected)


def _structure(msg: object) -> list[tuple[object, ...]]:
    import email.message

    assert isinstance(msg, email.message.Message)
    return [(p.get_content_type(), [type(d).__name__ for d in p.defects], p.preamble, p.epilogue,
             p.get_payload() if not p.is_multipart() else len(p.get_payload())) for p in msg.walk()]


_TRICKY = [
    # boundary right after a run of content lines; a line starting with "-" that is not a boundary
    b'Content-Type: multipart/mixed; boundary="b"\r\n\r\npreamble\r\nmore\r\n--b\r\n\r\nline 1\r\nline 2\r\n'
    b"-- not a boundary\r\nline 3\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\ny\r\n--b--\r\nepi\r\nlogue\r\n",
    # headers that end without a blank line (a content line ends them), then more content
    b"Subject: x\r\nplain content line\r\nsecond\r\nthird: header-like\r\nfourth\r\n",
    # lone CR and bare LF line ends, 8-bit bytes, a missing close boundary
    b'Content-Type: multipart/alternative; boundary="zz"\n\n--zz\rContent-Type: text/plain\r\rcr\rlines\r'
    b"--zz\n\nbare\nlf \xe9\xff\nlines\n",
    # nested message and a delivery-status report (blank lines end its header blocks)
    b'Content-Type: multipart/report; boundary="r"\r\n\r\n--r\r\nContent-Type: message/delivery-status\r\n\r\n'
    b"Reporting-MTA: dns; a\r\n\r\nFinal-Recipient: rfc822; b\r\nStatus: 5.0.0\r\n\r\n--r\r\n"
    b"Content-Type: message/rfc822\r\n\r\nFrom: c\r\nSubject: inner\r\n\r\ninner body\r\nsecond\r\n--r--\r\n",
    # a multipart whose body starts with content (no blank line after its headers)
    b'Content-Type: multipart/mixed; boundary="q"\r\nfirst content\r\nsecond\r\n--q\r\n\r\npart\r\n--q--\r\n',
    # a boundary full of regex specials, boundary lines with trailing blanks, a payload ending in a lone CR,
    # "From " and colon lines inside content, a closing boundary without a line end
    b'Content-Type: multipart/mixed; boundary="a.b+c(d)*[e]?$^|\\\\"\r\n\r\npre\r\n--a.b+c(d)*[e]?$^|\\ \t\r\n'
    b"\r\nFrom me\r\nnot: a header here\r\nplain\r--a.b+c(d)*[e]?$^|\\\r\nX-Y: z\r\n\r\nbody\n"
    b"--a.bXc(d)*[e]?$^|\\\r\n--a.b+c(d)*[e]?$^|\\--",
    # a part with no blank line before a boundary-looking line inside a run
    b'Content-Type: multipart/mixed; boundary="p"\r\n\r\n--p\r\nContent-Type: text/plain\r\n\r\n'
    + b"".join(b"content %d\r\n" % i for i in range(5000)) + b"--p\r\n\r\nlast\r\n--p--",
]


def test_parse_bytes_matches_the_stdlib_on_tricky_structure() -> None:
    """Runs of content lines are handed to the parser as one string: the parsed tree is the stdlib's."""
    import email
    import email.policy

    from helpers import DATA

    samples = list(_TRICKY) + [p.read_bytes() for p in sorted(DATA.glob("*.eml"))]
    for raw in samples:
        stdlib = email.message_from_bytes(raw, policy=email.policy.compat32)
        for feed in (7, 1 << 16):  # the runs depend on how the input was sliced: the result must not
            mime._FEED, saved = feed, mime._FEED
            try:
                ours = mime.parse_bytes(raw)
            finally:
                mime._FEED = saved
            assert _structure(ours) == _structure(stdlib), raw[:80]
            assert ours.as_bytes() == stdlib.as_bytes()


def test_the_parsers_cheaper_patterns_match_as_the_stdlibs() -> None:
    """The boundary matcher and the end-of-payload search the parser runs instead of its regexes."""
    import email.feedparser
    import re

    assert mime._BytesFeedParser._parsegen is not email.feedparser.FeedParser._parsegen  # the fast path is on
    lines = ["--b", "--b--", "--b\r\n", "--b--\r\n", "--b \t\n", "--b--  \r", "--bx\r\n", "--b\r\nx", "-b\n",
             "--b\n\n", "", "x--b\n", "--b--\n\n", "--b-\r\n"]
    for boundary in ("b", "a.b+c(d)*[e]?$^|\\", "=_\u00e9 x", "(?P<x>"):
        separator = "--" + boundary
        pattern = ("(?P<sep>" + re.escape(separator)
                   + r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$")  # feedparser's own
        stdlib, ours = re.compile(pattern), mime._FeedparserRe().compile(pattern)
        assert isinstance(ours, mime._Boundary)
        for line in lines + [ln.replace("--b", separator) for ln in lines]:
            a, b = stdlib.match(line), ours.match(line)
            assert (a is None) == (b is None), (boundary, line)
            if a is not None and b is not None:
                assert (a.group("end"), a.group("linesep")) == (b.group("end"), b.group("linesep"))
    assert not isinstance(mime._FeedparserRe().compile("(?P<sep>x)"), mime._Boundary)
    for text in ("", "x", "\n", "\r", "\r\n", "ab\r\n", "ab\n\r", "ab\r\r\n", "a\n\n", "a\r\nb", "\n\r\n"):
        a, b = email.feedparser.NLCRE_eol.search(text), mime._EolAtEnd().search(text)
        assert (a and a.group(0)) == (b and b.group(0)), repr(text)


def test_a_large_part_is_parsed_without_a_list_of_its_lines() -> None:
    """An 8 MB base64 attachment: the parser's peak stays near two copies of the part's text (the joined
    payload and the runs it was joined from), not the ~2.7 copies of a list of 76-character lines."""
    import base64
    import os
    import tracemalloc

    text = base64.encodebytes(os.urandom(6 << 20)).replace(b"\n", b"\r\n")
    raw = (b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\n'
           b"Content-Transfer-Encoding: base64\r\n\r\n" + text + b"--b--\r\n")
    tracemalloc.start()
    try:
        msg = mime.parse_bytes(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2.3 * len(text), peak / len(text)
    assert mime._payload(msg.get_payload()[0]) == base64.b64decode(text)


def test_unencoded_payload_is_the_received_bytes_and_is_released() -> None:
    import email
    import email.policy

    raw = (b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=latin-1\r\n'
           b"Content-Transfer-Encoding: 8bit\r\n\r\ncaf\xe9 \xff\r\n--b\r\nContent-Type: text/html\r\n\r\n"
           b"<p>x</p>\r\n--b--\r\n")
    stdlib = email.message_from_bytes(raw, policy=email.policy.compat32)
    expected = [p.get_payload(decode=True) for p in stdlib.walk() if not p.is_multipart()]
    msg, items, _ = mime.extract_parts(raw)
    assert [i.data for i in items] == expected == [b"caf\xe9 \xff", b"<p>x</p>"]
    # extract_parts leaves the message its headers, not a second copy of every part's text
    assert [p.get_payload() for p in msg.walk() if not p.is_multipart()] == ["", ""]
    assert msg.get_content_type() == "multipart/mixed"


@pytest.mark.parametrize(("value", "expected"), [
    ("Binance support@binance <x@evil.example>", ("Binance support@binance", "x@evil.example")),
    ('"Kraken Support" <a@kraken-help.example>', ("Kraken Support", "a@kraken-help.example")),
    ("plain@example.org", ("", "plain@example.org")),
])
def test_from_with_an_unquoted_at_in_the_display_name_keeps_name_and_domain(
        value: str, expected: tuple[str, str]) -> None:
    """parseaddr gives ('', '') for the first form; clients show the name and use the angle address."""
    assert mime.parse_from(value) == expected


def test_message_info_takes_the_domain_of_a_lenient_from() -> None:
    raw = b"From: Ledger Team@Support <alert@ledger-notice.example>\r\nSubject: x\r\n\r\nhi\r\n"
    info = mime.message_info(raw, mime.parse_bytes(raw), [])
    assert info.from_domain == "ledger-notice.example"
    assert info.from_display == "Ledger Team@Support"


def test_surrogate_escapes_are_told_from_other_text_exactly() -> None:
    from coinguard.mime import _has_surrogates

    for ch in ("\udc7f", "\udd00", "é", "\u2028", "a"):
        assert not _has_surrogates(f"x{ch}y"), repr(ch)
    for ch in ("\udc80", "\udcab", "\udcff"):
        assert _has_surrogates(f"Subject {ch} end"), repr(ch)
    assert not _has_surrogates("")


def test_header_end_equals_the_plain_definition() -> None:
    """The LF-LF search stops where the CRLF-CRLF pair matched: the same offset as searching both everywhere."""
    import random

    from coinguard.mime import _header_end

    def reference(raw: bytes) -> int:
        ends = [i for i in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if i >= 0]
        return min(ends) if ends else len(raw)

    rng = random.Random(11)
    alphabet = [b"\n", b"\r\n", b"\r", b"a", b"X: y"]
    kinds = set()
    for _ in range(5000):
        raw = b"".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        assert _header_end(raw) == reference(raw), raw
        for first in (1, 2, 3, 4, 5):  # the first stretch searched ends anywhere, a pair across its end
            mime._BLANK_LINE_FIRST, saved = first, mime._BLANK_LINE_FIRST
            try:
                assert _header_end(raw) == reference(raw), (first, raw)
                assert mime.blank_line(raw, 1, len(raw) - 1)[0] == mime._blank_line(raw, 1, len(raw) - 1)[0]
            finally:
                mime._BLANK_LINE_FIRST = saved
        crlf, lf = raw.find(b"\r\n\r\n"), raw.find(b"\n\n")
        kinds.add("none" if crlf < 0 and lf < 0 else "lf" if crlf < 0 or 0 <= lf < crlf else "crlf")
    assert kinds == {"none", "lf", "crlf"}
