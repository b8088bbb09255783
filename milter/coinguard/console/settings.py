"""``[console]`` and ``[digest]`` settings: frozen dataclasses with defaults, read from the main TOML file.

The dataclasses live in :mod:`coinguard.console.sections`.  Until ``Config`` has them as
fields, :func:`load` reads the two tables from the same file itself and hands the rest to
:func:`coinguard.config.parse_config` with those tables blanked out line for line, so line
numbers in its error messages stay right.  Once ``Config`` has a ``console`` field,
:func:`load` takes ``cfg.console``/``cfg.digest`` and only adds the console's own checks.
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
from coinguard.console.sections import VERDICTS, ConsoleConfig, DigestConfig, check_console
from coinguard.errors import ConfigError

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
    if hasattr(Config, "console"):  # merged into coinguard.config: it checks names and types
        cfg = load_config(path)
        check_console(cfg.console, f"{path}: [console]")  # type: ignore[attr-defined]
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
        check_console(obj, where)
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


def listen_address(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


__all__ = ["VERDICTS", "ConsoleConfig", "DigestConfig", "Settings", "build", "listen_address", "load"]
