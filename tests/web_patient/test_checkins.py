"""/check-in: forms from the instrument definitions, stored once, bad input named."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from tests.web_helpers import csrf_of
from tests.web_patient.helpers import Clinic, sign_in_as


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None
    return found.group(1)


def _form(web: TestClient, name: str) -> dict[str, str]:
    page = web.get(f"/check-in/{name}").text
    return {"csrf_token": csrf_of(web), "idempotency_key": _hidden(page, "idempotency_key"),
            "started_at": _hidden(page, "started_at")}  # fmt: skip


def test_it_lists_what_is_due(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    page = web.get("/check-in").text
    assert "Sleep diary for last night" in page
    assert "Subjective Opiate Withdrawal Scale" in page
    assert "due now" in page


def test_it_stores_a_retried_sows_once(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    page = web.get("/check-in/sows").text
    assert page.count("<fieldset") == 16
    assert "<legend>1. I feel anxious</legend>" in page
    form = _form(web, "sows") | {f"q{n}": "1" for n in range(16)}
    items = re.findall(r'name="([a-z_]+)" value="0"', page)
    form |= dict.fromkeys(items, "1")
    for _ in range(2):
        assert web.post("/check-in/sows", data=form, follow_redirects=False).status_code == 303
    progress = web.get(f"/api/v1/patients/{clinic.alice}/progress").json()
    assert [p["value"] for p in progress["sows"]] == [16.0]


def test_it_names_the_unanswered_question(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    response = web.post("/check-in/sows", data=_form(web, "sows") | {"anxious": "2"})
    assert response.status_code == 422
    assert 'role="alert"' in response.text
    assert "yawning" in response.text


def test_it_refuses_an_illegal_value(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    response = web.post("/check-in/peg", data=_form(web, "peg") | {"pain": "11", "enjoyment": "1", "activity": "1"})
    assert response.status_code == 422
    assert "pain" in response.text


def test_it_shows_crisis_resources_next_to_phq9_item_9(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    page = web.get("/check-in/phq9").text
    assert 'id="crisis-resources"' in page
    assert "988" in page


def test_it_stores_a_sleep_diary_once_and_names_a_bad_time(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    night = (datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date() - timedelta(days=1)).isoformat()
    diary = {"night_of": night, "into_bed": "22:30", "try_sleep": "22:45", "sol_min": "20", "nwak": "1",
             "waso_min": "15", "final_wake": "06:30", "out_of_bed": "06:45"}  # fmt: skip
    form = _form(web, "sleep-diary") | diary
    bad = web.post("/check-in/sleep-diary", data=form | {"into_bed": ""})
    assert bad.status_code == 422
    assert "into_bed" in bad.text
    for _ in range(2):
        assert web.post("/check-in/sleep-diary", data=form, follow_redirects=False).status_code == 303
    assert len(web.get(f"/api/v1/patients/{clinic.alice}/progress").json()["sleep_efficiency_pct"]) == 1


def test_it_stores_craving_and_symptoms(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    assert web.post("/check-in/craving-vas", data=_form(web, "craving-vas") | {"value": "40"},
                    follow_redirects=False).status_code == 303  # fmt: skip
    assert web.post("/check-in/craving-vas", data=_form(web, "craving-vas") | {"value": "x"}).status_code == 422
    none = web.post("/check-in/symptoms", data=_form(web, "symptoms"))
    assert none.status_code == 422
    assert "symptoms" in none.text
    saved = web.post(
        "/check-in/symptoms", data=_form(web, "symptoms") | {"sym-drowsiness": "2"}, follow_redirects=False
    )
    assert saved.status_code == 303


def test_it_says_no_such_check_in(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    assert web.get("/check-in/nope").status_code == 404
    assert web.post("/check-in/nope", data={"csrf_token": csrf_of(web)}).status_code == 404
