"""`dtks create_user USERNAME --role ROLE --area CODE`: open an account with its first role.

The bootstrap path for the first admin pengguna: it runs the same actions as the web pages,
as the system (`by=None`, recorded in the audit as "cli"), so the area and the separation of
duties are checked the same way; only the administrator's own area is not.
"""

from __future__ import annotations

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from dtks.accounts.actions import assign_role, create_user
from dtks.accounts.roles import Role
from dtks.core.errors import DomainError
from dtks.wilayah.models import Region


class Command(BaseCommand):
    help = "Create a user account holding ROLE over the region CODE; prompts for the password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--area", required=True, help="Kemendagri code, e.g. 17.09")
        parser.add_argument("--name", default="", help="full name (default: the username)")
        parser.add_argument("--nik", default="")
        parser.add_argument("--no-kk", dest="no_kk", default="")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(self, *args: object, **opts: str) -> None:
        try:
            area = Region.objects.get(code=opts["area"])
        except Region.DoesNotExist as exc:
            raise CommandError(f"unknown region {opts['area']!r}; run `dtks load_wilayah`") from exc
        password = self._password(bool(opts["password_stdin"]))
        try:
            with transaction.atomic():
                user = create_user(
                    by=None,
                    username=opts["username"],
                    full_name=opts["name"] or opts["username"],
                    password=password,
                    nik=opts["nik"],
                    no_kk=opts["no_kk"],
                    email=opts["email"],
                )
                assign_role(user, by=None, role=opts["role"], area=area)
        except DomainError as error:
            raise CommandError(f"{error.field or 'error'}: {error.message}") from error
        self.stdout.write(f"created {user.username}: {Role(opts['role']).label} — {area}")

    def _password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\n")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return first
