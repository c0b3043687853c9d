"""The patient JSON API: 201 then 200 on a retry, problem JSON naming the field, alerts read back."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.web_patient.helpers import Clinic, bearer


def _dose(key: str, **extra: object) -> dict[str, object]:
    return {"substance": "alcohol", "amount": 2, "unit": "standard_drink",
            "taken_at": datetime.now(UTC).isoformat(), "idempotency_key": key} | extra  # fmt: skip


def test_it_stores_a_dose_once_per_key(web: TestClient, clinic: Clinic) -> None:
    auth = bearer(web, "alice@example.org")
    body = _dose("api-dose-0001")
    first = web.post(f"/api/v1/patients/{clinic.alice}/doses", json=body, headers=auth)
    again = web.post(f"/api/v1/patients/{clinic.alice}/doses", json=body, headers=auth)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["dose"]["id"] == again.json()["dose"]["id"]


def test_it_returns_the_urgent_alert_with_emergency_steps(web: TestClient, clinic: Clinic) -> None:
    auth = bearer(web, "alice@example.org")
    kratom = {"substance": "kratom", "form": "leaf_powder", "amount": 2, "unit": "g", "kind": "planned",
              "regimen_item_id": clinic.kratom_item, "taken_at": datetime.now(UTC).isoformat(),
              "idempotency_key": "api-kratom-01"}  # fmt: skip
    assert web.post(f"/api/v1/patients/{clinic.alice}/doses", json=kratom, headers=auth).status_code == 201
    logged = web.post(f"/api/v1/patients/{clinic.alice}/doses", json=_dose("api-alcohol-1"), headers=auth).json()
    urgent = [a for a in logged["open_alerts"] if a["severity"] == "urgent"]
    assert urgent
    assert urgent[0]["message"]
    assert urgent[0]["sources"]
    assert any("911" in step for step in urgent[0]["emergency_steps"])
    listed = web.get(f"/api/v1/patients/{clinic.alice}/alerts", headers=auth).json()
    assert {a["id"] for a in urgent} <= {a["id"] for a in listed}


def test_it_names_the_field_in_problem_json(web: TestClient, clinic: Clinic) -> None:
    auth = bearer(web, "alice@example.org")
    url = f"/api/v1/patients/{clinic.alice}"
    cases = [
        ("/doses", _dose("api-bad-0001", amount=-1), "amount"),
        ("/doses", _dose("api-bad-0002", unit="g"), "unit"),
        ("/doses", _dose("bad"), "idempotency_key"),
        ("/checkins", {"instrument": "sows", "answers": {"items": [0] * 15 + [9]},
                       "administered_at": datetime.now(UTC).isoformat(), "idempotency_key": "api-bad-0003"},
         "feel_like_using"),
        ("/sleep-diary", {"night_of": "2020-01-01", "answers": {}, "idempotency_key": "api-bad-0004"}, None),
        ("/symptoms", {"reported_at": datetime.now(UTC).isoformat(), "symptoms": {"drowsiness": 7},
                       "idempotency_key": "api-bad-0005"}, "symptoms.drowsiness"),
    ]  # fmt: skip
    for path, body, field in cases:
        response = web.post(url + path, json=body, headers=auth)
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        if field:
            assert response.json()["field"] == field, response.json()
    assert web.get(url + "/progress?days=1000", headers=auth).json()["field"] == "days"


def test_it_stores_check_ins_diary_and_symptoms_once(web: TestClient, clinic: Clinic) -> None:
    auth = bearer(web, "alice@example.org")
    url = f"/api/v1/patients/{clinic.alice}"
    now = datetime.now(UTC).isoformat()
    checkin = {
        "instrument": "peg",
        "answers": {"items": [3, 4, 5]},
        "administered_at": now,
        "idempotency_key": "api-peg-0001",
    }
    symptoms = {"reported_at": now, "symptoms": {"drowsiness": 1}, "idempotency_key": "api-sym-0001"}
    for path, body in (("/checkins", checkin), ("/symptoms", symptoms)):
        first = web.post(url + path, json=body, headers=auth)
        assert first.status_code == 201
        again = web.post(url + path, json=body, headers=auth)
        assert again.status_code == 200
        assert (again.json()["id"], again.json()["created"]) == (first.json()["id"], False)
    assert [p["value"] for p in web.get(url + "/progress", headers=auth).json()["peg"]] == [4.0]
    # The same key with other answers is a mistake of the client, refused whole; nothing changes.
    other = web.post(url + "/checkins", json=checkin | {"answers": {"items": [9, 9, 9]}}, headers=auth)
    assert other.status_code == 409
    assert other.json()["field"] == "idempotency_key"
    assert [p["value"] for p in web.get(url + "/progress", headers=auth).json()["peg"]] == [4.0]


def test_it_lets_the_care_team_in_and_keeps_everyone_else_out(web: TestClient, clinic: Clinic) -> None:
    for email, status in (("bob@example.org", 200), ("carol@example.org", 403), ("dmitri@example.org", 403)):
        auth = bearer(web, email)
        response = web.get(f"/api/v1/patients/{clinic.alice}/alerts", headers=auth)
        assert response.status_code == status, email
        if status == 403:
            assert "Alice" not in response.text
            posted = web.post(f"/api/v1/patients/{clinic.alice}/doses", json=_dose("api-x-00001"), headers=auth)
            assert posted.status_code == 403
    auth = bearer(web, "alice@example.org")
    assert web.get("/api/v1/patients/999999/today", headers=auth).status_code == 404
    assert web.get(f"/api/v1/patients/{clinic.alice}/today").status_code == 401


def test_it_documents_the_routes_in_openapi(web: TestClient) -> None:
    spec = web.get("/openapi.json").json()
    operation = spec["paths"]["/api/v1/patients/{patient_id}/doses"]["post"]
    assert operation["summary"]
    assert set(operation["responses"]) >= {"200", "201", "422"}
    assert {"TodayPublic", "DoseCreate", "PatientAlertPublic", "ProgressPublic", "ClaimPublic"} <= set(
        spec["components"]["schemas"]
    )
