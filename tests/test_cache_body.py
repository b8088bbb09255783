"""The body tier of the verdict cache (coinguard.cache.BodyCache): a known body skips the MIME parse
and the item loop, and every copy still gets exactly the verdict an uncached scan gives."""

from __future__ import annotations

import re
from email.message import EmailMessage, Message
from typing import Any

import pytest

import campaigns
from coinguard import cache as vc
from coinguard.config import parse_config
from coinguard.findings import Verdict
from coinguard.scan import Envelope, ScanContext, scan_message

from helpers import make_message

CFG = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n')


def scan(raw: bytes, cache: vc.VerdictCache | None = None, n: int = 0) -> Verdict:
    env = Envelope(id=f"Q{n}", queue_id=f"Q{n:08X}", sender="alerts@binance-verify.example",
                   rcpts=(f"user{n}@corp.example",))
    return scan_message(raw, ScanContext(config=CFG, envelope=env, cache=cache))


def signature(v: Verdict) -> tuple[Any, ...]:
    """Everything of a verdict but timing, the cache counters and the ``cached`` marks, findings in order."""
    return (v.verdict, v.action, v.score, v.codes, v.reason,
            tuple((f.code, f.analyzer, f.path, f.detail, f.score, f.strength) for f in v.findings),
            v.attachments, v.headers, v.indicators, v.errors, v.subject, v.message_id)


def counts(v: Verdict) -> dict[str, int]:
    return dict(v.cache_counts)


def lru() -> vc.LruCache:
    return vc.LruCache(vc.CacheConfig(), generation="g1")


@pytest.mark.parametrize("kind", campaigns.KINDS)
def test_each_campaign_kind_gets_the_uncached_verdict_from_the_body_tier(kind: str) -> None:
    cache = lru()
    copies = [campaigns.copy(kind, n) for n in range(4)]
    assert len({c.split(b"boundary=", 1)[1][:40] for c in copies}) == 4  # a new MIME boundary per copy
    cached = [scan(raw, cache, n) for n, raw in enumerate(copies)]
    plain = [scan(raw, None, n) for n, raw in enumerate(copies)]
    assert str(plain[0].verdict) in ("malicious", "suspicious"), plain[0].codes  # detected, so worth caching
    for a, b in zip(cached, plain, strict=True):
        assert signature(a) == signature(b)
    # copy 1: all misses; copy 2: the body misses, the items hit (and the body is stored); then one body hit
    assert counts(cached[0])["hit"] == 0 and counts(cached[1])["miss"] == 1 and counts(cached[1])["hit"] > 0
    assert counts(cached[2]) == counts(cached[3]) == {"hit": 1, "miss": 0, "error": 0}
    assert all(f.cached for f in cached[3].findings if f.path)
    assert not any(f.cached for f in cached[0].findings)


def _warm(kind: str = "zip") -> vc.LruCache:
    cache = lru()
    for n in range(3):
        scan(campaigns.copy(kind, n), cache, n)
    return cache


def test_a_body_one_byte_off_is_scanned_in_full_with_the_same_verdict_as_uncached() -> None:
    cache = _warm()
    changed = campaigns.copy("zip", 7, body=campaigns.BODY.replace("Dear", "Deer"))
    v = scan(changed, cache, 7)
    assert counts(v)["miss"] >= 1 and counts(v)["hit"] > 1  # the body is new; its attachment is known
    assert signature(v) == signature(scan(changed, None, 7))
    assert counts(scan(campaigns.copy("zip", 8), cache, 8)) == {"hit": 1, "miss": 0, "error": 0}


def test_another_from_and_subject_still_run_the_header_analyzers() -> None:
    cache = _warm("pdf")
    variants = [
        campaigns.copy("pdf", 10, subject="Quarterly statement", sender="Accounts <accounts@corp.example>"),
        campaigns.copy("pdf", 11, subject="URGENT: your Binance wallet is locked, verify your seed phrase now",
                       sender="Binance <security@binance.com.wallet-verify.example>"),
    ]
    got = [scan(raw, cache, 10 + n) for n, raw in enumerate(variants)]
    want = [scan(raw, None, 10 + n) for n, raw in enumerate(variants)]
    assert [counts(v) for v in got] == [{"hit": 1, "miss": 0, "error": 0}] * 2  # the same body both times
    assert [signature(v) for v in got] == [signature(v) for v in want]
    assert set(got[0].codes) != set(got[1].codes)  # the Subject/From analyzers saw each copy's own headers


def test_a_rules_reload_invalidates_the_body_tier() -> None:
    cache = _warm()
    cache.invalidate("g2")
    v = scan(campaigns.copy("zip", 5), cache, 5)
    assert counts(v)["hit"] == 0 and counts(v)["miss"] > 1  # nothing of the old generation is used
    assert signature(v) == signature(scan(campaigns.copy("zip", 5), None, 5))


@pytest.mark.parametrize("corrupt", [b"b" + b"not zlib", b"c" + b"not zstd", b"c" + b"\x28\xb5\x2f\xfd" + bytes(12)])
def test_a_corrupt_body_entry_is_a_miss_and_the_message_is_scanned_in_full(corrupt: bytes) -> None:
    cache = _warm()
    raw = campaigns.copy("zip", 6)
    body = vc.BodyCache.open(cache, raw, CFG.scan.limits().max_files)
    stored = cache.get(body.key)
    assert body is not None and stored is not None and stored[:1] == vc.BODY_KIND == b"c"  # Zstandard
    cache.put(body.key, corrupt)
    cache.bodies.clear()  # (else this process's decoded copy of the entry answers)
    v = scan(raw, cache, 6)
    assert counts(v)["hit"] > 1  # the body entry was no use; the per-item tier was
    assert signature(v) == signature(scan(raw, None, 6))


def test_a_decoded_entry_is_kept_in_process_and_bounded() -> None:
    cache = _warm()
    assert len(cache.bodies) == 1
    backend = cache._get_many
    asked: list[int] = []
    cache._get_many = lambda keys: asked.append(len(keys)) or backend(keys)  # type: ignore[method-assign]
    v = scan(campaigns.copy("zip", 9), cache, 9)
    assert asked == [] and counts(v) == {"hit": 1, "miss": 0, "error": 0}  # no backend round trip at all
    again = scan(campaigns.copy("zip", 10), cache, 10)
    assert signature(again)[5] == signature(v)[5]
    cache.invalidate("g2")
    assert len(cache.bodies) == 0
    small = vc.DecodedBodies(entries=2, max_bytes=10_000_000)
    replay = vc.BodyReplay(Message(), [], 0, [], None)
    for n in range(5):
        small.put(f"k{n}", replay)
    assert len(small) == 2 and small.get("k4") is not None and small.get("k0") is None


def _key(raw: bytes) -> str | None:
    body = vc.BodyCache.open(lru(), raw, 1000)
    return body.key.sha256 if body is not None else None


def test_copies_differing_only_in_headers_and_boundary_share_a_key() -> None:
    a = make_message(subject="one", to="a@x.example", body="same text\n", attachments=[("a.bin", b"\x01" * 50)])
    b = make_message(subject="two", to="b@x.example", body="same text\n", attachments=[("a.bin", b"\x01" * 50)])
    assert a.split(b"\r\n\r\n", 1)[1] != b.split(b"\r\n\r\n", 1)[1]  # other boundaries
    assert _key(a) is not None and _key(a) == _key(b)
    c = make_message(subject="one", to="a@x.example", body="same text\n", attachments=[("a.bin", b"\x02" * 50)])
    assert _key(c) != _key(a)
    d = a.replace(b"Content-Type: multipart/mixed", b"Content-Type: multipart/alternative", 1)
    assert _key(d) not in (None, _key(a))  # a shaping header is part of the key


def test_a_boundary_the_parser_would_not_read_as_a_delimiter_is_not_renamed() -> None:
    """The boundary quoted in a text line: renaming it would change an item's bytes, so the body is keyed
    as it is (two copies with other boundaries then get other keys)."""
    msgs = []
    for _ in range(2):
        raw = make_message(body="placeholder\n", attachments=[("a.bin", b"\x01" * 50)])
        boundary = raw.split(b'boundary="', 1)[1].split(b'"', 1)[0]
        assert raw.count(b"placeholder") == 1
        msgs.append(raw.replace(b"placeholder", b"quoted: --" + boundary + b" here"))
    assert _key(msgs[0]) is not None and _key(msgs[0]) != _key(msgs[1])


@pytest.mark.parametrize(("text", "renamed"), [
    (b"plain words", True),
    (b"NUL\x00bytes\x00", True),  # NUL bytes, but no token
    (b"\x00coinguard-boundary", False),  # the tokens' prefix: keyed as it is
    (b"x\x00coinguard-boundary-1\x00", False),
])
def test_a_body_holding_the_token_prefix_is_keyed_as_it_is(text: bytes, renamed: bool) -> None:
    msgs = [make_message(body="placeholder\n", attachments=[("a.bin", b"\x01" * 50)]).replace(b"placeholder", text)
            for _ in range(2)]
    assert all(text in raw for raw in msgs)
    bodies = [vc.BodyCache.open(lru(), raw, 1000) for raw in msgs]
    assert all(b is not None and (b.shape is not None) == renamed for b in bodies)
    assert (_key(msgs[0]) == _key(msgs[1])) == renamed  # other boundaries: one key only when renamed


@pytest.mark.parametrize("raw", [
    b"From: a@x.example\r\nnot a header line\r\nSubject: s\r\n\r\nbody\r\n",  # the parser's body starts early
    b"From: a@x.example\r\nSubject: s\r\n",  # no body at all
    b"Subject: " + b"x" * 70_000 + b"\r\n\r\nbody\r\n",  # a header line mime cuts
])
def test_messages_whose_header_block_is_not_plain_have_no_body_key(raw: bytes) -> None:
    assert _key(raw) is None
    cache = lru()
    for n in range(3):
        assert signature(scan(raw, cache, n)) == signature(scan(raw, None, n))


def _locked_zip() -> bytes:
    import io

    import pyzipper

    buf = io.BytesIO()
    with pyzipper.AESZipFile(buf, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(b"Kx-4471!")
        zf.writestr("statement.pdf.lnk", (campaigns.DATA / "strelka_test.lnk").read_bytes())
    return buf.getvalue()


def test_a_run_that_read_the_passwords_is_replayed_only_for_the_same_candidates() -> None:
    """An encrypted zip opened with the password the body gives: the body entry remembers the candidates'
    digest; a copy whose Subject adds a candidate (the passwords come from the Subject and the body
    text) is scanned in full -- still the uncached verdict."""
    locked = _locked_zip()

    def copy(n: int, subject: str) -> bytes:
        return make_message(subject=subject, to=f"user{n}@corp.example",
                            body="Your statement is attached. The password is Kx-4471! for the archive.\n",
                            attachments=[("statement.zip", locked, "application/zip")])

    cache = lru()
    same = [copy(n, "Your statement") for n in range(3)]
    got = [scan(raw, cache, n) for n, raw in enumerate(same)]
    assert "archive.password_found" in got[0].codes
    assert [signature(v) for v in got] == [signature(scan(raw, None, n)) for n, raw in enumerate(same)]
    assert counts(got[2]) == {"hit": 1, "miss": 0, "error": 0}
    other = copy(3, "Your statement, password: Zq-9081?")
    stored = cache.stats.stored
    v = scan(other, cache, 3)
    assert cache.stats.stored > stored  # the zip was opened again (with these candidates) and stored anew
    assert signature(v) == signature(scan(other, None, 3))


def test_a_body_that_could_not_be_fully_read_is_never_stored_and_stays_unchecked() -> None:
    """An encrypted zip no password in the mail opens: every copy of the campaign is scanned as the first
    one was and ends 'unchecked' -- a body entry would replay findings of a run that did not read it all."""
    locked = _locked_zip()
    copies = [make_message(subject="Your statement", to=f"user{n}@corp.example", body="Statement attached.\n",
                           attachments=[("statement.zip", locked, "application/zip")]) for n in range(4)]
    cache = lru()
    got = [scan(raw, cache, n) for n, raw in enumerate(copies)]
    assert all(str(v.verdict) == "unchecked" for v in got), [v.codes for v in got]
    assert [signature(v) for v in got] == [signature(scan(raw, None, n)) for n, raw in enumerate(copies)]
    # a body hit is one lookup that hit (see the campaign test); none of the copies had one
    assert all(counts(v) != {"hit": 1, "miss": 0, "error": 0} for v in got), [counts(v) for v in got]


# -- nested multiparts, part references, entries not stored, the replayed MessageInfo -------------------------

def _nested(n: int, attachment: bytes = b"\x01" * 6000, text: str = "same text\n") -> bytes:
    """The usual shape of HTML mail with a file: multipart/mixed around multipart/alternative (text, HTML),
    every multipart with a boundary of its own drawn per copy."""
    return make_message(subject=f"copy {n}", to=f"u{n}@x.example", body=text, html="<p>same <b>html</b></p>\n",
                        attachments=[("a.bin", attachment)])


def _boundaries(raw: bytes) -> list[bytes]:
    return re.findall(rb'boundary="([^"]+)"', raw)


def test_nested_multiparts_are_renamed_so_copies_share_a_key() -> None:
    a, b = _nested(1), _nested(2)
    assert len(set(_boundaries(a)) | set(_boundaries(b))) == 4  # two multiparts, new boundaries per copy
    assert _key(a) is not None and _key(a) == _key(b)
    body = vc.BodyCache.open(lru(), a, 1000)
    assert body is not None and body.shape is not None and body.shape.leaves is not None
    assert len(body.shape.leaves) == 3  # text, HTML, the file
    assert not any(bnd in body.shape.body for bnd in _boundaries(a))
    assert _key(_nested(3, attachment=b"\x02" * 6000)) != _key(a)
    cache = lru()
    got = [scan(_nested(n), cache, n) for n in range(4)]
    assert counts(got[3]) == {"hit": 1, "miss": 0, "error": 0}
    assert [signature(v) for v in got] == [signature(scan(_nested(n), None, n)) for n in range(4)]


@pytest.mark.parametrize("where", ["quoted in the text", "a delimiter line outside its multipart"])
def test_a_nested_boundary_the_parser_reads_elsewhere_stays_in_the_key(where: str) -> None:
    """The inner boundary quoted in a line of the text part, or written as a delimiter line in the file
    part, outside the multipart it delimits (there the parser reads it as text): renaming it would change
    an item's bytes, so the body keeps it (two copies then get other keys), and the verdict is uncached's."""
    msgs = []
    for n in range(2):
        if where == "quoted in the text":
            raw = _nested(n, text="placeholder\n")
            inner = _boundaries(raw)[1]
            raw = raw.replace(b"placeholder", b"quoted: --" + inner + b" here")
        else:
            msg = EmailMessage()
            msg["Subject"] = "s"
            msg.set_content("t\n")
            msg.add_alternative("<p>h</p>\n", subtype="html")
            msg.add_attachment("placeholder\n", filename="notes.txt")  # a 7bit text part: its lines as written
            raw = msg.as_bytes()
            raw = raw.replace(b"placeholder", b"--" + _boundaries(raw)[1])
            assert raw.count(b"\n--" + _boundaries(raw)[1] + b"\n") == 3  # the inner multipart's two and this one
        msgs.append(raw)
    assert _key(msgs[0]) is not None and _key(msgs[0]) != _key(msgs[1])
    cache = lru()
    for n in range(3):
        raw = msgs[n % 2]
        assert signature(scan(raw, cache, n)) == signature(scan(raw, None, n))


def test_a_large_part_is_kept_as_a_reference_to_the_body_and_read_back_exactly() -> None:
    import random

    from coinguard import mime

    blob_data = random.Random(14).randbytes(120_000)  # incompressible, as attachments mostly are
    copies = [_nested(n, attachment=blob_data) for n in range(3)]
    cache = lru()
    for n, raw in enumerate(copies):
        scan(raw, cache, n)
    body = vc.BodyCache.open(cache, copies[2], CFG.scan.limits().max_files)
    assert body is not None and body.shape is not None
    entry = cache.get(body.key)
    assert entry is not None and len(entry) < 20_000  # the file's 120 KB are not in it
    replay = vc.decode_body(entry, body.headers, body.shape.body)
    _msg, top, _f = mime.extract_parts(copies[2])
    assert [i.data for i in replay.top_items] == [i.data for i in top]
    assert blob_data in [i.data for i in replay.items]
    with pytest.raises(vc.CacheFormatError):
        vc.decode_body(entry, body.headers, None)  # a reference needs the body it points into
    with pytest.raises(vc.CacheFormatError):
        vc.decode_body(entry, body.headers, body.shape.body[:-5000])


def test_a_body_entry_over_the_size_cap_is_encoded_once_not_for_every_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    encoded: list[int] = []
    real = vc.encode_body

    def counting(*args: Any, **kw: Any) -> bytes | None:
        encoded.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(vc, "encode_body", counting)
    cache = vc.LruCache(vc.CacheConfig(max_entry_bytes=500), generation="g1")
    got = [scan(campaigns.copy("xlm", n), cache, n) for n in range(5)]
    assert len(encoded) == 1  # copy 2 (its items hit) encoded the body once; the entry was too large
    assert cache.stats.not_stored >= 1 and all(counts(v)["hit"] > 0 for v in got[1:])  # the per-item tier serves
    assert [signature(v) for v in got] == [signature(scan(campaigns.copy("xlm", n), None, n)) for n in range(5)]
    cache.invalidate("g2")  # a new generation may store what the old one could not
    assert not cache.bodies.refused(vc.BodyCache.open(cache, campaigns.copy("xlm", 0), 1000).key.text())  # type: ignore[union-attr]


@pytest.mark.parametrize("kind", campaigns.KINDS)
def test_the_replayed_message_info_is_the_whole_message_info(kind: str) -> None:
    from coinguard import mime
    from coinguard.scan import replay_info

    cache = _warm(kind)
    raw = campaigns.copy(kind, 20, subject="Another subject", sender="Other <other@elsewhere.example>")
    env = Envelope(id="Q20", queue_id="Q20", sender="x@elsewhere.example", rcpts=("u@corp.example",))
    body = vc.BodyCache.open(cache, raw, CFG.scan.limits().max_files)
    assert body is not None
    replay = body.lookup()
    assert replay is not None
    msg, top, _f = mime.extract_parts(raw)
    whole = mime.message_info(raw, msg, top, envelope_from=env.sender, rcpts=env.rcpts, queue_id=env.queue_id)
    assert replay_info(raw, replay, env) == whole
    assert replay_info(raw, replay, env) == whole  # the second time from what the first derived
    assert "info" in replay.derived


def test_the_remembered_body_digest_is_the_sha256_and_never_another_bodys() -> None:
    """DecodedBodies.digest: a body equal to one hashed moments ago gets the digest without hashing it again --
    the same sha256 as hashing it; a body of the same length one byte off, another header part, or one past
    the memo's size cap is hashed (so it never gets another body's key)."""
    import hashlib

    memo = vc.DecodedBodies()
    body = campaigns.copy("invoice", 1)[-200_000:]
    want = hashlib.sha256(b"head" + body).hexdigest()
    assert memo.digest(b"head", body) == want
    assert memo.digest(b"head", bytes(bytearray(body))) == want  # an equal body, another object
    assert memo.digest(b"head", memoryview(b"x" + body)[1:]) == want
    other = body[:-1] + bytes([body[-1] ^ 1])
    assert memo.digest(b"head", other) == hashlib.sha256(b"head" + other).hexdigest()
    assert memo.digest(b"hea", b"d" + body) == want  # (the same bytes hashed: the same digest, as before)
    assert memo.digest(b"HEAD", body) == hashlib.sha256(b"HEAD" + body).hexdigest()
    for n in range(vc.DIGEST_MEMO + 2):  # bounded: the oldest forgotten, each still right
        data = bytes([n]) * 1000
        assert memo.digest(b"h", data) == hashlib.sha256(b"h" + data).hexdigest()
    assert len(memo._digests) == vc.DIGEST_MEMO
    big = b"y" * (vc.DIGEST_MEMO_BYTES + 1)
    assert memo.digest(b"h", big) == hashlib.sha256(b"h" + big).hexdigest()
    assert all(len(kept) <= vc.DIGEST_MEMO_BYTES for _h, kept, _d in memo._digests)
    memo.clear()
    assert memo._digests == []


def test_a_replayed_item_list_reuses_its_indicator_walk_with_the_same_urls_and_texts() -> None:
    """report.indicators: the body tier's copies hand the same Item objects to the indicators, whose walk of
    them is kept; with the memo's URLs (per copy) the result is the one walk over the memo's URLs then the
    items' -- the first MAX_ITEMS distinct ones, even when the items hold more and the memo repeats some."""
    from coinguard.findings import Item, Role
    from coinguard.report import indicators as ind

    per = 3
    items = [Item(path=f"part{n}", name="", data=" ".join(f"https://h{n}-{k}.example/p" for k in range(per)).encode(),
                  type="text", role=Role.TEXT) for n in range(ind.MAX_ITEMS // per + 5)]
    item_urls = [f"https://h{n}-{k}.example/p" for n in range(len(items)) for k in range(per)]
    for memo_urls in ([], ["https://m.example/x", item_urls[4], item_urls[-1]], [f"https://m{k}.example/" for k in
                                                                                  range(ind.MAX_ITEMS - 2)]):
        want = list(dict.fromkeys([*memo_urls, *item_urls]))[: ind.MAX_ITEMS]
        ind._ITEM_WALKS.clear()
        first = ind._walk_items(items, {ind.URLS_KEY: memo_urls})
        assert len(ind._ITEM_WALKS) == 1  # kept
        again = ind._walk_items(list(items), {ind.URLS_KEY: memo_urls})  # a new list of the same items: kept walk
        assert first.urls == again.urls == want and first.texts == again.texts == [i.data.decode() for i in items]
    other = [Item(path=i.path, name="", data=i.data, type="text", role=Role.TEXT) for i in items]  # equal, not same
    assert ind._walk_items(other, {}).urls == item_urls[: ind.MAX_ITEMS] and len(ind._ITEM_WALKS) == 2


@pytest.mark.parametrize("first", ["xlm", "pdf"])
def test_a_first_copy_whose_body_text_hits_does_not_keep_the_body_tier_off_for_its_campaign(first: str) -> None:
    """Other mail holding the same body text (a footer, a disclaimer) already in the cache: the zip campaign's
    first copy then sees a hit and tries to store its body, but its live unpacker's items carry tuples a
    body entry cannot give back.  Not remembered as refused: the next copy (its items replayed) stores it."""
    cache = lru()
    scan(campaigns.copy(first, 90), cache, 90)
    copies = [campaigns.copy("zip", n) for n in range(5)]
    got = [scan(raw, cache, n) for n, raw in enumerate(copies)]
    assert counts(got[0])["hit"] > 0  # the shared body text
    assert counts(got[1])["miss"] == 1 and counts(got[1])["hit"] > 1  # the body misses, the items hit: stored
    assert counts(got[2]) == counts(got[3]) == counts(got[4]) == {"hit": 1, "miss": 0, "error": 0}
    assert [signature(v) for v in got] == [signature(scan(raw, None, n)) for n, raw in enumerate(copies)]


def test_meta_replayable_is_false_for_tuples_and_true_for_json_values() -> None:
    from coinguard.findings import Item

    assert vc.meta_replayable([Item(path="a", name="a", data=b"", type="binary", meta={"ancestors": ["x"], "n": 1})])
    assert not vc.meta_replayable([Item(path="a", name="a", data=b"", type="binary", meta={"ancestors": ("x",)})])
