"""Store a patient's record once per idempotency key, whatever the retries or races.

A retry with the same key and the same data answers with the stored row; the same key with other data
is a conflict (the client reused a key by mistake), never a silent overwrite.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from morrow.domain.errors import Conflict
from morrow.services.access import check_access
from morrow.services.actors import Actor
from morrow.services.audit import audit
from morrow.services.tx import atomic


class PatientRecord(Protocol):
    id: Any
    patient_id: Any
    idempotency_key: Any
    created_at: Any


R = TypeVar("R", bound=PatientRecord)


def store_once(
    session: Session,
    actor: Actor,
    *,
    model: type[R],
    entity: str,
    patient_id: int,
    key: str,
    build: Callable[[], R],
    matches: Callable[[R], bool],
    then: Callable[[R], object] | None = None,
    now: datetime | None = None,
    look_first: bool = True,
) -> tuple[R, bool]:
    """`(row, True)` when stored now; `(row, False)` when this key was already stored with the same data.
    `then` runs in the same transaction after a new row is stored (the safety evaluation). `now` is when
    it is recorded (the service's clock: the wall clock in use, the simulated moment in the demo).

    `look_first=False` skips the look-up of the key before the insert and lets the unique index on
    (patient_id, idempotency_key) find a reused key, answered as a concurrent retry is (below): one
    statement less inside the write transaction, for a `build` that refuses nothing on its own (a build
    that checks, like the diary's "this night is taken", must see the stored retry first)."""
    try:
        with atomic(session):
            check_access(session, actor, patient_id)
            existing = _by_key(session, model, patient_id, key) if look_first else None
            if existing is not None:
                return _same_or_conflict(existing, matches, entity), False
            row = build()
            if now is not None:
                row.created_at = now
            session.add(row)
            session.flush()
            audit(session, actor, "create", entity, row.id, patient_id=patient_id)
            if then is not None:
                then(row)
            return row, True
    except IntegrityError:
        # The key is stored already (a retry, or a concurrent submission that won the race): answer with
        # what it stored.
        with atomic(session):
            existing = _by_key(session, model, patient_id, key)
        if existing is None:
            noun = entity.replace("_", " ")
            raise Conflict(f"this {noun} clashes with one stored at the same moment; reload and retry") from None
        return _same_or_conflict(existing, matches, entity), False


def _by_key(session: Session, model: type[R], patient_id: int, key: str) -> R | None:
    """The row stored under this key, if any. Looked up as a bare id first: nearly every key is new, and
    loading no ORM object for a miss makes the look-up a quarter of what it was."""
    query = _KEY_LOOKUPS.get(model)
    if query is None:
        columns: Any = model
        query = _KEY_LOOKUPS[model] = select(columns.id).where(
            columns.patient_id == bindparam("patient_id"), columns.idempotency_key == bindparam("key")
        )
    session.flush()  # a row this transaction added under the key counts, as an autoflushing query saw it
    found = session.connection().execute(query, {"patient_id": patient_id, "key": key}).scalar_one_or_none()
    return None if found is None else session.get(model, found)


_KEY_LOOKUPS: dict[type[Any], Any] = {}


def _same_or_conflict(existing: R, matches: Callable[[R], bool], entity: str) -> R:
    if not matches(existing):
        noun = entity.replace("_", " ")
        raise Conflict(f"this idempotency key was already used for a different {noun}", field="idempotency_key")
    return existing
