"""Symptom-guided holds: N days in a row above a limit holds the next step; N - 1 does not."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from morrow.catalog import load_catalog
from morrow.regimens import DailyScores, HoldRule, RegimenError, pause, plan_taper, step_status
from tests.regimens.builders import taper_request

SCHEDULE = plan_taper(taper_request(), load_catalog())  # 14-day steps from 2027-01-04
SOWS = HoldRule("sows.total", above=20, consecutive_days=3, label="SOWS total")
CRAVING = HoldRule("craving-vas.score", above=70, consecutive_days=2, label="Craving")
TODAY = date(2027, 1, 20)  # in step 1 (2027-01-18 to 2027-01-31)


def sows(values: dict[int, float], today: date = TODAY) -> DailyScores:
    """SOWS totals keyed by days before `today` (0 = today)."""
    return {today - timedelta(days=ago): {"sows.total": value} for ago, value in values.items()}


def test_it_holds_the_next_step_after_n_days_in_a_row_above_the_limit() -> None:
    status = step_status(SCHEDULE, [SOWS], sows({0: 24, 1: 22, 2: 21}), TODAY)
    assert (status.status, status.step, status.held_step) == ("hold", 1, 2)
    assert status.triggered_by == (date(2027, 1, 18), date(2027, 1, 19), date(2027, 1, 20))
    assert status.rule == SOWS
    assert status.ask_clinician
    assert "SOWS total has been above 20 for 3 days in a row" in status.reason


def test_it_does_not_hold_after_n_minus_1_days() -> None:
    status = step_status(SCHEDULE, [SOWS], sows({0: 24, 1: 22, 2: 12}), TODAY)
    assert (status.status, status.held_step) == ("on_track", None)
    assert not status.ask_clinician


def test_it_needs_the_score_above_the_limit_not_at_it() -> None:
    assert step_status(SCHEDULE, [SOWS], sows({0: 20, 1: 22, 2: 21}), TODAY).status == "on_track"


def test_it_treats_a_day_without_a_score_as_breaking_the_run() -> None:
    assert step_status(SCHEDULE, [SOWS], sows({0: 24, 1: 22, 3: 21, 4: 25}), TODAY).status == "on_track"


def test_it_counts_a_run_ending_yesterday_while_todays_check_in_is_not_in() -> None:
    status = step_status(SCHEDULE, [SOWS], sows({1: 24, 2: 22, 3: 21}), TODAY)
    assert status.status == "hold"
    assert status.triggered_by[-1] == TODAY - timedelta(days=1)


def test_it_resumes_the_plan_once_a_day_is_back_under_the_limit() -> None:
    assert step_status(SCHEDULE, [SOWS], sows({0: 15, 1: 24, 2: 22, 3: 21}), TODAY).status == "on_track"


def test_it_holds_on_whichever_rule_is_met() -> None:
    scores = {TODAY: {"craving-vas.score": 80, "sows.total": 5}, TODAY - timedelta(days=1): {"craving-vas.score": 75}}
    status = step_status(SCHEDULE, [SOWS, CRAVING], scores, TODAY)
    assert (status.status, status.rule) == ("hold", CRAVING)


def test_it_holds_the_first_step_before_the_plan_starts() -> None:
    before = date(2027, 1, 3)
    status = step_status(SCHEDULE, [SOWS], sows({0: 30, 1: 30, 2: 30}, before), before)
    assert (status.status, status.step, status.held_step) == ("hold", None, 0)
    assert step_status(SCHEDULE, [SOWS], {}, before).status == "not_started"


def test_it_says_there_is_nothing_left_to_hold_on_the_last_step() -> None:
    last = SCHEDULE.steps[-1].start
    status = step_status(SCHEDULE, [SOWS], sows({0: 30, 1: 30, 2: 30}, last), last)
    assert (status.status, status.held_step) == ("hold", None)
    assert "Any further change is on hold" in status.reason


def test_it_reports_a_finished_plan_as_completed() -> None:
    after = SCHEDULE.steps[-1].end + timedelta(days=1)
    assert step_status(SCHEDULE, [SOWS], sows({0: 30, 1: 30, 2: 30}, after), after).status == "completed"


def test_it_reports_a_paused_plan_as_paused_until_resumed() -> None:
    paused = pause(SCHEDULE, date(2027, 1, 19))
    status = step_status(paused, [SOWS], {}, TODAY)
    assert (status.status, status.ask_clinician) == ("paused", True)
    assert step_status(paused, [SOWS], {}, date(2027, 1, 18)).status == "on_track"


def test_it_refuses_a_rule_that_needs_no_days_or_has_no_limit() -> None:
    with pytest.raises(RegimenError):
        HoldRule("sows.total", above=20, consecutive_days=0)
    with pytest.raises(RegimenError):
        HoldRule("sows.total", above=float("nan"), consecutive_days=3)
