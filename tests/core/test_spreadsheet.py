"""Spreadsheet-safe text: nothing an exporter writes can run as a formula."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook

from dtks.core.spreadsheet import (
    DANGEROUS_FIRST,
    safe_text,
    unquote_text,
    xlsx_identity_cell,
    xlsx_text_cell,
)

PAYLOADS = [f'{first}HYPERLINK("http://x")' for first in DANGEROUS_FIRST]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_text_starting_with_a_formula_character_gets_a_quote(payload: str) -> None:
    assert safe_text(payload) == "'" + payload


@pytest.mark.parametrize("value", ["Siti Aminah", "Jl. Merdeka No. 1", "3201234567890123", 7])
def test_csv_harmless_text_is_unchanged(value: object) -> None:
    assert safe_text(value) == str(value)


def test_csv_none_is_empty() -> None:
    assert safe_text(None) == ""


@pytest.mark.parametrize("payload", [*PAYLOADS, "'quoted", "plain"])
def test_unquote_reverses_safe_text(payload: str) -> None:
    assert unquote_text(safe_text(payload)) == payload


def _write_and_read(values: list[object], tmp_path) -> list:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("s")
    sheet.append([xlsx_text_cell(sheet, v) for v in values])
    sheet.append([xlsx_identity_cell(sheet, "3201234567890123")])
    path = tmp_path / "out.xlsx"
    book.save(path)
    return list(load_workbook(path)["s"].iter_rows())


@pytest.mark.parametrize("payload", [*PAYLOADS, "=1+1", "#N/A"])
def test_xlsx_risky_text_is_a_quote_prefixed_string_never_a_formula(payload, tmp_path) -> None:
    cell = _write_and_read([payload], tmp_path)[0][0]
    assert cell.data_type == "s"
    # Without lxml, openpyxl writes a bare CR unescaped and XML reads it back as a line feed.
    assert cell.value in (payload, payload.replace("\r", "\n"))
    assert cell.quotePrefix


def test_xlsx_nik_is_a_sixteen_digit_text_cell(tmp_path) -> None:
    cell = _write_and_read(["x"], tmp_path)[1][0]
    assert (cell.data_type, cell.value, cell.number_format) == ("s", "3201234567890123", "@")
