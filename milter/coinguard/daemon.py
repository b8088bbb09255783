"""The milter daemon: pymilter callbacks, verdict actions, reload, drain.

The ONLY module that imports ``Milter``.  One :class:`CoinguardMilter` per SMTP
connection (libmilter runs each on its own thread); collaborators arrive through
``Milter.factory = functools.partial(CoinguardMilter, runtime)``.  At end of message
the raw bytes go to the scanner pool (worker processes) and the verdict comes back
here, where the MTA actions, the quarantine write, the metrics and the one log line
per message happen.  Any failure of the scan takes the configured fail mode; a
message never kills the daemon.

Signals: libmilter owns SIGHUP/SIGTERM/SIGINT (SIGHUP *stops* it), so reload is
SIGUSR1, blocked before any thread starts and consumed by a ``sigwait`` thread.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
import logging
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from coinguard.buffer import MessageBuffer
from coinguard.config import Config, load_config
from coinguard.errors import CoinguardError, ScanTimeout
from coinguard.findings import Action, Verdict, VerdictKind
from coinguard.logsetup import kv_line, setup_logging
from coinguard.metrics import Metrics, make_metrics, start_exporter
from coinguard.pool import PoolClosed, ScanPool, WorkerCrashed, prestart
from coinguard.scan import Envelope, unchecked_verdict

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
#: Longest X-Coinguard-Findings list (codes); the rest is summarised as "+N".
MAX_HEADER_CODES = 20
_REPLY_RE = re.compile(r"^\s*([45]\d\d)(?:\s+([45]\.\d{1,3}\.\d{1,3}))?\s*(.*)$", re.S)


class Pool(Protocol):
    def submit(self, raw: bytes | str, envelope: Envelope) -> concurrent.futures.Future[Verdict]: ...
    def close(self, timeout: float | None = None) -> bool: ...


class Store(Protocol):
    def put(self, raw: bytes, verdict: Verdict) -> str: ...


# ---------------------------------------------------------------- shared state
@dataclass(eq=False)
class Generation:
    """One configuration + compiled rules + worker pool.  A reload makes a new one."""

    number: int
    config: Config
    pool: Pool
    rules_count: int = 0
    active: int = 0


def _open_store(cfg: Config) -> Store:
    from coinguard.quarantine import open_store

    return open_store(cfg.quarantine)  # type: ignore[no-any-return]


class Runtime:
    """What every connection shares: the current generation, metrics, quarantine store."""

    def __init__(self, generation: Generation, metrics: Metrics,
                 store_factory: Callable[[Config], Store] = _open_store,
                 reloader: Callable[[int], Generation] | None = None) -> None:
        self.metrics = metrics
        self.store_factory = store_factory
        self.reloader = reloader
        self._gen = generation
        self._cond = threading.Condition()
        self._retiring: list[threading.Thread] = []

    @property
    def generation(self) -> Generation:
        return self._gen

    @property
    def config(self) -> Config:
        return self._gen.config

    @contextlib.contextmanager
    def lease(self) -> Iterator[Generation]:
        """The current generation, kept alive (not drained) until the block ends."""
        with self._cond:
            gen = self._gen
            gen.active += 1
        try:
            yield gen
        finally:
            with self._cond:
                gen.active -= 1
                self._cond.notify_all()

    def inflight(self) -> int:
        with self._cond:
            return self._gen.active + sum(1 for t in self._retiring if t.is_alive())

    def wait_idle(self, gen: Generation, timeout: float) -> bool:
        end = time.monotonic() + timeout
        with self._cond:
            while gen.active > 0:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def swap(self, new: Generation) -> Generation:
        """Make ``new`` current; the old generation drains in the background."""
        with self._cond:
            old, self._gen = self._gen, new
        drain = new.config.milter.drain_timeout_s
        t = threading.Thread(target=self._retire, args=(old, drain), name=f"coinguard-drain-{old.number}",
                             daemon=True)
        self._retiring.append(t)
        t.start()
        return old

    def _retire(self, gen: Generation, timeout: float) -> None:
        idle = self.wait_idle(gen, timeout)
        gen.pool.close(timeout=timeout if idle else 1.0)
        log.info("generation %d retired (drained=%s)", gen.number, idle)

    def reload(self) -> bool:
        """Build a new generation (re-read config, recompile rules); keep the old one on error."""
        if self.reloader is None:
            return False
        old = self._gen
        try:
            new = self.reloader(old.number + 1)
        except Exception as exc:
            self.metrics.rules_reloaded(False)
            _log_load_error(f"reload failed; still serving generation {old.number}", exc)
            return False
        self.swap(new)
        self.metrics.rules_reloaded(True, new.rules_count)
        log.info("reloaded: generation %d, %d rules, config %s", new.number, new.rules_count, new.config.source)
        return True

    def shutdown(self, timeout: float) -> bool:
        """Wait for in-flight messages (up to ``timeout``), then stop every pool."""
        gen = self._gen
        idle = self.wait_idle(gen, timeout)
        gen.pool.close(timeout=max(1.0, timeout) if idle else 1.0)
        for t in self._retiring:
            t.join(timeout)
        return idle


def _log_load_error(prefix: str, exc: Exception) -> None:
    errors = getattr(exc, "errors", None)
    if errors:
        for entry in errors:
            try:
                path, line, message = entry
                log.error("%s: %s:%s: %s", prefix, path, line, message)
            except (TypeError, ValueError):
                log.error("%s: %s", prefix, entry)
    else:
        log.error("%s: %s: %s", prefix, type(exc).__name__, exc)


# ---------------------------------------------------------------- helpers
def parse_reply(reply: str) -> tuple[str, str | None, str]:
    """``"550 5.7.1 text"`` -> ("550", "5.7.1", "text") for setreply; '%' doubled."""
    m = _REPLY_RE.match(reply)
    if not m:
        raise ValueError(f"not an SMTP 4xx/5xx reply: {reply!r}")
    return m.group(1), m.group(2), m.group(3).strip().replace("%", "%%")


def authserv_id(cfg: Config) -> str:
    return cfg.dkim.authserv_id or socket.gethostname()


def _ar_is_ours(value: bytes, server: str) -> bool:
    text = value.decode("utf-8", "replace").strip()
    head = re.split(r"[\s;]", text, maxsplit=1)[0] if text else ""
    return head.lower() == server.lower()


def verdict_header_value(verdict: Verdict, would: Action | None = None) -> str:
    parts = [str(verdict.verdict)]
    if verdict.verdict == VerdictKind.UNCHECKED:
        parts.append(f"reason={verdict.reason or 'error'}")
    else:
        parts.append(f"score={verdict.score:g}")
    if would is not None:
        parts.append(f"dry-run={would}")
    return " ".join(parts)


def findings_header_value(verdict: Verdict) -> str:
    """Codes that scored (informational 0-score codes stay in the log and the verdict JSON)."""
    scored = {f.code for f in verdict.findings if (f.score or 0) > 0}
    codes = [c for c in verdict.codes if c in scored]
    shown = ", ".join(codes[:MAX_HEADER_CODES])
    if len(codes) > MAX_HEADER_CODES:
        shown += f", +{len(codes) - MAX_HEADER_CODES}"
    return shown


def _addr(value: str) -> str:
    """An envelope address for logs, metrics and the verdict: undecodable bytes become U+FFFD."""
    text = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text.strip().strip("<>")


# ---------------------------------------------------------------- the milter
@Milter.header_leading_space
class CoinguardMilter(Milter.Base):
    """One SMTP connection.  Per-message state resets in envfrom and abort."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.client_addr = ""
        self.helo = ""
        self.buf: MessageBuffer | None = None
        self.sender = ""
        self.rcpts: list[str] = []
        self.queue_id = ""

    # -- per-message state ----------------------------------------------------
    def _reset(self) -> None:
        if self.buf is not None:
            self.buf.close()
        self.buf = None
        self.sender = ""
        self.rcpts = []
        self.queue_id = ""

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

    # -- callbacks --------------------------------------------------------------
    def connect(self, hostname: str, family: int, hostaddr: Any) -> int:
        if isinstance(hostaddr, tuple) and hostaddr:
            self.client_addr = str(hostaddr[0])
        elif hostaddr:
            self.client_addr = str(hostaddr)
        return Milter.CONTINUE

    def hello(self, heloname: str) -> int:
        self.helo = heloname
        return Milter.CONTINUE

    def envfrom(self, mailfrom: str, *params: str) -> int:
        self._reset()
        self.sender = _addr(mailfrom)
        self._buffer()
        return Milter.CONTINUE

    def envrcpt(self, to: str, *params: str) -> int:
        self.rcpts.append(_addr(to))
        return Milter.CONTINUE

    def data(self) -> int:
        # Subscribed on purpose: without it Postfix sends the DATA macros unanswered and
        # the next packet waits ~40 ms for a delayed ACK (Nagle; lab pitfall 9).
        self.queue_id = self._macro("i")
        return Milter.CONTINUE

    @Milter.decode("bytes")
    def header(self, name: str, value: bytes) -> int:
        self._buffer().add_header(name, value)
        return Milter.CONTINUE

    def eoh(self) -> int:
        return Milter.CONTINUE

    def body(self, chunk: bytes) -> int:
        self._buffer().add_body(chunk)
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
            with rt.lease() as gen:
                cfg = gen.config
                verdict, failure = self._scan(gen, env, buf, started)
                rc, action, extra = self._apply(cfg, verdict, buf)
                fields.update(extra)
        except Exception as exc:  # the one catch-all per message: never let a message kill us
            cfg = rt.config
            rt.metrics.error("milter")
            log.exception("qid=%s eom failed: %s", self.queue_id, exc)
            verdict = unchecked_verdict(env, "error", cfg, f"{type(exc).__name__}: {exc}")
            failure = "milter"
            rc, action = self._tempfail(cfg), Action.TEMPFAIL
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
            done, _ = concurrent.futures.wait([future], timeout=keepalive)
            if done:
                return future.result()
            if time.monotonic() >= limit:
                future.cancel()
                raise ScanTimeout(f"no verdict within {limit - started:.0f}s (queue wait + scan)")
            self.progress()

    # -- actions ----------------------------------------------------------------
    def _apply(self, cfg: Config, verdict: Verdict, buf: MessageBuffer) -> tuple[int, Action, dict[str, Any]]:
        action = verdict.action
        extra: dict[str, Any] = {}
        would: Action | None = None
        if (verdict.dry_run or cfg.policy.dry_run) and action in (Action.QUARANTINE, Action.REJECT, Action.TEMPFAIL):
            would, action = action, Action.ACCEPT
            extra["dry_run"] = str(would)
        if action == Action.TEMPFAIL:
            return self._tempfail(cfg), action, extra
        if action == Action.REJECT:
            reply = cfg.milter.oversize_reply if verdict.reason == "limit" else cfg.milter.reject_reply
            rcode, xcode, text = parse_reply(reply)
            self.setreply(rcode, xcode, text)
            return Milter.REJECT, action, extra
        if action == Action.QUARANTINE and cfg.quarantine.backend == "dir":
            try:
                qid = self.runtime.store_factory(cfg).put(buf.raw_bytes(), verdict)
            except Exception as exc:
                self.runtime.metrics.error("quarantine")
                log.error("qid=%s quarantine write failed, tempfail: %s: %s", self.queue_id, type(exc).__name__, exc)
                extra["quarantine_error"] = type(exc).__name__
                return self._tempfail(cfg), Action.TEMPFAIL, extra
            self.runtime.metrics.quarantined.inc()
            extra["quarantine"] = f"dir:{qid}"
            return Milter.DISCARD, action, extra
        # delivered (or held): clean up spoofed headers, then label
        removed = self._remove_spoofed(cfg, buf)
        if removed:
            extra["removed_headers"] = removed
        if action != Action.ACCEPT or verdict.verdict != VerdictKind.CLEAN or cfg.policy.tag_clean or would:
            self._add_header(cfg.policy.verdict_header, verdict_header_value(verdict, would))
            findings = findings_header_value(verdict)
            if findings:
                self._add_header(cfg.policy.findings_header, findings)
        for name, value in verdict.headers:  # e.g. Authentication-Results from the DKIM analyzer, on top
            self.addheader(name, self._value(value), 0 if name.lower() == "authentication-results" else -1)
        if action == Action.TAG and str(verdict.verdict) in cfg.policy.subject_tag_verdicts and cfg.policy.subject_tag:
            self._tag_subject(cfg.policy.subject_tag, buf)
        if action == Action.QUARANTINE:  # backend "hold": Postfix keeps it in its hold queue
            self.quarantine(f"coinguard {verdict.verdict} score={verdict.score:g} {','.join(verdict.codes[:5])}")
            self.runtime.metrics.quarantined.inc()
            extra["quarantine"] = "hold"
        return Milter.ACCEPT, action, extra

    def _tempfail(self, cfg: Config) -> int:
        with contextlib.suppress(Exception):  # a bad reply text must not turn a tempfail into a crash
            rcode, xcode, text = parse_reply(cfg.milter.tempfail_reply)
            self.setreply(rcode, xcode, text)
        return Milter.TEMPFAIL

    def _value(self, text: str) -> str:
        # with SMFIP_HDR_LEADSPC Postfix takes the value verbatim: supply the space ourselves
        return " " + text if self._protocol & Milter.P_HDR_LEADSPC else text

    def _add_header(self, name: str, value: str) -> None:
        self.addheader(name, self._value(value), -1)

    def _remove_spoofed(self, cfg: Config, buf: MessageBuffer) -> int:
        """Delete incoming headers that carry our names (highest index first: indices stay valid)."""
        ours = {cfg.policy.verdict_header.lower(), cfg.policy.findings_header.lower()}
        server = authserv_id(cfg)
        counts: dict[str, int] = {}
        doomed: list[tuple[str, int]] = []
        for name, value in buf.headers:
            key = name.lower()
            counts[key] = counts.get(key, 0) + 1
            if key in ours or (key == "authentication-results" and _ar_is_ours(value, server)):
                doomed.append((name, counts[key]))
        for name, idx in sorted(doomed, key=lambda d: -d[1]):
            self.chgheader(name, idx, "")
        return len(doomed)

    def _tag_subject(self, tag: str, buf: MessageBuffer) -> None:
        raw = buf.first_header("Subject")
        if raw is None:
            self._add_header("Subject", tag)
            return
        current = raw.decode("utf-8", "replace")
        if current.strip().startswith(tag):
            return
        self.chgheader("Subject", 1, self._value(f"{tag} {current.lstrip()}"))

    # -- the one log line -----------------------------------------------------------
    def _log(self, verdict: Verdict, action: Action, elapsed: float, failure: str, extra: dict[str, Any]) -> None:
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


# ---------------------------------------------------------------- systemd notify
def sd_notify(state: str) -> bool:
    """Send ``state`` (e.g. "READY=1") to $NOTIFY_SOCKET; False when not under systemd."""
    addr = os.environ.get("NOTIFY_SOCKET", "")
    if not addr:
        return False
    if addr[0] == "@":
        addr = "\0" + addr[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as s:
            s.connect(addr)
            s.sendall(state.encode())
        return True
    except OSError as exc:
        log.warning("sd_notify(%s) failed: %s", state.split("=", 1)[0], exc)
        return False


def watchdog_interval() -> float | None:
    """Half of $WATCHDOG_USEC in seconds when the watchdog is meant for this process."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    pid = os.environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) <= 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 2_000_000


def _start_thread(target: Callable[[], None], name: str) -> threading.Thread:
    t = threading.Thread(target=target, name=name, daemon=True)
    t.start()
    return t


# ---------------------------------------------------------------- startup
def compile_in_child(cfg: Config) -> tuple[str, int]:
    """Compile and save the rules in a short-lived child process; (compiled path, rule count).

    A failed compile raises RulesError here with every broken file, as in-process.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from coinguard.rules import compile_to_cache

    os.makedirs(cfg.rules.cache_dir, exist_ok=True)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("forkserver")) as ex:
        path, count, _digest = ex.submit(compile_to_cache, tuple(cfg.rules.dirs), cfg.rules.cache_dir).result()
    return path, count


def build_generation(cfg: Config, number: int, metrics: Metrics) -> Generation:
    """Compile the rules (once, in a child), save them precompiled, start and warm a worker pool."""
    path, count = compile_in_child(cfg)
    pool = ScanPool(cfg, rules_path=path, on_restart=metrics.worker_restart)
    try:
        pool.warm_up()
    except Exception:
        pool.close(timeout=1.0)
        raise
    log.info("generation %d: %d rules from %s, %d workers", number, count, ", ".join(cfg.rules.dirs),
             pool.workers)
    return Generation(number=number, config=cfg, pool=pool, rules_count=count)


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


def _write_pid(path: str) -> None:
    if not path:
        return
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        f.write(f"{os.getpid()}\n")
    os.replace(tmp, path)


def _load_for_reload(source: str) -> Config:
    return Config() if source in ("", "<defaults>") else load_config(source)


def run(cfg: Config) -> int:
    """``coinguard run``: serve until SIGTERM/SIGINT, then drain and exit 0."""
    # First, before any thread or worker exists.  Reload (SIGUSR1) arrives via sigwait.
    # SIGTERM/SIGINT/SIGHUP belong to libmilter's signal thread (it blocks them only in
    # the threads it creates), so block them in every thread we start as well: otherwise
    # the kernel may hand SIGTERM to e.g. the metrics thread and kill us without a drain.
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
    _write_pid(cfg.milter.pid_file)

    def reload_loop() -> None:
        while True:
            signal.sigwait({signal.SIGUSR1})
            log.info("SIGUSR1: reloading configuration and rules")
            sd_notify("RELOADING=1")
            runtime.reload()
            sd_notify("READY=1")

    _start_thread(reload_loop, "coinguard-reload")
    interval = watchdog_interval()
    if interval:
        def watchdog() -> None:
            while True:
                sd_notify("WATCHDOG=1")
                time.sleep(interval)

        _start_thread(watchdog, "coinguard-watchdog")
    sd_notify("READY=1")
    log.info("listening on %s", cfg.milter.socket)
    try:
        milter.main()  # returns once libmilter's signal thread sees SIGTERM/SIGINT/SIGHUP
    except milter.error as exc:
        log.error("libmilter stopped: %s", exc)
        raise CoinguardError(f"milter main loop failed: {exc}") from exc
    finally:
        sd_notify("STOPPING=1")
        log.info("stopping: draining %d in-flight message(s), up to %gs", runtime.inflight(),
                 runtime.config.milter.drain_timeout_s)
        drained = runtime.shutdown(runtime.config.milter.drain_timeout_s)
        if cfg.milter.pid_file:
            with contextlib.suppress(OSError):
                os.unlink(cfg.milter.pid_file)
        log.info("stopped (drained=%s)", drained)
    return 0
