"""Operator alerts: each fires at its threshold (just under: none; at and over: one)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from dtks.performance.operators import anomalies as a

WHO = a.Who("Siti Operator", "Taba Terunjam")
END = dt.date(2023, 8, 20)  # the last day of August's DTKS window (15-20)
T = a.Thresholds(burst_last_days=2, burst_share=0.5, burst_min_proposals=4)


def _subs(late: int, early: int, end: dt.date | None = END) -> list[a.Submission]:
    days = [END - dt.timedelta(days=i % 2) for i in range(late)]  # 20 and 19 Aug
    days += [dt.date(2023, 8, 15 + i % 3) for i in range(early)]  # 15-17 Aug
    return [a.Submission(100 + i, day, end) for i, day in enumerate(days)]


@pytest.mark.parametrize(
    ("late", "early", "fires"),
    [(1, 3, False), (2, 2, True), (3, 1, True), (2, 1, False)],  # 25 %, 50 %, 75 %, 3 < 4
)
def test_burst_fires_at_the_share_and_the_minimum(late, early, fires) -> None:
    alerts = a.burst_alerts(WHO, _subs(late, early), T)
    assert bool(alerts) is fires
    if fires:
        (alert,) = alerts
        assert alert.code == a.DEADLINE_BURST
        assert alert.evidence == tuple(range(100, 100 + late))
        assert "Siti Operator" in alert.message and "Taba Terunjam" in alert.message
        assert "50 %" in alert.message


def test_the_last_days_count_from_the_window_end() -> None:
    on_end = a.Submission(1, END, END)
    one_before = a.Submission(2, END - dt.timedelta(days=1), END)
    two_before = a.Submission(3, END - dt.timedelta(days=2), END)
    outside = a.Submission(4, END + dt.timedelta(days=1), None)
    assert [a.in_last_days(s, 2) for s in (on_end, one_before, two_before, outside)] == [
        True,
        True,
        False,
        False,
    ]


def test_burst_is_judged_per_month() -> None:
    august = _subs(2, 2)
    september = [
        a.Submission(200 + i, dt.date(2023, 9, 16), dt.date(2023, 9, 20)) for i in range(4)
    ]
    (alert,) = a.burst_alerts(WHO, august + september, T)
    assert set(alert.evidence) <= {s.proposal_id for s in august}


def _at(address: str, family: int | None, pk: int, rt: str = "001", rw: str = "002"):
    return a.AddressedProposal(pk, family, address, rt, rw)


@pytest.mark.parametrize(("families", "fires"), [(3, False), (4, True), (5, True)])
def test_same_address_fires_at_the_number_of_families(families, fires) -> None:
    writings = ["Jalan Merdeka No. 07", "JL. MERDEKA 7", "jl merdeka no 7", "Jln. Merdeka 007"]
    rows = [_at(writings[i % 4], 500 + i, i, rt="1" if i % 2 else "001") for i in range(families)]
    alerts = a.address_alerts(WHO, rows, a.Thresholds(address_min_families=4))
    assert bool(alerts) is fires
    if fires:
        assert alerts[0].code == a.SAME_ADDRESS
        assert alerts[0].severity == a.HIGH
        assert alerts[0].evidence == tuple(range(families))
        assert "JL MERDEKA 7" in alerts[0].message


def test_same_address_counts_families_not_proposals() -> None:
    """Four proposals about one family (its members corrected) are one family; each new
    family counts as its own."""
    one_family = [_at("Jl. Melati 1", 7, pk) for pk in range(4)]
    assert a.address_alerts(WHO, one_family, a.Thresholds(address_min_families=2)) == []
    new_families = [_at("Jl. Melati 1", None, pk) for pk in range(2)]
    assert a.address_alerts(WHO, new_families, a.Thresholds(address_min_families=2))


def test_same_address_keeps_rt_rw_apart() -> None:
    rows = [_at("Jl. Melati 1", 10 + i, i, rt=str(i)) for i in range(4)]
    assert a.address_alerts(WHO, rows, a.Thresholds(address_min_families=2)) == []


@pytest.mark.parametrize(
    ("hour", "odd"), [(21, False), (22, True), (23, True), (0, True), (4, True), (5, False)]
)
def test_odd_hours_run_from_22_to_5(hour, odd) -> None:
    assert a.is_odd_hour(hour, a.Thresholds()) is odd


ODD = a.Thresholds(odd_count=10, odd_share=0.25, odd_share_min_count=4)


@pytest.mark.parametrize(
    ("total", "odd", "fires"),
    [
        (100, 9, False),  # under the count, 9 % share
        (100, 10, True),  # at the count
        (100, 11, True),
        (16, 3, False),  # a large share (19 %) but under the minimum of 4
        (17, 4, False),  # 4 events, share 23.5 % just under 25 %
        (16, 4, True),  # 4 events at 25 %
        (12, 4, True),  # 33 %
    ],
)
def test_odd_hours_fire_at_the_count_or_at_the_share(total, odd, fires) -> None:
    alert = a.odd_hours_alert(WHO, total, range(odd), ODD, families=[3, 1])
    assert (alert is not None) is fires
    if alert:
        assert alert.code == a.ODD_HOURS
        assert alert.evidence == tuple(range(odd))
        assert alert.families == (1, 3)
        assert f" {odd} " in alert.message and f" {total} " in alert.message


@override_settings(DTKS_OPERATOR_ALERTS={"odd_count": 3, "unknown": 1})
def test_thresholds_come_from_settings_key_by_key() -> None:
    t = a.thresholds()
    assert t.odd_count == 3
    assert t.burst_share == a.Thresholds().burst_share
