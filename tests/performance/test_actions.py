"""Performance actions: maker ≠ checker on SKP targets, frozen targets after agreement, manual
realisation only where the log has nothing, behaviour ratings with evidence from the right
raters, the organisation's predikat by the head of the Dinas only, NIPs checked, all audited."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.performance import actions
from dtks.performance.models import AppraisalStatus, Employee, Measure, OrganisationRating, Regime
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Refusals are matched in English (the msgids); the Indonesian ones are the catalogue's."""
    with translation.override("en"):
        yield


@pytest.fixture
def appraisal(staff):
    return actions.open_appraisal(
        staff.pengisi, year=2023, regime=Regime.PP30, by=staff.pengisi.user
    )


def propose(appraisal, by, measure=Measure.RECORDS_HANDLED, value="100", **extra):
    return actions.propose_target(
        appraisal, by=by, activity="Entri data", indicator="Data dientri",
        measure=measure, value=Decimal(value), unit="data", **extra,
    )  # fmt: skip


def test_the_employee_proposes_and_only_the_pejabat_penilai_agrees(staff, appraisal):
    target = propose(appraisal, staff.pengisi.user)
    assert target.aspect == "kuantitas"  # a log measure fixes its aspect
    with pytest.raises(PermissionDeniedError):
        actions.agree_targets(appraisal, by=staff.pengisi.user)
    with pytest.raises(PermissionDeniedError):
        actions.agree_targets(appraisal, by=staff.pengelola.user)  # a colleague, not the appraiser
    agreed = actions.agree_targets(appraisal, by=staff.head.user)
    assert agreed.status == AppraisalStatus.AGREED and agreed.agreed_by == staff.head.user
    with pytest.raises(DomainError, match="agreed"):
        propose(appraisal, staff.pengisi.user)
    assert AuditEvent.objects.filter(action="agree_targets", actor=staff.head.user).exists()


def test_nobody_else_opens_or_fills_an_skp(staff, personas):
    with pytest.raises(PermissionDeniedError):
        actions.open_appraisal(
            staff.pengisi, year=2024, regime=Regime.PP30, by=staff.pengelola.user
        )
    appraisal = actions.open_appraisal(
        staff.pengisi, year=2024, regime=Regime.PP30, by=staff.head.user
    )
    with pytest.raises(DomainError):
        actions.open_appraisal(staff.pengisi, year=2024, regime=Regime.PP30, by=staff.head.user)
    with pytest.raises(PermissionDeniedError):
        propose(appraisal, personas.operator_a)


def test_targets_are_positive_and_manual_ones_name_their_aspect(staff, appraisal):
    with pytest.raises(DomainError) as zero:
        propose(appraisal, staff.pengisi.user, value="0")
    assert zero.value.field == "value"
    with pytest.raises(DomainError) as aspect:
        propose(appraisal, staff.pengisi.user, measure=Measure.MANUAL)
    assert aspect.value.field == "aspect"


def test_manual_realisation_only_for_a_manual_target_and_with_evidence(staff, appraisal):
    logged = propose(appraisal, staff.pengisi.user)
    manual = propose(appraisal, staff.pengisi.user, measure=Measure.MANUAL, aspect="kuantitas")
    with pytest.raises(DomainError, match="work log"):
        actions.enter_manual_realisation(
            logged, by=staff.pengisi.user, month=1, value=Decimal(5), note="x"
        )
    with pytest.raises(DomainError) as blank:
        actions.enter_manual_realisation(
            manual, by=staff.pengisi.user, month=1, value=Decimal(5), note=" "
        )
    assert blank.value.field == "note"
    row = actions.enter_manual_realisation(
        manual, by=staff.pengisi.user, month=1, value=Decimal(5), note="buku"
    )
    again = actions.enter_manual_realisation(
        manual, by=staff.pengisi.user, month=1, value=Decimal(7), note="buku"
    )
    assert row.pk == again.pk and manual.manual.get().value == 7


def test_behaviour_is_rated_by_the_appraiser_with_evidence(staff, appraisal):
    with pytest.raises(DomainError) as no_evidence:
        actions.rate_behaviour(
            appraisal, by=staff.head.user, aspect="commitment", score=Decimal(90), evidence=""
        )
    assert no_evidence.value.field == "evidence"
    with pytest.raises(DomainError):
        actions.rate_behaviour(
            appraisal, by=staff.head.user, aspect="commitment", score=Decimal(121), evidence="x"
        )
    rating = actions.rate_behaviour(
        appraisal,
        by=staff.head.user,
        aspect="commitment",
        score=Decimal(90),
        evidence="tepat waktu",
    )
    assert rating.rater_kind == "appraiser"
    with pytest.raises(PermissionDeniedError):  # a colleague rates only where peers rate
        actions.rate_behaviour(
            appraisal, by=staff.pengelola.user, aspect="commitment", score=Decimal(90), evidence="x"
        )


def test_peers_rate_where_the_appraisal_says_so(staff, appraisal):
    appraisal.peers_rate = True
    appraisal.save()
    peer = actions.rate_behaviour(
        appraisal,
        by=staff.pengelola.user,
        aspect="cooperation",
        score=Decimal(100),
        evidence="membantu",
    )
    assert peer.rater_kind == "peer"
    with pytest.raises(PermissionDeniedError):  # never one's own
        actions.rate_behaviour(
            appraisal, by=staff.pengisi.user, aspect="cooperation", score=Decimal(100), evidence="x"
        )


def test_the_2022_regime_rates_against_expectation(staff):
    appraisal = actions.open_appraisal(
        staff.pengisi, year=2025, regime=Regime.PMPANRB6, by=staff.head.user
    )
    with pytest.raises(DomainError) as missing:
        actions.rate_behaviour(
            appraisal, by=staff.head.user, aspect="loyal", score=Decimal(90), evidence="x"
        )
    assert missing.value.field == "rating"
    rating = actions.rate_behaviour(
        appraisal, by=staff.head.user, aspect="loyal", rating="above", evidence="x"
    )
    assert (rating.rating, rating.score) == ("above", None)


def test_only_the_head_of_the_dinas_sets_the_organisation_predikat(staff, personas):
    for user in (personas.pengelola, personas.operator_a):
        with pytest.raises(PermissionDeniedError):
            actions.set_organisation_rating(
                year=2023, quarter=0, predikat="good", note="", figures={}, by=user
            )
    figures = {"padan": {"target": "40", "actual": "98.8", "detail": ""}}
    rating = actions.set_organisation_rating(
        year=2023, quarter=2, predikat="good", note="", figures=figures, by=personas.pimpinan
    )
    actions.set_organisation_rating(
        year=2023,
        quarter=2,
        predikat="needs_improvement",
        note="revisi",
        figures=figures,
        by=personas.pimpinan,
    )
    rating = OrganisationRating.objects.get(pk=rating.pk)
    assert (rating.predikat, rating.figures) == ("needs_improvement", figures)
    with pytest.raises(DomainError):
        actions.set_organisation_rating(
            year=2023, quarter=5, predikat="good", note="", figures={}, by=personas.pimpinan
        )


@pytest.mark.parametrize(
    ("nip", "says"),
    [
        ("19850101201001100", "18 digits"),
        ("19851301201001100X", "18 digits"),
        ("198513012010011001", "birth date"),
        ("198501011990011001", "appointment"),
        ("198501012010013001", "sex digit"),
        ("198501012010011000", "serial"),
    ],
)
def test_a_wrong_nip_is_refused_saying_why(personas, nip, says):
    with pytest.raises(DomainError, match=says) as error:
        actions.save_employee(
            by=personas.pengelola, nip=nip, name="A", kind="pns", jabatan="Staf", unit="Bidang"
        )
    assert error.value.field == "nip" and not Employee.objects.exists()


def test_employee_records_need_the_permission_and_a_unique_nip(personas):
    values = {
        "nip": "198501012010011001",
        "name": "A",
        "kind": "pns",
        "jabatan": "Staf",
        "unit": "B",
    }
    with pytest.raises(PermissionDeniedError):
        actions.save_employee(by=personas.operator_a, **values)
    actions.save_employee(by=personas.pengelola, **values)
    with pytest.raises(DomainError, match="NIP"):
        actions.save_employee(by=personas.pengelola, **values)
    assert EmployeeFactory().nip != values["nip"]


def test_the_appraiser_closes_the_skp_rating_results_themselves(staff):
    appraisal = actions.open_appraisal(
        staff.pengisi, year=2025, regime=Regime.PMPANRB6, by=staff.head.user
    )
    propose(appraisal, staff.head.user)
    with pytest.raises(DomainError, match="agreed"):
        actions.conclude_appraisal(appraisal, by=staff.head.user)
    actions.agree_targets(appraisal, by=staff.head.user)
    with pytest.raises(PermissionDeniedError):
        actions.conclude_appraisal(
            appraisal, by=staff.pengisi.user, results_rating="above", behaviour_rating="above"
        )
    with pytest.raises(DomainError, match="against expectation"):
        actions.conclude_appraisal(appraisal, by=staff.head.user, results_rating="above")
    closed = actions.conclude_appraisal(
        appraisal, by=staff.head.user, results_rating="as_expected", behaviour_rating="below"
    )
    assert (closed.status, closed.results_rating, closed.behaviour_rating) == (
        AppraisalStatus.FINAL, "as_expected", "below",
    )  # fmt: skip
