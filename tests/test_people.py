"""Patients, accounts and care teams."""

from __future__ import annotations

from typing import Any

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import select
from sqlalchemy.orm import Session

from morrow.db.models import AuditEvent, CareTeam, User
from morrow.domain.errors import Conflict, NotFound, ValidationError
from morrow.services import passwords
from morrow.services.actors import Actor
from morrow.services.people import create_care_team, create_patient, create_user
from tests.conftest import PASSWORD, Cast


def test_the_cast_is_linked_as_the_product_expects(session: Session, cast: Cast) -> None:
    with session.begin():
        bob_team = session.scalars(select(CareTeam).where(CareTeam.name == "Bob's team")).one()
        assert [u.email for u in bob_team.members] == ["bob@example.org"]
        assert [p.id for p in bob_team.patients] == [cast.alice_patient.id]
        alice = session.get_one(User, cast.alice.id)
        assert alice.patient_id == cast.alice_patient.id


def test_passwords_are_argon2id_hashes_that_verify(session: Session, cast: Cast) -> None:
    with session.begin():
        stored = session.get_one(User, cast.bob.id).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert passwords.verify_password(stored, PASSWORD)
    assert not passwords.verify_password(stored, PASSWORD + "!")
    assert not passwords.verify_password("not a hash", PASSWORD)


def test_production_hashing_uses_the_rfc_9106_profile() -> None:
    # The other tests hash at minimum cost (see conftest); this one checks what production uses.
    assert passwords.PROFILE == profiles.RFC_9106_LOW_MEMORY
    assert PasswordHasher.from_parameters(passwords.PROFILE).hash("x").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"role": "superuser"}, "role"),
        ({"role": "patient"}, "patient_id"),
        ({"patient_id": 1}, "patient_id"),
        ({"display_name": ""}, "display_name"),
    ],
)
def test_bad_accounts_name_the_field(session: Session, system: Actor, data: dict[str, Any], field: str) -> None:
    base = {"email": "dana@example.org", "display_name": "Dana", "role": "clinician", "password": PASSWORD}
    with pytest.raises(ValidationError) as caught:
        create_user(session, system, base | data)
    assert caught.value.field == field


def test_an_email_is_taken_whatever_its_case(session: Session, cast: Cast, system: Actor) -> None:
    with pytest.raises(Conflict) as caught:
        create_user(
            session,
            system,
            {"email": "BOB@Example.org", "display_name": "Bob 2", "role": "clinician", "password": PASSWORD},
        )
    assert caught.value.field == "email"


def test_a_patient_has_at_most_one_account(session: Session, cast: Cast, system: Actor) -> None:
    with pytest.raises(Conflict):
        create_user(
            session,
            system,
            {
                "email": "alice2@example.org",
                "display_name": "Alice",
                "role": "patient",
                "password": PASSWORD,
                "patient_id": cast.alice_patient.id,
            },
        )
    with pytest.raises(NotFound):
        create_user(
            session,
            system,
            {
                "email": "ghost@example.org",
                "display_name": "Ghost",
                "role": "patient",
                "password": PASSWORD,
                "patient_id": 999_999,
            },
        )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"usual_bedtime": "25:00"}, "usual_bedtime"),
        ({"birth_year": 1800}, "birth_year"),
        ({"display_name": " "}, "display_name"),
    ],
)
def test_bad_patients_name_the_field(session: Session, system: Actor, data: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        create_patient(session, system, {"display_name": "Eve", "timezone": "America/Chicago"} | data)
    assert caught.value.field == field


def test_a_care_team_takes_only_clinicians(session: Session, cast: Cast, system: Actor) -> None:
    with pytest.raises(ValidationError) as caught:
        create_care_team(session, system, "Mixed", clinician_ids=[cast.alice.id], patient_ids=[])
    assert caught.value.field == "clinician_ids"
    with pytest.raises(Conflict):
        create_care_team(session, system, "Bob's team", clinician_ids=[], patient_ids=[])


def test_creating_people_is_audited(session: Session, cast: Cast) -> None:
    with session.begin():
        actions = session.execute(select(AuditEvent.action, AuditEvent.entity, AuditEvent.origin)).all()
    assert actions.count(("create", "patient", "test")) == 2
    assert actions.count(("create", "user", "test")) == 4
    assert actions.count(("create", "care_team", "test")) == 2
