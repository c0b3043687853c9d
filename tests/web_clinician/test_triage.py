"""Triage over HTTP: urgent above warning above trend above missed, with the reason per row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from morrow.db.models import Alert, CareTeam
from morrow.services.actors import Actor
from morrow.services.people import add_to_care_team, create_patient
from tests.web_clinician.conftest import Clinic, check_in, headers, urgent_alert

SYSTEM = Actor.system("test")


def test_it_orders_urgent_above_trend_above_missed_above_quiet(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    with committed() as s, s.begin():
        trend = create_patient(s, SYSTEM, {"display_name": "Tess", "timezone": "UTC"}).id
        silent = create_patient(s, SYSTEM, {"display_name": "Sam", "timezone": "UTC"}).id
        team = s.scalars(select(CareTeam).where(CareTeam.name == "Riverside")).one()
        add_to_care_team(s, SYSTEM, team.id, patient_ids=[trend, silent])
    now = datetime.now(UTC)
    for n, value in enumerate((5, 6, 5, 5)):
        check_in(committed, trend, "craving-vas", 20 + value, now - timedelta(days=4 + n), f"t{n}")
    check_in(committed, trend, "craving-vas", 70, now - timedelta(hours=5), "t9")
    check_in(committed, silent, "craving-vas", 10, now - timedelta(days=3), "s1")
    urgent_alert(committed, clinic.alice)

    body = web.get("/api/v1/triage", headers=bob).json()
    names = [row["display_name"] for row in body["patients"]]
    assert names == ["Alice", "Tess", "Sam", "Quinn"]
    tiers = [row["tier"] for row in body["patients"]]
    assert tiers == ["urgent", "trend", "missed", "none"]
    assert "urgent" in body["patients"][0]["reasons"][0]
    assert body["patients"][1]["reasons"][0].startswith("craving rising: mean 70 in the last 3 days")
    assert body["patients"][2]["reasons"] == ["no check-in for 3 days"]
    assert "Dmitri" not in names  # carol's patient
    assert "last 3 days is above the mean of the 7 days before" in body["rule"]

    page = web.get("/triage", headers=bob)
    assert page.status_code == 200
    assert page.text.index("Alice") < page.text.index("Tess") < page.text.index("Sam")
    assert "How this list is ordered" in page.text
    assert f'href="/patients/{clinic.alice}"' in page.text


def test_it_ranks_an_open_warning_between_urgent_and_trend(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    now = datetime.now(UTC)
    with committed() as s, s.begin():
        s.add(Alert(patient_id=clinic.quiet, rule_id="T", fingerprint="t", severity="warning", category="dose",
                    title="Test warning", first_seen_at=now, last_seen_at=now))  # fmt: skip
    urgent_alert(committed, clinic.alice)
    rows = web.get("/api/v1/triage", headers=bob).json()["patients"]
    assert [(r["display_name"], r["tier"]) for r in rows] == [("Alice", "urgent"), ("Quinn", "warning")]


def test_it_refuses_patients_and_admins(web: TestClient, clinic: Clinic) -> None:
    for email in ("alice@example.org", "admin@example.org"):
        auth = headers(web, email)
        assert web.get("/api/v1/triage", headers=auth).status_code == 403
        assert web.get("/triage", headers=auth).status_code == 403


def test_it_sends_a_visitor_to_sign_in(web: TestClient, clinic: Clinic) -> None:
    assert web.get("/triage", follow_redirects=False).headers["location"] == "/sign-in?next=/triage"
    assert web.get("/api/v1/triage").status_code == 401
