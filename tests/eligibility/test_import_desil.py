"""`dtks import_desil FILE`: every row imported or rejected with its row number and reason,
imported + rejected = total, written together and audited."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from dtks.audit.models import AuditEvent
from dtks.eligibility.desil import import_desil
from dtks.registry.models import Family
from tests.conftest import DESA_A, DESA_B
from tests.factories import family_with_members


@pytest.fixture
def families(regions):
    return [family_with_members(DESA_A, size=2) for _ in range(3)] + [
        family_with_members(DESA_B, size=2)
    ]


def write_csv(tmp_path, rows: list[str], header: str = "nomor_kk,desil"):
    path = tmp_path / "desil.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_imports_good_rows_and_rejects_bad_ones_with_row_numbers(tmp_path, families):
    a1, a2, a3, b = families
    path = write_csv(
        tmp_path,
        [
            f"{a1.no_kk},3",
            f"{a2.no_kk},11",  # row 3: desil out of range
            "1709010101010001,2",  # row 4: unknown KK
            f"{a3.no_kk},5",  # rows 5 and 6: duplicate
            f"{a3.no_kk},6",
            "17090101,4",  # row 7: not 16 digits
            f"{b.no_kk},10",
        ],
    )
    result = import_desil(path)
    assert (result.total, result.imported, result.rejected) == (7, 2, 5)
    assert result.imported + result.rejected == result.total
    assert [r.row for r in result.rejections] == [3, 4, 5, 6, 7]
    assert Family.objects.get(pk=a1.pk).desil == 3
    assert Family.objects.get(pk=b.pk).desil == 10
    assert Family.objects.get(pk=a3.pk).desil is None
    reasons = {r.row: r.reason for r in result.rejections}
    assert "5, 6" in reasons[5] and reasons[5] == reasons[6]


def test_the_report_lists_each_rejected_row_with_its_reason(tmp_path, families):
    path = write_csv(tmp_path, ["1709010101010001,2", f"{families[0].no_kk},0"])
    call_command("import_desil", str(path), "--report", str(tmp_path / "r.csv"))
    report = (tmp_path / "r.csv").read_text(encoding="utf-8").splitlines()
    assert report[0] == "baris,nomor_kk,alasan"
    assert report[1].startswith("2,1709010101010001,No. KK")
    assert report[2].startswith(f"3,{families[0].no_kk},")
    assert len(report) == 3


def test_a_user_imports_only_families_of_their_area(tmp_path, families, personas):
    a1, _, _, b = families
    path = write_csv(tmp_path, [f"{a1.no_kk},4", f"{b.no_kk},4"])
    result = import_desil(path, by=personas.operator_a)
    assert (result.imported, result.rejected) == (1, 1)
    assert Family.objects.get(pk=b.pk).desil is None


def test_a_role_that_may_not_edit_is_refused(tmp_path, families, personas):
    from dtks.core.errors import PermissionDeniedError

    path = write_csv(tmp_path, [f"{families[0].no_kk},4"])
    with pytest.raises(PermissionDeniedError):
        import_desil(path, by=personas.pimpinan)


def test_each_change_is_in_the_family_history_and_the_import_audited(tmp_path, families):
    a1 = families[0]
    import_desil(write_csv(tmp_path, [f"{a1.no_kk},2"]))
    import_desil(write_csv(tmp_path, [f"{a1.no_kk},2"]))  # unchanged: no second family event
    events = AuditEvent.objects.filter(action="import_desil", family_id=a1.pk)
    assert [(e.before, e.after) for e in events] == [({"desil": None}, {"desil": 2})]
    summary = AuditEvent.objects.filter(action="import_desil", subject_type="desil_import")
    assert [e.after["imported"] for e in summary] == [1, 1]


def test_a_dry_run_writes_nothing(tmp_path, families):
    result = import_desil(write_csv(tmp_path, [f"{families[0].no_kk},2"]), dry_run=True)
    assert result.imported == 1
    assert Family.objects.get(pk=families[0].pk).desil is None
    assert not AuditEvent.objects.filter(action="import_desil").exists()


def test_xlsx_with_a_numeric_kk_cell_is_rejected_and_text_accepted(tmp_path, families):
    a1, a2 = families[:2]
    book = Workbook()
    sheet = book.active
    sheet.append(["Nomor_KK", "Desil"])
    sheet.append([a1.no_kk, 4])
    sheet.append([int(a2.no_kk), 4])  # Excel keeps 15 digits of a number
    path = tmp_path / "desil.xlsx"
    book.save(path)
    result = import_desil(path)
    assert (result.imported, result.rejected) == (1, 1)
    assert result.rejections[0].row == 3
    assert Family.objects.get(pk=a1.pk).desil == 4


def test_semicolon_csv_and_json_counts(tmp_path, families, capsys):
    path = write_csv(tmp_path, [f"{families[0].no_kk};7"], header="nomor_kk;desil")
    call_command("import_desil", str(path), "--json")
    counts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert counts == {"total": 1, "imported": 1, "changed": 1, "rejected": 0, "dry_run": False}


def test_a_file_without_the_columns_is_refused_whole(tmp_path, families):
    with pytest.raises(CommandError):
        call_command("import_desil", str(write_csv(tmp_path, ["x,1"], header="kk,decile")))
