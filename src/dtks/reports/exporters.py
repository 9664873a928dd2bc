"""Recap formatters: they only format rows from `queries`, they never count."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.utils.translation import gettext as _

from .queries import RecapRow, recap_total

CSV_HEADER = ("jumlah_individu", "jumlah_keluarga", "perlu_perbaikan")


def thousands(n: int) -> str:
    """Indonesian digit grouping: 65074 → "65.074"."""
    return f"{n:,}".replace(",", ".")


def as_table(rows: list[RecapRow], level: str = "kecamatan") -> str:
    """Aligned text in the layout of Tabel 5.3, with a "Total Seluruh" line."""
    head = (_("Kecamatan") if level == "kecamatan" else _("Desa/Kelurahan"),)
    head += (_("Number of individuals"), _("Number of families"), _("Needing repair"))
    total = recap_total(rows)
    lines = [
        (r.name, thousands(r.individuals), thousands(r.families), thousands(r.needing_repair))
        for r in [*rows, total]
    ]
    lines[-1] = (_("Grand total"), *lines[-1][1:])
    width = [max(len(line[i]) for line in [head, *lines]) for i in range(4)]

    def fmt(cells: tuple[str, ...]) -> str:
        rest = "  ".join(cell.rjust(w) for cell, w in zip(cells[1:], width[1:], strict=True))
        return f"{cells[0].ljust(width[0])}  {rest}"

    rule = "-" * len(fmt(head))
    return "\n".join([fmt(head), rule, *(fmt(x) for x in lines[:-1]), rule, fmt(lines[-1])]) + "\n"


def as_csv(rows: list[RecapRow], level: str = "kecamatan") -> str:
    """`kecamatan,jumlah_individu,jumlah_keluarga,perlu_perbaikan`, plain integers, Total last."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow((level, *CSV_HEADER))
    for r in [*rows, recap_total(rows)]:
        writer.writerow((r.name, r.individuals, r.families, r.needing_repair))
    return out.getvalue()


def write_xlsx(rows: list[RecapRow], path: Path | str, level: str = "kecamatan") -> None:
    """A workbook with a header row, numbers as numbers and a bold total row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("DTKS recap")
    sheet.append((level, *CSV_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in rows:
        sheet.append((r.name, r.individuals, r.families, r.needing_repair))
    total = recap_total(rows)
    sheet.append((_("Grand total"), total.individuals, total.families, total.needing_repair))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2, min_col=2):
        for cell in row:
            cell.number_format = "#,##0"
    sheet.column_dimensions["A"].width = 28
    book.save(path)
