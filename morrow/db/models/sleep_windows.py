"""CBT-I sleep windows: the engine proposes one from the diary, a clinician approves it, the patient sees it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from morrow.db.base import Base, Timestamped, choice

WINDOW_STATUSES = ("proposed", "approved", "declined", "superseded")
WINDOW_ACTIONS = ("initial", "extend", "hold", "shorten")


class SleepWindow(Timestamped, Base):
    """One proposal. Approving it supersedes the window before; nothing is edited after a decision."""

    __tablename__ = "sleep_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    proposed_at: Mapped[datetime]
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(choice("sleep_window_action", *WINDOW_ACTIONS))
    nights_used: Mapped[int] = mapped_column(Integer)
    mean_tst_min: Mapped[float | None]
    mean_se_pct: Mapped[float | None]
    time_in_bed_min: Mapped[int] = mapped_column(Integer)
    bedtime: Mapped[str | None] = mapped_column(String(5))
    rise_time: Mapped[str | None] = mapped_column(String(5))
    ess_total: Mapped[int | None] = mapped_column(Integer)
    flags: Mapped[dict[str, Any]]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(choice("sleep_window_status", *WINDOW_STATUSES), default="proposed", index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)
