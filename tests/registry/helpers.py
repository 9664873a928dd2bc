"""Form payloads for the registry pages, built from the same synthetic values as the demo."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from dtks.demo.synth import make_nik, make_no_kk
from dtks.registry import choices as c

_serial = itertools.count(5000)


def new_nik(kecamatan: str = "17.09.01", birth: dt.date = dt.date(1990, 2, 3), sex: int = 1) -> str:
    return make_nik(kecamatan, birth, sex, next(_serial))


def new_no_kk(kecamatan: str = "17.09.01") -> str:
    return make_no_kk(kecamatan, dt.date(2019, 6, 1), next(_serial))


def member_fields(**overrides: Any) -> dict[str, Any]:
    """A valid member (person + relationship) as the member form expects it."""
    birth = overrides.pop("birth", dt.date(1990, 2, 3))
    sex = overrides.pop("sex", c.Sex.MALE)
    data = {
        "nik": new_nik(birth=birth, sex=sex),
        "name": "Budi Santoso",
        "birth_place": "Bengkulu",
        "birth_date": birth.isoformat(),
        "sex": sex,
        "marital_status": c.MaritalStatus.MARRIED,
        "mother_name": "Sri Wahyuni",
        "presence": c.Presence.LIVING,
        "relationship": c.Relationship.HEAD,
    }
    data.update(overrides)
    return data


def family_post(desa: str, members: list[dict[str, Any]], **family: Any) -> dict[str, Any]:
    """The create-family form body: family fields, the desa and a members formset."""
    data: dict[str, Any] = {
        "desa": desa,
        "no_kk": new_no_kk(desa[:8]),
        "address": "Jl. Raya Taba No. 7",
        "dusun": "II",
        "rt": "003",
        "rw": "001",
        "members-TOTAL_FORMS": str(max(4, len(members))),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "20",
    }
    data.update(family)
    for i, member in enumerate(members):
        for key, value in member.items():
            data[f"members-{i}-{key}"] = value
    return data
