"""Fuzz ``scan_message`` on a mutated attachment wrapped in a well-formed MIME message.

The mutation lands in the attachment bytes only, so every input reaches the unpackers
and analyzers instead of dying in the MIME parser.  Crash = exception escaping scan_message.
"""

from __future__ import annotations

import sys

import harness
from fuzz_scan_message import check, context

with harness.instrumented():  # type: ignore[attr-defined]
    from coinguard.scan import scan_message

from helpers import make_message

NAMES = ("invoice.zip", "wallet.pdf", "statement.docm", "report.7z", "a.lnk", "key.rar", "img.iso", "doc.hwp")


def TARGET(data: bytes) -> None:
    name = NAMES[len(data) % len(NAMES)]
    check(scan_message(make_message(subject="invoice", attachments=[(name, data)]), context()))


def seeds() -> list[bytes]:
    import seeds as s

    return list(s.files())


if __name__ == "__main__":
    sys.exit(harness.main(TARGET, seeds))
