"""Integration fixtures: one private Postfix (loopback only) fronting several REAL
``coinguard run`` daemons, each with its own config, on its own smtpd port.

Skips cleanly (with the reason) when not root or when Postfix is missing.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from integration import harness

pytestmark = pytest.mark.integration

FAULT_DIR = Path(__file__).resolve().parent / "faultinject"
MARKER_RULE = """rule coinguard_integration_marker
{
    meta:
        description = "integration test marker (custom rule directory)"
        score = 20
        author = "coinguard tests"
        reference = "tests/integration"
    strings:
        $m = "COINGUARD-INTEGRATION-MARKER-7f3a"
    condition:
        $m
}
"""


@dataclass
class Gateway:
    name: str
    daemon: harness.DaemonProcess
    smtp_port: int
    metrics_port: int
    quarantine_dir: Path
    rules_dir: Path
    postfix: harness.PrivatePostfix
    sink: harness.Sink

    def send(self, message: bytes, **kw) -> harness.SendResult:  # type: ignore[no-untyped-def]
        return harness.send(self.smtp_port, message, **kw)

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=10) as r:
            return r.read().decode()

    def metric(self, name: str, **labels: str) -> float:
        """One sample value from the live exporter (0 when absent)."""
        want = name + ("{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}" if labels else "")
        for line in self.metrics().splitlines():
            if line.startswith("#") or " " not in line:
                continue
            key, value = line.rsplit(" ", 1)
            if _canonical(key) == want:
                return float(value)
        return 0.0


def _canonical(key: str) -> str:
    if "{" not in key:
        return key
    name, rest = key.split("{", 1)
    labels = sorted(p for p in rest.rstrip("}").split(",") if p)
    return name + "{" + ",".join(labels) + "}"


#: strip-and-deliver, per-recipient policy and the allowlist file (tests/integration/test_strip_policy.py)
POLICY_EXTRA = """[policy]
action_malicious = "strip"
allowlist_file = "@DIR@/allowlist.jsonl"

[policy.recipients."lab.rcpt.test"]
action_malicious = "tag"
action_unchecked = "tag"
"""

#: name -> (quarantine backend, extra [milter] keys, extra sections, fault injection)
DAEMONS = {
    "hold": ("hold", "", "", False),
    "dir": ("dir", "", "", False),
    "reject": ("hold", 'reject_reply = "554 5.7.1 coinguard says no"',
               '[policy]\naction_malicious = "reject"\n\n[logging]\nformat = "json"\n', False),
    "fault": ("hold", "", "", True),
    "policy": ("dir", "", POLICY_EXTRA, False),
}


@pytest.fixture(scope="session")
def gateways(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Gateway]]:
    reason = harness.missing_prerequisite()
    if reason:
        pytest.skip(f"Postfix integration tests skipped: {reason}")
    base = tmp_path_factory.mktemp("gateways")
    milter_ports = {name: harness.free_port() for name in DAEMONS}
    listeners = {name: f"inet:127.0.0.1:{port}" for name, port in milter_ports.items()}
    # the "dir" daemon listens on a unix socket: Postfix's smtpd (user postfix) must be able to
    # connect, which proves [milter] socket_mode is applied (lab pitfall 8)
    sock_dir = Path(tempfile.mkdtemp(prefix="coinguard-sock-"))
    os.chmod(sock_dir, 0o755)
    unix_path = sock_dir / "milter.sock"
    listeners["dir"] = f"unix:{unix_path}"
    daemons: list[harness.DaemonProcess] = []
    # the fault listener gives the milter only 2 s per reply: a longer scan must survive on
    # progress keepalives (keepalive_s = 1 in the daemon config)
    options = {"fault": {"milter_content_timeout": "2s"}}
    with harness.gateway(listeners, options=options) as (sink, pf):
        out: dict[str, Gateway] = {}
        try:
            for name, (backend, milter_extra, extra, faults) in DAEMONS.items():
                d = base / name
                rules = d / "rules"
                rules.mkdir(parents=True)
                (rules / "marker.yar").write_text(MARKER_RULE)
                metrics_port = harness.free_port()
                cfg = d / "coinguard.toml"
                harness.write_daemon_config(
                    cfg, milter_ports[name], metrics_port, quarantine_backend=backend,
                    quarantine_dir=d / "quarantine", postfix_config_dir=pf.config_dir,
                    extra=extra.replace("@DIR@", str(d)),
                    milter_extra=milter_extra + ('\nsocket_mode = "0666"' if name == "dir" else ""),
                    socket_spec=f"unix:{unix_path}" if name == "dir" else "",
                    scan_timeout_s=3.0 if faults else 30.0,
                    rules_dirs=[str(harness.REPO / "rules"), str(rules)],
                )
                env = {"COINGUARD_TEST_FAULTS": "1",
                       "PYTHONPATH": os.pathsep.join(filter(None, [str(FAULT_DIR), os.environ.get("PYTHONPATH")]))
                       } if faults else {}
                proc = harness.DaemonProcess(cfg, milter_ports[name], d / "daemon.log", env=env,
                                             unix_path=unix_path if name == "dir" else None)
                proc.launch()  # all daemons start in parallel
                daemons.append(proc)
                out[name] = Gateway(name, proc, pf.ports[name], metrics_port, d / "quarantine", rules, pf, sink)
            for proc in daemons:
                proc.wait_ready(120)
            yield out
        finally:
            for proc in daemons:  # SIGTERM all first: libmilter takes a few seconds to stop
                if proc.proc is not None and proc.proc.poll() is None:
                    proc.proc.send_signal(signal.SIGTERM)
            for proc in daemons:
                proc.stop()
            shutil.rmtree(sock_dir, ignore_errors=True)
