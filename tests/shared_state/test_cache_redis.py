"""The Redis verdict cache against a real redis-server (started by conftest.py): sharing between
hosts, TTL, generations, and every way Redis can fail turning into a counted miss."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from coinguard import cache as vc
from shared_state.servers import RedisServer, free_port


def key(n: int | str, gen: str = "g1") -> vc.CacheKey:
    return vc.CacheKey(gen, "yara", "1.0+abc", f"{n:0>64}", "ctx")


def rcache(url: str, gen: str = "g1", **kw: Any) -> vc.RedisCache:
    return vc.RedisCache(vc.CacheConfig(backend="redis", url=url, **kw), generation=gen)


@pytest.fixture
def prefix() -> str:
    return f"t{time.monotonic_ns()}:"  # each test its own key space on the shared server


def test_two_hosts_share_entries(redis_server: RedisServer, prefix: str) -> None:
    a, b = rcache(redis_server.url, key_prefix=prefix), rcache(redis_server.url, key_prefix=prefix)
    assert b.get(key(1)) is None
    a.put(key(1), b"j[1,[]]")
    assert b.get(key(1)) == b"j[1,[]]"
    assert b.get_many([key(1), key(2)]) == [b"j[1,[]]", None]
    assert b.stats.counts == {"hit": 2, "miss": 2, "error": 0} and a.stats.stored == 1


def test_ttl_and_key_layout(redis_server: RedisServer, prefix: str) -> None:
    c = rcache(redis_server.url, key_prefix=prefix, ttl_s=1, local_entries=0)
    c.put(key(7), b"v")
    raw = redis.Redis.from_url(redis_server.url)
    (name,) = raw.keys(prefix + "*")
    assert name.decode() == f"{prefix}g1:yara:1.0+abc:{'7':0>64}:ctx"
    assert 0 < raw.pttl(name) <= 1000
    time.sleep(1.2)
    assert c.get(key(7)) is None


def test_new_generation_misses_old_entries(redis_server: RedisServer, prefix: str) -> None:
    c = rcache(redis_server.url, key_prefix=prefix)
    c.put(key(1), b"v")
    c.invalidate("g2")
    assert c.get(key(1, c.generation)) is None


def test_refused_connection_is_a_counted_miss_and_backs_off(prefix: str) -> None:
    c = rcache(f"redis://127.0.0.1:{free_port()}/0", key_prefix=prefix, retry_after_s=60, local_entries=0)
    started = time.monotonic()
    assert c.get(key(1)) is None
    c.put(key(1), b"v")  # never raises
    assert c.get_many([key(1), key(2)]) == [None, None]
    assert time.monotonic() - started < 1.0
    assert c.stats.counts == {"hit": 0, "miss": 0, "error": 3} and c.stats.store_errors == 1


@pytest.fixture
def blackhole() -> Iterator[int]:
    """A TCP port that accepts connections and never answers."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        yield srv.getsockname()[1]
    finally:
        stop.set()
        t.join()
        for s in held:
            s.close()
        srv.close()


def test_unresponsive_server_times_out_fast(blackhole: int, prefix: str) -> None:
    c = rcache(f"redis://127.0.0.1:{blackhole}/0", key_prefix=prefix, timeout_ms=100, retry_after_s=60)
    started = time.monotonic()
    assert c.get(key(1)) is None
    first = time.monotonic() - started
    for n in range(50):  # marked down: no further waiting
        assert c.get(key(n)) is None
    assert first < 1.0 and time.monotonic() - started < 1.5
    assert c.stats.counts["error"] == 51


def test_redis_restart_recovers_after_the_back_off(prefix: str) -> None:
    server = RedisServer()
    server.start()
    try:
        c = rcache(server.url, key_prefix=prefix, retry_after_s=0.3, local_entries=0)
        c.put(key(1), b"v")
        assert c.get(key(1)) == b"v"
        server.stop()
        assert c.get(key(1)) is None and c.stats.counts["error"] == 1
        server.start()  # same port, empty (no persistence)
        time.sleep(0.4)
        c.put(key(1), b"again")
        assert c.get(key(1)) == b"again"
        assert c.stats.counts == {"hit": 2, "miss": 0, "error": 1}
    finally:
        server.destroy()


def test_local_tier_serves_repeats_without_redis(prefix: str) -> None:
    server = RedisServer()
    server.start()
    try:
        a = rcache(server.url, key_prefix=prefix, retry_after_s=60)
        b = rcache(server.url, key_prefix=prefix, retry_after_s=60)
        a.put(key(1), b"shared")
        assert b.get(key(1)) == b"shared"  # from Redis, now also in b's local tier
        server.stop()
        started = time.monotonic()
        assert b.get(key(1)) == b"shared"  # Redis is gone: the local copy still answers
        assert b.get_many([key(1), key(2)]) == [b"shared", None]  # key 2 is a miss, not an exception
        assert b.get(key(3)) is None and time.monotonic() - started < 1.0
        assert b.stats.counts == {"hit": 3, "miss": 1, "error": 1}
        b.invalidate("g2")
        assert b.get(key(1, "g2")) is None and len(b.local or ()) == 0
    finally:
        server.destroy()


def test_three_hosts_share_the_body_tier_through_redis(redis_server: RedisServer, prefix: str) -> None:
    """Copy 1 on mx-a analyses everything; copy 2 on mx-b takes every item from Redis and stores the body
    entry; copy 3 on mx-c is one Redis GET (no MIME parse, no handler); every verdict is the uncached one.
    With Redis gone the body lookup is a counted error and the copy is scanned in full, same verdict."""
    import campaigns
    from coinguard.config import parse_config
    from coinguard.scan import Envelope, ScanContext, scan_message

    cfg = parse_config('[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.3\n')

    def scan(n: int, cache: vc.VerdictCache | None) -> Any:
        return scan_message(campaigns.copy("lnk", n), ScanContext(config=cfg, envelope=Envelope(id=f"Q{n}"),
                                                                 cache=cache))

    def sig(v: Any) -> Any:
        return (v.verdict, v.score, v.codes, [(f.code, f.path, f.detail) for f in v.findings], v.attachments)

    hosts = [rcache(redis_server.url, key_prefix=prefix, local_entries=0) for _ in range(3)]
    got = [scan(n, hosts[n]) for n in range(3)]
    assert [sig(v) for v in got] == [sig(scan(n, None)) for n in range(3)]
    assert dict(got[1].cache_counts)["miss"] == 1 and dict(got[1].cache_counts)["hit"] > 1
    assert dict(got[2].cache_counts) == {"hit": 1, "miss": 0, "error": 0}
    down = rcache(f"redis://127.0.0.1:{free_port()}/0", key_prefix=prefix, local_entries=0)
    v = scan(3, down)
    assert dict(v.cache_counts)["error"] >= 1 and dict(v.cache_counts)["hit"] == 0
    assert sig(v) == sig(scan(3, None))
