"""Scan limits (from ``[scan]`` config) and the per-message Budget that enforces them.

Every limit is checked here and nowhere else.  Unpackers and analyzers ask the
Budget before they decompress or recurse; a limit that is hit raises
:class:`~coinguard.errors.BudgetExceeded` carrying the finding code, which the
scan loop turns into a finding.  Nothing reads more than the budget allows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from coinguard.errors import BudgetExceeded
from coinguard.findings import Category, CodeInfo, Strength

MiB = 1024 * 1024

#: The finding codes the Budget raises (in BudgetExceeded.code); unpackers emit some of them too.
TIMEOUT = "scan.timeout"
LIMIT_DEPTH = "container.limit.depth"
LIMIT_FILES = "container.limit.files"
LIMIT_BYTES = "container.limit.bytes"
LIMIT_FILE_SIZE = "container.limit.file_size"
BOMB = "container.bomb"
RECURSIVE = "container.recursive"

CODES: tuple[CodeInfo, ...] = (
    CodeInfo(TIMEOUT, 3.0, Category.INTERNAL,
             "The per-message scan time ran out inside the worker; the rest of the message was not analysed "
             "(verdict unchecked)."),
    CodeInfo(LIMIT_DEPTH, 3.0, Category.CONTAINER,
             "Containers nested deeper than scan.max_depth; the deeper layers were not read (verdict unchecked)."),
    CodeInfo(LIMIT_FILES, 3.0, Category.CONTAINER,
             "More files than scan.max_files in one message; the rest were not read (verdict unchecked)."),
    CodeInfo(LIMIT_BYTES, 3.0, Category.CONTAINER,
             "Expanded content passed scan.max_expanded_bytes; the rest was not unpacked."),
    CodeInfo(LIMIT_FILE_SIZE, 2.0, Category.CONTAINER,
             "One file larger than scan.max_file_bytes was not unpacked."),
    CodeInfo(BOMB, 15.0, Category.CONTAINER,
             "Decompression bomb: declared expansion ratio over scan.max_ratio, or overlapping entries.",
             incomplete=False),  # evidence in itself: malicious, not merely unread
    CodeInfo(RECURSIVE, 15.0, Category.CONTAINER,
             "An archive holds a byte-identical copy of itself or of an archive enclosing it (a zip quine, a "
             "self-referencing nest): no archiver makes one, it exists to keep scanners unpacking until they give "
             "up (scanner evasion, a bomb of infinite depth). The copy is not unpacked again: its content is "
             "what is already being read.", strength=Strength.CONCLUSIVE, incomplete=False),
)

#: Expansion below this many bytes is never called a bomb, whatever its ratio
#: (a 20 KiB run of zeros compresses 1000:1 and is harmless).
RATIO_FLOOR_BYTES = 1 * MiB


@dataclass(frozen=True, slots=True)
class Limits:
    max_message_bytes: int = 64 * MiB
    max_depth: int = 8
    max_files: int = 1000
    max_expanded_bytes: int = 256 * MiB
    max_ratio: float = 150.0
    max_file_bytes: int = 64 * MiB
    timeout_s: float = 60.0
    yara_timeout_s: int = 10


class Budget:
    """Counts what one message has cost so far.  Not thread-safe: one per scan."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self.started = clock()
        self.deadline = self.started + limits.timeout_s
        self.files = 0
        self.expanded_bytes = 0

    # -- time -------------------------------------------------------------
    def time_left(self) -> float:
        return max(0.0, self.deadline - self._clock())

    def check_time(self) -> None:
        if self._clock() >= self.deadline:
            raise BudgetExceeded(TIMEOUT, f"scan time limit {self.limits.timeout_s:g}s reached")

    def yara_timeout(self) -> int:
        """Seconds a single YARA match may take: the rule limit, capped by time left."""
        return max(1, min(self.limits.yara_timeout_s, int(self.time_left()) or 1))

    # -- size and count ---------------------------------------------------
    def member_cap(self) -> int:
        """The most bytes an unpacker may produce for one member right now."""
        left = self.limits.max_expanded_bytes - self.expanded_bytes
        return max(0, min(self.limits.max_file_bytes, left))

    def check_member(self, name: str, declared_size: int, compressed_size: int | None = None) -> None:
        """Call before extracting a member whose header declares ``declared_size``.

        Raises for a member over the single-file limit, over what is left of the
        total, or whose declared expansion ratio marks a decompression bomb.
        """
        if compressed_size is not None:
            self.check_ratio(name, compressed_size, declared_size)
        if declared_size > self.limits.max_file_bytes:
            raise BudgetExceeded(
                LIMIT_FILE_SIZE,
                f"{name}: {declared_size} bytes over the {self.limits.max_file_bytes} byte file limit",
            )
        if self.expanded_bytes + declared_size > self.limits.max_expanded_bytes:
            raise BudgetExceeded(
                LIMIT_BYTES,
                f"{name}: expanding would pass the {self.limits.max_expanded_bytes} byte total",
            )

    def check_ratio(self, name: str, compressed_size: int, expanded_size: int) -> None:
        if expanded_size <= RATIO_FLOOR_BYTES:
            return
        ratio = expanded_size / max(1, compressed_size)
        if ratio > self.limits.max_ratio:
            raise BudgetExceeded(
                BOMB,
                f"{name}: {expanded_size} bytes from {compressed_size} (ratio {ratio:.0f} > {self.limits.max_ratio:g})",
            )

    def check_depth(self, depth: int, name: str = "") -> None:
        if depth > self.limits.max_depth:
            raise BudgetExceeded(LIMIT_DEPTH, f"{name}: nesting deeper than {self.limits.max_depth}")

    def admit(self, name: str, size: int, depth: int) -> None:
        """Account for one produced item (called by the scan loop for every child)."""
        self.check_depth(depth, name)
        if self.files + 1 > self.limits.max_files:
            raise BudgetExceeded(LIMIT_FILES, f"more than {self.limits.max_files} files")
        if size > self.limits.max_file_bytes:
            raise BudgetExceeded(
                LIMIT_FILE_SIZE, f"{name}: {size} bytes over the {self.limits.max_file_bytes} byte limit"
            )
        if self.expanded_bytes + size > self.limits.max_expanded_bytes:
            raise BudgetExceeded(
                LIMIT_BYTES, f"{name}: total expanded bytes over {self.limits.max_expanded_bytes}"
            )
        self.files += 1
        self.expanded_bytes += size


def read_bounded(read: Callable[[int], bytes], cap: int, name: str, chunk: int = 1 << 16) -> bytes:
    """Read from a stream-like ``read`` until EOF, refusing to produce more than ``cap`` bytes.

    Used for decompressors whose headers may lie about sizes.
    """
    parts: list[bytes] = []
    total = 0
    while True:
        block = read(min(chunk, cap - total + 1))
        if not block:
            break
        total += len(block)
        if total > cap:
            raise BudgetExceeded(LIMIT_FILE_SIZE, f"{name}: more than {cap} bytes when decompressed")
        parts.append(block)
    return b"".join(parts)
