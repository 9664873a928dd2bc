"""`dtks import_desil FILE [--user NAME] [--dry-run] [--report OUT.csv] [--json]`.

Sets the DTSEN desil of active families by No. KK (columns `nomor_kk`, `desil`). Runs as the
system unless `--user` names an account (then only families of that user's area match).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from dtks.accounts.models import User
from dtks.core.errors import DomainError
from dtks.eligibility.desil import DesilImportResult, import_desil, rejections_csv

SHOWN_REJECTIONS = 20


class Command(BaseCommand):
    help = "Import DTSEN deciles (columns nomor_kk, desil) from a CSV or xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="import as this user (limited to their area)")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        parser.add_argument("--report", type=Path, help="write the rejected rows to this CSV")
        parser.add_argument("--json", action="store_true", help="end with the counts as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            if not options["file"].is_file():
                raise CommandError(_("File not found: %(path)s") % {"path": options["file"]})
            try:
                by = self._user(options["user"])
                result = import_desil(options["file"], by=by, dry_run=options["dry_run"])
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self._summary(result)
            if options["report"]:
                options["report"].write_text(rejections_csv(result), encoding="utf-8")
            if options["json"]:
                self.stdout.write(json.dumps(result.as_dict()))

    def _user(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("No active user %(name)s.") % {"name": username})
        return user

    def _summary(self, result: DesilImportResult) -> None:
        self.stdout.write(
            _("%(total)s rows: %(imported)s imported (%(changed)s changed), %(rejected)s rejected")
            % result.as_dict()
            + (f" ({_('dry run')})" if result.dry_run else "")
        )
        for r in result.rejections[:SHOWN_REJECTIONS]:
            self.stdout.write(_("Row %(row)s: %(reason)s") % {"row": r.row, "reason": r.reason})
        if result.rejected > SHOWN_REJECTIONS:
            self.stdout.write(
                _("… and %(n)s more rejected rows.") % {"n": result.rejected - SHOWN_REJECTIONS}
            )
