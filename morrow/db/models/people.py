"""Who is who: users and their roles, patients, and the care teams that join clinicians to patients."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from morrow.db.base import Base, Timestamped, choice

ROLES = ("patient", "clinician", "admin")

care_team_members = Table(
    "care_team_members",
    Base.metadata,
    Column("care_team_id", ForeignKey("care_teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

care_team_patients = Table(
    "care_team_patients",
    Base.metadata,
    Column("care_team_id", ForeignKey("care_teams.id", ondelete="CASCADE"), primary_key=True),
    Column("patient_id", ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True),
)


class Patient(Timestamped, Base):
    """A person in care. Identity is minimal: a display name and an optional clinic reference."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(120))
    clinic_ref: Mapped[str | None] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    pregnant: Mapped[bool] = mapped_column(default=False)
    opioid_abstinent_since: Mapped[date | None]
    taper_completed_on: Mapped[date | None]
    usual_bedtime: Mapped[str | None] = mapped_column(String(5))
    # Counts every change to what the safety rules read of this patient; bumped by database triggers
    # (migration b7d1e0c4a9f2), never by the application. See `morrow.services.alerts.foresee`.
    record_version: Mapped[int] = mapped_column(BigInteger, server_default="0")

    care_teams: Mapped[list[CareTeam]] = relationship(secondary=care_team_patients, back_populates="patients")


class User(Timestamped, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(choice("user_role", *ROLES))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id", ondelete="RESTRICT"), unique=True)
    last_login_at: Mapped[datetime | None]

    patient: Mapped[Patient | None] = relationship()
    care_teams: Mapped[list[CareTeam]] = relationship(secondary=care_team_members, back_populates="members")


class CareTeam(Timestamped, Base):
    __tablename__ = "care_teams"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))

    members: Mapped[list[User]] = relationship(secondary=care_team_members, back_populates="care_teams")
    patients: Mapped[list[Patient]] = relationship(secondary=care_team_patients, back_populates="care_teams")
