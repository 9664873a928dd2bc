"""`dtks verify [--wilayah CODE]`: run the data-quality checks and print what changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dtks.verification.actions import run_checks


class Command(BaseCommand):
    help = "Run the data-quality checks over the persons of a region (default: all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wilayah", help="a region code, e.g. 17.09 or 17.09.01")

    def handle(self, *args: Any, wilayah: str | None = None, **options: Any) -> None:
        summary = run_checks(wilayah=wilayah, progress=options["verbosity"] > 0)
        self.stdout.write(
            f"{summary.checked:,} persons checked in {summary.seconds:.1f} s: "
            f"{summary.opened:,} findings opened, {summary.updated:,} updated, "
            f"{summary.resolved:,} resolved, {summary.unchanged:,} unchanged"
        )
        for rule, count in sorted(summary.by_rule.items()):
            self.stdout.write(f"  {rule}: {count:,}")
