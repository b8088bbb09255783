"""Private PostgreSQL and Redis servers for the shared-state tests and bench/bench_shared_state.py.

``PgServer``: ``initdb`` + ``pg_ctl`` in a temp dir (fsync off: test data only), listening on
127.0.0.1 on a free port and on a unix socket in that dir.  PostgreSQL refuses to run as root,
so as root the server runs as the ``postgres`` user (Debian's package creates it), else ``nobody``.
Authentication: trust for the superuser ``coinguard``, scram-sha-256 for the role ``secret``
(to test ``dsn_password_file`` against a real password check).

``RedisServer``: ``redis-server`` on 127.0.0.1, a free port, no persistence.

Both die with the process that started them (PR_SET_PDEATHSIG) and are stopped by ``stop()``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from helpers import free_port

SECRET_ROLE = "secret"
SECRET_PASSWORD = "s3cret-pass-Word"


def wait_port(port: int, timeout: float = 15.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
        time.sleep(0.05)
    return False


def _die_with_parent() -> None:
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def pg_bindir() -> str:
    """The newest /usr/lib/postgresql/*/bin with initdb, or "" (then the tests skip)."""
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True):
        if os.access(os.path.join(d, "initdb"), os.X_OK) and os.access(os.path.join(d, "pg_ctl"), os.X_OK):
            return d
    found = shutil.which("initdb")
    return os.path.dirname(found) if found and shutil.which("pg_ctl") else ""


def _run_user() -> str:
    """Who runs PostgreSQL: ourselves, or (as root) postgres / nobody."""
    if os.geteuid() != 0:
        return ""
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("running as root and neither a postgres nor a nobody user exists")


class PgServer:
    def __init__(self) -> None:
        self.bindir = pg_bindir()
        if not self.bindir:
            raise FileNotFoundError("initdb/pg_ctl not found (Debian package postgresql)")
        self.user = _run_user()
        self.root = Path(tempfile.mkdtemp(prefix="coinguard-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.started = False

    def _cmd(self, *argv: str) -> list[str]:
        return ["runuser", "-u", self.user, "--", *argv] if self.user else list(argv)

    def _run(self, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(self._cmd(*argv), capture_output=True, text=True, timeout=timeout, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv[:2])} failed ({proc.returncode}): {proc.stderr or proc.stdout}")
        return proc

    def init(self) -> PgServer:
        os.chmod(self.root, 0o755)
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
        self._run(f"{self.bindir}/initdb", "-D", str(self.data), "-U", "coinguard", "-E", "UTF8", "--no-locale",
                  "--auth=trust", "--no-sync")
        hba = self.data / "pg_hba.conf"
        text = (f"host all {SECRET_ROLE} 127.0.0.1/32 scram-sha-256\n"
                "local all all trust\nhost all all 127.0.0.1/32 trust\n")
        hba.write_text(text)
        return self

    def start(self) -> None:
        opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100")
        self._run(f"{self.bindir}/pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-o", opts,
                  "-w", "-t", "60", "start", timeout=90)
        self.started = True
        if not wait_port(self.port):
            raise RuntimeError(f"PostgreSQL did not listen on port {self.port}: {self.log_tail()}")

    def stop(self, mode: str = "fast") -> None:
        if self.started:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self._run(f"{self.bindir}/pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", timeout=60)
            self.started = False

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self) -> str:
        try:
            return (self.root / "log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def dsn(self, dbname: str = "postgres", user: str = "coinguard") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def admin(self, statement: str, dbname: str = "postgres") -> None:
        """Run one statement as the superuser (outside a transaction: CREATE DATABASE works)."""
        import psycopg

        with psycopg.connect(self.dsn(dbname), autocommit=True) as conn:
            conn.execute(statement.encode())


class RedisServer:
    def __init__(self) -> None:
        exe = shutil.which("redis-server")
        if not exe:
            raise FileNotFoundError("redis-server not found (Debian package redis-server)")
        self.exe = exe
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.dir = Path(tempfile.mkdtemp(prefix="coinguard-redis-"))

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.exe, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.dir), "--protected-mode", "yes", "--maxmemory", "64mb",
             "--maxmemory-policy", "allkeys-lru", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        if not wait_port(self.port):
            self.stop()
            raise RuntimeError(f"redis-server did not listen on port {self.port}")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
            self.proc = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
