"""A small committed clinic for the patient web tests: Alice (kratom three times a day, an as-needed
lofexidine), her clinician Bob, and Dmitri with his own clinician Carol."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from morrow.services.actors import Actor
from morrow.services.people import create_care_team, create_patient, create_user
from morrow.services.regimens import start_regimen
from tests.conftest import PASSWORD


@dataclass(frozen=True)
class Clinic:
    alice: int
    dmitri: int
    kratom_item: int
    lofexidine_item: int


@pytest.fixture
def clinic(committed: sessionmaker[Session]) -> Clinic:
    system = Actor.system("test")
    start = (datetime.now(UTC) - timedelta(days=10)).date().isoformat()
    with committed() as session:
        alice = create_patient(session, system, {"display_name": "Alice", "timezone": "America/New_York"})
        dmitri = create_patient(session, system, {"display_name": "Dmitri", "timezone": "Europe/Berlin"})
        ids = {}
        for email, role, patient in (
            ("alice@example.org", "patient", alice.id),
            ("dmitri@example.org", "patient", dmitri.id),
            ("bob@example.org", "clinician", None),
            ("carol@example.org", "clinician", None),
        ):
            data: dict[str, object] = {"email": email, "display_name": email[:5], "role": role, "password": PASSWORD}
            if patient is not None:
                data["patient_id"] = patient
            ids[email] = create_user(session, system, data).id
        create_care_team(session, system, "Bob's", clinician_ids=[ids["bob@example.org"]], patient_ids=[alice.id])
        create_care_team(session, system, "Carol's", clinician_ids=[ids["carol@example.org"]], patient_ids=[dmitri.id])
        regimen = start_regimen(
            session,
            system,
            alice.id,
            {
                "title": "Kratom stabilisation",
                "starts_on": start,
                "items": [
                    {"substance": "kratom", "form": "leaf_powder", "dose": 2, "unit": "g", "schedule": "fixed",
                     "times": ["08:00", "14:00", "20:00"], "starts_on": start},
                    {"substance": "lofexidine", "form": "tablet", "dose": 0.18, "unit": "mg", "schedule": "as_needed",
                     "max_doses_per_day": 4, "starts_on": start},
                ],
            },
        )  # fmt: skip
        kratom, lofexidine = (item.id for item in regimen.items)
        return Clinic(alice.id, dmitri.id, kratom, lofexidine)


def sign_in_as(client: TestClient, email: str) -> None:
    response = client.post("/sign-in", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303


def bearer(client: TestClient, email: str) -> dict[str, str]:
    issued = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert issued.status_code == 201
    return {"Authorization": f"Bearer {issued.json()['token']}"}
