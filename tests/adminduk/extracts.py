"""Writing Dukcapil extracts for the tests: a row per person as Dukcapil would hold it."""

from __future__ import annotations

import csv
from pathlib import Path

from dtks.registry.models import Person

HEADER = ("nik", "no_kk", "nama", "tanggal_lahir", "jenis_kelamin", "status_hidup")


def row_of(person: Person, **changed: str) -> dict[str, str]:
    """The person as the registry holds them (current family's No. KK), with `changed` cells."""
    family = person.memberships.filter(end_date__isnull=True).order_by("id").first().family
    row = {
        "nik": person.nik,
        "no_kk": family.no_kk,
        "nama": person.name,
        "tanggal_lahir": person.birth_date.strftime("%d-%m-%Y"),
        "jenis_kelamin": "LAKI-LAKI" if person.sex == 1 else "PEREMPUAN",
        "status_hidup": "HIDUP",
    }
    return {**row, **changed}


def write_csv(path: Path, rows: list[dict[str, str]], header: tuple[str, ...] = HEADER,
              delimiter: str = ",", bom: bool = False) -> Path:  # fmt: skip
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(key, "") for key in HEADER])
    return path


def member(family: object, name: str, **person: object) -> Person:
    """A new current member of `family` (a child) called `name`."""
    from dtks.registry import choices as c
    from tests.factories import MembershipFactory, PersonFactory

    kecamatan = family.desa_id[:8]
    created = PersonFactory(name=name, kecamatan=kecamatan, **person)
    MembershipFactory(family=family, person=created, relationship=c.Relationship.CHILD)
    return created
