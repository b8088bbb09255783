#!/usr/bin/env python3
"""Where a process spends its CPU, from py-spy's collapsed stacks (``py-spy record -f raw``).

    /work/main/.venv/bin/python bench/profile_top.py PROFILE.txt [--top 40] [--match pebble]

``bench_gateway.py --profile DIR`` writes such files for the coinguard daemon.  Printed: the share
of samples per thread (py-spy ``--threads`` names them ``thread (0x...)``), then per function the
*inclusive* share (samples with the function anywhere on the stack: what calling it costs) and the
*self* share (samples where it is the innermost frame).  ``--match`` keeps functions whose frame
text contains the string.  Profiles of a process tree (``py-spy record --subprocesses``,
``bench_gateway.py --profile-tree``) head every stack with ``process PID:"command line"``: the share per
process comes first, and ``--process TEXT`` keeps the stacks whose process frame contains TEXT (a pid, or
``forkserver`` for the scanner workers, which carry their fork server's command line), ``--not-process
TEXT`` drops them.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter

_THREAD = re.compile(r"^(?:process \d+:\"[^\"]*\";)?thread \((0x[0-9A-Fa-f]+)\)")


def read(path: str) -> list[tuple[list[str], int]]:
    stacks = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if stack and count.isdigit():
                stacks.append((stack.split(";"), int(count)))
    return stacks


def _frame(frame: str) -> str:
    """``func (file.py:12)`` -> ``func (file.py)``: one entry per function, not per line."""
    return re.sub(r":\d+\)$", ")", frame)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("profile")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--match", default="")
    ap.add_argument("--process", default="", help="keep stacks whose process frame contains this")
    ap.add_argument("--not-process", default="", help="drop stacks whose process frame contains this")
    args = ap.parse_args()
    stacks = read(args.profile)
    # a process tree's stacks start with the chain of processes down to the sampled one (daemon; fork
    # server; worker): the stack belongs to the innermost, and the chain is no function
    owned = []
    processes: Counter[str] = Counter()
    for frames, n in stacks:
        k = 0
        while k < len(frames) and frames[k].startswith("process "):
            k += 1
        owner = frames[k - 1] if k else ""
        owned.append((owner, frames[k:], n))
        if owner:
            processes[owner[:100]] += n
    if processes:
        every = sum(processes.values())
        print(f"by process ({len(processes)})")
        for name, n in processes.most_common(10):
            print(f"{100 * n / every:6.1f} %  {name}")
        print()
    stacks = [(frames, n) for owner, frames, n in owned
              if (not args.process or args.process in owner) and not (args.not_process and args.not_process in owner)]
    total = sum(n for _, n in stacks) or 1
    threads: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for frames, n in stacks:
        head = frames[0] if frames else ""
        # name a thread by its outermost Python function (threading's bootstrap -> the target)
        names = [f for f in frames[1:] if "threading.py" not in f and not f.startswith("process ")]
        threads[(names[0] if names else head).split(" (")[0]] += n
        seen = set()
        for f in frames:
            key = _frame(f)
            if key not in seen:
                seen.add(key)
                inclusive[key] += n
        if frames:
            own[_frame(frames[-1])] += n
    print(f"{total} samples")
    print("\nby thread (outermost function)")
    for name, n in threads.most_common(15):
        print(f"{100 * n / total:6.1f} %  {name}")
    print("\ninclusive   self  function")
    for key, n in inclusive.most_common():
        if args.match and args.match not in key:
            continue
        if key.startswith(("thread (", "process ")):
            continue
        print(f"{100 * n / total:6.1f} % {100 * own[key] / total:6.1f} %  {key}")
        args.top -= 1
        if args.top <= 0:
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
