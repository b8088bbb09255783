"""Logging to stderr (journald under systemd): key=value lines by default, or JSON.

A record may carry structured fields in ``extra={"fields": {...}}`` (the daemon's one
line per message does, with ``kv_line(fields)`` as its message).  The key=value
formatter prints the message; the JSON formatter puts the fields at the top level of
the object instead of the message.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

from coinguard.config import LoggingConfig

_KV_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:/@+,=<>[]")


def kv_value(value: Any) -> str:
    """A value as it appears in a key=value line: bare when safe, otherwise JSON-quoted."""
    text = value if isinstance(value, str) else str(value)
    if text and all(ch in _KV_SAFE for ch in text) and "=" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def kv_line(fields: Mapping[str, Any]) -> str:
    return " ".join(f"{k}={kv_value(v)}" for k, v in fields.items())


class KeyValueFormatter(logging.Formatter):
    """``2026-01-01T00:00:00Z level=info logger=coinguard.daemon msg... key=value ...``"""

    converter = staticmethod(time.gmtime)

    def __init__(self) -> None:
        super().__init__(datefmt="%Y-%m-%dT%H:%M:%SZ")

    def format(self, record: logging.LogRecord) -> str:
        head = f"{self.formatTime(record, self.datefmt)} {record.levelname.lower()} {record.name}:"
        out = f"{head} {record.getMessage()}"
        if record.exc_info:
            out += "\n" + self.formatException(record.exc_info)
        return out


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, msg, then the record's fields."""

    converter = staticmethod(time.gmtime)

    def format(self, record: logging.LogRecord) -> str:
        obj: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%SZ"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if fields:
            obj.update(fields)
        else:
            obj["msg"] = record.getMessage()
        if record.exc_info:
            obj["exc"] = self.formatException(record.exc_info)
        return json.dumps(obj, ensure_ascii=False, default=str)


def setup_logging(cfg: LoggingConfig, stream: TextIO | None = None) -> logging.Handler:
    """Configure the root logger from ``[logging]``; returns the installed handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if cfg.format == "json" else KeyValueFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(cfg.level.upper())
    logging.captureWarnings(True)
    return handler
