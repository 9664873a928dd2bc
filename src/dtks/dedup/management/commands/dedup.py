"""`dtks dedup INPUT --output PAIRS.csv [--threshold P]`: the records of a flat DTKS file that
are one person.

Reads the flat exchange format (CSV or xlsx; `iddtks` names the records, any other column may
be missing) and writes `id_l,id_r,match_probability`, one line per pair at or above the
threshold, most probable first. `--train` learns the weights from INPUT itself (with
`--truth FILE` of `iddtks,person` from known duplicates) instead of using the packaged model;
`--model PATH` reads the weights from PATH, or with `--train` writes them there.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import formats, translation
from django.utils.translation import gettext as _

from dtks.core.errors import DomainError
from dtks.linkage.engine import find_duplicates, train
from dtks.linkage.files import read_flat_file
from dtks.linkage.model import DEFAULT_THRESHOLD, PACKAGED_MODEL, Model


class Command(BaseCommand):
    help = "Find the records of a flat DTKS file that are one person (probabilistic linkage)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path, help="flat DTKS file (.csv or .xlsx)")
        parser.add_argument("--output", type=Path, required=True, help="pairs CSV to write")
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"lowest match probability written (default {DEFAULT_THRESHOLD})",
        )
        parser.add_argument(
            "--model", type=Path, help="model file to read (or, with --train, write)"
        )
        parser.add_argument("--train", action="store_true", help="learn the weights from INPUT")
        parser.add_argument(
            "--truth", type=Path, help="with --train: CSV iddtks,person of known duplicates"
        )
        parser.add_argument("--backend", choices=("duckdb", "spark"), default="duckdb")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            threshold = options["threshold"]
            if not 0 < threshold <= 1:
                raise CommandError(_("The threshold must be above 0 and at most 1."))
            started = time.perf_counter()
            try:
                persons = read_flat_file(options["input"])
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            spark = self._spark() if options["backend"] == "spark" else None
            model = self._model(persons, options, spark)
            pairs = find_duplicates(
                persons, threshold=threshold, model=model, backend=options["backend"], spark=spark
            )
            pairs.write_csv(options["output"], float_precision=6)
            self._summary(pairs, persons.height, threshold, options["output"])
            if options["verbosity"] > 1:
                self.stderr.write(f"{time.perf_counter() - started:.1f} s")

    def _model(self, persons: pl.DataFrame, options: dict[str, Any], spark: Any) -> Model:
        path: Path | None = options["model"]
        if not options["train"]:
            if options["truth"]:
                raise CommandError(_("--truth is used with --train only."))
            if path and not path.is_file():
                raise CommandError(_("Model file not found: %(path)s") % {"path": path})
            return Model.load(path or PACKAGED_MODEL)
        truth = self._truth(options["truth"]) if options["truth"] else None
        model = train(persons, truth=truth, backend=options["backend"], spark=spark)
        if path:
            model.save(path)
            self.stdout.write(_("Model written to %(path)s.") % {"path": path})
        return model

    def _truth(self, path: Path) -> pl.DataFrame:
        try:
            truth = pl.read_csv(path, infer_schema=False)
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise CommandError(_("Cannot read %(path)s.") % {"path": path}) from exc
        if not {"iddtks", "person"} <= set(truth.columns):
            raise CommandError(_("The --truth file needs the columns iddtks and person."))
        return truth.rename({"iddtks": "id"})

    def _spark(self) -> Any:
        try:
            from dtks.linkage.engine import spark_session

            return spark_session()
        except ImportError as exc:
            raise CommandError(
                _("The Spark backend needs the spark extra: pip install 'dtks[spark]'.")
            ) from exc

    def _summary(self, pairs: pl.DataFrame, records: int, threshold: float, path: Path) -> None:
        number = lambda n: formats.number_format(n, force_grouping=True)  # noqa: E731
        self.stdout.write(
            _(
                "%(records)s records: %(pairs)s pairs with a match probability of at least "
                "%(threshold)s written to %(path)s."
            )
            % {
                "records": number(records),
                "pairs": number(pairs.height),
                "threshold": formats.number_format(threshold),
                "path": path,
            }
        )
