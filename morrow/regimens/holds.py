"""Symptom-guided holds: should today's plan go ahead, or should the next cut wait for the clinician?

A hold rule fires when a measure (a SOWS total, a craving VAS score) is above its limit on N
consecutive days, the latest of which is today or yesterday (today's check-in may not be in yet).
A day without a score breaks the run: missing data is never read as "above the limit". The engine
only says so; a clinician decides, and records it with `pause`, `resume` or `reverse_one_step`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from morrow.regimens.errors import RegimenError
from morrow.regimens.exact import exact, fmt
from morrow.regimens.taper import TaperSchedule

__all__ = ["DailyScores", "HoldRule", "StepStatus", "step_status"]

DailyScores = Mapping[date, Mapping[str, float]]
"""Each local day's values by measure name, e.g. {date(2027, 1, 9): {"sows.total": 21}}."""

Status = Literal["not_started", "on_track", "hold", "paused", "completed"]


@dataclass(frozen=True)
class HoldRule:
    measure: str
    above: float
    consecutive_days: int
    label: str | None = None

    def __post_init__(self) -> None:
        if self.consecutive_days < 1:
            raise RegimenError("invalid_value", "consecutive_days must be at least 1", field="consecutive_days")
        try:
            exact(self.above)
        except (TypeError, ValueError):
            raise RegimenError("invalid_value", "the limit must be a finite number", field="above") from None

    @property
    def name(self) -> str:
        return self.label or self.measure


@dataclass(frozen=True)
class StepStatus:
    status: Status
    today: date
    step: int | None
    held_step: int | None
    reason: str
    triggered_by: tuple[date, ...] = ()
    rule: HoldRule | None = None

    @property
    def ask_clinician(self) -> bool:
        return self.status in ("hold", "paused")


def step_status(schedule: TaperSchedule, rules: Sequence[HoldRule], scores: DailyScores, today: date) -> StepStatus:
    step = schedule.step_on(today)
    if schedule.paused_on is not None and today >= schedule.paused_on:
        return StepStatus(
            "paused", today, step, step, f"The plan was paused on {schedule.paused_on.isoformat()}; "
            "the dose stays the same until the clinician resumes or changes it."
        )  # fmt: skip
    if today > schedule.steps[-1].end:
        return StepStatus("completed", today, None, None, "The taper plan has finished.")
    for rule in rules:
        run = _run_above(rule, scores, today)
        if len(run) >= rule.consecutive_days:
            return _hold(schedule, rule, run, today, step)
    if step is None:
        first = schedule.steps[0].start.isoformat()
        return StepStatus("not_started", today, None, None, f"The plan starts on {first}.")
    return StepStatus("on_track", today, step, None, "No hold rule is met; the plan goes ahead as written.")


def _hold(schedule: TaperSchedule, rule: HoldRule, run: tuple[date, ...], today: date, step: int | None) -> StepStatus:
    following = 0 if step is None else step + 1
    held = following if following < len(schedule.steps) else None
    what = "the next dose change" if held is not None else "any further change"
    reason = (
        f"{rule.name} has been above {fmt(rule.above)} for {len(run)} days in a row "
        f"({run[0].isoformat()} to {run[-1].isoformat()}). {what.capitalize()} is on hold until "
        "the clinician has looked at it."
    )
    return StepStatus("hold", today, step, held, reason, run, rule)


def _run_above(rule: HoldRule, scores: DailyScores, today: date) -> tuple[date, ...]:
    """The days, oldest first, of the run of scores above the limit that ends today or yesterday."""
    limit = exact(rule.above)
    day = today if rule.measure in scores.get(today, {}) else today - timedelta(days=1)
    run: list[date] = []
    while True:
        value = scores.get(day, {}).get(rule.measure)
        if value is None or exact(value) <= limit:
            return tuple(reversed(run))
        run.append(day)
        day -= timedelta(days=1)
