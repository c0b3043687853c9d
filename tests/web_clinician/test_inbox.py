"""The alert inbox over HTTP: list with the finding's message and sources, acknowledge, resolve with a note."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import PASSWORD
from tests.web_clinician.conftest import Clinic, headers, urgent_alert
from tests.web_helpers import csrf_of


def test_it_lists_acknowledges_and_resolves_over_the_api(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    urgent_alert(committed, clinic.alice)
    urgent_alert(committed, clinic.dmitri)
    [alert] = web.get("/api/v1/alerts", headers=bob).json()
    assert alert["severity"] == "urgent"
    assert alert["patient_name"] == "Alice"
    assert alert["clinician_message"]
    assert alert["sources"]
    acked = web.post(f"/api/v1/alerts/{alert['id']}/acknowledge", headers=bob, json={"note": "Calling her now."})
    assert acked.status_code == 200
    assert acked.json()["status"] == "acknowledged"
    short = web.post(f"/api/v1/alerts/{alert['id']}/resolve", headers=bob, json={"note": "ok"})
    assert short.status_code == 422
    assert short.json()["field"] == "note"
    done = web.post(f"/api/v1/alerts/{alert['id']}/resolve", headers=bob, json={"note": "Spoke with Alice; safe."})
    assert done.json()["status"] == "resolved"
    assert web.get("/api/v1/alerts", headers=bob).json() == []


def test_it_acknowledges_and_resolves_through_the_page(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic
) -> None:
    urgent_alert(committed, clinic.alice)
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    page = web.get("/inbox")
    assert "Acknowledge" in page.text
    alert_id = int(page.text.split('id="alert-')[1].split('"')[0])
    token = csrf_of(web)
    ack = web.post(f"/inbox/{alert_id}/acknowledge", data={"csrf_token": token}, follow_redirects=False)
    assert ack.status_code == 303
    assert "Acknowledged" in web.get("/inbox").text
    missing = web.post(f"/inbox/{alert_id}/resolve", data={"csrf_token": token, "note": ""})
    assert missing.status_code == 422
    assert "note" in missing.text
    assert (
        web.post(f"/inbox/{alert_id}/resolve", data={"csrf_token": token, "note": "Talked it through."}).status_code
        == 200
    )
    assert "No open alerts" in web.get("/inbox").text


def test_it_hides_other_teams_alerts_and_refuses_bad_input(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    urgent_alert(committed, clinic.alice)
    alert_id = web.get("/api/v1/alerts", headers=bob).json()[0]["id"]
    carol = headers(web, "carol@example.org")
    assert web.get("/api/v1/alerts", headers=carol).json() == []
    refused = web.post(f"/api/v1/alerts/{alert_id}/acknowledge", headers=carol)
    assert refused.status_code == 403
    assert "Alice" not in refused.text
    assert web.get(f"/api/v1/alerts?patient_id={clinic.alice}", headers=carol).status_code == 403
    for email in ("alice@example.org", "admin@example.org"):
        assert web.post(f"/api/v1/alerts/{alert_id}/acknowledge", headers=headers(web, email)).status_code == 403
    assert web.post("/api/v1/alerts/999999/acknowledge", headers=bob).status_code == 404
    bad = web.post(f"/api/v1/alerts/{alert_id}/resolve", headers=bob, json={"note": 5})
    assert bad.status_code == 422
    assert bad.json()["field"] == "note"
    assert web.post(f"/api/v1/alerts/{alert_id}/resolve", headers=bob, json={}).json()["field"] == "note"
    assert web.post("/api/v1/alerts/abc/acknowledge", headers=bob).json()["field"] == "alert_id"
    assert web.post(f"/api/v1/alerts/{alert_id}/acknowledge", headers=bob, json={"extra": 1}).status_code == 422
