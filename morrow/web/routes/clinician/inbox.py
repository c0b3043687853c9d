"""The alert inbox: alerts of the clinician's patients, most severe first; acknowledge, or resolve with a note."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from morrow.db.models import Alert
from morrow.services.actors import Actor
from morrow.services.alerts_lifecycle import acknowledge_alert, list_alerts, resolve_alert
from morrow.services.triage import latest_findings, patient_names
from morrow.web.deps import DbSession
from morrow.web.routes.clinician.common import Clinician
from morrow.web.routes.clinician.schemas import AcknowledgeBody, AlertPublic, ResolveBody
from morrow.web.templating import render

router = APIRouter()
AlertId = Annotated[int, "the alert's id"]


def alerts_public(session: Session, alerts: list[Alert]) -> list[AlertPublic]:
    names = patient_names(session, (a.patient_id for a in alerts))
    findings = latest_findings(session, (a.id for a in alerts))
    return [AlertPublic.of(a, names.get(a.patient_id, ""), findings.get(a.id)) for a in alerts]


def inbox_alerts(session: Session, actor: Actor, patient_id: int | None = None) -> list[AlertPublic]:
    return alerts_public(session, list_alerts(session, actor, patient_id=patient_id))


def _back(request: Request, fallback: str) -> str:
    target = request.query_params.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else fallback


@router.get("/inbox", response_class=HTMLResponse, include_in_schema=False)
def inbox_page(request: Request, db: DbSession, actor: Clinician) -> Response:
    return render(request, "clinician/inbox.html", {"alerts": inbox_alerts(db, actor)})


@router.post("/inbox/{alert_id}/acknowledge", include_in_schema=False)
def acknowledge_form(
    request: Request, db: DbSession, actor: Clinician, alert_id: int, note: Annotated[str, Form(max_length=4000)] = ""
) -> Response:
    acknowledge_alert(db, actor, alert_id, note or None)
    return RedirectResponse(_back(request, "/inbox") + f"#alert-{alert_id}", status_code=303)


@router.post("/inbox/{alert_id}/resolve", include_in_schema=False)
def resolve_form(
    request: Request, db: DbSession, actor: Clinician, alert_id: int, note: Annotated[str, Form(max_length=4000)] = ""
) -> Response:
    resolve_alert(db, actor, alert_id, note)
    return RedirectResponse(_back(request, "/inbox"), status_code=303)


@router.get("/api/v1/alerts", tags=["clinician"], response_model=list[AlertPublic], summary="Alert inbox")
def alerts_api(db: DbSession, actor: Clinician, patient_id: int | None = None) -> list[AlertPublic]:
    """Open and acknowledged alerts of the clinician's patients (or of one), most severe first, each with the
    stored finding's clinician message and sources."""
    return inbox_alerts(db, actor, patient_id)


@router.post(
    "/api/v1/alerts/{alert_id}/acknowledge", tags=["clinician"], response_model=AlertPublic, summary="Acknowledge"
)
def acknowledge_api(db: DbSession, actor: Clinician, alert_id: int, body: AcknowledgeBody | None = None) -> AlertPublic:
    """Say you have seen the alert and are on it (an optional note). Acknowledging twice changes nothing."""
    alert = acknowledge_alert(db, actor, alert_id, body.note if body else None)
    return alerts_public(db, [alert])[0]


@router.post("/api/v1/alerts/{alert_id}/resolve", tags=["clinician"], response_model=AlertPublic, summary="Resolve")
def resolve_api(db: DbSession, actor: Clinician, alert_id: int, body: ResolveBody) -> AlertPublic:
    """Close the alert with a note saying what was done (at least a few words)."""
    alert = resolve_alert(db, actor, alert_id, body.note)
    return alerts_public(db, [alert])[0]
