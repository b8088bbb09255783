from __future__ import annotations

import io

import pytest

from coinguard.errors import BudgetExceeded
from coinguard.limits import Budget, Limits, MiB, read_bounded


def test_time_budget_uses_the_clock() -> None:
    now = [100.0]
    b = Budget(Limits(timeout_s=5), clock=lambda: now[0])
    b.check_time()
    assert b.time_left() == 5
    now[0] = 105.0
    with pytest.raises(BudgetExceeded) as err:
        b.check_time()
    assert err.value.code == "scan.timeout"
    assert b.yara_timeout() == 1


@pytest.mark.parametrize(
    ("declared", "compressed", "code"),
    [
        (10 * MiB, 1000, "container.bomb"),  # 10 MiB from 1 KB
        (65 * MiB, 64 * MiB, "container.limit.file_size"),
    ],
)
def test_check_member(declared: int, compressed: int, code: str) -> None:
    b = Budget(Limits())
    with pytest.raises(BudgetExceeded) as err:
        b.check_member("x", declared, compressed)
    assert err.value.code == code


def test_small_files_are_never_bombs() -> None:
    Budget(Limits()).check_member("zeros", 900_000, 100)  # ratio 9000 but under 1 MiB: fine


def test_admit_counts_files_bytes_and_depth() -> None:
    b = Budget(Limits(max_files=2, max_expanded_bytes=100, max_depth=2, max_file_bytes=60))
    b.admit("a", 50, 1)
    with pytest.raises(BudgetExceeded, match=r"container\.limit.depth"):
        b.admit("deep", 1, 3)
    with pytest.raises(BudgetExceeded, match=r"container\.limit.bytes"):
        b.admit("b", 51, 1)
    with pytest.raises(BudgetExceeded, match=r"container\.limit.file_size"):
        b.admit("c", 61, 1)
    b.admit("d", 10, 1)
    with pytest.raises(BudgetExceeded, match=r"container\.limit.files"):
        b.admit("e", 1, 1)
    assert (b.files, b.expanded_bytes) == (2, 60)


def test_read_bounded_stops_at_cap() -> None:
    assert read_bounded(io.BytesIO(b"x" * 100).read, 100, "ok") == b"x" * 100
    with pytest.raises(BudgetExceeded, match=r"container\.limit.file_size"):
        read_bounded(io.BytesIO(b"x" * 101).read, 100, "big")
