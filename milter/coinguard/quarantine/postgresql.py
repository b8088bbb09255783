"""The PostgreSQL quarantine store (``[quarantine] backend = "postgresql"``): one quarantine for many MX hosts.

Every MX host's coinguard writes to the same database, and ``coinguard quarantine
list/show/release/delete/purge`` work from any of them.  The store keeps, per
message: the exact raw bytes (``bytea``; a part's payload that the copies of a campaign share is stored
once, :func:`split_parts`), the verdict JSON (``jsonb``), the envelope,
one row per recipient with its state (held / released: when, by whom, from which
host / deleted), the host that quarantined it and its expiry.  Every release, delete
and purge is a row in ``quarantine_audit`` (who, uid, host, when, what, result).

Guarantees:

* ``put`` is one transaction, committed before it returns (the milter discards the
  message only after that); any database trouble raises :class:`QuarantineError`
  and the daemon tempfails: a message is never lost.
* A release is done once, even when two hosts try at the same moment: the message
  row is locked (``SELECT ... FOR UPDATE``) while it is re-injected, so the second
  caller waits and then finds it ``already released``.  If the re-injection fails
  the transaction rolls back and the message stays held.
* The schema is created and migrated by ``coinguard db migrate`` (versioned SQL below,
  a ``schema_version`` table, an advisory lock so two hosts cannot migrate at once).

The DSN is a ``postgresql://`` URL, a ``key=value`` conninfo string or a bare libpq
service name (``pg_service.conf``).  A password comes from libpq's own means
(``.pgpass``, a service file) or from ``dsn_password_file``, which must be readable by
the service user only (owner us or root, no access for others, no write for the group).
"""

from __future__ import annotations

import builtins
import hashlib
import logging
import os
import socket
import stat
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from coinguard.config import QuarantineConfig
from coinguard.errors import QuarantineError
from coinguard.findings import Verdict
from coinguard.quarantine.audit import who
from coinguard.quarantine.base import AuditTrail, QuarantineStore, mime_attachments, parse_headers
from coinguard.quarantine.model import ID_RE, Detail, Entry, Filters, QuarantineNotFound, Released, new_id

if TYPE_CHECKING:  # psycopg is imported when a PostgreSQL store is used, not with coinguard.quarantine
    import psycopg
    from psycopg_pool import ConnectionPool

log = logging.getLogger(__name__)

BACKEND = "postgresql"
#: Serialises ``db migrate`` across hosts (an arbitrary, fixed 64-bit key).
MIGRATE_LOCK_KEY = 0x636F696E67756172  # "coinguar"

#: Versioned migrations, applied in order, each in its own transaction.  Never edit an
#: applied one: add the next version.  ``schema_version.checksum`` records what ran.
MIGRATIONS: tuple[tuple[int, str, str], ...] = (
    (1, "quarantine, recipients, audit log", r"""
CREATE TABLE quarantine_message (
    id            text PRIMARY KEY CHECK (id ~ '^[0-9]{8}T[0-9]{12}Z-[0-9a-f]{12}$'),
    stored_at     timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    host          text NOT NULL,
    queue_id      text NOT NULL DEFAULT '',
    sender        text NOT NULL,
    message_id    text NOT NULL DEFAULT '',
    subject       text NOT NULL DEFAULT '',
    verdict       text NOT NULL DEFAULT '',
    score         double precision,
    codes         text[] NOT NULL DEFAULT '{}',
    size          bigint NOT NULL CHECK (size >= 0),
    sha256        text NOT NULL,
    state         text NOT NULL DEFAULT 'held' CHECK (state IN ('held', 'released', 'deleted')),
    changed_at    timestamptz,
    changed_by    text,
    changed_host  text,
    verdict_json  jsonb NOT NULL,
    raw           bytea,          -- NULL once released or deleted (the row stays as a record)
    CHECK ((state = 'held') = (raw IS NOT NULL))
);
CREATE INDEX quarantine_message_held_idx ON quarantine_message (stored_at DESC) WHERE state = 'held';
CREATE INDEX quarantine_message_stored_idx ON quarantine_message (stored_at);

CREATE TABLE quarantine_recipient (
    message       text NOT NULL REFERENCES quarantine_message (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    address       text NOT NULL,
    state         text NOT NULL DEFAULT 'held' CHECK (state IN ('held', 'released', 'deleted')),
    changed_at    timestamptz,
    changed_by    text,
    changed_host  text,
    PRIMARY KEY (message, position)
);
CREATE INDEX quarantine_recipient_address_idx ON quarantine_recipient (lower(address));

CREATE TABLE quarantine_audit (
    seq           bigserial PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    who           text NOT NULL,
    uid           integer,
    host          text NOT NULL,
    action        text NOT NULL,
    message       text NOT NULL DEFAULT '',   -- no foreign key: the record outlives a purge
    target        jsonb,
    result        text NOT NULL,
    extra         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX quarantine_audit_message_idx ON quarantine_audit (message);
CREATE INDEX quarantine_audit_at_idx ON quarantine_audit (at);
"""),
    # pglz (the default) costs PostgreSQL ~1.6 ms of CPU and 7 ms of wall time per 36 KB message; lz4
    # 0.35 ms and 1 ms (bench_shared_state.py --puts).  New rows only; without lz4 (a server before 14
    # or built without it) nothing changes.
    (2, "lz4 compression for the message bytes and the verdict", r"""
DO $$
BEGIN
    IF current_setting('server_version_num')::integer >= 140000 THEN
        BEGIN
            ALTER TABLE quarantine_message ALTER COLUMN raw SET COMPRESSION lz4;
            ALTER TABLE quarantine_message ALTER COLUMN verdict_json SET COMPRESSION lz4;
        EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
            RAISE NOTICE 'lz4 is not available: the quarantine keeps the default compression';
        END;
    END IF;
END
$$;
"""),
    # A campaign's copies carry the same attachment: its encoded bytes are stored once, by sha256, and each
    # copy keeps the rest of its bytes and where the shared parts go back (put: PART_MIN_BYTES, split_parts).
    # Stored as they are (EXTERNAL: base64 text gains ~3 % from lz4 and pglz costs more CPU than the write).
    (3, "message parts shared by the copies of a campaign", r"""
CREATE TABLE quarantine_part (
    sha256        text PRIMARY KEY,
    size          bigint NOT NULL CHECK (size >= 0),
    data          bytea NOT NULL
);
ALTER TABLE quarantine_part ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE quarantine_message_part (
    message       text NOT NULL REFERENCES quarantine_message (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    at            bigint NOT NULL CHECK (at >= 0),   -- offset in the message's own raw where the part goes
    part          text NOT NULL REFERENCES quarantine_part (sha256),
    PRIMARY KEY (message, position)
);
CREATE INDEX quarantine_message_part_part_idx ON quarantine_message_part (part);
"""),
)

_SCHEMA_VERSION_DDL = """
CREATE TABLE IF NOT EXISTS schema_version (
    version     integer PRIMARY KEY,
    name        text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    applied_by  text NOT NULL DEFAULT current_user,
    host        text NOT NULL DEFAULT ''
)
"""

_ENTRY_COLUMNS = ("id, stored_at, host, queue_id, sender, message_id, subject, verdict, score, codes, size, "
                  "(SELECT array_agg(address ORDER BY position) FROM quarantine_recipient r WHERE r.message = m.id)"
                  " AS rcpts")


#: The quarantine write: the message and its recipients (``unnest ... WITH ORDINALITY``: their positions)
#: in one statement, hence one implicit transaction.
_PUT = (
    "WITH m AS (INSERT INTO quarantine_message (id, stored_at, expires_at, host, queue_id, sender, message_id,"
    " subject, verdict, score, codes, size, sha256, verdict_json, raw)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %b) RETURNING id)"
    " INSERT INTO quarantine_recipient (message, position, address)"
    " SELECT m.id, r.n - 1, r.address FROM m, unnest(%s::text[]) WITH ORDINALITY AS r(address, n)"
)
#: The same with shared parts (:func:`split_parts`): each part inserted unless a copy stored it already
#: (``ON CONFLICT DO NOTHING``: no second write of its bytes), then where it goes back in this message.
#: Still one statement; the foreign key holds a part a concurrent release's clean-up would drop.
_PUT_PARTS = (
    "WITH p AS (INSERT INTO quarantine_part (sha256, size, data)"
    " SELECT * FROM unnest(%s::text[], %s::bigint[], %b::bytea[]) ON CONFLICT (sha256) DO NOTHING),"
    " m AS (INSERT INTO quarantine_message (id, stored_at, expires_at, host, queue_id, sender, message_id,"
    " subject, verdict, score, codes, size, sha256, verdict_json, raw)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %b) RETURNING id),"
    " r AS (INSERT INTO quarantine_recipient (message, position, address)"
    " SELECT m.id, r.n - 1, r.address FROM m, unnest(%s::text[]) WITH ORDINALITY AS r(address, n))"
    " INSERT INTO quarantine_message_part (message, position, at, part)"
    " SELECT m.id, x.n - 1, x.at, x.part FROM m, unnest(%s::bigint[], %s::text[]) WITH ORDINALITY AS x(at, part, n)"
)
#: Parts of a message from this size on are stored once for all copies (a copy's attachment, encoded).
PART_MIN_BYTES = 16 * 1024
#: Parts whose sha256 a store remembers (:meth:`PostgresStore._part_digest`), and the largest one kept.
PART_MEMO = 4
PART_MEMO_BYTES = 4 * 1024 * 1024
#: The parts of a message, in order: (offset in its own raw, data) -- for :func:`join_parts`.
_PARTS_OF = ("(SELECT array_agg(mp.at ORDER BY mp.position) FROM quarantine_message_part mp WHERE mp.message = m.id)"
             " AS part_at, (SELECT array_agg(p.data ORDER BY mp.position) FROM quarantine_message_part mp"
             " JOIN quarantine_part p ON p.sha256 = mp.part WHERE mp.message = m.id) AS part_data")


def split_parts(raw: bytes, min_bytes: int = PART_MIN_BYTES) -> tuple[bytes, list[tuple[int, bytes]]]:
    """``raw`` without its long spans, and each span with where it goes back (an offset in what is left).

    A span runs from the first blank line after a line starting with ``--`` (a MIME delimiter; or after the
    start) to the next such line or the end: a part's payload, which every copy of a campaign holds byte for
    byte (their headers and boundaries differ).  Any cut gives the same bytes back (:func:`join_parts`); only
    the sharing depends on it.  Searched for ``-`` (no base64 text holds it) and, between two delimiters,
    for the first blank line: a part's bytes are not read through."""
    n = len(raw)
    spans: list[tuple[int, int]] = []
    seg = 0
    while seg < n:
        end = raw.find(b"-", max(seg, 1))  # (one byte: memchr; a two-byte search reads 5x slower)
        while end > 0 and (raw[end - 1] != 0x0A or raw[end + 1 : end + 2] != b"-"):
            end = raw.find(b"-", end + 1)
        end = n if end < 0 else end
        crlf = raw.find(b"\n\r\n", seg, end)
        lf = raw.find(b"\n\n", seg, end if crlf < 0 else crlf + 2)
        if lf >= 0 or crlf >= 0:
            start = lf + 2 if lf >= 0 else crlf + 3
            if end - start >= min_bytes:
                spans.append((start, end))
        seg = end + 2
    if not spans:
        return raw, []
    pieces: list[bytes] = []
    parts: list[tuple[int, bytes]] = []
    last = kept = 0
    for start, end in spans:
        pieces.append(raw[last:start])
        kept += start - last
        parts.append((kept, raw[start:end]))
        last = end
    pieces.append(raw[last:])
    return b"".join(pieces), parts


def join_parts(rest: bytes, at: Sequence[int] | None, data: Sequence[bytes] | None) -> bytes:
    """The message bytes from what :func:`split_parts` left and its parts (none: ``rest`` is the message)."""
    if not at:
        return rest
    if data is None or len(data) != len(at):
        raise QuarantineError("PostgreSQL quarantine: a stored message lacks one of its parts")
    pieces: list[bytes] = []
    last = 0
    for offset, part in zip(at, data, strict=True):
        pieces += (rest[last:offset], bytes(part))
        last = offset
    pieces.append(rest[last:])
    return b"".join(pieces)


# --------------------------------------------------------------------------- settings and connections


@dataclass(frozen=True, slots=True)
class PgSettings:
    """How to reach the database: ``[quarantine] dsn``, ``dsn_password_file``, pool size, timeouts, host name."""

    dsn: str = ""
    password_file: str = ""
    pool_size: int = 4
    connect_timeout_s: float = 5.0
    statement_timeout_s: float = 30.0
    host_name: str = ""  # recorded as the quarantining / acting host ("" = socket.gethostname())

    @classmethod
    def from_config(cls, cfg: QuarantineConfig) -> PgSettings:
        return cls(dsn=cfg.dsn, password_file=cfg.dsn_password_file, pool_size=cfg.pool_size,
                   connect_timeout_s=cfg.connect_timeout_s, statement_timeout_s=cfg.statement_timeout_s,
                   host_name=cfg.host_name)


def read_password_file(path: str) -> str:
    """The first line of ``path``, after checking that only the service user can read it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError as exc:
        raise QuarantineError(f"quarantine.dsn_password_file {path}: {exc.strerror or exc}") from exc
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise QuarantineError(f"quarantine.dsn_password_file {path}: not a regular file")
        if st.st_uid not in (os.geteuid(), 0):
            raise QuarantineError(
                f"quarantine.dsn_password_file {path}: owned by uid {st.st_uid}; it must belong to the service "
                f"user (uid {os.geteuid()}) or root")
        if st.st_mode & 0o027:
            raise QuarantineError(
                f"quarantine.dsn_password_file {path}: mode {stat.S_IMODE(st.st_mode):04o} lets others read it or "
                f"the group write it; use chmod 0600 (or 0640 with the service user's group)")
        data = os.read(fd, 4096)
    finally:
        os.close(fd)
    password = data.decode("utf-8", "replace").splitlines()[0].strip() if data.strip() else ""
    if not password:
        raise QuarantineError(f"quarantine.dsn_password_file {path}: empty")
    return password


def conninfo(settings: PgSettings) -> str:
    """The libpq conninfo for ``settings``: URL, key=value string or service name, plus our defaults."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    dsn = settings.dsn.strip()
    if not dsn:
        raise QuarantineError('quarantine.dsn is empty (a postgresql:// URL or a libpq service name)')
    extra: dict[str, Any] = {"application_name": "coinguard",
                             "connect_timeout": max(1, round(settings.connect_timeout_s))}
    if settings.password_file:
        extra["password"] = read_password_file(settings.password_file)
    if not (dsn.startswith(("postgresql://", "postgres://")) or "=" in dsn):
        extra["service"] = dsn
        dsn = ""
    try:
        given = conninfo_to_dict(dsn) if dsn else {}
    except psycopg.ProgrammingError as exc:
        raise QuarantineError(f"quarantine.dsn is not a valid DSN: {exc}") from exc
    for key in ("application_name", "connect_timeout"):
        if key in given:
            extra.pop(key)
    return make_conninfo(dsn, **extra)


def redact(info: str) -> str:
    """The conninfo without its password, for messages."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(info)
    except psycopg.ProgrammingError:
        return "<unparsable dsn>"
    return " ".join(f"{k}={v}" for k, v in parts.items() if k != "password")


def _error(what: str, exc: BaseException) -> QuarantineError:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return QuarantineError(f"PostgreSQL quarantine: {what}: {text}")


#: The most records :meth:`PgAuditLog.records` returns (the newest; the table keeps them all).
MAX_AUDIT_RECORDS = 100_000


class PgAuditLog:
    """The audit trail (:class:`~coinguard.quarantine.base.AuditTrail`) as rows of ``quarantine_audit``:
    the same records as the JSON Lines log, plus the acting host, shared by every MX host."""

    def __init__(self, store: PostgresStore) -> None:
        self.store = store

    def check_writable(self) -> None:
        """Fail before acting when the audit trail cannot be written (no table, no INSERT right)."""
        with self.store.connection() as conn:
            row = conn.execute("SELECT has_table_privilege('quarantine_audit', 'INSERT')").fetchone()
        if not (row and row[0]):
            raise QuarantineError("PostgreSQL quarantine: this role may not write quarantine_audit (GRANT INSERT)")

    def record(self, action: str, qid: str, target: Any, result: str, **extra: Any) -> None:
        from psycopg.types.json import Jsonb

        with self.store.connection() as conn:
            conn.execute(
                "INSERT INTO quarantine_audit (who, uid, host, action, message, target, result, extra)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                (who(), os.getuid(), self.store.host, action, qid, Jsonb(target), result, Jsonb(extra)))

    def records(self, qid: str | None = None) -> builtins.list[dict[str, Any]]:
        """Records oldest first (of ``qid`` only when given), the newest MAX_AUDIT_RECORDS of them."""
        where, args = ("WHERE message = %s", [qid]) if qid is not None else ("", [])
        with self.store.connection() as conn:
            rows = conn.execute(
                f"SELECT at, who, uid, host, action, message, target, result, extra FROM quarantine_audit {where}"
                " ORDER BY seq DESC LIMIT %s", [*args, MAX_AUDIT_RECORDS]).fetchall()
        out = []
        for at, by, uid, host, action, message, target, result, extra in reversed(rows):
            out.append({"when": at.astimezone(UTC).isoformat(timespec="milliseconds"), "who": by, "uid": uid,
                        "host": host, "action": action, "id": message, "target": target, "result": result,
                        **(extra if isinstance(extra, dict) else {})})
        return out


# --------------------------------------------------------------------------- the store


#: A pooled connection given back less than this long ago is taken without a ping (psycopg_pool's check: a
#: round trip per quarantine write, ~0.4 ms of the daemon's CPU per copy of a campaign); one idle longer is
#: pinged first.  Should the server have gone in between, that one write fails (tempfail, as any database
#: error), and the pool drops the broken connection when it comes back.
CHECK_IDLE_S = 2.0


class _RecentCheck:
    """The pool's ``check`` callback: ping only a connection idle :data:`CHECK_IDLE_S` or more.

    :meth:`returned` is called by :meth:`PostgresStore.connection` as a use ends well, not as the pool's
    ``reset`` callback: with one, psycopg_pool gives every connection back through its worker thread (a queue
    put and a thread woken per quarantine write), without one in the caller's thread."""

    def __init__(self) -> None:
        self._returned: weakref.WeakKeyDictionary[Any, float] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def returned(self, conn: psycopg.Connection[Any]) -> None:
        with self._lock:
            self._returned[conn] = time.monotonic()

    def check(self, conn: psycopg.Connection[Any]) -> None:
        from psycopg import pq
        from psycopg_pool import ConnectionPool

        with self._lock:
            at = self._returned.pop(conn, None)
        if (at is not None and time.monotonic() - at < CHECK_IDLE_S and conn.pgconn.status == pq.ConnStatus.OK
                and conn.pgconn.transaction_status == pq.TransactionStatus.IDLE):
            return
        ConnectionPool.check_connection(conn)


class PostgresStore(QuarantineStore):
    """Quarantine in PostgreSQL, shared by every MX host; see the module docstring."""

    backend = BACKEND
    #: The message is ours, not Postfix's: the daemon stores it and then discards it.
    mta_holds = False

    def __init__(self, cfg: QuarantineConfig, *, settings: PgSettings | None = None, host: str | None = None,
                 verdict_header: str = "X-Coinguard-Verdict", findings_header: str = "X-Coinguard-Findings") -> None:
        self.settings = settings or PgSettings.from_config(cfg)
        self.host = host or self.settings.host_name or socket.gethostname()
        self._conninfo = conninfo(self.settings)  # a bad DSN or password file fails here, at start or reload
        self._pool: ConnectionPool | None = None
        self._pool_lock = threading.Lock()
        self._parts_hashed: builtins.list[tuple[bytes, str]] = []  # the last parts hashed, newest last
        #: sha256 of the parts a put of this store committed, newest last (:meth:`_put_parts`: not sent again)
        self._parts_stored: builtins.list[str] = []
        self._whole_only = False  # the parts' tables were missing or not writable: store messages whole
        self._recent = _RecentCheck()
        super().__init__(cfg, verdict_header=verdict_header, findings_header=findings_header)

    def _open_audit(self) -> AuditTrail:
        return PgAuditLog(self)

    @property
    def pool(self) -> ConnectionPool:
        """The connection pool, opened on first use (constructing a store connects to nothing)."""
        with self._pool_lock:
            if self._pool is None:
                from psycopg_pool import ConnectionPool

                pool: ConnectionPool = ConnectionPool(
                    self._conninfo, min_size=1, max_size=max(1, self.settings.pool_size), open=False,
                    kwargs={"options": f"-c statement_timeout={int(self.settings.statement_timeout_s * 1000)}"},
                    check=self._recent.check,
                    timeout=self.settings.connect_timeout_s + 1.0,
                    reconnect_timeout=0, name="coinguard-quarantine",
                )
                pool.open(wait=False)
                self._pool = pool
            return self._pool

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection inside one transaction (committed on exit, rolled back on error).

        Every psycopg/pool failure becomes a QuarantineError naming the database."""
        import psycopg
        from psycopg_pool import PoolTimeout

        try:
            with self.pool.connection() as conn:
                yield conn
                self._recent.returned(conn)  # (after an error: pinged before its next use)
        except QuarantineError:
            raise
        except PoolTimeout as exc:
            raise QuarantineError(
                f"PostgreSQL quarantine: no connection to {redact(self._conninfo)} within "
                f"{self.settings.connect_timeout_s + 1.0:g} s (is the database up?)") from exc
        except psycopg.errors.UndefinedTable as exc:
            raise QuarantineError(
                "PostgreSQL quarantine: the schema is missing or old; run `coinguard db migrate`") from exc
        except psycopg.Error as exc:
            raise _error(f"database error on {redact(self._conninfo)}", exc) from exc

    def check_id(self, qid: str) -> str:
        if not isinstance(qid, str) or not ID_RE.match(qid):
            raise QuarantineNotFound(f"not a quarantine ID: {qid!r}")
        return qid

    # ---- writing

    def put(self, raw: bytes, verdict: Verdict) -> str:
        """Store ``raw`` and its verdict, committed before it returns; raises QuarantineError otherwise.

        One statement (:data:`_PUT`: the message row and its recipients' rows in one ``INSERT ... WITH``),
        run in autocommit: PostgreSQL runs a statement as its own transaction, so the rows are all there
        or none is, and the commit comes with the statement's answer -- one round trip instead of five
        (BEGIN, two INSERTs, COMMIT).  Prepared on the server (``prepare=True``: planned once per
        connection); the message bytes go as binary (``%b``: no escaping, no hex).  A message with a long part
(:func:`split_parts`) is :data:`_PUT_PARTS`: the part is written once for every copy that holds it."""
        import psycopg
        from psycopg.types.json import Jsonb

        qid = new_id()
        now = datetime.now(UTC)
        codes = list(dict.fromkeys(f.code for f in verdict.findings))
        rest, parts = split_parts(raw)
        message = (qid, now, now + timedelta(days=self.cfg.retention_days), self.host, verdict.id, verdict.sender,
                   verdict.message_id, verdict.subject, str(verdict.verdict), float(verdict.score), codes, len(raw),
                   hashlib.sha256(raw).hexdigest(), Jsonb(verdict.to_json()), rest, list(verdict.rcpt))
        with self.connection() as conn:
            conn.autocommit = True  # the pooled connection is idle here; given back as it was found
            try:
                if parts and not self._whole_only:
                    try:
                        self._put_parts(conn, parts, message)
                    except (psycopg.errors.UndefinedTable, psycopg.errors.InsufficientPrivilege) as exc:
                        # code ahead of `db migrate` (or of the GRANTs after it): the message whole, as before
                        # migration 3 (the failed statement wrote nothing), so mail still flows
                        log.warning("quarantine: the shared parts' tables are missing or not writable (%s); "
                                    "storing messages whole until a restart -- run `coinguard db migrate` "
                                    "and the GRANTs", str(exc).strip().splitlines()[0] if str(exc).strip() else exc)
                        self._whole_only = True
                        conn.execute(_PUT, (*message[:14], raw, message[15]), prepare=True)
                else:
                    conn.execute(_PUT, (*message[:14], raw, message[15]) if parts else message, prepare=True)
            finally:
                conn.autocommit = False
        log.info("quarantine put id=%s queue_id=%s bytes=%d backend=postgresql", qid, verdict.id, len(raw))
        return qid

    def _put_parts(self, conn: psycopg.Connection[Any], parts: Sequence[tuple[int, bytes]],
                   message: tuple[Any, ...]) -> None:
        """:data:`_PUT_PARTS` for ``message`` and its long ``parts``.  A part this store's own put committed
        moments ago (a campaign's next copy) is referred to by its sha256 alone, its bytes not sent again (a
        366 KB part: ~1 ms of the daemon's and PostgreSQL's CPU per copy); should it have gone since (the last
        message using it released or deleted), the foreign key refuses the statement, which then wrote
        nothing, and it runs again with every part's bytes."""
        import psycopg

        hashes = [self._part_digest(data) for _at, data in parts]
        # each part once, in sha256 order: two hosts storing the same new parts take their rows in the same
        # order (no deadlock)
        unique = sorted(dict(zip(hashes, (data for _at, data in parts), strict=True)).items())
        known = set(self._parts_stored)
        send = [(h, d) for h, d in unique if h not in known]
        try:
            conn.execute(_PUT_PARTS, ([h for h, _d in send], [len(d) for _h, d in send], [d for _h, d in send],
                                      *message, [at for at, _data in parts], hashes), prepare=True)
        except psycopg.errors.ForeignKeyViolation:
            if len(send) == len(unique):
                raise
            self._parts_stored = []
            conn.execute(_PUT_PARTS, ([h for h, _d in unique], [len(d) for _h, d in unique],
                                      [d for _h, d in unique], *message, [at for at, _data in parts], hashes),
                         prepare=True)
        fresh = [h for h, _d in unique if h not in known]
        self._parts_stored = [*(h for h in self._parts_stored if h not in fresh), *fresh][-PART_MEMO:]

    def _part_digest(self, data: bytes) -> str:
        """sha256 of a shared part: for a part equal, byte for byte, to one of the last few this store hashed
        (a campaign's next copy), that one's (comparing 364 KB: ~0.03 ms of CPU; hashing: ~0.2 ms)."""
        for kept, digest in reversed(self._parts_hashed):
            if len(kept) == len(data) and kept == data:
                return digest
        digest = hashlib.sha256(data).hexdigest()
        if len(data) <= PART_MEMO_BYTES:
            self._parts_hashed = [*self._parts_hashed[-(PART_MEMO - 1):], (data, digest)]
        return digest

    # ---- reading

    def _entry(self, row: dict[str, Any]) -> Entry:
        return Entry(
            id=row["id"], backend=self.backend, received=row["stored_at"].astimezone(UTC),
            sender=row["sender"], rcpts=tuple(row["rcpts"] or ()), size=int(row["size"]),
            subject=row["subject"], message_id=row["message_id"], verdict=row["verdict"],
            score=row["score"], codes=tuple(row["codes"] or ()), queue_id=row["queue_id"], host=row["host"],
        )

    def list(self, filters: Filters | None = None) -> builtins.list[Entry]:
        """Held messages, newest first, with the same filters (and semantics) as the directory store."""
        from psycopg import sql
        from psycopg.rows import dict_row

        f = filters or Filters()
        where = [sql.SQL("state = 'held'")]
        args: builtins.list[Any] = []
        if f.sender:
            where.append(sql.SQL("strpos(lower(sender), lower(%s)) > 0"))
            args.append(f.sender)
        if f.recipient:
            where.append(sql.SQL("EXISTS (SELECT 1 FROM quarantine_recipient r WHERE r.message = m.id"
                                 " AND strpos(lower(r.address), lower(%s)) > 0)"))
            args.append(f.recipient)
        if f.since is not None:
            where.append(sql.SQL("stored_at >= %s"))
            args.append(f.since)
        if f.until is not None:
            where.append(sql.SQL("stored_at <= %s"))
            args.append(f.until)
        if f.verdict:
            where.append(sql.SQL("lower(verdict) = lower(%s)"))
            args.append(f.verdict)
        query = sql.SQL(
            "SELECT {cols} FROM quarantine_message m WHERE {where} ORDER BY stored_at DESC, id DESC").format(
            cols=sql.SQL(_ENTRY_COLUMNS), where=sql.SQL(" AND ").join(where))
        out: builtins.list[Entry] = []
        with self.connection() as conn, conn.cursor(name="coinguard_list", row_factory=dict_row) as cur:
            cur.itersize = 500
            cur.execute(query, args)
            for row in cur:
                entry = self._entry(row)
                if f.matches(entry):  # the code filter (and a final check of the rest) in Python
                    out.append(entry)
                    if f.limit and len(out) >= f.limit:
                        break
        return out

    def _row(self, conn: psycopg.Connection[Any], qid: str, *, lock: bool = False) -> dict[str, Any]:
        from psycopg.rows import dict_row

        with conn.cursor(row_factory=dict_row) as cur:
            cur.execute(f"SELECT {_ENTRY_COLUMNS}, state, changed_at, changed_by, changed_host, sha256, verdict_json,"
                        f" raw, {_PARTS_OF} FROM quarantine_message m WHERE id = %s"
                        + (" FOR UPDATE OF m" if lock else ""), (qid,))
            row = cur.fetchone()
        if row is None:
            raise QuarantineNotFound(f"no quarantined message {qid}")
        if row["state"] != "held":
            when = row["changed_at"].astimezone(UTC).isoformat(timespec="seconds") if row["changed_at"] else "?"
            raise QuarantineNotFound(
                f"{qid}: already {row['state']} by {row['changed_by']} on {row['changed_host']} at {when}")
        row["raw"] = join_parts(bytes(row["raw"]), row["part_at"], row["part_data"])
        return row

    def show(self, qid: str) -> Detail:
        qid = self.check_id(qid)
        with self.connection() as conn:
            row = self._row(conn, qid)
        raw = bytes(row["raw"])
        verdict = row["verdict_json"] if isinstance(row["verdict_json"], dict) else None
        if verdict and isinstance(verdict.get("attachments"), list):
            attachments = tuple(a for a in verdict["attachments"] if isinstance(a, dict))
            source = "verdict"
        else:
            attachments, source = mime_attachments(raw), "mime"
        return Detail(entry=self._entry(row), raw=raw, headers=parse_headers(raw), verdict=verdict,
                      attachments=attachments, attachments_source=source)

    # ---- changing

    def _set_state(self, conn: psycopg.Connection[Any], qid: str, state: str) -> builtins.list[str]:
        """Mark ``qid`` released or deleted and drop its bytes; the shared parts it used (for
        :meth:`_drop_unused_parts` once this transaction is committed)."""
        by = who()
        conn.execute("UPDATE quarantine_message SET state = %s, raw = NULL, changed_at = now(), changed_by = %s,"
                     " changed_host = %s WHERE id = %s", (state, by, self.host, qid))
        conn.execute("UPDATE quarantine_recipient SET state = %s, changed_at = now(), changed_by = %s,"
                     " changed_host = %s WHERE message = %s AND state = 'held'", (state, by, self.host, qid))
        return [r[0] for r in conn.execute("DELETE FROM quarantine_message_part WHERE message = %s RETURNING part",
                                           (qid,)).fetchall()]

    def _drop_unused_parts(self, hashes: builtins.list[str] | None) -> None:
        """Delete the shared parts no held message uses any more (after a release, a delete, a purge).

        Apart from the change that freed them, and never an error: a copy being stored at the same moment
        holds its part (the foreign key makes this delete fail, or that put fail and tempfail), and a part
        left behind is only space, dropped by the next purge (``hashes`` None: every unused part)."""
        if hashes is not None and not hashes:
            return
        unused = "NOT EXISTS (SELECT 1 FROM quarantine_message_part mp WHERE mp.part = p.sha256)"
        try:
            with self.connection() as conn:
                if hashes is None:
                    conn.execute(f"DELETE FROM quarantine_part p WHERE {unused}")
                else:
                    conn.execute(f"DELETE FROM quarantine_part p WHERE p.sha256 = ANY(%s) AND {unused}", (hashes,))
        except QuarantineError as exc:
            log.info("quarantine: shared parts not dropped this time: %s", exc)

    def _release(self, qid: str, to: str | None) -> Released:
        with self.connection() as conn:
            # the row lock makes a second, concurrent release wait here and then see "already released"
            row = self._row(conn, qid, lock=not to)
            raw = bytes(row["raw"])
            if hashlib.sha256(raw).hexdigest() != row["sha256"]:
                raise QuarantineError(f"{qid}: stored message changed since it was quarantined (sha256 mismatch)")
            rcpts = (to,) if to else tuple(row["rcpts"] or ())
            self.injector.send(raw, row["sender"], rcpts)
            freed = self._set_state(conn, qid, "released") if not to else []
        self._drop_unused_parts(freed)
        return Released(qid, tuple(rcpts), self.injector.method, kept=bool(to))

    def _delete(self, qid: str) -> None:
        with self.connection() as conn:
            self._row(conn, qid, lock=True)
            freed = self._set_state(conn, qid, "deleted")
        self._drop_unused_parts(freed)

    def _expired(self, cutoff: datetime) -> builtins.list[str]:
        with self.connection() as conn:
            rows = conn.execute("SELECT id FROM quarantine_message WHERE state = 'held' AND stored_at < %s"
                                " ORDER BY stored_at", (cutoff,)).fetchall()
        return [r[0] for r in rows]

    def purge(self, older_than: timedelta) -> int:
        """Delete the held messages older than ``older_than`` (audited), then drop the records of
        released/deleted messages past the same age (their audit rows stay)."""
        count = super().purge(older_than)
        with self.connection() as conn:
            conn.execute("DELETE FROM quarantine_message WHERE state <> 'held' AND stored_at < %s",
                         (datetime.now(UTC) - older_than,))
        self._drop_unused_parts(None)  # what a clean-up left behind (it lost a race with a put)
        return count


# --------------------------------------------------------------------------- migrations


@dataclass(frozen=True, slots=True)
class MigrationStatus:
    version: int
    name: str
    applied_at: datetime | None
    applied_by: str = ""
    host: str = ""
    checksum_ok: bool = True


def _checksum(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()


def _connect(settings: PgSettings) -> psycopg.Connection[Any]:
    import psycopg

    info = conninfo(settings)
    try:
        return psycopg.connect(info, autocommit=True)
    except psycopg.Error as exc:
        raise _error(f"cannot connect to {redact(info)}", exc) from exc


def migration_status(settings: PgSettings,
                     migrations: Sequence[tuple[int, str, str]] = MIGRATIONS) -> list[MigrationStatus]:
    """Every known migration with when (and whether unchanged) it was applied."""
    import psycopg

    with _connect(settings) as conn:
        try:
            exists = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
            applied: dict[int, tuple[Any, ...]] = {}
            if exists and exists[0]:
                for r in conn.execute("SELECT version, applied_at, applied_by, host, checksum FROM schema_version"):
                    applied[r[0]] = r
        except psycopg.Error as exc:
            raise _error("cannot read schema_version", exc) from exc
    out = []
    for version, name, text in migrations:
        r = applied.get(version)
        out.append(MigrationStatus(version, name, r[1] if r else None, r[2] if r else "", r[3] if r else "",
                                   checksum_ok=(r is None or r[4] == _checksum(text))))
    return out


def migrate(settings: PgSettings, migrations: Sequence[tuple[int, str, str]] = MIGRATIONS,
            host: str | None = None) -> list[int]:
    """Apply the migrations not applied yet, in order, each in one transaction; returns the versions applied.

    Idempotent, and safe when several hosts run it at once (advisory lock)."""
    import psycopg

    host = host or socket.gethostname()
    done: list[int] = []
    with _connect(settings) as conn:
        try:
            conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK_KEY,))
            try:
                with conn.transaction():
                    conn.execute(_SCHEMA_VERSION_DDL)
                have = {r[0]: r[1] for r in conn.execute("SELECT version, checksum FROM schema_version")}
                for version, name, text in sorted(migrations):
                    if version in have:
                        if have[version] != _checksum(text):
                            log.warning("db migrate: migration %d (%s) differs from the one applied", version, name)
                        continue
                    with conn.transaction():
                        conn.execute(text.encode("utf-8"))
                        conn.execute("INSERT INTO schema_version (version, name, checksum, host)"
                                     " VALUES (%s, %s, %s, %s)", (version, name, _checksum(text), host))
                    log.info("db migrate: applied %d (%s)", version, name)
                    done.append(version)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATE_LOCK_KEY,))
        except psycopg.Error as exc:
            raise _error("migration failed", exc) from exc
    return done


__all__ = ["BACKEND", "MIGRATIONS", "MigrationStatus", "PgAuditLog", "PgSettings", "PostgresStore", "conninfo",
           "migrate", "migration_status", "read_password_file", "redact"]
