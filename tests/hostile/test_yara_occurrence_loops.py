"""YARA rules that loop over every occurrence of a string (``for any i in (1..#s) : (... @s[i] ...)``).

yara finds ``@s[i]`` by walking ``$s``'s match list from its head, so such a loop costs the square
of the matches.  Found with fuzz/'s slow-input flag idea on format tokens (2026-12-03): a 100 KB
attachment of "MZ" (50,000 matches of InQuest's ``Embedded_PE`` ``{ 4D 5A }``) cost a scan 6 s CPU
and ended in ``yara.timeout``, every other rule of the item unknown.  Each set is now compiled with
such loops capped at their first ``OCCURRENCE_LOOP_CAP`` occurrences (yara_scope.bounded_occurrence_loops).
"""

from __future__ import annotations

import time

from coinguard.findings import Finding, Item
from coinguard.yara_scope import OCCURRENCE_LOOP_CAP
from hostile.attacks import zip_message_named
from hostile.pipeline import rules, scan


def _cpu_of_match(data: bytes, item_type: str = "binary") -> tuple[float, set[str]]:
    from coinguard.analyzers.yara_rules import YaraRules

    from helpers import make_context

    item = Item(path="x.bin", name="x.bin", data=data, type=item_type)
    started = time.process_time()
    codes = {f.code for f in YaraRules().handle(item, make_context(rules=rules())) if isinstance(f, Finding)}
    return time.process_time() - started, codes


def _embedded_pe(prefix_mz: int) -> bytes:
    """``prefix_mz`` stray "MZ" and then a DOS header whose e_lfanew (0x40) points at "PE\\0\\0"."""
    return b"MZ" * prefix_mz + b"MZ" + b"\x00" * 58 + (0x40).to_bytes(4, "little") + b"PE\x00\x00" + b"\x00" * 64


def test_a_run_of_mz_costs_a_scan_no_seconds_nor_a_yara_timeout() -> None:
    scan(zip_message_named(b"hello", "a.txt", "text/plain"))  # warm up: rules, imports
    started = time.process_time()
    verdict = scan(zip_message_named(b"MZ" * 50_000, "a.bin", "application/octet-stream"))
    cpu = time.process_time() - started
    assert "yara.timeout" not in verdict.codes, verdict.codes
    assert cpu < 2.0, f"{cpu:.2f} s CPU"  # 6 s before the cap


def test_every_occurrence_loop_rule_is_linear() -> None:
    """The tokens of the repository's other such loops (yara-rules' maldoc_somerules), the condition false
    at every occurrence so the loop runs to its end: ~0.5 s at 100 KB each before, quadratic."""
    tokens = (b"MZ", b"\xff\x75\x01\xff\x55\x02", b"\xff\xb5\x01\x00\x00\x00\xff\x95\x02\x00\x00\x00",
              b"\x31\x00\x00\x30\x64\x8b\x00", b"\x68\x30\x00\x00\x00\x58\x64\x8b\xff")
    for token in tokens:
        data = token * (400_000 // len(token))
        cpu, codes = _cpu_of_match(data)
        assert cpu < 0.5 and "yara.timeout" not in codes, (token, cpu, codes)


def test_an_embedded_pe_within_the_cap_is_still_found() -> None:
    _, codes = _cpu_of_match(_embedded_pe(10))
    assert "yara.Embedded_PE" in codes
    _, codes = _cpu_of_match(_embedded_pe(OCCURRENCE_LOOP_CAP - 1))
    assert "yara.Embedded_PE" in codes


def test_more_occurrences_than_the_loop_looks_at_match() -> None:
    """A payload padded behind more decoys than the cap is one the rule cannot read to its end: it matches (as a
    timeout made the item unchecked before), so the padding does not get it through; a few stray "MZ" do not."""
    _, codes = _cpu_of_match(_embedded_pe(OCCURRENCE_LOOP_CAP + 5))
    assert "yara.Embedded_PE" in codes
    _, codes = _cpu_of_match(b"MZ" * (OCCURRENCE_LOOP_CAP + 1))
    assert "yara.Embedded_PE" in codes
    _, codes = _cpu_of_match(b"MZ" * 20 + b"\x00" * 4096)
    assert "yara.Embedded_PE" not in codes
