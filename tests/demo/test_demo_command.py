"""`dtks demo --no-serve`: builds once, rebuilding changes nothing; the full build equals
Tabel 5.3 (slow)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from dtks.accounts.models import RoleAssignment, User
from dtks.accounts.roles import Role
from dtks.demo import generator
from dtks.demo.actions import DEMO_PASSWORD, DEMO_USERS
from dtks.demo.generator import KecamatanTarget
from dtks.performance.models import Appraisal, Employee
from dtks.registry.conflicts import officers_in_registry
from dtks.registry.models import Family, Membership, Person
from dtks.verification.models import Finding
from tests.demo.test_history import check_history

SMALL = [
    KecamatanTarget("17.09.01", "Karang Tinggi", 40, 14, 4),
    KecamatanTarget("17.09.11", "Semidang Lagan", 25, 9, 2),
]


def _demo(only: str | None = "17.09") -> str:
    out = io.StringIO()
    call_command("demo", no_serve=True, only=only, stdout=out)
    return out.getvalue()


@pytest.fixture
def small_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generator, "tabel_5_3", lambda: SMALL)


@pytest.mark.django_db
def test_demo_builds_registry_checks_and_one_user_per_role(small_table: None) -> None:
    output = _demo()
    assert Family.objects.active().count() == 23
    current = Membership.objects.filter(end_date__isnull=True, family__status="active")
    assert current.count() == 65
    assert Person.objects.needing_repair().count() == 6
    assert {a.role for a in RoleAssignment.objects.all()} == set(Role)
    assert User.objects.get(username="operator_desa").check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in output
    assert "operator_kecamatan" in output
    # Every data role has its holder's own NIK and No. KK, and none is in the registry.
    officers = User.objects.exclude(role_assignments__role=Role.ADMIN)
    assert all(u.nik and u.no_kk for u in officers)
    assert list(officers_in_registry(officers)) == []


@pytest.mark.django_db
def test_demo_run_twice_duplicates_nothing(small_table: None) -> None:
    _demo()
    counts = (Family.objects.count(), Person.objects.count(), Finding.objects.count())
    users = User.objects.count()
    _demo()
    assert (Family.objects.count(), Person.objects.count(), Finding.objects.count()) == counts
    assert User.objects.count() == users
    assert RoleAssignment.objects.count() == len(DEMO_USERS)


@pytest.mark.django_db
def test_demo_refuses_regions_without_bengkulu_tengah() -> None:
    with pytest.raises(CommandError, match=r"17\.09"):
        _demo(only="17.01")


@pytest.mark.slow
@pytest.mark.django_db
def test_full_demo_recap_equals_tabel_5_3() -> None:
    _demo(only=None)
    out = io.StringIO()
    call_command("recap", year=2023, format="csv", stdout=out)
    got = {r["kecamatan"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    for target in generator.tabel_5_3():
        row = got[target.name]
        assert int(row["jumlah_individu"]) == target.individuals
        assert int(row["jumlah_keluarga"]) == target.families
        assert int(row["perlu_perbaikan"]) == target.needing_repair
    assert (got["Total"]["jumlah_individu"], got["Total"]["jumlah_keluarga"]) == ("65074", "23507")
    assert got["Total"]["perlu_perbaikan"] == "2117"
    # The same build: 2022 (Tabel 5.4) and the history up to 2023, read from the snapshots.
    out = io.StringIO()
    call_command("recap", year=2022, format="csv", stdout=out)
    total = {r["kecamatan"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}["Total"]
    assert (total["jumlah_keluarga"], total["perlu_perbaikan"]) == ("23744", "550")
    check_history(generator.tabel_5_3())
    # The seed's verdicts for the unit, computed from the demo's 2023 work log.
    verdicts = {aspect: result["verdict"] for aspect, result in _performance().items()}
    assert verdicts == {
        "kuantitas": "baik",
        "kualitas": "belum baik",
        "waktu": "baik",
        "biaya": "belum baik",
        "perilaku": "belum baik",
    }


def _performance() -> dict:
    out = io.StringIO()
    call_command("performance", year=2023, format="json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_the_small_demo_has_the_seed_s_staff_and_their_2023(small_table: None) -> None:
    _demo()
    assert Employee.objects.count() == 5
    assert Appraisal.objects.filter(year=2023, status="agreed").count() == 4
    report = _performance()
    assert report["kualitas"]["verdict"] == "belum baik"  # persons need repair
    assert report["waktu"]["verdict"] == "baik"  # every step inside its window
    biaya = report["biaya"]
    assert biaya["verdict"] == "belum baik"
    assert [i["realisation"] for i in biaya["indicators"]] == ["0", "0", "33.33"]
    commitment = next(i for i in report["perilaku"]["indicators"] if i["measure"] == "commitment")
    assert commitment["verdict"] == "belum baik"


@pytest.mark.django_db
def test_demo_families_have_a_dtsen_desil(small_table: None) -> None:
    _demo()
    ranked = Family.objects.active().filter(desil__isnull=False)
    assert ranked.exists() and ranked.filter(desil__lte=4).exists()
