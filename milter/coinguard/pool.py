"""The scanner pool: ``scan_message`` in worker processes, with a hard per-message timeout.

Built on pebble's :class:`~pebble.ProcessPool`:

- workers come from a ``forkserver`` context (never a plain fork of a process whose
  libmilter threads may hold locks), preloaded with the scan pipeline;
- ``timeout_s`` per message: pebble kills the stuck worker and starts a new one;
- ``max_tasks = recycle_after`` bounds a worker's memory by replacing it;
- the initializer loads the configuration and the *precompiled* YARA rules once per
  worker (``rules.load_compiled``); compiling happens once, in the daemon;
- messages above the spool threshold arrive as a temporary file path, never pickled; the verdict comes
  back as plain values (:func:`pack_verdict`), not as pickled dataclasses;
- each worker gets its own empty temp folder (``TMPDIR``), and the folders of workers that
  died are emptied when a worker starts; external tools run through ``coinguard.subproc``
  (own process group, killed as a group past their time limit or with the worker).

:meth:`ScanPool.submit` returns a :class:`concurrent.futures.Future` resolving to the
:class:`~coinguard.findings.Verdict`, or failing with :class:`~coinguard.errors.ScanTimeout`,
:class:`WorkerCrashed`, or whatever the scan raised.  Worker replacements are counted in
``worker_restarts_total{reason}`` (timeout, crash, recycle, rebuild); a pool that breaks
or wedges is rebuilt (``pool_rebuilds_total{reason}``), see :class:`ScanPool`;
:meth:`ScanPool.canary` proves the workers can scan (the systemd watchdog depends on it).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import logging
import multiprocessing
import multiprocessing.util
import operator
import os
import signal
import threading
import time
import types
from collections.abc import Callable
from typing import Any

from coinguard.config import Config
from coinguard.errors import CoinguardError, ScanTimeout
from coinguard.findings import Action, AttachmentInfo, Finding, Verdict, VerdictKind

log = logging.getLogger(__name__)

ScanFunction = Callable[[Any, Any], Verdict]

#: Modules the fork server imports once, so each new worker starts warm; the last one runs a warm-up
#: scan there (:func:`warm_fork_server`).  Besides the scan: what a worker imports on its way to its
#: first task (pebble's worker loop and asyncio under it, the channel's semaphores, the compiled rules'
#: loader, what multiprocessing's start-up in the child uses), ~16 of ~90 ms CPU per worker start
#: (``coinguard.pool_warm.PRELOADED`` lists what the workers inherit; a test checks it).
PRELOAD = ["coinguard.scan", "coinguard.rules", "pebble.pool.process", "multiprocessing.synchronize",
           "multiprocessing.popen_forkserver", "pkgutil", "coinguard.pool", "coinguard.pool_warm"]


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
    bound_heap()
    _private_tmpdir()
    _guard_tools(config)
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


#: Allocations from this size on get their own mapping, returned to the system when freed (glibc).  1 MiB, not
#: glibc's initial 128 KiB: each block in between (a 137 KB message's bytes, its decoded attachment, a 366 KB
#: campaign copy and its parts) would be a fresh mapping whose every page faults in, zeroed, and is unmapped
#: again at the end of the message: 41 faults per 100 KB-attachment message, 179-269 per cached 366 KB invoice
#: copy, user+sys 3.31 -> 2.33 and 3.02 -> 2.49 ms per message (medians of 5 alternating runs).  Messages of
#: 128 KiB and more come as a file (``milter.spool_threshold_bytes``) and their large blocks still go back.
MMAP_THRESHOLD = 1024 * 1024


def bound_heap() -> bool:
    """Pin glibc's mmap threshold in this process; False where there is no ``mallopt`` (not glibc).

    glibc raises its threshold to the size of each large block freed (up to 32 MiB), after which
    blocks of that size come from the heap, whose freed memory stays with the process while anything
    above it is alive.  A worker that parsed one big message (many ~64 KiB runs of its text) then
    keeps that memory and its next large block comes on top: 472 instead of 384 MiB peak for a 64 MiB
    attachment (bench/bench_memory.py).  A fixed threshold (setting it turns the adjustment off) gives
    every large block back on free.
    """
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    m_mmap_threshold = -3  # malloc.h
    return bool(mallopt(m_mmap_threshold, MMAP_THRESHOLD))


#: glibc malloc arenas the daemon may create (``M_ARENA_MAX``); its default is 8 per core.
DAEMON_ARENAS = 2


def cap_arenas(arenas: int = DAEMON_ARENAS) -> bool:
    """Cap glibc's malloc arenas in this process; False where there is no ``mallopt`` (not glibc).

    libmilter serves every SMTP connection on a thread of its own, and glibc gives threads arenas
    of their own that keep the memory freed in them: over a 20,000-message soak
    (``bench/bench_soak.py --mode soak --heap-probe``) the daemon's Python objects stayed flat while
    its per-thread arenas grew 4.7 -> 7.2 MiB (RSS +5 %); with two arenas they stayed at 2.5 MiB at
    the same CPU.  The same as ``MALLOC_ARENA_MAX=2``, set before the daemon starts any thread.
    """
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    m_arena_max = -8  # malloc.h
    return bool(mallopt(m_arena_max, arenas))


def _open_cache(config: Config, rules_path: str | None) -> None:
    """The worker's verdict cache; its generation (rules file + analysis config) changes on reload."""
    try:
        from coinguard.cache import open_cache, rules_generation

        _W["cache"] = open_cache(config.cache, generation=rules_generation(rules_path, config))
    except Exception as exc:  # a cache that cannot even be set up: scan without it
        log.warning("verdict cache disabled: %s: %s", type(exc).__name__, exc)


#: Under the temp folder the daemon was started with: one ``w<pid>`` folder per worker.
WORKER_TMP = "coinguard-workers"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _private_tmpdir(base: str | None = None) -> str:
    """Give this worker its own empty temp folder (TMPDIR, ``tempfile``), and empty the folders
    of workers that are gone: a worker killed mid-extraction leaves its temp copies behind."""
    import shutil
    import tempfile

    from coinguard import subproc

    base = base or os.path.join(tempfile.gettempdir(), WORKER_TMP)
    os.makedirs(base, mode=0o700, exist_ok=True)
    mine = f"w{os.getpid()}"
    for name in os.listdir(base):
        if name == mine or (name[:1] == "w" and name[1:].isdigit() and not _pid_alive(int(name[1:]))):
            subproc.kill_orphans(os.path.join(base, name))  # what its tools started outlived them
            shutil.rmtree(os.path.join(base, name), ignore_errors=True)
    path = os.path.join(base, mine)
    os.mkdir(path, 0o700)
    os.environ["TMPDIR"] = path  # external tools write their temporary files here too
    tempfile.tempdir = path
    subproc.track_tools(path)  # a marker per running tool, for kill_orphans after this worker dies
    # an orderly exit (recycle, pool shutdown: pebble runs multiprocessing's exit function) removes it
    multiprocessing.util.Finalize(None, shutil.rmtree, args=(path,), kwargs={"ignore_errors": True},
                                  exitpriority=1)
    return path


def _guard_tools(config: Config) -> None:
    """External tools: the scan timeout as their default limit; rarfile's programs guarded too."""
    from coinguard import subproc

    subproc.set_default_timeout(config.scan.timeout_s)
    try:
        subproc.guard_rarfile()
    except ImportError:  # pragma: no cover - rarfile is a dependency
        pass


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


#: A crypto lure of the kinds the gateway meets (an exchange's hold on a withdrawal, a wallet to verify, a
#: deadline, coins to send): the fork server scans it once, so the lure path's tables (the extortion
#: vocabularies' gate, the brand and lure look-ups behind the crypto-theme gate) are built there and not at
#: each new worker's first lure (~30 ms CPU, the invoice campaign's first copy on a worker 62 -> 30 ms).
_WARM_LURE = ("Dear customer, your Binance wallet withdrawal of 0.42 BTC is on hold. Verify your seed phrase at "
              "https://binance-verify.coinguard.invalid/login within 24 hours or your account will be suspended. "
              "I know your secret: send $950 in Bitcoin to my wallet, you have 48 hours.\n")


def _warm_lure_message() -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "Binance Security <security@coinguard.invalid>"
    msg["To"] = "warm@coinguard.invalid"
    msg["Subject"] = "Action required: your withdrawal is on hold"
    msg.set_content(_WARM_LURE)
    msg.add_alternative(f"<p>{_WARM_LURE}</p>", subtype="html")
    return msg.as_bytes()


def _warm(config: Config) -> None:
    """Scan a tiny message once, so lazy imports (oletools, ...) happen before real mail."""
    try:
        from coinguard import scan

        scan.scan_message(_warm_message(), scan.ScanContext(config=config, rules=_W.get("rules")))
    except Exception as exc:  # a warm-up problem must never stop the worker
        log.warning("scanner warm-up failed: %s: %s", type(exc).__name__, exc)


def warm_fork_server() -> bool:
    """The warm-up scan, once, in the fork server (``coinguard.pool_warm``).

    What it imports and the tables it builds without regard to the configuration (public suffix list,
    look-alike fold table, the packaged lure and brand lists, compiled patterns, the verdict cache's code
    version) are then in every worker forked from it, instead of being built again by each new or recycled
    worker (one worker start: ~195 -> ~110 ms CPU, bench/bench_handoff.py ``--recycle-after``).  The worker's
    own warm-up (its configuration, its compiled rules) still runs, and is then cheap.  No rules, no verdict
    cache, DNS only to the closed loopback port 9, no DMARC: nothing leaves the host.  It must leave no
    thread behind (a fork copies no thread, but may copy a lock one held): one left is logged and counts as
    a failed warm-up.  False when it failed; the workers then warm up by themselves as before."""
    import threading

    try:
        from coinguard import cache, scan
        from coinguard.config import DkimConfig
        from coinguard.report import indicators

        cfg = Config(dkim=DkimConfig(nameservers=("127.0.0.1",), dns_port=9, dns_timeout_s=0.2, dmarc=False))
        # indicators=True: the report's indicator walk too (what a worker's first quarantine runs), and its own
        # public suffix list (coinguard.report.indicators, apart from coinguard.domains': ~40 ms CPU per worker
        # start, built at a worker's first quarantined message with a URL otherwise)
        for raw in (_warm_message(), _warm_lure_message()):
            scan.scan_message(raw, scan.ScanContext(config=cfg, indicators=True))
        indicators.registrable_domain("warm.coinguard.invalid")
        cache.code_version()  # hashes the package's files: the code the workers inherit from here
    except Exception as exc:  # the fork server must start whatever happens here
        log.warning("fork server warm-up failed: %s: %s", type(exc).__name__, exc)
        return False
    if threading.active_count() > 1:
        log.warning("fork server warm-up left %d thread(s) running", threading.active_count() - 1)
        return False
    return True


# ---------------------------------------------------------------- the verdict on its way back
_VERDICT_FIELDS = tuple(f.name for f in dataclasses.fields(Verdict))
_FINDING_FIELDS = tuple(f.name for f in dataclasses.fields(Finding))
_ATTACHMENT_FIELDS = tuple(f.name for f in dataclasses.fields(AttachmentInfo))
_ENUMS = {"verdict": VerdictKind, "action": Action}
#: every field of each at once (one C call each, not a getattr per field)
_VERDICT_VALUES = operator.attrgetter(*_VERDICT_FIELDS)
_FINDING_VALUES = operator.attrgetter(*_FINDING_FIELDS)
_ATTACHMENT_VALUES = operator.attrgetter(*_ATTACHMENT_FIELDS)
_AT = {name: i for i, name in enumerate(_VERDICT_FIELDS)}

#: What a worker sends back for a verdict: its field values in field order, its findings and attachments
#: as tuples of theirs, the two enums as their strings.
PackedVerdict = tuple[Any, ...]


def pack_verdict(v: Verdict) -> PackedVerdict:
    """``v`` as plain values for the trip back to the daemon (:func:`unpack_verdict` rebuilds it).

    Pickling the frozen dataclasses themselves goes through ``dataclasses``' per-field state functions and an
    enum call per member, on both sides: a clean text verdict with four findings took ~10 µs to pickle in the
    worker and ~10 µs to unpickle in the daemon, ~3.5 and ~5 µs packed (713 -> 571 bytes).
    """
    out = list(_VERDICT_VALUES(v))
    out[_AT["findings"]] = tuple(map(_FINDING_VALUES, v.findings))
    out[_AT["attachments"]] = tuple(map(_ATTACHMENT_VALUES, v.attachments))
    for name in _ENUMS:
        out[_AT[name]] = str(out[_AT[name]])
    return tuple(out)


def _setters(cls: type, names: tuple[str, ...]) -> tuple[Callable[[Any, Any], None], ...]:
    """Per field of ``cls``, what sets it on an instance past a frozen dataclass's ``__setattr__``: its slot's
    own setter (a slotted class), else ``object.__setattr__`` by name."""
    def by_name(name: str) -> Callable[[Any, Any], None]:
        return lambda obj, value: object.__setattr__(obj, name, value)

    return tuple(slot.__set__ if isinstance(slot := cls.__dict__.get(name), types.MemberDescriptorType)
                 else by_name(name) for name in names)


_VERDICT_SET = _setters(Verdict, _VERDICT_FIELDS)
_FINDING_SET = _setters(Finding, _FINDING_FIELDS)
_ATTACHMENT_SET = _setters(AttachmentInfo, _ATTACHMENT_FIELDS)


def _rebuilt(cls: type, setters: tuple[Callable[[Any, Any], None], ...], values: tuple[Any, ...]) -> Any:
    # the values come from an instance that was built and checked (a Finding's detail sanitized) in the
    # worker: set them as they are, without running __init__/__post_init__ again
    obj: Any = object.__new__(cls)
    for set_value, value in zip(setters, values, strict=True):
        set_value(obj, value)
    return obj


def unpack_verdict(packed: PackedVerdict) -> Verdict:
    """The :class:`Verdict` that :func:`pack_verdict` packed (equal to it, field by field).

    Fields read at once (``attrgetter``) and set through their slots' own setters: a quarantined invoice copy's
    verdict (13 findings, its indicators) packs in 2.1 instead of 9 µs and unpacks in 12 instead of 17 µs."""
    values = list(packed)
    if len(values) != len(_VERDICT_FIELDS):
        raise ValueError(f"a packed verdict of {len(values)} values, not {len(_VERDICT_FIELDS)}")
    values[_AT["findings"]] = tuple(_rebuilt(Finding, _FINDING_SET, x) for x in values[_AT["findings"]])
    values[_AT["attachments"]] = tuple(_rebuilt(AttachmentInfo, _ATTACHMENT_SET, x)
                                       for x in values[_AT["attachments"]])
    for name, enum in _ENUMS.items():
        values[_AT[name]] = enum(values[_AT[name]])
    verdict: Verdict = _rebuilt(Verdict, _VERDICT_SET, tuple(values))
    return verdict


def _worker_ping() -> tuple[int, str]:
    return os.getpid(), _W.get("init_error", "uninitialised")


def _worker_scan(raw: bytes | str, envelope: Any) -> tuple[PackedVerdict, bool]:
    """Run one scan; returns (the packed verdict, this worker retires after this task)."""
    _W["tasks"] += 1
    retiring = bool(_W["max_tasks"]) and _W["tasks"] >= _W["max_tasks"]
    if _W["init_error"]:
        raise RuntimeError(_W["init_error"])
    from coinguard import scan

    fn = _W["scan_fn"] or scan.scan_message  # looked up per call (tests may patch the module)
    # the watchdog's canary runs every handler for real: a replay from the cache would prove less
    cache = None if getattr(envelope, "queue_id", "") == "canary" else _W["cache"]
    ctx = scan.ScanContext(config=_W["config"], rules=_W["rules"], envelope=envelope, cache=cache)
    return pack_verdict(fn(raw, ctx)), retiring


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


#: A message whose pool broke under it (not its own worker dying) is scheduled again once.
MAX_RETRIES = 1
#: How often the supervisor looks at the pool.
SUPERVISE_EVERY_S = 0.25
#: Beyond the scan timeout, how long queued work may wait with nothing finishing before
#: the pool counts as wedged (a replaced worker has to start and load the rules first).
STALL_GRACE_S = 30.0


class _Job:
    """One message on its way through the pool (possibly through more than one pebble pool)."""

    __slots__ = ("attempts", "done", "envelope", "epoch", "out", "raw")

    def __init__(self, raw: bytes | str, envelope: Any) -> None:
        self.raw = raw
        self.envelope = envelope
        self.out: concurrent.futures.Future[Verdict] = concurrent.futures.Future()
        self.attempts = 0
        #: the pebble pool (generation of the rebuild counter) it was scheduled on; None while moving
        self.epoch: int | None = None
        self.done = False


class ScanPool:
    """One generation of worker processes sharing one config and one compiled rule set.

    The pool heals itself:

    - a worker that dies while scanning (SIGKILL, OOM killer, crash) fails that message
      with :class:`WorkerCrashed` (the fail mode; it is not retried: the message most
      likely killed it) and pebble starts a replacement;
    - a worker that dies while *idle* puts pebble's pool in its error state ("All workers
      expired": it cannot tell whose task died); a supervisor thread sees that
      (``ProcessPool.active`` turns false, or ``schedule`` refuses) and **rebuilds** the
      pebble pool: new workers, new channels; the messages the broken pool dropped are
      scheduled again once on the new one (they never ran: nothing to blame them for);
    - a pool that makes no progress (work queued, nothing finishing for longer than the
      scan timeout + ``stall_grace_s``: e.g. a worker killed while holding the channel
      lock, which also stops pebble's own timeouts) is rebuilt the same way.

    Replacements are counted through ``on_restart(reason)`` (timeout, crash, recycle,
    rebuild) and ``on_rebuild(reason)`` (broken, stalled).
    """

    def __init__(
        self,
        config: Config,
        *,
        rules_path: str | None = None,
        on_restart: Callable[[str], None] | None = None,
        on_rebuild: Callable[[str], None] | None = None,
        scan_fn: ScanFunction | None = None,
        workers: int | None = None,
        context: str = "forkserver",
        stall_grace_s: float = STALL_GRACE_S,
    ) -> None:
        self.config = config
        self.rules_path = rules_path
        self.workers = workers or config.scan.worker_count()
        self._on_restart = on_restart or (lambda reason: None)
        self._on_rebuild = on_rebuild or (lambda reason: None)
        self._scan_fn = scan_fn
        self._ctx = multiprocessing.get_context(context)
        if context == "forkserver":
            self._ctx.set_forkserver_preload(PRELOAD)
        self.stall_after_s = config.scan.timeout_s + stall_grace_s
        self._lock = threading.Lock()
        self._closed = False
        self._jobs: set[_Job] = set()
        self._epoch = 0
        self._pool = self._new_pebble()
        self._progress = time.monotonic()
        #: monotonic time of the last scan that returned a verdict (canary or real)
        self.last_success = 0.0
        self.rebuilds = 0
        self._canary: concurrent.futures.Future[Verdict] | None = None
        self._retiring: list[threading.Thread] = []
        self._stop = threading.Event()
        self._supervisor = threading.Thread(target=self._supervise, name="coinguard-pool-supervisor", daemon=True)
        self._supervisor.start()

    def _new_pebble(self) -> Any:
        import pebble

        return pebble.ProcessPool(
            max_workers=self.workers,
            max_tasks=self.config.scan.recycle_after,
            initializer=_worker_init,
            initargs=(self.config, self.rules_path, self._scan_fn, self.config.scan.recycle_after),
            context=self._ctx,
        )

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._jobs)

    def worker_pids(self) -> list[int]:
        """PIDs of the current workers (from pebble's worker manager; [] if that ever changes)."""
        manager = getattr(getattr(self._pool, "_pool_manager", None), "worker_manager", None)
        workers = getattr(manager, "workers", None) or {}
        return sorted(pid for pid in tuple(workers) if isinstance(pid, int))

    def warm_up(self, timeout: float = 60.0) -> None:
        """Start every worker now and check that it initialised (compiled rules loaded)."""
        futures = [self._pool.schedule(_worker_ping) for _ in range(self.workers)]
        for f in futures:
            _pid, error = f.result(timeout=timeout)
            if error:
                raise CoinguardError(f"scanner worker failed to start: {error}")

    # -- submitting -------------------------------------------------------------------
    def submit(self, raw: bytes | str, envelope: Any) -> concurrent.futures.Future[Verdict]:
        job = _Job(raw, envelope)
        with self._lock:
            if self._closed:
                raise PoolClosed("scanner pool is closed")
            if not self._jobs:
                self._progress = time.monotonic()
            self._jobs.add(job)
        self._dispatch(job)
        return job.out

    def _dispatch(self, job: _Job) -> None:
        """Schedule ``job`` on the current pebble pool; a pool that refuses is rebuilt once."""
        for _ in range(2):
            with self._lock:
                if self._closed:
                    break
                pool, epoch = self._pool, self._epoch
                try:
                    inner = pool.schedule(_worker_scan, args=(job.raw, job.envelope),
                                          timeout=self.config.scan.timeout_s)
                except RuntimeError:  # pebble: "Unexpected error within the Pool" / not active
                    inner = None
                else:
                    job.epoch = epoch
            if inner is not None:
                inner.add_done_callback(functools.partial(self._finish, job, epoch))
                return
            self._rebuild(epoch, "broken")
        self._resolve(job, exc=PoolClosed("scanner pool is closed") if self._closed
                      else WorkerCrashed("scanner pool refused the message after a rebuild"))

    def _claim(self, job: _Job, epoch: int) -> bool:
        """Take ``job`` out of pebble pool ``epoch`` (once: a late callback finds it gone)."""
        with self._lock:
            if job.done or job.epoch != epoch:
                return False
            job.epoch = None
            return True

    def _resolve(self, job: _Job, result: Verdict | None = None, exc: BaseException | None = None) -> None:
        with self._lock:
            if job.done:
                return
            job.done = True
            self._jobs.discard(job)
            self._progress = time.monotonic()
            if exc is None:
                self.last_success = self._progress
        if job.out.cancelled():  # the milter gave up waiting
            return
        if exc is None:
            job.out.set_result(result)  # type: ignore[arg-type]
        else:
            job.out.set_exception(exc)

    def _retry_or_fail(self, job: _Job, why: str) -> None:
        if job.attempts < MAX_RETRIES and not self._closed:
            job.attempts += 1
            log.warning("scanner pool %s under a queued message; scanning it again on the rebuilt pool", why)
            self._dispatch(job)
        else:
            self._resolve(job, exc=WorkerCrashed(f"scanner pool {why} (message already retried)"))

    def _finish(self, job: _Job, epoch: int, inner: concurrent.futures.Future[tuple[PackedVerdict, bool]]) -> None:
        import pebble

        if not self._claim(job, epoch):
            return
        if inner.cancelled():
            self._resolve(job, exc=PoolClosed("scan cancelled"))
            return
        exc = inner.exception()
        if exc is None:
            packed, retiring = inner.result()
            if retiring:
                self._on_restart("recycle")
            try:
                verdict = unpack_verdict(packed)
            except Exception as exc:  # a bug, never an unanswered message: its fail mode
                self._resolve(job, exc=WorkerCrashed(f"unreadable verdict: {type(exc).__name__}: {exc}"))
                return
            self._resolve(job, verdict)
        elif isinstance(exc, concurrent.futures.TimeoutError):
            self._on_restart("timeout")
            self._resolve(job, exc=ScanTimeout(f"scan exceeded scan.timeout_s={self.config.scan.timeout_s:g}s; "
                                               "worker killed and replaced"))
        elif isinstance(exc, pebble.ProcessExpired):
            self._on_restart("crash")
            self._resolve(job, exc=WorkerCrashed(f"scanner worker died (exit code {exc.exitcode})"))
        elif isinstance(exc, concurrent.futures.BrokenExecutor):
            # pebble dropped every task of a broken pool (e.g. an idle worker was killed)
            self._rebuild(epoch, "broken")
            self._retry_or_fail(job, "broke")
        else:
            self._resolve(job, exc=exc)

    # -- healing ----------------------------------------------------------------------
    def _supervise(self) -> None:
        while not self._stop.wait(SUPERVISE_EVERY_S):
            with self._lock:
                pool, epoch = self._pool, self._epoch
                stalled = (time.monotonic() - self._progress > self.stall_after_s
                           and any(j.epoch == epoch for j in self._jobs))
            try:
                broken = not pool.active
            except Exception:  # pebble's status check itself failing is a broken pool too
                broken = True
            if self._closed:
                return
            if broken:
                self._rebuild(epoch, "broken")
            elif stalled:
                self._rebuild(epoch, "stalled")

    def _rebuild(self, epoch: int, reason: str) -> None:
        """Replace pebble pool ``epoch`` (no-op when it was already replaced, or we are closing)."""
        with self._lock:
            if self._closed or epoch != self._epoch:
                return
            old = self._pool
            self._pool = self._new_pebble()
            self._epoch += 1
            self.rebuilds += 1
            self._progress = time.monotonic()
        log.error("scanner pool %s (%s); rebuilt with %d new worker(s)", reason,
                  "pebble: all workers expired" if reason == "broken" else
                  f"nothing finished for {self.stall_after_s:g}s", self.workers)
        self._on_rebuild(reason)
        for _ in range(self.workers):
            self._on_restart("rebuild")
        t = threading.Thread(target=self._retire, args=(old, epoch, reason), name="coinguard-pool-retire",
                             daemon=True)
        self._retiring = [r for r in self._retiring if r.is_alive()] + [t]
        t.start()

    def _retire(self, old: Any, epoch: int, reason: str) -> None:
        """Move the messages a replaced pebble pool will never answer, then stop it.

        Moving comes first: stopping may hang for good (pebble waits for a SIGKILLed worker
        stuck in the kernel), and those messages must not wait for it.  A result the old
        pool still delivers is ignored (the message was claimed away from it)."""
        with self._lock:
            orphans = [j for j in self._jobs if j.epoch == epoch]
        for job in orphans:
            if self._claim(job, epoch):
                self._retry_or_fail(job, "stalled" if reason == "stalled" else "broke")
        try:
            old.stop()
            old.join()
        except Exception as exc:  # its workers are gone or going; nothing else to do
            log.warning("stopping the replaced scanner pool: %s: %s", type(exc).__name__, exc)

    # -- health -------------------------------------------------------------------------
    def canary(self, timeout: float) -> bool:
        """Scan a tiny built-in message through the real workers; True when a verdict came back.

        A canary still queued from an earlier check is waited for instead of queueing another
        (a stuck pool collects one canary, not one per check)."""
        from coinguard.scan import Envelope

        with self._lock:
            pending = self._canary
        try:
            if pending is None or pending.done():
                pending = self.submit(_canary_message(), Envelope(id="canary", queue_id="canary"))
                with self._lock:
                    self._canary = pending
            verdict = pending.result(timeout)
        except Exception as exc:
            log.warning("canary scan failed: %s: %s", type(exc).__name__, exc or "no verdict in time")
            return False
        if str(verdict.verdict) == "unchecked":
            log.warning("canary scan came back unchecked: %s", verdict.reason)
        return True

    def healthy(self, timeout: float, fresh_s: float) -> bool:
        """A scan succeeded within ``fresh_s`` seconds, or a canary scan succeeds within ``timeout``."""
        if self.last_success and time.monotonic() - self.last_success < fresh_s:
            return True
        return self.canary(timeout)

    # -- closing ------------------------------------------------------------------------
    def close(self, timeout: float | None = None) -> bool:
        """Stop taking work, let queued scans finish (up to ``timeout``), stop the workers.

        Returns True when everything finished in time; otherwise the workers are killed.
        """
        with self._lock:
            self._closed = True
            pool = self._pool
        self._stop.set()
        pool.close()
        done = threading.Event()

        def join() -> None:
            pool.join()
            done.set()

        threading.Thread(target=join, name="coinguard-pool-join", daemon=True).start()
        drained = done.wait(timeout)
        if not drained:
            log.warning("scanner pool did not drain within %ss; stopping workers", timeout)
            pool.stop()
            pool.join()
        for t in self._retiring:
            t.join(10)
        with self._lock:
            left = list(self._jobs)
        for job in left:  # e.g. moved off a broken pool while we were closing
            self._resolve(job, exc=PoolClosed("scanner pool closed"))
        return drained


@functools.lru_cache(maxsize=1)
def _canary_message() -> bytes:
    return _warm_message().replace(b"warm-up", b"canary")
