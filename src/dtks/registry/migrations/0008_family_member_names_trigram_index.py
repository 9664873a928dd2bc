"""A trigram index on UPPER(family.member_names): the family search by name
(`member_names__icontains`, sent to PostgreSQL as `UPPER(member_names) LIKE UPPER('%…%')`) reads
the matching families straight from it. PostgreSQL only (pg_trgm, enabled by 0002); SQLite keeps
its plain scan, which is fast at a kabupaten's size."""

from django.db import migrations

INDEX = "family_member_names_upper_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_family"
        " USING gin ((UPPER(member_names::text)) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_backfill_family_member_names")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
