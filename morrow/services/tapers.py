"""Taper plans: a clinician drafts one (the engine computes the steps), approves it, and revises it by version.

- `create_taper_plan` stores a draft (version 1, its own lineage) with the engine's steps and hold rules. Its
  amounts must be humanly possible (`check_amount`, as for any dose) and each hold rule's limit must lie within
  the range its score can take (`hold_measures.py`), each refusal naming its field.
- `approve_taper_plan` makes a draft `active`; one live (active or paused) plan per substance and patient, also
  when two drafts are approved at the same moment (the patient's row is locked before the check).
- `pause_taper`, `resume_taper` and `reverse_taper_step` never edit steps: each stores a NEW version of the
  plan (same lineage, version + 1, already approved by the clinician who made it) and marks the old one
  `superseded`. A paused version has status `paused`. The old version's row is locked first, so a second press
  at the same moment finds it superseded (409); a clash on the unique (lineage, version) is a 409 too.
- `taper_status` (in `taper_status.py`) reports each live plan's step for today and its hold status.
- `list_taper_plans` gives a patient's drafts and live plans (and, on request, every version before them).
- Functions taking a plan id also take the `patient_id` the caller expects it to belong to: a plan of
  anyone else is "not found", whoever asks, so an id names nothing outside the route's patient.
- A patient sees a plan only once approved; drafts are the clinician's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from morrow.catalog import Catalog, load_catalog
from morrow.db.models import TaperPlan, TaperStep
from morrow.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from morrow.regimens import (
    TaperRequest,
    TaperSchedule,
    parse_taper_request,
    pause,
    plan_taper,
    resume,
    reverse_one_step,
)
from morrow.services.access import check_access
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.hold_measures import measure_label, measure_range
from morrow.services.inputs import LATEST, Payload, RowId, parse, valid_id
from morrow.services.locks import lock_patient, lock_regimen_item, withdrawn
from morrow.services.regimens import plausible_amount
from morrow.services.taper_status import LIVE, TaperView, live_plans, schedule_of, taper_status
from morrow.services.tx import atomic

__all__ = [
    "TaperView",
    "approve_taper_plan",
    "create_taper_plan",
    "get_taper_plan",
    "list_taper_plans",
    "pause_taper",
    "resume_taper",
    "reverse_taper_step",
    "taper_status",
]

CLINICAL = ("clinician", "system")
CURRENT = ("draft", *LIVE)
PLAN_FIELDS = ("regimen_item_id", "hold_rules", "reason")


class HoldRuleCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    measure: str = Field(pattern=r"^[a-z0-9-]+\.(total|score)$", description="e.g. sows.total, craving-vas.score")
    above: float
    consecutive_days: int = Field(ge=1, le=60)
    label: str | None = Field(default=None, max_length=80)

    @field_validator("measure")
    @classmethod
    def _known_measure(cls, value: str) -> str:
        measure_range(value)  # a ValueError naming what is wrong: no such instrument, or no such score
        return value

    @field_validator("above")
    @classmethod
    def _within_the_scores_range(cls, value: float, info: ValidationInfo) -> float:
        """A limit at or above the highest possible score never fires; one below the lowest always does."""
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        measure = info.data.get("measure")
        if measure is None:  # refused already, under `measure`
            return value
        low, high = measure_range(measure)
        if not low <= value < high:
            raise ValueError(
                f"{measure_label(measure)} runs from {low:g} to {high:g}, so the limit must be at least {low:g} "
                f"and below {high:g} (above {value:g} would {'never hold' if value >= high else 'always hold'})"
            )
        return value


class TaperPlanCreate(BaseModel):
    """What the plan adds to the engine's taper request (which `parse_taper_request` reads)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    regimen_item_id: RowId | None = None
    hold_rules: list[HoldRuleCreate] = Field(default=[], max_length=10)
    reason: str | None = Field(default=None, max_length=2000)


class TaperDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=2000)


def create_taper_plan(
    session: Session, actor: Actor, patient_id: int, data: Payload, today: date, *, catalog: Catalog | None = None
) -> TaperPlan:
    """A draft plan computed by the engine from the clinician's request; nobody follows it until approved."""
    _require_clinical(actor)
    if not isinstance(data, Mapping):
        raise ValidationError("a taper plan request must be a JSON object")
    extras = parse(TaperPlanCreate, {k: v for k, v in data.items() if k in PLAN_FIELDS})
    request = parse_taper_request({k: v for k, v in data.items() if k not in PLAN_FIELDS})
    if request.start < today:
        raise ValidationError(f"start: {request.start} is in the past; a plan never rewrites days lived", field="start")
    if request.start >= LATEST.date():
        raise ValidationError("start: must be before the year 2100", field="start")
    catalog = catalog or load_catalog()
    _plausible(request, catalog)
    schedule = plan_taper(request, catalog)
    with atomic(session):
        check_access(session, actor, patient_id)
        if extras.regimen_item_id is not None:
            # Locked as a dose locks it (`lock_regimen_item`): a same-day correction that withdraws the item's
            # version then waits for this plan (and refuses, as a plan names the item), or this plan sees it.
            found = lock_regimen_item(session, patient_id, extras.regimen_item_id)
            if found is None:
                raise NotFound(
                    f"regimen_item_id: no regimen item {extras.regimen_item_id} for this patient",
                    field="regimen_item_id",
                )
            item, version = found
            if withdrawn(version):
                raise Conflict(
                    f"regimen_item_id: regimen item {item.id} belongs to a version that was withdrawn (never in"
                    " force); plan against the regimen in force",
                    field="regimen_item_id",
                )
            if item.substance_id != schedule.substance:
                raise ValidationError(
                    f"regimen_item_id: regimen item {item.id} is {item.substance_id}, not {schedule.substance}",
                    field="regimen_item_id",
                )
        plan = TaperPlan(
            version=1,
            patient_id=patient_id,
            regimen_item_id=extras.regimen_item_id,
            substance_id=schedule.substance,
            form=request.form,
            unit=schedule.unit,
            method=schedule.method,
            parameters={"request": asdict(request) | {"start": request.start.isoformat()}, "paused_on": None},
            original_daily_dose=schedule.original_daily_dose,
            floor_dose=schedule.floor,
            starts_on=request.start,
            status="draft",
            hold_rules={"rules": [rule.model_dump() for rule in extras.hold_rules]},
            created_by_id=actor.user_id,
            reason=extras.reason,
            steps=_steps(schedule),
        )
        session.add(plan)
        session.flush()
        plan.lineage_id = plan.id
        audit(session, actor, "create", "taper_plan", plan.id, patient_id=patient_id, detail={"steps": len(plan.steps)})
    return plan


def approve_taper_plan(
    session: Session, actor: Actor, plan_id: int, *, now: datetime | None = None, patient_id: int | None = None
) -> TaperPlan:
    """Draft -> active. Refused while another plan for the same substance is live for the patient."""
    _require_clinical(actor)
    try:
        with atomic(session):
            plan = _plan(session, actor, plan_id, patient_id)
            # Two drafts approved at once must not both go live: the second waits here for the first, then
            # reads the plans again (the first one's approval included).
            lock_patient(session, plan.patient_id)
            session.refresh(plan)
            if plan.status != "draft":
                raise Conflict(f"taper plan {plan.id} is {plan.status}, not a draft", field="plan_id")
            live = live_plans(session, plan.patient_id, plan.substance_id)
            if live:
                raise Conflict(
                    f"taper plan {live[0].id} for {plan.substance_id} is already {live[0].status}", field="plan_id"
                )
            plan.status, plan.approved_by_id, plan.approved_at = "active", actor.user_id, now or datetime.now(UTC)
            session.flush()
            audit(session, actor, "approve", "taper_plan", plan.id, patient_id=plan.patient_id)
    except IntegrityError:
        # The one-live-plan index refused it: a plan for this substance went live by another way meanwhile.
        raise Conflict("another taper plan for this substance went live meanwhile; reload", field="plan_id") from None
    return plan


def get_taper_plan(session: Session, actor: Actor, plan_id: int, *, patient_id: int | None = None) -> TaperPlan:
    """One plan with its steps; a patient sees only plans a clinician has approved."""
    with atomic(session):
        plan = _plan(session, actor, plan_id, patient_id)
        if actor.role == "patient" and plan.approved_at is None:
            raise NotFound(f"no taper plan with id {plan_id}", field="plan_id")
        audit(session, actor, "read", "taper_plan", plan.id, patient_id=plan.patient_id)
    return plan


def list_taper_plans(session: Session, actor: Actor, patient_id: int, *, history: bool = False) -> list[TaperPlan]:
    """The patient's drafts and live plans, newest first; with `history`, every version and state."""
    _require_clinical(actor)
    query = select(TaperPlan).where(TaperPlan.patient_id == patient_id).options(selectinload(TaperPlan.steps))
    if not history:
        query = query.where(TaperPlan.status.in_(CURRENT))
    with atomic(session):
        check_access(session, actor, patient_id)
        plans = list(session.scalars(query.order_by(TaperPlan.id.desc())))
        audit(session, actor, "read", "taper_plans", patient_id=patient_id, detail={"plans": [p.id for p in plans]})
    return plans


def pause_taper(
    session: Session, actor: Actor, plan_id: int, data: TaperDecision | Payload, today: date, **kw: Any
) -> TaperPlan:
    """From `today` the dose stays where it is, in a new version."""
    return _revise(session, actor, plan_id, data, today, "pause", pause, **kw)


def resume_taper(
    session: Session, actor: Actor, plan_id: int, data: TaperDecision | Payload, today: date, **kw: Any
) -> TaperPlan:
    """Carry on from `today`: the paused step is lengthened by the pause, later steps move back."""
    return _revise(session, actor, plan_id, data, today, "resume", resume, **kw)


def reverse_taper_step(
    session: Session, actor: Actor, plan_id: int, data: TaperDecision | Payload, today: date, **kw: Any
) -> TaperPlan:
    """From `today`, the previous step's dose for one interval, then the current step again."""
    return _revise(session, actor, plan_id, data, today, "reverse", reverse_one_step, **kw)


def _revise(
    session: Session,
    actor: Actor,
    plan_id: int,
    data: TaperDecision | Payload,
    today: date,
    action: str,
    revise: Callable[[TaperSchedule, date], TaperSchedule],
    *,
    now: datetime | None = None,
    catalog: Catalog | None = None,
    patient_id: int | None = None,
) -> TaperPlan:
    _require_clinical(actor)
    decision = parse(TaperDecision, data)
    catalog = catalog or load_catalog()
    try:
        with atomic(session):
            old = _plan(session, actor, plan_id, patient_id, lock=True)
            if old.status not in LIVE:
                raise Conflict(f"taper plan {old.id} is {old.status}; only a live plan can be changed", field="plan_id")
            schedule = revise(schedule_of(old, catalog), today)
            paused_on = None if schedule.paused_on is None else schedule.paused_on.isoformat()
            revision = {"action": action, "on": today.isoformat(), "supersedes": old.id}
            old.status = "superseded"
            session.flush()
            new = TaperPlan(
                lineage_id=old.lineage_id,
                version=old.version + 1,
                patient_id=old.patient_id,
                regimen_item_id=old.regimen_item_id,
                substance_id=old.substance_id,
                form=old.form,
                unit=old.unit,
                method=old.method,
                parameters=old.parameters | {"paused_on": paused_on, "revision": revision},
                original_daily_dose=old.original_daily_dose,
                floor_dose=old.floor_dose,
                starts_on=schedule.steps[0].start,
                status="paused" if paused_on else "active",
                hold_rules=old.hold_rules,
                created_by_id=actor.user_id,
                approved_by_id=actor.user_id,
                approved_at=now or datetime.now(UTC),
                reason=decision.reason,
                steps=_steps(schedule),
            )
            session.add(new)
            session.flush()
            detail = {"supersedes": old.id, "version": new.version, "reason": decision.reason}
            audit(session, actor, action, "taper_plan", new.id, patient_id=new.patient_id, detail=detail)
    except IntegrityError:
        # Another version of this plan was stored at the same moment (its lineage and version are unique).
        raise Conflict("this plan was changed at the same moment; reload and try again", field="plan_id") from None
    return new


def _require_clinical(actor: Actor) -> None:
    if actor.role not in CLINICAL:
        raise PermissionDenied("only a clinician can plan or change a taper", field="actor")


def _plan(
    session: Session, actor: Actor, plan_id: int, patient_id: int | None = None, *, lock: bool = False
) -> TaperPlan:
    """The plan, if it is `patient_id`'s; with `lock`, its row is locked until the transaction ends and read
    afresh (a second pause pressed at the same moment waits, then finds this version superseded)."""
    plan = (
        session.get(
            TaperPlan, plan_id, options=[selectinload(TaperPlan.steps)], with_for_update=lock or None,
            populate_existing=lock,
        )
        if valid_id(plan_id)
        else None
    )  # fmt: skip
    if plan is None or (patient_id is not None and plan.patient_id != patient_id):
        raise NotFound(f"no taper plan with id {plan_id}", field="plan_id")
    check_access(session, actor, plan.patient_id)
    return plan


def _steps(schedule: TaperSchedule) -> list[TaperStep]:
    return [
        TaperStep(position=i, starts_on=s.start, ends_on=s.end, daily_dose=s.daily_dose, mme_per_day=s.mme_per_day)
        for i, s in enumerate(schedule.steps)
    ]


def _plausible(request: TaperRequest, catalog: Catalog) -> None:
    """The amounts are humanly possible, as for any dose (`check_amount`); zero and below are the engine's to
    refuse (a floor of 0 is the default)."""
    if not catalog.has_substance(request.substance):
        return  # the engine names the substance
    for name, what in (("current_daily_dose", "daily amount"), ("floor", "daily amount"), ("step", "taper step"),
                       ("min_step", "taper step")):  # fmt: skip
        value = getattr(request, name)
        if value is not None and value > 0:
            plausible_amount(catalog, request.substance, value, request.unit, name, what)
