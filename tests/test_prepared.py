"""`Prepared`: statements compiled once by SQLAlchemy and run on the driver give what SQLAlchemy gives.

Every value of every column type the hot path reads (aware datetimes in any zone, dates, booleans,
floats, JSON of any shape, text, NULL) must come back exactly as a SQLAlchemy execution of the same
statement gives it, on SQLite and on PostgreSQL; errors must be SQLAlchemy's; listeners must be told.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Dialect, bindparam, event, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from morrow.db.models import AuditEvent, Patient, QuestionnaireResponse
from morrow.db.prepared import Prepared, one_of
from morrow.services.tx import atomic
from tests.conftest import Cast

AUDIT_INSERT = Prepared(insert(AuditEvent))
AUDIT_SELECT = select(AuditEvent.__table__).where(AuditEvent.id == bindparam("id"))
AUDIT_ROW = Prepared(AUDIT_SELECT, "AuditRow")
PATIENT_SELECT = select(
    Patient.id, Patient.timezone, Patient.pregnant, Patient.opioid_abstinent_since, Patient.taper_completed_on
).where(Patient.id == bindparam("patient"))
PATIENT_ROW = Prepared(PATIENT_SELECT, "PatientRow")

moments = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.sampled_from([
        UTC, timezone(timedelta(hours=-11, minutes=-30)), timezone(timedelta(hours=14)), timezone(timedelta(0))
    ]),
)  # fmt: skip
texts = st.text(max_size=40).filter(lambda s: "\x00" not in s)
json_values = st.recursive(
    # JSONB keeps numbers as decimals: a float of 2.5e16 comes back an int, so the floats stay smaller
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(-1e12, 1e12) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    at=moments,
    label=texts,
    entity_id=st.none() | texts.map(lambda s: s[:64]),
    detail=st.dictionaries(texts, json_values, max_size=5),
)
def test_a_row_written_and_read_on_the_driver_is_the_row_sqlalchemy_writes_and_reads(
    session: Session, at: datetime, label: str, entity_id: str | None, detail: dict[str, Any]
) -> None:
    values = {
        "at": at,
        "actor_id": None,
        "actor_label": label[:120],
        "action": "read",
        "entity": "test",
        "entity_id": entity_id,
        "patient_id": None,
        "origin": "test",
        "detail": detail,
    }
    with atomic(session):
        connection = session.connection()
        by_driver = AUDIT_INSERT.insert(connection, values)
        by_sqlalchemy = connection.execute(insert(AuditEvent).returning(AuditEvent.id), values).scalar_one()
        read = AUDIT_ROW.one(connection, {"id": by_driver})
        for key in (by_driver, by_sqlalchemy):
            assert (
                tuple(AUDIT_ROW.one(connection, {"id": key}))[1:]
                == tuple(connection.execute(AUDIT_SELECT, {"id": key}).one())[1:]
            )
    assert read.at == at  # the same moment,
    assert read.at.tzinfo == UTC  # given back in UTC
    assert (read.detail, read.entity_id, read.actor_label) == (detail, entity_id, label[:120])
    assert read._fields == tuple(AuditEvent.__table__.columns.keys())


@pytest.mark.parametrize(
    ("pregnant", "abstinent", "completed"),
    [(True, date(2026, 1, 31), None), (False, None, date(2026, 2, 28)), (False, None, None)],
)
def test_booleans_dates_and_nulls_read_as_sqlalchemy_reads_them(
    session: Session, cast: Cast, pregnant: bool, abstinent: date | None, completed: date | None
) -> None:
    with atomic(session):
        session.execute(
            update(Patient)
            .where(Patient.id == cast.alice_patient.id)
            .values(pregnant=pregnant, opioid_abstinent_since=abstinent, taper_completed_on=completed)
        )
        connection = session.connection()
        row = PATIENT_ROW.one(connection, {"patient": cast.alice_patient.id})
        expected = connection.execute(PATIENT_SELECT, {"patient": cast.alice_patient.id}).one()
    assert tuple(row) == tuple(expected) == (cast.alice_patient.id, "America/New_York", pregnant, abstinent, completed)
    assert type(row.pregnant) is bool


def test_values_fixed_in_the_statement_are_bound_and_lists_become_one_value_each(session: Session, cast: Cast) -> None:
    statement = Prepared(
        select(Patient.id)
        .where(Patient.timezone == "Europe/Berlin", one_of(Patient.id, [cast.other_patient.id, cast.alice_patient.id]))
    )  # fmt: skip
    none_of = Prepared(select(Patient.id).where(one_of(Patient.id, [])))
    with atomic(session):
        connection = session.connection()
        assert [r.id for r in statement.all(connection, {})] == [cast.other_patient.id]
        assert none_of.all(connection, {}) == []
    assert "IN (" in statement.plan(connection.dialect).sql


def test_what_cannot_be_prepared_is_refused_with_the_reason(session: Session) -> None:
    with atomic(session):
        dialect = session.connection().dialect
    expanding = Prepared(select(Patient.id).where(Patient.id.in_(bindparam("ids", expanding=True))), "Ids")
    with pytest.raises(TypeError, match="Ids: parameter 'ids' is expanding"):
        expanding.plan(dialect)
    with pytest.raises(TypeError, match="only a SELECT or an INSERT"):
        Prepared(update(Patient).values(pregnant=True)).plan(dialect)  # type: ignore[arg-type]


def test_a_missing_value_and_a_wrong_number_of_rows_are_errors_that_say_so(session: Session, cast: Cast) -> None:
    with atomic(session):
        connection = session.connection()
        with pytest.raises(TypeError, match="a value is required for the parameter 'patient'"):
            PATIENT_ROW.all(connection, {})
        with pytest.raises(LookupError, match="PatientRow: expected one row, got 0"):
            PATIENT_ROW.one(connection, {"patient": 10**9})
        assert PATIENT_ROW.first(connection, {"patient": 10**9}) is None
        with pytest.raises(TypeError, match="a value is required for the parameter 'actor_id'"):
            AUDIT_INSERT.insert(connection, {"at": datetime.now(UTC)})
        with pytest.raises(ValueError, match="naive datetime"):  # the column type's own check still runs
            Prepared(select(AuditEvent.id).where(AuditEvent.at < bindparam("at"))).all(
                connection, {"at": datetime(2026, 1, 1)}
            )


def _response(patient_id: int) -> dict[str, Any]:
    return {
        "patient_id": patient_id,
        "instrument_id": "sows",
        "instrument_version": "1",
        "answers": {"items": [0] * 16},
        "score": {"total": 0},
        "total": 0.0,
        "band": "none",
        "rater": "self",
        "rater_id": None,
        "administered_at": datetime(2026, 3, 1, 8, tzinfo=UTC),
        "idempotency_key": "same-key-twice",
        "created_at": datetime(2026, 3, 1, 8, tzinfo=UTC),
        "version": 1,
        "voided_at": None,
    }


def test_driver_errors_are_sqlalchemys_and_leave_the_transaction_usable(session: Session, cast: Cast) -> None:
    statement = Prepared(insert(QuestionnaireResponse))
    values = _response(cast.alice_patient.id)
    with atomic(session):
        first = statement.insert(session.connection(), values)
        with pytest.raises(IntegrityError), atomic(session):
            statement.insert(session.connection(), values)
        stored = session.execute(
            select(QuestionnaireResponse.id).where(QuestionnaireResponse.idempotency_key == "same-key-twice")
        ).scalars().all()  # fmt: skip
    assert stored == [first]


def test_an_insert_built_for_each_dialect_that_skips_a_stored_key_says_it_inserted_nothing(
    session: Session, cast: Cast
) -> None:
    def skipping(dialect: Dialect) -> Any:
        make = sqlite.insert if dialect.name == "sqlite" else postgresql.insert
        return make(QuestionnaireResponse).on_conflict_do_nothing(index_elements=["patient_id", "idempotency_key"])

    statement = Prepared(skipping)
    values = _response(cast.alice_patient.id)
    with atomic(session):
        first = statement.insert(session.connection(), values)
        again = statement.insert(session.connection(), values | {"answers": {"items": [1] * 16}})
        other = statement.insert(session.connection(), values | {"idempotency_key": "another-key"})
        stored = session.execute(
            select(QuestionnaireResponse.id, QuestionnaireResponse.answers).order_by(QuestionnaireResponse.id)
        ).all()  # fmt: skip
    assert isinstance(first, int)
    assert again is None
    assert [tuple(r) for r in stored] == [(first, {"items": [0] * 16}), (other, {"items": [0] * 16})]


def test_listeners_are_told_of_every_statement_sent(session: Session, cast: Cast) -> None:
    told: list[tuple[str, str]] = []
    engine = session.get_bind()

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, context: Any, _many: bool) -> None:
        told.append(("before", statement))

    def after(_conn: Any, _cursor: Any, statement: str, parameters: Any, context: Any, _many: bool) -> None:
        told.append(("after", statement))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        with atomic(session):
            PATIENT_ROW.one(session.connection(), {"patient": cast.alice_patient.id})
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    sql = PATIENT_ROW.plan(session.get_bind().dialect).sql
    assert ("before", sql) in told
    assert ("after", sql) in told
    assert told.index(("before", sql)) < told.index(("after", sql))
