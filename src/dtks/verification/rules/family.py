"""Family-level rules: the head of the family, ages that contradict relationships, and programs
that outlive the family or a member.

The subject is the family (one KK): a contradiction between members does not say which record
is wrong (the birth date, or the relationship code), and a program is held by the family. The
rules read `FamilyData`; their vectorised forms read the columns `family_vector.prepare` adds.
Only active families are judged, except for the program an inactive family still receives.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from django.utils.translation import gettext_noop

from .base import ERROR, FAMILY, WARNING, Check, CheckContext, Hit, Vector, register
from .family_vector import (
    CHILD,
    DIED,
    HEAD,
    INACTIVE,
    SPOUSE,
    FamilyData,
    MemberData,
    program_labels,
    programs_text,
)
from .vector import VectorHit, age_on, date_text

RELATIONSHIPS = "Kepmensos 150/HUK/2022: atribut minimal hubungan dalam keluarga"
AGES = "Kepmensos 150/HUK/2022: tanggal lahir dan hubungan dalam keluarga saling sesuai"
MARRIAGE_AGE = "UU 16/2019 (usia perkawinan 19 tahun); Kepmensos 150/HUK/2022"
PROGRAMS = "Permensos 3/2021: sasaran program bersumber dari DTKS yang aktif"
DECEASED = "Permensos 3/2021: penonaktifan anggota meninggal; bantuan dihitung per anggota"
HEAD_MIN_AGE = 15
SPOUSE_MIN_AGE = 16


def _name(member: MemberData) -> str:
    return member.name or ""


def _today(context: CheckContext) -> dt.date:
    return context.today or dt.date.today()


def _col_name(column: str = "name") -> pl.Expr:
    return pl.col(column).fill_null("")


@register(
    "family_head_count",
    severity=ERROR,
    level=FAMILY,
    message=gettext_noop("The family has %(count)d heads of family; a KK has exactly one"),
    regulation=RELATIONSHIPS,
    vector=lambda context: [
        VectorHit(
            "relationship",
            pl.col("_active") & (pl.col("_head_count") != 1),
            {"count": pl.col("_head_count")},
        )
    ],
)
def family_head_count(family: FamilyData, context: CheckContext) -> list[Hit]:
    """No head, or more than one. The database refuses two current heads
    (`one_current_head_per_family`), so over the registry this finds families without one;
    on data not yet saved (a proposal, an import preview) it finds both."""
    if not family.is_active:
        return []
    count = sum(1 for m in family.members if m.relationship == HEAD)
    return [] if count == 1 else [Hit("relationship", {"count": count})]


@register(
    "child_older_than_head",
    severity=ERROR,
    level=FAMILY,
    message=gettext_noop(
        "%(name)s, a child (born %(born)s), is older than the head of family %(head)s "
        "(born %(head_born)s)"
    ),
    regulation=AGES,
    vector=lambda context: [
        VectorHit(
            "relationship",
            pl.col("_active")
            & (pl.col("relationship") == CHILD)
            & (pl.col("_head_count") == 1)
            & (pl.col("birth_date") < pl.col("_head_born")),
            {
                "name": _col_name(),
                "born": date_text(pl.col("birth_date")),
                "head": _col_name("_head_name"),
                "head_born": date_text(pl.col("_head_born")),
            },
            per_member=True,
        )
    ],
)
def child_older_than_head(family: FamilyData, context: CheckContext) -> list[Hit]:
    """A child (relationship 3) born before the head: a relationship code or a birth date is
    wrong (often head and parent swapped)."""
    head = family.the_head()
    if not family.is_active or head is None or head.birth_date is None:
        return []
    return [
        Hit(
            "relationship",
            {
                "name": _name(m),
                "born": f"{m.birth_date:%d-%m-%Y}",
                "head": _name(head),
                "head_born": f"{head.birth_date:%d-%m-%Y}",
            },
        )
        for m in family.members
        if m.relationship == CHILD and m.birth_date is not None and m.birth_date < head.birth_date
    ]


def _too_young(relationship: int, minimum: int) -> Check:
    """A check for members with `relationship` younger than `minimum` years today."""

    def check(family: FamilyData, context: CheckContext) -> list[Hit]:
        if not family.is_active:
            return []
        today = _today(context)
        return [
            Hit("relationship", {"name": _name(m), "age": age_on(m.birth_date, today)})
            for m in family.members
            if m.relationship == relationship
            and m.birth_date is not None
            and age_on(m.birth_date, today) < minimum
        ]

    return check


def _too_young_vector(relationship: int, minimum: int) -> Vector:
    def vector(context: CheckContext) -> list[VectorHit]:
        when = (
            pl.col("_active")
            & (pl.col("relationship") == relationship)
            & (pl.col("_age") < minimum)
        )
        params = {"name": _col_name(), "age": pl.col("_age")}
        return [VectorHit("relationship", when, params, per_member=True)]

    return vector


register(
    "head_under_15",
    severity=ERROR,
    level=FAMILY,
    message=gettext_noop("The head of family %(name)s is %(age)d years old, under 15"),
    regulation=AGES,
    vector=_too_young_vector(HEAD, HEAD_MIN_AGE),
)(_too_young(HEAD, HEAD_MIN_AGE))

register(
    "spouse_under_16",
    severity=ERROR,
    level=FAMILY,
    message=gettext_noop("The wife/husband %(name)s is %(age)d years old, under 16"),
    regulation=MARRIAGE_AGE,
    vector=_too_young_vector(SPOUSE, SPOUSE_MIN_AGE),
)(_too_young(SPOUSE, SPOUSE_MIN_AGE))


@register(
    "inactive_family_in_program",
    severity=ERROR,
    level=FAMILY,
    message=gettext_noop("The family is inactive but still receives %(programs)s"),
    regulation=PROGRAMS,
    vector=lambda context: [
        VectorHit(
            "programs",
            (pl.col("status") == INACTIVE) & (pl.col("_n_programs") > 0),
            {"programs": pl.col("_programs")},
        )
    ],
)
def inactive_family_in_program(family: FamilyData, context: CheckContext) -> list[Hit]:
    """A family taken out of DTKS (nonaktif) that a program still pays this month."""
    if family.status != INACTIVE or not family.programs:
        return []
    return [Hit("programs", {"programs": programs_text(family.programs, program_labels())})]


@register(
    "deceased_member_in_program",
    severity=WARNING,
    level=FAMILY,
    message=gettext_noop("%(names)s recorded as died, yet the family still receives %(programs)s"),
    regulation=DECEASED,
    vector=lambda context: [
        VectorHit(
            "programs",
            pl.col("_active") & (pl.col("_n_programs") > 0) & pl.col("_died").is_not_null(),
            {"names": pl.col("_died"), "programs": pl.col("_programs")},
        )
    ],
)
def deceased_member_in_program(family: FamilyData, context: CheckContext) -> list[Hit]:
    """A current member recorded as died in a family a program pays: benefits counted per
    member (PKH components) may still count them. A warning for the program's officers; the
    repair itself is the person's (`deceased_still_active`)."""
    died = [m for m in family.members if m.presence == DIED]
    if not family.is_active or not family.programs or not died:
        return []
    names = ", ".join(_name(m) for m in died)
    programs = programs_text(family.programs, program_labels())
    return [Hit("programs", {"names": names, "programs": programs})]
