"""macOS carriers: disk images, installer packages, application bundles and AppleScript.

Wallet stealers for the Mac (Atomic/AMOS, Cuckoo, Realst) reach crypto holders as a ``.dmg``
holding an ``.app``, an installer ``.pkg`` whose pre/post-install scripts run as root, a zip of an
``.app`` bundle, compiled AppleScript (``.scpt``) or AppleScript source that calls
``do shell script``.  Shell scripts named ``.command`` (Terminal runs them on double-click) are
judged by the filetype analyzer.

- ``dmg`` (UDIF ``koly`` trailer), ``xar`` (``.pkg``) and ``applescript`` (compiled ``FasdUAS``)
  come from :mod:`coinguard.sniff`;
- an Item whose path lies in ``<name>.app/Contents/MacOS/`` is the bundle's executable;
- a package's table of contents (zlib XML) says whether it carries install scripts; once the
  unpackers opened the package (xar -> gzip -> cpio), the scripts themselves (``preinstall``,
  ``postinstall``...: the installer runs them as root) are judged by what they do.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from typing import ClassVar

from coinguard.analyzers.script_common import behaviour
from coinguard.findings import Category, CodeInfo, Finding, Item, Strength
from coinguard.handlers import AnalysisContext
from coinguard.sniff import ItemType

A = Category.ATTACHMENT
#: Largest xar table of contents inflated (real ones are KiB to a few MiB).
MAX_TOC_BYTES = 8 << 20
_BUNDLE_EXEC = re.compile(r"(?i)(?:^|/)[^/]+\.app/Contents/MacOS/[^/]+$")
_PKG_SCRIPTS = re.compile(rb"<name>\s*(?:Scripts|preinstall|postinstall|preflight|postflight)\s*</name>", re.I)
_APPLESCRIPT_SOURCE = re.compile(rb"(?i)\b(?:tell\s+application\s+\"|do\s+shell\s+script\b|display\s+dialog\b)")
_APPLESCRIPT_NAMES = re.compile(r"(?i)\.(?:scpt|applescript|scptd)$")
#: The script names macOS Installer runs (as root) from a package's Scripts archive.
_INSTALL_SCRIPT = re.compile(r"(?i)^(?:pre|post)(?:install|upgrade|flight)$")


def _basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def pkg_scripts(data: bytes) -> list[str]:
    """Names of install scripts in a xar package's table of contents ([] when it has none)."""
    if len(data) < 28:
        raise ValueError("truncated xar header")
    header_size, _version, toc_compressed = struct.unpack(">HHQ", data[4:16])
    toc = data[header_size:header_size + toc_compressed]
    inflater = zlib.decompressobj()
    xml = inflater.decompress(toc, MAX_TOC_BYTES)
    names = {m.group(0).decode("latin-1").split(">")[1].split("<")[0].strip() for m in _PKG_SCRIPTS.finditer(xml)}
    return sorted(names)


class MacCarriers:
    """Disk images, installer packages, app bundles and AppleScript for macOS."""

    name: ClassVar[str] = "macos"
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("macos.disk_image", 6.0, A, "a macOS disk image (.dmg), the usual carrier of Mac wallet stealers",
                 strength=Strength.STRONG),
        CodeInfo("macos.package", 6.0, A, "a macOS installer package (.pkg, xar)", strength=Strength.STRONG),
        CodeInfo("macos.package_scripts", 14.0, A,
                 "a macOS installer package with pre/post-install scripts (they run as root when it is opened)",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("macos.app_bundle", 12.0, A,
                 "an application bundle's executable (<name>.app/Contents/MacOS/...) delivered in an archive",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("macos.applescript", 6.0, A, "compiled AppleScript or AppleScript source (.scpt/.applescript)",
                 strength=Strength.STRONG),
        CodeInfo("macos.script_behavior", 12.0, A,
                 "AppleScript that runs shell commands (do shell script), downloads or removes the quarantine flag",
                 strength=Strength.CONCLUSIVE),
        CodeInfo("macos.install_script_behavior", 14.0, A,
                 "a package install script (preinstall/postinstall, run as root) that downloads, runs or "
                 "unquarantines something", strength=Strength.CONCLUSIVE),
        CodeInfo("macos.parse_error", 1.0, A, "a macOS package could not be read"),
    )

    def applies_to(self, item: Item) -> bool:
        return (item.type in (ItemType.DMG, ItemType.XAR, ItemType.APPLESCRIPT)
                or bool(_BUNDLE_EXEC.search(item.path))
                or (item.type == ItemType.SCRIPT_SH and bool(_INSTALL_SCRIPT.match(_basename(item.name))))
                or (bool(_APPLESCRIPT_NAMES.search(item.name)) and item.type == ItemType.TEXT))

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        if item.type == ItemType.DMG:
            yield Finding("macos.disk_image", self.name, item.path, f"UDIF disk image, {item.size} bytes")
        elif item.type == ItemType.XAR:
            yield Finding("macos.package", self.name, item.path, f"xar installer package, {item.size} bytes")
            try:
                scripts = pkg_scripts(item.data)
            except (ValueError, zlib.error, struct.error) as exc:
                yield Finding("macos.parse_error", self.name, item.path, f"xar: {exc}")
                return
            if scripts:
                yield Finding("macos.package_scripts", self.name, item.path, ", ".join(scripts[:6]))
        elif item.type == ItemType.APPLESCRIPT or _APPLESCRIPT_NAMES.search(item.name):
            yield from self._applescript(item)
        elif item.type == ItemType.SCRIPT_SH:
            hits, hidden = behaviour(item.data[:1 << 20].decode("latin-1"))
            if hits:
                extra = " (after de-obfuscation)" if hidden else ""
                yield Finding("macos.install_script_behavior", self.name, item.path,
                              f"{_basename(item.name)}: {', '.join(hits[:6])}{extra}")
        if _BUNDLE_EXEC.search(item.path) and item.type != ItemType.EMPTY:
            yield Finding("macos.app_bundle", self.name, item.path, f"{item.type} bundle executable")

    def _applescript(self, item: Item) -> Iterator[Finding]:
        compiled = item.type == ItemType.APPLESCRIPT
        if not compiled and not _APPLESCRIPT_SOURCE.search(item.data[:1 << 20]):
            return
        yield Finding("macos.applescript", self.name, item.path, "compiled AppleScript" if compiled else "source")
        # compiled scripts keep their string literals readable (UTF-16 or MacRoman)
        text = item.data[:1 << 20].decode("latin-1").replace("\x00", "")
        hits, _hidden = behaviour(text)
        if hits:
            yield Finding("macos.script_behavior", self.name, item.path, ", ".join(hits[:6]))
