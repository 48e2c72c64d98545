"""A time limit per drafted article, so that one bad file never stalls a batch.

``time_limit(seconds, label)`` is a context manager: when the block runs
longer than ``seconds`` it is interrupted and a BuildError names ``label``
(the article's path) and the limit. In a process's main thread (the draft
command in one process) it uses the real-time interval timer; in another
thread (a Dask worker runs its tasks in a thread of its own) a timer thread
raises an exception in the drafting thread. Either way the block is stopped
between two Python instructions, not inside one long C call. With
``seconds`` of 0 or less the block runs without a limit. Every stage of the
drafter is also linear in the length of its input, so the limit is a guard,
not the way long texts are handled.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from scripts.errors import BuildError

# Seconds one article may take to draft. Articles of news length take tens of milliseconds and a
# 500 KB text about five seconds, so only a runaway or a text of megabytes reaches it.
DRAFT_TIME_LIMIT = 10.0


class DraftTimeout(BuildError):
    """Drafting one article took longer than its time limit."""


def _message(seconds: float, label: str) -> str:
    return (f"{label}: drafting stopped after {seconds:g} s (the per-article time limit); "
            "the other articles are drafted")


@contextmanager
def time_limit(seconds: float, label: str) -> Iterator[None]:
    """Interrupt the block after ``seconds`` with a DraftTimeout naming ``label``."""
    if seconds <= 0:
        yield
        return
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        with _thread_time_limit(seconds, label):
            yield
        return

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise DraftTimeout(_message(seconds, label))

    previous_handler = signal.signal(signal.SIGALRM, stop)
    previous_timer = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_timer[0] > 0:  # an outer limit keeps running
            signal.setitimer(signal.ITIMER_REAL, *previous_timer)


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    """Have ``thread_id`` raise ``exception`` at its next Python instruction (None: forget a pending one)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               None if exception is None else ctypes.py_object(exception))


@contextmanager
def _thread_time_limit(seconds: float, label: str) -> Iterator[None]:
    """The limit in a thread that is not the main one: a timer thread raises a DraftTimeout in it.

    The exception is raised by its class, so the class carries the message. The lock makes the timer's
    firing and the block's end exclusive: once the block has ended the timer raises nothing, and an
    exception it made pending just before the end and not yet raised is forgotten; the block then counts
    as stopped, as it took the whole limit.
    """
    message = _message(seconds, label)

    class Expired(DraftTimeout):
        def __init__(self) -> None:
            super().__init__(message)

    thread_id = threading.get_ident()
    lock = threading.Lock()
    state = {"running": True, "fired": False}

    def expire() -> None:
        with lock:
            if state["running"]:
                _raise_in(thread_id, Expired)
                state["fired"] = True

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["running"] = False
        timer.cancel()
        if state["fired"]:
            _raise_in(thread_id, None)  # not raised yet: raised below, here, not later in other code
    if state["fired"]:
        raise DraftTimeout(message)
