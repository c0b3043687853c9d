"""Clinical notes from visits, calls and messages: written by the patient's clinicians, read with an audit row."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import ClinicalNote
from morrow.domain.errors import PermissionDenied
from morrow.services.access import check_access
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.doses import IDEMPOTENCY_KEY
from morrow.services.idempotency import store_once
from morrow.services.inputs import Payload, parse
from morrow.services.tx import atomic

WRITERS = ("clinician", "system")


class NoteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["visit", "phone", "message", "other"] = "visit"
    body: str = Field(min_length=3, max_length=8000)
    idempotency_key: str | None = Field(default=None, pattern=IDEMPOTENCY_KEY)


def add_note(
    session: Session, actor: Actor, patient_id: int, data: NoteCreate | Payload, *, now: datetime | None = None
) -> ClinicalNote:
    """A new note on the patient's record, written now by the actor."""
    if actor.role not in WRITERS:
        raise PermissionDenied("only a clinician writes clinical notes", field="actor")
    values = parse(NoteCreate, data)
    moment = now or datetime.now(UTC)

    def build() -> ClinicalNote:
        return ClinicalNote(
            patient_id=patient_id,
            author_id=actor.user_id,
            kind=values.kind,
            body=values.body,
            written_at=moment,
            idempotency_key=values.idempotency_key,
        )

    if values.idempotency_key is not None:  # a retried form or request: stored once
        note, _ = store_once(
            session,
            actor,
            model=ClinicalNote,
            entity="clinical_note",
            patient_id=patient_id,
            key=values.idempotency_key,
            build=build,
            matches=lambda existing: (existing.kind, existing.body) == (values.kind, values.body),
            now=moment,
        )
        return note
    with atomic(session):
        check_access(session, actor, patient_id)
        note = build()
        session.add(note)
        session.flush()
        audit(session, actor, "create", "clinical_note", note.id, patient_id=patient_id, detail={"kind": values.kind})
    return note


def list_notes(session: Session, actor: Actor, patient_id: int, *, limit: int = 50) -> list[ClinicalNote]:
    """The patient's latest notes, newest first."""
    if actor.role not in WRITERS:
        raise PermissionDenied("clinical notes are for the care team", field="actor")
    with atomic(session):
        check_access(session, actor, patient_id)
        query = (
            select(ClinicalNote)
            .where(ClinicalNote.patient_id == patient_id)
            .order_by(ClinicalNote.written_at.desc(), ClinicalNote.id.desc())
            .limit(max(1, min(limit, 200)))
        )
        notes = list(session.scalars(query))
        audit(session, actor, "read", "clinical_notes", patient_id=patient_id, detail={"count": len(notes)})
    return notes
