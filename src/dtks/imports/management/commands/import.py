"""`dtks import FILE [--wilayah CODE] [--dry-run] [--report OUT.xlsx] [--json]`.

Runs as the system unless `--user` names an account (then only that user's area may be
written). With `--json` the last line of stdout is the counts as one JSON object.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import formats, translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from dtks.accounts.models import User
from dtks.core.errors import DomainError
from dtks.imports.pipeline import ImportResult, import_file
from dtks.imports.report import write_report


class Command(BaseCommand):
    help = "Import a flat DTKS CSV/xlsx or the dtks template into the registry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--wilayah", help="only rows in this region code, e.g. 17.09.01")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--report", type=Path, help="write rejected rows to this xlsx/csv")
        parser.add_argument("--json", action="store_true", help="end with the counts as JSON")
        parser.add_argument("--user", help="import as this user (limited to their area)")
        parser.add_argument(
            "--no-checks", action="store_true", help="skip the data-quality checks afterwards"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            by = self._user(options["user"])
            bar = tqdm(total=0, unit="baris", file=sys.stderr, disable=options["verbosity"] < 1)

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                result = import_file(
                    options["file"],
                    by=by,
                    wilayah=options["wilayah"],
                    dry_run=options["dry_run"],
                    progress=progress,
                    checks=not options["no_checks"],
                )
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            finally:
                bar.close()
            self._summary(result)
            if options["verbosity"] > 1:
                timings = ", ".join(f"{k} {v:.2f} s" for k, v in result.seconds.items())
                self.stderr.write(timings)
            if options["report"]:
                rows = write_report(result, options["report"])
                self.stdout.write(
                    _("Error report: %(path)s (%(rows)s rows)")
                    % {"path": options["report"], "rows": rows}
                )
            if options["json"]:
                self.stdout.write(json.dumps(result.as_dict()))

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(_("No active user %(name)s.") % {"name": username}) from exc

    def _summary(self, result: ImportResult) -> None:
        number = lambda n: formats.number_format(n, force_grouping=True)  # noqa: E731
        if result.dry_run:
            self.stdout.write(_("Check only (--dry-run): the registry was not changed."))
        self.stdout.write(
            _(
                "%(total)s data rows: %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged, %(rejected)s rejected."
            )
            % {k: number(v) for k, v in result.as_dict().items()}
        )
        if result.already_imported_at:
            self.stdout.write(
                _("This same file (same SHA-256) was already imported on %(when)s.")
                % {"when": formats.date_format(result.already_imported_at, "DATETIME_FORMAT")}
            )
