"""CBT-I sleep window (sleep restriction), as CBT-i Coach runs it. The engine proposes; a clinician approves.

- Uses the sleep-diary nights of the 7 nights before `today` (a night is filed under its evening);
  fewer than 5 -> "not enough data".
- No window yet: time in bed = mean total sleep time, rounded to the nearest 15 minutes (halves up).
- A window already set: mean sleep efficiency >= 90 % -> 15 minutes longer; 85 % up to 90 % -> same;
  under 85 % -> 15 minutes shorter.
- Never under 300 minutes (5 hours).
- ESS guard: when the latest Epworth total is above 10 (excessive daytime sleepiness) the window is
  never shortened, a first window is not set below the time already spent in bed, and the proposal is
  flagged for the clinician.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from typing import Literal

from morrow.regimens.clock import parse_clock
from morrow.regimens.errors import RegimenError
from morrow.regimens.exact import Number, exact, half_up_2

__all__ = ["FLOOR_MIN", "SleepNight", "SleepWindowProposal", "propose_sleep_window"]

FLOOR_MIN = 300
STEP_MIN = 15
MIN_NIGHTS = 5
WINDOW_NIGHTS = 7
ESS_LIMIT = 10

Action = Literal["not_enough_data", "initial", "extend", "hold", "shorten"]


@dataclass(frozen=True)
class SleepNight:
    night_of: date
    tst_min: Number
    se_pct: Number
    tib_min: Number


@dataclass(frozen=True)
class SleepWindowProposal:
    action: Action
    time_in_bed_min: int | None
    current_min: int | None
    nights_used: int
    mean_tst_min: float | None = None
    mean_se_pct: float | None = None
    bedtime: str | None = None
    wake_time: str | None = None
    flag_for_clinician: bool = False
    reasons: tuple[str, ...] = ()
    needs_approval: bool = True


def propose_sleep_window(
    nights: Sequence[SleepNight],
    today: date,
    *,
    current_window_min: int | None = None,
    latest_ess_total: int | None = None,
    wake_time: str | None = None,
) -> SleepWindowProposal:
    wake = None if wake_time is None else parse_clock(wake_time, "wake_time")
    if current_window_min is not None and current_window_min <= 0:
        raise RegimenError("invalid_value", "current_window_min must be above 0", field="current_window_min")
    recent = [n for n in nights if today - timedelta(days=WINDOW_NIGHTS) <= n.night_of < today]
    if len(recent) < MIN_NIGHTS:
        return SleepWindowProposal(
            "not_enough_data", None, current_window_min, len(recent),
            reasons=(f"{len(recent)} of the last {WINDOW_NIGHTS} nights are in the diary; at least {MIN_NIGHTS} "
                     "are needed before a sleep window can be proposed.",),
        )  # fmt: skip
    mean_tst = sum((exact(n.tst_min) for n in recent), Fraction(0)) / len(recent)
    mean_se = sum((exact(n.se_pct) for n in recent), Fraction(0)) / len(recent)
    mean_tib = sum((exact(n.tib_min) for n in recent), Fraction(0)) / len(recent)
    sleepy = latest_ess_total is not None and latest_ess_total > ESS_LIMIT
    action, minutes, reasons = _decide(current_window_min, mean_tst, mean_se, mean_tib, sleepy)
    if sleepy:
        reasons.append(
            f"The latest Epworth score is {latest_ess_total} (above {ESS_LIMIT}: daytime sleepiness), so the window "
            "is not shortened. Please review before any change."
        )
    bedtime = None if wake is None else _minus(wake, minutes)
    return SleepWindowProposal(
        action, minutes, current_window_min, len(recent), half_up_2(mean_tst), half_up_2(mean_se),
        bedtime, wake_time, sleepy, tuple(reasons),
    )  # fmt: skip


def _decide(
    current: int | None, mean_tst: Fraction, mean_se: Fraction, mean_tib: Fraction, sleepy: bool
) -> tuple[Action, int, list[str]]:
    se = f"{half_up_2(mean_se):g} %"
    if current is None:
        basis, source = (mean_tib, "the average time in bed") if sleepy else (mean_tst, "the average sleep time")
        minutes = max(_nearest_step(basis), FLOOR_MIN)
        return "initial", minutes, [_first_reason(source, basis, minutes)]
    if mean_se >= 90:
        return "extend", current + STEP_MIN, [f"Sleep efficiency averaged {se} (90 % or more): 15 minutes longer."]
    if mean_se >= 85:
        return "hold", current, [f"Sleep efficiency averaged {se} (85 % up to 90 %): the window stays the same."]
    if sleepy:
        return "hold", current, [f"Sleep efficiency averaged {se} (under 85 %)."]
    if current - STEP_MIN < FLOOR_MIN:
        return (
            "hold",
            current,
            [f"Sleep efficiency averaged {se}, but the window is not set under {FLOOR_MIN} minutes."],
        )
    return "shorten", current - STEP_MIN, [f"Sleep efficiency averaged {se} (under 85 %): 15 minutes shorter."]


def _first_reason(source: str, basis: Fraction, minutes: int) -> str:
    text = f"A first window from {source} ({half_up_2(basis):g} min), rounded to the nearest 15 minutes"
    if minutes == FLOOR_MIN and _nearest_step(basis) < FLOOR_MIN:
        return f"{text}, and never under {FLOOR_MIN} minutes."
    return f"{text}."


def _nearest_step(minutes: Fraction) -> int:
    return math.floor(minutes / STEP_MIN + Fraction(1, 2)) * STEP_MIN


def _minus(clock: time, minutes: int) -> str:
    start = datetime.combine(date(2000, 1, 2), clock) - timedelta(minutes=minutes)
    return start.strftime("%H:%M")
