"""`dtks close_period --year Y [--month M] [--user U]`: freeze the period's snapshot."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dtks.accounts.models import User
from dtks.core.errors import DomainError
from dtks.periods.actions import close_period, get_or_create_period


class Command(BaseCommand):
    help = "Close a yearly (or monthly) period: freeze its recap snapshot and family fingerprints."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--month", type=int, choices=range(1, 13), metavar="1-12")
        parser.add_argument("--user", help="username closing it (default: the system)")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = None
        if opts["user"]:
            user = User.objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(_("Unknown user %(name)s") % {"name": opts["user"]})
        period = get_or_create_period(opts["year"], opts["month"])
        try:
            period = close_period(period, by=user, progress=self.stderr.write)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(_("Period %(key)s closed.") % {"key": period.key})
