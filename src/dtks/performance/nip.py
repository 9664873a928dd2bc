"""NIP (Nomor Induk Pegawai) of an ASN: 18 digits — birth date (yyyymmdd), the year and month
of appointment (yyyymm), sex (1 man, 2 woman) and a serial (001–999), BKN's layout for PNS; a
PPPK's number follows the same length and birth date."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from dtks.core.errors import DomainError


def validate_nip(nip: str) -> None:
    """Refuse a NIP that is not 18 digits, whose birth date or appointment month does not
    exist, whose sex digit is not 1 or 2, or whose serial is 000; the message says which."""
    if len(nip) != 18 or not nip.isdigit():
        raise DomainError(_("A NIP has 18 digits."), field="nip")
    try:
        born = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        raise DomainError(
            _("The NIP's birth date (digits 1–8) does not exist."), field="nip"
        ) from None
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12 or year < born.year + 15:
        raise DomainError(
            _("The NIP's appointment month (digits 9–14) is not possible for its birth date."),
            field="nip",
        )
    if nip[14] not in "12":
        raise DomainError(_("The NIP's sex digit (digit 15) must be 1 or 2."), field="nip")
    if nip[15:] == "000":
        raise DomainError(_("The NIP's serial (digits 16–18) cannot be 000."), field="nip")
