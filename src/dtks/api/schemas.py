"""Request and response shapes of API v1 (the OpenAPI schema is generated from these)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class SearchIn(Schema):
    """A search sent in the body so that NIKs and No. KKs never appear in URLs or server logs."""

    q: str = Field(..., min_length=3, max_length=100, description="NIK, No. KK or name")
    page: int = Field(1, ge=1)
    page_size: int = Field(25, ge=1, le=100)


class MemberOut(Schema):
    person_id: int
    id_dtks: str
    nik: str
    name: str
    sex: int
    birth_date: dt.date
    relationship: int
    start_date: dt.date


class FamilyOut(Schema):
    id: int
    id_dtks: str
    no_kk: str
    desa_code: str
    desa_name: str
    address: str
    rt: str
    rw: str
    status: str
    data_year: int
    head_name: str | None
    member_count: int
    needs_repair: bool


class FamilyDetailOut(FamilyOut):
    dusun: str
    inactive_reason: str
    housing: dict[str, int | None]
    members: list[MemberOut]


class FamilyPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[FamilyOut]


class MembershipOut(Schema):
    family_id: int
    no_kk: str
    desa_code: str
    relationship: int
    start_date: dt.date
    end_date: dt.date | None


class PersonOut(Schema):
    id: int
    id_dtks: str
    nik: str
    name: str
    sex: int
    birth_date: dt.date
    status: str
    family_id: int | None
    desa_code: str | None
    needs_repair: bool


class PersonDetailOut(PersonOut):
    birth_place: str
    marital_status: int | None
    mother_name: str
    presence: int
    inactive_reason: str
    memberships: list[MembershipOut]


class PersonPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[PersonOut]


class ErrorOut(Schema):
    detail: str
