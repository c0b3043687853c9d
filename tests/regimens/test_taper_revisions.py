"""Pause, resume and step back: each returns a new version, and later dates move honestly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from morrow.catalog import load_catalog
from morrow.regimens import RegimenError, TaperSchedule, pause, plan_taper, resume, reverse_one_step
from tests.regimens.builders import taper_request

PLAN = plan_taper(taper_request(), load_catalog())  # 35, 30, 25 ... 0 mg in 14-day steps from 2027-01-04


def rows(schedule: TaperSchedule) -> list[tuple[str, str, int | float]]:
    return [(s.start.isoformat(), s.end.isoformat(), s.daily_dose) for s in schedule.steps]


def test_it_lengthens_the_paused_step_by_the_pause_and_moves_later_steps() -> None:
    resumed = resume(pause(PLAN, date(2027, 1, 20)), date(2027, 1, 27))
    assert rows(resumed)[:3] == [
        ("2027-01-04", "2027-01-17", 35),
        ("2027-01-18", "2027-02-07", 30),
        ("2027-02-08", "2027-02-21", 25),
    ]
    assert resumed.total_days == PLAN.total_days + 7
    assert (resumed.version, resumed.paused_on) == (3, None)


def test_it_never_changes_the_version_it_was_given() -> None:
    before = rows(PLAN)
    paused = pause(PLAN, date(2027, 1, 20))
    resume(paused, date(2027, 2, 1))
    reverse_one_step(PLAN, date(2027, 1, 20))
    assert rows(PLAN) == before
    assert (PLAN.version, PLAN.paused_on, paused.paused_on) == (1, None, date(2027, 1, 20))


def test_it_steps_back_to_the_previous_dose_then_repeats_the_current_one() -> None:
    reversed_plan = reverse_one_step(PLAN, date(2027, 1, 20))
    assert rows(reversed_plan)[:5] == [
        ("2027-01-04", "2027-01-17", 35),
        ("2027-01-18", "2027-01-19", 30),
        ("2027-01-20", "2027-02-02", 35),
        ("2027-02-03", "2027-02-16", 30),
        ("2027-02-17", "2027-03-02", 25),
    ]
    assert reversed_plan.steps[2].mme_per_day == 52.5
    assert reversed_plan.version == 2
    assert reversed_plan.steps[-1].daily_dose == 0


def test_it_replaces_the_current_step_when_stepping_back_on_its_first_day() -> None:
    reversed_plan = reverse_one_step(PLAN, date(2027, 1, 18))
    assert rows(reversed_plan)[1:3] == [("2027-01-18", "2027-01-31", 35), ("2027-02-01", "2027-02-14", 30)]


def test_it_steps_back_to_the_original_dose_from_the_first_step() -> None:
    reversed_plan = reverse_one_step(PLAN, date(2027, 1, 4))
    assert rows(reversed_plan)[0] == ("2027-01-04", "2027-01-17", 40)
    assert reversed_plan.steps[0].mme_per_day == 60.0


def test_it_resumes_a_paused_plan_before_stepping_back() -> None:
    reversed_plan = reverse_one_step(pause(PLAN, date(2027, 1, 20)), date(2027, 1, 25))
    assert reversed_plan.paused_on is None
    assert rows(reversed_plan)[1:4] == [
        ("2027-01-18", "2027-01-24", 30),
        ("2027-01-25", "2027-02-07", 35),
        ("2027-02-08", "2027-02-21", 30),
    ]
    assert reversed_plan.version == 3


def test_it_moves_every_step_when_paused_before_the_start() -> None:
    resumed = resume(pause(PLAN, date(2027, 1, 1)), date(2027, 1, 8))
    assert resumed.steps[0].start == date(2027, 1, 11)
    assert resumed.total_days == PLAN.total_days


@pytest.mark.parametrize(
    "change",
    [
        lambda: resume(PLAN, date(2027, 1, 20)),
        lambda: pause(pause(PLAN, date(2027, 1, 20)), date(2027, 1, 21)),
        lambda: resume(pause(PLAN, date(2027, 1, 20)), date(2027, 1, 19)),
        lambda: pause(PLAN, date(2027, 6, 1)),
        lambda: reverse_one_step(PLAN, date(2027, 1, 1)),
    ],
    ids=["resume-unpaused", "pause-twice", "resume-before-pause", "pause-finished", "reverse-before-start"],
)
def test_it_refuses_changes_that_make_no_sense(change: Callable[[], TaperSchedule]) -> None:
    with pytest.raises(RegimenError):
        change()
