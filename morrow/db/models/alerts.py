"""Safety findings and the alerts they raise, with the alert lifecycle (open, acknowledged, resolved)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from morrow.db.base import Base, JSONType, Timestamped, choice

SEVERITIES = ("urgent", "warning", "caution", "info")
CATEGORIES = ("interaction", "red_flag", "dose", "dependence", "product", "taper")
ALERT_STATUSES = ("open", "acknowledged", "resolved")


class Alert(Timestamped, Base):
    """One persisting condition for one patient. While it is not resolved, the same fingerprint
    adds occurrences instead of a new alert; after resolution a return raises a new one."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index(
            "uq_alerts_live_fingerprint",
            "patient_id",
            "fingerprint",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
        Index("ix_alerts_status_severity", "status", "severity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    rule_id: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str] = mapped_column(choice("alert_severity", *SEVERITIES))
    category: Mapped[str] = mapped_column(choice("alert_category", *CATEGORIES))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(choice("alert_status", *ALERT_STATUSES), default="open")
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime | None]
    acknowledgement_note: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime | None]
    resolution_note: Mapped[str | None] = mapped_column(Text)


class Finding(Timestamped, Base):
    """What the safety engine said about one situation, kept verbatim with its sources."""

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_patient_detected", "patient_id", "detected_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"), index=True)
    rule_id: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(choice("finding_severity", *SEVERITIES))
    category: Mapped[str] = mapped_column(choice("finding_category", *CATEGORIES))
    substances: Mapped[list[str]] = mapped_column(JSONType)
    title: Mapped[str] = mapped_column(String(200))
    patient_message: Mapped[str] = mapped_column(Text)
    clinician_message: Mapped[str] = mapped_column(Text)
    sources: Mapped[list[str]] = mapped_column(JSONType)
    evidence: Mapped[dict[str, Any]]
    detected_at: Mapped[datetime]
