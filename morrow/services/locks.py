"""Row locks that keep a check and the write after it together on PostgreSQL.

Under READ COMMITTED two transactions can both read "no live taper plan" (or "regimen 7 is the active one")
and both write, so one silently undoes or doubles the other. `SELECT ... FOR NO KEY UPDATE` on the patient's
row makes the second wait until the first has committed; its next read then sees what the first wrote. It
does not block inserts that merely reference the patient (a check-in, a dose), which take a key-share lock.
On SQLite the lock clause is not rendered: a write transaction there holds the database's one write lock
from its first statement (`morrow.db.engine`), so no other writer can come between the check and the write.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from morrow.db.models import Patient, Regimen, RegimenItem


def lock_patient(session: Session, patient_id: int) -> None:
    """Serialize writes about one patient until the current transaction ends (call inside `atomic`)."""
    session.execute(select(Patient.id).where(Patient.id == patient_id).with_for_update(key_share=True))


def lock_regimen_item(session: Session, patient_id: int, item_id: int) -> tuple[RegimenItem, Any] | None:
    """The patient's row, then a key-share lock on one of their regimen items, in the order every writer that
    names an item takes them (taking the item first could deadlock with a regimen change, which holds the
    patient and waits for the items). A same-day correction that withdraws the item's version locks its
    items for update, and refuses when anything names them: it waits for this transaction, or this one
    waits for it and then sees the withdrawal.

    The item as committed now, and its version (`patient_id`, `starts_on`, `ends_on`, `status`) read after
    the lock; None when the patient has no such item."""
    lock_patient(session, patient_id)
    locked = select(RegimenItem).where(RegimenItem.id == item_id).with_for_update(read=True, key_share=True)
    item = session.scalars(locked.execution_options(populate_existing=True)).first()
    version = None if item is None else session.execute(_VERSION, {"regimen": item.regimen_id}).one()
    if item is None or version is None or version.patient_id != patient_id:
        return None
    return item, version


def withdrawn(version: Any) -> bool:
    """A regimen version ended before its first day: replaced or corrected before it was ever in force."""
    return version.ends_on is not None and version.ends_on < version.starts_on


_VERSION = select(Regimen.patient_id, Regimen.starts_on, Regimen.ends_on, Regimen.status).where(
    Regimen.id == bindparam("regimen")
)
