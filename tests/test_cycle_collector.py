"""The cycle collector held off for a batch: off inside, back as it was afterwards, whatever happens,
in whichever thread the blocks start and end."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable

import pytest

from feedback import cycle_collector


@pytest.fixture(autouse=True)
def _collector_on():
    gc.enable()
    yield
    gc.enable()


def test_off_inside_and_back_on_after():
    with cycle_collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_back_on_after_an_error():
    with pytest.raises(RuntimeError), cycle_collector.paused():
        raise RuntimeError("the batch failed")
    assert gc.isenabled()


def test_a_block_inside_another_leaves_it_off_until_the_outer_one_ends():
    with cycle_collector.paused():
        with cycle_collector.paused():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_process_running_without_the_collector_keeps_running_without_it():
    gc.disable()
    with cycle_collector.paused():
        pass
    assert not gc.isenabled()


class Block(threading.Thread):
    """A paused block in a thread of its own, entered and left when the test says."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.entered, self.leave = threading.Event(), threading.Event()

    def run(self) -> None:
        with cycle_collector.paused():
            self.entered.set()
            self.leave.wait(5)

    def enter(self) -> Block:
        self.start()
        assert self.entered.wait(5)
        return self

    def end(self) -> None:
        self.leave.set()
        self.join(5)


@pytest.mark.parametrize("first_to_end", [lambda a, b: a, lambda a, b: b], ids=["first-started", "last-started"])
def test_overlapping_blocks_in_two_threads_leave_it_on_only_when_both_have_ended(
        first_to_end: Callable[[Block, Block], Block]):
    a = Block().enter()
    b = Block().enter()  # found the collector off, as a's block left it
    early = first_to_end(a, b)
    late = b if early is a else a

    early.end()
    assert not gc.isenabled()  # the other block is still running
    late.end()
    assert gc.isenabled()
