"""What patients and raters report: questionnaire responses, sleep diary nights, symptom reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from morrow.db.base import Base, Timestamped, choice

RATERS = ("self", "clinician")


class QuestionnaireResponse(Timestamped, Base):
    """Raw answers to one instrument version, with the score computed from them (never typed in)."""

    __tablename__ = "questionnaire_responses"
    __table_args__ = (
        UniqueConstraint("patient_id", "idempotency_key"),
        Index("ix_questionnaire_responses_patient_instrument", "patient_id", "instrument_id", "administered_at"),
        # Each patient's latest live check-in in one index seek (triage's "no check-in for 2 days").
        Index("ix_questionnaire_responses_patient_live_at", "patient_id", "voided_at", "administered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    instrument_id: Mapped[str] = mapped_column(String(32))
    instrument_version: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]]
    score: Mapped[dict[str, Any]]
    total: Mapped[float | None]
    band: Mapped[str | None] = mapped_column(String(48))
    rater: Mapped[str] = mapped_column(choice("rater", *RATERS))
    rater_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    administered_at: Mapped[datetime]
    idempotency_key: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=1)
    voided_at: Mapped[datetime | None]


class SleepDiaryEntry(Timestamped, Base):
    """One night of the Consensus Sleep Diary. A night belongs to the local date of the evening it began."""

    __tablename__ = "sleep_diary_entries"
    __table_args__ = (
        UniqueConstraint("patient_id", "night_of"),
        UniqueConstraint("patient_id", "idempotency_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    night_of: Mapped[date]
    answers: Mapped[dict[str, Any]]
    metrics: Mapped[dict[str, Any]]
    total_sleep_min: Mapped[int | None] = mapped_column(Integer)
    sleep_efficiency_pct: Mapped[float | None]
    instrument_version: Mapped[str] = mapped_column(String(32))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    idempotency_key: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=1)


class SymptomReport(Timestamped, Base):
    """Symptoms and side effects at one moment: catalog symptom codes with a 0-3 severity each."""

    __tablename__ = "symptom_reports"
    __table_args__ = (
        UniqueConstraint("patient_id", "idempotency_key"),
        Index("ix_symptom_reports_patient_at", "patient_id", "reported_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    reported_at: Mapped[datetime]
    symptoms: Mapped[dict[str, Any]]
    note: Mapped[str | None] = mapped_column(Text)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    idempotency_key: Mapped[str] = mapped_column(String(80))
