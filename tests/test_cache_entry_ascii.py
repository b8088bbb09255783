"""An item entry is ASCII JSON (issue 13: the encoder's non-ASCII mode cost a zip's entry ~4 ms of 187 KB of
base64): what it replays is what the UTF-8 entry it replaced replayed, and entries written that way still read."""

from __future__ import annotations

import base64
import json
import os
import zlib

from coinguard import cache as vc
from coinguard.findings import Finding, Item


def _parent() -> Item:
    return Item(path="report.zip", name="report.zip", data=b"PK\x03\x04" + os.urandom(64), type="zip",
                role="attachment", source="mime")


def _outputs(parent: Item) -> list[Finding | Item]:
    texts = ["지갑 복구 구문을 입력하세요", "Ваш кошелёк", "émoji 🔑 key", "tab\tand \"quote\" \\ back", "\u2028\u00a0"]
    outs: list[Finding | Item] = [Finding(f"x.code{i}", "probe", parent.path, t, score=1.5)
                                  for i, t in enumerate(texts)]
    outs.append(Finding("x.top", "probe", "", "ünïcödé at the top"))
    for i, t in enumerate(texts):
        outs.append(parent.child(f"{t[:6]}-{i}.txt", t.encode("utf-8") * 50 + os.urandom(300), source="zip",
                                 role="member", type="text", meta={"charset": "utf-8", "note": t}))
    return outs


def _utf8_entry(outs: list[Finding | Item], parent: Item) -> bytes:
    """The entry as encode() wrote it before (ensure_ascii=False, UTF-8), from the same records."""
    blob = vc.encode(outs, parent)
    assert blob is not None and blob[:1] in (b"s", b"j")
    data = vc._unzstd(blob[1:]) if blob[:1] == b"s" else blob[1:]
    old = json.dumps(json.loads(data), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b"z" + zlib.compress(old)


def _view(out: Finding | Item) -> tuple[object, ...]:
    if isinstance(out, Finding):
        return ("f", out.code, out.analyzer, out.path, out.detail, out.score, out.strength)
    return ("i", out.path, out.name, out.data, out.type, out.role, out.source, out.depth, dict(out.meta), out.sha256)


def test_an_entry_is_ascii_and_replays_what_was_stored() -> None:
    parent = _parent()
    outs = _outputs(parent)
    blob = vc.encode(outs, parent)
    assert blob is not None
    data = vc._unzstd(blob[1:]) if blob[:1] == b"s" else blob[1:]
    assert data.isascii()
    assert [_view(o) for o in vc.decode(blob, parent)] == [_view(o) for o in outs]


def test_an_entry_written_in_utf8_reads_the_same() -> None:
    parent = _parent()
    outs = _outputs(parent)
    new, old = vc.encode(outs, parent), _utf8_entry(outs, parent)
    assert new is not None
    assert new[:1] == b"s" and vc._unzstd(new[1:]).isascii()
    assert not zlib.decompress(old[1:]).isascii()  # (the old one held the text as UTF-8)
    assert [_view(o) for o in vc.decode(old, parent)] == [_view(o) for o in vc.decode(new, parent)]


def test_a_large_child_round_trips() -> None:
    parent = _parent()
    child = parent.child("data.bin", os.urandom(140_000), source="zip", role="member", type="binary", meta={})
    blob = vc.encode([child], parent)
    assert blob is not None
    (back,) = vc.decode(blob, parent)
    assert isinstance(back, Item) and back.data == child.data and back.sha256 == child.sha256
    assert base64.b64encode(child.data).decode() in (vc._unzstd(blob[1:])).decode("ascii")
