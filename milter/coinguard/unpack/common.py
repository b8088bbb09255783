"""What every archive unpacker shares: walking members under the Budget, password attempts, member paths.

An unpacker adapts its library to :class:`MemberReader` (list the members, read one member
with a byte cap) and hands it to :func:`expand`, which

- checks the whole archive for decompression bombs from the *declared* sizes before anything
  is decompressed (total declared size against the archive's own size, then each member);
- reports encryption and tries the candidate passwords (``ctx.passwords``) against the
  smallest encrypted member only, so each wrong password costs one tiny read;
- reads members with bounded reads (headers lie), skipping byte-identical duplicates
  (the 16-copies-per-layer trick of 42.zip), and yields them as child Items whose path keeps
  the member's folders (``statement.zip/docs/inner.7z``) but never ``..``, drive letters or
  absolute parts — member names are data, never paths on disk.

A limit that is hit becomes a finding, never an exception: bombs and the total-bytes limit stop
the archive, a single oversize member is skipped.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from coinguard import limits, subproc
from coinguard.errors import BudgetExceeded
from coinguard.findings import Category, CodeInfo, Finding, Item, Role, safe_name
from coinguard.handlers import AnalysisContext
from coinguard.limits import read_bounded

log = logging.getLogger(__name__)

# -- the codes the container unpackers share (declared identically by each that emits them) --------------
ENCRYPTED = CodeInfo("archive.encrypted", 1.0, Category.CONTAINER,
                     "An archive holds encrypted members.")
ENCRYPTED_UNOPENED = CodeInfo("archive.encrypted_unopened", 4.0, Category.CONTAINER,
                              "An encrypted archive none of the harvested or configured passwords opened; "
                              "its content could not be scanned.")
PASSWORD_FOUND = CodeInfo("archive.password_found", 1.0, Category.CONTAINER,
                          "An encrypted archive was opened with a password taken from the message or the "
                          "configured list (detail says which); its members were scanned.")
PARSE_ERROR = CodeInfo("archive.parse_error", 1.0, Category.CONTAINER,
                       "An archive or disk image is corrupt or truncated, or the tool to read it is missing or "
                       "failed; some or all members were not scanned (verdict unchecked).")
UNREADABLE = CodeInfo("archive.unreadable", 1.0, Category.CONTAINER,
                      "A member the archive lists could not be read (the library or tool refused it, returned "
                      "nothing for it, or the program needed is not installed); it was not scanned (verdict "
                      "unchecked).")
# The limit codes are declared once, by coinguard.limits (the Budget raises them); unpackers emit them too.
BOMB = limits.BOMB
LIMIT_FILES = limits.LIMIT_FILES

ARCHIVE_CODES: tuple[CodeInfo, ...] = (ENCRYPTED, ENCRYPTED_UNOPENED, PASSWORD_FOUND, PARSE_ERROR, UNREADABLE)

#: Limit codes after which nothing more of the archive is read.
_STOP_CODES = frozenset({limits.BOMB, limits.LIMIT_BYTES, limits.LIMIT_FILES, limits.TIMEOUT})

#: Passwords tried per archive at most (each try reads one small member).
MAX_PASSWORD_TRIES = 64
#: The encrypted member used to test a password must be at most this big (declared).
MAX_PROBE_BYTES = 8 * 1024 * 1024
#: Members shown in a path: the last few folder levels of a member name.
MAX_PATH_PARTS = 6


class WrongPassword(Exception):
    """The password does not open the member (bad check value, bad MAC, CRC error after decryption)."""


class MemberUnreadable(Exception):
    """The reader cannot select or read a member it listed (e.g. a name the 7-Zip program printed altered)."""


class PartialMember(Exception):
    """The member came out, but damaged or cut short (the program reported an error): what came out is
    scanned, and the archive is reported unreadable -- it may hold more than was read."""

    def __init__(self, data: bytes, reason: str) -> None:
        super().__init__(reason)
        self.data = data


@dataclass(frozen=True, slots=True)
class Entry:
    """One regular-file member as the archive's directory declares it (sizes may lie)."""

    name: str
    size: int
    compressed: int | None = None
    encrypted: bool = False
    key: Any = None  # whatever the reader needs to find the member again
    identity: tuple[Any, ...] | None = None  # equal identities: byte-identical members, same extension
    #: what the header declares of the content (CRC of the plaintext, size, extension): a member another
    #: password locks is not unread when one that declares the same content was read (a copy, re-encrypted)
    declared: tuple[Any, ...] | None = None


def stored_bytes_digest(data: bytes, start: int, length: int) -> bytes | None:
    """A digest of a member's stored (compressed) bytes ``data[start:start + length]``, for its identity.

    Equal declared CRC and sizes do not make two members identical: a header may copy another member's
    CRC and sizes over different data (a damaged copy, or a payload hidden behind a decoy's header, which
    an archiver still extracts with a CRC warning).  Members are taken as identical only when their stored
    bytes are; None when the span lies outside ``data`` (no identity: the member is read).
    """
    if start < 0 or length < 0 or start + length > len(data):
        return None
    return hashlib.blake2b(memoryview(data)[start:start + length], digest_size=16).digest()


def copy_identities(members: Sequence[Any], key: Callable[[Any], tuple[Any, ...] | None],
                    stored: Callable[[Any], bytes | None]) -> list[tuple[Any, ...] | None]:
    """Each member's identity for copy detection: the digest of its stored bytes (``stored``) with what its
    header declares of its content (``key``: CRC, sizes...; None: no identity, the member is read).

    Equal stored bytes, not merely an equal declared key, which a header can copy from a decoy.  Only
    members whose declared key another member shares can be copies of one another, so only their bytes
    are hashed; every other member gets None (never skipped as a copy)."""
    keys = [key(m) for m in members]
    seen: set[tuple[Any, ...]] = set()
    shared: set[tuple[Any, ...]] = set()
    for k in keys:
        if k is not None:
            (shared if k in seen else seen).add(k)
    out: list[tuple[Any, ...] | None] = []
    for m, k in zip(members, keys, strict=True):
        digest = stored(m) if k is not None and k in shared else None
        out.append(None if digest is None or k is None else (digest, *k))
    return out


class MemberReader(Protocol):
    """A library adapter: lists members and reads one, bounded."""

    def entries(self) -> Sequence[Entry]: ...

    def read(self, entry: Entry, password: str | None, cap: int) -> bytes:
        """The member's bytes; raise BudgetExceeded past ``cap``, WrongPassword for a bad password."""
        ...


def finding(info: CodeInfo | str, source: str, item: Item, detail: str = "") -> Finding:
    code = info.code if isinstance(info, CodeInfo) else info
    return Finding(code, source, item.path, detail)


def limit_finding(exc: BudgetExceeded, source: str, item: Item) -> Finding:
    return Finding(exc.code, source, item.path, exc.detail)


def parse_error(source: str, item: Item, exc: BaseException | str) -> Finding:
    what = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    log.debug("%s: cannot parse %s: %s", source, item.path, what)
    return Finding(PARSE_ERROR.code, source, item.path, what)


# -- member names -------------------------------------------------------------------------------------------
_DRIVE = re.compile(r"^[A-Za-z]:$")


def member_path(name: str) -> str:
    """A member name as a relative display path: no ``..``/``.``/empty parts, no drive, each part sanitized."""
    parts = []
    for part in name.replace("\\", "/").split("/"):
        if part in ("", ".", "..") or _DRIVE.match(part):
            continue
        clean = safe_name(part, 80)
        if clean:
            parts.append(clean)
    return "/".join(parts[-MAX_PATH_PARTS:])


def extension(name: str) -> str:
    """The last extension of a member name, lower case ("" if none): part of a member's identity, so that
    byte-identical members are scanned once per extension (``a.txt`` and ``a.pdf.exe`` are both seen)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


#: Enclosing archives remembered per member (their sha256), to recognise a member that is one of them.
MAX_ANCESTORS = 32


def ancestors(item: Item) -> tuple[str, ...]:
    """sha256 of the archives enclosing ``item`` (outermost first) that the unpackers recorded."""
    found = item.meta.get("ancestors", ())  # a list once replayed from the verdict cache (JSON)
    return tuple(str(h) for h in found) if isinstance(found, tuple | list) else ()


def _chain(parent: Item) -> tuple[str, ...]:
    return (*ancestors(parent), parent.sha256)[-MAX_ANCESTORS:]


def enclosed(parent: Item, child: Item) -> Item:
    """``child`` of ``parent`` with the chain of enclosing containers in its meta (``parent`` last).

    For the layers that make their children with ``Item.child`` rather than :func:`member_item`: a
    nested message (.eml, .msg, winmail.dat), so that a zip -> message -> same zip loop is seen."""
    return dataclasses.replace(child, meta={**child.meta, "ancestors": _chain(parent)})


def member_item(parent: Item, name: str, data: bytes, source: str, meta: dict[str, Any] | None = None) -> Item:
    """A child Item for an archive member; its path keeps the member's folders (sanitized), and its meta
    the chain of enclosing archives (``ancestors``: see :func:`recursive_member`)."""
    child = parent.child(name, data, source=source, role=Role.MEMBER,
                         meta={**(meta or {}), "ancestors": _chain(parent)})
    rel = member_path(name)
    if rel and "/" in rel:
        child = dataclasses.replace(child, path=f"{parent.path}/{rel}" if parent.path else rel)
    return child


# -- passwords ----------------------------------------------------------------------------------------------
def candidate_passwords(ctx: AnalysisContext) -> list[str]:
    """ctx.passwords, then the configured ones, unique, bounded."""
    out: list[str] = []
    for pw in (*ctx.passwords, *ctx.config.scan.passwords):
        if pw and pw not in out:
            out.append(pw)
    return out[:MAX_PASSWORD_TRIES]


def find_password(
    ctx: AnalysisContext, reader: MemberReader, probe: Entry, candidates: Iterable[str] | None = None
) -> str | None:
    """The first candidate that opens ``probe`` (read fully: the CRC/MAC is checked), or None."""
    verifiable = probe.size <= MAX_PROBE_BYTES  # small enough to read whole, so the CRC/MAC decides
    cap = min(max(probe.size, 1) if verifiable else MAX_PROBE_BYTES, max(ctx.budget.member_cap(), 1))
    for password in candidate_passwords(ctx) if candidates is None else candidates:
        if ctx.budget.time_left() <= 0:
            break
        try:
            reader.read(probe, password, cap)
        except BudgetExceeded:
            if verifiable:
                continue  # more bytes than declared: garbage from a wrong key
            return password  # a big member decrypts and inflates past the cap: as far as we can tell, right
        except Exception:  # WrongPassword, CRC error, zlib error after a wrong key ...
            continue
        return password
    return None


def pick_probe(entries: Sequence[Entry]) -> Entry | None:
    """The smallest non-empty encrypted member (an empty one checks nothing: its CRC is always 0)."""
    encrypted = [e for e in entries if e.encrypted]
    if not encrypted:
        return None
    return min(encrypted, key=lambda e: (e.size == 0, e.compressed if e.compressed is not None else e.size, e.size))


def password_findings(
    ctx: AnalysisContext, item: Item, reader: MemberReader, entries: Sequence[Entry], source: str
) -> tuple[str | None, list[Finding]]:
    """Report encryption and find the password; (password or None, findings)."""
    probe = pick_probe(entries)
    if probe is None:
        return None, []
    out = [finding(ENCRYPTED, source, item, f"{sum(e.encrypted for e in entries)} encrypted member(s)")]
    password = find_password(ctx, reader, probe)
    if password is None:
        out.append(finding(ENCRYPTED_UNOPENED, source, item,
                           f"tried {len(candidate_passwords(ctx))} password(s)"))
    else:
        out.append(finding(PASSWORD_FOUND, source, item, f"password {password!r}"))
    return password, out


def unlock_listing(
    item: Item,
    ctx: AnalysisContext,
    source: str,
    open_with: Callable[[str], MemberReader],
    max_tries: int,
    refused: str = "",
) -> Iterator[Finding | Item]:
    """For archives whose member list itself is encrypted: try candidates until ``open_with`` lists members.

    ``open_with(password)`` returns a reader or raises; ``refused`` (a reason) skips the attempts.
    """
    yield finding(ENCRYPTED, source, item, "the member list itself is encrypted")
    tried = 0
    for password in [] if refused else candidate_passwords(ctx)[:max_tries]:
        if ctx.budget.time_left() <= 0:
            break
        tried += 1
        try:
            reader = open_with(password)
        except Exception:
            continue
        yield finding(PASSWORD_FOUND, source, item, f"password {password!r}")
        yield from expand(item, ctx, reader, source, password=password, check_passwords=False)
        return
    yield finding(ENCRYPTED_UNOPENED, source, item, refused or f"tried {tried} password(s)")


# -- the walk -----------------------------------------------------------------------------------------------
def check_declared(ctx: AnalysisContext, item: Item, entries: Sequence[Entry]) -> None:
    """Whole-archive bomb check from declared sizes only (raises BudgetExceeded container.bomb)."""
    total = sum(max(0, e.size) for e in entries)
    ctx.budget.check_ratio(item.path or item.name, max(1, len(item.data)), total)


def expand(
    item: Item,
    ctx: AnalysisContext,
    reader: MemberReader,
    source: str,
    *,
    password: str | None = None,
    check_passwords: bool = True,
) -> Iterator[Finding | Item]:
    """List, check and read every member of ``reader`` as child Items of ``item``."""
    try:
        entries = list(reader.entries())
    except BudgetExceeded as exc:
        yield limit_finding(exc, source, item)
        return
    except Exception as exc:
        yield parse_error(source, item, exc)
        return
    try:
        check_declared(ctx, item, entries)
    except BudgetExceeded as exc:
        yield limit_finding(exc, source, item)
        return
    if check_passwords and password is None:
        password, found = password_findings(ctx, item, reader, entries, source)
        yield from found
    yield from read_members(item, ctx, reader, entries, source, password)


def read_members(
    item: Item,
    ctx: AnalysisContext,
    reader: MemberReader,
    entries: Sequence[Entry],
    source: str,
    password: str | None,
) -> Iterator[Finding | Item]:
    seen: set[tuple[Any, ...]] = set()
    produced = 0
    failed = 0
    locked: list[tuple[str, tuple[Any, ...] | None]] = []  # members another password protects
    opened: set[tuple[Any, ...]] = set()  # what the members read declared of their content
    unread: list[str] = []  # members that declare content but came out empty, or the reader refused
    why: list[str] = []  # the reader's reasons, for the detail
    max_files = ctx.budget.limits.max_files
    for entry in entries:
        ctx.budget.check_time()
        if entry.encrypted and password is None:
            continue
        if entry.identity is not None:
            if entry.identity in seen:
                continue  # byte-identical to a member already scanned
            seen.add(entry.identity)
        if produced >= max_files:
            yield finding(LIMIT_FILES, source, item, f"more than {max_files} members")
            return
        damage = ""
        try:
            ctx.budget.check_member(entry.name, entry.size, entry.compressed)
            data = reader.read(entry, password if entry.encrypted else None, ctx.budget.member_cap())
        except BudgetExceeded as exc:
            yield limit_finding(exc, source, item)
            if exc.code in _STOP_CODES:
                return
            continue
        except WrongPassword:
            locked.append((safe_name(entry.name), entry.declared))
            continue
        except MemberUnreadable as exc:
            unread.append(safe_name(entry.name))
            why.append(str(exc))
            continue
        except PartialMember as exc:
            data, damage = exc.data, str(exc)
        except Exception as exc:
            failed += 1
            if failed <= 3:
                yield parse_error(source, item, f"{safe_name(entry.name)}: {type(exc).__name__}: {exc}")
            continue
        if not data and entry.size > 0:
            unread.append(safe_name(entry.name))
            continue
        if not damage and len(data) < entry.size:  # shorter than its header declares: the rest was never read
            damage = f"{safe_name(entry.name)}: {len(data)} of {entry.size} declared bytes"
        if damage:
            unread.append(safe_name(entry.name))
            why.append(damage)
        if not damage and entry.declared is not None:
            opened.add(entry.declared)
        out = unless_recursive(item, member_item(item, entry.name, data, source), source)
        produced += isinstance(out, Item)
        yield out
    still = [name for name, declared in locked if declared is None or declared not in opened]
    if still:
        yield finding(ENCRYPTED_UNOPENED, source, item,
                      f"{len(still)} member(s) need another password: {', '.join(still[:5])}")
    if unread:
        yield finding(UNREADABLE, source, item, f"{len(unread)} member(s) could not be read: "
                                                f"{', '.join(unread[:5])}" + (f" ({why[0]})" if why else ""))


def recursive_member(child: Item) -> str:
    """How ``child`` repeats an enclosing archive ("" when it does not): byte-identical to its own archive
    (a zip quine) or to one further out (a nest that loops back, also through a nested message)."""
    chain = ancestors(child)
    if child.sha256 not in chain:
        return ""
    levels = len(chain) - chain.index(child.sha256)
    return "is its own archive, byte for byte" if levels == 1 else f"repeats the archive {levels} levels up"


def unless_recursive(parent: Item, child: Item, source: str) -> Item | Finding:
    """``child``, or the ``container.recursive`` finding when it repeats an enclosing archive (never unpacked
    again: the scan would loop until a limit stopped it)."""
    looped = recursive_member(child)
    if looped:
        return finding(limits.RECURSIVE, source, parent, f"{safe_name(child.name)} {looped}")
    return child


def bounded(read: Any, cap: int, name: str) -> bytes:
    """read_bounded for a file-like object's ``read``."""
    return read_bounded(read, cap, safe_name(name))


# -- single-stream decompression ----------------------------------------------------------------------------
class StreamDecompressor(Protocol):
    """zlib/bz2/lzma/zstd decompressor objects (``decompress(data, max_length)``, ``eof``, ``unused_data``)."""

    eof: bool
    unused_data: bytes

    def decompress(self, data: bytes, max_length: int = ...) -> bytes: ...


def decompress_stream(
    make: Any, data: bytes, cap: int, name: str, ctx: AnalysisContext, chunk: int = 1 << 20, feed: int = 1 << 16
) -> tuple[bytes, bool]:
    """Decompress ``data`` (concatenated streams too) with ``make()`` decompressors, never past ``cap`` bytes.

    Input is fed ``feed`` bytes at a time and output taken ``chunk`` bytes at a time, so the expansion
    ratio is known while streaming (output against input consumed so far, a lower bound of the true
    ratio): these formats declare no reliable size.  Returns (output, complete); complete is False for
    a truncated stream.  Raises BudgetExceeded ``container.bomb`` past the ratio,
    ``container.limit.file_size`` past ``cap``.
    """
    out = bytearray()
    decomp = make()
    pos = 0  # bytes of ``data`` handed to a decompressor
    pending = b""  # zlib's unconsumed input (bz2/lzma/zstd keep theirs inside)
    label = safe_name(name)
    follows = False  # decomp reads a stream after the first (another member, or trailing bytes)
    while True:
        ctx.budget.check_time()
        if not pending and getattr(decomp, "needs_input", True) and pos < len(data):
            pending = data[pos : pos + feed]
            pos += len(pending)
        try:
            block = decomp.decompress(pending, max_length=min(chunk, cap + 1 - len(out)))
        except BudgetExceeded:
            raise
        except Exception:
            if not follows:
                raise
            # bytes after a whole stream that are no stream (gzip(1): "trailing garbage ignored"): what came
            # out of the streams before is kept and scanned, and the trailing bytes were not read (incomplete)
            return bytes(out), False
        pending = getattr(decomp, "unconsumed_tail", b"")
        out += block
        ctx.budget.check_ratio(label, max(1, pos - len(pending)), len(out))
        if len(out) > cap:
            raise BudgetExceeded("container.limit.file_size", f"{label}: more than {cap} bytes")
        if decomp.eof:
            rest = decomp.unused_data + data[pos:]
            if not rest.strip(b"\0"):
                return bytes(out), True
            # another stream follows (pigz, pbzip2, multi-frame zstd): continue from where this one ended
            decomp, data, pos, pending, follows = make(), rest, 0, b"", True
            continue
        if not block and not pending and pos >= len(data):
            return bytes(out), False  # input used up before the end of the stream: truncated


# -- the 7-Zip program, for formats no well-kept Python library reads (VHD/VHDX, FAT/NTFS, pure UDF, CAB) --
SEVENZIP_PROGRAMS = ("7zz", "7z", "7za")
#: Members listed at most from the 7-Zip program's output.
_TOOL_MAX_ENTRIES = 100_000


def sevenzip_program() -> str | None:
    for name in SEVENZIP_PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    return None


class ToolReader:
    """Lists and reads an archive with the 7-Zip program.

    The program needs a file: the image is written to a private temporary directory (mode 0700,
    removed by :meth:`close`; made under ``tempfile``'s folder, which in a scanner worker is the
    worker's own, emptied when a worker starts after this one died); nothing is ever extracted to
    disk — members are read from the program's stdout with a byte cap, and names are passed with
    wildcards disabled (``-spd``).  The program runs under :mod:`coinguard.subproc`: what is left
    of the scan's time budget as its limit, its process group killed past it, dying with the worker.
    ``fmt`` is 7-Zip's format name (``-t``); None lets 7-Zip detect it and open nested layers.
    """

    def __init__(self, data: bytes, fmt: str | None, ctx: AnalysisContext) -> None:
        program = sevenzip_program()
        if program is None:
            raise RuntimeError("the 7-Zip program (7zz) is not installed")
        self.program = program
        self.fmt = fmt
        self.ctx = ctx
        self._listed: list[Entry] = []
        self.listing_error = ""  # set by entries() when 7-Zip listed the archive but reported errors
        self._dir = tempfile.TemporaryDirectory(prefix="coinguard-")
        self.path = os.path.join(self._dir.name, "archive")
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)

    def _base(self, command: str) -> list[str]:
        fmt = [f"-t{self.fmt}"] if self.fmt else []  # None: let 7-Zip open nested layers (VHD -> MBR -> FAT)
        return [self.program, command, *fmt, "-bd", "-p-", "-spd", "-sccUTF-8"]

    def _timeout(self) -> float:
        return max(1.0, self.ctx.budget.time_left())

    def entries(self) -> list[Entry]:
        proc = subproc.run_tool([*self._base("l"), "-slt", "-ba", self.path], self._timeout())
        text = proc.stdout.decode("utf-8", "replace")
        if proc.returncode != 0 and not text.strip():
            raise RuntimeError(proc.stderr.decode("utf-8", "replace").strip()[-200:] or f"7-Zip exit {proc.returncode}")
        if proc.returncode not in (0, 1):  # listed, but with errors (cut short, damaged headers): maybe not all
            errors = " ".join(proc.stderr.decode("utf-8", "replace").split())[-200:]
            self.listing_error = errors or f"7-Zip exit {proc.returncode}"
        out: list[Entry] = []
        # lines end in "\n" only: a name may hold a raw "\r" (7-Zip prints it as is; splitlines would cut it)
        for block in text.split("\n\n"):
            fields = dict(line.split(" = ", 1) for line in block.split("\n") if " = " in line)
            name = fields.get("Path")
            if not name or fields.get("Folder") == "+" or fields.get("Attributes", "").startswith("D"):
                continue
            size = _int(fields.get("Size"))
            packed = _int(fields.get("Packed Size")) or None
            out.append(Entry(name=name, size=size, compressed=packed,
                             encrypted=fields.get("Encrypted") == "+", key=name))
            if len(out) >= _TOOL_MAX_ENTRIES:
                break
        self._listed = out
        return out

    def _selector(self, entry: Entry) -> tuple[str, bool]:
        """(the argument that selects ``entry``, whether it is a wildcard pattern).

        7-Zip prints a control character in a member name (newline, CR, tab...) as ``_``, so the listed
        name may not select the member.  Such a name becomes a pattern with ``?`` for each ``_``, used
        only when it matches exactly one listed member; otherwise the member cannot be selected and
        is reported unreadable (never silently skipped).
        """
        name = str(entry.key)
        if "_" not in name:
            return name, False
        if "*" in name or "?" in name or "[" in name:
            raise MemberUnreadable(f"{safe_name(name)}: a listed name 7-Zip may have altered cannot be selected")
        pattern = name.replace("_", "?")
        matching = [e for e in self._listed if fnmatch.fnmatchcase(e.name, pattern)
                    or fnmatch.fnmatchcase(e.name.rsplit("/", 1)[-1], pattern.rsplit("/", 1)[-1])]
        if len(matching) != 1:
            raise MemberUnreadable(f"{safe_name(name)}: {len(matching)} listed members match its name")
        return pattern, True

    def read(self, entry: Entry, password: str | None, cap: int) -> bytes:
        selector, wildcard = self._selector(entry)
        argv = [*self._base("x"), "-so"]
        if wildcard:
            argv.remove("-spd")
        if password is not None:
            argv[argv.index("-p-")] = f"-p{password}"
        # past the cap the block ends early (pipe closed, group killed); at EOF the program gets what is
        # left of its limit to exit with its own status (2: wrong password)
        limit = self._timeout()
        with subproc.tool_process([*argv, self.path, "--", selector], limit, grace=limit,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
            assert proc.stdout is not None
            data = read_bounded(proc.stdout.read, cap, entry.name)
        if proc.timed_out:  # a stalled program cannot hold the scan: its group was killed
            raise MemberUnreadable(f"{safe_name(entry.name)}: 7-Zip gave no result within {proc.limit:g}s "
                                   "(killed)")
        code = proc.returncode
        if code == 2 and password is not None:
            raise WrongPassword(f"{safe_name(entry.name)}: 7-Zip exit {code}")
        if code not in (0, 1) and not data:
            raise RuntimeError(f"{safe_name(entry.name)}: 7-Zip exit {code}")
        if code not in (0, 1) and len(data) < entry.size:  # a damaged member came out cut short: scan it, say so
            raise PartialMember(data, f"{safe_name(entry.name)}: 7-Zip exit {code}, {len(data)} of {entry.size} "
                                      "declared bytes")
        return data  # exit 2 with the whole member: a damaged archive (reported from its listing)

    def close(self) -> None:
        self._dir.cleanup()


def expand_with_tool(
    item: Item, ctx: AnalysisContext, source: str, fmt: str | None, *, check_passwords: bool = False
) -> Iterator[Finding | Item]:
    """:func:`expand` through the 7-Zip program (see :class:`ToolReader`); its temporary copy is always removed."""
    if sevenzip_program() is None:
        yield finding(UNREADABLE, source, item, "the 7-Zip program (7zz) is not installed: nothing could be read")
        return
    try:
        reader = ToolReader(item.data, fmt, ctx)
    except Exception as exc:
        yield parse_error(source, item, exc)
        return
    try:
        reported = False
        for out in expand(item, ctx, reader, source, check_passwords=check_passwords):
            reported = reported or (isinstance(out, Finding) and out.code == PARSE_ERROR.code)
            yield out
        if reader.listing_error and not reported:
            yield parse_error(source, item, f"7-Zip listed it with errors: {reader.listing_error}")
    finally:
        reader.close()


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0
