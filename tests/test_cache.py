"""The verdict cache: LRU bounds and thread safety, encoding, what is (not) stored, and the
scan-loop hook in the real pipeline (``ScanContext.cache``: every handler through ``run_item``),
the metric the daemon feeds from ``Verdict.cache_counts``, and ``coinguard scan``'s in-process
cache.  Redis: tests/shared_state/test_cache_redis.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from email.message import Message
from pathlib import Path
from typing import Any, ClassVar

import pytest
import zstandard
from prometheus_client import CollectorRegistry, Counter

from coinguard import cache as vc
from coinguard import passwords, scan
from coinguard.config import parse_config
from coinguard.findings import AddHeader, Finding, Item
from coinguard.scan import Envelope, ScanContext, scan_message

from helpers import DATA, make_context, make_message, zip_bytes

CFG = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n')


def key(n: int | str, gen: str = "g1") -> vc.CacheKey:
    return vc.CacheKey(gen, "h", "v", f"{n}", "c")


def lru(**kw: Any) -> vc.LruCache:
    return vc.LruCache(vc.CacheConfig(**kw), generation="g1")


def item(data: bytes = b"MZ payload", path: str = "a.zip/wallet.pdf.exe", name: str = "wallet.pdf.exe") -> Item:
    return Item(path=path, name=name, data=data, type="pe", depth=1, role="member", source="zip")


# --------------------------------------------------------------------------- LRU


def test_lru_hit_miss_and_entry_cap_evicts_least_recent() -> None:
    c = lru(max_entries=3)
    for n in range(3):
        c.put(key(n), b"v%d" % n)
    assert c.get(key(0)) == b"v0"  # 0 is now the most recent
    c.put(key(3), b"v3")
    assert c.get(key(1)) is None and c.get(key(0)) == b"v0" and c.get(key(3)) == b"v3"
    assert len(c) == 3
    assert c.stats.counts == {"hit": 3, "miss": 1, "error": 0}


def test_lru_byte_cap() -> None:
    c = lru(max_bytes=3 * (1000 + 200), max_entry_bytes=10_000)
    for n in range(5):
        c.put(key(n), b"x" * 1000)
    assert c.bytes_used <= 3 * 1200 and len(c) < 5
    assert c.get(key(4)) is not None and c.get(key(0)) is None
    c.put(key("big"), b"x" * 20_000)  # over max_entry_bytes: not stored at all
    assert c.get(key("big")) is None and c.stats.not_stored == 1


def test_lru_generation_invalidates() -> None:
    c = lru()
    c.put(key(1), b"v")
    c.invalidate("g2")
    assert c.generation == "g2" and len(c) == 0 and c.get(key(1, "g2")) is None


def test_lru_is_thread_safe_under_its_bounds() -> None:
    c = lru(max_entries=50, max_bytes=50 * 400)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for n in range(2000):
                c.put(key(f"{t}-{n % 97}"), b"x" * (n % 200))
                c.get(key(f"{(t + 1) % 4}-{n % 97}"))
        except BaseException as exc:  # pragma: no cover - the assertion reports it
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(c) <= 50 and c.bytes_used <= 50 * 400
    assert c.bytes_used == sum(c._cost(k, v) for k, v in c._data.items())
    assert sum(c.stats.counts.values()) == 4 * 2000


def test_counter_gets_every_lookup() -> None:
    reg = CollectorRegistry()
    counter = Counter("coinguard_cache_requests", "Verdict cache lookups by result.", ["result"], registry=reg)
    c = vc.LruCache(vc.CacheConfig(), generation="g", counter=counter)
    assert reg.get_sample_value("coinguard_cache_requests_total", {"result": "error"}) == 0
    c.put(key(1, "g"), b"v")
    c.get(key(1, "g"))
    c.get_many([key(2, "g"), key(3, "g")])
    assert reg.get_sample_value("coinguard_cache_requests_total", {"result": "hit"}) == 1
    assert reg.get_sample_value("coinguard_cache_requests_total", {"result": "miss"}) == 2


def test_open_cache_and_settings() -> None:
    assert vc.open_cache(vc.CacheConfig(backend="off")) is None
    assert isinstance(vc.open_cache(vc.CacheConfig()), vc.LruCache)
    with pytest.raises(ValueError, match="unknown cache backend"):
        vc.open_cache(vc.CacheConfig(backend="memcached"))
    assert CFG.cache == vc.CacheConfig() and parse_config('[cache]\nbackend = "off"\n').cache.backend == "off"
    assert vc.generation_for("abc", CFG) != vc.generation_for("abd", CFG)
    # what changes findings changes the generation; what differs between hosts does not
    assert vc.generation_for("abc", CFG) != vc.generation_for("abc", parse_config("[scan]\nmax_depth = 3\n"))
    assert vc.generation_for("abc", CFG) == vc.generation_for("abc", parse_config(
        '[milter]\nsocket = "inet:9999@127.0.0.1"\n[scan]\nworkers = 7\n[metrics]\nlisten = ""\n'
        '[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n'))


def test_generation_follows_the_lure_list_content(tmp_path: Path) -> None:
    lures = tmp_path / "lures.txt"
    lures.write_text("wallet\n")
    cfg = parse_config(f'[crypto]\nlures_file = "{lures}"\n')
    before = vc.generation_for("abc", cfg)
    assert vc.generation_for("abc", cfg) == before
    lures.write_text("wallet\nseed phrase\n")
    assert vc.generation_for("abc", cfg) != before


# --------------------------------------------------------------------------- encoding


def test_encode_decode_relocates_paths_and_rebuilds_children() -> None:
    parent = item()
    child = parent.child("<vba>", b"Sub AutoOpen()\r\nShell x\r\nEnd Sub", source="office", role="extracted",
                         type="text", meta={"charset": "utf-8"})
    outs = [Finding("office.vba.autoexec", "office", parent.path, "AutoOpen"),
            Finding("x.deep", "x", parent.path + "/inner", "d", score=2.5), Finding("x.top", "x", "", "t"), child]
    blob = vc.encode(outs, parent)
    assert blob is not None
    elsewhere = Item(path="other.zip/wallet.pdf.exe", name="wallet.pdf.exe", data=parent.data, type="pe", depth=1,
                     role="member", source="zip")
    back = vc.decode(blob, elsewhere)
    f1, f2, f3, c = back
    assert isinstance(f1, Finding) and f1.path == "other.zip/wallet.pdf.exe" and f1.code == "office.vba.autoexec"
    assert isinstance(f2, Finding) and f2.path == "other.zip/wallet.pdf.exe/inner" and f2.score == 2.5
    assert isinstance(f3, Finding) and f3.path == ""
    assert isinstance(c, Item) and c.path == "other.zip/wallet.pdf.exe/<vba>" and c.data == child.data
    assert (c.sha256, c.type, c.role, c.source, c.depth, dict(c.meta)) == (
        child.sha256, "text", "extracted", "office", 2, {"charset": "utf-8"})


def test_a_strength_the_analyzer_judged_survives_the_cache() -> None:
    # office.vba.autoexec is conclusive in the catalogue; an analyzer may judge one instance weaker (a click-only
    # trigger): replayed without it, the second sight of a file would quarantine what the first only tagged
    parent = item()
    outs = [Finding("office.vba.autoexec", "office", parent.path, "click only", strength="strong"),
            Finding("office.vba.present", "office", parent.path, "")]
    blob = vc.encode(outs, parent)
    assert blob is not None
    back = vc.decode(blob, parent)
    assert [(f.code, f.strength, f.cached) for f in back if isinstance(f, Finding)] == [
        ("office.vba.autoexec", "strong", True), ("office.vba.present", "", True)]
    body = vc.encode_body([parent], 1, [f for f in outs if isinstance(f, Finding)])
    assert body is not None
    replay = vc.decode_body(body, Message())
    assert [(f.code, f.strength) for f in replay.findings] == [("office.vba.autoexec", "strong"),
                                                               ("office.vba.present", "")]


@pytest.mark.parametrize("out", [
    Finding("scan.timeout", "scan", "", "t"), Finding("yara.timeout", "yara", "", "t"),
    Finding("office.parse_error", "office", "", "p"), Finding("container.limit.bytes", "zip", "", "l"),
    Finding("yara.error", "yara", "", "e"), Finding("x.y", "x", "somewhere/else", "unrelated path"),
    AddHeader("X-A", "b"),
])
def test_incomplete_or_foreign_results_are_not_encoded(out: Any) -> None:
    assert vc.encode([Finding("ok.one", "x", "", ""), out], item()) is None


def test_child_not_made_by_item_child_is_not_encoded() -> None:
    parent = item()
    odd = Item(path="elsewhere/x", name="x", data=b"1", type="text", depth=5)
    assert vc.encode([odd], parent) is None


def _zstd_frame_claiming(size: int) -> bytes:
    """A valid-looking Zstandard frame header declaring ``size`` bytes of content, with no content."""
    import struct

    # magic, frame header descriptor (FCS field 8 bytes, single segment), the content size
    return struct.pack("<IB", 0xFD2FB528, 0b11100000) + struct.pack("<Q", size)


@pytest.mark.parametrize("blob", [b"", b"q123", b"j[2,[]]", b"j{bad json", b"znot zlib", b'j[1,[["?"]]]',
                                  b'j[1,[["f","a"]]]', b"snot zstd", b"s" + _zstd_frame_claiming(1 << 40),
                                  b"s" + _zstd_frame_claiming(10)])
def test_corrupt_entries_raise_cache_format_error(blob: bytes) -> None:
    with pytest.raises(vc.CacheFormatError):
        vc.decode(blob, item())


def test_large_runs_are_zstd_and_zlib_entries_of_earlier_versions_are_still_read() -> None:
    import json
    import zlib

    parent = item()
    child = parent.child("notes.txt", b"wallet " * 400, source="zip", role="member")
    blob = vc.encode([Finding("x.y", "probe", parent.path, "d" * 600), child], parent)
    assert blob is not None and blob[:1] == b"s"  # past COMPRESS_OVER: Zstandard
    data = zstandard.decompress(blob[1:])
    legacy = b"z" + zlib.compress(data, 1)
    assert json.loads(data)[0] == vc.FORMAT
    for entry in (blob, legacy):
        out = vc.decode(entry, parent)
        assert [o.code for o in out if isinstance(o, Finding)] == ["x.y"]
        assert [o.data for o in out if isinstance(o, Item)] == [child.data]


# --------------------------------------------------------------------------- cached_run


class Probe:
    """A handler that counts its runs and yields what it is told."""

    name: ClassVar[str] = "probe"
    outputs: ClassVar[list[Any]] = []
    runs = 0

    def applies_to(self, it: Item) -> bool:
        return it.type == "pe"

    def handle(self, it: Item, ctx: Any) -> Iterator[Any]:
        Probe.runs += 1
        yield from self.outputs


def run(handler: Any, it: Item, ctx: Any) -> Iterator[Any]:
    return scan._run_handler(handler, it, ctx)


@pytest.fixture
def probe() -> Iterator[type[Probe]]:
    Probe.runs = 0
    Probe.outputs = [Finding("probe.found", "probe", "a.zip/wallet.pdf.exe", "seen")]
    yield Probe


def test_cached_run_stores_then_replays(probe: type[Probe]) -> None:
    c = lru()
    ctx = make_context(CFG)
    first = list(vc.cached_run(c, probe(), item(), ctx, run))
    second = list(vc.cached_run(c, probe(), item(), make_context(CFG), run))  # another message, same item
    assert probe.runs == 1 and [f.code for f in first] == ["probe.found"]
    assert [(f.code, f.analyzer, f.path, f.detail, f.score) for f in second] == [
        (f.code, f.analyzer, f.path, f.detail, f.score) for f in first]
    assert [f.cached for f in first] == [False] and [f.cached for f in second] == [True]
    assert second[0].to_json()["cached"] is True and "cached" not in first[0].to_json()
    assert c.stats.counts == {"hit": 1, "miss": 1, "error": 0} and c.stats.stored == 1
    # the key holds what the handler can see: another path, name or other bytes is another entry
    list(vc.cached_run(c, probe(), item(path="b.zip/wallet.pdf.exe"), ctx, run))
    list(vc.cached_run(c, probe(), item(name="wallet.exe"), ctx, run))
    list(vc.cached_run(c, probe(), item(data=b"MZ other"), ctx, run))
    assert probe.runs == 4
    # a handler that does not apply is neither looked up nor run
    list(vc.cached_run(c, probe(), Item(path="t", name="t", data=b"x", type="text"), ctx, run))
    assert sum(c.stats.counts.values()) == 5


def test_narrower_cache_inputs_share_entries_across_paths(probe: type[Probe]) -> None:
    class BytesOnly(Probe):
        cache_inputs = ("type",)

    c = lru()
    list(vc.cached_run(c, BytesOnly(), item(), make_context(CFG), run))
    (f,) = vc.cached_run(c, BytesOnly(), item(path="b.zip/x.exe", name="x.exe"), make_context(CFG), run)
    assert Probe.runs == 1 and f.path == "b.zip/x.exe"  # the finding follows the item it is replayed for


def test_a_failing_or_cut_short_run_is_not_stored(probe: type[Probe]) -> None:
    c = lru()
    ctx = make_context(CFG)
    probe.outputs = [Finding("probe.found", "probe", "", ""), Finding("scan.timeout", "scan", "", "")]
    list(vc.cached_run(c, probe(), item(), ctx, run))
    probe.outputs = [Finding("probe.found", "probe", "", "")]

    class Boom(Probe):
        def handle(self, it: Item, ctx: Any) -> Iterator[Any]:
            yield Finding("probe.partial", "probe", "", "")
            raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        list(vc.cached_run(c, Boom(), item(), ctx, run))
    assert len(c) == 0
    # little time left in the message's budget: an analyzer may have skipped work
    ctx.budget.deadline = ctx.budget.started + 1.0
    list(vc.cached_run(c, probe(), item(), ctx, run))
    assert len(c) == 0 and c.stats.not_stored == 2


def test_uncacheable_handler_runs_plainly(probe: type[Probe]) -> None:
    class Opted(Probe):
        cacheable = False

    c = lru()
    for _ in range(2):
        list(vc.cached_run(c, Opted(), item(), make_context(CFG), run))
    assert Probe.runs == 2 and sum(c.stats.counts.values()) == 0


class PasswordProbe(Probe):
    """Reads the message's passwords, like an unpacker with an encrypted member."""

    def handle(self, it: Item, ctx: Any) -> Iterator[Any]:
        Probe.runs += 1
        yield Finding("probe.opened", "probe", it.path, f"with {ctx.passwords[0]!r}")


def pw_context(body: str) -> Any:
    return make_context(CFG, passwords=passwords.Candidates(("", body)))


def test_passwords_are_harvested_only_for_runs_that_read_them(probe: type[Probe]) -> None:
    c = lru()
    ctxs = [pw_context("password: alpha1"), pw_context("password: beta22")]
    for ctx in ctxs:  # one entry serves both messages: the run never read their passwords
        list(vc.cached_run(c, probe(), item(), ctx, run))
    assert probe.runs == 1 and c.stats.counts["hit"] == 1
    assert not any(ctx.passwords.harvested for ctx in ctxs)  # and nobody harvested them


def test_a_run_that_read_the_passwords_is_replayed_only_for_the_same_ones(probe: type[Probe]) -> None:
    c = lru()
    (a,) = vc.cached_run(c, PasswordProbe(), item(), pw_context("password: alpha1"), run)
    (again,) = vc.cached_run(c, PasswordProbe(), item(), pw_context("Re: password: alpha1"), run)
    assert probe.runs == 1 and again.cached and again.detail == a.detail == "with 'alpha1'"
    (b,) = vc.cached_run(c, PasswordProbe(), item(), pw_context("password: beta22"), run)
    assert probe.runs == 2 and not b.cached and b.detail == "with 'beta22'"  # other passwords: run again
    (b2,) = vc.cached_run(c, PasswordProbe(), item(), pw_context("password: beta22"), run)
    assert probe.runs == 2 and b2.cached and b2.detail == "with 'beta22'"  # ... and stored anew
    _blob_out, digest = vc.decode_entry(c._data[next(iter(c._data))], item())
    assert digest == vc.passwords_digest(("beta22",))


def test_a_run_that_changes_the_passwords_is_not_stored(probe: type[Probe]) -> None:
    """The message unpacker adds a nested message's candidates: a replay could not do that."""

    class Learns(Probe):
        def handle(self, it: Item, ctx: Any) -> Iterator[Any]:
            Probe.runs += 1
            ctx.passwords = passwords.harvest(["pw: nested9"], extra=ctx.passwords)
            yield Finding("probe.nested", "probe", it.path, "")

    c = lru()
    for _ in range(2):
        ctx = pw_context("")
        list(vc.cached_run(c, Learns(), item(), ctx, run))
        assert "nested9" in ctx.passwords
    assert probe.runs == 2 and len(c) == 0 and c.stats.not_stored == 2


# --------------------------------------------------------------------------- through the real pipeline


#: Built once: zipfile stamps members with the current time, so a zip built per copy could differ.
CAMPAIGN_ZIP = zip_bytes({"statement.docx": (DATA / "oletools_dde-test.docx").read_bytes()})


def campaign_message(n: int) -> bytes:
    return make_message(subject=f"Your wallet statement #{n}", to=f"user{n}@example.net",
                        body="Dear customer, open the attached statement to keep your wallet active.\n",
                        attachments=[("statement.zip", CAMPAIGN_ZIP, "application/zip")])


def _scan(n: int, cache: vc.VerdictCache | None = None) -> Any:
    return scan_message(campaign_message(n), ScanContext(config=CFG, envelope=Envelope(id=f"Q{n}"), cache=cache))


def test_pipeline_gives_the_same_verdict_from_the_cache() -> None:
    c = lru()
    cached = [_scan(0, c)]
    first = dict(c.stats.counts)
    assert first["hit"] == 0 and first["miss"] >= 5  # zip, docx and its text, each through several handlers
    assert dict(cached[0].cache_counts) == first  # what the daemon adds to coinguard_cache_requests_total
    assert not any(f.cached for f in cached[0].findings)
    cached += [_scan(n, c) for n in (1, 2)]
    # copy 2 (other recipient, other subject): the body is not known yet, every item comes from the per-item
    # tier (and the body is stored); copy 3: one lookup, the body's, and no MIME parse, no handler
    items = first["miss"] - 1
    assert dict(cached[1].cache_counts) == {"hit": items, "miss": 1, "error": 0}
    assert dict(cached[2].cache_counts) == {"hit": 1, "miss": 0, "error": 0}
    item_findings = [f for f in cached[2].findings if f.path]
    assert item_findings and all(f.cached for f in item_findings)
    assert all(fj.get("cached") is True for fj in cached[2].to_json()["findings"] if fj["path"])
    plain = [_scan(n) for n in range(3)]
    assert any(f.code.startswith("dde.") for f in plain[0].findings)
    assert plain[0].cache_counts == () and "cached" not in str(plain[0].to_json())
    for a, b in zip(cached, plain, strict=True):
        assert (a.verdict, a.action, a.score, a.codes) == (b.verdict, b.action, b.score, b.codes)
        assert sorted((f.code, f.path, f.detail) for f in a.findings) == sorted(
            (f.code, f.path, f.detail) for f in b.findings)
        assert a.attachments == b.attachments


def test_the_daemon_counts_the_workers_lookups() -> None:
    from coinguard.metrics import make_metrics

    m = make_metrics(CollectorRegistry())
    for result in ("hit", "miss", "error"):
        assert m.registry.get_sample_value("coinguard_cache_requests_total", {"result": result}) == 0
    c = lru()
    for n in range(3):
        m.observe(_scan(n, c))
    got = {r: m.registry.get_sample_value("coinguard_cache_requests_total", {"result": r}) for r in c.stats.counts}
    assert got == {r: float(n) for r, n in c.stats.counts.items()} and got["hit"] > 0


def test_offline_scan_analyses_a_campaign_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from coinguard import scan_cli

    for n in range(3):
        (tmp_path / f"copy{n}.eml").write_bytes(campaign_message(n))
    runs: list[str] = []
    original = scan._run_handler

    def counting(h: Any, it: Item, ctx: Any) -> Iterator[Any]:
        runs.append(h.name)
        return original(h, it, ctx)

    monkeypatch.setattr(scan, "_run_handler", counting)
    monkeypatch.setattr(scan_cli, "load_rules_for_scan", lambda cfg: None)
    out = io.StringIO()
    scan_cli.run_scan([str(tmp_path)], CFG, as_json=True, out=out)
    once = len(runs)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and '"cached": true' not in lines[0] and '"cached": true' in lines[2]
    runs.clear()
    off = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n'
                       '[cache]\nbackend = "off"\n')
    scan_cli.run_scan([str(tmp_path)], off, as_json=True, out=io.StringIO())
    assert len(runs) > once  # without the cache every copy runs every handler


@pytest.mark.parametrize("backend", ["memory", "off"])
def test_pool_workers_scan_through_their_own_cache(backend: str) -> None:
    """A worker opens ``[cache]`` at start (pool._worker_init); the second copy is served from it."""
    from dataclasses import replace

    from coinguard.pool import ScanPool

    cfg = replace(CFG, scan=replace(CFG.scan, workers=1, timeout_s=60), cache=replace(CFG.cache, backend=backend))
    pool = ScanPool(cfg)
    try:
        pool.warm_up()
        first, second = (pool.submit(campaign_message(n), Envelope(id=f"Q{n}")).result(120) for n in (0, 1))
    finally:
        pool.close(timeout=10)
    if backend == "off":
        assert first.cache_counts == second.cache_counts == ()
        return
    misses = dict(first.cache_counts)["miss"]
    assert misses > 1 and dict(first.cache_counts)["hit"] == 0
    # the body (not known yet: 1 miss), then every item from the per-item tier
    assert dict(second.cache_counts) == {"hit": misses - 1, "miss": 1, "error": 0}
    assert (first.verdict, first.score, first.codes) == (second.verdict, second.score, second.codes)


def test_generation_follows_the_compiled_rules_file() -> None:
    a = vc.rules_generation("/var/cache/coinguard/rules-0123456789abcdef.yarc", CFG)
    assert a == vc.rules_generation("/elsewhere/rules-0123456789abcdef.yarc", CFG)  # same rules on another host
    assert a != vc.rules_generation("/var/cache/coinguard/rules-fedcba9876543210.yarc", CFG)  # a reload's new set


def test_an_empty_run_is_the_short_entry_and_replays_as_nothing() -> None:
    it = item()
    assert vc.encode([], it) == vc.EMPTY_ENTRY == b'j[3,[],null]'
    assert vc.decode_entry(vc.EMPTY_ENTRY, it) == ([], None)
    assert vc.encode([], it, passwords_read="abc") != vc.EMPTY_ENTRY  # a digest is kept
    assert vc.decode_entry(vc.encode([], it, passwords_read="abc") or b"", it) == ([], "abc")
