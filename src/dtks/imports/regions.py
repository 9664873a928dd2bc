"""Region names as people type them → Kemendagri codes, resolved top-down with polars joins.

`Kab. Bengkulu Tengah`, `KABUPATEN BENGKULU TENGAH` and `bengkulu  tengah` all resolve to
`17.09`; a kecamatan is looked up only among the children of the resolved kabupaten, a desa
among those of the kecamatan (names repeat across the country: a desa and a kecamatan may
both be called Talang Empat). A prefix that names the kind (`Kota`, `Kab.`, `Kel.`) only
decides between two same-named siblings (Kabupaten Bogor and Kota Bogor); a name that starts
with such a word (kecamatan `Kota Agung`) is also tried whole. A cell holding the code itself
(`17.09`) resolves too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import polars as pl

from dtks.wilayah.models import Region

LEVEL_COLUMNS = {1: "provinsi", 2: "kabupaten_kota", 3: "kecamatan", 4: "desa_kelurahan"}
PREFIX = r"^(PROVINSI|PROV|KABUPATEN|KAB|KOTA|KECAMATAN|KEC|KELURAHAN|KEL|DESA)\b\.?\s*"
HINTS = {
    "KABUPATEN": "kabupaten",
    "KAB": "kabupaten",
    "KOTA": "kota",
    "KELURAHAN": "kelurahan",
    "KEL": "kelurahan",
    "DESA": "desa",
}
KIND_HINT = {"kabupaten": "kabupaten", "kota": "kota", "kelurahan": "kelurahan", "desa": "desa"}


def name_key(name: str) -> str:
    return " ".join(name.upper().split())


def lookup_frames() -> dict[int, pl.DataFrame]:
    """Per level: (parent, key, hint) → code, where hint "" is kept only for unique names."""
    rows = Region.objects.values_list("code", "name", "level", "kind", "parent_id")
    by_level: dict[int, list[tuple[str, str, str, str, str]]] = {1: [], 2: [], 3: [], 4: []}
    for code, name, level, kind, parent in rows:
        by_level[level].append((code, name_key(name), kind, parent or ""))
    return {level: _frame(entries) for level, entries in by_level.items()}


def _frame(entries: Iterable[tuple[str, str, str, str]]) -> pl.DataFrame:
    entries = list(entries)
    seen = Counter((parent, key) for _code, key, _kind, parent in entries)
    keys: list[tuple[str, str, str, str]] = []
    for code, key, kind, parent in entries:
        keys.append((parent, code, "", code))
        if hint := KIND_HINT.get(kind):
            keys.append((parent, key, hint, code))
        if seen[(parent, key)] == 1:
            keys.append((parent, key, "", code))
    schema = {"parent": pl.String, "key": pl.String, "hint": pl.String, "code": pl.String}
    return pl.DataFrame(keys, schema=schema, orient="row").unique(["parent", "key", "hint"])


def resolve(frame: pl.DataFrame, lookups: dict[int, pl.DataFrame]) -> pl.DataFrame:
    """Add `__code_1`…`__code_4` (null where a level does not resolve) and `desa_code`.

    Resolved once per distinct combination of the four cells (a chunk of 100,000 rows names
    a few hundred desa), then joined back."""
    columns = list(LEVEL_COLUMNS.values())
    combos = _resolve_unique(frame.select(columns).unique(), lookups)
    return frame.join(combos, on=columns, how="left", maintain_order="left", nulls_equal=True)


def _resolve_unique(frame: pl.DataFrame, lookups: dict[int, pl.DataFrame]) -> pl.DataFrame:
    parent = pl.lit("")
    for level, column in LEVEL_COLUMNS.items():
        cell = pl.col(column).str.to_uppercase()
        stripped = cell.str.replace(PREFIX, "")
        hint = cell.str.extract(PREFIX).replace_strict(HINTS, default="")
        frame = frame.with_columns(
            parent.alias("__parent"),
            cell.alias("__whole"),
            stripped.alias("__stripped"),
            hint.alias("__hint"),
        )
        found = []
        for key, hint_column in (("__whole", None), ("__stripped", None), ("__stripped", "__hint")):
            name = f"__try_{len(found)}"
            found.append(name)
            frame = _join(frame, lookups[level], key, hint_column, name)
        code = f"__code_{level}"
        frame = frame.with_columns(pl.coalesce(found).alias(code)).drop(
            [*found, "__parent", "__whole", "__stripped", "__hint"]
        )
        parent = pl.col(code).fill_null("\x00")  # an unresolved parent resolves nothing below
    return frame.with_columns(pl.col("__code_4").alias("desa_code"))


def _join(
    frame: pl.DataFrame, lookup: pl.DataFrame, key: str, hint: str | None, name: str
) -> pl.DataFrame:
    left = frame.with_columns(
        pl.lit("").alias("__hint_used") if hint is None else pl.col(hint).alias("__hint_used")
    )
    joined = left.join(
        lookup.rename({"code": name}),
        left_on=["__parent", key, "__hint_used"],
        right_on=["parent", "key", "hint"],
        how="left",
        maintain_order="left",
    )
    return joined.drop("__hint_used")
