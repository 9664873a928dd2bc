"""The shape of a data-quality rule and the one registry all rules are entered in.

A rule is a pure function over plain data (a `PersonData`, or a `FamilyData` for a family rule;
never an ORM object), so it runs the same in the nightly check, after a form is saved, in an
import preview and in tests. What it returns are `Hit`s (which field, and the values its message
needs); the runner turns them into findings with the rule's code, severity, level and
translated message.

Every rule also carries its vectorised form, registered beside it: the same check as polars
expressions over a frame of persons (`vector.py`) or of families and their members
(`family_vector.py`), run over a whole chunk of the registry at once. Both forms give the same
findings; property tests hold them to it.

Facts that need other records (the other holders of a NIK, the other families of a person) are
gathered by the loader into the plain data, so the rules themselves stay pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from itertools import starmap
from typing import Any

import polars as pl
from django.utils.translation import gettext

from dtks.core.nik import Problem, validate_nik

from .nik_vector import nik_hits, with_nik_columns
from .vector import FOUND_SCHEMA, VectorHit, empty_found, sentence

ERROR = "error"
WARNING = "warning"
PERSON = "person"
FAMILY = "family"


@dataclass(frozen=True)
class PersonData:
    """The fields of a person the person-level rules read (a `.values()` row fits).

    The last three have defaults, so a person typed into a form or an import preview is checked
    without them. `families` are the ID DTKS of the active families the person is a current
    member of; a run's loader names them only when there are more than one (one is the normal
    case). `nik_others` are the ID DTKS of the other person records holding the same NIK that
    no verifier has settled as duplicates (inactive for another reason than `duplicate`).
    """

    id: int | None
    nik: str
    name: str
    birth_place: str
    birth_date: dt.date | None
    sex: int | None
    marital_status: int | None
    mother_name: str
    presence: int | None = None
    families: Sequence[str] = ()
    nik_others: Sequence[str] = ()

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return PERSON_FIELDS

    @classmethod
    def from_values(cls, row: Mapping[str, Any]) -> PersonData:
        required = {name: row.get(name) for name in REQUIRED_FIELDS}
        return cls(**required, **{name: row[name] for name in PERSON_FIELDS[8:] if name in row})


PERSON_FIELDS = tuple(f.name for f in fields(PersonData))
REQUIRED_FIELDS = PERSON_FIELDS[:8]


@dataclass
class CheckContext:
    """What rules may know beyond the record: loaded kecamatan codes, today's date.

    `known_regions` None means "do not check regions" (no regions loaded). The NIK is validated
    once per person and shared by the NIK rules; their vectorised forms are built once per
    context (a run), in the language active then.
    """

    known_regions: Collection[str] | None = None
    today: dt.date | None = None
    _nik_key: tuple[Any, ...] | None = field(default=None, repr=False)
    _nik_problems: list[Problem] = field(default_factory=list, repr=False)
    _nik_hits: dict[str, VectorHit] | None = field(default=None, repr=False)

    def nik_problems(self, person: PersonData) -> list[Problem]:
        key = (person.nik, person.birth_date, person.sex)
        if key != self._nik_key:
            self._nik_problems = validate_nik(
                person.nik,
                birth_date=person.birth_date,
                sex=person.sex,
                known_regions=self.known_regions,
                today=self.today,
            )
            self._nik_key = key
        return self._nik_problems

    def nik_hits(self) -> dict[str, VectorHit]:
        """`validate_nik`'s problems as `VectorHit`s by code, for the NIK rules' vector forms."""
        if self._nik_hits is None:
            known = None if self.known_regions is None else list(self.known_regions)
            self._nik_hits = nik_hits(known)
        return self._nik_hits


@dataclass(frozen=True)
class Hit:
    """One thing a rule found: the field concerned, and the values its message template needs.

    `message` overrides the template when the rule reuses an already translated text.
    """

    field: str
    params: Mapping[str, Any] = field(default_factory=dict)
    message: str | None = None


# A person rule checks a `PersonData`, a family rule a `family_vector.FamilyData`.
Check = Callable[[Any, CheckContext], Iterable[Hit]]
Vector = Callable[[CheckContext], list[VectorHit]]


@dataclass(frozen=True)
class Rule:
    """A registered check: stable code, severity, level, message msgid, its legal basis, the
    per-record check and its vectorised form."""

    code: str
    severity: str
    level: str
    message: str  # an English msgid, translated when a finding is made
    regulation: str
    check: Check
    vector: Vector | None = None

    def findings(self, subject: Any, context: CheckContext) -> list[RuleFinding]:
        """At most one finding per subject (one open finding per rule and subject is a
        database invariant); several hits are joined into one message."""
        hits = list(self.check(subject, context))
        if not hits:
            return []
        messages = [hit.message or gettext(self.message) % dict(hit.params) for hit in hits]
        return [
            RuleFinding(
                rule=self.code,
                severity=self.severity,
                level=self.level,
                field=hits[0].field,
                message="; ".join(messages),
            )
        ]

    def expressions(self, context: CheckContext) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
        """The vectorised `findings`: (hit, field, message) expressions per row, with the
        templates translated now, in the active language. Several hits on a row give the first
        one's field and the messages joined by "; ", as on the per-record path."""
        assert self.vector is not None, f"rule {self.code} has no vectorised form"
        hits = self.vector(context)
        whens = [hit.when.fill_null(False) for hit in hits]
        messages = [sentence(gettext(hit.template or self.message), hit.params) for hit in hits]
        if len(hits) == 1:
            return whens[0], pl.lit(hits[0].field), messages[0]
        fields_ = [
            pl.when(when).then(pl.lit(hit.field)) for when, hit in zip(whens, hits, strict=True)
        ]
        message = pl.concat_str(
            [pl.when(when).then(text) for when, text in zip(whens, messages, strict=True)],
            separator="; ",
            ignore_nulls=True,
        )
        return pl.any_horizontal(whens), pl.coalesce(fields_), message


@dataclass(frozen=True)
class RuleFinding:
    """What a rule found on one subject, ready to be stored as a `Finding`."""

    rule: str
    severity: str
    level: str
    field: str
    message: str


RULES: dict[str, Rule] = {}


def register(
    code: str,
    *,
    severity: str,
    level: str,
    message: str,
    regulation: str,
    vector: Vector | None = None,
) -> Callable[[Check], Check]:
    """Decorator entering a check function in `RULES` under `code` (codes are a contract).

    Every rule must bring its vectorised form (`vector`): the registry is checked with it.
    """

    if vector is None:
        raise ValueError(f"{level} rule {code} needs its vectorised form")
    if level not in (PERSON, FAMILY):
        raise ValueError(f"rule {code}: unknown level {level}")

    def enter(check: Check) -> Check:
        if code in RULES:
            raise ValueError(f"rule {code} registered twice")
        RULES[code] = Rule(code, severity, level, message, regulation, check, vector)
        return check

    return enter


def rules_for(level: str) -> list[Rule]:
    return [rule for rule in RULES.values() if rule.level == level]


def check_person(
    person: PersonData, context: CheckContext, rules: Iterable[Rule] | None = None
) -> list[RuleFinding]:
    """Every finding of every person-level rule (or of `rules`) on `person`."""
    chosen = rules_for(PERSON) if rules is None else rules
    return [found for rule in chosen for found in rule.findings(person, context)]


class FrameCheck:
    """Every person rule's vectorised form, built once for a run (messages translated then)
    and applied to frames of persons (`vector.PERSON_SCHEMA` columns)."""

    def __init__(self, context: CheckContext, rules: Iterable[Rule] | None = None) -> None:
        chosen = rules_for(PERSON) if rules is None else list(rules)
        self.today = context.today or dt.date.today()
        self.parts = [(rule, *rule.expressions(context)) for rule in chosen]

    def __call__(self, frame: pl.DataFrame) -> pl.DataFrame:
        """One row per rule and person it finds something on (`vector.FOUND_SCHEMA`)."""
        if not self.parts or frame.is_empty():
            return empty_found()
        prepared = with_nik_columns(frame.lazy(), self.today)
        found = [
            prepared.filter(hit).select(
                person_id=pl.col("id"),
                rule=pl.lit(rule.code),
                severity=pl.lit(rule.severity),
                field=field_,
                message=message,
            )
            for rule, hit, field_, message in self.parts
        ]
        return pl.concat(found).collect().cast(FOUND_SCHEMA)


class Checker:
    """The person rules over a frame of persons, as `FrameCheck` gives them: vectorised, or
    record by record for a frame under `vectorised_from` rows (a family just saved), where
    planning the expressions would cost more (~8 ms) than checking a few persons (~10 µs
    each). The two forms give the same rows."""

    vectorised_from = 500

    def __init__(self, context: CheckContext, rules: Iterable[Rule] | None = None) -> None:
        self.context = context
        self.rules = rules_for(PERSON) if rules is None else list(rules)
        self._frame_check: FrameCheck | None = None

    def __call__(self, frame: pl.DataFrame) -> pl.DataFrame:
        if frame.height < self.vectorised_from:
            return self.per_record(frame)
        if self._frame_check is None:  # built (and its messages translated) once per run
            self._frame_check = FrameCheck(self.context, self.rules)
        return self._frame_check(frame)

    def per_record(self, frame: pl.DataFrame) -> pl.DataFrame:
        rows = [
            (person.id, found.rule, found.severity, found.field, found.message)
            for person in starmap(PersonData, frame.iter_rows())
            for found in check_person(person, self.context, self.rules)
        ]
        return pl.DataFrame(rows, schema=FOUND_SCHEMA, orient="row")


def check_frame(
    frame: pl.DataFrame, context: CheckContext, rules: Iterable[Rule] | None = None
) -> pl.DataFrame:
    """`check_person` over every row of `frame` at once (see `FrameCheck`)."""
    return FrameCheck(context, rules)(frame)
