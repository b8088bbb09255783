"""Optional external programs some unpackers need, and which of them this host lacks.

coinguard scans without them, but the content only they open cannot be read: a RAR needs one of
``unar``/``bsdtar``/7-Zip, disk images (VHD/VHDX, FAT/NTFS, pure UDF) and CAB need 7-Zip.  An
admin must learn that at start-up, from ``coinguard config check`` and from a metric, not from a
verdict much later.  :func:`tool_status` is the one place that looks (``shutil.which`` on PATH).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tool:
    name: str
    programs: tuple[str, ...]  # any one of them will do
    package: str  # the Debian package that provides it
    opens: str  # what content needs it


OPTIONAL_TOOLS: tuple[Tool, ...] = (
    Tool("7zz", ("7zz", "7z", "7za"), "7zip", "VHD/VHDX, FAT/NTFS and pure-UDF images, CAB (and RAR as a fallback)"),
    Tool("unar", ("unar",), "unar", "RAR archives (rarfile's decompressor)"),
    Tool("bsdtar", ("bsdtar",), "libarchive-tools", "RAR archives when unar is missing"),
)


@dataclass(frozen=True, slots=True)
class ToolStatus:
    tool: Tool
    path: str | None  # None: none of its programs is on PATH

    @property
    def present(self) -> bool:
        return self.path is not None


def tool_status(tools: tuple[Tool, ...] = OPTIONAL_TOOLS) -> list[ToolStatus]:
    """Each optional tool with the program found for it, or None."""
    out = []
    for tool in tools:
        found = next((p for p in map(shutil.which, tool.programs) if p), None)
        out.append(ToolStatus(tool, found))
    return out


def missing_tool_warnings(statuses: list[ToolStatus] | None = None) -> list[str]:
    """One line per missing tool: what it is, what cannot be read without it, how to install it."""
    statuses = tool_status() if statuses is None else statuses
    return [f"optional tool {s.tool.name} not found (apt-get install {s.tool.package}): {s.tool.opens}"
            " cannot be opened" for s in statuses if not s.present]
