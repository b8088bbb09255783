"""Shared driver for the coinguard fuzz harnesses (atheris, or a pure-Python mutation loop).

Each harness module defines ``TARGET`` (a ``test_one_input(data: bytes) -> None`` that lets
only real bugs escape) and ``seeds()`` (a list of starting inputs).  :func:`main` runs it:

* with atheris installed (``pip install atheris``), libFuzzer drives it with coverage
  feedback; the usual libFuzzer flags work (``-max_total_time=300 -rss_limit_mb=2048``);
  generated seeds are written to a temporary corpus directory unless one is given;
* without atheris (or with ``COINGUARD_FUZZ_ENGINE=mutate``) a seeded random mutation loop
  with the same flags ``-max_total_time=`` / ``-runs=`` / ``-seed=`` runs instead.

Either way an exception escaping ``TARGET`` stops the run with exit status 1 and the
offending input written to ``crash-<sha1>`` in the current directory (libFuzzer's own
artifact naming), so it can be replayed with ``python fuzz/<harness>.py crash-...``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for _path in (REPO / "milter", REPO / "tests"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

Target = Callable[[bytes], None]

#: The config every fuzzed scan uses: DNS to a closed loopback port (BRIEF: loopback only).
OFFLINE_TOML = '[dkim]\nnameservers = ["127.0.0.1"]\ndns_port = 9\ndns_timeout_s = 0.2\n'


def have_atheris() -> bool:
    return os.environ.get("COINGUARD_FUZZ_ENGINE", "") != "mutate" and importlib.util.find_spec("atheris") is not None


def instrumented() -> object:
    """``atheris.instrument_imports()`` when atheris drives the run, else a no-op context."""
    import contextlib

    if have_atheris():
        import atheris

        return atheris.instrument_imports(include=["coinguard"])
    return contextlib.nullcontext()


# region the pure-Python mutation engine --------------------------------------------------
_INTERESTING = (b"\x00", b"\xff", b"\r\n", b"\n\n", b"--", b"=?", b"?=", b"\\", b"/", b"../", b"\xe2\x80\xae",
                b"charset=", b"boundary=", b"PK\x03\x04", b"PK\x05\x06", b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07",
                b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"multipart/mixed", b"message/rfc822")


def mutate(data: bytes, rng: random.Random, pool: Sequence[bytes]) -> bytes:
    """One to eight random edits: flips, inserts, deletes, duplications, splices, magic values."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(8)
        pos = rng.randrange(len(buf) + 1)
        if op == 0 and buf:
            buf[min(pos, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf[pos:pos] = bytes([rng.randrange(256)])
        elif op == 2 and buf:
            del buf[pos:pos + rng.randint(1, 64)]
        elif op == 3 and buf:
            start = rng.randrange(len(buf))
            chunk = buf[start:start + rng.randint(1, 256)]
            buf[pos:pos] = chunk * rng.randint(1, 8)
        elif op == 4:
            buf[pos:pos] = rng.choice(_INTERESTING)
        elif op == 5 and pool:
            other = rng.choice(pool)
            cut = rng.randrange(len(other) + 1)
            buf[pos:] = other[cut:]
        elif op == 6 and len(buf) >= 4:
            at = rng.randrange(len(buf) - 3)
            buf[at:at + 4] = rng.choice((b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x7f\xff\xff\xff",
                                         b"\x01\x00\x00\x00"))
        elif op == 7 and buf:
            buf[min(pos, len(buf) - 1)] = rng.randrange(256)
    return bytes(buf[:4 * 1024 * 1024])


def _flags(argv: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    flags: dict[str, str] = {}
    rest: list[str] = []
    for arg in argv:
        if arg.startswith("-") and "=" in arg:
            key, value = arg.lstrip("-").split("=", 1)
            flags[key] = value
        else:
            rest.append(arg)
    return flags, rest


def _crash(data: bytes) -> None:
    name = f"crash-{hashlib.sha1(data).hexdigest()}"
    Path(name).write_bytes(data)
    print(f"==coinguard-fuzz== crash input written to {name}", file=sys.stderr)


def mutation_loop(target: Target, seeds: Sequence[bytes], argv: Sequence[str]) -> int:
    """Run ``target`` on mutated seeds until the time or run budget is spent; 1 on the first crash."""
    flags, _ = _flags(argv)
    budget = float(flags.get("max_total_time", "60"))
    runs = int(flags.get("runs", "-1"))
    rng = random.Random(int(flags.get("seed", "0")) or None)
    pool = [s for s in seeds if s] or [b""]
    started = time.monotonic()
    done = 0
    while (runs < 0 or done < runs) and time.monotonic() - started < budget:
        data = pool[done % len(pool)] if done < len(pool) else mutate(rng.choice(pool), rng, pool)
        try:
            target(data)
        except Exception:
            traceback.print_exc()
            _crash(data)
            return 1
        done += 1
        if done % 200 == 0 and len(pool) < 2000:
            pool.append(data)  # no coverage feedback: keep a sample of mutants as new parents
    elapsed = time.monotonic() - started
    print(f"==coinguard-fuzz== engine=mutate runs={done} elapsed_s={elapsed:.1f} "
          f"exec_per_s={done / max(elapsed, 1e-9):.0f} crashes=0", file=sys.stderr)
    return 0
# endregion


def replay(target: Target, paths: Sequence[str]) -> int:
    """Run ``target`` once on each file (a crash reproducer); 1 if any raises."""
    status = 0
    for path in paths:
        try:
            target(Path(path).read_bytes())
        except Exception:
            traceback.print_exc()
            status = 1
    return status


#: Crash signatures already filed (issue 10), as (exception type, innermost coinguard function).
#: ``COINGUARD_FUZZ_SKIP_KNOWN=1`` lets a long run go past them to find new ones; each has a
#: regression test in tests/hostile/.  Remove an entry when its fix lands.
#: None left: the charset/header UnicodeError/ValueError and the RecursionError of nested messages
#: are findings since issue 10 (tests/hostile/test_attacks.py holds their regressions).
KNOWN_CRASHES: frozenset[tuple[str, str]] = frozenset()


def signature(exc: BaseException) -> tuple[str, str]:
    """(exception type, innermost function of a coinguard module in its traceback)."""
    where = "?"
    for frame in traceback.extract_tb(exc.__traceback__):
        if "/coinguard/" in frame.filename.replace("\\", "/"):
            where = frame.name
    return type(exc).__name__, where


def skipping_known(target: Target) -> Target:
    def wrapped(data: bytes) -> None:
        try:
            target(data)
        except Exception as exc:
            kind, where = signature(exc)
            if (kind, where) in KNOWN_CRASHES or (kind, "*") in KNOWN_CRASHES:
                return
            raise
    return wrapped


class SlowInput(AssertionError):
    """An input under ``SLOW_MAX_BYTES`` that took more than ``COINGUARD_FUZZ_SLOW_S`` of CPU (a DoS)."""


#: Inputs at least this long may be slow without it counting (a cost linear in a big input is no bug).
SLOW_MAX_BYTES = 100_000


def flagging_slow(target: Target, limit_s: float) -> Target:
    """``target``, raising :class:`SlowInput` when a small input costs over ``limit_s`` CPU seconds.

    CPU time (``time.process_time``, every thread), not wall time: the host is shared.  A slow
    input is run a second time and counts only when that run is slow too, so a first call's
    warm-up (rules compiled, modules imported) or a noisy neighbour is not reported.
    """
    def timed(data: bytes) -> float:
        started = time.process_time()
        target(data)
        return time.process_time() - started

    def wrapped(data: bytes) -> None:
        if timed(data) > limit_s and len(data) < SLOW_MAX_BYTES:
            again = timed(data)
            if again > limit_s:
                raise SlowInput(f"{len(data)} bytes took {again:.2f} s of CPU (limit {limit_s} s)")
    return wrapped


def failure_key(exc: BaseException) -> str:
    """A short name for the kind of failure: one file kept per kind in a keep-going run."""
    if isinstance(exc, SlowInput):
        return "slow"
    if isinstance(exc, AssertionError) and str(exc).startswith("analyzer error:"):
        return "-".join(part.strip() for part in str(exc).split(":")[1:3])  # analyzer, exception type
    return "-".join(signature(exc))


def keeping_going(target: Target) -> Target:
    """``target``, logging each failure and keeping its smallest input per kind instead of stopping.

    ``COINGUARD_FUZZ_KEEP_GOING=1``: one run reports every kind of failure it meets (files
    ``found-<kind>-<sha1>`` in the current directory) and ends with libFuzzer's own final stats.
    """
    kept: dict[str, int] = {}

    def wrapped(data: bytes) -> None:
        try:
            target(data)
        except Exception as exc:
            key = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in failure_key(exc))[:80]
            if key in kept and kept[key] <= len(data):
                return
            kept[key] = len(data)
            Path(f"found-{key}-{hashlib.sha1(data).hexdigest()}").write_bytes(data)
            print(f"==coinguard-fuzz== {key}: {len(data)} bytes: {type(exc).__name__}: {str(exc)[:300]}",
                  file=sys.stderr)
    return wrapped


def main(target: Target, seeds: Callable[[], Sequence[bytes]], argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if os.environ.get("COINGUARD_FUZZ_SKIP_KNOWN", "") == "1":
        target = skipping_known(target)
    if slow_s := float(os.environ.get("COINGUARD_FUZZ_SLOW_S", "0") or 0):
        target = flagging_slow(target, slow_s)
    if os.environ.get("COINGUARD_FUZZ_KEEP_GOING", "") == "1":
        target = keeping_going(target)
    _, rest = _flags(argv[1:])
    files = [p for p in rest if Path(p).is_file()]
    if files and not [p for p in rest if Path(p).is_dir()]:
        return replay(target, files)
    if not have_atheris():
        return mutation_loop(target, seeds(), argv[1:])
    import atheris

    dirs = [p for p in rest if Path(p).is_dir()]
    if not dirs:
        seed_dir = tempfile.mkdtemp(prefix="coinguard-fuzz-")
        for n, seed in enumerate(seeds()):
            Path(seed_dir, f"seed-{n:03d}").write_bytes(seed)
        argv.append(seed_dir)
    atheris.Setup(argv, target)
    atheris.Fuzz()
    return 0
