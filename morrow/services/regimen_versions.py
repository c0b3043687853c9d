"""A new version of the active regimen, as the clinician's editor (page and API) makes it.

- The clinician's input names the version it was based on (`based_on_regimen_id`). The active version is read
  and replaced in ONE transaction, with the patient's row locked (`morrow.services.locks`), so two clinicians
  editing at once cannot silently undo each other: the second is refused (409, reload and try again).
- Every item still in force on `starts_on` is copied (`copied_item`) with the changes given by its regimen item
  id (dose, ceiling, product), plus an optional new item. A version that changes nothing is refused, and a
  reason is required, as for every other clinical change.
- `starts_on` is at most `MAX_DAYS_AHEAD` days after the patient's today, so a typo cannot schedule a version
  years ahead. A version that has not started yet can itself be replaced (`start_regimen` withdraws it).
- A ceiling is removed only on purpose: `ceiling_dose: null` alone is refused; `remove_ceiling: true` removes
  it, with an audit row (`remove_ceiling`) naming the item, the ceiling it had and the reason.
- A refusal names the input: `changes.<item id>.<field>`, `added.<field>`, `starts_on`, `based_on_regimen_id`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import Regimen, RegimenItem
from morrow.domain.errors import Conflict, PermissionDenied, ValidationError
from morrow.services.access import check_access
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.inputs import Day, Payload, RowId, parse
from morrow.services.locks import lock_patient
from morrow.services.regimens import PRESCRIBERS, copied_item, start_regimen
from morrow.services.tx import atomic

MAX_DAYS_AHEAD = 90
CHANGED = ("dose", "ceiling_dose", "product_id")


class ItemChange(BaseModel):
    """What changes in one item; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    dose: float | None = None
    ceiling_dose: float | None = None
    product_id: RowId | None = None
    remove_ceiling: StrictBool = False

    def refusal(self, item_id: int) -> ValidationError | None:
        """A ceiling is removed only on purpose, never by a `null` that may be a client's default."""
        name = f"changes.{item_id}"
        if self.remove_ceiling and self.ceiling_dose is not None:
            message = f"{name}.remove_ceiling: give a new ceiling_dose or remove the ceiling, not both"
            return ValidationError(message, field=f"{name}.remove_ceiling")
        if "ceiling_dose" in self.model_fields_set and self.ceiling_dose is None and not self.remove_ceiling:
            message = f"{name}.ceiling_dose: null does not remove a ceiling; to remove it, send remove_ceiling: true"
            return ValidationError(message, field=f"{name}.ceiling_dose")
        return None


class RegimenVersionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    based_on_regimen_id: RowId | None = None
    starts_on: Day | None = None
    reason: str = Field(min_length=3, max_length=2000)
    changes: dict[int, ItemChange] = Field(default={}, max_length=40)
    added: dict[str, Any] | None = None


def new_regimen_version(session: Session, actor: Actor, patient_id: int, today: date, data: Payload) -> Regimen:
    """A new version of the active regimen from `starts_on` (default: `today`, the patient's date)."""
    if actor.role not in PRESCRIBERS:
        raise PermissionDenied("only a clinician can set a regimen", field="actor")
    values = parse(RegimenVersionCreate, data)
    for item_id, change in values.changes.items():
        if (refused := change.refusal(item_id)) is not None:
            raise refused
    starts_on = values.starts_on or today
    if starts_on > today + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(
            f"starts_on: {starts_on} is more than {MAX_DAYS_AHEAD} days after today ({today}); "
            "a new version starts sooner",
            field="starts_on",
        )
    with atomic(session):
        check_access(session, actor, patient_id)
        lock_patient(session, patient_id)
        query = select(Regimen).where(Regimen.patient_id == patient_id, Regimen.status == "active")
        current = session.scalars(query.order_by(Regimen.starts_on.desc()).limit(1)).first()
        based_on = values.based_on_regimen_id
        if based_on is not None and (current is None or current.id != based_on):
            raise Conflict("the regimen changed since you opened it; reload and try again", field="based_on_regimen_id")
        kept = [i for i in (current.items if current else []) if i.ends_on is None or i.ends_on >= starts_on]
        unknown = sorted(set(values.changes) - {i.id for i in kept})
        if unknown:
            raise ValidationError(
                f"changes.{unknown[0]}: item {unknown[0]} is not in the active regimen; it may have changed "
                "since you opened it: reload and try again",
                field=f"changes.{unknown[0]}",
            )
        since = current.starts_on if current else starts_on
        items = [_changed(item, since, starts_on, values.changes.get(item.id)) for item in kept]
        if not values.added and all(_same(item, new) for item, new in zip(kept, items, strict=True)):
            raise ValidationError(
                "changes: nothing changes; change a dose, a ceiling or a product, or add an item", field="changes"
            )
        if values.added:
            items.append({"starts_on": starts_on, **values.added})
        payload = {
            "title": current.title if current else "Regimen",
            "starts_on": starts_on,
            "reason": values.reason,
            "items": items,
        }
        names = [f"changes.{i.id}" for i in kept] + ["added"]
        removed = [(i, i.ceiling_dose) for i in kept if _removes_ceiling(i, values.changes.get(i.id))]
        try:
            regimen = start_regimen(session, actor, patient_id, payload, today=today)
        except ValidationError as exc:
            raise _renamed(exc, names) from None
        for item, ceiling in removed:  # the new version's items are in the order given: kept items first
            row = regimen.items[kept.index(item)]
            detail = {"substance": item.substance_id, "removed_ceiling_dose": ceiling, "unit": item.unit,
                      "was_regimen_item_id": item.id, "regimen_id": regimen.id, "reason": values.reason}  # fmt: skip
            audit(session, actor, "remove_ceiling", "regimen_item", row.id, patient_id=patient_id, detail=detail)
    return regimen


def _changed(item: RegimenItem, since: date, starts_on: date, change: ItemChange | None) -> dict[str, Any]:
    """The item in the new version, with its change. An item in force from its version's first day is in
    force from the new version's first day, also when that is earlier (a version not started yet replaced
    sooner); one set to begin later than its version keeps its own first day."""
    given: dict[str, Any] = {}
    if item.starts_on <= since:  # `since`: the first day of the version it is copied from
        given["starts_on"] = starts_on
    if change is not None:
        given |= {name: getattr(change, name) for name in CHANGED if name in change.model_fields_set}
        if change.remove_ceiling:
            given["ceiling_dose"] = None
    return copied_item(item, starts_on, **given)


def _same(item: RegimenItem, new: dict[str, Any]) -> bool:
    return (item.dose, item.ceiling_dose, item.product_id) == (new["dose"], new["ceiling_dose"], new["product_id"])


def _removes_ceiling(item: RegimenItem, change: ItemChange | None) -> bool:
    return change is not None and change.remove_ceiling and item.ceiling_dose is not None


def _renamed(exc: ValidationError, names: list[str]) -> ValidationError:
    """`items.<n>...` (a position in the new version) as the input it came from."""
    found = re.match(r"items\.([0-9]+)", exc.field or "")
    if found is None or int(found[1]) >= len(names):
        return exc
    field = names[int(found[1])] + (exc.field or "")[found.end() :]
    message = exc.message
    if exc.field and message.startswith(f"{exc.field}:"):
        message = f"{field}:{message[len(exc.field) + 1 :]}"
    return ValidationError(message, field=field, code=exc.code)
