"""Patients, user accounts and care teams."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from morrow.db.models import CareTeam, Patient, User
from morrow.domain.errors import Conflict, NotFound, ValidationError
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.inputs import Day, Payload, RowId, parse, valid_id
from morrow.services.passwords import MIN_LENGTH, hash_password
from morrow.services.tx import atomic

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class PatientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    display_name: str = Field(min_length=1, max_length=120)
    timezone: str
    clinic_ref: str | None = Field(default=None, min_length=1, max_length=64)
    birth_year: int | None = Field(default=None, ge=1900, le=2100)
    pregnant: bool = False
    opioid_abstinent_since: Day | None = None
    taper_completed_on: Day | None = None
    usual_bedtime: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in available_timezones() or ("/" not in value and value != "UTC"):
            raise ValueError(f"{value!r} is not an IANA time zone such as 'America/New_York'")
        try:
            ZoneInfo(value)
        except ZoneInfoNotFoundError:  # pragma: no cover - available_timezones said it exists
            raise ValueError(f"{value!r} is not an IANA time zone") from None
        return value

    @field_validator("usual_bedtime")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        if value is not None and not CLOCK.match(value):
            raise ValueError("use a 24-hour time such as '22:30'")
        return value


class UserCreate(BaseModel):
    # No blanket whitespace stripping: a password is kept exactly as typed.
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254)
    display_name: str = Field(max_length=120)
    role: Literal["patient", "clinician", "admin"]
    password: str = Field(min_length=MIN_LENGTH, max_length=1024)
    patient_id: RowId | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip()
        if not EMAIL.match(value):
            raise ValueError("is not an e-mail address")
        return value.lower()

    @field_validator("display_name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()


def create_patient(session: Session, actor: Actor, data: PatientCreate | Payload) -> Patient:
    values = parse(PatientCreate, data)
    with atomic(session):
        if values.clinic_ref and session.scalar(select(Patient.id).where(Patient.clinic_ref == values.clinic_ref)):
            raise Conflict(f"clinic_ref {values.clinic_ref!r} is already in use", field="clinic_ref")
        patient = Patient(**values.model_dump())
        session.add(patient)
        session.flush()
        audit(session, actor, "create", "patient", patient.id, patient_id=patient.id)
    return patient


def create_user(session: Session, actor: Actor, data: UserCreate | Payload) -> User:
    values = parse(UserCreate, data)
    if values.role == "patient" and values.patient_id is None:
        raise ValidationError("a patient account must name its patient", field="patient_id")
    if values.role != "patient" and values.patient_id is not None:
        raise ValidationError("only patient accounts are linked to a patient", field="patient_id")
    with atomic(session):
        if session.scalar(select(User.id).where(func.lower(User.email) == values.email)):
            raise Conflict(f"an account for {values.email} already exists", field="email")
        if values.patient_id is not None:
            if session.get(Patient, values.patient_id) is None:
                raise NotFound(f"no patient with id {values.patient_id}", field="patient_id")
            if session.scalar(select(User.id).where(User.patient_id == values.patient_id)):
                raise Conflict(f"patient {values.patient_id} already has an account", field="patient_id")
        user = User(
            email=values.email,
            display_name=values.display_name,
            role=values.role,
            password_hash=hash_password(values.password),
            patient_id=values.patient_id,
        )
        session.add(user)
        session.flush()
        audit(
            session,
            actor,
            "create",
            "user",
            user.id,
            patient_id=values.patient_id,
            detail={"role": values.role},
        )
    return user


def create_care_team(
    session: Session, actor: Actor, name: str, *, clinician_ids: list[int], patient_ids: list[int]
) -> CareTeam:
    name = name.strip()
    if not name or "\x00" in name or len(name) > 120:
        raise ValidationError("a care team needs a name of 1 to 120 characters", field="name")
    clinician_ids, patient_ids = list(dict.fromkeys(clinician_ids)), list(dict.fromkeys(patient_ids))
    with atomic(session):
        if session.scalar(select(CareTeam.id).where(CareTeam.name == name)):
            raise Conflict(f"a care team called {name!r} already exists", field="name")
        team = CareTeam(name=name)
        session.add(team)
        for user_id in clinician_ids:
            user = session.get(User, user_id) if valid_id(user_id) else None
            if user is None or user.role != "clinician":
                raise ValidationError(f"user {user_id} is not a clinician", field="clinician_ids")
            team.members.append(user)
        for patient_id in patient_ids:
            patient = session.get(Patient, patient_id) if valid_id(patient_id) else None
            if patient is None:
                raise NotFound(f"no patient with id {patient_id}", field="patient_ids")
            team.patients.append(patient)
        session.flush()
        audit(session, actor, "create", "care_team", team.id, detail={"clinicians": clinician_ids})
        _audit_access(session, actor, team, patient_ids, clinician_ids)
    return team


def add_to_care_team(
    session: Session,
    actor: Actor,
    team_id: int,
    *,
    clinician_ids: Sequence[int] = (),
    patient_ids: Sequence[int] = (),
) -> CareTeam:
    """Add clinicians and patients to a team. Each patient's audit trail records who can now see them."""
    with atomic(session):
        team = session.get(CareTeam, team_id) if valid_id(team_id) else None
        if team is None:
            raise NotFound(f"no care team with id {team_id}", field="team_id")
        members, patients = {u.id for u in team.members}, {p.id for p in team.patients}
        added_clinicians = [i for i in dict.fromkeys(clinician_ids) if i not in members]
        added_patients = [i for i in dict.fromkeys(patient_ids) if i not in patients]
        for user_id in added_clinicians:
            user = session.get(User, user_id) if valid_id(user_id) else None
            if user is None or user.role != "clinician":
                raise ValidationError(f"user {user_id} is not a clinician", field="clinician_ids")
            team.members.append(user)
        for patient_id in added_patients:
            team.patients.append(get_patient(session, patient_id))
        session.flush()
        everyone = [u.id for u in team.members]
        _audit_access(session, actor, team, added_patients, everyone)
        if added_clinicians:
            _audit_access(session, actor, team, sorted(patients), added_clinicians)
    return team


def _audit_access(
    session: Session, actor: Actor, team: CareTeam, patient_ids: Sequence[int], clinician_ids: Sequence[int]
) -> None:
    """One row per patient, so their own audit trail shows which clinicians were given access."""
    for patient_id in patient_ids:
        audit(
            session,
            actor,
            "grant_access",
            "care_team",
            team.id,
            patient_id=patient_id,
            detail={"clinicians": list(clinician_ids)},
        )


# A key of `session.info`: a web request's session holds a dict here, which lives as long as the request,
# and in which the patient rows and granted access checks of the request are kept (a session's identity
# map holds rows weakly, so the same patient was read again by each service the request called).
REQUEST_MEMO = "morrow.request_memo"


def get_patient(session: Session, patient_id: int) -> Patient:
    memo = session.info.get(REQUEST_MEMO)
    if memo is not None and ("patient", patient_id) in memo:
        kept: Patient = memo[("patient", patient_id)]
        return kept
    patient = session.get(Patient, patient_id) if valid_id(patient_id) else None
    if patient is None:
        raise NotFound(f"no patient with id {patient_id}", field="patient_id")
    if memo is not None:
        memo[("patient", patient_id)] = patient
    return patient


def clinic_summary(session: Session) -> dict[str, int]:
    """How many patients and clinicians the clinic has (no health data: shown before sign-in)."""
    with atomic(session):
        patients = session.scalar(select(func.count(Patient.id))) or 0
        clinicians = session.scalar(select(func.count(User.id)).where(User.role == "clinician")) or 0
    return {"patients": patients, "clinicians": clinicians}
