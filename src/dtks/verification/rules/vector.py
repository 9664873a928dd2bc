"""The vectorised side of the person rules: polars expressions over a frame of persons.

Over the registry a rule runs once per chunk of ~100,000 persons instead of once per person. A
rule's vectorised form returns `VectorHit`s, the column-wise twin of its `Hit`s: a boolean
expression saying on which rows it hits, the field, and the message parameters as expressions.
The parameters are formatted here exactly as the per-record path formats them, so both forms
give the same findings (tests/verification/test_vector_parity.py holds them to that).
"""

from __future__ import annotations

import array
import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import astuple, dataclass, field
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from .base import PersonData

# The PersonData fields as columns; ids and codes are Int64 so any value a record may hold fits.
PERSON_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "nik": pl.String(),
    "name": pl.String(),
    "birth_place": pl.String(),
    "birth_date": pl.Date(),
    "sex": pl.Int64(),
    "marital_status": pl.Int64(),
    "mother_name": pl.String(),
    "presence": pl.Int64(),
    "families": pl.List(pl.String()),
    "nik_others": pl.List(pl.String()),
}
# The person's own columns, read from the database; the lists are gathered across records.
PERSON_COLUMNS: dict[str, pl.DataType] = {
    name: dtype for name, dtype in PERSON_SCHEMA.items() if not isinstance(dtype, pl.List)
}
# What the rules found: one row per rule and person, as a `RuleFinding` of level person.
FOUND_SCHEMA: dict[str, pl.DataType] = {
    "person_id": pl.Int64(),
    "rule": pl.String(),
    "severity": pl.String(),
    "field": pl.String(),
    "message": pl.String(),
}
# Python 3.11-3.13 assign no letter or digit above plane 3; a test checks that this still holds.
ALNUM_SCAN_LIMIT = 0x40000
_PLACEHOLDER = re.compile(r"%\(([a-z_]+)\)[sd]|%%")


@dataclass(frozen=True)
class VectorHit:
    """Where a rule hits (a boolean expression over the person columns), the field concerned,
    and the message parameters as expressions. `template` (an msgid) replaces the rule's
    message, as `Hit.message` does on the per-record path. A family rule's hit is evaluated on
    the family rows, or with `per_member` on the member rows (one message per member hit, in
    member order, as the per-record form loops over the members)."""

    field: str
    when: pl.Expr
    params: Mapping[str, pl.Expr] = field(default_factory=dict)
    template: str | None = None
    per_member: bool = False


def sentence(template: str, params: Mapping[str, pl.Expr]) -> pl.Expr:
    """`template % params` per row: a translated template with its `%(name)s` / `%(name)d`
    placeholders filled from string-castable expressions, and `%%` read as `%`."""
    parts: list[pl.Expr] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(pl.lit(_literal(template[position : match.start()])))
        name = match.group(1)
        parts.append(params[name].cast(pl.String) if name else pl.lit("%"))
        position = match.end()
    parts.append(pl.lit(_literal(template[position:])))
    return pl.concat_str(parts)


def _literal(text: str) -> str:
    if "%" in text:  # a conversion `template % params` would read, and this does not
        raise ValueError(f"unsupported placeholder in message template: {text!r}")
    return text


@functools.cache
def alnum_class() -> str:
    """A regex class of exactly the characters Python's `str.isalnum()` accepts.

    `[\\p{L}\\p{N}]` is not the same set: polars carries newer Unicode tables than Python, so
    a character unassigned for Python may be a letter for polars. Built once per process from
    Python's own tables (in Python's `re`, `[^\\W_]` is `isalnum`), ~50 ms.
    """
    codes = array.array("I", range(ALNUM_SCAN_LIMIT)).tobytes()
    text = codes.decode("utf-32-le", "surrogatepass")  # every code point, ~10x faster than chr
    spans = [(m.start(), m.end() - 1) for m in re.finditer(r"[^\W_]+", text)]
    return "[" + "".join(_char(a) if a == b else f"{_char(a)}-{_char(b)}" for a, b in spans) + "]"


def _char(code: int) -> str:
    return f"\\x{{{code:x}}}"


def blank(column: str) -> pl.Expr:
    """The vectorised `is_blank`: null, empty, or without a single letter or digit ("-", ".")."""
    return ~pl.col(column).str.contains(alnum_class()).fill_null(False)


def zero_padded(expr: pl.Expr, width: int = 2) -> pl.Expr:
    """An integer as text, zero-padded as `f"{n:02d}"` pads it."""
    return expr.cast(pl.String).str.zfill(width)


def date_text(expr: pl.Expr) -> pl.Expr:
    """A date as `f"{date:%d-%m-%Y}"` writes it on Linux (no year padding below 1000)."""
    return pl.concat_str(
        [zero_padded(expr.dt.day()), zero_padded(expr.dt.month()), expr.dt.year()], separator="-"
    )


def age(born: pl.Expr, today: dt.date) -> pl.Expr:
    """Completed years on `today` (the vectorised `age_on`)."""
    month, day = born.dt.month(), born.dt.day()
    before_birthday = (month > today.month) | ((month == today.month) & (day > today.day))
    return pl.lit(today.year) - born.dt.year().cast(pl.Int64) - before_birthday.cast(pl.Int64)


def age_on(born: dt.date, today: dt.date) -> int:
    """Completed years on `today`."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def persons_frame(persons: Iterable[PersonData]) -> pl.DataFrame:
    """A frame of PersonData rows: the vectorised rules' input for records already in memory."""
    return pl.DataFrame([astuple(p) for p in persons], schema=PERSON_SCHEMA, orient="row")


def empty_found() -> pl.DataFrame:
    return pl.DataFrame(schema=FOUND_SCHEMA)
