"""Doses actually taken (or reported): planned, as-needed, off-plan and outside the regimen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from morrow.db.base import Base, Timestamped, choice

DOSE_KINDS = ("planned", "as_needed", "off_plan", "unplanned")


class DoseLog(Timestamped, Base):
    """One dose. `idempotency_key` makes a retried submission store once; edits bump `version`
    and leave the previous values in `record_revisions`."""

    __tablename__ = "dose_logs"
    __table_args__ = (
        UniqueConstraint("patient_id", "idempotency_key"),
        Index("ix_dose_logs_patient_taken", "patient_id", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    regimen_item_id: Mapped[int | None] = mapped_column(ForeignKey("regimen_items.id", ondelete="SET NULL"))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    substance_id: Mapped[str] = mapped_column(String(64))
    form: Mapped[str | None] = mapped_column(String(32))
    amount: Mapped[float]
    unit: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(choice("dose_kind", *DOSE_KINDS))
    taken_at: Mapped[datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    idempotency_key: Mapped[str] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    voided_at: Mapped[datetime | None]
