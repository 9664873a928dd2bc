"""The linkage model: what is compared, how pairs are found, and where the weights come from.

A Fellegi-Sunter model (Splink): each comparison puts a pair of records in a level (exact,
a known variant, a typo, different, unknown) and each level carries a weight, how much more
often one person's two records land there than two different persons do (m / u). Term
frequencies make an exact match on a common name (SITI, MUHAMAD) weigh less than on a rare one.

Evidence that relatives share is compared together, not added up: the birth date with the
NIK (which carries it), the mother's name with the KK and the address. Two rules are fixed,
not learned: one person's records share a recognisable name, and are at most about a year
apart in birth date unless their NIKs agree (see DIFFERENT_NAME_M, FAR_BIRTH_DATE_M).

`model.json` holds the learned numbers: u by random sampling of 30 million pairs, m from the
known duplicates of a synthetic registry of 300,000 rows (`bench/make_duplicates.py --seed 7`,
another seed than the benchmark's), the duplicate rate as pairs per record. A run reads them
instead of learning them, so the same file always gives the same pairs and a million persons
fit the time budget; `dtks dedup --train` learns them from the file at hand instead (with
`--truth`, from its known duplicates). The prior, how likely two random records are one
person, is that rate divided by the number of possible pairs of the file at hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

PACKAGED_MODEL = Path(__file__).with_name("model.json")
DEFAULT_THRESHOLD = 0.8


def _custom(condition: str, label: str) -> cll.CustomLevel:
    return cll.CustomLevel(condition, label_for_charts=label, base_dialect_str="duckdb")


def _contained(column: str) -> cll.CustomLevel:
    """One name is whole words of the other (`SITI` in `SITI AMINAH`: a second name dropped)."""
    left, right = f"(' ' || {column}_l || ' ')", f"(' ' || {column}_r || ' ')"
    return _custom(
        f"{left} LIKE ('%' || {right} || '%') OR {right} LIKE ('%' || {left} || '%')",
        "one name within the other",
    )


def _nik_close(dialect: str) -> cll.CustomLevel:
    """NIKs one or two digits apart (a typo, two digits swapped). DuckDB counts differing
    positions (hamming: fifty times faster than an edit distance); Spark has no such function
    and uses Levenshtein, which for NIKs of 16 digits almost always says the same."""
    if dialect == "duckdb":
        sql = "length(nik_l) = length(nik_r) AND hamming(nik_l, nik_r) <= 2"
    else:
        sql = "levenshtein(nik_l, nik_r) <= 2"
    return cll.CustomLevel(
        sql, label_for_charts="NIK one or two digits apart", base_dialect_str=dialect
    )


# A duplicate record keeps a recognisable name: names that share nothing, or only the first
# name, belong to different persons, even when everything else agrees (twins share a birth
# date, a mother, a KK, and NIKs one serial apart; siblings share all but the date). These
# levels are fixed, not learned: in the independence model, the evidence that relatives share
# would otherwise outweigh a disagreeing name.
DIFFERENT_NAME_M = 1e-12
# Likewise a person's two records are at most about a year apart in birth date (a typo, a
# transposition, an unknown day written as 1 January) unless their NIKs agree: parents and
# children, siblings and namesakes a few years apart share a KK, a mother or a name, and those
# shared facts must not outweigh the years between them.
FAR_BIRTH_DATE_M = 1e-9


def name_comparison() -> cl.CustomComparison:
    """The name: exact, same sound key, close spelling, one name contained in the other (a
    second name dropped), a typo; a shared first name only, or nothing shared, vetoes."""
    norm, key = "name_norm", "name_key"
    veto = {"m_probability": DIFFERENT_NAME_M, "fix_m_probability": True}
    return cl.CustomComparison(
        output_column_name="name",
        comparison_description="name",
        comparison_levels=[
            cll.NullLevel(norm),
            cll.ExactMatchLevel(norm, term_frequency_adjustments=True),
            cll.ExactMatchLevel(key).configure(tf_adjustment_column=key),
            cll.JaroWinklerLevel(norm, 0.94),
            _contained("name_norm"),
            cll.LevenshteinLevel(norm, 2),
            cll.And(
                cll.Not(cll.ExactMatchLevel("name_first")), cll.JaroWinklerLevel(key, 0.88)
            ).configure(label_for_charts="close sound keys, another first name"),
            cll.ExactMatchLevel("name_first").configure(
                label_for_charts="same first name only", **veto
            ),
            cll.ElseLevel().configure(**veto),
        ],
    )


def birth_comparison(dialect: str) -> cl.CustomComparison:
    """Birth date and NIK as ONE comparison: a NIK carries the birth date, sex and kecamatan,
    and persons born on one day in one kecamatan get serials 0001, 0002…, so NIKs one digit
    apart are common among different persons of the same birth date. Counting the date and the
    NIK apart would count the date twice. NIKs carry typos: exact, one digit wrong or two
    swapped, different, unknown; dates: exact, day and month transposed, one digit apart,
    within a month, a year, ten years."""
    nik_known = cll.And(cll.Not(cll.NullLevel("nik")), cll.Not(_nik_close(dialect)))

    _rule = {"m_probability": FAR_BIRTH_DATE_M, "fix_m_probability": True}

    def days(limit: int, label: str) -> cll.CustomLevel:
        return _custom(f"abs(dob_days_l - dob_days_r) <= {limit}", label)

    return cl.CustomComparison(
        output_column_name="birth",
        comparison_description="birth date and NIK",
        comparison_levels=[
            cll.And(cll.NullLevel("dob"), cll.NullLevel("nik")).configure(is_null_level=True),
            cll.ExactMatchLevel("nik").configure(label_for_charts="same NIK"),
            cll.And(cll.ExactMatchLevel("dob"), _nik_close(dialect)).configure(
                label_for_charts="same date, NIK one or two digits apart"
            ),
            cll.And(cll.ExactMatchLevel("dob"), nik_known).configure(
                label_for_charts="same date, another NIK"
            ),
            cll.ExactMatchLevel("dob").configure(label_for_charts="same date, NIK unknown"),
            _nik_close(dialect).configure(label_for_charts="NIK one or two digits apart"),
            cll.NullLevel("dob").configure(
                is_null_level=False, label_for_charts="date unknown, another NIK"
            ),
            _custom(
                "dob_d_l = dob_m_r AND dob_m_l = dob_d_r AND dob_y_l = dob_y_r",
                "day and month transposed",
            ),
            cll.LevenshteinLevel("dob", 1).configure(label_for_charts="date one digit apart"),
            days(31, "within a month"),
            days(366, "within a year"),
            days(3653, "within ten years").configure(**_rule),
            cll.ElseLevel().configure(**_rule),
        ],
    )


def place_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="birth_place",
        comparison_description="birth place",
        comparison_levels=[
            cll.NullLevel("birth_place"),
            cll.ExactMatchLevel("birth_place", term_frequency_adjustments=True),
            cll.JaroWinklerLevel("birth_place", 0.9),
            cll.ElseLevel(),
        ],
    )


def _mother_agrees() -> Any:
    return cll.Or(cll.ExactMatchLevel("mother_norm"), cll.ExactMatchLevel("mother_key"))


def _mother_close() -> Any:
    return cll.Or(
        cll.JaroWinklerLevel("mother_norm", 0.94),
        _contained("mother_norm"),
        cll.JaroWinklerLevel("mother_key", 0.88),
        cll.LevenshteinLevel("mother_norm", 2),
    )


def _household() -> Any:
    """Same KK, or same address in the same desa."""
    return cll.Or(
        cll.ExactMatchLevel("no_kk"),
        cll.And(cll.ExactMatchLevel("desa"), cll.ExactMatchLevel("address")),
    )


def family_comparison() -> cl.CustomComparison:
    """The mother's name and where the record lives, as ONE comparison: relatives share a
    mother, a KK and an address together, so counting each apart would add the same evidence
    three times (a sibling would look like a duplicate with a changed name and birth date)."""
    unknown = _custom(
        "(mother_norm_l IS NULL OR mother_norm_r IS NULL) AND "
        "(no_kk_l IS NULL AND desa_l IS NULL OR no_kk_r IS NULL AND desa_r IS NULL)",
        "mother and residence unknown",
    ).configure(is_null_level=True)
    return cl.CustomComparison(
        output_column_name="family",
        comparison_description="mother's name, No. KK, address and desa",
        comparison_levels=[
            unknown,
            cll.And(_mother_agrees(), _household()).configure(
                label_for_charts="same mother, same KK or address"
            ),
            cll.And(_mother_close(), _household()).configure(
                label_for_charts="mother's name close, same KK or address"
            ),
            cll.And(cll.NullLevel("mother_norm"), _household()).configure(
                is_null_level=False, label_for_charts="mother unknown, same KK or address"
            ),
            _household().configure(label_for_charts="another mother, same KK or address"),
            cll.And(_mother_agrees(), cll.ExactMatchLevel("desa")).configure(
                label_for_charts="same mother, same desa"
            ),
            _mother_agrees().configure(label_for_charts="same mother"),
            _mother_close().configure(label_for_charts="mother's name close"),
            cll.ExactMatchLevel("desa").configure(label_for_charts="same desa"),
            cll.ExactMatchLevel("kecamatan").configure(label_for_charts="same kecamatan"),
            cll.ElseLevel(),
        ],
    )


def sex_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="sex",
        comparison_description="sex",
        comparison_levels=[cll.NullLevel("sex"), cll.ExactMatchLevel("sex"), cll.ElseLevel()],
    )


# Which pairs are scored at all: a pair is scored when it agrees on all the columns of one of
# these. Each covers duplicates the others miss (a NIK typo, a name variant, a transposed or
# mistyped date, a missing mother, a move to another desa), and each keeps its blocks small:
# on the synthetic million they find 99.2 % of the duplicate pairs among 2.2 million pairs (a
# block on the name and birth year alone gives 2 million).
BLOCKS: tuple[tuple[str, ...], ...] = (
    ("nik",),
    ("dob", "mother_key"),
    ("no_kk", "name_first"),
    ("nik_date", "name_key"),
    ("name_first", "kecamatan", "dob"),
    ("name_key", "birth_place", "dob_y"),
    ("mother_key", "desa", "dob_y"),
    ("dob", "desa"),
    ("name_first", "dob"),
    ("name_first", "mother_key", "dob_y"),
    ("name_key", "mother_key"),
    ("birth_place", "mother_key", "dob_y"),
    ("dob", "birth_place"),
    ("name_first", "desa", "dob_y"),
    ("name_key", "dob_m", "dob_d", "sex"),
)


def block_column(columns: tuple[str, ...]) -> str:
    """The column holding one 64-bit hash of a block's columns (null when one is unknown):
    joining on one integer is several times faster than on three text columns."""
    return "block_" + "_".join(columns)


def blocking_rules() -> list[Any]:
    return [block_on(block_column(columns)) for columns in BLOCKS]


def settings(prior: float = 1e-5, dialect: str = "duckdb") -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            name_comparison(),
            birth_comparison(dialect),
            family_comparison(),
            place_comparison(),
            sex_comparison(),
        ],
        blocking_rules_to_generate_predictions=blocking_rules(),
        probability_two_random_records_match=prior,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=20,
    )


# A level that no known duplicate (m) or no sampled pair (u) fell in still happens: the
# samples are finite. It gets this probability rather than 0 (an absolute veto) or none
# (Splink would fall back to a generic default).
UNSEEN = 1e-6


def floor_unseen(trained: dict[str, Any]) -> dict[str, Any]:
    """`trained` with every learned m below UNSEEN, and every missing u, set to UNSEEN."""
    for comparison in trained["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            if not level.get("fix_m_probability") and (level.get("m_probability") or 0) < UNSEEN:
                level["m_probability"] = UNSEEN
            if not level.get("u_probability"):  # rarer than 1e-6 is kept when measured
                level["u_probability"] = UNSEEN
    return trained


@dataclass
class Model:
    """The learned weights (m and u of every comparison level, as Splink saves them) and the
    duplicate rate they imply. The comparisons themselves are this module's code: a model
    file holds numbers only, so it serves DuckDB and Spark alike."""

    trained: dict[str, Any]
    pairs_per_record: float

    def prior(self, records: int) -> float:
        """Probability that two random records of a file of `records` are one person."""
        possible = records * (records - 1) / 2
        return min(0.5, self.pairs_per_record * records / possible) if possible else 0.5

    def settings_for(self, records: int, dialect: str = "duckdb") -> dict[str, Any]:
        """Splink settings for a file of `records` in `dialect`, weights from the model."""
        current = settings(self.prior(records), dialect).create_settings_dict(dialect)
        learned = {c["output_column_name"]: c for c in self.trained["comparisons"]}
        for comparison in current["comparisons"]:
            name = comparison["output_column_name"]
            levels = learned.get(name, {}).get("comparison_levels", [])
            if len(levels) != len(comparison["comparison_levels"]):
                raise ValueError(f"The model file does not fit comparison {name!r}: retrain it")
            for level, known in zip(comparison["comparison_levels"], levels, strict=True):
                if "m_probability" in known and not level.get("fix_m_probability"):
                    level["m_probability"] = known["m_probability"]
                if "u_probability" in known:
                    level["u_probability"] = known["u_probability"]
        return current

    @classmethod
    def load(cls, path: Path = PACKAGED_MODEL) -> Model:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(trained=data["splink"], pairs_per_record=data["pairs_per_record"])

    def save(self, path: Path) -> None:
        """Write the model; the same training data give the same file (no run id kept)."""
        trained = {k: v for k, v in self.trained.items() if k != "linker_uid"}
        data = {"pairs_per_record": self.pairs_per_record, "splink": trained}
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
