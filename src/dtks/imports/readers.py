"""Reading an uploaded file as text, in chunks: CSV, a flat xlsx sheet, or the project template.

Every cell comes back as the text the user typed (no type guessing), with the sheet row
number a user sees in Excel (`__row`, header = row 1). The one exception is the Excel trap:
an xlsx NIK/No. KK cell that holds a number is flagged (`__numeric_nik`, `__numeric_kk`),
because Excel has already rounded it to 15 significant digits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings

ROW = "__row"
NUMERIC_NIK = "__numeric_nik"
NUMERIC_KK = "__numeric_kk"
TEMPLATE_SHEETS = {"keluarga", "individu"}


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


def _sniff_separator(path: Path) -> str:
    with path.open("rb") as handle:
        first = handle.readline().decode("utf-8-sig", errors="replace")
    return ";" if first.count(";") > first.count(",") else ","


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            count += block.count(b"\n")
    return max(count - 1, 0)


def _open_csv(path: Path) -> Table:
    separator = _sniff_separator(path)
    header = pl.read_csv(path, separator=separator, n_rows=0, infer_schema=False).columns
    keys = unique_keys(header)
    scan = pl.scan_csv(
        path,
        separator=separator,
        infer_schema=False,
        new_columns=keys,
        row_index_name=ROW,
        row_index_offset=2,
        truncate_ragged_lines=True,
        encoding="utf8",
    )
    chunks = (
        chunk.with_columns(pl.col(ROW).cast(pl.Int64), *_no_flags())
        for chunk in scan.collect_batches(chunk_size=chunk_rows())
    )
    return Table(columns=list(header), total=_count_lines(path), chunks=chunks)


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
    numeric = {keys.index(k): k for k in ("nomor_nik", "nomor_kk") if k in keys}
    width = len(keys)
    buffer: list[list[str]] = []
    flags: list[tuple[bool, bool]] = []
    start = first_row
    for values in rows:
        values = list(values[:width]) + [None] * (width - len(values))
        flags.append(tuple(isinstance(values[i], (int, float)) for i in _flag_order(numeric)))
        buffer.append([cell_text(v) for v in values])
        if len(buffer) == chunk_rows():
            yield _frame(buffer, flags, keys, start)
            start += len(buffer)
            buffer, flags = [], []
    if buffer:
        yield _frame(buffer, flags, keys, start)


def _flag_order(numeric: dict[int, str]) -> list[int]:
    """Column indexes of nomor_nik then nomor_kk (-1 when absent, never numeric)."""
    by_key = {k: i for i, k in numeric.items()}
    return [by_key.get("nomor_nik", -1), by_key.get("nomor_kk", -1)]


def _frame(
    rows: list[list[str]], flags: list[tuple[bool, ...]], keys: list[str], start: int
) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=dict.fromkeys(keys, pl.String), orient="row")
    return frame.with_columns(
        pl.Series(ROW, range(start, start + len(rows)), dtype=pl.Int64),
        pl.Series(NUMERIC_NIK, [f[0] for f in flags], dtype=pl.Boolean),
        pl.Series(NUMERIC_KK, [f[1] for f in flags], dtype=pl.Boolean),
    )


def _open_template(path: Path) -> Table:
    """The project's template: its reader flattens `keluarga` + `individu` into flat rows."""
    from dtks.imports.columns import FLAT_COLUMNS
    from dtks.imports.template import read_template

    keys = list(FLAT_COLUMNS)

    def chunks() -> Iterator[pl.DataFrame]:
        buffer: list[list[str]] = []
        rows: list[int] = []
        flags: list[tuple[bool, ...]] = []
        for number, flat in enumerate(read_template(path), start=2):
            rows.append(int(flat.get("baris") or number))
            # The template hands numbers over raw: a numeric NIK/KK is the Excel trap.
            flags.append(tuple(_is_number(flat.get(k)) for k in ("nomor_nik", "nomor_kk")))
            buffer.append([cell_text(flat.get(k)) for k in keys])
            if len(buffer) == chunk_rows():
                yield _frame(buffer, flags, keys, 0).with_columns(
                    pl.Series(ROW, rows, dtype=pl.Int64)
                )
                buffer, rows, flags = [], [], []
        if buffer:
            yield _frame(buffer, flags, keys, 0).with_columns(pl.Series(ROW, rows, dtype=pl.Int64))

    return Table(columns=keys, total=0, chunks=chunks())


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
