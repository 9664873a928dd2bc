"""`dtks assess [--wilayah CODE]`: judge every active family against the poverty criteria."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from dtks.core.errors import DomainError
from dtks.eligibility.actions import assess


class Command(BaseCommand):
    help = "Assess the active families of a region (default: all) against the poverty criteria."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wilayah", help="a region code, e.g. 17.09 or 17.09.01")

    def handle(self, *args: Any, wilayah: str | None = None, **options: Any) -> None:
        with translation.override(settings.LANGUAGE_CODE):
            try:
                summary = assess(wilayah=wilayah, progress=options["verbosity"] > 0)
            except DomainError as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(
            f"{summary.assessed:,} families assessed in {summary.seconds:.1f} s: "
            f"{summary.flagged:,} flagged (indikasi tidak layak), "
            f"{summary.with_unknown:,} with an unknown criterion"
        )
