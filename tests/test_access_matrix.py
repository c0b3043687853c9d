"""Every route x every role of the cast: only the allowed cells succeed, the rest get 401/403/404
without leaking data. Routes are read from the app itself, so a new route cannot escape the matrix:
one that matches no rule below fails the test until someone decides who may use it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from morrow.services.actors import Actor
from morrow.services.doses import log_dose
from morrow.services.people import create_care_team, create_patient, create_user
from tests.conftest import PASSWORD
from tests.web_helpers import api_routes, csrf_of, web

__all__ = ["web"]

ROLES = ("anonymous", "alice", "bob", "carol", "admin")
SECRET = "Zuzanna-Quartz"  # alice's name: it must never appear in a refused response


@dataclass(frozen=True)
class Rule:
    pattern: str
    allowed: frozenset[str]


ANY_SIGNED_IN = frozenset({"alice", "bob", "carol", "admin"})
# alice's own record: alice and her clinician bob. carol (other team) and the admin are refused.
ALICES_RECORD = frozenset({"alice", "bob"})
CLINICIANS = frozenset({"bob", "carol"})
RULES = (
    Rule(
        r"^/$|^/sign-in$|^/health$|^/favicon\.ico$|^/openapi\.json$|^/api/docs$|^/api/v1/auth/token$", frozenset(ROLES)
    ),
    Rule(r"^/sign-out$|^/api/v1/me$|^/evidence|^/api/v1/evidence", ANY_SIGNED_IN),
    Rule(r"^/admin|^/api/v1/admin/", frozenset({"admin"})),
    Rule(r"^/today|^/check-in|^/progress|^/my-alerts", frozenset({"alice"})),
    # The clinical record a clinician keeps (timeline, regimen editor, notes, COWS at a visit, taper plans and
    # their revisions, sleep windows): bob only.
    Rule(
        r"^/patients/\{[a-z_]+\}|^/api/v1/patients/\{[a-z_]+\}/(timeline|regimen|notes|cows|tapers|sleep-windows)",
        frozenset({"bob"}),
    ),
    # What a patient does with their own record, which their clinician may do for them too.
    Rule(r"^/api/v1/patients/\{[a-z_]+\}", ALICES_RECORD),
    Rule(r"^/triage|^/inbox|^/approvals|^/api/v1/triage|^/api/v1/alerts|^/api/v1/dose-changes", CLINICIANS),
)


def rule_for(path: str) -> Rule:
    for rule in RULES:
        if re.search(rule.pattern, path):
            return rule
    raise AssertionError(f"{path} is in no access rule: decide who may use it and add it to RULES")


def routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, path) of every API route and page, including those of included routers."""
    return [(method, r.path) for r in api_routes(client) for method in sorted((r.methods or set()) - {"HEAD"})]


def clinic(committed: sessionmaker[Session]) -> dict[str, int]:
    system = Actor.system("test")
    with committed() as session:
        alice = create_patient(session, system, {"display_name": SECRET, "timezone": "America/New_York"}).id
        other = create_patient(session, system, {"display_name": "Dmitri", "timezone": "UTC"}).id
        ids = {"patient": alice}
        for email, role, patient in (
            ("alice", "patient", alice),
            ("bob", "clinician", None),
            ("carol", "clinician", None),
            ("admin", "admin", None),
        ):
            data: dict[str, object] = {
                "email": f"{email}@example.org",
                "display_name": email,
                "role": role,
                "password": PASSWORD,
            }
            if patient:
                data["patient_id"] = patient
            ids[email] = create_user(session, system, data).id
        create_care_team(session, system, "Bob's", clinician_ids=[ids["bob"]], patient_ids=[alice])
        create_care_team(session, system, "Carol's", clinician_ids=[ids["carol"]], patient_ids=[other])
        log_dose(
            session,
            system,
            alice,
            {
                "substance": "kratom",
                "amount": 3,
                "unit": "g",
                "taken_at": "2026-11-20T20:00:00-05:00",
                "idempotency_key": "matrix-dose-1",
            },
        )
    return ids


def concrete(path: str, ids: dict[str, int]) -> str:
    # Every id in a path names alice's records or an id that does not exist for anyone (999999).
    path = re.sub(r"\{patient_id\}", str(ids["patient"]), path)
    return re.sub(r"\{[a-z_]+\}", "999999", path)


@pytest.mark.parametrize("role", ROLES)
def test_every_route_admits_only_its_roles(web: TestClient, committed: sessionmaker[Session], role: str) -> None:
    ids = clinic(committed)
    headers: dict[str, str] = {}
    if role != "anonymous":
        signed = web.post(
            "/sign-in", data={"email": f"{role}@example.org", "password": PASSWORD}, follow_redirects=False
        )
        assert signed.status_code == 303
        headers["X-CSRF-Token"] = csrf_of(web)
    checked = 0
    for method, path in routes(web):
        if path in ("/sign-out", "/api/v1/auth/token", "/sign-in") and method != "GET":
            continue  # signing out would end this role's session; signing in is tested on its own
        url = concrete(path, ids)
        body: dict[str, Any] | None = {} if method in ("POST", "PUT", "PATCH") and path.startswith("/api") else None
        response = web.request(method, url, headers=headers, follow_redirects=False, json=body)
        allowed = role in rule_for(path).allowed
        status = response.status_code
        assert status < 500, f"{method} {url} as {role}: {status}"
        if allowed:
            assert status not in (401, 403), f"{method} {url} as {role} was refused ({status})"
        else:
            refused = status in (401, 403, 404) or (status == 303 and "/sign-in" in response.headers["location"])
            assert refused, f"{method} {url} as {role} was let in ({status})"
            assert SECRET not in response.text, f"{method} {url} as {role} leaked the patient's name"
        checked += 1
    assert checked >= 10
