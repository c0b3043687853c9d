"""Clinical notes from visits, calls and messages: written by the patient's clinicians, read with an audit row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import ClinicalNote
from morrow.domain.errors import PermissionDenied
from morrow.services.access import require_access
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.inputs import Payload, parse
from morrow.services.tx import atomic

WRITERS = ("clinician", "system")


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["visit", "phone", "message", "other"] = "visit"
    body: str = Field(min_length=3, max_length=8000)


def add_note(
    session: Session, actor: Actor, patient_id: int, data: NoteCreate | Payload, *, now: datetime | None = None
) -> ClinicalNote:
    """A new note on the patient's record, written now by the actor."""
    if actor.role not in WRITERS:
        raise PermissionDenied("only a clinician writes clinical notes", field="actor")
    values = parse(NoteCreate, data)
    with atomic(session):
        require_access(session, actor, patient_id)
        note = ClinicalNote(
            patient_id=patient_id,
            author_id=actor.user_id,
            kind=values.kind,
            body=values.body,
            written_at=now or datetime.now(UTC),
        )
        session.add(note)
        session.flush()
        audit(session, actor, "create", "clinical_note", note.id, patient_id=patient_id, detail={"kind": values.kind})
    return note


def list_notes(session: Session, actor: Actor, patient_id: int, *, limit: int = 50) -> list[ClinicalNote]:
    """The patient's latest notes, newest first."""
    if actor.role not in WRITERS:
        raise PermissionDenied("clinical notes are for the care team", field="actor")
    with atomic(session):
        require_access(session, actor, patient_id)
        query = (
            select(ClinicalNote)
            .where(ClinicalNote.patient_id == patient_id)
            .order_by(ClinicalNote.written_at.desc(), ClinicalNote.id.desc())
            .limit(max(1, min(limit, 200)))
        )
        notes = list(session.scalars(query))
        audit(session, actor, "read", "clinical_notes", patient_id=patient_id, detail={"count": len(notes)})
    return notes
