"""Reading an uploaded file as text, in chunks: CSV, a flat xlsx sheet, or the project template.

Every cell comes back as the text the user typed (no type guessing), with the sheet row
number a user sees in Excel (`__row`, header = row 1; an empty line is a row, a quoted cell
holding line breaks is one). A CSV is streamed in blocks of whole records, so memory does not
grow with the file. The one exception to "text as typed" is the Excel trap:
an xlsx NIK/No. KK cell that holds a number is flagged (`__numeric_nik`, `__numeric_kk`),
because Excel has already rounded it to 15 significant digits.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.utils.translation import gettext as _

from dtks.core.csvrecords import UnclosedRecord, record_blocks, record_ends
from dtks.core.errors import DomainError

ROW = "__row"
NUMERIC_NIK = "__numeric_nik"
NUMERIC_KK = "__numeric_kk"
TEMPLATE_SHEETS = {"keluarga", "individu"}
# A CSV is read BLOCK_BYTES at a time, so memory stays flat in the file's size (2 MB: as fast
# as 8 or 16 MB, and the smallest peak measured by bench/import_memory.py). No real row comes
# near MAX_RECORD_BYTES (Excel caps a cell at 32,767 characters): a record that long is a
# quote opened and never closed.
BLOCK_BYTES = 2 * 1024 * 1024
MAX_RECORD_BYTES = 16 * 1024 * 1024
HEADER_BYTES = 64 * 1024


@dataclass
class Table:
    """A file opened for reading: its header as written, a row estimate, and its chunks."""

    columns: list[str]
    total: int
    chunks: Iterator[pl.DataFrame]


def column_key(name: str) -> str:
    """`Nomor NIK ` → `nomor_nik`: header cells matched whatever their case and spacing."""
    return "_".join(str(name or "").strip().lower().replace("-", " ").split())


def unique_keys(header: list[str]) -> list[str]:
    """Keys for the header; a repeated or blank name gets a suffix so every column survives."""
    keys: list[str] = []
    for i, name in enumerate(header):
        key = column_key(name) or f"kolom_{i + 1}"
        while key in keys:
            key += "_"
        keys.append(key)
    return keys


def chunk_rows() -> int:
    return int(settings.DTKS_IMPORT_CHUNK_ROWS)


def open_table(path: Path) -> Table:
    if path.suffix.lower() == ".xlsx":
        return _open_xlsx(path)
    return _open_csv(path)


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            count += block.count(b"\n")
    return max(count - 1, 0)


def _open_csv(path: Path) -> Table:
    header_bytes, start = _header_record(path)
    try:
        text = header_bytes.decode("utf-8")
    except UnicodeDecodeError:
        raise _not_utf8() from None
    separator = ";" if text.count(";") > text.count(",") else ","
    header = next(csv.reader(io.StringIO(text), delimiter=separator), [])
    keys = unique_keys(header)
    chunks = _rechunk(_csv_frames(path, start, separator, keys), chunk_rows()) if keys else iter(())
    return Table(columns=header, total=_count_lines(path), chunks=chunks)


def _header_record(path: Path) -> tuple[bytes, int]:
    """The first record's bytes (without a BOM) and the file offset where the data begins."""
    with path.open("rb") as handle:
        data = handle.read(HEADER_BYTES)
        skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        while (end := next(record_ends(data, skip), None)) is None:
            more = handle.read(HEADER_BYTES)
            if not more:
                return data[skip:], len(data)
            if len(data) > MAX_RECORD_BYTES:
                raise _bad_quotes(1)
            data += more
    return data[skip:end], end


def _record_blocks(path: Path, start: int) -> Iterator[bytes]:
    """The file from `start` in blocks of whole records of about BLOCK_BYTES, whatever its
    size (a record past MAX_RECORD_BYTES is a quote opened and never closed)."""
    with path.open("rb") as handle:
        handle.seek(start)
        yield from record_blocks(handle, BLOCK_BYTES, max_record=MAX_RECORD_BYTES)


def _csv_frames(path: Path, start: int, separator: str, keys: list[str]) -> Iterator[pl.DataFrame]:
    """Each block parsed, numbered on from the header (row 1): polars keeps an empty line as
    an empty row and a quoted line break inside its cell, so rows count as Excel counts them."""
    row = 2
    try:
        for block in _record_blocks(path, start):
            frame = _parse_block(block, separator, keys, row)
            row += frame.height
            yield frame
    except UnclosedRecord:
        raise _bad_quotes(row) from None


def _read_block(block: bytes, separator: str, keys: list[str]) -> pl.DataFrame:
    # A header line of its own: polars counts the columns on the first line, which in a block
    # may be empty or short; `truncate_ragged_lines` then drops extra cells, short rows get null.
    names = separator.join(f"c{i}" for i in range(len(keys))).encode() + b"\n"
    return pl.read_csv(
        io.BytesIO(names + block),
        separator=separator,
        new_columns=keys,
        infer_schema=False,
        truncate_ragged_lines=True,
    )


def _parse_block(block: bytes, separator: str, keys: list[str], first_row: int) -> pl.DataFrame:
    try:
        frame = _read_block(block, separator, keys)
    except pl.exceptions.PolarsError:
        raise _unreadable(block, separator, keys, first_row) from None
    rows = pl.int_range(first_row, first_row + frame.height, dtype=pl.Int64)
    return frame.with_columns(rows.alias(ROW), *_no_flags())


def _unreadable(block: bytes, separator: str, keys: list[str], first_row: int) -> DomainError:
    """Why polars refused the block: not UTF-8, or the row whose quotes break it (bisected)."""
    try:
        block.decode("utf-8")
    except UnicodeDecodeError:
        return _not_utf8()
    ends = [0, *record_ends(block)]
    good, bad = 0, len(ends)  # block[:ends[good]] parses; the whole block does not
    while bad - good > 1:
        middle = (good + bad) // 2
        try:
            _read_block(block[: ends[middle]], separator, keys)
            good = middle
        except pl.exceptions.PolarsError:
            bad = middle
    return _bad_quotes(first_row + good)


def _not_utf8() -> DomainError:
    return DomainError(
        _("The .csv file is not UTF-8 text: save it as “CSV UTF-8” and try again."),
        field="file",
        code="not_utf8",
    )


def _bad_quotes(row: int) -> DomainError:
    return DomainError(
        _('Row %(row)s of the .csv file cannot be read: check its quotation marks (").')
        % {"row": row},
        field="file",
        code="bad_quotes",
    )


def _rechunk(frames: Iterator[pl.DataFrame], size: int) -> Iterator[pl.DataFrame]:
    """The rows of `frames` again, `size` at a time (the last chunk shorter). A frame is split
    where a chunk ends, never a chunk already joined: a slice holds its parent's buffers."""
    pending: list[pl.DataFrame] = []
    rows = 0
    for frame in frames:
        while rows + frame.height >= size:
            take = size - rows
            yield pl.concat([*pending, frame.head(take)])
            frame, pending, rows = frame.slice(take), [], 0
        pending.append(frame)
        rows += frame.height
    if rows:
        yield pl.concat(pending)


def _no_flags() -> list[pl.Expr]:
    return [pl.lit(False).alias(NUMERIC_NIK), pl.lit(False).alias(NUMERIC_KK)]


def cell_text(value: Any) -> str:
    """A calamine cell as the text Excel shows: 1.0 → `1`, a date cell → `1985-08-17`."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _open_xlsx(path: Path) -> Table:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    if {name.lower() for name in workbook.sheet_names} >= TEMPLATE_SHEETS:
        return _open_template(path)
    sheet = workbook.get_sheet_by_index(0)
    rows = sheet.iter_rows()
    header = [cell_text(v) for v in next(rows, [])]
    keys = unique_keys(header)
    first_row = (sheet.start or (0, 0))[0] + 2  # 1-based, after the header
    total = max(sheet.height - 1, 0)
    return Table(columns=header, total=total, chunks=_xlsx_chunks(rows, keys, first_row))


def _xlsx_chunks(
    rows: Iterator[list[Any]], keys: list[str], first_row: int
) -> Iterator[pl.DataFrame]:
    width, size = len(keys), chunk_rows()
    buffer: list[list[Any]] = []
    start = first_row
    for values in rows:
        if len(values) != width:
            values = list(values[:width]) + [None] * (width - len(values))
        buffer.append(values)
        if len(buffer) == size:
            yield _frame(buffer, keys, start)
            start += len(buffer)
            buffer = []
    if buffer:
        yield _frame(buffer, keys, start)


NUMBER_TYPES = {int, float}


def _text_column(cells: tuple[Any, ...]) -> pl.Series:
    """A column of calamine cells as text. Most columns hold only text (and blanks): those
    go to polars as they are; only a column with numbers or dates is converted cell by cell."""
    kinds = set(map(type, cells))
    if kinds <= {str, type(None)}:
        return pl.Series(cells, dtype=pl.String).fill_null("")
    return pl.Series([cell_text(v) for v in cells], dtype=pl.String)


def _numeric_flags(cells: tuple[Any, ...] | None) -> pl.Series:
    """Which cells hold a number (the Excel trap): bools are not numbers here."""
    if cells is None or not (set(map(type, cells)) & NUMBER_TYPES):
        return pl.Series([False] * (0 if cells is None else len(cells)), dtype=pl.Boolean)
    return pl.Series([type(v) in NUMBER_TYPES for v in cells], dtype=pl.Boolean)


def _frame(rows: list[list[Any]], keys: list[str], start: int) -> pl.DataFrame:
    columns = dict(zip(keys, zip(*rows, strict=True), strict=True))
    frame = pl.DataFrame([_text_column(columns[k]).alias(k) for k in keys])
    flags = {
        flag: _numeric_flags(columns.get(key))
        for flag, key in ((NUMERIC_NIK, "nomor_nik"), (NUMERIC_KK, "nomor_kk"))
    }
    return frame.with_columns(
        pl.Series(ROW, range(start, start + len(rows)), dtype=pl.Int64),
        *(
            series.alias(flag) if len(series) else pl.lit(False).alias(flag)
            for flag, series in flags.items()
        ),
    )


def _open_template(path: Path) -> Table:
    """The project's template: its reader flattens `keluarga` + `individu` into flat rows
    (with the person's status kawin, which the flat row lacks)."""
    from dtks.imports.columns import FLAT_COLUMNS
    from dtks.imports.template import read_template

    keys = [*FLAT_COLUMNS, "status_kawin"]

    def chunks() -> Iterator[pl.DataFrame]:
        # Cells are handed over raw: a numeric NIK/KK is the Excel trap, flagged by `_frame`.
        buffer: list[list[Any]] = []
        rows: list[int] = []
        size = chunk_rows()
        for number, flat in enumerate(read_template(path), start=2):
            rows.append(int(flat.get("baris") or number))
            buffer.append([flat.get(k) for k in keys])
            if len(buffer) == size:
                yield _frame(buffer, keys, 0).with_columns(pl.Series(ROW, rows, dtype=pl.Int64))
                buffer, rows = [], []
        if buffer:
            yield _frame(buffer, keys, 0).with_columns(pl.Series(ROW, rows, dtype=pl.Int64))

    return Table(columns=keys, total=0, chunks=chunks())
