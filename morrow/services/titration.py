"""Dose changes: a patient or clinician proposes, the item's titration rule decides, a clinician approves.

- A decrease, or an increase within the item's rule, is `applied` at once: never silently (it is audited,
  and `applied_dose_changes` lists it for the clinician).
- Any other increase is `pending` until a clinician on the patient's team approves or declines it.
- Above the ceiling is refused outright, whoever proposes: the ceiling is the clinician's own limit, and
  raising it is a new regimen (`start_regimen`), not a dose change.
- Applying a change starts a new regimen version from `today` with every item copied and the one dose
  changed; the old version ends yesterday, so history is kept. A regimen that already started today
  cannot be replaced the same day: applying then is refused as a conflict (propose again tomorrow).
- Earlier changes counted by the rule are the applied and approved requests for the same substance and
  form (an item's id changes with each regimen version), dated by the day their new version began.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from morrow.catalog import Catalog, load_catalog
from morrow.db.models import DoseChangeRequest, Regimen, RegimenItem, care_team_members, care_team_patients
from morrow.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from morrow.regimens import DoseChange, TitrationRule, assess_change
from morrow.services.access import check_access
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.doses import check_amount
from morrow.services.inputs import Payload, parse, valid_id
from morrow.services.locks import lock_regimen_item
from morrow.services.regimens import copied_item, start_regimen
from morrow.services.tx import atomic

PROPOSERS = ("patient", "clinician", "system")
DECIDERS = ("clinician", "system")
COUNTED = ("applied", "approved")


class DoseChangeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    proposed_dose: float
    reason: str = Field(min_length=3, max_length=2000)

    @field_validator("proposed_dose")
    @classmethod
    def _positive(cls, value: float) -> float:
        if not math.isfinite(value) or value <= 0:
            raise ValueError("must be a positive number (stopping an item is a new regimen)")
        return value


class DoseChangeDecision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    approve: StrictBool
    reason: str = Field(min_length=3, max_length=2000)


def propose_dose_change(
    session: Session,
    actor: Actor,
    regimen_item_id: int,
    data: DoseChangeCreate | Payload,
    today: date,
    *,
    now: datetime | None = None,
    catalog: Catalog | None = None,
) -> DoseChangeRequest:
    """Record a proposed dose for an item of the active regimen: `applied` at once when the rule allows it
    without approval, `pending` otherwise; refused above the ceiling."""
    if actor.role not in PROPOSERS:
        raise PermissionDenied("only the patient or their clinician can propose a dose change", field="actor")
    values = parse(DoseChangeCreate, data)
    catalog = catalog or load_catalog()
    with atomic(session):
        patient_id = _patient_of(session, regimen_item_id)
        check_access(session, actor, patient_id)
        # Locked as a dose locks it: a same-day correction that withdraws the item's version then waits for
        # this request (and refuses, as a request names the item), or this request sees the version ended.
        found = lock_regimen_item(session, patient_id, regimen_item_id)
        if found is None:  # moved to another patient in between: not something a request can follow
            raise NotFound(f"no regimen item with id {regimen_item_id}", field="regimen_item_id")
        item, version = found
        if version.status != "active":
            raise Conflict(
                f"regimen item {item.id} belongs to a regimen that has ended; propose against the current one",
                field="regimen_item_id",
            )
        if item.ends_on is not None and item.ends_on < today:
            raise Conflict(f"regimen item {item.id} ended on {item.ends_on}", field="regimen_item_id")
        check_amount(catalog, item.substance_id, values.proposed_dose, item.unit, field="proposed_dose")
        rule = None
        if item.titration_max_increase is not None and item.titration_period_days is not None:
            rule = TitrationRule(item.titration_max_increase, item.titration_period_days)
        assessment = assess_change(
            item.dose, values.proposed_dose, item.ceiling_dose, rule, _earlier_changes(session, item), today,
            unit=item.unit,
        )  # fmt: skip
        if assessment.kind == "no_change":
            raise ValidationError(f"the dose is already {item.dose:g} {item.unit}", field="proposed_dose")
        if not assessment.allowed:
            raise ValidationError(assessment.explanation, field="proposed_dose", code="above_ceiling")
        waiting = _pending_for(session, item.id)
        if assessment.needs_approval and waiting:
            # One request waits per dose at a time: this is also what a retried submission finds.
            raise Conflict(
                f"a change to this dose is already waiting for a clinician (request {waiting[0].id})",
                field="regimen_item_id",
            )
        request = DoseChangeRequest(
            patient_id=patient_id,
            regimen_item_id=item.id,
            proposed_by_id=actor.user_id,
            current_dose=item.dose,
            proposed_dose=values.proposed_dose,
            unit=item.unit,
            reason=values.reason,
            needs_approval=assessment.needs_approval,
            rule_explanation=assessment.explanation,
            status="pending" if assessment.needs_approval else "applied",
        )
        session.add(request)
        session.flush()
        detail = {"kind": assessment.kind, "status": request.status, "explanation": assessment.explanation}
        audit(session, actor, "propose", "dose_change_request", request.id, patient_id=patient_id, detail=detail)
        if request.status == "applied":
            rule_actor = Actor(None, f"titration rule (proposed by {actor.label})", "system", actor.origin)
            _apply(session, rule_actor, item, request, today, catalog)
            request.decided_at = now or datetime.now(UTC)
            audit(session, actor, "apply", "dose_change_request", request.id, patient_id=patient_id, detail=detail)
            for stale in waiting:  # a request made against the old dose can no longer be approved as it stands
                stale.status, stale.decided_at = "withdrawn", request.decided_at
                stale.decision_reason = f"the dose changed on {today} (request {request.id}); propose again if needed"
                audit(session, actor, "withdraw", "dose_change_request", stale.id, patient_id=patient_id)
    return request


def _pending_for(session: Session, item_id: int) -> list[DoseChangeRequest]:
    query = select(DoseChangeRequest).where(
        DoseChangeRequest.regimen_item_id == item_id, DoseChangeRequest.status == "pending"
    )
    return list(session.scalars(query.order_by(DoseChangeRequest.id)))


def decide_dose_change(
    session: Session,
    actor: Actor,
    request_id: int,
    data: DoseChangeDecision | Payload,
    today: date,
    *,
    now: datetime | None = None,
    catalog: Catalog | None = None,
) -> DoseChangeRequest:
    """A clinician on the patient's team approves (a new regimen version from `today`) or declines."""
    if actor.role not in DECIDERS:
        raise PermissionDenied("only a clinician can approve or decline a dose change", field="actor")
    values = parse(DoseChangeDecision, data)
    catalog = catalog or load_catalog()
    with atomic(session):
        request = session.get(DoseChangeRequest, request_id) if valid_id(request_id) else None
        if request is None:
            raise NotFound(f"no dose change request with id {request_id}", field="request_id")
        check_access(session, actor, request.patient_id)
        if request.status != "pending":
            raise Conflict(f"this request is already {request.status}", field="request_id")
        if values.approve:
            item = session.get(RegimenItem, request.regimen_item_id)
            if item is None or item.regimen.status != "active" or item.dose != request.current_dose:
                raise Conflict(
                    "the regimen changed since this was proposed; decline it and propose the change again",
                    field="request_id",
                )
            _apply(session, actor, item, request, today, catalog)
        request.status = "approved" if values.approve else "declined"
        request.decided_by_id, request.decided_at = actor.user_id, now or datetime.now(UTC)
        request.decision_reason = values.reason
        audit(
            session, actor, "approve" if values.approve else "decline", "dose_change_request", request.id,
            patient_id=request.patient_id, detail={"reason": values.reason},
        )  # fmt: skip
    return request


def pending_dose_changes(session: Session, actor: Actor, patient_id: int | None = None) -> list[DoseChangeRequest]:
    """The approval queue: pending requests of one patient, or of every patient on the clinician's teams."""
    return _listed(session, actor, patient_id, select(DoseChangeRequest).where(DoseChangeRequest.status == "pending"))


def applied_dose_changes(
    session: Session, actor: Actor, since: datetime, patient_id: int | None = None
) -> list[DoseChangeRequest]:
    """Changes applied without approval (within the rule, or decreases) since a moment, for the clinician."""
    query = select(DoseChangeRequest).where(
        DoseChangeRequest.status == "applied", DoseChangeRequest.decided_at >= since
    )
    return _listed(session, actor, patient_id, query)


def _listed(session: Session, actor: Actor, patient_id: int | None, query: Any) -> list[DoseChangeRequest]:
    if actor.role not in DECIDERS:
        raise PermissionDenied("the dose change queue is for clinicians", field="actor")
    with atomic(session):
        if patient_id is not None:
            check_access(session, actor, patient_id)
            query = query.where(DoseChangeRequest.patient_id == patient_id)
        elif actor.role == "clinician":
            teams = select(care_team_members.c.care_team_id).where(care_team_members.c.user_id == actor.user_id)
            patients = select(care_team_patients.c.patient_id).where(care_team_patients.c.care_team_id.in_(teams))
            query = query.where(DoseChangeRequest.patient_id.in_(patients))
        rows = list(session.scalars(query.order_by(DoseChangeRequest.created_at, DoseChangeRequest.id)))
        audit(session, actor, "read", "dose_change_request", patient_id=patient_id, detail={"count": len(rows)})
    return rows


def _patient_of(session: Session, regimen_item_id: int) -> int:
    """Whose regimen item this is (checked again under the lock); NotFound when there is no such item."""
    owner = _OWNER if valid_id(regimen_item_id) else None
    found = None if owner is None else session.scalar(owner, {"item": regimen_item_id})
    if found is None:
        raise NotFound(f"no regimen item with id {regimen_item_id}", field="regimen_item_id")
    return int(found)


_OWNER = (
    select(Regimen.patient_id)
    .join(RegimenItem, RegimenItem.regimen_id == Regimen.id)
    .where(RegimenItem.id == bindparam("item"))
)


def _earlier_changes(session: Session, item: RegimenItem) -> list[DoseChange]:
    """Applied and approved changes of this substance and form, on the day their new version began."""
    query = (
        select(DoseChangeRequest, Regimen.ends_on)
        .join(RegimenItem, RegimenItem.id == DoseChangeRequest.regimen_item_id)
        .join(Regimen, Regimen.id == RegimenItem.regimen_id)
        .where(
            DoseChangeRequest.patient_id == item.regimen.patient_id,
            DoseChangeRequest.status.in_(COUNTED),
            RegimenItem.substance_id == item.substance_id,
            RegimenItem.form.is_(None) if item.form is None else RegimenItem.form == item.form,
            Regimen.ends_on.is_not(None),
        )
    )
    return [
        DoseChange(on=ended + timedelta(days=1), from_dose=change.current_dose, to_dose=change.proposed_dose)
        for change, ended in session.execute(query)
        if ended is not None
    ]


def _apply(
    session: Session, actor: Actor, item: RegimenItem, request: DoseChangeRequest, today: date, catalog: Catalog
) -> None:
    """A new regimen version from `today`: every item still in force copied, the one dose changed."""
    regimen = item.regimen
    if regimen.starts_on >= today:
        raise Conflict(
            f"regimen {regimen.id} started on {regimen.starts_on}; a dose change can start a new version "
            "from the next day",
            field="today",
        )
    kept = [i for i in regimen.items if i.ends_on is None or i.ends_on >= today]
    payload = {
        "title": regimen.title,
        "starts_on": today,
        "reason": f"dose change request {request.id}: {request.reason}",
        "items": [
            copied_item(i, today, dose=request.proposed_dose, reason=request.reason)
            if i.id == item.id
            else copied_item(i, today)
            for i in kept
        ],
    }
    start_regimen(session, actor, regimen.patient_id, payload, catalog=catalog)
