"""The record around the care: clinical notes, the audit trail, edit history, and the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from morrow.db.base import Base, Timestamped, choice, utcnow

OUTBOX_STATUSES = ("pending", "claimed", "sent", "failed")


class ClinicalNote(Timestamped, Base):
    __tablename__ = "clinical_notes"
    __table_args__ = (UniqueConstraint("patient_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(choice("note_kind", "visit", "phone", "message", "other"))
    body: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime]
    idempotency_key: Mapped[str | None] = mapped_column(String(80))  # a resubmitted form stores once


class AuditEvent(Base):
    """Who read or wrote what, when, and from where. Append-only."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_patient_at", "patient_id", "at"),
        Index("ix_audit_events_actor_at", "actor_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(48))
    entity: Mapped[str] = mapped_column(String(48))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id", ondelete="SET NULL"))
    origin: Mapped[str] = mapped_column(String(120))
    detail: Mapped[dict[str, Any]]


class RecordRevision(Base):
    """The values a health record held before an edit (dose logs, responses, diary nights)."""

    __tablename__ = "record_revisions"
    __table_args__ = (Index("ix_record_revisions_entity", "entity", "entity_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(48))
    entity_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    values: Mapped[dict[str, Any]]
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    edited_at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)


class OutboxMessage(Base):
    """Work to do after a commit (notify a clinician of an urgent alert). The worker claims a row with
    a compare-and-set update so that two workers never send the same message."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_available", "status", "available_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(48))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(choice("outbox_status", *OUTBOX_STATUSES), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(120))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
