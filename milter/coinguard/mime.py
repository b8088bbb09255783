"""Message bytes -> :class:`MessageInfo` + a flat list of leaf-part Items.

Parsing is tolerant: the stdlib parser with the ``compat32`` policy never raises
on malformed input; defects it records become ``mime.*`` findings.  Nested
``message/rfc822`` parts become Items of type ``eml`` which the message unpacker
opens through :func:`extract_parts` under the Budget (so nesting is bounded).
"""

from __future__ import annotations

import binascii
import email
import email.feedparser
import email.header
import email.parser
import email.policy
import email.utils
import io
import logging
import re
import types
from collections.abc import Iterator
from email.message import Message
from typing import Any

from coinguard.findings import Category, CodeInfo, Finding, Item, Role, safe_name
from coinguard.handlers import MessageInfo
from coinguard.sniff import sniff
from coinguard.text import (
    MAX_HTML_RENDER,
    MAX_LINKS,
    decode_text,
    html_to_text,
    reading_codec,
    text_codec,
    unreadable_text,
)

log = logging.getLogger(__name__)

ANALYZER = "mime"

TOO_MANY_PARTS = "mime.too_many_parts"
PARSE_ERROR = "mime.parse_error"
BAD_CHARSET = "mime.bad_charset"
UNDECODABLE = "mime.undecodable_text"
LONG_HEADER = "mime.limit.header_line"
#: Longest header line handed to the parser (the stdlib parser holds several copies of a line).
MAX_HEADER_LINE = 64 * 1024

CODES: tuple[CodeInfo, ...] = (
    CodeInfo("mime.defect", 0.5, Category.MESSAGE, "The MIME structure is malformed (parser defects listed)."),
    CodeInfo(TOO_MANY_PARTS, 3.0, Category.MESSAGE,
             "More MIME parts (or MIME entities, empty multiparts included) than the limits; the rest were not "
             "scanned (verdict unchecked).", incomplete=True),
    CodeInfo(PARSE_ERROR, 1.0, Category.MESSAGE,
             "The message, or a nested message, could not be parsed as MIME (e.g. nested too deep for the parser); "
             "its parts were not scanned (verdict unchecked)."),
    CodeInfo(LONG_HEADER, 1.0, Category.MESSAGE,
             f"A header line longer than {MAX_HEADER_LINE // 1024} KiB (RFC 5322 allows 998 characters) was cut "
             "before parsing; the rest of that line was not read (verdict unchecked)."),
    CodeInfo(BAD_CHARSET, 0.5, Category.MESSAGE,
             "A part declares a charset that cannot decode text (unknown, malformed, or a transform such as rot13 "
             "or hex); its text was read as UTF-8 (windows-1252 when it is not UTF-8) instead, as mail clients do."),
    CodeInfo(UNDECODABLE, 0.0, Category.MESSAGE,
             "A text part's bytes decode neither in its declared charset (read as mail clients read it: "
             "iso-8859-1 as windows-1252, gb2312 as GB18030, ks_c_5601-1987 as windows-949 ...) nor as UTF-8; "
             "a reader sees U+FFFD there as we do (a broken mailer's mislabelled text, or garbage): recorded, "
             "not unchecked -- an attacker gains nothing from text the victim cannot read either, and a "
             "mislabelled newsletter must not be quarantined.", incomplete=False),
)

#: Bytes of body text kept for the message analyzers.
MAX_BODY_TEXT = 512 * 1024
#: MIME entities (multipart containers included) walked at most, as a multiple of the parts limit.
NODES_PER_PART = 10


def charset_of(part: Message) -> str:
    """The part's declared charset, lower case ("" when absent or unreadable).  Never raises."""
    try:
        return str(part.get_content_charset() or "")
    except Exception:
        return ""


#: One RFC 2047 encoded word: charset (an RFC 2231 ``*language`` tail allowed), B or Q, text without ``?``/space.
_ENCODED_WORD = re.compile(r"=\?([^?\s*]{1,64})(?:\*[^?\s]{0,32})?\?([bBqQ])\?([^?\s]*)\?=")
_QP_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")


def _word_bytes(encoding: str, text: str) -> bytes:
    """The bytes of one encoded word's text, decoded leniently as mail clients do (never raises)."""
    if encoding in "bB":
        try:
            return lenient_base64(text)
        except (binascii.Error, ValueError):
            return b""
    data = text.replace("_", " ").encode("ascii", "surrogateescape")
    return _QP_ESCAPE.sub(lambda m: bytes((int(m.group(1), 16),)), data)


def _header_text(value: object) -> str:
    """A header value as the parser keeps it: a compat32 ``Header`` (what ``msg.get`` returns for raw 8-bit
    bytes, whose ``str()`` is all U+FFFD) back to its text with the bytes as surrogate escapes."""
    if isinstance(value, email.header.Header):
        try:
            chunks = email.header.decode_header(value)
        except Exception:
            return str(value)
        return "".join(c.decode("ascii", "surrogateescape") if isinstance(c, bytes) else str(c) for c, _cs in chunks)
    return str(value)


def decode_header(value: str | email.header.Header | None) -> str:
    """A header value as a mail client shows it, never raising: raw 8-bit bytes read as UTF-8 when valid
    (:func:`_undo_surrogates`), each RFC 2047 encoded word decoded on its own (a bad word costs only itself),
    adjacent words of one charset joined as bytes first (a multi-byte character split between two words),
    glued words (``?==?``) and words inside text found; charsets read as :func:`~coinguard.text.decode_text`
    reads them."""
    if not value:
        return ""
    text = _undo_surrogates(_header_text(value))
    if "=?" not in text:  # no encoded word: the value as it is, one line
        return " ".join(text.split())
    out: list[str] = []
    pending = b""
    pending_charset = ""
    at = 0
    for match in _ENCODED_WORD.finditer(text):
        between = text[at:match.start()]
        charset = match.group(1).lower()
        if between and (not pending or between.strip()):
            if pending:
                out.append(decode_text(pending, pending_charset, "latin-1"))
                pending = b""
            out.append(between)
        elif pending and charset != pending_charset:
            out.append(decode_text(pending, pending_charset, "latin-1"))
            pending = b""
        pending += _word_bytes(match.group(2), match.group(3))
        pending_charset = charset
        at = match.end()
    if pending:
        out.append(decode_text(pending, pending_charset, "latin-1"))
    out.append(text[at:])
    decoded = "".join(out)
    return " ".join(decoded.replace("\r", " ").replace("\n", " ").split())


def _undo_surrogates(text: str, charset: str | None = None) -> str:
    """Raw 8-bit header bytes (which compat32 keeps as surrogate escapes) decoded as UTF-8 if they are
    valid UTF-8, else in ``charset``, else latin-1: so a raw RTLO in a filename stays an RTLO."""
    if not _has_surrogates(text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    codec = reading_codec(charset)
    if codec and codec != "utf-8":
        try:
            return raw.decode(codec)
        except Exception:
            pass
    return raw.decode("cp1252", "replace")  # as clients read undeclared 8-bit text that is not UTF-8


def _with_8bit_params(part: Message) -> Message:
    """``part``, or when its Content-Type/Content-Disposition hold raw 8-bit bytes (no RFC 2047/2231), a
    stand-in whose two headers are those bytes decoded (:func:`_undo_surrogates`): compat32 would
    otherwise turn each byte into U+FFFD, hiding an RTLO in a file name."""
    wanted = ("content-type", "content-disposition")
    try:
        raw = [(k, v) for k, v in part.raw_items() if k.lower() in wanted and isinstance(v, str)]
    except Exception:
        return part
    if not any(_has_surrogates(v) for _k, v in raw):
        return part
    charset = charset_of(part)
    stand_in = Message()
    for key, value in raw:
        stand_in[key] = _undo_surrogates(value, charset)
    return stand_in


_SURROGATE_ESCAPES = re.compile("[\udc80-\udcff]")


def _has_surrogates(text: str) -> bool:
    """Whether the parser smuggled undecodable header bytes in as surrogate escapes (at C speed)."""
    return not text.isascii() and _SURROGATE_ESCAPES.search(text) is not None


def _part_name(part: Message, charset: str) -> str:
    """The part's file name (``charset``: :func:`charset_of` the part, for raw 8-bit bytes in the name)."""
    part = _with_8bit_params(part)
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        try:
            param = part.get_param("name")
            name = email.utils.collapse_rfc2231_value(param) if isinstance(param, tuple) else param
        except Exception:
            name = None
    return decode_header(_undo_surrogates(str(name), charset)) if name else ""


#: Transfer encodings the stdlib decodes; any other (7bit, 8bit, binary, none, unknown) is the text as it is.
_DECODED_CTES = frozenset({"quoted-printable", "base64", "x-uuencode", "uuencode", "uue", "x-uue"})


def _direct_payload(part: Message) -> bytes | None:
    """A leaf's payload decoded straight from the parsed text, or None to let the stdlib do it.

    compat32's ``get_payload(decode=True)`` first encodes the whole text to UTF-8 only to look
    for surrogates, then encodes it again; for base64 it also splits it into lines and joins them
    before decoding: up to four extra copies of the largest thing in a message.  Here base64 text
    goes straight to ``a2b_base64`` (which skips line breaks), and text in no transfer encoding is
    encoded once (``surrogateescape`` gives back the received bytes, as the stdlib does).  Anything
    refused (non-ASCII base64, bad padding) goes the stdlib's tolerant way.
    """
    try:
        cte = str(part.get("Content-Transfer-Encoding", "")).lower()
        # the parsed text itself: get_payload() would first re-encode all of it, only to look for surrogates
        text = getattr(part, "_payload", None)
    except Exception:
        return None
    if not isinstance(text, str):
        return None
    if cte.strip() == "base64":
        try:
            return binascii.a2b_base64(text) if text.isascii() else lenient_base64(text)
        except (binascii.Error, ValueError):
            return lenient_base64(text)
    if cte in _DECODED_CTES:
        return None
    try:
        return text.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:  # not text from the bytes parser: the stdlib knows what to do
        return None


_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/]+")


def lenient_base64(text: str) -> bytes:
    """Base64 ``text`` decoded as mail clients decode it: other characters skipped, a cut last quantum
    (bad padding: the part was cut short) decoded as far as it goes.  The stdlib instead hands back the
    base64 TEXT itself for such a part, so the attachment was scanned as text, never as what it holds."""
    letters = _NOT_BASE64.sub("", text)
    letters = letters[: len(letters) - len(letters) % 4 if len(letters) % 4 == 1 else len(letters)]
    return binascii.a2b_base64(letters + "=" * (-len(letters) % 4))


def _payload(part: Message) -> bytes:
    fast = _direct_payload(part)
    if fast is not None:
        return fast
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if data is None:
        raw = part.get_payload()
        if isinstance(raw, str):
            return raw.encode("utf-8", "surrogateescape")
        return b""
    return data if isinstance(data, bytes) else bytes(data)


_DELIMITER_LINE = re.compile(r"^--([^\s-][^\r\n]*?)[ \t]*\r?$", re.M)


def split_by_guessed_boundary(part: Message) -> Message | None:
    """A multipart the parser could not split (no boundary parameter, or one its body never uses), split
    by the boundary its first delimiter-like line (``--something``) names; None when there is none or
    it splits nothing.  Mail clients that guess show these parts: unsplit, they were read as one text,
    the attachment inside never as what it is."""
    text = getattr(part, "_payload", None)
    if not isinstance(text, str):
        return None
    match = _DELIMITER_LINE.search(text)
    if match is None:
        return None
    boundary = match.group(1).removesuffix("--")
    if not boundary or '"' in boundary:
        return None
    try:
        head = f'Content-Type: {part.get_content_type()}; boundary="{boundary}"\r\n\r\n'.encode()
        split = parse_bytes(head + text.encode("ascii", "surrogateescape"))
    except Exception:
        return None
    return split if isinstance(split.get_payload(), list) and split.get_payload() else None


class _TooManyNodes(Exception):
    """The MIME tree has more entities than the walk visits."""


def _walk(msg: Message, max_nodes: int) -> Iterator[Message]:
    """Leaf parts of ``msg`` in document order (multiparts are descended; message/rfc822 is a leaf).

    Iterative (an explicit stack, no recursion, however deep); raises :class:`_TooManyNodes` past
    ``max_nodes`` entities, so the caller can say the rest was not read.
    """
    stack: list[Message] = [msg]
    seen = 0
    while stack:
        part = stack.pop()
        seen += 1
        if seen > max_nodes:
            raise _TooManyNodes(f"more than {max_nodes} MIME entities")
        if part.get_content_maintype() == "multipart":
            payload = part.get_payload()
            if isinstance(payload, str):
                split = split_by_guessed_boundary(part)
                if split is not None:  # its parts, read as a client that guesses the boundary shows them
                    payload = split.get_payload()
            if isinstance(payload, list):
                stack.extend(p for p in reversed(payload) if isinstance(p, Message))
                continue
            if not (payload.strip() if isinstance(payload, str) else payload):
                continue  # a multipart with no parts ("--b--" alone): an entity, nothing to scan
        yield part


def _role(part: Message, name: str) -> str:
    try:
        disposition = (part.get_content_disposition() or "").lower()
    except Exception:
        disposition = ""
    ctype = part.get_content_type()
    if disposition == "attachment" or (name and disposition != "inline"):
        return Role.ATTACHMENT
    if ctype in ("text/plain", "text/html") and not name:
        return Role.BODY
    return Role.INLINE if not name else Role.ATTACHMENT


class _Unserializable(Exception):
    """A parsed nested message could not be turned back into bytes (nested too deep for the generator)."""


def _rfc822_bytes(part: Message) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        try:
            data = payload[0].as_bytes(policy=email.policy.compat32)
        except RecursionError as exc:  # never retried another way: str() recurses the same
            raise _Unserializable("nested messages too deep to re-read") from exc
        except Exception:
            try:
                data = payload[0].as_string(policy=email.policy.compat32).encode("utf-8", "surrogateescape")
            except RecursionError as exc:
                raise _Unserializable("nested messages too deep to re-read") from exc
            except Exception as exc:
                raise _Unserializable(f"{type(exc).__name__}: {exc}") from exc
    else:
        data = _payload(part)
    # RFC 2046 forbids encoding message/rfc822, but some clients base64 it anyway: the
    # parser then sees the base64 text as a header-less "message".  Undo the encoding.
    cte = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if cte in ("base64", "quoted-printable"):
        import base64
        import binascii
        import quopri

        body = data.split(b"\n\n", 1)[-1] if data.startswith((b"\n", b"\r\n")) else data
        try:
            data = base64.b64decode(body, validate=False) if cte == "base64" else quopri.decodestring(body)
        except (binascii.Error, ValueError):
            pass
    return data


#: Bytes handed to the parser at a time.
_FEED = 1 << 16

#: Lines that may mean something to the parser wherever they appear: a header or continuation line
#: (``email.feedparser.headerRE``), a blank line, anything starting with "-" (every MIME boundary does).
_SIGNIFICANT = re.compile(r"From |[\041-\071\073-\176]*:|[\t \r\n-]")
#: The first characters of the lines :data:`_SIGNIFICANT` matches, but for headers (which hold a colon).
_FIRST = "\t \r\n-F"


class _RunsOfLines(email.feedparser.BufferedSubFile):  # type: ignore[name-defined,misc]
    """The parser's input, holding runs of plain content lines as one string.

    ``FeedParser`` collects a part's body one line at a time (``for line in self._input``) and joins
    the list at the end: a str object per line is ~50 bytes of overhead on a 76-character base64
    line, so the list alone is 1.6x the part, and a Python step per line.  Here each pushed slice's
    lines are stored as they are where they could be significant to the parser (:data:`_SIGNIFICANT`):
    a header, a blank line, a boundary; every run of other lines between them is stored joined, as
    one "line".  The parser's end-of-part predicates (``_eofstack``) are boundary matchers (lines
    starting "--") and NLCRE (lines starting with CR/LF), and its header test is ``headerRE``: each
    gives on a run what it gives on the run's first line, which is not significant.  So the joined
    text of every part, preamble and epilogue is exactly what the stdlib makes, and the parsed tree
    is the stdlib's (tests/test_mime.py compares them); a run is at most one fed slice, :data:`_FEED`.
    """

    def __init__(self) -> None:
        super().__init__()
        #: the stdlib's ``_partial`` (a StringIO): the text of the last line, not complete yet, in the
        #: slices it came in (joined once a line break arrives, so a line of many slices costs linear time)
        self._pending: list[str] = []

    def push(self, data: str) -> None:
        """``BufferedSubFile.push``: the complete lines of the pending text go to the parser as
        :func:`runs_of_text` joins them; the last line stays pending unless it ends with LF (as the
        stdlib's, which splits all the text into lines first)."""
        self._pending.append(data)
        if "\n" not in data and "\r" not in data:
            return
        text = "".join(self._pending)
        end = _complete_end(text)
        self._pending = [text[end:]] if end < len(text) else []
        self._lines.extend(runs_of_text(text[:end]))

    def close(self) -> None:
        self.pushlines(_readlines("".join(self._pending)))
        self._pending = []
        self._closed = True

    def pushlines(self, lines: list[str]) -> None:
        self._lines.extend(_runs(lines))


def _runs(lines: list[str]) -> list[str]:
    """``lines`` with each run of lines that are not :data:`_SIGNIFICANT` joined into one string."""
    if len(lines) < 3:
        return lines
    significant = _SIGNIFICANT.match
    # A significant line starts with one of _FIRST ("F" for "From ") or holds a colon (a header): only those
    # lines are matched one by one.
    marks = [i for i, line in enumerate(lines) if (line[:1] in _FIRST or ":" in line) and significant(line)]
    out: list[str] = []
    last = 0
    for i in marks:
        if i > last:
            out.append("".join(lines[last:i]))
        out.append(lines[i])
        last = i + 1
    if last < len(lines):
        out.append("".join(lines[last:]))
    return out


def _readlines(text: str) -> list[str]:
    """``text`` split as the parser splits it (``StringIO(newline="")``: LF, CRLF and a lone CR end a line)."""
    return io.StringIO(text, newline="").readlines()


def _complete_end(text: str) -> int:
    """Where the last line of ``text`` starts unless it ends with LF (then ``len(text)``): the stdlib keeps
    that line pending (it may be a CR whose LF is still to come)."""
    if text.endswith("\n"):
        return len(text)
    stop = len(text) - 1 if text.endswith("\r") else len(text)
    return max(text.rfind("\n", 0, stop), text.rfind("\r", 0, stop)) + 1


#: What a line that may be :data:`_SIGNIFICANT` holds: a colon, a blank or "-" (a header, a continuation
#: line, "From ", a boundary all hold one), or a blank line (a line break right after a line break).  A line
#: with none of them and not starting with CR or LF matches no branch of :data:`_SIGNIFICANT`.
_MAYBE_SIGNIFICANT = (":", " ", "\t", "-", "\n\n", "\n\r", "\r\r")
#: Characters of text around a line that may be significant that are split into lines and matched one by one.
_WINDOW = 4096


def runs_of_text(text: str) -> list[str]:
    """``_runs(_readlines(text))`` without splitting the plain stretches of ``text`` into lines.

    ``text`` is whole lines (it ends where a line ends).  A stretch of lines none of which can be
    significant (:data:`_MAYBE_SIGNIFICANT`, found by ``str.find`` at C speed: a base64 part holds none)
    is one run as it is; around each line that may be, a window of whole lines is split and marked as
    :func:`_runs` does.  Adjacent runs are joined, so the list is :func:`_runs`' own
    (tests/test_mime_equivalence.py).
    """
    size = len(text)
    out: list[str] = []
    pending: list[str] = []  # the current run of lines that are not significant
    # where each pattern next occurs at or after pos (size: nowhere); text without a CR (LF line ends) has
    # no pair with one, which spares two searches of the pairs, the slow ones
    no_cr = "\r" not in text
    nexts = [size if no_cr and "\r" in pattern else -1 for pattern in _MAYBE_SIGNIFICANT]
    pos = 0
    first, significant = _FIRST, _SIGNIFICANT.match
    while pos < size:
        if text[pos] in "\r\n":
            start = pos  # a blank line where the stretch starts
        else:
            for k, pattern in enumerate(_MAYBE_SIGNIFICANT):
                if nexts[k] < pos:
                    found = text.find(pattern, pos)
                    nexts[k] = size if found < 0 else found
            at = min(nexts)
            if at >= size:
                start = size
            elif text[at] in "\r\n":
                start = at + 1  # the blank line after a line break
            else:
                start = max(pos, text.rfind("\n", pos, at) + 1, text.rfind("\r", pos, at) + 1)
        if start > pos:
            pending.append(text[pos:start])
        if start >= size:
            break
        end = _line_end(text, min(size, start + _WINDOW))
        for line in _readlines(text[start:end]):
            if (line[:1] in first or ":" in line) and significant(line):
                if pending:
                    out.append("".join(pending))
                    pending = []
                out.append(line)
            else:
                pending.append(line)
        pos = end
    if pending:
        out.append("".join(pending))
    if len(out) < 3 and _next_line(text, _next_line(text, 0)) >= size:
        return _readlines(text)  # at most two lines: _runs leaves fewer than three as they are
    return out


def _line_end(text: str, at: int) -> int:
    """Where the line of ``text`` holding offset ``at`` ends (after its line break; ``len(text)`` at the end)."""
    if at >= len(text):
        return len(text)
    if at > 0 and text[at - 1] == "\r" and text[at] != "\n":
        return at  # ``at`` starts a line: the one before ended with a lone CR
    return _next_line(text, at)


def _next_line(text: str, start: int) -> int:
    """Where the next line of ``text`` starts, the line holding ``start`` ending there (``len(text)`` at the end)."""
    cr, lf = text.find("\r", start), text.find("\n", start)
    if cr < 0 and lf < 0:
        return len(text)
    if cr < 0 or (0 <= lf < cr):
        return lf + 1
    return cr + 2 if text[cr + 1 : cr + 2] == "\n" else cr + 1


class _EolAtEnd:
    """``email.feedparser.NLCRE_eol`` (``(\\r\\n|\\r|\\n)\\Z``) searched where it can match: the last two characters.

    The parser looks for the line break that ends each part's payload with ``NLCRE_eol.search(payload)``,
    which tries the pattern at every position of the payload: ~0.5 ms for a 100 KB attachment, linear in
    the part.  A match ends at the end of the string, so it starts at one of the last two characters; the
    leftmost match from there is the leftmost match of the whole string (the same text, ``\\r\\n`` first).
    """

    _EOL = re.compile(r"(\r\n|\r|\n)\Z")

    def search(self, text: str) -> re.Match[str] | None:
        return self._EOL.search(text, max(0, len(text) - 2))


class _Boundary:
    """The parser's boundary pattern for one separator (``--`` + boundary), without compiling a regex for it.

    ``FeedParser`` compiles ``(?P<sep>SEP)(?P<end>--)?(?P<ws>[ \\t]*)(?P<linesep>\\r\\n|\\r|\\n)?$`` for each
    multipart: every message has its own boundary, so ``re``'s cache never helps (~0.1 ms a message).
    A line matches it iff it starts with the separator and the fixed tail matches right after it; the
    parser reads only the tail's groups (``end``, ``linesep``).
    """

    _TAIL = re.compile(r"(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$")

    def __init__(self, separator: str) -> None:
        self.separator = separator

    def match(self, line: str) -> re.Match[str] | None:
        if not line.startswith(self.separator):
            return None
        return self._TAIL.match(line, len(self.separator))


class _FeedparserRe:
    """The ``re`` the cloned ``_parsegen`` sees: its boundary pattern becomes a :class:`_Boundary`; any other
    pattern (a stdlib that builds it differently) is compiled as before."""

    _HEAD = "(?P<sep>"
    _TAIL = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
    _ESCAPED = re.compile(r"\\(.)", re.S)
    escape = staticmethod(re.escape)

    def compile(self, pattern: str, flags: int = 0) -> Any:
        if not flags and pattern.startswith(self._HEAD) and pattern.endswith(self._TAIL):
            escaped = pattern[len(self._HEAD) : -len(self._TAIL)]
            separator = self._ESCAPED.sub(r"\1", escaped)
            if re.escape(separator) == escaped:  # it was re.escape's output: the literal is exact
                return _Boundary(separator)
        return re.compile(pattern, flags)


def _fast_parsegen() -> Any:
    """``FeedParser._parsegen``, the same code with two of its module's globals replaced by the equivalent,
    cheaper :class:`_EolAtEnd` and :class:`_FeedparserRe` (the stdlib module itself is not changed)."""
    original: Any = getattr(email.feedparser.FeedParser, "_parsegen")  # noqa: B009 (private: not in the stubs)
    names = original.__code__.co_names
    if "NLCRE_eol" not in names or "re" not in names or original.__closure__:
        return original  # a stdlib written otherwise: parse with its own code
    scope = dict(vars(email.feedparser), NLCRE_eol=_EolAtEnd(), re=_FeedparserRe())
    return types.FunctionType(original.__code__, scope, original.__name__, original.__defaults__)


class _BytesFeedParser(email.parser.BytesFeedParser):  # type: ignore[misc]
    """``BytesFeedParser`` running :func:`_fast_parsegen` (it recurses through ``self._parsegen``)."""

    _parsegen = _fast_parsegen()


def parse_bytes(raw: bytes) -> Message:
    """``email.message_from_bytes`` (compat32) without its whole-message copies.

    The stdlib decodes the whole message to one str and reads it back through a ``StringIO``
    (which stores 4 bytes a character): 5-10x the message at its peak.  Fed in slices, the parser
    holds what it must (the parts) and one slice more; :class:`_RunsOfLines` keeps the list it
    gathers a part's lines in short.  :class:`_BytesFeedParser` spares the per-part regex scans.
    """
    parser = _BytesFeedParser(policy=email.policy.compat32)
    # the parser's generator reads self._input lazily: replaced here, before the first feed
    parser._input = _RunsOfLines()  # type: ignore[attr-defined]
    view = memoryview(raw)
    for start in range(0, len(view), _FEED):
        parser.feed(bytes(view[start : start + _FEED]))
    return parser.close()


def cut_long_header_lines(raw: bytes, limit: int = MAX_HEADER_LINE) -> tuple[bytes, int]:
    """``raw`` with every line of its header block cut to ``limit`` bytes, and how many lines were cut.

    The message itself is never changed (DKIM, quarantine and release use the received bytes): this
    is what the parser reads.  Without a long line ``raw`` is returned as it is, not copied.
    """
    end = _header_end(raw)
    pieces: list[bytes | memoryview] = []
    view = memoryview(raw)
    kept = pos = cut = 0
    while pos < end:
        eol = raw.find(b"\n", pos, end)
        eol = end if eol < 0 else eol + 1
        if eol - pos > limit:
            term = eol  # keep the line's own ending ("\r\n", "\n" or none before the blank line)
            if raw[term - 1 : term] == b"\n":
                term -= 1
            if raw[term - 1 : term] == b"\r":
                term -= 1
            pieces.append(view[kept : pos + limit])
            kept = term
            cut += 1
        pos = eol
    if not cut:
        return raw, 0
    pieces.append(view[kept:])
    return b"".join(pieces), cut


#: How far :func:`blank_line` looks first (a header block is rarely longer): an LF message is not searched to
#: its end for a CRLF pair it does not have, nor a CRLF message for an LF pair.
_BLANK_LINE_FIRST = 16 * 1024


def blank_line(data: bytes, start: int = 0, end: int | None = None) -> tuple[int, int]:
    """(offset, length) of the first blank line (``\r\n\r\n`` or ``\n\n``) in ``data[start:end]``, (-1, 0)
    when there is none.  Searched in the first :data:`_BLANK_LINE_FIRST` bytes, then (when there is none
    there) in all: a pair found wholly in the first stretch is the first of all, as no pair that crosses
    its end can start before it (tests/test_mime.py)."""
    stop = len(data) if end is None else end
    if stop - start > _BLANK_LINE_FIRST:
        found = _blank_line(data, start, start + _BLANK_LINE_FIRST)
        if found[0] >= 0:
            return found
    return _blank_line(data, start, stop)


def _blank_line(data: bytes, start: int, stop: int) -> tuple[int, int]:
    """:func:`blank_line` in ``data[start:stop]`` by two searches, the second stopping where the first matched."""
    crlf = data.find(b"\r\n\r\n", start, stop)
    lf = data.find(b"\n\n", start, crlf + 2 if crlf >= 0 else stop)
    if lf >= 0 and (crlf < 0 or lf < crlf):
        return lf, 2
    return (crlf, 4) if crlf >= 0 else (-1, 0)


def _header_end(raw: bytes) -> int:
    """Offset of the blank line that ends the header block (the whole message when there is none)."""
    offset, _length = blank_line(raw)
    return offset if offset >= 0 else len(raw)


def extract_parts(
    raw: bytes, parent: Item | None = None, max_parts: int = 1000
) -> tuple[Message, list[Item], list[Finding]]:
    """Parse ``raw`` and return (message, leaf Items, findings).

    With ``parent`` (a nested message), Items are children of it; otherwise they are
    top-level Items (depth 0) named by their filename or ``<body N>``.  The message is for its
    headers: the text of each leaf is released once its Item holds the decoded bytes.
    """
    findings: list[Finding] = []
    where = parent.path if parent else ""
    raw, cut = cut_long_header_lines(raw)
    if cut:
        findings.append(Finding(LONG_HEADER, ANALYZER, where, f"{cut} header line(s) cut to {MAX_HEADER_LINE} bytes"))
    try:
        msg = parse_bytes(raw)
    except Exception as exc:  # RecursionError: multiparts nested deeper than the parser goes
        log.info("MIME parse failed: %s: %s", type(exc).__name__, exc)
        findings.append(Finding(PARSE_ERROR, ANALYZER, where, f"{type(exc).__name__}: {exc}"))
        return _headers_only(raw), [], findings
    items: list[Item] = []
    defects: list[str] = []
    bad_charsets: set[str] = set()
    walk = _walk(msg, max(10_000, max_parts * NODES_PER_PART))
    index = 0
    while True:
        try:
            part = next(walk, None)
        except _TooManyNodes as exc:
            findings.append(Finding(TOO_MANY_PARTS, ANALYZER, where, str(exc)))
            break
        if part is None:
            break
        index += 1
        defects.extend(type(d).__name__ for d in getattr(part, "defects", ()))
        if len(items) >= max_parts:
            findings.append(Finding(TOO_MANY_PARTS, ANALYZER, where, f"more than {max_parts} parts"))
            break
        try:
            item = _leaf_item(part, index, parent)
        except _Unserializable as exc:
            findings.append(Finding(PARSE_ERROR, ANALYZER, where, f"part {index}: {exc}"))
            continue
        charset = str(item.meta.get("charset") or "")
        if charset and text_codec(charset) is None and (part.get_content_maintype() == "text" or item.name):
            bad_charsets.add(charset)
        if part.get_content_maintype() == "text" and (lost := unreadable_text(item.data[:MAX_BODY_TEXT], charset)):
            findings.append(Finding(UNDECODABLE, ANALYZER, item.path,
                                    f"{lost} characters undecodable as {charset or 'undeclared'} or UTF-8"))
        items.append(item)
        _release(part)
    if bad_charsets:
        findings.append(Finding(BAD_CHARSET, ANALYZER, where, ", ".join(sorted(repr(c) for c in bad_charsets)[:5])))
    defects.extend(type(d).__name__ for d in getattr(msg, "defects", ()))
    if defects:
        unique = sorted(set(defects))
        findings.append(Finding("mime.defect", ANALYZER, parent.path if parent else "", ", ".join(unique)))
    return msg, items, findings


def _release(part: Message) -> None:
    """Drop a leaf's parsed text once its Item holds the decoded bytes (the caller keeps only the headers):
    with several large parts, no more than one is held twice."""
    if isinstance(getattr(part, "_payload", None), str):  # not get_payload(): it may copy the text
        part.set_payload("")


def _leaf_item(part: Message, index: int, parent: Item | None) -> Item:
    charset = charset_of(part)  # (once: the name's raw bytes and the Item's meta)
    name = _part_name(part, charset)
    ctype = part.get_content_type()
    if ctype == "message/rfc822":
        data = _rfc822_bytes(part)
        label = name or f"<message {index}>.eml"
        kind = "eml"
        role: str = Role.ATTACHMENT
    else:
        data = _payload(part)
        role = _role(part, name)
        label = name or f"<{'body' if role == 'body' else 'part'} {index}>"
        kind = sniff(data)
        if role == Role.BODY and kind in ("text", "html", "empty"):
            kind = "html" if ctype == "text/html" else "text"
    try:
        disposition = part.get_content_disposition() or ""
    except Exception:
        disposition = ""
    meta = {"charset": charset, "disposition": disposition}
    if parent is not None:
        return parent.child(name or label, data, source="message", role=role, declared_type=ctype, type=kind,
                            meta=meta)
    return Item(path=safe_name(label) or f"<part {index}>", name=name, data=data, type=kind, depth=0,
                declared_type=ctype, role=role, source="mime", meta=meta)


def _headers_only(raw: bytes) -> Message:
    """The header block of a message whose body the parser gave up on (so From/Subject are still seen)."""
    try:
        return email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    except Exception:
        return Message()


#: The last ``<addr-spec>`` of a header and what stands before it (the lenient reading of a From line).
_ANGLE_ADDR = re.compile(r"^(?P<display>.*)<(?P<addr>[^<>@\s]+@[^<>@\s]+)>\s*$", re.S)


def parse_from(value: str) -> tuple[str, str]:
    """(display name, address) of a From header value.

    ``email.utils.parseaddr`` gives up (``('', '')``) on a display name with an unquoted ``@`` or
    other specials (``Binance support@binance <x@evil.example>``), which phishing uses so that
    filters see no display name and no domain; mail clients still show the name and reply to the
    angle address.  Then the last angle address and the text before it are taken, as clients do.
    """
    display, addr = email.utils.parseaddr(value)
    if not addr.strip():
        m = _ANGLE_ADDR.match(value.strip())
        if m:
            display, addr = m.group("display").strip().strip('"').strip(), m.group("addr")
    return display, addr.strip()


def message_info(
    raw: bytes,
    msg: Message,
    items: list[Item],
    *,
    envelope_from: str = "",
    rcpts: tuple[str, ...] = (),
    queue_id: str = "",
    client_addr: str = "",
    helo: str = "",
) -> MessageInfo:
    """Build the MessageInfo for the message analyzers from a parsed message and its Items."""
    from_header = decode_header(msg.get("From"))
    display, addr = parse_from(from_header)
    domain = addr.rsplit("@", 1)[1].strip().strip(">").lower() if "@" in addr else ""
    texts: list[str] = []
    links: list[str] = []
    size = 0
    for item in items:
        if item.role != Role.BODY or item.depth > 0:
            continue
        html = item.type == "html" or item.declared_type == "text/html"
        # no more bytes than characters are read: html_to_text renders MAX_HTML_RENDER, the body keeps MAX_BODY_TEXT
        cap = MAX_HTML_RENDER if html else MAX_BODY_TEXT
        text = decode_text(item.data[:cap], str(item.meta.get("charset") or ""))
        if html:
            text, found = html_to_text(text)
            links.extend(found)
        texts.append(text)
        size += len(text)
        if size > MAX_BODY_TEXT:
            break
    headers: list[tuple[str, str]] = []
    for name, value in msg.items():
        headers.append((str(name), decode_header(value) if not str(name).lower().startswith("dkim") else str(value)))
    return MessageInfo(
        raw=raw,
        headers=tuple(headers),
        from_header=from_header,
        from_display=display.strip(),
        from_addr=addr,
        from_domain=domain,
        subject=decode_header(msg.get("Subject")),
        message_id=decode_header(msg.get("Message-ID")),
        envelope_from=envelope_from,
        rcpts=rcpts,
        body_text="\n".join(texts)[:MAX_BODY_TEXT],
        body_html_links=tuple(links[:MAX_LINKS]),
        attachment_names=tuple(i.name for i in items if i.name),
        queue_id=queue_id,
        client_addr=client_addr,
        helo=helo,
    )
