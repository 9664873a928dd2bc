"""Findings: what a data-quality rule found on a person or family, and what became of it.

"Perlu perbaikan" is derived, never stored: a person with an open finding of severity error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connections, models, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from dtks.accounts.roles import Perm
from dtks.accounts.scope import area_q
from dtks.wilayah.models import Region, code_prefix_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User


class Severity(models.TextChoices):
    ERROR = "error", _("Needs repair")
    WARNING = "warning", _("Warning")


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")
    WAIVED = "waived", _("Waived")


class RuleLevel(models.TextChoices):
    PERSON = "person", _("Person")
    FAMILY = "family", _("Family")


class FindingQuerySet(models.QuerySet["Finding"]):
    def open(self) -> FindingQuerySet:
        return self.filter(status=FindingStatus.OPEN)

    def errors(self) -> FindingQuerySet:
        return self.filter(severity=Severity.ERROR)

    def with_place(self) -> FindingQuerySet:
        """`desa_code` and `family_ref`: the finding's family, or its person's current one
        (a person who is in no family any more keeps nulls and is seen by nobody's area)."""
        from dtks.registry.models import Membership

        current = Membership.objects.filter(
            person=OuterRef("person_id"), end_date__isnull=True
        ).order_by("id")
        return self.annotate(
            desa_code=Coalesce(
                F("family__desa_id"),
                Subquery(current.values("family__desa_id")[:1]),
                output_field=models.CharField(),
            ),
            family_ref=Coalesce(
                F("family_id"),
                Subquery(current.values("family_id")[:1]),
                output_field=models.BigIntegerField(),
            ),
        )

    def visible_to(
        self, user: User | AnonymousUser, perm: str = Perm.VIEW_REGISTRY
    ) -> FindingQuerySet:
        """Findings placed (`with_place`) inside the user's areas for `perm`: the one scope."""
        return self.with_place().filter(area_q(user, "desa_code", perm))

    def in_wilayah(self, code: str) -> FindingQuerySet:
        """Placed findings (`with_place` first) whose desa lies in region `code`."""
        return self.filter(code_prefix_q("desa_code", code))

    def open_per_unit(
        self, user: User | AnonymousUser, width: int, within: str = ""
    ) -> list[dict[str, Any]]:
        """The open findings the user may see (`visible_to`), optionally `within` a region,
        counted per `unit` (the first `width` characters of their desa code: a kecamatan or
        a desa): `errors`, `warnings` and `persons` (distinct persons with an open error).

        Set-based: each open finding is placed once (`_placed_sql`), then grouped, so the
        dashboard costs one pass over the open findings however many desa there are."""
        sql, params = _placed_sql(self.db, user, Perm.VIEW_REGISTRY, within)
        query = (
            f"SELECT SUBSTR(desa_code, 1, %s) AS unit,"
            f" SUM(CASE WHEN severity = %s THEN 1 ELSE 0 END),"
            f" SUM(CASE WHEN severity = %s THEN 1 ELSE 0 END),"
            f" COUNT(DISTINCT CASE WHEN severity = %s THEN person_id END)"
            f" FROM ({sql}) AS visible GROUP BY 1 ORDER BY 1"
        )
        error, warning = Severity.ERROR.value, Severity.WARNING.value
        rows = _fetch(self.db, query, [width, error, warning, error, *params])
        return [{"unit": u, "errors": e, "warnings": w, "persons": p} for u, e, w, p in rows]

    def open_ids_in_queue_order(
        self, user: User | AnonymousUser, perm: str, within: str = ""
    ) -> list[int]:
        """Ids of the open findings the user may see for `perm` (`visible_to`), optionally
        `within` a region, in work-queue order: desa, family, errors first, rule, id. Each
        open finding is placed once (`_placed_sql`); the page's rows are then read by id."""
        sql, params = _placed_sql(self.db, user, perm, within)
        query = (
            f"SELECT id FROM ({sql}) AS visible"
            " ORDER BY desa_code, family_ref, severity DESC, rule, id"
        )
        return [row[0] for row in _fetch(self.db, query, params)]


def _fetch(db: str, query: str, params: list) -> list[tuple]:
    """The rows of `query`. On PostgreSQL without JIT: the per-finding lookups make the
    planner's cost estimate large enough to compile the query (about 0.5 s spent before a
    0.4 s query at 1,000,000 persons), though every lookup is one index probe."""
    connection = connections[db]
    with transaction.atomic(using=db), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(query, params)
        return cursor.fetchall()


def _placed_sql(db: str, user: User | AnonymousUser, perm: str, within: str) -> tuple[str, list]:
    """SQL of every open finding inside the user's area for `perm` (and `within`), with its
    place as `with_place` defines it: `id, person_id, severity, rule, family_ref, desa_code`.

    `with_place` as an annotation repeats its correlated subqueries wherever the place is
    used (area filter, grouping, ordering): three to five lookups per finding. Here each
    finding's family is looked up once and that family's desa once (materialised steps), and
    the area is a semi-join on the few region codes `area_q` keeps (the one scope)."""
    from dtks.registry.models import Family, Membership

    regions = Region.objects.using(db).filter(area_q(user, "code", perm))
    if within:
        regions = regions.filter(code_prefix_q("code", within))
    try:
        regions_sql, regions_params = regions.values("code").query.get_compiler(db).as_sql()
    except EmptyResultSet:  # no area for `perm`: nothing is visible
        regions_sql, regions_params = f"SELECT code FROM {Region._meta.db_table} WHERE 1 = 0", ()
    fence = "MATERIALIZED" if connections[db].vendor == "postgresql" else ""
    finding, membership = Finding._meta.db_table, Membership._meta.db_table
    family = Family._meta.db_table
    sql = f"""
        WITH ref AS {fence} (
          SELECT f.id, f.person_id, f.severity, f.rule,
                 COALESCE(f.family_id, (
                   SELECT m.family_id FROM {membership} m
                   WHERE m.person_id = f.person_id AND m.end_date IS NULL
                   ORDER BY m.id LIMIT 1)) AS family_ref
          FROM {finding} f WHERE f.status = %s
        ), placed AS {fence} (
          SELECT ref.*, (SELECT k.desa_id FROM {family} k WHERE k.id = ref.family_ref) AS desa_code
          FROM ref
        )
        SELECT * FROM placed WHERE desa_code IN ({regions_sql})"""
    return sql, [FindingStatus.OPEN.value, *regions_params]


class Finding(models.Model):
    rule = models.CharField(_("rule"), max_length=40)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    level = models.CharField(_("subject level"), max_length=8, choices=RuleLevel.choices)
    family = models.ForeignKey(
        "registry.Family", on_delete=models.CASCADE, related_name="findings", null=True
    )
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="findings", null=True
    )
    message = models.CharField(_("message"), max_length=300)
    field = models.CharField(_("field"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    opened_at = models.DateTimeField(_("found on"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed on"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    waiver_reason = models.CharField(_("reason for the waiver"), max_length=300, blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="person", person__isnull=False)
                | Q(level="family", family__isnull=False),
                name="finding_has_subject",
            ),
            # One open finding per rule and subject: re-running the checks never duplicates.
            models.UniqueConstraint(
                fields=["rule", "person"],
                condition=Q(status="open", level="person"),
                name="one_open_person_finding_per_rule",
            ),
            models.UniqueConstraint(
                fields=["rule", "family"],
                condition=Q(status="open", level="family"),
                name="one_open_family_finding_per_rule",
            ),
        ]
        indexes = [models.Index(fields=["status", "severity"], name="finding_status_severity")]

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"
