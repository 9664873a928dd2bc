"""What other apps read: the year's summary, sessions attended, untrained operators and the
share of desa with a trained operator."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from dtks.accounts.roles import Role
from dtks.training import actions, queries
from tests.conftest import DESA_A, DESA_A2, DESA_B, KAB, KEC_A
from tests.factories import UserFactory

from .conftest import make_session

TODAY = date(2023, 12, 15)


def attend(session, by, *users, present=True):
    actions.record_attendance(session, {u.pk: present for u in users}, by=by)


def test_year_summary_counts_held_online_cost_and_plan(personas):
    by = personas.pengelola
    actions.set_plan(2023, planned_sessions=3, planned_online=2, planned_budget=Decimal(6_000_000),
                     by=by)  # fmt: skip
    first = make_session(by, date(2023, 3, 1), mode="online", cost=500_000)
    second = make_session(by, date(2023, 11, 20), mode="offline", cost=2_000_000)
    make_session(by, date(2023, 12, 20), mode="online", cost=0)  # after TODAY: scheduled
    make_session(by, date(2022, 12, 1), mode="offline", cost=9_999)  # another year
    attend(first, by, personas.operator_a, personas.operator_b)
    attend(second, by, personas.operator_a)
    attend(second, by, personas.pengisi, present=False)
    summary = queries.year_summary(2023, today=TODAY)
    assert (summary.sessions, summary.held, summary.held_online, summary.scheduled) == (3, 2, 1, 1)
    assert (summary.planned_sessions, summary.planned_online) == (3, 2)
    assert summary.training_cost == Decimal(2_500_000)
    assert summary.attendees == 2  # distinct, present only


def test_year_without_plan_or_budget_says_so(personas):
    summary = queries.year_summary(2023, today=TODAY)
    assert summary.planned_sessions is None and summary.sessions == 0
    assert not summary.has_budget
    assert summary.budget_share is None
    assert [r.category for r in summary.budget] == [
        "training", "facilities", "field_verification", "musdes", "operational", "other"
    ]  # fmt: skip


def test_budget_totals_per_category_and_realisation_share(personas):
    by = personas.pengelola
    for category, planned, realised in [
        ("training", 4_000_000, 3_000_000), ("training", 1_000_000, 1_000_000),
        ("facilities", 10_000_000, 12_000_000),
    ]:  # fmt: skip
        actions.create_budget_line(
            {"year": 2024, "category": category, "description": "-",
             "planned": Decimal(planned), "realised": Decimal(realised)}, by=by,
        )  # fmt: skip
    summary = queries.year_summary(2024, today=TODAY)
    rows = {r.category: r for r in summary.budget}
    assert (rows["training"].planned, rows["training"].realised) == (5_000_000, 4_000_000)
    assert rows["training"].share == Decimal("80.0")
    assert rows["facilities"].overspent and rows["facilities"].share == Decimal("120.0")
    assert rows["musdes"].share is None
    assert (summary.budget_planned, summary.budget_realised) == (15_000_000, 16_000_000)
    assert summary.budget_share == Decimal("106.7")


def test_facility_gaps(personas):
    actions.set_facility_need(2023, "computer", needed=3, available=1, by=personas.pengelola)
    actions.set_facility_need(2023, "printer", needed=1, available=2, by=personas.pengelola)
    summary = queries.year_summary(2023, today=TODAY)
    assert [(r.item, r.gap) for r in summary.facilities] == [("computer", 2), ("printer", 0)]
    assert summary.facility_gap == 2


def test_sessions_attended_counts_within_the_dates_and_answers_every_id(personas):
    by = personas.pengelola
    inside = make_session(by, date(2023, 5, 1))
    edge = make_session(by, date(2023, 6, 30))
    outside = make_session(by, date(2023, 7, 1))
    for s in (inside, edge, outside):
        attend(s, by, personas.operator_a)
    attend(inside, by, personas.operator_b, present=False)
    ids = [personas.operator_a.pk, personas.operator_b.pk, personas.pengisi.pk]
    counts = queries.sessions_attended(ids, date(2023, 1, 1), date(2023, 6, 30))
    assert counts == {personas.operator_a.pk: 2, personas.operator_b.pk: 0, personas.pengisi.pk: 0}


def test_untrained_operators_never_and_not_recently(personas):
    by = personas.pengelola
    old = make_session(by, date(2022, 6, 1))
    recent = make_session(by, date(2023, 9, 1))
    attend(old, by, personas.operator_b)
    fresh = UserFactory(username="op_a2", roles=[(Role.OPERATOR_DESA, DESA_A2)])
    attend(recent, by, fresh)
    rows = queries.untrained_operators(KAB, within_months=12, today=TODAY)
    assert [(r.username, r.last_trained) for r in rows] == [
        ("op_a", None), ("op_b", date(2022, 6, 1))
    ]  # fmt: skip
    never = queries.untrained_operators(KAB, ever=True, today=TODAY)
    assert [r.username for r in never] == ["op_a"]
    assert [r.username for r in queries.untrained_operators(KEC_A, today=TODAY)] == ["op_a"]
    assert rows[0].kecamatan_name == "Karang Tinggi" and rows[0].desa_code == DESA_A


def test_a_session_still_to_come_trains_nobody_yet(personas):
    upcoming = make_session(personas.pengelola, date(2023, 12, 20))
    attend(upcoming, personas.pengelola, personas.operator_a)
    rows = queries.untrained_operators(DESA_A, today=TODAY)
    assert [r.username for r in rows] == ["op_a"]


def test_recent_months_come_from_settings(personas, settings):
    attend(make_session(personas.pengelola, date(2022, 6, 1)), personas.pengelola,
           personas.operator_a)  # fmt: skip
    assert queries.untrained_operators(DESA_A, today=TODAY)  # default 12 months
    settings.DTKS_TRAINING_RECENT_MONTHS = 24
    assert not queries.untrained_operators(DESA_A, today=TODAY)


def test_desa_coverage_counts_desa_without_operator_as_not_covered(personas):
    attend(make_session(personas.pengelola, date(2023, 9, 1)), personas.pengelola,
           personas.operator_a)  # fmt: skip
    coverage = queries.desa_coverage(KAB, today=TODAY)
    assert [(r.code, r.operators, r.covered) for r in coverage.rows] == [
        (DESA_A, 1, True), (DESA_A2, 0, False), (DESA_B, 1, False)
    ]  # fmt: skip
    assert (coverage.covered, coverage.desa, coverage.share) == (1, 3, Decimal("33.3"))


def test_months_before_cuts_to_the_month_length():
    assert queries.months_before(date(2024, 3, 31), 1) == date(2024, 2, 29)
    assert queries.months_before(date(2024, 1, 15), 12) == date(2023, 1, 15)
