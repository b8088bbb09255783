"""Candidate passwords for encrypted archives and documents, harvested from the message.

Attackers put the password of an encrypted ZIP or document in the body ("password: 2024"),
often in Korean ("암호: 1234", "비밀번호는 5678").  We collect short tokens near such words,
quoted strings and short lines of their own, then the configured common passwords.
Everything is bounded: at most ``limit`` candidates, each at most 64 characters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_KEYWORDS = (
    r"pass(?:word|wd|code|phrase)?|pwd?|pin|code|key|unlock|open\s+with|"
    r"암호|비밀번호|비번|패스워드|압축\s*해제|열람\s*암호|パスワード|密码|密碼|contraseña|mot\s+de\s+passe|passwort|kennwort|senha"
)
_NEAR = re.compile(
    rf"(?:{_KEYWORDS})\s*(?:is|는|은|:|：|=|-|–|is:|\(|\[)?\s*[\"'“‘「『(<\[]?([^\s\"'”’」』)>\],;]{{1,64}})",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“‘'「『]([^\s\"”’'」』]{3,64})[\"”’'」』]")
_WORD_CHARS = re.compile(r"^[\w!@#$%^&*+=.?~-]{3,64}$")
_STOP = frozenset({"is", "the", "below", "attached", "following", "here", "please", "file", "zip", "document"})


def harvest(texts: Iterable[str], extra: Iterable[str] = (), limit: int = 40) -> tuple[str, ...]:
    """Return candidate passwords found in ``texts`` (subject, body), then ``extra``; unique, in order."""
    out: list[str] = []
    seen: set[str] = set()

    def add(token: str) -> None:
        token = token.strip().strip(".,;:!?)]}>").strip()
        if not token or len(token) > 64 or token.lower() in _STOP or token in seen:
            return
        seen.add(token)
        out.append(token)

    for text in texts:
        if not text:
            continue
        text = unicodedata.normalize("NFKC", text[:200_000])
        for m in _NEAR.finditer(text):
            add(m.group(1))
        for m in _QUOTED.finditer(text):
            add(m.group(1))
        for line in text.splitlines():
            line = line.strip()
            if _WORD_CHARS.match(line) and any(c.isdigit() for c in line):
                add(line)
        if len(out) >= limit:
            break
    for token in extra:
        add(token)
    return tuple(out[: limit + len(tuple(extra))])
