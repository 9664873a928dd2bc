"""The recap of a closed year reads its snapshot; an open year is counted live."""

from __future__ import annotations

from django.core.management import call_command
from django.test import Client

from dtks.periods.models import Period
from dtks.registry.models import Family, Person
from dtks.reports.queries import desa_numbers, recap_rows
from dtks.verification.actions import run_checks
from tests.conftest import DESA_A, DESA_B, KAB, KEC_A, KEC_B
from tests.factories import family_with_members


def _by_code(rows) -> dict[str, tuple[int, int, int]]:
    return {r.code: (r.individuals, r.families, r.needing_repair) for r in rows}


def _change_the_registry() -> None:
    """A year later: a new family, a deactivated one, the repair done."""
    family_with_members(DESA_B, size=5)
    Family.objects.filter(desa_id=DESA_A).update(status="inactive", inactive_reason="moved")
    Person.objects.filter(mother_name="").update(mother_name="Siti Rahmah")
    run_checks(wilayah=KAB)


def test_closed_recap_does_not_move_with_the_registry(closed_2023: Period) -> None:
    before = _by_code(recap_rows(year=2023))
    _change_the_registry()
    assert _by_code(recap_rows(year=2023)) == before == {KEC_A: (6, 2, 1), KEC_B: (3, 1, 0)}
    assert _by_code(recap_rows(year=2024)) == {KEC_A: (2, 1, 0), KEC_B: (8, 2, 0)}


def test_recap_says_where_its_numbers_come_from(closed_2023: Period) -> None:
    assert desa_numbers(2023, None, None)[1] == closed_2023
    assert desa_numbers(2024, None, None)[1] is None


def test_closed_recap_is_scoped_like_the_live_one(closed_2023: Period, personas) -> None:
    assert _by_code(recap_rows(year=2023, user=personas.operator_a)) == {KEC_A: (4, 1, 0)}
    assert _by_code(recap_rows(year=2023, user=personas.operator_b)) == {KEC_B: (3, 1, 0)}
    assert recap_rows(year=2023, user=personas.admin) == []
    assert _by_code(recap_rows(year=2023, level="desa", wilayah=DESA_B)) == {DESA_B: (3, 1, 0)}


def test_cli_recap_of_a_closed_year_prints_the_snapshot_in_the_same_format(
    closed_2023: Period, capsys
) -> None:
    call_command("recap", year=2023, format="csv")
    live_format = capsys.readouterr()
    _change_the_registry()
    call_command("recap", year=2023, format="csv")
    frozen = capsys.readouterr()
    assert frozen.out == live_format.out
    assert frozen.out.splitlines() == [
        "kecamatan,jumlah_individu,jumlah_keluarga,perlu_perbaikan",
        "Karang Tinggi,6,2,1",
        "Talang Empat,3,1,0",
        "Total,9,3,1",
    ]
    assert "2023" in frozen.err


def test_dashboard_reads_a_closed_year_and_names_the_source(
    closed_2023: Period, personas, settings
) -> None:
    settings.DTKS_CURRENT_YEAR = 2024
    _change_the_registry()
    client = Client()
    client.force_login(personas.pengelola)
    closed = client.get("/", {"tahun": "2023"}, HTTP_ACCEPT_LANGUAGE="en")
    assert closed.context["from_snapshot"] is True
    assert closed.context["total"].individuals == 9
    assert 'id="recap-source"><span class="tag">' in closed.content.decode()
    live = client.get("/")
    assert live.context["from_snapshot"] is False
    assert live.context["year"] == 2024
    assert live.context["total"].individuals == 10
