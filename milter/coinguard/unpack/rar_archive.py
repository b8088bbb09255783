"""RAR 3/4/5 archives (rarfile, with the ``unar`` program for decompression; ``bsdtar``/7-Zip as fallbacks).

rarfile parses headers in Python (sizes, encryption, header encryption); decompressing needs an
external program, which needs a file: the archive is copied into a private temporary directory
(mode 0700, removed after) and members are read from the program's stdout with a byte cap.
Nothing is extracted to disk.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator
from typing import ClassVar

import rarfile

from coinguard.findings import CodeInfo, Finding, Item
from coinguard.handlers import AnalysisContext
from coinguard.limits import read_bounded
from coinguard.unpack.common import (
    ARCHIVE_CODES,
    Entry,
    MemberUnreadable,
    WrongPassword,
    copy_identities,
    expand,
    extension,
    parse_error,
    stored_bytes_digest,
    unlock_listing,
)

log = logging.getLogger(__name__)

#: Passwords tried against encrypted RAR headers at most (each try re-parses the archive).
MAX_HEADER_TRIES = 32


class _RarReader:
    def __init__(self, rf: rarfile.RarFile, data: bytes) -> None:
        self.rf = rf
        self.data = data

    @staticmethod
    def _key(info: rarfile.RarInfo) -> tuple[object, ...] | None:
        """What the header declares of a member's content (None: no identity, the member is read)."""
        if not info.CRC or not isinstance(getattr(info, "data_offset", None), int) or info.volume:
            return None
        return (info.CRC, info.file_size, extension(info.filename))

    def _stored(self, info: rarfile.RarInfo) -> bytes | None:
        """The digest of the member's stored bytes, or None."""
        return stored_bytes_digest(self.data, info.data_offset, info.compress_size)

    def entries(self) -> list[Entry]:
        # directories, symlinks, hard links, redirections: names only
        files = [info for info in self.rf.infolist() if not info.isdir() and info.is_file()]
        return [Entry(
            name=info.filename,
            size=info.file_size,
            compressed=info.compress_size,
            encrypted=info.needs_password(),
            key=info,
            identity=identity,
            declared=(info.CRC, info.file_size, extension(info.filename)) if info.CRC else None,
        ) for info, identity in zip(files, copy_identities(files, self._key, self._stored), strict=True)]

    def read(self, entry: Entry, password: str | None, cap: int) -> bytes:
        try:
            with self.rf.open(entry.key, pwd=password) as fh:
                return read_bounded(fh.read, cap, entry.name)
        except (rarfile.RarWrongPassword, rarfile.PasswordRequired) as exc:
            raise WrongPassword(str(exc)) from exc
        except rarfile.RarCannotExec as exc:  # no unar/unrar/bsdtar/7-Zip: nothing can be read, say so
            raise MemberUnreadable(f"no program to decompress RAR members: {exc}") from exc
        except (rarfile.RarCRCError, rarfile.BadRarFile, rarfile.RarExecError) as exc:
            if password is not None:
                raise WrongPassword(f"{type(exc).__name__}: {exc}") from exc
            raise


class RarArchive:
    name: ClassVar[str] = "rar"
    codes: ClassVar[tuple[CodeInfo, ...]] = ARCHIVE_CODES

    def applies_to(self, item: Item) -> bool:
        return item.type == "rar"

    def handle(self, item: Item, ctx: AnalysisContext) -> Iterator[Finding | Item]:
        with tempfile.TemporaryDirectory(prefix="coinguard-") as private:
            path = os.path.join(private, "archive.rar")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(item.data)
            try:
                rf = rarfile.RarFile(path, errors="strict")
            except Exception as exc:  # truncated or damaged: report, then take what a lenient parse lists
                yield parse_error(self.name, item, exc)
                try:
                    rf = rarfile.RarFile(path)
                except Exception:
                    return
            with rf:
                if rf.needs_password() and not rf.infolist():
                    yield from self._encrypted_headers(item, ctx, rf)
                else:
                    yield from expand(item, ctx, _RarReader(rf, item.data), self.name)

    @staticmethod
    def _encrypted_headers(item: Item, ctx: AnalysisContext, rf: rarfile.RarFile) -> Iterator[Finding | Item]:
        def open_with(password: str) -> _RarReader:
            rf.setpassword(password)
            if not rf.infolist():
                raise rarfile.RarWrongPassword("nothing listed")
            return _RarReader(rf, item.data)

        yield from unlock_listing(item, ctx, RarArchive.name, open_with, MAX_HEADER_TRIES)
