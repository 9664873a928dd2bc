"""Recording a service and answering its survey: who may, one answer per service, closed
links, the audit, and the index other apps read."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.survey import actions, queries
from dtks.survey.models import ANSWER_DAYS, Response, Service
from dtks.wilayah.models import Region
from tests.conftest import DESA_A, DESA_B, KAB, KEC_A

ALL = {f"u{i}": 4 for i in range(1, 10)}
TODAY = timezone.localdate()


def region(code):
    return Region.objects.get(code=code)


def serve(by, desa=DESA_A, kind="check_status", served_on=TODAY):
    return actions.record_service(kind, served_on, by=by, desa=region(desa) if desa else None)


def answers(value=4, **overrides):
    return {**{f"u{i}": value for i in range(1, 10)}, **overrides}


def test_desa_operator_records_a_service_with_an_unguessable_token(personas):
    service = serve(personas.operator_a)
    other = serve(personas.operator_a)
    assert (service.desa_id, service.area_id, service.served_by) == (
        DESA_A,
        DESA_A,
        personas.operator_a,
    )
    assert len(service.token) >= 43 and service.token != other.token
    event = AuditEvent.objects.get(action="record_service", subject_id=str(service.pk))
    assert event.actor == personas.operator_a and event.region_code == DESA_A


def test_desa_operator_without_desa_records_for_their_own_desa(personas):
    service = serve(personas.operator_a, desa=None)
    assert service.desa_id == DESA_A


def test_kabupaten_staff_record_at_the_office_without_desa(personas):
    service = serve(personas.pengisi, desa=None)
    assert (service.desa_id, service.area_id) == (None, KAB)
    assert serve(personas.pengelola, desa=DESA_B).area_id == DESA_B


@pytest.mark.parametrize("persona", ["operator_kecamatan", "pimpinan", "admin", "pengesah"])
def test_roles_that_do_not_serve_cannot_record(personas, persona):
    with pytest.raises(PermissionDeniedError):
        serve(getattr(personas, persona), desa=None)
    assert not Service.objects.exists()


def test_operator_cannot_record_for_another_desa(personas):
    with pytest.raises(PermissionDeniedError) as refused:
        serve(personas.operator_a, desa=DESA_B)
    assert refused.value.code == "out_of_area"


def test_refuses_a_kecamatan_as_desa_and_a_future_day(personas):
    with pytest.raises(DomainError):
        serve(personas.pengelola, desa=KEC_A)
    with pytest.raises(DomainError):
        serve(personas.pengelola, served_on=TODAY + timedelta(days=1))


def test_submit_response_takes_the_answer_and_audits_without_a_user(personas):
    service = serve(personas.operator_a)
    response = actions.submit_response(
        service.token,
        answers(3, u4=4),
        suggestion="  Antrean terlalu lama  ",
        profile={"sex": "P", "age_group": "30-39", "education": "sma", "occupation": "other"},
    )
    assert response.answers == [3, 3, 3, 4, 3, 3, 3, 3, 3]
    assert response.suggestion == "Antrean terlalu lama"
    assert (response.sex, response.education) == ("P", "sma")
    event = AuditEvent.objects.get(action="submit_response")
    assert event.actor is None and event.actor_label == "publik"
    assert "Antrean" not in str(event.after)  # the suggestion stays out of the audit


def test_one_answer_per_service(personas):
    service = serve(personas.operator_a)
    actions.submit_response(service.token, answers(4))
    with pytest.raises(DomainError) as refused:
        actions.submit_response(service.token, answers(1))
    assert refused.value.code == "answered"
    assert Response.objects.get().answers == [4] * 9


def test_the_database_holds_one_response_per_service(personas):
    service = serve(personas.operator_a)
    Response.objects.create(service=service, **answers(4))
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(service=service, **answers(2))


def test_the_database_refuses_an_answer_off_the_scale(personas):
    service = serve(personas.operator_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(service=service, **answers(4, u3=5))


def test_unknown_token_is_refused(db):
    with pytest.raises(DomainError) as refused:
        actions.submit_response("tidak-ada", answers(4))
    assert refused.value.code == "unknown_token"


def test_link_closes_after_answer_days(personas):
    service = serve(personas.operator_a)
    Service.objects.filter(pk=service.pk).update(
        created_at=timezone.now() - timedelta(days=ANSWER_DAYS, seconds=1)
    )
    with pytest.raises(DomainError) as refused:
        actions.submit_response(service.token, answers(4))
    assert refused.value.code == "expired"
    assert not Response.objects.exists()


def test_link_still_open_on_its_last_day(personas):
    service = serve(personas.operator_a)
    Service.objects.filter(pk=service.pk).update(
        created_at=timezone.now() - timedelta(days=ANSWER_DAYS - 1)
    )
    actions.submit_response(service.token, answers(4))
    assert Response.objects.count() == 1


@pytest.mark.parametrize(
    ("given", "profile"),
    [(answers(4, u9=None), {}), (answers(4, u2=0), {}), (answers(4), {"sex": "X"})],
)
def test_refuses_a_missing_or_invalid_answer(personas, given, profile):
    service = serve(personas.operator_a)
    with pytest.raises(DomainError):
        actions.submit_response(service.token, given, profile=profile)
    assert not Response.objects.exists()


def test_ikm_query_over_a_period(personas):
    jan, apr = date(TODAY.year, 1, 10), date(TODAY.year, 4, 10)
    for value, day, kind in ((4, jan, "complaint"), (3, jan, "complaint"), (2, apr, "other")):
        service = serve(personas.pengelola, desa=DESA_B, kind=kind, served_on=min(day, TODAY))
        actions.submit_response(service.token, answers(value))
    serve(personas.pengelola)  # recorded, never answered: not a respondent
    start, end = date(TODAY.year, 1, 1), date(TODAY.year, 12, 31)
    result = queries.ikm(start, end)
    assert result.respondents == 3
    assert result.nrr["u1"] == Decimal("3.00")
    assert (result.value, result.grade.letter) == (Decimal("75.00"), "C")
    assert queries.ikm(start, end, area=DESA_A) is None
    assert queries.ikm(start, end, area=KAB).respondents == 3
    assert queries.ikm(date(TODAY.year - 1, 1, 1), date(TODAY.year - 1, 12, 31)) is None


def test_ikm_per_service_kind(personas):
    for value, kind in ((4, "complaint"), (3, "complaint"), (1, "certificate")):
        service = serve(personas.operator_a, kind=kind)
        actions.submit_response(service.token, answers(value))
    by_kind = queries.ikm_by_kind(TODAY, TODAY)
    assert set(by_kind) == {"complaint", "certificate"}
    assert by_kind["complaint"].respondents == 2
    assert by_kind["complaint"].value == Decimal("87.50")
    assert by_kind["certificate"].grade.letter == "D"
