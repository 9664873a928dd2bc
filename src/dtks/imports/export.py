"""Export of the registry in the flat DTKS exchange format (DOMAIN.md §5) plus its status.

One row per current member of each family the user may see, in `EXPORT_COLUMNS` order, written
so that the importer reads it back as the same registry (export → import is the identity):
region names as `Region.name` (the kabupaten/kota with its `Kab.`/`Kota` prefix), dates
`dd-mm-yyyy` (the importer's `17-08-1985`; in xlsx a real date cell shown that way), sex `L`/`P`,
relationship as its Indonesian label.

Memory stays flat in the registry's size: memberships are read with `.iterator()` in chunks,
the region names and each chunk's open findings come in bulk (two queries per chunk, none per
row), CSV is written row by row and xlsx through openpyxl's write-only mode.

NIK/No. KK are masked (`170901**********`) in the desa where the user may not see them
(`accounts.scope.can_view_identity`); such a file cannot be imported back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from django.apps import apps
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from openpyxl.cell import WriteOnlyCell

from dtks.accounts.scope import can_view_identity, mask_identity
from dtks.audit.record import Change, record_access, record_event
from dtks.core.spreadsheet import DANGEROUS_FIRST, safe_text, xlsx_identity_cell, xlsx_text_cell
from dtks.registry import choices as c
from dtks.registry.models import Family, Membership
from dtks.wilayah.models import Level, Region

from .columns import EXPORT_COLUMNS

if TYPE_CHECKING:
    from dtks.accounts.models import User

CHUNK = 2000
DATE_FORMAT = "%d-%m-%Y"  # the importer reads `17-08-1985`
XLSX_DATE_FORMAT = "DD-MM-YYYY"
SEX_CODES = {c.Sex.MALE: "L", c.Sex.FEMALE: "P"}
YES, NO = "ya", "tidak"
ACTIVE, INACTIVE = "aktif", "nonaktif"
FORMATS = ("csv", "xlsx")
IDENTITY_COLUMNS = {EXPORT_COLUMNS.index("nomor_kk"), EXPORT_COLUMNS.index("nomor_nik")}
DATE_COLUMN = EXPORT_COLUMNS.index("tanggal_lahir")

MEMBER_FIELDS = (
    "person__id_dtks", "family__desa_id", "family__address", "family__dusun", "family__rt",
    "family__rw", "family__no_kk", "person__nik", "person__name", "person__birth_date",
    "person__birth_place", "person__sex", "person__mother_name", "relationship",
    "family__data_year", "person__status", "family__status", "person_id", "family_id",
)  # fmt: skip


def scoped_families(
    by: User | None, wilayah: str | None = None, families: QuerySet[Family] | None = None
) -> QuerySet[Family]:
    """The families an export may contain: `families` (default all) within the user's areas
    (everything for the system, `by=None`) and within `wilayah` when given."""
    qs = families if families is not None else Family.objects.all()
    if by is not None:
        qs = qs.filter(pk__in=Family.objects.visible_to(by).values("pk"))
    if wilayah:
        qs = qs.in_wilayah(wilayah)
    return qs


def _memberships(families: QuerySet[Family]) -> Iterator[tuple]:
    current = Membership.objects.filter(end_date__isnull=True, family__in=families.values("pk"))
    ordered = current.order_by("family__desa_id", "family_id", "relationship", "id")
    return ordered.values_list(*MEMBER_FIELDS).iterator(chunk_size=CHUNK)


def _region_names(families: QuerySet[Family]) -> dict[str, str]:
    """Names of every region above the exported families' desa, in two queries.

    The kabupaten/kota carries its kind (`Kab. Bogor`, `Kota Bogor`): the one level where two
    siblings often share a name, and the importer takes the prefix as the tie-breaker.
    """
    desa_codes = set(families.order_by().values_list("desa_id", flat=True).distinct())
    codes = {code for desa in desa_codes for code in Region(code=desa).ancestor_codes()}
    regions = Region.objects.filter(code__in=codes).values_list("code", "name", "kind", "level")
    return {
        code: Region(name=name, kind=kind).display_name if level == Level.KABUPATEN else name
        for code, name, kind, level in regions
    }


def _open_findings(person_ids: set[int], family_ids: set[int]) -> tuple[dict, dict]:
    """Open findings of a chunk: `{id: [(severity, message), …]}` for persons and families.

    Two queries, one per foreign key, so each reads its own index (an OR of the two IN lists
    made PostgreSQL scan every finding once per chunk).
    """
    finding = apps.get_model("verification", "Finding")
    open_ = finding.objects.filter(status="open").order_by("id")
    fields = ("severity", "message")
    by_person: dict[int, list] = defaultdict(list)
    for person_id, *found in open_.filter(person_id__in=person_ids, level="person").values_list(
        "person_id", *fields
    ):
        by_person[person_id].append(tuple(found))
    by_family: dict[int, list] = defaultdict(list)
    for family_id, *found in open_.filter(family_id__in=family_ids, level="family").values_list(
        "family_id", *fields
    ):
        by_family[family_id].append(tuple(found))
    return by_person, by_family


def _chunks(rows: Iterator[tuple], size: int) -> Iterator[list[tuple]]:
    while chunk := list(islice(rows, size)):
        yield chunk


class RowBuilder:
    """Turns membership tuples into export rows, remembering per-desa decisions."""

    def __init__(self, by: User | None, names: dict[str, str]) -> None:
        self.by, self.names = by, names
        self.identity: dict[str, bool] = {}
        self.regions: dict[str, list[str]] = {}
        with translation.override("id"):
            self.relationships = {code: str(label) for code, label in c.Relationship.choices}

    def _show(self, desa: str, value: str) -> str:
        if desa not in self.identity:
            self.identity[desa] = self.by is None or can_view_identity(self.by, desa)
        return value if self.identity[desa] else mask_identity(value)

    def _regions(self, desa: str) -> list[str]:
        if desa not in self.regions:
            codes = Region(code=desa).ancestor_codes()
            self.regions[desa] = [self.names.get(code, "") for code in codes]
        return self.regions[desa]

    def row(self, m: tuple, findings: list[tuple[str, str]]) -> list[Any]:
        (id_dtks, desa, address, dusun, rt, rw, no_kk, nik, name, birth_date, birth_place, sex,
         mother, relationship, year, person_status, family_status, _, _) = m  # fmt: skip
        active = person_status == family_status == c.RecordStatus.ACTIVE
        return [
            id_dtks, *self._regions(desa), address, dusun, rt, rw,
            self._show(desa, no_kk), self._show(desa, nik), name, birth_date, birth_place,
            SEX_CODES.get(sex, ""), mother, self.relationships.get(relationship, ""), year,
            ACTIVE if active else INACTIVE,
            YES if any(sev == "error" for sev, _ in findings) else NO,
            "; ".join(message for _, message in findings),
        ]  # fmt: skip


def export_rows(by: User | None, families: QuerySet[Family]) -> Iterator[list[Any]]:
    """Every export row of `families` (already scoped), in `EXPORT_COLUMNS` order.

    Values stay typed (the birth date a `date`, the year an `int`); the writers format them.
    """
    builder = RowBuilder(by, _region_names(families))
    for chunk in _chunks(_memberships(families), CHUNK):
        persons, fams = _open_findings({m[-2] for m in chunk}, {m[-1] for m in chunk})
        for m in chunk:
            yield builder.row(m, persons.get(m[-2], []) + fams.get(m[-1], []))


def _csv_value(value: Any) -> str:
    if isinstance(value, str):
        return safe_text(value) if value.startswith(DANGEROUS_FIRST) else value
    if isinstance(value, dt.date):
        return value.strftime(DATE_FORMAT)
    return safe_text(value)


def csv_chunks(rows: Iterable[list[Any]], counter: list[int] | None = None) -> Iterator[bytes]:
    """UTF-8 CSV (with BOM, so Excel shows names right) in chunks of bytes, header first.

    `counter[0]` counts the data rows written, for a caller that streams and records after.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    yield ("\ufeff" + buffer.getvalue()).encode()
    for chunk in _chunks(iter(rows), 500):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_csv_value(v) for v in row] for row in chunk)
        if counter is not None:
            counter[0] += len(chunk)
        yield buffer.getvalue().encode()


def write_csv(rows: Iterable[list[Any]], out: BinaryIO) -> int:
    counter = [0]
    for data in csv_chunks(rows, counter):
        out.write(data)
    return counter[0]


def _xlsx_row(sheet: Any, row: list[Any]) -> list[Any]:
    cells = []
    for i, value in enumerate(row):
        if i in IDENTITY_COLUMNS:
            cells.append(xlsx_identity_cell(sheet, value))
        elif isinstance(value, dt.date):
            cells.append(_date_cell(sheet, value))
        elif isinstance(value, int):
            cells.append(value)
        else:
            cells.append(xlsx_text_cell(sheet, value))
    return cells


def write_xlsx(rows: Iterable[list[Any]], out: BinaryIO | Path) -> int:
    """One sheet `dtks`, header frozen, NIK/No. KK text cells, dates shown `dd-mm-yyyy`."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("dtks")
    sheet.freeze_panes = "A2"
    for index in IDENTITY_COLUMNS:
        sheet.column_dimensions[get_column_letter(index + 1)].width = 19
    sheet.column_dimensions[get_column_letter(DATE_COLUMN + 1)].width = 12
    sheet.append(list(EXPORT_COLUMNS))
    count = 0
    for row in rows:
        sheet.append(_xlsx_row(sheet, row))
        count += 1
    book.save(out)
    return count


def _date_cell(sheet: Any, value: dt.date) -> Any:
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = XLSX_DATE_FORMAT
    return cell


def record_export(
    *, by: User | None, scope: str, fmt: str, rows: int, filters: dict[str, Any] | None = None
) -> None:
    """Note who exported what scope and how many rows: an audit event, and an access event
    (exported rows hold personal data)."""
    after = {"scope": scope, "format": fmt, "rows": rows, "filters": filters or {}}
    with transaction.atomic():
        record_event(
            by,
            "export_registry",
            Change("export", scope or "*", None, after, region_code=scope[:13]),
        )
    if by is not None:
        record_access(by, "export", "export", scope or "*", f"{fmt}, {rows} rows")


def export_registry(
    *,
    by: User | None,
    wilayah: str | None,
    fmt: str,
    out: BinaryIO | Path,
    families: QuerySet[Family] | None = None,
    filters: dict[str, Any] | None = None,
) -> int:
    """Write the export of what `by` may see (all for `by=None`, the system) within `wilayah`
    to `out` as `fmt` ("csv" or "xlsx"), record it, and return the number of data rows."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    rows = export_rows(by, scoped_families(by, wilayah, families))
    if isinstance(out, Path):
        with out.open("wb") as handle:
            count = _write(fmt, rows, handle)
    else:
        count = _write(fmt, rows, out)
    record_export(by=by, scope=wilayah or "", fmt=fmt, rows=count, filters=filters)
    return count


def _write(fmt: str, rows: Iterator[list[Any]], out: BinaryIO) -> int:
    return write_csv(rows, out) if fmt == "csv" else write_xlsx(rows, out)
