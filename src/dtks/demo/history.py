"""The demo as a history: the 2022 registry (the seed's Tabel 5.4), closed, then evolved through
2023 into the registry of Tabel 5.3, which is closed too.

The 2023 registry is planned exactly as `generator` plans it; the 2022 one is derived from it
(all deterministic from the demo seed):

- **new in 2023**: a few defect-free families without programs of each kecamatan are not
  written in 2022; the desa proposes them (usulan baru) in a 2023 month and they are verified,
  finalised and ratified through the proposals workflow;
- **deactivated in 2023**: extra defect-free families are generated active in 2022 and
  deactivated (ditidaklayakkan: no longer eligible) in 2023 by a proposal to deactivate the
  whole family, ratified like the others (`registry.deactivate_family`: members nonaktif,
  memberships ended, programs ended);
- **corrected in 2023**: defect-free persons whose 2022 record lacked the mother's name (a
  2022 finding) are corrected by a perbaikan proposal;
- **found in 2023**: the 2023 defects not already there in 2022 were written right in 2022
  (another NIK, the mother's name, the birth place, alive) and are entered as 2023 data entry
  (`actions.enter_demo_data`), then found by the 2023 checks. This one is not a proposal: a
  proposal whose data breaks a rule is refused before submission, so defects reach the
  registry through data entry (an import), never through a ratified proposal.

Tabel 5.4 gives only kabupaten totals (23,744 families, 550 needing repair): they are spread over
the kecamatan in proportion to Tabel 5.3 (largest remainder). A smaller table is scaled the same
way, so the small demo tests run the whole history too (a tiny table may hold more defects
that must exist in 2022 — a person in two KKs, a NIK on two records, family-level ones — than
its scaled share: then 2022 needs repair for all of them).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from dtks.accounts.models import User
from dtks.audit.record import replayed_at
from dtks.periods.actions import close_period, get_or_create_period
from dtks.proposals import actions as proposals
from dtks.proposals.apply import ratify_period
from dtks.proposals.models import Proposal, ProposalBatch
from dtks.proposals.uploads import upload_document
from dtks.registry.models import Family, Membership, Person
from dtks.verification.actions import run_checks
from dtks.wilayah.models import Region

from . import generator, plant, synth
from .actions import DEMO_DESA, ensure_demo_users, enter_demo_data
from .plant import Plan

Row = dict[str, object]

YEAR_2022, YEAR_2023 = 2022, 2023
TABEL_5_3_TOTALS = (23_507, 2_117)  # families, needing repair (Tabel 5.4, 2023 row)
TABEL_5_4_TOTALS = (23_744, 550)  # families, needing repair (Tabel 5.4, 2022 row)
NEW_FAMILY_SHARE = 0.01  # of a kecamatan's 2023 families, proposed as new in 2023
FIXED_SHARE = 0.2  # of a kecamatan's 2022 needing repair, corrected by a proposal in 2023
STRUCTURAL = frozenset({"multiple_families", "nik_duplicate"})  # defects that stay from 2022
MONTHS = 10  # proposals from January to October 2023 (Tabel 5.4: "sampai periode oktober 2023")
WIB = ZoneInfo("Asia/Jakarta")
# Days of a month inside its windows under both presets: DTKS proposals 15–20 (15–25), the
# kabupaten's verification, finalisation and ratification 15 to the day before month end (25–).
SUBMIT_DAY, VERIFY_DAY, FINALISE_DAY, RATIFY_DAY = 16, 25, 26, 27
GONE_REASON = "not_eligible"  # why the families deactivated in 2023 leave DTKS
LOST_SERIAL = 9001  # 2022 NIKs of persons re-entered in 2023 take serials from here


@dataclass(frozen=True)
class YearTarget:
    code: str
    families: int
    needing_repair: int


def apportion(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder, ties to the first)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    shares = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - shares[i]), i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def targets_2022(targets: list[generator.KecamatanTarget]) -> list[YearTarget]:
    """2022 families and needing repair per kecamatan: Tabel 5.4's totals (scaled for another
    table) spread in proportion to the 2023 row."""
    families = sum(t.families for t in targets)
    repair = sum(t.needing_repair for t in targets)
    total_families = round(families * TABEL_5_4_TOTALS[0] / TABEL_5_3_TOTALS[0])
    total_repair = round(repair * TABEL_5_4_TOTALS[1] / TABEL_5_3_TOTALS[1])
    fams = apportion(total_families, [t.families for t in targets])
    weights = [t.needing_repair for t in targets]
    reps = apportion(total_repair, weights) if repair else [0] * len(targets)
    return [YearTarget(t.code, f, r) for t, f, r in zip(targets, fams, reps, strict=True)]


def month_of(desa_code: str, desa_codes: list[str]) -> int:
    """The 2023 month in which a desa holds its musdes and proposes (spread over the desa)."""
    return 1 + desa_codes.index(desa_code) % MONTHS


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(YEAR_2023, month, day, hour, tzinfo=WIB)


@dataclass
class History:
    """The 2022 state derived from the 2023 plans, and what 2023 does to it."""

    plans: list[Plan]  # the 2023 plans, then the families deactivated in 2023
    new: list[Plan] = field(default_factory=list)  # created by proposals in 2023
    gone: list[Plan] = field(default_factory=list)  # active in 2022, deactivated in 2023
    fixed: list[synth.SynthPerson] = field(default_factory=list)  # corrected by proposals
    found: list[synth.SynthPerson] = field(default_factory=list)  # defects entered in 2023
    was: dict[int, dict[str, object]] = field(default_factory=dict)  # id(person) → 2022 values


def _clean(plan: Plan) -> bool:
    return plan.status == plant.ACTIVE and not plan.reserved and not plan.has_defect()


def _revertible(plan: Plan) -> bool:
    """Defects of this family may be absent in 2022 (no family-level finding, no structure)."""
    return not plan.family_defects and not plan.reserved


def plan_history(targets: list[generator.KecamatanTarget], seed: int) -> History:
    plans = generator.plan_registry(targets, seed)
    rng = random.Random(seed * 31 + YEAR_2022)
    history = History(plans)
    by_kecamatan: dict[str, list[Plan]] = {}
    for p in plans:
        by_kecamatan.setdefault(p.kecamatan.code, []).append(p)
    lost = _serials(plans)
    for target, year in zip(targets, targets_2022(targets), strict=True):
        own = by_kecamatan.get(target.code, [])
        clean = [p for p in own if _clean(p) and not p.extra]
        without_programs = [p for p in clean if not p.programs] or clean
        new = rng.sample(without_programs, min(len(without_programs), _new_count(target)))
        history.new += new
        gone = year.families - target.families + len(new)
        if gone < 0:
            raise ValueError(f"{target.code}: 2022 cannot have fewer families than 2023 − new")
        history.gone += [_gone(rng, p) for p in rng.choices(own, k=gone)] if own else []
        _split_defects(rng, history, own, new, target, year, lost)
    history.plans = plans + history.gone
    _assign_gone_niks(rng, history.gone, lost, [t.code for t in targets])
    return history


def _new_count(target: generator.KecamatanTarget) -> int:
    return max(1, round(target.families * NEW_FAMILY_SHARE)) if target.families > 2 else 0


def _gone(rng: random.Random, like: Plan) -> Plan:
    """A small defect-free family of the same desa, active in 2022."""
    plan = generator._plan(rng, like.desa, like.kecamatan, rng.randint(1, 4))
    plan.issued = min(plan.issued, dt.date(2021, 12, 31))
    return plan


def _serials(plans: list[Plan]) -> dict[str, int]:
    """Per NIK prefix, the next serial free for NIKs the 2023 registry does not hold."""
    return {p.nik[:12]: LOST_SERIAL for plan in plans for p in plan.members}


def _fresh_nik(person: synth.SynthPerson, region: str, lost: dict[str, int]) -> str:
    prefix = synth.make_nik(region, person.birth_date, person.sex, 0)[:12]
    lost[prefix] = lost.get(prefix, LOST_SERIAL) + 1
    return f"{prefix}{lost[prefix] - 1:04d}"


def _assign_gone_niks(
    rng: random.Random, gone: list[Plan], lost: dict[str, int], codes: list[str]
) -> None:
    for plan in gone:
        for person in plan.members:
            person.birth_place = generator._birth_place(rng, plan.desa, plan.kecamatan)
            person.nik = _fresh_nik(person, plan.kecamatan.code, lost)
            person.nik_region = plan.kecamatan.code


def _split_defects(
    rng: random.Random,
    history: History,
    own: list[Plan],
    new: list[Plan],
    target: generator.KecamatanTarget,
    year: YearTarget,
    lost: dict[str, int],
) -> None:
    """Which 2023 defects were already there in 2022, which 2022 defects a proposal corrects,
    and which 2023 defects are entered in 2023: 2022 needing repair = kept + fixed."""
    kept_first, revertible = [], []
    for plan in own:
        for p in plan.members:
            if not p.defect:
                continue
            if p.defect in STRUCTURAL or not _revertible(plan):
                kept_first.append(p)
            else:
                revertible.append(p)
    rng.shuffle(revertible)
    fixed_count = int(year.needing_repair * FIXED_SHARE)
    keep = year.needing_repair - fixed_count
    if len(kept_first) > keep:  # a tiny table: its structural defects may exceed the share
        keep = len(kept_first)
        fixed_count = max(0, year.needing_repair - keep)
    kept = kept_first + revertible[: keep - len(kept_first)]
    history.found += [p for p in revertible if p not in kept]
    for person in history.found:
        history.was[id(person)] = _was_2022(rng, person, lost)
    taken = {id(p) for p in new}
    candidates = [
        m
        for p in own
        if _clean(p) and id(p) not in taken and not p.extra
        for m in p.members
        if m.mother_name
    ]
    for person in rng.sample(candidates, min(fixed_count, len(candidates))):
        history.fixed.append(person)
        history.was[id(person)] = {"mother_name": ""}


def _was_2022(
    rng: random.Random, person: synth.SynthPerson, lost: dict[str, int]
) -> dict[str, object]:
    """The person's 2022 values, before the 2023 data entry that planted the defect."""
    if person.defect == "missing_mother_name":
        return {"mother_name": synth.full_name(rng, synth.FEMALE)}
    if person.defect == "missing_birth_place":
        return {"birth_place": "Bengkulu Tengah"}
    if person.defect == "deceased_still_active":
        return {"presence": 1}
    return {"nik": _fresh_nik(person, person.nik_region, lost)}


@dataclass
class Changes2023:
    """What 2023 does to the 2022 rows, by the pks the rows got."""

    new_families: list[tuple[Row, list[Row]]] = field(default_factory=list)  # family, members
    gone: list[int] = field(default_factory=list)  # family pks
    fixed: list[tuple[int, dict[str, object]]] = field(default_factory=list)  # person, values
    found: list[tuple[int, dict[str, object]]] = field(default_factory=list)


def rows_2022(history: History) -> tuple[generator._Rows, Changes2023]:
    """The rows of the 2022 registry (the new families' rows left out, the 2022 values laid
    over the persons corrected or re-entered in 2023) and the 2023 changes by pk."""
    writer = generator._Writer(YEAR_2022)
    for plan in history.plans:
        writer.plan(plan)
    writer.extra(history.plans)
    rows, ids = writer.out, writer.person_ids
    family_pks = {id(p): r["id"] for p, r in zip(history.plans, rows.families, strict=True)}
    new_families = {family_pks[id(p)] for p in history.new}
    persons = {r["id"]: r for r in rows.persons}
    changes = Changes2023(gone=[family_pks[id(p)] for p in history.gone])
    for family in rows.families:
        if family["id"] in new_families:
            members = [
                persons[m["person_id"]] | {"relationship": m["relationship"]}
                for m in rows.memberships
                if m["family_id"] == family["id"]
            ]
            changes.new_families.append((family, members))
    for person in history.fixed:
        changes.fixed.append((ids[id(person)], {"mother_name": person.mother_name}))
    for person in history.found:
        now = {k: getattr(person, k) for k in history.was[id(person)]}
        changes.found.append((ids[id(person)], now))
    for person in history.fixed + history.found:
        persons[ids[id(person)]].update(history.was[id(person)])
    new_persons = {ids[id(m)] for p in history.new for m in p.members}
    rows.families = [r for r in rows.families if r["id"] not in new_families]
    rows.persons = [r for r in rows.persons if r["id"] not in new_persons]
    rows.memberships = [r for r in rows.memberships if r["family_id"] not in new_families]
    rows.programs = [r for r in rows.programs if r["family_id"] not in new_families]
    return rows, changes


TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PERSON_KEYS = (
    "nik", "name", "birth_place", "birth_date", "sex", "marital_status", "mother_name",
    "presence", "has_ktp", "has_birth_certificate", "health_insurance", "school_status",
)  # fmt: skip
FAMILY_SKIP = frozenset({"id", "id_dtks", "desa_id", "status", "inactive_reason"})


def _member_payload(row: Row) -> dict[str, object]:
    values = {k: row[k] for k in PERSON_KEYS}
    values["birth_date"] = row["birth_date"].isoformat()  # type: ignore[union-attr]
    return values | {"relationship": row["relationship"]}


@dataclass
class _Actors:
    operator: User  # the demo desa's operator
    entry: User  # the kabupaten's pengisi data, entering the other desa's musdes proposals
    verifier: User
    pengesah: User

    def proposer(self, desa: str) -> User:
        return self.operator if desa == DEMO_DESA else self.entry


def _batch(actors: _Actors, desa: str, month: int) -> ProposalBatch:
    by = actors.proposer(desa)
    batch = proposals.open_batch(by=by, desa=Region.objects.get(code=desa), year=2023, month=month)
    if not batch.documents.exists():  # the berita acara: submission requires it
        upload = SimpleUploadedFile(f"berita-acara-{desa}-{month}.pdf", TINY_PDF)
        upload_document(batch, by=by, kind="berita_acara", file=upload)
    return batch


def _walk(batch: ProposalBatch, drafts: list[Proposal], actors: _Actors) -> None:
    """Submit, verify and finalise the batch's drafts at days inside the month's windows."""
    month, by = batch.month, actors.proposer(batch.desa_id)
    for p in drafts:
        proposals.submit_proposal(p, by=by, when=at(month, SUBMIT_DAY))
    for p in drafts:
        proposals.verify_proposal(p, by=actors.verifier, when=at(month, VERIFY_DAY))
        proposals.finalise_proposal(p, by=actors.verifier, when=at(month, FINALISE_DAY))


def propose_2023(changes: Changes2023, actors: _Actors, desa_codes: list[str]) -> list[Proposal]:
    """The 2023 proposals of every desa (usulan baru, perbaikan, penonaktifan keluarga), in
    its month, through the whole workflow up to ratification (disahkan)."""
    work: dict[tuple[str, int], list[dict[str, object]]] = {}

    def add(desa: str, **kwargs: object) -> None:
        work.setdefault((desa, month_of(desa, desa_codes)), []).append(kwargs)

    for family, members in changes.new_families:
        values = {k: v for k, v in family.items() if k not in FAMILY_SKIP}
        values["data_year"] = YEAR_2023
        payload = {"family": values, "members": [_member_payload(m) for m in members]}
        add(str(family["desa_id"]), kind="new_family", payload=payload)
    persons = Person.objects.in_bulk([pk for pk, _ in changes.fixed])
    desa_of = dict(
        Membership.objects.filter(person_id__in=persons, end_date__isnull=True).values_list(
            "person_id", "family__desa_id"
        )
    )
    for pk, values in changes.fixed:
        add(desa_of[pk], kind="correct_person", person=persons[pk], payload={"person": values})
    gone = Family.objects.in_bulk(changes.gone)
    for pk in changes.gone:  # the whole family, no longer eligible (ditidaklayakkan)
        add(gone[pk].desa_id, kind="deactivate", subtype=GONE_REASON, family=gone[pk])
    done: list[Proposal] = []
    months: list[int] = []
    for (desa, month), items in sorted(work.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        batch = _batch(actors, desa, month)
        by = actors.proposer(desa)
        drafts = [
            proposals.create_proposal(batch, by=by, when=at(month, SUBMIT_DAY - 1, 9), **item)
            for item in items
        ]
        _walk(batch, drafts, actors)
        months += [] if month in months else [month]
    for month in months:  # the pengesah ratifies each month's batches together
        when = at(month, RATIFY_DAY)
        done += ratify_period(by=actors.pengesah, year=2023, month=month, when=when)
    return done


def enter_2023_data(values: list[tuple[int, dict]], actors: _Actors) -> int:
    """The year's data entry, month by month on the 8th, shared by the two pengisi data: each
    record's event is dated in its month, so the work log shows the year's work as it went."""
    clerks = [actors.entry, User.objects.get(username="pengisi_data_2")]
    entered = 0
    for month in range(1, 13):
        for i, clerk in enumerate(clerks):
            share = values[(month - 1) * 2 + i :: 24]
            with replayed_at(at(month, 8, 9 + i)):
                entered += enter_demo_data(share, by=clerk)
    return entered


def _actors() -> _Actors:
    users = User.objects.in_bulk(
        ["operator_desa", "pengisi_data", "pengelola", "pengesah"], field_name="username"
    )
    return _Actors(
        users["operator_desa"], users["pengisi_data"], users["pengelola"], users["pengesah"]
    )


@dataclass
class HistoryResult:
    families_2022: int = 0
    proposals: int = 0
    deactivated: int = 0
    entered: int = 0
    corrected: int = 0


def build_demo_history(
    targets: list[generator.KecamatanTarget] | None = None, *, seed: int = 2023
) -> HistoryResult:
    """Write the 2022 registry, check it, close 2022; then 2023: the desa's proposals ratified
    (new families, corrections, families ditidaklayakkan), the data entered, and the 2023
    checks. Period 2023 is left open for the caller to close after what else it adds."""
    targets = targets if targets is not None else generator.tabel_5_3()
    history = plan_history(targets, seed)
    rows, changes = rows_2022(history)
    with transaction.atomic():
        generator.write_rows(rows)
        kept = {id(p) for p in history.new}
        generator._audit([p for p in history.plans if id(p) not in kept], "demo registry 2022")
    run_checks(wilayah=generator.KABUPATEN)
    ensure_demo_users()
    actors = _actors()
    close_period(get_or_create_period(YEAR_2022), by=actors.verifier)
    desa_codes = sorted({p.desa.code for p in history.plans})
    done = propose_2023(changes, actors, desa_codes)
    deactivated = sum(1 for p in done if p.kind == "deactivate" and not p.person_id)
    entered = enter_2023_data(changes.found, actors)
    run_checks(wilayah=generator.KABUPATEN)
    return HistoryResult(len(rows.families), len(done), deactivated, entered, len(changes.fixed))


def close_demo_2023() -> None:
    """Close period 2023 (by the demo pengelola): `dtks recap --year 2023` reads its snapshot."""
    close_period(get_or_create_period(YEAR_2023), by=_actors().verifier)
