"""7-Zip archives (py7zr), including AES-encrypted content and encrypted headers.

Members are decompressed into memory through a writer factory whose writers stop storing
at the per-member cap; py7zr's own ``max_extract_size`` stops the whole decompression at the
bytes the Budget has left, so a solid block that lies about its sizes cannot run away.

A 7z password costs 2**cycles SHA-256 rounds (2**19 by default, a fraction of a second);
an archive asking for far more rounds is not tried at all (it would only burn the scan's
time) and is reported as encrypted and unopened.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from io import BytesIO
from typing import Any, ClassVar

import py7zr
from py7zr.io import Py7zIO, WriterFactory

from coinguard.errors import BudgetExceeded
from coinguard.findings import CodeInfo, Finding, Item, safe_name
from coinguard.handlers import AnalysisContext
from coinguard.unpack.common import (
    ARCHIVE_CODES,
    ENCRYPTED,
    ENCRYPTED_UNOPENED,
    PASSWORD_FOUND,
    Entry,
    WrongPassword,
    candidate_passwords,
    expand,
    extension,
    find_password,
    finding,
    parse_error,
    unlock_listing,
)

log = logging.getLogger(__name__)

_AES_METHOD = b"\x06\xf1\x07\x01"
#: 2**22 SHA-256 rounds per password at most (about 8x the 7-Zip default).
MAX_KEY_CYCLES = 22
#: Passwords tried against a 7z archive at most (each costs a key derivation).
MAX_7Z_TRIES = 16


class _CappedWriter(Py7zIO):
    """Keeps at most ``cap`` bytes; remembers that more were offered."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.buf = bytearray()
        self.overflow = False

    def write(self, s: bytes | bytearray) -> int:
        room = self.cap - len(self.buf)
        if len(s) > room:
            self.overflow = True
            self.buf += s[: max(0, room)]
        else:
            self.buf += s
        return len(s)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return len(self.buf)


class _CappedFactory(WriterFactory):
    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.products: dict[str, _CappedWriter] = {}

    def create(self, filename: str) -> Py7zIO:
        writer = _CappedWriter(self.cap)
        self.products[filename] = writer
        return writer


def _position_key(index: int) -> str:
    """The name a member is extracted under: its position, never its (attacker-chosen) name."""
    return f"member-{index}"


def _name_by_position(szf: py7zr.SevenZipFile) -> None:
    """Rename every member of the open archive to :func:`_position_key` (in memory only).

    py7zr selects members and names their writers by file name, and refuses names such as
    ``../inv.zip`` or ``/etc/x`` -- a member an attacker names so would never be read.  Its file
    list keeps each member's properties in a dict (``ArchiveFile._file_info``; py7zr has no public
    setter), so the names are replaced there before extracting.
    """
    for index, member in enumerate(szf.files):
        member._file_info["filename"] = _position_key(index)


def _key_cycles(coders: Sequence[dict[str, Any]]) -> int:
    cycles = 0
    for coder in coders:
        if coder.get("method") == _AES_METHOD and coder.get("properties"):
            cycles = max(cycles, coder["properties"][0] & 0x3F)
    return cycles


def _header_key_cycles(data: bytes) -> int | None:
    """Key cycles of an encrypted header, read without decrypting; None if the header is not encrypted."""
    from py7zr.archiveinfo import HeaderStreamsInfo, SignatureHeader
    from py7zr.properties import PROPERTY

    fp = BytesIO(data)
    fp.seek(6)
    try:
        sig = SignatureHeader.retrieve(fp)
        start = 32 + sig.nextheaderofs
        buffer = BytesIO(data[start : start + min(sig.nextheadersize, 1 << 20)])
        if buffer.read(1) != PROPERTY.ENCODED_HEADER:
            return None
        streams = HeaderStreamsInfo.retrieve(buffer)
        return max((_key_cycles(folder.coders) for folder in streams.unpackinfo.folders), default=0)
    except Exception:
        return None


class _SevenZipReader:
    """Lists with or without a password; the first read decompresses every member in one pass."""

    def __init__(self, data: bytes, ctx: AnalysisContext, password: str | None) -> None:
        self.data = data
        self.ctx = ctx
        self.encrypted = False
        self._entries: list[Entry] = []
        self._cache: dict[str, _CappedWriter] | None = None
        self._cache_password: str | None = None
        with py7zr.SevenZipFile(BytesIO(data), password=password) as szf:
            self.encrypted = password is not None or szf.needs_password()
            folders = szf.header.main_streams.unpackinfo.folders if szf.header.main_streams else []
            self.cycles = max((_key_cycles(f.coders) for f in folders), default=0)
            for index, info in enumerate(szf.list()):
                if info.is_directory:
                    continue
                self._entries.append(Entry(
                    name=info.filename,
                    size=int(info.uncompressed or 0),
                    compressed=info.compressed,
                    encrypted=self.encrypted,
                    key=_position_key(index),
                    identity=(info.crc32, info.uncompressed, extension(info.filename)) if info.crc32 else None,
                ))

    def entries(self) -> list[Entry]:
        return self._entries

    def _extract(self, keys: list[str], password: str | None, cap: int, total: int) -> dict[str, _CappedWriter]:
        factory = _CappedFactory(cap)
        with py7zr.SevenZipFile(BytesIO(self.data), password=password, max_extract_size=max(1, total)) as szf:
            _name_by_position(szf)
            szf.extract(targets=keys, factory=factory)
        return factory.products

    def read(self, entry: Entry, password: str | None, cap: int) -> bytes:
        out = str(entry.key)
        if self._cache is None or password != self._cache_password:
            left = self.ctx.budget.limits.max_expanded_bytes - self.ctx.budget.expanded_bytes
            try:
                whole = max(cap, self.ctx.budget.member_cap())  # the cache serves later reads too
                products = self._extract([str(e.key) for e in self._entries], password, whole, left)
            except py7zr.exceptions.DecompressionBombError as exc:
                raise BudgetExceeded("container.limit.bytes", str(exc)) from exc
            except (py7zr.exceptions.CrcError, py7zr.exceptions.PasswordRequired) as exc:
                if password is not None:
                    raise WrongPassword(str(exc)) from exc
                raise
            except Exception as exc:
                if password is not None and entry.encrypted:
                    raise WrongPassword(f"{type(exc).__name__}: {exc}") from exc
                raise
            self._cache, self._cache_password = products, password
        return self._take(self._cache, out, entry, cap)

    @staticmethod
    def _take(products: dict[str, _CappedWriter], out: str, entry: Entry, cap: int) -> bytes:
        writer = products.get(out)
        if writer is None:
            return b""  # an empty member has no stream
        if writer.overflow or len(writer.buf) > cap:
            raise BudgetExceeded("container.limit.file_size",
                                 f"{safe_name(entry.name)}: more than {cap} bytes when decompressed")
        return bytes(writer.buf)


class SevenZipArchive:
    name: ClassVar[str] = "7z"
    codes: ClassVar[tuple[CodeInfo, ...]] = ARCHIVE_CODES

    def applies_to(self, item: Item) -> bool:
        return item.type == "7z"

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        try:
            reader = _SevenZipReader(item.data, ctx, None)
        except py7zr.exceptions.PasswordRequired:
            yield from self._encrypted_header(item, ctx)
            return
        except Exception as exc:
            yield parse_error(self.name, item, exc)
            return
        password = None
        if reader.encrypted and reader.entries():
            yield finding(ENCRYPTED, self.name, item, f"{len(reader.entries())} encrypted member(s)")
            password = self._find_password(item, ctx, reader, reader.cycles)
            if password is None:
                yield finding(ENCRYPTED_UNOPENED, self.name, item, self._unopened_detail(ctx, reader.cycles))
                return
            yield finding(PASSWORD_FOUND, self.name, item, f"password {password!r}")
        yield from expand(item, ctx, reader, self.name, password=password, check_passwords=False)

    def _encrypted_header(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        cycles = _header_key_cycles(item.data) or 0
        refused = self._unopened_detail(ctx, cycles) if cycles > MAX_KEY_CYCLES else ""
        yield from unlock_listing(item, ctx, self.name, lambda pw: _SevenZipReader(item.data, ctx, pw),
                                  MAX_7Z_TRIES, refused)

    @staticmethod
    def _find_password(item: Item, ctx: AnalysisContext, reader: _SevenZipReader, cycles: int) -> str | None:
        if cycles > MAX_KEY_CYCLES:
            return None
        probe = min(reader.entries(), key=lambda e: e.size)
        return find_password(ctx, reader, probe, candidate_passwords(ctx)[:MAX_7Z_TRIES])

    @staticmethod
    def _unopened_detail(ctx: AnalysisContext, cycles: int) -> str:
        if cycles > MAX_KEY_CYCLES:
            return f"key derivation of 2**{cycles} rounds: no password tried"
        return f"tried {min(MAX_7Z_TRIES, len(candidate_passwords(ctx)))} password(s)"
