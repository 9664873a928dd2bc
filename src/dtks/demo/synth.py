"""Synthetic, internally consistent registry values: the demo generator and the tests' factories
both draw from here, so what the tests exercise is what the demo shows.

Everything here is pure (plain data in, plain data out, randomness from the `random.Random`
passed in), so the same seed always gives the same registry.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from faker.providers.person.id_ID import Provider as IdNames

MALE, FEMALE = 1, 2
SINGLE, MARRIED, DIVORCED, WIDOWED = 1, 2, 3, 4
HEAD, SPOUSE, CHILD, GRANDCHILD, PARENT = 1, 2, 3, 5, 6
REFERENCE_DATE = dt.date(2023, 6, 30)
ADULT_BORN_BY = dt.date(2004, 1, 1)  # spouses and parents are at least 19 on REFERENCE_DATE


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Names common in Bengkulu (Malay, Rejang, Serawai) and among its Javanese transmigrants,
# mixed with Faker's id_ID lists for variety.
MALE_GIVEN = _words(
    "Ahmad Muhammad Abdul Rahmat Syamsul Zulkifli Hendri Herman Jamaluddin Darmawan Rusdi "
    "Syahrial Efendi Yusuf Ismail Hasan Bujang Jang Marzuki Suparman Sugiarto Slamet Sutrisno "
    "Wahyudi Joko Bambang Tukiman Paijo Sarimin Rohim Amir Taufik Arif Ridwan Fauzan Hendra "
    "Riki Andi Dedi Edi Firdaus Irwan Junaidi Khairul Mukhlis Nasrul Saipul"
)
FEMALE_GIVEN = _words(
    "Siti Nurhayati Aminah Fatimah Rosmala Yusnani Ernawati Lismawati Nurbaiti Sumarni Sri "
    "Suryani Wartini Sukini Painem Tumini Rohani Halimah Asmawati Darmiati Eli Herlina Juliana "
    "Marlina Nelly Rina Salmah Warni Yuliana Zubaidah Dewi Fitri Intan Mega Putri Rahmawati Lia"
)
MALE_SECOND = _words(
    "Saputra Hidayat Syahputra Kurniawan Gunawan Firmansyah Pratama Setiawan Harahap Sulaiman "
    "Hamid Yani Rahman Wibowo Susanto Efendi Fadli"
)
FEMALE_SECOND = _words(
    "Wati Sari Yanti Lestari Rahayu Wulandari Handayani Susanti Aisyah Astuti Anggraini "
    "Maryani Fitriani Marlena Nurjanah Purnamasari"
)
MALE_NAMES = (tuple(MALE_GIVEN), tuple(IdNames.first_names_male))
FEMALE_NAMES = (tuple(FEMALE_GIVEN), tuple(IdNames.first_names_female))
MALE_LAST = MALE_SECOND + tuple(IdNames.last_names_male)
FEMALE_LAST = FEMALE_SECOND + tuple(IdNames.last_names_female)

BIRTH_PLACES_FAR = (
    "Bengkulu", "Kepahiang", "Curup", "Arga Makmur", "Manna", "Lubuklinggau", "Palembang",
    "Padang", "Muko-Muko", "Tais", "Banyumas", "Kebumen", "Wonogiri", "Ponorogo", "Sragen",
)  # fmt: skip
STREETS = (
    "Jl. Lintas Bengkulu-Kepahiang", "Jl. Raya Bengkulu-Curup", "Jl. Desa", "Jl. Poros",
    "Jl. Masjid", "Jl. Sekolah", "Jl. Kebun", "Jl. Pemakaman", "Jl. Sawah", "Jl. Lapangan",
)  # fmt: skip
DUSUN = ("Dusun I", "Dusun II", "Dusun III", "Dusun IV")

# Person-level defects by rule code, with their weights. Three more are planted by the generator
# where the registry's shape allows (`demo.plant`): a person in two KKs, a NIK on a second record,
# and the family-level ones.
DEFECT_KINDS: tuple[tuple[str, int], ...] = (
    ("nik_birth_date_mismatch", 30),
    ("nik_sex_mismatch", 15),
    ("nik_invalid_date", 10),
    ("nik_serial_zero", 10),
    ("missing_mother_name", 25),
    ("missing_birth_place", 10),
    ("deceased_still_active", 4),
    ("nik_duplicate", 3),
)


def make_nik(kecamatan_code: str, birth_date: dt.date, sex: int, serial: int) -> str:
    """A NIK per DOMAIN.md §4: region (6) + day (+40 for women) + month + yy + serial."""
    region = kecamatan_code.replace(".", "")[:6]
    day = birth_date.day + (40 if sex == 2 else 0)
    return f"{region}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def make_no_kk(kecamatan_code: str, issued: dt.date, serial: int) -> str:
    """A No. KK: issuing region (6) + issue date ddmmyy + family serial (4)."""
    region = kecamatan_code.replace(".", "")[:6]
    return f"{region}{issued:%d%m%y}{serial:04d}"


@dataclass
class SynthPerson:
    """One member as the generator plans it, before it becomes a `Person` + `Membership`."""

    name: str
    sex: int
    birth_date: dt.date
    relationship: int
    marital_status: int
    mother_name: str = ""
    birth_place: str = ""
    nik: str = ""
    nik_region: str = ""
    defect: str = ""
    presence: int = 1  # Regsosek keberadaan: 1 living with the family, 2 died


@dataclass
class Serials:
    """Hands out NIK/KK serials so every number is unique within the generated registry."""

    used: dict[str, int] = field(default_factory=dict)

    def next(self, prefix: str) -> int:
        self.used[prefix] = self.used.get(prefix, 0) + 1
        return self.used[prefix]


def full_name(rng: random.Random, sex: int) -> str:
    """A realistic name: one given name, often a second name, respecting sex."""
    pools, last = (MALE_NAMES, MALE_LAST) if sex == MALE else (FEMALE_NAMES, FEMALE_LAST)
    given = rng.choice(pools[0] if rng.random() < 0.7 else pools[1])
    roll = rng.random()
    if roll < 0.2:
        return given
    second = rng.choice(last) if roll < 0.8 else rng.choice(pools[0] + pools[1])
    return given if second == given else f"{given} {second}"


def birth_date(rng: random.Random, age_min: int, age_max: int) -> dt.date:
    """A birth date giving an age in [age_min, age_max] on REFERENCE_DATE."""
    latest = REFERENCE_DATE - dt.timedelta(days=365 * age_min + 10)
    span = 365 * (age_max - age_min) + 300
    return latest - dt.timedelta(days=rng.randrange(max(span, 1)))


def years_before(day: dt.date, years: float, jitter_days: int, rng: random.Random) -> dt.date:
    return day - dt.timedelta(days=int(365.25 * years) + rng.randrange(jitter_days + 1))


def years_after(day: dt.date, years: float, jitter_days: int, rng: random.Random) -> dt.date:
    return day + dt.timedelta(days=int(365.25 * years) + rng.randrange(jitter_days + 1))


def family_sizes(rng: random.Random, families: int, persons: int) -> list[int]:
    """Member counts for `families` families summing to exactly `persons` (each ≥ 1)."""
    if persons < families:
        raise ValueError("every family needs at least one member")
    weights = (12, 18, 24, 22, 13, 7, 3, 1)
    sizes = rng.choices(range(1, 9), weights=weights, k=families)
    total = sum(sizes)
    while total != persons:
        i = rng.randrange(families)
        if total > persons and sizes[i] > 1:
            sizes[i] -= 1
            total -= 1
        elif total < persons and sizes[i] < 10:
            sizes[i] += 1
            total += 1
    return sizes


def _person(rng: random.Random, sex: int, born: dt.date, rel: int, marital: int) -> SynthPerson:
    return SynthPerson(full_name(rng, sex), sex, born, rel, marital, full_name(rng, FEMALE))


def _children(rng: random.Random, mother: dt.date, count: int, rel: int) -> list[SynthPerson]:
    """Siblings spaced up to 3 years apart, born after `mother` turned 18 and before today."""
    start = years_after(mother, 18, 0, rng)
    window = max((REFERENCE_DATE - dt.timedelta(days=60) - start).days, count)
    step = min(365 * 3, window // max(count, 1))
    first = start + dt.timedelta(days=rng.randrange(window - step * count + 1))
    kids = []
    for i in range(count):
        born = first + dt.timedelta(days=i * step + rng.randrange(max(step // 3, 1)))
        kids.append(_person(rng, rng.choice((MALE, FEMALE)), born, rel, SINGLE))
    return kids


def _couple(rng: random.Random, head_age: tuple[int, int]) -> tuple[SynthPerson, SynthPerson]:
    """A head and a spouse of the other sex; the husband at most a year younger than the wife,
    so children born after their mother turned 18 are 16+ years younger than both."""
    head_sex = MALE if rng.random() < 0.93 else FEMALE
    head = _person(rng, head_sex, birth_date(rng, *head_age), HEAD, MARRIED)
    gap = rng.randint(-1, 10) if head_sex == MALE else -rng.randint(-1, 10)
    spouse_born = min(years_after(head.birth_date, gap, 200, rng), ADULT_BORN_BY)
    spouse = _person(rng, FEMALE if head_sex == MALE else MALE, spouse_born, SPOUSE, MARRIED)
    return head, spouse


def _mother_of(members: list[SynthPerson]) -> SynthPerson:
    return next(m for m in members if m.relationship in (HEAD, SPOUSE) and m.sex == FEMALE)


def plan_family(rng: random.Random, size: int) -> list[SynthPerson]:
    """One family of `size` members with consistent relationships, ages and marital status."""
    roll = rng.random()
    if size == 1:
        return [_alone(rng)]
    if roll < 0.12 or (size == 2 and roll < 0.35):
        return _single_parent(rng, size)
    if size >= 4 and roll < 0.27:
        return _three_generations(rng, size)
    head, spouse = _couple(rng, (22, 70) if size == 2 else (min(25 + 2 * size, 45), 62))
    mother = head if head.sex == FEMALE else spouse
    kids = _children(rng, mother.birth_date, size - 2, CHILD)
    for kid in kids:
        kid.mother_name = mother.name
    return [head, spouse, *kids]


def _alone(rng: random.Random) -> SynthPerson:
    """Elderly living alone (mostly widowed women), or a young single adult."""
    if rng.random() < 0.7:
        sex = FEMALE if rng.random() < 0.7 else MALE
        return _person(rng, sex, birth_date(rng, 60, 88), HEAD, WIDOWED)
    return _person(rng, rng.choice((MALE, FEMALE)), birth_date(rng, 19, 40), HEAD, SINGLE)


def _single_parent(rng: random.Random, size: int) -> list[SynthPerson]:
    sex = FEMALE if rng.random() < 0.75 else MALE
    born = birth_date(rng, min(28 + 2 * size, 45), 64)
    head = _person(rng, sex, born, HEAD, rng.choice((DIVORCED, WIDOWED)))
    kids = _children(rng, head.birth_date, size - 1, CHILD)
    for kid in kids:
        kid.mother_name = head.name if sex == FEMALE else full_name(rng, FEMALE)
    return [head, *kids]


def _three_generations(rng: random.Random, size: int) -> list[SynthPerson]:
    """A couple living with the head's widowed mother, or with a grandchild from an adult child."""
    if rng.random() < 0.5:
        return _with_grandmother(rng, size)
    head, spouse = _couple(rng, (52, 72))
    mother = _mother_of([head, spouse])
    if mother.birth_date > dt.date(1975, 1, 1):  # too young to be a grandmother here
        return _with_grandmother(rng, size)
    kids = _children(rng, mother.birth_date, size - 4, CHILD)
    for kid in kids:
        kid.mother_name = mother.name
    adult = _adult_child(rng, mother)
    grandchild = _children(rng, adult.birth_date, 1, GRANDCHILD)[0]
    grandchild.mother_name = adult.name if adult.sex == FEMALE else full_name(rng, FEMALE)
    return [head, spouse, *kids, adult, grandchild]


def _with_grandmother(rng: random.Random, size: int) -> list[SynthPerson]:
    """A couple, their children, and the head's widowed mother."""
    head, spouse = _couple(rng, (min(25 + 2 * size, 45), 52))
    grandma_born = years_before(head.birth_date, 20, 365 * 15, rng)
    grandma = _person(rng, FEMALE, grandma_born, PARENT, WIDOWED)
    head.mother_name = grandma.name
    mother = _mother_of([head, spouse])
    kids = _children(rng, mother.birth_date, size - 3, CHILD)
    for kid in kids:
        kid.mother_name = mother.name
    return [head, spouse, grandma, *kids]


def _adult_child(rng: random.Random, mother: SynthPerson) -> SynthPerson:
    """A child old enough (mother + 20..25 years) to have a child of their own in the family."""
    born = years_after(mother.birth_date, 20, 365 * 5, rng)
    child = _person(rng, rng.choice((MALE, FEMALE)), born, CHILD, rng.choice((MARRIED, DIVORCED)))
    child.mother_name = mother.name
    return child


def pick_defect(rng: random.Random) -> str:
    kinds, weights = zip(*DEFECT_KINDS, strict=True)
    return rng.choices(kinds, weights=weights)[0]


def assign_nik(
    rng: random.Random, person: SynthPerson, region: str, serials: Serials, used: set[str]
) -> None:
    """Give `person` a unique NIK registered in `region`, planting `person.defect` if it is a
    NIK defect (the person's own fields stay right: the NIK contradicts them)."""
    born, sex = person.birth_date, person.sex
    if person.defect == "nik_birth_date_mismatch":
        born = born + dt.timedelta(days=rng.randint(1, 400))
    elif person.defect == "nik_sex_mismatch":
        sex = FEMALE if sex == MALE else MALE
    prefix = make_nik(region, born, sex, 0)[:12]
    if person.defect == "nik_invalid_date":
        prefix = prefix[:8] + "13" + prefix[10:]  # month 13: no such date
    if person.defect == "nik_serial_zero" and prefix + "0000" not in used:
        nik = prefix + "0000"
    else:
        if person.defect == "nik_serial_zero":
            person.defect = "missing_mother_name"  # the rare clash: plant another kind
        nik = f"{prefix}{serials.next(prefix):04d}"
    person.nik, person.nik_region = nik, region
    used.add(nik)


DIED = 2


def plant_attribute_defect(person: SynthPerson) -> None:
    """Blank the minimal attribute a non-NIK defect is about; record a died person as such
    (still an active member: the defect is that nobody deactivated them)."""
    if person.defect == "missing_mother_name":
        person.mother_name = ""
    elif person.defect == "missing_birth_place":
        person.birth_place = ""
    elif person.defect == "deceased_still_active":
        person.presence = DIED


LIVESTOCK = ("ayam", "itik", "kambing", "sapi", "kerbau")


def _pick(rng: random.Random, table: dict[int, int]) -> int:
    return rng.choices(list(table), weights=list(table.values()))[0]


def housing(rng: random.Random) -> dict[str, object]:
    """Regsosek housing and asset answers drawn from distributions typical of poor households."""
    lighting = _pick(rng, {1: 70, 2: 20, 3: 5, 4: 5})
    values: dict[str, object] = {
        "tenure": _pick(rng, {1: 80, 2: 6, 3: 12, 5: 2}),
        "floor_area": rng.randint(18, 90),
        "floor": _pick(rng, {8: 18, 6: 36, 5: 26, 2: 10, 7: 5, 4: 5}),
        "wall": _pick(rng, {3: 48, 1: 25, 4: 15, 2: 6, 6: 6}),
        "roof": _pick(rng, {3: 76, 2: 7, 4: 7, 7: 7, 6: 3}),
        "drinking_water": _pick(rng, {5: 30, 6: 14, 4: 15, 2: 20, 7: 8, 8: 4, 9: 4, 3: 5}),
        "lighting": lighting,
        "power": _pick(rng, {1: 60, 2: 35, 3: 5}) if lighting == 1 else None,
        "cooking_fuel": _pick(rng, {4: 65, 10: 30, 7: 5}),
        "toilet": _pick(rng, {1: 55, 2: 15, 4: 5, 6: 25}),
        "sewage": _pick(rng, {1: 40, 4: 30, 3: 20, 5: 10}),
    }
    odds = {
        "asset_gas_cylinder": 0.15,
        "asset_refrigerator": 0.25,
        "asset_ac": 0.01,
        "asset_water_heater": 0.01,
        "asset_landline": 0.01,
        "asset_flat_tv": 0.15,
        "asset_gold": 0.05,
        "asset_computer": 0.03,
        "asset_motorcycle": 0.6,
        "asset_boat": 0.02,
        "asset_motor_boat": 0.01,
        "asset_car": 0.01,
        "asset_land": 0.4,
    }
    values.update({name: rng.random() < p for name, p in odds.items()})
    animals = rng.sample(LIVESTOCK, rng.choice((0, 0, 0, 1, 1, 2)))
    values["livestock"] = {a: rng.randint(1, 12) for a in animals}
    return values


def programs(rng: random.Random, housing_values: dict[str, object]) -> list[str]:
    """Programs the family receives (Regsosek program block)."""
    odds = {"pkh": 0.3, "bpnt": 0.5, "pbi_jkn": 0.7, "blt_desa": 0.1, "pemda": 0.05}
    chosen = [p for p, chance in odds.items() if rng.random() < chance]
    if housing_values.get("power") == 1 and rng.random() < 0.6:
        chosen.append("electricity")
    return chosen


def address(rng: random.Random) -> dict[str, str]:
    rt, rw = rng.randint(1, 12), rng.randint(1, 4)
    return {
        "address": f"{rng.choice(STREETS)} No. {rng.randint(1, 150)}",
        "dusun": rng.choice(DUSUN),
        "rt": f"{rt:03d}",
        "rw": f"{rw:03d}",
    }
