"""`{% window_banner "dtks" desa_code %}`: the banner of one kind's window for a desa.

A page that already holds a `WindowStatus` includes `schedule/_window_banner.html` with
`window=status` instead.
"""

from __future__ import annotations

from django import template

from dtks.schedule.windows import WindowStatus, window_status

register = template.Library()


@register.inclusion_tag("schedule/_window_banner.html")
def window_banner(kind: str, desa_code: str) -> dict[str, WindowStatus]:
    return {"window": window_status(kind, desa_code)}
