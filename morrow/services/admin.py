"""What an admin sees: accounts, care teams and the audit trail, never clinical records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from morrow.db.models import AuditEvent, CareTeam, User, care_team_members, care_team_patients
from morrow.domain.errors import PermissionDenied
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.tx import atomic

ADMINS = ("admin", "system")
PAGE = 100


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    display_name: str
    role: str
    is_active: bool
    last_login_at: datetime | None
    teams: tuple[str, ...]


@dataclass(frozen=True)
class TeamRow:
    id: int
    name: str
    clinicians: tuple[str, ...]
    patient_count: int


def require_admin(actor: Actor) -> None:
    if actor.role not in ADMINS:
        raise PermissionDenied("only an admin manages accounts and teams", field="role")


def list_users(session: Session, actor: Actor) -> list[UserRow]:
    require_admin(actor)
    with atomic(session):
        users = session.scalars(select(User).order_by(User.role, User.email)).all()
        teams = session.execute(
            select(care_team_members.c.user_id, CareTeam.name).join(
                CareTeam, CareTeam.id == care_team_members.c.care_team_id
            )
        ).all()
        audit(session, actor, "read", "users", None, detail={"count": len(users)})
    by_user: dict[int, list[str]] = {}
    for user_id, name in teams:
        by_user.setdefault(user_id, []).append(name)
    return [
        UserRow(
            u.id, u.email, u.display_name, u.role, u.is_active, u.last_login_at, tuple(sorted(by_user.get(u.id, [])))
        )
        for u in users
    ]


def list_teams(session: Session, actor: Actor) -> list[TeamRow]:
    require_admin(actor)
    with atomic(session):
        rows = _team_rows(session, select(CareTeam).order_by(CareTeam.name))
        audit(session, actor, "read", "care_teams", None, detail={"count": len(rows)})
    return rows


def team_row(session: Session, actor: Actor, team_id: int) -> TeamRow:
    """One team as `list_teams` shows it, e.g. the one just created (its creation is audited already)."""
    require_admin(actor)
    with atomic(session):
        [row] = _team_rows(session, select(CareTeam).where(CareTeam.id == team_id))
    return row


def _team_rows(session: Session, query: Select[CareTeam]) -> list[TeamRow]:
    teams = session.scalars(query).all()
    counted = select(care_team_patients.c.care_team_id, func.count()).group_by(care_team_patients.c.care_team_id)
    counts: dict[int, int] = {row[0]: row[1] for row in session.execute(counted)}
    return [TeamRow(t.id, t.name, tuple(sorted(u.email for u in t.members)), counts.get(t.id, 0)) for t in teams]


def audit_log(
    session: Session,
    actor: Actor,
    *,
    before_id: int | None = None,
    patient_id: int | None = None,
    actor_id: int | None = None,
) -> list[AuditEvent]:
    """The newest audit events first, a page at a time (`before_id` pages back). Viewing it is audited."""
    require_admin(actor)
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(PAGE)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if patient_id is not None:
        query = query.where(AuditEvent.patient_id == patient_id)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    with atomic(session):
        events = list(session.scalars(query))
        audit(
            session,
            actor,
            "read",
            "audit_log",
            None,
            detail={"before_id": before_id, "patient_id": patient_id, "actor_id": actor_id},
        )
    return events
