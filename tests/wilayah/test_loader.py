"""The regions loader: one kabupaten against an independent reference, idempotency, the country."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dtks.wilayah.loader import load_regions
from dtks.wilayah.models import Region

REFERENCE = Path(__file__).parent.parent / "data" / "bengkulu_tengah_villages.csv"


def reference_rows() -> list[dict[str, str]]:
    with REFERENCE.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.django_db
def test_only_bengkulu_tengah_equals_the_reference_villages() -> None:
    load_regions(only="17.09")
    rows = reference_rows()
    villages = Region.objects.within("17.09").villages()
    assert {(v.code, v.name, v.kind) for v in villages} == {
        (r["code"], r["name"], r["type"]) for r in rows
    }
    kecamatan = Region.objects.within("17.09").at_level(3)
    assert {(k.code, k.name) for k in kecamatan} == {
        (r["district_code"], r["district_name"]) for r in rows
    }


@pytest.mark.django_db
def test_only_loads_the_kabupaten_with_its_province_and_nothing_else() -> None:
    result = load_regions(only="17.09")
    assert result.per_level == {1: 1, 2: 1, 3: 11, 4: 143}
    assert Region.objects.count() == 156
    kabupaten = Region.objects.get(code="17.09")
    assert (kabupaten.name, kabupaten.kind, kabupaten.parent_id) == (
        "Bengkulu Tengah",
        "kabupaten",
        "17",
    )
    assert str(kabupaten) == "Kab. Bengkulu Tengah"


@pytest.mark.django_db
def test_every_region_points_at_its_parent_code() -> None:
    load_regions(only="17.09")
    for region in Region.objects.exclude(level=1):
        assert region.parent_id == region.code.rsplit(".", 1)[0]


@pytest.mark.django_db
def test_second_load_creates_nothing_and_repairs_a_changed_name() -> None:
    first = load_regions(only="17.09")
    Region.objects.filter(code="17.09.01.2001").update(name="Salah Ketik", kind="kelurahan")
    second = load_regions(only="17.09")
    assert first.created == 156
    assert (second.created, second.updated, second.unchanged) == (0, 1, 155)
    village = Region.objects.get(code="17.09.01.2001")
    assert (village.name, village.kind) == ("Taba Terunjam", "desa")


@pytest.mark.django_db
def test_load_keeps_regions_missing_from_the_source() -> None:
    load_regions(only="17.09")
    Region.objects.create(
        code="17.09.99", name="Lama", level=3, kind="kecamatan", parent_id="17.09"
    )
    load_regions(only="17.09")
    assert Region.objects.filter(code="17.09.99").exists()


@pytest.mark.django_db
def test_unknown_code_is_refused_by_the_command() -> None:
    with pytest.raises(CommandError, match=r"99\.99"):
        call_command("load_wilayah", only="99.99", verbosity=0)
    assert not Region.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db
def test_whole_country_has_the_kepmendagri_counts() -> None:
    call_command("load_wilayah", verbosity=0)
    counts = {level: Region.objects.at_level(level).count() for level in (1, 2, 3, 4)}
    assert counts == {1: 38, 2: 514, 3: 7285, 4: 83762}
