"""The Renstra Kemensos 2020–2024 indicators of the seed's Tabel 1.1, with their yearly targets
and the district analogue each is measured by (DOMAIN.md §10). Data, not schema: the names are
the official Indonesian wording, kept as entered; targets can be changed afterwards."""

from decimal import Decimal

from django.db import migrations

YEARS = (2020, 2021, 2022, 2023, 2024)
INDICATORS = [
    (
        "dtks_used",
        "Persentase K/L/D yang menggunakan DTKS untuk program penanganan kemiskinan",
        "Persentase program penanganan kemiskinan daerah yang sasarannya diambil dari DTKS",
        "manual",
        "%",
        ("40", "50", "60", "70", "80"),
    ),
    (
        "dtks_updating",
        "Persentase K/L/D yang aktif melakukan pemutakhiran DTKS",
        "Persentase desa/kelurahan yang mengajukan usulan pemutakhiran pada periode",
        "desa_proposing",
        "%",
        ("30", "40", "50", "70", "70"),
    ),
    (
        "adminduk",
        "Persentase individu dalam DTKS yang teridentifikasi dalam data adminduk",
        "Persentase individu DTKS yang padan dengan Dukcapil",
        "padan",
        "%",
        ("40", "40", "40", "40", "40"),
    ),
    (
        "targeting",
        "Persentase ketepatan sasaran program",
        "Persentase keluarga tanpa indikasi tidak layak dan tanpa temuan galat terbuka",
        "targeting",
        "%",
        ("80", "82", "84", "85", "86"),
    ),
    (
        "satisfaction",
        "Indeks kepuasan layanan DTKS",
        "Indeks Kepuasan Masyarakat (IKM) dari survei penerima layanan",
        "ikm",
        "",
        ("94", "94.5", "95", "95.5", "95.5"),
    ),
]


def seed(apps, schema_editor):
    Indicator = apps.get_model("performance", "Indicator")
    IndicatorTarget = apps.get_model("performance", "IndicatorTarget")
    for position, (code, name, analogue, source, unit, targets) in enumerate(INDICATORS, 1):
        indicator = Indicator.objects.create(
            code=code, name=name, analogue=analogue, source=source, unit=unit, position=position
        )
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(indicator=indicator, year=year, value=Decimal(value))
            for year, value in zip(YEARS, targets, strict=True)
        )


def unseed(apps, schema_editor):
    apps.get_model("performance", "Indicator").objects.filter(
        code__in=[row[0] for row in INDICATORS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("performance", "0001_employees_appraisals_indicators")]
    operations = [migrations.RunPython(seed, unseed)]
