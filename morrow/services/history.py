"""Edit history: before a health record changes, its previous values are kept as a revision."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import RecordRevision
from morrow.services.actors import Actor


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def keep_revision(
    session: Session, actor: Actor, entity: str, record: Any, fields: tuple[str, ...], reason: str | None
) -> None:
    """Store `fields` of `record` as they are now, under the record's current version."""
    session.add(
        RecordRevision(
            entity=entity,
            entity_id=record.id,
            version=record.version,
            values={name: _jsonable(getattr(record, name)) for name in fields},
            edited_by_id=actor.user_id,
            reason=reason,
        )
    )


def revisions(session: Session, entity: str, entity_id: int) -> list[RecordRevision]:
    query = (
        select(RecordRevision)
        .where(RecordRevision.entity == entity, RecordRevision.entity_id == entity_id)
        .order_by(RecordRevision.version)
    )
    return list(session.scalars(query))
