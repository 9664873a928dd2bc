"""The recap tests' small registry (desa A: families of 4 and 2, one member needing repair;
desa B: a family of 3), and its year 2023 closed by the kabupaten verifier."""

from __future__ import annotations

import pytest

from dtks.periods.actions import close_period, get_or_create_period
from dtks.periods.models import Period
from dtks.registry.models import Family
from tests.reports.test_recap import registry  # noqa: F401  (a fixture, shared)


@pytest.fixture
def closed_2023(registry: dict[str, Family], personas) -> Period:  # noqa: F811
    return close_period(get_or_create_period(2023), by=personas.pengelola)
