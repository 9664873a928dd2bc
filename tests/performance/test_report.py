"""The performance report: each aspect's realisation from the log against the agreed targets,
scored under the appraisal's regime, with verdicts and recommendations drawn from the gaps;
and `dtks performance` printing it as a table, JSON or PDF."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from dtks.performance import actions
from dtks.performance.models import Measure, Regime
from dtks.performance.report import BAIK, BELUM_BAIK, employee_report, unit_report
from dtks.training import actions as training
from tests.performance.test_worklog import proposals  # noqa: F401
from tests.proposals.conftest import batch, documents_dir, open_windows  # noqa: F401

pytestmark = pytest.mark.django_db
ASPECTS = {"kuantitas", "kualitas", "waktu", "biaya", "perilaku"}


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids); the Indonesian ones are the catalogue's."""
    with translation.override("en"):
        yield


def skp(employee, appraiser, regime=Regime.PP30, targets=(), ratings=()):
    appraisal = actions.open_appraisal(employee, year=2023, regime=regime, by=employee.user)
    for measure, value in targets:
        actions.propose_target(
            appraisal, by=employee.user, activity="Kegiatan", indicator=str(measure),
            measure=measure, value=Decimal(value), unit="x",
        )  # fmt: skip
    actions.agree_targets(appraisal, by=appraiser)
    for aspect, score in ratings:
        actions.rate_behaviour(
            appraisal, by=appraiser, aspect=aspect, score=Decimal(score), evidence="catatan"
        )
    return appraisal


def test_the_verifier_s_own_work_against_their_targets(personas, staff, proposals):  # noqa: F811
    skp(
        staff.pengelola,
        personas.pimpinan,
        targets=[
            (Measure.RECORDS_HANDLED, 2),
            (Measure.IN_WINDOW, 100),
            (Measure.DAYS_TO_VERIFY, 5),
        ],
        ratings=[("commitment", 80), ("cooperation", 100)],
    )
    report = employee_report(staff.pengelola, 2023)
    kuantitas, waktu = report.aspects["kuantitas"], report.aspects["waktu"]
    assert kuantitas.verdict == BAIK and kuantitas.lines[0].realised.value == 3
    assert kuantitas.lines[0].score == Decimal("120.00")  # 150% of the target: capped at 120
    in_window, days = waktu.lines
    assert (in_window.realised.value, in_window.baik) == (Decimal("100.00"), True)
    # The median of 9, 10 and 34 days against 5: lower is better, 0% achieved.
    assert (days.realised.value, days.score, days.baik) == (Decimal("10.0"), Decimal("0.00"), False)
    assert waktu.verdict == BELUM_BAIK and "verif" in waktu.recommendation
    perilaku = report.aspects["perilaku"]
    assert perilaku.verdict == BELUM_BAIK and "Commitment" in perilaku.recommendation
    assert report.aspects["biaya"].lines == []  # no biaya target in this SKP
    # PP 30/2019: SKP = mean(120, 109, 0) = 76.33, behaviour mean(80, 100) = 90,
    # final 70/30 = 80.43: Cukup (70 to under 90).
    outcome = report.outcome
    assert (outcome.skp, outcome.behaviour, outcome.value) == (
        Decimal("76.33"), Decimal("90.00"), Decimal("80.43"),
    )  # fmt: skip
    assert outcome.predikat == "Cukup"


def test_the_same_work_scored_under_another_regime(personas, staff, proposals):  # noqa: F811
    skp(staff.pengelola, personas.pimpinan, Regime.PP46, targets=[(Measure.RECORDS_HANDLED, 4)])
    line = employee_report(staff.pengelola, 2023).aspects["kuantitas"].lines[0]
    assert (line.score, line.baik) == (Decimal("75.00"), False)  # 3 of 4: R/T×100, Baik ≥ 76


def test_the_unit_without_budget_or_bimtek_falls_short_on_biaya(staff, family_a):
    biaya = unit_report(2023).aspects["biaya"]
    assert biaya.verdict == BELUM_BAIK
    budget, trainings, facilities = biaya.lines
    assert (budget.realised.value, budget.realised.note) == (Decimal(0), "No DTKS budget in 2023.")
    assert trainings.realised.evidence["held"] == 0 and not trainings.baik
    assert facilities.baik  # no facility need recorded: nothing missing
    assert "budget" in biaya.recommendation and "0 of 2" in biaya.recommendation


def test_budget_bimtek_and_computers_as_planned_make_biaya_baik(personas, staff, family_a):
    by = personas.pengelola
    line = {"year": 2023, "category": "training", "description": "Bimtek"}
    training.create_budget_line({**line, "planned": 5_000_000, "realised": 5_000_000}, by=by)
    training.set_plan(
        2023, planned_sessions=1, planned_online=1, planned_budget=Decimal(5_000_000), by=by
    )
    session = {"title": "Bimtek daring", "topic": "Usulan", "mode": "online", "cost": 0}
    training.create_session({**session, "date": dt.date(2023, 3, 1)}, by=by)
    training.set_facility_need(2023, "computer", needed=3, available=3, by=by)
    biaya = unit_report(2023).aspects["biaya"]
    assert [line.realised.value for line in biaya.lines] == [Decimal(100)] * 3
    assert biaya.verdict == BAIK


def test_the_unit_s_kualitas_is_the_registry_without_repair_needed(staff, family_a):
    from dtks.registry.models import Person
    from dtks.verification.actions import run_checks

    Person.objects.filter(pk=family_a.memberships.first().person_id).update(mother_name="")
    run_checks()
    line = next(
        ln for ln in unit_report(2023).aspects["kualitas"].lines if ln.measure == "registry_clean"
    )
    assert line.realised.evidence == {"individuals": 4, "needing_repair": 1}
    assert (line.realised.value, line.baik) == (Decimal("75.00"), False)


def test_json_has_one_key_per_aspect_each_with_its_verdict(staff, family_a):
    out = io.StringIO()
    call_command("performance", year=2023, format="json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == ASPECTS
    assert all(data[a]["verdict"] in (BAIK, BELUM_BAIK) for a in ASPECTS)
    assert data["biaya"]["verdict"] == BELUM_BAIK


def test_one_employee_by_nip_and_an_unknown_nip_refused(personas, staff, proposals):  # noqa: F811
    skp(staff.pengelola, personas.pimpinan, targets=[(Measure.RECORDS_HANDLED, 3)])
    out = io.StringIO()
    call_command("performance", year=2023, employee=staff.pengelola.nip, format="json", stdout=out)
    kuantitas = json.loads(out.getvalue())["kuantitas"]
    assert kuantitas["verdict"] == BAIK and kuantitas["indicators"][0]["realisation"] == "3"
    assert kuantitas["indicators"][0]["evidence"] == {"proposal": 3}
    with pytest.raises(CommandError, match="199999"):
        call_command("performance", year=2023, employee="199999999999999999")


def test_pdf_report_is_written(staff, family_a, tmp_path):
    target = tmp_path / "laporan.pdf"
    call_command("performance", year=2023, format="pdf", output=str(target), stderr=io.StringIO())
    assert target.read_bytes().startswith(b"%PDF")
