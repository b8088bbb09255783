"""``coinguard reload`` waits for the outcome on the daemon's real metrics exporter."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, start_http_server

from coinguard.config import Config
from coinguard.metrics import Metrics, make_metrics
from coinguard.reload_wait import metrics_url, parse_state, reload_and_wait


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def exporter() -> Iterator[tuple[Metrics, Config]]:
    """The daemon's metrics, served by prometheus_client's exporter on a loopback port."""
    metrics = make_metrics(CollectorRegistry())
    metrics.rules_reloaded(True, 356)  # the start-up load
    port = _free_port()
    server, thread = start_http_server(port, addr="127.0.0.1", registry=metrics.registry)
    cfg = Config()
    try:
        yield metrics, replace(cfg, metrics=replace(cfg.metrics, listen=f"127.0.0.1:{port}"))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _daemon_reloads(metrics: Metrics, ok: bool, count: int = 0, after_s: float = 0.3) -> int:
    """What SIGUSR1 does in the daemon: a reload a moment later, counted in the metrics."""
    threading.Timer(after_s, metrics.rules_reloaded, (ok, count)).start()
    return 0


def test_success_reports_the_new_rule_count(exporter: tuple[Metrics, Config]) -> None:
    metrics, cfg = exporter
    out = io.StringIO()
    assert reload_and_wait(cfg, lambda: _daemon_reloads(metrics, True, 360), wait_s=10, out=out) == 0
    assert out.getvalue() == "coinguard reload: done: 360 rules loaded\n"


def test_refusal_exits_1(exporter: tuple[Metrics, Config]) -> None:
    metrics, cfg = exporter
    out = io.StringIO()
    assert reload_and_wait(cfg, lambda: _daemon_reloads(metrics, False), wait_s=10, out=out) == 1
    assert "REFUSED" in out.getvalue() and "previous set (356 rules)" in out.getvalue()


def test_no_answer_in_time_exits_1(exporter: tuple[Metrics, Config]) -> None:
    _, cfg = exporter
    out = io.StringIO()
    assert reload_and_wait(cfg, lambda: 0, wait_s=0.5, poll_s=0.1, out=out) == 1
    assert "no outcome within 0.5s" in out.getvalue()


def test_signal_failure_is_passed_through_and_no_metrics_means_unknown() -> None:
    cfg = Config()
    assert reload_and_wait(cfg, lambda: 2, out=io.StringIO()) == 2
    off = replace(cfg, metrics=replace(cfg.metrics, listen=""))
    out = io.StringIO()
    assert reload_and_wait(off, lambda: 0, out=out) == 0
    assert "outcome unknown ([metrics] listen is empty)" in out.getvalue()
    closed = replace(cfg, metrics=replace(cfg.metrics, listen=f"127.0.0.1:{_free_port()}"))
    out = io.StringIO()
    assert reload_and_wait(closed, lambda: 0, out=out) == 0
    assert "does not answer" in out.getvalue()


def test_metrics_url_and_parsing() -> None:
    assert metrics_url("127.0.0.1:9810") == "http://127.0.0.1:9810/metrics"
    assert metrics_url("0.0.0.0:9810") == "http://127.0.0.1:9810/metrics"
    assert metrics_url("[::1]:9810") == "http://[::1]:9810/metrics"
    state = parse_state('coinguard_rules_reload_total{result="success"} 2.0\n'
                        'coinguard_rules_reload_total{result="error"} 1.0\ncoinguard_rules_loaded 356.0\n')
    assert (state.success, state.error, state.rules) == (2.0, 1.0, 356.0)
    with pytest.raises(ValueError, match="coinguard's metrics endpoint"):
        parse_state("other_metric 1\n")


RULE = """rule reload_probe
{
    meta:
        description = "reload test"
    strings:
        $a = "probe"
    condition:
        $a
}
"""


def test_reload_of_the_real_daemon_reports_done_then_refused(tmp_path: Path) -> None:
    """`coinguard reload` against a running `coinguard run`: the real signal, reload and exporter."""
    from integration import harness

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "probe.yar").write_text(RULE)
    milter_port, metrics_port = harness.free_port(), harness.free_port()
    cfg = tmp_path / "coinguard.toml"
    harness.write_daemon_config(cfg, milter_port, metrics_port, quarantine_backend="dir",
                                quarantine_dir=tmp_path / "quarantine", rules_dirs=[str(rules)])
    daemon = harness.DaemonProcess(cfg, milter_port, tmp_path / "daemon.log")
    daemon.start()

    def reload() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "coinguard", "reload", "-c", str(cfg), "--wait", "60"],
                              capture_output=True, text=True, timeout=120)

    try:
        (rules / "second.yar").write_text(RULE.replace("reload_probe", "reload_second"))
        ok = reload()
        assert ok.returncode == 0, ok.stdout + ok.stderr + daemon.log_text()[-2000:]
        assert "sent SIGUSR1" in ok.stdout and "done: 2 rules loaded" in ok.stdout
        (rules / "broken.yar").write_text("rule broken { condition: }\n")
        refused = reload()
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert "REFUSED" in refused.stdout and "previous set (2 rules)" in refused.stdout
    finally:
        daemon.stop()
