"""Input checks shared by the forms and the actions (the API and the CLI call actions directly).

Only what makes a value unstorable is refused here; a NIK that contradicts the birth date or
sex is accepted and becomes a finding (DOMAIN.md §4: NIKs are not reissued to fix a date).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

EXCEL_LOOKING = re.compile(r"^\s*[0-9]+([.,][0-9]+)?[eE][+-]?[0-9]+\s*$|[.,]")


def sixteen_digit_problem(value: str, label: str) -> str | None:
    """Why `value` is not a 16-digit NIK/No. KK, in Indonesian; None when it is one.

    A value like `3.20123E+15` or `3201234567890120.0` is what Excel makes of a number column,
    so the message says how to fix the spreadsheet rather than only that the value is wrong.
    """
    value = value or ""
    if re.fullmatch(r"[0-9]{16}", value):
        return None
    if EXCEL_LOOKING.search(value):
        return _(
            "%(label)s looks like a number converted by Excel (for example 3.2E+15 or a decimal "
            "point). Format the column as Text and type all 16 digits."
        ) % {"label": label}
    if not value.isdigit():
        return _("%(label)s may contain digits only.") % {"label": label}
    return _("%(label)s must be exactly 16 digits (this one has %(count)d).") % {
        "label": label,
        "count": len(value),
    }
