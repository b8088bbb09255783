"""``[console]`` and ``[digest]`` settings, read with the rest of the main TOML file.

The dataclasses live in :mod:`coinguard.console.sections` and are sections of
:class:`coinguard.config.Config` (which checks names and types with file and line);
:func:`load` adds the console's own checks (``check_console``).
"""

from __future__ import annotations

from dataclasses import dataclass

from coinguard.config import Config, load_config
from coinguard.console.sections import VERDICTS, ConsoleConfig, DigestConfig, check_console


@dataclass(frozen=True, slots=True)
class Settings:
    config: Config
    console: ConsoleConfig
    digest: DigestConfig


def load(path: str | None) -> Settings:
    """The main configuration with its console/digest sections (errors name file, line and key)."""
    cfg = load_config(path)
    check_console(cfg.console, f"{cfg.source}: [console]")
    return Settings(cfg, cfg.console, cfg.digest)


def listen_address(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


__all__ = ["VERDICTS", "ConsoleConfig", "DigestConfig", "Settings", "listen_address", "load"]
