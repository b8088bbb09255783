"""Exception types raised at coinguard's module boundaries."""

from __future__ import annotations


class CoinguardError(Exception):
    """Base class of every error coinguard raises on purpose."""


class ConfigError(CoinguardError):
    """The configuration is invalid; the message names file, line and key."""


class RulesError(CoinguardError):
    """YARA rules failed to compile; ``errors`` lists (file, line, message)."""

    def __init__(self, message: str, errors: list[tuple[str, int, str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []

    def __reduce__(self) -> tuple[type, tuple[str, list[tuple[str, int, str]]]]:
        # keep the per-file errors when the exception crosses a process boundary
        return (type(self), (str(self), self.errors))


class BudgetExceeded(CoinguardError):
    """A scan limit was hit.  ``code`` is the finding code that reports it."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class ScanTimeout(CoinguardError):
    """The per-message scan time ran out (raised by the pool)."""


class QuarantineError(CoinguardError):
    """A quarantine operation failed (write, lookup, release)."""
