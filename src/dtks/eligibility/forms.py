"""Forms of the eligibility pages. They parse input; `actions` decides and saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dtks.registry.choices import ASSET_FIELDS, Program
from dtks.registry.models import Family

from .actions import MAX_AREA_LIMIT
from .criteria import AREA, ASSESSABLE, Criterion, CriterionConfig, RuleSet
from .queries import CHANGES, Cutoff

DESIL_CHOICES = [(n, str(n)) for n in range(1, 11)]


def asset_choices() -> list[tuple[str, str]]:
    return [(name, str(Family._meta.get_field(name).verbose_name)) for name in ASSET_FIELDS]


class CriteriaForm(forms.Form):
    """The whole rule set on one page: per criterion whether it counts and its codes (or the
    m² limit), then the threshold and the high-value assets."""

    threshold = forms.IntegerField(label=_("Flag when fewer criteria are met than"), min_value=1)
    min_assets = forms.IntegerField(
        label=_("and at least this many high-value assets are held"), min_value=1
    )
    assets = forms.MultipleChoiceField(
        label=_("High-value assets"), choices=asset_choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, rules: RuleSet, **kwargs: Any) -> None:
        initial = {"threshold": rules.threshold, "min_assets": rules.min_assets}
        initial["assets"] = list(rules.assets)
        for criterion in ASSESSABLE:
            config = rules.config(criterion)
            initial[f"{criterion.code}_enabled"] = config.enabled
            if criterion.kind == AREA:
                initial[f"{criterion.code}_limit"] = config.limit
            else:
                initial[f"{criterion.code}_values"] = sorted(config.values)
        super().__init__(*args, initial=initial, **kwargs)
        for criterion in ASSESSABLE:
            self.fields.update(self._criterion_fields(criterion))

    @staticmethod
    def _criterion_fields(criterion: Criterion) -> dict[str, forms.Field]:
        fields: dict[str, forms.Field] = {
            f"{criterion.code}_enabled": forms.BooleanField(label=criterion.label, required=False)
        }
        if criterion.kind == AREA:
            fields[f"{criterion.code}_limit"] = forms.IntegerField(
                label=_("m² per member"), min_value=1, max_value=MAX_AREA_LIMIT, required=False
            )
        else:
            fields[f"{criterion.code}_values"] = forms.TypedMultipleChoiceField(
                label=_("Codes that meet it"), choices=criterion.choices.choices, coerce=int,
                required=False, widget=forms.CheckboxSelectMultiple,
            )  # fmt: skip
        return fields

    def criteria_rows(self) -> list[tuple[Criterion, forms.BoundField, forms.BoundField]]:
        """Per criterion, its 'counted' box and its codes (or limit), for the template."""
        rows = []
        for criterion in ASSESSABLE:
            detail = "limit" if criterion.kind == AREA else "values"
            rows.append(
                (criterion, self[f"{criterion.code}_enabled"], self[f"{criterion.code}_{detail}"])
            )
        return rows

    def configs(self) -> dict[str, CriterionConfig]:
        data = self.cleaned_data
        return {
            k.code: CriterionConfig(
                bool(data.get(f"{k.code}_enabled")),
                frozenset(data.get(f"{k.code}_values") or ()),
                data.get(f"{k.code}_limit"),
            )
            for k in ASSESSABLE
        }


class CutoffForm(forms.Form):
    """A program and a desil cut-off (e.g. PKH, desil ≤ 4)."""

    program = forms.ChoiceField(label=_("Program"), choices=Program.choices)
    cutoff = forms.TypedChoiceField(
        label=_("Desil at most"), choices=DESIL_CHOICES, coerce=int, initial=4
    )

    def cutoff_value(self) -> Cutoff:
        return Cutoff(self.cleaned_data["program"], self.cleaned_data["cutoff"])


class DrillForm(CutoffForm):
    """One desa's families that a cut-off would add, drop or keep."""

    desa = forms.CharField(max_length=13)
    change = forms.ChoiceField(choices=[(c, c) for c in CHANGES])
