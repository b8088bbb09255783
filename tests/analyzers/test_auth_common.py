"""auth_common: the header block as dkimpy reads it."""

from __future__ import annotations

import random

from coinguard.analyzers.auth_common import has_header, header_block_end


def _reference_end(raw: bytes) -> int:
    """The plain definition: the earlier of the first LF-LF and LF-CRLF pair, both searched everywhere."""
    if raw.startswith((b"\n", b"\r\n")):
        return 0
    ends = [i + 1 for i in (raw.find(b"\n\n"), raw.find(b"\n\r\n")) if i >= 0]
    return min(ends) if ends else len(raw)


def test_header_block_end_equals_the_plain_definition() -> None:
    rng = random.Random(7)
    alphabet = [b"\n", b"\r\n", b"\r", b"a", b"X: y", b":"]
    seen_lf_first = seen_crlf_first = seen_none = False
    for _ in range(5000):
        raw = b"".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        want = _reference_end(raw)
        assert header_block_end(raw) == want, raw
        lf, crlf = raw.find(b"\n\n"), raw.find(b"\n\r\n")
        seen_lf_first |= 0 <= lf < (crlf if crlf >= 0 else len(raw))
        seen_crlf_first |= 0 <= crlf < (lf if lf >= 0 else len(raw))
        seen_none |= lf < 0 and crlf < 0
    assert seen_lf_first and seen_crlf_first and seen_none  # every branch was drawn


def test_a_crlf_message_is_not_searched_to_its_end() -> None:
    head = b"From: a@example.org\r\nSubject: x\r\n\r\n"
    raw = head + b"line\r\n" * 200_000
    assert header_block_end(raw) == len(head) - 2
    assert not has_header(raw, (b"dkim-signature",))
    assert has_header(b"DKIM-Signature: v=1\r\n" + raw, (b"dkim-signature",))
    # a field in the body is not a header
    assert not has_header(head + b"DKIM-Signature: v=1\r\n", (b"dkim-signature",))
