"""Importing DTSEN deciles (`desil` 1–10, computed by BPS, never here) by No. KK.

A file (CSV or xlsx) with the columns `nomor_kk` and `desil`; row 1 is the header. Every data
row is either imported or rejected with its row number and an Indonesian reason, so
imported + rejected = total:

- No. KK not 16 digits, or typed as a number in a spreadsheet (Excel keeps 15 digits);
- desil not a whole number from 1 to 10;
- the same No. KK on more than one row (every such row: which value is right is unknown);
- No. KK not an active family in the importer's area (an unknown KK and one outside the area
  read the same).

The accepted rows are written in one transaction with one audit event per family whose desil
changed (its history) and one for the import; a dry run writes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_q
from dtks.audit.record import Change, record_event, record_events
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.registry.models import Family

if TYPE_CHECKING:
    from dtks.accounts.models import User

KK_COLUMNS = ("nomor_kk", "no_kk", "nokk")
DESIL_COLUMN = "desil"
LOOKUP_CHUNK = 5_000  # No. KKs per lookup query, families per UPDATE and per audit batch
FIRST_DATA_ROW = 2


@dataclass(frozen=True)
class Rejection:
    row: int
    no_kk: str
    reason: str


@dataclass
class DesilImportResult:
    """Counts of one import; `imported + rejected = total`."""

    total: int = 0
    imported: int = 0
    changed: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "imported": self.imported,
            "changed": self.changed,
            "rejected": self.rejected,
            "dry_run": self.dry_run,
        }


@dataclass
class _Row:
    number: int
    no_kk: str
    desil: int | None
    reason: str = ""


# --- Reading ---


def _cells(path: Path) -> Iterator[list[Any]]:
    """The rows of the first sheet (xlsx) or of the CSV (`,` or `;`), header first."""
    if path.suffix.lower() == ".xlsx":
        from python_calamine import CalamineWorkbook

        yield from CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.readline()
        handle.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        yield from csv.reader(handle, delimiter=delimiter)


def _columns(header: list[Any]) -> tuple[int, int]:
    names = [str(h or "").strip().lower() for h in header]
    kk = next((names.index(n) for n in KK_COLUMNS if n in names), None)
    if kk is None or DESIL_COLUMN not in names:
        raise DomainError(_("The file needs the columns nomor_kk and desil."), field="file")
    return kk, names.index(DESIL_COLUMN)


def _kk_reason(value: Any) -> tuple[str, str]:
    """The No. KK as text and why it is refused ('' when it is fine)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = f"{value:.0f}" if isinstance(value, float) else str(value)
        return text, _("No. KK is stored as a number; format the column as text.")
    text = str(value or "").strip()
    if len(text) != 16 or not text.isdigit():
        return text, _("No. KK must be 16 digits.")
    return text, ""


def _desil(value: Any) -> int | None:
    """A whole number 1–10 (`4`, `4.0`, ` 4 `), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = int(value) if value.is_integer() else None
    text = str(value if value is not None else "").strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isdigit() and 1 <= int(text) <= 10 else None


def read_rows(path: Path) -> list[_Row]:
    """Every non-blank data row, numbered as a spreadsheet numbers it, with its first reason."""
    cells = _cells(path)
    header = next(cells, None)
    if header is None:
        raise DomainError(_("The file is empty."), field="file")
    kk_at, desil_at = _columns(list(header))
    rows = []
    for number, values in enumerate(cells, start=FIRST_DATA_ROW):
        if not any(str(v if v is not None else "").strip() for v in values):
            continue
        raw_kk = values[kk_at] if kk_at < len(values) else ""
        raw_desil = values[desil_at] if desil_at < len(values) else ""
        no_kk, reason = _kk_reason(raw_kk)
        desil = _desil(raw_desil)
        if not reason and desil is None:
            reason = _("Desil must be a whole number from 1 to 10.")
        rows.append(_Row(number, no_kk, desil, reason))
    return rows


# --- Deciding ---


def _mark_duplicates(rows: list[_Row]) -> None:
    by_kk: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        if not row.reason:
            by_kk[row.no_kk].append(row)
    for same in by_kk.values():
        if len(same) > 1:
            numbers = ", ".join(str(r.number) for r in same)
            for row in same:
                row.reason = _("No. KK appears on more than one row (rows %(rows)s).") % {
                    "rows": numbers
                }


def _families(rows: list[_Row], by: User | None) -> dict[str, tuple[int, int | None, str]]:
    """Active families of the rows' No. KKs that `by` may edit: no_kk → (pk, desil, desa)."""
    families = Family.objects.active()
    if by is not None:
        families = families.filter(area_q(by, "desa__code", Perm.EDIT_REGISTRY))
    wanted = [r.no_kk for r in rows if not r.reason]
    found: dict[str, tuple[int, int | None, str]] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        batch = wanted[start : start + LOOKUP_CHUNK]
        for no_kk, pk, desil, desa in families.filter(no_kk__in=batch).values_list(
            "no_kk", "pk", "desil", "desa_id"
        ):
            found[no_kk] = (pk, desil, desa)
    return found


# --- Writing ---


def _write(changes: list[tuple[int, int | None, int, str]], by: User | None) -> None:
    """Set the desil of the changed families, VALUES-joined in blocks, each change audited."""
    table = connection.ops.quote_name(Family._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(changes), LOOKUP_CHUNK):
            block = changes[start : start + LOOKUP_CHUNK]
            values = ", ".join(["(%s, %s)"] * len(block))
            cursor.execute(
                f"UPDATE {table} SET desil = v.column2 FROM (VALUES {values}) AS v"
                f" WHERE {table}.id = v.column1",
                [x for pk, _old, new, _desa in block for x in (pk, new)],
            )
            record_events(
                by,
                "import_desil",
                (
                    Change("family", str(pk), {"desil": old}, {"desil": new}, pk, desa)
                    for pk, old, new, desa in block
                ),
            )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_desil(path: Path, *, by: User | None = None, dry_run: bool = False) -> DesilImportResult:
    """Import the deciles of `path`: accepted rows written together (or, in a dry run, only
    counted), rejected rows listed with their row number and reason."""
    if by is not None and not by.can(Perm.EDIT_REGISTRY):
        raise PermissionDeniedError(_("Your role may not change the registry."))
    rows = read_rows(path)
    _mark_duplicates(rows)
    families = _families(rows, by)
    result = DesilImportResult(total=len(rows), dry_run=dry_run)
    changes = []
    for row in rows:
        if not row.reason and row.no_kk not in families:
            row.reason = _("No. KK is not an active family in DTKS (in your area).")
        if row.reason:
            result.rejections.append(Rejection(row.number, row.no_kk, row.reason))
            continue
        result.imported += 1
        pk, old, desa = families[row.no_kk]
        if old != row.desil:
            changes.append((pk, old, row.desil, desa))
    result.changed = len(changes)
    if dry_run:
        return result
    with transaction.atomic():
        _write(changes, by)
        summary = {**result.as_dict(), "file": path.name, "sha256": _sha256(path)}
        record_event(by, "import_desil", Change("desil_import", path.name, None, summary))
    return result


def rejections_csv(result: DesilImportResult) -> str:
    """The rejected rows as CSV text (row, nomor_kk, reason), spreadsheet-safe."""
    from dtks.core.spreadsheet import safe_text

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["baris", "nomor_kk", "alasan"])
    for r in result.rejections:
        writer.writerow([r.row, safe_text(r.no_kk), safe_text(r.reason)])
    return out.getvalue()
