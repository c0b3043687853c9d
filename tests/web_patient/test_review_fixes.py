"""Defects found in review, each pinned: live alerts stay visible, odd input is refused (never a 500),
retried forms store once, and nothing a signed-in user sees is cached."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from morrow.db.models import ClinicalNote, DoseChangeRequest, QuestionnaireResponse
from tests.web_helpers import csrf_of
from tests.web_patient.helpers import Clinic, bearer, sign_in_as


def count(committed: sessionmaker[Session], model: type) -> int:
    with committed() as session, session.begin():
        return session.scalar(select(func.count()).select_from(model)) or 0


def raise_urgent(web: TestClient, clinic: Clinic, alice: dict[str, str]) -> None:
    now = datetime.now(UTC).isoformat()
    for key, substance, amount, unit in (
        ("fix-k-000001", "kratom", 3, "g"),
        ("fix-a-000001", "alcohol", 3, "standard_drink"),
    ):
        stored = web.post(
            f"/api/v1/patients/{clinic.alice}/doses",
            headers=alice,
            json={
                "substance": substance,
                "amount": amount,
                "unit": unit,
                "taken_at": now,
                "idempotency_key": key,
                "kind": "unplanned",
            },
        )
        assert stored.status_code == 201, stored.text


def test_an_acknowledged_urgent_alert_is_still_shown_with_its_emergency_steps(web: TestClient, clinic: Clinic) -> None:
    alice, bob = bearer(web, "alice@example.org"), bearer(web, "bob@example.org")
    raise_urgent(web, clinic, alice)
    [urgent] = [a for a in web.get("/api/v1/alerts", headers=bob).json() if a["severity"] == "urgent"]
    assert web.post(f"/api/v1/alerts/{urgent['id']}/acknowledge", headers=bob, json={}).status_code == 200
    open_now = web.get(f"/api/v1/patients/{clinic.alice}/today", headers=alice).json()["open_alerts"]
    assert any(a["severity"] == "urgent" for a in open_now)
    sign_in_as(web, "alice@example.org")
    page = web.get("/today").text
    assert "911" in page
    assert "naloxone" in page


def test_a_check_in_that_raises_an_urgent_alert_shows_it_at_once(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    form = web.get("/check-in/phq9").text
    assert "988" in form
    marker = 'name="idempotency_key" value="'
    key = form[form.index(marker) + len(marker) :].split('"')[0]
    opened = form[form.index('name="opened_at" value="') + 24 :].split('"')[0] if 'name="opened_at"' in form else ""
    data = {"csrf_token": csrf_of(web), "idempotency_key": key}
    if opened:
        data["opened_at"] = opened
    page = web.get("/check-in/phq9").text
    names = sorted({chunk.split('"')[0] for chunk in page.split('type="radio" name="')[1:]})
    assert len(names) >= 9
    for name in names:
        data[name] = "3"
    sent = web.post("/check-in/phq9", data=data, follow_redirects=False)
    assert sent.status_code == 303
    assert sent.headers["location"].startswith("/today")
    assert "988" in web.get(sent.headers["location"]).text


@pytest.mark.parametrize("value", ["²", "--1", "١٢", "99999999999", "-1"])
def test_odd_numbers_in_forms_and_paths_are_refused_not_crashed(web: TestClient, clinic: Clinic, value: str) -> None:
    sign_in_as(web, "alice@example.org")
    csrf = csrf_of(web)
    assert web.get(f"/api/v1/patients/{value}/today").status_code in (403, 404, 422)
    diary = web.post("/check-in/sleep-diary", data={"csrf_token": csrf, "sol_min": value, "quality": value})
    assert diary.status_code in (200, 303, 422)
    dose = web.post("/today/doses", data={"csrf_token": csrf, "regimen_item_id": value, "substance": "kratom"})
    assert dose.status_code in (303, 422)


def test_a_nul_in_sign_in_or_a_form_key_is_refused(web: TestClient, clinic: Clinic) -> None:
    assert web.post("/sign-in", data={"email": "a\x00b@example.org", "password": "whatever it is"}).status_code == 401
    assert web.post("/api/v1/auth/token", json={"email": "a\x00b@x.org", "password": "p\x00"}).status_code == 401
    sign_in_as(web, "alice@example.org")
    bad_key = web.post(
        "/today/doses",
        data={
            "csrf_token": csrf_of(web),
            "idempotency_key": "dose-\x00-x",
            "substance": "kratom",
            "amount": "1",
            "unit": "g",
        },
    )
    assert bad_key.status_code == 422


def test_retried_clinician_forms_and_requests_store_once(
    web: TestClient, clinic: Clinic, committed: sessionmaker[Session]
) -> None:
    sign_in_as(web, "bob@example.org")
    page = web.get(f"/patients/{clinic.alice}").text

    def hidden(name: str, starting: str = "") -> str:
        marker = f'name="{name}" value="{starting}'
        return starting + page.split(marker)[1].split('"')[0]

    note = {
        "csrf_token": hidden("csrf_token"),
        "idempotency_key": hidden("idempotency_key", "note-"),
        "kind": "visit",
        "body": "Discussed the evening doses.",
    }
    for _ in range(2):
        assert web.post(f"/patients/{clinic.alice}/notes", data=note, follow_redirects=False).status_code == 303
    assert count(committed, ClinicalNote) == 1
    cows = {
        "csrf_token": hidden("csrf_token"),
        "idempotency_key": hidden("idempotency_key", "cows-"),
        "opened_at": hidden("opened_at"),
        "pulse_bpm": "90",
    }
    items = (
        "sweating",
        "restlessness",
        "pupil_size",
        "bone_joint_aches",
        "runny_nose_tearing",
        "gi_upset",
        "tremor",
        "yawning",
        "anxiety_irritability",
        "gooseflesh",
    )
    cows |= dict.fromkeys(items, "0") | {"restlessness": "1", "yawning": "1"}
    before = count(committed, QuestionnaireResponse)
    for _ in range(2):
        sent = web.post(f"/patients/{clinic.alice}/cows", data=cows, follow_redirects=False)
        assert sent.status_code == 303, sent.text[-600:]
    assert count(committed, QuestionnaireResponse) == before + 1
    bob = bearer(web, "bob@example.org")
    change = {"regimen_item_id": clinic.kratom_item, "proposed_dose": 3.5, "reason": "Evening withdrawal."}
    first = web.post(f"/api/v1/patients/{clinic.alice}/dose-changes", headers=bob, json=change)
    second = web.post(f"/api/v1/patients/{clinic.alice}/dose-changes", headers=bob, json=change)
    assert first.status_code == 201
    assert second.status_code == 409
    assert count(committed, DoseChangeRequest) == 1


def test_an_unplanned_dose_does_not_tick_a_planned_slot(web: TestClient, clinic: Clinic) -> None:
    alice = bearer(web, "alice@example.org")
    now = datetime.now(UTC).isoformat()
    logged = web.post(
        f"/api/v1/patients/{clinic.alice}/doses",
        headers=alice,
        json={
            "substance": "kratom",
            "form": "leaf_powder",
            "amount": 2,
            "unit": "g",
            "taken_at": now,
            "idempotency_key": "fix-unplanned-1",
            "kind": "unplanned",
        },
    )
    assert logged.status_code == 201
    today = web.get(f"/api/v1/patients/{clinic.alice}/today", headers=alice).json()
    assert not any(slot["logged"] for slot in today["scheduled"])


def test_nothing_a_signed_in_user_sees_is_cached(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    for page in ("/check-in", "/progress", "/my-alerts", "/evidence"):
        assert web.get(page).headers["cache-control"] == "no-store", page


def test_a_field_named_body_is_named_in_the_error(web: TestClient, clinic: Clinic) -> None:
    bob = bearer(web, "bob@example.org")
    too_long = web.post(f"/api/v1/patients/{clinic.alice}/notes", headers=bob, json={"body": "x" * 8001})
    assert too_long.status_code == 422
    assert too_long.json()["field"] == "body"
