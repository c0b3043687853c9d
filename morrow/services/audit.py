"""The audit trail: one append-only row for every read or write of health data."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from morrow.db.models import AuditEvent
from morrow.services.actors import Actor


def audit(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | str | None = None,
    *,
    patient_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add an audit row to the caller's transaction (so it commits, or not, with the change itself)."""
    session.add(
        AuditEvent(
            actor_id=actor.user_id,
            actor_label=actor.label,
            action=action,
            entity=entity,
            entity_id=None if entity_id is None else str(entity_id),
            patient_id=patient_id,
            origin=actor.origin,
            detail=detail or {},
        )
    )
