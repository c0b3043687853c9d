"""What a clinician has set: regimens and their items, proposed dose changes, and taper plans."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from morrow.db.base import Base, JSONType, Timestamped, choice

if TYPE_CHECKING:
    from morrow.db.models.people import Patient

SCHEDULE_KINDS = ("fixed", "as_needed")
CHANGE_STATUSES = ("pending", "approved", "declined", "applied", "withdrawn")
TAPER_METHODS = ("percent_of_current", "percent_of_original", "linear")
TAPER_STATUSES = ("draft", "approved", "active", "paused", "completed", "cancelled", "superseded")
STEP_STATUSES = ("planned", "current", "held", "done", "skipped")


class Regimen(Timestamped, Base):
    __tablename__ = "regimens"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(160))
    status: Mapped[str] = mapped_column(choice("regimen_status", "active", "ended"), default="active")
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)

    patient: Mapped[Patient] = relationship()
    items: Mapped[list[RegimenItem]] = relationship(back_populates="regimen", order_by="RegimenItem.id")


class RegimenItem(Timestamped, Base):
    """One substance in a regimen: its dose, schedule, limits and titration rule."""

    __tablename__ = "regimen_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    regimen_id: Mapped[int] = mapped_column(ForeignKey("regimens.id", ondelete="CASCADE"), index=True)
    substance_id: Mapped[str] = mapped_column(String(64))
    form: Mapped[str | None] = mapped_column(String(32))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="SET NULL"))
    dose: Mapped[float]
    unit: Mapped[str] = mapped_column(String(16))
    schedule_kind: Mapped[str] = mapped_column(choice("schedule_kind", *SCHEDULE_KINDS))
    times: Mapped[list[str]] = mapped_column(JSONType, default=list)
    minutes_before_bedtime: Mapped[int | None] = mapped_column(Integer)
    max_doses_per_day: Mapped[int | None] = mapped_column(Integer)
    min_interval_minutes: Mapped[int | None] = mapped_column(Integer)
    ceiling_dose: Mapped[float | None]
    titration_max_increase: Mapped[float | None]
    titration_period_days: Mapped[int | None] = mapped_column(Integer)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)

    regimen: Mapped[Regimen] = relationship(back_populates="items")


class DoseChangeRequest(Timestamped, Base):
    """A proposed change to one regimen item; the regimen's titration rule decides if it needs approval."""

    __tablename__ = "dose_change_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    regimen_item_id: Mapped[int] = mapped_column(ForeignKey("regimen_items.id", ondelete="CASCADE"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    current_dose: Mapped[float]
    proposed_dose: Mapped[float]
    unit: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    needs_approval: Mapped[bool]
    rule_explanation: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(choice("change_status", *CHANGE_STATUSES), default="pending", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)


class TaperPlan(Timestamped, Base):
    """A clinician-approved, versioned taper; a new version supersedes the old one, never edits it. At most
    one plan per patient and substance is live (active or paused): the services check it under the patient's
    lock, and this index holds it whatever writes the table."""

    __tablename__ = "taper_plans"
    __table_args__ = (
        UniqueConstraint("lineage_id", "version"),
        Index(
            "uq_taper_plans_one_live",
            "patient_id",
            "substance_id",
            unique=True,
            sqlite_where=text("status IN ('active', 'paused')"),
            postgresql_where=text("status IN ('active', 'paused')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lineage_id: Mapped[int | None] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    regimen_item_id: Mapped[int | None] = mapped_column(ForeignKey("regimen_items.id", ondelete="SET NULL"))
    substance_id: Mapped[str] = mapped_column(String(64))
    form: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(choice("taper_method", *TAPER_METHODS))
    parameters: Mapped[dict[str, Any]]
    original_daily_dose: Mapped[float]
    floor_dose: Mapped[float] = mapped_column(default=0.0)
    starts_on: Mapped[date]
    status: Mapped[str] = mapped_column(choice("taper_status", *TAPER_STATUSES), default="draft")
    hold_rules: Mapped[dict[str, Any]]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)

    steps: Mapped[list[TaperStep]] = relationship(back_populates="plan", order_by="TaperStep.position")


class TaperStep(Base):
    __tablename__ = "taper_steps"
    __table_args__ = (UniqueConstraint("plan_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("taper_plans.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    daily_dose: Mapped[float]
    mme_per_day: Mapped[float | None]
    status: Mapped[str] = mapped_column(choice("step_status", *STEP_STATUSES), default="planned")

    plan: Mapped[TaperPlan] = relationship(back_populates="steps")
