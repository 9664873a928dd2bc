"""What people type, turned into registry values: polars expressions over a whole chunk.

Each normaliser returns the clean value (null when it cannot be read), and `problems()` lists,
per field, the condition that rejects a row and the Indonesian reason. No Python runs per row.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
from django.utils.translation import gettext as _

from dtks.core import parsing

from .columns import FLAT_COLUMNS, REQUIRED_COLUMNS
from .readers import NUMERIC_KK, NUMERIC_NIK

IDENTITY_COLUMNS = ("nomor_kk", "nomor_nik")
DATE, SHAPED = "__date", "__date_shaped"
SEX_CODE, RELATIONSHIP_CODE, MARITAL_CODE = "__sex", "__relationship", "__marital"
# Optional columns beyond the flat exchange row that the importer reads when present (the
# project template's individu sheet carries status_kawin; the flat row does not).
OPTIONAL_COLUMNS = ("status_kawin",)
# Dates and sex are read by `dtks.core.parsing` (shared with duplicate detection); its month
# names and sex words stay importable from here.
MONTHS, SEX, EXCEL_EPOCH = parsing.MONTHS, parsing.SEX, parsing.EXCEL_EPOCH
# Regsosek hubungan dengan kepala keluarga (registry.choices.Relationship).
RELATIONSHIPS = {
    **dict.fromkeys(["KEPALA KELUARGA", "KEPALA", "KK", "1"], 1),
    **dict.fromkeys(["ISTRI", "SUAMI", "ISTRI/SUAMI", "SUAMI/ISTRI", "ISTERI", "2"], 2),
    **dict.fromkeys(["ANAK", "ANAK KANDUNG", "ANAK TIRI", "ANAK ANGKAT", "3"], 3),
    **dict.fromkeys(["MENANTU", "4"], 4),
    **dict.fromkeys(["CUCU", "5"], 5),
    **dict.fromkeys(["ORANG TUA", "MERTUA", "ORANG TUA/MERTUA", "ORANGTUA", "6"], 6),
    **dict.fromkeys(["PEMBANTU", "SOPIR", "PEMBANTU/SOPIR", "PEMBANTU RUMAH TANGGA", "7"], 7),
    **dict.fromkeys(["FAMILI LAIN", "LAINNYA", "LAIN-LAIN", "LAIN", "8"], 8),
}
# Regsosek status perkawinan (registry.choices.MaritalStatus).
MARITAL = {
    **dict.fromkeys(["BELUM KAWIN", "TIDAK KAWIN", "LAJANG", "1"], 1),
    **dict.fromkeys(["KAWIN", "MENIKAH", "KAWIN TERCATAT", "KAWIN BELUM TERCATAT", "2"], 2),
    **dict.fromkeys(["CERAI HIDUP", "CERAI", "3"], 3),
    **dict.fromkeys(["CERAI MATI", "JANDA/DUDA", "4"], 4),
}
TEXT_LIMITS = {
    "nama": 100,
    "nama_ibu_kandung": 100,
    "tempat_lahir": 60,
    "alamat": 200,
    "dusun": 60,
    "iddtks": 24,
}


def text(name: str) -> pl.Expr:
    """The cell with stray spaces collapsed; a `'` put before `=+-@` by our export removed.

    Each regex runs only where a cheap test says it can change something: most cells are
    already clean, and polars skips the branch a whole chunk does not take."""
    value = pl.col(name).fill_null("")
    value = (
        pl.when(value.str.contains(r"\s\s|[\t\n\r\xa0]"))
        .then(value.str.replace_all(r"\s+", " "))
        .otherwise(value)
        .str.strip_chars()
    )
    return (
        pl.when(value.str.starts_with("'"))
        .then(value.str.replace(r"^'([=+\-@])", "$1"))
        .otherwise(value)
    )


def upper_key(expr: pl.Expr) -> pl.Expr:
    """Upper case, single spaces, no spaces around `/` or `-`: how names are compared."""
    return expr.str.to_uppercase().str.replace_all(r"\s*([/-])\s*", "$1")


def identity(name: str) -> pl.Expr:
    """NIK/No. KK: all spaces and a leading text-forcing `'` dropped."""
    return pl.col(name).fill_null("").str.replace_all(r"\s+", "").str.strip_prefix("'")


def code_of(expr: pl.Expr, mapping: dict[str, int]) -> pl.Expr:
    return upper_key(expr).replace_strict(mapping, default=None, return_dtype=pl.Int16)


def rt_rw(name: str) -> pl.Expr:
    value = pl.col(name)
    return pl.when(value.str.contains(r"^[0-9]{1,3}$")).then(value.str.zfill(3)).otherwise(None)


def birth_date(name: str) -> tuple[pl.Expr, pl.Expr]:
    """(date or null, whether the text has a date's shape): a shaped text whose date is null
    names a day that does not exist (31-02-1990). See `dtks.core.parsing`."""
    return parsing.date_and_shape(pl.col(name))


def sentence(template: str, **values: pl.Expr) -> pl.Expr:
    """A translated message with `%(name)s` filled from expressions, per row."""
    parts: list[pl.Expr] = []
    for piece in re.split(r"(%\([a-z_]+\)s)", template):
        match = re.fullmatch(r"%\(([a-z_]+)\)s", piece)
        parts.append(values[match.group(1)].cast(pl.String) if match else pl.lit(piece))
    return pl.concat_str(parts)


def identity_problems(column: str, flag: str, label: str) -> list[tuple[str, pl.Expr, pl.Expr]]:
    """The Excel trap first (a number cell, `E+`, a decimal point), then digits and length."""
    value = pl.col(column)
    excel = pl.col(flag) | value.str.contains(r"[eE]\+|[.,]")
    return [
        (
            column,
            excel,
            sentence(
                _(
                    "%(label)s %(value)s was stored by Excel as a number and may have lost its "
                    "last digits. Format the %(column)s column as Text, then type or paste the "
                    "16 digits again."
                ),
                label=pl.lit(label),
                value=value,
                column=pl.lit(column),
            ),
        ),
        (
            column,
            ~excel & (value != "") & ~value.str.contains(r"^[0-9]+$"),
            pl.lit(_("%(label)s may contain digits only.") % {"label": label}),
        ),
        (
            column,
            ~excel & value.str.contains(r"^[0-9]+$") & (value.str.len_chars() != 16),
            sentence(
                _("%(label)s must be exactly 16 digits (this one has %(count)s)."),
                label=pl.lit(label),
                count=value.str.len_chars(),
            ),
        ),
    ]


def field_problems(columns: set[str], today: dt.date) -> list[tuple[str, pl.Expr, pl.Expr]]:
    """Every check one row can fail on its own, in column order; (field, failed, reason)."""
    found: list[tuple[str, pl.Expr, pl.Expr]] = []
    for column in REQUIRED_COLUMNS:
        empty = pl.col(column) == "" if column in columns else pl.lit(True)
        found.append(
            (column, empty, pl.lit(_("%(column)s must be filled in.") % {"column": column}))
        )
    found += identity_problems("nomor_kk", NUMERIC_KK, _("No. KK"))
    found += identity_problems("nomor_nik", NUMERIC_NIK, _("NIK"))
    date, shaped = pl.col(DATE), pl.col(SHAPED)
    filled = pl.col("tanggal_lahir") != ""
    found += [
        (
            "tanggal_lahir",
            filled & ~shaped,
            pl.lit(_("Date of birth is not a date (write it as 17-08-1985 or 17 Agustus 1985).")),
        ),
        (
            "tanggal_lahir",
            shaped & date.is_null(),
            pl.lit(_("Date of birth does not exist in the calendar.")),
        ),
        ("tanggal_lahir", date > pl.lit(today), pl.lit(_("Date of birth lies in the future."))),
        (
            "tanggal_lahir",
            date < pl.lit(dt.date(1900, 1, 1)),
            pl.lit(_("Date of birth is before 1900.")),
        ),
    ]
    found += _coded_problems(columns)
    return found


def _coded_problems(columns: set[str]) -> list[tuple[str, pl.Expr, pl.Expr]]:
    sex, relationship = pl.col("jenis_kelamin"), pl.col("hubungan_keluarga")
    found = [
        (
            "jenis_kelamin",
            (sex != "") & pl.col(SEX_CODE).is_null(),
            pl.lit(_("Sex must be L or P (LAKI-LAKI or PEREMPUAN, or 1 or 2).")),
        ),
        (
            "hubungan_keluarga",
            (relationship != "") & pl.col(RELATIONSHIP_CODE).is_null(),
            pl.lit(
                _(
                    "Relationship to the head must be Kepala Keluarga, Istri, Suami, Anak, "
                    "Menantu, Cucu, Orang Tua, Mertua, Pembantu, Famili Lain, Lainnya or a "
                    "code 1-8."
                )
            ),
        ),
    ]
    if "status_kawin" in columns:
        found.append(
            (
                "status_kawin",
                (pl.col("status_kawin") != "") & pl.col(MARITAL_CODE).is_null(),
                pl.lit(
                    _(
                        "status_kawin must be Belum Kawin, Kawin, Cerai Hidup, Cerai Mati "
                        "or a code 1-4."
                    )
                ),
            )
        )
    for column in ("rt", "rw"):
        if column in columns:
            found.append(
                (
                    column,
                    (pl.col(column) != "") & pl.col(f"__{column}").is_null(),
                    pl.lit(
                        _("%(column)s must be a number of at most 3 digits.") % {"column": column}
                    ),
                )
            )
    if "tahun_data" in columns:
        year = pl.col("tahun_data")
        found.append(
            (
                "tahun_data",
                (year != "") & ~year.str.contains(r"^(19|20)[0-9]{2}$"),
                pl.lit(_("tahun_data must be a year such as 2024.")),
            )
        )
    for column, limit in TEXT_LIMITS.items():
        if column in columns:
            found.append(
                (
                    column,
                    pl.col(column).str.len_chars() > limit,
                    pl.lit(
                        _("%(column)s is longer than %(limit)s characters.")
                        % {"column": column, "limit": limit}
                    ),
                )
            )
    return found


def with_optional_columns(frame: pl.DataFrame, wanted: tuple[str, ...]) -> pl.DataFrame:
    """Absent optional columns read as empty text, so every expression sees every column."""
    missing = [pl.lit("").alias(c) for c in wanted if c not in frame.columns]
    return frame.with_columns(missing) if missing else frame


def cleaned(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column cleaned once, and the parsed values beside them: the checks and the
    registry values then read columns instead of re-running the same regexes."""
    frame = frame.with_columns(
        (identity(c) if c in IDENTITY_COLUMNS else text(c)).alias(c)
        for c in (*FLAT_COLUMNS, *OPTIONAL_COLUMNS)
    )
    date, shaped = birth_date("tanggal_lahir")
    return frame.with_columns(
        date.alias(DATE),
        shaped.alias(SHAPED),
        parsing.typed_sex(pl.col("jenis_kelamin")).cast(pl.Int16).alias(SEX_CODE),
        code_of(pl.col("hubungan_keluarga"), RELATIONSHIPS).alias(RELATIONSHIP_CODE),
        code_of(pl.col("status_kawin"), MARITAL).alias(MARITAL_CODE),
        rt_rw("rt").alias("__rt"),
        rt_rw("rw").alias("__rw"),
    )


def normalised(default_year: int) -> list[pl.Expr]:
    """The registry values of a cleaned row (rejected rows are blanked afterwards)."""
    year = pl.col("tahun_data")
    return [
        pl.col("iddtks").alias("id_dtks"),
        pl.col("alamat").alias("address"),
        pl.col("dusun"),
        pl.col("__rt").fill_null("").alias("rt"),
        pl.col("__rw").fill_null("").alias("rw"),
        pl.col("nomor_kk").alias("no_kk"),
        pl.col("nomor_nik").alias("nik"),
        pl.col("nama").alias("name"),
        pl.col(DATE).alias("birth_date"),
        pl.col("tempat_lahir").alias("birth_place"),
        pl.col(SEX_CODE).alias("sex"),
        pl.col("nama_ibu_kandung").alias("mother_name"),
        pl.col(RELATIONSHIP_CODE).alias("relationship"),
        pl.col(MARITAL_CODE).alias("marital_status"),
        pl.when(year == "")
        .then(pl.lit(default_year))
        .otherwise(year.cast(pl.Int16, strict=False))
        .cast(pl.Int16)
        .alias("data_year"),
    ]
