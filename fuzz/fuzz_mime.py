"""Fuzz MIME parsing alone: extract_parts, message_info and decode_header of every header.

Crash = any exception escaping them (issue 10: no exception escapes decoding).
"""

from __future__ import annotations

import sys

import harness

with harness.instrumented():  # type: ignore[attr-defined]
    from coinguard import mime


def TARGET(data: bytes) -> None:
    msg, items, _findings = mime.extract_parts(data, max_parts=200)
    mime.message_info(data, msg, items)
    for _name, value in msg.items():
        mime.decode_header(value)


def seeds() -> list[bytes]:
    import seeds as s

    return list(s.messages())


if __name__ == "__main__":
    sys.exit(harness.main(TARGET, seeds))
