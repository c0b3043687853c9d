"""Concrete products a clinic or patient uses (a brand of kratom capsules, a melatonin tablet).

Substances themselves live in the catalog data file; rows here name a catalog id that services
validate against the catalog before writing.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from morrow.db.base import Base, Timestamped


class Product(Timestamped, Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    substance_id: Mapped[str] = mapped_column(String(64), index=True)
    form: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(160))
    strength: Mapped[float | None]
    strength_unit: Mapped[str | None] = mapped_column(String(16))
    per: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
