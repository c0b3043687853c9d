"""Regimens as a clinician sets them: items, schedules, ceilings and titration rules."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.catalog import Catalog, load_catalog
from morrow.db.models import DoseChangeRequest, DoseLog, Product, Regimen, RegimenItem, TaperPlan
from morrow.domain.errors import Conflict, PermissionDenied, ValidationError
from morrow.services.access import check_access
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.doses import check_amount, resolve_form
from morrow.services.inputs import Day, Payload, RowId, parse
from morrow.services.locks import lock_patient
from morrow.services.people import CLOCK
from morrow.services.tx import atomic

PRESCRIBERS = ("clinician", "system")


class RegimenItemCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    substance: str
    form: str | None = None
    product_id: RowId | None = Field(default=None, description="A product of this substance (see `products`).")
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
    today: date | None = None,
) -> Regimen:
    """A new active regimen for the patient, replacing the one before it (which ends the day before).
    Only a clinician (or Morrow itself) sets doses. With the patient's `today`, an active version that has
    not started yet may be replaced by one starting on or before its first day (it is withdrawn)."""
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
            plausible_amount(catalog, item.substance, item.dose, item.unit, "dose")
            if item.ceiling_dose is not None:
                plausible_amount(catalog, item.substance, item.ceiling_dose, item.unit, "ceiling_dose")
        except ValidationError as exc:
            raise within(f"items.{index}", exc) from None
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
        check_access(session, actor, patient_id)
        lock_patient(session, patient_id)  # two versions started at once: the second sees the first
        for index, (item, row) in enumerate(zip(values.items, items, strict=True)):
            if item.product_id is not None:
                row.product_id, row.form = _product(session, catalog, item, row.form, f"items.{index}.product_id")
        for previous in session.scalars(
            select(Regimen).where(Regimen.patient_id == patient_id, Regimen.status == "active")
        ):
            _replace(session, actor, previous, values.starts_on, today)
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


def _product(
    session: Session, catalog: Catalog, item: RegimenItemCreate, form: str | None, field: str
) -> tuple[int, str | None]:
    """The named product, checked: it exists and is of the item's substance (and form, when both name one).
    An item that names no form takes the product's."""
    product = session.get(Product, item.product_id)
    if product is None:
        raise ValidationError(f"{field}: there is no product {item.product_id}", field=field)
    if product.substance_id != item.substance:
        raise ValidationError(f"{field}: {product.name} is {product.substance_id}, not {item.substance}", field=field)
    if product.form is None:
        return product.id, form
    if item.form is None:
        try:
            return product.id, resolve_form(catalog, item.substance, product.form)
        except ValidationError:
            message = f"{field}: {product.name} is a {product.form}, which is not a form of {item.substance}"
            raise ValidationError(message, field=field) from None
    if product.form != form:
        raise ValidationError(f"{field}: {product.name} is a {product.form}, not a {form}", field=field)
    return product.id, form


def _replace(session: Session, actor: Actor, previous: Regimen, starts_on: date, today: date | None) -> None:
    """End the active version the day before `starts_on`. One that has not started yet (after `today`) is
    withdrawn instead: it ends before its first day, so it is never in force, and the version it was to
    replace ends the day before `starts_on` (earlier than planned, when the new one starts sooner).

    A version that started today is withdrawn the same way by a correction that also starts today, if
    nothing was recorded against it yet (no dose logged to its items, no dose change asked, no taper
    planned on them): a typo found on the first day is put right that day, not tomorrow."""
    day_before = starts_on - timedelta(days=1)
    if previous.starts_on < starts_on:
        previous.status, previous.ends_on = "ended", day_before
        audit(session, actor, "end", "regimen", previous.id, patient_id=previous.patient_id)
        return
    first_day_correction = today is not None and previous.starts_on == today == starts_on
    if first_day_correction and _recorded_against(session, previous):
        raise Conflict(
            f"regimen {previous.id} has been in force since today and doses or requests are recorded against it;"
            f" a corrected version must start tomorrow ({starts_on + timedelta(days=1)})",
            field="starts_on",
        )
    if not first_day_correction and (today is None or previous.starts_on <= today):
        raise Conflict(
            f"regimen {previous.id} starts on {previous.starts_on}; a new one must start after it", field="starts_on"
        )
    query = select(Regimen).where(
        Regimen.patient_id == previous.patient_id,
        Regimen.status == "ended",
        Regimen.ends_on == previous.starts_on - timedelta(days=1),
        Regimen.ends_on >= Regimen.starts_on,  # not one withdrawn before it started
    )
    replaced = session.scalars(query.order_by(Regimen.starts_on.desc()).limit(1)).first()
    if replaced is not None:
        if replaced.starts_on >= starts_on:
            raise Conflict(
                f"regimen {replaced.id} starts on {replaced.starts_on}; a new one must start after it",
                field="starts_on",
            )
        if replaced.ends_on is not None and replaced.ends_on > day_before:
            replaced.ends_on = day_before
            shortened = {"ends_on": day_before.isoformat(), "because": f"regimen {previous.id} was withdrawn"}
            audit(session, actor, "end", "regimen", replaced.id, patient_id=replaced.patient_id, detail=shortened)
    previous.status, previous.ends_on = "ended", day_before
    withdrawn: dict[str, Any] = {
        "starts_on": previous.starts_on.isoformat(),
        "never_in_force": not first_day_correction,
    }
    if first_day_correction:
        withdrawn["corrected_on_its_first_day"] = True  # in force for hours, with nothing recorded against it
    audit(session, actor, "withdraw", "regimen", previous.id, patient_id=previous.patient_id, detail=withdrawn)


def _recorded_against(session: Session, regimen: Regimen) -> bool:
    """Whether any dose, dose change request or taper plan names one of the regimen's items. The items are
    locked for update first: on PostgreSQL a dose being logged against one of them right now (its foreign key
    holds a key-share lock) is waited for and then seen, and one logged after waits for this transaction and
    then finds its version withdrawn (`doses._check_regimen_item`)."""
    items = select(RegimenItem.id).where(RegimenItem.regimen_id == regimen.id)
    session.execute(items.with_for_update()).all()
    return any(
        session.scalar(select(model.id).where(model.regimen_item_id.in_(items)).limit(1)) is not None
        for model in (DoseLog, DoseChangeRequest, TaperPlan)
    )


def plausible_amount(
    catalog: Catalog, substance: str, amount: float, unit: str, field: str, what: str = "single dose"
) -> None:
    """`check_amount` (the unit suits the substance; the amount is humanly possible), its refusal named
    `<field>: ...` exactly once."""
    try:
        check_amount(catalog, substance, amount, unit, field=field, what=what)
    except ValidationError as exc:
        if exc.field is None or exc.message.startswith(f"{exc.field}:"):
            raise
        raise ValidationError(f"{exc.field}: {exc.message}", field=exc.field, code=exc.code) from None


def within(prefix: str, exc: ValidationError) -> ValidationError:
    """A refusal about one part of the input, named from the whole: `dose` in item 0 is `items.0.dose`,
    said once (`items.0.dose: ...`, never `items.0.dose: dose: ...`)."""
    field = f"{prefix}.{exc.field}" if exc.field else prefix
    message = exc.message.removeprefix(f"{exc.field}:").lstrip() if exc.field else exc.message
    return ValidationError(f"{field}: {message}", field=field, code=exc.code)


def copied_item(item: RegimenItem, version_starts_on: date, **changes: Any) -> dict[str, Any]:
    """An item of the version in force as `start_regimen` input for a new version from `version_starts_on`: its
    substance, form, product, schedule, limits and rule kept, with `changes` (a dose, a ceiling, a product,
    a reason) applied. Used by the regimen editor and by dose changes alike."""
    copied = {
        "substance": item.substance_id,
        "form": item.form,
        "product_id": item.product_id,
        "dose": item.dose,
        "unit": item.unit,
        "schedule": item.schedule_kind,
        "times": list(item.times),
        "minutes_before_bedtime": item.minutes_before_bedtime,
        "max_doses_per_day": item.max_doses_per_day,
        "min_interval_minutes": item.min_interval_minutes,
        "ceiling_dose": item.ceiling_dose,
        "titration_max_increase": item.titration_max_increase,
        "titration_period_days": item.titration_period_days,
        "starts_on": max(item.starts_on, version_starts_on),
        "ends_on": item.ends_on,
        "reason": item.reason,
    }
    return copied | changes
