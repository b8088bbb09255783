"""Faults through the real Postfix (issue 10 §10): workers and the daemon SIGKILLed, the quarantine
read-only, a broken config applied by SIGUSR1, DNS that never answers.

Every test keeps a :class:`Ledger` of what it sent and accounts for each message at the end:
sent = delivered + quarantined + rejected (4xx/5xx at SMTP time: the client still has it)
+ still queued in the test Postfix; a message in none of these is lost and fails the test.
No delivered copy lacks the verdict header, and no EICAR message is delivered.
"""

from __future__ import annotations

import contextlib
import os
import signal
import smtplib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from integration import harness
from integration.test_postfix import _sample, message
from pool_fakes import children, daemon_workers, process_alive

pytestmark = pytest.mark.integration

EICAR = ("eicar.com.zip", b"infected")


# --------------------------------------------------------------------------- bookkeeping
@dataclass
class Sent:
    token: str
    kind: str  # "clean" | "eicar" | ...
    result: harness.SendResult | None = None
    error: str = ""


@dataclass
class Ledger:
    gw: object
    sent: list[Sent] = field(default_factory=list)

    def send(self, kind: str, subject: str = "", **kw: object) -> Sent:
        attachment = _sample(*EICAR) if kind == "eicar" else None
        raw, token = message(subject or f"fault {kind}", attachment=attachment, **kw)  # type: ignore[arg-type]
        entry = Sent(token, kind)
        self.sent.append(entry)
        try:
            entry.result = self.gw.send(raw)  # type: ignore[attr-defined]
        except (OSError, smtplib.SMTPException) as exc:  # e.g. the connection dropped
            entry.error = f"{type(exc).__name__}: {exc}"
        return entry

    # -- where each message ended up
    def _delivered(self) -> dict[str, list[harness.Delivered]]:
        out: dict[str, list[harness.Delivered]] = {}
        for m in list(self.gw.sink.messages):  # type: ignore[attr-defined]
            head = m.header_block()
            for s in self.sent:
                if s.token.encode() in head:
                    out.setdefault(s.token, []).append(m)
        return out

    def _quarantined_dir(self) -> set[str]:
        qdir: Path = self.gw.quarantine_dir  # type: ignore[attr-defined]
        found = set()
        for eml in qdir.glob("*.eml") if qdir.is_dir() else ():
            head = eml.read_bytes()[:8192]
            found |= {s.token for s in self.sent if s.token.encode() in head}
        return found

    def account(self, settle_s: float = 20.0) -> dict[str, int]:
        """Wait until every accepted message is delivered or quarantined (or give up: still queued),
        then check the books.  Returns the counts per bucket."""
        pf: harness.PrivatePostfix = self.gw.postfix  # type: ignore[attr-defined]
        end = time.monotonic() + settle_s
        while True:
            delivered = self._delivered()
            queue = {e["queue_id"]: e["queue_name"] for e in pf.queue()}
            dir_q = self._quarantined_dir()
            buckets: dict[str, str] = {}
            for s in self.sent:
                qid = s.result.queue_id if s.result else ""
                if s.result is None or s.result.code >= 400:
                    buckets[s.token] = "rejected"
                elif s.token in delivered:
                    buckets[s.token] = "delivered"
                elif queue.get(qid) == "hold" or s.token in dir_q:
                    buckets[s.token] = "quarantined"
                elif qid in queue:
                    buckets[s.token] = "queued"
                else:
                    buckets[s.token] = "lost"
            if all(b not in ("queued", "lost") for b in buckets.values()) or time.monotonic() > end:
                break
            time.sleep(0.3)
        lost = [s for s in self.sent if buckets[s.token] == "lost"]
        assert not lost, f"lost: {lost}\n{pf.log_tail()}"
        for token, copies in delivered.items():
            assert len(copies) == 1, f"{token} delivered {len(copies)} times"
            assert copies[0].headers("X-Coinguard-Verdict"), f"{token} delivered without a verdict header"
        for s in self.sent:
            if s.kind == "eicar":
                assert buckets[s.token] != "delivered", f"EICAR delivered: {s}"
        counts = {b: list(buckets.values()).count(b) for b in ("delivered", "quarantined", "rejected", "queued")}
        assert sum(counts.values()) == len(self.sent)
        return counts

    def bucket_of(self, entry: Sent) -> str:
        if entry.result is None or entry.result.code >= 400:
            return "rejected"
        return "delivered" if entry.token in self._delivered() else "other"


# --------------------------------------------------------------------------- processes
def worker_pids(gw) -> list[int]:  # type: ignore[no-untyped-def]
    workers = daemon_workers(gw.daemon.proc.pid)
    assert workers, f"no scanner workers under {gw.daemon.proc.pid}"
    return workers


def wait_for(predicate, timeout: float = 20.0, what: str = "") -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.1)


# --------------------------------------------------------------------------- the faults
def test_idle_worker_sigkill_heals_and_mail_keeps_flowing(gateways) -> None:  # type: ignore[no-untyped-def]
    gw = gateways["fault"]
    book = Ledger(gw)
    book.send("clean")
    rebuilt = gw.metric("coinguard_pool_rebuilds_total", reason="broken")
    before = worker_pids(gw)
    assert before
    for pid in before:  # idle: what the OOM killer does under MemoryMax
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: gw.metric("coinguard_pool_rebuilds_total", reason="broken") == rebuilt + 1, 20, "a rebuild")
    for kind in ("clean", "eicar", "clean", "clean"):
        entry = book.send(kind)
        assert entry.result is not None and entry.result.code == 250, entry  # scanned, not 451
    assert set(worker_pids(gw)).isdisjoint(before)
    assert book.account() == {"delivered": 4, "quarantined": 1, "rejected": 0, "queued": 0}


def test_busy_worker_sigkill_fails_that_message_only(gateways) -> None:  # type: ignore[no-untyped-def]
    gw = gateways["fault"]
    book = Ledger(gw)
    crashes = gw.metric("coinguard_worker_restarts_total", reason="crash")
    slow: list[Sent] = []
    t = threading.Thread(target=lambda: slow.append(book.send("slow", headers=(("X-Coinguard-Test", "slow"),))))
    t.start()
    wait_for(lambda: gw.metric("coinguard_inflight_messages") == 1, 10, "the slow scan to start")
    time.sleep(0.3)
    (worker,) = worker_pids(gw)
    os.kill(worker, signal.SIGKILL)
    t.join(30)
    assert slow and slow[0].result is not None and 400 <= slow[0].result.code < 500, slow  # the fail mode
    assert "could not be scanned" in slow[0].result.text
    assert gw.metric("coinguard_worker_restarts_total", reason="crash") == crashes + 1
    for kind in ("clean", "eicar", "clean"):
        assert book.send(kind).result.code == 250  # type: ignore[union-attr]
    assert book.account() == {"delivered": 2, "quarantined": 1, "rejected": 1, "queued": 0}


def test_daemon_sigkill_and_restart_while_a_client_is_sending(gateways) -> None:  # type: ignore[no-untyped-def]
    gw = gateways["fault"]
    book = Ledger(gw)
    old = [gw.daemon.proc.pid, *children(gw.daemon.proc.pid)]
    helpers = [p for p in old[1:] for p in [p, *children(p)]]
    stop = threading.Event()

    def client() -> None:
        i = 0
        while not stop.is_set():
            book.send("eicar" if i % 3 == 2 else "clean")
            i += 1
            time.sleep(0.2)

    sender = threading.Thread(target=client)
    sender.start()
    try:
        wait_for(lambda: len(book.sent) >= 4, 30, "the first messages")
        assert gw.daemon.kill() == -signal.SIGKILL
        wait_for(lambda: not any(process_alive(p) for p in helpers), 15,
                 "the dead daemon's workers and fork server to exit")
        down = len(book.sent)
        gw.daemon.start()  # same config, same socket
        restarted = len(book.sent)
        wait_for(lambda: len(book.sent) >= restarted + 4, 60, "messages after the restart")
    finally:
        stop.set()
        sender.join(60)
    counts = book.account()
    assert counts["rejected"] >= 1 and counts["queued"] == 0, counts  # tempfailed while it was down
    after = book.sent[restarted:]  # begun once the daemon listened again
    assert after and all(s.result is not None and s.result.code == 250 for s in after), after
    assert all(s.result and s.result.code == 250 for s in book.sent[:3]), book.sent[:3]
    assert down >= 4


def _mount_read_only(path: Path) -> bool:
    r = subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True, timeout=10)
    if r.returncode != 0:
        return False
    r = subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], capture_output=True, timeout=10)
    if r.returncode != 0:
        subprocess.run(["umount", str(path)], capture_output=True, timeout=10)
        return False
    return True


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    path.mkdir(parents=True, exist_ok=True)
    if not _mount_read_only(path):
        pytest.skip("cannot bind-mount read-only here (root is not enough for chmod)")
    try:
        yield
    finally:
        subprocess.run(["umount", str(path)], check=True, timeout=10)


def test_read_only_quarantine_tempfails_what_it_cannot_keep(gateways) -> None:  # type: ignore[no-untyped-def]
    gw = gateways["dir"]
    book = Ledger(gw)
    failed = gw.metric("coinguard_errors_total", stage="quarantine")
    with read_only(gw.quarantine_dir):
        kept = book.send("eicar")
        clean = book.send("clean")
    assert kept.result is not None and 400 <= kept.result.code < 500, kept  # the sender keeps it: nothing lost
    assert clean.result is not None and clean.result.code == 250
    assert gw.metric("coinguard_errors_total", stage="quarantine") == failed + 1
    again = book.send("eicar")  # writable again: quarantined as usual
    assert again.result is not None and again.result.code == 250
    assert book.account() == {"delivered": 1, "quarantined": 1, "rejected": 1, "queued": 0}


def _reload_and_wait(gw, result: str) -> None:  # type: ignore[no-untyped-def]
    before = gw.metric("coinguard_rules_reload_total", result=result)
    gw.daemon.signal(signal.SIGUSR1)
    wait_for(lambda: gw.metric("coinguard_rules_reload_total", result=result) == before + 1, 60,
             f"a reload ending in {result}")


@pytest.mark.parametrize("broken", [
    "[milter\nsocket = 1\n",  # not TOML at all
    "[scan]\nworkers = \"many\"\n",  # wrong type
    "[quarantine]\nbackend = \"s3-maybe\"\n",  # valid TOML, unknown back end (fails building the generation)
])
def test_broken_config_applied_by_sigusr1_keeps_the_old_generation(gateways, broken: str) -> None:  # type: ignore[no-untyped-def]
    gw = gateways["reject"]
    path = gw.daemon.config_path
    good = path.read_text()
    book = Ledger(gw)
    try:
        path.write_text(broken if broken.startswith("[milter\n") else _merge(good, broken))
        _reload_and_wait(gw, "error")
        assert gw.daemon.proc.poll() is None
        for kind in ("clean", "eicar"):
            book.send(kind)
    finally:
        path.write_text(good)
    counts = book.account()
    # the old generation still scans: the EICAR is rejected (this daemon's action), the clean one delivered
    assert counts == {"delivered": 1, "quarantined": 0, "rejected": 1, "queued": 0}
    assert book.sent[1].result is not None and book.sent[1].result.code == 554
    assert "reload failed; still serving generation" in gw.daemon.log_text()


def _merge(config: str, section: str) -> str:
    """``config`` with the keys of ``section`` replacing the same keys there (one [section] only)."""
    head, _, body = section.partition("\n")
    lines = config.splitlines()
    start = lines.index(head)
    for key_line in body.strip().splitlines():
        key = key_line.split("=", 1)[0].strip()
        for i in range(start + 1, len(lines)):
            if lines[i].startswith("["):
                lines.insert(i, key_line)
                break
            if lines[i].split("=", 1)[0].strip() == key:
                lines[i] = key_line
                break
        else:
            lines.append(key_line)
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def blackhole_dns() -> Iterator[int]:
    """A UDP (and TCP) port on loopback that takes DNS queries and never answers."""
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    port = udp.getsockname()[1]
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", port))
    tcp.listen(16)
    try:
        yield port
    finally:
        udp.close()
        tcp.close()


def signed(subject: str) -> tuple[bytes, str]:
    """A message DKIM-signed for binance.com (a brand): verifying it needs the key from DNS."""
    import dkim
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                            serialization.NoEncryption())
    raw, token = message(subject)
    raw = raw.replace(b"From: Alice <alice@sender.test>", b"From: Binance <security@binance.com>")
    sig = dkim.sign(raw, b"s1", b"binance.com", pem, include_headers=[b"from", b"subject", b"message-id"])
    return sig + raw, token


def test_dns_that_never_answers_still_gives_every_message_a_verdict(gateways) -> None:  # type: ignore[no-untyped-def]
    gw = gateways["dir"]
    path = gw.daemon.config_path
    good = path.read_text()
    book = Ledger(gw)
    with blackhole_dns() as port:
        try:
            path.write_text(good.replace("dns_port = 9", f"dns_port = {port}").replace(
                "dns_timeout_s = 0.5", "dns_timeout_s = 1.0"))
            _reload_and_wait(gw, "success")
            started = time.monotonic()
            raw, token = signed("dkim while DNS is down")
            entry = Sent(token, "signed")
            book.sent.append(entry)
            entry.result = gw.send(raw)
            elapsed = time.monotonic() - started
            book.send("eicar")
        finally:
            path.write_text(good)
            _reload_and_wait(gw, "success")
    assert entry.result.code == 250, entry
    assert 1.0 <= elapsed < 20, f"the key lookup must have waited for DNS, bounded: {elapsed:.1f}s"
    counts = book.account()
    assert counts["rejected"] == 0 and counts["queued"] == 0 and counts["delivered"] + counts["quarantined"] == 2
    copy = book._delivered().get(token)
    if copy:  # delivered: never "dkim=pass" for a signature nobody could check
        results = " ".join(copy[0].headers("Authentication-Results"))
        assert "dkim=pass" not in results, results
