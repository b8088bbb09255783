"""A private, loopback-only Postfix with a recording SMTP sink, and the real coinguard daemon.

Shared by the integration tests, ``demo/demo.sh`` and ``bench/bench_gateway.py``.  Nothing here
touches the system Postfix in ``/etc/postfix``: the instance lives in its own folder
(``main.cf``, ``master.cf``, queue, data and log) and is addressed with ``-c DIR``.

Machine pitfalls handled (see the lab README): no syslog (``maillog_file``), no chroot jail,
no DNS at all (no peer name lookups, explicit nexthops, DNS disabled in the SMTP client),
IPv4 loopback only, and Postfix's asynchronous start/stop (we wait for ports and PIDs).
Needs root (Postfix's master must start as root) and the ``postfix`` package.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coinguard import postfix_setup
from coinguard.config import Config

from helpers import free_port

POSTFIX = "/usr/sbin/postfix"
POSTQUEUE = "/usr/sbin/postqueue"
POSTSUPER = "/usr/sbin/postsuper"
DAEMON_DIR = "/usr/lib/postfix/sbin"
REPO = Path(__file__).resolve().parents[2]

# --------------------------------------------------------------------------- the documented Postfix lines
#: What README.md and docs/operations.md tell the admin to put in main.cf and master.cf, verbatim
#: (issue 12 §2): ``coinguard setup postfix``'s output for the default configuration, the one source.
#: The release test builds its Postfix from exactly these (only the milter address and the port
#: are the test's own, see :func:`doc_postfix_lines`).
DOC_MAIN_CF = postfix_setup.main_cf_text(Config())
DOC_MASTER_CF = postfix_setup.master_cf_text(Config())
DOC_MILTER = postfix_setup.milter_address(Config().milter.socket)
DOC_RELEASE_PORT = int(Config().quarantine.release_smtp.rpartition(":")[2])


def doc_postfix_lines(milter: str, release_port: int) -> tuple[str, str]:
    """(main.cf lines, master.cf lines) as documented, with the test's milter and release port."""
    main = DOC_MAIN_CF.replace(DOC_MILTER, milter)
    master = DOC_MASTER_CF.replace(f"127.0.0.1:{DOC_RELEASE_PORT} ", f"127.0.0.1:{release_port} ")
    assert main != DOC_MAIN_CF and master != DOC_MASTER_CF
    return main, master



def missing_prerequisite() -> str:
    """Why the Postfix harness cannot run here, or "" when it can."""
    if os.geteuid() != 0:
        return "needs root (Postfix's master must start as root)"
    if not (os.path.exists(POSTFIX) and os.path.isdir(DAEMON_DIR)):
        return "postfix is not installed"
    try:
        import pwd

        pwd.getpwnam("postfix")
    except KeyError:
        return "no 'postfix' user"
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        return "aiosmtpd is not installed"
    return ""


def _die_with_parent() -> None:
    """preexec_fn: the child gets SIGTERM when the test/demo/bench process dies, even by
    SIGKILL, so a killed run leaves no Postfix or daemon behind (Linux prctl)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


#: Runs argv[1:] and forwards SIGTERM to it; exits with its status.
_REAPER = """
import signal, subprocess, sys
child = subprocess.Popen(sys.argv[1:])
signal.signal(signal.SIGTERM, lambda *_: child.terminate())
sys.exit(child.wait())
"""


def wait_port(port: int, timeout: float = 10.0, host: str = "127.0.0.1") -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return True
        time.sleep(0.05)
    return False


# --------------------------------------------------------------------------- sink
@dataclass(frozen=True)
class Delivered:
    mail_from: str
    rcpts: tuple[str, ...]
    content: bytes

    def header_block(self) -> bytes:
        sep = self.content.find(b"\r\n\r\n")
        return self.content if sep < 0 else self.content[:sep]

    def headers(self, name: str) -> list[str]:
        """Unfolded values of every header called ``name`` (case-insensitive)."""
        import email.parser
        import email.policy

        msg = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(self.content)
        return [" ".join(str(v).split()) for v in msg.get_all(name, [])]


class Sink:
    """An aiosmtpd server on loopback that keeps every message Postfix relays to it."""

    def __init__(self, port: int = 0) -> None:
        from aiosmtpd.controller import Controller

        self.port = port or free_port()
        self.messages: list[Delivered] = []
        self._cond = threading.Condition()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
                content = envelope.content if isinstance(envelope.content, bytes) else envelope.original_content
                with sink._cond:
                    sink.messages.append(Delivered(envelope.mail_from, tuple(envelope.rcpt_tos), content))
                    sink._cond.notify_all()
                return "250 2.0.0 stored"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, ready_timeout=10)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def wait_for(self, predicate, timeout: float = 20.0) -> Delivered | None:  # type: ignore[no-untyped-def]
        """The first stored message for which ``predicate(message)`` is true, waiting up to timeout."""
        end = time.monotonic() + timeout
        with self._cond:
            while True:
                for m in self.messages:
                    if predicate(m):
                        return m
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def count(self) -> int:
        with self._cond:
            return len(self.messages)


# --------------------------------------------------------------------------- postfix
@dataclass
class PrivatePostfix:
    """One Postfix instance under ``base``: smtpd listeners on loopback, relaying to the sink.

    ``listeners`` maps a name to a milter spec ("" = no milter); each gets its own smtpd port,
    so one instance can front several daemons with different configurations.
    """

    base: Path
    sink_port: int
    listeners: dict[str, str] = field(default_factory=lambda: {"default": ""})
    milter_timeout_s: int = 60
    ports: dict[str, int] = field(default_factory=dict)
    #: per-listener ``-o name=value`` overrides (e.g. a short milter_content_timeout)
    options: dict[str, dict[str, str]] = field(default_factory=dict)
    #: lines appended to main.cf (a later definition wins) and to master.cf, e.g. the documented ones
    main_extra: str = ""
    master_extra: str = ""

    @property
    def config_dir(self) -> Path:
        return self.base / "etc"

    @property
    def queue_dir(self) -> Path:
        return self.base / "spool"

    @property
    def log_file(self) -> Path:
        return self.base / "log" / "postfix.log"

    def write_config(self) -> None:
        import pwd

        pw = pwd.getpwnam("postfix")
        for d in (self.config_dir, self.queue_dir, self.base / "data", self.log_file.parent):
            d.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o755)
        os.chown(self.base / "data", pw.pw_uid, pw.pw_gid)
        for name in self.listeners:
            self.ports.setdefault(name, free_port())
        relay = f"smtp:[127.0.0.1]:{self.sink_port}"
        main = {
            "compatibility_level": "3.6",
            "queue_directory": str(self.queue_dir),
            "data_directory": str(self.base / "data"),
            "command_directory": "/usr/sbin",
            "daemon_directory": DAEMON_DIR,
            "meta_directory": "/etc/postfix",
            "shlib_directory": "/usr/lib/postfix",
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "maillog_file_prefixes": f"/var, /dev/stdout, {self.log_file.parent}",
            "maillog_file": str(self.log_file),
            "myhostname": "mta.coinguard.test",
            "mydomain": "coinguard.test",
            "myorigin": "coinguard.test",
            "mydestination": "",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "relayhost": f"[127.0.0.1]:{self.sink_port}",
            "default_transport": relay,
            "relay_transport": relay,
            "smtp_bind_address": "127.0.0.1",
            "smtp_dns_support_level": "disabled",
            "disable_dns_lookups": "yes",
            "smtpd_peername_lookup": "no",
            "smtpd_relay_restrictions": "permit_mynetworks, reject",
            "smtpd_recipient_restrictions": "",
            "smtp_tls_security_level": "none",
            "smtpd_tls_security_level": "none",
            "alias_maps": "",
            "alias_database": "",
            "local_recipient_maps": "",
            "biff": "no",
            "message_size_limit": str(64 * 1024 * 1024),
            "milter_protocol": "6",
            "milter_default_action": "tempfail",
            "milter_command_timeout": "30s",
            "milter_content_timeout": f"{self.milter_timeout_s}s",
            "smtpd_milters": "",
            "non_smtpd_milters": "",
            # retry quickly: tests wait for delivery, never for a backoff
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
            "in_flow_delay": "0",
            "smtp_connection_cache_on_demand": "no",
        }
        for line in self.main_extra.splitlines():  # the extra lines win: no "overriding earlier entry"
            main.pop(line.partition("=")[0].strip(), None)
        (self.config_dir / "main.cf").write_text("".join(f"{k} = {v}\n" for k, v in main.items()) + self.main_extra)
        lines = []
        for name, milter in self.listeners.items():
            opts = f"\n  -o smtpd_milters={milter}" if milter else ""
            opts += "".join(f"\n  -o {k}={v}" for k, v in self.options.get(name, {}).items())
            lines.append(f"127.0.0.1:{self.ports[name]} inet n - n - - smtpd{opts}")
        lines += [
            "pickup    unix  n - n 60 1 pickup",
            "cleanup   unix  n - n - 0 cleanup",
            "qmgr      unix  n - n 300 1 qmgr",
            "rewrite   unix  - - n - - trivial-rewrite",
            "bounce    unix  - - n - 0 bounce",
            "defer     unix  - - n - 0 bounce",
            "trace     unix  - - n - 0 bounce",
            "verify    unix  - - n - 1 verify",
            "flush     unix  n - n 1000? 0 flush",
            "proxymap  unix  - - n - - proxymap",
            "proxywrite unix - - n - 1 proxymap",
            "smtp      unix  - - n - - smtp",
            "relay     unix  - - n - - smtp",
            "showq     unix  n - n - - showq",
            "error     unix  - - n - - error",
            "retry     unix  - - n - - error",
            "discard   unix  - - n - - discard",
            "local     unix  - n n - - local",
            "anvil     unix  - - n - 1 anvil",
            "scache    unix  - - n - 1 scache",
            "postlog   unix-dgram n - n - 1 postlogd",
        ]
        (self.config_dir / "master.cf").write_text("\n".join(lines) + "\n" + self.master_extra)

    def _postfix(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        res = subprocess.run(
            [POSTFIX, "-c", str(self.config_dir), *args], capture_output=True, text=True, timeout=60
        )
        if check and res.returncode != 0:
            raise RuntimeError(f"postfix {' '.join(args)} failed ({res.returncode}): {res.stderr}\n{self.log_tail()}")
        return res

    def start(self) -> None:
        self.write_config()
        self._postfix("check")
        # What "postfix start-fg" runs (master in the foreground), under a tiny reaper that dies
        # with us: the master itself loses the parent-death signal when it changes credentials.
        # So a killed run leaves no Postfix behind; "postfix stop" still works as usual.
        self._master = subprocess.Popen(
            [sys.executable, "-c", _REAPER, f"{DAEMON_DIR}/master", "-c", str(self.config_dir), "-s"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=_die_with_parent,
        )
        for name, port in self.ports.items():
            if not wait_port(port, 15):
                raise RuntimeError(f"postfix listener {name} on {port} did not open:\n{self.log_tail()}")

    def master_pid(self) -> int | None:
        pid_file = self.queue_dir / "pid" / "master.pid"
        try:
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        pid = self.master_pid()
        self._postfix("stop", check=False)
        master = getattr(self, "_master", None)
        if master is not None:
            try:
                master.wait(15)
            except subprocess.TimeoutExpired:
                master.kill()
                master.wait(5)
        end = time.monotonic() + 15
        while pid and time.monotonic() < end:
            try:
                os.kill(pid, 0)
            except OSError:
                return
            time.sleep(0.1)
        if pid:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no postfix log)"

    def queue(self) -> list[dict]:
        """``postqueue -j``: one dict per queued message (queue_name, queue_id, ...)."""
        out = subprocess.run(
            [POSTQUEUE, "-c", str(self.config_dir), "-j"], capture_output=True, text=True, timeout=30
        ).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    def flush(self) -> None:
        subprocess.run([POSTQUEUE, "-c", str(self.config_dir), "-f"], capture_output=True, timeout=30)


# --------------------------------------------------------------------------- smtp client
@dataclass(frozen=True)
class SendResult:
    code: int
    text: str

    @property
    def queue_id(self) -> str:
        # "2.0.0 Ok: queued as 4Xyz..."
        marker = "queued as "
        return self.text.split(marker, 1)[1].split()[0] if marker in self.text else ""


def send(port: int, message: bytes, sender: str = "alice@sender.test",
         rcpts: Sequence[str] = ("bob@rcpt.test",), timeout: float = 120.0) -> SendResult:
    """Send raw bytes over SMTP; returns the reply to the end of DATA (or to MAIL/RCPT if refused)."""
    data = message.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    # no dot-stuffing here: Python 3.11's smtplib.data() stuffs bytes too (_quote_periods)
    with smtplib.SMTP("127.0.0.1", port, local_hostname="client.coinguard.test", timeout=timeout) as s:
        code, text = s.mail(sender)
        if code >= 400:
            return SendResult(code, text.decode(errors="replace"))
        for r in rcpts:
            code, text = s.rcpt(r)
            if code >= 400:
                return SendResult(code, text.decode(errors="replace"))
        try:
            code, text = s.data(data)
        except smtplib.SMTPDataError as exc:  # smtplib raises for any non-250 reply to DATA
            code, text = exc.smtp_code, exc.smtp_error
        return SendResult(code, text.decode(errors="replace") if isinstance(text, bytes) else str(text))


# --------------------------------------------------------------------------- the daemon
@dataclass
class DaemonProcess:
    """``coinguard run -c CONFIG`` as a child process, with its stderr in ``log_path``."""

    config_path: Path
    milter_port: int  # 0 when the daemon listens on ``unix_path``
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    unix_path: Path | None = None

    def _listening(self) -> bool:
        if self.unix_path is None:
            return wait_port(self.milter_port, 0.2)
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(0.5)
            s.connect(str(self.unix_path))
            return True
        time.sleep(0.1)
        return False

    def start(self, timeout: float = 60.0) -> None:
        self.launch()
        self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the process without waiting (start several, then ``wait_ready`` each)."""
        exe = Path(sys.executable).with_name("coinguard")
        cmd = [str(exe), "run", "-c", str(self.config_path)] if exe.exists() else [
            sys.executable, "-m", "coinguard", "run", "-c", str(self.config_path)]
        env = {**os.environ, **self.env}
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT, env=env,
                                     cwd=self.config_path.parent, preexec_fn=_die_with_parent)

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until the milter socket accepts connections (the daemon is serving)."""
        assert self.proc is not None
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                self._log.close()
                raise RuntimeError(f"coinguard exited with {self.proc.returncode}:\n{self.log_text()[-3000:]}")
            if self._listening():
                return
        self.stop()
        raise RuntimeError(f"coinguard did not listen on {self.milter_port}:\n{self.log_text()[-3000:]}")

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def signal(self, sig: int) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, sig)

    def kill(self) -> int:
        """SIGKILL (no drain, what the OOM killer or a crash does); returns the exit status."""
        assert self.proc is not None
        self.proc.kill()
        rc = self.proc.wait(10)
        self._log.close()
        return rc

    def stop(self, timeout: float = 20.0) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self._log.close()
        return self.proc.returncode


def write_daemon_config(path: Path, milter_port: int, metrics_port: int, *, quarantine_backend: str,
                        quarantine_dir: Path, postfix_config_dir: Path | None = None,
                        extra: str = "", milter_extra: str = "", workers: int = 1, scan_timeout_s: float = 30.0,
                        rules_dirs: Sequence[str] = (), socket_spec: str = "",
                        release_method: str = "sendmail") -> None:
    """A TOML config for one daemon under test (sections appended via ``extra`` must not repeat).

    ``socket_spec`` (e.g. ``unix:/path``) replaces the default ``inet:PORT@127.0.0.1``."""
    rules = ", ".join(json.dumps(d) for d in (rules_dirs or [str(REPO / "rules")]))
    # the test Postfix's local submissions pass no milter (its non_smtpd_milters is empty), so its
    # gateways release with sendmail; test_release_loop.py checks the documented smtp listener
    pf = (f'postfix_config_dir = "{postfix_config_dir}"\nrelease_method = "{release_method}"\n'
          if postfix_config_dir else "")
    path.write_text(
        f"""[milter]
socket = "{socket_spec or f'inet:{milter_port}@127.0.0.1'}"
keepalive_s = 1.0
drain_timeout_s = 10.0
pid_file = "{path.parent / 'coinguard.pid'}"
{milter_extra}
[scan]
workers = {workers}
timeout_s = {scan_timeout_s}

[quarantine]
backend = "{quarantine_backend}"
path = "{quarantine_dir}"
{pf}
[metrics]
listen = "127.0.0.1:{metrics_port}"

[rules]
dirs = [{rules}]
cache_dir = "{path.parent / 'cache'}"

[dkim]
# keys from a closed loopback port: a signed test message never sends DNS off this host
nameservers = ["127.0.0.1"]
dns_port = 9
dns_timeout_s = 0.5
# every From domain's DMARC record would cost each message that timeout here (SPF skips loopback
# clients, ARC needs ARC-Seal): brands are decided on DKIM/SPF alignment, as without a record
dmarc = false
{extra}"""
    )


@contextlib.contextmanager
def gateway(listeners: dict[str, str], keep: bool = False,
            options: dict[str, dict[str, str]] | None = None, main_extra: str = "",
            master_extra: str = "") -> Iterator[tuple[Sink, PrivatePostfix]]:
    """A running sink + private Postfix in a fresh folder under /tmp; stopped and removed on exit.

    The folder is world-traversable (0755) because Postfix's daemons run as ``postfix``
    and pytest's own tmp folders are 0700.
    """
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="coinguard-postfix-"))
    os.chmod(base, 0o755)
    sink = Sink()
    sink.start()
    pf = PrivatePostfix(base, sink.port, listeners, options=options or {}, main_extra=main_extra,
                        master_extra=master_extra)
    try:
        pf.start()
        yield sink, pf
    finally:
        pf.stop()
        sink.stop()
        if not keep:
            shutil.rmtree(base, ignore_errors=True)
