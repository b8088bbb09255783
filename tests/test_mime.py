from __future__ import annotations

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
