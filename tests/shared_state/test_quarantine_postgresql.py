"""The PostgreSQL quarantine store against a real PostgreSQL (started by conftest.py).

Release goes to a real SMTP sink (aiosmtpd on loopback) through the Injector's smtp
method; bytes are compared exactly.  The concurrent-release test runs two stores (two
pools, two "hosts") at once against one message and asserts one delivery.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from coinguard import db_cli
from coinguard.cli import build_parser
from coinguard.config import Config, QuarantineConfig
from coinguard.errors import QuarantineError
from coinguard.findings import Verdict, VerdictKind
from coinguard.quarantine import Filters, QuarantineNotFound
from coinguard.quarantine.postgresql import (
    PgSettings,
    PostgresStore,
    conninfo,
    migrate,
    migration_status,
    read_password_file,
)
from shared_state.servers import SECRET_PASSWORD, SECRET_ROLE, PgServer, free_port
from test_quarantine import verdict as dir_verdict

RAW = (
    b"From: Alice <alice@ex.test>\r\nTo: bob@ex.test\r\nSubject: wallet update\r\n"
    b"Message-ID: <pg1@ex.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n"
    b"line one\r\n.a line starting with a dot\r\n\r\n\xc3\xa9 8-bit \x00 nul\r\nend\r\n"
)


def verdict(*, rcpts: tuple[str, ...] = ("bob@ex.test", "carol@ex.test"), **kw: Any) -> Verdict:
    """The directory-store tests' verdict, for two recipients unless told otherwise."""
    return dir_verdict(rcpts=rcpts, **kw)


class SlowSink:
    """aiosmtpd on loopback; each DATA takes ``delay`` seconds so concurrent releases overlap."""

    def __init__(self, delay: float = 0.0) -> None:
        from aiosmtpd.controller import Controller

        self.delay = delay
        self.received: list[tuple[str, list[str], bytes]] = []
        self.lock = threading.Lock()
        self.port = free_port()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
                await asyncio.sleep(sink.delay)
                with sink.lock:
                    sink.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
                return "250 2.0.0 stored"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, ready_timeout=10)


@pytest.fixture
def sink() -> Iterator[SlowSink]:
    s = SlowSink()
    s.controller.start()
    try:
        yield s
    finally:
        s.controller.stop()


def qcfg(tmp_path: Path, sink_port: int = 9, **kw: object) -> QuarantineConfig:
    return QuarantineConfig(**{"path": str(tmp_path / "unused"), "release_method": "smtp",  # type: ignore[arg-type]
                               "release_smtp": f"127.0.0.1:{sink_port}", **kw})


def settings(dsn: str, **kw: object) -> PgSettings:
    return PgSettings(**{"dsn": dsn, "connect_timeout_s": 2.0, **kw})  # type: ignore[arg-type]


@pytest.fixture
def migrated(pg_dsn: str) -> str:
    assert migrate(settings(pg_dsn)) == [1, 2, 3]
    return pg_dsn


@pytest.fixture
def store(migrated: str, tmp_path: Path, sink: SlowSink) -> Iterator[PostgresStore]:
    with PostgresStore(qcfg(tmp_path, sink.port), settings=settings(migrated), host="mx-a") as s:
        yield s


def audit_rows(dsn: str) -> list[tuple]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            "SELECT action, message, result, host, target FROM quarantine_audit ORDER BY seq").fetchall()


# --------------------------------------------------------------------------- schema


def test_migrate_is_idempotent_and_reports_status(pg_dsn: str) -> None:
    s = settings(pg_dsn)
    assert [st.applied_at for st in migration_status(s)] == [None, None, None]
    assert migrate(s, host="mx-a") == [1, 2, 3]
    assert migrate(s, host="mx-b") == []
    for st in migration_status(s):
        assert st.applied_at is not None and st.host == "mx-a" and st.checksum_ok
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone() == (3,)
        # migration 2: the message bytes are compressed with lz4 (this server has it)
        assert conn.execute("SELECT attcompression FROM pg_attribute WHERE attrelid = 'quarantine_message'::regclass"
                            " AND attname = 'raw'").fetchone() == ("l",)


def test_migrations_from_two_hosts_at_once_apply_once(pg_dsn: str) -> None:
    results: list[list[int]] = []
    threads = [threading.Thread(target=lambda h=h: results.append(migrate(settings(pg_dsn), host=h)))
               for h in ("mx-a", "mx-b", "mx-c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == [[], [], [1, 2, 3]]


def test_db_migrate_command(pg_dsn: str, capsys: pytest.CaptureFixture[str]) -> None:
    def run(*argv: str) -> int:
        return db_cli.main(build_parser().parse_args(["db", "migrate", *argv, "--dsn", pg_dsn]), Config())

    assert run("--status") == 1
    assert "pending" in capsys.readouterr().out
    assert run() == 0
    assert "applied 3 migration(s): 1, 2, 3" in capsys.readouterr().out
    assert run() == 0
    assert "schema up to date" in capsys.readouterr().out
    assert run("--status") == 0
    assert "applied" in capsys.readouterr().out


def test_changed_migration_is_flagged(migrated: str) -> None:
    changed = ((1, "quarantine, recipients, audit log", "SELECT 1"),)
    st = migration_status(settings(migrated), changed)[0]
    assert not st.checksum_ok


def test_missing_schema_says_run_migrate(pg_dsn: str, tmp_path: Path) -> None:
    with PostgresStore(qcfg(tmp_path), settings=settings(pg_dsn)) as s, \
            pytest.raises(QuarantineError, match="coinguard db migrate"):
        s.put(RAW, verdict())


# --------------------------------------------------------------------------- store


def test_put_list_show(store: PostgresStore, migrated: str) -> None:
    qid = store.put(RAW, verdict())
    (entry,) = store.list()
    assert entry.id == qid and entry.backend == "postgresql"
    assert entry.sender == "alice@ex.test" and entry.rcpts == ("bob@ex.test", "carol@ex.test")
    assert entry.size == len(RAW) and entry.verdict == "malicious" and entry.score == 42.0
    assert entry.codes == ("office.vba.autoexec",) and entry.subject == "wallet update"
    assert entry.queue_id == "4F1A2B3C4D" and not entry.problem
    assert abs((entry.received - datetime.now(UTC)).total_seconds()) < 60
    d = store.show(qid)
    assert d.raw == RAW  # exact bytes: CRLF, 8-bit, NUL
    assert d.verdict is not None and d.verdict["findings"][0]["code"] == "office.vba.autoexec"
    assert d.attachments_source == "verdict" and d.attachments[0]["path"] == "invoice.zip"
    assert ("Subject", "wallet update") in d.headers
    with psycopg.connect(migrated) as conn:
        host, expires, stored = conn.execute(
            "SELECT host, expires_at, stored_at FROM quarantine_message WHERE id = %s", (qid,)).fetchone()
    assert host == "mx-a" and expires - stored == timedelta(days=30)


def test_list_filters_match_the_dir_store(store: PostgresStore) -> None:
    a = store.put(RAW, verdict(sender="alice@ex.test", codes=("office.vba.autoexec",)))
    b = store.put(RAW, verdict(sender="Mallory@Evil.test", rcpts=("dave@corp.test",), kind=VerdictKind.SUSPICIOUS,
                               codes=("lnk.command",)))
    ids = lambda f: [e.id for e in store.list(f)]  # noqa: E731
    assert ids(Filters()) == [b, a]  # newest first
    assert ids(Filters(sender="MALLORY")) == [b]
    assert ids(Filters(recipient="Corp.TEST")) == [b]
    assert ids(Filters(verdict="malicious")) == [a]
    assert ids(Filters(code="office")) == [a] and ids(Filters(code="office.vba.autoexec")) == [a]
    assert ids(Filters(code="offic")) == []
    assert ids(Filters(limit=1)) == [b]
    assert ids(Filters(since=datetime.now(UTC) + timedelta(minutes=1))) == []
    assert ids(Filters(until=datetime.now(UTC) - timedelta(days=1))) == []


def test_release_delivers_exact_bytes_once_and_is_audited(store: PostgresStore, sink: SlowSink,
                                                          migrated: str) -> None:
    qid = store.put(RAW, verdict())
    done = store.release(qid)
    assert done.rcpts == ("bob@ex.test", "carol@ex.test") and done.method == "smtp" and not done.kept
    assert sink.received == [("alice@ex.test", ["bob@ex.test", "carol@ex.test"], RAW)]
    assert store.list() == []
    with pytest.raises(QuarantineNotFound, match=r"already released by .* on mx-a"):
        store.release(qid)
    with pytest.raises(QuarantineNotFound, match="already released"):
        store.show(qid)
    assert len(sink.received) == 1
    with psycopg.connect(migrated) as conn:
        states = conn.execute("SELECT state, changed_host FROM quarantine_recipient WHERE message = %s",
                              (qid,)).fetchall()
        raw = conn.execute("SELECT raw FROM quarantine_message WHERE id = %s", (qid,)).fetchone()
    assert states == [("released", "mx-a")] * 2 and raw == (None,)
    rows = audit_rows(migrated)
    assert [(r[0], r[1], r[2][:5], r[3]) for r in rows] == [("release", qid, "ok", "mx-a"),
                                                            ("release", qid, "error", "mx-a")]
    assert rows[0][4] == ["bob@ex.test", "carol@ex.test"]


def test_release_copy_keeps_the_message(store: PostgresStore, sink: SlowSink) -> None:
    qid = store.put(RAW, verdict())
    done = store.release(qid, to="admin@corp.test")
    assert done.kept and sink.received[0][1] == ["admin@corp.test"]
    assert [e.id for e in store.list()] == [qid]


def test_failed_release_keeps_the_message_held(migrated: str, tmp_path: Path) -> None:
    dead = free_port()  # nothing listens there
    with PostgresStore(qcfg(tmp_path, dead), settings=settings(migrated)) as s:
        qid = s.put(RAW, verdict())
        with pytest.raises(QuarantineError, match="SMTP release"):
            s.release(qid)
        assert [e.id for e in s.list()] == [qid]
        assert s.show(qid).raw == RAW
    assert audit_rows(migrated)[-1][2].startswith("error: SMTP release")


def test_delete_and_purge(store: PostgresStore, migrated: str) -> None:
    old = store.put(RAW, verdict())
    new = store.put(RAW, verdict())
    gone = store.put(RAW, verdict())
    store.delete(gone)
    with pytest.raises(QuarantineNotFound, match="already deleted"):
        store.delete(gone)
    with pytest.raises(QuarantineNotFound):
        store.delete("20200101T000000000000Z-000000000000")
    with pytest.raises(QuarantineNotFound, match="not a quarantine ID"):
        store.show("../../etc/passwd")
    with psycopg.connect(migrated) as conn:
        conn.execute("UPDATE quarantine_message SET stored_at = now() - interval '40 days' WHERE id IN (%s, %s)",
                     (old, gone))
    assert store.purge(timedelta(days=30)) == 1
    assert [e.id for e in store.list()] == [new]
    with psycopg.connect(migrated) as conn:  # the old tombstone went too, the audit trail stays
        assert conn.execute("SELECT id FROM quarantine_message").fetchall() == [(new,)]
    actions = [(r[0], r[2]) for r in audit_rows(migrated)]
    assert ("delete", "ok") in actions and actions[-1] == ("purge", "ok")


def test_put_on_a_stopped_database_raises_and_recovers(pg_server: PgServer, store: PostgresStore) -> None:
    first = store.put(RAW, verdict())  # the pool holds a live connection now
    pg_server.stop("fast")
    try:
        started = time.monotonic()
        with pytest.raises(QuarantineError, match="PostgreSQL quarantine"):
            store.put(RAW, verdict())
        assert time.monotonic() - started < 10  # the milter tempfails quickly, it does not hang
        with pytest.raises(QuarantineError):
            store.list()
    finally:
        pg_server.start()
    second = store.put(RAW, verdict())  # the pool reconnects by itself
    assert {e.id for e in store.list()} == {first, second}


def test_a_connection_given_back_moments_ago_is_not_pinged(store: PostgresStore,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool's check pings (an empty query) only a connection idle CHECK_IDLE_S or more: a busy milter's
    quarantine write is one round trip, not two."""
    from coinguard.quarantine import postgresql

    pings: list[int] = []
    execute = psycopg.Connection.execute

    def spy(self: Any, query: Any, params: Any = None, **kw: Any) -> Any:
        if query == "":
            pings.append(1)
        return execute(self, query, params, **kw)

    for _ in range(3):  # every connection the pool opened (a waiting first put grows it) given back once
        store.put(RAW, verdict())
    monkeypatch.setattr(psycopg.Connection, "execute", spy)
    store.put(RAW, verdict())
    store.put(RAW, verdict())
    assert pings == []
    monkeypatch.setattr(postgresql, "CHECK_IDLE_S", 0.0)
    store.put(RAW, verdict())
    assert pings == [1]


def test_concurrent_release_from_two_hosts_delivers_once(migrated: str, tmp_path: Path) -> None:
    slow = SlowSink(delay=0.3)  # the first release is still sending while the second one arrives
    slow.controller.start()
    try:
        a = PostgresStore(qcfg(tmp_path, slow.port), settings=settings(migrated), host="mx-a")
        b = PostgresStore(qcfg(tmp_path, slow.port), settings=settings(migrated), host="mx-b")
        with a, b:
            qids = [a.put(RAW, verdict(rcpts=(f"user{n}@corp.test",))) for n in range(4)]
            outcomes: list[str] = []
            for qid in qids:
                barrier = threading.Barrier(2)

                def go(s: PostgresStore, qid: str = qid, barrier: threading.Barrier = barrier) -> None:
                    barrier.wait()
                    try:
                        s.release(qid)
                        outcomes.append("ok")
                    except QuarantineNotFound as exc:
                        assert "already released" in str(exc)
                        outcomes.append("already")

                threads = [threading.Thread(target=go, args=(s,)) for s in (a, b)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(30)
            assert outcomes.count("ok") == 4 and outcomes.count("already") == 4
            assert sorted(r[1][0] for r in slow.received) == [f"user{n}@corp.test" for n in range(4)]
    finally:
        slow.controller.stop()


# --------------------------------------------------------------------------- credentials and DSNs


def test_password_file_permissions(tmp_path: Path) -> None:
    f = tmp_path / "pw"
    f.write_text("hunter2\nignored\n")
    for mode in (0o600, 0o640, 0o400):
        os.chmod(f, mode)
        assert read_password_file(str(f)) == "hunter2"
    for mode in (0o644, 0o660, 0o604):
        os.chmod(f, mode)
        with pytest.raises(QuarantineError, match=f"mode {mode:04o}"):
            read_password_file(str(f))
    os.chmod(f, 0o600)
    if os.geteuid() == 0:
        os.chown(f, pwd.getpwnam("nobody").pw_uid, -1)
        with pytest.raises(QuarantineError, match="owned by uid"):
            read_password_file(str(f))
    with pytest.raises(QuarantineError, match="No such file"):
        read_password_file(str(tmp_path / "missing"))
    empty = tmp_path / "empty"
    empty.write_text("\n")
    os.chmod(empty, 0o600)
    with pytest.raises(QuarantineError, match="empty"):
        read_password_file(str(empty))


def test_password_file_authenticates_against_scram(migrated: str, pg_server: PgServer, tmp_path: Path) -> None:
    dbname = migrated.rsplit("/", 1)[1]
    # what docs/operations-several-mx.md tells the admin to grant the service role
    pg_server.admin(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {SECRET_ROLE}", dbname)
    pg_server.admin(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {SECRET_ROLE}", dbname)
    pw = tmp_path / "pw"
    pw.write_text(SECRET_PASSWORD + "\n")
    os.chmod(pw, 0o600)
    dsn = pg_server.dsn(dbname, user=SECRET_ROLE)
    with PostgresStore(qcfg(tmp_path), settings=settings(dsn, password_file=str(pw))) as s:
        qid = s.put(RAW, verdict())
        assert s.show(qid).raw == RAW
    assert SECRET_PASSWORD not in repr(conninfo(settings(dsn)))
    pw.write_text("wrong\n")
    with PostgresStore(qcfg(tmp_path), settings=settings(dsn, password_file=str(pw))) as s, \
            pytest.raises(QuarantineError) as err:
        s.put(RAW, verdict())
    assert "wrong" not in str(err.value)


def test_service_name_dsn(migrated: str, pg_server: PgServer, tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    service = tmp_path / "pg_service.conf"
    service.write_text(f"[coinguard-test]\nhost=127.0.0.1\nport={pg_server.port}\nuser=coinguard\n"
                       f"dbname={migrated.rsplit('/', 1)[1]}\n")
    monkeypatch.setenv("PGSERVICEFILE", str(service))
    assert "service=coinguard-test" in conninfo(settings("coinguard-test"))
    with PostgresStore(qcfg(tmp_path), settings=settings("coinguard-test")) as s:
        assert s.show(s.put(RAW, verdict())).raw == RAW


def test_dsn_errors(tmp_path: Path) -> None:
    with pytest.raises(QuarantineError, match="dsn is empty"):
        conninfo(PgSettings(dsn=""))
    with pytest.raises(QuarantineError, match="not a valid DSN"):
        conninfo(PgSettings(dsn="host=127.0.0.1 port='unterminated"))
    info = conninfo(PgSettings(dsn="postgresql://u@127.0.0.1:1/db?connect_timeout=3"))
    assert "connect_timeout=3" in info and "application_name=coinguard" in info


def test_release_refused_before_acting_when_the_audit_log_is_not_writable(
        migrated: str, pg_server: PgServer, tmp_path: Path, sink: SlowSink) -> None:
    dbname = migrated.rsplit("/", 1)[1]
    tables = "quarantine_message, quarantine_recipient"
    pg_server.admin(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {tables} TO {SECRET_ROLE}", dbname)
    pg_server.admin(f"GRANT SELECT ON quarantine_audit TO {SECRET_ROLE}", dbname)
    pw = tmp_path / "pw"
    pw.write_text(SECRET_PASSWORD)
    os.chmod(pw, 0o600)
    limited = settings(pg_server.dsn(dbname, user=SECRET_ROLE), password_file=str(pw))
    with PostgresStore(qcfg(tmp_path, sink.port), settings=limited) as s:
        qid = s.put(RAW, verdict())
        with pytest.raises(QuarantineError, match="may not write quarantine_audit"):
            s.release(qid)
        assert sink.received == [] and [e.id for e in s.list()] == [qid]


def test_put_without_recipients(store: PostgresStore) -> None:
    qid = store.put(RAW, verdict(rcpts=()))
    (entry,) = store.list()
    assert entry.id == qid and entry.rcpts == ()
    with pytest.raises(QuarantineError, match="no recipient"):
        store.release(qid)
    assert store.release(qid, to="admin@corp.test").kept


def test_put_is_one_statement_all_or_nothing(store: PostgresStore, migrated: str, sink: SlowSink) -> None:
    """The message and its recipients go in one statement: a recipient row that fails (NULL address) leaves
    no message row behind, the error is a QuarantineError (the milter tempfails), and the pooled
    connection is given back in its transactional mode (a release after it still locks its row)."""
    with pytest.raises(QuarantineError):
        store.put(RAW, verdict(rcpts=("bob@ex.test", None)))  # type: ignore[arg-type]
    with psycopg.connect(migrated) as conn:
        assert conn.execute("SELECT count(*) FROM quarantine_message").fetchone() == (0,)
    qids = [store.put(RAW, verdict(rcpts=("bob@ex.test", "carol@ex.test", "dave@ex.test"))) for _ in range(7)]
    with psycopg.connect(migrated) as conn:
        rows = conn.execute("SELECT message, position, address FROM quarantine_recipient WHERE message = %s"
                            " ORDER BY position", (qids[-1],)).fetchall()
        raw = conn.execute("SELECT raw FROM quarantine_message WHERE id = %s", (qids[0],)).fetchone()
    assert rows == [(qids[-1], 0, "bob@ex.test"), (qids[-1], 1, "carol@ex.test"), (qids[-1], 2, "dave@ex.test")]
    assert raw == (RAW,)
    with store.connection() as conn:
        assert conn.autocommit is False
    assert store.release(qids[0]).rcpts == ("bob@ex.test", "carol@ex.test", "dave@ex.test")


ATTACHMENT = bytes(range(256)) * 160


def campaign_copy(n: int, attachments: tuple[bytes, ...] = (ATTACHMENT,)) -> bytes:
    """Copy ``n`` of a campaign: its own headers and boundary, the same attachments (40 KB, base64)."""
    import base64

    boundary = f"=_b{n:04d}_{n * 7919:08x}".encode()
    files = b"".join(b"--%s\r\nContent-Type: application/zip\r\nContent-Transfer-Encoding: base64\r\n\r\n%s"
                     % (boundary, base64.encodebytes(a).replace(b"\n", b"\r\n")) for a in attachments)
    return (b"From: Alice <alice@ex.test>\r\nTo: user%d@ex.test\r\nSubject: invoice %d\r\nMIME-Version: 1.0\r\n"
            b'Content-Type: multipart/mixed; boundary="%s"\r\n\r\npreamble\r\n--%s\r\n'
            b"Content-Type: text/plain\r\n\r\nDear user %d, see the invoice.\r\n%s--%s--\r\n"
            % (n, n, boundary, boundary, n, files, boundary))


def parts_table(dsn: str) -> list[tuple[str, int]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT sha256, size FROM quarantine_part ORDER BY sha256").fetchall()


def test_copies_of_a_campaign_store_their_attachment_once(store: PostgresStore, migrated: str,
                                                          sink: SlowSink) -> None:
    """Migration 3: the copies' shared payload is one quarantine_part row; each copy keeps the rest of its bytes;
    show and release give every copy's exact bytes back; the part goes with the last copy that used it."""
    copies = [campaign_copy(n) for n in range(3)]
    qids = [store.put(raw, verdict()) for raw in copies]
    ((digest, size),) = parts_table(migrated)
    assert size > 40_000
    with psycopg.connect(migrated) as conn:
        own = conn.execute("SELECT id, length(raw), size FROM quarantine_message ORDER BY id").fetchall()
    assert all(length < 1000 and full == len(raw) for (_id, length, full), raw in zip(own, copies, strict=True))
    for qid, raw in zip(qids, copies, strict=True):
        assert store.show(qid).raw == raw
    assert store.release(qids[0]).rcpts == ("bob@ex.test", "carol@ex.test")
    assert store.release(qids[1], to="admin@corp.test").kept
    assert [r[2] for r in sink.received] == [copies[0], copies[1]]
    assert [p[0] for p in parts_table(migrated)] == [digest]  # copies 1 and 2 still use it
    store.delete(qids[1])
    assert [p[0] for p in parts_table(migrated)] == [digest]
    assert store.show(qids[2]).raw == copies[2]
    store.release(qids[2])
    assert sink.received[-1][2] == copies[2] and parts_table(migrated) == []
    assert store.put(copies[0], verdict()) and len(parts_table(migrated)) == 1  # stored anew


def test_a_part_this_store_committed_is_not_sent_again(store: PostgresStore, migrated: str, sink: SlowSink,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A campaign's next copy refers to the part its store's last put committed by sha256, without its bytes;
    once the part is gone (its last message released) the refused statement runs again with them."""
    sent: list[int] = []
    execute = psycopg.Connection.execute

    def spy(self: Any, query: Any, params: Any = None, **kw: Any) -> Any:
        if isinstance(query, str) and query.startswith("WITH p AS"):
            sent.append(sum(len(d) for d in params[2]))
        return execute(self, query, params, **kw)

    monkeypatch.setattr(psycopg.Connection, "execute", spy)
    copies = [campaign_copy(n) for n in range(3)]
    qids = [store.put(raw, verdict()) for raw in copies[:2]]
    assert sent[0] > 40_000 and sent[1] == 0
    assert [store.show(q).raw for q in qids] == copies[:2] and len(parts_table(migrated)) == 1
    for qid in qids:
        store.release(qid)
    assert parts_table(migrated) == []
    qid = store.put(copies[2], verdict())
    assert sent[2:] == [0, sent[0]]  # refused by the foreign key, then sent whole
    assert store.show(qid).raw == copies[2] and len(parts_table(migrated)) == 1


def test_a_message_holding_one_attachment_twice_stores_it_once(store: PostgresStore, migrated: str,
                                                               sink: SlowSink) -> None:
    """The same payload twice in one message, and two payloads in either order in two messages (hosts storing
    both at once take the part rows in one order): one row per payload, every copy's exact bytes back."""
    other = b"another attachment " * 2000
    copies = [campaign_copy(1, (ATTACHMENT, ATTACHMENT)), campaign_copy(2, (ATTACHMENT, other)),
              campaign_copy(3, (other, ATTACHMENT))]
    qids = [store.put(raw, verdict()) for raw in copies]
    assert len(parts_table(migrated)) == 2
    assert [store.show(q).raw for q in qids] == copies
    store.release(qids[0])
    assert sink.received[0][2] == copies[0] and [store.show(q).raw for q in qids[1:]] == copies[1:]


def test_without_the_parts_tables_messages_are_stored_whole(store: PostgresStore, migrated: str,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    """Code ahead of `db migrate` (or of the service role's GRANTs): the quarantine write falls back to the whole
    message, as before migration 3 -- mail still flows, nothing is lost -- and says what to run."""
    with psycopg.connect(migrated) as conn:
        conn.execute("DROP TABLE quarantine_message_part, quarantine_part")
    copies = [campaign_copy(n) for n in range(2)]
    qids = [store.put(raw, verdict()) for raw in copies]
    with psycopg.connect(migrated) as conn:
        stored = conn.execute("SELECT raw FROM quarantine_message ORDER BY id").fetchall()
    assert [bytes(r[0]) for r in stored] == copies and len(set(qids)) == 2
    assert "coinguard db migrate" in caplog.text


def test_purge_drops_parts_no_message_uses(store: PostgresStore, migrated: str) -> None:
    """A part left behind (its clean-up lost a race with a put) goes with the next purge; one in use stays."""
    kept = store.put(campaign_copy(1), verdict())
    with psycopg.connect(migrated) as conn:
        conn.execute("INSERT INTO quarantine_part (sha256, size, data) VALUES ('left-behind', 1, 'x')")
    assert len(parts_table(migrated)) == 2
    store.purge(timedelta(days=30))
    left = [p[0] for p in parts_table(migrated)]
    assert "left-behind" not in left and len(left) == 1
    assert store.show(kept).raw == campaign_copy(1)


def test_a_stored_message_without_its_part_is_refused_not_sent(store: PostgresStore, migrated: str,
                                                               sink: SlowSink) -> None:
    """The foreign key keeps a used part; should one still go missing, show and release refuse (no partial message
    is ever delivered)."""
    qid = store.put(campaign_copy(2), verdict())
    with psycopg.connect(migrated) as conn:
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("DELETE FROM quarantine_part")
        conn.rollback()
        conn.execute("ALTER TABLE quarantine_message_part DROP CONSTRAINT quarantine_message_part_part_fkey")
        conn.execute("DELETE FROM quarantine_part")
    with pytest.raises(QuarantineError, match="lacks one of its parts"):
        store.release(qid)
    assert sink.received == [] and [e.id for e in store.list()] == [qid]


# --------------------------------------------------------------------------- registry, audit trail, milter


def test_importing_the_quarantine_package_loads_no_database_driver() -> None:
    import subprocess
    import sys

    code = ("import sys, coinguard.quarantine as q; assert q.STORES['postgresql'] is q.PostgresStore; "
            "assert not [m for m in sys.modules if m.startswith(('psycopg', 'psycopg_pool'))], 'psycopg loaded'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, check=False)
    assert proc.returncode == 0, proc.stderr


def test_open_store_gives_the_database_store_which_keeps_the_message(migrated: str, tmp_path: Path) -> None:
    from coinguard.quarantine import store_for

    cfg = Config(quarantine=qcfg(tmp_path, backend="postgresql", dsn=migrated, host_name="mx-b"))
    store = store_for(cfg)
    try:
        assert isinstance(store, PostgresStore) and store.mta_holds is False and store.host == "mx-b"
        assert store.list() == []  # the pool opens on first use
        qid = store.put(RAW, verdict())
        (entry,) = store.list()
        assert entry.id == qid and entry.host == "mx-b" and entry.to_json()["host"] == "mx-b"
    finally:
        store.close()


def test_audit_trail_records_like_the_file_log(store: PostgresStore, sink: SlowSink, tmp_path: Path) -> None:
    """Same release/delete/purge on the directory store and on PostgreSQL: the same records (plus the host)."""
    from coinguard.quarantine import DirStore

    dir_store = DirStore(qcfg(tmp_path, sink.port, path=str(tmp_path / "dirq")))
    trails = []
    for s in (dir_store, store):
        kept, gone = s.put(RAW, verdict()), s.put(RAW, verdict())
        s.release(kept, to="admin@corp.test")
        s.delete(gone)
        s.purge(timedelta(days=30))
        assert [r["action"] for r in s.audit.records(kept)] == ["release"]
        assert [(r["action"], r["result"]) for r in s.audit.records(gone)] == [("delete", "ok")]
        trails.append(s.audit.records())
    on_disk, in_db = trails
    assert [r["action"] for r in in_db] == [r["action"] for r in on_disk] == ["release", "delete", "purge"]
    for a, b in zip(on_disk, in_db, strict=True):
        assert set(b) == set(a) | {"host"} and b["host"] == "mx-a"
        assert (b["result"], b["who"], b["uid"]) == (a["result"], a["who"], a["uid"])
        if a["action"] == "purge":  # the cutoff is each store's own "now" less 30 days: seconds apart at most
            assert b["target"]["older_than_s"] == a["target"]["older_than_s"]
            apart = datetime.fromisoformat(b["target"]["cutoff"]) - datetime.fromisoformat(a["target"]["cutoff"])
            assert timedelta(0) <= apart <= timedelta(seconds=30)
        else:
            assert b["target"] == a["target"]
        assert b["backend"] == "postgresql" and a["backend"] == "dir"
        assert datetime.fromisoformat(b["when"]) <= datetime.now(UTC)
    assert in_db[0]["target"] == ["admin@corp.test"] and in_db[0]["kept"] is True


def test_the_milter_stores_then_discards_and_tempfails_while_the_database_is_down(
        pg_server: PgServer, migrated: str, tmp_path: Path) -> None:
    """actions.apply with the real store: committed before the discard; a dead database is a tempfail."""
    from prometheus_client import CollectorRegistry

    from coinguard import actions
    from coinguard.buffer import MessageBuffer
    from coinguard.metrics import make_metrics
    from coinguard.quarantine import store_for
    from test_actions import DISCARD, TEMPFAIL, RecordingMta

    cfg = Config(quarantine=qcfg(tmp_path, backend="postgresql", dsn=migrated, connect_timeout_s=1.0))
    store, metrics = store_for(cfg), make_metrics(CollectorRegistry())
    buf = MessageBuffer(1 << 20)
    try:
        buf.add_header("From", b"alice@ex.test")
        buf.add_body(b"body\r\n")
        out = actions.apply(verdict(), cfg, buf, RecordingMta(), lambda: store, metrics, "4F1A2B3C4D")
        assert out.rc == DISCARD and out.fields["quarantine"].startswith("postgresql:")
        qid = out.fields["quarantine"].split(":", 1)[1]
        with psycopg.connect(migrated) as conn:
            assert conn.execute("SELECT raw FROM quarantine_message WHERE id = %s", (qid,)).fetchone() == (
                buf.raw_bytes(),)
        pg_server.stop("fast")
        try:
            mta = RecordingMta()
            out = actions.apply(verdict(), cfg, buf, mta, lambda: store, metrics, "4F1A2B3C4D")
            assert out.rc == TEMPFAIL and mta.kinds() == ["tempfail"] and "quarantine" not in out.fields
            assert metrics.registry.get_sample_value("coinguard_errors_total", {"stage": "quarantine"}) == 1
        finally:
            pg_server.start()
    finally:
        buf.close()
        store.close()


def test_closing_the_store_closes_its_connections(migrated: str, tmp_path: Path) -> None:
    """What the daemon does when a generation retires (runtime.Runtime._close)."""
    def ours() -> int:
        with psycopg.connect(migrated) as conn:
            row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'coinguard'"
                               " AND datname = current_database()").fetchone()
        return int(row[0]) if row else 0

    def settled() -> int:  # a backend leaves pg_stat_activity shortly after its client hung up
        deadline = time.monotonic() + 10
        while ours() and time.monotonic() < deadline:
            time.sleep(0.1)
        return ours()

    s = PostgresStore(qcfg(tmp_path), settings=settings(migrated, pool_size=3))
    assert settled() == 0  # constructing connects to nothing (the migration's connection has gone)
    s.put(RAW, verdict())
    assert ours() >= 1
    s.close()
    assert settled() == 0


def test_the_web_console_reads_hosts_and_the_audit_trail(migrated: str, tmp_path: Path, sink: SlowSink) -> None:
    """The console's search by host and per-message trail (console/records.py) on the shared store."""
    from coinguard.console import records

    a = PostgresStore(qcfg(tmp_path, sink.port), settings=settings(migrated), host="mx-a")
    c = PostgresStore(qcfg(tmp_path, sink.port), settings=settings(migrated), host="mx-c")
    with a, c:
        from_a, from_c = a.put(RAW, verdict()), c.put(RAW, verdict())
        assert [e.id for e in records.search(c, records.Search(host="mx-a"))] == [from_a]
        assert [e.id for e in records.search(a, records.Search(host="MX-C"))] == [from_c]
        c.release(from_a, to="admin@corp.test")
        (rec,) = records.audit_trail(a, from_a)  # released from mx-c, seen from mx-a
        assert rec["action"] == "release" and rec["host"] == "mx-c" and rec["result"] == "ok"
        assert records.released_to(records.audit_trail(a, from_a)) == {"admin@corp.test"}
