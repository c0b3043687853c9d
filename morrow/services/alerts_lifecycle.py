"""What clinicians do with alerts: list them, acknowledge them, resolve them with a note."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import Alert, care_team_members, care_team_patients
from morrow.domain.errors import Conflict, NotFound, PermissionDenied, ValidationError
from morrow.services.access import check_access
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.inputs import valid_id
from morrow.services.tx import atomic

CLINICAL = ("clinician", "system")
LIVE = ("open", "acknowledged")
SEVERITY_ORDER = {"urgent": 0, "warning": 1, "caution": 2, "info": 3}


def list_alerts(
    session: Session, actor: Actor, *, patient_id: int | None = None, statuses: Sequence[str] = LIVE
) -> list[Alert]:
    """Alerts the actor may see, most severe first, then newest: a clinician's are their teams' patients'."""
    query = select(Alert).where(Alert.status.in_(list(statuses)))
    with atomic(session):
        if patient_id is not None:
            check_access(session, actor, patient_id)
            query = query.where(Alert.patient_id == patient_id)
        elif actor.role == "clinician":
            teams = select(care_team_members.c.care_team_id).where(care_team_members.c.user_id == actor.user_id)
            patients = select(care_team_patients.c.patient_id).where(care_team_patients.c.care_team_id.in_(teams))
            query = query.where(Alert.patient_id.in_(patients))
        elif actor.role != "system":
            raise PermissionDenied("only clinicians see the alert inbox", field="actor")
        found = list(session.scalars(query))
        shown = sorted({a.patient_id for a in found})
        audit(session, actor, "read", "alerts", None, patient_id=patient_id, detail={"patients": shown})
    return sorted(found, key=lambda a: (SEVERITY_ORDER[a.severity], -a.last_seen_at.timestamp(), -a.id))


def acknowledge_alert(
    session: Session, actor: Actor, alert_id: int, note: str | None = None, *, now: datetime | None = None
) -> Alert:
    """'I have seen this and I am on it.' Acknowledging twice changes nothing."""
    with atomic(session):
        alert = _alert_for_clinician(session, actor, alert_id)
        if alert.status == "resolved":
            raise Conflict("this alert is already resolved", field="alert_id")
        if alert.status == "open":
            alert.status = "acknowledged"
            alert.acknowledged_by_id, alert.acknowledged_at = actor.user_id, now or datetime.now(UTC)
            alert.acknowledgement_note = _note(note, required=False)
            audit(session, actor, "acknowledge", "alert", alert.id, patient_id=alert.patient_id)
    return alert


def resolve_alert(session: Session, actor: Actor, alert_id: int, note: str, *, now: datetime | None = None) -> Alert:
    """Close an alert with a note saying what was done. It is raised again only on new evidence."""
    text = _note(note, required=True)
    with atomic(session):
        alert = _alert_for_clinician(session, actor, alert_id)
        if alert.status == "resolved":
            raise Conflict("this alert is already resolved", field="alert_id")
        moment = now or datetime.now(UTC)
        if alert.status == "open":
            alert.acknowledged_by_id, alert.acknowledged_at = actor.user_id, moment
        alert.status = "resolved"
        alert.resolved_by_id, alert.resolved_at, alert.resolution_note = actor.user_id, moment, text
        audit(session, actor, "resolve", "alert", alert.id, patient_id=alert.patient_id)
    return alert


def _alert_for_clinician(session: Session, actor: Actor, alert_id: int) -> Alert:
    if actor.role not in CLINICAL:
        raise PermissionDenied("only a clinician can act on an alert", field="actor")
    alert = session.get(Alert, alert_id) if valid_id(alert_id) else None
    if alert is None:
        raise NotFound(f"no alert with id {alert_id}", field="alert_id")
    check_access(session, actor, alert.patient_id)
    return alert


def _note(note: str | None, *, required: bool) -> str | None:
    text = (note or "").strip()
    if "\x00" in text or len(text) > 4000:
        raise ValidationError("note: must be plain text of at most 4,000 characters", field="note")
    if required and len(text) < 3:
        raise ValidationError("note: say what was done (at least a few words)", field="note")
    return text or None
