"""Who may read or write a patient's health record.

A patient: their own record. A clinician: the patients of their care teams. Morrow itself (the CLI,
the demo loader, the worker): any. An admin manages accounts and teams but reads no clinical data.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import Patient, User, care_team_members, care_team_patients
from morrow.domain.errors import NotFound, PermissionDenied
from morrow.services.actors import Actor
from morrow.services.inputs import valid_id
from morrow.services.people import REQUEST_MEMO, get_patient

_OWN_PATIENT = select(User.patient_id)
_SHARED_TEAM = select(care_team_members.c.care_team_id).join(
    care_team_patients, care_team_patients.c.care_team_id == care_team_members.c.care_team_id
)


def can_access(session: Session, actor: Actor, patient_id: int) -> bool:
    if actor.role == "system":
        return True
    if actor.user_id is None:
        return False
    if actor.role == "patient" and actor.patient_id is not None:
        return actor.patient_id == patient_id  # read with the account in this request
    session.flush()  # what this transaction added (a new care team link) counts, as an autoflushing query saw it
    run = session.connection().execute  # Core: a one-column answer needs no ORM object
    if actor.role == "patient":
        return run(_OWN_PATIENT.where(User.id == actor.user_id)).scalar() == patient_id
    if actor.role == "clinician":
        shared_team = _SHARED_TEAM.where(
            care_team_members.c.user_id == actor.user_id, care_team_patients.c.patient_id == patient_id
        ).limit(1)
        return run(shared_team).scalar() is not None
    return False


def check_access(session: Session, actor: Actor, patient_id: int) -> None:
    """`NotFound` when there is no such patient, `PermissionDenied` when `actor` may not see their record
    (also for admins); nothing otherwise. Unlike `require_access` it loads no patient row when access is
    granted (a clinician's team link or a patient's own account already proves that the patient exists).
    In a request-scoped session (see `REQUEST_MEMO`) a granted check is remembered for the request."""
    memo = session.info.get(REQUEST_MEMO)
    key = ("access", actor.user_id, actor.role, patient_id)
    if memo is not None and key in memo:
        return
    if not valid_id(patient_id):
        raise NotFound(f"no patient with id {patient_id}", field="patient_id")
    if actor.role == "system":
        get_patient(session, patient_id)  # Morrow itself may see any record, of a patient that exists
    elif not can_access(session, actor, patient_id):
        get_patient(session, patient_id)  # a patient who does not exist is not found, for anyone
        raise PermissionDenied("you do not have access to this patient's record", field="patient_id")
    if memo is not None:
        memo[key] = True


def require_access(session: Session, actor: Actor, patient_id: int) -> Patient:
    """The patient, when `actor` may see their record; as `check_access` otherwise."""
    check_access(session, actor, patient_id)
    return get_patient(session, patient_id)
