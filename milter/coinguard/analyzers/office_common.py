"""Helpers the oletools-based analyzers share (office, ooxml, rtf, dde, encrypted): not an analyzer.

Silencing oletools (its loggers, prints and warnings), in-memory file paths for APIs that want
a file name, bounded zip member reads, OLE opening, "is this embedded file risky", one guarded
parser pass, and the process-wide bound on olevba's ActiveMime inflater (oletools is imported
here, after its loggers are detached, so every analyzer gets the patched module).

Analyzers import only core modules and ``*_common`` helper modules, never each other.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator

import olefile

from coinguard.errors import BudgetExceeded
from coinguard.findings import Finding, Item
from coinguard.handlers import AnalysisContext
from coinguard.limits import MiB, read_bounded
from coinguard.sniff import EXECUTABLE_TYPES, RISKY_EXTENSIONS, sniff

log = logging.getLogger(__name__)

#: Name of the RTF analyzer: the objects it yields as children were already reported by it, so the
#: OLE analyzer skips reporting them again (``item.source == RTF_SOURCE``).
RTF_SOURCE = "rtf"

#: Loggers oletools, olefile, pcodedmp and msoffcrypto write to.  They must never reach ours:
#: oletools logs attacker-controlled names and re-enables its loggers from inside olevba.
_LIBRARY_LOGGERS = (
    "olevba", "mraptor", "rtfobj", "oleobj", "msodde", "ooxml", "crypto", "ftguess", "olefile",
    "ppt", "record_base", "xls_parser", "oleform", "pcodedmp", "msoffcrypto",
)


def quiet_libraries() -> None:
    """Detach the document libraries' loggers from the root logger (idempotent)."""
    for name in _LIBRARY_LOGGERS:
        lg = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in lg.handlers):
            lg.addHandler(logging.NullHandler())
        lg.propagate = False
        lg.disabled = True


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """Swallow what the libraries print or warn while they parse (never yield inside this)."""
    sink = io.StringIO()
    with (
        contextlib.redirect_stdout(sink),
        contextlib.redirect_stderr(sink),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        yield


@contextlib.contextmanager
def memory_path(data: bytes) -> Iterator[str]:
    """A file name for ``data`` that lives in memory only (Linux memfd via /proc/self/fd).

    Some oletools APIs (pcodedmp for VBA stomping, msodde's XML parsers, the XLM plugin)
    accept only a file name.  Nothing touches the disk.  Raises OSError where memfd or
    /proc is missing; callers report that as a parse error.
    """
    fd = os.memfd_create("coinguard-doc", os.MFD_CLOEXEC)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        path = f"/proc/self/fd/{fd}"
        if not os.path.exists(path):
            raise OSError("no /proc/self/fd: cannot give an in-memory file a name")
        yield path
    finally:
        os.close(fd)


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: AnalysisContext, cap: int | None = None) -> bytes:
    """Read one zip member after asking the Budget; never more than ``cap`` bytes."""
    ctx.budget.check_member(info.filename, info.file_size, info.compress_size)
    limit = ctx.budget.member_cap() if cap is None else min(cap, ctx.budget.member_cap())
    with zf.open(info) as fh:
        return read_bounded(fh.read, limit, info.filename)


def check_zip(item: Item, ctx: AnalysisContext) -> None:
    """Ask the Budget about every member before a library inflates a zip on its own."""
    with zipfile.ZipFile(io.BytesIO(item.data)) as zf:
        for info in zf.infolist():
            ctx.budget.check_member(info.filename, info.file_size, info.compress_size)


def open_ole(data: bytes) -> olefile.OleFileIO:
    """Open OLE bytes.  Always wraps in BytesIO: olefile treats short ``bytes`` as a file NAME."""
    return olefile.OleFileIO(io.BytesIO(data))


def ole_size_problem(data: bytes) -> str:
    """Why olevba must not read this OLE file ("" when it may): a stream larger than the file itself.

    olefile follows a stream's sector chain for as many sectors as its directory entry declares, and a
    looping FAT hands it the same sectors again and again, so a 43 KB document that declares a 4 GB
    stream becomes 4 GB in memory; olevba reads every stream, orphaned directory entries included.  A
    real stream never holds more bytes than the file (the mini streams live inside the root entry's
    stream, so all of them together are at most twice the file).  Files olefile cannot open are left
    to olevba, which reports them itself.
    """
    try:
        ole = open_ole(data)
    except Exception:
        return ""
    try:
        total = 0
        for sid in range(len(ole.direntries)):
            entry = ole.direntries[sid]
            if entry is None:  # not in the tree: olevba still loads and reads it
                try:
                    entry = ole._load_direntry(sid)
                except Exception:
                    continue
            if entry.entry_type not in (olefile.STGTY_STREAM, olefile.STGTY_ROOT):
                continue
            if entry.size > len(data):
                return f"OLE stream {sid} declares {entry.size} bytes in a {len(data)}-byte file"
            total += entry.size
            if total > 2 * len(data):
                return f"OLE streams declare {total}+ bytes in a {len(data)}-byte file"
        return ""
    finally:
        ole.close()


def olevba_input_problem(item: Item, ctx: AnalysisContext) -> str:
    """:func:`ole_size_problem` of what olevba would parse in ``item``: the OLE file itself, or each
    OLE member of an OOXML zip (vbaProject.bin, embedded objects: olevba opens all of them)."""
    if is_ole(item.data):
        return ole_size_problem(item.data)
    if not item.data.startswith(b"PK"):
        return ""
    try:
        with zipfile.ZipFile(io.BytesIO(item.data)) as zf:
            for info in zf.infolist():
                with zf.open(info) as fh:
                    if fh.read(len(olefile.MAGIC)) != olefile.MAGIC:
                        continue
                problem = ole_size_problem(read_member(zf, info, ctx))
                if problem:
                    return f"{info.filename}: {problem}"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, zlib.error):
        return ""  # a zip olevba cannot read either: it says so itself
    return ""


def is_ole(data: bytes) -> bool:
    return data[:8] == olefile.MAGIC


EXT_RE = re.compile(r"\.([A-Za-z0-9_-]{1,16})$")


def risky_embedded(names: tuple[str, ...], data: bytes | None) -> str:
    """Why an embedded file (OLE Package, RTF package) is dangerous, or '' if it is not.

    ``names`` are the file names the container declares (label, source and temp paths);
    ``data`` is the payload when present.  Content wins over names, but a risky name alone
    counts too: a Package only needs the user to double-click its icon.
    """
    if data:
        kind = sniff(data)
        if kind in EXECUTABLE_TYPES:
            return f"content is {kind}"
    for name in names:
        m = EXT_RE.search(name.strip().rstrip("\x00").replace("\\", "/").rsplit("/", 1)[-1])
        if m and m.group(1).lower() in RISKY_EXTENSIONS:
            return f"name ends .{m.group(1).lower()}"
    return ""


def bounded_list(values: list[str] | tuple[str, ...], limit: int = 8, width: int = 80) -> str:
    """Join attacker strings for a detail: at most ``limit`` values of ``width`` chars."""
    out = [v if len(v) <= width else v[: width - 1] + "…" for v in values[:limit]]
    if len(values) > limit:
        out.append(f"+{len(values) - limit} more")
    return ", ".join(out)


Results = list[Finding | Item]


def guarded(item: Item, analyzer: str, error_code: str, run: Callable[[], Results]) -> Results:
    """Run one parser pass with the libraries muted; hostile input becomes ``error_code``.

    A Budget hit propagates (the scan loop reports it); any other exception is the parser
    choking on the document, reported with a low score instead of escaping the analyzer.
    """
    try:
        with muted():
            return run()
    except BudgetExceeded:
        raise
    except Exception as exc:  # oletools and msoffcrypto raise anything on hostile input
        log.debug("%s failed on %s: %s", analyzer, item.path, type(exc).__name__)
        return [Finding(error_code, analyzer, item.path, f"{type(exc).__name__}: {exc}")]


def oversized(item: Item, ctx: AnalysisContext, cap: int) -> bool:
    """True when ``item`` is larger than ``cap`` or the configured single-file limit."""
    return item.size > min(cap, ctx.budget.limits.max_file_bytes)


quiet_libraries()

# oletools is imported after its loggers are detached (it logs while importing plugins).
from oletools import olevba  # noqa: E402

quiet_libraries()  # olevba created more loggers on import

#: Largest OLE container inflated out of one ActiveMime (MHT / Word 2003 XML) blob.
MAX_ACTIVEMIME_BYTES = 64 * MiB


class ActiveMimeError(olevba.OlevbaBaseException):  # type: ignore[misc]
    """An ActiveMime blob that cannot or must not be inflated.

    (olevba's own MsoExtractionError recurses forever in its __init__ in oletools 0.60.2.)
    """


def _bounded_mso_extract(data: bytes) -> bytes:
    """olevba's ActiveMime inflater with an output cap (the original calls zlib.decompress unbounded).

    Same offsets as olevba: the one in the header, then Word's 0x32 and Excel's 0x22A.
    """
    if not olevba.is_mso_file(data) or len(data) < 0x20:
        raise ActiveMimeError("not an ActiveMime blob")
    (declared,) = struct.unpack_from("<H", data, 0x1E)
    for start in dict.fromkeys((declared + 46, 0x32, 0x22A)):
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(data[start:], MAX_ACTIVEMIME_BYTES)
        except zlib.error:
            continue
        if inflater.unconsumed_tail:
            raise ActiveMimeError(f"ActiveMime expands past {MAX_ACTIVEMIME_BYTES} bytes")
        problem = ole_size_problem(out) if is_ole(out) else ""
        if problem:  # olevba would parse the inflated OLE file next
            raise ActiveMimeError(problem)
        return out
    raise ActiveMimeError("no zlib stream in ActiveMime blob")


# olevba looks the function up at call time (open_mht, open_word2003xml): bound it process-wide.
olevba.mso_file_extract = _bounded_mso_extract

