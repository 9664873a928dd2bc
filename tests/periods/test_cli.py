"""`dtks close_period` and `dtks period_diff`."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from dtks.periods.models import Period
from dtks.registry.models import Family
from tests.conftest import DESA_B
from tests.factories import family_with_members


def test_close_period_prints_progress_and_closes(registry, capsys) -> None:
    with translation.override("en"):
        call_command("close_period", year=2023)
    out = capsys.readouterr()
    assert "Period 2023 closed." in out.out
    assert "Counted 3 desa" in out.err
    assert "Fingerprinted 3 families" in out.err
    assert Period.objects.by_key("2023").get().is_closed


def test_close_period_as_a_named_user(registry, personas) -> None:
    call_command("close_period", year=2023, user="pengelola")
    assert Period.objects.get(year=2023).closed_by == personas.pengelola


def test_close_period_refuses_twice_and_unknown_or_unauthorised_users(registry, personas) -> None:
    with pytest.raises(CommandError):
        call_command("close_period", year=2023, user="nobody-here")
    with pytest.raises(CommandError):
        call_command("close_period", year=2023, user="pengesah")
    call_command("close_period", year=2023)
    with pytest.raises(CommandError):
        call_command("close_period", year=2023)


def test_period_diff_table_and_csv(closed_2023: Period, registry, capsys) -> None:
    Family.objects.filter(pk=registry["b"].pk).update(status="inactive", inactive_reason="moved")
    new = family_with_members(DESA_B, size=2, data_year=2024)
    call_command("period_diff", a="2023", b="2024")
    table = capsys.readouterr().out.splitlines()
    assert table[0] == "2023 → 2024"
    assert table[-2].split() == [DESA_B, "1", "1", "0"]
    assert table[-1].split() == ["Total", "1", "1", "0"]
    call_command("period_diff", a="2023", b="2024", format="csv")
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "perubahan,desa,id_keluarga,id_dtks,no_kk,anggota_sebelum,anggota_sesudah"
    assert sorted(rows[1:]) == sorted(
        [
            f"in,{DESA_B},{new.pk},{new.id_dtks},{new.no_kk},,2",
            f"out,{DESA_B},{registry['b'].pk},{registry['b'].id_dtks},{registry['b'].no_kk},3,",
        ]
    )


def test_period_diff_refuses_an_unknown_period(closed_2023: Period) -> None:
    with pytest.raises(CommandError):
        call_command("period_diff", a="2023", b="2024-13")
