"""Test-only fault injection for the REAL daemon (integration tests put this folder on
PYTHONPATH and set COINGUARD_TEST_FAULTS=1; production never loads it).

Python imports ``sitecustomize`` at start-up in every process of the daemon, including
the fork server and the scanner workers.  It wraps ``coinguard.scan.scan_message``,
which the pool worker looks up at call time: a message carrying the header
``X-Coinguard-Test: hang`` makes the scan hang (the pool's timeout must kill the worker),
``slow`` makes it take 2.5 s (still under the timeout), ``raise`` makes it raise.  Everything else is scanned for real.
"""

import os

if os.environ.get("COINGUARD_TEST_FAULTS") == "1":
    try:
        import coinguard.scan as _scan
    except Exception:  # pragma: no cover - then the tests fail loudly on their own
        _scan = None
    if _scan is not None:
        import time

        _real_scan_message = _scan.scan_message

        def _faulty_scan_message(raw, ctx):
            if isinstance(raw, bytes):
                head = raw[:4096]
            else:
                with open(raw, "rb") as f:
                    head = f.read(4096)
            if b"X-Coinguard-Test: hang" in head:
                time.sleep(3600)
            if b"X-Coinguard-Test: slow" in head:
                time.sleep(2.5)
            if b"X-Coinguard-Test: raise" in head:
                raise RuntimeError("injected scan failure (X-Coinguard-Test: raise)")
            return _real_scan_message(raw, ctx)

        _scan.scan_message = _faulty_scan_message
