"""Family rules' data: one family as plain data (`FamilyData`), and a chunk of families as two
polars frames (families; their members), with the columns the vectorised family rules read.

A family rule sees the family's status, the programs it receives this month, and its current
members who are active persons (relationship, birth date, presence, name). Over the registry
the same rule runs as expressions over the prepared frames (`prepare`): on the family rows for a
fact about the family, on the member rows (`VectorHit.per_member`) for a fact about one member,
one message per member in member order, as the per-record form loops. `FamilyFrameCheck` runs
every family rule over a chunk; `FamilyChecker` picks per-record or vectorised by size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, field

import polars as pl
from django.utils.translation import gettext

from dtks.registry.choices import Presence, Program, RecordStatus, Relationship

from .base import FAMILY, CheckContext, Rule, RuleFinding, rules_for
from .vector import VectorHit, age, sentence

ACTIVE, INACTIVE = RecordStatus.ACTIVE.value, RecordStatus.INACTIVE.value
HEAD, SPOUSE, CHILD = Relationship.HEAD.value, Relationship.SPOUSE.value, Relationship.CHILD.value
DIED = Presence.DIED.value  # Regsosek keberadaan: meninggal

FAMILY_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "status": pl.String(),
    "programs": pl.List(pl.String()),
}
MEMBER_SCHEMA: dict[str, pl.DataType] = {
    "family_id": pl.Int64(),
    "person_id": pl.Int64(),
    "name": pl.String(),
    "relationship": pl.Int64(),
    "birth_date": pl.Date(),
    "presence": pl.Int64(),
}
FAMILY_FOUND_SCHEMA: dict[str, pl.DataType] = {
    "family_id": pl.Int64(),
    "rule": pl.String(),
    "severity": pl.String(),
    "field": pl.String(),
    "message": pl.String(),
}


@dataclass(frozen=True)
class MemberData:
    """A current member of the family who is an active person."""

    person_id: int | None
    name: str
    relationship: int | None
    birth_date: dt.date | None
    presence: int | None = None


@dataclass(frozen=True)
class FamilyData:
    """A family as the family rules read it: `programs` are the codes of the programs it
    receives this month, `members` its current members who are active persons, in order."""

    id: int | None
    status: str
    programs: Sequence[str] = ()
    members: Sequence[MemberData] = field(default_factory=tuple)

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE

    def the_head(self) -> MemberData | None:
        """The head, when there is exactly one (otherwise `family_head_count` speaks)."""
        heads = [m for m in self.members if m.relationship == HEAD]
        return heads[0] if len(heads) == 1 else None


def program_labels() -> dict[str, str]:
    """Program code → its label in the active language."""
    return {code: str(label) for code, label in Program.choices}


def programs_text(codes: Iterable[str], labels: dict[str, str]) -> str:
    return ", ".join(labels.get(code, code) for code in codes)


def family_frames(families: Iterable[FamilyData]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Plain families as the two frames the vectorised rules read."""
    rows, members = [], []
    for family in families:
        rows.append((family.id, family.status, list(family.programs)))
        members += [(family.id, *astuple(m)) for m in family.members]
    return (
        pl.DataFrame(rows, schema=FAMILY_SCHEMA, orient="row"),
        pl.DataFrame(members, schema=MEMBER_SCHEMA, orient="row"),
    )


def family_data(families: pl.DataFrame, members: pl.DataFrame) -> list[FamilyData]:
    """The frames back as plain families (members in frame order), for the per-record rules."""
    by_family: dict[int, list[MemberData]] = defaultdict(list)
    for family_id, *values in members.iter_rows():
        by_family[family_id].append(MemberData(*values))
    return [
        FamilyData(pk, status, tuple(programs or ()), tuple(by_family.get(pk, ())))
        for pk, status, programs in families.iter_rows()
    ]


def prepare(
    families: pl.LazyFrame, members: pl.LazyFrame, today: dt.date, labels: dict[str, str]
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The frames with what the family rules read, computed once per chunk.

    Family rows: `_active`, `_head_count`, `_head_name` and `_head_born` (the first head's),
    `_n_programs`, `_programs` (labels joined by ", "), `_died` (names of died members joined
    by ", ", null when none). Member rows: `_pos` (order in the family), `_age` (completed
    years on `today`), and the family's `_active`, `_head_count`, `_head_name`, `_head_born`.
    """
    members = members.with_columns(
        _pos=pl.int_range(pl.len()).over("family_id"), _age=age(pl.col("birth_date"), today)
    )
    heads = (
        members.filter(pl.col("relationship") == HEAD)
        .group_by("family_id")
        .agg(
            _head_count=pl.len(),
            _head_name=pl.col("name").first(),
            _head_born=pl.col("birth_date").first(),
        )
    )
    died = (
        members.filter(pl.col("presence") == DIED)
        .group_by("family_id")
        .agg(_died=pl.col("name").fill_null("").str.join(", "))
    )
    families = (
        families.join(heads, left_on="id", right_on="family_id", how="left")
        .join(died, left_on="id", right_on="family_id", how="left")
        .with_columns(
            _active=(pl.col("status") == ACTIVE).fill_null(False),
            _head_count=pl.col("_head_count").fill_null(0),
            _n_programs=pl.col("programs").list.len().fill_null(0),
            _programs=pl.col("programs")
            .list.eval(pl.element().replace(labels))
            .list.join(", ")
            .fill_null(""),
        )
    )
    family_columns = ["_active", "_head_count", "_head_name", "_head_born"]
    members = members.join(
        families.select(pl.col("id").alias("family_id"), *family_columns),
        on="family_id",
        how="left",
    )
    return families, members


class FamilyFrameCheck:
    """Every family rule's vectorised form, built once for a run (messages translated then),
    applied to a chunk of families and members (`FAMILY_SCHEMA`, `MEMBER_SCHEMA`)."""

    def __init__(self, context: CheckContext, rules: Iterable[Rule] | None = None) -> None:
        chosen = rules_for(FAMILY) if rules is None else list(rules)
        self.today = context.today or dt.date.today()
        self.labels = program_labels()
        self.parts = []
        for rule in chosen:
            assert rule.vector is not None, f"rule {rule.code} has no vectorised form"
            for order, hit in enumerate(rule.vector(context)):
                message = sentence(gettext(hit.template or rule.message), hit.params)
                self.parts.append((rule, order, hit, message))

    def __call__(self, families: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
        """One row per rule and family it finds something on (`FAMILY_FOUND_SCHEMA`)."""
        if not self.parts or families.is_empty():
            return pl.DataFrame(schema=FAMILY_FOUND_SCHEMA)
        prepared = prepare(families.lazy(), members.lazy(), self.today, self.labels)
        hits = [self._hits(prepared, *part) for part in self.parts]
        return (
            pl.concat(hits)
            .sort("family_id", "rule", "_hit", "_pos")
            .group_by("family_id", "rule", maintain_order=True)
            .agg(
                pl.col("severity").first(),
                pl.col("field").first(),
                pl.col("message").str.join("; "),
            )
            .collect()
            .cast(FAMILY_FOUND_SCHEMA)
        )

    @staticmethod
    def _hits(
        prepared: tuple[pl.LazyFrame, pl.LazyFrame],
        rule: Rule,
        order: int,
        hit: VectorHit,
        message: pl.Expr,
    ) -> pl.LazyFrame:
        families, members = prepared
        source, key = (members, "family_id") if hit.per_member else (families, "id")
        position = pl.col("_pos") if hit.per_member else pl.lit(0, pl.Int64)
        return source.filter(hit.when.fill_null(False)).select(
            family_id=pl.col(key),
            rule=pl.lit(rule.code),
            severity=pl.lit(rule.severity),
            _hit=pl.lit(order, pl.Int64),
            _pos=position.cast(pl.Int64),
            field=pl.lit(hit.field),
            message=message,
        )


class FamilyChecker:
    """The family rules over a chunk: record by record for fewer than `vectorised_from`
    families (a family just saved: planning the expressions costs more than checking it),
    vectorised above. The two forms give the same rows."""

    vectorised_from = 200

    def __init__(self, context: CheckContext, rules: Iterable[Rule] | None = None) -> None:
        self.context = context
        self.rules = rules_for(FAMILY) if rules is None else list(rules)
        self._frame_check: FamilyFrameCheck | None = None

    def __call__(self, families: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
        if families.height < self.vectorised_from:
            return self.per_record(families, members)
        if self._frame_check is None:
            self._frame_check = FamilyFrameCheck(self.context, self.rules)
        return self._frame_check(families, members)

    def per_record(self, families: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
        rows = [
            (family.id, found.rule, found.severity, found.field, found.message)
            for family in family_data(families, members)
            for found in check_family(family, self.context, self.rules)
        ]
        return pl.DataFrame(rows, schema=FAMILY_FOUND_SCHEMA, orient="row")


def check_family(
    family: FamilyData, context: CheckContext, rules: Iterable[Rule] | None = None
) -> list[RuleFinding]:
    """Every finding of every family-level rule (or of `rules`) on `family`."""
    chosen = rules_for(FAMILY) if rules is None else rules
    return [found for rule in chosen for found in rule.findings(family, context)]


def check_families(
    families: Iterable[FamilyData], context: CheckContext, rules: Iterable[Rule] | None = None
) -> pl.DataFrame:
    """`check_family` over many families at once, vectorised (`FamilyFrameCheck`)."""
    return FamilyFrameCheck(context, rules)(*family_frames(families))
