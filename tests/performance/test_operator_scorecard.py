"""Operator scorecards computed from a small history made through the actions: proposals
submitted inside and outside the window, returned and verified, findings fixed, changes held
for a second approver, edits at odd hours; and a fixed number of queries however many
operators there are."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dtks.accounts.models import RoleAssignment
from dtks.accounts.roles import Role
from dtks.performance.operators import anomalies as a
from dtks.performance.operators.access import operator_rows
from dtks.performance.operators.scorecard import Period, scorecards
from dtks.proposals import actions
from dtks.proposals.uploads import upload_document
from dtks.registry import held
from dtks.schedule.models import Extension
from dtks.schedule.windows import local_day
from dtks.verification.models import Finding
from dtks.wilayah.models import Region
from tests.conftest import DESA_A, DESA_B
from tests.factories import UserFactory, family_with_members

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")
AUGUST = Period(2023, 8)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def at(day: int, hour: int = 10, minute: int = 0, month: int = 8) -> dt.datetime:
    return dt.datetime(2023, month, day, hour, minute, tzinfo=WIB)


@contextmanager
def clock(when: dt.datetime):
    """The audit log's clock (events are stamped when written) set to `when`."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path


def open_batch(user, desa: str = DESA_A, month: int = 8):
    with clock(at(1, month=month)):
        batch = actions.open_batch(
            by=user, desa=Region.objects.get(code=desa), year=2023, month=month
        )
        upload_document(batch, by=user, kind="berita_acara", file=SimpleUploadedFile("ba.pdf", PDF))
    return batch


def correction(batch, user, person, when=None):
    with clock(when or at(2, month=batch.month)):
        return actions.create_proposal(
            batch, by=user, kind="correct_person", person=person,
            payload={"person": {"name": "Nama Baru"}},
        )  # fmt: skip


def submit(proposal, user, when: dt.datetime):
    with clock(when):
        return actions.submit_proposal(proposal, by=user, when=when)


def step(proposal, action: str, user, when: dt.datetime):
    with clock(when):
        note = "perbaiki" if action == "return" else ""
        return actions.take_step(proposal, action, by=user, note=note, when=when)


def late_window(desa: str = DESA_A) -> Extension:
    """The DTKS window kept open after its regular days (15-20) for the rest of August."""
    return Extension.objects.create(
        kind="dtks", region_id=desa, starts_on=dt.date(2023, 8, 21),
        ends_on=dt.date(2023, 8, 31), reason="banjir",
    )  # fmt: skip


def members(family):
    return [m.person for m in family.memberships.order_by("relationship", "id")]


def card_of(cards, user, desa: str = DESA_A):
    return next(c for c in cards if c.user_id == user.pk and c.desa_code == desa)


@pytest.fixture
def history(personas, family_a):
    """Operator A's August 2023: P1 submitted on the 16th, returned, resubmitted, verified;
    P2 submitted on the 20th (the window's last day) at 23:30 and verified at once; P3
    submitted on the 22nd under an extension; P4 a draft; P5 submitted in September."""
    late_window()
    op, verifier = personas.operator_a, personas.pengelola
    batch = open_batch(op)
    p1, p2, p3, p4 = (correction(batch, op, person) for person in members(family_a))
    submit(p1, op, at(16))
    step(p1, "return", verifier, at(21))
    submit(p1, op, at(22))
    step(p1, "verify", verifier, at(23))
    submit(p2, op, at(20, 23, 30))
    step(p2, "verify", verifier, at(21))
    submit(p3, op, at(22))
    september = open_batch(op, month=9)
    p5 = correction(september, op, members(family_a)[0])
    submit(p5, op, at(18, month=9))
    return {"p1": p1, "p2": p2, "p3": p3, "p4": p4, "p5": p5}


def test_proposal_figures_of_a_month(personas, history) -> None:
    card = card_of(scorecards(personas.pengelola, AUGUST, operator_rows(personas.pengelola)),
                   personas.operator_a)  # fmt: skip
    assert card.submitted == 3
    assert card.inside_window == 2  # P1 (16th) and P2 (20th, 23:30 WIB); P3 under the extension
    assert card.returned == 1 and card.return_rate == pytest.approx(1 / 3)
    assert card.verified_clean == 1 and card.clean_share == pytest.approx(1 / 3)  # P2 only
    assert card.inside_percent == pytest.approx(200 / 3)


def test_a_year_counts_every_month_and_another_month_none(personas, history) -> None:
    rows = operator_rows(personas.pengelola)
    year = card_of(scorecards(personas.pengelola, Period(2023), rows), personas.operator_a)
    assert year.submitted == 4 and year.inside_window == 3
    october = card_of(scorecards(personas.pengelola, Period(2023, 10), rows), personas.operator_a)
    assert october.submitted == 0 and october.return_rate is None


def test_operator_b_has_an_empty_card_of_desa_b(personas, history) -> None:
    cards = scorecards(personas.pengelola, AUGUST, operator_rows(personas.pengelola))
    other = card_of(cards, personas.operator_b, DESA_B)
    assert (other.submitted, other.open_findings, other.alerts) == (0, 0, [])


def _finding(person, found: dt.datetime, fixed: dt.datetime | None) -> Finding:
    finding = Finding.objects.create(
        rule="test_rule", level="person", person=person, severity="error", message="-"
    )
    if fixed:
        finding.status, finding.closed_at = "resolved", fixed
    finding.opened_at = found
    finding.save()
    return finding


def test_open_findings_now_and_median_days_to_fix(personas, family_a, family_b) -> None:
    head, spouse, child, other = members(family_a)
    _finding(head, at(1), at(3))  # 2 days
    _finding(spouse, at(1), at(5))  # 4 days
    _finding(child, at(1), at(11))  # 10 days
    _finding(other, at(1), at(2, month=9))  # resolved in September
    _finding(head, at(20), None).rule = "open_one"
    _finding(members(family_b)[0], at(20), None)  # desa B
    cards = scorecards(personas.pengelola, AUGUST, operator_rows(personas.pengelola))
    card = card_of(cards, personas.operator_a)
    assert card.median_fix_days == 4.0
    assert card.open_findings == 1
    assert card_of(cards, personas.operator_b, DESA_B).open_findings == 1


def held_by_tied_operator(family):
    """A desa operator whose own No. KK is the family's holds a change to it (today)."""
    tied = UserFactory(
        username="op_tied", no_kk=family.no_kk, roles=[(Role.OPERATOR_DESA, family.desa_id)]
    )
    change = held.hold_change(
        by=tied, action="update_family", family=family,
        payload=held.family_payload(family, rt="009"),
    )  # fmt: skip
    return tied, change


def test_changes_held_for_a_second_approver_are_flags(personas, family_a) -> None:
    tied, change = held_by_tied_operator(family_a)
    today = local_day()
    cards = scorecards(
        personas.pengelola, Period(today.year, today.month), operator_rows(personas.pengelola)
    )
    assert card_of(cards, tied).held_changes == [change.pk]
    assert card_of(cards, personas.operator_a).conflict_flags == 0


def test_bimtek_attended_in_the_period_is_counted(personas) -> None:
    from dtks.training.actions import create_session, record_attendance

    def session(day: dt.date) -> object:
        data = {"title": "Bimtek", "date": day, "mode": "online", "cost": 0}
        return create_session(data, by=personas.pengelola)

    record_attendance(session(dt.date(2023, 8, 10)), {personas.operator_a.pk: True}, by=None)
    record_attendance(session(dt.date(2023, 3, 10)), {personas.operator_a.pk: True}, by=None)
    record_attendance(session(dt.date(2023, 8, 20)), {personas.operator_b.pk: False}, by=None)
    cards = scorecards(personas.pengelola, AUGUST, operator_rows(personas.pengelola))
    assert card_of(cards, personas.operator_a).training == 1  # March lies outside August
    assert card_of(cards, personas.operator_b, DESA_B).training == 0  # listed, absent


def test_burst_fires_at_its_share_on_real_submissions(settings, personas, family_a) -> None:
    settings.DTKS_OPERATOR_ALERTS = {"burst_min_proposals": 2, "burst_share": 0.5}
    op = personas.operator_a
    batch = open_batch(op)
    p1, p2 = (correction(batch, op, person) for person in members(family_a)[:2])
    submit(p1, op, at(16))
    submit(p2, op, at(19, 9))  # the window's last two days: 19 and 20 August
    rows = operator_rows(personas.pengelola)
    (alert,) = card_of(scorecards(personas.pengelola, AUGUST, rows), op).alerts
    assert (alert.code, alert.evidence, alert.figure) == (a.DEADLINE_BURST, (p2.pk,), 0.5)
    settings.DTKS_OPERATOR_ALERTS = {"burst_min_proposals": 2, "burst_share": 0.51}
    assert card_of(scorecards(personas.pengelola, AUGUST, rows), op).alerts == []


def test_same_address_fires_at_its_number_of_families(settings, personas) -> None:
    settings.DTKS_OPERATOR_ALERTS = {"address_min_families": 3}
    op = personas.operator_a
    batch = open_batch(op)
    spellings = [("Jalan Mawar No. 07", "001"), ("JL. MAWAR 7", "1"), ("Jl Mawar no 007", "01")]
    families = [family_with_members(DESA_A, size=2, address=s, rt=rt) for s, rt in spellings]
    proposals = []
    for family in families:
        with clock(at(2)):
            proposal = actions.create_proposal(
                batch, by=op, kind="program", subtype="pkh", family=family
            )
        proposals.append(submit(proposal, op, at(16)))
    rows = operator_rows(personas.pengelola)
    (alert,) = card_of(scorecards(personas.pengelola, AUGUST, rows), op).alerts
    assert alert.code == a.SAME_ADDRESS
    assert alert.evidence == tuple(p.pk for p in proposals)
    assert alert.families == tuple(sorted(f.pk for f in families))
    settings.DTKS_OPERATOR_ALERTS = {"address_min_families": 4}
    assert card_of(scorecards(personas.pengelola, AUGUST, rows), op).alerts == []


def test_odd_hours_count_local_time_from_22_to_5(settings, personas, family_a) -> None:
    """Submissions at 21:59, 22:00, 04:59 and 05:00 WIB: the middle two are odd; so is no
    event of the morning, whatever its UTC hour (05:00 WIB is 22:00 UTC)."""
    settings.DTKS_OPERATOR_ALERTS = {"odd_count": 2}
    op = personas.operator_a
    batch = open_batch(op)
    proposals = [correction(batch, op, person) for person in members(family_a)]
    times = [at(16, 21, 59), at(16, 22, 0), at(17, 4, 59), at(17, 5, 0)]
    for proposal, when in zip(proposals, times, strict=True):
        submit(proposal, op, when)
    rows = operator_rows(personas.pengelola)
    (alert,) = card_of(scorecards(personas.pengelola, AUGUST, rows), op).alerts
    from dtks.audit.models import AuditEvent

    odd = AuditEvent.objects.filter(
        action="proposal_submit", subject_id__in=[str(proposals[1].pk), str(proposals[2].pk)]
    )
    assert alert.code == a.ODD_HOURS
    assert alert.evidence == tuple(sorted(odd.values_list("id", flat=True)))
    assert alert.families == (family_a.pk,)
    settings.DTKS_OPERATOR_ALERTS = {"odd_count": 3, "odd_share_min_count": 3}
    assert card_of(scorecards(personas.pengelola, AUGUST, rows), op).alerts == []


def _more_operators(n: int, start: int) -> None:
    for i in range(start, start + n):
        user = UserFactory(username=f"op_extra{i}", roles=[(Role.OPERATOR_DESA, DESA_A)])
        batch = open_batch(user) if i == start else None
        if batch:
            family = family_with_members(DESA_A, size=2)
            submit(correction(batch, user, members(family)[0]), user, at(17, 23))


def test_queries_do_not_grow_with_the_operators(personas, history, django_assert_max_num_queries):
    viewer = personas.pengelola
    viewer.active_assignments()
    _more_operators(2, 0)
    with django_assert_max_num_queries(14) as few:
        small = scorecards(viewer, AUGUST, operator_rows(viewer))
    _more_operators(6, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        large = scorecards(viewer, AUGUST, operator_rows(viewer))
    assert len(large) == len(small) + 6
    assert RoleAssignment.objects.filter(role=Role.OPERATOR_DESA).count() == len(large)
