"""`dtks dedup [INPUT --output PAIRS.csv] [--threshold P] [--wilayah CODE] [--user USERNAME]`:
the records that are one person.

File mode (INPUT given), for anyone's file: reads the flat exchange format (CSV or xlsx;
`iddtks` names the records, any other column may be missing) and writes
`id_l,id_r,match_probability`, one line per pair at or above the threshold, most probable
first. `--train` learns the weights from INPUT itself (with `--truth FILE` of
`iddtks,person` from known duplicates) instead of using the packaged model; `--model PATH`
reads the weights from PATH, or with `--train` writes them there.

Registry mode (no INPUT): compares the active persons of the registry (`--wilayah`, default
all of it) and puts the pairs on the review queue at /ganda/ (`dedup.actions.find_candidates`),
as the system or, with `--user`, as that verifier within their area; `--output` also writes
the run's pairs, named by ID DTKS.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import formats, translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from dtks.accounts.models import User
from dtks.core.errors import DomainError
from dtks.dedup.actions import RunSummary, find_candidates
from dtks.linkage.engine import find_duplicates, train
from dtks.linkage.files import read_flat_file
from dtks.linkage.model import DEFAULT_THRESHOLD, PACKAGED_MODEL, Model
from dtks.registry.models import Person

STAGES = ("read", "link", "write")


class Command(BaseCommand):
    help = "Find the records of a flat DTKS file that are one person (probabilistic linkage)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "input", type=Path, nargs="?", help="flat DTKS file (.csv or .xlsx); none: registry"
        )
        parser.add_argument("--output", type=Path, help="pairs CSV to write")
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
        parser.add_argument("--wilayah", help="registry mode: only this region, e.g. 17.09.01")
        parser.add_argument("--user", help="registry mode: run as this verifier (their area)")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            threshold = options["threshold"]
            if not 0 < threshold <= 1:
                raise CommandError(_("The threshold must be above 0 and at most 1."))
            if options["input"] is None:
                self._registry(options)
                return
            if options["output"] is None:
                raise CommandError(_("File mode needs --output PAIRS.csv."))
            if options["wilayah"] or options["user"]:
                raise CommandError(_("--wilayah and --user are for registry mode (without INPUT)."))
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

    def _registry(self, options: dict[str, Any]) -> None:
        """Registry mode: the queue of candidate pairs, with a progress bar on stderr."""
        if (
            options["train"]
            or options["truth"]
            or options["model"]
            or options["backend"] != "duckdb"
        ):
            raise CommandError(_("--train, --truth, --model and --backend are for file mode."))
        by = self._user(options["user"])
        with progress_bar(disabled=options["verbosity"] < 1) as progress:
            try:
                summary = find_candidates(
                    by=by,
                    wilayah=options["wilayah"],
                    threshold=options["threshold"],
                    progress=progress,
                )
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        if options["output"]:
            write_run_pairs(summary, options["output"])
        self._registry_summary(summary, options["output"])
        if options["verbosity"] > 1:
            self.stderr.write(", ".join(f"{k} {v:.1f} s" for k, v in summary.seconds.items()))

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(_("No active user %(name)s.") % {"name": username}) from exc

    def _registry_summary(self, summary: RunSummary, path: Path | None) -> None:
        run = summary.run
        number = lambda n: formats.number_format(n, force_grouping=True)  # noqa: E731
        self.stdout.write(
            _(
                "%(persons)s persons compared: %(found)s pairs with a match probability of at "
                "least %(threshold)s; %(created)s new, %(updated)s still to decide (probability "
                "updated), %(skipped)s already decided (left as decided)."
            )
            % {
                "persons": number(run.persons),
                "found": number(run.found),
                "threshold": formats.number_format(run.threshold),
                "created": number(run.created),
                "updated": number(run.updated),
                "skipped": number(run.skipped),
            }
        )
        if path:
            self.stdout.write(_("Pairs written to %(path)s.") % {"path": path})
        self.stdout.write(_("Review the pairs at /ganda/."))

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


@contextmanager
def progress_bar(*, disabled: bool) -> Iterator[Any]:
    """A bar of the run's three stages on stderr (reading, linkage, writing), with the rows
    read or the pairs found beside it."""
    labels = {"read": _("reading"), "link": _("comparing"), "write": _("saving pairs")}
    bar = tqdm(total=len(STAGES), unit="", file=sys.stderr, disable=disabled)

    def progress(stage: str, count: int) -> None:
        done = STAGES.index(stage)
        if bar.n != done:
            bar.update(done - bar.n)
        bar.set_description(labels[stage])
        bar.set_postfix_str(formats.number_format(count, force_grouping=True))

    try:
        yield progress
        bar.update(len(STAGES) - bar.n)
    finally:
        bar.close()


def write_run_pairs(summary: RunSummary, path: Path) -> None:
    """The run's pairs as `id_l,id_r,match_probability` named by ID DTKS, as file mode does."""
    pairs = summary.pairs
    ids = pl.concat([pairs["person_l"], pairs["person_r"]]).unique().to_list()
    id_dtks = dict(Person.objects.filter(pk__in=ids).values_list("pk", "id_dtks"))
    mapping = pl.DataFrame(
        {"pk": list(id_dtks), "id_dtks": list(id_dtks.values())},
        schema={"pk": pl.Int64, "id_dtks": pl.String},
    )
    named = pairs.join(mapping.rename({"pk": "person_l", "id_dtks": "id_l"}), on="person_l")
    named = named.join(mapping.rename({"pk": "person_r", "id_dtks": "id_r"}), on="person_r")
    named.select("id_l", "id_r", "match_probability").sort(
        ["match_probability", "id_l", "id_r"], descending=[True, False, False]
    ).write_csv(path, float_precision=6)
