"""Streamed downloads sent in blocks of about 64 KiB, not piece by piece.

The exports are made one short piece at a time: a CSV line per answer (1.8 million for a
2,000-patient clinic), a FHIR resource per entry. Without a length the response goes out in
HTTP chunks, and gunicorn sends each piece it is handed as a chunk of its own, in a system call of
its own; the client then reads a chunk header for each. Joining the pieces first keeps the stream
and its flat memory (one block held at a time) without that cost per piece (bench/RESULTS.md,
2026-12-05).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

# Characters, not bytes (text that is not ASCII takes more in UTF-8): a block is sent once it holds this many.
BLOCK = 64 * 1024


def in_blocks(pieces: Iterable[str], size: int = BLOCK) -> Iterator[str]:
    """The pieces, in order, joined into blocks of at least `size` characters (the last may be
    shorter). Nothing is read ahead: a block is sent as soon as it is full. Closed early (the client
    went away), it closes `pieces` at once, and with them the export's streamed query."""
    source = iter(pieces)
    block: list[str] = []
    held = 0
    try:
        for piece in source:
            block.append(piece)
            held += len(piece)
            if held >= size:
                yield "".join(block)
                block, held = [], 0
        if block:
            yield "".join(block)
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()
