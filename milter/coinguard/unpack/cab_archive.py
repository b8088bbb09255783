"""Microsoft Cabinet files (MSZIP, LZX, Quantum) through the 7-Zip program.

No well-kept Python library decompresses LZX cabinets, so the cabinet is read by 7-Zip from a
private temporary copy (see :class:`~coinguard.unpack.common.ToolReader`); sizes from the
cabinet's file table are checked against the Budget before any member is decompressed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from coinguard.findings import CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext
from coinguard.unpack.common import ARCHIVE_CODES, expand_with_tool


class CabArchive:
    name: ClassVar[str] = "cab"
    codes: ClassVar[tuple[CodeInfo, ...]] = ARCHIVE_CODES

    def applies_to(self, item: Item) -> bool:
        return item.type == "cab"

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        yield from expand_with_tool(item, ctx, self.name, "cab")
