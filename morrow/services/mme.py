"""Morphine milligram equivalents per day of the opioid items of the regimen in force on a day.

- Opioid items: substances in an opioid-agonist class of the catalog, and kratom (which acts on opioid
  receptors but has no CDC factor: it is listed with a note, never given a number).
- The daily amount of a fixed item is its dose x the doses scheduled a day; of an as-needed item, its
  dose x its daily cap: the most the regimen allows, which is what a clinician weighs.
- The factor and any caution come from the engine (`mme_conversion`): methadone's non-linearity note
  travels with its number; an item without a factor says so and adds nothing to the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from morrow.catalog import Catalog, load_catalog
from morrow.db.models import Regimen
from morrow.regimens import mme_conversion
from morrow.regimens.exact import as_number, exact, half_up_2
from morrow.services.access import check_access
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.tx import atomic

OPIOID_CLASSES = frozenset({"full_agonist_opioid", "partial_agonist_opioid", "kratom"})


@dataclass(frozen=True)
class ItemMme:
    regimen_item_id: int
    substance: str
    daily_amount: int | float
    unit: str
    mme_per_day: float | None
    notes: tuple[str, ...]


@dataclass(frozen=True)
class RegimenMme:
    day: date
    regimen_id: int | None
    items: tuple[ItemMme, ...]
    total_mme_per_day: float
    incomplete: bool  # some opioid item has no factor, so the total leaves it out


def regimen_mme(
    session: Session, actor: Actor, patient_id: int, today: date, *, catalog: Catalog | None = None
) -> RegimenMme:
    catalog = catalog or load_catalog()
    with atomic(session):
        check_access(session, actor, patient_id)
        query = select(Regimen).where(
            Regimen.patient_id == patient_id,
            Regimen.starts_on <= today,
            or_(Regimen.ends_on.is_(None), Regimen.ends_on >= today),
        )
        regimen = session.scalars(query.order_by(Regimen.starts_on.desc()).limit(1)).first()
        items: list[ItemMme] = []
        for item in [] if regimen is None else regimen.items:
            substance = catalog.substance(item.substance_id)
            in_force = item.starts_on <= today and (item.ends_on is None or item.ends_on >= today)
            if not in_force or not OPIOID_CLASSES & set(substance.classes):
                continue
            per_day = len(item.times) + (item.minutes_before_bedtime is not None)
            if item.schedule_kind == "as_needed":
                per_day = item.max_doses_per_day or 1
            amount = as_number(exact(item.dose) * per_day)
            conversion = mme_conversion(substance, item.unit)
            mme = conversion.apply(amount)
            notes = conversion.notes
            if mme is None and not notes:
                notes = (f"CDC 2022 gives no MME factor for {substance.name}; no number is shown.",)
            items.append(ItemMme(item.id, item.substance_id, amount, item.unit, mme, notes))
        total = half_up_2(sum((exact(i.mme_per_day) for i in items if i.mme_per_day is not None), exact(0)))
        audit(session, actor, "read", "regimen_mme", patient_id=patient_id, detail={"day": today.isoformat()})
    return RegimenMme(
        today, None if regimen is None else regimen.id, tuple(items), total, any(i.mme_per_day is None for i in items)
    )
