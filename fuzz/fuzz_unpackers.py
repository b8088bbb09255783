"""Fuzz the unpackers on mutated container bytes.

``COINGUARD_FUZZ_UNPACKER=zip`` (or 7z, rar, compressed, tar, cab, chm, disk_image, message)
fuzzes one unpacker, with the input's sniffed type when the unpacker accepts it (so
``disk_image`` sees dmg, xar and cpio seeds as such) and else a type forced on it; unset, every input goes
to each unpacker that accepts its sniffed type and to one more chosen by the input length.
Crash = an exception other than the budget's own BudgetExceeded escaping ``unpack``.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from typing import Any

import harness

with harness.instrumented():  # type: ignore[attr-defined]
    from coinguard.config import parse_config
    from coinguard.errors import BudgetExceeded
    from coinguard.findings import Item
    from coinguard.limits import Budget
    from coinguard.sniff import sniff
    from coinguard.unpack import UNPACKERS

from hostile.hostile_imports import AnalysisContext

#: Item types the unpackers accept, tried in order to force one on an input.
TYPES = ("zip", "7z", "rar", "gzip", "bzip2", "xz", "lzma", "zstd", "tar", "cab", "iso", "udf", "img", "vhd",
         "vhdx", "vmdk", "dmg", "xar", "cpio", "chm", "eml", "ole.msg", "tnef")
CHOSEN = os.environ.get("COINGUARD_FUZZ_UNPACKER", "")


@cache
def config() -> Any:
    return parse_config(harness.OFFLINE_TOML + "[scan]\ntimeout_s = 5\n")


def accepts(unpacker: Any, kind: str) -> bool:
    return bool(unpacker.applies_to(Item(path="x", name="x", data=b"", type=kind)))


def forced_type(unpacker: Any) -> str | None:
    return next((kind for kind in TYPES if accepts(unpacker, kind)), None)


def run(unpacker: Any, data: bytes, kind: str) -> None:
    cfg = config()
    ctx = AnalysisContext(config=cfg, budget=Budget(cfg.scan.limits()), passwords=("infected",))
    item = Item(path="fuzz.bin", name="fuzz.bin", data=data, type=kind)
    try:
        for _out in unpacker.handle(item, ctx):  # ``handle`` since the restructuring (was ``unpack``)
            pass
    except BudgetExceeded:
        pass


def TARGET(data: bytes) -> None:
    if CHOSEN:
        unpacker = next(u for u in UNPACKERS if u.name == CHOSEN)
        sniffed = sniff(data)
        kind = sniffed if accepts(unpacker, sniffed) else forced_type(unpacker)
        if kind:
            run(unpacker, data, kind)
        return
    sniffed = sniff(data)
    for unpacker in UNPACKERS:
        if accepts(unpacker, sniffed):
            run(unpacker, data, sniffed)
    extra = UNPACKERS[len(data) % len(UNPACKERS)]
    kind = forced_type(extra)
    if kind:
        run(extra, data, kind)


def seeds() -> list[bytes]:
    import seeds as s

    return list(s.files())


if __name__ == "__main__":
    sys.exit(harness.main(TARGET, seeds))
