"""Fuzz MIME parsing alone: extract_parts, message_info, decode_header and parse_from of every
header, and the URL extraction (urls_common) of every text part.

Crash = any exception escaping them (issue 10: no exception escapes decoding).
"""

from __future__ import annotations

import sys

import harness

with harness.instrumented():  # type: ignore[attr-defined]
    from coinguard import mime
    from coinguard.analyzers import urls_common

MAX_TEXT = 200_000


def TARGET(data: bytes) -> None:
    msg, items, _findings = mime.extract_parts(data, max_parts=200)
    mime.message_info(data, msg, items)
    for _name, value in msg.items():
        mime.parse_from(mime.decode_header(value))
    for item in items:
        if item.type.startswith("text") or item.role == "body":
            for url in urls_common.urls_in_text(item.data[:MAX_TEXT].decode("utf-8", "replace")):
                urls_common.url_host(url)
                urls_common.redirect_target(url)


def seeds() -> list[bytes]:
    import seeds as s

    return list(s.messages())


if __name__ == "__main__":
    sys.exit(harness.main(TARGET, seeds))
