"""The scanner pool: ``scan_message`` in worker processes, with a hard per-message timeout.

Built on pebble's :class:`~pebble.ProcessPool`:

- workers come from a ``forkserver`` context (never a plain fork of a process whose
  libmilter threads may hold locks), preloaded with the scan pipeline;
- ``timeout_s`` per message: pebble kills the stuck worker and starts a new one;
- ``max_tasks = recycle_after`` bounds a worker's memory by replacing it;
- the initializer loads the configuration and the *precompiled* YARA rules once per
  worker (``rules.load_compiled``); compiling happens once, in the daemon;
- messages above the spool threshold arrive as a temporary file path, never pickled.

:meth:`ScanPool.submit` returns a :class:`concurrent.futures.Future` resolving to the
:class:`~coinguard.findings.Verdict`, or failing with :class:`~coinguard.errors.ScanTimeout`,
:class:`WorkerCrashed`, or whatever the scan raised.  Worker replacements are counted in
``worker_restarts_total{reason}`` (timeout, crash, recycle).
"""

from __future__ import annotations

import concurrent.futures
import logging
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from typing import Any

from coinguard.config import Config
from coinguard.errors import CoinguardError, ScanTimeout
from coinguard.findings import Verdict

log = logging.getLogger(__name__)

ScanFunction = Callable[[Any, Any], Verdict]

#: Modules the fork server imports once, so each new worker starts warm.
PRELOAD = ["coinguard.scan", "coinguard.pool"]


class WorkerCrashed(CoinguardError):
    """A worker process died while scanning (signal, out of memory, hard crash)."""


class PoolClosed(CoinguardError):
    """The pool no longer takes work (shutdown or replaced by a reload)."""


# ---------------------------------------------------------------- worker side (one per process)
_W: dict[str, Any] = {}


def _worker_init(config: Config, rules_path: str | None, scan_fn: ScanFunction | None, max_tasks: int) -> None:
    # The daemon blocks these before starting us (libmilter owns them there); a worker must
    # die on pebble's SIGTERM, and ignores Ctrl-C so that a foreground drain can finish.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _W.clear()
    _W.update(config=config, rules=None, scan_fn=scan_fn, max_tasks=max_tasks, tasks=0, init_error="", cache=None)
    if rules_path:
        try:
            from coinguard.rules import load_compiled

            _W["rules"] = load_compiled(rules_path)
        except Exception as exc:  # reported with every task: never scan silently without rules
            _W["init_error"] = f"loading compiled rules {rules_path}: {type(exc).__name__}: {exc}"
            return
    _open_cache(config, rules_path)
    if scan_fn is None:
        _warm(config)


def _open_cache(config: Config, rules_path: str | None) -> None:
    """The worker's verdict cache; its generation (rules file + analysis config) changes on reload."""
    try:
        from coinguard.cache import open_cache, rules_generation

        _W["cache"] = open_cache(config.cache, generation=rules_generation(rules_path, config))
    except Exception as exc:  # a cache that cannot even be set up: scan without it
        log.warning("verdict cache disabled: %s: %s", type(exc).__name__, exc)


def _warm_message() -> bytes:
    import io
    import zipfile
    from email.message import EmailMessage

    blob = io.BytesIO()
    with zipfile.ZipFile(blob, "w") as z:
        z.writestr("readme.txt", "warm-up\n")
    msg = EmailMessage()
    msg["From"] = "warm-up <warm@coinguard.invalid>"
    msg["To"] = "warm@coinguard.invalid"
    msg["Subject"] = "warm-up"
    msg.set_content("warm-up\n")
    msg.add_alternative("<p>warm-up</p>", subtype="html")
    msg.add_attachment(blob.getvalue(), maintype="application", subtype="zip", filename="warm.zip")
    return msg.as_bytes()


def _warm(config: Config) -> None:
    """Scan a tiny message once, so lazy imports (oletools, ...) happen before real mail."""
    try:
        from coinguard import scan

        scan.scan_message(_warm_message(), scan.ScanContext(config=config, rules=_W["rules"]))
    except Exception as exc:  # a warm-up problem must never stop the worker
        log.warning("scanner warm-up failed: %s: %s", type(exc).__name__, exc)


def _worker_ping() -> tuple[int, str]:
    return os.getpid(), _W.get("init_error", "uninitialised")


def _worker_scan(raw: bytes | str, envelope: Any) -> tuple[Verdict, bool]:
    """Run one scan; returns (verdict, this worker retires after this task)."""
    _W["tasks"] += 1
    retiring = bool(_W["max_tasks"]) and _W["tasks"] >= _W["max_tasks"]
    if _W["init_error"]:
        raise RuntimeError(_W["init_error"])
    from coinguard import scan

    fn = _W["scan_fn"] or scan.scan_message  # looked up per call (tests may patch the module)
    ctx = scan.ScanContext(config=_W["config"], rules=_W["rules"], envelope=envelope, cache=_W["cache"])
    return fn(raw, ctx), retiring


# ---------------------------------------------------------------- daemon side
def prestart(context: str = "forkserver") -> None:
    """Start multiprocessing's helper processes now, while the daemon has one thread.

    Call before blocking signals: the resource tracker's launcher *unblocks* SIGINT and
    SIGTERM in the calling thread when it starts, which would undo the daemon's mask and
    leak into every thread created later.  The fork server also starts clean this way.
    """
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()
    if context == "forkserver":
        from multiprocessing import forkserver

        multiprocessing.get_context("forkserver").set_forkserver_preload(PRELOAD)
        forkserver.ensure_running()


class ScanPool:
    """One generation of worker processes sharing one config and one compiled rule set."""

    def __init__(
        self,
        config: Config,
        *,
        rules_path: str | None = None,
        on_restart: Callable[[str], None] | None = None,
        scan_fn: ScanFunction | None = None,
        workers: int | None = None,
        context: str = "forkserver",
    ) -> None:
        import pebble

        self.config = config
        self.rules_path = rules_path
        self.workers = workers or config.scan.worker_count()
        self._on_restart = on_restart or (lambda reason: None)
        ctx = multiprocessing.get_context(context)
        if context == "forkserver":
            ctx.set_forkserver_preload(PRELOAD)
        self._pool = pebble.ProcessPool(
            max_workers=self.workers,
            max_tasks=config.scan.recycle_after,
            initializer=_worker_init,
            initargs=(config, rules_path, scan_fn, config.scan.recycle_after),
            context=ctx,
        )
        self._lock = threading.Lock()
        self._closed = False
        self.pending = 0

    def warm_up(self, timeout: float = 60.0) -> None:
        """Start every worker now and check that it initialised (compiled rules loaded)."""
        futures = [self._pool.schedule(_worker_ping) for _ in range(self.workers)]
        for f in futures:
            _pid, error = f.result(timeout=timeout)
            if error:
                raise CoinguardError(f"scanner worker failed to start: {error}")

    def submit(self, raw: bytes | str, envelope: Any) -> concurrent.futures.Future[Verdict]:
        out: concurrent.futures.Future[Verdict] = concurrent.futures.Future()
        with self._lock:
            if self._closed:
                raise PoolClosed("scanner pool is closed")
            self.pending += 1
            try:
                inner = self._pool.schedule(_worker_scan, args=(raw, envelope), timeout=self.config.scan.timeout_s)
            except Exception:
                self.pending -= 1
                raise
        inner.add_done_callback(lambda f: self._finish(f, out))
        return out

    def _finish(self, inner: concurrent.futures.Future[tuple[Verdict, bool]],
                out: concurrent.futures.Future[Verdict]) -> None:
        import pebble

        with self._lock:
            self.pending -= 1
        if inner.cancelled():
            out.set_exception(PoolClosed("scan cancelled"))
            return
        exc = inner.exception()
        if exc is None:
            verdict, retiring = inner.result()
            if retiring:
                self._on_restart("recycle")
            out.set_result(verdict)
        elif isinstance(exc, concurrent.futures.TimeoutError):
            self._on_restart("timeout")
            out.set_exception(ScanTimeout(f"scan exceeded scan.timeout_s={self.config.scan.timeout_s:g}s; "
                                          "worker killed and replaced"))
        elif isinstance(exc, pebble.ProcessExpired):
            self._on_restart("crash")
            out.set_exception(WorkerCrashed(f"scanner worker died (exit code {exc.exitcode})"))
        else:
            out.set_exception(exc)

    def close(self, timeout: float | None = None) -> bool:
        """Stop taking work, let queued scans finish (up to ``timeout``), stop the workers.

        Returns True when everything finished in time; otherwise the workers are killed.
        """
        with self._lock:
            self._closed = True
        self._pool.close()
        done = threading.Event()

        def join() -> None:
            self._pool.join()
            done.set()

        threading.Thread(target=join, name="coinguard-pool-join", daemon=True).start()
        if done.wait(timeout):
            return True
        log.warning("scanner pool did not drain within %ss; stopping workers", timeout)
        self._pool.stop()
        self._pool.join()
        return False
