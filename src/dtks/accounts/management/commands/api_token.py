"""`dtks api_token USERNAME --name NAME`: issue a REST API bearer token and print it once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dtks.accounts.actions import issue_api_token, revoke_api_token
from dtks.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue (or with --revoke, revoke) a REST API token for a user; the key is shown once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for")
        parser.add_argument("--revoke", action="store_true", help="revoke the named token")

    def handle(self, *args: object, username: str, name: str, revoke: bool, **opts: object) -> None:
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"no user {username!r}") from exc
        if revoke:
            tokens = ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True)
            for token in tokens:
                revoke_api_token(token, by=None)
            self.stdout.write(f"revoked {len(tokens)} token(s)")
            return
        key = issue_api_token(user, by=None, name=name)
        self.stdout.write(key)
