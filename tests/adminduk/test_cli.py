"""`dtks padan FILE`: counts per reason and the share padan, rejected rows by row and field,
and clear refusals."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from dtks.adminduk.models import MatchResult
from tests.adminduk.extracts import row_of, write_csv
from tests.conftest import DESA_A, DESA_B
from tests.factories import family_with_members

pytestmark = pytest.mark.django_db


def padan(*args: str, **options: object) -> str:
    out = io.StringIO()
    call_command("padan", *args, stdout=out, verbosity=0, **options)
    return out.getvalue()


@pytest.fixture
def extract(regions, tmp_path):
    family = family_with_members(DESA_A, size=3)
    head, spouse, child = (m.person for m in family.current_memberships().order_by("relationship"))
    rows = [row_of(head), row_of(spouse, status_hidup="MENINGGAL"), {**row_of(child), "nik": "12"}]
    return write_csv(tmp_path / "dukcapil.csv", rows)


def test_prints_rows_counts_per_reason_and_share(extract) -> None:
    output = padan(str(extract), json=True)
    assert " 4, nik: " in output
    per_reason = dict(line.split()[:2] for line in output.splitlines() if line.startswith("  "))
    assert (per_reason["nik_not_found"], per_reason["died"], per_reason["kk_differs"]) == (
        "1", "1", "0",
    )  # fmt: skip
    assert "33,3" in output
    counts = json.loads(output.splitlines()[-1])
    assert (counts["total"], counts["read"], counts["rejected"]) == (3, 2, 1)
    assert (counts["persons"], counts["padan"], counts["tidak_padan"]) == (3, 1, 2)


def test_report_lists_every_rejected_row(extract, tmp_path) -> None:
    report = tmp_path / "ditolak.csv"
    padan(str(extract), report=str(report))
    lines = report.read_text().splitlines()
    assert lines[0] == "baris,kolom,alasan" and lines[1].startswith("4,nik,")


def test_wilayah_limits_the_persons_matched(extract) -> None:
    other = family_with_members(DESA_B, size=1)
    padan(str(extract), wilayah=DESA_A)
    assert MatchResult.objects.count() == 3
    assert not MatchResult.objects.filter(person__memberships__family=other).exists()


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (["/tmp/tidak-ada.csv"], {}, "tidak-ada.csv"),
        ([], {"wilayah": "99.99"}, "99.99"),
        ([], {"user": "siapa"}, "siapa"),
    ],
)
def test_refuses_bad_input(extract, args, options, message) -> None:
    with pytest.raises(CommandError, match=message):
        padan(*(args or [str(extract)]), **options)
    assert not MatchResult.objects.exists()


def test_refuses_a_user_who_does_not_verify(extract, personas) -> None:
    with pytest.raises(CommandError):
        padan(str(extract), user=personas.operator_a.username)
    padan(str(extract), user=personas.pengelola.username)
    assert MatchResult.objects.count() == 3


def test_refuses_a_file_without_the_columns(regions, tmp_path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("nik,nama\n1709014508850003,Siti\n")
    with pytest.raises(CommandError, match="no_kk"):
        padan(str(path))
