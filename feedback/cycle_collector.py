"""Python's cycle collector held off while a batch of work builds many objects that form no cycles.

The collector runs when enough new container objects have been made, and a full collection walks
every one still alive. A batch of the flag recompute keeps some hundreds of thousands alive until its
commit (500 treatments' histories, their events, the ORM's rows), so the collector walked them again
and again: on PostgreSQL a quarter of a 2,000-patient clinic's first evaluation, and a collection
after the batch found no cycle to free (bench/RESULTS.md, 2026-12-05). Memory is still freed as
usual, by reference counting; only cycles wait for the collector, which resumes when the batch ends.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# The collector is one switch per process, and the laptop's scheduler and requests are threads of one
# process: blocks are counted, so the first to start turns it off and the last to end turns it back on.
_lock = threading.Lock()
_open = 0
_was_on = False


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block, in any thread, until every block open in the process
    has ended; then the collector is as the first block found it (a process that runs without it
    keeps running without it). Keep the block to one bounded batch."""
    global _open, _was_on
    with _lock:
        if _open == 0:
            _was_on = gc.isenabled()
            gc.disable()
        _open += 1
    try:
        yield
    finally:
        with _lock:
            _open -= 1
            if _open == 0 and _was_on:
                gc.enable()
