"""Check a batch of snippets on another core while the caller goes on.

A site build hands the snippet files and rule examples to one worker process
when it starts, renders its pages meanwhile, and collects the results before
anything is written. With two cores the checks then cost almost no wall-clock
time. The worker is forked (the checks are already imported), only from a
single-threaded process: `mkdocs serve` re-checks the few changed snippets in
its own thread instead. Anything that goes wrong with the worker falls back to
checking in the caller: results may come late, never missing.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any

from snippetguard import cache
from snippetguard.engine import Result
from snippetguard.model import Snippet

MIN_BATCH = 16  # below this, a process costs more than it saves
WORKER_NICENESS = 10


Then = Callable[[list[Result]], Any]  # more work on the results in the worker (picklable: a module function)


def _check_all(snippets: list[Snippet], then: Then | None = None, first: int | None = None) -> tuple[list[Result], Any]:
    """Check `snippets`; `then` gets the first `first` results (all by default) as soon as they are ready
    and runs in a thread while the rest are checked: it mostly waits for programs, so both go on at once."""
    if then is None:
        return [cache.check(s) for s in snippets], None
    head_count = len(snippets) if first is None else first
    head = [cache.check(s) for s in snippets[:head_count]]
    with ThreadPoolExecutor(max_workers=1) as pool:
        extra = pool.submit(then, head)
        rest = [cache.check(s) for s in snippets[head_count:]]
        return head + rest, extra.result()


def _yield_to_the_caller() -> None:
    """The worker and the programs it starts run at a lower priority: the caller's rendering is what the
    reader waits for, and the worker's results are only needed at its end (measured: `make bench`, B)."""
    with contextlib.suppress(OSError):  # not permitted here: same priority, still correct
        os.nice(WORKER_NICENESS)


def _worth_a_process(count: int) -> bool:
    if count < MIN_BATCH or os.environ.get("SNIPPETGUARD_WORKERS", "1") == "0":
        return False
    if (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return False
    # Forking a process that runs other threads can copy a lock mid-use. The watchdog's own thread
    # only sleeps and is restarted in the child, so it does not count.
    others = [t for t in threading.enumerate() if t is not threading.current_thread() and t.name != "snippetguard-watchdog"]
    return not others


class Batch:
    """Start checking `snippets` now; `results()` returns them in order.

    `then` runs in the worker on its results (e.g. the real programs), so that
    work overlaps the caller's too; its return value is `extra` (None when the
    worker was not used or failed: the caller then does that work itself).
    With `first`, `then` gets only the first `first` results, and starts as soon
    as they are ready.
    """

    def __init__(self, snippets: list[Snippet], then: Then | None = None, first: int | None = None) -> None:
        self.snippets = snippets
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future[tuple[list[Result], Any]] | None = None
        self.in_background = False
        self.extra: Any = None
        todo = [s for s in snippets if not cache.known(s)]
        if _worth_a_process(len(todo)):
            try:
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                                                 initializer=_yield_to_the_caller)
                # Everything goes to the worker when `then` needs it: it must see every result.
                self._future = self._pool.submit(_check_all, snippets if then is not None else todo, then,
                                                 first if then is not None else None)
                self.in_background = True
            except (OSError, RuntimeError, ValueError):
                self._shutdown()

    def results(self) -> list[Result]:
        if self._future is not None:
            try:
                done, self.extra = self._future.result()
                for result in done:
                    cache.remember(result)
            except Exception:  # a dead or broken worker: check here instead (below)
                self.extra = None
            finally:
                self._shutdown()
        return [cache.check(s) for s in self.snippets]

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None
        self._future = None
