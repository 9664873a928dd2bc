"""The readiness board: for each desa in the user's area, where it stands this month.

Columns come from three places: the apps above this one (proposals drafted, submitted,
returned, berita acara uploaded…) through `settings.DTKS_READINESS_SOURCES`, the open findings
of the data-quality checks (verification), and the days left in the desa's DTKS window.
A source is `source(desa_codes, period) -> {desa_code: {column: int | bool}}`; it may carry a
`labels` attribute `{column: label}` naming its columns on the board.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.module_loading import import_string

from dtks.accounts.scope import area_q
from dtks.verification.models import Finding
from dtks.wilayah.models import Region

from .models import WindowKind
from .windows import Month, WindowStatus, local_day, window_statuses

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dtks.accounts.models import User

DESA_WIDTH = 13  # `17.09.01.2001`


@dataclass
class DesaRow:
    code: str
    name: str
    values: dict[str, Any]
    open_findings: int
    window: WindowStatus

    @property
    def cells(self) -> list[Any]:
        return list(self.values.values())


@dataclass
class KecamatanGroup:
    code: str
    name: str
    rows: list[DesaRow] = field(default_factory=list)

    def total(self, column: str) -> int:
        return sum(int(row.values.get(column) or 0) for row in self.rows)

    @property
    def totals(self) -> list[int]:
        columns = self.rows[0].values.keys() if self.rows else []
        return [self.total(c) for c in columns]

    @property
    def open_findings(self) -> int:
        return sum(row.open_findings for row in self.rows)


@dataclass
class Board:
    period: Month
    columns: list[tuple[str, str]]  # (key, label)
    groups: list[KecamatanGroup]


def sources() -> list[Callable[..., dict[str, dict[str, Any]]]]:
    return [import_string(path) for path in getattr(settings, "DTKS_READINESS_SOURCES", ())]


def _source_columns(
    codes: list[str], period: Month
) -> tuple[list[tuple[str, str]], dict[str, dict[str, Any]]]:
    """Every source's columns (in source order) and their values per desa."""
    columns: list[tuple[str, str]] = []
    values: dict[str, dict[str, Any]] = {code: {} for code in codes}
    for source in sources():
        labels = getattr(source, "labels", {})
        for code, row in source(codes, period).items():
            if code in values:
                values[code].update(row)
            for key in row:
                if key not in dict(columns):
                    columns.append((key, str(labels.get(key, key))))
    return columns, values


def readiness_board(user: User | AnonymousUser, when: datetime | date | None = None) -> Board:
    """The board of every desa the user may see (`area_q` on the desa code), by kecamatan."""
    period = Month.of(local_day(when))
    villages = list(
        Region.objects.villages()
        .filter(area_q(user, "code"))
        .select_related("parent")
        .order_by("code")
    )
    codes = [v.code for v in villages]
    columns, values = _source_columns(codes, period)
    findings = {
        c["unit"]: c["errors"] + c["warnings"]
        for c in Finding.objects.open_per_unit(user, DESA_WIDTH)
    }
    windows = window_statuses(WindowKind.DTKS, codes, when)
    groups: dict[str, KecamatanGroup] = {}
    for village in villages:
        parent = village.parent
        group = groups.setdefault(parent.code, KecamatanGroup(parent.code, parent.name))
        row_values = {key: values[village.code].get(key, 0) for key, _label in columns}
        group.rows.append(
            DesaRow(
                village.code,
                village.name,
                row_values,
                findings.get(village.code, 0),
                windows[village.code],
            )
        )
    return Board(period, columns, list(groups.values()))
