"""A synthetic Dukcapil extract of the demo registry, and its matching (for `dtks demo`).

Dukcapil writes names in capitals; about one person in twelve is written in another
spelling (M./Moh. for Muhammad, St. for Siti, the old spelling OE/DJ), which is still padan.
A known few (each reason about 0.2 % of the persons, seeded) are written so that they are
tidak padan: left out (`nik_not_found`), another name, another birth date, the other sex,
another No. KK, died — and a few with two reasons at once. The file also holds rows of people
who are not in DTKS and two rows Dukcapil never sends (a NIK that Excel turned into a number,
a date that does not exist), so the demo shows rejections too.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from . import store
from .actions import MatchSummary, match_extract
from .models import Reason
from .reader import COLUMNS

SHARE_PER_REASON = 0.002
SHARE_SPELLING = 0.08
NOT_IN_DTKS = 25
VARIANTS = (("MUHAMMAD", "MOH."), ("MUHAMAD", "M."), ("SITI", "ST."), ("U", "OE"), ("J", "DJ"))
Row = dict[str, str]


@dataclass
class DemoExtract:
    """The file written and the truth: the reasons each person was given (padan: none)."""

    path: Path
    reasons: dict[int, set[str]] = field(default_factory=dict)
    rejected_rows: int = 2


def _variant(name: str) -> str:
    """Another spelling of the same name, as an older KTP may hold it."""
    upper = name.upper()
    for plain, other in VARIANTS:
        if plain in upper.split() or (len(plain) == 1 and plain in upper):
            return upper.replace(plain, other, 1)
    return upper


def _differ(row: Row, reason: str) -> None:
    """Change `row` so that it is tidak padan for `reason`."""
    if reason == Reason.NAME_DIFFERS:
        row["nama"] += " WIJAYA" if not row["nama"].endswith("WIJAYA") else " SAPUTRA"
    elif reason == Reason.BIRTH_DATE_DIFFERS:
        born = dt.datetime.strptime(row["tanggal_lahir"], "%d-%m-%Y").date()
        row["tanggal_lahir"] = (born - dt.timedelta(days=400)).strftime("%d-%m-%Y")
    elif reason == Reason.SEX_DIFFERS:
        row["jenis_kelamin"] = "PEREMPUAN" if row["jenis_kelamin"] == "LAKI-LAKI" else "LAKI-LAKI"
    elif reason == Reason.KK_DIFFERS:
        row["no_kk"] = row["no_kk"][:12] + f"{(int(row['no_kk'][12:]) + 5000) % 10000:04d}"
    elif reason == Reason.DIED:
        row["status_hidup"] = "MENINGGAL"


def _plan(ids: list[int], rng: random.Random) -> dict[int, set[str]]:
    """Which persons get which reasons: disjoint sets of each reason, and a few with two."""
    shuffled = ids[:]
    rng.shuffle(shuffled)
    size = max(1, int(len(ids) * SHARE_PER_REASON))
    plan: dict[int, set[str]] = {}
    for i, reason in enumerate(Reason.values):
        for pk in shuffled[i * size : (i + 1) * size]:
            plan[pk] = {reason}
    start = len(Reason.values) * size
    for pk in shuffled[start : start + max(1, size // 4)]:
        plan[pk] = {Reason.NAME_DIFFERS.value, Reason.BIRTH_DATE_DIFFERS.value}
    return plan


def _rows(wilayah: str, rng: random.Random) -> tuple[list[Row], dict[int, set[str]]]:
    persons = store.read_persons(wilayah).unique("id", keep="first", maintain_order=True)
    plan = _plan(persons["id"].to_list(), rng)
    rows = []
    for person in persons.iter_rows(named=True):
        reasons = plan.get(person["id"], set())
        if Reason.NIK_NOT_FOUND in reasons:
            continue
        name = person["name"].upper()
        row = {
            "nik": person["nik"],
            "no_kk": person["no_kk"],
            "nama": _variant(name) if rng.random() < SHARE_SPELLING else name,
            "tanggal_lahir": person["birth_date"].strftime("%d-%m-%Y"),
            "jenis_kelamin": "LAKI-LAKI" if person["sex"] == 1 else "PEREMPUAN",
            "status_hidup": "HIDUP",
        }
        for reason in reasons:
            _differ(row, reason)
        rows.append(row)
    return rows + _outsiders(rows, set(persons["nik"].to_list())), plan


def _outsiders(rows: list[Row], known: set[str]) -> list[Row]:
    """People Dukcapil holds who are not in DTKS (a registry NIK with another serial: same
    region and birth date), and two rows it would never send."""
    outsiders: list[Row] = []
    for row in rows:
        nik = row["nik"][:12] + "9" + row["nik"][13:]
        if len(outsiders) == NOT_IN_DTKS:
            break
        if nik not in known:
            known.add(nik)
            outsiders.append({**row, "nik": nik, "nama": "WARGA LUAR DTKS", "no_kk": nik})
    outsiders[0] = {**outsiders[0], "nik": "1.70901E+15"}  # Excel's rounding of a NIK
    outsiders[1] = {**outsiders[1], "tanggal_lahir": "31-02-1980"}
    return outsiders


def write_demo_extract(path: Path, *, wilayah: str = "17.09", seed: int = 2023) -> DemoExtract:
    """Write the synthetic extract of the registry of `wilayah` to `path` (CSV, `;`)."""
    rng = random.Random(seed)
    rows, plan = _rows(wilayah, rng)
    rng.shuffle(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    return DemoExtract(path=path, reasons=plan)


def demo_padan(*, wilayah: str = "17.09", seed: int = 2023) -> MatchSummary:
    """The demo step: write the extract beside the uploads and match the registry with it."""
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    demo = write_demo_extract(folder / "dukcapil-demo.csv", wilayah=wilayah, seed=seed)
    return match_extract(demo.path, by=None, wilayah=wilayah)
