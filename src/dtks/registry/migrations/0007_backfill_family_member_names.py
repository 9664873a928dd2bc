"""Fill `Family.member_names` for families that existed before the column."""

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from dtks.registry.search_names import JoinedUpperNames


def backfill(apps, schema_editor):
    """The same UPDATE as `refresh_member_names`, through the historical models."""
    Family = apps.get_model("registry", "Family")
    Membership = apps.get_model("registry", "Membership")
    names = (
        Membership.objects.filter(family=OuterRef("pk"), end_date__isnull=True)
        .order_by()
        .values("family")
        .annotate(names=JoinedUpperNames("person__name"))
        .values("names")
    )
    Family.objects.update(member_names=Coalesce(Subquery(names), Value("")))


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_family_member_names")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
