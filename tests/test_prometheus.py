"""Prometheus rules and scrape example (promtool), the Grafana dashboard, and the metric docs.

Every metric name used by the alerts and the dashboard must be one of DESIGN §4's metrics
AND be exported by :func:`coinguard.metrics.make_metrics`; every exported metric must be
documented in docs/operations.md.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from coinguard.findings import Action, AttachmentInfo, Finding, Verdict, VerdictKind
from coinguard.metrics import make_metrics

REPO = Path(__file__).resolve().parents[1]
PROM = REPO / "config" / "prometheus"
DASHBOARD = REPO / "config" / "grafana" / "coinguard-dashboard.json"
DOCS = REPO / "docs" / "operations.md"

#: DESIGN §4 "Metrics (prefix coinguard_)": name -> (type, labels)
DESIGN_METRICS: dict[str, tuple[str, frozenset[str]]] = {
    "coinguard_messages_total": ("counter", frozenset({"verdict", "action"})),
    "coinguard_findings_total": ("counter", frozenset({"code"})),
    "coinguard_attachments_total": ("counter", frozenset({"type"})),
    "coinguard_scan_duration_seconds": ("histogram", frozenset()),
    "coinguard_message_bytes": ("histogram", frozenset()),
    "coinguard_inflight_messages": ("gauge", frozenset()),
    "coinguard_worker_restarts_total": ("counter", frozenset({"reason"})),
    "coinguard_errors_total": ("counter", frozenset({"stage"})),
    "coinguard_rules_loaded": ("gauge", frozenset()),
    "coinguard_rules_reload_total": ("counter", frozenset({"result"})),
    "coinguard_rules_last_reload_timestamp_seconds": ("gauge", frozenset()),
    "coinguard_quarantine_messages_total": ("counter", frozenset()),
    "coinguard_cache_requests_total": ("counter", frozenset({"result"})),
    "coinguard_build_info": ("info", frozenset({"version"})),
    # beyond DESIGN §4: the self-healing pool and the watchdog's health check (issue 10 §4)
    "coinguard_pool_rebuilds_total": ("counter", frozenset({"reason"})),
    "coinguard_canary_total": ("counter", frozenset({"result"})),
    "coinguard_canary_last_success_timestamp_seconds": ("gauge", frozenset()),
    # beyond DESIGN §4: optional external tools not on PATH (issue 12 §6)
    "coinguard_optional_tool_missing": ("gauge", frozenset({"tool"})),
}
#: Labels Prometheus itself attaches (or histogram buckets carry).
TARGET_LABELS = frozenset({"instance", "job", "le", "service"})
#: Metrics from other exporters that the optional alert group reads.
FOREIGN = {"up", "postfix_cleanup_messages_processed_total"}

needs_promtool = pytest.mark.skipif(shutil.which("promtool") is None,
                                    reason="promtool not installed (Debian package 'prometheus')")


def queryable_series() -> dict[str, str]:
    """Series name -> DESIGN metric it belongs to (histograms: _bucket/_count/_sum)."""
    out = {}
    for name, (kind, _labels) in DESIGN_METRICS.items():
        if kind == "histogram":
            for suffix in ("_bucket", "_count", "_sum"):
                out[name + suffix] = name
        else:
            out[name] = name
    return out


def exported() -> dict[str, tuple[str, frozenset[str]]]:
    """What the real exporter serves after one of each event: series name -> (family type, label names)."""
    m = make_metrics(CollectorRegistry())
    verdict = Verdict(id="Q1", verdict=VerdictKind.MALICIOUS, action=Action.QUARANTINE, score=20.0,
                      findings=(Finding("office.vba.autoexec", "office", "a.doc", "", 10.0),),
                      attachments=(AttachmentInfo("a.doc", "ole.doc", 10, "0" * 64),), elapsed_ms=120)
    m.observe(verdict, size=2048)
    m.error("timeout")
    m.worker_restart("timeout")
    m.rules_reloaded(True, 3)
    m.inflight.inc()
    m.quarantined.inc()
    m.tools_checked()
    text = generate_latest(m.registry).decode()
    out: dict[str, tuple[str, frozenset[str]]] = {}
    for fam in text_string_to_metric_families(text):
        for sample in fam.samples:
            if sample.name.endswith("_created"):
                continue
            labels = frozenset(sample.labels) - {"le"}
            prev = out.get(sample.name, (fam.type, frozenset()))[1]
            out[sample.name] = (fam.type, labels | prev)
    return out


def exprs_in_rules() -> list[str]:
    doc = yaml.safe_load((PROM / "coinguard.rules.yml").read_text())
    return [r["expr"] for g in doc["groups"] for r in g["rules"]]


def exprs_in_dashboard() -> list[str]:
    dash = json.loads(DASHBOARD.read_text())
    return [t["expr"] for p in dash["panels"] for t in p.get("targets", ())]


METRIC_RE = re.compile(r"\b([a-z_][a-z0-9_]*)\s*(\{[^}]*\})?")
PROMQL_WORDS = {"sum", "by", "rate", "increase", "and", "or", "unless", "on", "without", "topk", "histogram_quantile",
                "count", "time", "bool", "ignoring", "group_left", "group_right", "max", "min", "avg"}


def metric_selectors(expr: str) -> list[tuple[str, set[str]]]:
    """(metric name, label names in its selector) for every metric referenced in ``expr``."""
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # range selectors
    expr = re.sub(r'"[^"]*"', '""', expr)  # string literals
    expr = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", expr)  # grouping label lists
    out = []
    for m in METRIC_RE.finditer(expr):
        name = m.group(1)
        if name in PROMQL_WORDS or name.startswith("__"):
            continue
        labels = set(re.findall(r"([a-z_]+)\s*(?:=~|!=|!~|=)", m.group(2) or ""))
        out.append((name, labels))
    return out


def grouping_labels(expr: str) -> set[str]:
    labels: set[str] = set()
    for group in re.findall(r"\b(?:by|without|on|ignoring)\s*\(([^)]*)\)", expr):
        labels |= {x.strip() for x in group.split(",") if x.strip()}
    return labels


def check_expr(expr: str, allow_foreign: bool) -> None:
    series = queryable_series()
    selectors = metric_selectors(expr)
    assert selectors, expr
    allowed = set(TARGET_LABELS)
    for name, labels in selectors:
        if name in FOREIGN and allow_foreign:
            continue
        assert name in series, f"{name} is not a DESIGN §4 metric (in {expr!r})"
        metric_labels = DESIGN_METRICS[series[name]][1]
        allowed |= metric_labels
        assert labels <= metric_labels | TARGET_LABELS, f"{name}: unknown labels {labels - metric_labels} in {expr!r}"
    assert grouping_labels(expr) <= allowed | {"cpu", "mode"}, f"unknown grouping labels in {expr!r}"


# --------------------------------------------------------------------------- the contract itself


def test_exporter_serves_exactly_the_design_metrics() -> None:
    served = exported()
    for series, metric in queryable_series().items():
        assert series in served, f"{series} (DESIGN §4) is not exported"
        if not series.endswith(("_bucket", "_count", "_sum")):
            assert served[series][1] == DESIGN_METRICS[metric][1], series
    extra = {s for s in served if s not in queryable_series()}
    assert not extra, f"exported but not in DESIGN §4 / this test: {extra}"
    for name, (kind, _) in DESIGN_METRICS.items():
        if kind == "counter":
            assert name.endswith("_total"), name


def test_every_metric_is_documented() -> None:
    doc = DOCS.read_text()
    section = doc.split("## Metrics reference", 1)[1]
    for name, (kind, labels) in DESIGN_METRICS.items():
        row = next((line for line in section.splitlines() if line.startswith(f"| `{name}`")), None)
        assert row, f"{name} has no row in the docs' metrics table"
        assert kind in row, f"{name}: type {kind} not in {row!r}"
        for label in labels:
            assert f"`{label}`" in row, f"{name}: label {label} not documented"


# --------------------------------------------------------------------------- alert rules


def test_alert_rules_only_use_design_metrics() -> None:
    exprs = exprs_in_rules()
    assert len(exprs) >= 10
    for expr in exprs:
        check_expr(expr, allow_foreign=True)


def test_required_alerts_exist() -> None:
    doc = yaml.safe_load((PROM / "coinguard.rules.yml").read_text())
    alerts = {r["alert"]: r for g in doc["groups"] for r in g["rules"]}
    for name in ("CoinguardDown", "CoinguardNoScans", "CoinguardScanErrors", "CoinguardTempfailRate",
                 "CoinguardRulesReloadFailed", "CoinguardWorkerRestarts", "CoinguardScanSlow",
                 "CoinguardQuarantineSurge", "CoinguardOptionalToolMissing"):
        assert name in alerts, name
        assert alerts[name]["labels"]["severity"] in ("warning", "critical")
        assert alerts[name]["annotations"]["summary"]
    assert "coinguard_scan_duration_seconds_bucket" in alerts["CoinguardScanSlow"]["expr"]
    assert "0.99" in alerts["CoinguardScanSlow"]["expr"]


@needs_promtool
def test_promtool_check_rules() -> None:
    proc = subprocess.run(["promtool", "check", "rules", str(PROM / "coinguard.rules.yml")], capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS: 15 rules found" in proc.stdout + proc.stderr


@needs_promtool
def test_promtool_unit_tests_fire_the_right_alerts() -> None:
    proc = subprocess.run(["promtool", "test", "rules", "coinguard.rules.test.yml"], cwd=PROM, capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout + proc.stderr


@needs_promtool
def test_promtool_rejects_a_broken_rule(tmp_path: Path) -> None:
    """Negative control: the check above would catch a PromQL typo."""
    bad = tmp_path / "bad.yml"
    bad.write_text((PROM / "coinguard.rules.yml").read_text().replace("== 0\n        for: 2m", "== \n        for: 2m"))
    proc = subprocess.run(["promtool", "check", "rules", str(bad)], capture_output=True, text=True, timeout=120,
                          check=False)
    assert proc.returncode != 0


@needs_promtool
def test_promtool_check_scrape_config() -> None:
    proc = subprocess.run(["promtool", "check", "config", str(PROM / "scrape.yml")], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "scrape.yml is valid prometheus config file syntax" in proc.stdout + proc.stderr


def test_scrape_example_scrapes_the_metrics_port() -> None:
    from coinguard.config import MetricsConfig

    doc = yaml.safe_load((PROM / "scrape.yml").read_text())
    job = next(j for j in doc["scrape_configs"] if j["job_name"] == "coinguard")
    port = MetricsConfig().listen.rsplit(":", 1)[1]
    targets = [t for sc in job["static_configs"] for t in sc["targets"]]
    assert targets and all(t.endswith(f":{port}") for t in targets)
    assert doc["rule_files"] == ["coinguard.rules.yml"]


# --------------------------------------------------------------------------- Grafana


def test_dashboard_is_valid_and_queries_only_design_metrics() -> None:
    dash = json.loads(DASHBOARD.read_text())
    assert dash["title"] == "coinguard" and dash["uid"]
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))
    exprs = exprs_in_dashboard()
    for expr in exprs:
        check_expr(expr, allow_foreign="up{" in expr)
    used = {queryable_series()[n] for e in exprs for n, _ in metric_selectors(e) if n in queryable_series()}
    missing = set(DESIGN_METRICS) - used
    assert not missing, f"dashboard shows nothing for {missing}"
    variables = {v["name"] for v in dash["templating"]["list"]}
    assert {"datasource", "instance"} <= variables
    for p in dash["panels"]:
        for t in p.get("targets", ()):
            assert "$instance" in t["expr"], f"panel {p['title']!r} ignores the instance selector"


def test_dashboard_has_the_operational_panels() -> None:
    dash = json.loads(DASHBOARD.read_text())
    by_title = {p["title"]: p for p in dash["panels"]}
    quantiles = " ".join(t["expr"] for t in by_title["Scan duration p50 / p95 / p99"]["targets"])
    for q in ("0.5", "0.95", "0.99"):
        assert f"histogram_quantile({q}, sum by (le) (rate(coinguard_scan_duration_seconds_bucket" in quantiles
    assert "topk(15, sum by (code)" in by_title["Top finding codes (range)"]["targets"][0]["expr"]
    for title in ("Messages by verdict", "Messages by action", "In flight", "Worker restarts by reason",
                  "Errors by stage", "YARA rules loaded", "Last rule reload", "Quarantined (range)"):
        assert title in by_title, title


def test_metric_checker_catches_unknown_names_and_labels() -> None:
    """Negative controls for check_expr."""
    with pytest.raises(AssertionError, match="not a DESIGN"):
        check_expr("rate(coinguard_scans_total[5m])", allow_foreign=False)
    with pytest.raises(AssertionError, match="unknown labels"):
        check_expr('rate(coinguard_errors_total{reason="x"}[5m])', allow_foreign=False)
    with pytest.raises(AssertionError, match="unknown grouping"):
        check_expr("sum by (sender) (rate(coinguard_messages_total[5m]))", allow_foreign=False)
