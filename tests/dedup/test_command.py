"""`dtks dedup` without INPUT: registry mode; with INPUT, file mode as before
(`tests/linkage/test_dedup_command.py`)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, get_commands

from dtks.dedup.models import CandidatePair, DedupRun
from dtks.registry.models import Person


def test_dtks_dedup_is_one_command_of_the_dedup_app() -> None:
    assert get_commands()["dedup"] == "dtks.dedup"


def test_registry_mode_prints_its_counts(planted, capsys: pytest.CaptureFixture) -> None:
    call_command("dedup", verbosity=0)
    out = capsys.readouterr().out
    run = DedupRun.objects.get()
    assert (run.persons, run.created) == (_persons(), 2)
    assert f"{run.persons} " in out and "/ganda/" in out
    assert CandidatePair.objects.count() == 2


def _persons() -> int:
    return Person.objects.filter(memberships__end_date__isnull=True).distinct().count()


def test_registry_mode_writes_the_pairs_by_id_dtks(planted, tmp_path: Path) -> None:
    out = tmp_path / "pairs.csv"
    call_command("dedup", "--wilayah", "17.09.01", "--output", str(out), verbosity=0)
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    ids = {planted.yusuf_old.id_dtks, planted.yusuf_new.id_dtks}
    assert [{r["id_l"], r["id_r"]} for r in rows] == [ids]


def test_registry_mode_as_a_user_keeps_to_their_area(planted, personas) -> None:
    with pytest.raises(CommandError):
        call_command("dedup", "--user", personas.operator_a.username, verbosity=0)
    call_command("dedup", "--user", personas.pengelola.username, verbosity=0)
    assert DedupRun.objects.get().by == personas.pengelola


def test_file_mode_options_are_refused_in_registry_mode(planted) -> None:
    with pytest.raises(CommandError):
        call_command("dedup", "--train", verbosity=0)
    assert not DedupRun.objects.exists()


def test_file_mode_needs_output_and_refuses_registry_options(tmp_path: Path) -> None:
    source = tmp_path / "x.csv"
    source.write_text("iddtks,nama\nA,Siti\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("dedup", str(source))
    with pytest.raises(CommandError):
        call_command("dedup", str(source), "--output", str(tmp_path / "o.csv"), "--wilayah", "17")
