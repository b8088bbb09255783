"""Prometheus metrics (DESIGN §4), counted in the daemon process only.

Workers return everything worth counting inside the :class:`~coinguard.findings.Verdict`
(findings, attachment types, timings); the daemon calls :meth:`Metrics.observe` on the
milter thread.  No multiprocess metric files: a worker never touches a counter.

Label values come from closed sets (verdicts, actions, finding codes, sniffed types,
stages, reasons), never from sender, file names or subjects.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

from coinguard import __version__
from coinguard.findings import Verdict

if TYPE_CHECKING:
    from coinguard.tools import ToolStatus

log = logging.getLogger(__name__)

PREFIX = "coinguard_"
#: Finding codes and sniffed types are dotted words; anything else is folded into "other".
_LABEL_RE = re.compile(r"[A-Za-z0-9_.:+-]{1,80}")

SCAN_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
#: ``coinguard_cache_requests_total{result}`` (coinguard.cache.RESULTS).
CACHE_RESULTS = ("hit", "miss", "error")
#: Label children :meth:`Metrics.observe` keeps at hand (finding codes and sniffed types: a few hundred).
MAX_CHILDREN = 4096
SIZE_BUCKETS = (1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)


def _label(value: str) -> str:
    return value if _LABEL_RE.fullmatch(value) else "other"


@dataclass(frozen=True)
class Metrics:
    registry: CollectorRegistry
    messages: Counter
    findings: Counter
    attachments: Counter
    scan_duration: Histogram
    message_bytes: Histogram
    inflight: Gauge
    worker_restarts: Counter
    errors: Counter
    rules_loaded: Gauge
    rules_reload: Counter
    rules_last_reload: Gauge
    quarantined: Counter
    cache_requests: Counter
    build_info: Info
    pool_rebuilds: Counter
    canary: Counter
    canary_last_success: Gauge
    optional_tool_missing: Gauge
    #: (metric name, label values as given) -> its child: ``labels()`` validates and locks on every call, 6-8
    #: calls per message; the values come from closed sets (at most MAX_CHILDREN kept all the same)
    _children: dict[tuple[str, tuple[str, ...]], Any] = field(default_factory=dict, repr=False, compare=False)

    def _child(self, metric: Any, *values: str, fold: bool = False) -> Any:
        """``metric.labels(*values)`` (each value through :func:`_label` when ``fold``), made once."""
        key = (metric._name, values)
        child = self._children.get(key)
        if child is None:  # two threads may both make it: labels() gives both the same child
            child = metric.labels(*(map(_label, values) if fold else values))
            if len(self._children) < MAX_CHILDREN:
                self._children[key] = child
        return child

    def observe(self, verdict: Verdict, *, action: str | None = None, size: int | None = None,
                seconds: float | None = None) -> None:
        """Count one finished message.  ``action`` is what the daemon did (it may differ
        from ``verdict.action`` in dry-run mode); ``seconds`` the whole eom wall time."""
        self._child(self.messages, str(verdict.verdict), action or str(verdict.action)).inc()
        for code in verdict.codes:
            self._child(self.findings, code, fold=True).inc()
        for att in verdict.attachments:
            self._child(self.attachments, att.type or "unknown", fold=True).inc()
        self.scan_duration.observe(seconds if seconds is not None else verdict.elapsed_ms / 1000.0)
        if size is not None:
            self.message_bytes.observe(size)
        for result, n in verdict.cache_counts:  # the worker's verdict cache lookups for this message
            if n > 0 and result in CACHE_RESULTS:
                self._child(self.cache_requests, result).inc(n)

    def error(self, stage: str) -> None:
        self.errors.labels(stage=stage).inc()

    def worker_restart(self, reason: str) -> None:
        self.worker_restarts.labels(reason=reason).inc()

    def pool_rebuilt(self, reason: str) -> None:
        self.pool_rebuilds.labels(reason=reason).inc()

    def canary_result(self, ok: bool) -> None:
        self.canary.labels(result="success" if ok else "failure").inc()
        if ok:
            self.canary_last_success.set(time.time())

    def tools_checked(self, statuses: Sequence[ToolStatus] | None = None) -> list[ToolStatus]:
        """``optional_tool_missing{tool}``: 1 for each optional tool (coinguard.tools) not on PATH, 0 for
        each found; looked up now unless ``statuses`` are given.  At start and on every reload."""
        from coinguard.tools import tool_status

        found = list(tool_status() if statuses is None else statuses)
        for status in found:
            self.optional_tool_missing.labels(tool=status.tool.name).set(0 if status.present else 1)
        return found

    def rules_reloaded(self, ok: bool, count: int | None = None) -> None:
        self.rules_reload.labels(result="success" if ok else "error").inc()
        if ok:
            if count is not None:
                self.rules_loaded.set(count)
            self.rules_last_reload.set(time.time())


def make_metrics(registry: CollectorRegistry | None = None) -> Metrics:
    """Create every coinguard metric in ``registry`` (a fresh one per test; the default
    registry in the daemon)."""
    reg = registry if registry is not None else CollectorRegistry()
    m = Metrics(
        registry=reg,
        messages=Counter(PREFIX + "messages_total", "Messages scanned, by verdict and the action taken.",
                         ["verdict", "action"], registry=reg),
        findings=Counter(PREFIX + "findings_total", "Messages with a finding, by finding code.", ["code"],
                         registry=reg),
        attachments=Counter(PREFIX + "attachments_total", "Files seen in messages, by sniffed type.", ["type"],
                            registry=reg),
        scan_duration=Histogram(PREFIX + "scan_duration_seconds",
                                "Time from end of message to verdict (queueing + scan).", buckets=SCAN_BUCKETS,
                                registry=reg),
        message_bytes=Histogram(PREFIX + "message_bytes", "Size of scanned messages in bytes.",
                                buckets=SIZE_BUCKETS, registry=reg),
        inflight=Gauge(PREFIX + "inflight_messages", "Messages waiting for or in a scan right now.", registry=reg),
        worker_restarts=Counter(PREFIX + "worker_restarts_total",
                                "Scanner worker processes replaced, by reason (timeout, crash, recycle, rebuild).",
                                ["reason"], registry=reg),
        errors=Counter(PREFIX + "errors_total", "Failures handled by the fail mode, by stage.", ["stage"],
                       registry=reg),
        rules_loaded=Gauge(PREFIX + "rules_loaded", "YARA rules in the active set.", registry=reg),
        rules_reload=Counter(PREFIX + "rules_reload_total", "Rule (re)loads, by result (success, error).",
                             ["result"], registry=reg),
        rules_last_reload=Gauge(PREFIX + "rules_last_reload_timestamp_seconds",
                                "Unix time of the last successful rule load.", registry=reg),
        quarantined=Counter(PREFIX + "quarantine_messages_total", "Messages put into quarantine.", registry=reg),
        cache_requests=Counter(PREFIX + "cache_requests_total", "Verdict cache lookups, by result (hit, miss, error).",
                               ["result"], registry=reg),
        build_info=Info(PREFIX + "build", "coinguard version.", registry=reg),
        pool_rebuilds=Counter(PREFIX + "pool_rebuilds_total",
                              "Scanner pools rebuilt from scratch, by reason (broken: pebble gave up after a "
                              "worker died idle; stalled: nothing finished for longer than the scan timeout).",
                              ["reason"], registry=reg),
        canary=Counter(PREFIX + "canary_total",
                       "Health checks of the scanner pool (a recent successful scan, or a canary message "
                       "scanned by the workers), by result; the systemd watchdog is pinged only on success.",
                       ["result"], registry=reg),
        canary_last_success=Gauge(PREFIX + "canary_last_success_timestamp_seconds",
                                  "Unix time of the last successful health check of the scanner pool.",
                                  registry=reg),
        optional_tool_missing=Gauge(PREFIX + "optional_tool_missing",
                                    "1 when an optional external tool (7zz, unar, bsdtar) is not on PATH: the "
                                    "content only it opens is unchecked; 0 when found.  Checked at start and reload.",
                                    ["tool"], registry=reg),
    )
    m.build_info.info({"version": __version__})
    # make the closed label sets visible at 0 before the first event
    for result in ("success", "error"):
        m.rules_reload.labels(result=result)
    for reason in ("timeout", "crash", "recycle", "rebuild"):
        m.worker_restarts.labels(reason=reason)
    for reason in ("broken", "stalled"):
        m.pool_rebuilds.labels(reason=reason)
    for result in ("success", "failure"):
        m.canary.labels(result=result)
    for result in CACHE_RESULTS:
        m.cache_requests.labels(result=result)
    return m


def parse_listen(listen: str) -> tuple[str, int]:
    """``"127.0.0.1:9810"`` / ``"[::1]:9810"`` -> (host, port)."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


def start_exporter(metrics: Metrics, listen: str) -> Any | None:
    """Serve ``/metrics`` on ``listen`` (empty = off) in a daemon thread; returns the server."""
    if not listen:
        return None
    from prometheus_client import start_http_server

    host, port = parse_listen(listen)
    server, _thread = start_http_server(port, addr=host, registry=metrics.registry)
    log.info("metrics listening on http://%s:%d/metrics", host, port)
    return server
