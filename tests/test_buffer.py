from __future__ import annotations

import os

from coinguard.buffer import MessageBuffer


def test_headers_rebuilt_exactly_with_leading_space_values():
    buf = MessageBuffer(spool_threshold=1024)
    buf.leading_space = True
    buf.add_header("Subject", b" hello")
    buf.add_header("X-Tight", b"no-space")
    buf.add_header("DKIM-Signature", b" v=1; a=rsa-sha256;\n\tb=abc")
    buf.add_body(b"line1\r\n")
    buf.add_body(b"line2\r\n")
    assert buf.header_bytes() == (
        b"Subject: hello\r\nX-Tight:no-space\r\nDKIM-Signature: v=1; a=rsa-sha256;\r\n\tb=abc\r\n"
    )
    assert buf.raw_bytes() == buf.header_bytes() + b"\r\nline1\r\nline2\r\n"
    buf.close()


def test_without_leading_space_negotiated_a_space_is_inserted():
    buf = MessageBuffer(spool_threshold=1024)
    buf.add_header("Subject", b"hi")
    assert buf.header_bytes() == b"Subject: hi\r\n"
    assert buf.first_header("subject") == b"hi"
    assert buf.first_header("to") is None
    buf.close()


def test_non_utf8_header_bytes_survive():
    buf = MessageBuffer(spool_threshold=1024)
    buf.leading_space = True
    buf.add_header("Subject", b" caf\xe9 \xff")
    assert buf.raw_bytes() == b"Subject: caf\xe9 \xff\r\n\r\n"
    buf.close()


def test_small_message_is_passed_as_bytes():
    buf = MessageBuffer(spool_threshold=1000)
    buf.add_header("Subject", b"x")
    buf.add_body(b"a" * 100)
    payload = buf.payload()
    assert isinstance(payload, bytes) and payload.endswith(b"\r\n\r\n" + b"a" * 100)
    assert not buf.spooled
    buf.close()


def test_big_message_spools_to_disk_and_is_passed_as_a_path_removed_on_close(tmp_path):
    buf = MessageBuffer(spool_threshold=1000, tmpdir=str(tmp_path))
    buf.add_header("Subject", b"big")
    for _ in range(10):
        buf.add_body(b"b" * 500)
    assert buf.spooled
    assert buf.body_size == 5000 and buf.size > 5000
    path = buf.payload()
    assert isinstance(path, str) and path.startswith(str(tmp_path))
    with open(path, "rb") as f:
        assert f.read() == b"Subject: big\r\n\r\n" + b"b" * 5000
    # the buffer can still be read and extended after building the payload
    assert buf.raw_bytes().endswith(b"b" * 5000)
    buf.close()
    assert not os.path.exists(path)
    assert os.listdir(tmp_path) == []
    buf.close()  # idempotent


def test_context_manager_closes():
    with MessageBuffer(spool_threshold=10) as buf:
        buf.add_body(b"x" * 100)
    assert buf.closed


def test_spooled_message_is_handed_over_as_its_own_file_without_a_copy(tmp_path):
    """Issue 13 §4: past the threshold the buffer *is* a file holding the whole message; payload() hands
    out that path (no second file at end of message)."""
    buf = MessageBuffer(spool_threshold=1000, tmpdir=str(tmp_path))
    buf.add_header("Subject", b" big")
    buf.leading_space = True
    buf.add_body(b"a" * 600)
    assert not buf.spooled and os.listdir(tmp_path) == []
    buf.add_body(b"b" * 600)
    assert buf.spooled and len(os.listdir(tmp_path)) == 1
    spool = os.path.join(tmp_path, os.listdir(tmp_path)[0])
    path = buf.payload()
    assert path == spool and os.listdir(tmp_path) == [os.path.basename(spool)]
    with open(path, "rb") as f:
        assert f.read() == b"Subject: big\r\n\r\n" + b"a" * 600 + b"b" * 600
    buf.close()
    assert os.listdir(tmp_path) == []


def test_a_handed_out_file_is_never_changed(tmp_path):
    buf = MessageBuffer(spool_threshold=100, tmpdir=str(tmp_path))
    buf.add_header("Subject", b"x")
    buf.add_body(b"1" * 200)
    first = buf.payload()
    buf.add_body(b"2" * 10)  # after hand-off (not what the milter does, but never corrupt the scanner's copy)
    buf.add_header("X-Late", b"y")
    second = buf.payload()
    assert isinstance(first, str) and isinstance(second, str) and first != second
    with open(first, "rb") as f:
        assert f.read() == b"Subject: x\r\n\r\n" + b"1" * 200
    with open(second, "rb") as f:
        assert f.read() == b"Subject: x\r\nX-Late: y\r\n\r\n" + b"1" * 200 + b"2" * 10
    assert buf.raw_bytes() == b"Subject: x\r\nX-Late: y\r\n\r\n" + b"1" * 200 + b"2" * 10
    buf.close()
    assert os.listdir(tmp_path) == []


def test_big_header_block_without_body_still_goes_by_path(tmp_path):
    buf = MessageBuffer(spool_threshold=100, tmpdir=str(tmp_path))
    buf.add_header("X-Long", b"z" * 300)
    path = buf.payload()
    assert isinstance(path, str)
    with open(path, "rb") as f:
        assert f.read() == b"X-Long: " + b"z" * 300 + b"\r\n\r\n"
    buf.close()
    assert os.listdir(tmp_path) == []


def test_by_default_a_message_past_128_kib_is_a_file_handed_over_by_its_path(tmp_path):
    """The default spool threshold (config: 128 KiB): a message past it goes to the scanner by path (not pickled
    into pebble's 64 KiB pipe); one at it stays in memory and goes as bytes."""
    from coinguard.config import MilterConfig

    threshold = MilterConfig().spool_threshold_bytes
    assert threshold == 128 * 1024
    small = MessageBuffer(spool_threshold=threshold, tmpdir=str(tmp_path))
    small.add_header("Subject", b"x")
    small.add_body(b"s" * (threshold - small.size))
    assert small.size == threshold and isinstance(small.payload(), bytes) and not small.spooled
    small.close()
    buf = MessageBuffer(spool_threshold=threshold, tmpdir=str(tmp_path))
    buf.add_header("Subject", b"x")
    for _ in range(3):
        buf.add_body(b"c" * 65535)
    assert buf.spooled
    path = buf.payload()
    assert isinstance(path, str)
    with open(path, "rb") as f:
        assert f.read() == b"Subject: x\r\n\r\n" + b"c" * 3 * 65535 == buf.raw_bytes()
    buf.close()
    assert os.listdir(tmp_path) == []
