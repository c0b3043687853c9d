"""Store a patient's record once per idempotency key, whatever the retries or races.

A retry with the same key and the same data answers with the stored row; the same key with other data
is a conflict (the client reused a key by mistake), never a silent overwrite.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import Dialect, bindparam, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ColumnDefault

from morrow.db.prepared import Prepared
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
    detached: bool = False,
) -> tuple[R, bool]:
    """`(row, True)` when stored now; `(row, False)` when this key was already stored with the same data.
    `then` runs in the same transaction after a new row is stored (the safety evaluation). `now` is when
    it is recorded (the service's clock: the wall clock in use, the simulated moment in the demo).

    `detached=True` stores the row with one INSERT that skips a key already stored (`ON CONFLICT DO
    NOTHING` on the unique index on (patient_id, idempotency_key)) and gives it back outside the session
    (`insert_detached`): no look-up of the key before it and no savepoint around it, as nearly every key is
    new. A reused key is then looked up and answered as a retry. Inside a caller's transaction it joins it
    without a savepoint: an error fails the caller's whole unit. Only for a `build` that refuses nothing
    on its own (a build that checks, like the diary's "this night is taken", must see the stored retry
    first)."""
    try:
        with atomic(session, savepoint=not detached):
            check_access(session, actor, patient_id)
            existing = None if detached else _by_key(session, model, patient_id, key)
            if existing is not None:
                return _same_or_conflict(existing, matches, entity), False
            row = build()
            if now is not None:
                row.created_at = now
            if not detached:
                session.add(row)
                session.flush()
            elif not insert_detached(session, row):
                # A retry, or a concurrent submission that won the race: under PostgreSQL the insert waited
                # for it to commit, and this later statement sees it.
                existing = _by_key(session, model, patient_id, key)
                if existing is None:
                    raise _clash(entity)
                return _same_or_conflict(existing, matches, entity), False
            audit(session, actor, "create", entity, row.id, patient_id=patient_id)
            if then is not None:
                then(row)
            return row, True
    except IntegrityError:
        if detached:  # another constraint (the patient removed at that moment): the caller's unit cannot go on
            raise _clash(entity) from None
        # The key is stored already (a concurrent submission that won the race): answer with what it stored.
        with atomic(session):
            existing = _by_key(session, model, patient_id, key)
        if existing is None:
            raise _clash(entity) from None
        return _same_or_conflict(existing, matches, entity), False


def _clash(entity: str) -> Conflict:
    noun = entity.replace("_", " ")
    return Conflict(f"this {noun} clashes with one stored at the same moment; reload and retry")


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


def insert_detached(session: Session, row: Any) -> bool:
    """Insert a new record stored once with one statement, in the session's transaction, and give it its
    id: True. A row whose (patient_id, idempotency_key) is stored already is not inserted (`ON CONFLICT DO
    NOTHING`): False.

    Column defaults are set on the object as a flush would set them, so it reads back what was stored.
    The object is not added to the session: the ORM does not track it afterwards (a change to it is not
    saved; a query of this session loads its own copy). The ORM's unit of work for one new row cost about
    as much as the rest of the write; this is one statement sent to the driver (`Prepared`), by model."""
    model = type(row)
    statement, columns = _INSERTS.get(model) or _insert_of(model)
    values: dict[str, Any] = {}
    for key, default in columns:
        value = getattr(row, key)
        if value is None and default is not None:
            value = default.arg(None) if default.is_callable else default.arg
            setattr(row, key, value)
        values[key] = value
    stored = statement.insert(session.connection(), values)
    if stored is None:
        return False
    row.id = stored
    return True


Columns = list[tuple[str, ColumnDefault | None]]
_INSERTS: dict[type[Any], tuple[Prepared, Columns]] = {}
STORED_KEY = ["patient_id", "idempotency_key"]  # the unique index every record stored once has


def _insert_of(model: type[Any]) -> tuple[Prepared, Columns]:
    """The INSERT of every column but the generated id that skips a stored key, and each column's
    Python-side default."""
    mapper = inspect(model)
    columns: Columns = []
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if column.primary_key:
            continue
        default = column.default
        plain = default is None or (isinstance(default, ColumnDefault) and (default.is_scalar or default.is_callable))
        if column.server_default is not None or not plain:
            raise TypeError(f"{model.__name__}.{prop.key}: only Python-side scalar or callable defaults are supported")
        if prop.key != column.key:
            raise TypeError(f"{model.__name__}.{prop.key}: the attribute must be named as its column")
        columns.append((prop.key, default))
    table = mapper.local_table

    def skipping_stored_key(dialect: Dialect) -> Any:
        """Each dialect's own INSERT ... ON CONFLICT (patient_id, idempotency_key) DO NOTHING."""
        if dialect.name == "sqlite":
            return sqlite.insert(table).on_conflict_do_nothing(index_elements=STORED_KEY)
        if dialect.name == "postgresql":
            return postgresql.insert(table).on_conflict_do_nothing(index_elements=STORED_KEY)
        raise TypeError(f"no INSERT ... ON CONFLICT for the {dialect.name} dialect")

    found = _INSERTS[model] = (Prepared(skipping_stored_key, model.__name__), columns)
    return found


def _same_or_conflict(existing: R, matches: Callable[[R], bool], entity: str) -> R:
    if not matches(existing):
        noun = entity.replace("_", " ")
        raise Conflict(f"this idempotency key was already used for a different {noun}", field="idempotency_key")
    return existing
