"""Whole CSV records out of a byte stream, for readers that parse a large CSV block by block.

A newline ends a record only when an even number of quotes precede it: inside a quoted cell
(which may hold line breaks) the count is odd, and an escaped quote `""` counts twice. Cutting
blocks at record ends keeps memory flat in the size of the file; both the import reader and the
checks' COPY reader cut their CSV this way.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO


class UnclosedRecord(Exception):
    """No record ended within the allowed length: a quote opened and never closed."""


def record_ends(data: bytes, start: int = 0) -> Iterator[int]:
    """Offsets just past each newline that ends a record, for `data` starting at a record start."""
    quotes = 0
    while (newline := data.find(b"\n", start)) >= 0:
        quotes += data.count(b'"', start, newline)
        start = newline + 1
        if quotes % 2 == 0:
            yield start


def last_record_end(data: bytes) -> int:
    """`record_ends(data)`'s last offset (0: none), found from the end: one count per block."""
    newline = data.rfind(b"\n")
    quotes = data.count(b'"', 0, newline) if newline >= 0 else 0
    while newline >= 0 and quotes % 2:
        previous = data.rfind(b"\n", 0, newline)
        quotes -= data.count(b'"', previous + 1, newline)
        newline = previous
    return newline + 1


def record_blocks(
    handle: IO[bytes], size: int, *, max_record: int | None = None
) -> Iterator[bytes]:
    """`handle` from where it stands, in blocks of whole records of about `size` bytes: what is
    held at once is a block and the unfinished record carried into the next. A record longer
    than `max_record` raises `UnclosedRecord`."""
    carry = b""
    while more := handle.read(size):
        buffer = carry + more
        cut = last_record_end(buffer)
        if cut:
            yield buffer[:cut]
        elif max_record is not None and len(buffer) > max_record:
            raise UnclosedRecord()
        carry = buffer[cut:]
    if carry:
        yield carry
