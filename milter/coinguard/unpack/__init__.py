"""The unpacker registry: containers opened before analysis, one module per format.

Each unpacker yields child Items (and Findings such as ``archive.encrypted``); the
scan loop admits children through the Budget and sends them through every
unpacker and analyzer again.  Names inside containers are data only: never used
as paths on disk, never trusted for type.
"""

from __future__ import annotations

from coinguard.handlers import Handler
from coinguard.unpack.cab_archive import CabArchive
from coinguard.unpack.chm_archive import ChmArchive
from coinguard.unpack.compressed import CompressedStream
from coinguard.unpack.disk_image import DiskImage
from coinguard.unpack.message import MessageUnpacker
from coinguard.unpack.rar_archive import RarArchive
from coinguard.unpack.sevenzip_archive import SevenZipArchive
from coinguard.unpack.tar_archive import TarArchive
from coinguard.unpack.zip_archive import ZipArchive

UNPACKERS: tuple[Handler, ...] = (
    # one line per unpacker module
    ZipArchive(),
    SevenZipArchive(),
    RarArchive(),
    CompressedStream(),
    TarArchive(),
    CabArchive(),
    ChmArchive(),
    DiskImage(),
    MessageUnpacker(),
)


def _check_unique() -> None:
    seen: set[str] = set()
    for handler in UNPACKERS:
        if handler.name in seen:
            raise RuntimeError(f"duplicate unpacker name {handler.name!r}")
        seen.add(handler.name)


_check_unique()

__all__ = ["UNPACKERS"]
