"""``[console]`` and ``[digest]`` settings: frozen dataclasses with defaults, read from the main TOML file.

Until these sections are part of :mod:`coinguard.config` (the lead merges the two
dataclasses below into it), :func:`load` reads them from the same file itself and hands
the rest to :func:`coinguard.config.parse_config` with the two tables blanked out line
for line, so line numbers in its error messages stay right.  Once ``Config`` has a
``console`` field, :func:`load` just returns ``cfg.console``/``cfg.digest``.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coinguard.config import Config, load_config, parse_config
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


SECTIONS: dict[str, type] = {"console": ConsoleConfig, "digest": DigestConfig}


@dataclass(frozen=True, slots=True)
class Settings:
    config: Config
    console: ConsoleConfig
    digest: DigestConfig


def load(path: str | None) -> Settings:
    """The main configuration plus the console/digest sections (errors name file, line and key)."""
    if path is None:
        cfg = load_config(None)
        return Settings(cfg, getattr(cfg, "console", ConsoleConfig()), getattr(cfg, "digest", DigestConfig()))
    if hasattr(Config, "console"):  # merged into coinguard.config: it validates them itself
        cfg = load_config(path)
        return Settings(cfg, cfg.console, cfg.digest)  # type: ignore[attr-defined]
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML syntax error: {exc}") from exc
    built = {name: build(cls, data.get(name, {}), f"{path}: [{name}]") for name, cls in SECTIONS.items()}
    cfg = parse_config(_blank_tables(text, tuple(SECTIONS)), str(path))
    return Settings(cfg, built["console"], built["digest"])


def _blank_tables(text: str, names: tuple[str, ...]) -> str:
    """Replace the lines of ``[name]`` tables by empty lines (keeps every other line number)."""
    header = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        m = header.match(line)
        if m:
            skipping = m.group(1).split(".")[0] in names
        out.append("" if skipping else line)
    return "\n".join(out) + "\n"


def build(cls: type, values: Any, where: str) -> Any:
    """A settings dataclass from a TOML table, checking names and types."""
    if not isinstance(values, dict):
        raise ConfigError(f"{where} must be a table")
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key} (known: {', '.join(sorted(known))})")
        kwargs[key] = _coerce(value, hints[key], f"{where} {key}")
    obj = cls(**kwargs)
    if isinstance(obj, ConsoleConfig):
        _check_console(obj, where)
    return obj


def _coerce(value: Any, hint: Any, where: str) -> Any:
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    elif hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
        value = float(value) if ok else value
    elif hint is str:
        ok = isinstance(value, str)
    else:  # tuple[str, ...]
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        value = tuple(value) if ok else value
    if not ok:
        raise ConfigError(f"{where}: expected {getattr(hint, '__name__', 'a list of strings')}, got {value!r}")
    return value


def _check_console(c: ConsoleConfig, where: str) -> None:
    if not re.fullmatch(r"\[?[\w.:-]+\]?:\d+", c.listen):
        raise ConfigError(f"{where} listen: expected HOST:PORT, got {c.listen!r}")
    if "malicious" in c.recipient_release_verdicts:
        raise ConfigError(f"{where} recipient_release_verdicts: recipients may never release malicious mail")
    for v in c.recipient_release_verdicts:
        if v not in VERDICTS:
            raise ConfigError(f"{where} recipient_release_verdicts: unknown verdict {v!r}")
    if c.base_url and not c.base_url.startswith(("http://", "https://")):
        raise ConfigError(f"{where} base_url: expected http(s)://..., got {c.base_url!r}")


def listen_address(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)
