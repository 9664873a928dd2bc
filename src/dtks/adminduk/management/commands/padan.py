"""`dtks padan FILE [--wilayah CODE] [--user NAME] [--report OUT.csv] [--json]`.

Matches the registry with a Dukcapil extract (CSV or xlsx). Runs as the system (the whole
registry, or `--wilayah`) unless `--user` names a verifier (then within their area). Prints
the rows read and rejected, padan / tidak padan per reason and the share padan.
"""

from __future__ import annotations

import csv
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
from dtks.adminduk.actions import MatchSummary, match_extract
from dtks.adminduk.models import Reason
from dtks.core.errors import DomainError
from dtks.core.spreadsheet import safe_text

SHOWN_REJECTIONS = 20


def number(n: int) -> str:
    return formats.number_format(n, force_grouping=True)


class Command(BaseCommand):
    help = "Match the registry with a Dukcapil extract (padan / tidak padan)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--wilayah", help="match only this region, e.g. 17.09 or 17.09.01")
        parser.add_argument("--user", help="match as this verifier (limited to their area)")
        parser.add_argument("--report", type=Path, help="write every rejected row to this CSV")
        parser.add_argument("--json", action="store_true", help="end with the counts as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            by = self._user(options["user"])
            bar = tqdm(total=0, unit="baris", file=sys.stderr, disable=options["verbosity"] < 1)

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            try:
                summary = match_extract(
                    options["file"], by=by, wilayah=options["wilayah"], progress=progress
                )
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            finally:
                bar.close()
            self._summary(summary)
            if options["report"]:
                self._report(summary, options["report"])
            if options["json"]:
                self.stdout.write(json.dumps(summary.counts()))

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %(name)s.") % {"name": username})
        return user

    def _summary(self, s: MatchSummary) -> None:
        self.stdout.write(
            _("%(total)s data rows: %(read)s read, %(rejected)s rejected.")
            % {"total": number(s.total), "read": number(s.read), "rejected": number(s.rejected)}
        )
        for r in s.rejections[:SHOWN_REJECTIONS]:
            self.stdout.write("  " + _("Row %(row)s, %(field)s: %(message)s") % r)
        if len(s.rejections) > SHOWN_REJECTIONS:
            more = len(s.rejections) - SHOWN_REJECTIONS
            self.stdout.write("  " + _("… and %(n)s more rejections.") % {"n": number(more)})
        share = "–" if s.share_padan is None else formats.number_format(100 * s.share_padan, 1)
        self.stdout.write(
            _("%(persons)s persons: %(padan)s padan, %(tidak)s tidak padan (%(share)s %% padan).")
            % {
                "persons": number(s.persons),
                "padan": number(s.padan),
                "tidak": number(s.tidak_padan),
                "share": share,
            }
        )
        for code, label in Reason.choices:
            self.stdout.write(f"  {code:<20} {number(s.reasons.get(code, 0)):>12}  {label}")
        self.stdout.write(
            _("%(n)s rows of the extract name no active person of the region.")
            % {"n": number(s.not_in_registry)}
        )

    def _report(self, s: MatchSummary, path: Path) -> None:
        with Path(path).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["baris", "kolom", "alasan"])
            for r in s.rejections:
                writer.writerow([r["row"], r["field"], safe_text(r["message"])])
        self.stdout.write(
            _("Rejected rows: %(path)s (%(n)s)") % {"path": path, "n": number(len(s.rejections))}
        )
