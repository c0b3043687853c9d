"""Row locks that keep a check and the write after it together on PostgreSQL.

Under READ COMMITTED two transactions can both read "no live taper plan" (or "regimen 7 is the active one")
and both write, so one silently undoes or doubles the other. `SELECT ... FOR NO KEY UPDATE` on the patient's
row makes the second wait until the first has committed; its next read then sees what the first wrote. It
does not block inserts that merely reference the patient (a check-in, a dose), which take a key-share lock.
On SQLite the lock clause is not rendered: a write transaction there holds the database's one write lock
from its first statement (`morrow.db.engine`), so no other writer can come between the check and the write.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import Patient


def lock_patient(session: Session, patient_id: int) -> None:
    """Serialize writes about one patient until the current transaction ends (call inside `atomic`)."""
    session.execute(select(Patient.id).where(Patient.id == patient_id).with_for_update(key_share=True))
