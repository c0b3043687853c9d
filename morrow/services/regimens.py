"""Regimens as a clinician sets them: items, schedules, ceilings and titration rules."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.catalog import Catalog, load_catalog
from morrow.db.models import Regimen, RegimenItem
from morrow.domain.errors import Conflict, PermissionDenied, ValidationError
from morrow.services.access import require_access
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.doses import check_amount, resolve_form
from morrow.services.inputs import Day, Payload, parse
from morrow.services.people import CLOCK
from morrow.services.tx import atomic

PRESCRIBERS = ("clinician", "system")


class RegimenItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    substance: str
    form: str | None = None
    dose: float
    unit: str
    schedule: Literal["fixed", "as_needed"]
    times: list[str] = []
    minutes_before_bedtime: int | None = Field(default=None, ge=0, le=360)
    max_doses_per_day: int | None = Field(default=None, ge=1, le=24)
    min_interval_minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    ceiling_dose: float | None = None
    titration_max_increase: float | None = None
    titration_period_days: int | None = Field(default=None, ge=1, le=365)
    starts_on: Day
    ends_on: Day | None = None
    reason: str | None = Field(default=None, max_length=2000)

    @field_validator("dose", "ceiling_dose", "titration_max_increase")
    @classmethod
    def _positive(cls, value: float | None) -> float | None:
        if value is not None and (not math.isfinite(value) or value <= 0):
            raise ValueError("must be a positive number")
        return value

    @field_validator("times")
    @classmethod
    def _clock_times(cls, value: list[str]) -> list[str]:
        for time in value:
            if not CLOCK.match(time):
                raise ValueError(f"{time!r} is not a 24-hour time such as '08:00'")
        if len(set(value)) != len(value):
            raise ValueError("times must not repeat")
        return sorted(value)

    @model_validator(mode="after")
    def _coherent(self) -> RegimenItemCreate:
        if self.schedule == "fixed" and not self.times and self.minutes_before_bedtime is None:
            raise ValueError("a fixed schedule needs times, or minutes_before_bedtime")
        if self.schedule == "as_needed" and self.max_doses_per_day is None:
            raise ValueError("an as-needed item needs max_doses_per_day (its daily cap)")
        if self.ceiling_dose is not None and self.ceiling_dose < self.dose:
            raise ValueError("ceiling_dose must be at least the dose")
        if (self.titration_max_increase is None) != (self.titration_period_days is None):
            raise ValueError("a titration rule needs both titration_max_increase and titration_period_days")
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class RegimenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=160)
    starts_on: Day
    reason: str | None = Field(default=None, max_length=2000)
    items: list[RegimenItemCreate] = Field(min_length=1, max_length=40)


def start_regimen(
    session: Session,
    actor: Actor,
    patient_id: int,
    data: RegimenCreate | Payload,
    *,
    catalog: Catalog | None = None,
) -> Regimen:
    """A new active regimen for the patient, replacing the one before it (which ends the day before).
    Only a clinician (or Morrow itself) sets doses."""
    if actor.role not in PRESCRIBERS:
        raise PermissionDenied("only a clinician can set a regimen", field="actor")
    values = parse(RegimenCreate, data)
    catalog = catalog or load_catalog()
    items = []
    for index, item in enumerate(values.items):
        if item.starts_on < values.starts_on:
            raise ValidationError(
                f"items.{index}.starts_on: {item.starts_on} is before the regimen starts ({values.starts_on})",
                field=f"items.{index}.starts_on",
            )
        try:
            form = resolve_form(catalog, item.substance, item.form)
            check_amount(catalog, item.substance, item.dose, item.unit)
            if item.ceiling_dose is not None:
                check_amount(catalog, item.substance, item.ceiling_dose, item.unit, field="ceiling_dose")
        except ValidationError as exc:
            raise ValidationError(
                f"items.{index}.{exc.field}: {exc.message}", field=f"items.{index}.{exc.field}"
            ) from None
        items.append(
            RegimenItem(
                substance_id=item.substance,
                form=form,
                dose=item.dose,
                unit=item.unit,
                schedule_kind=item.schedule,
                times=item.times,
                minutes_before_bedtime=item.minutes_before_bedtime,
                max_doses_per_day=item.max_doses_per_day,
                min_interval_minutes=item.min_interval_minutes,
                ceiling_dose=item.ceiling_dose,
                titration_max_increase=item.titration_max_increase,
                titration_period_days=item.titration_period_days,
                starts_on=item.starts_on,
                ends_on=item.ends_on,
                set_by_id=actor.user_id,
                reason=item.reason,
            )
        )
    with atomic(session):
        require_access(session, actor, patient_id)
        for previous in session.scalars(
            select(Regimen).where(Regimen.patient_id == patient_id, Regimen.status == "active")
        ):
            if previous.starts_on >= values.starts_on:
                raise Conflict(
                    f"regimen {previous.id} starts on {previous.starts_on}; a new one must start after it",
                    field="starts_on",
                )
            previous.status, previous.ends_on = "ended", values.starts_on - timedelta(days=1)
            audit(session, actor, "end", "regimen", previous.id, patient_id=patient_id)
        regimen = Regimen(
            patient_id=patient_id,
            title=values.title,
            starts_on=values.starts_on,
            set_by_id=actor.user_id,
            reason=values.reason,
            items=items,
        )
        session.add(regimen)
        session.flush()
        audit(
            session,
            actor,
            "create",
            "regimen",
            regimen.id,
            patient_id=patient_id,
            detail={"items": [i.substance_id for i in items]},
        )
    return regimen
