"""Compiled HTML Help (``.chm``, ITSF) files, opened so that each topic is analysed like any file.

A CHM is an archive of HTML topics, scripts and pictures (ITSF header, PMGL directory chunks,
content sections usually LZX-compressed) that ``hh.exe`` renders with the Internet Explorer engine:
a topic can start a program through the HTML Help ActiveX control (``Command=ShortCut``), or run
VBScript/JScript with ``WScript.Shell``.  No well-kept Python library decompresses LZX, so the
7-Zip program reads the file (see :class:`~coinguard.unpack.common.ToolReader`); its topics become
child Items, judged by the markup analyzer (``markup.hh_shortcut``), the script checks and YARA.

A help file holds hundreds of small topics, and one 7-Zip run per member costs milliseconds each:
:class:`ChmReader` reads them all in one run to stdout and cuts the stream by the listed sizes
(7-Zip writes members in listing order), checked against a member read on its own; when the
sizes do not add up, or the whole is too big to hold, members are read one by one as usual.

The CHM itself is only ``file.chm`` (strong: a code-running container) in the filetype analyzer;
it becomes conclusive evidence through what its topics do, never by its type alone (help files
are still shipped with software).  A CHM 7-Zip cannot read is a parse error: verdict unchecked.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from typing import ClassVar

from coinguard import subproc
from coinguard.errors import BudgetExceeded
from coinguard.findings import CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext
from coinguard.limits import MiB, read_bounded
from coinguard.sniff import ItemType
from coinguard.unpack.common import (
    ARCHIVE_CODES,
    UNREADABLE,
    Entry,
    ToolReader,
    expand,
    finding,
    parse_error,
    sevenzip_program,
)

log = logging.getLogger(__name__)

#: 7-Zip's name of the format (``-tChm``): ITSF with its LZX or uncompressed content sections.
SEVENZIP_FORMAT = "Chm"
#: Largest total of listed sizes read in one 7-Zip run (held in memory at once).
MAX_BATCH_BYTES = 64 * MiB


class ChmReader(ToolReader):
    """A :class:`ToolReader` that extracts every member in one 7-Zip run, then hands out slices."""

    def __init__(self, data: bytes, ctx: AnalysisContext) -> None:
        super().__init__(data, SEVENZIP_FORMAT, ctx)
        self._batch: dict[str, bytes] | None = None

    def read(self, entry: Entry, password: str | None, cap: int) -> bytes:
        if self._batch is None:
            self._batch = self._read_all()
        data = self._batch.get(str(entry.key))
        if data is None:
            return super().read(entry, password, cap)
        if len(data) > cap:
            raise BudgetExceeded("container.limit.file_size", f"{entry.name}: more than {cap} bytes")
        return data

    def _read_all(self) -> dict[str, bytes]:
        """Every listed member by name, or {} when the one-run output cannot be trusted."""
        listed = self._listed
        total = sum(e.size for e in listed)
        if len(listed) < 2 or total > min(MAX_BATCH_BYTES, self.ctx.budget.member_cap()):
            return {}
        with subproc.tool_process([*self._base("x"), "-so", self.path], self._timeout(),
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
            assert proc.stdout is not None
            try:
                blob = read_bounded(proc.stdout.read, total + 1, "chm")
            except BudgetExceeded:
                blob = b""
        if proc.timed_out:  # stalled: its group was killed; the member-by-member walk reports what it can
            return {}
        if len(blob) != total:
            log.debug("chm: one-run output of %d bytes, %d listed; reading members one by one", len(blob), total)
            return {}
        out, at = {}, 0
        for e in listed:
            out[str(e.key)] = blob[at : at + e.size]
            at += e.size
        probe = max(listed, key=lambda e: e.size)  # the order checked on the biggest member, read alone
        try:
            alone = super().read(probe, None, probe.size + 1)
        except Exception as exc:  # unreadable alone: let the member-by-member walk report it
            log.debug("chm: probe %s failed: %s", probe.name, exc)
            return {}
        if alone != out[str(probe.key)]:
            log.debug("chm: one-run output not in listing order; reading members one by one")
            return {}
        return out


class ChmArchive:
    name: ClassVar[str] = "chm"
    codes: ClassVar[tuple[CodeInfo, ...]] = ARCHIVE_CODES

    def applies_to(self, item: Item) -> bool:
        return item.type == ItemType.CHM

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        if sevenzip_program() is None:
            yield finding(UNREADABLE, self.name, item,
                          "the 7-Zip program (7zz) is not installed: nothing could be read")
            return
        try:
            reader = ChmReader(item.data, ctx)
        except Exception as exc:
            yield parse_error(self.name, item, exc)
            return
        try:
            yield from expand(item, ctx, reader, self.name, check_passwords=False)
        finally:
            reader.close()
