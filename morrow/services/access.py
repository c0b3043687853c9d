"""Who may read or write a patient's health record.

A patient: their own record. A clinician: the patients of their care teams. Morrow itself (the CLI,
the demo loader, the worker): any. An admin manages accounts and teams but reads no clinical data.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import Patient, User, care_team_members, care_team_patients
from morrow.domain.errors import PermissionDenied
from morrow.services.actors import Actor
from morrow.services.people import REQUEST_MEMO, get_patient


def can_access(session: Session, actor: Actor, patient_id: int) -> bool:
    if actor.role == "system":
        return True
    if actor.user_id is None:
        return False
    if actor.role == "patient":
        return session.scalar(select(User.patient_id).where(User.id == actor.user_id)) == patient_id
    if actor.role == "clinician":
        shared_team = (
            select(care_team_members.c.care_team_id)
            .join(care_team_patients, care_team_patients.c.care_team_id == care_team_members.c.care_team_id)
            .where(care_team_members.c.user_id == actor.user_id, care_team_patients.c.patient_id == patient_id)
            .limit(1)
        )
        return session.scalar(shared_team) is not None
    return False


def require_access(session: Session, actor: Actor, patient_id: int) -> Patient:
    """The patient, when `actor` may see their record; `PermissionDenied` otherwise (also for admins).
    In a request-scoped session (see `REQUEST_MEMO`) a granted check is remembered for the request."""
    memo = session.info.get(REQUEST_MEMO)
    key = ("access", actor.user_id, actor.role, patient_id)
    if memo is not None and key in memo:
        granted: Patient = memo[key]
        return granted
    patient = get_patient(session, patient_id)
    if not can_access(session, actor, patient_id):
        raise PermissionDenied("you do not have access to this patient's record", field="patient_id")
    if memo is not None:
        memo[key] = patient
    return patient
