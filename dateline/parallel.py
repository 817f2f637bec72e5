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
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from functools import partial
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, Generic, TypeVar

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
        size = tapered(count - start, workers, smallest)
        ranges.append(range(start, min(count, start + size)))
        start += size
    return ranges


def tapered(left: int, workers: int, smallest: int = 1) -> int:
    """How many of the ``left`` items to hand out next, as :func:`tapering` cuts them."""
    return max(smallest, 1, left // (TAPER * max(1, workers)))


def alongside(
    job: Callable[[int], Result],
    tasks: int,
    workers: int,
    meanwhile: Callable[[], Meanwhile],
    on_result: Callable[[], None] = lambda: None,
) -> tuple[list[Result], Meanwhile]:
    """Run ``meanwhile()`` here while other processes run the ``tasks`` of ``job``; then run
    what tasks are left here too, so that ``workers`` processes in all (this one among them)
    share them.

    Returns the results of the tasks, in order, and what ``meanwhile`` returned. ``on_result``
    is called as each task finishes, one call at a time (from this thread or another). When
    tasks fail, no more are handed out, and the error of the first of them in order is raised
    once the tasks under way are done: the same error, whichever process ran which task.

    The tasks are handed out in order as processes become free: each other process is kept
    :data:`AHEAD` tasks ahead, and this one takes the next once its own work is done. One
    process for each core in all, rather than a worker for each core beside this one: three
    busy processes on two cores cost each of them an eighth more time, switching in and out.
    """
    if workers <= 1 or tasks <= 1:
        done = meanwhile()
        results = []
        for task in range(tasks):
            results.append(job(task))
            on_result()
        return results, done
    others = min(workers - 1, tasks)
    made: list[Any] = [None] * tasks
    failed: dict[int, Exception] = {}  # each failed task's error; -1: on_result's, in the pool
    sent: list[tuple[int, AsyncResult[Result]]] = []
    unsent = iter(range(tasks))
    lock = threading.Lock()  # the next task and on_result, shared with the pool's result thread

    def stop() -> None:
        """Hand out no more tasks (called with the lock held)."""
        for _ in unsent:
            pass

    def finished(_: object) -> None:  # in the pool's result thread, whose death would hang us
        with lock:
            try:
                on_result()
            except Exception as error:
                failed.setdefault(-1, error)
                stop()
        send()

    def given_up(_: BaseException) -> None:  # a task failed in a worker: raised once all are in
        with lock:
            stop()

    def send() -> None:
        with lock:  # sent under the lock: once no task is left, every task sent is in ``sent``
            task = next(unsent, None)
            if task is not None:
                made_there = pool.apply_async(
                    _run, (task,), callback=finished, error_callback=given_up
                )
                sent.append((task, made_there))

    def take() -> int | None:
        with lock:
            return next(unsent, None)

    with _forked(job, others) as pool:
        try:
            for _ in range(AHEAD * others):
                send()
            done = meanwhile()
            while (mine := take()) is not None:
                try:
                    made[mine] = job(mine)
                except Exception as error:
                    failed[mine] = error
                    with lock:
                        stop()
                    break
                with lock:
                    on_result()
            for task, result in sent:
                try:
                    made[task] = result.get()
                except Exception as error:
                    failed[task] = error
        finally:  # nothing more is sent, even when this process failed with tasks left
            with lock:
                stop()
    if failed:  # the first failed task's error, however the tasks were shared
        raise failed[min(failed)]
    return made, done


def pipelined(
    job: Callable[[Item], Result],
    items: Iterable[Item],
    workers: int,
    meanwhile: Callable[[], object] = lambda: None,
    job_here: Callable[[Item], Result] | None = None,
) -> Iterator[Result]:
    """``job(item)`` for each of ``items``, in order, shared by ``workers`` processes in all:
    this one and others started first.

    The items are made here while the others already work on those made before (reading
    files while they are parsed, say); each is sent to another process, which sends back only
    its result, while that process has fewer than :data:`AHEAD` items waiting. Otherwise this
    one runs ``meanwhile()`` the first time, and after that does the item itself, with
    ``job_here`` when given (its result does not cross a pipe, so it may differ from
    ``job``'s). One process for each core in all, as :func:`alongside` says why.
    """
    here = job_here or job
    if workers <= 1:
        meanwhile()
        yield from map(here, items)
        return
    later: Callable[[], object] | None = meanwhile
    with _forked(job, workers - 1) as pool:
        pending: deque[AsyncResult[Result] | _Done[Result]] = deque()
        sent: deque[AsyncResult[Result]] = deque()

        def busy() -> bool:
            """Whether the other processes have as many items waiting as they should."""
            while sent and sent[0].ready():
                sent.popleft()
            return len(sent) >= AHEAD * (workers - 1)

        for item in items:
            if later is not None and busy():
                later()
                later = None
            if not busy():
                sent.append(pool.apply_async(_run, (item,)))
                pending.append(sent[-1])
            else:
                pending.append(_Done(partial(here, item)))
            while pending and pending[0].ready():  # done already, while items are still made
                yield pending.popleft().get()
        if later is not None:
            later()
        while pending:
            yield pending.popleft().get()


AHEAD = 3
"""Items kept waiting for each other process, so that none stands idle while this one works
on an item of its own."""


class _Done(Generic[Result]):
    """A result made here, or the error making it raised, standing in a queue of results still
    to come from other processes: raised in its turn, as theirs are."""

    __slots__ = ("error", "result")

    def __init__(self, make: Callable[[], Result]) -> None:
        self.result: Result | None = None
        self.error: Exception | None = None
        try:
            self.result = make()
        except Exception as error:
            self.error = error

    def ready(self) -> bool:
        return True

    def get(self) -> Result:
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


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

    def _setup_queues(self) -> None:
        """The stock pipes, made large enough to hold a whole batch or result at once.

        A result is taken in by a thread of this process, which needs the interpreter lock
        for each piece it reads. With the stock 64 KiB pipe, a result of half a megabyte came
        in ten pieces, each waiting for this process's own work to let go of the lock, and the
        worker that sent it stood idle all that time (a quarter of the parsing time).
        """
        super()._setup_queues()  # type: ignore[misc]
        for queue in (self._inqueue, self._outqueue):  # type: ignore[attr-defined]
            _enlarge_pipe(queue._reader.fileno())


PIPE_SIZE = 1 << 20
"""The size asked for the pipes to and from workers (Linux's usual limit for anyone)."""


def _enlarge_pipe(descriptor: int) -> None:
    """Make a pipe hold :data:`PIPE_SIZE` bytes where the system allows it."""
    with suppress(ImportError, AttributeError, OSError):  # not Linux, or over the user's limit
        import fcntl

        fcntl.fcntl(descriptor, fcntl.F_SETPIPE_SZ, PIPE_SIZE)


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
