"""Ties between an officer and a family that only normalised names reveal (conflict of interest).

The registry judges exact ties itself (`registry.conflicts`: own NIK, own No. KK, the same
address and family name as written, the same name as written with the NIK's birth date). The
linkage sits above the registry, so it plugs in through settings:

- `DTKS_CONFLICT_TIES` → `probable_member` and `same_household`, run on every registry change:
  - `linked_self`: a member whose canonical name or sound key is the officer's (Muhammad/M./
    Moh., Siti/St., oe/u, dj/j…), born on the date the officer's NIK encodes (or with day and
    month transposed), of the NIK's sex, under another NIK;
  - `linked_family`: a family of the officer's desa at the address of the officer's own family
    once both are normalised (Jalan/Jl., No., leading zeros, old spelling), with a member
    whose family name sounds like the officer's.
  Both return at once, without normalising a name, when no member has the NIK's birth date or
  the address differs, so an ordinary edit costs one indexed query.
- `DTKS_OFFICER_MATCHES` → `probable_officers`: the Splink model (`engine.find_duplicates`)
  run over the officers and the registry persons born within a year of each officer's NIK
  date, for the kabupaten's list of officers in the registry under another NIK.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import polars as pl
from django.db.models import Q
from django.utils.translation import gettext as _

from dtks.registry.choices import RecordStatus
from dtks.registry.conflicts import (
    Conflict,
    OfficerInRegistry,
    Subject,
    family_name,
    is_probable_self,
    is_same_address,
    own_family,
    user_nik,
)
from dtks.registry.models import Family, Membership

from . import normalize as n

if TYPE_CHECKING:
    from dtks.accounts.models import User

# The list of officers in the registry is for review: a lower bar than duplicate removal.
OFFICER_THRESHOLD = 0.5
# Registry persons compared with an officer: born within this many days of the NIK's date
# (the model holds records further apart to be different persons unless their NIKs agree).
BIRTH_WINDOW = dt.timedelta(days=366)

_ADDRESS_WORDS = {
    "JALAN": "JL", "JLN": "JL", "GANG": "GG", "KOMPLEK": "KOMP", "KOMPLEKS": "KOMP",
    "PERUMAHAN": "PERUM", "DUSUN": "DSN", "NO": "", "NOMOR": "", "NOMER": "", "NMR": "",
}  # fmt: skip


def nik_dates(birth_date: dt.date) -> set[dt.date]:
    """The NIK's birth date and, when it is a date too, the same with day and month swapped."""
    dates = {birth_date}
    if birth_date.day <= 12:
        dates.add(birth_date.replace(month=birth_date.day, day=birth_date.month))
    return dates


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    return n.parse_birth_date(str(value)) if value else None


def names(values: list[str]) -> list[tuple[str | None, str | None]]:
    """(canonical name, sound key) of each name, normalised in one pass."""
    frame = pl.DataFrame({"name": values}, schema={"name": pl.String}).select(
        n.name_norm(pl.col("name")).alias("norm")
    )
    frame = frame.with_columns(n.name_key(pl.col("norm")).alias("key"))
    return list(frame.iter_rows())


def address_key(address: str) -> str:
    """An address in one writing: capitals, no punctuation, Jalan = Jl., No. dropped, numbers
    without leading zeros, old spelling (OE, DJ, TJ) and doubled letters made current."""
    text = re.sub(r"[^A-Z0-9]+", " ", (address or "").upper())
    text = text.replace("OE", "U").replace("DJ", "J").replace("TJ", "C")
    text = re.sub(r"([A-Z])\1", r"\1", text)
    words = [_ADDRESS_WORDS.get(w, w) for w in text.split()]
    return " ".join(w.lstrip("0") or "0" if w.isdigit() else w for w in words if w)


def probable_member(user: User, subject: Subject) -> list[Conflict]:
    """`linked_self`: a member is probably the officer under another NIK (see the module)."""
    parsed = user_nik(user)
    if not parsed or not parsed.birth_date:
        return []
    dates = nik_dates(parsed.birth_date)
    candidates = [
        m
        for m in subject.members
        if m[0] != user.nik
        and _as_date(m[2]) in dates
        and m[3] in (None, "", parsed.sex)
        and not is_probable_self(user, m, parsed)  # already said, as written
    ]
    if not candidates or not user.get_full_name().strip():
        return []
    (me_norm, me_key), *others = names([user.get_full_name()] + [m[1] for m in candidates])
    if any((me_norm and norm == me_norm) or (me_key and key == me_key) for norm, key in others):
        return [
            Conflict(
                "linked_self",
                _(
                    "A member is probably you under another NIK: your name in another "
                    "spelling, with the birth date and sex of your NIK."
                ),
            )
        ]
    return []


def _family_key(name: str | None) -> str | None:
    word = family_name(name or "")
    return names([word])[0][1] if word else None


def same_household(user: User, subject: Subject) -> list[Conflict]:
    """`linked_family`: the family lives at the officer's own address, normalised, and a member
    carries a family name that sounds like the officer's (see the module)."""
    own = own_family(user) if (user.nik or user.no_kk) else None
    if (
        own is None
        or own.no_kk == subject.no_kk
        or own.desa_id != subject.desa_code
        or not address_key(own.address)
        or address_key(own.address) != address_key(subject.address)
        or is_same_address(user, subject, own)  # already said, as written
    ):
        return []
    (me, _key), *members = names([user.get_full_name()] + [m[1] for m in subject.members])
    mine = _family_key(me)
    if mine and any(_family_key(norm) == mine for norm, _k in members):
        return [
            Conflict(
                "linked_family",
                _(
                    "This family lives at your address and a member carries your family "
                    "name in another spelling."
                ),
            )
        ]
    return []


def _officer_rows(users: list[User]) -> dict[str, Any]:
    parsed = [user_nik(u) for u in users]
    return {
        "id": [f"u{u.pk}" for u in users],
        "nik": [u.nik for u in users],
        "no_kk": [u.no_kk or None for u in users],
        "name": [u.get_full_name() for u in users],
        "birth_date": [p.birth_date for p in parsed],  # type: ignore[union-attr]
        "sex": [p.sex for p in parsed],  # type: ignore[union-attr]
    }


def _registry_rows(
    users: list[User], persons: Any
) -> tuple[dict[str, Any], dict[str, tuple[int, str]]]:
    """The current memberships of `persons` born near an officer's NIK date (a person in two
    KKs is two rows); and the family and NIK of each, by row id."""
    near = Q(pk__in=[])
    for user in users:
        born, sex = user_nik(user).birth_date, user_nik(user).sex  # type: ignore[union-attr]
        near |= Q(
            person__birth_date__range=(born - BIRTH_WINDOW, born + BIRTH_WINDOW), person__sex=sex
        )
    fields = (
        "id", "family_id", "person__nik", "family__no_kk", "person__name",
        "person__birth_date", "person__birth_place", "person__mother_name",
        "family__desa_id", "family__address", "person__sex",
    )  # fmt: skip
    rows = list(
        Membership.objects.filter(near, end_date__isnull=True, person__in=persons)
        .filter(person__status=RecordStatus.ACTIVE, family__status=RecordStatus.ACTIVE)
        .values_list(*fields)
    )
    columns = ("nik", "no_kk", "name", "birth_date", "birth_place", "mother_name")
    table: dict[str, Any] = {"id": [f"p{r[0]}" for r in rows]}
    table |= {c: [r[i + 2] for r in rows] for i, c in enumerate(columns)}
    table |= {
        "desa_code": [r[8] for r in rows],
        "address": [r[9] for r in rows],
        "sex": [r[10] for r in rows],
    }
    return table, {f"p{r[0]}": (r[1], r[2]) for r in rows}


def probable_officers(
    users: Iterable[User], persons: Any, *, threshold: float = OFFICER_THRESHOLD
) -> list[OfficerInRegistry]:
    """Officers the linkage model finds among `persons` (a Person QuerySet: the verifier's
    area) under another NIK than their own, most probable first."""
    from .engine import find_duplicates  # Splink loads only for this list

    users = [u for u in users if (p := user_nik(u)) and p.birth_date and u.get_full_name()]
    if not users:
        return []
    registry, persons_found = _registry_rows(users, persons)
    officers = _officer_rows(users)
    frame = pl.concat(
        [pl.DataFrame(officers), pl.DataFrame(registry, schema_overrides={"sex": pl.Int64})],
        how="diagonal_relaxed",
    )
    pairs = find_duplicates(frame, threshold=threshold)
    by_id = {f"u{u.pk}": u for u in users}
    families = Family.objects.select_related("desa").in_bulk(
        {family for family, _nik in persons_found.values()}
    )
    conflict = Conflict("linked_person", _("Probably in DTKS under another NIK."))
    found = []
    for left, right, probability in pairs.iter_rows():
        officer, person = (left, right) if left.startswith("u") else (right, left)
        if officer not in by_id or person not in persons_found:
            continue  # two officers, or two registry persons
        family, nik = persons_found[person]
        if nik != by_id[officer].nik:  # the same NIK is listed as such
            found.append(OfficerInRegistry(by_id[officer], families[family], conflict, probability))
    return found
