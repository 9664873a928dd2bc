"""`dtks windows [--date YYYY-MM-DD]`: the month's windows and whether each is open."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from dtks.schedule.models import Extension, Preset, ScheduleConfig
from dtks.schedule.windows import calendar_rows, local_day, next_opening


def _span(window: tuple[date, date] | None) -> str:
    return f"{window[0]:%d-%m-%Y} s.d. {window[1]:%d-%m-%Y}" if window else "-"


class Command(BaseCommand):
    help = "Print this month's windows per action kind and whether each is open."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to look at (YYYY-MM-DD); default today (WIB)")

    def handle(self, *args: object, **options: object) -> None:
        try:
            day = date.fromisoformat(str(options["date"])) if options["date"] else local_day()
        except ValueError as exc:
            raise CommandError("--date wants YYYY-MM-DD") from exc
        translation.activate("id")
        self.stdout.write(f"{day:%d-%m-%Y} · {Preset(ScheduleConfig.current_preset()).label}")
        for row in calendar_rows(day):
            if row.rule is None:
                state = "tidak dibatasi"
            elif row.status.open:
                state = f"TERBUKA ({row.status.days_left} hari lagi)"
            else:
                opens = next_opening(row.kind, day)
                state = f"tertutup, dibuka {opens:%d-%m-%Y}" if opens else "tertutup"
            self.stdout.write(f"{row.kind:<20} {_span(row.this_month):<26} {state}")
        for ext in Extension.objects.in_force_on(day).select_related("region"):
            kind = ext.kind or "semua"
            self.stdout.write(f"perpanjangan {kind} {ext.region_id} s.d. {ext.ends_on:%d-%m-%Y}")
