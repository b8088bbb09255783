"""Candidate passwords for encrypted archives and documents, harvested from the message.

Attackers put the password of an encrypted ZIP or document in the body ("password: 2024"),
often in Korean ("암호: 1234", "비밀번호는 5678입니다"), in any language and markup.  We collect short
tokens near such words (after the language's copula: "Das Passwort lautet X", "La contraseña es X",
"密码是 X"; a few words later: "the password for the file is X"; with no copula: "Пароль к документу
X"; before the keyword: "enter X as the password"), quoted strings (any script's quotes and brackets)
and short lines of their own, then the configured common passwords.  Tokens are kept as written and
also with trailing punctuation, a Korean or Japanese ending ("입니다", "です") or emphasis marks
("*X*") removed, since either may be the password.
Everything is bounded: at most ``limit`` harvested candidates, each at most 64 characters.

The scan hands :class:`Candidates` to the handlers as ``AnalysisContext.passwords``: the harvest
runs the first time an unpacker or analyzer reads it (something encrypted), not for every message
(it was a fifth of the cost of a plain-text message).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from coinguard.findings import Item, Role
from coinguard.sniff import ItemType
from coinguard.text import decode_item, decode_text, html_to_text

#: Words that introduce a password: English (longest first, whole words: "Passwort" is not "Pass" + "wort"),
#: other alphabetic languages (de, fr, es, pt, it, nl, ru, uk, pl, cs, tr, id, ms, vi, sv, fi, da, no, hu, ro, el),
#: "open it with" / "protected with", "p/w", then scripts without
#: word spaces (ko, ja, zh, ar, he, th, hi), which may touch the password.
_KEYWORDS = (
    r"(?<!\w)(?:password|passwort|passwd|passcode|passphrase|pass|pwd|pw|pin|code|key|unlock"
    r"|(?:open|opened|protected|secured|encrypted|locked)(?:\s+(?:it|them|the\s+\w+))?\s+with"
    r"|kennwort|mot\s+de\s+passe|contraseña|clave|senha|parola\s+d'ordine|parola|parolă|parolası|wachtwoord"
    r"|пароль|пароля|парол|hasło|hasla|hasła|heslo|şifre|şifresi|sifre|kata\s+sandi|sandi|kata\s+laluan|mật\s+khẩu"
    r"|lösenord|losenord|salasana|adgangskode|passord|jelszó|jelszo|κωδικός|κωδικό|κωδικος)(?!\w)"
    r"|(?<!\w)p[/.]\s?w\.?(?!\w)"
    r"|암호|비밀번호|비번|패스워드|압축\s*해제|열람\s*암호|パスワード|暗証番号|密码|密碼|解压码"
    r"|كلمة\s+(?:المرور|السر)|סיסמה|סיסמא|รหัสผ่าน|पासवर्ड"
)
#: Quotes and brackets of every script a password is set off with: ASCII, typographic (“ ” ‘ ’), guillemets
#: (« » ‹ ›, French and Russian), the German low-high pair („ “), CJK corner and lenticular brackets.
_OPEN = r"[\"'“‘„‚«‹「『【《(<\[]?"
_TOKEN = r"([^\s\"'”’“‘»›」』】》)>\],;|]{1,64})"
#: The copula or separator between the keyword and the password, in the harvested languages ("is", "es",
#: "é", "est", "ist", "lautet", "è", "є", Korean particles) and as tables and arrows write it ("|", "→", "=>").
_IS_WORD = r"(?:is|are|es|é|e|è|est|ist|lautet|sind|son|sont|є)(?!\w)"
_IS = rf"(?:{_IS_WORD}|는|은|是|为|為|は|が)"
_SEP = rf"(?:{_IS}\s*[:：]?|[:：=|]|->|=>|→|-|–|—|\(|\[)"
#: keyword, an optional separator, the token ("password: X", "암호는 X", "pw X", "Passwort lautet X")
_NEAR = re.compile(
    rf"(?:{_KEYWORDS})\s*(?:{_SEP}\s*)?{_OPEN}{_TOKEN}",
    re.IGNORECASE,
)
#: an article or pointer after a copula is no password ("the password is the invoice number: X" goes on to X)
_NOT_A_PASSWORD = r"(?:the|a|an|your|our|below|attached|following|same|in|on|sent)(?!\w)"
#: keyword, a few words, then a copula or ":"/"=" and the token ("the password for the archive is X",
#: "Das Kennwort zum Öffnen ist X", "La contraseña del archivo es: X")
_NEAR_LATER = re.compile(
    rf"(?:{_KEYWORDS})\b[^\n:=：]{{1,40}}?(?:(?:(?<!\w){_IS_WORD}|는|은|是|为|為|は)\s*[:：]?|[:：=]|—|→)\s*(?!{_NOT_A_PASSWORD}){_OPEN}{_TOKEN}",
    re.IGNORECASE,
)
#: keyword, one to three short words, then a token holding a digit that ends the clause, with no copula
#: (Russian and Slavic omit it: "Пароль к документу 4821", "heslo k souboru 2231")
_NEAR_NO_COPULA = re.compile(
    rf"(?:{_KEYWORDS})(?:\s+[^\W\d_]{{1,12}}){{1,3}}\s+{_OPEN}([^\s\"'”’“‘»›」』】》)>\],;|]*\d"
    r"[^\s\"'”’“‘»›」』】》)>\],;|]*)(?=[\s.,;!»“”」』】》)]|$)",
    re.IGNORECASE,
)
#: the password before its keyword: "enter 5594 as the password", "use X as password"
_BEFORE = re.compile(
    rf"(?<!\w)(?:enter|use|type|with)\s+{_OPEN}{_TOKEN}\s+as\s+(?:the\s+)?(?:{_KEYWORDS})",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“‘'„«‹「『【《]([^\s\"”’“'»›」』】》]{3,64})[\"”’“'»›」』】》]")
#: emphasis a plain-text rendering keeps around the password ("*7Kq9*", "**7Kq9**", "_7Kq9_")
_EMPHASIS = re.compile(r"^(\*{1,2}|_{1,2})(.+)\1$")
_WORD_CHARS = re.compile(r"^[\w!@#$%^&*+=.?~-]{3,64}$")
_KOREAN_TAIL = re.compile(r"^([!-~]{2,64}?)[\uac00-\ud7a3]+[.!]?$")
#: a Japanese or Chinese polite ending or full stop touching the password ("k9z2です", "8832。")
_CJK_TAIL = re.compile(r"^([!-~]{2,64}?)(?:です|でございます|となります|になります)?[。．.!！]?$")
_STOP = frozenset(
    {"is", "the", "below", "attached", "following", "here", "please", "file", "zip", "document", "for", "of",
     "to", "and", "protected", "required", "your", "this", "that", "archive", "files", "attachment", "are",
     "입니다", "아래", "첨부", "파일"}
)


def _variants(token: str) -> list[str]:
    """The token as written, without trailing punctuation, without a Korean ending."""
    token = token.strip()
    out = [token]
    stripped = token.strip(".,;:!?)]}>").strip()
    if stripped != token:
        out.append(stripped)
    m = _KOREAN_TAIL.match(token)
    if m:
        out.append(m.group(1))
    m = _CJK_TAIL.match(token)
    if m and m.group(1) != token:
        out.append(m.group(1))
    m = _EMPHASIS.match(stripped)
    if m:
        out.append(m.group(2))
    return out


def harvest(texts: Iterable[str], extra: Iterable[str] = (), limit: int = 40) -> tuple[str, ...]:
    """Return candidate passwords found in ``texts`` (subject, body), then ``extra``; unique, in order."""
    out: list[str] = []
    seen: set[str] = set()

    def add(token: str) -> None:
        variants = _variants(token)
        if any(v.lower() in _STOP for v in variants):  # "below." is "below"
            return
        for variant in variants:
            if not variant or len(variant) > 64 or variant in seen:
                continue
            seen.add(variant)
            out.append(variant)

    texts = [unicodedata.normalize("NFKC", t[:200_000]) for t in texts if t]
    # tokens next to a keyword are the likeliest, then the rest
    for pattern in (_NEAR, _BEFORE, _NEAR_LATER, _NEAR_NO_COPULA):
        for text in texts:
            for m in pattern.finditer(text):
                add(m.group(1))
                if len(out) >= limit:
                    break
    for text in texts:
        for m in _QUOTED.finditer(text):
            add(m.group(1))
            if len(out) >= limit:
                break
        for line in text.splitlines():
            line = line.strip()
            if _WORD_CHARS.match(line) and any(c.isdigit() for c in line):
                add(line)
            if len(out) >= limit:
                break
    harvested = out[:limit]
    seen = set(harvested)
    extras = [t for t in dict.fromkeys(extra) if t and t not in seen]
    return (*harvested, *extras)


#: A text file sent beside an encrypted one, where a password may be given ("password.txt", "read me.txt"):
#: top-level attachments sniffed as text, at most this many, each read up to this many bytes.
NOTE_FILES = 4
NOTE_BYTES = 8192
#: A forwarded message attached beside (or holding) an encrypted one, whose Subject, body and text notes may give
#: the password ("the password is ..." in the forwarded mail): top-level messages, at most NESTED_MESSAGES, each
#: parsed up to NESTED_BYTES, at most NESTED_PARTS of its parts walked (messages forwarded inside it included),
#: each text part read up to NESTED_TEXT bytes.
NESTED_MESSAGES = 2
NESTED_BYTES = 512 * 1024
NESTED_PARTS = 24
NESTED_TEXT = 64 * 1024


def note_files(items: Iterable[Item]) -> tuple[Item, ...]:
    """Where a message gives the password of an encrypted file apart from its Subject and body: the small text
    files attached beside it (the technique of sending the password as a separate note, so that the body names
    no password a filter could read), the top-level attachments sniffed as text, at most NOTE_FILES; then the
    forwarded messages attached to it (an encrypted file and its password travel together in the forwarded
    mail: the outer message's items read them too, whatever their order), at most NESTED_MESSAGES."""
    top = [i for i in items if i.depth == 0]
    notes = [i for i in top if i.role == Role.ATTACHMENT and i.type == ItemType.TEXT][:NOTE_FILES]
    return (*notes, *[i for i in top if i.type == ItemType.EML][:NESTED_MESSAGES])


def nested_message_texts(data: bytes) -> tuple[str, ...]:
    """The Subject and the text parts (plain, HTML rendered) of a forwarded message, bounded (NESTED_BYTES,
    NESTED_PARTS, NESTED_TEXT; messages forwarded inside it are walked too).  Never raises."""
    import email
    import email.header
    import email.policy

    out: list[str] = []
    try:
        msg = email.message_from_bytes(data[:NESTED_BYTES], policy=email.policy.compat32)
        for count, part in enumerate(msg.walk()):
            if count >= NESTED_PARTS:
                break
            subject = part.get("Subject") if part.get_content_maintype() == "message" or count == 0 else None
            if subject:
                out.append(str(email.header.make_header(email.header.decode_header(str(subject))))[:1000])
            if part.is_multipart() or part.get_content_maintype() != "text":
                continue
            payload = part.get_payload(decode=True)
            if not isinstance(payload, bytes) or not payload:
                continue
            text = decode_text(payload[:NESTED_TEXT], part.get_content_charset())
            out.append(html_to_text(text)[0] if part.get_content_subtype() == "html" else text)
    except Exception:  # the stdlib parser is lenient, header decoding is not: keep what was read
        pass
    return tuple(out)


def note_texts(notes: Iterable[Item]) -> tuple[str, ...]:
    """The text of each note (:func:`note_files`): a text file's first NOTE_BYTES bytes, a forwarded
    message's Subject and text parts (:func:`nested_message_texts`)."""
    out: list[str] = []
    for item in notes:
        if item.type == ItemType.EML:
            out.extend(nested_message_texts(item.data))
        else:
            out.append(decode_item(item, NOTE_BYTES))
    return tuple(out)


def password_texts(subject: str, body_text: str, items: Iterable[Item]) -> tuple[str, ...]:
    """Where a message gives the password of an encrypted attachment: its Subject, its body and its notes
    (:func:`note_files`), as :class:`Candidates` harvests them."""
    return (subject, body_text, *note_texts(note_files(items)))


class Candidates(Sequence[str]):
    """The message's candidate passwords, harvested from ``texts`` on first use (then ``extra``).

    A read-only sequence like the tuple :func:`harvest` returns.  ``reads`` counts every access
    (iteration, indexing, ``len``, ``in``): the verdict cache tells from it whether a handler's
    result depended on the passwords (:mod:`coinguard.cache`).
    """

    __slots__ = ("_extra", "_notes", "_texts", "_values", "reads")

    def __init__(self, texts: Iterable[str], extra: Iterable[str] = (), notes: Sequence[Item] = ()) -> None:
        self._texts = tuple(texts)
        self._extra = tuple(extra)
        self._notes = tuple(notes)  # (:func:`note_files`: decoded only when something asks for the passwords)
        self._values: tuple[str, ...] | None = None
        self.reads = 0

    @property
    def harvested(self) -> bool:
        """Whether the harvest has run (something asked for the passwords)."""
        return self._values is not None

    def values(self) -> tuple[str, ...]:
        """The candidates (harvested now if not yet)."""
        self.reads += 1
        if self._values is None:
            self._values = harvest((*self._texts, *note_texts(self._notes)), extra=self._extra)
            self._texts, self._notes = (), ()
        return self._values

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...

    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        return self.values()[index]

    def __len__(self) -> int:
        return len(self.values())

    def __iter__(self) -> Iterator[str]:
        return iter(self.values())

    def __contains__(self, value: object) -> bool:
        return value in self.values()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Candidates):
            return self.values() == other.values()
        return isinstance(other, tuple) and self.values() == other

    __hash__ = None  # type: ignore[assignment]  # equal to a tuple, but its value is only known lazily

    def __repr__(self) -> str:
        return f"Candidates({self._values!r})" if self._values is not None else "Candidates(<not harvested>)"
