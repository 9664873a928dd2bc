"""The demo registry: a synthetic Kabupaten Bengkulu Tengah whose recap equals the seed's
Tabel 5.3 exactly (individuals and families per kecamatan), with exactly the table's number of
persons per kecamatan carrying one planted data defect that the verification checks find.

Deterministic from a seed. Values come from `synth` (shared with the tests' factories); this
module only lays them over the real villages of the Region table and writes them in bulk.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources

from django.db import transaction

from dtks.audit.record import Change, record_events
from dtks.registry import choices as c
from dtks.registry.ids import FAMILY, PERSON, format_id_dtks
from dtks.registry.models import Family, FamilyProgram, Membership, Person
from dtks.wilayah.models import Region

from . import synth

BATCH = 5000
DATA_YEAR = 2023
KABUPATEN = "17.09"


@dataclass(frozen=True)
class KecamatanTarget:
    """One row of Tabel 5.3: what the generated registry must hold in a kecamatan."""

    code: str
    name: str
    individuals: int
    families: int
    needing_repair: int


@dataclass
class DemoResult:
    """What was generated, and the truth: which person carries which planted defect."""

    families: int = 0
    persons: int = 0
    defects: dict[int, str] = field(default_factory=dict)  # person pk → rule code
    seconds: float = 0.0


@dataclass
class _Plan:
    """One planned family: its desa, household values and members, before writing."""

    desa: Region
    kecamatan: Region
    members: list[synth.SynthPerson]
    values: dict[str, object]
    programs: list[str]
    issued: dt.date


def tabel_5_3() -> list[KecamatanTarget]:
    """The seed's Tabel 5.3 (Bengkulu Tengah 2023), from the package's data file."""
    text = resources.files("dtks.demo").joinpath("data/tabel_5_3.csv").read_text("utf-8")
    return [
        KecamatanTarget(
            code=row["code"],
            name=row["kecamatan"],
            individuals=int(row["jumlah_individu"]),
            families=int(row["jumlah_keluarga"]),
            needing_repair=int(row["perlu_perbaikan"]),
        )
        for row in csv.DictReader(text.splitlines())
    ]


def registry_exists(kabupaten: str = KABUPATEN) -> bool:
    return Family.objects.in_wilayah(kabupaten).exists()


def spread(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` split over `parts` with uneven, random weights; sums to `total` exactly."""
    weights = [rng.uniform(0.5, 1.8) for _ in range(parts)]
    scale = total / sum(weights)
    shares = [int(w * scale) for w in weights]
    for i in rng.sample(range(parts), total - sum(shares)):
        shares[i] += 1
    return shares


def plan_kecamatan(
    rng: random.Random, target: KecamatanTarget, villages: list[Region], kecamatan: Region
) -> list[_Plan]:
    """Families of one kecamatan spread over its villages, with defects planted on exactly
    `target.needing_repair` persons."""
    if not villages:
        raise ValueError(f"kecamatan {target.code} has no villages loaded")
    sizes = synth.family_sizes(rng, target.families, target.individuals)
    per_desa = spread(rng, target.families, len(villages))
    desas = [v for v, n in zip(villages, per_desa, strict=True) for _ in range(n)]
    plans = []
    for desa, size in zip(desas, sizes, strict=True):
        values = synth.housing(rng) | synth.address(rng)
        members = synth.plan_family(rng, size)
        issued = _issue_date(rng, members)
        plans.append(_Plan(desa, kecamatan, members, values, synth.programs(rng, values), issued))
    people = [m for plan in plans for m in plan.members]
    for person in rng.sample(people, target.needing_repair):
        person.defect = synth.pick_defect(rng)
    return plans


def _issue_date(rng: random.Random, members: list[synth.SynthPerson]) -> dt.date:
    """The KK's issue date: after the head turned 17 and after 2005, before mid-2023."""
    head = members[0]
    earliest = max(dt.date(2005, 1, 1), synth.years_after(head.birth_date, 17, 0, rng))
    span = (dt.date(2023, 6, 1) - earliest).days
    return earliest + dt.timedelta(days=rng.randrange(max(span, 1)))


def _birth_place(rng: random.Random, desa: Region, kecamatan: Region) -> str:
    roll = rng.random()
    if roll < 0.55:
        return desa.name
    if roll < 0.7:
        return kecamatan.name
    if roll < 0.8:
        return "Bengkulu Tengah"
    return rng.choice(synth.BIRTH_PLACES_FAR)


def finish_people(rng: random.Random, plans: list[_Plan], kecamatan_codes: list[str]) -> None:
    """Birth places, NIKs and attribute defects, once every family is planned."""
    serials, used = synth.Serials(), set[str]()
    for plan in plans:
        for person in plan.members:
            person.birth_place = _birth_place(rng, plan.desa, plan.kecamatan)
            own = plan.kecamatan.code
            region = own if rng.random() < 0.88 else rng.choice(kecamatan_codes)
            synth.assign_nik(rng, person, region, serials, used)
            synth.plant_attribute_defect(person)


def _person_row(p: synth.SynthPerson, id_dtks: str, programs: list[str]) -> Person:
    age = (synth.REFERENCE_DATE - p.birth_date).days // 365
    return Person(
        id_dtks=id_dtks,
        nik=p.nik,
        name=p.name,
        birth_place=p.birth_place,
        birth_date=p.birth_date,
        sex=p.sex,
        marital_status=p.marital_status,
        mother_name=p.mother_name,
        has_ktp=age >= 17,
        has_birth_certificate=age < 30,
        health_insurance=c.HealthInsurance.PBI_JKN if "pbi_jkn" in programs else "none",
        school_status=_school_status(age),
    )


def _school_status(age: int) -> int | None:
    if age < 5:
        return None
    if age <= 18:
        return c.SchoolStatus.ATTENDING
    return c.SchoolStatus.NOT_ATTENDING


def _rows(plans: list[_Plan], year: int) -> tuple[list[Family], list[list[Person]]]:
    """Family and Person instances with ID DTKS numbered per desa."""
    seq: Counter[str] = Counter()
    kk_serials = synth.Serials()
    families, people = [], []
    for plan in plans:
        seq[plan.desa.code] += 1
        no_kk_prefix = synth.make_no_kk(plan.kecamatan.code, plan.issued, 0)[:12]
        families.append(
            Family(
                id_dtks=format_id_dtks(plan.desa.code, FAMILY, seq[plan.desa.code]),
                no_kk=f"{no_kk_prefix}{kk_serials.next(no_kk_prefix):04d}",
                desa_id=plan.desa.code,
                data_year=year,
                **plan.values,
            )
        )
        rows = []
        for person in plan.members:
            seq[plan.desa.code + PERSON] += 1
            id_dtks = format_id_dtks(plan.desa.code, PERSON, seq[plan.desa.code + PERSON])
            rows.append(_person_row(person, id_dtks, plan.programs))
        people.append(rows)
    return families, people


def _links(
    plans: list[_Plan], families: list[Family], people: list[list[Person]]
) -> tuple[list[Membership], list[FamilyProgram]]:
    memberships, programs = [], []
    for plan, family, rows in zip(plans, families, people, strict=True):
        for synth_person, person in zip(plan.members, rows, strict=True):
            start = max(plan.issued, synth_person.birth_date)
            memberships.append(
                Membership(
                    family=family,
                    person=person,
                    relationship=synth_person.relationship,
                    start_date=start,
                )
            )
        start_month = (
            plan.issued.replace(day=1) if plan.issued.year >= 2018 else dt.date(2018, 1, 1)
        )
        programs.extend(
            FamilyProgram(family=family, program=p, start_month=start_month) for p in plan.programs
        )
    return memberships, programs


def _audit(plans: list[_Plan], note: str) -> None:
    """One audit event per desa, not per row: the registry of a desa appeared at once."""
    families: Counter[str] = Counter()
    persons: Counter[str] = Counter()
    for plan in plans:
        families[plan.desa.code] += 1
        persons[plan.desa.code] += len(plan.members)
    changes = [
        Change(
            subject_type="registry",
            subject_id=code,
            before=None,
            after={"families": families[code], "persons": persons[code]},
            region_code=code,
        )
        for code in sorted(families)
    ]
    record_events(None, "generate_demo_registry", changes, note=note)


def plan_registry(targets: list[KecamatanTarget], seed: int) -> list[_Plan]:
    """Every family of the demo registry, planned in memory from the Region table."""
    rng = random.Random(seed)
    codes = [t.code for t in targets]
    regions = Region.objects.filter(code__in=codes).in_bulk()
    villages: dict[str, list[Region]] = {code: [] for code in codes}
    for village in Region.objects.villages().filter(parent_id__in=codes).order_by("code"):
        villages[village.parent_id].append(village)
    plans = []
    for target in targets:
        if target.code not in regions:
            raise ValueError(f"kecamatan {target.code} is not loaded; run load_wilayah first")
        plans.extend(plan_kecamatan(rng, target, villages[target.code], regions[target.code]))
    finish_people(rng, plans, codes)
    return plans


def build_demo_registry(
    targets: list[KecamatanTarget] | None = None, *, seed: int = 2023, year: int = DATA_YEAR
) -> DemoResult:
    """Generate and write the registry in one transaction; returns the planted-defect truth."""
    started = time.perf_counter()
    plans = plan_registry(targets if targets is not None else tabel_5_3(), seed)
    families, people = _rows(plans, year)
    with transaction.atomic():
        Family.objects.bulk_create(families, batch_size=BATCH)
        flat = [person for rows in people for person in rows]
        Person.objects.bulk_create(flat, batch_size=BATCH)
        memberships, programs = _links(plans, families, people)
        Membership.objects.bulk_create(memberships, batch_size=BATCH)
        FamilyProgram.objects.bulk_create(programs, batch_size=BATCH)
        _audit(plans, note="synthetic demo registry")
    defects = {
        person.pk: planned.defect
        for plan, rows in zip(plans, people, strict=True)
        for planned, person in zip(plan.members, rows, strict=True)
        if planned.defect
    }
    return DemoResult(len(families), len(flat), defects, time.perf_counter() - started)
