"""Recap formatters and the `dtks recap` command."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from dtks.reports.exporters import as_csv, as_table, thousands, write_xlsx
from dtks.reports.queries import RecapRow
from tests.conftest import DESA_A
from tests.factories import family_with_members

ROWS = [
    RecapRow("17.09.01", "Karang Tinggi", 5936, 2188, 165),
    RecapRow("17.09.03", "Pondok Kelapa", 14080, 5077, 367),
]


def test_thousands_use_indonesian_dots() -> None:
    assert thousands(65074) == "65.074"
    assert thousands(1000000) == "1.000.000"
    assert thousands(96) == "96"


def test_csv_header_is_exact_and_total_comes_last() -> None:
    lines = as_csv(ROWS).splitlines()
    assert lines[0] == "kecamatan,jumlah_individu,jumlah_keluarga,perlu_perbaikan"
    assert lines[1] == "Karang Tinggi,5936,2188,165"
    assert lines[-1] == "Total,20016,7265,532"


def test_table_aligns_numbers_with_dots_and_ends_with_total_seluruh() -> None:
    text = as_table(ROWS)
    lines = text.splitlines()
    assert "14.080" in lines[3]
    assert lines[-1].startswith("Total Seluruh")
    assert lines[-1].split()[-3:] == ["20.016", "7.265", "532"]
    assert len({len(line) for line in lines}) == 1


def test_xlsx_has_header_numbers_as_numbers_and_bold_total(tmp_path: Path) -> None:
    path = tmp_path / "recap.xlsx"
    write_xlsx(ROWS, path)
    sheet = load_workbook(path).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("kecamatan", "jumlah_individu", "jumlah_keluarga", "perlu_perbaikan")
    assert values[2] == ("Pondok Kelapa", 14080, 5077, 367)
    assert values[-1][1:] == (20016, 7265, 532)
    assert sheet.cell(row=sheet.max_row, column=2).font.bold


def test_recap_command_prints_csv(regions: None) -> None:
    family_with_members(DESA_A, size=3)
    out = io.StringIO()
    call_command("recap", year=2023, format="csv", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["kecamatan", "jumlah_individu", "jumlah_keluarga", "perlu_perbaikan"]
    assert ["Karang Tinggi", "3", "1", "0"] in rows
    assert rows[-1] == ["Total", "3", "1", "0"]


def test_recap_command_writes_xlsx_to_output(regions: None, tmp_path: Path) -> None:
    family_with_members(DESA_A, size=2)
    path = tmp_path / "r.xlsx"
    call_command("recap", year=2023, format="xlsx", output=str(path), stderr=io.StringIO())
    assert load_workbook(path).active.cell(row=2, column=2).value == 2


def test_recap_command_refuses_xlsx_without_output(regions: None) -> None:
    with pytest.raises(CommandError, match="--output"):
        call_command("recap", year=2023, format="xlsx")


def test_recap_command_refuses_an_unknown_wilayah(regions: None) -> None:
    with pytest.raises(CommandError, match="99"):
        call_command("recap", year=2023, wilayah="17.99")
