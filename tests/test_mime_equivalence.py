"""The cheaper MIME walk gives what the plain one gives: the same runs, the same tree, the same Items and findings.

``mime._RunsOfLines.push`` splits into lines only the stretches of the pushed text that may hold a line the
parser cares about (``mime.runs_of_text``); everything else becomes one run without a list of its lines.
The reference here is the way it was before: the stdlib's ``BufferedSubFile.push`` (``readlines`` of all
the text) with the same joining of runs (``mime._runs``).  Compared on random text over the characters
that matter (line breaks of every kind, colons, blanks, dashes, "From ", Unicode line separators that
``readlines`` must not split at, surrogate escapes), on crafted hostile MIME, on the test data and on every
message of the corpus (benign, phishing, the maldocs messages read in memory; skipped without it).
"""

from __future__ import annotations

import base64
import email
import email.feedparser
import email.policy
import functools
import random
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from coinguard import mime
from coinguard.findings import Item

from helpers import CORPUS, DATA, corpus_available, make_message, manifest, need_corpus, zip_password

_ALPHABET = ["\r", "\n", "\r\n", "-", "--", ":", " ", "\t", "F", "From ", "A", "b", "=", "x:y", "\u2028", "\x0c",
             "\x85", "\x1c", "\udcff", "QUJD" * 5, "--b", "--b--"]


class _Reference(email.feedparser.BufferedSubFile):  # type: ignore[misc]
    """The input as it was: the stdlib's push (readlines of the whole pending text), runs joined by _runs."""

    def pushlines(self, lines: list[str]) -> None:
        self._lines.extend(mime._runs(lines))


def _random_text(rnd: random.Random, most: int) -> str:
    return "".join(rnd.choice(_ALPHABET) for _ in range(rnd.randint(0, most)))


def test_runs_of_text_is_runs_of_the_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    rnd = random.Random(13)
    for window in (1, 2, 3, 7, mime._WINDOW):
        monkeypatch.setattr(mime, "_WINDOW", window)
        for _ in range(6000):
            text = _random_text(rnd, 40) + rnd.choice(["", "\n", "\r\n", "\r"])
            whole = text[: mime._complete_end(text)]
            assert mime.runs_of_text(whole) == mime._runs(mime._readlines(whole)), (window, whole)


def test_the_pending_line_is_the_stdlibs() -> None:
    rnd = random.Random(14)
    for _ in range(6000):
        text = _random_text(rnd, 30)
        lines = mime._readlines(text)
        pending = lines[-1] if lines and not lines[-1].endswith("\n") else ""
        assert text[mime._complete_end(text) :] == pending, text


def test_pushed_slices_give_the_references_lines() -> None:
    """Whatever the slicing (a CR at a slice's end whose LF comes next, a line over many slices), the
    parser reads the same lines at every step, and the same after close."""
    rnd = random.Random(15)
    for _ in range(3000):
        text = _random_text(rnd, 150)
        ours, reference = mime._RunsOfLines(), _Reference()
        at = 0
        while at < len(text):
            step = rnd.randint(1, 25)
            ours.push(text[at : at + step])
            reference.push(text[at : at + step])
            at += step
            assert list(ours._lines) == list(reference._lines), text
            assert "".join(ours._pending) == reference._partial.getvalue(), text
        ours.close()
        reference.close()
        assert list(ours._lines) == list(reference._lines), text


def test_a_line_of_many_slices_is_joined_once() -> None:
    """A hostile line with no break for megabytes stays pending in its slices, not copied at each one."""
    ours = mime._RunsOfLines()
    for _ in range(200):
        ours.push("A" * 65536)
    assert len(ours._pending) == 200 and not ours._lines
    ours.push("\r\nnext")
    assert list(ours._lines) == ["A" * 65536 * 200 + "\r\n"] and ours._pending == ["next"]


def _reference_parse(monkeypatch: pytest.MonkeyPatch, raw: bytes, feed: int | None = None) -> Any:
    with monkeypatch.context() as m:
        m.setattr(mime, "_RunsOfLines", _Reference)
        if feed:
            m.setattr(mime, "_FEED", feed)
        return mime.extract_parts(raw)


def _ours(monkeypatch: pytest.MonkeyPatch, raw: bytes, feed: int | None = None) -> Any:
    with monkeypatch.context() as m:
        if feed:
            m.setattr(mime, "_FEED", feed)
        return mime.extract_parts(raw)


def _item_view(item: Item) -> tuple[object, ...]:
    return (item.path, item.name, item.data, item.type, item.role, item.declared_type, item.source, item.depth,
            item.sha256, sorted(item.meta.items()))


def _tree(msg: Any) -> list[tuple[object, ...]]:
    return [(p.get_content_type(), [type(d).__name__ for d in p.defects], p.preamble, p.epilogue,
             list(p.raw_items()), p.get_payload() if not p.is_multipart() else len(p.get_payload()))
            for p in msg.walk()]


def assert_same_walk(monkeypatch: pytest.MonkeyPatch, raw: bytes, feeds: tuple[int | None, ...] = (None,)) -> None:
    """extract_parts with the input as it was and as it is: the same tree, Items, findings and headers."""
    for feed in feeds:
        old_msg, old_items, old_findings = _reference_parse(monkeypatch, raw, feed)
        msg, items, findings = _ours(monkeypatch, raw, feed)
        assert [_item_view(i) for i in items] == [_item_view(i) for i in old_items], raw[:120]
        assert findings == old_findings, raw[:120]
        assert _tree(msg) == _tree(old_msg), raw[:120]
        assert list(msg.raw_items()) == list(old_msg.raw_items())
        assert mime.message_info(raw, msg, items) == mime.message_info(raw, old_msg, old_items)


def _b64(data: bytes, eol: bytes = b"\r\n") -> bytes:
    return base64.encodebytes(data).replace(b"\n", eol)


def _multipart(boundary: bytes, parts: list[bytes], eol: bytes = b"\r\n", close: bool = True,
               ctype: bytes = b"multipart/mixed") -> bytes:
    head = b"From: a@example.org" + eol + b"Content-Type: " + ctype + b'; boundary="' + boundary + b'"' + eol + eol
    body = b"".join(b"--" + boundary + eol + p + eol for p in parts)
    return head + body + ((b"--" + boundary + b"--" + eol) if close else b"")


def _attachment(data: bytes, eol: bytes = b"\r\n", name: bytes = b"a.bin", cte: bytes = b"base64") -> bytes:
    return (b"Content-Type: application/octet-stream; name=\"" + name + b'"' + eol
            + b"Content-Disposition: attachment; filename=\"" + name + b'"' + eol
            + b"Content-Transfer-Encoding: " + cte + eol + eol + data)


def _hostile() -> Iterator[bytes]:
    """Crafted MIME that the runs must not change: every case the plain walk reads one way."""
    rnd = random.Random(16)
    blob = bytes(rnd.getrandbits(8) for _ in range(150_000))
    for eol in (b"\r\n", b"\n", b"\r"):
        enc = _b64(blob, eol)
        text = b"Content-Type: text/plain" + eol + eol + b"hello" + eol + b"From the team" + eol
        yield _multipart(b"b", [text, _attachment(enc, eol)], eol)
        yield _multipart(b"b", [text, _attachment(enc, eol)], eol, close=False)  # no end boundary
        # the boundary inside the base64 text, with and without a line break before it
        mid = len(enc) // 2
        cut = enc.rfind(eol, 0, mid) + len(eol)
        yield _multipart(b"b", [_attachment(enc[:cut] + b"--b" + eol + enc[cut:], eol)], eol)
        yield _multipart(b"b", [_attachment(enc[:mid] + b"--b" + enc[mid:], eol)], eol)
        # nested multiparts, an inner boundary that is a prefix of the outer one
        inner = _multipart(b"bb", [_attachment(enc, eol, b"in.bin"), text], eol, ctype=b"multipart/alternative")
        yield _multipart(b"b", [inner.split(eol, 1)[1], _attachment(enc, eol)], eol)
        yield _multipart(b"bb", [_multipart(b"b", [_attachment(enc, eol)], eol, close=False).split(eol, 1)[1]], eol)
        # broken base64: bad padding, characters outside the alphabet, a header-like and a blank line inside
        yield _multipart(b"b", [_attachment(enc[:-len(eol) - 1] + eol, eol)], eol)
        yield _multipart(b"b", [_attachment(enc[:5000] + b"%%%$$$" + enc[5000:], eol)], eol)
        yield _multipart(b"b", [_attachment(enc[:8000] + b"X-Evil: 1" + eol + enc[8000:], eol)], eol)
        yield _multipart(b"b", [_attachment(enc[:8000] + eol + enc[8000:], eol)], eol)
        yield _multipart(b"b", [_attachment(enc[:9000] + b" \t" + eol + enc[9000:], eol)], eol)
        # duplicated headers, 8-bit bytes, no transfer encoding, quoted-printable, an rfc822 part
        dup = b"Content-Type: text/plain" + eol + b"Content-Type: application/x-evil" + eol + eol + blob[:70_000]
        yield _multipart(b"b", [dup, _attachment(blob[:60_000], eol, cte=b"8bit")], eol)
        qp = b"Content-Transfer-Encoding: quoted-printable" + eol + eol + (b"caf=C3=A9 =" + eol) * 5000
        yield _multipart(b"b", [qp], eol)
        nested = b"Content-Type: message/rfc822" + eol + eol + _multipart(b"n", [_attachment(enc, eol)], eol)
        yield _multipart(b"b", [nested], eol)
    # mixed line ends in one message, bare CR inside an LF base64 body, a CR-LF split across a feed slice
    enc = _b64(blob, b"\n")
    yield _multipart(b"b", [_attachment(enc[:20_000] + b"\r" + enc[20_000:], b"\n")], b"\r\n")
    for at in (65535, 65536, 65537):
        raw = _multipart(b"b", [_attachment(_b64(blob), b"\r\n")])
        pad = at - raw.find(b"\r\n", at - 90)
        yield raw.replace(b"\r\n\r\n", b"\r\nX-Pad: " + b"p" * max(pad, 0) + b"\r\n\r\n", 1)
    # a message with no line break at all, one that is only headers, an empty one
    yield b"Subject: " + b"A" * 200_000
    yield b"From: a@example.org\r\nSubject: x\r\n"
    yield b""


@functools.cache
def _hostile_cases() -> tuple[bytes, ...]:
    return tuple(_hostile())


@pytest.mark.parametrize("index", range(len(_hostile_cases())))
def test_hostile_mime_walks_the_same(monkeypatch: pytest.MonkeyPatch, index: int) -> None:
    raw = _hostile_cases()[index]
    assert_same_walk(monkeypatch, raw, feeds=(None, 4093))


def test_test_data_files_as_attachments_walk_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test data's documents, archives and scripts attached (base64, CRLF and LF), with text and HTML."""
    samples = sorted(p for p in DATA.iterdir() if p.is_file())
    assert samples
    for path in samples:
        raw = make_message(body="see the file\n", html="<p>see <a href='https://x.example/'>it</a></p>",
                           attachments=[(path.name, path.read_bytes())])
        assert_same_walk(monkeypatch, raw, feeds=(None, 7))
        assert_same_walk(monkeypatch, raw.replace(b"\r\n", b"\n"))


def _corpus_messages() -> Iterator[tuple[str, bytes]]:
    """Every corpus message (both halves: two parsers are compared, nothing is tuned), zips read in memory."""
    root = need_corpus()
    rows = {r["path"]: r for r in manifest()}
    for path in sorted(p for top in ("benign", "phishing") for p in (root / top).rglob("*.eml")):
        yield str(path.relative_to(root)), path.read_bytes()
    for path in sorted((root / "maldocs").rglob("*.eml.zip")):
        rel = str(path.relative_to(root))
        password = zip_password(rows.get(rel, {}))
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not info.is_dir():
                    yield f"{rel}:{info.filename}", zf.read(info, pwd=password)


@pytest.mark.corpus
@pytest.mark.skipif(not corpus_available(), reason=f"corpus not available at {CORPUS}")
def test_every_corpus_message_walks_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    count = 0
    for name, raw in _corpus_messages():
        try:
            assert_same_walk(monkeypatch, raw)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from None
        count += 1
    assert count > 600


_MARKED_TEXTS = [
    b"<HTA:Application id=x>", b"< hta:APPLICATION>", b"<job id=a><SCRIPT LANGUAGE='VBScript'>",
    b"<Job>\n<script language",
    b'<?MSO-Application progid="Word.Document"?>', b"<PKG:Package xmlns:pkg=x>", b"junk\nMIME - Version: 1.0\n"
    b"Content-Type: Multipart/Related; boundary=x\n", b"Content-Type: MULTIPART/RELATED\nx\nMime-Version: 1.0\n",
    b"<SVG xmlns=x>", b"<!DOCTYPE  HTML>", b"<Html>", b"<BODY onload=x>", b"<head>", b"<Script>", b"<IFRAME src=x>",
    b"hello <b>there</b>", b"a job in language studies", b"svg and html are words", b"multipart related",
    b"Invoke-Expression x", b"@echo off\r\nset A=1\r\n", b"var a = 1;", b"#!/bin/sh\necho", b"<?xml version='1.0'?>",
    "Grüße <HTML>".encode("utf-16"), b"\xef\xbb\xbf<svg>",
    # each alternative of the markers searched one alternative at a time (sniff._ALTERNATIVE_NEEDLES), in other
    # letter cases, and prose holding their needles
    b"rem x\r\n  @ECHO  OFF\r\n", b"x\n SET /a n=1\n", b"SetLocal EnableDelayedExpansion\n", b"x\nGOTO :end\n",
    b"x\ncall :sub\n", b"CALL run.cmd\n", b'start "" evil.exe', b"START /b x", b"copy %~DP0x y", b"%ComSpec% /c x",
    b'x = CREATEOBJECT ( "Shell.Application")', b"x\n  dim a\n", b"Sub Main\nEnd Sub", b"FUNCTION f\n",
    b"wscript.echo 1", b"  ExecuteGlobal s", b"function f(a, b) {", b"var x= 1", b"new  ActiveXObject (",
    b"String.fromCharCode(72)", b"WScript.CreateObject (", b"eval (x)", b"function go(", b"x; var y =",
    b"Please call us to set up the subscription; a function of the settings. Evaluate the variable start date.",
    b"Sub-total: 3. Dim lights, execute the plan, WScript is a word, createobject too, eval is not called.",
]


def test_sniff_needles_never_change_a_type(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ``in`` tests before the marker regexes only skip a regex that cannot match: crafted texts (every
    needle-gated marker in other letter cases, look-alikes without it) and the corpus's leaves sniff alike."""
    from coinguard import sniff

    samples = list(_MARKED_TEXTS)
    if corpus_available():
        for _name, raw in _corpus_messages():
            samples.extend(item.data for item in mime.extract_parts(raw)[1])
    gated = [sniff.sniff(s) for s in samples]
    plain = tuple((kind, pattern, None, ignorecase, None)
                  for kind, pattern, _needles, ignorecase, _alternatives in sniff._MARKER_PLAN)
    monkeypatch.setattr(sniff, "_MARKER_PLAN", plain)
    assert [sniff.sniff(s) for s in samples] == gated
    assert {"script.hta", "script.wsf", "xml.office", "mht", "svg", "html", "script.bat", "script.vbs", "script.js"} \
        <= set(gated[: len(_MARKED_TEXTS)])


def test_split_markers_are_their_alternatives() -> None:
    """A marker searched one alternative at a time is cut only at its top-level bars: each piece compiles alone
    and the pieces joined by "|" are the pattern; an alternative is found where its own needles are."""
    from coinguard import sniff

    assert sniff.top_alternatives(rb"a(?:b|c)|[|]d|e\|f|g") == [rb"a(?:b|c)", rb"[|]d", rb"e\|f", rb"g"]
    split = [entry for entry in sniff._MARKER_PLAN if entry[4] is not None]
    assert len(split) == 4
    for _kind, pattern, needles, ignorecase, alternatives in split:
        assert b"|".join(alt.pattern for alt, _ in alternatives) == pattern.pattern
        assert all(alt.flags == pattern.flags for alt, _ in alternatives)
        assert {n for _, alt_needles in alternatives for n in alt_needles} <= set(needles)
        for alt, alt_needles in alternatives:  # each alternative of the crafted texts holds one of its needles
            for text in _MARKED_TEXTS:
                if alt.search(text):
                    hay = text.lower() if ignorecase else text
                    assert any(n in hay for n in alt_needles), (alt.pattern, text)
