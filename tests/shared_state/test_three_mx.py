"""Three MX hosts: three real ``coinguard run`` daemons, each with its own config, behind one private
Postfix (one smtpd listener each), sharing one PostgreSQL quarantine and one Redis verdict cache.

A campaign sent round-robin is analysed once (the other copies are cache hits, on every host: the
second copy's items, then every copy's body), every
quarantined copy is listed from any host, and a release from mx-c of a message mx-a quarantined is
delivered once.  Needs root + Postfix (like tests/integration) and the PostgreSQL/Redis binaries.

It must not depend on how busy the machine is: Redis is reached through :class:`SlowLink`, which
holds every reply back (as a loaded host does), and the daemons' cache and scan timeouts are far
above any such delay, so a cache timeout (an error, then a miss while Redis is marked down) or a
scan timeout (an unchecked copy) cannot change the counts asserted here.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from coinguard.quarantine.postgresql import PgSettings, migrate
from integration import harness
from shared_state.servers import RedisServer
from test_cache import CAMPAIGN_ZIP

from helpers import make_message

pytestmark = pytest.mark.integration
HOSTS = ("mx-a", "mx-b", "mx-c")
COPIES = 9
#: how long SlowLink holds each Redis reply: twice the default [cache] timeout_ms (100)
REDIS_DELAY_S = 0.2
#: the daemons' [cache] timeout_ms and [scan] timeout_s here: far above any delay a busy host adds
CACHE_TIMEOUT_MS = 10_000
SCAN_TIMEOUT_S = 120.0


class SlowLink:
    """A loopback TCP relay to ``port`` that holds every chunk the server sends back for ``delay`` seconds."""

    def __init__(self, port: int, delay: float) -> None:
        self.upstream, self.delay = port, delay
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = [self.listener]
        threading.Thread(target=self._accept, name="slow-link", daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                server = socket.create_connection(("127.0.0.1", self.upstream))
                self.sockets += [client, server]
                threading.Thread(target=self._pump, args=(client, server, 0.0), daemon=True).start()
                threading.Thread(target=self._pump, args=(server, client, self.delay), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, delay: float) -> None:
        with contextlib.suppress(OSError):
            while chunk := src.recv(65536):
                time.sleep(delay)
                dst.sendall(chunk)
        for sock in (src, dst):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        for sock in self.sockets:  # shutdown first: it wakes a thread blocked in accept() or recv()
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()


def campaign(n: int) -> bytes:
    return make_message(
        subject=f"Binance: verify your wallet (case {n})", to=f"user{n}@rcpt.test",
        body="Dear customer, your Binance wallet withdrawal is on hold: open the statement and verify "
             "your seed phrase.\n",
        attachments=[("statement.zip", CAMPAIGN_ZIP, "application/zip")],
    ).replace(b"<test-1@example.org>", f"<mx-campaign-{n}@sender.test>".encode())


class Host:
    def __init__(self, name: str, cfg: Path, daemon: harness.DaemonProcess, smtp_port: int, metrics_port: int):
        self.name, self.cfg, self.daemon, self.smtp_port, self.metrics_port = name, cfg, daemon, smtp_port, metrics_port

    def metric(self, name: str, **labels: str) -> float:
        import urllib.request

        want = name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as r:
            for line in r.read().decode().splitlines():
                if line.startswith(want + " "):
                    return float(line.rsplit(" ", 1)[1])
        return 0.0

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        return subprocess.run([sys.executable, "-m", "coinguard", *args, "-c", str(self.cfg)], capture_output=True,
                              text=True, timeout=120, env=env, check=False)


@pytest.fixture(scope="module")
def three_mx(pg_server, redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory  # type: ignore[no-untyped-def]
             ) -> Iterator[tuple[dict[str, Host], harness.Sink, str]]:
    reason = harness.missing_prerequisite()
    if reason:
        pytest.skip(f"three-MX test skipped: {reason}")
    pg_server.admin("CREATE DATABASE three_mx OWNER coinguard")
    dsn = pg_server.dsn("three_mx")
    migrate(PgSettings(dsn=dsn))
    base = tmp_path_factory.mktemp("three-mx")
    release_sink = harness.Sink()
    release_sink.start()
    milter_ports = {h: harness.free_port() for h in HOSTS}
    prefix = f"threemx{time.monotonic_ns()}:"
    with contextlib.closing(SlowLink(redis_server.port, REDIS_DELAY_S)) as redis, \
            harness.gateway({h: f"inet:127.0.0.1:{p}" for h, p in milter_ports.items()}) as (_sink, pf):
        hosts: dict[str, Host] = {}
        try:
            for h in HOSTS:
                d = base / h
                d.mkdir()
                cfg, metrics_port = d / "coinguard.toml", harness.free_port()
                harness.write_daemon_config(
                    cfg, milter_ports[h], metrics_port, quarantine_backend="postgresql", quarantine_dir=d / "q",
                    postfix_config_dir=pf.config_dir, release_method="smtp", scan_timeout_s=SCAN_TIMEOUT_S,
                    extra=f'\n[cache]\nbackend = "redis"\nurl = "redis://127.0.0.1:{redis.port}/0"\n'
                          f'key_prefix = "{prefix}"\ntimeout_ms = {CACHE_TIMEOUT_MS}\n')
                text = cfg.read_text().replace(
                    "[quarantine]\n", f'[quarantine]\ndsn = "{dsn}"\nhost_name = "{h}"\n'
                                      f'release_smtp = "127.0.0.1:{release_sink.port}"\n', 1)
                cfg.write_text(text)
                daemon = harness.DaemonProcess(cfg, milter_ports[h], d / "daemon.log")
                daemon.launch()
                hosts[h] = Host(h, cfg, daemon, pf.ports[h], metrics_port)
            for host in hosts.values():
                host.daemon.wait_ready(120)
            yield hosts, release_sink, dsn
        finally:
            for host in hosts.values():
                host.daemon.stop()
            release_sink.stop()


def test_campaign_is_analysed_once_and_quarantined_for_all(three_mx) -> None:  # type: ignore[no-untyped-def]
    hosts, release_sink, dsn = three_mx
    order = [hosts[HOSTS[n % 3]] for n in range(COPIES)]
    for n, host in enumerate(order):
        r = harness.send(host.smtp_port, campaign(n), rcpts=(f"user{n}@rcpt.test",))
        assert r.code == 250, r.text
    deadline = time.monotonic() + 60
    rows: list[tuple[str, str]] = []
    while time.monotonic() < deadline:
        with psycopg.connect(dsn) as conn:
            rows = conn.execute("SELECT id, host FROM quarantine_message WHERE state = 'held'").fetchall()
        if len(rows) >= COPIES:
            break
        time.sleep(0.2)
    assert len(rows) == COPIES
    # the first copy (mx-a) is analysed: its body and every item miss; the second (mx-b) takes every item
    # from Redis (its body is not known yet: one miss) and stores the body; every later copy, on any
    # host, is one body hit (no MIME parse, no handler)
    hits = {h.name: h.metric("coinguard_cache_requests_total", result="hit") for h in hosts.values()}
    misses = {h.name: h.metric("coinguard_cache_requests_total", result="miss") for h in hosts.values()}
    errors = sum(h.metric("coinguard_cache_requests_total", result="error") for h in hosts.values())
    assert errors == 0
    items = misses["mx-a"] - 1
    assert items > 0 and misses["mx-b"] == 1 and misses["mx-c"] == 0, (hits, misses)
    assert hits == {"mx-a": COPIES // 3 - 1, "mx-b": items + COPIES // 3 - 1, "mx-c": COPIES // 3}, (hits, misses)
    # listed from any host: all copies, whoever quarantined them
    out = hosts["mx-c"].cli("quarantine", "list", "--json", "--limit", "0")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count('"backend": "postgresql"') == COPIES
    # a release from mx-c of a message mx-a quarantined is delivered once
    assert sorted({h for _id, h in rows}) == list(HOSTS)
    qid = next(i for i, h in rows if h == "mx-a")
    first = hosts["mx-c"].cli("quarantine", "release", qid)
    again = hosts["mx-b"].cli("quarantine", "release", qid)
    assert first.returncode == 0, first.stderr
    assert again.returncode == 1 and "already released" in again.stderr
    assert release_sink.wait_for(lambda m: b"mx-campaign-" in m.content, 60) is not None
    time.sleep(0.5)
    assert release_sink.count() == 1
