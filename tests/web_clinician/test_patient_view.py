"""The patient view over HTTP: timeline, regimen with MME, COWS with the pulse helper, notes, regimen editor."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from morrow.web.routes.clinician.schemas import TimelinePublic
from tests.conftest import PASSWORD
from tests.web_clinician.conftest import Clinic, headers, regimen, urgent_alert
from tests.web_helpers import csrf_of

COWS = {"sweating": 1, "restlessness": 1, "pupil_size": 1, "bone_joint_aches": 1, "runny_nose_tearing": 0,
        "gi_upset": 0, "tremor": 0, "yawning": 1, "anxiety_irritability": 1, "gooseflesh": 0}  # fmt: skip


def test_it_shows_doses_alerts_and_notes_on_one_timeline(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    urgent_alert(committed, clinic.alice)
    note = web.post(f"/api/v1/patients/{clinic.alice}/notes", headers=bob, json={"kind": "phone", "body": "Called."})
    assert note.status_code == 201
    body = web.get(f"/api/v1/patients/{clinic.alice}/timeline", headers=bob).json()
    kinds = [e["kind"] for e in body["entries"]]
    assert kinds[0] == "note"
    assert TimelinePublic.model_validate(body).patient_id == clinic.alice  # the answer is what OpenAPI documents
    assert set(body["entries"][0]) == {"kind", "id", "at", "day", "title", "detail"}
    assert body["entries"][0]["at"].endswith("Z")
    assert body["entries"][0]["detail"] == "Called."
    assert {"dose", "alert", "note"} <= set(kinds)
    assert [e["at"] for e in body["entries"]] == sorted((e["at"] for e in body["entries"]), reverse=True)
    only = web.get(f"/api/v1/patients/{clinic.alice}/timeline?kind=dose", headers=bob).json()
    assert {e["kind"] for e in only["entries"]} == {"dose"}
    older = web.get(f"/api/v1/patients/{clinic.alice}/timeline?until={body['older_until']}", headers=bob).json()
    assert older["entries"] == []
    bad = web.get(f"/api/v1/patients/{clinic.alice}/timeline?kind=mood", headers=bob)
    assert bad.status_code == 422
    assert bad.json()["field"] == "kinds"
    assert web.get(f"/api/v1/patients/{clinic.alice}/timeline?days=367", headers=bob).json()["field"] == "days"
    assert web.get(f"/api/v1/patients/{clinic.alice}/timeline?days=0", headers=bob).json()["field"] == "days"
    year = web.get(f"/api/v1/patients/{clinic.alice}/timeline?days=366", headers=bob).json()  # a year in one page
    assert year["entries"] == body["entries"]
    assert date.fromisoformat(year["last_day"]) - date.fromisoformat(year["first_day"]) == timedelta(days=365)
    page = web.get(f"/patients/{clinic.alice}", headers=bob)
    assert page.status_code == 200
    assert "Called." in page.text
    assert "kratom 3 g" in page.text


def test_it_records_a_cows_with_the_pulse_helper(web: TestClient, clinic: Clinic, bob: dict[str, str]) -> None:
    made = web.post(f"/api/v1/patients/{clinic.alice}/cows", headers=bob, json={"answers": COWS, "pulse_bpm": 110})
    assert made.status_code == 201, made.text
    assert made.json()["answers"]["pulse"] == 2
    assert made.json()["total"] == 8
    bad = web.post(f"/api/v1/patients/{clinic.alice}/cows", headers=bob, json={"answers": COWS, "pulse_bpm": 0})
    assert bad.status_code == 422
    assert bad.json()["field"] == "bpm"
    missing = web.post(f"/api/v1/patients/{clinic.alice}/cows", headers=bob, json={"answers": COWS})
    assert missing.status_code == 422
    assert web.post(f"/api/v1/patients/{clinic.alice}/cows", headers=bob, json={}).json()["field"] == "answers"
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    form = {"csrf_token": csrf_of(web), "pulse_bpm": "130", **{k: str(v) for k, v in COWS.items()}}
    assert web.post(f"/patients/{clinic.alice}/cows", data=form).status_code == 200
    assert "COWS 10" in web.get(f"/patients/{clinic.alice}").text
    form["pulse_bpm"] = "fast"
    refused = web.post(f"/patients/{clinic.alice}/cows", data=form)
    assert refused.status_code == 422
    assert "pulse_bpm" in refused.text


def test_it_adds_notes_and_refuses_empty_ones(web: TestClient, clinic: Clinic, bob: dict[str, str]) -> None:
    assert web.post(f"/api/v1/patients/{clinic.alice}/notes", headers=bob, json={"body": ""}).json()["field"] == "body"
    assert web.post(f"/api/v1/patients/{clinic.alice}/notes", headers=bob, json={"body": "x" * 9000}).status_code == 422
    kind = web.post(f"/api/v1/patients/{clinic.alice}/notes", headers=bob, json={"body": "Seen.", "kind": "chat"})
    assert kind.json()["field"] == "kind"
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    token = csrf_of(web)
    assert (
        web.post(f"/patients/{clinic.alice}/notes", data={"csrf_token": token, "body": "Visit went well."}).status_code
        == 200
    )
    assert "Visit went well." in web.get(f"/patients/{clinic.alice}").text
    assert web.post(f"/patients/{clinic.alice}/notes", data={"csrf_token": token, "body": ""}).status_code == 422


def test_it_shows_the_regimen_with_mme_and_starts_a_new_version(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    item_id = regimen(committed, clinic.alice)
    body = web.get(f"/api/v1/patients/{clinic.alice}/regimen", headers=bob).json()
    assert body["items"][0]["dose"] == 2
    assert body["items"][0]["mme_per_day"] is None
    assert body["items"][0]["mme_notes"]
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    form = {"csrf_token": csrf_of(web), f"dose_{item_id}": "1.5", f"ceiling_dose_{item_id}": "5",
            "new_substance": "melatonin", "new_dose": "3", "new_unit": "mg", "new_schedule": "fixed",
            "new_times": "21:30", "reason": "Taper step and sleep support."}  # fmt: skip
    assert web.post(f"/patients/{clinic.alice}/regimen", data=form).status_code == 200
    items = web.get(f"/api/v1/patients/{clinic.alice}/regimen", headers=bob).json()["items"]
    assert [(i["substance"], i["dose"], i["ceiling_dose"]) for i in items] == [
        ("kratom", 1.5, 5),
        ("melatonin", 3, None),
    ]
    form[f"dose_{item_id}"] = "lots"
    assert web.post(f"/patients/{clinic.alice}/regimen", data=form).status_code == 422


def test_it_keeps_other_teams_patients_private(web: TestClient, clinic: Clinic, bob: dict[str, str]) -> None:
    for path in ("timeline", "regimen"):
        refused = web.get(f"/api/v1/patients/{clinic.dmitri}/{path}", headers=bob)
        assert refused.status_code == 403
        assert "Dmitri" not in refused.text
    assert web.get("/api/v1/patients/999999/timeline", headers=bob).status_code == 404
    assert web.get(f"/patients/{clinic.dmitri}", headers=bob).status_code == 403
    assert web.post(f"/api/v1/patients/{clinic.dmitri}/notes", headers=bob, json={"body": "Hello."}).status_code == 403
    for email in ("alice@example.org", "admin@example.org"):
        auth = headers(web, email)
        assert web.get(f"/api/v1/patients/{clinic.alice}/timeline", headers=auth).status_code == 403
        assert (
            web.post(f"/api/v1/patients/{clinic.alice}/cows", headers=auth, json={"answers": COWS}).status_code == 403
        )


def test_every_clinician_page_links_its_stylesheet_in_the_head(
    web: TestClient, clinic: Clinic, bob: dict[str, str]
) -> None:
    for path in ("/triage", "/inbox", "/approvals", f"/patients/{clinic.alice}"):
        page = web.get(path, headers=bob)
        assert page.status_code == 200, path
        head, _, body = page.text.partition("</head>")
        assert '<link rel="stylesheet" href="/static/clinician.css">' in head, path
        assert "<link" not in body, path
