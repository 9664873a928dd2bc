"""Database guard: a closed period, its snapshot rows and fingerprints cannot be updated or
deleted, and nothing can be inserted into a closed period, by any client (the models refuse
too, but `QuerySet.update()` and raw SQL would bypass them).

PostgreSQL: one PL/pgSQL function behind BEFORE row triggers (TRUNCATE, an owner's tool, is not
guarded). SQLite: RAISE(ABORT) triggers. Both surface as IntegrityError. On SQLite a later
migration that rebuilds one of these tables drops its triggers: such a migration must recreate
them (`SQLITE_TRIGGERS` below).
"""

from django.db import migrations

FROZEN = ("periods_snapshot", "periods_familyfingerprint")
MESSAGE = "closed period is immutable"

POSTGRES = [
    f"""
    CREATE FUNCTION periods_refuse_closed() RETURNS trigger AS $$
    BEGIN
        IF TG_TABLE_NAME = 'periods_period' THEN
            IF OLD.status = 'closed' THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
            END IF;
        ELSIF (TG_OP <> 'INSERT' AND EXISTS (
                  SELECT 1 FROM periods_period WHERE id = OLD.period_id AND status = 'closed'))
           OR (TG_OP <> 'DELETE' AND EXISTS (
                  SELECT 1 FROM periods_period WHERE id = NEW.period_id AND status = 'closed'))
        THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql
    """,
    """CREATE TRIGGER periods_period_frozen BEFORE UPDATE OR DELETE ON periods_period
       FOR EACH ROW EXECUTE FUNCTION periods_refuse_closed()""",
    *(
        f"""CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION periods_refuse_closed()"""
        for table in FROZEN
    ),
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS periods_period_frozen ON periods_period",
    *(f"DROP TRIGGER IF EXISTS {table}_frozen ON {table}" for table in FROZEN),
    "DROP FUNCTION IF EXISTS periods_refuse_closed()",
]


def _closed(ref: str) -> str:
    return f"(SELECT status FROM periods_period WHERE id = {ref}.period_id) = 'closed'"


def _raise() -> str:
    return f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"


SQLITE_TRIGGERS = {
    "periods_period_no_update": f"BEFORE UPDATE ON periods_period WHEN OLD.status = 'closed' {_raise()}",
    "periods_period_no_delete": f"BEFORE DELETE ON periods_period WHEN OLD.status = 'closed' {_raise()}",
}
for _table in FROZEN:
    SQLITE_TRIGGERS[f"{_table}_no_insert"] = f"BEFORE INSERT ON {_table} WHEN {_closed('NEW')} {_raise()}"
    SQLITE_TRIGGERS[f"{_table}_no_update"] = (
        f"BEFORE UPDATE ON {_table} WHEN {_closed('OLD')} OR {_closed('NEW')} {_raise()}"
    )
    SQLITE_TRIGGERS[f"{_table}_no_delete"] = f"BEFORE DELETE ON {_table} WHEN {_closed('OLD')} {_raise()}"


def _run(schema_editor, statements) -> None:
    for sql in statements:
        schema_editor.execute(sql)


def create_guards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES)
    elif vendor == "sqlite":
        _run(schema_editor, [f"CREATE TRIGGER {name} {body}" for name, body in SQLITE_TRIGGERS.items()])


def drop_guards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)
    elif vendor == "sqlite":
        _run(schema_editor, [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS])


class Migration(migrations.Migration):
    dependencies = [("periods", "0001_periods_snapshots_fingerprints")]

    operations = [migrations.RunPython(create_guards, drop_guards)]
