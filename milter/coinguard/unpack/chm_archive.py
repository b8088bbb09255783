"""Compiled HTML Help (``.chm``, ITSF) files, opened so that each topic is analysed like any file.

A CHM is an archive of HTML topics, scripts and pictures (ITSF header, PMGL directory chunks,
content sections usually LZX-compressed) that ``hh.exe`` renders with the Internet Explorer engine:
a topic can start a program through the HTML Help ActiveX control (``Command=ShortCut``), or run
VBScript/JScript with ``WScript.Shell``.  No well-kept Python library decompresses LZX, so the
7-Zip program reads the file (see :class:`~coinguard.unpack.common.ToolReader`); its topics become
child Items, judged by the markup analyzer (``markup.hh_shortcut``), the script checks and YARA.

The CHM itself is only ``file.chm`` (strong: a code-running container) in the filetype analyzer;
it becomes conclusive evidence through what its topics do, never by its type alone (help files
are still shipped with software).  A CHM 7-Zip cannot read is a parse error: verdict unchecked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from coinguard.findings import CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext
from coinguard.sniff import ItemType
from coinguard.unpack.common import ARCHIVE_CODES, expand_with_tool

#: 7-Zip's name of the format (``-tChm``): ITSF with its LZX or uncompressed content sections.
SEVENZIP_FORMAT = "Chm"


class ChmArchive:
    name: ClassVar[str] = "chm"
    codes: ClassVar[tuple[CodeInfo, ...]] = ARCHIVE_CODES

    def applies_to(self, item: Item) -> bool:
        return item.type == ItemType.CHM

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        yield from expand_with_tool(item, ctx, self.name, SEVENZIP_FORMAT)
