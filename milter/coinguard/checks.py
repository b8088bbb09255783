"""Start-up checks of what the configuration points at: rule directories, lure and brand lists.

The analyzers read these files lazily and, mid-run, keep scanning when one has gone (they log
it).  Before the daemon starts, and in ``coinguard config check``, a missing, unreadable or
malformed file is an error instead: an install that lost its data must not come up with
crypto-theme detection quietly switched off.  :func:`data_problems` lists every problem (an
empty list means all is there and parses).
"""

from __future__ import annotations

from pathlib import Path

from coinguard.config import Config
from coinguard.errors import ConfigError
from coinguard.rules import RULE_SUFFIXES


def data_problems(cfg: Config) -> list[str]:
    """Every problem with the configured data files, as ``key: path: what`` lines."""
    problems: list[str] = []
    for d in cfg.rules.dirs:
        problems.extend(f"rules.dirs: {p}" for p in _rules_dir_problems(Path(d)))
    for key, path, parse in (("crypto.lures_file", cfg.crypto.lures_file, _lure_problems),
                             ("crypto.brands_file", cfg.crypto.brands_file, _brand_problems)):
        text, error = _read_text(path)
        problems.extend(f"{key}: {p}" for p in ([error] if text is None else parse(text, path)))
    return problems


def require_data(cfg: Config) -> None:
    """Raise :class:`ConfigError` listing every :func:`data_problems` entry (the daemon's start-up check)."""
    problems = data_problems(cfg)
    if problems:
        raise ConfigError(f"{cfg.source}: data files missing or broken:\n  " + "\n  ".join(problems))


def _rules_dir_problems(d: Path) -> list[str]:
    if d.is_file() and d.suffix.lower() in RULE_SUFFIXES:
        return []
    if not d.is_dir():
        return [f"{d}: no such rule file or directory"]
    if not any(p.suffix.lower() in RULE_SUFFIXES and p.is_file() for p in d.rglob("*")):
        return [f"{d}: no rule files (*.yar, *.yara)"]
    return []


def _read_text(path: str) -> tuple[str | None, str]:
    """(the file's text, "") or (None, why it could not be read)."""
    if not path:
        return None, "not set"
    try:
        return Path(path).read_text(encoding="utf-8"), ""
    except OSError as exc:
        return None, f"{path}: cannot read: {exc.strerror or exc}"
    except UnicodeDecodeError as exc:
        return None, f"{path}: not UTF-8: {exc}"


def _lure_problems(text: str, path: str) -> list[str]:
    from coinguard.lures import LureFormatError, parse_lures

    try:
        lures = parse_lures(text.splitlines(), path)
    except LureFormatError as exc:
        return [str(exc)]
    return [] if lures else [f"{path}: no lure phrases"]


def _brand_problems(text: str, path: str) -> list[str]:
    from coinguard.brandlist import BrandFormatError, parse_brands

    try:
        brands = parse_brands(text, path)
    except BrandFormatError as exc:
        return [str(exc)]
    return [] if brands else [f"{path}: no brands"]


def config_warnings(cfg: Config) -> list[str]:
    """Settings that work but weaken the protection (``coinguard config check`` prints them)."""
    warnings: list[str] = []
    if cfg.policy.bypass_senders:
        warnings.append("policy.bypass_senders trusts bare sender addresses, which anyone can forge; "
                        "prefer policy.allow_dkim_domains (trusted only with an aligned DKIM pass)")
    strips = [k for k in ("action_clean", "action_suspicious", "action_malicious") if getattr(cfg.policy, k) == "strip"]
    strips += [f'recipients."{r}".{k}' for r, o in cfg.policy.recipients.items()
               for k in ("action_clean", "action_suspicious", "action_malicious") if getattr(o, k) == "strip"]
    if strips and cfg.quarantine.backend == "hold":
        warnings.append(f"policy.{strips[0]} = \"strip\" needs quarantine.backend = \"dir\": with \"hold\" "
                        "the whole message is held instead")
    return warnings
