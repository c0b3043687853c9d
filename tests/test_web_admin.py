"""Admins manage accounts and teams and read the audit log; they see no clinical data."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from morrow.services.actors import Actor
from morrow.services.people import create_patient, create_user
from tests.conftest import PASSWORD
from tests.web_helpers import csrf_of, web

__all__ = ["web"]


def setup_people(committed: sessionmaker[Session]) -> int:
    system = Actor.system("test")
    with committed() as session:
        patient_id = create_patient(session, system, {"display_name": "Alice", "timezone": "UTC"}).id
        for email, role in (("ada@example.org", "admin"), ("bob@example.org", "clinician")):
            create_user(
                session, system, {"email": email, "display_name": email[:3], "role": role, "password": PASSWORD}
            )
        create_user(
            session,
            system,
            {
                "email": "alice@example.org",
                "display_name": "Alice",
                "role": "patient",
                "password": PASSWORD,
                "patient_id": patient_id,
            },
        )
    return patient_id


def signed_in(client: TestClient, email: str) -> TestClient:
    signed = client.post("/sign-in", data={"email": email, "password": PASSWORD}, follow_redirects=False)
    assert signed.status_code == 303
    return client


def test_an_admin_adds_a_team_an_account_and_a_member(web: TestClient, committed: sessionmaker[Session]) -> None:
    patient_id = setup_people(committed)
    signed_in(web, "ada@example.org")
    csrf = csrf_of(web)
    assert web.post("/admin/teams", data={"name": "North", "csrf_token": csrf}).status_code == 200
    created = web.post(
        "/admin/users",
        data={"email": "dana@example.org", "display_name": "Dana", "role": "clinician", "csrf_token": csrf},
    )
    assert created.status_code == 200
    assert 'data-testid="one-time-password"' in created.text
    teams = web.get("/api/v1/admin/teams").json()
    users = {u["email"]: u for u in web.get("/api/v1/admin/users").json()}
    team_id = next(t["id"] for t in teams if t["name"] == "North")
    added = web.post(
        f"/admin/teams/{team_id}/members",
        data={"clinician_id": str(users["dana@example.org"]["id"]), "patient_id": str(patient_id), "csrf_token": csrf},
    )
    assert added.status_code == 200
    north = next(t for t in web.get("/api/v1/admin/teams").json() if t["name"] == "North")
    assert (north["clinicians"], north["patient_count"]) == (["dana@example.org"], 1)


def test_bad_admin_input_names_the_field(web: TestClient, committed: sessionmaker[Session]) -> None:
    setup_people(committed)
    signed_in(web, "ada@example.org")
    csrf = csrf_of(web)
    bad_role = web.post(
        "/admin/users", data={"email": "x@example.org", "display_name": "X", "role": "wizard", "csrf_token": csrf}
    )
    assert bad_role.status_code == 422
    assert "role" in bad_role.text
    bad_patient = web.post(
        "/admin/users",
        data={
            "email": "y@example.org",
            "display_name": "Y",
            "role": "patient",
            "patient_id": "abc",
            "csrf_token": csrf,
        },
    )
    assert bad_patient.status_code == 422
    api = web.post(
        "/api/v1/admin/users",
        json={"email": "not-an-email", "display_name": "Z", "role": "admin", "password": PASSWORD},
        headers={"X-CSRF-Token": csrf},
    )
    assert api.status_code == 422
    assert api.json()["field"] == "email"
    assert web.post("/admin/teams/999999/members", data={"patient_id": "1", "csrf_token": csrf}).status_code == 404


def test_the_audit_log_shows_who_did_what_and_records_being_read(
    web: TestClient, committed: sessionmaker[Session]
) -> None:
    patient_id = setup_people(committed)
    signed_in(web, "ada@example.org")
    events = web.get("/api/v1/admin/audit").json()
    assert {"create", "sign_in"} <= {e["action"] for e in events}
    assert any(e["entity"] == "patient" and e["patient_id"] == patient_id for e in events)
    assert all("detail" not in e for e in events)  # details can hold clinical words: never shown to admins
    again = web.get("/api/v1/admin/audit").json()
    assert again[0]["action"] == "read"
    assert again[0]["entity"] == "audit_log"
    page = web.get(f"/admin/audit?patient_id={patient_id}")
    assert page.status_code == 200
    assert "Audit log" in page.text


def test_no_one_but_an_admin_gets_in(web: TestClient, committed: sessionmaker[Session]) -> None:
    setup_people(committed)
    for email in ("bob@example.org", "alice@example.org"):
        signed_in(web, email)
        assert web.get("/admin").status_code == 403
        assert web.get("/api/v1/admin/audit").status_code == 403
        web.post("/sign-out", data={"csrf_token": csrf_of(web)})
    web.cookies.clear()
    assert web.get("/api/v1/admin/users").status_code == 401
    assert web.get("/admin", follow_redirects=False).headers["location"] == "/sign-in?next=/admin"


def test_a_team_added_over_the_api_without_members_comes_back(
    web: TestClient, committed: sessionmaker[Session]
) -> None:
    setup_people(committed)
    signed_in(web, "ada@example.org")
    csrf = {"X-CSRF-Token": csrf_of(web)}
    # Was a 500 (after storing the team): the empty member lists were read once the transaction had ended.
    created = web.post("/api/v1/admin/teams", json={"name": "South"}, headers=csrf)
    assert created.status_code == 201, created.text
    assert (created.json()["name"], created.json()["clinicians"], created.json()["patient_count"]) == ("South", [], 0)
    again = web.post("/api/v1/admin/teams", json={"name": "South"}, headers=csrf)
    assert (again.status_code, again.json()["field"]) == (409, "name")
    json_type = csrf | {"Content-Type": "application/json"}
    surrogate = web.post("/api/v1/admin/teams", content=b'{"name": "\\ud800"}', headers=json_type)
    assert (surrogate.status_code, surrogate.json()["field"]) == (422, "name")


@pytest.mark.parametrize("field", ["clinician_id", "patient_id"])
@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "\x00"])
def test_a_member_id_that_is_no_id_is_refused_not_ignored(
    web: TestClient, committed: sessionmaker[Session], field: str, value: str
) -> None:
    setup_people(committed)
    signed_in(web, "ada@example.org")
    csrf = csrf_of(web)
    assert web.post("/admin/teams", data={"name": "North", "csrf_token": csrf}).status_code == 200
    team_id = next(t["id"] for t in web.get("/api/v1/admin/teams").json() if t["name"] == "North")
    # Used to redirect as if the member had been added, having added nobody.
    refused = web.post(f"/admin/teams/{team_id}/members", data={field: value, "csrf_token": csrf})
    assert refused.status_code == 422
    assert f"(field: <code>{field}</code>)" in refused.text


def test_adding_a_member_needs_someone_to_add(web: TestClient, committed: sessionmaker[Session]) -> None:
    setup_people(committed)
    signed_in(web, "ada@example.org")
    csrf = csrf_of(web)
    assert web.post("/admin/teams", data={"name": "North", "csrf_token": csrf}).status_code == 200
    team_id = next(t["id"] for t in web.get("/api/v1/admin/teams").json() if t["name"] == "North")
    refused = web.post(f"/admin/teams/{team_id}/members", data={"clinician_id": " ", "csrf_token": csrf})
    assert refused.status_code == 422
    assert "(field: <code>clinician_id</code>)" in refused.text
