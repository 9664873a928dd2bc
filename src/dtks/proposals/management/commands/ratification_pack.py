"""`dtks ratification_pack --year Y --month M [--wilayah CODE] [--user U] [--output DIR]`."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dtks.accounts.models import User
from dtks.core.errors import DomainError
from dtks.proposals import pack as packs
from dtks.wilayah.models import Region


class Command(BaseCommand):
    help = (
        "Issue the ratification pack of a month (berita acara + lampiran PDF) and write it "
        "with the ministry export (xlsx) to a folder."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--month", type=int, required=True, choices=range(1, 13), metavar="1-12"
        )
        parser.add_argument("--wilayah", help="area code (default: the one kabupaten concerned)")
        parser.add_argument("--user", help="username issuing it (default: the system)")
        parser.add_argument("--output", type=Path, help="folder for the PDF and the xlsx")

    def handle(self, *args: Any, **opts: Any) -> None:
        user = self._user(opts["user"])
        area = None
        if opts["wilayah"]:
            area = Region.objects.filter(code=opts["wilayah"]).first()
            if area is None:
                raise CommandError(_("Region %(code)s does not exist.") % {"code": opts["wilayah"]})
        try:
            pack, created = packs.issue_ratification_pack(
                opts["year"], opts["month"], area, by=user
            )
            if opts["output"]:
                self._write(pack, opts["output"], user)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        state = _("issued") if created else _("unchanged")
        self.stdout.write(f"{pack.number} ({state}) {pack.code}")

    def _user(self, name: str | None) -> User | None:
        if not name:
            return None
        user = User.objects.filter(username=name).first()
        if user is None:
            raise CommandError(_("Unknown user %(name)s") % {"name": name})
        return user

    def _write(self, pack: Any, folder: Path, user: User | None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        pdf = folder / pack.file_name
        shutil.copyfile(packs.pack_path(pack), pdf)
        xlsx = folder / packs.export_name(pack)
        rows = packs.write_ministry_xlsx(pack, by=user, out=xlsx)
        self.stderr.write(f"{pdf}\n{xlsx} ({rows} rows)")
