"""Strip and deliver: replace offending attachments with a short text notice, on the raw bytes.

:func:`strip_parts` finds each leaf MIME part's byte range in the message as received (the same
leaves, in the same order, as :func:`coinguard.mime.extract_parts`, whose Item paths name them)
and splices a ``text/plain`` notice into the range of each part to remove.  Nothing else is
re-serialised: the header block, the preambles, the boundaries and every other part stay
byte-identical.  The ranges are cross-checked against the email package's own parse (same number
of leaves, same decoded content) and the result is parsed again; any disagreement raises
:class:`StripError`, and the caller then quarantines the whole message instead.

An *offending* part (:func:`offending_parts`) is a top-level part holding a scored finding of the
attachment or container category (macros, exploits, executables, archives); lure words in the body
text are not a reason to cut the body.
"""

from __future__ import annotations

import email
import email.parser
import email.policy
import itertools
import quopri
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from email.message import Message

from coinguard.findings import Category, Verdict

#: Deepest multipart nesting followed (deeper messages are not stripped).
MAX_NESTING = 50
#: Most leaf parts handled.
MAX_LEAVES = 10_000
STRIP_CATEGORIES = frozenset({Category.ATTACHMENT, Category.CONTAINER})


class StripError(Exception):
    """The message cannot be stripped safely (not multipart, ambiguous structure)."""


@dataclass(frozen=True, slots=True)
class Leaf:
    start: int  # first byte of the part's own header block
    end: int  # one past its last body byte (the line break before the next delimiter excluded)


def _split_headers(raw: bytes, start: int, end: int) -> int:
    """Offset of the body of the part at ``raw[start:end]`` (``end`` when it has none)."""
    if raw.startswith(b"\r\n", start):
        return start + 2
    if raw.startswith(b"\n", start):
        return start + 1
    m = re.compile(rb"\r?\n\r?\n").search(raw, start, end)
    return m.end() if m else end


def _headers(raw: bytes, start: int, body: int) -> Message:
    return email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw[start:body])


def _leaves(raw: bytes, start: int, end: int, depth: int, out: list[Leaf]) -> None:
    body = _split_headers(raw, start, end)
    head = _headers(raw, start, body)
    boundary = head.get_boundary() if head.get_content_maintype() == "multipart" else None
    if not boundary:
        out.append(Leaf(start, end))
        return
    if depth >= MAX_NESTING:
        raise StripError("multipart nesting too deep")
    delim = re.compile(rb"^--" + re.escape(boundary.encode("latin-1", "replace")) + rb"(--)?[ \t]*\r?$", re.M)
    marks = list(_delimiters(delim, raw, body, end))
    if not marks or marks[0][2]:
        raise StripError("multipart without parts")
    for (_s, after, _close), (nxt, _a, _c) in itertools.pairwise(marks):
        part_end = nxt
        if raw[part_end - 1:part_end] == b"\n":
            part_end -= 2 if raw[part_end - 2:part_end] == b"\r\n" else 1
        _leaves(raw, after, max(after, part_end), depth + 1, out)
        if len(out) > MAX_LEAVES:
            raise StripError("too many parts")
    if not marks[-1][2]:
        raise StripError("multipart without its closing delimiter")


def _delimiters(delim: re.Pattern[bytes], raw: bytes, start: int, end: int) -> Iterator[tuple[int, int, bool]]:
    """(line start, first byte after the line, is the close delimiter) up to and including the close."""
    for m in delim.finditer(raw, start, end):
        after = m.end()
        if raw.startswith(b"\n", after):
            after += 1
        yield m.start(), after, bool(m.group(1))
        if m.group(1):
            return


def leaves(raw: bytes) -> list[Leaf]:
    """Byte ranges of the leaf parts of a multipart message, in :func:`mime.extract_parts` order."""
    body = _split_headers(raw, 0, len(raw))
    if _headers(raw, 0, body).get_content_maintype() != "multipart":
        raise StripError("not a multipart message: nothing to strip but the whole body")
    out: list[Leaf] = []
    _leaves(raw, 0, len(raw), 0, out)
    return out


def _email_leaves(msg: Message) -> Iterator[Message]:
    """The email package's leaves in the order coinguard.mime walks them (message/rfc822 is a leaf)."""
    if msg.is_multipart() and msg.get_content_maintype() == "multipart":
        for part in msg.get_payload():
            if isinstance(part, Message):
                yield from _email_leaves(part)
    else:
        yield msg


def _content(part: Message) -> bytes | None:
    if part.get_content_type() == "message/rfc822":
        return None  # compared by type only: the parser re-serialises nested messages
    try:
        data = part.get_payload(decode=True)
    except Exception:
        return None
    return data if isinstance(data, bytes) else None


def _check(raw: bytes, found: Sequence[Leaf]) -> None:
    """Our byte ranges are the email package's leaves (count, type and decoded content)."""
    theirs = list(_email_leaves(email.message_from_bytes(raw, policy=email.policy.compat32)))
    if len(theirs) != len(found):
        raise StripError(f"structure ambiguous: {len(found)} parts by boundaries, {len(theirs)} by the parser")
    for leaf, part in zip(found, theirs, strict=True):
        mine = email.message_from_bytes(raw[leaf.start:leaf.end], policy=email.policy.compat32)
        if mine.get_content_type() != part.get_content_type() or _content(mine) != _content(part):
            raise StripError("structure ambiguous: a part's content differs between boundaries and the parser")


def leaf_paths(raw: bytes) -> list[str]:
    """The Item path of each leaf (as the scan named them)."""
    from coinguard import mime

    _msg, items, _findings = mime.extract_parts(raw, max_parts=MAX_LEAVES)
    return [item.path for item in items]


def notice_part(text: str, eol: bytes) -> bytes:
    """A text/plain part (headers and body, no trailing line break) saying ``text``."""
    body = quopri.encodestring(text.encode("utf-8")).replace(b"\r\n", b"\n").rstrip(b"\n")
    lines = [b'Content-Type: text/plain; charset="utf-8"', b"Content-Transfer-Encoding: quoted-printable",
             b"Content-Disposition: inline", b"", *body.split(b"\n")]
    return eol.join(lines)


def strip_parts(raw: bytes, paths: Iterable[str], notice: Callable[[str], str]) -> bytes:
    """``raw`` with every leaf part whose Item path is in ``paths`` replaced by ``notice(path)``.

    Raises :class:`StripError` when no listed part is found or the message cannot be cut safely.
    """
    wanted = set(paths)
    found = leaves(raw)
    _check(raw, found)
    names = leaf_paths(raw)
    if len(names) != len(found):
        raise StripError(f"structure ambiguous: {len(found)} parts, {len(names)} scanned")
    eol = b"\r\n" if b"\r\n" in raw[:_split_headers(raw, 0, len(raw))] else b"\n"
    chosen = [(leaf, name) for leaf, name in zip(found, names, strict=True) if name in wanted]
    if not chosen:
        raise StripError("none of the parts to strip is in the message")
    out: list[bytes] = []
    pos = 0
    for leaf, name in chosen:
        out += [raw[pos:leaf.start], notice_part(notice(name), eol)]
        pos = leaf.end
    out.append(raw[pos:])
    result = b"".join(out)
    after = leaves(result)
    if len(after) != len(found) or any(
        result[new.start:new.end] != raw[old.start:old.end]
        for new, old, name in zip(after, found, names, strict=True) if name not in wanted
    ):
        raise StripError("the stripped message does not re-parse to the same structure")
    return result


# --------------------------------------------------------------------------- from a verdict
def offending_parts(verdict: Verdict) -> dict[str, list[str]]:
    """Top-level part path -> the codes that make it offending (scored attachment/container findings)."""
    from coinguard.catalogue import catalogue
    from coinguard.policy import lookup

    cat = catalogue()
    out: dict[str, list[str]] = {}
    for f in verdict.findings:
        if not f.path or (f.score or 0) <= 0:
            continue
        info = lookup(f.code, cat)
        if (info.category if info is not None else Category.ATTACHMENT) not in STRIP_CATEGORIES:
            continue
        codes = out.setdefault(f.path.split("/", 1)[0], [])
        if f.code not in codes:
            codes.append(f.code)
    return out


def notice_text(name: str, codes: Sequence[str], qid: str) -> str:
    """What the recipient reads in place of the attachment."""
    from coinguard.catalogue import catalogue
    from coinguard.policy import lookup

    cat = catalogue()
    lines = [f"The attachment \"{name}\" was removed by the mail gateway (coinguard) because:", ""]
    for code in codes[:10]:
        info = lookup(code, cat)
        lines.append(f"  - {info.description if info is not None else code} ({code})")
    if len(codes) > 10:
        lines.append(f"  - and {len(codes) - 10} more finding(s)")
    lines += ["", f"The original message is kept in the quarantine under id {qid}.",
              "Ask your mail administrator if you need it.", ""]
    return "\n".join(lines)
