"""`dtks export [--wilayah CODE] --format csv|xlsx --output FILE [--user USERNAME]`.

Runs as the system (every record, full NIK/No. KK) unless `--user` names an account, whose
areas and identity rights then apply exactly as on the export button.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dtks.accounts.models import User
from dtks.imports.export import FORMATS, export_registry
from dtks.wilayah.models import Region


class Command(BaseCommand):
    help = "Export the registry in the flat DTKS exchange format (CSV or xlsx)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wilayah", help="region code to limit the export to, e.g. 17.09")
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument("--output", required=True, help="file to write")
        parser.add_argument("--user", help="export what this account may see (default: all)")

    def handle(self, *args: Any, **opts: Any) -> None:
        wilayah = opts["wilayah"]
        if wilayah and not Region.objects.filter(code=wilayah).exists():
            raise CommandError(_("Unknown region code %(code)s") % {"code": wilayah})
        user = None
        if opts["user"]:
            user = User.objects.filter(username=opts["user"], is_active=True).first()
            if user is None:
                raise CommandError(_("No active account %(name)s") % {"name": opts["user"]})
        output = Path(opts["output"])
        rows = export_registry(by=user, wilayah=wilayah, fmt=opts["format"], out=output)
        self.stderr.write(_("%(rows)s rows written to %(path)s") % {"rows": rows, "path": output})
