"""CBT-I sleep window: SE boundaries at 85 and 90 exactly, the 300-minute floor, the ESS guard."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from morrow.regimens import SleepNight, propose_sleep_window

TODAY = date(2027, 2, 8)


def week(tst: float = 360, se: float = 85, tib: float = 420, nights: int = 7) -> list[SleepNight]:
    return [SleepNight(TODAY - timedelta(days=n), tst, se, tib) for n in range(1, nights + 1)]


def test_it_needs_five_of_the_last_seven_nights() -> None:
    four = propose_sleep_window(week(nights=4), TODAY)
    assert (four.action, four.time_in_bed_min, four.nights_used) == ("not_enough_data", None, 4)
    assert propose_sleep_window(week(nights=5), TODAY).action == "initial"


def test_it_ignores_nights_outside_the_last_seven() -> None:
    old = [SleepNight(TODAY - timedelta(days=8 + n), 300, 70, 400) for n in range(5)]
    tonight = [SleepNight(TODAY, 300, 70, 400)]
    assert propose_sleep_window(old + tonight + week(nights=4), TODAY).action == "not_enough_data"


def test_it_starts_from_the_mean_sleep_time_rounded_to_15_minutes() -> None:
    proposal = propose_sleep_window(week(tst=380), TODAY, wake_time="06:30")
    assert (proposal.action, proposal.time_in_bed_min, proposal.mean_tst_min) == ("initial", 375, 380.0)
    assert (proposal.bedtime, proposal.wake_time) == ("00:15", "06:30")
    assert proposal.needs_approval
    assert "rounded to the nearest 15 minutes" in proposal.reasons[0]


def test_it_rounds_a_half_step_up() -> None:
    assert propose_sleep_window(week(tst=367.5), TODAY).time_in_bed_min == 375


def test_it_never_starts_under_300_minutes() -> None:
    proposal = propose_sleep_window(week(tst=240), TODAY)
    assert proposal.time_in_bed_min == 300
    assert "never under 300 minutes" in proposal.reasons[0]


@pytest.mark.parametrize(
    ("se", "action", "minutes"),
    [(90, "extend", 375), (89.99, "hold", 360), (85, "hold", 360), (84.99, "shorten", 345)],
)
def test_it_follows_the_cbt_i_coach_rules_at_their_exact_boundaries(se: float, action: str, minutes: int) -> None:
    proposal = propose_sleep_window(week(se=se), TODAY, current_window_min=360)
    assert (proposal.action, proposal.time_in_bed_min) == (action, minutes)


def test_it_averages_efficiency_exactly() -> None:
    nights = [SleepNight(TODAY - timedelta(days=n), 360, se, 400) for n, se in enumerate([89.9, 90.1, 90, 90, 90], 1)]
    assert propose_sleep_window(nights, TODAY, current_window_min=360).action == "extend"


def test_it_never_shortens_under_300_minutes() -> None:
    proposal = propose_sleep_window(week(se=70), TODAY, current_window_min=310)
    assert (proposal.action, proposal.time_in_bed_min) == ("hold", 310)
    assert propose_sleep_window(week(se=70), TODAY, current_window_min=315).time_in_bed_min == 300


def test_it_never_shortens_when_daytime_sleepiness_is_high_and_flags_it() -> None:
    proposal = propose_sleep_window(week(se=70), TODAY, current_window_min=360, latest_ess_total=11)
    assert (proposal.action, proposal.time_in_bed_min, proposal.flag_for_clinician) == ("hold", 360, True)
    assert any("Epworth" in reason for reason in proposal.reasons)


def test_it_still_shortens_at_an_ess_of_10() -> None:
    proposal = propose_sleep_window(week(se=70), TODAY, current_window_min=360, latest_ess_total=10)
    assert (proposal.action, proposal.flag_for_clinician) == ("shorten", False)


def test_it_does_not_restrict_a_first_window_when_daytime_sleepiness_is_high() -> None:
    proposal = propose_sleep_window(week(tst=330, tib=450), TODAY, latest_ess_total=14)
    assert (proposal.action, proposal.time_in_bed_min, proposal.flag_for_clinician) == ("initial", 450, True)


def test_it_still_extends_when_daytime_sleepiness_is_high() -> None:
    proposal = propose_sleep_window(week(se=93), TODAY, current_window_min=360, latest_ess_total=15)
    assert (proposal.action, proposal.time_in_bed_min, proposal.flag_for_clinician) == ("extend", 375, True)
