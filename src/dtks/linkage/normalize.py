"""Indonesian names, dates, places and numbers brought to one form before records are compared.

Everything is a polars expression, so a million records are normalised in a few seconds on
two cores; `canonical_name` and friends apply the same expressions to one value (tests, the
README's examples). Two forms of a name are made:

- `name_norm` keeps the name readable but writes each spelling one way: capitals, no
  punctuation, titles and degrees dropped (`H.`, `Hj.`, `Drs.`, `, S.Pd.`), `bin/binti …`
  dropped, the pre-1972 spelling rewritten (OE→U, DJ→J, TJ→C, SJ→SY, CH→KH, and J→Y in a name
  written in the old spelling), double letters single, and the usual abbreviations and
  variants expanded (M./Moh./Mohd./Muhamad/Mohammad → MUHAMAD, St. → SITI, Nurul → NUR,
  Abd. → ABDUL).
- `name_key` is a coarser sound key of `name_norm` for blocking and for a comparison level:
  spaces removed (`Nur Hayati` = `Nurhayati`), a final Y or IE → I (Hendry, Hendrie = Hendri),
  KH/DH/TH/PH/DZ/V/Q folded, J read as Y (Jusuf = Yusuf, Juliana = Yuliana: mixed spellings),
  an H after another letter dropped (Ahmad = Achmad = Amad, Fatimah = Fatima), double
  letters single again.

A value that normalises to nothing is null, never "", so blocking (`l.x = r.x`) skips it.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from dtks.core.parsing import parse_date, typed_date, typed_sex

_DOUBLES = [c * 2 for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"]
_SINGLES = list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

# Leading titles (Haji, Hajjah, academic and religious) and what follows bin/binti.
_TITLES = r"^((H|HJ|HJH|HAJI|HAJAH|HAJAH|DRS|DRA|DR|IR|PROF|UST|USTAD|USTADZ|USTADZAH)\s+)+"
_PATRONYMIC = r"\s(BIN|BINTI|BT|BN)\s.*$"

# Variants and abbreviations, written as they look after double letters were made single.
_TOKEN_VARIANTS: tuple[tuple[str, str], ...] = (
    (
        r"\b(M|MD|MH|MHD|MUH|MUHD|MOH|MOHD|MOKH|MUKH|MOHAMAD|MOHAMED|MUHAMED|MUHAMAD|"
        r"MOKHAMAD|MUKHAMAD|MOKHAMED|MOHAMET|MUHAMET|MAMAD)\b",
        "MUHAMAD",
    ),
    (r"\bST\b", "SITI"),
    (r"\bNURUL\b", "NUR"),
    (r"\bABD\b", "ABDUL"),
)

# The old spelling (Ejaan Van Ophuijsen / Soewandi): only a name carrying one of these
# markers has its lone J read as Y (Djojo → JOYO, Joesoef → YUSUF); Joko stays JOKO.
_OLD_SPELLING = r"OE|DJ|TJ|SJ"


def _single_letters(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_many(_DOUBLES, _SINGLES)


def _null_if_blank(expr: pl.Expr) -> pl.Expr:
    expr = expr.str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(expr.str.len_bytes() > 0).then(expr).otherwise(None)


def _old_spelling(expr: pl.Expr) -> pl.Expr:
    """DJ→J, TJ→C and then a lone J→Y, in names that show the old spelling; OE→U and CH→KH
    everywhere (digits were removed earlier, so they serve as placeholders)."""
    rewritten = (
        expr.str.replace_many(["DJ", "TJ"], ["1", "2"])
        .str.replace_all("J", "Y", literal=True)
        .str.replace_many(["1", "2"], ["J", "C"])
    )
    expr = pl.when(expr.str.contains(_OLD_SPELLING)).then(rewritten).otherwise(expr)
    return expr.str.replace_many(["OE", "CH"], ["U", "KH"])


def name_norm(expr: pl.Expr) -> pl.Expr:
    """A person's name in one spelling (see the module docstring); null when nothing is left."""
    expr = expr.str.to_uppercase()
    expr = expr.str.replace(r",.*$", "")  # "AHMAD, S.PD." → "AHMAD": degrees follow a comma
    expr = expr.str.replace_all(r"['`’‘]", "")  # MA'RUF = MARUF
    expr = expr.str.replace_all(r"[^A-Z]+", " ").str.strip_chars()
    expr = expr.str.replace(_TITLES, "").str.replace(_PATRONYMIC, "")
    expr = _single_letters(_old_spelling(expr))
    for pattern, canonical in _TOKEN_VARIANTS:
        expr = expr.str.replace_all(pattern, canonical)
    return _null_if_blank(expr)


def name_key(norm: pl.Expr) -> pl.Expr:
    """The sound key of a normalised name (see the module docstring)."""
    expr = norm.str.replace_all(r"IE\b", "I").str.replace_all(r"Y\b", "I")
    expr = expr.str.replace_all(" ", "", literal=True)
    expr = expr.str.replace_many(
        ["KH", "DH", "TH", "PH", "DZ", "V", "Q", "X", "J"],
        ["H", "D", "T", "F", "Z", "F", "K", "KS", "Y"],
    )
    expr = expr.str.replace_all(r"([A-Z])H", "${1}")
    return _null_if_blank(_single_letters(expr))


_PLACE_PREFIXES = (
    r"^((PROVINSI|PROV|KABUPATEN|KAB|KOTA|KOTAMADYA|KEC|KECAMATAN|DESA|KELURAHAN|KEL)\s+)+"
)


def place_norm(expr: pl.Expr) -> pl.Expr:
    """A place or region name: capitals, punctuation gone, `Kab.`/`Kota`/`Kec.`/`Desa` dropped."""
    expr = expr.str.to_uppercase().str.replace_all(r"[^A-Z0-9]+", " ").str.strip_chars()
    return _null_if_blank(expr.str.replace(_PLACE_PREFIXES, ""))


def text_norm(expr: pl.Expr) -> pl.Expr:
    """Free text (an address): capitals, punctuation gone, spaces single."""
    return _null_if_blank(expr.str.to_uppercase().str.replace_all(r"[^A-Z0-9]+", " "))


def digits(expr: pl.Expr) -> pl.Expr:
    """A NIK or No. KK as its digits (`'3201…`, `3201 2345…` typed either way); a number of
    zeros only, or nothing, is null: it identifies no one."""
    expr = expr.cast(pl.String).str.replace_all(r"[^0-9]", "")
    return pl.when(expr.str.contains(r"[1-9]")).then(expr).otherwise(None)


def sex_code(expr: pl.Expr) -> pl.Expr:
    """1 male, 2 female, from `L/P`, `Laki-laki/Perempuan`, `1/2`…; null when unknown
    (`dtks.core.parsing.typed_sex`, shared with the import)."""
    return typed_sex(expr)


def birth_date(expr: pl.Expr) -> pl.Expr:
    """A date as typed in Indonesia: `17-08-1985`, `17/8/1985`, `1985-08-17` (also with a time
    after it, as a spreadsheet date cell reads), `17 Agustus 1985`, an Excel serial; day first
    when the year is last. A date that does not exist is null (`dtks.core.parsing.typed_date`,
    shared with the import)."""
    return typed_date(expr)


def _one(expr_fn, value: str | None) -> str | None:  # type: ignore[no-untyped-def]
    return pl.select(expr_fn(pl.lit(value, dtype=pl.String))).item()


def canonical_name(value: str | None) -> str | None:
    """`name_norm` of one value: `canonical_name("Moh. Joesoef")` → `MUHAMAD YUSUF`."""
    return _one(name_norm, value)


def sound_key(value: str | None) -> str | None:
    """`name_key` of one name as typed: `sound_key("Achmad")` = `sound_key("Ahmad")`."""
    return _one(lambda e: name_key(name_norm(e)), value)


def parse_birth_date(value: str | None) -> dt.date | None:
    """`birth_date` of one value as typed."""
    return parse_date(value)
