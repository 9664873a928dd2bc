"""`dtks performance --year Y [--employee NIP] [--format table|json|pdf] [--output FILE]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dtks.performance import formats
from dtks.performance.models import Employee
from dtks.performance.report import employee_report, unit_report


class Command(BaseCommand):
    help = (
        "Performance of the DTKS unit (or of one employee) for a year, computed from the work "
        "log: per aspect the indicator, target, realisation, score and verdict."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=settings.DTKS_CURRENT_YEAR)
        parser.add_argument("--employee", metavar="NIP", help="one employee's report")
        parser.add_argument("--format", choices=("table", "json", "pdf"), default="table")
        parser.add_argument("--output", help="file to write (pdf: default laporan-kinerja-….pdf)")

    def handle(self, *args: Any, **opts: Any) -> None:
        year, nip = opts["year"], opts["employee"]
        if nip:
            employee = Employee.objects.filter(nip=nip).first()
            if employee is None:
                raise CommandError(_("No employee with NIP %(nip)s") % {"nip": nip})
            report = employee_report(employee, year)
        else:
            report = unit_report(year)
        fmt, output = opts["format"], opts["output"]
        if fmt == "pdf":
            path = Path(output or f"laporan-kinerja-{year}{'-' + nip if nip else ''}.pdf")
            path.write_bytes(formats.as_pdf(report))
            self.stderr.write(str(path))
            return
        if fmt == "json":
            text = json.dumps(formats.as_json(report), ensure_ascii=False, indent=2) + "\n"
        else:
            text = formats.as_table(report)
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
