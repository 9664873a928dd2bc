"""Ratifying a month's proposals at kabupaten scale (issue #5 §5: a batch of 5,000 ≤ 30 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dtks_bench5 python bench/ratify.py

Seeds a registry (`seed_registry.py --persons N`, default 100,000; `--no-seed` keeps the one
there), then writes N finalised proposals (default 5,000) of every kind spread over the desa of
Kabupaten Bengkulu Tengah, each desa's in its own batch with its own operator (batches are per
desa and month, so "a batch of 5,000" is the kabupaten's month): new families, new members,
name and mother's-name corrections, address corrections, moves to another desa (by a
kabupaten data officer), deactivations and program proposals. They are bulk-created directly
in the finalised state with the transition rows of a valid path (create → submit → verify →
finalise). Then, each in a transaction rolled back afterwards (so the script can run again):

- figure: `ratify_period` — every finalised batch of the month in one call, all or none,
  through the registry actions, audited, the rechecks deferred to one set-based run per
  proposer at the end;
- baseline: the same registry rows written with bulk_create / bulk_update / UPDATE (no checks,
  no audit, no workflow).

`--immediate N` also times `ratify_batch` of N proposals with the rechecks run per change (as
before deferral), to show what deferring buys. Prints the figures, the ratio and the load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from unittest import mock

from _common import load_average, setup_django

YEAR, MONTH = 2023, 8
TARGET_S = 30.0
# Share of each proposal kind (the rest are name corrections).
MIX = {
    "new_family": 0.10,
    "new_member": 0.15,
    "correct_family": 0.10,
    "move_desa": 0.03,
    "deactivate": 0.15,
    "program": 0.20,
}


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--proposals", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--no-seed", action="store_true", help="keep the registry already there")
    parser.add_argument("--immediate", type=int, default=0, metavar="N")
    return parser.parse_args()


def _seed(persons: int) -> None:
    script = Path(__file__).with_name("seed_registry.py")
    subprocess.run([sys.executable, str(script), "--persons", str(persons)], check=True)


class Plan:
    """Users, batches and proposals of the benchmark month, planned from the registry."""

    def __init__(self, rng: random.Random) -> None:
        from dtks.registry.models import Person

        self.rng = rng
        self.niks = set(Person.objects.values_list("nik", flat=True))
        self.serial = 9000

    def users(self, villages: list[str]) -> None:
        from dtks.accounts.models import RoleAssignment, User
        from dtks.accounts.roles import Role

        def user(name: str, role: str, area: str) -> User:
            made, _ = User.objects.get_or_create(username=name)
            RoleAssignment.objects.get_or_create(user=made, role=role, area_id=area)
            return made

        self.pengesah = user("bench_pengesah", Role.PENGESAH, "17.09")
        self.verifier = user("bench_verifier", Role.PENGELOLA, "17.09")
        self.pengisi = user("bench_pengisi", Role.PENGISI_DATA, "17.09")
        self.operators = {
            code: user(f"bench_op_{code.replace('.', '')}", Role.OPERATOR_DESA, code)
            for code in villages
        }

    def nik(self, kecamatan: str, birth: dt.date, sex: int) -> str:
        from dtks.demo.synth import make_nik

        while True:
            self.serial = self.serial % 9999 + 1
            nik = make_nik(kecamatan, birth, sex, self.serial)
            if nik not in self.niks:
                self.niks.add(nik)
                return nik

    def person(self, kecamatan: str, relationship: int, born: int) -> dict:
        sex = self.rng.choice((1, 2))
        birth = dt.date(born, self.rng.randint(1, 12), self.rng.randint(1, 28))
        return {
            "nik": self.nik(kecamatan, birth, sex),
            "name": f"Warga Baru {self.serial}",
            "birth_place": "Bengkulu Tengah",
            "birth_date": birth.isoformat(),
            "sex": sex,
            "marital_status": 2 if relationship in (1, 2) else 1,
            "mother_name": "Siti Aminah",
            "presence": 1,
            "relationship": relationship,
        }


def _families(n: int, rng: random.Random) -> list[tuple[int, str, int, int]]:
    """`n` random active families with 3+ current members: (id, desa, a child id, head id)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT f.id, f.desa_id,
                      max(m.person_id) FILTER (WHERE m.relationship = 3),
                      max(m.person_id) FILTER (WHERE m.relationship = 1)
               FROM registry_family f JOIN registry_membership m
                 ON m.family_id = f.id AND m.end_date IS NULL
               WHERE f.status = 'active'
               GROUP BY f.id, f.desa_id
               HAVING count(*) >= 3 AND count(*) FILTER (WHERE m.relationship = 3) >= 1
                  AND count(*) FILTER (WHERE m.relationship = 1) = 1
               ORDER BY random() LIMIT %s""",
            [n],
        )
        rows = cursor.fetchall()
    if len(rows) < n:
        sys.exit(f"Only {len(rows)} families fit; seed more persons")
    rng.shuffle(rows)
    return rows


def _kinds(n: int, rng: random.Random) -> list[str]:
    kinds = [k for k, share in MIX.items() for _ in range(round(n * share))]
    kinds += ["correct_person"] * (n - len(kinds))
    rng.shuffle(kinds)
    return kinds[:n]


def _proposal(plan: Plan, kind: str, family: tuple, villages: list[str]) -> dict:
    """Keyword arguments of one Proposal (desa, kind, target, payload, proposer)."""
    family_id, desa, child_id, head_id = family
    kec = desa[:8]
    base = {"desa": desa, "subtype": "", "family_id": family_id, "person_id": None}
    base["by"] = plan.operators[desa]
    if kind == "new_family":
        from dtks.demo.synth import make_no_kk

        plan.serial += 1
        no_kk = make_no_kk(kec, dt.date(2023, 7, 1 + plan.serial % 28), plan.serial)
        members = [plan.person(kec, 1, 1980), plan.person(kec, 2, 1984), plan.person(kec, 3, 2012)]
        payload = {"family": {"no_kk": no_kk, "address": "Jl. Baru No. 1"}, "members": members}
        return base | {"kind": kind, "family_id": None, "payload": payload}
    if kind == "new_member":
        person = plan.person(kec, 3, 2023)
        relationship = person.pop("relationship")
        return base | {"kind": kind, "payload": {"person": person, "relationship": relationship}}
    if kind == "correct_family":
        return base | {"kind": kind, "payload": {"family": {"address": "Jl. Diperbaiki No. 2"}}}
    if kind == "move_desa":
        target = plan.rng.choice([v for v in villages if v != desa])
        payload = {"family": {"desa": target, "address": "Jl. Pindah No. 3", "rt": "001"}}
        # A desa operator edits one desa: a move is proposed by a kabupaten data officer.
        return base | {
            "kind": "correct_family", "subtype": "move_desa", "payload": payload,
            "by": plan.pengisi,
        }  # fmt: skip
    if kind == "deactivate":
        subtype = plan.rng.choice(("died", "moved", "not_eligible"))
        return base | {"kind": kind, "subtype": subtype, "person_id": child_id, "payload": {}}
    if kind == "program":
        subtype = plan.rng.choice(("pkh", "bpnt", "pbi_dtks", "pip"))
        return base | {"kind": kind, "subtype": subtype, "payload": {}}
    payload = {"person": {"name": "Nama Diperbaiki", "mother_name": "Ibu Diperbaiki"}}
    return base | {"kind": "correct_person", "person_id": head_id, "payload": payload}


def _write(plan: Plan, specs: list[dict]) -> int:
    """Batches, finalised proposals and their transitions, bulk-created."""
    from django.db import transaction
    from django.utils import timezone

    from dtks.proposals.models import Proposal, ProposalBatch, Status, Transition

    with transaction.atomic():
        Transition.objects.filter(proposal__batch__year=YEAR, proposal__batch__month=MONTH).delete()
        Proposal.objects.filter(batch__year=YEAR, batch__month=MONTH).delete()
        ProposalBatch.objects.filter(year=YEAR, month=MONTH).delete()
        desas = sorted({s["desa"] for s in specs})
        batches = ProposalBatch.objects.bulk_create(
            [ProposalBatch(desa_id=code, year=YEAR, month=MONTH) for code in desas]
        )
        by_desa = {b.desa_id: b for b in batches}
        proposals = Proposal.objects.bulk_create(
            [
                Proposal(
                    batch=by_desa[s["desa"]],
                    kind=s["kind"],
                    subtype=s["subtype"],
                    family_id=s["family_id"],
                    person_id=s["person_id"],
                    payload=s["payload"],
                    status=Status.FINALISED,
                    proposed_by=s["by"],
                )
                for s in specs
            ],
            batch_size=1000,
        )
        now = timezone.now()
        path = (
            ("create", "", Status.DRAFT, None),
            ("submit", Status.DRAFT, Status.SUBMITTED, None),
            ("verify", Status.SUBMITTED, Status.VERIFIED, plan.verifier),
            ("finalise", Status.VERIFIED, Status.FINALISED, plan.verifier),
        )
        Transition.objects.bulk_create(
            [
                Transition(
                    proposal=p,
                    action=a,
                    from_status=f,
                    to_status=t,
                    by=who or p.proposed_by,
                    at=now,
                )
                for p in proposals
                for a, f, t, who in path
            ],
            batch_size=2000,
        )
    return len(batches)


def _timed_rolled_back(fn) -> tuple[float, object]:
    from django.db import transaction

    with transaction.atomic():
        start = time.perf_counter()
        out = fn()
        seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return seconds, out


def _bulk_baseline(specs: list[dict]) -> int:
    """The registry rows the proposals change, written in bulk: no checks, audit or workflow."""
    from django.db.models import Q

    from dtks.registry.ids import format_id_dtks
    from dtks.registry.models import Family, FamilyProgram, Membership, Person
    from dtks.registry.search_names import refresh_member_names

    today, fields = dt.date.today(), ("nik", "name", "birth_place", "birth_date", "sex")
    fields += ("marital_status", "mother_name", "presence")
    seq = Counter[str]()
    families, persons, links = [], [], []
    for s in specs:
        if s["kind"] == "new_family":
            seq[s["desa"]] += 1
            families.append(
                Family(
                    desa_id=s["desa"],
                    data_year=YEAR,
                    id_dtks=format_id_dtks(s["desa"], "B", seq[s["desa"]]),
                    **s["payload"]["family"],
                )
            )
            members = s["payload"]["members"]
            rows = [(len(families) - 1, m, m["relationship"]) for m in members]
        elif s["kind"] == "new_member":
            rows = [(s["family_id"], s["payload"]["person"], s["payload"]["relationship"])]
        else:
            continue
        for family, values, relationship in rows:
            seq[s["desa"] + "P"] += 1
            id_dtks = format_id_dtks(s["desa"], "Q", seq[s["desa"] + "P"])
            persons.append(Person(id_dtks=id_dtks, **{k: values[k] for k in fields}))
            links.append((family, relationship, s["kind"] == "new_family"))
    Family.objects.bulk_create(families, batch_size=1000)
    Person.objects.bulk_create(persons, batch_size=1000)
    Membership.objects.bulk_create(
        [
            Membership(
                family_id=families[f].pk if new else f, person=p, relationship=r, start_date=today
            )
            for p, (f, r, new) in zip(persons, links, strict=True)
        ],
        batch_size=1000,
    )
    by_kind = {k: [s for s in specs if s["kind"] == k] for k in MIX | {"correct_person": 0}}
    heads = [s["person_id"] for s in by_kind["correct_person"]]
    Person.objects.filter(pk__in=heads).update(name="Nama Diperbaiki", mother_name="Ibu")
    fixes = [s["family_id"] for s in by_kind["correct_family"] if not s["subtype"]]
    Family.objects.filter(pk__in=fixes).update(address="Jl. Diperbaiki No. 2")
    for s in (s for s in by_kind["correct_family"] if s["subtype"]):
        Family.objects.filter(pk=s["family_id"]).update(desa_id=s["payload"]["family"]["desa"])
    gone = [s["person_id"] for s in by_kind["deactivate"]]
    Person.objects.filter(pk__in=gone).update(status="inactive", inactive_reason="moved")
    Membership.objects.filter(person_id__in=gone, end_date=None).update(end_date=today)
    FamilyProgram.objects.bulk_create(
        [
            FamilyProgram(
                family_id=s["family_id"],
                program=s["subtype"].replace("pbi_dtks", "pbi_jkn"),
                start_month=dt.date(YEAR, MONTH, 1),
            )
            for s in by_kind["program"]
        ],
        batch_size=1000,
    )
    touched = {s["family_id"] for s in specs if s["family_id"]} | {f.pk for f in families}
    refresh_member_names(Family.objects.filter(Q(pk__in=touched)))
    return len(specs)


def _immediate(plan: Plan, n: int) -> float:
    """`ratify_batch` of the largest desa's first `n` proposals, rechecking per change."""
    from dtks.proposals.actions import ratify_batch
    from dtks.proposals.models import Proposal, ProposalBatch
    from dtks.registry import actions as registry

    largest = Counter(
        Proposal.objects.filter(batch__year=YEAR, batch__month=MONTH).values_list(
            "batch_id", flat=True
        )
    ).most_common(1)[0][0]
    batch = ProposalBatch.objects.get(pk=largest)
    chosen = list(batch.proposals.order_by("id").values_list("pk", flat=True)[:n])
    never = mock.Mock(get=lambda: None)  # the registry's context variable, never deferring
    with mock.patch.object(registry, "_deferred", never):
        seconds, _ = _timed_rolled_back(
            lambda: ratify_batch(batch, by=plan.pengesah, proposals=chosen)
        )
    return seconds / len(chosen)


def main() -> None:
    args = _args()
    setup_django()
    if not args.no_seed:
        _seed(args.persons)
    from dtks.proposals.apply import ratify_period
    from dtks.schedule.models import Extension
    from dtks.wilayah.models import Region

    rng = random.Random(args.seed)
    villages = list(Region.objects.within("17.09").villages().values_list("code", flat=True))
    plan = Plan(rng)
    plan.users(villages)
    Extension.objects.get_or_create(
        kind="",
        region_id="17.09",
        starts_on=dt.date(2000, 1, 1),
        ends_on=dt.date(2100, 1, 1),
        defaults={"reason": "bench/ratify.py"},
    )
    started = time.perf_counter()
    families = _families(args.proposals, rng)
    specs = [
        _proposal(plan, kind, family, villages)
        for kind, family in zip(_kinds(args.proposals, rng), families, strict=True)
    ]
    batches = _write(plan, specs)
    kinds = Counter(s["subtype"] if s["subtype"] == "move_desa" else s["kind"] for s in specs)
    print(
        f"{len(specs):,} finalised proposals in {batches} desa batches of {MONTH:02d}/{YEAR}"
        f" ({dict(kinds)}), written in {time.perf_counter() - started:.1f} s"
    )
    baseline, _ = _timed_rolled_back(lambda: _bulk_baseline(specs))
    figure, done = _timed_rolled_back(
        lambda: ratify_period(by=plan.pengesah, year=YEAR, month=MONTH)
    )
    assert len(done) == len(specs), (len(done), len(specs))
    verdict = "OK" if figure <= TARGET_S else "MISSED"
    print(
        f"ratify_period ({len(done):,} proposals, {batches} batches, one call): {figure:.2f} s"
        f" | baseline (the same rows by bulk_create/UPDATE): {baseline:.2f} s"
        f" | ratio {figure / baseline:.1f}x | target <= {TARGET_S:g} s: {verdict}"
        f" | {load_average()}"
    )
    if args.immediate:
        per = _immediate(plan, args.immediate)
        print(
            f"without deferral (rechecks per change), ratify_batch of {args.immediate}:"
            f" {per * 1000:.0f} ms a proposal, ~{per * len(specs):.0f} s for {len(specs):,}"
            f" | {load_average()}"
        )


if __name__ == "__main__":
    os.environ.setdefault("DTKS_LOG_LEVEL", "WARNING")
    main()
