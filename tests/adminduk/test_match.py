"""`match_extract`: every person padan or tidak padan with the right reasons, spelling
variants padan, re-runs supersede, persons outside the region untouched, all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from dtks.adminduk import store
from dtks.adminduk.actions import match_extract
from dtks.adminduk.models import DukcapilExtract, MatchResult
from dtks.audit.models import AuditEvent
from dtks.registry import choices as c
from tests.adminduk.extracts import member, row_of, write_csv
from tests.conftest import DESA_A, DESA_B, KEC_A
from tests.factories import family_with_members

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(regions: None):
    return family_with_members(DESA_A, size=2)


def _match(tmp_path, rows, **kwargs):
    return match_extract(write_csv(tmp_path / "dukcapil.csv", rows), by=None, **kwargs)


def _current(person) -> MatchResult:
    return MatchResult.objects.current().get(person=person)


def _members(family):
    return [m.person for m in family.current_memberships().order_by("relationship", "id")]


def test_person_as_dukcapil_holds_them_is_padan(family, tmp_path) -> None:
    head, spouse = _members(family)
    summary = _match(tmp_path, [row_of(head), row_of(spouse)])
    assert (summary.persons, summary.padan, summary.tidak_padan) == (2, 2, 0)
    result = _current(head)
    assert (result.status, result.reason_codes(), result.dukcapil_name) == ("padan", [], "")


@pytest.mark.parametrize(
    ("change", "reason", "shown"),
    [
        ({"nama": "Budi Santoso"}, "name_differs", ("dukcapil_name", "Budi Santoso")),
        ({"tanggal_lahir": "05-03-1980"}, "birth_date_differs",
         ("dukcapil_birth_date", dt.date(1980, 3, 5))),
        ({"jenis_kelamin": "P"}, "sex_differs", ("dukcapil_sex", c.Sex.FEMALE)),
        ({"no_kk": "1709011501150999"}, "kk_differs", ("dukcapil_no_kk", "1709011501150999")),
        ({"status_hidup": "MENINGGAL"}, "died", None),
    ],
)  # fmt: skip
def test_each_difference_is_its_reason(family, tmp_path, change, reason, shown) -> None:
    head, spouse = _members(family)
    _match(tmp_path, [row_of(head, **change), row_of(spouse)])
    result = _current(head)
    assert (result.status, result.reason_codes()) == ("tidak_padan", [reason])
    if shown:
        assert getattr(result, shown[0]) == shown[1]
    assert _current(spouse).status == "padan"


def test_person_missing_from_the_extract_is_nik_not_found(family, tmp_path) -> None:
    head, spouse = _members(family)
    _match(tmp_path, [row_of(head)])
    assert _current(spouse).reason_codes() == ["nik_not_found"]


def test_several_reasons_at_once_in_catalogue_order(family, tmp_path) -> None:
    head, _spouse = _members(family)
    row = row_of(head, status_hidup="MATI", nama="Joko", tanggal_lahir="1979-03-04",
                 no_kk="1709011501150999")  # fmt: skip
    summary = _match(tmp_path, [row])
    assert _current(head).reason_codes() == ["name_differs", "birth_date_differs", "kk_differs",
                                             "died"]  # fmt: skip
    assert summary.reasons["died"] == 1 and summary.reasons["nik_not_found"] == 1


@pytest.mark.parametrize(
    ("registry", "dukcapil"),
    [
        ("Muhammad Yusuf", "M. YOESOEF"),
        ("Mohammad Ridwan", "MOH. RIDWAN"),
        ("Siti Aminah", "ST. AMINAH"),
        ("Djoko Susilo", "JOKO SUSILO"),
        ("Achmad Fauzi", "AHMAD FAUZI"),
        ("Nur Hayati", "NURHAYATI"),
        ("Hj. Fatimah", "FATIMAH"),
        ("Sri   Wahyuni", "sri wahyuni"),
    ],
)
def test_spelling_variants_are_padan(family, tmp_path, registry, dukcapil) -> None:
    person = member(family, registry)
    _match(tmp_path, [row_of(person, nama=dukcapil)])
    assert _current(person).status == "padan"


def test_another_given_name_is_not_a_spelling_variant(family, tmp_path) -> None:
    person = member(family, "Siti Aminah")
    _match(tmp_path, [row_of(person, nama="SITI AISYAH")])
    assert _current(person).reason_codes() == ["name_differs"]


def test_rerun_supersedes_and_keeps_history(family, tmp_path) -> None:
    head, spouse = _members(family)
    first = _match(tmp_path, [row_of(head, status_hidup="MENINGGAL"), row_of(spouse)])
    second = _match(tmp_path, [row_of(head), row_of(spouse)])
    assert _current(head).status == "padan"
    assert _current(head).extract_id == second.extract_id
    history = MatchResult.objects.filter(person=head).order_by("id")
    current = set(MatchResult.objects.current().values_list("pk", flat=True))
    assert [(r.extract_id, r.status, r.pk in current) for r in history] == [
        (first.extract_id, "tidak_padan", False),
        (second.extract_id, "padan", True),
    ]


def test_persons_outside_the_region_keep_their_result(family, tmp_path) -> None:
    other = family_with_members(DESA_B, size=1)
    outsider = _members(other)[0]
    head, spouse = _members(family)
    _match(tmp_path, [row_of(head), row_of(spouse), row_of(outsider, nama="Lain Orang")])
    before = _current(outsider)
    summary = _match(tmp_path, [row_of(head), row_of(spouse), row_of(outsider)], wilayah=KEC_A)
    assert summary.persons == 2 and summary.not_in_registry == 1
    assert _current(outsider) == before and before.reason_codes() == ["name_differs"]


def test_inactive_persons_and_families_are_not_matched(family, tmp_path) -> None:
    head, spouse = _members(family)
    gone = family_with_members(DESA_A, size=1, status=c.RecordStatus.INACTIVE,
                               inactive_reason=c.InactiveReason.MOVED)  # fmt: skip
    summary = _match(tmp_path, [row_of(head), row_of(spouse)])
    assert summary.persons == 2
    assert not MatchResult.objects.filter(person=_members(gone)[0]).exists()


def test_person_in_two_kks_agrees_with_either(family, tmp_path) -> None:
    from tests.factories import MembershipFactory

    head, spouse = _members(family)
    second = family_with_members(DESA_A, size=1)
    MembershipFactory(family=second, person=spouse, relationship=c.Relationship.SPOUSE)
    _match(tmp_path, [row_of(head), row_of(spouse, no_kk=second.no_kk)])
    assert _current(spouse).status == "padan"
    assert MatchResult.objects.filter(person=spouse).count() == 1


def test_one_audit_event_with_the_counts(family, tmp_path) -> None:
    head, spouse = _members(family)
    before = AuditEvent.objects.count()
    summary = _match(tmp_path, [row_of(head), row_of(spouse, jenis_kelamin="L")])
    event = AuditEvent.objects.get(action="adminduk_match")
    assert AuditEvent.objects.count() == before + 1
    assert event.subject_id == str(summary.extract_id)
    assert (event.after["padan"], event.after["tidak_padan"]) == (1, 1)
    assert event.after["reasons"]["sex_differs"] == 1


def test_a_failure_writes_nothing(family, tmp_path, monkeypatch) -> None:
    head, spouse = _members(family)
    _match(tmp_path, [row_of(head), row_of(spouse)])
    kept = list(MatchResult.objects.current().order_by("id").values_list("id", "status"))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("dtks.adminduk.actions.record_event", broken)
    with pytest.raises(RuntimeError):
        _match(tmp_path, [row_of(head, nama="Lain")])
    assert list(MatchResult.objects.current().order_by("id").values_list("id", "status")) == kept
    assert MatchResult.objects.count() == 2
    failed = DukcapilExtract.objects.latest("id")
    assert failed.status == "failed" and failed.error
    assert AuditEvent.objects.filter(action="adminduk_match").count() == 1


def test_reading_the_scope_gives_one_row_per_family(family) -> None:
    persons = store.read_persons(KEC_A)
    assert sorted(persons["id"].to_list()) == sorted(p.pk for p in _members(family))
    assert set(persons["no_kk"].to_list()) == {family.no_kk}
