"""Find the records that are one person: `find_duplicates(persons)` → pairs with a probability.

`persons` is a table of registry persons (polars, pandas, pyarrow or a DuckDB relation) with
the columns of `PERSON_COLUMNS`; any but `id` may be absent or empty. The result is a polars
DataFrame `id_l, id_r, match_probability` (`id_l < id_r`, each pair once) of the pairs at or
above `threshold`. File mode (`dtks dedup FILE`) and the registry both call it.

The work runs in DuckDB in this process (default), or on a Spark cluster (`backend="spark"`,
the `spark` extra) for national scale: the same model, the same SQL, translated by Splink.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal

import polars as pl
from splink import block_on

from .features import PERSON_COLUMNS, features
from .model import DEFAULT_THRESHOLD, Model, floor_unseen, settings

if TYPE_CHECKING:
    from splink import Linker

PAIR_SCHEMA = {"id_l": pl.String, "id_r": pl.String, "match_probability": pl.Float64}
Backend = Literal["duckdb", "spark"]
# DuckDB may use this much memory before it spills to disk (the rest of the budget is the
# input table and Python): a million persons stay under 4 GB in all.
DUCKDB_MEMORY_LIMIT = "2GB"


def find_duplicates(
    persons: Any,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    model: Model | None = None,
    backend: Backend = "duckdb",
    spark: Any = None,
) -> pl.DataFrame:
    """The pairs of `persons` that are one person with probability ≥ `threshold`, highest
    first. `model` defaults to the packaged one; `spark` is a SparkSession (backend "spark")."""
    table = features(persons)
    model = model or Model.load()
    if table.height < 2:
        return pl.DataFrame(schema=PAIR_SCHEMA)
    ids = table["id"]
    if ids.is_duplicated().any():
        raise ValueError("persons need unique ids")
    table = table.drop("id")
    with _linker(
        table, model.settings_for(table.height, _dialect(backend)), backend, spark
    ) as linker:
        predictions = linker.inference.predict(
            threshold_match_probability=threshold, warning_mode="never"
        )
        pairs = _to_polars(predictions, backend)
    return _with_ids(pairs, ids)


def _with_ids(pairs: pl.DataFrame, ids: pl.Series) -> pl.DataFrame:
    """Row numbers back to the caller's ids, the smaller id on the left, highest first."""
    left, right = ids.gather(pairs["row_l"]), ids.gather(pairs["row_r"])
    frame = pl.DataFrame({"a": left, "b": right, "match_probability": pairs["match_probability"]})
    return frame.select(
        pl.min_horizontal("a", "b").alias("id_l"),
        pl.max_horizontal("a", "b").alias("id_r"),
        pl.col("match_probability").cast(pl.Float64),
    ).sort(["match_probability", "id_l", "id_r"], descending=[True, False, False])


def train(
    persons: Any,
    *,
    truth: pl.DataFrame | None = None,
    seed: int = 17,
    u_pairs: float = 3e7,
    backend: Backend = "duckdb",
    spark: Any = None,
) -> Model:
    """Learn the weights from `persons`. u (how often unrelated persons agree) by random
    sampling, seeded. m (how often one person's two records agree): from `truth` when given
    (columns `id, person`: records of one person share `person`; known duplicates, e.g. a
    synthetic registry's or reviewed decisions), otherwise without labels by expectation
    maximisation on two blocks whose pairs are nearly all one person: the same NIK (m of all
    but the birth comparison) and the same name and mother (m of the birth comparison); the
    fixed rules (a different name, birth dates years apart) are not learned either way."""
    table = features(persons)
    if truth is not None:
        labels = truth.select(pl.col("id").cast(pl.String), pl.col("person").cast(pl.String))
        table = table.join(labels, on="id", how="left")
    table = table.drop("id")
    with _linker(table, settings(dialect=_dialect(backend)), backend, spark) as linker:
        linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
        if truth is not None:
            linker.training.estimate_m_from_label_column("person")
            pairs = _labelled_pairs(table)
        else:
            for rule in (("nik",), ("name_key", "mother_key")):
                linker.training.estimate_parameters_using_expectation_maximisation(
                    block_on(*rule), estimate_without_term_frequencies=True
                )
            pairs = _estimated_pairs(linker, table.height)
        trained = linker.misc.save_model_to_json()
    return Model(trained=floor_unseen(trained), pairs_per_record=pairs / max(table.height, 1))


def _labelled_pairs(table: pl.DataFrame) -> int:
    sizes = table.drop_nulls("person").group_by("person").len()["len"]
    return int((sizes * (sizes - 1) // 2).sum())


def _estimated_pairs(linker: Linker, records: int) -> float:
    """Duplicate pairs in the file, from rules that admit almost no false match."""
    linker.training.estimate_probability_two_random_records_match(
        [
            "l.nik = r.nik AND l.name_key = r.name_key",
            "l.name_norm = r.name_norm AND l.dob = r.dob AND l.mother_key = r.mother_key",
        ],
        recall=0.6,
    )
    prior = linker.misc.save_model_to_json()["probability_two_random_records_match"]
    return float(prior) * records * (records - 1) / 2


def _dialect(backend: Backend) -> str:
    return "spark" if backend == "spark" else "duckdb"


@contextmanager
def _linker(
    table: pl.DataFrame, model_settings: Any, backend: Backend, spark: Any
) -> Iterator[Linker]:
    from splink import Linker

    if backend == "spark":
        db_api, frame = _spark_api(spark), _spark_frame(spark, table)
        yield Linker(db_api.register(frame), model_settings, log_level=logging.WARNING)
        return
    import duckdb
    from splink import DuckDBAPI

    with tempfile.TemporaryDirectory(prefix="dtks-linkage-") as spill:
        con = duckdb.connect(
            config={
                "memory_limit": DUCKDB_MEMORY_LIMIT,
                "temp_directory": spill,
                "preserve_insertion_order": False,
            }
        )
        try:
            db_api = DuckDBAPI(con)
            yield Linker(
                db_api.register(table.to_arrow()), model_settings, log_level=logging.WARNING
            )
        finally:
            con.close()


def spark_session(master: str | None = None, **config: str) -> Any:
    """A SparkSession with Splink's string functions (Jaro-Winkler…) on its classpath: from
    `spark-submit` it joins the cluster given there, else `master` (e.g. `local[2]`)."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    builder = SparkSession.builder.appName("dtks-linkage")
    builder = builder.config("spark.jars", similarity_jar_location())
    for key, value in config.items():
        builder = builder.config(key, value)
    return (builder.master(master) if master else builder).getOrCreate()


def _spark_api(spark: Any) -> Any:
    """Splink on `spark`: intermediate tables written as parquet under the session's
    checkpoint directory (a cluster sets one), or kept in memory when there is none."""
    from splink import SparkAPI

    if spark is None:
        raise ValueError("backend='spark' needs a SparkSession")
    method = "parquet" if spark.sparkContext.getCheckpointDir() else "persist"
    return SparkAPI(spark_session=spark, break_lineage_method=method)


def _spark_frame(spark: Any, table: pl.DataFrame) -> Any:
    """The table as a Spark DataFrame: Arrow on Spark 4, pandas on Spark 3."""
    if _spark_major(spark) >= 4:
        return spark.createDataFrame(table.to_arrow())
    return spark.createDataFrame(table.to_pandas())


def _spark_major(spark: Any) -> int:
    return int(str(spark.version).split(".")[0])


def _to_polars(predictions: Any, backend: Backend) -> pl.DataFrame:
    columns = ("unique_id_l AS row_l", "unique_id_r AS row_r", "match_probability")
    if backend == "spark":
        frame = predictions.as_spark_dataframe().selectExpr(*columns)
        if _spark_major(frame.sparkSession) >= 4:
            return pl.DataFrame(pl.from_arrow(frame.toArrow()))
        return pl.from_pandas(frame.toPandas())
    sql = f"SELECT {', '.join(columns)} FROM {predictions.physical_name}"
    return predictions.db_api.duckdb_con.sql(sql).pl()


__all__ = [
    "DEFAULT_THRESHOLD",
    "PERSON_COLUMNS",
    "Model",
    "features",
    "find_duplicates",
    "train",
]
