"""The ``[console]`` and ``[digest]`` configuration sections.

This module imports only :mod:`coinguard.errors`, so :mod:`coinguard.config` can import the
two dataclasses and make them fields of ``Config`` without an import cycle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coinguard.errors import ConfigError

VERDICTS = ("clean", "suspicious", "malicious", "unchecked")


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    listen: str = "127.0.0.1:9811"
    #: Public URL of the console behind the reverse proxy; recipients' links start with it
    #: ("" = http://LISTEN, fine only when recipients reach the console on that address).
    base_url: str = ""
    #: Admin accounts, ``name:$argon2id$...`` one per line (``coinguard console adduser``).
    users_file: str = "var/console-users"
    #: Server secret for recipient links and CSRF tokens (32 random bytes, created 0600 if missing).
    secret_file: str = "var/console-secret"
    #: Where "allowlist from here" appends its JSON lines (see docs/console.md).
    allowlist_file: str = "var/allowlist.jsonl"
    #: Reverse-proxy authentication: the header naming the user, honoured only from these addresses.
    proxy_auth_header: str = ""
    trusted_proxies: tuple[str, ...] = ("127.0.0.1", "::1")
    #: Cookies with the Secure flag (the console normally sits behind a TLS proxy).
    cookie_secure: bool = True
    session_idle_minutes: int = 60
    session_max_hours: int = 12
    login_max_failures: int = 5
    login_window_s: int = 300
    #: Recipient links stay valid this long.
    link_days: int = 7
    #: Verdicts a recipient may release to themselves (never "malicious").
    recipient_release_verdicts: tuple[str, ...] = ("suspicious", "unchecked")
    page_size: int = 50
    #: Longest body text shown on a message page (the rest is cut, with a note).
    max_body_chars: int = 200_000

    def public_url(self) -> str:
        return (self.base_url or f"http://{self.listen}").rstrip("/")


@dataclass(frozen=True, slots=True)
class DigestConfig:
    #: The Postfix listener without the milter ("" = [quarantine] release_smtp).
    smtp: str = ""
    sender: str = "quarantine@localhost"
    subject: str = "Quarantined mail for {rcpt}: {count} message(s)"
    #: Immediate notice of every new malicious message to this address ("" = off).
    admin_notify: str = ""
    state_file: str = "var/digest-state.json"
    #: config/templates by default: digest.txt.j2, digest.html.j2, notice.txt.j2
    templates_dir: str = ""
    timeout_s: float = 60.0


def check_console(c: ConsoleConfig, where: str) -> None:
    if not re.fullmatch(r"\[?[\w.:-]+\]?:\d+", c.listen):
        raise ConfigError(f"{where} listen: expected HOST:PORT, got {c.listen!r}")
    if "malicious" in c.recipient_release_verdicts:
        raise ConfigError(f"{where} recipient_release_verdicts: recipients may never release malicious mail")
    for v in c.recipient_release_verdicts:
        if v not in VERDICTS:
            raise ConfigError(f"{where} recipient_release_verdicts: unknown verdict {v!r}")
    if c.base_url and not c.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"{where} base_url: expected http(s)://..., got {c.base_url!r}")
