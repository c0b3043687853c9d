"""The sleep window over HTTP: proposed from the diary (form and API), approved or declined with a reason,
refused by field, and kept from anyone outside the patient's care team."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from morrow.db.models import AuditEvent, SleepWindow
from tests.conftest import PASSWORD
from tests.services.builders import diary_night
from tests.web_clinician.conftest import Clinic, headers
from tests.web_helpers import csrf_of


def alice_today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date()


def nights(committed: sessionmaker[Session], patient_id: int, count: int) -> None:
    """`count` diary nights before today: 480 minutes in bed, 390 asleep."""
    with committed() as s:
        for n in range(1, count + 1):
            diary_night(s, patient_id, alice_today() - timedelta(days=n))


def windows(committed: sessionmaker[Session]) -> list[tuple[int, str]]:
    with committed() as s, s.begin():
        return [(w.id, w.status) for w in s.scalars(select(SleepWindow).order_by(SleepWindow.id))]


def audited(committed: sessionmaker[Session], action: str) -> int:
    with committed() as s, s.begin():
        query = select(func.count(AuditEvent.id)).where(
            AuditEvent.entity == "sleep_window", AuditEvent.action == action
        )
        return s.scalar(query) or 0


def test_it_proposes_and_approves_a_window_by_api(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    url = f"/api/v1/patients/{clinic.alice}/sleep-windows"
    nights(committed, clinic.alice, 4)
    thin = web.post(url, headers=bob, json={"rise_time": "06:30"})
    assert (thin.status_code, thin.json()["code"], thin.json()["field"]) == (409, "not_enough_data", "nights")
    assert windows(committed) == []
    nights(committed, clinic.alice, 7)
    bad = web.post(url, headers=bob, json={"rise_time": "6.30am"})
    assert (bad.status_code, bad.json()["field"]) == (422, "rise_time")
    made = web.post(url, headers=bob, json={"rise_time": "06:30"})
    assert made.status_code == 201, made.text
    window = made.json()
    assert (window["status"], window["action"], window["time_in_bed_min"]) == ("proposed", "initial", 390)
    assert (window["bedtime"], window["rise_time"], window["flag_for_clinician"]) == ("00:00", "06:30", False)
    retried = web.post(url, headers=bob, json={"rise_time": "06:30"})  # the same request again: stored once
    assert (retried.status_code, retried.json()) == (200, window)
    decision = f"{url}/{window['id']}/decision"
    short = web.post(decision, headers=bob, json={"approve": True, "reason": "ok"})
    assert (short.status_code, short.json()["field"]) == (422, "reason")
    approved = web.post(decision, headers=bob, json={"approve": True, "reason": "Agreed at the visit."})
    assert (approved.status_code, approved.json()["status"]) == (200, "approved")
    twice = web.post(decision, headers=bob, json={"approve": False, "reason": "Changed my mind."})
    assert (twice.status_code, twice.json()["field"]) == (409, "window_id")
    assert [w["status"] for w in web.get(url, headers=bob).json()] == ["approved"]
    assert (audited(committed, "propose"), audited(committed, "approve")) == (1, 1)


def test_it_proposes_and_decides_a_window_on_the_page(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic
) -> None:
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    token = csrf_of(web)
    page = web.get(f"/patients/{clinic.alice}").text
    assert "No approved window" in page
    thin = web.post(f"/patients/{clinic.alice}/sleep-windows", data={"csrf_token": token, "rise_time": "06:30"})
    assert thin.status_code == 409
    assert 'id="error-sleep-window"' in thin.text
    assert "0 of the last 7 nights are in the diary; at least 5 are needed" in thin.text
    assert 'value="06:30"' in thin.text
    nights(committed, clinic.alice, 7)
    bad = web.post(f"/patients/{clinic.alice}/sleep-windows", data={"csrf_token": token, "rise_time": "dawn"})
    assert bad.status_code == 422
    assert "Rise time: use a 24-hour time" in notice(bad.text, "sleep-window")
    assert 'value="dawn" aria-invalid="true"' in bad.text
    sent = web.post(f"/patients/{clinic.alice}/sleep-windows", data={"csrf_token": token, "rise_time": "06:30"},
                    follow_redirects=False)  # fmt: skip
    assert (sent.status_code, sent.headers["location"]) == (303, f"/patients/{clinic.alice}#sleep-window")
    [(window_id, _)] = windows(committed)
    page = web.get(f"/patients/{clinic.alice}").text
    assert "390 minutes in bed, from 00:00 to 06:30" in page
    decide = f"/patients/{clinic.alice}/sleep-windows/{window_id}/decision"
    unsure = web.post(decide, data={"csrf_token": token, "decision": "maybe", "reason": "Talked it over."})
    assert unsure.status_code == 422
    assert "Decision: choose approve or decline" in notice(unsure.text, f"window-{window_id}")
    short = web.post(decide, data={"csrf_token": token, "decision": "approve", "reason": "ok"})
    assert short.status_code == 422
    assert "Reason for your decision: String should have at least 3 characters" in notice(
        short.text, f"window-{window_id}"
    )
    assert 'value="Talked it over."' in unsure.text
    assert windows(committed) == [(window_id, "proposed")]
    done = web.post(decide, data={"csrf_token": token, "decision": "approve", "reason": "Talked it over."},
                    follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    assert windows(committed) == [(window_id, "approved")]
    assert "The patient's window: <strong>390 minutes in bed</strong>" in web.get(f"/patients/{clinic.alice}").text


def test_others_cannot_propose_or_decide(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    nights(committed, clinic.alice, 7)
    url = f"/api/v1/patients/{clinic.alice}/sleep-windows"
    window_id = web.post(url, headers=bob, json={}).json()["id"]
    for email in ("carol@example.org", "alice@example.org", "admin@example.org"):
        auth = headers(web, email)
        for path, body in (("", {}), (f"/{window_id}/decision", {"approve": True, "reason": "Looks right."})):
            refused = web.post(url + path, headers=auth, json=body)
            assert refused.status_code == 403, (email, path, refused.text)
            assert "Alice" not in refused.text
        assert web.get(url, headers=auth).status_code == 403
    # A window id under another patient's path is not found, even for bob who may see both patients.
    other = web.post(f"/api/v1/patients/{clinic.quiet}/sleep-windows/{window_id}/decision", headers=bob,
                     json={"approve": True, "reason": "Looks right."})  # fmt: skip
    assert (other.status_code, other.json()["field"]) == (404, "window_id")
    assert windows(committed) == [(window_id, "proposed")]


def notice(page: str, form: str) -> str:
    """The error notice above one form: said only when that form was refused."""
    start = page.index(f'<p class="notice error" id="error-{form}">')
    return page[start : page.index("</p>", start)]


def test_only_true_or_false_decides_a_window(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    nights(committed, clinic.alice, 7)
    url = f"/api/v1/patients/{clinic.alice}/sleep-windows"
    window_id = web.post(url, headers=bob, json={}).json()["id"]
    for loose in ("yes", "true", 1, "on"):
        refused = web.post(f"{url}/{window_id}/decision", headers=bob, json={"approve": loose, "reason": "Fine."})
        assert (refused.status_code, refused.json()["field"]) == (422, "approve"), loose
    assert windows(committed) == [(window_id, "proposed")]
    assert audited(committed, "approve") == 0


def test_reading_the_windows_is_audited(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    nights(committed, clinic.alice, 7)
    url = f"/api/v1/patients/{clinic.alice}/sleep-windows"
    web.post(url, headers=bob, json={})
    assert web.get(url, headers=bob).status_code == 200
    with committed() as s, s.begin():
        query = select(AuditEvent).where(AuditEvent.entity == "sleep_windows")
        assert [(e.action, e.patient_id, e.detail) for e in s.scalars(query)] == [("read", clinic.alice, {"count": 1})]


def test_a_window_not_on_the_page_is_said_in_words(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    nights(committed, clinic.quiet, 7)
    other = web.post(f"/api/v1/patients/{clinic.quiet}/sleep-windows", headers=bob, json={}).json()["id"]
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    data = {"csrf_token": csrf_of(web), "decision": "approve", "reason": "Looks right."}
    refused = web.post(f"/patients/{clinic.alice}/sleep-windows/{other}/decision", data=data)
    assert refused.status_code == 404
    alert = refused.text.split('role="alert"', 1)[1].split("</p>", 1)[0]
    assert "there is no such sleep window for this patient; reload the page" in alert
    assert '<a href="#sleep-window">' in alert
    assert str(other) not in alert
    assert windows(committed) == [(other, "proposed")]


def test_the_sleep_window_forms_need_the_csrf_token(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    nights(committed, clinic.alice, 7)
    window_id = web.post(f"/api/v1/patients/{clinic.alice}/sleep-windows", headers=bob, json={}).json()["id"]
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    base = f"/patients/{clinic.alice}/sleep-windows"
    for path, data in (("", {"rise_time": "06:30"}),
                       (f"/{window_id}/decision", {"decision": "approve", "reason": "No token."})):  # fmt: skip
        refused = web.post(base + path, data=data)
        assert refused.status_code == 403, (path, refused.text)
    assert windows(committed) == [(window_id, "proposed")]
