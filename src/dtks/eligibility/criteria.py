"""The poverty criteria of Kepmensos 146/HUK/2013 judged from a family's Regsosek answers.

Each criterion that the registry can judge is a predicate over one Family attribute: a set of
Regsosek codes that meet it (walls, floor, roof, lighting, drinking water, cooking fuel,
toilet), or floor area per current member below a limit. Which codes meet a criterion, which
criteria count, how many must hold and which assets are high-value are a `RuleSet`, edited by
the kabupaten (`CriteriaSet`): the decree does not say how many must hold (DOMAIN.md §6).

Three answers per criterion: True (met), False (not met), None (unknown: the attribute was not
recorded). An unknown never counts as met or as not met. A family is an inclusion-error
candidate ("indikasi tidak layak") only when the answer does not hang on its unknowns: even if
every unknown criterion held it would meet fewer than the threshold, and it holds at least
`min_assets` of the high-value assets (an unanswered asset is not held).

The same definitions give two forms: `evaluate` for one family (the family page) and
`assessment_sql` for the whole registry (`dtks assess`); tests hold them to the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import IntegerChoices
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dtks.registry import choices as c
from dtks.registry.models import Family

CODES = "codes"  # met when the attribute holds one of the chosen Regsosek codes
AREA = "area"  # met when floor area per current member is below the limit (m²)
NONE = "none"  # not assessable from the registry's data

FAMILY_TABLE = Family._meta.db_table
DECREE = "Kepmensos 146/HUK/2013"
BPS = "BPS"


@dataclass(frozen=True)
class Criterion:
    """One criterion: what it says, where it comes from, and how the registry judges it."""

    code: str
    label: Promise
    source: str  # DECREE or BPS (the older 14-criteria list: not part of the decree)
    number: int | None  # its number in the decree
    kind: str
    field: str | None = None
    choices: type[IntegerChoices] | None = None
    default_values: tuple[int, ...] = ()
    default_limit: int | None = None
    default_enabled: bool = True
    unconfirmed: bool = False
    note: Promise | None = None


CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "livelihood", _("No livelihood, or one that cannot meet basic needs"), DECREE, 1, NONE
    ),
    Criterion("food", _("Spending mostly on very simple staple food"), DECREE, 2, NONE),
    Criterion(
        "healthcare", _("Cannot afford treatment except at a Puskesmas or subsidised"), DECREE,
        3, NONE,
    ),
    Criterion("clothing", _("Cannot buy clothes once a year for each member"), DECREE, 4, NONE),
    Criterion("schooling", _("Can school children only up to SLTP"), DECREE, 5, NONE),
    Criterion(
        "wall", _("Walls of bamboo or wood"), DECREE, 6, CODES, "wall", c.Wall,
        (c.Wall.PLASTERED_BAMBOO, c.Wall.WOOD, c.Wall.WOVEN_BAMBOO, c.Wall.LOGS, c.Wall.BAMBOO),
        note=_("The condition of masonry walls is not recorded."),
    ),
    Criterion(
        "floor", _("Floor of earth, bamboo or wood"), DECREE, 7, CODES, "floor", c.Floor,
        (c.Floor.WOOD, c.Floor.BAMBOO, c.Floor.EARTH),
        note=_("The condition of cement or ceramic floors is not recorded."),
    ),
    Criterion(
        "roof", _("Roof of palm fibre, thatch or bamboo"), DECREE, 8, CODES, "roof", c.Roof,
        (c.Roof.BAMBOO, c.Roof.STRAW),
        note=_("The condition of tile, zinc or asbestos roofs is not recorded."),
    ),
    Criterion(
        "lighting", _("Lighting not electric, or electric without a meter"), DECREE, 9, CODES,
        "lighting", c.Lighting,
        (c.Lighting.PLN_UNMETERED, c.Lighting.NON_PLN, c.Lighting.NOT_ELECTRIC),
    ),
    Criterion(
        "floor_area", _("Floor area below the limit per member"), DECREE, 10, AREA, "floor_area",
        default_limit=8,
    ),
    Criterion(
        "drinking_water", _("Drinking water from an unprotected well or spring, a river or rain"),
        DECREE, 11, CODES, "drinking_water", c.DrinkingWater,
        (
            c.DrinkingWater.UNPROTECTED_WELL, c.DrinkingWater.UNPROTECTED_SPRING,
            c.DrinkingWater.SURFACE, c.DrinkingWater.RAIN,
        ),
        unconfirmed=True,
    ),
    Criterion(
        "cooking_fuel", _("Cooks with firewood, charcoal or kerosene"), BPS, None, CODES,
        "cooking_fuel", c.CookingFuel,
        (c.CookingFuel.KEROSENE, c.CookingFuel.CHARCOAL, c.CookingFuel.FIREWOOD),
        default_enabled=False,
    ),
    Criterion(
        "toilet", _("No toilet of its own"), BPS, None, CODES, "toilet", c.Toilet,
        (c.Toilet.SHARED, c.Toilet.COMMUNAL, c.Toilet.PUBLIC, c.Toilet.UNUSED, c.Toilet.NONE),
        default_enabled=False,
    ),
)  # fmt: skip

BY_CODE: dict[str, Criterion] = {k.code: k for k in CRITERIA}
ASSESSABLE: tuple[Criterion, ...] = tuple(k for k in CRITERIA if k.kind != NONE)
NOT_ASSESSABLE: tuple[Criterion, ...] = tuple(k for k in CRITERIA if k.kind == NONE)
# Family attributes a judgement reads (plus the number of current members).
FACT_FIELDS: tuple[str, ...] = tuple(k.field for k in ASSESSABLE if k.field) + c.ASSET_FIELDS
DEFAULT_ASSETS: tuple[str, ...] = (
    "asset_car", "asset_motor_boat", "asset_ac", "asset_water_heater", "asset_gold",
    "asset_computer", "asset_flat_tv",
)  # fmt: skip
DEFAULT_THRESHOLD = 2
DEFAULT_MIN_ASSETS = 2


@dataclass(frozen=True)
class CriterionConfig:
    """How the kabupaten applies one criterion: counted or not, and its codes or limit."""

    enabled: bool
    values: frozenset[int] = frozenset()
    limit: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"enabled": self.enabled, "values": sorted(self.values), "limit": self.limit}


@dataclass(frozen=True)
class RuleSet:
    """The rules in force: a family meeting fewer than `threshold` enabled criteria and holding
    at least `min_assets` of `assets` is an inclusion-error candidate."""

    threshold: int
    min_assets: int
    assets: tuple[str, ...]
    criteria: Mapping[str, CriterionConfig] = field(default_factory=dict)

    def enabled(self) -> tuple[Criterion, ...]:
        """The counted criteria, in catalogue order."""
        return tuple(k for k in ASSESSABLE if self.config(k).enabled)

    def config(self, criterion: Criterion) -> CriterionConfig:
        return self.criteria.get(criterion.code) or default_config(criterion)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for the audit trail."""
        return {
            "threshold": self.threshold,
            "min_assets": self.min_assets,
            "assets": list(self.assets),
            "criteria": {k.code: self.config(k).as_dict() for k in ASSESSABLE},
        }


def default_config(criterion: Criterion) -> CriterionConfig:
    return CriterionConfig(
        criterion.default_enabled, frozenset(criterion.default_values), criterion.default_limit
    )


def default_rules() -> RuleSet:
    """The rule set the data migration seeds."""
    return RuleSet(
        DEFAULT_THRESHOLD,
        DEFAULT_MIN_ASSETS,
        DEFAULT_ASSETS,
        {k.code: default_config(k) for k in ASSESSABLE},
    )


def judge(criterion: Criterion, config: CriterionConfig, facts: Mapping[str, Any]) -> bool | None:
    """Whether the family of `facts` meets `criterion`; None when its attribute is unknown.

    `facts` holds the Family attributes of `FACT_FIELDS` and `members` (current members).
    Floor area per member is compared as `area < limit × members`, in whole numbers, so the
    SQL form gives the same answer at the boundary.
    """
    value = facts.get(criterion.field or "")
    if value is None:
        return None
    if criterion.kind == AREA:
        members = facts.get("members") or 0
        if members <= 0 or config.limit is None:
            return None
        return value < config.limit * members
    return value in config.values


@dataclass(frozen=True)
class Evaluation:
    """A family judged against a rule set: which criteria hold, which do not, which are
    unknown; which high-value assets it holds; and the flag."""

    met: tuple[str, ...]
    not_met: tuple[str, ...]
    unknown: tuple[str, ...]
    assets_held: tuple[str, ...]
    assets_unknown: tuple[str, ...]
    flagged: bool

    @property
    def counted(self) -> int:
        return len(self.met) + len(self.not_met) + len(self.unknown)


def evaluate(facts: Mapping[str, Any], rules: RuleSet) -> Evaluation:
    """Judge one family (the per-record form of `assessment_sql`)."""
    answers = {k.code: judge(k, rules.config(k), facts) for k in rules.enabled()}
    met = tuple(code for code, a in answers.items() if a is True)
    unknown = tuple(code for code, a in answers.items() if a is None)
    held = tuple(a for a in rules.assets if facts.get(a) is True)
    return Evaluation(
        met=met,
        not_met=tuple(code for code, a in answers.items() if a is False),
        unknown=unknown,
        assets_held=held,
        assets_unknown=tuple(a for a in rules.assets if facts.get(a) is None),
        flagged=is_flagged(len(met), len(unknown), len(held), rules),
    )


def is_flagged(met: int, unknown: int, held: int, rules: RuleSet) -> bool:
    """Few criteria even counting every unknown as met, and enough high-value assets."""
    return met + unknown < rules.threshold and held >= rules.min_assets


# --- The vectorised form: one SELECT over the family table, for `dtks assess` ---


def _criterion_sql(criterion: Criterion, config: CriterionConfig, quote: Any) -> str:
    """1 met, 0 not met, NULL unknown: `judge` as a SQL expression over `f` and `m.n`."""
    column = f"f.{quote(criterion.field)}"
    if criterion.kind == AREA:
        limit = int(config.limit or 0)
        return (
            f"CASE WHEN {column} IS NULL OR COALESCE(m.n, 0) = 0 THEN NULL"
            f" WHEN {column} < {limit} * m.n THEN 1 ELSE 0 END"
        )
    values = ", ".join(str(int(v)) for v in sorted(config.values)) or "NULL"
    return f"CASE WHEN {column} IS NULL THEN NULL WHEN {column} IN ({values}) THEN 1 ELSE 0 END"


def _listing(columns: Sequence[tuple[str, str]], when: str) -> str:
    """The codes whose column satisfies `when`, comma-separated in order ('' when none)."""
    if not columns:
        return "''"
    parts = " || ".join(
        f"CASE WHEN {col} {when} THEN '{code},' ELSE '' END" for code, col in columns
    )
    return f"rtrim({parts}, ',')"


def assessment_sql(rules: RuleSet, quote: Any, *, members: str, where: str, fence: str = "") -> str:
    """A SELECT of the `Assessment` columns for the families that `where` keeps.

    `members` is a query of `(family_id, n)`: current member counts, joined as `m`; `where` a
    condition on `f`, the family table. The one parameter left is the timestamp. Codes and
    limits are integers of the validated rule set, inlined so the planner sees constants.
    `fence` (PostgreSQL: " OFFSET 0") keeps the planner from inlining the per-criterion
    columns into every expression that reads them, so each is computed once per family.
    """
    enabled = rules.enabled()
    criteria = [(k.code, f"c_{i}") for i, k in enumerate(enabled)]
    assets = [(a, f"a_{i}") for i, a in enumerate(rules.assets)]
    inner = [
        f"{_criterion_sql(k, rules.config(k), quote)} AS c_{i}" for i, k in enumerate(enabled)
    ] + [f"CASE WHEN f.{quote(a)} THEN 1 ELSE 0 END AS a_{i}" for i, a in enumerate(rules.assets)]
    met = " + ".join(f"COALESCE({col}, 0)" for _, col in criteria) or "0"
    unknown = " + ".join(f"CASE WHEN {col} IS NULL THEN 1 ELSE 0 END" for _, col in criteria)
    held = " + ".join(col for _, col in assets) or "0"
    return (
        "SELECT family_id, members, met_count, unknown_count, met, unknown, held_count, assets,"
        f" (met_count + unknown_count < {int(rules.threshold)}"
        f" AND held_count >= {int(rules.min_assets)}) AS flagged, %s AS assessed_at"
        f" FROM (SELECT family_id, members, {met} AS met_count, {unknown or '0'} AS unknown_count,"
        f" {_listing(criteria, '= 1')} AS met, {_listing(criteria, 'IS NULL')} AS unknown,"
        f" {held} AS held_count, {_listing(assets, '= 1')} AS assets"
        f" FROM (SELECT {', '.join(['f.id AS family_id', 'COALESCE(m.n, 0) AS members', *inner])}"
        f" FROM {quote(FAMILY_TABLE)} f LEFT JOIN ({members}) m ON m.family_id = f.id"
        f" WHERE {where}{fence}) judged) counted"
    )
