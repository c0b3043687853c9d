"""A small clinic that really commits, and API clients signed in as bob, carol, alice and an admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from morrow.services.actors import Actor
from morrow.services.checkins import record_response
from morrow.services.doses import log_dose
from morrow.services.people import create_care_team, create_patient, create_user
from morrow.services.regimens import start_regimen
from tests.conftest import PASSWORD
from tests.web_helpers import web

__all__ = ["web"]
SYSTEM = Actor.system("test")


@dataclass(frozen=True)
class Clinic:
    alice: int  # bob's patient with an account
    dmitri: int  # carol's patient
    quiet: int  # bob's patient with nothing flagged but recent check-ins
    bob_id: int


def headers(web: TestClient, email: str) -> dict[str, str]:
    issued = web.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert issued.status_code == 201, issued.text
    return {"Authorization": f"Bearer {issued.json()['token']}"}


@pytest.fixture
def clinic(committed: sessionmaker[Session]) -> Clinic:
    with committed() as s:
        alice = create_patient(s, SYSTEM, {"display_name": "Alice", "timezone": "America/New_York"}).id
        dmitri = create_patient(s, SYSTEM, {"display_name": "Dmitri", "timezone": "Europe/Berlin"}).id
        quiet = create_patient(s, SYSTEM, {"display_name": "Quinn", "timezone": "UTC"}).id

        def user(email: str, role: str, patient_id: int | None = None) -> int:
            data: dict[str, Any] = {"email": email, "display_name": email[:5], "role": role, "password": PASSWORD}
            if patient_id:
                data["patient_id"] = patient_id
            return create_user(s, SYSTEM, data).id

        user("alice@example.org", "patient", alice)
        bob = user("bob@example.org", "clinician")
        carol = user("carol@example.org", "clinician")
        user("admin@example.org", "admin")
        create_care_team(s, SYSTEM, "Riverside", clinician_ids=[bob], patient_ids=[alice, quiet])
        create_care_team(s, SYSTEM, "Hillview", clinician_ids=[carol], patient_ids=[dmitri])
        check_in(committed, quiet, "sows", 10, datetime.now(UTC) - timedelta(hours=2), "q1")
    return Clinic(alice, dmitri, quiet, bob)


@pytest.fixture
def bob(web: TestClient, clinic: Clinic) -> dict[str, str]:
    return headers(web, "bob@example.org")


def check_in(
    committed: sessionmaker[Session], patient_id: int, instrument: str, value: int, at: datetime, key: str
) -> None:
    if instrument == "sows":
        answers: dict[str, Any] = {"items": [min(4, max(0, value - 4 * n)) for n in range(16)]}
    else:
        answers = {"value": value}
    with committed() as s:
        record_response(
            s, SYSTEM, patient_id,
            {"instrument": instrument, "answers": answers, "administered_at": at.isoformat(),
             "idempotency_key": f"ci-{key}-000"},
            now=datetime.now(UTC),
        )  # fmt: skip


def urgent_alert(committed: sessionmaker[Session], patient_id: int) -> None:
    """Kratom then alcohol within the hour: an urgent interaction alert."""
    now = datetime.now(UTC)
    with committed() as s:
        for n, (substance, amount, unit) in enumerate((("kratom", 3, "g"), ("alcohol", 2, "standard_drink"))):
            at = now - timedelta(minutes=60 - 30 * n)
            log_dose(
                s, SYSTEM, patient_id,
                {"substance": substance, "amount": amount, "unit": unit, "taken_at": at.isoformat(),
                 "idempotency_key": f"urgent-{patient_id}-{n}-x"},
                now=now,
            )  # fmt: skip


def regimen(committed: sessionmaker[Session], patient_id: int) -> int:
    """An active kratom regimen from a week ago with a titration rule; the first item's id."""
    start = (datetime.now(UTC) - timedelta(days=7)).date().isoformat()
    item = {
        "substance": "kratom", "dose": 2, "unit": "g", "schedule": "fixed", "times": ["08:00", "20:00"],
        "ceiling_dose": 6, "titration_max_increase": 0.5, "titration_period_days": 7, "starts_on": start,
    }  # fmt: skip
    with committed() as s:
        made = start_regimen(s, SYSTEM, patient_id, {"title": "Kratom taper", "starts_on": start, "items": [item]})
        return made.items[0].id
