"""Admin pages and API: accounts, care teams and the audit log. No clinical data is shown here."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from morrow.domain.errors import ValidationError
from morrow.services.admin import audit_log, list_teams, list_users, require_admin, team_row
from morrow.services.people import add_to_care_team, create_care_team, create_user
from morrow.web.deps import CurrentActor, DbSession
from morrow.web.forms import closing_form, is_whole
from morrow.web.templating import render


def admin_only(actor: CurrentActor) -> None:
    """Runs before any form or body is read, so a non-admin learns nothing about what the form expects."""
    require_admin(actor)


router = APIRouter(dependencies=[Depends(closing_form), Depends(admin_only)])


class UserPublic(BaseModel):
    id: int
    email: str
    display_name: str
    role: str
    is_active: bool
    last_login_at: datetime | None
    teams: list[str]


class TeamPublic(BaseModel):
    id: int
    name: str
    clinicians: list[str]
    patient_count: int


class AuditEventPublic(BaseModel):
    id: int
    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    entity: str
    entity_id: str | None
    patient_id: int | None
    origin: str
    # No `detail`: it can hold clinical words (rule ids, substances, reasons), which admins must not see.


class UserCreatePublic(BaseModel):
    email: str = Field(max_length=254)
    display_name: str = Field(max_length=120)
    role: str = Field(max_length=16)
    password: str = Field(max_length=1024)
    patient_id: int | None = None


class TeamCreatePublic(BaseModel):
    name: str = Field(max_length=120)
    clinician_ids: list[int] = Field(default=[], max_length=500)
    patient_ids: list[int] = Field(default=[], max_length=5000)


@router.get("/admin", response_class=HTMLResponse, include_in_schema=False)
def admin_page(request: Request, db: DbSession, actor: CurrentActor, created: str | None = None) -> Response:
    require_admin(actor)
    return render(
        request,
        "admin/index.html",
        {"users": list_users(db, actor), "teams": list_teams(db, actor), "created": created},
    )


@router.post("/admin/users", include_in_schema=False)
def admin_add_user(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    email: Annotated[str, Form(max_length=254)],
    display_name: Annotated[str, Form(max_length=120)],
    role: Annotated[str, Form(max_length=16)],
    patient_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """The new account gets a one-time password shown once, to pass on in person."""
    require_admin(actor)
    password = secrets.token_urlsafe(12)
    data: dict[str, object] = {"email": email, "display_name": display_name, "role": role, "password": password}
    if patient_id.strip():
        data["patient_id"] = int(patient_id) if is_whole(patient_id) else patient_id
    user = create_user(db, actor, data)
    return render(request, "admin/created.html", {"email": user.email, "password": password})


@router.post("/admin/teams", include_in_schema=False)
def admin_add_team(db: DbSession, actor: CurrentActor, name: Annotated[str, Form(max_length=120)]) -> Response:
    require_admin(actor)
    create_care_team(db, actor, name, clinician_ids=[], patient_ids=[])
    return RedirectResponse("/admin", status_code=303)


@router.post("/admin/teams/{team_id}/members", include_in_schema=False)
def admin_add_member(
    db: DbSession,
    actor: CurrentActor,
    team_id: int,
    clinician_id: Annotated[str, Form(max_length=12)] = "",
    patient_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    require_admin(actor)
    clinicians, patients = _member_id(clinician_id, "clinician_id"), _member_id(patient_id, "patient_id")
    if not clinicians and not patients:
        raise ValidationError("clinician_id: enter a clinician's or a patient's id to add", field="clinician_id")
    add_to_care_team(db, actor, team_id, clinician_ids=clinicians, patient_ids=patients)
    return RedirectResponse("/admin", status_code=303)


def _member_id(text: str, field: str) -> list[int]:
    """The id typed into one field of the add-member form: none when it is left empty, refused when it is
    not a whole number (it used to be dropped, and the form said nothing)."""
    if not text.strip():
        return []
    if not is_whole(text):
        raise ValidationError(f"{field}: enter an account or patient id, a whole number", field=field)
    return [int(text)]


@router.get("/admin/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    before_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    patient_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    events = audit_log(db, actor, before_id=before_id, patient_id=patient_id)
    return render(request, "admin/audit.html", {"events": events, "patient_id": patient_id})


@router.get("/api/v1/admin/users", tags=["admin"], response_model=list[UserPublic])
def api_users(db: DbSession, actor: CurrentActor) -> list[UserPublic]:
    """Every account, with its role and teams (admins only)."""
    return [UserPublic(**{**row.__dict__, "teams": list(row.teams)}) for row in list_users(db, actor)]


@router.post("/api/v1/admin/users", tags=["admin"], response_model=UserPublic, status_code=201)
def api_add_user(db: DbSession, actor: CurrentActor, body: UserCreatePublic) -> UserPublic:
    """Add an account (admins only)."""
    require_admin(actor)
    user = create_user(db, actor, body.model_dump())
    return UserPublic(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        is_active=user.is_active,
        last_login_at=user.last_login_at,
        teams=[],
    )


@router.get("/api/v1/admin/teams", tags=["admin"], response_model=list[TeamPublic])
def api_teams(db: DbSession, actor: CurrentActor) -> list[TeamPublic]:
    """Every care team with its clinicians and how many patients it has (admins only)."""
    return [TeamPublic(**{**row.__dict__, "clinicians": list(row.clinicians)}) for row in list_teams(db, actor)]


@router.post("/api/v1/admin/teams", tags=["admin"], response_model=TeamPublic, status_code=201)
def api_add_team(db: DbSession, actor: CurrentActor, body: TeamCreatePublic) -> TeamPublic:
    """Add a care team (admins only)."""
    require_admin(actor)
    team = create_care_team(db, actor, body.name, clinician_ids=body.clinician_ids, patient_ids=body.patient_ids)
    # Read back, not from `team`: its unloaded member lists cannot load once the transaction has ended.
    row = team_row(db, actor, team.id)
    return TeamPublic(id=row.id, name=row.name, clinicians=list(row.clinicians), patient_count=row.patient_count)


@router.get("/api/v1/admin/audit", tags=["admin"], response_model=list[AuditEventPublic])
def api_audit(
    db: DbSession,
    actor: CurrentActor,
    before_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    patient_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    actor_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> list[AuditEventPublic]:
    """The audit log, newest first, 100 at a time (admins only)."""
    events = audit_log(db, actor, before_id=before_id, patient_id=patient_id, actor_id=actor_id)
    return [AuditEventPublic.model_validate(e, from_attributes=True) for e in events]
