"""The shape of a data-quality rule and the one registry all rules are entered in.

A rule is a pure function over plain data (a `PersonData`, never an ORM object), so it runs the
same in the nightly check, after a form is saved, in an import preview and in tests. What it
returns are `Hit`s (which field, and the values its message needs); the runner turns them into
findings with the rule's code, severity, level and translated message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from django.utils.translation import gettext

from dtks.core.nik import Problem, validate_nik

ERROR = "error"
WARNING = "warning"
PERSON = "person"
FAMILY = "family"


@dataclass(frozen=True)
class PersonData:
    """The fields of a person the person-level rules read (a `.values()` row fits)."""

    id: int | None
    nik: str
    name: str
    birth_place: str
    birth_date: dt.date | None
    sex: int | None
    marital_status: int | None
    mother_name: str

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return PERSON_FIELDS

    @classmethod
    def from_values(cls, row: Mapping[str, Any]) -> PersonData:
        return cls(*[row.get(name) for name in PERSON_FIELDS])


PERSON_FIELDS = tuple(f.name for f in fields(PersonData))


@dataclass
class CheckContext:
    """What rules may know beyond the record: loaded kecamatan codes, today's date.

    `known_regions` None means "do not check regions" (no regions loaded). The NIK is validated
    once per person and shared by the NIK rules.
    """

    known_regions: Container[str] | None = None
    today: dt.date | None = None
    _nik_key: tuple[Any, ...] | None = field(default=None, repr=False)
    _nik_problems: list[Problem] = field(default_factory=list, repr=False)

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


@dataclass(frozen=True)
class Hit:
    """One thing a rule found: the field concerned, and the values its message template needs.

    `message` overrides the template when the rule reuses an already translated text.
    """

    field: str
    params: Mapping[str, Any] = field(default_factory=dict)
    message: str | None = None


Check = Callable[[PersonData, CheckContext], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """A registered check: stable code, severity, level, message msgid, and its legal basis."""

    code: str
    severity: str
    level: str
    message: str  # an English msgid, translated when a finding is made
    regulation: str
    check: Check

    def findings(self, person: PersonData, context: CheckContext) -> list[RuleFinding]:
        """At most one finding per subject (one open finding per rule and subject is a
        database invariant); several hits are joined into one message."""
        hits = list(self.check(person, context))
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
    code: str, *, severity: str, level: str, message: str, regulation: str
) -> Callable[[Check], Check]:
    """Decorator entering a check function in `RULES` under `code` (codes are a contract)."""

    def enter(check: Check) -> Check:
        if code in RULES:
            raise ValueError(f"rule {code} registered twice")
        RULES[code] = Rule(code, severity, level, message, regulation, check)
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
