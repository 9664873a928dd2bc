"""Families and persons, read-only, under exactly the scope of the web UI.

Lists go through `visible_to(user)`, single records through `get_<obj>_for_user` (404 outside
the area), NIK and No. KK are masked unless the user may see identities in the record's desa,
and every response that carries person data is written to the access log.
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from dtks.accounts.models import User
from dtks.accounts.roles import Perm
from dtks.accounts.scope import can_view_identity, mask_identity
from dtks.audit.record import record_access
from dtks.core.paging import search_page
from dtks.registry import choices as c
from dtks.registry.access import get_family_for_user, get_person_for_user
from dtks.registry.models import Family, Membership, Person
from dtks.verification.models import Finding, FindingStatus, Severity

from . import schemas as s

router = Router(tags=["registry"])

REGION_CODE = r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"
HOUSING_FIELDS = (
    "tenure", "floor_area", "floor", "wall", "roof", "drinking_water", "lighting", "power",
    "cooking_fuel", "toilet", "sewage", "desil",
)  # fmt: skip


class RegistryFilter(Schema):
    wilayah: str | None = Field(None, pattern=REGION_CODE, description="Kemendagri code")
    status: c.RecordStatus | None = None
    needs_repair: bool | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


def _viewer(request: HttpRequest) -> User:
    """The authenticated user, if their role lets them read the registry at all (else 403)."""
    user = request.auth
    if not user.can(Perm.VIEW_REGISTRY):
        raise HttpError(403, "forbidden")
    return user


def _open_errors() -> QuerySet[Finding]:
    return Finding.objects.filter(status=FindingStatus.OPEN, severity=Severity.ERROR)


def _is_identity_number(q: str) -> bool:
    return len(q) == 16 and q.isdigit()


def _page(qs: QuerySet, page: int, page_size: int, search: bool) -> tuple[int, list]:
    """(total, rows of `page`); a search is paged from one query of its matching ids."""
    if search:
        found = search_page(qs, page, page_size)
        return found.paginator.count, found.object_list if found.number == page else []
    start = (page - 1) * page_size
    return qs.count(), list(qs[start : start + page_size])


def _log_access(user: User, what: str, subject_type: str, ids: list[int]) -> None:
    if ids:
        record_access(user, what, subject_type, detail=",".join(map(str, ids)))


# Families ------------------------------------------------------------------------------------


def _family_rows(qs: QuerySet[Family]) -> QuerySet[Family]:
    """Head's name, member count and "perlu perbaikan" computed in the one list query."""
    current = Membership.objects.filter(family=OuterRef("pk"), end_date__isnull=True)
    count = current.order_by().values("family").annotate(n=Count("pk")).values("n")
    member_errors = _open_errors().filter(
        person__memberships__family=OuterRef("pk"), person__memberships__end_date__isnull=True
    )
    return qs.select_related("desa").annotate(
        head_name=Subquery(
            current.filter(relationship=c.Relationship.HEAD).values("person__name")[:1]
        ),
        member_count=Coalesce(Subquery(count), 0),
        repair_family=Exists(_open_errors().filter(family=OuterRef("pk"))),
        repair_member=Exists(member_errors),
    )


def _family_out(family: Family, user: User) -> dict:
    no_kk = family.no_kk if can_view_identity(user, family.desa_id) else mask_identity(family.no_kk)
    return {
        **{f: getattr(family, f) for f in ("id", "id_dtks", "address", "rt", "rw", "status")},
        "no_kk": no_kk,
        "desa_code": family.desa_id,
        "desa_name": family.desa.name,
        "data_year": family.data_year,
        "head_name": family.head_name,
        "member_count": family.member_count,
        "needs_repair": family.repair_family or family.repair_member,
    }


def _family_page(
    user: User, qs: QuerySet[Family], page: int, size: int, what: str, search: bool = False
) -> dict:
    count, rows = _page(_family_rows(qs), page, size, search)
    _log_access(user, what, "family", [f.id for f in rows])
    items = [_family_out(f, user) for f in rows]
    return {"count": count, "page": page, "page_size": size, "items": items}


@router.get("/families", response=s.FamilyPage, summary="List families")
def list_families(request: HttpRequest, filters: Query[RegistryFilter]) -> dict:
    user = _viewer(request)
    qs = Family.objects.visible_to(user)
    if filters.wilayah:
        qs = qs.in_wilayah(filters.wilayah)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.needs_repair is not None:
        repair = Q(repair_family=True) | Q(repair_member=True)
        qs = _family_rows(qs).filter(repair if filters.needs_repair else ~repair)
    return _family_page(user, qs, filters.page, filters.page_size, "api.families.list")


@router.post("/families/search", response=s.FamilyPage, summary="Search families")
def search_families(request: HttpRequest, body: s.SearchIn) -> dict:
    """By No. KK or a current member's NIK (16 digits), otherwise by a current member's name."""
    user = _viewer(request)
    qs = Family.objects.visible_to(user).search(body.q)
    return _family_page(user, qs, body.page, body.page_size, "api.families.search", search=True)


@router.get(
    "/families/{family_id}",
    response={200: s.FamilyDetailOut, 404: s.ErrorOut},
    summary="Family with its current members",
)
def family_detail(request: HttpRequest, family_id: int) -> dict:
    user = _viewer(request)
    family = _family_rows(Family.objects.filter(pk=get_family_for_user(user, family_id).pk)).get()
    show = can_view_identity(user, family.desa_id)
    members = [
        {
            "person_id": m.person_id,
            "id_dtks": m.person.id_dtks,
            "nik": m.person.nik if show else mask_identity(m.person.nik),
            "name": m.person.name,
            "sex": m.person.sex,
            "birth_date": m.person.birth_date,
            "relationship": m.relationship,
            "start_date": m.start_date,
        }
        for m in family.current_memberships()
    ]
    record_access(user, "api.families.detail", "family", str(family.pk))
    return {
        **_family_out(family, user),
        "dusun": family.dusun,
        "inactive_reason": family.inactive_reason,
        "housing": {f: getattr(family, f) for f in HOUSING_FIELDS},
        "members": members,
    }


# Persons -------------------------------------------------------------------------------------


def _person_rows(qs: QuerySet[Person]) -> QuerySet[Person]:
    """Each person's home family: the current one, else the most recently left."""
    latest = Membership.objects.filter(person=OuterRef("pk")).order_by(
        F("end_date").desc(nulls_first=True), "-start_date", "-id"
    )
    return qs.annotate(
        home_family=Subquery(latest.values("family_id")[:1]),
        home_desa=Subquery(latest.values("family__desa_id")[:1]),
        repair=Exists(_open_errors().filter(person=OuterRef("pk"))),
    )


def _person_out(person: Person, user: User) -> dict:
    show = bool(person.home_desa) and can_view_identity(user, person.home_desa)
    return {
        **{f: getattr(person, f) for f in ("id", "id_dtks", "name", "sex", "birth_date")},
        "status": person.status,
        "nik": person.nik if show else mask_identity(person.nik),
        "family_id": person.home_family,
        "desa_code": person.home_desa,
        "needs_repair": person.repair,
    }


def _person_page(
    user: User, qs: QuerySet[Person], page: int, size: int, what: str, search: bool = False
) -> dict:
    count, rows = _page(_person_rows(qs), page, size, search)
    _log_access(user, what, "person", [p.id for p in rows])
    items = [_person_out(p, user) for p in rows]
    return {"count": count, "page": page, "page_size": size, "items": items}


@router.get("/persons", response=s.PersonPage, summary="List persons")
def list_persons(request: HttpRequest, filters: Query[RegistryFilter]) -> dict:
    user = _viewer(request)
    qs = Person.objects.visible_to(user)
    if filters.wilayah:
        qs = qs.in_wilayah(filters.wilayah)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.needs_repair is not None:
        has_error = Exists(_open_errors().filter(person=OuterRef("pk")))
        qs = qs.filter(has_error if filters.needs_repair else ~has_error)
    return _person_page(user, qs, filters.page, filters.page_size, "api.persons.list")


@router.post("/persons/search", response=s.PersonPage, summary="Search persons")
def search_persons(request: HttpRequest, body: s.SearchIn) -> dict:
    """By NIK or the No. KK of a current family (16 digits), otherwise by name."""
    user = _viewer(request)
    q = body.q.strip()
    if _is_identity_number(q):
        # `pk IN (… UNION …)`, not `nik = … OR EXISTS(…)`: both sides then use their index.
        current = Membership.objects.filter(end_date__isnull=True).order_by()
        in_kk = current.filter(family__no_kk=q).values("person")
        match = Q(pk__in=Person.objects.filter(nik=q).order_by().values("pk").union(in_kk))
    else:
        match = Q(name__icontains=q)
    qs = Person.objects.visible_to(user).filter(match)
    return _person_page(user, qs, body.page, body.page_size, "api.persons.search", search=True)


@router.get(
    "/persons/{person_id}",
    response={200: s.PersonDetailOut, 404: s.ErrorOut},
    summary="Person with the families they belong or belonged to",
)
def person_detail(request: HttpRequest, person_id: int) -> dict:
    user = _viewer(request)
    person = _person_rows(Person.objects.filter(pk=get_person_for_user(user, person_id).pk)).get()
    visible = Family.objects.visible_to(user)
    memberships = [
        {
            "family_id": m.family_id,
            "no_kk": m.family.no_kk
            if can_view_identity(user, m.family.desa_id)
            else mask_identity(m.family.no_kk),
            "desa_code": m.family.desa_id,
            "relationship": m.relationship,
            "start_date": m.start_date,
            "end_date": m.end_date,
        }
        for m in person.memberships.filter(family__in=visible).select_related("family")
    ]
    record_access(user, "api.persons.detail", "person", str(person.pk))
    fields = ("birth_place", "marital_status", "mother_name", "presence", "inactive_reason")
    return {
        **_person_out(person, user),
        **{f: getattr(person, f) for f in fields},
        "memberships": memberships,
    }
