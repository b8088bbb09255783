"""MessageBuffer: one message's exact header bytes and body, spooled to disk past a size.

The milter receives headers one by one (name, value) and the body in chunks.  We keep
the header values byte for byte as the MTA sent them (with ``SMFIP_HDR_LEADSPC`` the
value includes the whitespace after the colon) and rebuild the header block with CRLF
line ends, so DKIM (simple canonicalisation) and quarantine release see the message as
it arrived.  The body stays in memory up to ``spool_threshold`` bytes of message; past
it the buffer becomes a named private temp file holding the *whole message* (header
block, blank line, body so far, then every further chunk).  :meth:`payload` gives the
scanner bytes (small) or that file's path (big): a large message is never pickled to a
worker, nor copied again at end of message.  The file is removed by :meth:`close`.
"""

from __future__ import annotations

import contextlib
import io
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
        self._memory = io.BytesIO()  # the body while the message is small
        self._file: BinaryIO | None = None  # the whole message once it is not
        self._path = ""
        self._file_head = 0  # bytes of header block + CRLF at the start of the file
        self._file_headers = 0  # how many headers that block holds
        self._handed_out = False  # the file's path went to a scanner: it is not written to again
        self._retired: list[str] = []  # files handed out and since replaced: removed by close()
        self.body_size = 0
        self._header_size = 0
        #: header_bytes() once built, with the leading_space it was built for (the scan, quarantine, strip read it)
        self._head: tuple[bool, bytes] | None = None
        self.closed = False

    # -- filling ---------------------------------------------------------------
    def add_header(self, name: str, value: bytes) -> None:
        self.headers.append((name, value))
        self._header_size += len(name) + len(value) + 4
        self._head = None

    def add_body(self, chunk: bytes) -> None:
        self.body_size += len(chunk)
        if self._file is None:
            self._memory.write(chunk)
            if self.size > self.spool_threshold:
                self._spool()
            return
        if self._handed_out:
            self._spool()  # never change a file a scanner may be reading
        assert self._file is not None
        self._file.write(chunk)

    def _spool(self) -> None:
        """(Re)write the whole message so far into a new private temp file; it becomes the buffer."""
        fd, path = tempfile.mkstemp(prefix="coinguard-msg-", suffix=".eml", dir=self.tmpdir)
        out = os.fdopen(fd, "w+b")
        head = self.header_bytes() + b"\r\n"
        out.write(head)
        if self._file is None:
            out.write(self._memory.getbuffer())
            self._memory = io.BytesIO()
        else:
            self._copy_body(out)
            if self._handed_out:  # a scanner may still open it: it goes at close()
                self._file.close()
                self._retired.append(self._path)
                self._file, self._path = None, ""
            self._drop_file()
        self._file, self._path, self._file_head = out, path, len(head)
        self._file_headers = len(self.headers)
        self._handed_out = False

    # -- reading ---------------------------------------------------------------
    @property
    def size(self) -> int:
        """Approximate size of the whole message in bytes."""
        return self._header_size + 2 + self.body_size

    @property
    def spooled(self) -> bool:
        """True once the message has moved to a file on disk."""
        return self._file is not None

    def header_line(self, name: str, value: bytes) -> bytes:
        sep = b":" if self.leading_space else b": "
        return name.encode("latin-1", "replace") + sep + _EOL.sub(b"\r\n", value) + b"\r\n"

    def header_bytes(self) -> bytes:
        """The header block exactly as received, CRLF line ends, without the blank line."""
        if self._head is None or self._head[0] != self.leading_space:
            self._head = (self.leading_space, b"".join([self.header_line(n, v) for n, v in self.headers]))
        return self._head[1]

    def first_header(self, name: str) -> bytes | None:
        lname = name.lower()
        for n, v in self.headers:
            if n.lower() == lname:
                return v
        return None

    def _copy_body(self, out: BinaryIO) -> None:
        assert self._file is not None
        self._file.flush()
        with open(self._path, "rb") as src:
            src.seek(self._file_head)
            shutil.copyfileobj(src, out, 1024 * 1024)

    def _current(self) -> bool:
        """Whether the file's header block still is the buffer's (no header arrived after spooling)."""
        return self._file_headers == len(self.headers)

    def raw_bytes(self) -> bytes:
        """Headers + CRLF + body, in memory."""
        if self._file is None:
            return self.header_bytes() + b"\r\n" + self._memory.getvalue()
        self._file.flush()
        with open(self._path, "rb") as src:
            if self._current():
                return src.read()
            src.seek(self._file_head)
            return self.header_bytes() + b"\r\n" + src.read()

    def payload(self) -> bytes | str:
        """What to hand the scanner: bytes up to ``spool_threshold``, else the path of the file holding the message.

        The file belongs to this buffer and is removed by :meth:`close`; once handed out it is never
        written again (more body or headers go to a new file).
        """
        if self._file is None and self.size <= self.spool_threshold:
            return self.raw_bytes()
        if self._file is None or not self._current():
            self._spool()
        assert self._file is not None
        self._file.flush()
        self._handed_out = True
        return self._path

    # -- cleanup ----------------------------------------------------------------
    def _drop_file(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if self._path:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._path)
            self._path = ""

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._drop_file()
        for path in self._retired:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
        self._retired.clear()
        self._memory = io.BytesIO()

    def __enter__(self) -> MessageBuffer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
