"""Work spread over forked processes: results in order, failures told, no busy waiting."""

from __future__ import annotations

import multiprocessing.pool
import os
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.parallel import alongside, pipelined, tapering

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks workers")


def _square(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


def test_pipelined_results_come_in_order_from_other_processes() -> None:
    results = list(pipelined(_square, range(500), workers=2))
    assert [square for square, _ in results] == [n * n for n in range(500)]
    assert os.getpid() not in {pid for _, pid in results}


def test_alongside_runs_meanwhile_here_while_the_workers_run_the_tasks() -> None:
    results, meanwhile = alongside(_square, 40, 2, lambda: os.getpid())
    assert [square for square, _ in results] == [n * n for n in range(40)]
    assert meanwhile == os.getpid()


def _fail(number: int) -> int:
    if number == 7:
        raise ValueError("task 7 failed")
    return number


def test_a_failure_in_a_worker_is_raised_here() -> None:
    with pytest.raises(ValueError, match="task 7 failed"):
        list(pipelined(_fail, range(20), workers=2))


def test_the_pool_is_not_woken_for_every_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its worker-minding thread sleeps until a worker ends or the pool closes (see
    ``_QuietPool``), whatever the number of results."""
    wakes = []
    stock = multiprocessing.pool.Pool._wait_for_updates

    def counted(*arguments: Any, **options: Any) -> None:
        wakes.append(1)
        stock(*arguments, **options)

    monkeypatch.setattr(multiprocessing.pool.Pool, "_wait_for_updates", staticmethod(counted))
    assert len(list(pipelined(_square, range(2000), workers=2))) == 2000
    assert len(wakes) < 20


@given(st.integers(0, 50_000), st.integers(1, 8), st.integers(1, 100))
def test_tapering_cuts_a_range_into_consecutive_shrinking_parts(
    count: int, workers: int, smallest: int
) -> None:
    parts = tapering(count, workers, smallest)
    assert [i for part in parts for i in part] == list(range(count))
    sizes = [len(part) for part in parts]
    assert all(size > 0 for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    assert all(size >= smallest for size in sizes[:-1])


def test_tapering_ends_on_small_batches() -> None:
    sizes = [len(part) for part in tapering(11_000, 2, smallest=20)]
    assert sizes[0] == 11_000 // 8
    assert sizes[-2] == 20 and sizes[-1] <= 20
    assert len(sizes) < 50
