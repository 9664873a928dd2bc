"""The error report: the rejected rows as the user wrote them, plus `baris` and `alasan`.

The rows are read again from the stored file, so every original column comes back with its
original text (extra columns too), ready to fix and upload again; `baris` and `alasan` are
ignored by the importer as extra columns.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from dtks.core.spreadsheet import safe_text, xlsx_identity_cell, xlsx_text_cell

from .columns import REASON_COLUMN, ROW_COLUMN
from .models import ImportBatch, Outcome
from .readers import ROW, column_key, open_table, unique_keys

IDENTITY_KEYS = {"nomor_nik", "nomor_kk"}


def _batch(batch_or_result: Any) -> ImportBatch:
    if isinstance(batch_or_result, ImportBatch):
        return batch_or_result
    return ImportBatch.objects.get(pk=batch_or_result.batch_id)


def rejected_rows(batch: ImportBatch) -> Iterator[tuple[list[str], list[str]]]:
    """(header, values) of each rejected row in file order, values as text plus baris, alasan."""
    reasons = dict(
        batch.rows.filter(outcome=Outcome.REJECTED).values_list("row", "reason").order_by("row")
    )
    table = open_table(Path(batch.stored_path))
    keys = unique_keys(table.columns)
    kept = [i for i, k in enumerate(keys) if k not in (ROW_COLUMN, REASON_COLUMN)]
    header = [table.columns[i] for i in kept] + [ROW_COLUMN, REASON_COLUMN]
    yield header, []
    if not reasons:
        return
    for chunk in table.chunks:
        wanted = chunk.filter(chunk[ROW].is_in(list(reasons)))
        for record in wanted.iter_rows(named=True):
            values = ["" if record[keys[i]] is None else str(record[keys[i]]) for i in kept]
            yield header, [*values, str(record[ROW]), reasons[record[ROW]]]


def write_report(batch_or_result: Any, out_path: Path) -> int:
    """Write the error report (xlsx or csv by the extension); returns the rows written."""
    batch = _batch(batch_or_result)
    out_path = Path(out_path)
    rows = rejected_rows(batch)
    header, _none = next(rows)
    if out_path.suffix.lower() == ".xlsx":
        return _write_xlsx(out_path, header, rows)
    return _write_csv(out_path, header, rows)


def _write_csv(out_path: Path, header: list[str], rows: Iterator[Any]) -> int:
    count = 0
    with out_path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow([safe_text(h) for h in header])
        for _header, values in rows:
            writer.writerow([safe_text(v) for v in values])
            count += 1
    return count


def _write_xlsx(out_path: Path, header: list[str], rows: Iterator[Any]) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("perbaikan")
    identity = {i for i, h in enumerate(header) if column_key(h) in IDENTITY_KEYS}
    sheet.append([xlsx_text_cell(sheet, h) for h in header])
    count = 0
    for _header, values in rows:
        sheet.append(
            [
                xlsx_identity_cell(sheet, v) if i in identity else xlsx_text_cell(sheet, v)
                for i, v in enumerate(values)
            ]
        )
        count += 1
    workbook.save(out_path)
    return count
