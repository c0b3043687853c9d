"""Fixed-schedule adherence: taken, late, missed, due, upcoming and extra, across midnight and DST."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from morrow.regimens import AdherenceReport, FixedSchedule, RegimenError, fixed_adherence

NY = ZoneInfo("America/New_York")
TWICE_A_DAY = FixedSchedule(times=("08:00", "20:00"))
DAY = date(2026, 5, 4)


def ny(day: date, hour: int, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY, fold=fold)


def statuses(report: AdherenceReport) -> list[tuple[str, str]]:
    return [(dose.label, dose.status) for dose in report.scheduled]


def test_it_marks_each_scheduled_dose_taken_late_missed_due_or_upcoming() -> None:
    report = fixed_adherence(TWICE_A_DAY, [ny(DAY, 8, 10), ny(DAY, 21, 30)], NY, DAY, ny(date(2026, 5, 5), 8, 30))
    assert [(d.day, d.label, d.status) for d in report.scheduled] == [
        (DAY, "08:00", "taken"),
        (DAY, "20:00", "late"),
        (date(2026, 5, 5), "08:00", "due"),
        (date(2026, 5, 5), "20:00", "upcoming"),
    ]
    assert report.scheduled[1].taken_at == ny(DAY, 21, 30)
    assert report.extra == ()


def test_it_calls_a_dose_missed_once_its_grace_window_has_closed() -> None:
    report = fixed_adherence(TWICE_A_DAY, [], NY, DAY, ny(DAY, 9, 1))
    assert statuses(report) == [("08:00", "missed"), ("20:00", "upcoming")]
    assert fixed_adherence(TWICE_A_DAY, [], NY, DAY, ny(DAY, 9, 0)).scheduled[0].status == "due"


def test_it_counts_the_grace_window_inclusively_on_both_sides() -> None:
    report = fixed_adherence(TWICE_A_DAY, [ny(DAY, 7, 0), ny(DAY, 21, 0)], NY, DAY, ny(DAY, 23, 0))
    assert statuses(report) == [("08:00", "taken"), ("20:00", "taken")]


def test_it_takes_the_grace_window_as_a_parameter() -> None:
    report = fixed_adherence(TWICE_A_DAY, [ny(DAY, 8, 20)], NY, DAY, ny(DAY, 12), grace_minutes=15)
    assert report.scheduled[0].status == "late"


def test_it_calls_a_second_dose_in_one_window_extra() -> None:
    report = fixed_adherence(TWICE_A_DAY, [ny(DAY, 8), ny(DAY, 8, 5)], NY, DAY, ny(DAY, 12))
    assert report.scheduled[0].taken_at == ny(DAY, 8)
    assert report.extra == (ny(DAY, 8, 5),)


def test_it_calls_a_dose_more_than_the_grace_early_extra_when_nothing_is_owed() -> None:
    next_day = date(2026, 5, 5)
    doses = [ny(DAY, 8), ny(DAY, 20), ny(next_day, 6, 30)]
    report = fixed_adherence(TWICE_A_DAY, doses, NY, DAY, ny(next_day, 9, 30))
    assert report.extra == (ny(next_day, 6, 30),)
    assert report.on(next_day)[0].status == "missed"


def test_it_does_not_count_a_catch_up_dose_in_the_next_window_as_late() -> None:
    report = fixed_adherence(TWICE_A_DAY, [ny(DAY, 19, 45), ny(DAY, 20, 10)], NY, DAY, ny(DAY, 22))
    assert statuses(report) == [("08:00", "missed"), ("20:00", "taken")]
    assert report.extra == (ny(DAY, 20, 10),)


@pytest.mark.parametrize(("grace", "status"), [(30, "late"), (60, "taken")])
def test_it_files_a_2330_dose_taken_after_midnight_under_the_day_before(grace: int, status: str) -> None:
    nightly = FixedSchedule(times=("23:30",))
    taken = ny(date(2026, 5, 5), 0, 20)
    report = fixed_adherence(nightly, [taken], NY, DAY, ny(date(2026, 5, 5), 12), grace_minutes=grace)
    assert [(d.day, d.status) for d in report.scheduled] == [(DAY, status), (date(2026, 5, 5), "upcoming")]
    assert report.extra == ()


def test_it_moves_a_dose_time_that_does_not_exist_on_spring_forward_to_when_the_clock_shows_it() -> None:
    spring = date(2026, 3, 8)
    nightly = FixedSchedule(times=("02:30",))
    report = fixed_adherence(nightly, [ny(spring, 3, 40)], NY, spring, ny(spring, 12))
    dose = report.scheduled[0]
    assert dose.due_at.isoformat() == "2026-03-08T03:30:00-04:00"
    assert dose.status == "taken"


def test_it_keeps_wall_clock_times_right_on_both_sides_of_spring_forward() -> None:
    report = fixed_adherence(TWICE_A_DAY, [], NY, date(2026, 3, 7), ny(date(2026, 3, 8), 23))
    assert [d.due_at.isoformat() for d in report.scheduled] == [
        "2026-03-07T08:00:00-05:00",
        "2026-03-07T20:00:00-05:00",
        "2026-03-08T08:00:00-04:00",
        "2026-03-08T20:00:00-04:00",
    ]


def test_it_schedules_a_fall_back_0130_once_at_its_first_occurrence() -> None:
    fall = date(2026, 11, 1)
    nightly = FixedSchedule(times=("01:30",))
    second = ny(fall, 1, 30, fold=1)  # 01:30 EST, an hour after 01:30 EDT
    report = fixed_adherence(nightly, [second], NY, fall, ny(fall, 12))
    assert len(report.on(fall)) == 1
    assert report.scheduled[0].due_at.isoformat() == "2026-11-01T01:30:00-04:00"
    assert report.scheduled[0].status == "taken"
    assert fixed_adherence(nightly, [second], NY, fall, ny(fall, 12), grace_minutes=30).scheduled[0].status == "late"


def test_it_calls_a_dose_at_both_0130s_one_taken_and_one_extra() -> None:
    fall = date(2026, 11, 1)
    doses = [ny(fall, 1, 30), ny(fall, 1, 30, fold=1)]
    report = fixed_adherence(FixedSchedule(times=("01:30",)), doses, NY, fall, ny(fall, 12), grace_minutes=30)
    assert report.scheduled[0].taken_at == ny(fall, 1, 30)
    assert [d.isoformat() for d in report.extra] == ["2026-11-01T01:30:00-05:00"]


def test_it_measures_grace_in_real_time_across_fall_back() -> None:
    fall = date(2026, 11, 1)
    # 00:45 EDT to 01:15 EST is 90 minutes, though the wall clock moved only 30.
    report = fixed_adherence(FixedSchedule(times=("00:45",)), [ny(fall, 1, 15, fold=1)], NY, fall, ny(fall, 12))
    assert report.scheduled[0].status == "late"


@pytest.mark.parametrize(("bedtime", "minutes", "due"), [("23:00", 30, "2026-05-04T22:30:00-04:00"),
                                                          ("00:30", 60, "2026-05-04T23:30:00-04:00")])  # fmt: skip
def test_it_places_a_bedtime_dose_on_the_evening_the_night_begins(bedtime: str, minutes: int, due: str) -> None:
    schedule = FixedSchedule(minutes_before_bedtime=minutes, bedtime=bedtime)
    report = fixed_adherence(schedule, [], NY, DAY, ny(DAY, 12))
    assert [(d.day, d.due_at.isoformat(), d.status) for d in report.scheduled] == [(DAY, due, "upcoming")]


@pytest.mark.parametrize(
    ("schedule", "now"),
    [
        (FixedSchedule(times=("8am",)), ny(DAY, 12)),
        (FixedSchedule(minutes_before_bedtime=30), ny(DAY, 12)),
        (TWICE_A_DAY, datetime(2026, 5, 4, 12)),
    ],
)
def test_it_refuses_what_it_cannot_read(schedule: FixedSchedule, now: datetime) -> None:
    with pytest.raises(RegimenError):
        fixed_adherence(schedule, [], NY, DAY, now)
