"""TOML configuration -> frozen dataclasses, with errors that name file, line and key.

Every key has a default, so ``Config()`` is the embedded configuration that
``coinguard run`` uses without a file.  ``config/coinguard.toml`` documents every
key; ``tests/test_config.py`` checks that it loads and lists every key here.

To add a key: add a typed field with a default to its section dataclass below and
document it in ``config/coinguard.toml``.  Types supported: ``bool``, ``int``,
``float``, ``str``, ``Literal[...]``, ``tuple[str, ...]`` and ``dict[str, float]``.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from coinguard.console.sections import ConsoleConfig, DigestConfig
from coinguard.errors import ConfigError
from coinguard.limits import Limits, MiB
from coinguard.report.settings import ReportSettings


def shipped_path(name: str) -> str:
    """Path of a data file shipped inside the package (``rules``, ``lures.txt``, ``brands.toml``).

    Found through :mod:`importlib.resources`, so it is right for a wheel installed anywhere and
    for a checkout alike (in the checkout ``coinguard/data/*`` are symlinks to the top-level
    ``rules/`` and ``config/``).  The package is always installed as plain files (never zipped),
    so the resource is a real path that YARA and ``open()`` can use.
    """
    return str(importlib.resources.files("coinguard") / "data" / name)


@dataclass(frozen=True, slots=True)
class MilterConfig:
    socket: str = "inet:8896@127.0.0.1"
    name: str = "coinguard"
    fail_mode: Literal["tempfail", "accept"] = "tempfail"
    timeout_s: int = 600
    #: 128 KiB: a bigger message as bytes is pickled through pebble's 64 KiB pipe in pieces, the writer blocking
    #: on each (a 366 KB one: 0.13-0.67 ms of CPU for both processes, as a file written and read once 0.09-0.2
    #: ms; a 40 KB one is cheaper by pipe); by path it is also not copied again into the pickle
    spool_threshold_bytes: int = 128 * 1024
    keepalive_s: float = 20.0
    tempfail_reply: str = "451 4.7.1 Message could not be scanned, please try again later"
    reject_reply: str = "550 5.7.1 Message rejected: dangerous content"
    oversize_reply: str = "552 5.3.4 Message too big to be scanned"
    drain_timeout_s: float = 60.0
    socket_mode: str = "0660"
    pid_file: str = ""


@dataclass(frozen=True, slots=True)
class ScanConfig:
    workers: int = 0
    timeout_s: float = 60.0
    recycle_after: int = 500
    max_message_bytes: int = 64 * MiB
    oversize_action: Literal["reject", "tempfail", "accept"] = "reject"
    max_depth: int = 8
    max_files: int = 1000
    max_expanded_bytes: int = 256 * MiB
    max_ratio: float = 150.0
    max_file_bytes: int = 64 * MiB
    yara_timeout_s: int = 10
    passwords: tuple[str, ...] = ("infected", "password", "1234", "12345", "123456", "0000", "1111", "qwerty")

    def limits(self) -> Limits:
        # the soft deadline inside the worker ends a little before the pool kills it
        soft = max(1.0, self.timeout_s * 0.85)
        return Limits(
            max_message_bytes=self.max_message_bytes,
            max_depth=self.max_depth,
            max_files=self.max_files,
            max_expanded_bytes=self.max_expanded_bytes,
            max_ratio=self.max_ratio,
            max_file_bytes=self.max_file_bytes,
            timeout_s=soft,
            yara_timeout_s=self.yara_timeout_s,
        )

    def worker_count(self) -> int:
        return self.workers if self.workers > 0 else (os.cpu_count() or 1)


ActionName = Literal["accept", "tag", "strip", "quarantine", "reject"]
#: ``action_unchecked``: what mail that could not be fully read gets (never "accept": never clean)
UncheckedActionName = Literal["quarantine", "tag", "tempfail"]


@dataclass(frozen=True, slots=True)
class RecipientPolicy:
    """One ``[policy.recipients."KEY"]`` table: what differs for mail to KEY (None = as in [policy])."""

    suspicious_score: float | None = None
    malicious_score: float | None = None
    action_clean: ActionName | None = None
    action_suspicious: ActionName | None = None
    action_malicious: ActionName | None = None
    action_unchecked: UncheckedActionName | None = None
    bypass: bool = False


@dataclass(frozen=True, slots=True)
class PolicyConfig:
    profile: Literal["strict", "balanced"] = "strict"
    suspicious_score: float = 5.0
    malicious_score: float = 15.0
    action_clean: ActionName = "accept"
    action_suspicious: ActionName = "tag"
    action_malicious: ActionName = "quarantine"
    action_unchecked: UncheckedActionName = "quarantine"
    subject_tag: str = "[SUSPICIOUS]"
    #: verdicts whose delivered ("tag") mail gets ``subject_tag``; "unchecked" too, so that
    #: ``action_unchecked = "tag"`` shows the reader the message was not fully read
    subject_tag_verdicts: tuple[str, ...] = ("suspicious", "malicious", "unchecked")
    verdict_header: str = "X-Coinguard-Verdict"
    findings_header: str = "X-Coinguard-Findings"
    tag_clean: bool = True
    dry_run: bool = False
    theme_weight: float = 1.5
    theme_min: float = 3.0
    risk_min: float = 3.0
    bypass_recipients: tuple[str, ...] = ()
    bypass_senders: tuple[str, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)
    recipients: dict[str, RecipientPolicy] = field(default_factory=dict)
    allowlist_file: str = ""  # "" = [console] allowlist_file
    allow_sha256: tuple[str, ...] = ()
    allow_macro_sha256: tuple[str, ...] = ()
    allow_dkim_domains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QuarantineConfig:
    backend: Literal["dir", "hold", "postgresql"] = "dir"
    path: str = "var/quarantine"
    retention_days: int = 30
    release_method: Literal["sendmail", "smtp"] = "smtp"
    sendmail_path: str = "/usr/sbin/sendmail"
    release_smtp: str = "127.0.0.1:10026"
    postfix_config_dir: str = ""
    audit_log: str = ""
    # backend = "postgresql" (coinguard.quarantine.postgresql)
    dsn: str = ""
    dsn_password_file: str = ""
    pool_size: int = 4
    connect_timeout_s: float = 5.0
    statement_timeout_s: float = 30.0
    host_name: str = ""


@dataclass(frozen=True, slots=True)
class CacheConfig:
    """``[cache]``: the verdict cache (coinguard.cache)."""

    backend: Literal["memory", "redis", "off"] = "memory"
    url: str = ""
    ttl_s: int = 7 * 86400
    max_entries: int = 20000
    max_bytes: int = 64 * MiB
    max_entry_bytes: int = 256 * 1024
    timeout_ms: int = 100
    retry_after_s: float = 5.0
    key_prefix: str = "coinguard:"
    local_entries: int = 2000
    local_bytes: int = 16 * MiB


@dataclass(frozen=True, slots=True)
class MetricsConfig:
    listen: str = "127.0.0.1:9810"


@dataclass(frozen=True, slots=True)
class RulesConfig:
    dirs: tuple[str, ...] = (shipped_path("rules"),)
    cache_dir: str = "var/cache"


@dataclass(frozen=True, slots=True)
class DkimConfig:
    enabled: bool = True
    authserv_id: str = ""
    add_header: bool = True
    dns_timeout_s: float = 5.0
    nameservers: tuple[str, ...] = ()
    dns_port: int = 53
    trust_upstream: tuple[str, ...] = ()
    spf: bool = True
    dmarc: bool = True
    arc: bool = True


@dataclass(frozen=True, slots=True)
class CryptoConfig:
    lures_file: str = shipped_path("lures.txt")
    brands_file: str = shipped_path("brands.toml")
    extra_lures: tuple[str, ...] = ()
    min_distinct_addresses: int = 3


@dataclass(frozen=True, slots=True)
class LoggingConfig:
    format: Literal["kv", "json"] = "kv"
    level: Literal["debug", "info", "warning", "error"] = "info"


@dataclass(frozen=True, slots=True)
class Config:
    milter: MilterConfig = field(default_factory=MilterConfig)
    scan: ScanConfig = field(default_factory=ScanConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)
    quarantine: QuarantineConfig = field(default_factory=QuarantineConfig)
    cache: CacheConfig = field(default_factory=CacheConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    rules: RulesConfig = field(default_factory=RulesConfig)
    dkim: DkimConfig = field(default_factory=DkimConfig)
    crypto: CryptoConfig = field(default_factory=CryptoConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)
    report: ReportSettings = field(default_factory=ReportSettings)
    console: ConsoleConfig = field(default_factory=ConsoleConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    source: str = "<defaults>"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name == "source":
                continue
            section = getattr(self, f.name)
            out[f.name] = {k: _plain(v) for k, v in dataclasses.asdict(section).items()}
        return out


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value


SECTIONS: dict[str, type] = {
    f.name: typing.get_type_hints(Config)[f.name] for f in dataclasses.fields(Config) if f.name != "source"
}


#: The system-wide configuration the CLI uses when it exists (and no ``-c`` or $COINGUARD_CONFIG).
SYSTEM_CONFIG = "/etc/coinguard/coinguard.toml"
#: Names the configuration file; set but empty, it means "the embedded defaults".
CONFIG_ENV = "COINGUARD_CONFIG"


def find_config(explicit: str | None = None) -> tuple[str | None, str]:
    """Which configuration the CLI uses: (path or None for the embedded defaults, why).

    In order: ``-c FILE``; ``$COINGUARD_CONFIG`` (empty: the embedded defaults, even when
    :data:`SYSTEM_CONFIG` exists); :data:`SYSTEM_CONFIG` when it exists; the embedded defaults.
    A file named by ``-c`` or the variable must exist (:func:`load_config` says so).
    """
    if explicit is not None:
        return explicit, "-c"
    env = os.environ.get(CONFIG_ENV)
    if env is not None:
        return (env, f"${CONFIG_ENV}") if env else (None, f"${CONFIG_ENV} is empty")
    if Path(SYSTEM_CONFIG).exists():
        return SYSTEM_CONFIG, "the system configuration"
    return None, f"no -c, no ${CONFIG_ENV}, no {SYSTEM_CONFIG}"


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load and validate a TOML file; ``None`` gives the embedded defaults."""
    if path is None:
        return Config()
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{p}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{p}: not UTF-8: {exc}") from exc
    return parse_config(text, str(p))


def parse_config(text: str, source: str = "<string>") -> Config:
    """Validate ``text``; a :class:`ConfigError` lists *every* problem, one per line (file:line: ...)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: TOML syntax error: {exc}") from exc
    errors: list[str] = []
    sections: dict[str, Any] = {}
    for name, value in data.items():
        if name not in SECTIONS:
            errors.append(f"{source}:{_line_of(text, name, None)}: unknown section [{name}]")
        elif not isinstance(value, dict):
            errors.append(f"{source}:{_line_of(text, name, None)}: [{name}] must be a table")
        else:
            sections[name] = _build_section(name, SECTIONS[name], value, text, source, errors)
    cfg = Config(**sections, source=source)
    _check_semantics(cfg, text, source, errors)
    if errors:
        raise ConfigError("\n".join(errors))
    return cfg


def _build_section(name: str, cls: type, values: dict[str, Any], text: str, source: str,
                   errors: list[str]) -> Any:
    """The section from its valid keys; every bad key is appended to ``errors``."""
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        where = f"{source}:{_line_of(text, name, key)}"
        if key not in known:
            errors.append(f"{where}: unknown key {name}.{key} (known: {', '.join(sorted(known))})")
            continue
        try:
            kwargs[key] = _coerce(value, hints[key], f"{where}: {name}.{key}")
        except ConfigError as exc:
            errors.append(str(exc))
    return cls(**kwargs)


def _coerce(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is Literal:
        if value not in args:
            raise ConfigError(f"{where}: expected one of {', '.join(map(repr, args))}, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        if value < 0:
            raise ConfigError(f"{where}: must not be negative, got {value}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: expected a list of strings, got {value!r}")
        return tuple(value)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table, got {value!r}")
        if dataclasses.is_dataclass(args[1]):
            # the key quoted as in the file: policy.recipients."example.org".action_unchecked
            return {k: _coerce_table(v, args[1], f'{where}."{k}"') for k, v in value.items()}
        out = {}
        for k, v in value.items():
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise ConfigError(f"{where}.{k}: expected a number, got {v!r}")
            out[k] = float(v)
        return out
    if isinstance(hint, types.UnionType):  # pragma: no cover - no such fields yet
        raise ConfigError(f"{where}: unsupported type {hint}")
    raise ConfigError(f"{where}: unsupported type {hint}")  # pragma: no cover


def _coerce_table(value: Any, cls: Any, where: str) -> Any:
    """A sub-table such as ``[policy.recipients."example.org"]``: known keys, typed (``X | None``: X)."""
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table, got {value!r}")
    hints = typing.get_type_hints(cls)
    problems, kwargs = [], {}
    for key, item in value.items():
        if key not in hints:
            problems.append(f"{where}: unknown key {key} (known: {', '.join(sorted(hints))})")
            continue
        hint = hints[key]
        if typing.get_origin(hint) in (typing.Union, types.UnionType):
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        try:
            kwargs[key] = _coerce(item, hint, f"{where}.{key}")
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigError("\n".join(problems))
    return cls(**kwargs)


def _check_semantics(cfg: Config, text: str, source: str, errors: list[str]) -> None:
    def fail(section: str, key: str, msg: str) -> None:
        errors.append(f"{source}:{_line_of(text, section, key)}: {section}.{key}: {msg}")

    if cfg.policy.malicious_score < cfg.policy.suspicious_score:
        fail("policy", "malicious_score", "must be >= policy.suspicious_score")
    sock = cfg.milter.socket
    if not re.fullmatch(r"(inet6?:\d+(@\S+)?|unix:/\S+|local:/\S+)", sock):
        fail("milter", "socket", f"expected inet:PORT@HOST or unix:/path, got {sock!r}")
    if cfg.metrics.listen and not re.fullmatch(r"\[?[\w.:-]*\]?:\d+", cfg.metrics.listen):
        fail("metrics", "listen", f"expected HOST:PORT or empty, got {cfg.metrics.listen!r}")
    if cfg.scan.max_depth < 1:
        fail("scan", "max_depth", "must be at least 1")
    if cfg.scan.timeout_s <= 0:
        fail("scan", "timeout_s", "must be positive")
    if not re.fullmatch(r"0?[0-7]{3}", cfg.milter.socket_mode):
        fail("milter", "socket_mode", f"expected an octal mode like 0660, got {cfg.milter.socket_mode!r}")
    if cfg.quarantine.backend == "postgresql" and not cfg.quarantine.dsn:
        fail("quarantine", "dsn", 'backend "postgresql" needs a dsn (postgresql://... or a libpq service name)')
    if cfg.cache.backend == "redis" and not cfg.cache.url:
        fail("cache", "url", 'backend "redis" needs a url (redis://host:port/db)')
    for key, over in cfg.policy.recipients.items():
        if not re.fullmatch(r"(?:[^@\s]+@)?@?[A-Za-z0-9_-][A-Za-z0-9_.-]*", key) or key.endswith("."):
            fail("policy", "recipients", f"{key!r}: expected an address (user@example.org) or a domain (example.org)")
        low = cfg.policy.suspicious_score if over.suspicious_score is None else over.suspicious_score
        high = cfg.policy.malicious_score if over.malicious_score is None else over.malicious_score
        if high < low:
            fail("policy", "recipients", f"{key!r}: malicious_score {high:g} < suspicious_score {low:g}")
    for verdict in cfg.policy.subject_tag_verdicts:
        if verdict not in ("clean", "suspicious", "malicious", "unchecked"):
            fail("policy", "subject_tag_verdicts", f"unknown verdict {verdict!r}")


def _line_of(text: str, section: str, key: str | None) -> int:
    """Best-effort line number of ``[section]`` / ``key`` in the TOML text (1-based; 0 if unknown).

    ``tomllib`` keeps no positions, so the text is scanned: the key's line inside its section,
    a ``[section.key]`` sub-table header, or else the section header itself.
    """
    header = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
    current = None
    section_line = 0
    for i, line in enumerate(text.splitlines(), 1):
        m = header.match(line)
        if m:
            current = m.group(1)
            if current == section and not section_line:
                section_line = i
                if key is None:
                    return i
            elif key is not None and current == f"{section}.{key}":
                return i
            continue
        if key is not None and current == section and re.match(rf"^\s*{re.escape(key)}\s*=", line):
            return i
    return section_line
