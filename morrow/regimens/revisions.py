"""What a clinician can do to a running taper: pause, resume, step back. Each returns a new version.

Dates move honestly: days spent paused lengthen the step the pause began in and push every later
step back by the same number of days; nothing already lived through is rewritten.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from morrow.regimens.errors import RegimenError
from morrow.regimens.taper import TaperSchedule, TaperStep

__all__ = ["pause", "resume", "reverse_one_step"]


def pause(schedule: TaperSchedule, on: date) -> TaperSchedule:
    """From `on`, the dose stays where it is until `resume`."""
    if schedule.paused_on is not None:
        raise RegimenError("already_paused", f"the plan is already paused since {schedule.paused_on}", field="on")
    if on > schedule.steps[-1].end:
        raise RegimenError("completed", "the plan has already finished", field="on")
    return replace(schedule, version=schedule.version + 1, paused_on=on)


def resume(schedule: TaperSchedule, on: date) -> TaperSchedule:
    """Carry on from `on`: the paused step is lengthened by the pause, later steps move back."""
    return replace(_resumed(schedule, on), version=schedule.version + 1)


def reverse_one_step(schedule: TaperSchedule, on: date) -> TaperSchedule:
    """From `on`, go back to the previous step's dose for one interval, then repeat the current step.

    A paused plan is resumed on `on` first. Before the first step, the previous dose is the original one.
    """
    active = _resumed(schedule, on) if schedule.paused_on is not None else schedule
    index = active.step_on(on)
    if index is None:
        raise RegimenError("no_current_step", f"{on.isoformat()} is outside the plan's steps", field="on")
    current = active.steps[index]
    interval = timedelta(days=active.interval_days)
    if index > 0:
        previous = active.steps[index - 1]
        back_dose, back_mme = previous.daily_dose, previous.mme_per_day
    else:
        back_dose, back_mme = active.original_daily_dose, active.original_mme_per_day
    step_back = TaperStep(on, on + interval - timedelta(days=1), back_dose, active.unit, back_mme)
    repeated = replace(current, start=on + interval, end=on + 2 * interval - timedelta(days=1))
    shift = repeated.end - current.end
    kept = list(active.steps[:index])
    if on > current.start:
        kept.append(replace(current, end=on - timedelta(days=1)))
    later = [_shifted(step, shift) for step in active.steps[index + 1 :]]
    steps = (*kept, step_back, repeated, *later)
    return replace(active, steps=steps, version=schedule.version + 1)


def _resumed(schedule: TaperSchedule, on: date) -> TaperSchedule:
    paused_on = schedule.paused_on
    if paused_on is None:
        raise RegimenError("not_paused", "the plan is not paused", field="on")
    if on < paused_on:
        raise RegimenError("invalid_value", f"cannot resume before the pause began ({paused_on})", field="on")
    shift = on - paused_on
    index = schedule.step_on(paused_on)
    steps: list[TaperStep] = []
    for i, step in enumerate(schedule.steps):
        if index is not None and i < index:
            steps.append(step)
        elif i == index:
            steps.append(replace(step, end=step.end + shift))
        else:
            steps.append(_shifted(step, shift))
    return replace(schedule, steps=tuple(steps), paused_on=None)


def _shifted(step: TaperStep, by: timedelta) -> TaperStep:
    return replace(step, start=step.start + by, end=step.end + by)
