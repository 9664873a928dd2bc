"""`find_duplicates(persons)`: the engine registry mode calls with a table of persons."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from dtks.linkage.engine import PAIR_SCHEMA, find_duplicates, train
from dtks.linkage.files import read_flat_file
from dtks.linkage.model import Model
from tests.linkage.people import DUPLICATES, NAMESAKES, TWINS, write_file


@pytest.fixture(scope="module")
def persons(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    """The test file as the registry would hand it over: engine column names."""
    return read_flat_file(write_file(tmp_path_factory.mktemp("engine") / "dtks.csv"))


@pytest.fixture(scope="module")
def found(persons: pl.DataFrame) -> pl.DataFrame:
    return find_duplicates(persons)


def _ids(pairs: pl.DataFrame) -> set[tuple[str, str]]:
    return set(pairs.select("id_l", "id_r").iter_rows())


def test_returns_pairs_as_a_polars_frame(found: pl.DataFrame) -> None:
    assert dict(found.schema) == PAIR_SCHEMA
    assert _ids(found) >= DUPLICATES
    assert NAMESAKES not in _ids(found) and TWINS not in _ids(found)


def test_most_probable_pairs_come_first(found: pl.DataFrame) -> None:
    probabilities = found["match_probability"].to_list()
    assert probabilities == sorted(probabilities, reverse=True)


def test_accepts_a_registry_table_with_dates_and_desa_codes() -> None:
    persons = pl.DataFrame(
        {
            "id": ["1", "2", "3"],
            "nik": ["1709011203800001", "1709011203800001", None],
            "name": ["Muhammad Yusuf", "Moh. Yusuf", "Siti Aminah"],
            "birth_date": [dt.date(1980, 3, 12), dt.date(1980, 3, 12), dt.date(1956, 1, 2)],
            "desa_code": ["17.09.01.2001", "17.09.01.2001", "17.09.02.2003"],
            "sex": [1, 1, 2],
        }
    )
    assert _ids(find_duplicates(persons)) == {("1", "2")}


def test_accepts_pandas_and_duckdb_tables(persons: pl.DataFrame, found: pl.DataFrame) -> None:
    import duckdb

    pytest.importorskip("pandas")
    assert _ids(find_duplicates(persons.to_pandas())) == _ids(found)
    relation = duckdb.connect().from_arrow(persons.to_arrow())
    assert _ids(find_duplicates(relation)) == _ids(found)


def test_fewer_than_two_persons_give_no_pairs() -> None:
    assert find_duplicates(pl.DataFrame({"id": ["1"], "name": ["Siti"]})).height == 0


def test_a_model_trained_on_known_duplicates_reads_back(
    persons: pl.DataFrame, tmp_path: Path
) -> None:
    truth = pl.DataFrame({"id": ["A1", "A2", "B1", "B2", "C1", "C2"], "person": [1, 1, 2, 2, 3, 3]})
    model = train(persons, truth=truth, u_pairs=2e4)
    model.save(tmp_path / "model.json")
    again = Model.load(tmp_path / "model.json")
    assert again.pairs_per_record == pytest.approx(3 / persons.height)
    assert _ids(find_duplicates(persons, model=again, threshold=0.5)) >= DUPLICATES


def _spark_session():  # type: ignore[no-untyped-def]
    pytest.importorskip("pyspark", reason="the Spark backend needs the spark extra (pyspark)")
    if not shutil.which("java"):
        pytest.skip("the Spark backend needs Java 17 on PATH")
    from dtks.linkage.engine import spark_session

    return spark_session(
        "local[1]", **{"spark.sql.shuffle.partitions": "2", "spark.ui.enabled": "false"}
    )


@pytest.mark.slow
def test_spark_backend_finds_the_same_pairs(persons: pl.DataFrame, found: pl.DataFrame) -> None:
    spark = _spark_session()
    try:
        pairs = find_duplicates(persons, backend="spark", spark=spark)
    finally:
        spark.stop()
    assert _ids(pairs) == _ids(found)
    assert pairs["match_probability"].to_list() == pytest.approx(
        found["match_probability"].to_list(), rel=1e-6
    )
