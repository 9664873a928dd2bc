"""Extensions: which desa they reopen, until when, who may open them, what the audit keeps."""

from __future__ import annotations

from datetime import date

import pytest

from dtks.audit.models import AuditEvent
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.schedule import actions
from dtks.schedule.windows import local_day, window_status
from dtks.wilayah.models import Region
from tests.conftest import DESA_A, DESA_A2, DESA_B, KAB, KEC_A, OTHER_KAB_DESA

# Years ahead, so that an extension (never opened in the past) fits any day the suite runs.
YEAR = local_day().year + 2
DAY = date(YEAR, 11, 25)  # outside the DTKS window (15-20) of Kepmensos 73/HUK/2024


def extend(code, by, kind="dtks", until=date(YEAR, 11, 27), reason="Kemensos extension"):
    region = Region.objects.get(code=code)
    return actions.open_extension(region, kind, until, reason, by=by, starts_on=date(YEAR, 11, 21))


def is_open(code, day=DAY, kind="dtks"):
    return window_status(kind, code, day).open


def test_desa_extension_reopens_that_desa_only(personas):
    extend(DESA_A, personas.pengelola)
    assert is_open(DESA_A)
    assert not is_open(DESA_A2)
    assert not is_open(DESA_B)


def test_kecamatan_extension_reopens_its_villages(personas):
    extend(KEC_A, personas.pengelola)
    assert is_open(DESA_A) and is_open(DESA_A2)
    assert not is_open(DESA_B)


def test_kabupaten_extension_stays_inside_the_kabupaten(personas):
    extend(KAB, personas.pengelola)
    assert is_open(DESA_A) and is_open(DESA_B)
    assert not is_open(OTHER_KAB_DESA)


def test_extension_covers_its_span_only(personas):
    extend(DESA_A, personas.pengelola)
    assert is_open(DESA_A, date(YEAR, 11, 27))
    assert not is_open(DESA_A, date(YEAR, 11, 28))


def test_extension_of_one_kind_leaves_the_others_closed(personas):
    extend(DESA_A, personas.pengelola, kind="pbi_dtks")
    assert is_open(DESA_A, kind="pbi_dtks")
    assert not is_open(DESA_A, kind="dtks")


def test_extension_of_every_kind(personas):
    extend(DESA_A, personas.pengelola, kind="")
    assert is_open(DESA_A, kind="pbi_dtks") and is_open(DESA_A, kind="dtks")


def test_status_under_extension_names_it_and_its_end(personas):
    extension = extend(DESA_A, personas.pengelola)
    status = window_status("dtks", DESA_A, DAY)
    assert status.extension == extension
    assert (status.closes, status.days_left) == (date(YEAR, 11, 27), 2)


def test_closed_extension_covers_nothing(personas):
    extension = extend(DESA_A, personas.pengelola)
    actions.close_extension(extension, by=personas.pengelola)
    assert not is_open(DESA_A)
    with pytest.raises(DomainError):
        actions.close_extension(extension, by=personas.pengelola)


def test_opening_and_closing_are_audited(personas):
    extension = extend(KEC_A, personas.pengelola, reason="Banjir di kecamatan")
    actions.close_extension(extension, by=personas.pengelola)
    events = list(AuditEvent.objects.filter(subject_type="window_extension").order_by("id"))
    assert [e.action for e in events] == ["open_extension", "close_extension"]
    assert events[0].actor == personas.pengelola
    assert events[0].region_code == KEC_A
    assert events[0].after["reason"] == "Banjir di kecamatan"
    assert events[1].before["closed_at"] is None and events[1].after["closed_at"]


@pytest.mark.parametrize("who", ["admin", "operator_a", "operator_kecamatan", "pengisi"])
def test_only_the_kabupaten_manager_opens_extensions(personas, who):
    with pytest.raises(PermissionDeniedError):
        extend(DESA_A, getattr(personas, who))
    assert not AuditEvent.objects.filter(subject_type="window_extension").exists()


def test_manager_cannot_extend_another_kabupaten(personas):
    with pytest.raises(PermissionDeniedError):
        extend(OTHER_KAB_DESA, personas.pengelola)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"until": date(YEAR, 11, 20)}, "until"),
        ({"kind": "bansos"}, "kind"),
    ],
)
def test_extension_is_refused_without_its_facts(personas, kwargs, field):
    with pytest.raises(DomainError) as caught:
        extend(DESA_A, personas.pengelola, **kwargs)
    assert caught.value.field == field


def test_extension_cannot_start_in_the_past(personas):
    region = Region.objects.get(code=DESA_A)
    with pytest.raises(DomainError) as caught:
        actions.open_extension(
            region, "dtks", date(YEAR, 1, 1), "x", by=personas.pengelola, starts_on=date(2020, 1, 1)
        )
    assert caught.value.field == "starts_on"


def test_extension_from_the_command_line_starts_today(regions):
    extension = actions.open_extension(
        Region.objects.get(code=KAB), "", date(YEAR, 1, 1), "CLI", by=None
    )
    assert extension.starts_on == local_day()
    assert AuditEvent.objects.get(subject_type="window_extension").actor_label == "cli"
