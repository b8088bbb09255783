"""Cost measurement for the linear-cost tests: adversarial inputs and a guarded timer.

Each measurement runs in a pebble worker process under a timeout (a quadratic case
cannot hold the suite for minutes) and reports the *minimum* process CPU time of three
runs, so other load on the shared machine inflates it as little as possible.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

KB = 1024
MB = 1024 * KB

#: Predicted CPU seconds of one big run above which the smaller pair (10 KB, 100 KB) is used.
BIG_RUN_S = 10.0

#: Below this many CPU seconds at the big size the cost is negligible whatever the ratio.
NEGLIGIBLE_S = 0.05


def _fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


#: name -> builder(size) of an adversarial text of ``size`` characters.
INPUTS: dict[str, Callable[[int], str]] = {
    "bip39-word": lambda n: _fill("zoo ", n),  # the last word: list.index scans all 2048 entries
    "bip39-first": lambda n: _fill("abandon ", n),
    "bip39-mixed": lambda n: _fill("abandon ability able about above absent absorb abstract ", n),
    "digits": lambda n: _fill("1234567890", n),
    "digit-runs": lambda n: _fill("0" * 4000 + " ", n),
    "brands": lambda n: _fill("binance coinbase metamask ledger upbit ", n),
    "brand-glued": lambda n: _fill("binance", n),
    "long-line": lambda n: _fill("abcdefghij", n),
    "base58": lambda n: _fill("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", n),
    "hex": lambda n: _fill("0x" + "ab" * 20 + "0x", n),
    "lure-words": lambda n: _fill("wallet seed phrase private key airdrop kyc withdrawal 지갑 출금 ", n),
    "spaced-letters": lambda n: _fill("s e e d ", n),
    "html-nested": lambda n: _fill("<div>", n),
    "html-attrs": lambda n: "<a " + _fill('x="1" ', n) + ">",
    "html-unclosed": lambda n: _fill("<a href='http://x.example/", n),
    "html-seed": lambda n: _fill("<div>zoo ", n),
    "rtf-nested": lambda n: _fill("{", n // 2) + _fill("}", n // 2),
    "rtf-groups": lambda n: "{\\rtf1 " + _fill("{\\*\\x a}", n) + "}",
    # the script-aware lure matcher (Cyrillic stems, kana/CJK anywhere, longest phrase wins)
    "cyrillic-lures": lambda n: _fill("криптовалюта биткоин заработок торговый робот ", n),
    "kana-lures": lambda n: _fill("ビットコイン暗号資産自動売買", n),
    # spaced-out and grouped wallet addresses are re-joined before the checksum
    "spaced-address": lambda n: _fill("b c 1 q a r 0 s r r r 7 ", n),
    "grouped-address": lambda n: _fill("bc1q ar0s rrr7 xfkv y5l6 ", n),
    # words mixing Latin with Greek/Cyrillic look-alike letters are folded whole (text.normalize): short
    # mixed words, and one endless mixed word (the bounded word pattern must not rescan it)
    "mixed-script": lambda n: _fill("кraken metamaѕк ledgeг Bиnance ", n),
    "mixed-run": lambda n: _fill("aк", n),
    # security disclaimers are taken out before lure matching (bounded repeats after each negation)
    # the parts of an extortion / fake balance (extortion_common): amounts, deadlines, accented stems
    "extortion-parts": lambda n: _fill("i hacked your camera 0.05 btc $1,200 48 hours pay police balance ", n),
    "amount-runs": lambda n: _fill("1 2 3 4 5 6 7 8 9 0 , . ' ", n),
    "accented-run": lambda n: _fill("éàüñçø", n),
    "alt-attrs": lambda n: _fill('<img alt="bc1q ar0s 48 hours"><img title=\'1A1z\'>', n),
    "disclaimers": lambda n: _fill("never ask share tell you for your a b c d e f ", n),
    # the one URL list of a message
    "urls": lambda n: _fill("http://a.example/?url=https://b.example/ ", n),
}


def _target(target: str) -> Callable[[str], Any]:
    """A callable that runs the named analyzer on one text."""
    from coinguard.config import Config
    from coinguard.findings import Item
    from coinguard.limits import Budget
    from hostile.hostile_imports import (
        AnalysisContext,
        MessageInfo,
        html_to_text,
        item_analyzer,
        message_analyzer,
    )

    cfg = Config()
    kind, _, name = target.partition(":")

    def ctx(info: Any = None) -> Any:
        return AnalysisContext(config=cfg, budget=Budget(cfg.scan.limits()), message=info or MessageInfo())

    if kind == "message":
        analyzer = message_analyzer(name)

        def run_message(text: str) -> Any:
            info = MessageInfo(body_text=text, subject="hello", from_addr="a@example.org", from_domain="example.org")
            return list(analyzer.analyze_message(info, (), (), ctx(info)))
        return run_message
    if kind == "document":
        analyzer = item_analyzer(name)
        item_type = "rtf" if name == "doctext" else "text"
        role = "attachment" if name == "doctext" else "text"

        def run_item(text: str) -> Any:
            item = Item(path="t", name="t.txt", data=text.encode("utf-8"), type=item_type, role=role)
            return list(analyzer.handle(item, ctx()))  # ``handle`` since the restructuring (was ``analyze``)
        return run_item
    if kind == "scan":
        from hostile.attacks import HEAD
        from hostile.pipeline import offline_config, scan

        config = offline_config()

        def run_scan(text: str) -> Any:
            body = text.encode("utf-8")
            return scan(HEAD + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + body, config)
        return run_scan
    if kind == "html_to_text":
        return html_to_text
    if kind == "decode_header":
        from hostile.hostile_imports import decode_header

        return decode_header
    raise ValueError(target)


def cpu_time(target: str, input_name: str, size: int, repeat: int = 3) -> float:
    """Minimum process CPU seconds of ``repeat`` runs of ``target`` on ``INPUTS[input_name](size)``."""
    run = _target(target)
    text = INPUTS[input_name](size)
    best = float("inf")
    for _ in range(repeat):
        gc.collect()  # every run starts from the same heap; the collections it causes itself still count
        start = time.process_time()
        run(text)
        best = min(best, time.process_time() - start)
    return best


def timed(pool: Any, target: str, input_name: str, size: int, timeout: float) -> float | None:
    """``cpu_time`` in the pool's worker; None when it did not finish within ``timeout`` s.

    A 1 KB warm-up runs first without a tight timeout: a worker replaced after an earlier
    timeout must import the analyzers again, which is no part of the cost being measured.
    """
    pool.schedule(cpu_time, args=(target, input_name, KB, 1), timeout=120).result()
    future = pool.schedule(cpu_time, args=(target, input_name, size), timeout=timeout)
    try:
        return float(future.result())
    except FutureTimeout:
        return None


def growth(pool: Any, target: str, input_name: str, *, small_timeout: float = 4.0,
           big_timeout: float = 60.0) -> tuple[float, str, bool]:
    """(time(10 n) / time(n), description, finished) for n = 100 KB, or 10 KB when 1 MB would be slow.

    When the big size times out, ``finished`` is False and the ratio is only the lower bound
    timeout / time(n); inf when even the small size of the smaller pair times out.
    """
    for small in (100 * KB, 10 * KB):
        t_small = timed(pool, target, input_name, small, small_timeout)
        if t_small is None:
            continue
        if small > 10 * KB and t_small > BIG_RUN_S / 10:
            continue  # 1 MB would take over BIG_RUN_S a run: measure 10 KB -> 100 KB instead
        # wall-clock timeout on a shared machine: generous against load, bounded against a quadratic case
        limit = min(big_timeout, max(20.0, 3 * 40 * t_small + 10))
        t_big = timed(pool, target, input_name, small * 10, limit)
        if t_big is None:
            return (limit / 3 / max(t_small, 1e-6), f"{small // KB} KB: {t_small:.3f}s; x10: > {limit / 3:.1f}s",
                    False)
        if t_big < NEGLIGIBLE_S:
            return 1.0, f"{small // KB} KB: {t_small:.4f}s; x10: {t_big:.4f}s (negligible)", True
        return t_big / max(t_small, 1e-6), f"{small // KB} KB: {t_small:.3f}s; x10: {t_big:.3f}s", True
    return float("inf"), f"10 KB did not finish 3 runs in {small_timeout}s", False
