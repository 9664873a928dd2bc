"""Eligibility pages under /kelayakan/: flagged families, the rule set, the desil what-if, and
the panel on the family page. Parse → authorise → query or action → render; lists start from
`Family.objects.visible_to(user)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from dtks.accounts.roles import Perm
from dtks.accounts.scope import in_area
from dtks.core.errors import DomainError
from dtks.registry.choices import Program

from . import actions, queries
from .criteria import ASSESSABLE, NOT_ASSESSABLE, Criterion, CriterionConfig, evaluate
from .forms import CriteriaForm, CutoffForm, DrillForm
from .models import RULE_SET_PK, Assessment, CriteriaSet, current_rules
from .presenters import asset_labels, criterion_rows

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from django.utils.safestring import SafeString

    from dtks.registry.models import Family

PAGE_SIZE = 50


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.can(perm):
        raise PermissionDenied


def family_panel(request: HttpRequest, family: Family) -> SafeString:
    """The criteria of one family on its page (a `DTKS_FAMILY_PANELS` hook of the registry):
    judged now, against the rule set in force, with its desil."""
    rules = current_rules()
    facts = queries.family_facts(family)
    evaluation = evaluate(facts, rules)
    context = {
        "family": family,
        "rules": rules,
        "evaluation": evaluation,
        "rows": criterion_rows(facts, evaluation, rules),
        "not_assessable": NOT_ASSESSABLE,
        "assets_held": asset_labels(evaluation.assets_held),
        "assets_unknown": asset_labels(evaluation.assets_unknown),
    }
    return render_to_string("eligibility/family_panel.html", context, request=request)


def _last_run() -> dict:
    """When the stored assessments were made, and whether the rules changed since."""
    last = Assessment.objects.aggregate(at=Max("assessed_at"))["at"]
    changed = CriteriaSet.objects.filter(pk=RULE_SET_PK).values_list("updated_at", flat=True)
    rules_at = changed.first()
    return {"assessed_at": last, "stale": bool(last and rules_at and rules_at > last)}


@login_required
def flagged(request: HttpRequest) -> HttpResponse:
    """Inclusion-error candidates per desa, for re-verification, as of the last assessment."""
    _require(request, Perm.VIEW_REGISTRY)
    wilayah = request.GET.get("wilayah", "").strip()
    families = queries.flagged_families(request.user, wilayah or None)
    families = families.with_summary().select_related("assessment").order_by("desa_id", "id")
    page = Paginator(families, PAGE_SIZE).get_page(request.GET.get("page"))
    for family in page.object_list:
        family.asset_names = asset_labels(family.assessment.asset_fields())
    context = {
        "page": page,
        "wilayah": wilayah,
        "per_desa": queries.flagged_per_desa(request.user, wilayah or None),
        "rules": current_rules(),
        **_last_run(),
    }
    return render(request, "eligibility/flagged.html", context)


def _met_by(criterion: Criterion, config: CriterionConfig) -> list[str]:
    """The labels of the codes that meet a coded criterion, in questionnaire order."""
    if criterion.choices is None:
        return []
    return [str(label) for value, label in criterion.choices.choices if value in config.values]


@login_required
def criteria(request: HttpRequest) -> HttpResponse:
    """The rule set in force, readable by everyone who sees the registry."""
    _require(request, Perm.VIEW_REGISTRY)
    rules = current_rules()
    context = {
        "rules": rules,
        "rows": [(k, rules.config(k), _met_by(k, rules.config(k))) for k in ASSESSABLE],
        "not_assessable": NOT_ASSESSABLE,
        "assets": asset_labels(rules.assets),
        "can_edit": request.user.can(Perm.VERIFY),
    }
    return render(request, "eligibility/criteria.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def criteria_edit(request: HttpRequest) -> HttpResponse:
    """The kabupaten pengelola changes the rule set (audited; the registry is assessed again)."""
    _require(request, Perm.VERIFY)
    form = CriteriaForm(request.POST or None, rules=current_rules())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_criteria(
                by=request.user, threshold=data["threshold"], min_assets=data["min_assets"],
                assets=data["assets"], criteria=form.configs(),
            )  # fmt: skip
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The criteria were saved; families are assessed again."))
            return redirect("eligibility:criteria")
    return render(request, "eligibility/criteria_edit.html", {"form": form})


@login_required
def whatif(request: HttpRequest) -> HttpResponse:
    """Per desa: which families a program's desil cut-off would add and drop."""
    _require(request, Perm.VIEW_REGISTRY)
    form = CutoffForm(request.GET or None)
    wilayah = request.GET.get("wilayah", "").strip()
    rows, totals = [], {}
    if form.is_valid():
        today = timezone.localdate()
        rows = queries.whatif_per_desa(request.user, form.cutoff_value(), today, wilayah or None)
        totals = {k: sum(r[k] for r in rows) for k in ("now", "add", "drop", "keep", "after")}
    context = {"form": form, "rows": rows, "totals": totals, "wilayah": wilayah}
    context["query"] = request.GET.urlencode() if form.is_valid() else ""
    return render(request, "eligibility/whatif.html", context)


@login_required
def whatif_families(request: HttpRequest) -> HttpResponse:
    """The families of one desa behind a what-if count: 404 for a desa outside the user's
    registry area, as for a missing one (the area check is also the permission check)."""
    form = DrillForm(request.GET)
    if not form.is_valid() or not in_area(request.user, form.cleaned_data["desa"]):
        raise Http404
    data = form.cleaned_data
    families = queries.whatif_families(
        request.user, form.cutoff_value(), timezone.localdate(), data["desa"], data["change"]
    )
    page = Paginator(families, PAGE_SIZE).get_page(request.GET.get("page"))
    back = request.GET.copy()
    for key in ("desa", "change", "page"):
        back.pop(key, None)
    here = request.GET.copy()
    here.pop("page", None)
    context = {"page": page, "data": data, "back": back.urlencode(), "here": here.urlencode()}
    context["program"] = Program(data["program"]).label
    return render(request, "eligibility/whatif_families.html", context)
