"""The audit trail: one append-only row for every read or write of health data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from morrow.db.base import utcnow
from morrow.db.models import AuditEvent
from morrow.db.prepared import Prepared
from morrow.services.actors import Actor

_INSERT = Prepared(insert(AuditEvent))


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
    """Write an audit row in the caller's transaction (so it commits, or not, with the change itself).

    One INSERT sent to the driver (`Prepared`), written at once: an audit row is never read back as an
    object, and the ORM's unit of work cost more than the insert itself on every request. What the
    transaction added before is flushed first, so the row follows the change it records."""
    session.flush()
    _INSERT.insert(
        session.connection(),
        {
            "at": utcnow(),
            "actor_id": actor.user_id,
            "actor_label": actor.label,
            "action": action,
            "entity": entity,
            "entity_id": None if entity_id is None else str(entity_id),
            "patient_id": patient_id,
            "origin": actor.origin,
            "detail": detail or {},
        },
    )
