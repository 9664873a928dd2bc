"""Reading a CSV as Excel shows it: every row numbered as Excel numbers it, whatever the file's
line ends, separator, BOM or size, and read in blocks so memory does not grow with the file."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from unittest import mock

import polars as pl
import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dtks.core.errors import DomainError
from dtks.imports import readers
from dtks.imports.models import StagedRow
from dtks.imports.pipeline import import_file
from tests.imports.import_rows import HEAD_NIK, member, row

# A small sheet with every trap: a cell holding a line break (CRLF inside), a doubled quote,
# the separator inside quotes, an empty line, a row of empty cells, a short and a long row.
SHEET = (
    b"Nama,Alamat,RT\r\n"
    b'Siti,"Jl. Merdeka 1\r\nBelakang masjid",001\r\n'
    b"\r\n"
    b'Budi,"Gang ""Mawar"", No. 2",002\r\n'
    b",,\r\n"
    b"Ani,Jl. Pasar\r\n"
    b"Dedi,Jl. Baru,003,lebih\r\n"
    b"Eka,Jl. Akhir,004"
)
SHEET_ROWS = [
    ("Siti", "Jl. Merdeka 1\r\nBelakang masjid", "001", 2),
    (None, None, None, 3),
    ("Budi", 'Gang "Mawar", No. 2', "002", 4),
    (None, None, None, 5),
    ("Ani", "Jl. Pasar", None, 6),
    ("Dedi", "Jl. Baru", "003", 7),
    ("Eka", "Jl. Akhir", "004", 8),
]


def write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    return path


def read(path: Path) -> list[tuple]:
    table = readers.open_table(path)
    frames = list(table.chunks)
    if not frames:
        return []
    frame = pl.concat(frames)
    keys = readers.unique_keys(table.columns)
    return frame.select(*keys, readers.ROW).rows()


def test_reads_every_row_with_the_row_number_excel_shows(tmp_path):
    assert read(write(tmp_path, SHEET)) == SHEET_ROWS


def edited(rows: list[tuple], old: str, new: str) -> list[tuple]:
    return [tuple(v.replace(old, new) if isinstance(v, str) else v for v in r) for r in rows]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(SHEET.replace(b"\r\n", b"\n"), edited(SHEET_ROWS, "\r\n", "\n"), id="lf"),
        pytest.param(b"\xef\xbb\xbf" + SHEET, SHEET_ROWS, id="bom"),
        pytest.param(SHEET + b"\r\n", SHEET_ROWS, id="last-line-ended"),
        pytest.param(SHEET.replace(b",", b";"), edited(SHEET_ROWS, ",", ";"), id="semicolon"),
    ],
)
def test_line_ends_bom_and_separator_change_nothing(tmp_path, data, expected):
    path = write(tmp_path, data)
    assert readers.open_table(path).columns == ["Nama", "Alamat", "RT"]
    assert read(path) == expected


def test_flags_are_false_and_row_numbers_are_int64(tmp_path):
    frame = next(readers.open_table(write(tmp_path, SHEET)).chunks)
    assert frame.schema[readers.ROW] == pl.Int64
    assert not frame[readers.NUMERIC_NIK].any()
    assert not frame[readers.NUMERIC_KK].any()


def test_any_block_size_reads_the_same_rows(tmp_path):
    """A block may end anywhere, inside a quoted cell's line break included."""
    path = write(tmp_path, SHEET)
    for size in range(1, len(SHEET) + 1):
        with mock.patch.object(readers, "BLOCK_BYTES", size):
            assert read(path) == SHEET_ROWS, f"block of {size} bytes"


def test_chunks_hold_the_configured_number_of_rows(tmp_path, settings):
    settings.DTKS_IMPORT_CHUNK_ROWS = 3
    with mock.patch.object(readers, "BLOCK_BYTES", 16):
        chunks = list(readers.open_table(write(tmp_path, SHEET)).chunks)
    assert [chunk.height for chunk in chunks] == [3, 3, 1]
    assert [chunk[readers.ROW].to_list() for chunk in chunks] == [[2, 3, 4], [5, 6, 7], [8]]


def test_header_names_are_kept_as_written_and_repeated_ones_get_their_own_key(tmp_path):
    table = readers.open_table(write(tmp_path, b"Nama,nama,,RT\nSiti,S,x,001\n"))
    assert table.columns == ["Nama", "nama", "", "RT"]
    assert next(table.chunks).row(0) == ("Siti", "S", "x", "001", 2, False, False)


def test_a_file_with_only_its_header_has_no_rows(tmp_path):
    assert read(write(tmp_path, b"Nama,RT")) == []
    assert read(write(tmp_path, b"Nama,RT\r\n")) == []


def test_refuses_text_that_is_not_utf8_with_a_clear_message(tmp_path):
    with mock.patch.object(readers, "BLOCK_BYTES", 16):
        table = readers.open_table(write(tmp_path, SHEET + "\nJos\xe9,1,2\n".encode("latin-1")))
        with pytest.raises(DomainError) as error:
            list(table.chunks)
    assert error.value.code == "not_utf8"
    assert "UTF-8" in error.value.message
    with pytest.raises(DomainError) as error:
        readers.open_table(write(tmp_path, "Alamat,Désa\n".encode("latin-1")))
    assert error.value.code == "not_utf8"


@pytest.mark.parametrize(
    "bad_row",
    [b'Fajar,Jl. 5" Baru,005', b'Fajar,Jl. Baru",005', b'Fajar,"Jl. "Baru",005'],
)
def test_a_stray_quote_is_refused_naming_its_row(tmp_path, bad_row):
    data = SHEET + b"\r\n" + bad_row + b"\r\nGita,Jl. Lama,006\r\n"
    for size in (7, readers.BLOCK_BYTES):
        with mock.patch.object(readers, "BLOCK_BYTES", size), pytest.raises(DomainError) as error:
            read(write(tmp_path, data))
        assert error.value.code == "bad_quotes"
        assert re.search(r"\b9\b", error.value.message), error.value.message


def test_a_quote_never_closed_is_refused_before_the_rest_of_the_file_is_held(tmp_path):
    data = SHEET + b'\r\nFajar,"Jl. Baru,005\r\n' + b"Gita,Jl. Lama,006\r\n" * 50
    with (
        mock.patch.object(readers, "BLOCK_BYTES", 64),
        mock.patch.object(readers, "MAX_RECORD_BYTES", 256),
        pytest.raises(DomainError) as error,
    ):
        read(write(tmp_path, data))
    assert error.value.code == "bad_quotes"
    assert re.search(r"\b9\b", error.value.message), error.value.message


CELL = st.lists(st.sampled_from(["a", "é", " ", ",", ";", '"', "\n", "\r\n", "1"])).map("".join)


@hypothesis_settings(max_examples=60, deadline=None)
@given(
    table=st.lists(st.lists(CELL, min_size=0, max_size=4), max_size=8),
    separator=st.sampled_from([",", ";"]),
    block=st.integers(min_value=1, max_value=64),
    chunk=st.integers(min_value=1, max_value=4),
)
def test_reads_what_the_csv_module_reads(tmp_path_factory, table, separator, block, chunk):
    """Rows as Python's csv module reads them (an empty line is an empty row), padded or cut
    to the header's three cells, numbered from 2, for any block and chunk size."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow(["a", "b", "c"])
    writer.writerows(table)
    data = out.getvalue().encode()
    records = csv.reader(io.StringIO(data.decode(), newline=""), delimiter=separator)
    expected = [(*(cells + [""] * 3)[:3], number) for number, cells in enumerate(records, 1)][1:]
    path = write(tmp_path_factory.mktemp("csv"), data)
    with (
        override_settings(DTKS_IMPORT_CHUNK_ROWS=chunk),
        mock.patch.object(readers, "BLOCK_BYTES", block),
    ):
        got = [tuple("" if v is None else v for v in r) for r in read(path)]
    assert got == expected


def raw_csv(path: Path, rows: list[dict | None]) -> Path:
    """A flat file as Excel writes it (CRLF), `None` for an empty line."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    columns = list(row())
    writer.writerow(columns)
    for values in rows:
        if values is None:
            out.write("\r\n")
        else:
            writer.writerow([values[c] for c in columns])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_rejected_rows_keep_their_excel_row_after_line_breaks_in_cells_and_empty_lines(
    regions, tmp_path, settings
):
    settings.DTKS_IMPORT_CHUNK_ROWS = 2
    rows = [
        row(alamat="Jl. Merdeka 1\r\nBelakang masjid\r\nRT 1"),  # row 2
        None,  # row 3
        member(1, tanggal_lahir="31-02-2010"),  # row 4: rejected
        None,  # row 5
        None,  # row 6
        member(2, alamat='Gang "Mawar"\nNo. 2'),  # row 7
        member(3, nomor_nik="123"),  # row 8: rejected
    ]
    with mock.patch.object(readers, "BLOCK_BYTES", 100):
        result = import_file(raw_csv(tmp_path / "a.csv", rows), by=None)
    found = StagedRow.objects.filter(batch_id=result.batch_id)
    assert {r.row: r.outcome for r in found} == {
        2: "created",
        4: "rejected",
        7: "created",
        8: "rejected",
    }
    head = found.get(row=2)
    assert head.nik == HEAD_NIK
    assert "Belakang masjid" in head.address
