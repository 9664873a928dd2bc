"""A DTSEN desil for the demo families, imported the way a district imports one.

BPS computes the desil and a district only imports it (DOMAIN.md §1), so the demo writes the
file BPS would send (`nomor_kk,desil`) and runs it through `dtks import_desil`'s own path
(`dtks.eligibility.desil.import_desil`: validation, one transaction, every change audited).
The values are plausible for a DTKS registry and the same for the same seed: most families in
desil 1–4, about a fifth in 5–10 (families holding a car or an air conditioner mostly there),
and about one in twelve not ranked yet (no row in the file: the what-if page counts them
"without desil").
"""

from __future__ import annotations

import csv
import random
import tempfile
from pathlib import Path

from dtks.demo.actions import DEMO_KABUPATEN
from dtks.eligibility.desil import DesilImportResult, import_desil
from dtks.registry.models import Family

UNRANKED_SHARE = 0.08
POOR = (1, 2, 3, 4)
POOR_WEIGHTS = (30, 30, 22, 18)
BETTER_OFF = (5, 6, 7, 8, 9, 10)
BETTER_OFF_WEIGHTS = (30, 24, 18, 12, 9, 7)
BETTER_OFF_SHARE = {False: 0.18, True: 0.85}  # by whether the family holds a car or an AC


def demo_desil_rows(seed: int, kabupaten: str) -> list[tuple[str, int]]:
    """(No. KK, desil) of the ranked active families of `kabupaten`, by family id."""
    rng = random.Random(f"desil:{seed}")
    families = (
        Family.objects.active()
        .in_wilayah(kabupaten)
        .order_by("pk")
        .values_list("no_kk", "asset_car", "asset_ac")
    )
    rows = []
    for no_kk, car, ac in families:
        if rng.random() < UNRANKED_SHARE:
            continue
        better_off = rng.random() < BETTER_OFF_SHARE[bool(car or ac)]
        values, weights = (BETTER_OFF, BETTER_OFF_WEIGHTS) if better_off else (POOR, POOR_WEIGHTS)
        rows.append((no_kk, rng.choices(values, weights)[0]))
    return rows


def import_demo_desil(*, seed: int, kabupaten: str = DEMO_KABUPATEN) -> DesilImportResult:
    """Write the demo's desil file and import it as the system (see the module docstring)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "desil_dtsen_demo.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["nomor_kk", "desil"])
            writer.writerows(demo_desil_rows(seed, kabupaten))
        return import_desil(path, by=None)
