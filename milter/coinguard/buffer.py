"""MessageBuffer: one message's exact header bytes and body, spooled to disk past a size.

The milter receives headers one by one (name, value) and the body in chunks.  We keep
the header values byte for byte as the MTA sent them (with ``SMFIP_HDR_LEADSPC`` the
value includes the whitespace after the colon) and rebuild the header block with CRLF
line ends, so DKIM (simple canonicalisation) and quarantine release see the message as
it arrived.  The body goes into a :class:`tempfile.SpooledTemporaryFile` that moves to
disk past ``spool_threshold`` bytes.  :meth:`payload` gives the scanner either bytes
(small) or the path of a temporary file holding the whole message (big), so large
messages are never pickled to a worker.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from typing import BinaryIO

_EOL = re.compile(rb"\r?\n")


class MessageBuffer:
    def __init__(self, spool_threshold: int, tmpdir: str | None = None) -> None:
        self.spool_threshold = spool_threshold
        self.tmpdir = tmpdir
        #: (name, value) in arrival order; value as received (bytes)
        self.headers: list[tuple[str, bytes]] = []
        #: True when header values carry their own leading whitespace (SMFIP_HDR_LEADSPC)
        self.leading_space = False
        self._body: tempfile.SpooledTemporaryFile[bytes] = tempfile.SpooledTemporaryFile(  # noqa: SIM115
            max_size=spool_threshold, prefix="coinguard-body-", dir=tmpdir
        )  # closed by close()
        self.body_size = 0
        self._header_size = 0
        self._files: list[str] = []
        self.closed = False

    # -- filling ---------------------------------------------------------------
    def add_header(self, name: str, value: bytes) -> None:
        self.headers.append((name, value))
        self._header_size += len(name) + len(value) + 4

    def add_body(self, chunk: bytes) -> None:
        self._body.write(chunk)
        self.body_size += len(chunk)

    # -- reading ---------------------------------------------------------------
    @property
    def size(self) -> int:
        """Approximate size of the whole message in bytes."""
        return self._header_size + 2 + self.body_size

    @property
    def spooled(self) -> bool:
        """True once the body has moved to a file on disk."""
        return bool(getattr(self._body, "_rolled", False))

    def header_line(self, name: str, value: bytes) -> bytes:
        sep = b":" if self.leading_space else b": "
        return name.encode("latin-1", "replace") + sep + _EOL.sub(b"\r\n", value) + b"\r\n"

    def header_bytes(self) -> bytes:
        """The header block exactly as received, CRLF line ends, without the blank line."""
        return b"".join(self.header_line(n, v) for n, v in self.headers)

    def first_header(self, name: str) -> bytes | None:
        lname = name.lower()
        for n, v in self.headers:
            if n.lower() == lname:
                return v
        return None

    def _copy_body(self, out: BinaryIO) -> None:
        self._body.flush()
        self._body.seek(0)
        shutil.copyfileobj(self._body, out, 1024 * 1024)
        self._body.seek(0, os.SEEK_END)

    def raw_bytes(self) -> bytes:
        """Headers + CRLF + body, in memory."""
        self._body.flush()
        self._body.seek(0)
        body = self._body.read()
        self._body.seek(0, os.SEEK_END)
        return self.header_bytes() + b"\r\n" + body

    def payload(self) -> bytes | str:
        """What to hand the scanner: bytes up to the threshold, else a temp file path.

        The file belongs to this buffer and is removed by :meth:`close`.
        """
        if self.size <= self.spool_threshold:
            return self.raw_bytes()
        fd, path = tempfile.mkstemp(prefix="coinguard-msg-", suffix=".eml", dir=self.tmpdir)
        self._files.append(path)
        with os.fdopen(fd, "wb") as out:
            out.write(self.header_bytes())
            out.write(b"\r\n")
            self._copy_body(out)
        return path

    # -- cleanup ----------------------------------------------------------------
    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._body.close()
        for path in self._files:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        self._files.clear()

    def __enter__(self) -> MessageBuffer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
