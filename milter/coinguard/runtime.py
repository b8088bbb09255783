"""What every milter connection shares: the current generation, reload, drain.

A :class:`Generation` is one configuration + compiled rules + worker pool (+ the
quarantine store it opened).  A reload (SIGUSR1) builds a new one and swaps it in;
messages already scanning keep the generation they leased, and the old one drains
(then closes its pool and store) in the background.  A reload that fails to build
(bad config, rules that do not compile, unknown quarantine back end) keeps serving the
old generation.  Nothing here imports libmilter.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from coinguard.actions import QuarantineSink
from coinguard.config import Config
from coinguard.findings import Verdict
from coinguard.metrics import Metrics
from coinguard.pool import ScanPool
from coinguard.scan import Envelope

log = logging.getLogger(__name__)


class Pool(Protocol):
    def submit(self, raw: bytes | str, envelope: Envelope) -> concurrent.futures.Future[Verdict]: ...
    def close(self, timeout: float | None = None) -> bool: ...
    def healthy(self, timeout: float, fresh_s: float) -> bool: ...


@dataclass(eq=False)
class Generation:
    """One configuration + compiled rules + worker pool.  A reload makes a new one."""

    number: int
    config: Config
    pool: Pool
    rules_count: int = 0
    active: int = 0
    #: the quarantine store for ``config``; opened by build_generation, else on first use
    store: QuarantineSink | None = None


def open_quarantine(cfg: Config) -> QuarantineSink:
    """The quarantine store ``[quarantine] backend`` names (the one dispatch is ``open_store``)."""
    from coinguard.quarantine import store_for

    return store_for(cfg)


class Runtime:
    """What every connection shares: the current generation, metrics, quarantine store."""

    def __init__(self, generation: Generation, metrics: Metrics,
                 store_factory: Callable[[Config], QuarantineSink] = open_quarantine,
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

    def store(self, gen: Generation) -> QuarantineSink:
        """``gen``'s quarantine store, opened once per generation (raises if it cannot be opened)."""
        with self._cond:
            if gen.store is None:
                gen.store = self.store_factory(gen.config)
            return gen.store

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

    def _close(self, gen: Generation, idle: bool, timeout: float) -> None:
        gen.pool.close(timeout=timeout if idle else 1.0)
        if gen.store is not None:
            try:
                gen.store.close()
            except Exception as exc:  # a store that fails to close must not stop the drain
                log.warning("generation %d: closing the quarantine store failed: %s", gen.number, exc)

    def _retire(self, gen: Generation, timeout: float) -> None:
        idle = self.wait_idle(gen, timeout)
        self._close(gen, idle, timeout)
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
            log_load_error(f"reload failed; still serving generation {old.number}", exc)
            return False
        self.swap(new)
        self.metrics.rules_reloaded(True, new.rules_count)
        log.info("reloaded: generation %d, %d rules, config %s", new.number, new.rules_count, new.config.source)
        return True

    def healthy(self, timeout: float, fresh_s: float) -> bool:
        """Can the current generation scan?  A scan succeeded within ``fresh_s`` seconds, or a
        canary message is scanned within ``timeout``.  Counted in ``canary_total{result}``."""
        try:
            ok = self._gen.pool.healthy(timeout, fresh_s)
        except Exception as exc:  # a health check must answer, never raise
            log.warning("scanner health check failed: %s: %s", type(exc).__name__, exc)
            ok = False
        self.metrics.canary_result(ok)
        return ok

    def shutdown(self, timeout: float) -> bool:
        """Wait for in-flight messages (up to ``timeout``), then stop every pool."""
        gen = self._gen
        idle = self.wait_idle(gen, timeout)
        self._close(gen, idle, max(1.0, timeout))
        for t in self._retiring:
            t.join(timeout)
        return idle


def log_load_error(prefix: str, exc: Exception) -> None:
    """Log a failed (re)load, one line per broken rules file when the error lists them."""
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
    """Open the quarantine store, compile the rules (once, in a child), start and warm a worker pool."""
    metrics.tools_checked()  # coinguard_optional_tool_missing{tool}: at start-up and on every reload
    store = open_quarantine(cfg)  # an unknown back end fails here: at start-up, or a reload that keeps the old
    try:
        path, count = compile_in_child(cfg)
        pool = ScanPool(cfg, rules_path=path, on_restart=metrics.worker_restart, on_rebuild=metrics.pool_rebuilt)
        try:
            pool.warm_up()
        except Exception:
            pool.close(timeout=1.0)
            raise
    except Exception:
        store.close()
        raise
    log.info("generation %d: %d rules from %s, %d workers", number, count, ", ".join(cfg.rules.dirs),
             pool.workers)
    return Generation(number=number, config=cfg, pool=pool, rules_count=count, store=store)
