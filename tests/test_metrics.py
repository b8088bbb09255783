from __future__ import annotations

import urllib.request

import pytest
from prometheus_client import CollectorRegistry

from coinguard.findings import Action, AttachmentInfo, Finding, Verdict, VerdictKind
from coinguard.metrics import make_metrics, parse_listen, start_exporter


def _verdict() -> Verdict:
    return Verdict(
        id="Q", verdict=VerdictKind.MALICIOUS, action=Action.QUARANTINE, score=30.0,
        findings=(Finding("office.vba.autoexec", "office", "a.doc", score=10.0),
                  Finding("office.vba.autoexec", "office", "b.doc", score=10.0),
                  Finding("weird code with spaces", "x", "", score=1.0)),
        attachments=(AttachmentInfo("a.doc", "ole.doc", 10, "0" * 64),
                     AttachmentInfo("b.doc", "ole.doc", 10, "1" * 64)),
        elapsed_ms=250,
    )


def test_observe_counts_messages_findings_attachments_and_timing():
    reg = CollectorRegistry()
    m = make_metrics(reg)
    m.observe(_verdict(), size=2048)
    get = reg.get_sample_value
    assert get("coinguard_messages_total", {"verdict": "malicious", "action": "quarantine"}) == 1
    assert get("coinguard_findings_total", {"code": "office.vba.autoexec"}) == 1  # once per message
    assert get("coinguard_findings_total", {"code": "other"}) == 1  # label values stay in a closed set
    assert get("coinguard_attachments_total", {"type": "ole.doc"}) == 2
    assert get("coinguard_scan_duration_seconds_count") == 1
    assert get("coinguard_scan_duration_seconds_sum") == pytest.approx(0.25)
    assert get("coinguard_message_bytes_sum") == 2048


def test_observe_records_the_action_actually_taken():
    reg = CollectorRegistry()
    m = make_metrics(reg)
    m.observe(_verdict(), action="accept", seconds=1.5)
    assert reg.get_sample_value("coinguard_messages_total", {"verdict": "malicious", "action": "accept"}) == 1
    assert reg.get_sample_value("coinguard_scan_duration_seconds_sum") == 1.5


def test_errors_restarts_reloads_and_gauges():
    reg = CollectorRegistry()
    m = make_metrics(reg)
    get = reg.get_sample_value
    assert get("coinguard_worker_restarts_total", {"reason": "timeout"}) == 0  # pre-created at 0
    assert get("coinguard_rules_reload_total", {"result": "error"}) == 0
    m.error("timeout")
    m.worker_restart("timeout")
    m.rules_reloaded(False)
    m.rules_reloaded(True, 42)
    m.inflight.inc()
    m.quarantined.inc()
    assert get("coinguard_errors_total", {"stage": "timeout"}) == 1
    assert get("coinguard_worker_restarts_total", {"reason": "timeout"}) == 1
    assert get("coinguard_rules_reload_total", {"result": "error"}) == 1
    assert get("coinguard_rules_reload_total", {"result": "success"}) == 1
    assert get("coinguard_rules_loaded") == 42
    assert get("coinguard_rules_last_reload_timestamp_seconds") > 1_600_000_000
    assert get("coinguard_inflight_messages") == 1
    assert get("coinguard_quarantine_messages_total") == 1
    assert get("coinguard_build_info", {"version": __import__("coinguard").__version__}) == 1


def test_two_registries_do_not_collide():
    make_metrics(CollectorRegistry())
    make_metrics(CollectorRegistry())


@pytest.mark.parametrize(("listen", "parsed"), [
    ("127.0.0.1:9810", ("127.0.0.1", 9810)),
    ("[::1]:9810", ("::1", 9810)),
    (":9810", ("127.0.0.1", 9810)),
])
def test_parse_listen(listen, parsed):
    assert parse_listen(listen) == parsed


def test_exporter_serves_metrics_and_can_be_off():
    import socket

    reg = CollectorRegistry()
    m = make_metrics(reg)
    m.error("scan")
    assert start_exporter(m, "") is None
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = start_exporter(m, f"127.0.0.1:{port}")
    try:
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        assert 'coinguard_errors_total{stage="scan"} 1.0' in body
    finally:
        server.shutdown()
        server.server_close()
