"""The taper planner behind `morrow taper plan` (ARCHITECTURE.md): computes what the clinician asked for.

Each step lasts `interval_days`; the first step is the first reduced dose and the last is the floor.
Doses are computed exactly (see `exact.py`), so a cut of 10 % of 35 mg is 3.5 mg, not 3.4999...
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from morrow.catalog import Catalog, CatalogError, Substance, convert_amount
from morrow.regimens.errors import RegimenError
from morrow.regimens.exact import as_number, ceil_to_multiple, exact, floor_to_multiple
from morrow.regimens.mme import mme_conversion
from morrow.regimens.taper_request import Method, TaperRequest

__all__ = ["MAX_STEPS", "TaperSchedule", "TaperStep", "plan_taper", "schedule_to_json"]

MAX_STEPS = 500
_CUT_FIELD: dict[Method, str] = {"percent_of_current": "min_step", "percent_of_original": "percent", "linear": "step"}


@dataclass(frozen=True)
class TaperStep:
    start: date
    end: date
    daily_dose: int | float
    unit: str
    mme_per_day: float | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class TaperSchedule:
    """One version of a plan. Revisions (pause, resume, reverse) return a new version, never edit one."""

    substance: str
    unit: str
    method: Method
    original_daily_dose: int | float
    floor: int | float
    interval_days: int
    steps: tuple[TaperStep, ...]
    original_mme_per_day: float | None = None
    notes: tuple[str, ...] = ()
    version: int = 1
    paused_on: date | None = None

    @property
    def total_days(self) -> int:
        return (self.steps[-1].end - self.steps[0].start).days + 1

    def step_on(self, day: date) -> int | None:
        """Index of the step that `day` falls in, or None before the start and after the end."""
        return next((i for i, step in enumerate(self.steps) if step.start <= day <= step.end), None)


def plan_taper(request: TaperRequest, catalog: Catalog) -> TaperSchedule:
    substance = _substance(request, catalog)
    current = _positive(request.current_daily_dose, "current_daily_dose", "the current daily dose")
    interval = request.interval_days
    if isinstance(interval, bool) or not isinstance(interval, int) or interval <= 0:
        raise RegimenError("invalid_value", "interval_days must be a whole number above 0", field="interval_days")
    min_step = _min_step(request, substance, current)
    floor = _floor(request, current)
    conversion = mme_conversion(substance, request.unit)
    doses = list(_doses(request, current, min_step, floor))
    try:
        steps = tuple(
            TaperStep(
                start=request.start + timedelta(days=i * interval),
                end=request.start + timedelta(days=(i + 1) * interval - 1),
                daily_dose=as_number(dose),
                unit=request.unit,
                mme_per_day=conversion.apply(dose),
            )
            for i, dose in enumerate(doses)
        )
    except OverflowError:
        raise RegimenError("invalid_value", "the plan would run past the year 9999", field="interval_days") from None
    return TaperSchedule(
        substance=substance.id,
        unit=request.unit,
        method=request.method,
        original_daily_dose=as_number(current),
        floor=as_number(floor),
        interval_days=interval,
        steps=steps,
        original_mme_per_day=conversion.apply(current),
        notes=conversion.notes,
    )


def schedule_to_json(schedule: TaperSchedule) -> dict[str, Any]:
    """The `morrow taper plan` output; `mme_per_day` only where a factor applies, `notes` only when any."""
    steps: list[dict[str, Any]] = []
    for step in schedule.steps:
        row: dict[str, Any] = {
            "start": step.start.isoformat(),
            "end": step.end.isoformat(),
            "daily_dose": step.daily_dose,
            "unit": step.unit,
        }
        if step.mme_per_day is not None:
            row["mme_per_day"] = step.mme_per_day
        steps.append(row)
    body: dict[str, Any] = {"steps": steps, "total_days": schedule.total_days}
    if schedule.notes:
        body["notes"] = list(schedule.notes)
    return body


def _doses(request: TaperRequest, current: Fraction, min_step: Fraction, floor: Fraction) -> Iterator[Fraction]:
    cut = _fixed_cut(request, current, min_step)
    dose = current
    for _ in range(MAX_STEPS):
        if cut is None:
            reduced = ceil_to_multiple(dose * (1 - _percent(request) / 100), min_step)
            following = reduced if reduced < dose else dose - min_step
        else:
            following = dose - cut
        dose = max(following, floor)
        yield dose
        if dose == floor:
            return
    raise RegimenError(
        "too_many_steps",
        f"This plan would need more than {MAX_STEPS} steps. A larger cut or a larger min_step keeps it to "
        f"{MAX_STEPS} or fewer.",
        field=_CUT_FIELD[request.method],
    )


def _fixed_cut(request: TaperRequest, current: Fraction, min_step: Fraction) -> Fraction | None:
    """The same cut every step (percent_of_original, linear), or None when it depends on the last dose."""
    if request.method == "percent_of_original":
        return max(floor_to_multiple(current * _percent(request) / 100, min_step), min_step)
    if request.method == "linear":
        return _positive(request.step, "step", "step")
    return None


def _percent(request: TaperRequest) -> Fraction:
    percent = _positive(request.percent, "percent", "percent")
    if percent > 100:
        raise RegimenError("invalid_value", "percent must be at most 100", field="percent")
    return percent


def _substance(request: TaperRequest, catalog: Catalog) -> Substance:
    if not catalog.has_substance(request.substance):
        raise RegimenError("unknown_substance", f"unknown substance {request.substance!r}", field="substance")
    substance = catalog.substance(request.substance)
    if request.form is not None and substance.form(request.form) is None:
        known = ", ".join(f.id for f in substance.forms) or "none"
        raise RegimenError(
            "unknown_form", f"{substance.name} has no form {request.form!r} (forms: {known})", field="form"
        )
    units: set[str] = {substance.default_unit}
    if request.form is not None:
        units.add(_form_unit(substance, request.form))
    for unit in sorted(units):
        try:
            convert_amount(1.0, request.unit, unit)
        except CatalogError:
            raise RegimenError(
                "invalid_unit",
                f"{request.unit!r} cannot be used for {substance.name} (it is dosed in {unit})",
                field="unit",
            ) from None
    if request.method == "linear" and request.percent is not None:
        raise RegimenError("invalid_value", "percent is for the percent methods; linear uses step", field="percent")
    if request.method != "linear" and request.step is not None:
        raise RegimenError("invalid_value", "step is for the linear method; this method uses percent", field="step")
    return substance


def _min_step(request: TaperRequest, substance: Substance, current: Fraction) -> Fraction:
    if request.min_step is not None:
        min_step = _positive(request.min_step, "min_step", "min_step")
    elif request.form is not None:
        form = substance.form(request.form)
        assert form is not None  # checked in _substance
        min_step = exact(convert_amount(form.min_step, form.default_unit, request.unit))
    else:
        raise RegimenError("missing_field", "min_step is required when no form is named", field="min_step")
    if min_step > current:
        raise RegimenError("invalid_value", "min_step is larger than the current daily dose", field="min_step")
    return min_step


def _floor(request: TaperRequest, current: Fraction) -> Fraction:
    floor = _finite(request.floor, "floor")
    if floor < 0:
        raise RegimenError("invalid_value", "floor must not be negative", field="floor")
    if floor >= current:
        raise RegimenError("invalid_value", "floor must be below the current daily dose", field="floor")
    return floor


def _form_unit(substance: Substance, form_id: str) -> str:
    form = substance.form(form_id)
    return substance.default_unit if form is None else form.default_unit


def _positive(value: float | None, field: str, label: str) -> Fraction:
    if value is None:
        raise RegimenError("missing_field", f"{field} is required for this method", field=field)
    number = _finite(value, field)
    if number <= 0:
        raise RegimenError("invalid_value", f"{label} must be above 0", field=field)
    return number


def _finite(value: float, field: str) -> Fraction:
    try:
        return exact(value)
    except (TypeError, ValueError, OverflowError):
        raise RegimenError("invalid_value", f"{field} must be a finite number", field=field) from None
