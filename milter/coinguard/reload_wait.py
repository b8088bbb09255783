"""``coinguard reload``: wait for the daemon's answer, so the command's exit status is the outcome.

The daemon reloads in the background on SIGUSR1 and counts each attempt in its metrics
(``coinguard_rules_reload_total{result="success"|"error"}``, ``coinguard_rules_loaded``).  This
module reads those counters from the daemon's own exporter (``[metrics] listen``) before the
signal, sends it, and polls until one counter moves: success -> exit 0 with the new rule count;
error -> exit 1 (the daemon refused the new rules or configuration and keeps serving the previous
ones; its log says why); no answer within the time limit -> exit 1.  Without a metrics endpoint
the outcome cannot be seen: the signal is sent and the command says so (exit 0).
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from prometheus_client.parser import text_string_to_metric_families

from coinguard.config import Config

EXIT_OK, EXIT_REFUSED, EXIT_ERROR = 0, 1, 2
RELOADS = "coinguard_rules_reload"  # the counter family's name (samples end in _total)
LOADED = "coinguard_rules_loaded"


@dataclass(frozen=True, slots=True)
class ReloadState:
    """What the daemon's exporter said about reloads at one moment."""

    success: float
    error: float
    rules: float


def metrics_url(listen: str) -> str:
    """``http://HOST:PORT/metrics`` for a ``[metrics] listen`` value (a wildcard host means loopback)."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/metrics"


def parse_state(text: str) -> ReloadState:
    """The reload counters and the rule count from an exposition text (ValueError without them)."""
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == RELOADS + "_total":
                values[sample.labels.get("result", "")] = sample.value
            elif sample.name == LOADED:
                values["rules"] = sample.value
    if "success" not in values or "error" not in values:
        raise ValueError(f"no {RELOADS}_total{{result}} samples: is this coinguard's metrics endpoint?")
    return ReloadState(values["success"], values["error"], values.get("rules", 0.0))


def read_state(url: str, timeout_s: float = 2.0) -> ReloadState:
    """Scrape ``url`` once (OSError / ValueError when it does not answer like coinguard)."""
    with urllib.request.urlopen(url, timeout=timeout_s) as resp:
        return parse_state(resp.read().decode("utf-8", "replace"))


def reload_and_wait(cfg: Config, send: Callable[[], int], *, wait_s: float = 120.0, poll_s: float = 0.2,
                    out: TextIO | None = None) -> int:
    """Read the counters, ``send()`` the signal (its exit code), then wait for the outcome."""
    out = out or sys.stdout
    url = metrics_url(cfg.metrics.listen) if cfg.metrics.listen else ""
    before: ReloadState | None = None
    why = "[metrics] listen is empty"
    if url:
        try:
            before = read_state(url)
        except (OSError, ValueError) as exc:
            why = f"{url} does not answer: {_reason(exc)}"
    rc = send()
    if rc != 0:
        return rc
    if before is None or wait_s <= 0:
        if wait_s > 0:
            print(f"coinguard reload: outcome unknown ({why}); see the daemon's log", file=out)
        return EXIT_OK
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        time.sleep(poll_s)
        try:
            now = read_state(url)
        except (OSError, ValueError):
            continue  # the exporter may be busy for a moment; the deadline bounds the wait
        if now.error > before.error:
            print("coinguard reload: REFUSED: the new rules or configuration did not load; the daemon keeps"
                  f" serving the previous set ({before.rules:g} rules). See its log for the errors"
                  " (coinguard config check, coinguard rules check).", file=out)
            return EXIT_REFUSED
        if now.success > before.success:
            print(f"coinguard reload: done: {now.rules:g} rules loaded", file=out)
            return EXIT_OK
    print(f"coinguard reload: no outcome within {wait_s:g}s (the daemon may still be compiling)", file=out)
    return EXIT_REFUSED


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return str(exc)
