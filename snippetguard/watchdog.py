"""Time bounds for parsers and rules: a hung check fails the snippet instead of the build hanging.

One daemon thread watches deadlines that checking threads register (two dict
operations per check, so the bound costs nothing measurable) and raises
`CheckTimeout` inside a thread that overran. Pure-Python loops are interrupted
at once; a single long C call (a regex) is interrupted when it returns.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_SECONDS = float(os.environ.get("SNIPPETGUARD_CHECK_TIMEOUT", "10"))


class CheckTimeout(BaseException):
    """BaseException, so a rule's own `except Exception` cannot swallow it."""


_deadlines: dict[int, float] = {}
_lock = threading.Lock()
_thread: threading.Thread | None = None


def _watch() -> None:
    while True:
        time.sleep(0.05)
        now = time.monotonic()
        for ident, deadline in list(_deadlines.items()):
            if now > deadline and _deadlines.pop(ident, None) is not None:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(CheckTimeout))


def _ensure_watcher() -> None:
    global _thread
    if _thread is None:
        with _lock:
            if _thread is None:
                _thread = threading.Thread(target=_watch, name="snippetguard-watchdog", daemon=True)
                _thread.start()


def arm(seconds: float | None = None) -> int:
    """Start the clock for the calling thread (the cheap form of `deadline`, for hot loops)."""
    _ensure_watcher()
    ident = threading.get_ident()
    _deadlines[ident] = time.monotonic() + (DEFAULT_SECONDS if seconds is None else seconds)
    return ident


def disarm(ident: int) -> None:
    _deadlines.pop(ident, None)


def _after_fork_in_child() -> None:
    global _thread
    _thread = None  # the watcher thread did not survive the fork: start a new one when needed
    _deadlines.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)


@contextmanager
def deadline(seconds: float | None = None) -> Iterator[None]:
    _ensure_watcher()
    ident = threading.get_ident()
    _deadlines[ident] = time.monotonic() + (DEFAULT_SECONDS if seconds is None else seconds)
    try:
        yield
    finally:
        _deadlines.pop(ident, None)
