"""The transaction boundaries: `atomic` writes queue at the write gate; `reading` reads hold no lock.

On SQLite one writer works at a time. These tests pin down who holds what: a read-only unit must not take
SQLite's write lock (or the gate), and a write unit holds the gate, a lock other processes see, from its
first statement until its commit.
"""

from __future__ import annotations

import fcntl
import re
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from morrow.db.engine import make_engine, make_sessionmaker
from morrow.db.migrate import upgrade
from morrow.db.models import Patient
from morrow.services.actors import Actor
from morrow.services.people import create_patient
from morrow.services.tx import atomic, reading

SYSTEM = Actor.system("test")


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "gate.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def sessions(sqlite_file: Path) -> sessionmaker[Session]:
    return make_sessionmaker(make_engine(f"sqlite:///{sqlite_file}"))


def other_writer_can_begin(path: Path) -> bool:
    """Can a connection that will not wait take SQLite's write lock right now?"""
    connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        return False
    finally:
        connection.close()


def gate_is_free(path: Path) -> bool:
    """Could another process take the write gate right now?"""
    with open(f"{path}-writer", "ab") as other:  # a separate open file: flock treats it as another holder
        try:
            fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(other.fileno(), fcntl.LOCK_UN)
        return True


def test_a_read_takes_no_write_lock_and_no_gate(sqlite_file: Path, sessions: sessionmaker[Session]) -> None:
    with sessions() as session, reading(session):
        assert session.scalar(select(func.count(Patient.id))) == 0
        assert other_writer_can_begin(sqlite_file)
        assert gate_is_free(sqlite_file)


def test_a_write_holds_the_lock_and_the_gate_until_it_commits(
    sqlite_file: Path, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        with atomic(session):
            create_patient(session, SYSTEM, {"display_name": "Ana", "timezone": "UTC"})
            assert not other_writer_can_begin(sqlite_file)
            assert not gate_is_free(sqlite_file)
        assert other_writer_can_begin(sqlite_file)
        assert gate_is_free(sqlite_file)
        with reading(session):
            assert session.scalar(select(func.count(Patient.id))) == 1


def test_a_failed_write_lets_go_of_the_gate(sqlite_file: Path, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        with pytest.raises(RuntimeError), atomic(session):
            create_patient(session, SYSTEM, {"display_name": "Ana", "timezone": "UTC"})
            raise RuntimeError("boom")
        assert gate_is_free(sqlite_file)
        assert other_writer_can_begin(sqlite_file)
        with reading(session):
            assert session.scalar(select(func.count(Patient.id))) == 0  # nothing half-written


def test_a_read_sees_a_snapshot_while_a_writer_commits(sqlite_file: Path, sessions: sessionmaker[Session]) -> None:
    with sessions() as reader, reading(reader):
        assert reader.scalar(select(func.count(Patient.id))) == 0
        with sessions() as writer:  # not held up by the open read
            create_patient(writer, SYSTEM, {"display_name": "Ana", "timezone": "UTC"})
        assert reader.scalar(select(func.count(Patient.id))) == 0  # the read's snapshot is unchanged
    with sessions() as later, reading(later):
        assert later.scalar(select(func.count(Patient.id))) == 1


def test_writers_in_many_threads_queue_and_all_commit(sessions: sessionmaker[Session]) -> None:
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def write(index: int) -> None:
        barrier.wait()
        try:
            for n in range(10):
                with sessions() as session:
                    create_patient(session, SYSTEM, {"display_name": f"P{index}-{n}", "timezone": "UTC"})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with sessions() as session, reading(session):
        assert session.scalar(select(func.count(Patient.id))) == 60


def test_nested_units_join_the_outer_write(sqlite_file: Path, sessions: sessionmaker[Session]) -> None:
    """Inside a write, a nested `atomic` is a savepoint and `reading` reads in it: the gate is re-entrant."""
    with sessions() as session, atomic(session):
        create_patient(session, SYSTEM, {"display_name": "Ana", "timezone": "UTC"})
        with atomic(session):
            create_patient(session, SYSTEM, {"display_name": "Ben", "timezone": "UTC"})
        with reading(session):
            assert session.scalar(select(func.count(Patient.id))) == 2
        assert not gate_is_free(sqlite_file)


def test_a_failed_nested_unit_rolls_back_to_its_savepoint_alone(committed: sessionmaker[Session]) -> None:
    """On the suite's database (SQLite, or PostgreSQL in CI): savepoints are sent as plain SQL text
    (`morrow.db.engine._plain_savepoints`), seen by SQLAlchemy's events like any statement; a nested unit
    that fails, here on a statement the database refuses, undoes its own writes only, and the outer unit
    goes on and commits."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    with committed() as session:
        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", record)
        try:
            with atomic(session):
                create_patient(session, SYSTEM, {"display_name": "Kept", "timezone": "UTC"})
                with pytest.raises(IntegrityError), atomic(session):
                    undone = create_patient(session, SYSTEM, {"display_name": "Undone", "timezone": "UTC"})
                    session.execute(insert(Patient).values(id=undone.id, display_name="same id", timezone="UTC"))
                with atomic(session):
                    create_patient(session, SYSTEM, {"display_name": "Also kept", "timezone": "UTC"})
        finally:
            event.remove(engine, "before_cursor_execute", record)
        with reading(session):
            names = session.scalars(select(Patient.display_name).order_by(Patient.id)).all()
    assert names == ["Kept", "Also kept"]
    savepoints = [s for s in sent if "SAVEPOINT" in s]
    plain = re.compile(r"(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT) sa_savepoint_\d+")
    assert all(plain.fullmatch(s) for s in savepoints)
    opened = [s.split()[-1] for s in savepoints if s.startswith("SAVEPOINT")]
    ended = [s.split()[-1] for s in savepoints if not s.startswith("SAVEPOINT")]
    assert sorted(opened) == sorted(ended)  # each one released or rolled back to, once
    assert sum(s.startswith("ROLLBACK TO") for s in savepoints) == 1


def test_a_nested_unit_without_a_savepoint_joins_the_outer_write_and_fails_with_it(
    committed: sessionmaker[Session],
) -> None:
    """`atomic(savepoint=False)` inside a write sends no SAVEPOINT: its writes are the outer unit's, and an
    error in it undoes the whole unit once it reaches the outer one. Outside a transaction it is a write
    of its own, as `atomic` is."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    def add(session: Session, name: str, patient_id: int | None = None) -> None:
        session.execute(
            insert(Patient).values(display_name=name, timezone="UTC", **({"id": patient_id} if patient_id else {}))
        )

    with committed() as session:
        engine = session.get_bind()
        event.listen(engine, "before_cursor_execute", record)
        try:
            with atomic(session):
                add(session, "Joined")
                with atomic(session, savepoint=False):
                    add(session, "Also joined")
            with pytest.raises(IntegrityError), atomic(session):
                add(session, "Undone")
                with atomic(session, savepoint=False):
                    add(session, "Undone too", 10_001)
                    add(session, "same id", 10_001)
            with atomic(session, savepoint=False):
                add(session, "On its own")
        finally:
            event.remove(engine, "before_cursor_execute", record)
        with reading(session):
            names = session.scalars(select(Patient.display_name).order_by(Patient.id)).all()
    assert names == ["Joined", "Also joined", "On its own"]
    assert not [s for s in sent if "SAVEPOINT" in s]
