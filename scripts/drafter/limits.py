"""A time limit per drafted article, so that one bad file never stalls a batch.

``time_limit(seconds, label)`` is a context manager: when the block runs
longer than ``seconds`` it is interrupted and a BuildError names ``label``
(the article's path) and the limit. It uses the process's real-time interval
timer, which only the main thread of a process can set (the draft command
and its worker processes draft in their main threads); elsewhere, or with
``seconds`` of 0 or less, the block runs without a limit. Every stage of the
drafter is also linear in the length of its input, so the limit is a guard,
not the way long texts are handled.
"""

from __future__ import annotations

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


@contextmanager
def time_limit(seconds: float, label: str) -> Iterator[None]:
    """Interrupt the block after ``seconds`` with a DraftTimeout naming ``label``."""
    usable = seconds > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise DraftTimeout(f"{label}: drafting stopped after {seconds:g} s (the per-article time limit); "
                           "the other articles are drafted")

    previous_handler = signal.signal(signal.SIGALRM, stop)
    previous_timer = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_timer[0] > 0:  # an outer limit keeps running
            signal.setitimer(signal.ITIMER_REAL, *previous_timer)
