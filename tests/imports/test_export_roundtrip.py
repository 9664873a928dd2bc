"""Export → import is the identity: a registry exported and imported into an empty registry
exports again as the same flat rows."""

from __future__ import annotations

import csv
import io

import pytest

from dtks.imports.columns import FLAT_COLUMNS
from dtks.imports.export import export_registry
from dtks.imports.pipeline import import_file
from dtks.registry.models import Family, Person
from tests.conftest import DESA_A2, DESA_B
from tests.factories import family_with_members

# Every column comes back as it left, the person's ID DTKS included.
COMPARED = list(FLAT_COLUMNS)


def _flat(by=None) -> list[dict[str, str]]:
    out = io.BytesIO()
    export_registry(by=by, wilayah=None, fmt="csv", out=out)
    rows = csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig")))
    return sorted(({k: r[k] for k in COMPARED} for r in rows), key=lambda r: r["nomor_nik"])


def _empty_the_registry() -> None:
    Family.objects.all().delete()  # memberships, programs and findings go with it
    Person.objects.all().delete()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exported_registry_imports_back_as_the_same_registry(fmt, family_a, tmp_path) -> None:
    family_with_members(DESA_B, size=3, dusun="Dusun II", rt="007", rw="")
    family_with_members(DESA_A2, size=2, address="Jl. Tengah, Gg. Mawar")
    before = _flat()
    path = tmp_path / f"dtks.{fmt}"
    export_registry(by=None, wilayah=None, fmt=fmt, out=path)
    _empty_the_registry()

    result = import_file(path, by=None, checks=False)

    assert (result.created, result.rejected, result.total) == (len(before), 0, len(before))
    assert _flat() == before
    again = import_file(path, by=None, checks=False)
    assert (again.created, again.unchanged) == (0, len(before))
