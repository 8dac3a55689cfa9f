"""Streamed downloads go out in blocks: the same text, in order, a block as soon as it is full."""

from __future__ import annotations

from dashboards.stream_blocks import in_blocks


def test_the_pieces_come_out_whole_and_in_order_in_blocks_of_at_least_the_size():
    pieces = [f"line {n}\n" for n in range(1000)]

    blocks = list(in_blocks(pieces, size=100))

    assert "".join(blocks) == "".join(pieces)
    assert all(len(block) >= 100 for block in blocks[:-1])
    assert all(len(block) < 100 + len("line 999\n") for block in blocks)  # no more than one piece past the size


def test_a_block_is_sent_as_soon_as_it_is_full_without_reading_ahead():
    taken = []

    def pieces():
        for n in range(10):
            taken.append(n)
            yield "x" * 30

    blocks = in_blocks(pieces(), size=50)

    assert next(blocks) == "x" * 60
    assert taken == [0, 1]


def test_nothing_in_nothing_out_and_a_short_stream_is_one_block():
    assert list(in_blocks([], size=10)) == []
    assert list(in_blocks(["a", "b"], size=10)) == ["ab"]


def test_closed_early_it_closes_the_pieces_at_once():
    closed = []

    def pieces():
        try:
            while True:
                yield "x" * 30
        finally:
            closed.append(True)  # the export's query would be closed here

    source = pieces()  # still referenced here: closed by in_blocks, not by being dropped
    blocks = in_blocks(source, size=50)
    next(blocks)
    blocks.close()  # the client went away

    assert closed == [True]
