"""As-needed items: doses per local day against the cap, and the minimum interval in real time."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from morrow.regimens import as_needed_adherence

NY = ZoneInfo("America/New_York")


def ny(day: date, hour: int, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY, fold=fold)


def test_it_counts_doses_per_local_day_and_flags_those_over_the_cap() -> None:
    day = date(2026, 5, 4)
    doses = [ny(day, 8), ny(day, 14), ny(day, 20)]
    (row,) = as_needed_adherence(doses, NY, day, ny(day, 23), max_doses_per_day=2)
    assert (row.count, row.cap, row.extra) == (3, 2, (ny(day, 20),))
    assert not row.within_limits


def test_it_puts_both_ends_of_the_25_hour_fall_back_day_on_one_day() -> None:
    fall = date(2026, 11, 1)
    doses = [ny(fall, 0, 30), ny(fall, 1, 30), ny(fall, 1, 30, fold=1), ny(fall, 23, 30)]
    rows = as_needed_adherence(doses, NY, fall, ny(date(2026, 11, 2), 9), max_doses_per_day=4)
    assert [(r.day, r.count) for r in rows] == [(fall, 4), (date(2026, 11, 2), 0)]


def test_it_measures_the_minimum_interval_in_real_time_across_spring_forward() -> None:
    spring = date(2026, 3, 8)
    # 01:30 EST to 03:20 EDT is 50 minutes, though the wall clock shows 1 h 50.
    doses = [ny(spring, 1, 30), ny(spring, 3, 20)]
    (row,) = as_needed_adherence(doses, NY, spring, ny(spring, 12), max_doses_per_day=3, min_interval_minutes=60)
    assert row.too_soon == (ny(spring, 3, 20),)


def test_it_measures_the_minimum_interval_across_midnight() -> None:
    first, second = date(2026, 5, 4), date(2026, 5, 5)
    doses = [ny(first, 23), ny(second, 1)]
    rows = as_needed_adherence(doses, NY, first, ny(second, 9), max_doses_per_day=1, min_interval_minutes=240)
    assert [(r.count, r.extra, r.too_soon) for r in rows] == [(1, (), ()), (1, (), (ny(second, 1),))]


def test_it_accepts_a_dose_exactly_at_the_minimum_interval() -> None:
    day = date(2026, 5, 4)
    (row,) = as_needed_adherence([ny(day, 8), ny(day, 12)], NY, day, ny(day, 13), max_doses_per_day=3,
                                 min_interval_minutes=240)  # fmt: skip
    assert row.within_limits
