"""Issue 10 through the real Postfix: the ways an EICAR zip once reached a mailbox labelled ``clean``.

``tests/hostile/test_attacks.py`` proves each class offline through ``scan_message``; here the same
messages (``hostile/attacks.py``, built in code) go over SMTP to the private Postfix and the real
daemon with the default policy (malicious -> quarantine, unchecked -> quarantine).  Each message is
accounted for: accepted (250), never delivered, and stored exactly once in the quarantine with a
verdict of ``malicious`` (the payload was read) or ``unchecked`` (what was skipped is named).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable

import pytest

from hostile import attacks

pytestmark = pytest.mark.integration

#: (name, builder): one message per attack class of the issue.
ATTACKS: list[tuple[str, Callable[[], bytes]]] = [
    ("multipart nested 1000 deep", lambda: attacks.nested_multipart(1000)),
    ("1000 parts before the zip", lambda: attacks.many_parts_before(1000)),
    ("10001 empty multiparts before the zip", lambda: attacks.empty_multiparts_before(10_001)),
    ("zip of 4001 entries, EICAR first", lambda: attacks.zip_message(attacks.wide_zip(4001, 0))),
    ("zip of 1000 entries, EICAR last", lambda: attacks.zip_message(attacks.wide_zip(1000, -1))),
    ("zips nested 9 deep", lambda: attacks.nested_zips(9)),
    ("message/rfc822 nested 300 deep", lambda: attacks.nested_rfc822(300)),
    ("7z member named ../inv.zip", lambda: attacks.zip_message_named(
        attacks.sevenzip_named("../inv.zip", attacks.eicar_zip()), "invoice.7z", "application/x-7z-compressed")),
    ("damaged zip, member name with a newline", lambda: attacks.zip_message(
        attacks.local_headers_only_zip([(b"eic\nar.com", attacks.EICAR)]))),
    ("charset=undefined before the zip", lambda: attacks.with_raw_header_param(
        b"Content-Type: text/plain; charset=undefined")),
    ("NUL in a charset parameter before the zip", lambda: attacks.with_raw_header_param(
        b"Content-Type: text/plain; charset=\"utf-8\x00x\"")),
]


def tokened(raw: bytes) -> tuple[bytes, str]:
    """The message with a unique Message-ID, to find its delivered or quarantined copy."""
    token = uuid.uuid4().hex[:12]
    return raw.replace(b"Message-ID: <hostile-1@example.org>", f"Message-ID: <{token}@example.org>".encode(), 1), token


@pytest.mark.parametrize(("name", "build"), ATTACKS, ids=[a[0] for a in ATTACKS])
def test_attack_through_postfix_is_quarantined_never_delivered_clean(gateways, name: str,
                                                                     build: Callable[[], bytes]) -> None:
    gw = gateways["dir"]
    raw, token = tokened(build())
    assert token.encode() in raw
    before = set(gw.quarantine_dir.glob("*.eml")) if gw.quarantine_dir.exists() else set()
    result = gw.send(raw)
    assert result.code == 250, (name, result, gw.daemon.log_text()[-2000:])
    stored: list = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not stored:
        stored = [p for p in set(gw.quarantine_dir.glob("*.eml")) - before if token.encode() in p.read_bytes()]
        if not stored:
            time.sleep(0.2)
    assert len(stored) == 1, (name, gw.daemon.log_text()[-2000:])
    verdict = json.loads(stored[0].with_suffix(".json").read_text(encoding="utf-8"))["verdict"]
    assert verdict["verdict"] in ("malicious", "unchecked"), (name, verdict["verdict"], verdict.get("codes"))
    assert gw.sink.wait_for(lambda m: token.encode() in m.header_block(), timeout=1) is None, name
