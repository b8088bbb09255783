"""Verdict cache: what a handler found in an item, remembered by content, so the 1,000 copies
of one campaign's attachment are analysed once.

``scan_message`` runs every :class:`~coinguard.handlers.Handler` on an item through
:func:`run_item` (one batched lookup per item); ``cached_run(cache, handler, item, ctx, run)``
wraps one ``run`` (``scan._run_handler``: ``applies_to`` then ``handle``) and
looks the item up, replays the cached output on a hit (findings marked ``cached``, child
items re-entering the scan queue as if just extracted) and stores a complete, clean run
on a miss.  Back ends behind one :class:`VerdictCache` interface:

* :class:`LruCache` (``[cache] backend = "memory"``, the default): in-process, bounded in
  entries and bytes, thread-safe.  Each worker process has its own.
* :class:`RedisCache` (``backend = "redis"``, ``url = "redis://…"``): shared by every
  worker and every MX host; Valkey works the same.  Entries expire after ``ttl_s``; the
  server's ``maxmemory`` + ``maxmemory-policy allkeys-lru`` caps the total size.

**A cache failure is a miss, never an error**: connection refused, a timeout (short socket
timeouts, 100 ms by default), a corrupt entry -- the handler simply runs, the failure is
counted (``result="error"``) and, for Redis, the server is left alone for a few seconds
before the next try, so a dead Redis costs one timeout per few seconds, not one per item.

**Key** = (rule generation, handler name, analyzer version, sha256 of the item bytes,
digest of the item context the handler can see).  The generation changes when the rules
or the configuration change (:func:`generation_for`), so a reload invalidates everything:
``invalidate(new_generation)`` switches the key prefix (Redis entries of the old generation
just expire).  The analyzer version is the coinguard version plus a hash of the whole
installed package (:func:`code_version`: a handler also runs helper modules), so hosts
running different code never share entries.  The context is what
a handler may read besides the bytes -- by default the item's path, name, type, declared
type, role, source, depth and meta, plus the message's password candidates; a handler can
narrow it with a class attribute ``cache_inputs`` (names from :data:`ITEM_INPUTS`) or opt
out with ``cacheable = False``.

**Passwords** are not in the key: they are harvested lazily (:class:`coinguard.passwords.Candidates`),
only when something encrypted asks for them, and most runs never do.  A run that read them
stores their digest in its entry, and a hit whose digest differs from this message's candidates
is run again (and stored anew).  A run that replaced ``ctx.passwords`` (the message unpacker adds
a nested message's candidates) is not stored: a replay could not repeat that.

**Only complete results are stored**: not when the handler raised (budget, bug), not when
any finding says the work was cut short or failed (``scan.*``, ``container.limit.*``,
``*.timeout``, ``*.error``, ``*.parse_error``, ``*.skipped``...), not when less than
:data:`STORE_MIN_SECONDS_LEFT` (5 s) of the message's time budget remained (some analyzers
skip optional checks when time runs short), not when a child item cannot be rebuilt exactly,
and not when the entry would exceed ``max_entry_bytes``.  So a cached answer never says
"clean" for something that was not fully read.

Serialised compactly: ``[FORMAT, records, password digest or null]``, records as JSON lists
(``["f", code, analyzer, path, detail, score, strength]``: the strength an analyzer judged for this
instance, "" when the catalogue decides; ``["i", name, type, role, source, declared_type,
meta, base64 data]``), Zstandard-compressed past 512 bytes (kind ``s``; ``z``, zlib, is still read).
Note that a shared cache holds extracted
content of scanned mail (macro source, decrypted documents): protect Redis like the quarantine.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import contextlib
import dataclasses
import email.errors
import email.parser
import email.policy
import functools
import hashlib
import itertools
import json
import logging
import os
import re
import threading
import time
import zlib
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any, Protocol

import zstandard

from coinguard import __version__, mime, passwords
from coinguard.config import CacheConfig, Config
from coinguard.findings import Finding, Item, incomplete_by_name
from coinguard.handlers import AnalysisContext, Handler

log = logging.getLogger(__name__)

FORMAT = 3
#: Item fields (and ``passwords``, the message's candidates) a handler's output may depend on.
ITEM_INPUTS = ("path", "name", "type", "declared_type", "role", "source", "depth", "meta", "passwords")
#: Findings that say the work was cut short or failed: such a run is never stored (nor one with
#: a code named as "not fully read", findings.incomplete_by_name: a limit, *_unreadable...).
NOT_CACHEABLE = re.compile(
    r"^(scan|container\.limit|limits)\.|\.(timeout|error|temperror|permerror|parse_error|skipped|unchecked)$")
#: Below this much time left in the message's budget a run is not stored: analyzers skip optional
#: checks when time runs short (office: VBA stomping below 5 s; encrypted: passwords below 3 s).
#: Time only runs down, so a run that ends with at least the largest such threshold left never
#: skipped anything.  An analyzer with a larger threshold must raise this.
STORE_MIN_SECONDS_LEFT = 5.0
COMPRESS_OVER = 512
#: An entry never decompresses to more than this (a corrupt frame header cannot make a worker allocate more).
MAX_DECOMPRESSED = 256 * 1024 * 1024
#: The entry of a run that found nothing and read no passwords (most entries; decoded without JSON).
EMPTY_ENTRY = b"j" + json.dumps([FORMAT, [], None], separators=(",", ":")).encode()
RESULTS = ("hit", "miss", "error")


class CacheFormatError(ValueError):
    """A cached entry could not be decoded (another version wrote it, or it is corrupt)."""


class CounterLike(Protocol):
    """What we need of a prometheus_client Counter with a ``result`` label."""

    def labels(self, *args: Any, **kw: Any) -> Any: ...


@dataclass(frozen=True, slots=True)
class CacheKey:
    generation: str
    handler: str
    version: str
    sha256: str
    context: str

    def text(self) -> str:
        return f"{self.generation}:{self.handler}:{self.version}:{self.sha256}:{self.context}"


class Stats:
    """Lookup results (hit / miss / error) and store outcomes; thread-safe."""

    def __init__(self, counter: CounterLike | None = None) -> None:
        self._lock = threading.Lock()
        self.counts = dict.fromkeys(RESULTS, 0)
        self.stored = 0
        self.store_errors = 0
        self.not_stored = 0
        self._counter = counter
        if counter is not None:
            for r in RESULTS:  # the closed label set, visible at 0
                counter.labels(result=r)

    def count(self, result: str, n: int = 1) -> None:
        with self._lock:
            self.counts[result] += n
        if self._counter is not None and n:
            self._counter.labels(result=result).inc(n)

    def note(self, field: str) -> None:
        with self._lock:
            setattr(self, field, getattr(self, field) + 1)

    def hit_rate(self) -> float:
        total = sum(self.counts.values())
        return self.counts["hit"] / total if total else 0.0


class VerdictCache(ABC):
    """get(key) -> the cached handler output (encoded) or None; put(key, blob); invalidate(generation)."""

    backend = ""

    def __init__(self, settings: CacheConfig | None = None, *, generation: str = "",
                 counter: CounterLike | None = None) -> None:
        self.settings = settings or CacheConfig()
        self.generation = generation
        self.stats = Stats(counter)
        self.bodies = DecodedBodies()  # the body tier's last entries, decoded (BodyCache.lookup)

    def get(self, key: CacheKey) -> bytes | None:
        return self.get_many([key])[0]

    def get_many(self, keys: Sequence[CacheKey]) -> list[bytes | None]:
        """Look every key up at once (one round trip for Redis); counts each as hit, miss or error."""
        if not keys:
            return []
        try:
            found = self._get_many([k.text() for k in keys])
        except Exception as exc:  # a cache failure is a miss, never an error
            self._failed("get", exc)
            self.stats.count("error", len(keys))
            return [None] * len(keys)
        hits = sum(v is not None for v in found)
        self.stats.count("hit", hits)
        self.stats.count("miss", len(keys) - hits)
        return found

    def put(self, key: CacheKey, blob: bytes) -> None:
        if len(blob) > self.settings.max_entry_bytes:
            self.stats.note("not_stored")
            return
        try:
            self._put(key.text(), blob)
        except Exception as exc:
            self._failed("put", exc)
            self.stats.note("store_errors")
            return
        self.stats.note("stored")

    def invalidate(self, generation: str) -> None:
        """Switch to a new rule/config generation: every older entry stops matching."""
        if generation != self.generation:
            log.info("verdict cache: generation %s -> %s", self.generation[:12] or "-", generation[:12])
            self.generation = generation
            self.bodies.clear()
            self._clear()

    def _failed(self, what: str, exc: Exception) -> None:
        log.debug("verdict cache %s %s failed: %s: %s", self.backend, what, type(exc).__name__, exc)

    def close(self) -> None:  # noqa: B027 - optional for back ends without connections
        pass

    @abstractmethod
    def _get_many(self, keys: Sequence[str]) -> list[bytes | None]: ...

    @abstractmethod
    def _put(self, key: str, blob: bytes) -> None: ...

    @abstractmethod
    def _clear(self) -> None: ...


class LruCache(VerdictCache):
    """In-process LRU, bounded by ``max_entries`` and ``max_bytes`` (keys + values); thread-safe."""

    backend = "memory"
    ENTRY_OVERHEAD = 100  # dict slot, key and bytes objects: a rough, honest floor

    def __init__(self, settings: CacheConfig | None = None, **kw: Any) -> None:
        super().__init__(settings, **kw)
        self._data: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def _cost(self, key: str, blob: bytes) -> int:
        return len(key) + len(blob) + self.ENTRY_OVERHEAD

    def _get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        out: list[bytes | None] = []
        with self._lock:
            for k in keys:
                v = self._data.get(k)
                if v is not None:
                    self._data.move_to_end(k)
                out.append(v)
        return out

    def _put(self, key: str, blob: bytes) -> None:
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= self._cost(key, old)
            self._data[key] = blob
            self._bytes += self._cost(key, blob)
            while self._data and (len(self._data) > self.settings.max_entries
                                  or self._bytes > self.settings.max_bytes):
                k, v = self._data.popitem(last=False)
                self._bytes -= self._cost(k, v)

    def _clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._data)

    @property
    def bytes_used(self) -> int:
        return self._bytes


class RedisCache(VerdictCache):
    """Shared through Redis/Valkey: ``SET key value EX ttl`` and ``MGET``; short timeouts, back-off on failure.

    Keys are ``{key_prefix}{generation}:{handler}:{version}:{sha256}:{context}``; size is capped by
    the server (``maxmemory`` with ``maxmemory-policy allkeys-lru``), age by ``ttl_s``."""

    backend = "redis"

    def __init__(self, settings: CacheConfig | None = None, *, client: Any = None, **kw: Any) -> None:
        super().__init__(settings, **kw)
        if client is None:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            if not self.settings.url:
                raise ValueError("cache.url is empty (redis://host:port/db or unix:///path)")
            timeout = self.settings.timeout_ms / 1000.0
            # no retries: a slow or dead cache must cost one short timeout, then we run uncached
            client = redis.Redis.from_url(
                self.settings.url, socket_timeout=timeout, socket_connect_timeout=timeout,
                retry=Retry(NoBackoff(), 0), health_check_interval=0)
        self.client = client
        self._down_until = 0.0
        self._lock = threading.Lock()
        self.local: LruCache | None = None
        if self.settings.local_entries > 0:
            self.local = LruCache(CacheConfig(max_entries=self.settings.local_entries,
                                                max_bytes=self.settings.local_bytes,
                                                max_entry_bytes=self.settings.max_entry_bytes))

    def _key(self, key: str) -> str:
        return f"{self.settings.key_prefix}{key}"

    def _check_up(self) -> None:
        if time.monotonic() < self._down_until:
            raise _MarkedDown("redis marked down after a recent failure; retrying later")

    def _failed(self, what: str, exc: Exception) -> None:
        if isinstance(exc, _MarkedDown):
            return
        with self._lock:
            first = self._down_until == 0.0 or time.monotonic() >= self._down_until
            self._down_until = time.monotonic() + self.settings.retry_after_s
        if first:
            log.warning("verdict cache: redis %s failed (%s: %s); running uncached, next try in %gs",
                        what, type(exc).__name__, exc, self.settings.retry_after_s)

    def _get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        found: list[bytes | None] = self.local._get_many(keys) if self.local is not None else [None] * len(keys)
        missing = [n for n, v in enumerate(found) if v is None]
        if not missing:
            return found
        try:
            self._check_up()
            values = self.client.mget([self._key(keys[n]) for n in missing])
        except Exception as exc:
            if len(missing) == len(keys):
                raise  # nothing found at all: the whole lookup counts as an error
            self._failed("get", exc)
            return found  # local hits stand; the rest are misses
        for n, v in zip(missing, values, strict=True):
            if isinstance(v, bytes):
                found[n] = v
                if self.local is not None:
                    self.local._put(keys[n], v)
        return found

    def _put(self, key: str, blob: bytes) -> None:
        if self.local is not None:
            self.local._put(key, blob)
        self._check_up()
        self.client.set(self._key(key), blob, ex=max(1, int(self.settings.ttl_s)))

    def _clear(self) -> None:
        # the new generation is a new key prefix; old Redis entries age out (ttl_s) or are evicted (LRU)
        if self.local is not None:
            self.local._clear()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()


class _MarkedDown(Exception):
    """Raised instead of talking to a Redis that failed moments ago."""


def open_cache(settings: CacheConfig, *, generation: str = "",
               counter: CounterLike | None = None) -> VerdictCache | None:
    """The cache for ``[cache] backend``: ``memory`` (default), ``redis``, or ``off`` (None)."""
    if settings.backend in ("off", "none", ""):
        return None
    if settings.backend == "memory":
        return LruCache(settings, generation=generation, counter=counter)
    if settings.backend == "redis":
        return RedisCache(settings, generation=generation, counter=counter)
    raise ValueError(f"unknown cache backend {settings.backend!r} (memory, redis or off)")


#: The configuration that can change what an item handler finds.  Everything else (sockets, paths of
#: the quarantine, metrics, worker counts, this host's name) differs between MX hosts that must share.
ANALYSIS_CONFIG = ("scan", "crypto", "dkim")
#: [scan] keys that only change how (not what) we scan: complete runs are the same whatever they are.
_RUN_ONLY = frozenset({"workers", "recycle_after", "timeout_s", "oversize_action"})


def generation_for(rules_hash: str, config: Config | None = None) -> str:
    """One generation string for a rule set (its source hash) and the analysis configuration.

    Equal on every MX host with the same rules and analysis settings (so they share entries);
    different after any change to them, including the content of the lure and brand lists."""
    h = hashlib.sha256(rules_hash.encode())
    if config is not None:
        values = config.to_dict()
        picked: dict[str, Any] = {}
        for section in ANALYSIS_CONFIG:
            sec = dict(values.get(section) or {})
            if section == "scan":
                sec = {k: v for k, v in sec.items() if k not in _RUN_ONLY}
            for k, v in list(sec.items()):
                if k.endswith("_file") and isinstance(v, str) and v:
                    try:
                        with open(v, "rb") as fh:
                            sec[k] = hashlib.sha256(fh.read()).hexdigest()
                    except OSError:
                        sec[k] = f"unreadable:{v}"
            picked[section] = sec
        h.update(json.dumps(picked, sort_keys=True, default=str).encode())
    return h.hexdigest()[:20]


def rules_generation(rules_path: str | None, config: Config) -> str:
    """The generation of a worker pool: its compiled rules file (named by the rules' source hash) + config."""
    return generation_for(os.path.basename(rules_path or ""), config)


# --------------------------------------------------------------------------- keys


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """coinguard's version and a hash of every file of the installed package (code and shipped data).

    A handler's output depends on helpers in other modules (``*_common``, text, lures, ...), so any
    change to the package, not only to the handler's own module, gives new keys."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc":
            h.update(str(p.relative_to(root)).encode() + b"\0")
            h.update(p.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


def analyzer_version(handler: Handler) -> str:
    """The package's :func:`code_version` plus the handler's own ``version`` attribute, if any."""
    own = getattr(handler, "version", "")
    return f"{code_version()}.{own}" if own else code_version()


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def _context(item: Item, inputs: Iterable[str]) -> str:
    """Digest of the item fields among ``inputs`` (``passwords`` is checked per entry, not keyed)."""
    parts: dict[str, Any] = {}
    for name in inputs:
        if name == "meta":
            parts[name] = dict(item.meta)
        elif name != "passwords":
            parts[name] = getattr(item, name)
    return _digest(parts)


def passwords_digest(candidates: Sequence[str]) -> str:
    """What a cached entry remembers of the passwords its run read (reading harvests them)."""
    return _digest(list(candidates))


def make_key(cache: VerdictCache, handler: Handler, item: Item, ctx: AnalysisContext) -> CacheKey:
    inputs = getattr(handler, "cache_inputs", ITEM_INPUTS)
    return CacheKey(cache.generation, handler.name, analyzer_version(handler), item.sha256, _context(item, inputs))


# --------------------------------------------------------------------------- encoding


def _rel_path(path: str, base: str) -> str | int | None:
    if path == "":
        return 0
    if path == base:
        return 1
    if base and path.startswith(base + "/"):
        return path[len(base):]
    return None


def encode(outputs: Sequence[object], item: Item, passwords_read: str | None = None) -> bytes | None:
    """The compact form of one complete handler run, or None when it must not be cached.

    ``passwords_read``: :func:`passwords_digest` of the candidates the run read (None: it read none)."""
    records: list[list[Any]] = []
    for out in outputs:
        if isinstance(out, Finding):
            rel = _rel_path(out.path, item.path)
            if rel is None or NOT_CACHEABLE.search(out.code) or incomplete_by_name(out.code):
                return None
            records.append(["f", out.code, out.analyzer, rel, out.detail, out.score, out.strength])
        elif isinstance(out, Item):
            meta = dict(out.meta)
            try:
                json.dumps(meta)
                rebuilt = item.child(out.name, b"", source=out.source, role=out.role,
                                     declared_type=out.declared_type, type=out.type, meta=meta)
            except (TypeError, ValueError):
                return None
            if rebuilt.path != out.path or rebuilt.depth != out.depth:
                return None  # not made by item.child(): we could not rebuild it exactly
            records.append(["i", out.name, out.type, out.role, out.source, out.declared_type, meta,
                            base64.b64encode(out.data).decode("ascii")])
        else:  # AddHeader or anything new: not ours to replay
            return None
    if not records and passwords_read is None:
        return EMPTY_ENTRY
    # ASCII JSON (non-ASCII text as \u escapes, read back the same): a child's base64 data is most of an entry,
    # and the encoder's non-ASCII mode took ~1.5 ms CPU for a zip's 187 KB of it, the ASCII one ~0.6 ms
    data = json.dumps([FORMAT, records, passwords_read], separators=(",", ":")).encode("ascii")
    return b"s" + zstandard.compress(data, 1) if len(data) > COMPRESS_OVER else b"j" + data


def _unzstd(data: bytes) -> bytes:
    """A Zstandard frame written by this module, decompressed; CacheFormatError when it is not one or too large."""
    size = zstandard.frame_content_size(data)
    if size < 0 or size > MAX_DECOMPRESSED:
        raise CacheFormatError(f"zstd frame of unknown or excessive size ({size})")
    return zstandard.decompress(data)


def mark_cached(finding: Finding) -> Finding:
    """The finding flagged as replayed from the cache."""
    return dataclasses.replace(finding, cached=True)


def decode(blob: bytes, item: Item) -> list[Finding | Item]:
    """Replay an encoded run for ``item``: findings (marked cached) and rebuilt children."""
    return decode_entry(blob, item)[0]


def decode_entry(blob: bytes, item: Item) -> tuple[list[Finding | Item], str | None]:
    """:func:`decode`, and the digest of the passwords the stored run read (None: it read none)."""
    if blob == EMPTY_ENTRY:  # most handlers find nothing in most items
        return [], None
    try:
        kind, body = blob[:1], blob[1:]
        data = (_unzstd(body) if kind == b"s" else zlib.decompress(body) if kind == b"z"
                else body if kind == b"j" else None)
        if data is None:
            raise CacheFormatError(f"unknown entry kind {kind!r}")
        fmt, records, passwords_read = json.loads(data)
        if fmt != FORMAT:
            raise CacheFormatError(f"entry format {fmt}, expected {FORMAT}")
        out: list[Finding | Item] = []
        for r in records:
            if r[0] == "f":
                _, code, analyzer, rel, detail, score, strength = r
                path = "" if rel == 0 else item.path if rel == 1 else item.path + str(rel)
                out.append(Finding(code, analyzer, path, detail, score, strength=strength, cached=True))
            elif r[0] == "i":
                _, name, typ, role, source, declared, meta, b64 = r
                out.append(item.child(name, base64.b64decode(b64), source=source, role=role,
                                      declared_type=declared, type=typ, meta=meta))
            else:
                raise CacheFormatError(f"unknown record {r[0]!r}")
        if passwords_read is not None and not isinstance(passwords_read, str):
            raise CacheFormatError("corrupt password digest")
        return out, passwords_read
    except CacheFormatError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, zlib.error, zstandard.ZstdError) as exc:
        raise CacheFormatError(f"corrupt cache entry: {type(exc).__name__}: {exc}") from exc


# --------------------------------------------------------------------------- the scan-loop hook

Output = Finding | Item
#: How the scan loop runs one handler on one item (``scan._run_handler``).
Run = Callable[[Handler, Item, AnalysisContext], Iterable[Output]]
_UNSET: Any = object()


def cacheable(cache: VerdictCache | None, handler: Handler, item: Item) -> bool:
    """Whether ``handler`` applies to ``item`` and may use the cache (applies_to errors: no, run it plainly)."""
    if cache is None or not getattr(handler, "cacheable", True):
        return False
    try:
        return bool(handler.applies_to(item))
    except Exception:
        return False


def cached_run(cache: VerdictCache | None, handler: Handler, item: Item, ctx: AnalysisContext, run: Run,
               prefetched: bytes | None = _UNSET) -> Iterator[Output]:
    """``run(handler, item, ctx)`` through the cache: replay a hit, store a complete miss.

    ``prefetched`` is the blob (or None) from a :func:`prefetch` batch; without it the
    key is looked up here.  Exceptions from ``run`` propagate unchanged (nothing stored)."""
    if cache is None or not cacheable(cache, handler, item):
        yield from run(handler, item, ctx)
        return
    key = make_key(cache, handler, item, ctx)
    blob = cache.get(key) if prefetched is _UNSET else prefetched
    yield from _cached(cache, handler, item, ctx, run, key, blob)


def _cached(cache: VerdictCache, handler: Handler, item: Item, ctx: AnalysisContext, run: Run, key: CacheKey,
            blob: bytes | None) -> Iterator[Output]:
    """The body of :func:`cached_run` once the handler is known to apply and ``key`` was looked up."""
    if blob is not None:
        try:
            replay, passwords_read = decode_entry(blob, item)
        except CacheFormatError as exc:
            log.debug("verdict cache: %s for %s/%s; running the handler", exc, handler.name, item.path)
        else:
            if passwords_read is None or passwords_read == passwords_digest(ctx.passwords):
                yield from replay
                return
            log.debug("verdict cache: %s/%s was stored with other passwords; running it", handler.name, item.path)
    given = ctx.passwords
    reads_before = given.reads if isinstance(given, passwords.Candidates) else None
    outputs: list[Output] = []
    for out in run(handler, item, ctx):
        outputs.append(out)
        yield out
    if ctx.budget.time_left() < STORE_MIN_SECONDS_LEFT or ctx.passwords is not given:
        cache.stats.note("not_stored")  # time ran short, or the run changed the passwords (not replayable)
        return
    read = reads_before is None or reads_before != getattr(given, "reads", None)  # a plain tuple: assume read
    uses = "passwords" in getattr(handler, "cache_inputs", ITEM_INPUTS)
    encoded = encode(outputs, item, passwords_digest(given) if read and uses else None)
    if encoded is None:
        cache.stats.note("not_stored")
        return
    cache.put(key, encoded)


def prefetch(cache: VerdictCache | None, handlers: Sequence[Handler], item: Item,
             ctx: AnalysisContext) -> Mapping[str, bytes | None]:
    """One batched lookup for every cacheable handler of ``item``: handler name -> blob or None."""
    if cache is None:
        return {}
    wanted = [h for h in handlers if cacheable(cache, h, item)]
    blobs = cache.get_many([make_key(cache, h, item, ctx) for h in wanted])
    return {h.name: b for h, b in zip(wanted, blobs, strict=True)}


def run_item(cache: VerdictCache | None, handlers: Sequence[Handler], item: Item, ctx: AnalysisContext,
             run: Run) -> Iterator[tuple[str, Iterable[Output]]]:
    """The scan loop's per-item step: ``(handler name, its outputs)`` for every handler, in order,
    with one cache round trip per item.  ``for name, out in run_item(...): col.consume(name, path, out)``.

    With a cache, each handler's ``applies_to`` is asked once here (one that does not apply yields
    nothing, as ``run`` would), the item context is digested once for all handlers with the same
    ``cache_inputs``, and every key is made once: on a campaign's cached copy this bookkeeping is
    what the item costs."""
    if cache is None:
        for handler in handlers:
            yield handler.name, run(handler, item, ctx)
        return
    plan: list[tuple[Handler, CacheKey | None]] = []  # key None: run plainly (uncacheable, applies_to raised)
    contexts: dict[tuple[str, ...], str] = {}
    for handler in handlers:
        if not getattr(handler, "cacheable", True):
            plan.append((handler, None))
            continue
        try:
            applies = bool(handler.applies_to(item))
        except Exception:
            plan.append((handler, None))  # run() asks again: the error becomes scan.analyzer_error
            continue
        if applies:
            inputs = tuple(getattr(handler, "cache_inputs", ITEM_INPUTS))
            context = contexts.get(inputs)
            if context is None:
                context = contexts[inputs] = _context(item, inputs)
            plan.append((handler, CacheKey(cache.generation, handler.name, analyzer_version(handler), item.sha256,
                                           context)))
    keys = [key for _h, key in plan if key is not None]
    blobs = iter(cache.get_many(keys))
    for handler, key in plan:
        if key is None:
            yield handler.name, run(handler, item, ctx)
        else:
            yield handler.name, _cached(cache, handler, item, ctx, run, key, next(blobs))


# --------------------------------------------------------------------------- the body cache

#: Body entries: ``b"c"`` + Zstandard(4-byte length, JSON header, the items' bytes one after another) (``b"b"``:
#: the same in zlib, as entries before were; zlib level 1 cost 1.6 ms per 190 KB entry, Zstandard 0.08); a large
#: top-level item whose bytes its MIME part gives back (as they are, or base64-decoded) is kept as where the
#: part lies in the body (:class:`BodyShape`): every copy with this key holds the same bytes there.
BODY_FORMAT = 3
#: Top-level items from this size on are kept as a reference to their part when they can be.
BODY_REF_MIN = 4096
BODY_KIND = b"c"
#: Body entries written by earlier versions (zlib), still read.
BODY_KIND_ZLIB = b"b"
#: Top-level header names (lower case, prefixes) that shape the MIME tree of the body: its type and
#: boundary, transfer encoding, disposition and file name, charset.  With the body bytes, the key.
SHAPING_HEADERS = ("content-", "mime-version")
_HEADER_PARSER = email.parser.BytesHeaderParser(policy=email.policy.compat32)


@dataclass(frozen=True, slots=True)
class BodyReplay:
    """What the MIME stage and the item loop gave for this body, replayed from a body entry."""

    headers: Message  # this message's own header block, parsed alone (what MessageInfo reads)
    items: list[Item]  # every item the item loop handled, in order
    top: int  # the first ``top`` items are the MIME stage's leaf items (all of them were admitted)
    findings: list[Finding]  # the MIME stage's and the item loop's findings, in order, marked cached
    passwords_read: str | None  # digest of the passwords the stored run read (None: it read none)
    #: what the scan derives from these items alone, kept with the decoded entry for its next copies
    #: (scan.py: the body's part of the MessageInfo); shared by every replay of one decoded entry
    derived: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def top_items(self) -> list[Item]:
        return self.items[: self.top]

    def usable(self, candidates: Sequence[str]) -> bool:
        """Whether this replay holds for a message with these password ``candidates``."""
        return self.passwords_read is None or self.passwords_read == passwords_digest(candidates)


class DecodedBodies:
    """The last few body entries this process decoded, kept decoded (bounded in entries and item bytes).

    A campaign's copies reach one worker one after the other: its entry is then decompressed and read
    once, not per copy.  A key names its content (generation, code version and body are in it), so a
    kept entry is the stored one; :meth:`VerdictCache.invalidate` empties it with the rest.  Items and
    findings are immutable; each replay gets its own lists (the scan appends to them)."""

    def __init__(self, entries: int = 16, max_bytes: int = 16 * 1024 * 1024) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self._data: OrderedDict[str, tuple[BodyReplay, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._refused: OrderedDict[str, None] = OrderedDict()  # body keys whose entry is not stored
        self._digests: list[tuple[bytes, bytes, str]] = []  # the last bodies hashed (digest): newest last

    def digest(self, head: bytes, body: bytes | memoryview) -> str:
        """sha256 of ``head`` + ``body``, the body key: a campaign's next copy has the same renamed body, so
        one of the last few bodies hashed that is equal to it, byte for byte, gives its digest (comparing
        366 KB: ~0.02 ms of CPU; hashing them: ~0.2 ms).  Only bodies up to :data:`DIGEST_MEMO_BYTES`."""
        if isinstance(body, memoryview):  # (a memoryview compares item by item: slower than the hash)
            body = bytes(body)
        for kept_head, kept_body, kept in reversed(self._digests):
            if len(kept_body) == len(body) and kept_head == head and kept_body == body:
                return kept
        h = hashlib.sha256(head)
        h.update(body)
        digest = h.hexdigest()
        if len(body) <= DIGEST_MEMO_BYTES:
            with self._lock:
                self._digests = [*self._digests[-(DIGEST_MEMO - 1):], (head, body, digest)]
        return digest

    def refuse(self, key: str) -> None:
        """Remember that ``key``'s entry was not storable (too large, a finding not to cache): the same body
        gives the same entry, so its next copies need not encode it again (bounded, oldest forgotten)."""
        with self._lock:
            self._refused[key] = None
            self._refused.move_to_end(key)
            while len(self._refused) > REFUSED_KEYS:
                self._refused.popitem(last=False)

    def refused(self, key: str) -> bool:
        return key in self._refused

    def get(self, key: str) -> BodyReplay | None:
        with self._lock:
            found = self._data.get(key)
            if found is None:
                return None
            self._data.move_to_end(key)
            return found[0]

    def put(self, key: str, replay: BodyReplay) -> None:
        size = sum(len(i.data) for i in replay.items) + 200 * (len(replay.items) + len(replay.findings))
        if size > self.max_bytes // 4:
            return  # one large body would push out the others
        kept = BodyReplay(Message(), list(replay.items), replay.top, list(replay.findings), replay.passwords_read,
                          replay.derived)
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._data[key] = (kept, size)
            self._bytes += size
            while self._data and (len(self._data) > self.entries or self._bytes > self.max_bytes):
                _k, (_r, n) = self._data.popitem(last=False)
                self._bytes -= n

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._refused.clear()
            self._digests = []
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._data)


#: Body keys remembered as not storable per process (:meth:`DecodedBodies.refuse`).
REFUSED_KEYS = 256
#: Bodies whose digest is remembered per process (:meth:`DecodedBodies.digest`), and the largest one kept.
DIGEST_MEMO = 4
DIGEST_MEMO_BYTES = 4 * 1024 * 1024


class BodyCache:
    """The message-level tier: a known body skips the MIME parse, the decoding and the whole item loop.

    A campaign's copies differ in their headers (recipient, Subject, Message-ID, Date, Received) and
    share the body.  The MIME tree of a message is a function of its body bytes and of the top-level
    headers that shape it (``Content-*``, ``MIME-Version``), and every item handler sees only the item
    and the message's passwords (none reads ``ctx.message``), so the item loop's output (items and
    findings, in order) is a function of the same bytes.  Keyed by (generation, code version, parts
    limit, sha256 of those headers and of the body, every multipart boundary renamed: mailers draw new
    ones per copy), an entry stores that output, items with their bytes (the message analyzers and the
    report read them; a large top-level item as where its part lies in the body, which every copy with
    the key holds: :class:`BodyShape`); the message analyzers (sender
    authentication, Subject/From lures, brand spoofing...) and the policy still run on every copy.

    Used only when the header block parses alone exactly as in the whole message: it ends at the
    first blank line, every line of it is a header (no parser defect, nothing left over), no line is
    over mime.MAX_HEADER_LINE.  Stored only when the run was complete: not timed out, no analyzer
    error, no added header, every finding cacheable (:data:`NOT_CACHEABLE`, nothing "incomplete" in
    the catalogue), :data:`STORE_MIN_SECONDS_LEFT` left, the passwords object unchanged, nothing left
    in the memo for the report (``urls``), every item's meta a JSON value that reads back equal.  An
    entry of a run that read the passwords remembers their digest, and a copy with other candidates
    (they come from the Subject and the body text) is scanned in full.  One lookup (one Redis GET) per
    message; on a miss the per-item tier works as before."""

    def __init__(self, cache: VerdictCache, key: CacheKey, headers: Message, shape: BodyShape | None = None,
                 head: bytes = b"") -> None:
        self.cache = cache
        self.key = key
        self.headers = headers
        self.head = head  # the header block ``headers`` was parsed from (its blank line included)
        self.shape = shape  # the renamed body and its leaves' payloads (None: no multipart renamed)
        self._hits_before = cache.stats.counts["hit"]

    @classmethod
    def open(cls, cache: VerdictCache | None, data: bytes, max_parts: int) -> BodyCache | None:
        """The body key of ``data`` (None without a cache, or when the header block is not plain)."""
        if cache is None:
            return None
        end, sep = mime.blank_line(data)
        if end < 0:
            return None
        head = data[: end + sep]
        if mime.cut_long_header_lines(head)[1]:
            return None
        try:
            headers = _HEADER_PARSER.parsebytes(head)
        except Exception:  # the whole-message parse will say what is wrong
            return None
        # (the header parser files a multipart without parts as MultipartInvariantViolation: its body unread)
        defects = [d for d in headers.defects if not isinstance(d, email.errors.MultipartInvariantViolationDefect)]
        if defects or headers.get_payload() or headers.is_multipart():
            return None  # a line that is not a header: the parser's body starts elsewhere
        body: bytes | memoryview = memoryview(data)[end + sep :]
        shaping = [(str(name).lower(), str(value)) for name, value in headers.items()
                   if str(name).lower().startswith(SHAPING_HEADERS)]
        renamed = _rename_boundary(headers, shaping, body)
        shape = None
        if renamed is not None:
            shaping, shape = renamed
            body = shape.body
        head_key = b"".join([b"%d\0" % max_parts, *(f"{name}\0{value}\0".encode("utf-8", "surrogateescape")
                                                    for name, value in shaping), b"\0body\0"])
        digest = cache.bodies.digest(head_key, body)
        return cls(cache, CacheKey(cache.generation, "<body>", code_version(), digest, ""), headers, shape, head)

    def lookup(self) -> BodyReplay | None:
        """The replay of a stored run of this body, or None (a miss, a failure or a corrupt entry)."""
        text = self.key.text()
        known = self.cache.bodies.get(text)
        if known is not None:  # decoded moments ago by this process: the same key is the same entry
            self.cache.stats.count("hit")
            return BodyReplay(self.headers, list(known.items), known.top, list(known.findings), known.passwords_read,
                              known.derived)
        blob = self.cache.get(self.key)
        if blob is None:
            return None
        try:
            replay = decode_body(blob, self.headers, self.shape.body if self.shape is not None else None)
        except CacheFormatError as exc:
            log.debug("verdict cache: body entry %s: %s; scanning in full", self.key.sha256[:12], exc)
            return None
        self.cache.bodies.put(text, replay)
        return BodyReplay(self.headers, list(replay.items), replay.top, list(replay.findings), replay.passwords_read,
                          replay.derived)

    def store(self, items: Sequence[Item], top: int, findings: Sequence[Finding], ctx: AnalysisContext,
              candidates: passwords.Candidates, reads_before: int, *, complete: bool) -> bool:
        """Store a run of the item loop when it is complete and replayable; whether it was stored.

        ``complete``: the loop ran to its end without an analyzer error or an added header;
        ``reads_before``: ``candidates.reads`` before the loop (a change: the run read them)."""
        if self.cache.stats.counts["hit"] == self._hits_before:
            return False  # nothing of it seen before: most mail is unique, an entry would be written for nothing
        text = self.key.text()
        if self.cache.bodies.refused(text):
            return False  # encoded before and too large or not storable: not again for every copy
        if (not complete or ctx.passwords is not candidates or ctx.budget.time_left() < STORE_MIN_SECONDS_LEFT
                or _memo_has_urls(ctx.memo)):
            self.cache.stats.note("not_stored")
            return False
        if not meta_replayable(items):
            # (a live unpacker's tuples: not remembered as refused, the next copy's replayed items may pass --
            # a first copy whose items partly hit, say a body text shared with other mail, was the body's last try)
            self.cache.stats.note("not_stored")
            return False
        read = passwords_digest(candidates) if candidates.reads != reads_before else None
        blob = encode_body(items, top, findings, read, self.shape, meta_checked=True)
        if blob is None or len(blob) > self.cache.settings.max_entry_bytes:
            self.cache.stats.note("not_stored")
            self.cache.bodies.refuse(text)
            return False
        self.cache.put(self.key, blob)
        return True


#: What the top-level boundary is renamed to in a body key (bodies holding it are keyed as they are).
BOUNDARY_TOKEN = "\x00coinguard-boundary\x00"
#: What every token starts with (the top-level one and the numbered ones): a body holding it is keyed as it is.
_TOKEN_PREFIX = BOUNDARY_TOKEN.encode("ascii")[:-1]
#: A boundary as RFC 2046 spells it (renamed only then: no NUL, nothing of the token, plain ASCII).
_BCHARS = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{1,200}")


@dataclass(frozen=True, slots=True)
class BodyShape:
    """A body as its key sees it: every multipart boundary renamed, and where its leaf parts' payloads lie."""

    body: bytes  # the body with the boundaries renamed (what the key hashes)
    #: (start, end) in ``body`` of each leaf part's payload, in document order; None when the walk could
    #: not tell them (a part it did not read the way the parser does)
    leaves: tuple[tuple[int, int], ...] | None


def _delimiter_lines(data: bytes, boundary: bytes, start: int, end: int) -> list[tuple[int, int, bool]] | None:
    """Every occurrence of ``boundary`` in ``data[start:end]`` as (boundary offset, end of its line, a close
    delimiter); None when one is not a whole delimiter line as the stdlib reads it (``--B``, ``--B--``,
    blanks, the line end or the end of the data)."""
    out: list[tuple[int, int, bool]] = []
    pos = start
    while (pos := data.find(boundary, pos, end)) >= 0:
        after = pos + len(boundary)
        if data[pos - 2 : pos] != b"--" or (pos > 2 and data[pos - 3] not in b"\r\n") or pos < 2:
            return None
        close = data[after : after + 2] == b"--"
        if close:
            after += 2
        while data[after : after + 1] in (b" ", b"\t"):
            after += 1
        if after < len(data) and data[after] not in b"\r\n":
            return None
        after += 2 if data[after : after + 2] == b"\r\n" else 1 if after < len(data) else 0
        out.append((pos, after, close))
        pos = after
    return out


def _eol_before(data: bytes, pos: int) -> int:
    """Length of the line end just before ``pos`` (RFC 2046: it belongs to the delimiter that follows)."""
    return 2 if data[pos - 2 : pos] == b"\r\n" else 1 if pos > 0 and data[pos - 1] in b"\r\n" else 0


class _Walk:
    """The multipart tree of a body, read from its delimiter lines (:func:`_rename_boundary`)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.boundaries: list[bytes] = []  # in order: the top-level one, then each nested one as declared
        self.renames: list[tuple[int, int]] = []  # (offset, boundary index): every occurrence to rename
        self.leaves: list[tuple[int, int]] | None = []

    def multipart(self, boundary: bytes, start: int, end: int) -> bool:
        """Read the parts of the multipart ``boundary`` whose body is ``data[start:end]``; False when it is not
        exactly one start, the parts, one close delimiter at the end (or delimiter-shaped lines elsewhere)."""
        lines = _delimiter_lines(self.data, boundary, start, end)
        if not lines or lines[0][2] or not lines[-1][2] or any(close for _p, _e, close in lines[:-1]):
            return False
        index = len(self.boundaries)
        self.boundaries.append(boundary)
        self.renames += [(pos, index) for pos, _e, _c in lines]
        for (_pos, part_start, _c), (next_pos, _e, _c2) in itertools.pairwise(lines):
            part_end = next_pos - 2  # the "--" of the next delimiter line
            self.part(part_start, part_end - _eol_before(self.data, part_end), part_end)
        return True

    def part(self, start: int, payload_end: int, end: int) -> None:
        """One part: its header block, then a leaf's payload or a nested multipart (renamed when it reads as
        the parser reads it; otherwise left as it is, and the leaves unknown)."""
        data = self.data
        if data[start : start + 2] == b"\r\n" or data[start : start + 1] == b"\n":
            if self.leaves is not None:  # no header block: a leaf (text/plain, or message/rfc822 in a digest)
                self.leaves.append((start + (2 if data[start : start + 1] == b"\r" else 1), payload_end))
            return
        blank, sep = mime.blank_line(data, start, end)
        if blank < 0:
            self.leaves = None
            return
        head_end = blank + sep
        head = data[start:head_end]
        boundary = _plain_boundary(head) if b"multipart" in head.lower() else ""
        if boundary == "":  # a leaf
            if self.leaves is not None:
                self.leaves.append((head_end, max(head_end, payload_end)))
            return
        raw = boundary.encode("ascii") if boundary is not None else b""
        if (not raw or head.count(raw) != 1 or data.count(raw) != data.count(raw, head_end, end) + 1
                or any(raw in b or b in raw for b in self.boundaries)):
            self.leaves = None  # read as it is: its boundary stays in the key
            return
        index = len(self.boundaries)
        if not self.multipart(raw, head_end, end):
            self.leaves = None
            return
        self.renames.append((start + head.find(raw), index))


def _plain_boundary(head: bytes) -> str | None:
    """The boundary a part's header block declares, when the block parses alone without a defect; "" for a
    leaf's block; None when it does not parse so, or the boundary is not a plain one."""
    try:
        headers = _HEADER_PARSER.parsebytes(head)
    except Exception:
        return None
    defects = [d for d in headers.defects if not isinstance(d, email.errors.MultipartInvariantViolationDefect)]
    if defects or headers.get_payload():
        return None
    if headers.get_content_maintype() != "multipart":
        return ""
    boundary = headers.get_boundary()
    return boundary if boundary and _BCHARS.fullmatch(boundary) else None


def _rename_boundary(headers: Message, shaping: list[tuple[str, str]], body: bytes | memoryview,
                     ) -> tuple[list[tuple[str, str]], BodyShape] | None:
    """The shaping headers and the body with every multipart boundary renamed, or None (left as is).

    Mailers draw a boundary per multipart and per message, so a campaign's copies share a body only up to
    them.  Renaming keeps the key exact when each boundary occurs only where the parser reads it: the
    top-level one once in the Content-Type value, a nested one once in the header block of the part that
    declares it (a block that parses alone without a defect, as the parser reads it), and each in the body
    only as whole delimiter lines (``--B``, ``--B--``, blanks, the line end: the stdlib's boundary pattern)
    inside the multipart it delimits: one start, one close at its end; no boundary holds another and no
    token occurs.  Then every other line is the same bytes in every copy and is no delimiter in any of them
    (it holds no boundary at all), and each delimiter line is one in all: the parse differs in nothing but
    the boundaries, which no item, finding or text holds (a part's header naming one, a line quoting it: the
    boundary occurs elsewhere, not renamed; a nested multipart read otherwise keeps its boundary in the
    key).  The top-level boundary becomes :data:`BOUNDARY_TOKEN`, the nested ones numbered tokens."""
    if headers.get_content_maintype() != "multipart":
        return None
    boundary = headers.get_boundary()
    if not boundary or not _BCHARS.fullmatch(boundary):
        return None
    data = body if isinstance(body, bytes) else bytes(body)
    if b"\x00" in data and _TOKEN_PREFIX in data:  # (a NUL byte is found ~7x faster than the token: most have none)
        return None
    renamed: list[tuple[str, str]] = []
    for name, value in shaping:
        if name == "content-type":
            if value.count(boundary) != 1 or BOUNDARY_TOKEN in value:
                return None
            value = value.replace(boundary, BOUNDARY_TOKEN)
        elif boundary in value:
            return None
        renamed.append((name, value))
    walk = _Walk(data)
    raw = boundary.encode("ascii")
    if not walk.multipart(raw, 0, len(data)):  # (it finds every occurrence of the boundary in the body)
        return None
    tokens = [BOUNDARY_TOKEN.encode("ascii"), *(f"\x00coinguard-boundary-{n}\x00".encode("ascii")
                                                for n in range(1, len(walk.boundaries)))]
    pieces: list[bytes] = []
    shifts: list[tuple[int, int]] = []  # (offset in data, what the renames before it add)
    start = shift = 0
    for pos, index in sorted(walk.renames):
        pieces += (data[start:pos], tokens[index])
        start = pos + len(walk.boundaries[index])
        shift += len(tokens[index]) - len(walk.boundaries[index])
        shifts.append((start, shift))
    pieces.append(data[start:])
    leaves = None
    if walk.leaves is not None:  # a payload holds no boundary: it moves by the renames before it, whole
        offsets = [s for s, _ in shifts]

        def moved(pos: int) -> int:
            n = bisect.bisect_right(offsets, pos)
            return pos + (shifts[n - 1][1] if n else 0)

        leaves = tuple((moved(a), moved(a) + (b - a)) for a, b in walk.leaves)
    return renamed, BodyShape(b"".join(pieces), leaves)


def _memo_has_urls(memo: Mapping[str, Any]) -> bool:
    """Whether a handler left URLs for the report in the memo (not in a body entry: not replayable)."""
    return "urls" in memo or any(isinstance(v, Mapping) and "urls" in v for v in memo.values())


def _incomplete(code: str) -> bool:
    from coinguard.catalogue import catalogue  # local: the catalogue imports every handler

    info = catalogue().get(code)
    return bool(info.incomplete) if info is not None and info.incomplete is not None else incomplete_by_name(code)


def _part_ref(data: bytes, shape: BodyShape, span: tuple[int, int]) -> list[Any] | None:
    """How the part at ``span`` gives ``data`` back (``["raw"|"b64", start, end, length]``), or None."""
    start, end = span
    part = shape.body[start:end]
    if part == data:
        return ["raw", start, end, len(data)]
    try:
        if binascii.a2b_base64(part) == data:
            return ["b64", start, end, len(data)]
    except (binascii.Error, ValueError):
        pass
    return None


def meta_replayable(items: Sequence[Item]) -> bool:
    """Whether every item's meta is a JSON value that reads back equal (a body entry can give it back).

    Not a property of the body: a live unpacker's run gives tuples (``ancestors``) where a run replayed
    by the per-item tier gives the lists it stored, so the next copy of the same body may pass."""
    for i in items:
        meta = dict(i.meta)
        try:
            if json.loads(json.dumps(meta)) != meta:
                return False  # a tuple, a non-str key...: it would read back as something else
        except (TypeError, ValueError):
            return False
    return True


def encode_body(items: Sequence[Item], top: int, findings: Sequence[Finding],
                passwords_read: str | None = None, shape: BodyShape | None = None, *,
                meta_checked: bool = False) -> bytes | None:
    """The body entry of one complete item loop, or None when it must not be stored (``meta_checked``: the
    caller has already asked :func:`meta_replayable` of ``items``).

    With the body's ``shape``, a large top-level item whose part gives its bytes back is stored as a
    reference to the part (checked here, on these very bytes), not as a copy: the entry stays small."""
    frecs: list[list[Any]] = []
    for f in findings:
        if NOT_CACHEABLE.search(f.code) or _incomplete(f.code):
            return None
        frecs.append([f.code, f.analyzer, f.path, f.detail, f.score, f.strength])
    if not meta_checked and not meta_replayable(items):
        return None
    leaves = shape.leaves if shape is not None and shape.leaves is not None and len(shape.leaves) == top else None
    irecs: list[list[Any]] = []
    inline: list[bytes] = []
    for n, i in enumerate(items):
        meta = dict(i.meta)
        ref = (_part_ref(i.data, shape, leaves[n]) if shape is not None and leaves is not None and n < top
               and len(i.data) >= BODY_REF_MIN else None)
        if ref is None:
            inline.append(i.data)
        irecs.append([i.path, i.name, str(i.type), i.depth, i.declared_type, str(i.role), i.source, i.sha256, meta,
                      ref if ref is not None else len(i.data)])
    head = json.dumps([BODY_FORMAT, top, irecs, frecs, passwords_read], ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8", "surrogatepass")
    return BODY_KIND + zstandard.compress(b"".join([len(head).to_bytes(4, "big"), head, *inline]), 1)


def _from_part(ref: Any, body: bytes | None) -> bytes:
    """The bytes of a referenced part (:func:`_part_ref`) in this copy's renamed ``body``."""
    kind, start, end, length = ref
    if body is None or not 0 <= start <= end <= len(body) or kind not in ("raw", "b64"):
        raise CacheFormatError("a part reference without its body")
    data = body[start:end] if kind == "raw" else binascii.a2b_base64(body[start:end])
    if len(data) != length:
        raise CacheFormatError("a part reference of the wrong length")
    return data


def decode_body(blob: bytes, headers: Message, body: bytes | None = None) -> BodyReplay:
    """Read a body entry back (findings marked cached); :class:`CacheFormatError` when it is not one.

    ``body``: this copy's body with its boundaries renamed (:attr:`BodyShape.body`), where the entry's part
    references point."""
    if blob[:1] not in (BODY_KIND, BODY_KIND_ZLIB):
        raise CacheFormatError(f"not a body entry ({blob[:1]!r})")
    try:
        data = _unzstd(blob[1:]) if blob[:1] == BODY_KIND else zlib.decompress(memoryview(blob)[1:])
        size = int.from_bytes(data[:4], "big")
        fmt, top, irecs, frecs, passwords_read = json.loads(data[4 : 4 + size].decode("utf-8", "surrogatepass"))
        if fmt != BODY_FORMAT:
            raise CacheFormatError(f"body entry format {fmt}, expected {BODY_FORMAT}")
        view = memoryview(data)
        pos = 4 + size
        items: list[Item] = []
        for path, name, typ, depth, declared, role, source, sha256, meta, src in irecs:
            if isinstance(src, list):
                item_data = _from_part(src, body)
            else:
                item_data = bytes(view[pos : pos + src])
                pos += src
            items.append(Item(path=path, name=name, data=item_data, type=typ, depth=depth,
                              declared_type=declared, role=role, source=source, sha256=sha256, meta=meta))
        if pos != len(data) or not 0 <= top <= len(items):
            raise CacheFormatError("body entry of the wrong length")
        findings = [Finding(code, analyzer, path, detail, score, strength=strength, cached=True)
                    for code, analyzer, path, detail, score, strength in frecs]
        if passwords_read is not None and not isinstance(passwords_read, str):
            raise CacheFormatError("corrupt password digest")
        return BodyReplay(headers, items, top, findings, passwords_read)
    except CacheFormatError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, zlib.error, zstandard.ZstdError, binascii.Error) as exc:
        raise CacheFormatError(f"corrupt body entry: {type(exc).__name__}: {exc}") from exc


def counts(cache: VerdictCache | None) -> dict[str, int]:
    """The cache's lookup counts so far (take one before a scan, give it to :func:`counts_since` after)."""
    return dict(cache.stats.counts) if cache is not None else {}


def counts_since(cache: VerdictCache | None, before: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """``Verdict.cache_counts``: this scan's lookups by result (empty without a cache)."""
    if cache is None:
        return ()
    return tuple((r, n - before.get(r, 0)) for r, n in cache.stats.counts.items())


def local_cache(settings: CacheConfig) -> VerdictCache | None:
    """An in-process cache for one offline run (``coinguard scan``): never the shared Redis."""
    return None if settings.backend == "off" else LruCache(settings)


__all__ = [
    "ITEM_INPUTS",
    "BodyCache",
    "BodyReplay",
    "BodyShape",
    "CacheConfig",
    "CacheFormatError",
    "CacheKey",
    "LruCache",
    "RedisCache",
    "Stats",
    "VerdictCache",
    "analyzer_version",
    "cached_run",
    "code_version",
    "counts",
    "counts_since",
    "decode",
    "decode_body",
    "decode_entry",
    "encode",
    "encode_body",
    "generation_for",
    "local_cache",
    "make_key",
    "mark_cached",
    "meta_replayable",
    "open_cache",
    "passwords_digest",
    "prefetch",
    "rules_generation",
    "run_item",
]
