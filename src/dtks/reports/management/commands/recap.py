"""`dtks recap`: the Tabel 5.3 recap (individuals, families, needing repair) per kecamatan/desa."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dtks.periods.queries import closed_year
from dtks.reports import exporters
from dtks.reports.queries import LEVELS, recap_rows, source_label
from dtks.wilayah.models import Region


class Command(BaseCommand):
    help = "Print the DTKS recap per kecamatan (or desa): individuals, families, needing repair."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=settings.DTKS_CURRENT_YEAR)
        parser.add_argument("--level", choices=sorted(LEVELS), default="kecamatan")
        parser.add_argument("--format", choices=("table", "csv", "xlsx"), default="table")
        parser.add_argument("--output", help="file to write (required for xlsx)")
        parser.add_argument("--wilayah", help="region code to limit the recap to, e.g. 17.09")

    def handle(self, *args: Any, **opts: Any) -> None:
        fmt, output, level = opts["format"], opts["output"], opts["level"]
        if fmt == "xlsx" and not output:
            raise CommandError(_("--format xlsx writes a binary file: give --output FILE.xlsx"))
        wilayah = opts["wilayah"]
        if wilayah and not Region.objects.filter(code=wilayah).exists():
            raise CommandError(_("Unknown region code %(code)s") % {"code": wilayah})
        rows = recap_rows(year=opts["year"], level=level, wilayah=wilayah)
        period = closed_year(opts["year"])
        if period is not None:  # on stderr: the printed recap keeps its format
            self.stderr.write(source_label(period))
        if fmt == "xlsx":
            exporters.write_xlsx(rows, output, level)
            self.stderr.write(_("Written to %(path)s") % {"path": output})
            return
        text = exporters.as_csv(rows, level) if fmt == "csv" else exporters.as_table(rows, level)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(_("Written to %(path)s") % {"path": output})
        else:
            self.stdout.write(text, ending="")
