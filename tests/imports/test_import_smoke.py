from __future__ import annotations

from dtks.imports.pipeline import import_file
from dtks.registry.models import Family, Person
from tests.imports.import_rows import member, row, write_csv


def test_creates_family_and_members(regions, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(), member(1), member(2)])
    result = import_file(path, by=None)
    assert result.as_dict() == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "total": 3,
    }
    assert Family.objects.get().desa_id == "17.09.01.2001"
    assert Person.objects.count() == 3
