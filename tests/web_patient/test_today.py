"""/today: one-tap doses stored once, the as-needed cap, other substances, and the urgent warning."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web_helpers import csrf_of
from tests.web_patient.helpers import Clinic, sign_in_as


def _key(page: str, n: int = 0) -> str:
    keys: list[str] = re.findall(r'name="idempotency_key" value="([^"]+)"', page)
    return keys[n]


def test_it_shows_the_doses_due_today_with_a_taken_button(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    page = web.get("/today")
    assert page.status_code == 200
    assert page.text.count(">Taken</button>") == 3
    assert "Up to 4 a day" in page.text
    assert "Left today: <strong>4</strong>" in page.text
    assert "(in standard drinks)" in page.text


def test_it_stores_a_resubmitted_taken_form_once(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    page = web.get("/today").text
    form = {
        "csrf_token": csrf_of(web), "idempotency_key": _key(page), "kind": "planned",
        "regimen_item_id": str(clinic.kratom_item), "substance": "kratom", "form": "leaf_powder",
        "amount": "2", "unit": "g",
    }  # fmt: skip
    for _ in range(2):
        response = web.post("/today/doses", data=form, follow_redirects=False)
        assert response.status_code == 303
    today = web.get(f"/api/v1/patients/{clinic.alice}/today").json()
    assert len(today["logged"]) == 1
    assert sum(slot["logged"] for slot in today["scheduled"]) == 1


def test_it_counts_as_needed_doses_against_the_daily_cap(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    page = web.get("/today").text
    form = {
        "csrf_token": csrf_of(web), "idempotency_key": _key(page, 3), "kind": "as_needed",
        "regimen_item_id": str(clinic.lofexidine_item), "substance": "lofexidine", "form": "tablet",
        "amount": "0.18", "unit": "mg",
    }  # fmt: skip
    web.post("/today/doses", data=form)
    assert "Left today: <strong>3</strong>" in web.get("/today").text


def test_it_shows_the_urgent_warning_right_after_alcohol_on_top_of_kratom(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    page = web.get("/today").text
    csrf = csrf_of(web)
    kratom = {
        "csrf_token": csrf, "idempotency_key": _key(page), "kind": "planned",
        "regimen_item_id": str(clinic.kratom_item), "substance": "kratom", "form": "leaf_powder",
        "amount": "2", "unit": "g",
    }  # fmt: skip
    web.post("/today/doses", data=kratom)
    alcohol = {"csrf_token": csrf, "idempotency_key": _key(page, 4), "substance": "alcohol", "amount": "3",
               "unit": "standard_drink"}  # fmt: skip
    shown = web.post("/today/doses", data=alcohol)
    assert shown.status_code == 200
    assert 'role="alert"' in shown.text
    assert "Urgent: please read this now" in shown.text
    assert "911" in shown.text
    assert "naloxone" in shown.text.lower()
    assert "Sources" in shown.text


def test_it_re_renders_bad_input_naming_the_field(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    page = web.get("/today").text
    base = {"csrf_token": csrf_of(web), "idempotency_key": _key(page, 4), "substance": "alcohol",
            "unit": "standard_drink"}  # fmt: skip
    cases = [({"amount": "lots"}, "amount"), ({"amount": "-1"}, "amount"), ({"amount": "2", "unit": "g"}, "unit"),
             ({"amount": "2", "substance": "unobtainium"}, "substance")]  # fmt: skip
    for bad, field in cases:
        response = web.post("/today/doses", data=base | bad)
        assert response.status_code == 422, bad
        assert 'role="alert"' in response.text
        assert 'aria-invalid="true"' in response.text or field in response.text


def test_it_sends_clinicians_away_from_the_patient_pages(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "bob@example.org")
    assert web.get("/today").status_code == 403
