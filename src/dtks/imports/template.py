"""The offline template workbook: a village operator fills it in Excel and uploads it later.

`build_template(desa)` writes sheets `petunjuk` (instructions, the desa's region names),
`keluarga` (one row per family) and `individu` (one row per person, linked by `nomor_kk`), plus a
hidden `kode` sheet holding the dropdown lists ("code - label") and the desa the template is for.
Headers are locked and frozen (sheet protection without a password: it guards against slips, not
against people); NIK/No. KK, RT/RW and dates are Text columns, so Excel cannot turn a NIK into
`3.20123E+15` or `001` into `1`.

`read_template(path)` turns a filled template back into flat exchange rows for the importer.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from dtks.registry import choices as c
from dtks.wilayah.models import Region

from .columns import FLAT_COLUMNS

FAMILY_SHEET, PERSON_SHEET, HELP_SHEET, CODE_SHEET = "keluarga", "individu", "petunjuk", "kode"
TEXT = "@"
SEPARATOR = " - "
FAMILY_ROWS, PERSON_ROWS = 2000, 6000  # rows carrying the dropdowns
SEX_LETTERS = {c.Sex.MALE: "L", c.Sex.FEMALE: "P"}

# Regsosek 2022 block 3 (housing): template column → Family field and its codes.
HOUSING: dict[str, tuple[str, type[models.IntegerChoices] | None]] = {
    "status_bangunan": ("tenure", c.Tenure),
    "luas_lantai": ("floor_area", None),
    "jenis_lantai": ("floor", c.Floor),
    "jenis_dinding": ("wall", c.Wall),
    "jenis_atap": ("roof", c.Roof),
    "sumber_air_minum": ("drinking_water", c.DrinkingWater),
    "sumber_penerangan": ("lighting", c.Lighting),
    "daya_listrik": ("power", c.Power),
    "bahan_bakar_memasak": ("cooking_fuel", c.CookingFuel),
    "fasilitas_bab": ("toilet", c.Toilet),
    "pembuangan_tinja": ("sewage", c.Sewage),
}
FAMILY_COLUMNS = ("nomor_kk", "alamat", "dusun", "rt", "rw", *HOUSING)
PERSON_COLUMNS = (
    "nomor_kk", "nomor_nik", "nama", "tanggal_lahir", "tempat_lahir", "jenis_kelamin",
    "nama_ibu_kandung", "hubungan_keluarga", "status_kawin",
)  # fmt: skip
TEXT_COLUMNS = {"nomor_kk", "nomor_nik", "rt", "rw", "tanggal_lahir"}
PERSON_CODES: dict[str, type[models.IntegerChoices]] = {
    "jenis_kelamin": c.Sex,
    "hubungan_keluarga": c.Relationship,
    "status_kawin": c.MaritalStatus,
}
# The hidden `kode` sheet: the template's desa in A1:B7, the lists from column D on.
META_KEYS = ("kode_wilayah", *FLAT_COLUMNS[1:5], "tahun_data")
FIRST_LIST_COLUMN = 4

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="305496")
UNLOCKED = Protection(locked=False)


def _options(column: str, choices: type[models.IntegerChoices]) -> list[str]:
    """Dropdown entries `code - label`; sex uses the letters the exchange format knows."""
    if column == "jenis_kelamin":
        return [f"{SEX_LETTERS[code]}{SEPARATOR}{label}" for code, label in choices.choices]
    return [f"{code}{SEPARATOR}{label}" for code, label in choices.choices]


def _code_lists() -> dict[str, list[str]]:
    lists = {col: _options(col, ch) for col, (_f, ch) in HOUSING.items() if ch is not None}
    lists.update({col: _options(col, ch) for col, ch in PERSON_CODES.items()})
    return lists


def _meta(desa: Region) -> list[tuple[str, str]]:
    names = dict(Region.objects.filter(code__in=desa.ancestor_codes()).values_list("code", "name"))
    regions = [names.get(code, "") for code in desa.ancestor_codes()]
    return list(zip(META_KEYS, [desa.code, *regions, str(settings.DTKS_CURRENT_YEAR)], strict=True))


def _write_code_sheet(book: Workbook, meta: list[tuple[str, str]]) -> dict[str, str]:
    """Fill the hidden `kode` sheet; return each coded column's list range for validations."""
    sheet = book.create_sheet(CODE_SHEET)
    for key, value in meta:
        sheet.append([key, value])
    ranges = {}
    for offset, (column, options) in enumerate(_code_lists().items()):
        letter = get_column_letter(FIRST_LIST_COLUMN + offset)
        sheet[f"{letter}1"] = column
        for row, option in enumerate(options, start=2):
            sheet[f"{letter}{row}"] = option
        ranges[column] = f"{CODE_SHEET}!${letter}$2:${letter}${len(options) + 1}"
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True
    return ranges


def _write_data_sheet(
    book: Workbook, title: str, columns: tuple[str, ...], ranges: dict[str, str], rows: int
) -> Worksheet:
    """A data sheet: locked, frozen header; unlocked data columns; dropdowns; Text columns."""
    sheet = book.create_sheet(title)
    sheet.append(list(columns))
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index)
        header.font, header.fill = HEADER_FONT, HEADER_FILL
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(14, len(column) + 4)
        dimension.protection = UNLOCKED
        if column in TEXT_COLUMNS:
            dimension.number_format = TEXT
            dimension.width = max(dimension.width, 20)
        if column in ranges:
            _add_dropdown(sheet, ranges[column], f"{letter}2:{letter}{rows + 1}")
    sheet.freeze_panes = "A2"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False  # widening a column stays allowed
    return sheet


def _add_dropdown(sheet: Worksheet, source: str, cells: str) -> None:
    rule = DataValidation(type="list", formula1=source, allow_blank=True)
    rule.error = _("Choose a value from the list.")
    rule.errorTitle = _("Invalid value")
    rule.showErrorMessage = True
    rule.add(cells)
    sheet.add_data_validation(rule)


def _help_lines(meta: list[tuple[str, str]]) -> list[tuple[str, str]]:
    region = dict(meta)
    return [
        (_("DTKS data entry template"), ""),
        (_("Province"), region["provinsi"]),
        (_("Kabupaten/city"), region["kabupaten_kota"]),
        (_("Kecamatan"), region["kecamatan"]),
        (_("Desa/kelurahan"), f"{region['desa_kelurahan']} ({region['kode_wilayah']})"),
        ("", ""),
        (_("How to fill it in"), ""),
        ("1.", _("Sheet keluarga: one row per family (one Kartu Keluarga).")),
        ("2.", _("Sheet individu: one row per person; nomor_kk links the person to the family.")),
        ("3.", _("NIK and No. KK: 16 digits, typed as text. Do not change the column format.")),
        (
            "4.",
            _(
                "Excel keeps only 15 digits of a number: a NIK pasted as a number becomes "
                "3201234567890120 and is rejected. Paste with “Paste Special > Values” into "
                "these Text columns, or type an apostrophe before the number."
            ),
        ),
        ("5.", _("Dates: DD-MM-YYYY, for example 17-08-1985.")),
        ("6.", _("RT and RW: as on the KK, for example 001.")),
        ("7.", _("Coded columns: choose from the dropdown list (code - description).")),
        ("8.", _("The header row is locked; do not rename or move the columns.")),
        ("9.", _("Upload the filled workbook on the import page of dtks.")),
    ]


def _write_help_sheet(sheet: Worksheet, meta: list[tuple[str, str]]) -> None:
    sheet.title = HELP_SHEET
    for line in _help_lines(meta):
        sheet.append(line)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A7"].font = Font(bold=True)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 100
    for row in sheet.iter_rows(min_row=8):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    sheet.protection.sheet = True


def build_template(desa: Region) -> bytes:
    """The template workbook for `desa`, as xlsx bytes (labels in the active language)."""
    meta = _meta(desa)
    book = Workbook()
    _write_help_sheet(book.active, meta)
    ranges = _write_code_sheet(book, meta)
    _write_data_sheet(book, FAMILY_SHEET, FAMILY_COLUMNS, ranges, FAMILY_ROWS)
    _write_data_sheet(book, PERSON_SHEET, PERSON_COLUMNS, ranges, PERSON_ROWS)
    book.move_sheet(CODE_SHEET, offset=2)  # petunjuk, keluarga, individu, then the hidden kode
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# Reading a filled template ----------------------------------------------------------------------


@dataclass
class _Sheet:
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]  # (sheet row number, cells)


def _open(workbook: Any, name: str) -> _Sheet:
    sheet = workbook.get_sheet_by_name(name)
    first = (sheet.start or (0, 0))[0] + 1
    rows = sheet.iter_rows()
    header = [str(v or "").strip().lower() for v in next(rows, [])]
    return _Sheet(header, ((first + i, r) for i, r in enumerate(rows, start=1)))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_record(sheet: _Sheet, cells: list[Any]) -> dict[str, Any]:
    return {
        name: value.strip() if isinstance(value, str) else value
        for name, value in zip(sheet.header, cells, strict=False)
        if name
    }


def _key(value: Any) -> str:
    """A No. KK as a join key between the two sheets, however Excel typed it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value or "").strip()


def _code(value: Any) -> str:
    """`3 - Seng` → `3`; a value typed without the dropdown stays as it is."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value or "").strip()
    return text.split(SEPARATOR, 1)[0].strip() if SEPARATOR in text else text


def _relationship(value: Any) -> str:
    """A dropdown entry becomes the Indonesian label the flat format uses (`Kepala keluarga`)."""
    code = _code(value)
    if code.isdigit() and int(code) in c.Relationship.values:
        with translation.override("id"):
            return str(c.Relationship(int(code)).label)
    return code


def _families(workbook: Any) -> dict[str, dict[str, Any]]:
    sheet = _open(workbook, FAMILY_SHEET)
    families = {}
    for _number, cells in sheet.rows:
        record = _as_record(sheet, cells)
        if all(_blank(v) for v in record.values()):
            continue
        for column in HOUSING:
            if column in record and HOUSING[column][1] is not None:
                record[column] = _code(record[column])
        families.setdefault(_key(record.get("nomor_kk")), record)
    return families


def _flat_row(
    number: int, person: dict[str, Any], family: dict[str, Any], meta: dict[str, Any]
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "iddtks": "",
        **{k: meta.get(k, "") for k in FLAT_COLUMNS[1:5]},
        **{k: family.get(k, "") for k in ("alamat", "dusun", "rt", "rw")},
        **{k: person.get(k, "") for k in ("nomor_kk", "nomor_nik", "nama", "tanggal_lahir")},
        "tempat_lahir": person.get("tempat_lahir", ""),
        "jenis_kelamin": _code(person.get("jenis_kelamin")),
        "nama_ibu_kandung": person.get("nama_ibu_kandung", ""),
        "hubungan_keluarga": _relationship(person.get("hubungan_keluarga")),
        "tahun_data": meta.get("tahun_data", ""),
    }
    row["baris"] = number
    row["status_kawin"] = _code(person.get("status_kawin"))
    row.update({k: family.get(k, "") for k in HOUSING})
    return row


def read_template(path: Path | str) -> Iterator[dict[str, Any]]:
    """Flat exchange rows from a filled template, one per non-blank `individu` row.

    Each dict has every `FLAT_COLUMNS` key; region names and `tahun_data` come from the
    template's desa (the hidden `kode` sheet), `alamat`/`dusun`/`rt`/`rw` from the `keluarga` row
    with the same `nomor_kk`. `baris` is the row number in the `individu` sheet. Extra keys:
    `status_kawin` (code) and the housing columns of `HOUSING` (codes), for a reader that uses them.

    Cells keep the type calamine gives them: text as `str`, a date cell as a `date`/`datetime`,
    and a number as the raw `int`/`float`. That is deliberate: a NIK or No. KK arriving as a
    number was already rounded by Excel (15 significant digits), and the import engine must see
    the number to reject it with its fix rather than a plausible wrong NIK.
    """
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    meta = {str(k): v for k, v, *_rest in workbook.get_sheet_by_name(CODE_SHEET).to_python()}
    meta = {k: _code(v) if k == "tahun_data" else v for k, v in meta.items() if k in META_KEYS}
    families = _families(workbook)
    sheet = _open(workbook, PERSON_SHEET)
    for number, cells in sheet.rows:
        person = _as_record(sheet, cells)
        if all(_blank(v) for v in person.values()):
            continue
        family = families.get(_key(person.get("nomor_kk")), {})
        yield _flat_row(number, person, family, meta)
