"""What the pages show of an evaluation: each criterion with its state and the family's answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dtks.registry.models import Family

from .criteria import AREA, ASSESSABLE, Criterion, Evaluation, RuleSet

if TYPE_CHECKING:
    from collections.abc import Mapping

MET, NOT_MET, UNKNOWN, NOT_COUNTED = "met", "not_met", "unknown", "not_counted"


@dataclass(frozen=True)
class CriterionRow:
    criterion: Criterion
    state: str
    answer: str  # the family's recorded answer, as shown ("" when unknown)


def _answer(criterion: Criterion, facts: Mapping[str, Any]) -> str:
    value = facts.get(criterion.field or "")
    if value is None:
        return ""
    if criterion.kind == AREA:
        members = facts.get("members") or 0
        if not members:
            return _("%(area)s m², no current member") % {"area": value}
        each = number_format(value / members, 1)
        return _("%(area)s m² for %(n)s members (%(each)s m² each)") % {
            "area": value, "n": members, "each": each,
        }  # fmt: skip
    return str(dict(criterion.choices.choices).get(value, value))


def criterion_rows(
    facts: Mapping[str, Any], evaluation: Evaluation, rules: RuleSet
) -> list[CriterionRow]:
    """Every assessable criterion in catalogue order: met, not met, unknown or not counted."""
    states = {code: MET for code in evaluation.met}
    states |= {code: NOT_MET for code in evaluation.not_met}
    states |= {code: UNKNOWN for code in evaluation.unknown}
    return [CriterionRow(k, states.get(k.code, NOT_COUNTED), _answer(k, facts)) for k in ASSESSABLE]


def asset_label(name: str) -> str:
    return str(Family._meta.get_field(name).verbose_name)


def asset_labels(names: tuple[str, ...] | list[str]) -> list[str]:
    return [asset_label(n) for n in names]
