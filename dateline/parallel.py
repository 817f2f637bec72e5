"""Spread work that splits by entry or by page over every core, with results in a fixed order.

Workers are forked, so they start with everything the build holds (the timeline, the
templates) without copying it through a pipe; only their results come back. Where forking is
unavailable, or the work is too small to pay for a process, the work runs in this process.
The output never depends on how the work was split.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Meanwhile = TypeVar("Meanwhile")

MIN_ITEMS_PER_WORKER = 250
"""Below this many items for each worker, starting processes costs more than it saves."""
TAPER = 4
"""Each of :func:`tapering`'s ranges holds this share of what is left, for each worker."""

_job: Callable[[Any], Any] | None = None
"""The job of the current pool (:func:`alongside`, :func:`pipelined`), inherited by forked
workers."""


def workers_for(items: int) -> int:
    """How many processes to use for ``items`` pieces of work: 1 means stay in this process.

    The environment variable ``DATELINE_WORKERS`` overrides the choice.
    """
    if not sys.platform.startswith("linux"):
        return 1
    chosen = os.environ.get("DATELINE_WORKERS", "")
    if chosen.isdigit() and int(chosen) > 0:  # set by tests, or by a person measuring
        return int(chosen)
    cores = len(os.sched_getaffinity(0))
    return max(1, min(cores, items // MIN_ITEMS_PER_WORKER))


def tapering(count: int, workers: int, smallest: int = 1) -> list[range]:
    """``range(count)`` cut into consecutive ranges that shrink as they go (none empty).

    Each range is a share of what is left (a quarter, shared by the ``workers``), and never
    below ``smallest`` items: workers handed these in order start on large batches, which
    cost little to send, and end on small ones, so that none is left working long after the
    others are done (with equal batches, the last one held a core alone for a tenth of the
    rendering).
    """
    ranges: list[range] = []
    start = 0
    while start < count:
        size = max(smallest, 1, (count - start) // (TAPER * max(1, workers)))
        ranges.append(range(start, min(count, start + size)))
        start += size
    return ranges


def alongside(
    job: Callable[[int], Result],
    tasks: int,
    workers: int,
    meanwhile: Callable[[], Meanwhile],
    on_result: Callable[[], None] = lambda: None,
) -> tuple[list[Result], Meanwhile]:
    """Run ``meanwhile()`` here while ``workers`` processes run the ``tasks`` of ``job``.

    Returns the results of the tasks, in order, and what ``meanwhile`` returned. ``on_result``
    is called (from another thread) as each task finishes.
    """
    if workers <= 1 or tasks <= 1:
        done = meanwhile()
        results = []
        for task in range(tasks):
            results.append(job(task))
            on_result()
        return results, done
    with _forked(job, min(workers, tasks)) as pool:
        pending = [
            pool.apply_async(_run, (task,), callback=lambda _: on_result()) for task in range(tasks)
        ]
        done = meanwhile()
        return [result.get() for result in pending], done


def pipelined(
    job: Callable[[Item], Result],
    items: Iterable[Item],
    workers: int,
    meanwhile: Callable[[], object] = lambda: None,
) -> Iterator[Result]:
    """``job(item)`` for each of ``items``, in order, in ``workers`` processes started first.

    The items are made here while the workers already work on those made before (reading
    files while they are parsed, say); each is sent to a worker, and only its result comes back.
    Once every item is sent, ``meanwhile()`` runs here while the workers finish.
    """
    with _forked(job, workers) as pool:
        pending: deque[AsyncResult[Result]] = deque()
        for item in items:
            pending.append(pool.apply_async(_run, (item,)))
            while pending and pending[0].ready():  # done already, while items are still made
                yield pending.popleft().get()
        meanwhile()
        while pending:
            yield pending.popleft().get()


class _QuietPool(Pool):
    """multiprocessing's pool, with its worker-minding thread woken only when a worker ends or
    the pool is closed.

    The stock pool also wakes that thread for every result waiting to be read; while the
    result thread waits for the interpreter lock, it wakes again at once, thousands of times
    a build (0.1 s of this process's CPU at 10,000 entries, taken from the workers). It has
    nothing to do then: the pool replaces no workers (none has a task limit), and it is told
    through its notifier when the last result is in.
    """

    def _get_sentinels(self) -> list[Any]:
        return [self._change_notifier._reader]  # type: ignore[attr-defined]


@contextmanager
def _forked(job: Callable[[Any], Any], workers: int) -> Iterator[Pool]:
    """A pool of ``workers`` forked processes that inherit ``job``."""
    global _job
    _job = job
    try:
        with _QuietPool(workers, context=multiprocessing.get_context("fork")) as pool:
            yield pool
    finally:
        _job = None


def _run(task: Any) -> Any:
    assert _job is not None, "a worker started without a job"
    return _job(task)
