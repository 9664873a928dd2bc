"""`dtks verify [--wilayah CODE]`: run the data-quality checks and print what changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dtks.verification.actions import run_checks
from dtks.verification.rules import RULES


class Command(BaseCommand):
    help = "Run the data-quality checks over the persons and families of a region (default: all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wilayah", help="a region code, e.g. 17.09 or 17.09.01")

    def handle(self, *args: Any, wilayah: str | None = None, **options: Any) -> None:
        summary = run_checks(wilayah=wilayah, progress=options["verbosity"] > 0)
        self.stdout.write(
            f"{summary.checked:,} persons and {summary.families:,} families checked in"
            f" {summary.seconds:.1f} s: {summary.opened:,} findings opened,"
            f" {summary.updated:,} updated, {summary.resolved:,} resolved,"
            f" {summary.unchanged:,} unchanged"
        )
        for level, counts in summary.by_level.items():
            self.stdout.write(
                f"{level}: {counts.found:,} found, {counts.opened:,} opened,"
                f" {counts.updated:,} updated, {counts.resolved:,} resolved"
            )
            for rule, count in sorted(summary.by_rule.items()):
                if RULES[rule].level == level:
                    self.stdout.write(f"  {rule}: {count:,}")
