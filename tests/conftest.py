"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when MORROW_TEST_DATABASE_URL is set),
one rolled-back transaction per test, and the cast: alice the patient, bob her clinician, carol an
unrelated clinician, and an admin."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from morrow.db.engine import make_engine
from morrow.db.migrate import upgrade
from morrow.services.actors import Actor
from morrow.services.people import create_care_team, create_patient, create_user

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at production cost takes ~50 ms a hash; the cast alone makes four per test. The
    production parameters are checked once, in test_people.py."""
    monkeypatch.setattr("morrow.services.passwords._hasher", PasswordHasher(time_cost=1, memory_cost=1024))


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("MORROW_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        _reset_postgres(engine)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose every commit is a SAVEPOINT inside one transaction rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", autobegin=False, expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def system() -> Actor:
    return Actor.system("test")


@dataclass(frozen=True)
class PatientRef:
    id: int
    timezone: str


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    role: str


@dataclass(frozen=True)
class Cast:
    """Plain values, not live ORM rows: a refused write rolls back and expires rows a test still holds."""

    alice_patient: PatientRef
    alice: Account
    bob: Account
    carol: Account
    admin: Account
    other_patient: PatientRef

    def actor(self, account: Account) -> Actor:
        return Actor(user_id=account.id, label=account.email, role=account.role, origin="test")


@pytest.fixture
def cast(session: Session, system: Actor) -> Cast:
    alice_patient = create_patient(session, system, {"display_name": "Alice", "timezone": "America/New_York"})
    other_patient = create_patient(session, system, {"display_name": "Dmitri", "timezone": "Europe/Berlin"})

    def account(email: str, role: str, patient_id: int | None = None) -> Account:
        data: dict[str, object] = {
            "email": email,
            "display_name": email.split("@")[0].title(),
            "role": role,
            "password": PASSWORD,
        }
        if patient_id is not None:
            data["patient_id"] = patient_id
        user = create_user(session, system, data)
        return Account(user.id, user.email, user.role)

    alice = account("alice@example.org", "patient", alice_patient.id)
    bob = account("bob@example.org", "clinician")
    carol = account("carol@example.org", "clinician")
    admin = account("admin@example.org", "admin")
    create_care_team(session, system, "Bob's team", clinician_ids=[bob.id], patient_ids=[alice_patient.id])
    create_care_team(session, system, "Carol's team", clinician_ids=[carol.id], patient_ids=[other_patient.id])
    return Cast(
        PatientRef(alice_patient.id, alice_patient.timezone),
        alice,
        bob,
        carol,
        admin,
        PatientRef(other_patient.id, other_patient.timezone),
    )


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def committed(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions that really commit (for concurrency tests); every row is deleted afterwards, so the
    rolled-back tests around them still start from an empty database."""
    from morrow.db.base import Base
    from morrow.db.engine import make_sessionmaker

    try:
        yield make_sessionmaker(engine)
    finally:
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
