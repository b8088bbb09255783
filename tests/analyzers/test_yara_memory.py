"""YARA's memory on content full of common strings (issue 10 §6: a worker's peak <= 3x the message + 150 MB).

yara keeps every match of a string it may need to count or locate; strings the rules only test for
presence keep one match in fast mode.  A body of hundreds of thousands of links must not cost
hundreds of bytes per link.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_CHILD = """
import sys
sys.path.insert(0, sys.argv[1] + "/milter")
sys.path.insert(0, sys.argv[1] + "/tests")
from coinguard.analyzers.yara_rules import YaraRules
from coinguard.config import Config
from coinguard.findings import Item
from coinguard.rules import compile_rules
from helpers import make_context
def hwm():
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) // 1024
rules = compile_rules(Config().rules.dirs).rules
body = b'<p><a href="https://example.org/a">agenda</a> and http://example.net/b</p>\\r\\n' * 80_000
item = Item(path="<body 1>", name="", data=body, type="html", depth=0, role="body", source="mime")
ctx = make_context(rules=rules)
list(YaraRules().handle(Item(path="w", name="", data=b"warm", type="text", depth=0), ctx))
base = hwm()
found = [f.code for f in YaraRules().handle(item, ctx)]
print(hwm() - base, len(body) // (1 << 20), ",".join(found))
"""


def test_links_in_a_big_body_cost_little_yara_memory() -> None:
    r = subprocess.run([sys.executable, "-c", _CHILD, str(REPO)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    growth_mb, size_mb, codes = [*r.stdout.split(), ""][:3]
    assert int(size_mb) >= 5
    # before: ~90 MB for these 6 MB (every match of http:// and https:// of several rules kept)
    assert int(growth_mb) <= 12, f"yara grew the worker by {growth_mb} MB on {size_mb} MB of links ({codes})"
