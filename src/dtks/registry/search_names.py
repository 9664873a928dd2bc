"""Each family's current members' names in one column, so a name search is one indexed scan.

Searching a name through persons → current memberships → families costs a join per matching
person; for a common given name ("Siti") at a million persons that is ~11,000 person rows, each
probed to its family for the area scope and the list order. Keeping the upper-cased names of the
current members on the family (`Family.member_names`, joined by `|` so a search never matches
across two names) turns it into one trigram-indexed scan of the family table that also carries
the scope and sort columns. `refresh_member_names` is the only writer: registry actions call it
for the families they touch, bulk writers once for everything they wrote.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, CharField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

SEPARATOR = "|"


class JoinedUpperNames(Aggregate):
    """`UPPER(name)` of a group joined by SEPARATOR (STRING_AGG / GROUP_CONCAT)."""

    function = "STRING_AGG"
    template = f"%(function)s(UPPER(%(expressions)s), '{SEPARATOR}')"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def refresh_member_names(families: QuerySet[Any]) -> int:
    """Recompute `member_names` of `families` from their current memberships in one UPDATE."""
    from .models import Membership

    names = (
        Membership.objects.filter(family=OuterRef("pk"), end_date__isnull=True)
        .order_by()
        .values("family")
        .annotate(names=JoinedUpperNames("person__name"))
        .values("names")
    )
    return families.update(member_names=Coalesce(Subquery(names), Value("")))
