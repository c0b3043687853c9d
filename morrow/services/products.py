"""Products a regimen item can name (a brand of kratom capsules, a melatonin tablet): not clinical data."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import Product
from morrow.services.tx import reading


def list_products(session: Session, substance_ids: Iterable[str] | None = None) -> list[Product]:
    """The stored products (of these substances only, when given), by substance and name."""
    query = select(Product).order_by(Product.substance_id, Product.name, Product.id)
    if substance_ids is not None:
        query = query.where(Product.substance_id.in_(set(substance_ids)))
    with reading(session):
        return list(session.scalars(query))
