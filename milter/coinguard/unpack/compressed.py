"""Single-stream compression: gzip, bzip2, xz/lzma, zstd and raw zlib (RFC 1950).  One child: the decompressed data.

These formats declare no trustworthy size (gzip's ISIZE is modulo 2**32 and attacker-set),
so the expansion ratio is checked while streaming, against the input consumed so far.  The child
is named after the parent with the compression suffix removed (``report.tar.gz`` -> ``report.tar``).
"""

from __future__ import annotations

import bz2
import lzma
import zlib
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from coinguard.errors import BudgetExceeded
from coinguard.findings import CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext
from coinguard.limits import TIMEOUT
from coinguard.unpack.common import (
    ARCHIVE_CODES,
    decompress_stream,
    limit_finding,
    member_item,
    parse_error,
    unless_recursive,
)

try:  # Python 3.14+
    from compression import zstd as _zstd  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from backports import zstd as _zstd  # type: ignore[no-redef]
    except ImportError:
        _zstd = None


def _zstd_decompressor() -> Any:
    if _zstd is None:
        raise RuntimeError("zstd support is not installed (backports.zstd)")
    return _zstd.ZstdDecompressor()


_DECOMPRESSORS: dict[str, Callable[[], Any]] = {
    "gzip": lambda: zlib.decompressobj(16 + zlib.MAX_WBITS),
    "bzip2": bz2.BZ2Decompressor,
    "xz": lzma.LZMADecompressor,
    "zstd": _zstd_decompressor,
    "zlib": zlib.decompressobj,  # the header's window size and the Adler-32 trailer are checked
}
_SUFFIXES = {
    "gzip": (".gz", ".gzip", ".z"),
    "bzip2": (".bz2", ".bzip2", ".bz"),
    "xz": (".xz", ".lzma"),
    "zstd": (".zst", ".zstd"),
    "zlib": (".zlib", ".zz", ".z"),
}
_TAR_ALIASES = (".tgz", ".tbz", ".tbz2", ".txz", ".tzst")


def inner_name(name: str, kind: str) -> str:
    """``a.tar.gz`` -> ``a.tar``, ``a.tgz`` -> ``a.tar``, ``a.bin`` -> ``a.bin.out``."""
    lower = name.lower()
    for suffix in _TAR_ALIASES:
        if lower.endswith(suffix):
            return name[: -len(suffix)] + ".tar"
    for suffix in _SUFFIXES.get(kind, ()):
        if lower.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return (name or kind) + ".out"


class CompressedStream:
    name: ClassVar[str] = "compressed"
    codes: ClassVar[tuple[CodeInfo, ...]] = ARCHIVE_CODES

    def applies_to(self, item: Item) -> bool:
        return item.type in _DECOMPRESSORS

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        name = inner_name(item.name or item.path.rsplit("/", 1)[-1], item.type)
        try:
            data, complete = decompress_stream(_DECOMPRESSORS[item.type], item.data, ctx.budget.member_cap(), name, ctx)
        except BudgetExceeded as exc:
            if exc.code == TIMEOUT:
                raise
            yield limit_finding(exc, self.name, item)
            return
        except Exception as exc:  # zlib.error, OSError, LZMAError, ZstdError
            yield parse_error(self.name, item, exc)
            return
        if not complete:
            yield parse_error(self.name, item, f"truncated {item.type} stream, or bytes after it that are none "
                                               f"({len(data)} bytes recovered)")
        if data:
            yield unless_recursive(item, member_item(item, name, data, self.name), self.name)  # a gzip quine
