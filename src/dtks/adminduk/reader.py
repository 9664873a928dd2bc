"""Reading a Dukcapil extract: CSV (`,`/`;`, with or without BOM) or the first sheet of an xlsx.

Columns (header names match whatever their case and spacing; the first alias found wins,
other columns are ignored):

| column | also accepted |
|---|---|
| `nik` | `nomor_nik`, `no_nik` |
| `no_kk` | `nomor_kk`, `nokk`, `no_kartu_keluarga` |
| `nama` | `nama_lgkp`, `nama_lengkap` |
| `tanggal_lahir` | `tgl_lhr`, `tgl_lahir` |
| `jenis_kelamin` | `jenis_klmin`, `jk` |
| `status_hidup` (optional: absent or empty = alive) | `status`, `stat_hidup` |

The file is read by the import's readers (`dtks.imports.readers`: every cell as text, the
row number Excel shows, CSV streamed in chunks) and its cells cleaned by the import's
normalisers (`dtks.imports.normalize`, `dtks.core.parsing`: the Excel trap on NIK/No. KK,
dates as people type them, `L/P`, `LAKI-LAKI/PEREMPUAN`, `1/2`). A row is rejected with its
row number, the field and why; so is every row of a NIK that appears more than once. Blank
rows are not data rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _

from dtks.core.errors import DomainError
from dtks.core.parsing import typed_sex
from dtks.imports import readers
from dtks.imports.normalize import (
    DATE,
    SEX_CODE,
    SHAPED,
    birth_date,
    field_problems,
    identity,
    identity_problems,
    sentence,
    text,
)
from dtks.imports.readers import NUMERIC_KK, NUMERIC_NIK, ROW, cell_text, unique_keys

ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "nomor_nik", "no_nik"),
    "no_kk": ("no_kk", "nomor_kk", "nokk", "no_kartu_keluarga"),
    "nama": ("nama", "nama_lgkp", "nama_lengkap"),
    "tanggal_lahir": ("tanggal_lahir", "tgl_lhr", "tgl_lahir"),
    "jenis_kelamin": ("jenis_kelamin", "jenis_klmin", "jk"),
    "status_hidup": ("status_hidup", "status", "stat_hidup"),
}
COLUMNS = tuple(ALIASES)
REQUIRED = COLUMNS[:5]
# The import's reader flags a numeric xlsx cell (the Excel trap) under the flat names.
FLAGGED = {"nik": "nomor_nik", "no_kk": "nomor_kk"}
ALIVE = ("HIDUP", "1", "")
DIED = ("MENINGGAL", "MENINGGAL DUNIA", "MATI", "WAFAT", "2")
STATUS = {**dict.fromkeys(ALIVE, False), **dict.fromkeys(DIED, True)}
DIED_FLAG = "__died"
TYPED = ("tanggal_lahir", "jenis_kelamin")  # checked as the import checks them
OUTPUT = {
    "row": pl.Int64,
    "nik": pl.String,
    "no_kk": pl.String,
    "nama": pl.String,
    "birth_date": pl.Date,
    "sex": pl.Int8,
    "died": pl.Boolean,
}
REJECTION = {"row": pl.Int64, "field": pl.String, "message": pl.String}
Progress = Callable[[int, int], None]


@dataclass
class Extract:
    """The readable rows (`OUTPUT` columns, one per NIK) and the rejections (one per problem:
    row, field, message). `total` counts data rows: read + rejected rows = total."""

    rows: pl.DataFrame
    rejections: pl.DataFrame
    total: int

    @property
    def rejected(self) -> int:
        return self.rejections["row"].n_unique() if self.rejections.height else 0


def choose_columns(header: list[str]) -> dict[str, int]:
    """column → position in the header; refuses a file without the required columns."""
    keys = unique_keys(header)
    chosen: dict[str, int] = {}
    for column, names in ALIASES.items():
        found = next((keys.index(n) for n in names if n in keys), None)
        if found is not None:
            chosen[column] = found
    if missing := [c for c in REQUIRED if c not in chosen]:
        raise DomainError(
            _("The file lacks required columns: %(columns)s.") % {"columns": ", ".join(missing)},
            field="file",
            code="missing_columns",
        )
    return chosen


def _open(path: Path) -> tuple[int, Iterator[pl.DataFrame]]:
    """(row estimate, chunks with the `COLUMNS` present, `__row` and the numeric flags)."""
    if path.suffix.lower() == ".xlsx":
        return _open_xlsx(path)
    table = readers.open_table(path)
    chosen = choose_columns(table.columns)
    keys = unique_keys(table.columns)
    names = {keys[i]: column for column, i in chosen.items()}
    chunks = (c.select(*names, ROW, NUMERIC_NIK, NUMERIC_KK).rename(names) for c in table.chunks)
    return table.total, chunks


def _open_xlsx(path: Path) -> tuple[int, Iterator[pl.DataFrame]]:
    """The first sheet, its identity columns named as the import's reader flags them."""
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    rows = sheet.iter_rows()
    chosen = choose_columns([cell_text(v) for v in next(rows, [])])
    by_position = {i: FLAGGED.get(column, column) for column, i in chosen.items()}
    width = max(chosen.values()) + 1
    keys = [by_position.get(i, f"__extra_{i}") for i in range(width)]
    first_row = (sheet.start or (0, 0))[0] + 2  # 1-based, after the header
    back = {flat: column for column, flat in FLAGGED.items() if column in chosen}
    chunks = (
        c.select(*by_position.values(), ROW, NUMERIC_NIK, NUMERIC_KK).rename(back)
        # `_xlsx_chunks` is the import reader's own sheet-to-frames step: rows cut or padded
        # to the header's width, cells as the text Excel shows, numeric NIK/KK cells flagged.
        for c in readers._xlsx_chunks(rows, keys, first_row)
    )
    return max(sheet.height - 1, 0), chunks


def _cleaned(chunk: pl.DataFrame) -> pl.DataFrame:
    missing = [pl.lit("").alias(c) for c in COLUMNS if c not in chunk.columns]
    chunk = chunk.with_columns(missing)
    chunk = chunk.with_columns(
        identity("nik"), identity("no_kk"), *(text(c) for c in COLUMNS[2:])
    ).filter(pl.any_horizontal(pl.col(c) != "" for c in COLUMNS))
    # A million rows hold a few tens of thousands of distinct dates: each is parsed once.
    dates = chunk.select(pl.col("tanggal_lahir").unique())
    date, shaped = birth_date("tanggal_lahir")
    dates = dates.with_columns(date.alias(DATE), shaped.alias(SHAPED))
    status = pl.col("status_hidup").str.to_uppercase()
    return chunk.join(dates, on="tanggal_lahir", how="left", maintain_order="left").with_columns(
        typed_sex(pl.col("jenis_kelamin")).alias(SEX_CODE),
        status.replace_strict(STATUS, default=None, return_dtype=pl.Boolean).alias(DIED_FLAG),
    )


def problems(today: dt.date) -> list[tuple[str, pl.Expr, pl.Expr]]:
    """(field, failed, message) for every check a row can fail on its own: the import's own
    checks of NIK, No. KK, date of birth and sex, with the same messages."""
    found = [
        (c, pl.col(c) == "", pl.lit(_("%(column)s must be filled in.") % {"column": c}))
        for c in ("nik", "no_kk", "nama")
    ]
    found += identity_problems("nik", NUMERIC_NIK, _("NIK"))
    found += identity_problems("no_kk", NUMERIC_KK, _("No. KK"))
    found += [p for p in field_problems(set(TYPED), today) if p[0] in TYPED]
    found.append(
        (
            "status_hidup",
            pl.col(DIED_FLAG).is_null(),
            pl.lit(_("status_hidup must be HIDUP or MENINGGAL (also MATI, WAFAT, 1 or 2).")),
        )
    )
    return found


def _split(chunk: pl.DataFrame, checks: list) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(readable rows in `OUTPUT` form, rejections of the others)."""
    failed = pl.any_horizontal(f.fill_null(False) for _field, f, _message in checks)
    chunk = chunk.with_columns(failed.alias("__bad"))
    bad = chunk.filter(pl.col("__bad"))
    rejections = [
        bad.filter(f.fill_null(False)).select(
            pl.col(ROW).alias("row"), pl.lit(field).alias("field"), message.alias("message")
        )
        for field, f, message in checks
    ]
    good = chunk.filter(~pl.col("__bad")).select(
        pl.col(ROW).alias("row"),
        "nik",
        "no_kk",
        "nama",
        pl.col(DATE).alias("birth_date"),
        pl.col(SEX_CODE).alias("sex"),
        pl.col(DIED_FLAG).alias("died"),
    )
    return good, pl.concat([pl.DataFrame(schema=REJECTION), *rejections])


def _duplicates(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every row of a NIK written more than once is rejected, naming another of its rows:
    which of them Dukcapil means is unknown."""
    repeated = rows["nik"].is_duplicated()
    if not repeated.any():
        return rows, pl.DataFrame(schema=REJECTION)
    twice = rows.filter(repeated).select("row", "nik")
    others = twice.group_by("nik").agg(pl.col("row").sort().head(2).alias("__rows"))
    twice = twice.join(others, on="nik").with_columns(
        pl.when(pl.col("__rows").list.first() == pl.col("row"))
        .then(pl.col("__rows").list.last())
        .otherwise(pl.col("__rows").list.first())
        .alias("__other")
    )
    message = sentence(_("NIK also appears in row %(row)s of this file."), row=pl.col("__other"))
    rejected = twice.select("row", pl.lit("nik").alias("field"), message.alias("message"))
    return rows.filter(~repeated), rejected


def read_extract(path: Path, *, today: dt.date, progress: Progress | None = None) -> Extract:
    """Every data row of the extract read or rejected (see the module docstring)."""
    estimate, chunks = _open(Path(path))
    checks = problems(today)
    good: list[pl.DataFrame] = [pl.DataFrame(schema=OUTPUT)]
    rejected: list[pl.DataFrame] = [pl.DataFrame(schema=REJECTION)]
    total = 0
    for chunk in chunks:
        cleaned = _cleaned(chunk)
        total += cleaned.height
        rows, refused = _split(cleaned, checks)
        good.append(rows)
        rejected.append(refused)
        if progress:
            progress(total, max(estimate, total))
    rows, twice = _duplicates(pl.concat(good))
    rejections = pl.concat([*rejected, twice]).sort("row", maintain_order=True)
    return Extract(rows=rows, rejections=rejections, total=total)
