"""`dtks period_diff --from 2022 --to 2023 [--format table|csv] [--wilayah CODE]`."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dtks.periods.diff import KINDS, PeriodDiff, diff_periods
from dtks.periods.models import Period
from dtks.periods.queries import period_or_live

CSV_HEADER = (
    "perubahan",
    "desa",
    "id_keluarga",
    "id_dtks",
    "no_kk",
    "anggota_sebelum",
    "anggota_sesudah",
)


class Command(BaseCommand):
    help = "Families in, out and changed between two periods, per desa (table) or listed (csv)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="a", required=True, help="period key, e.g. 2022")
        parser.add_argument("--to", dest="b", required=True, help="period key, e.g. 2023")
        parser.add_argument("--format", choices=("table", "csv"), default="table")
        parser.add_argument("--wilayah", help="region code to limit the diff to")

    def handle(self, *args: Any, **opts: Any) -> None:
        a, b = _period(opts["a"]), _period(opts["b"])
        diff = diff_periods(a, b, wilayah=opts["wilayah"])
        text = as_csv(diff) if opts["format"] == "csv" else as_table(diff)
        self.stdout.write(text, ending="")


def _period(key: str) -> Period:
    """A stored period, or the open year named (diffed live)."""
    period = period_or_live(key)
    if period is None:
        raise CommandError(_("Unknown period %(key)s") % {"key": key})
    return period


def as_csv(diff: PeriodDiff) -> str:
    """Every family in, out or changed; identity numbers as text, in full (a server shell)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for e in diff.entries:
        f = e.family
        before = e.before.members if e.before else ""
        after = e.after.members if e.after else ""
        writer.writerow((e.kind, e.desa_code, f.family_id, f.id_dtks, f.no_kk, before, after))
    return out.getvalue()


def as_table(diff: PeriodDiff) -> str:
    """Per desa: in, out, changed; then the total."""
    head = f"{'desa':<15}{'masuk':>8}{'keluar':>8}{'berubah':>9}"
    lines = [f"{diff.a.key} → {diff.b.key}", head, "-" * len(head)]
    rows = [*diff.per_desa().items(), ("Total", diff.totals())]
    for label, n in rows:
        cells = (f"{n[k]:>{w}}" for k, w in zip(KINDS, (8, 8, 9), strict=True))
        lines.append(f"{label:<15}" + "".join(cells))
    return "\n".join(lines) + "\n"
