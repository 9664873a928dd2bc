"""Sessions, attendance, materials, plan, budget lines and facility needs: checked, audited,
refused for roles without MANAGE_PERFORMANCE."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.training import actions
from dtks.training.models import Attendance, BudgetLine, FacilityNeed, TrainingPlan
from dtks.training.uploads import RefusedMaterial

from .conftest import make_session, office_file

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def test_manager_creates_a_session_and_it_is_audited(personas):
    session = make_session(personas.pengelola, date(2023, 11, 20), cost=1_500_000)
    assert session.cost == Decimal(1_500_000)
    event = AuditEvent.objects.get(action="create_training_session")
    assert (event.actor, event.subject_id) == (personas.pengelola, str(session.pk))
    assert event.after["title"] == "Bimtek SIKS-NG"


def test_leadership_may_record_sessions_too(personas):
    assert make_session(personas.pimpinan, date(2023, 3, 1)).pk


@pytest.mark.parametrize("persona", ["operator_a", "pengisi", "admin", "pengesah", "nobody"])
def test_roles_without_manage_performance_are_refused(personas, persona):
    with pytest.raises(PermissionDeniedError):
        make_session(getattr(personas, persona), date(2023, 3, 1))
    with pytest.raises(PermissionDeniedError):
        user = getattr(personas, persona)
        actions.set_facility_need(2023, "computer", needed=3, available=1, by=user)


def test_negative_cost_is_refused_naming_the_field(personas):
    with pytest.raises(DomainError) as refused:
        make_session(personas.pengelola, date(2023, 3, 1), cost=-5)
    assert refused.value.field == "cost"
    assert "Biaya" in refused.value.message  # the field named in the user's language


def test_update_session_keeps_before_and_after(personas):
    session = make_session(personas.pengelola, date(2023, 3, 1))
    data = {"title": "Bimtek verval", "date": date(2023, 3, 2), "mode": "offline", "cost": 0}
    actions.update_session(session, data, by=personas.pengelola)
    session.refresh_from_db()
    assert (session.title, session.mode) == ("Bimtek verval", "offline")
    event = AuditEvent.objects.get(action="update_training_session")
    assert event.before["title"] == "Bimtek SIKS-NG" and event.after["title"] == "Bimtek verval"


def test_attendance_lists_marks_and_removes(personas):
    session = make_session(personas.pengelola, date(2023, 3, 1))
    a, b = personas.operator_a.pk, personas.operator_b.pk
    actions.record_attendance(session, {a: True, b: False}, by=personas.pengelola)
    assert dict(session.attendances.values_list("user_id", "attended")) == {a: True, b: False}
    result = actions.record_attendance(session, {b: None}, by=personas.pengelola)
    assert result == {a: True}
    assert AuditEvent.objects.filter(action="record_training_attendance").count() == 2


def test_attendance_of_an_unknown_user_is_refused(personas):
    session = make_session(personas.pengelola, date(2023, 3, 1))
    with pytest.raises(DomainError) as refused:
        actions.record_attendance(session, {987654: True}, by=personas.pengelola)
    assert refused.value.field == "attendees"
    assert not Attendance.objects.exists()


def test_a_user_is_listed_once_per_session(personas):
    session = make_session(personas.pengelola, date(2023, 3, 1))
    Attendance.objects.create(session=session, user=personas.operator_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(session=session, user=personas.operator_a)


def test_plan_is_one_per_year_and_online_within_planned(personas):
    actions.set_plan(2024, planned_sessions=3, planned_online=2, planned_budget=Decimal(9_000_000),
                     by=personas.pengelola)  # fmt: skip
    actions.set_plan(2024, planned_sessions=2, planned_online=2, planned_budget=Decimal(0),
                     by=personas.pengelola)  # fmt: skip
    assert TrainingPlan.objects.get().planned_sessions == 2
    with pytest.raises(DomainError) as refused:
        actions.set_plan(2024, planned_sessions=1, planned_online=2, planned_budget=Decimal(0),
                         by=personas.pengelola)  # fmt: skip
    assert refused.value.field == "planned_online"
    events = AuditEvent.objects.filter(action="set_training_plan").order_by("id")
    assert events[0].before is None and events[1].before["planned_sessions"] == "3"


def test_overspending_is_recorded(personas):
    data = {"year": 2023, "category": "training", "description": "Bimtek operator",
            "planned": Decimal(5_000_000), "realised": Decimal(6_250_000)}  # fmt: skip
    line = actions.create_budget_line(data, by=personas.pengelola)
    assert line.overspent
    less = {**data, "realised": Decimal(4_000_000)}
    actions.update_budget_line(line, less, by=personas.pengelola)
    line.refresh_from_db()
    assert not line.overspent
    assert AuditEvent.objects.filter(subject_type="budget_line").count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [({"planned": Decimal(-1)}, "planned"), ({"realised": Decimal(-1)}, "realised"),
     ({"category": "snacks"}, "category"), ({"description": " "}, "description"),
     ({"year": 1999}, "year"), ({"planned": Decimal("10.5")}, "planned")],
)  # fmt: skip
def test_budget_line_refusals_name_the_field(personas, change, field):
    data = {"year": 2023, "category": "facilities", "description": "Laptop",
            "planned": Decimal(1), "realised": Decimal(0)}  # fmt: skip
    with pytest.raises(DomainError) as refused:
        actions.create_budget_line({**data, **change}, by=personas.pengelola)
    assert refused.value.field == field
    assert not BudgetLine.objects.exists()


def test_database_refuses_negative_amounts_and_counts(personas):
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.create(year=2023, category="other", description="-", planned=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        FacilityNeed.objects.create(year=2023, item="printer", needed=-1, available=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingPlan.objects.create(year=2023, planned_sessions=1, planned_online=2)


def test_facility_need_is_set_per_year_and_item(personas):
    actions.set_facility_need(2023, "computer", needed=3, available=1, by=personas.pengelola)
    need = actions.set_facility_need(
        2023, "computer", needed=3, available=2, note="1 laptop dipinjam", by=personas.pengelola
    )
    assert FacilityNeed.objects.count() == 1
    assert need.gap == 1
    with pytest.raises(DomainError) as refused:
        actions.set_facility_need(2023, "computer", needed=-1, available=0, by=personas.pengelola)
    assert refused.value.field == "needed"


def test_material_is_kept_outside_the_web_root_by_content(personas, media_dir):
    session = make_session(personas.pengelola, date(2023, 3, 1))
    content = office_file("ppt/presentation.xml")
    slides = SimpleUploadedFile("materi.pptx", content)
    material = actions.add_material(session, slides, by=personas.pengelola)
    assert material.kind == "pptx" and material.original_name == "materi.pptx"
    assert (media_dir / material.stored_name).read_bytes() == content
    assert material.stored_name != "materi.pptx"
    assert AuditEvent.objects.filter(action="add_training_material").exists()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [("setup.pdf", b"MZ\x90\x00\x03" + b"\x00" * 60, "wrong_type"),
     ("catatan.docx", b"PK\x03\x04 not really a zip", "wrong_type"),
     ("arsip.docx", office_file("xl/workbook.xml"), "wrong_type"),
     ("kosong.pdf", b"", "empty")],
)  # fmt: skip
def test_refused_materials_leave_nothing(personas, media_dir, name, content, code):
    session = make_session(personas.pengelola, date(2023, 3, 1))
    with pytest.raises(RefusedMaterial) as refused:
        actions.add_material(session, SimpleUploadedFile(name, content), by=personas.pengelola)
    assert refused.value.code == code
    assert not session.materials.exists()
    assert list(media_dir.iterdir()) == []


def test_material_over_the_size_limit_is_refused(personas, settings):
    settings.DTKS_TRAINING_MATERIAL_MAX_BYTES = 100
    session = make_session(personas.pengelola, date(2023, 3, 1))
    big = SimpleUploadedFile("besar.pdf", PDF + b"0" * 200)
    with pytest.raises(RefusedMaterial) as refused:
        actions.add_material(session, big, by=personas.pengelola)
    assert refused.value.code == "too_large"
