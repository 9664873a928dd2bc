"""The demo's history: 2022 (Tabel 5.4) closed, 2023 reached through ratified proposals
(new families, corrections, whole families deactivated)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from dtks.audit.models import AuditEvent
from dtks.demo import generator, history
from dtks.demo.generator import KecamatanTarget
from dtks.periods.diff import diff_periods
from dtks.periods.models import Period, Snapshot
from dtks.proposals.models import Proposal
from dtks.proposals.workflow import is_path
from dtks.registry.models import Family, Membership, Person

SMALL = [
    KecamatanTarget("17.09.01", "Karang Tinggi", 120, 40, 12),
    KecamatanTarget("17.09.11", "Semidang Lagan", 90, 30, 9),
]


def test_2022_targets_are_tabel_5_4_spread_over_the_kecamatan() -> None:
    year = history.targets_2022(generator.tabel_5_3())
    assert sum(t.families for t in year) == 23_744
    assert sum(t.needing_repair for t in year) == 550
    assert [t.code for t in year] == [t.code for t in generator.tabel_5_3()]


def test_apportion_sums_and_follows_the_weights() -> None:
    assert history.apportion(10, [1, 1, 2]) == [3, 2, 5]
    assert sum(history.apportion(550, [165, 157, 367])) == 550


def totals(period: Period) -> tuple[int, int, int]:
    rows = Snapshot.objects.filter(period=period)
    return (
        sum(r.individuals for r in rows),
        sum(r.families for r in rows),
        sum(r.needing_repair for r in rows),
    )


def check_history(targets: list[KecamatanTarget]) -> None:
    """What every demo build holds: 2022 closed with the scaled Tabel 5.4 totals, 2023 closed
    with the table's, each ratified proposal's log a path of the table, and the diff's
    families in / out = new-family proposals / families deactivated."""
    year_2022 = history.targets_2022(targets)
    p2022, p2023 = (Period.objects.get(kind="year", year=y) for y in (2022, 2023))
    assert p2022.is_closed and p2023.is_closed
    _, families, repair = totals(p2022)
    assert families == sum(t.families for t in year_2022)
    assert (
        sum(t.needing_repair for t in year_2022) <= repair <= sum(t.needing_repair for t in targets)
    )
    assert totals(p2023) == (
        sum(t.individuals for t in targets),
        sum(t.families for t in targets),
        sum(t.needing_repair for t in targets),
    )
    ratified = Proposal.objects.filter(status="ratified")
    assert ratified.exists() and not Proposal.objects.exclude(status="ratified").exists()
    for proposal in ratified.prefetch_related("transitions"):
        log = [t.action for t in proposal.transitions.order_by("id")]
        assert log == ["create", "submit", "verify", "finalise", "ratify"]
        assert is_path([(t.action, t.from_status, t.to_status) for t in proposal.transitions.all()])
        assert all(t.at.year == 2023 for t in proposal.transitions.all())
    diff = diff_periods(p2022, p2023, user=None).totals()
    deactivated = ratified.filter(kind="deactivate", person=None)
    events = AuditEvent.objects.filter(action="deactivate_family", subject_type="family")
    assert {e.note for e in events} == {f"proposal={p.pk}" for p in deactivated}
    assert diff["in"] == ratified.filter(kind="new_family").count()
    assert diff["out"] == deactivated.count() == events.count() > 0
    assert not Family.objects.filter(pk__in=deactivated.values("family"), status="active").exists()


@pytest.mark.django_db
def test_small_demo_history(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(generator, "tabel_5_3", lambda: SMALL)
    call_command("demo", no_serve=True, only="17.09", stdout=io.StringIO())
    check_history(SMALL)
    current = Membership.objects.filter(end_date__isnull=True, family__status="active")
    assert current.count() == 210 and Family.objects.active().count() == 70
    assert Person.objects.needing_repair().count() == 21
