"""POSIX/GNU tar archives (compressed tars reach here through :mod:`compressed` as a ``tar`` child).

Only regular files become children: links, devices and FIFOs are names, never followed.
A sparse member declares its full size but stores only its data runs; the runs count as its
compressed size, so a sparse "bomb" trips the expansion ratio before it is read.
"""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from io import BytesIO
from typing import ClassVar, cast

from coinguard.findings import CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext
from coinguard.limits import read_bounded
from coinguard.unpack.common import ARCHIVE_CODES, LIMIT_FILES, Entry, expand, finding, parse_error

#: Headers parsed at most per archive (a tar has no central directory: listing walks it).
_MAX_HEADERS = 100_000


class _TarReader:
    def __init__(self, tf: tarfile.TarFile, max_entries: int) -> None:
        self.tf = tf
        self.max_entries = max_entries
        self.truncated = False
        self.error: Exception | None = None

    def entries(self) -> list[Entry]:
        out: list[Entry] = []
        try:
            for count, info in enumerate(self.tf):
                if count >= self.max_entries:
                    self.truncated = True
                    break
                if not info.isreg():
                    continue
                # typeshed says bytes; tarfile keeps [(offset, size), ...] for GNU sparse members
                sparse = cast("list[tuple[int, int]] | None", info.sparse)
                stored = sum(size for _offset, size in sparse) if sparse else info.size
                out.append(Entry(name=info.name, size=info.size, compressed=stored, key=info))
        except tarfile.TarError as exc:  # damaged after some good members: keep those
            if not out:
                raise
            self.error = exc
        return out

    def read(self, entry: Entry, password: str | None, cap: int) -> bytes:
        fh = self.tf.extractfile(entry.key)
        if fh is None:
            return b""
        with fh:
            return read_bounded(fh.read, cap, entry.name)


class TarArchive:
    name: ClassVar[str] = "tar"
    codes: ClassVar[tuple[CodeInfo, ...]] = ARCHIVE_CODES

    def applies_to(self, item: Item) -> bool:
        return item.type == "tar"

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        try:
            tf = tarfile.open(fileobj=BytesIO(item.data), mode="r:")  # noqa: SIM115 - closed below
        except Exception as exc:
            yield parse_error(self.name, item, exc)
            return
        with tf:
            limit = min(_MAX_HEADERS, ctx.budget.limits.max_files * 4)
            reader = _TarReader(tf, limit)
            yield from expand(item, ctx, reader, self.name, check_passwords=False)
        if reader.error is not None:
            yield parse_error(self.name, item, reader.error)
        if reader.truncated:
            yield finding(LIMIT_FILES, self.name, item, f"more than {limit} headers; the rest was not read")
