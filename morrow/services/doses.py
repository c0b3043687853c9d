"""Dose logging: one dose stored once per idempotency key, validated against the catalog and regimen."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from morrow.catalog import Catalog, convert_amount, load_catalog
from morrow.db.models import DoseLog
from morrow.domain.errors import Conflict, NotFound, ValidationError
from morrow.services.access import check_access
from morrow.services.actors import Actor
from morrow.services.alerts import check_patient
from morrow.services.audit import audit
from morrow.services.history import keep_revision
from morrow.services.idempotency import store_once
from morrow.services.inputs import Moment, Payload, RowId, parse, valid_id
from morrow.services.locks import lock_regimen_item, withdrawn
from morrow.services.tx import atomic

IDEMPOTENCY_KEY = r"^[A-Za-z0-9_.:\-]{8,80}$"
FUTURE_TOLERANCE = timedelta(minutes=10)
MAX_GRAMS = 1000.0
MAX_STANDARD_DRINKS = 60.0
# Below any real dose (the smallest are tens of micrograms): such an amount is a typing slip or garbage,
# and once stored it would show as "4e-44 g" in a regimen or a dose log.
MIN_MICROGRAMS = 1.0
MIN_STANDARD_DRINKS = 0.1
EDITABLE = ("amount", "unit", "taken_at", "note", "voided_at")


class DoseCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    substance: str
    form: str | None = Field(default=None, validation_alias=AliasChoices("form", "release"))
    amount: float
    unit: str
    taken_at: Moment
    kind: Literal["planned", "as_needed", "off_plan", "unplanned"] = "unplanned"
    regimen_item_id: RowId | None = None
    idempotency_key: str = Field(pattern=IDEMPOTENCY_KEY)
    note: str | None = Field(default=None, max_length=2000)

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: float) -> float:
        if not math.isfinite(value) or value <= 0:
            raise ValueError("must be a positive number")
        return value


class DoseUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    amount: float | None = None
    unit: str | None = None
    taken_at: Moment | None = None
    note: str | None = Field(default=None, max_length=2000)
    reason: str = Field(min_length=3, max_length=500)

    @field_validator("amount")
    @classmethod
    def _positive(cls, value: float | None) -> float | None:
        if value is not None and (not math.isfinite(value) or value <= 0):
            raise ValueError("must be a positive number")
        return value


def check_amount(
    catalog: Catalog, substance_id: str, amount: float, unit: str, *, field: str = "amount", what: str = "single dose"
) -> None:
    """The unit suits the substance and the amount is humanly possible; `what` the amount is, in a refusal
    ("single dose", or "daily amount" for a taper's daily dose)."""
    substance = catalog.substance(substance_id)
    if substance.default_unit == "standard_drink":
        if unit != "standard_drink":
            raise ValidationError(f"{substance_id} is logged in standard_drink, not {unit!r}", field="unit")
        if amount > MAX_STANDARD_DRINKS:
            raise ValidationError(f"{_plain(amount)} standard drinks is not a plausible single entry", field=field)
        if amount < MIN_STANDARD_DRINKS:
            raise ValidationError(
                f"{field}: {amount:g} standard drinks is less than {MIN_STANDARD_DRINKS:g}", field=field
            )
        return
    if unit == "standard_drink":
        raise ValidationError(f"{substance_id} is not logged in standard drinks; use g, mg or mcg", field="unit")
    if convert_amount(amount, unit, "g") > MAX_GRAMS:
        raise ValidationError(f"{_plain(amount)} {unit} is not a plausible {what}", field=field)
    if convert_amount(amount, unit, "mcg") < MIN_MICROGRAMS:
        raise ValidationError(f"{field}: {amount:g} {unit} is less than 1 mcg, below any real dose", field=field)


def _plain(amount: float) -> str:
    """A large amount as people write it: 5,000 or 50,000,000,000.5, never 5e+10."""
    return f"{amount:,.6f}".rstrip("0").rstrip(".")


def resolve_form(catalog: Catalog, substance_id: str, form: str | None) -> str | None:
    substance = catalog.substance(substance_id)
    if not substance.forms:
        if form is not None:
            raise ValidationError(f"{substance_id} has no forms; leave form out", field="form")
        return None
    chosen = substance.form(form)
    if chosen is None:
        allowed = ", ".join(f.id for f in substance.forms)
        raise ValidationError(f"{form!r} is not a form of {substance_id} (allowed: {allowed})", field="form")
    return chosen.id


def log_dose(
    session: Session,
    actor: Actor,
    patient_id: int,
    data: DoseCreate | Payload,
    *,
    now: datetime | None = None,
    catalog: Catalog | None = None,
) -> tuple[DoseLog, bool]:
    """Store a dose; `(dose, False)` when this idempotency key was already stored with the same data."""
    values = parse(DoseCreate, data)
    catalog = catalog or load_catalog()
    now = now or datetime.now(UTC)
    form = resolve_form(catalog, values.substance, values.form)
    check_amount(catalog, values.substance, values.amount, values.unit)
    if values.taken_at > now + FUTURE_TOLERANCE:
        raise ValidationError("a dose cannot be logged in the future", field="taken_at")

    def build() -> DoseLog:
        _check_regimen_item(session, patient_id, values)
        return DoseLog(
            patient_id=patient_id,
            regimen_item_id=values.regimen_item_id,
            substance_id=values.substance,
            form=form,
            amount=values.amount,
            unit=values.unit,
            kind=values.kind,
            taken_at=values.taken_at,
            recorded_by_id=actor.user_id,
            idempotency_key=values.idempotency_key,
            note=values.note,
        )

    def matches(existing: DoseLog) -> bool:
        return (
            existing.substance_id == values.substance
            and existing.form == form
            and math.isclose(existing.amount, values.amount)
            and existing.unit == values.unit
            and existing.taken_at == values.taken_at
            and existing.kind == values.kind
            and existing.regimen_item_id == values.regimen_item_id
            and existing.note == values.note
        )

    moment: datetime = now
    return store_once(
        session,
        actor,
        then=lambda _: check_patient(session, actor, patient_id, moment),
        now=moment,
        model=DoseLog,
        entity="dose",
        patient_id=patient_id,
        key=values.idempotency_key,
        build=build,
        matches=matches,
    )


def edit_dose(
    session: Session,
    actor: Actor,
    dose_id: int,
    data: DoseUpdate | Payload,
    *,
    now: datetime | None = None,
    catalog: Catalog | None = None,
) -> DoseLog:
    """Change a dose's amount, unit, time or note; the previous values are kept as a revision."""
    changes = parse(DoseUpdate, data)
    catalog = catalog or load_catalog()
    if changes.taken_at is not None and changes.taken_at > (now or datetime.now(UTC)) + FUTURE_TOLERANCE:
        raise ValidationError("a dose cannot be logged in the future", field="taken_at")
    with atomic(session):
        dose = _dose(session, actor, dose_id)
        if dose.voided_at is not None:
            raise Conflict("this dose was removed and can no longer be edited", field="dose_id")
        amount = changes.amount if changes.amount is not None else dose.amount
        unit = changes.unit or dose.unit
        check_amount(catalog, dose.substance_id, amount, unit)
        keep_revision(session, actor, "dose_log", dose, EDITABLE, changes.reason)
        dose.amount, dose.unit = amount, unit
        if changes.taken_at is not None:
            dose.taken_at = changes.taken_at
        if changes.note is not None:
            dose.note = changes.note
        dose.version += 1
        check_patient(session, actor, dose.patient_id, now or datetime.now(UTC))
        audit(
            session,
            actor,
            "update",
            "dose_log",
            dose.id,
            patient_id=dose.patient_id,
            detail={"reason": changes.reason, "version": dose.version},
        )
    return dose


def void_dose(session: Session, actor: Actor, dose_id: int, reason: str, *, now: datetime | None = None) -> DoseLog:
    """Mark a dose as entered in error. It stays in the record (with history) but no longer counts."""
    if len(reason.strip()) < 3:
        raise ValidationError("say why the dose is being removed", field="reason")
    with atomic(session):
        dose = _dose(session, actor, dose_id)
        if dose.voided_at is None:
            keep_revision(session, actor, "dose_log", dose, EDITABLE, reason)
            dose.voided_at = now or datetime.now(UTC)
            dose.version += 1
            audit(
                session,
                actor,
                "void",
                "dose_log",
                dose.id,
                patient_id=dose.patient_id,
                detail={"reason": reason},
            )
    return dose


def _dose(session: Session, actor: Actor, dose_id: int) -> DoseLog:
    dose = session.get(DoseLog, dose_id) if valid_id(dose_id) else None
    if dose is None:
        raise NotFound(f"no dose with id {dose_id}", field="dose_id")
    check_access(session, actor, dose.patient_id)
    return dose


def _check_regimen_item(session: Session, patient_id: int, values: DoseCreate) -> None:
    if values.regimen_item_id is None:
        if values.kind != "unplanned":
            which = {"planned": "a planned", "as_needed": "an as-needed", "off_plan": "an off-plan"}[values.kind]
            raise ValidationError(f"{which} dose must name its regimen item", field="regimen_item_id")
        return
    found = lock_regimen_item(session, patient_id, values.regimen_item_id)
    if found is None:
        raise NotFound(f"no regimen item {values.regimen_item_id} for this patient", field="regimen_item_id")
    item, version = found
    if withdrawn(version):
        raise Conflict(
            f"regimen item {item.id} belongs to a version that was withdrawn; reload the page to log against the "
            "regimen in force",
            field="regimen_item_id",
        )
    if item.substance_id != values.substance:
        raise ValidationError(
            f"regimen item {item.id} is {item.substance_id}, not {values.substance}", field="substance"
        )
