"""Person-level rules: NIK structure and consistency, the DTKS minimal attributes, a died
person still active, and the cross-record ones (one person in two KKs, a NIK on two records)."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
from django.utils.translation import gettext_noop

from dtks.core.nik import MESSAGES as NIK_MESSAGES
from dtks.registry.choices import Presence

from .base import ERROR, PERSON, WARNING, CheckContext, Hit, PersonData, Vector, register
from .vector import VectorHit, blank

NIK_RULE = "Permendagri/DOMAIN §4: struktur NIK (wilayah, tanggal lahir +40, nomor urut)"
MINIMAL_ATTRIBUTES = "Kepmensos 150/HUK/2022: atribut minimal DTKS"


def _nik_check(*codes: str) -> Callable[[PersonData, CheckContext], list[Hit]]:
    """A check reporting the NIK problems with these codes, in the problem's own words."""

    def check(person: PersonData, context: CheckContext) -> list[Hit]:
        return [
            Hit(problem.field, dict(problem.params), problem.message)
            for problem in context.nik_problems(person)
            if problem.code in codes
        ]

    return check


def _nik_vector(*codes: str) -> Vector:
    """The vectorised `_nik_check`: the NIK problems with these codes, in the same order."""

    def vector(context: CheckContext) -> list[VectorHit]:
        return [hit for code, hit in context.nik_hits().items() if code in codes]

    return vector


_STRUCTURE = ("nik_length", "nik_not_digits")
register(
    "nik_format",
    severity=ERROR,
    level=PERSON,
    message=gettext_noop("NIK must be exactly 16 digits (0-9)"),
    regulation=NIK_RULE,
    vector=_nik_vector(*_STRUCTURE),
)(_nik_check(*_STRUCTURE))

for _code in (
    "nik_invalid_date",
    "nik_serial_zero",
    "nik_birth_date_mismatch",
    "nik_sex_mismatch",
    "nik_region_unknown",
):
    register(
        _code,
        severity=WARNING if _code == "nik_region_unknown" else ERROR,
        level=PERSON,
        message=NIK_MESSAGES[_code],
        regulation=NIK_RULE,
        vector=_nik_vector(_code),
    )(_nik_check(_code))


def is_blank(value: object) -> bool:
    """Empty, or only punctuation such as "-" or "." typed to get past a required field."""
    return value is None or not any(ch.isalnum() for ch in str(value))


@register(
    "missing_name",
    severity=ERROR,
    level=PERSON,
    message=gettext_noop("Full name is empty: it is a minimal DTKS attribute"),
    regulation=MINIMAL_ATTRIBUTES,
    vector=lambda context: [VectorHit("name", blank("name"))],
)
def missing_name(person: PersonData, context: CheckContext) -> list[Hit]:
    return [Hit("name")] if is_blank(person.name) else []


@register(
    "missing_mother_name",
    severity=ERROR,
    level=PERSON,
    message=gettext_noop("Mother's maiden name is empty: it is a minimal DTKS attribute"),
    regulation=MINIMAL_ATTRIBUTES,
    vector=lambda context: [VectorHit("mother_name", blank("mother_name"))],
)
def missing_mother_name(person: PersonData, context: CheckContext) -> list[Hit]:
    return [Hit("mother_name")] if is_blank(person.mother_name) else []


@register(
    "missing_birth_place",
    severity=ERROR,
    level=PERSON,
    message=gettext_noop("Place of birth is empty: it is a minimal DTKS attribute"),
    regulation=MINIMAL_ATTRIBUTES,
    vector=lambda context: [VectorHit("birth_place", blank("birth_place"))],
)
def missing_birth_place(person: PersonData, context: CheckContext) -> list[Hit]:
    return [Hit("birth_place")] if is_blank(person.birth_place) else []


@register(
    "missing_marital_status",
    severity=ERROR,
    level=PERSON,
    message=gettext_noop("Marital status is empty: it is a minimal DTKS attribute"),
    regulation=MINIMAL_ATTRIBUTES,
    vector=lambda context: [VectorHit("marital_status", pl.col("marital_status").is_null())],
)
def missing_marital_status(person: PersonData, context: CheckContext) -> list[Hit]:
    return [Hit("marital_status")] if person.marital_status is None else []


DIED = Presence.DIED.value  # Regsosek keberadaan: meninggal
DEACTIVATION = "Permensos 3/2021, Kepmensos 150/HUK/2022: penonaktifan (meninggal, ganda)"
ONE_KK = "DOMAIN §4, §7: satu orang dalam satu KK (tumpang tindih: tidak padan Dukcapil)"
UNIQUE_NIK = "DOMAIN §4, §7: NIK unik dalam DTKS; ID DTKS ganda diselesaikan (penonaktifan: ganda)"


@register(
    "deceased_still_active",
    severity=ERROR,
    level=PERSON,
    message=gettext_noop(
        "Recorded as died (keberadaan) but still an active member: deactivate the person"
    ),
    regulation=DEACTIVATION,
    vector=lambda context: [VectorHit("presence", pl.col("presence") == DIED)],
)
def deceased_still_active(person: PersonData, context: CheckContext) -> list[Hit]:
    """Only active persons in an active family are checked, so a died one is still counted."""
    return [Hit("presence")] if person.presence == DIED else []


def _listed(column: str) -> pl.Expr:
    return pl.col(column).list.len().fill_null(0)


@register(
    "multiple_families",
    severity=ERROR,
    level=PERSON,
    message=gettext_noop(
        "Current member of %(count)d families (ID DTKS %(families)s): a person belongs to one "
        "KK only"
    ),
    regulation=ONE_KK,
    vector=lambda context: [
        VectorHit(
            "families",
            _listed("families") > 1,
            {"count": _listed("families"), "families": pl.col("families").list.join(", ")},
        )
    ],
)
def multiple_families(person: PersonData, context: CheckContext) -> list[Hit]:
    """Tumpang tindih: current member of two active families (newly-weds still in their
    parents' KK), which Dukcapil matching refuses."""
    families = person.families or ()
    if len(families) < 2:
        return []
    return [Hit("families", {"count": len(families), "families": ", ".join(families)})]


@register(
    "nik_duplicate",
    severity=ERROR,
    level=PERSON,
    message=gettext_noop(
        "NIK is also recorded for ID DTKS %(others)s (inactive, not settled as a duplicate)"
    ),
    regulation=UNIQUE_NIK,
    vector=lambda context: [
        VectorHit(
            "nik", _listed("nik_others") > 0, {"others": pl.col("nik_others").list.join(", ")}
        )
    ],
)
def nik_duplicate(person: PersonData, context: CheckContext) -> list[Hit]:
    """The database refuses two active persons with one NIK, so the other holder is an
    inactive record: one deactivated as died while the NIK lives on, or an old record of the
    same person re-registered instead of reactivated. A verifier settles it by deactivating
    one as `duplicate` (DOMAIN §7: keep the ID DTKS with the aid history)."""
    others = person.nik_others or ()
    return [Hit("nik", {"others": ", ".join(others)})] if others else []
