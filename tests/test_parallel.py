"""Work spread over forked processes: results in order, failures told, no busy waiting."""

from __future__ import annotations

import fcntl
import multiprocessing.pool
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.parallel import PIPE_SIZE, _forked, alongside, pipelined, tapering
from dateline.render import Jobs

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks workers")


def _square(number: int) -> tuple[int, int]:
    return number * number, os.getpid()


def test_pipelined_results_come_in_order_shared_with_one_other_process() -> None:
    results = list(pipelined(_square, range(500), workers=2))
    assert [square for square, _ in results] == [n * n for n in range(500)]
    others = {pid for _, pid in results} - {os.getpid()}
    assert len(others) == 1  # two processes in all: this one, when the other has enough waiting


def _slow_square(number: int) -> tuple[int, int]:
    time.sleep(0.002)
    return _square(number)


def _tagged_here(number: int) -> tuple[int, int]:
    return number * number, -1


def test_pipelined_runs_its_own_share_with_job_here_after_meanwhile() -> None:
    order: list[str] = []

    def items() -> Iterator[int]:
        for number in range(200):
            order.append("item")
            yield number

    results = list(
        pipelined(
            _slow_square, items(), 2, lambda: order.append("meanwhile"), job_here=_tagged_here
        )
    )
    assert [square for square, _ in results] == [n * n for n in range(200)]
    done_here = [number for number, (_, pid) in enumerate(results) if pid == -1]
    assert done_here and len(done_here) < 200  # shared: some here, the rest sent
    assert order.count("meanwhile") == 1
    assert order.index("meanwhile") < len(order) - 1  # when this process first had a turn


def test_alongside_runs_meanwhile_here_then_shares_the_tasks() -> None:
    calls: list[int] = []
    seen_before: list[int] = []

    def on_result() -> None:  # from two threads, never at once: the count grows one by one
        seen_before.append(len(calls))
        time.sleep(0.0001)
        calls.append(1)

    results, meanwhile = alongside(_slow_square, 120, 2, lambda: os.getpid(), on_result)
    assert [square for square, _ in results] == [n * n for n in range(120)]
    assert meanwhile == os.getpid()
    assert len(calls) == 120 and seen_before == list(range(120))
    pids = {pid for _, pid in results}
    assert os.getpid() in pids and len(pids) == 2


def test_a_failure_in_any_of_the_processes_sharing_tasks_is_raised() -> None:
    with pytest.raises(ValueError, match="task 7 failed"):
        alongside(_fail, 20, 2, lambda: None)


def test_the_pipes_to_workers_hold_a_whole_batch() -> None:
    """A result of half a megabyte goes into the pipe at once: the thread that takes it in
    need not wait for the interpreter lock for each 64 KiB of it."""
    limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    with _forked(_square, 1) as pool:
        for queue in (pool._inqueue, pool._outqueue):  # type: ignore[attr-defined]
            size = fcntl.fcntl(queue._reader.fileno(), fcntl.F_GETPIPE_SZ)
            assert size >= min(PIPE_SIZE, limit)


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


@pytest.mark.filterwarnings("error::pytest.PytestUnhandledThreadExceptionWarning")
def test_nothing_is_sent_once_this_process_has_failed(capfd: pytest.CaptureFixture[str]) -> None:
    """A worker's result taken in after a task failed here sends nothing more: a send to the
    pool being closed would fail in the pool's own thread and print its traceback."""
    here = os.getpid()
    taking_in, failed = threading.Event(), threading.Event()

    def job(number: int) -> int:
        if os.getpid() == here:  # fails while the worker's first result is being taken in
            taking_in.wait(5)
            failed.set()
            raise ValueError("failed here")
        time.sleep(0.01)
        return number

    def on_result() -> None:
        taking_in.set()
        if failed.wait(5):
            time.sleep(0.05)  # ... and is still being taken in while the pool is closed

    with pytest.raises(ValueError, match="failed here"):
        alongside(job, 50, 2, lambda: None, on_result)
    assert "Traceback" not in capfd.readouterr().err


def test_pipelined_in_one_process_runs_everything_here() -> None:
    order: list[str] = []
    results = list(
        pipelined(_square, range(5), 1, lambda: order.append("meanwhile"), job_here=_tagged_here)
    )
    assert results == [(n * n, -1) for n in range(5)] and order == ["meanwhile"]


def _fail_at_0_and_15(number: int) -> int:
    time.sleep(0.001)
    if number in (0, 15):
        raise ValueError(f"task {number} failed")
    return number


def test_the_first_failed_task_is_told_however_the_tasks_were_shared() -> None:
    """Task 0 goes to the worker, task 15 may fail here first: task 0's error is raised."""
    for _ in range(5):
        with pytest.raises(ValueError, match="task 0 failed"):
            alongside(_fail_at_0_and_15, 40, 2, lambda: time.sleep(0.02))


def test_a_failure_telling_progress_is_raised_not_hung() -> None:
    """``on_result`` failing in the pool's own thread is raised here (that thread would
    otherwise die, and the results it was to take in never come)."""
    here = os.getpid()

    def on_result() -> None:
        if threading.get_ident() != threading.main_thread().ident:
            raise OSError("the terminal went away")

    with pytest.raises(OSError, match="terminal went away"):
        alongside(_slow_square, 60, 2, lambda: None, on_result)
    assert os.getpid() == here


def _fail_here(number: int) -> tuple[int, int]:
    raise ValueError(f"item {number} failed here")


def _fail_at_2(number: int) -> tuple[int, int]:
    if number == 2:
        raise ValueError("item 2 failed in the worker")
    return _slow_square(number)


def test_pipelined_raises_the_first_failed_item_wherever_it_ran() -> None:
    """The first items always go to the worker; later ones fail here, first: item 2's error
    comes out, in its turn."""
    with pytest.raises(ValueError, match="item 2 failed in the worker"):
        list(pipelined(_fail_at_2, range(40), 2, job_here=_fail_here))


def test_jobs_are_made_only_when_asked_for() -> None:
    """A build's page jobs: the first as given, then each event's made by whoever renders it."""
    made: list[int] = []

    def event_job(number: int) -> tuple[str, object, Callable[[], bytes]]:
        made.append(number)
        return f"events/{number}/index.html", number, lambda: b""

    head = [("index.html", "key", lambda: b"")]
    jobs = Jobs(head, range(10, 15), event_job, lambda number: f"events/{number}/index.html")
    assert len(jobs) == 6 and made == []
    assert jobs[0] is head[0]
    assert jobs[2][0] == "events/11/index.html" and made == [11]
    assert jobs[-1][1] == 14 and [job[1] for job in jobs[4:]] == [13, 14]
    assert [path for path, _, _ in jobs][1] == "events/10/index.html"
    with pytest.raises(IndexError):
        jobs[6]
    made.clear()
    assert list(jobs.paths())[:2] == ["index.html", "events/10/index.html"] and made == []
