"""The demo registry: a synthetic Kabupaten Bengkulu Tengah whose recap equals the seed's
Tabel 5.3 exactly (individuals and families per kecamatan), with exactly the table's number of
persons per kecamatan carrying one planted data defect that the verification checks find, a few
family-level defects (`plant`), and the truth: every finding the checks must make, no more.

Deterministic from a seed. Values come from `synth` (shared with the tests' factories); this
module only lays them over the real villages of the Region table and writes them in bulk.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources

from django.conf import settings
from django.db import transaction
from django.utils import translation

from dtks.audit.record import Change, record_events
from dtks.registry import choices as c
from dtks.registry.ids import FAMILY, PERSON, format_id_dtks
from dtks.registry.models import Family, FamilyProgram, Membership, Person
from dtks.registry.search_names import refresh_member_names
from dtks.wilayah.models import Region

from . import plant, synth, writer
from .plant import Plan

Row = dict[str, object]

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
    """What was generated, and the truth: which person carries which planted defect, and which
    family which family-level defects (rule codes)."""

    families: int = 0
    persons: int = 0
    defects: dict[int, str] = field(default_factory=dict)  # person pk → rule code
    family_defects: dict[int, set[str]] = field(default_factory=dict)  # family pk → codes
    seconds: float = 0.0

    def expected_findings(self) -> set[tuple[str, int, str]]:
        """(level, subject pk, rule) of every finding the checks must open on this registry."""
        persons = {("person", pk, rule) for pk, rule in self.defects.items()}
        return persons | {
            ("family", pk, rule) for pk, rules in self.family_defects.items() for rule in rules
        }


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
) -> list[Plan]:
    """Families of one kecamatan spread over its villages, with defects planted on exactly
    `target.needing_repair` persons, family-level defects on a few of their families, and
    inactive families still in a program beyond the table's (active) families."""
    if not villages:
        raise ValueError(f"kecamatan {target.code} has no villages loaded")
    sizes = synth.family_sizes(rng, target.families, target.individuals)
    per_desa = spread(rng, target.families, len(villages))
    desas = [v for v, n in zip(villages, per_desa, strict=True) for _ in range(n)]
    plans = [_plan(rng, desa, kecamatan, size) for desa, size in zip(desas, sizes, strict=True)]
    people = [m for plan in plans for m in plan.members]
    for person in rng.sample(people, target.needing_repair):
        person.defect = synth.pick_defect(rng)
    plant.plant_two_families(rng, plans)
    plant.plant_family_defects(rng, plans)
    for _ in range(plant.inactive_families(target.families)):
        inactive = _plan(rng, rng.choice(villages), kecamatan, rng.randint(2, 5))
        plant.mark_inactive(rng, inactive)
        plans.append(inactive)
    plant.note_died_members(plans)
    return plans


def _plan(rng: random.Random, desa: Region, kecamatan: Region, size: int) -> Plan:
    values = synth.housing(rng) | synth.address(rng)
    members = synth.plan_family(rng, size)
    issued = _issue_date(rng, members)
    return Plan(desa, kecamatan, members, values, synth.programs(rng, values), issued)


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


def finish_people(rng: random.Random, plans: list[Plan], kecamatan_codes: list[str]) -> None:
    """Birth places, NIKs and attribute defects, once every family is planned."""
    serials, used = synth.Serials(), set[str]()
    for plan in plans:
        for person in plan.members:
            person.birth_place = _birth_place(rng, plan.desa, plan.kecamatan)
            own = plan.kecamatan.code
            region = own if rng.random() < 0.88 else rng.choice(kecamatan_codes)
            synth.assign_nik(rng, person, region, serials, used)
            synth.plant_attribute_defect(person)


def _person_row(
    p: synth.SynthPerson, pk: int, id_dtks: str, programs: list[str], inactive_reason: str = ""
) -> Row:
    age = (synth.REFERENCE_DATE - p.birth_date).days // 365
    return {
        "id": pk,
        "id_dtks": id_dtks,
        "nik": p.nik,
        "name": p.name,
        "birth_place": p.birth_place,
        "birth_date": p.birth_date,
        "sex": p.sex,
        "marital_status": p.marital_status,
        "mother_name": p.mother_name,
        "presence": p.presence,
        "status": "inactive" if inactive_reason else "active",
        "inactive_reason": inactive_reason,
        "has_ktp": age >= 17,
        "has_birth_certificate": age < 30,
        "health_insurance": c.HealthInsurance.PBI_JKN.value if "pbi_jkn" in programs else "none",
        "school_status": _school_status(age),
    }


def _school_status(age: int) -> int | None:
    if age < 5:
        return None
    if age <= 18:
        return c.SchoolStatus.ATTENDING.value
    return c.SchoolStatus.NOT_ATTENDING.value


@dataclass
class _Rows:
    """Plain rows for the four tables, ids assigned, and the planted-defect truth."""

    families: list[Row] = field(default_factory=list)
    persons: list[Row] = field(default_factory=list)
    memberships: list[Row] = field(default_factory=list)
    programs: list[Row] = field(default_factory=list)
    defects: dict[int, str] = field(default_factory=dict)
    family_defects: dict[int, set[str]] = field(default_factory=dict)


def _family_row(plan: Plan, pk: int, id_dtks: str, no_kk: str, year: int) -> Row:
    return {
        "id": pk,
        "id_dtks": id_dtks,
        "no_kk": no_kk,
        "desa_id": plan.desa.code,
        "data_year": year,
        "status": plan.status,
        "inactive_reason": plan.inactive_reason,
        **plan.values,
    }


class _Writer:
    """Turns plans into rows: ids assigned in order, ID DTKS numbered per desa, No. KK unique
    per issue date, and the truth of the planted defects by the ids the rows get."""

    def __init__(self, year: int) -> None:
        self.out, self.year = _Rows(), year
        self.seq: Counter[str] = Counter()
        self.kk_serials = synth.Serials()
        self.ids = {m: writer.next_id(m) for m in (Family, Person, Membership, FamilyProgram)}
        self.person_ids: dict[int, int] = {}  # id(SynthPerson) → person pk

    def next_id_dtks(self, desa: str, kind: str) -> str:
        self.seq[desa + kind] += 1
        return format_id_dtks(desa, kind, self.seq[desa + kind])

    def family(self, plan: Plan) -> int:
        kk_prefix = synth.make_no_kk(plan.kecamatan.code, plan.issued, 0)[:12]
        no_kk = f"{kk_prefix}{self.kk_serials.next(kk_prefix):04d}"
        family_id = self.ids[Family] + len(self.out.families)
        id_dtks = self.next_id_dtks(plan.desa.code, FAMILY)
        self.out.families.append(_family_row(plan, family_id, id_dtks, no_kk, self.year))
        if plan.family_defects:
            self.out.family_defects[family_id] = set(plan.family_defects)
        start_month = max(plan.issued.replace(day=1), dt.date(2018, 1, 1))
        for program in plan.programs:
            pk = self.ids[FamilyProgram] + len(self.out.programs)
            self.out.programs.append(
                {"id": pk, "family_id": family_id, "program": program, "start_month": start_month}
            )
        return family_id

    def person(self, plan: Plan, p: synth.SynthPerson, reason: str = "") -> int:
        person_id = self.ids[Person] + len(self.out.persons)
        id_dtks = self.next_id_dtks(plan.desa.code, PERSON)
        self.out.persons.append(_person_row(p, person_id, id_dtks, plan.programs, reason))
        return person_id

    def membership(
        self, family_id: int, person_id: int, relationship: int, start: dt.date, end: Row
    ) -> None:
        row = {"id": self.ids[Membership] + len(self.out.memberships), "family_id": family_id}
        row |= {"person_id": person_id, "relationship": relationship, "start_date": start}
        self.out.memberships.append(row | {"end_date": None, "end_reason": ""} | end)

    def plan(self, plan: Plan) -> None:
        family_id = self.family(plan)
        ended = _ended(plan.inactive_reason) if plan.status == plant.INACTIVE else {}
        for p in plan.members:
            person_id = self.person(plan, p, plan.inactive_reason)
            self.person_ids[id(p)] = person_id
            start = max(plan.issued, p.birth_date)
            self.membership(family_id, person_id, p.relationship, start, ended)
            if p.defect:
                self.out.defects[person_id] = p.defect
            if p.defect == "nik_duplicate":
                self.deceased_twin(plan, p, family_id, start)

    def deceased_twin(
        self, plan: Plan, p: synth.SynthPerson, family_id: int, start: dt.date
    ) -> None:
        """An older record of the same person, deactivated as died by mistake, whose NIK the
        person was registered again with: a second record not settled as a duplicate."""
        twin = dataclasses.replace(p, presence=synth.DIED)
        person_id = self.person(plan, twin, "died")
        self.membership(family_id, person_id, p.relationship, start, _ended("died"))

    def extra(self, plans: list[Plan]) -> None:
        """Second memberships of persons written with their first family (tumpang tindih)."""
        families = {id(plan): row["id"] for plan, row in zip(plans, self.out.families, strict=True)}
        for plan in plans:
            for p, relationship in plan.extra:
                start = max(plan.issued, p.birth_date)
                self.membership(families[id(plan)], self.person_ids[id(p)], relationship, start, {})


def _ended(reason: str) -> Row:
    """A membership ended on the reference date for an inactive family's or person's reason."""
    with translation.override(settings.LANGUAGE_CODE):
        label = str(c.InactiveReason(reason).label)
    return {"end_date": synth.REFERENCE_DATE, "end_reason": label}


def _rows(plans: list[Plan], year: int) -> _Rows:
    """Rows for every table, ids assigned, and the truth of the planted defects."""
    rows = _Writer(year)
    for plan in plans:
        rows.plan(plan)
    rows.extra(plans)
    return rows.out


def _audit(plans: list[Plan], note: str) -> None:
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


def plan_registry(targets: list[KecamatanTarget], seed: int) -> list[Plan]:
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


def write_rows(rows: _Rows) -> None:
    """Insert the rows of the four tables, then the families' search names."""
    writer.insert_rows(Family, rows.families)
    writer.insert_rows(Person, rows.persons)
    writer.insert_rows(Membership, rows.memberships)
    writer.insert_rows(FamilyProgram, rows.programs)
    writer.reset_sequences(Family, Person, Membership, FamilyProgram)
    first_family = rows.families[0]["id"] if rows.families else 0
    refresh_member_names(Family.objects.filter(pk__gte=first_family))


def build_demo_registry(
    targets: list[KecamatanTarget] | None = None, *, seed: int = 2023, year: int = DATA_YEAR
) -> DemoResult:
    """Generate and write the registry in one transaction; returns the planted-defect truth."""
    started = time.perf_counter()
    plans = plan_registry(targets if targets is not None else tabel_5_3(), seed)
    with transaction.atomic():
        rows = _rows(plans, year)
        write_rows(rows)
        _audit(plans, note="synthetic demo registry")
    seconds = time.perf_counter() - started
    return DemoResult(
        len(rows.families), len(rows.persons), rows.defects, rows.family_defects, seconds
    )
