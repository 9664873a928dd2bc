"""Reading a flat DTKS exchange file (CSV or xlsx) into the engine's person table.

The flat row (DOMAIN.md §5) names its columns `iddtks, provinsi, …, nomor_nik, nama, …`; the
engine wants `id, nik, no_kk, name, birth_date, birth_place, mother_name, desa_code, address,
sex`. `iddtks` is required (it names the records in the pairs); any other column may be
missing and is then unknown for every record. Header cells match whatever their case and
spacing (`Nomor NIK` = `nomor_nik`).

This reader is linkage's own, not `dtks.imports.readers`: linkage sits below imports in the
layers (imports and verification may call the engine, not the reverse), and it needs far less
(no row numbers or staging, the whole file at once, since every record is compared with every
other). A NIK or No. KK that Excel holds as a number has lost its last digits: it is read as
unknown rather than used as evidence.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _

from dtks.core.errors import DomainError

ID_COLUMN = "iddtks"
REGION_COLUMNS = ("provinsi", "kabupaten_kota", "kecamatan", "desa_kelurahan")
# The engine's column ← the flat column it is read from.
FLAT_TO_PERSON = {
    "id": ID_COLUMN,
    "nik": "nomor_nik",
    "no_kk": "nomor_kk",
    "name": "nama",
    "birth_date": "tanggal_lahir",
    "birth_place": "tempat_lahir",
    "mother_name": "nama_ibu_kandung",
    "address": "alamat",
    "sex": "jenis_kelamin",
}
NUMBER_COLUMNS = ("nomor_nik", "nomor_kk")


def column_key(name: object) -> str:
    """`Nomor NIK ` → `nomor_nik`."""
    return "_".join(str(name or "").strip().lower().replace("-", " ").split())


def read_flat_file(path: Path) -> pl.DataFrame:
    """The file's persons as the engine's table (every column text, `desa_code` built from the
    region names); a `DomainError` with a message for the user when it cannot be used."""
    if not path.is_file():
        raise DomainError(_("File not found: %(path)s") % {"path": path}, code="not_found")
    if path.stat().st_size == 0:
        raise DomainError(_("The file is empty."), code="empty")
    raw = _read_xlsx(path) if path.suffix.lower() == ".xlsx" else _read_csv(path)
    if ID_COLUMN not in raw.columns:
        raise DomainError(
            _("The file has no “iddtks” column: the pairs name each row by its ID DTKS."),
            code="no_id",
        )
    return _check_ids(_person_table(raw))


def _read_csv(path: Path) -> pl.DataFrame:
    with path.open("rb") as handle:
        first = handle.readline()
    try:
        header_line = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _not_utf8() from None
    separator = ";" if header_line.count(";") > header_line.count(",") else ","
    header = next(csv.reader(io.StringIO(header_line), delimiter=separator), [])
    keys = _unique_keys(header)
    wanted = [k for k in keys if k in {*FLAT_TO_PERSON.values(), *REGION_COLUMNS}]
    try:
        return (
            pl.scan_csv(
                path,
                separator=separator,
                infer_schema=False,
                truncate_ragged_lines=True,
                encoding="utf8",
                with_column_names=lambda _names: keys,
            )
            .select(wanted)
            .collect()
        )
    except pl.exceptions.ComputeError as exc:
        if "utf-8" in str(exc).lower() or "utf8" in str(exc).lower():
            raise _not_utf8() from None
        raise DomainError(
            _("The .csv file cannot be read: %(reason)s") % {"reason": str(exc).splitlines()[0]},
            code="unreadable",
        ) from None


def _unique_keys(header: list[str]) -> list[str]:
    keys: list[str] = []
    for i, name in enumerate(header):
        key = column_key(name) or f"kolom_{i + 1}"
        while key in keys:
            key += "_"
        keys.append(key)
    return keys


def _read_xlsx(path: Path) -> pl.DataFrame:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    if not rows:
        raise DomainError(_("The file is empty."), code="empty")
    keys = _unique_keys([str(v or "") for v in rows[0]])
    width = len(keys)
    columns: dict[str, list[str | None]] = {}
    for i, key in enumerate(keys):
        if key not in {*FLAT_TO_PERSON.values(), *REGION_COLUMNS}:
            continue
        number_trap = key in NUMBER_COLUMNS
        columns[key] = [
            _cell(row[i] if i < len(row) else None, number_trap) for row in rows[1:] if width
        ]
    return pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))


def _cell(value: object, number_trap: bool) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if number_trap:
            return None  # Excel kept 15 significant digits of a 16-digit number
        return str(int(value)) if float(value).is_integer() else str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def _person_table(raw: pl.DataFrame) -> pl.DataFrame:
    """The flat columns renamed to the engine's; region names joined into one desa key
    (`BENGKULU TENGAH.KARANG TINGGI.TALANG PAUH`), so a desa name found in two kecamatan
    stays two desa, and the kecamatan is the key without its last part."""
    from .features import by_value
    from .normalize import place_norm

    def text(column: str) -> pl.Expr:
        return pl.col(column) if column in raw.columns else pl.lit(None, dtype=pl.String)

    regions = [c for c in REGION_COLUMNS if c in raw.columns]
    if "desa_kelurahan" in regions:
        parts = [by_value(raw[c], place_norm).fill_null("") for c in regions]
        desa = pl.concat_str(parts, separator=".")
    else:
        desa = pl.lit(None, dtype=pl.String)
    return raw.select(
        *(text(flat).alias(column) for column, flat in FLAT_TO_PERSON.items()),
        desa.alias("desa_code"),
    )


def _check_ids(persons: pl.DataFrame) -> pl.DataFrame:
    ids = persons["id"].str.strip_chars()
    missing = ids.is_null() | (ids == "")
    if missing.any():
        rows = ", ".join(str(i + 2) for i in missing.arg_true().head(5).to_list())
        raise DomainError(
            _("Rows without an iddtks: %(rows)s. Every row needs its ID DTKS.") % {"rows": rows},
            code="missing_id",
        )
    repeated = ids.filter(ids.is_duplicated()).unique(maintain_order=True)
    if len(repeated):
        raise DomainError(
            _("The iddtks %(ids)s appears more than once: each row needs its own ID DTKS.")
            % {"ids": ", ".join(repeated.head(5).to_list())},
            code="repeated_id",
        )
    return persons.with_columns(ids.alias("id"))


def _not_utf8() -> DomainError:
    return DomainError(
        _("The .csv file is not UTF-8 text: save it as “CSV UTF-8” and try again."),
        code="not_utf8",
    )
