"""Matching the registry's persons against a Dukcapil extract: set-based, in polars.

`compare(persons, extract)` gives one row per person: padan, or tidak padan with every reason
that applies (`models.Reason`, in catalogue order):

- `nik_not_found`: the NIK is not in the extract (then nothing else can be compared);
- `name_differs`: the names differ beyond spelling — both are brought to one spelling and to
  a sound key by `dtks.linkage.normalize` (Muhammad = M. = Moh., Siti = St., oe = u, dj = j,
  Achmad = Ahmad, Nur Hayati = Nurhayati, titles and `bin …` dropped); equal on either is the
  same name;
- `birth_date_differs`, `sex_differs`: the values differ (sex is a NIK-bearing attribute: a
  mismatch means one of the two records is wrong, so it is not padan either);
- `kk_differs`: the extract's No. KK is not the No. KK of the person's current family (of any
  of them, for a person in two KKs);
- `died`: the extract says the person died.

Where a value differs, the extract's value is kept for display.
"""

from __future__ import annotations

import polars as pl

from dtks.linkage.features import by_value
from dtks.linkage.normalize import name_key, name_norm

from .models import MatchStatus, Reason

PERSONS = {
    "id": pl.Int64,
    "nik": pl.String,
    "name": pl.String,
    "birth_date": pl.Date,
    "sex": pl.Int8,
    "no_kk": pl.String,
}
RESULT = {
    "person_id": pl.Int64,
    "status": pl.String,
    "reasons": pl.String,
    "dukcapil_name": pl.String,
    "dukcapil_birth_date": pl.Date,
    "dukcapil_sex": pl.Int8,
    "dukcapil_no_kk": pl.String,
}


def same_name(left: pl.Series, right: pl.Series) -> pl.Series:
    """Whether two columns of names are one name in two spellings (null: never the same).

    Names equal but for case and outer spaces (most of them) are the same without more; the
    others are normalised, each distinct name once."""
    plain = (_plain(left) == _plain(right)).fill_null(False)
    differ = (~plain).arg_true()
    if differ.is_empty():
        return plain
    left, right = left.gather(differ), right.gather(differ)
    left_norm, right_norm = by_value(left, name_norm), by_value(right, name_norm)
    same_norm = (left_norm == right_norm).fill_null(False)
    same_key = (by_value(left_norm, name_key) == by_value(right_norm, name_key)).fill_null(False)
    return plain.scatter(differ, same_norm | same_key)


def _plain(names: pl.Series) -> pl.Series:
    return names.str.to_uppercase().str.strip_chars()


def _joined(persons: pl.DataFrame, extract: pl.DataFrame) -> pl.DataFrame:
    dukcapil = extract.select(
        "nik",
        pl.lit(True).alias("found"),
        pl.col("nama").alias("d_name"),
        pl.col("birth_date").alias("d_birth_date"),
        pl.col("sex").alias("d_sex"),
        pl.col("no_kk").alias("d_no_kk"),
        pl.col("died").alias("d_died"),
    )
    joined = persons.join(dukcapil, on="nik", how="left")
    found = pl.col("found").fill_null(False)
    joined = joined.with_columns(
        found.alias("found"),
        (found & ~same_name(joined["name"], joined["d_name"])).alias("name_differs"),
        (found & (pl.col("birth_date") != pl.col("d_birth_date"))).alias("birth_date_differs"),
        (found & (pl.col("sex") != pl.col("d_sex"))).alias("sex_differs"),
        (found & (pl.col("no_kk") == pl.col("d_no_kk"))).alias("kk_same"),
        (found & pl.col("d_died")).alias("died"),
    )
    return _one_row_per_person(joined)


def _one_row_per_person(joined: pl.DataFrame) -> pl.DataFrame:
    """A person in two KKs comes once per family: keep the row whose No. KK agrees, if any."""
    if not joined["id"].is_duplicated().any():
        return joined
    return joined.sort(["id", "kk_same"], descending=[False, True]).unique("id", keep="first")


def compare(persons: pl.DataFrame, extract: pl.DataFrame) -> pl.DataFrame:
    """One `RESULT` row per person of `persons` (`PERSONS` columns, a row per current family);
    `extract`: the reader's rows (one per NIK)."""
    joined = _joined(persons, extract)
    found = pl.col("found")
    flags = {
        Reason.NIK_NOT_FOUND: ~found,
        Reason.NAME_DIFFERS: pl.col("name_differs"),
        Reason.BIRTH_DATE_DIFFERS: pl.col("birth_date_differs").fill_null(False),
        Reason.SEX_DIFFERS: pl.col("sex_differs").fill_null(False),
        Reason.KK_DIFFERS: found & ~pl.col("kk_same").fill_null(False),
        Reason.DIED: pl.col("died").fill_null(False),
    }
    reasons = pl.concat_str(
        [pl.when(flag).then(pl.lit(str(code))) for code, flag in flags.items()],
        separator=",",
        ignore_nulls=True,
    ).fill_null("")

    def shown(flag: pl.Expr, column: str, empty: object) -> pl.Expr:
        return pl.when(flag).then(pl.col(column)).otherwise(pl.lit(empty))

    return joined.select(
        pl.col("id").alias("person_id"),
        pl.when(reasons == "")
        .then(pl.lit(MatchStatus.PADAN.value))
        .otherwise(pl.lit(MatchStatus.TIDAK_PADAN.value))
        .alias("status"),
        reasons.alias("reasons"),
        shown(flags[Reason.NAME_DIFFERS], "d_name", "").alias("dukcapil_name"),
        shown(flags[Reason.BIRTH_DATE_DIFFERS], "d_birth_date", None).alias("dukcapil_birth_date"),
        shown(flags[Reason.SEX_DIFFERS], "d_sex", None).alias("dukcapil_sex"),
        shown(flags[Reason.KK_DIFFERS], "d_no_kk", "").alias("dukcapil_no_kk"),
    ).cast(RESULT)  # type: ignore[arg-type]


def summarise(results: pl.DataFrame) -> dict:
    """Counts of a run: persons, padan, tidak padan, and per reason (every code, 0 included)."""
    padan = int((results["status"] == MatchStatus.PADAN).sum())
    per_reason = {
        str(code): int(results["reasons"].str.contains(str(code), literal=True).sum())
        for code in Reason
    }
    return {
        "persons": results.height,
        "padan": padan,
        "tidak_padan": results.height - padan,
        "reasons": per_reason,
    }
