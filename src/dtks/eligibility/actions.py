"""Changing the rule set and assessing the registry; each is atomic and audited.

- `update_criteria`: the kabupaten pengelola (Perm.VERIFY) changes the criteria, their codes,
  the threshold or the high-value assets; the whole registry is assessed again after commit.
- `assess`: every active family of a region judged against the rule set in force, set-based
  (one INSERT … SELECT per block of family ids), its previous assessments replaced.

The desil import lives in `desil.py`.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from django.db import OperationalError, connection, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from dtks.accounts.roles import Perm
from dtks.audit.record import Change, record_event
from dtks.core.errors import DomainError, PermissionDeniedError
from dtks.registry.choices import ASSET_FIELDS, RecordStatus
from dtks.registry.models import Family, Membership
from dtks.wilayah.models import Region

from .criteria import AREA, ASSESSABLE, CriterionConfig, RuleSet, assessment_sql
from .models import RULE_SET_PK, Assessment, CriteriaSet, CriterionSetting, current_rules

if TYPE_CHECKING:
    from collections.abc import Mapping

    from dtks.accounts.models import User

CHUNK = 50_000  # family ids per INSERT … SELECT: a progress step, and a bounded sort
MAX_AREA_LIMIT = 100  # m² per member: a limit above this is a typing error


# --- The rule set ---


def rule_set_problem(rules: RuleSet) -> str | None:
    """Why `rules` cannot be put in force (Indonesian message), or None."""
    enabled = rules.enabled()
    if not enabled:
        return _("Count at least one criterion.")
    if not 1 <= rules.threshold <= len(enabled):
        return _("The threshold must lie between 1 and the number of counted criteria (%(n)s).") % {
            "n": len(enabled)
        }
    if any(a not in ASSET_FIELDS for a in rules.assets):
        return _("Unknown asset.")
    if not 1 <= rules.min_assets <= max(len(rules.assets), 1) or not rules.assets:
        return _("Choose at least as many high-value assets as the number that raises the flag.")
    for criterion in enabled:
        config = rules.config(criterion)
        if criterion.kind == AREA:
            if not config.limit or not 1 <= config.limit <= MAX_AREA_LIMIT:
                return _("The floor area limit must lie between 1 and %(max)s m².") % {
                    "max": MAX_AREA_LIMIT
                }
        elif not config.values or not config.values <= set(criterion.choices.values):
            return _("Choose the codes that meet the criterion “%(label)s”.") % {
                "label": criterion.label
            }
    return None


def update_criteria(
    *,
    by: User,
    threshold: int,
    min_assets: int,
    assets: list[str],
    criteria: Mapping[str, CriterionConfig],
) -> RuleSet:
    """Put a new rule set in force (kabupaten pengelola only), audited before → after, then
    assess the whole registry again once the change is committed."""
    if not by.can(Perm.VERIFY):
        raise PermissionDeniedError(_("Only the kabupaten pengelola may change the criteria."))
    before = current_rules()
    configs = {k.code: criteria.get(k.code) or before.config(k) for k in ASSESSABLE}
    ordered = tuple(a for a in ASSET_FIELDS if a in set(assets))
    rules = RuleSet(threshold, min_assets, ordered, configs)
    if problem := rule_set_problem(rules):
        raise DomainError(problem)
    with transaction.atomic():
        row, _created = CriteriaSet.objects.select_for_update().get_or_create(
            pk=RULE_SET_PK,
            defaults={"threshold": threshold, "min_assets": min_assets, "assets": list(ordered)},
        )
        row.threshold, row.min_assets, row.assets, row.updated_by = (
            threshold, min_assets, list(ordered), by,
        )  # fmt: skip
        row.save()
        row.criteria.all().delete()
        CriterionSetting.objects.bulk_create(
            CriterionSetting(
                criteria_set=row, code=code, enabled=c.enabled, values=sorted(c.values),
                limit=c.limit,
            )
            for code, c in configs.items()
        )  # fmt: skip
        change = Change("criteria_set", str(row.pk), before.as_dict(), rules.as_dict())
        record_event(by, "update_criteria", change)
        transaction.on_commit(lambda: _enqueue_assessment(by.pk))
    return rules


def _enqueue_assessment(user_id: int) -> None:
    from .tasks import assess_registry  # the task module imports the backend: load on use

    assess_registry.enqueue(user_id)


# --- Assessing the registry ---


@dataclass
class AssessSummary:
    """What one run did: families assessed, of them flagged and with an unknown criterion."""

    assessed: int = 0
    flagged: int = 0
    with_unknown: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 2)
        return data


def _scope_sql(wilayah: str | None) -> tuple[str, list[Any]]:
    """Active families of `wilayah` (any level; None = all) as a condition on `f`."""
    sql, params = f"f.status = '{RecordStatus.ACTIVE}'", []
    if wilayah:
        sql += " AND (f.desa_id = %s OR f.desa_id LIKE %s)"
        params = [wilayah, wilayah + ".%"]
    return sql, params


def _members_sql() -> str:
    """Current members per family, for the block of family ids bound to the two %s."""
    table = connection.ops.quote_name(Membership._meta.db_table)
    return (
        f"SELECT family_id, COUNT(*) AS n FROM {table}"
        " WHERE end_date IS NULL AND family_id BETWEEN %s AND %s GROUP BY family_id"
    )


def _insert_sql(rules: RuleSet, scope: str) -> str:
    quote = connection.ops.quote_name
    columns = (
        "family_id, members, met_count, unknown_count, met, unknown, held_count, assets,"
        " flagged, assessed_at"
    )
    fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
    where = f"{scope} AND f.id BETWEEN %s AND %s"
    select = assessment_sql(rules, quote, members=_members_sql(), where=where, fence=fence)
    return f"INSERT INTO {quote(Assessment._meta.db_table)} ({columns}) {select}"


def _families(wilayah: str | None) -> Any:
    families = Family.objects.active()
    return families.in_wilayah(wilayah) if wilayah else families


def _clear(wilayah: str | None) -> None:
    """Remove the last run's rows of the region, inactive families' included.

    The whole registry on PostgreSQL is TRUNCATEd (inside the run's transaction): no dead rows
    for the next INSERT to pass over or for vacuum to clean, ~40 % off a run of 350,000
    families. Readers of the table then wait for the run's commit instead of reading the old
    rows: seconds, and only the flagged list reads it. PostgreSQL refuses the TRUNCATE when
    the enclosing transaction already wrote rows whose deferred checks are pending (two runs
    in one transaction): then the rows are deleted.
    """
    if wilayah is None and connection.vendor == "postgresql":
        table = connection.ops.quote_name(Assessment._meta.db_table)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {table}")
        except OperationalError:
            pass  # refused (e.g. a second run in one transaction): DELETE below instead
        else:
            return
    stale = Assessment.objects.all()
    if wilayah:
        stale = stale.filter(family__in=Family.objects.in_wilayah(wilayah))
    stale.delete()


def _assess_blocks(rules: RuleSet, wilayah: str | None, progress: bool) -> int:
    """Replace the scope's assessments block by block of family ids; the rows written."""
    span = _families(wilayah).aggregate(lo=Min("id"), hi=Max("id"), n=Count("id"))
    _clear(wilayah)
    if not span["n"]:
        return 0
    scope, params = _scope_sql(wilayah)
    sql = _insert_sql(rules, scope)
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    written = 0
    with (
        connection.cursor() as cursor,
        tqdm(total=span["n"], disable=not progress, unit="keluarga") as bar,
    ):
        for lo in range(span["lo"], span["hi"] + 1, CHUNK):
            hi = lo + CHUNK - 1
            cursor.execute(sql, [stamp, lo, hi, *params, lo, hi])
            written += cursor.rowcount
            bar.update(cursor.rowcount)
    return written


def assess(
    *,
    by: User | None = None,
    wilayah: str | None = None,
    progress: bool = False,
    rules: RuleSet | None = None,
) -> AssessSummary:
    """Judge every active family of `wilayah` (any level; None = all) against `rules` (default:
    the rule set in force); one row per family replaces the last run's. One transaction, one
    audit event."""
    if wilayah and not Region.objects.filter(code=wilayah).exists():
        raise DomainError(_("Unknown region code %(code)s.") % {"code": wilayah}, field="wilayah")
    started = time.monotonic()
    rules = rules or current_rules()
    with transaction.atomic():
        summary = AssessSummary(assessed=_assess_blocks(rules, wilayah, progress))
        done = Assessment.objects.all()
        if wilayah:
            done = done.filter(family__in=Family.objects.in_wilayah(wilayah))
        counts = done.aggregate(
            flagged=Count("pk", filter=Q(flagged=True)),
            unknown=Count("pk", filter=Q(unknown_count__gt=0)),
        )
        summary.flagged, summary.with_unknown = counts["flagged"], counts["unknown"]
        summary.seconds = time.monotonic() - started
        after = {**summary.as_dict(), "rules": rules.as_dict()}
        change = Change("assessment", wilayah or "all", None, after, None, wilayah or "")
        record_event(by, "assess", change)
    return summary
