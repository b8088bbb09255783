"""Peak RSS of one scan against the issue-10 target: peak <= 3 x message size + 150 MB.

Each case is scanned in a fresh subprocess so no case inherits another's heap.  Its peak is
the kernel's high-water mark of the process (``VmHWM``; ``resource.getrusage().ru_maxrss``
where /proc is missing), read after warm-up and after ``scan_message``.  Linux carries
``ru_maxrss`` over fork+exec, so in a child of this (message-building, hence big) process it
would report the parent's peak; VmHWM belongs to the new address space.  The message
is built here and handed to the child as a file, so the child holds it once, as a worker
that was handed the message would.

    PYTHONPATH=$PWD/milter /work/main/.venv/bin/python bench/bench_memory.py
    ... bench_memory.py --only header --scale 0.2      # a smaller, quicker run

DNS goes to a closed loopback port; ``max_message_bytes`` / ``max_file_bytes`` are raised
so the big cases are really scanned instead of being refused up front.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
TARGET_FACTOR = 3.0
TARGET_BASE_MB = 150.0

HEAD = (b"From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: report\r\n"
        b"Message-ID: <bench@example.org>\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n")

CONFIG = """
[dkim]
nameservers = ["127.0.0.1"]
dns_port = 9
dns_timeout_s = 0.2
[scan]
timeout_s = 600
max_message_bytes = 268435456
max_file_bytes = 134217728
max_expanded_bytes = 536870912
"""


def long_header(size: int) -> bytes:
    """One header line of ``size`` bytes (no folding), a short text body."""
    return HEAD + b"X-Long: " + b"a" * size + b"\r\nContent-Type: text/plain\r\n\r\nhello\r\n"


def attachment(size: int) -> bytes:
    """A ``size``-byte incompressible attachment (base64 in the message)."""
    data = os.urandom(size)
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    return (HEAD + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n'
            b"see attached\r\n--b\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\n"
            b"Content-Disposition: attachment; filename=\"data.bin\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + encoded + b"--b--\r\n")


def html_body(size: int) -> bytes:
    """A ``size``-byte HTML body of ordinary paragraphs and links."""
    unit = b'<p>Hello friend, the <b>meeting</b> is at noon. <a href="https://example.org/a">agenda</a></p>\r\n'
    return HEAD + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + unit * (size // len(unit) + 1)


CASES: dict[str, tuple[Callable[[int], bytes], int]] = {
    "header": (long_header, 50 * MB),
    "attachment": (attachment, 64 * MB),
    "html": (html_body, 20 * MB),
}

_CHILD = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1] + "/milter")
def peak_kb():
    try:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
from coinguard.config import parse_config
from coinguard.pool import bound_heap
from coinguard.rules import compile_rules
from coinguard.scan import ScanContext, scan_message
bound_heap()  # as pool._worker_init does
cfg = parse_config(open(sys.argv[3]).read())
ctx = ScanContext(config=cfg, rules=compile_rules(cfg.rules.dirs).rules)
scan_message(b"From: a@example.org\\r\\nSubject: warm\\r\\n\\r\\nhello\\r\\n", ctx)
raw = open(sys.argv[2], "rb").read()
base = peak_kb()
t0, c0 = time.monotonic(), time.process_time()
v = scan_message(raw, ctx)
print(json.dumps({"peak_kb": peak_kb(), "base_kb": base,
                  "size": len(raw), "wall_s": time.monotonic() - t0, "cpu_s": time.process_time() - c0,
                  "verdict": str(v.verdict), "codes": list(v.codes)}))
"""


def run_case(name: str, scale: float, timeout: float) -> dict[str, object]:
    build, size = CASES[name]
    raw = build(int(size * scale))
    with tempfile.TemporaryDirectory(prefix="coinguard-bench-") as tmp:
        msg, cfg = Path(tmp, "message.eml"), Path(tmp, "coinguard.toml")
        msg.write_bytes(raw)
        cfg.write_text(CONFIG)
        del raw
        r = subprocess.run([sys.executable, "-c", _CHILD, str(REPO), str(msg), str(cfg)],
                           capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        return {"case": name, "error": r.stderr.strip()[-500:]}
    out: dict[str, object] = json.loads(r.stdout.strip().splitlines()[-1])
    out["case"] = name
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=sorted(CASES), action="append", help="run only this case (repeatable)")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every message size (default 1)")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per case (default 900)")
    args = parser.parse_args(argv)
    failed = False
    print(f"{'case':<11} {'message':>9} {'peak RSS':>9} {'baseline':>9} {'peak/size':>9} {'growth/size':>11} "
          f"{'target':>9} {'cpu s':>7}  verdict")
    for name in args.only or list(CASES):
        res = run_case(name, args.scale, args.timeout)
        if "error" in res:
            print(f"{name:<11} ERROR {res['error']}")
            failed = True
            continue
        size_mb = int(res["size"]) / MB  # type: ignore[call-overload]
        peak_mb = int(res["peak_kb"]) / 1024  # type: ignore[call-overload]
        base_mb = int(res["base_kb"]) / 1024  # type: ignore[call-overload]
        target = TARGET_FACTOR * size_mb + TARGET_BASE_MB
        ok = peak_mb <= target
        failed |= not ok
        growth = (peak_mb - base_mb) / size_mb
        print(f"{name:<11} {size_mb:>7.1f}MB {peak_mb:>7.0f}MB {base_mb:>7.0f}MB {peak_mb / size_mb:>8.1f}x "
              f"{growth:>10.1f}x "
              f"{target:>7.0f}MB {float(res['cpu_s']):>7.1f}  {res['verdict']} "  # type: ignore[arg-type]
              f"{'ok' if ok else 'OVER'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
