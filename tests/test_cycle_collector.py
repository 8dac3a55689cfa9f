"""The cycle collector held off for a batch: off inside, back as it was afterwards, whatever happens."""

from __future__ import annotations

import gc

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
