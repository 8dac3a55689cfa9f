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
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block. The collector is switched back on at the end only if it
    was on at the start, so a block inside another, or in a process that runs without it, leaves it
    as it found it. Process-wide: keep the block to one bounded batch."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
