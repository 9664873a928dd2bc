"""Seed both presets of DOMAIN.md §7 and make Kepmensos 73/HUK/2024 the active one.

last_day 0 = end of month, -1 = the day before the end of the month.
"""

from django.db import migrations

PRESETS = {
    # Seed Tabel 5.5 (Kepmensos 150/HUK/2022).
    "kepmensos_150_2022": {
        "pbi_dtks": (1, 11),
        "pbi_non_dtks": (15, 20),
        "dtks": (15, 25),
        "finalisation": (25, 0),
        "ratification_upload": (25, 0),
    },
    # Kepmensos 73/HUK/2024: one PBI-JK window; PKH/BPNT (and DTKS proposals) 15-20;
    # upload of ratification documents (and the kabupaten's work before it) 15 -> day before end.
    "kepmensos_73_2024": {
        "pbi_dtks": (1, 11),
        "pbi_non_dtks": (1, 11),
        "dtks": (15, 20),
        "finalisation": (15, -1),
        "ratification_upload": (15, -1),
    },
}


def seed(apps, schema_editor):
    rule = apps.get_model("schedule", "CalendarRule")
    config = apps.get_model("schedule", "ScheduleConfig")
    for preset, kinds in PRESETS.items():
        for kind, (first, last) in kinds.items():
            rule.objects.get_or_create(
                preset=preset, kind=kind, defaults={"first_day": first, "last_day": last}
            )
    config.objects.get_or_create(pk=1, defaults={"preset": "kepmensos_73_2024"})


class Migration(migrations.Migration):
    dependencies = [("schedule", "0001_windows")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
