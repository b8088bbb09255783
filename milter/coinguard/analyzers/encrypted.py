"""Password-protected Office documents (msoffcrypto-tool).

An encrypted document cannot be scanned, which is why attackers send them with the password
in the mail body.  Encryption is a finding by itself (``office.encrypted``).  We then try:

1. ``VelvetSweatshop``, Excel's built-in password: a workbook encrypted with it opens with no
   prompt at all, so macro malware uses it to hide from scanners (``office.encrypted.default_password``);
2. the candidates harvested from the message subject/body plus the configured list (``ctx.passwords``).

When one opens the document, the decrypted bytes become a child Item (role ``extracted``, meta
``password``) and go through every analyzer like any other attachment.  Attempts are bounded in
number and time: agile encryption costs 100,000 hash rounds per guess.

Covers OOXML in a CFB ``EncryptedPackage`` (``ole.encrypted``: standard and agile) and legacy
RC4/CryptoAPI/XOR encrypted .doc, .xls and .ppt.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any, ClassVar

import msoffcrypto
from msoffcrypto import exceptions as crypto_errors

from coinguard.analyzers.office_common import guarded, oversized
from coinguard.findings import Category, CodeInfo, Finding, Item, Role, Strength
from coinguard.handlers import AnalysisContext
from coinguard.limits import MiB
from coinguard.sniff import sniff

log = logging.getLogger(__name__)

#: Excel's "transparent" password: the file opens without asking.
DEFAULT_PASSWORD = "VelvetSweatshop"
#: At most this many passwords are tried per document (the default one included).
MAX_ATTEMPTS = 24
#: Stop guessing when less than this much scan time is left.
MIN_SECONDS_LEFT = 3.0
MAX_ENCRYPTED_BYTES = 48 * MiB

_TYPES = frozenset({"ole.encrypted", "ole.doc", "ole.xls", "ole.ppt"})
_OPENED_TYPES = frozenset({"ooxml.word", "ooxml.excel", "ooxml.powerpoint", "ooxml.other", "zip",
                           "ole.doc", "ole.xls", "ole.ppt", "ole.other"})


class EncryptedOffice:
    """Encrypted Office documents: report, try the default and harvested passwords, decrypt."""

    name: ClassVar[str] = "encrypted"
    codes: ClassVar[tuple[CodeInfo, ...]] = (
        CodeInfo("office.encrypted", 3, Category.CONTAINER, "password-protected Office document (content hidden)",
                 strength=Strength.WEAK),
        CodeInfo("office.encrypted.default_password", 6, Category.ATTACHMENT,
                 "encrypted with Excel's built-in VelvetSweatshop password: opens silently, hides from scanners",
                 strength=Strength.STRONG),
        CodeInfo("office.encrypted.opened", 0, Category.CONTAINER,
                 "encrypted document opened with a password from the message or the configured list"),
        CodeInfo("office.encrypted.unopened", 1, Category.CONTAINER,
                 "no known password opened the document: content unscannable (alone below the tag threshold: "
                 "a document whose password did not come with the mail is not the password-in-the-body lure)",
                 strength=Strength.WEAK),
        CodeInfo("office.encrypted.parse_error", 1, Category.CONTAINER, "encryption header could not be parsed"),
    )

    def applies_to(self, item: Item) -> bool:
        return item.type in _TYPES

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        if oversized(item, ctx, MAX_ENCRYPTED_BYTES):
            return
        yield from guarded(item, self.name, "office.encrypted.parse_error", lambda: self._run(item, ctx))

    def _run(self, item: Item, ctx: AnalysisContext) -> list[Finding | Item]:
        office = _open(item.data)
        try:
            encrypted = office is not None and bool(office.is_encrypted())
        except Exception as exc:  # msoffcrypto's record parsers raise anything on odd legacy files
            log.debug("encryption check failed on %s: %s", item.path, exc)
            encrypted = False
        if not encrypted:
            if item.type == "ole.encrypted":
                return [Finding("office.encrypted.parse_error", self.name, item.path, "EncryptedPackage unreadable")]
            return []
        kind = f"{getattr(office, 'format', '?')}/{getattr(office, 'type', '?')}"
        out: list[Finding | Item] = [Finding("office.encrypted", self.name, item.path, f"encryption {kind}")]
        candidates = [DEFAULT_PASSWORD, *(p for p in ctx.passwords if p and p != DEFAULT_PASSWORD)]
        tried = 0
        for password in candidates[:MAX_ATTEMPTS]:
            if ctx.budget.time_left() < MIN_SECONDS_LEFT:
                break
            ctx.budget.check_time()
            tried += 1
            plain = _decrypt(item.data, password)
            if plain is None:
                continue
            if password == DEFAULT_PASSWORD:
                out.append(Finding("office.encrypted.default_password", self.name, item.path,
                                   f"opens with {DEFAULT_PASSWORD} ({kind})"))
            else:
                out.append(Finding("office.encrypted.opened", self.name, item.path,
                                   f"password {_mask(password)} (candidate #{candidates.index(password)}, {kind})"))
            out.append(item.child("<decrypted>", plain, source=self.name, role=Role.EXTRACTED,
                                  meta={"password": password}))
            return out
        out.append(Finding("office.encrypted.unopened", self.name, item.path,
                           f"{tried} password(s) tried ({kind})"))
        return out


def _open(data: bytes) -> Any:
    try:
        return msoffcrypto.OfficeFile(io.BytesIO(data))
    except (crypto_errors.FileFormatError, OSError, AssertionError, KeyError, ValueError):
        return None


def _decrypt(data: bytes, password: str) -> bytes | None:
    """The decrypted document, or None when ``password`` is wrong (or decryption fails)."""
    office = _open(data)
    if office is None:
        return None
    try:
        # No verify_password: msoffcrypto's agile verifier rejects some valid Excel files.  A wrong
        # key yields garbage, which decrypt() refuses (not a zip) or sniff() does not recognise.
        office.load_key(password=password)
        sink = io.BytesIO()
        office.decrypt(sink)
    except Exception as exc:  # wrong key: InvalidKeyError, or ValueError/struct errors from garbage
        log.debug("password rejected: %s", type(exc).__name__)
        return None
    plain = sink.getvalue()
    if not plain or sniff(plain) not in _OPENED_TYPES:
        return None
    return plain


def _mask(password: str) -> str:
    """Enough of a password to tell which candidate worked, without storing it in logs."""
    if len(password) <= 2:
        return "*" * len(password)
    return f"{password[0]}{'*' * (len(password) - 2)}{password[-1]} ({len(password)} chars)"
