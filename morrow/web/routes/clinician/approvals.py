"""Approvals: the pending dose-change queue (approve or decline, with a reason), and the changes the titration
rule applied by itself, so that no increase goes unseen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from morrow.db.models import DoseChangeRequest
from morrow.domain.errors import NotFound, ValidationError
from morrow.services.actors import Actor
from morrow.services.titration import (
    applied_dose_changes,
    decide_dose_change,
    pending_dose_changes,
    propose_dose_change,
)
from morrow.services.triage import (
    dose_change_today,
    patient_names,
    patient_today,
    regimen_item_patient,
    require_patient,
)
from morrow.web.deps import CurrentActor, DbSession
from morrow.web.routes.clinician.common import Clinician
from morrow.web.routes.clinician.schemas import DecisionBody, DoseChangePublic, DoseChangesPublic, ProposeBody
from morrow.web.templating import render

router = APIRouter()
RECENT = timedelta(days=14)


def public(session: Session, changes: list[DoseChangeRequest]) -> list[DoseChangePublic]:
    names = patient_names(session, (c.patient_id for c in changes))
    return [DoseChangePublic.of(c, names.get(c.patient_id, "")) for c in changes]


def queue(session: Session, actor: Actor, patient_id: int | None = None) -> DoseChangesPublic:
    pending = pending_dose_changes(session, actor, patient_id)
    applied = applied_dose_changes(session, actor, datetime.now(UTC) - RECENT, patient_id)
    applied.sort(key=lambda c: (c.decided_at or c.created_at, c.id), reverse=True)
    return DoseChangesPublic(pending=public(session, pending), recently_applied=public(session, applied))


def decide(session: Session, actor: Actor, request_id: int, approve: bool, reason: str) -> DoseChangeRequest:
    today = dose_change_today(session, request_id)
    return decide_dose_change(session, actor, request_id, {"approve": approve, "reason": reason}, today)


@router.get("/approvals", response_class=HTMLResponse, include_in_schema=False)
def approvals_page(request: Request, db: DbSession, actor: Clinician) -> Response:
    return render(request, "clinician/approvals.html", {"queue": queue(db, actor), "days": RECENT.days})


@router.post("/approvals/{request_id}", include_in_schema=False)
def decision_form(
    request: Request,
    db: DbSession,
    actor: Clinician,
    request_id: int,
    decision: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if decision not in ("approve", "decline"):
        raise ValidationError("decision: choose approve or decline", field="decision")
    decide(db, actor, request_id, decision == "approve", reason)
    target = request.query_params.get("next", "")
    back = target if target.startswith("/") and not target.startswith("//") else "/approvals"
    return RedirectResponse(back, status_code=303)


@router.get("/api/v1/dose-changes", tags=["clinician"], response_model=DoseChangesPublic, summary="Dose-change queue")
def dose_changes_api(db: DbSession, actor: Clinician, patient_id: int | None = None) -> DoseChangesPublic:
    """Pending dose changes awaiting a decision, and changes applied without approval in the last 14 days."""
    return queue(db, actor, patient_id)


@router.post(
    "/api/v1/dose-changes/{request_id}/decision",
    tags=["clinician"],
    response_model=DoseChangePublic,
    summary="Approve or decline a dose change",
)
def decision_api(db: DbSession, actor: Clinician, request_id: int, body: DecisionBody) -> DoseChangePublic:
    """Approve (a new regimen version from the patient's today) or decline; a reason is required either way."""
    return public(db, [decide(db, actor, request_id, body.approve, body.reason)])[0]


@router.post(
    "/api/v1/patients/{patient_id}/dose-changes",
    tags=["patient", "clinician"],
    response_model=DoseChangePublic,
    status_code=201,
    summary="Propose a dose change",
)
def propose_api(db: DbSession, actor: CurrentActor, patient_id: int, body: ProposeBody) -> DoseChangePublic:
    """Propose a new dose for an item of the patient's active regimen (the patient, or their clinician):
    applied at once when the item's titration rule allows it, pending otherwise, refused above the ceiling."""
    require_patient(db, actor, patient_id)
    if regimen_item_patient(db, body.regimen_item_id) != patient_id:
        raise NotFound(f"patient {patient_id} has no regimen item {body.regimen_item_id}", field="regimen_item_id")
    payload = {"proposed_dose": body.proposed_dose, "reason": body.reason}
    change = propose_dose_change(db, actor, body.regimen_item_id, payload, patient_today(db, patient_id))
    return public(db, [change])[0]
