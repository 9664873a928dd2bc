"""`dtks demo`: build the demo database (Bengkulu Tengah, Tabel 5.3 registry, checks, users) and
start the development server. Running it again on a built database skips what exists."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dtks.accounts.roles import Role
from dtks.adminduk.demo import demo_padan
from dtks.demo.actions import DEMO_KABUPATEN, DEMO_PASSWORD, DemoUser, ensure_demo_users
from dtks.demo.desil import import_demo_desil
from dtks.demo.generator import registry_exists
from dtks.demo.history import build_demo_history, close_demo_2023
from dtks.demo.performance import build_demo_performance
from dtks.wilayah.loader import load_regions

T = TypeVar("T")


class Command(BaseCommand):
    help = "Build the demo (Kabupaten Bengkulu Tengah, the seed's Tabel 5.3) and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="only build the database")
        parser.add_argument("--seed", type=int, default=2023, help="random seed of the registry")
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument(
            "--only",
            help="load only this region's wilayah (e.g. 17.09); default the whole country, "
            "which keeps the build under a minute and lets users be assigned anywhere",
        )

    def step(self, label: str, work: Callable[[], T]) -> T:
        self.stdout.write(f"{label} …", ending="")
        self.stdout.flush()
        started = time.perf_counter()
        result = work()
        self.stdout.write(f" {time.perf_counter() - started:.1f} s")
        return result

    def handle(self, *args: Any, **opts: Any) -> None:
        started = time.perf_counter()
        _prepare_sqlite_dir()
        self.step(_("Migrating the database"), lambda: call_command("migrate", verbosity=0))
        only = opts["only"]
        if only and not (only == DEMO_KABUPATEN or DEMO_KABUPATEN.startswith(only + ".")):
            raise CommandError(_("--only must include Kab. Bengkulu Tengah (17.09)"))
        label = _("Loading regions of %(area)s") % {"area": only or _("the whole country")}
        self.step(label, lambda: load_regions(only=only or None))
        if registry_exists(DEMO_KABUPATEN):
            self.stdout.write(_("Registry already built: generation and checks skipped."))
        else:
            result = self.step(
                _("Generating 2022 (Tabel 5.4), closing it, and 2023's proposals"),
                lambda: build_demo_history(seed=opts["seed"]),
            )
            self.stdout.write(
                _(
                    "  2022: %(families)s families; 2023: %(proposals)s proposals ratified, "
                    "%(gone)s families deactivated, %(entered)s persons re-entered"
                )
                % {
                    "families": result.families_2022,
                    "proposals": result.proposals,
                    "gone": result.deactivated,
                    "entered": result.entered,
                }
            )
            self.step(_("Matching with a synthetic Dukcapil extract"), demo_padan)
            self.step(_("Importing a DTSEN desil"), lambda: import_demo_desil(seed=opts["seed"]))
            self.step(_("Closing period 2023"), close_demo_2023)
        users = self.step(_("Creating demo users"), ensure_demo_users)
        self.step(_("Staff, bimtek and the 2023 appraisals"), build_demo_performance)
        self.stdout.write(_("Built in %(s).1f s.") % {"s": time.perf_counter() - started})
        call_command("recap", year=settings.DTKS_CURRENT_YEAR, stdout=self.stdout)
        self.stdout.write(users_table(users))
        if not opts["no_serve"]:
            self.stdout.write(_("Open http://%(addr)s/ in a browser.") % {"addr": opts["addrport"]})
            serve_with_worker(opts["addrport"])


def serve_with_worker(addrport: str) -> None:
    """The development server plus one task worker, so uploads on /impor/ are processed."""
    worker = subprocess.Popen([sys.executable, "-m", "dtks", "db_worker", "--no-reload"])
    try:
        call_command("runserver", addrport, use_reloader=False)
    finally:
        worker.terminate()
        worker.wait(timeout=10)


def _prepare_sqlite_dir() -> None:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and str(db["NAME"]) != ":memory:":
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)


def users_table(users: list[DemoUser]) -> str:
    """Usernames, role, area and what each may do; one password for all."""
    head = (_("Username"), _("Role"), _("Area"), _("Allowed to"))
    rows = [(u.username, str(Role(u.role).label), str(u.area), u.may) for u in users]
    width = [max(len(r[i]) for r in [head, *rows]) for i in range(3)]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(r[:3], width, strict=True)) + "  " + r[3]
        for r in [head, *rows]
    ]
    lines.insert(1, "-" * len(lines[0]))
    password = _("Password for every demo user: %(password)s") % {"password": DEMO_PASSWORD}
    return "\n" + "\n".join(lines) + "\n\n" + password + "\n"
