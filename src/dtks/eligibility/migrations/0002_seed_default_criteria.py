"""Seed the rule set in force with the defaults of `eligibility.criteria` (copied here, so that
a later change of the defaults does not rewrite history)."""

from django.db import migrations

THRESHOLD = 2
MIN_ASSETS = 2
ASSETS = [
    "asset_car", "asset_motor_boat", "asset_ac", "asset_water_heater", "asset_gold",
    "asset_computer", "asset_flat_tv",
]
# code, enabled, Regsosek codes that meet it, limit (m² per current member)
CRITERIA = [
    ("wall", True, [2, 3, 4, 5, 6], None),
    ("floor", True, [5, 7, 8], None),
    ("roof", True, [5, 7], None),
    ("lighting", True, [2, 3, 4], None),
    ("floor_area", True, [], 8),
    ("drinking_water", True, [6, 8, 9, 10], None),
    ("cooking_fuel", False, [7, 9, 10], None),
    ("toilet", False, [2, 3, 4, 5, 6], None),
]


def seed(apps, schema_editor):
    CriteriaSet = apps.get_model("eligibility", "CriteriaSet")
    CriterionSetting = apps.get_model("eligibility", "CriterionSetting")
    rules, created = CriteriaSet.objects.get_or_create(
        pk=1, defaults={"threshold": THRESHOLD, "min_assets": MIN_ASSETS, "assets": ASSETS}
    )
    if created:
        CriterionSetting.objects.bulk_create(
            CriterionSetting(criteria_set=rules, code=code, enabled=on, values=values, limit=limit)
            for code, on, values, limit in CRITERIA
        )


def unseed(apps, schema_editor):
    apps.get_model("eligibility", "CriteriaSet").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0001_criteria_assessment")]

    operations = [migrations.RunPython(seed, unseed)]
