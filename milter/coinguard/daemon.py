"""The milter daemon: pymilter callbacks, the listening socket, the main loop.

The ONLY module that imports ``Milter``.  One :class:`CoinguardMilter` per SMTP
connection (libmilter runs each on its own thread); collaborators arrive through
``Milter.factory = functools.partial(CoinguardMilter, runtime)``.  At end of message
the raw bytes go to the scanner pool (worker processes) and the verdict comes back
here; ``coinguard.actions`` turns it into MTA operations (this class implements its
``Mta`` protocol), then the metrics and the one log line per message happen.  Any
failure of the scan takes the configured fail mode; a message never kills the daemon.
Generations, reload and drain live in ``coinguard.runtime``; sd_notify, the watchdog
and the pid file in ``coinguard.systemd``.

Signals: libmilter owns SIGHUP/SIGTERM/SIGINT (SIGHUP *stops* it), so reload is
SIGUSR1, blocked before any thread starts and consumed by a ``sigwait`` thread.
"""
from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import logging
import os
import signal
import socket
import threading
import time
from typing import Any

from coinguard import actions
from coinguard.actions import Reply
from coinguard.buffer import MessageBuffer
from coinguard.config import Config, load_config
from coinguard.errors import CoinguardError, ScanTimeout
from coinguard.findings import Action, Verdict
from coinguard.logsetup import kv_line, setup_logging
from coinguard.metrics import make_metrics, start_exporter
from coinguard.pool import PoolClosed, WorkerCrashed, cap_arenas, prestart
from coinguard.runtime import Generation, Runtime, build_generation
from coinguard.scan import Envelope, unchecked_verdict
from coinguard.systemd import remove_pid, sd_notify, start_watchdog, watchdog_period, write_pid

log = logging.getLogger(__name__)


def check_milter_extension() -> str:
    """Fail clearly when ``milter`` is not pymilter's C extension (e.g. a namespace
    package made from the repo's ``milter/`` source folder shadows it)."""
    import importlib.machinery

    import milter as ext

    path = getattr(ext, "__file__", None) or ""
    if not path.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
        raise ImportError(
            f"'milter' resolves to {path or list(getattr(ext, '__path__', []))!r}, not pymilter's C extension; "
            "install pymilter (needs libmilter-dev) and never add milter/__init__.py"
        )
    return path


check_milter_extension()

import Milter  # noqa: E402  (after the extension check, so a shadowed extension fails clearly)
import milter  # noqa: E402

#: Signals that stop libmilter (it sigwaits on them); SIGHUP too, unlike most daemons.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


# ---------------------------------------------------------------- helpers
def _addr(value: str) -> str:
    """An envelope address for logs, metrics and the verdict: undecodable bytes become U+FFFD."""
    text = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text.strip().strip("<>")


# ---------------------------------------------------------------- the milter
@Milter.header_leading_space
class CoinguardMilter(Milter.Base):
    """One SMTP connection.  Per-message state resets in envfrom and abort.

    Every callback before end of message only collects, and always continues: each is ``@noreply``
    (SMFIP_NR_*), so the MTA sends the envelope, the headers and the body without waiting for an
    answer to each (Postfix batches the headers into one write), and ``eoh``/``unknown`` are not
    subscribed at all (SMFIP_NOEOH/NOUNKNOWN).  A callback that fails can then no longer tempfail on
    the spot (libmilter turns any reply into none): it records what went wrong in ``failed``, and the
    message is tempfailed at end of message, never scanned short of what the MTA sent.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.client_addr = ""
        self.helo = ""
        self.buf: MessageBuffer | None = None
        self.sender = ""
        self.rcpts: list[str] = []
        self.queue_id = ""
        #: why this message cannot be scanned as the MTA sent it (a collecting callback failed)
        self.failed = ""

    # -- per-message state ----------------------------------------------------
    def _reset(self) -> None:
        if self.buf is not None:
            self.buf.close()
        self.buf = None
        self.sender = ""
        self.rcpts = []
        self.queue_id = ""
        self.failed = ""

    def _collect_failed(self, stage: str, exc: BaseException) -> None:
        if not self.failed:
            self.failed = f"{stage}: {type(exc).__name__}: {exc}"
            log.error("qid=%s collecting the message failed in %s, it will be tempfailed: %s",
                      self.queue_id or "-", stage, self.failed)

    def _buffer(self) -> MessageBuffer:
        if self.buf is None:  # MTA skipped MAIL (cannot happen with Postfix) - be safe
            self.buf = MessageBuffer(self.runtime.config.milter.spool_threshold_bytes)
            self.buf.leading_space = bool(self._protocol & Milter.P_HDR_LEADSPC)
        return self.buf

    def _macro(self, name: str) -> str:
        try:
            value = self.getsymval(name)
        except Exception:
            return ""
        return value or ""

    # -- callbacks (no reply: see the class docstring) ---------------------------------
    @Milter.noreply
    def connect(self, hostname: str, family: int, hostaddr: Any) -> int:
        if isinstance(hostaddr, tuple) and hostaddr:
            self.client_addr = str(hostaddr[0])
        elif hostaddr:
            self.client_addr = str(hostaddr)
        return Milter.CONTINUE

    @Milter.noreply
    def hello(self, heloname: str) -> int:
        self.helo = heloname
        return Milter.CONTINUE

    @Milter.noreply
    def envfrom(self, mailfrom: str, *params: str) -> int:
        self._reset()
        try:
            self.sender = _addr(mailfrom)
            self._buffer()
        except Exception as exc:
            self._collect_failed("envfrom", exc)
        return Milter.CONTINUE

    @Milter.noreply
    def envrcpt(self, to: str, *params: str) -> int:
        try:
            self.rcpts.append(_addr(to))
        except Exception as exc:
            self._collect_failed("envrcpt", exc)
        return Milter.CONTINUE

    @Milter.noreply
    def data(self) -> int:
        self.queue_id = self._macro("i")
        return Milter.CONTINUE

    @Milter.noreply
    @Milter.decode("bytes")
    def header(self, name: str, value: bytes) -> int:
        try:
            self._buffer().add_header(name, value)
        except Exception as exc:
            self._collect_failed("header", exc)
        return Milter.CONTINUE

    @Milter.noreply
    def body(self, chunk: bytes) -> int:
        try:
            self._buffer().add_body(chunk)
        except Exception as exc:  # e.g. the spool file's disk is full
            self._collect_failed("body", exc)
        return Milter.CONTINUE

    def abort(self) -> int:
        self._reset()
        return Milter.CONTINUE

    def close(self) -> int:
        self._reset()
        return Milter.CONTINUE

    # -- end of message -----------------------------------------------------------
    def eom(self) -> int:
        started = time.monotonic()
        rt = self.runtime
        buf = self._buffer()
        self.queue_id = self.queue_id or self._macro("i")
        env = Envelope(id=self.queue_id, queue_id=self.queue_id, sender=self.sender, rcpts=tuple(self.rcpts),
                       client_addr=self.client_addr, helo=self.helo)
        rt.metrics.inflight.inc()
        fields: dict[str, Any] = {}
        try:
            if self.failed:  # the buffer is not the message the MTA sent: never scan (or pass) it
                raise CoinguardError(f"the message was not received whole ({self.failed})")
            with rt.lease() as gen:
                cfg = gen.config
                verdict, failure = self._scan(gen, env, buf, started)
                done = actions.apply(verdict, cfg, buf, self, functools.partial(rt.store, gen), rt.metrics,
                                     self.queue_id)
                rc, action = done.rc, done.action
                fields.update(done.fields)
        except Exception as exc:  # the one catch-all per message: never let a message kill us
            cfg = rt.config
            rt.metrics.error("milter")
            log.exception("qid=%s eom failed: %s", self.queue_id, exc)
            verdict = unchecked_verdict(env, "error", cfg, f"{type(exc).__name__}: {exc}")
            failure = "milter"
            rc, action = actions.tempfail(self, cfg), Action.TEMPFAIL
        finally:
            rt.metrics.inflight.dec()
        elapsed = time.monotonic() - started
        rt.metrics.observe(verdict, action=str(action), size=buf.size, seconds=elapsed)
        self._log(verdict, action, elapsed, failure, fields)
        self._reset()
        return rc

    def _scan(self, gen: Generation, env: Envelope, buf: MessageBuffer,
              started: float) -> tuple[Verdict, str]:
        """The verdict, or the fail-mode verdict and the failing stage."""
        cfg = gen.config
        metrics = self.runtime.metrics
        try:
            future = gen.pool.submit(buf.payload(), env)
            return self._wait(future, cfg, started), ""
        except ScanTimeout as exc:
            reason, stage, detail = "timeout", "timeout", str(exc)
        except (WorkerCrashed, PoolClosed, concurrent.futures.BrokenExecutor) as exc:
            reason, stage, detail = "error", "worker", f"{type(exc).__name__}: {exc}"
        except Exception as exc:
            reason, stage, detail = "error", "scan", f"{type(exc).__name__}: {exc}"
        metrics.error(stage)
        log.error("qid=%s scan failed (stage=%s): %s; fail_mode=%s", env.queue_id, stage, detail,
                  cfg.milter.fail_mode)
        return unchecked_verdict(env, reason, cfg, detail), stage

    def _wait(self, future: concurrent.futures.Future[Verdict], cfg: Config, started: float) -> Verdict:
        """Wait for the scan, telling the MTA we are alive every ``keepalive_s``."""
        keepalive = max(0.05, cfg.milter.keepalive_s)
        limit = started + max(float(cfg.milter.timeout_s), cfg.scan.timeout_s + 5.0)
        while True:
            try:  # the future's own condition: no waiter object per wait (concurrent.futures.wait makes one)
                return future.result(timeout=keepalive)
            except TimeoutError:
                if future.done():  # the scan itself raised a TimeoutError (e.g. a socket's): its error
                    raise
            if time.monotonic() >= limit:
                future.cancel()
                raise ScanTimeout(f"no verdict within {limit - started:.0f}s (queue wait + scan)")
            self.progress()

    # -- actions.Mta: what the action layer may tell the MTA ---------------------------
    def _value(self, text: str) -> str:
        # with SMFIP_HDR_LEADSPC Postfix takes the value verbatim: supply the space ourselves
        return " " + text if self._protocol & Milter.P_HDR_LEADSPC else text

    def add_header(self, name: str, value: str, index: int = -1) -> None:
        self.addheader(name, self._value(value), index)

    def change_header(self, name: str, index: int, value: str) -> None:
        self.chgheader(name, index, self._value(value))

    def delete_header(self, name: str, index: int) -> None:
        self.chgheader(name, index, "")

    def quarantine_hold(self, reason: str) -> None:
        self.quarantine(reason)

    def replace_body(self, body: bytes) -> None:
        # needs SMFIF_CHGBODY: Milter.Base.negotiate keeps every action the MTA offers (Postfix offers all)
        self.replacebody(body)

    def accept(self) -> int:
        return Milter.ACCEPT

    def discard(self) -> int:
        return Milter.DISCARD

    def reject(self, reply: Reply) -> int:
        self.setreply(reply.code, reply.xcode, reply.text)
        return Milter.REJECT

    def tempfail(self, reply: Reply | None) -> int:
        if reply is not None:
            with contextlib.suppress(Exception):  # a bad reply text must not turn a tempfail into a crash
                self.setreply(reply.code, reply.xcode, reply.text)
        return Milter.TEMPFAIL

    # -- the one log line -----------------------------------------------------------
    def _log(self, verdict: Verdict, action: Action, elapsed: float, failure: str, extra: dict[str, Any]) -> None:
        if not log.isEnabledFor(logging.INFO):  # e.g. level = "warning": not even the line is built
            return
        fields: dict[str, Any] = {
            "qid": self.queue_id or "-",
            "from": self.sender or "<>",
            "rcpts": len(self.rcpts),
            "verdict": str(verdict.verdict),
            "action": str(action),
            "score": f"{verdict.score:g}",
            "codes": ",".join(verdict.codes) or "-",
            "ms": int(elapsed * 1000),
        }
        if verdict.reason:
            fields["reason"] = verdict.reason
        if failure:
            fields["failed"] = failure
        fields.update(extra)
        log.info("%s", kv_line(fields), extra={"fields": fields})


# ---------------------------------------------------------------- startup
def _register(name: str) -> None:
    """What ``Milter.runmilter`` does before opening the socket (pymilter 1.0.5)."""
    milter.set_connect_callback(Milter.connect_callback)
    milter.set_helo_callback(lambda ctx, host: ctx.getpriv().hello(host))
    milter.set_envfrom_callback(lambda ctx, *b: ctx.getpriv().envfrom_bytes(*b))
    milter.set_envrcpt_callback(lambda ctx, *b: ctx.getpriv().envrcpt_bytes(*b))
    milter.set_header_callback(lambda ctx, f, v: ctx.getpriv().header_bytes(f, v))
    milter.set_eoh_callback(lambda ctx: ctx.getpriv().eoh())
    milter.set_body_callback(lambda ctx, chunk: ctx.getpriv().body(chunk))
    milter.set_eom_callback(lambda ctx: ctx.getpriv().eom())
    milter.set_abort_callback(lambda ctx: ctx.getpriv().abort())
    milter.set_close_callback(Milter.close_callback)
    milter.register(
        name,
        data=lambda ctx: ctx.getpriv().data(),
        unknown=lambda ctx, cmd: ctx.getpriv().unknown(cmd),
        negotiate=Milter.negotiate_callback,
    )


def _unix_path(spec: str) -> str | None:
    kind, _, rest = spec.partition(":")
    return rest if kind in ("unix", "local") else None


def _open_socket(cfg: Config) -> None:
    """Open the listening socket; a unix socket gets ``socket_mode`` (Postfix's smtpd runs
    as ``postfix`` and must be able to connect: lab pitfall 8)."""
    path = _unix_path(cfg.milter.socket)
    mode = int(cfg.milter.socket_mode, 8)
    old = os.umask(0o777 & ~mode) if path else None
    try:
        milter.opensocket(True)
    finally:
        if old is not None:
            os.umask(old)
    if path and os.path.exists(path):
        os.chmod(path, mode)


def set_listener_nodelay(port: int) -> bool:
    """Set TCP_NODELAY on libmilter's listening socket (found by its port in /proc/self/fd).

    Linux copies the option to every accepted connection, so libmilter's replies are not
    held back by Nagle: otherwise each eom that adds a header waits ~40 ms for Postfix's
    delayed ACK (lab pitfall 9).  libmilter gives us no handle on the socket, hence the search.
    """
    found = False
    for name in os.listdir("/proc/self/fd"):
        try:
            fd = os.dup(int(name))
        except (OSError, ValueError):
            continue
        try:
            s = socket.socket(fileno=fd)
        except OSError:
            os.close(fd)
            continue
        with s:
            try:
                if (s.family in (socket.AF_INET, socket.AF_INET6) and s.type == socket.SOCK_STREAM
                        and s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
                        and s.getsockname()[1] == port):
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    found = True
            except OSError:
                continue
    return found


def _inet_port(spec: str) -> int | None:
    kind, _, rest = spec.partition(":")
    if kind not in ("inet", "inet6"):
        return None
    port = rest.split("@", 1)[0]
    return int(port) if port.isdigit() else None


def _load_for_reload(source: str) -> Config:
    return Config() if source in ("", "<defaults>") else load_config(source)


#: A canary scan may wait this long beyond ``scan.timeout_s`` (queued behind a stuck scan,
#: then a replaced worker starting).
CANARY_GRACE_S = 15.0


def canary_timeout(period: float, scan_timeout_s: float) -> float:
    """How long one watchdog health check may wait for its canary scan: enough to queue behind a
    scan that times out, and short enough that a passing check still pings within the period."""
    return min(scan_timeout_s + CANARY_GRACE_S, period * 0.6)


def start_scanner_watchdog(runtime: Runtime, period: float | None = None,
                           stop: threading.Event | None = None) -> threading.Thread | None:
    """Ping systemd's watchdog only while the current generation's pool can scan (until ``stop``)."""
    period = period or watchdog_period()
    if not period:
        return None
    need = runtime.config.scan.timeout_s + CANARY_GRACE_S
    if need > period * 0.6:
        log.warning("WatchdogSec=%gs is short for scan.timeout_s=%gs: a canary queued behind a stuck scan may "
                    "miss the watchdog; use WatchdogSec >= %.0fs", period, runtime.config.scan.timeout_s,
                    need / 0.6)

    def check() -> bool:
        return runtime.healthy(canary_timeout(period, runtime.config.scan.timeout_s), fresh_s=period / 3)

    return start_watchdog(check, period, stop)


def run(cfg: Config) -> int:
    """``coinguard run``: serve until SIGTERM/SIGINT, then drain and exit 0."""
    # First, before any thread or worker exists.  Reload (SIGUSR1) arrives via sigwait.
    # SIGTERM/SIGINT/SIGHUP belong to libmilter's signal thread (it blocks them only in
    # the threads it creates), so block them in every thread we start as well: otherwise
    # the kernel may hand SIGTERM to e.g. the metrics thread and kill us without a drain.
    cap_arenas()  # before libmilter's connection threads: their own malloc arenas keep freed memory
    prestart()  # multiprocessing helpers first: starting them later would unblock SIGTERM
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1, *STOP_SIGNALS})
    setup_logging(cfg.logging)
    log.info("coinguard starting: config %s, socket %s, pymilter extension %s", cfg.source, cfg.milter.socket,
             check_milter_extension())
    from prometheus_client import REGISTRY

    metrics = make_metrics(REGISTRY)
    gen = build_generation(cfg, 1, metrics)
    metrics.rules_reloaded(True, gen.rules_count)

    def reloader(number: int) -> Generation:
        new_cfg = _load_for_reload(cfg.source)
        for key in ("socket", "name"):
            if getattr(new_cfg.milter, key) != getattr(cfg.milter, key):
                log.warning("reload: milter.%s changed; takes effect only after a restart", key)
        if new_cfg.metrics.listen != cfg.metrics.listen:
            log.warning("reload: metrics.listen changed; takes effect only after a restart")
        new = build_generation(new_cfg, number, metrics)
        setup_logging(new_cfg.logging)
        return new

    runtime = Runtime(gen, metrics, reloader=reloader)
    start_exporter(metrics, cfg.metrics.listen)

    Milter.factory = functools.partial(CoinguardMilter, runtime)
    _register(cfg.milter.name)
    milter.setconn(cfg.milter.socket)
    if cfg.milter.timeout_s > 0:
        milter.settimeout(cfg.milter.timeout_s)
    _open_socket(cfg)
    port = _inet_port(cfg.milter.socket)
    if port is not None and not set_listener_nodelay(port):
        log.warning("could not set TCP_NODELAY on the milter socket; replies may stall ~40 ms (Nagle)")
    write_pid(cfg.milter.pid_file)

    def reload_loop() -> None:
        while True:
            signal.sigwait({signal.SIGUSR1})
            log.info("SIGUSR1: reloading configuration and rules")
            sd_notify("RELOADING=1")
            runtime.reload()
            sd_notify("READY=1")

    threading.Thread(target=reload_loop, name="coinguard-reload", daemon=True).start()
    watchdog_stop = threading.Event()
    start_scanner_watchdog(runtime, stop=watchdog_stop)
    sd_notify("READY=1")
    log.info("listening on %s", cfg.milter.socket)
    try:
        milter.main()  # returns once libmilter's signal thread sees SIGTERM/SIGINT/SIGHUP
    except milter.error as exc:
        log.error("libmilter stopped: %s", exc)
        raise CoinguardError(f"milter main loop failed: {exc}") from exc
    finally:
        watchdog_stop.set()  # systemd stops watching once we say STOPPING
        sd_notify("STOPPING=1")
        log.info("stopping: draining %d in-flight message(s), up to %gs", runtime.inflight(),
                 runtime.config.milter.drain_timeout_s)
        drained = runtime.shutdown(runtime.config.milter.drain_timeout_s)
        remove_pid(cfg.milter.pid_file)
        log.info("stopped (drained=%s)", drained)
    return 0
