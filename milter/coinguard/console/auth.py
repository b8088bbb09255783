"""Admin accounts (argon2id hashes in a file), sessions, login rate limit, signed tokens.

Users file: one ``name:$argon2id$v=19$...`` line per admin, ``#`` comments allowed, mode 0600,
rewritten atomically by ``coinguard console adduser/passwd/deluser``.

Tokens are HMAC-SHA256 with the server secret (``[console] secret_file``), each with its
own purpose prefix so one kind can never stand in for another:

* recipient link  ``base64url({"r": ADDR, "e": EXPIRY}) "." base64url(HMAC("rcpt-link", payload))``
* CSRF            ``base64url(HMAC("csrf", binding))`` where binding is the session ID,
  the proxy-authenticated user name, the recipient link, or the login form's nonce cookie.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from coinguard.errors import CoinguardError

USER_RE = re.compile(r"\A[A-Za-z0-9._@+-]{1,64}\Z")
MIN_PASSWORD = 10
_HASHER = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (t=3, m=64 MiB, p=4)



class AuthError(CoinguardError):
    """A users-file, secret or token problem with a message for the admin."""


class LinkInvalid(AuthError):
    pass


class LinkExpired(AuthError):
    pass


# --------------------------------------------------------------------------- secret


def load_secret(path: str | os.PathLike[str], create: bool = True) -> bytes:
    """The server secret; created (0600, 32 random bytes as hex) when missing and ``create``."""
    p = Path(path)
    if create and not p.exists():
        p.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        except FileExistsError:
            pass  # another process created it meanwhile
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
    try:
        value = p.read_bytes().strip()
    except OSError as exc:
        raise AuthError(f"console secret {p}: {exc.strerror or exc}") from exc
    if len(value) < 32:
        raise AuthError(f"console secret {p}: too short (need at least 32 characters)")
    return value


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, purpose: str, data: bytes) -> bytes:
    return hmac.new(secret, purpose.encode() + b"\0" + data, hashlib.sha256).digest()


def csrf_token(secret: bytes, binding: str) -> str:
    return _b64(_mac(secret, "csrf", binding.encode("utf-8")))


def csrf_ok(secret: bytes, binding: str, token: str) -> bool:
    return bool(binding) and hmac.compare_digest(csrf_token(secret, binding), token or "")


def make_link(secret: bytes, rcpt: str, lifetime_s: float, now: float | None = None) -> str:
    """A recipient's personal link token, valid for ``lifetime_s`` seconds."""
    expiry = int((now if now is not None else time.time()) + lifetime_s)
    payload = _b64(json.dumps({"r": rcpt, "e": expiry}, separators=(",", ":"), ensure_ascii=False).encode())
    return f"{payload}.{_b64(_mac(secret, 'rcpt-link', payload.encode()))}"


def check_link(secret: bytes, token: str, now: float | None = None) -> tuple[str, int]:
    """(recipient, expiry) of a valid token; LinkInvalid or LinkExpired otherwise."""
    payload, dot, sig = (token or "").partition(".")
    if not dot or len(token) > 2000:
        raise LinkInvalid("malformed link")
    try:
        good = hmac.compare_digest(_unb64(sig), _mac(secret, "rcpt-link", payload.encode()))
        data = json.loads(_unb64(payload)) if good else None
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise LinkInvalid("malformed link") from exc
    if not good or not isinstance(data, dict) or not isinstance(data.get("r"), str) \
            or not isinstance(data.get("e"), int):
        raise LinkInvalid("link signature does not match")
    if data["e"] <= (now if now is not None else time.time()):
        raise LinkExpired("this link has expired")
    return data["r"], data["e"]


# --------------------------------------------------------------------------- users


def read_users(path: str | os.PathLike[str]) -> dict[str, str]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthError(f"users file {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    users: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, colon, digest = line.partition(":")
        if not colon or not USER_RE.match(name) or not digest.startswith("$argon2"):
            raise AuthError(f"users file {path}:{n}: expected NAME:$argon2id$... ")
        users[name] = digest
    return users


def write_users(path: str | os.PathLike[str], users: dict[str, str]) -> None:
    p = Path(path)
    p.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.name}.{secrets.token_hex(4)}")
    body = "# coinguard console admins (coinguard console adduser/passwd/deluser)\n"
    body += "".join(f"{n}:{h}\n" for n, h in sorted(users.items()))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.rename(tmp, p)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AuthError(f"password too short (at least {MIN_PASSWORD} characters)")
    return _HASHER.hash(password)


@functools.cache
def _dummy_hash() -> str:
    """Verified when the user does not exist, so a wrong name costs as much as a wrong password."""
    return _HASHER.hash(secrets.token_hex(16))


def verify_password(users: dict[str, str], name: str, password: str) -> bool:
    """Constant work whether or not the user exists (argon2 either way)."""
    digest = users.get(name)
    try:
        return _HASHER.verify(digest or _dummy_hash(), password) and digest is not None
    except (VerificationError, InvalidHashError):
        return False


# --------------------------------------------------------------------------- sessions and rate limit


@dataclass
class Session:
    id: str
    user: str
    created: float
    seen: float


@dataclass
class Sessions:
    """Server-side sessions (in memory: a restart logs everyone out, which is fine for a console)."""

    idle_s: float
    max_s: float
    _by_id: dict[str, Session] = field(default_factory=dict)

    def new(self, user: str) -> Session:
        now = time.monotonic()
        self._expire(now)
        s = Session(secrets.token_urlsafe(32), user, now, now)
        self._by_id[s.id] = s
        return s

    def get(self, sid: str) -> Session | None:
        now = time.monotonic()
        s = self._by_id.get(sid or "")
        if s is None:
            return None
        if now - s.seen > self.idle_s or now - s.created > self.max_s:
            del self._by_id[s.id]
            return None
        s.seen = now
        return s

    def drop(self, sid: str) -> None:
        self._by_id.pop(sid, None)

    def _expire(self, now: float) -> None:
        for sid in [k for k, s in self._by_id.items() if now - s.seen > self.idle_s or now - s.created > self.max_s]:
            del self._by_id[sid]


@dataclass
class RateLimit:
    """At most ``max_failures`` failed logins per key within ``window_s``; then every try is refused."""

    max_failures: int
    window_s: float
    _fails: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._fails.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def blocked(self, *keys: str) -> bool:
        now = time.monotonic()
        return any(len(self._recent(k, now)) >= self.max_failures for k in keys)

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        for k in keys:
            self._recent(k, now).append(now)
        if len(self._fails) > 10_000:  # bound memory under a spray of names
            for k in [k for k, q in self._fails.items() if not q]:
                del self._fails[k]

    def succeeded(self, key: str) -> None:
        self._fails.pop(key, None)
