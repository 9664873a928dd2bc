"""A trigram index on UPPER(person.name) so that name search (`name__icontains`, which Django
sends to PostgreSQL as `UPPER(name) LIKE UPPER('%…%')`) uses an index instead of scanning every
person. PostgreSQL only (pg_trgm); SQLite keeps its plain scan, which is fast at demo size."""

from django.db import migrations

INDEX = "person_name_upper_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON registry_person"
        " USING gin ((UPPER(name::text)) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_family_person_membership")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
