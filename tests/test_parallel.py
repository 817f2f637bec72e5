"""Work spread over forked processes: results in order, failures told, no busy waiting."""

from __future__ import annotations

import multiprocessing.pool
import os
import sys
from typing import Any

import pytest

from dateline.parallel import alongside, pipelined, split

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


def test_split_cuts_a_range_into_nearly_equal_consecutive_parts() -> None:
    parts = split(10, 3)
    assert [list(part) for part in parts] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert split(2, 5) == [range(0, 1), range(1, 2)]
