"""Running the same work in several threads at once, each with its own app context (and so its
own database session), for the tests that two workers or two runs never do one thing twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from flask import Flask

T = TypeVar("T")


def run_at_once(app: Flask, work: Callable[[], T], *, threads: int = 2, timeout: float = 60) -> list[T]:
    """What each thread's `work()` returned; fails if any raised or did not finish in `timeout`."""
    results: list[T] = []
    errors: list[BaseException] = []
    start = threading.Barrier(threads, timeout=timeout)

    def one() -> None:
        try:
            with app.app_context():
                start.wait()
                results.append(work())
        except BaseException as error:  # noqa: BLE001 - handed to the assertion below
            errors.append(error)

    running = [threading.Thread(target=one) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in running), "a thread did not finish"
    assert errors == [], errors
    return results
