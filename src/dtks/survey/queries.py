"""The survey's numbers for other apps and the results page.

`ikm(start, end)` is the index the Tabel 1.1 indicator ("DTKS service satisfaction index")
reads: every answer to a service served between `start` and `end` (inclusive), in the
whole installation or inside `area`.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractQuarter

from dtks.wilayah.models import code_prefix_q

from .elements import ELEMENT_CODES
from .ikm import IkmResult, from_totals
from .models import Response

_SUMS = {code: Sum(code) for code in ELEMENT_CODES}


def _responses(start: date, end: date, area: str | None = None, scope: Q | None = None):
    responses = Response.objects.filter(service__served_on__range=(start, end))
    if area:
        responses = responses.filter(code_prefix_q("service__area__code", area))
    if scope is not None:
        responses = responses.filter(scope)
    return responses


def _result(row: dict) -> IkmResult | None:
    return from_totals({code: row[code] or 0 for code in ELEMENT_CODES}, row["respondents"])


def ikm(start: date, end: date, *, area: str | None = None) -> IkmResult | None:
    """The index of the services served from `start` to `end` inclusive (inside the region
    `area` when given), with its respondents, NRR per element and grade; None when nobody
    answered. One query."""
    row = _responses(start, end, area).aggregate(respondents=Count("id"), **_SUMS)
    return _result(row)


def ikm_by_kind(
    start: date, end: date, *, area: str | None = None, scope: Q | None = None
) -> dict[str, IkmResult]:
    """The index per service kind (only the kinds someone answered for). One query."""
    rows = (
        _responses(start, end, area, scope)
        .order_by()
        .values("service__kind")
        .annotate(respondents=Count("id"), **_SUMS)
    )
    results = {row["service__kind"]: _result(row) for row in rows}
    return {kind: result for kind, result in sorted(results.items()) if result is not None}


def year_and_quarters(
    year: int, scope: Q
) -> tuple[IkmResult | None, list[tuple[int, IkmResult | None]]]:
    """The index of a year and of each of its quarters (by the day served), over the
    responses `scope` (a filter on Response) lets through. One query."""
    rows = (
        _responses(date(year, 1, 1), date(year, 12, 31), scope=scope)
        .annotate(quarter=ExtractQuarter("service__served_on"))
        .order_by()
        .values("quarter")
        .annotate(respondents=Count("id"), **_SUMS)
    )
    by_quarter = {row["quarter"]: row for row in rows}
    year_row = {
        key: sum(row[key] or 0 for row in by_quarter.values())
        for key in ("respondents", *ELEMENT_CODES)
    }
    quarters = [(q, _result(by_quarter[q]) if q in by_quarter else None) for q in (1, 2, 3, 4)]
    return _result(year_row), quarters


def suggestions(start: date, end: date, scope: Q, limit: int = 200) -> list[Response]:
    """The latest non-empty suggestions, with their service (no personal data is stored)."""
    return list(
        _responses(start, end, scope=scope)
        .exclude(suggestion="")
        .select_related("service")
        .order_by("-submitted_at", "-id")[:limit]
    )


def answered_years(scope: Q) -> list[int]:
    """The years in which a service inside `scope` received an answer, latest first."""
    dates = Response.objects.filter(scope).dates("service__served_on", "year", order="DESC")
    return [d.year for d in dates]
