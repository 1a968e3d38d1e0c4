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

import multiprocessing
import os
import threading
from concurrent.futures import Future, ProcessPoolExecutor

from snippetguard import cache
from snippetguard.engine import Result
from snippetguard.model import Snippet

MIN_BATCH = 16  # below this, a process costs more than it saves


def _check_all(snippets: list[Snippet]) -> list[Result]:
    return [cache.check(s) for s in snippets]


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
    """Start checking `snippets` now; `results()` returns them in order."""

    def __init__(self, snippets: list[Snippet]) -> None:
        self.snippets = snippets
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future[list[Result]] | None = None
        self.in_background = False
        todo = [s for s in snippets if not cache.known(s)]
        if _worth_a_process(len(todo)):
            try:
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
                self._future = self._pool.submit(_check_all, todo)
                self.in_background = True
            except (OSError, RuntimeError, ValueError):
                self._shutdown()

    def results(self) -> list[Result]:
        if self._future is not None:
            try:
                for result in self._future.result():
                    cache.remember(result)
            except Exception:  # a dead or broken worker: check here instead (below)
                pass
            finally:
                self._shutdown()
        return [cache.check(s) for s in self.snippets]

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None
        self._future = None
