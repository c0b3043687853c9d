"""Approvals over HTTP: pending changes approved or declined with a reason; applied changes listed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import PASSWORD
from tests.web_clinician.conftest import Clinic, headers, regimen
from tests.web_helpers import csrf_of


def test_it_approves_and_declines_with_a_reason(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    item_id = regimen(committed, clinic.alice)
    url = f"/api/v1/patients/{clinic.alice}/dose-changes"
    small = web.post(url, headers=bob, json={"regimen_item_id": item_id, "proposed_dose": 2.5, "reason": "Rule step."})
    assert small.status_code == 201
    assert small.json()["status"] == "applied"
    queue = web.get("/api/v1/dose-changes", headers=bob).json()
    assert [c["id"] for c in queue["recently_applied"]] == [small.json()["id"]]
    new_item = web.get(f"/api/v1/patients/{clinic.alice}/regimen", headers=bob).json()["items"][0]["id"]
    alice = headers(web, "alice@example.org")
    big = web.post(url, headers=bob, json={"regimen_item_id": new_item, "proposed_dose": 4, "reason": "Withdrawal."})
    assert big.json()["status"] == "pending"
    # Alice may propose for herself too (the titration rule decides); her input is validated like anyone's.
    too_short = web.post(url, headers=alice, json={"regimen_item_id": new_item, "proposed_dose": 4, "reason": "x"})
    assert too_short.status_code == 422
    assert too_short.json()["field"] == "reason"
    decision = f"/api/v1/dose-changes/{big.json()['id']}/decision"
    assert web.post(decision, headers=bob, json={"approve": True, "reason": ""}).json()["field"] == "reason"
    assert web.post(decision, headers=bob, json={"approve": "maybe", "reason": "Fine."}).json()["field"] == "approve"
    for loose in ("yes", "true", 1):  # only true or false is a decision
        assert web.post(decision, headers=bob, json={"approve": loose, "reason": "Fine."}).json()["field"] == "approve"
    assert (
        web.post(
            decision, headers=headers(web, "carol@example.org"), json={"approve": True, "reason": "Fine."}
        ).status_code
        == 403
    )
    declined = web.post(decision, headers=bob, json={"approve": False, "reason": "Let us talk first."})
    assert declined.json()["status"] == "declined"
    assert web.post(decision, headers=bob, json={"approve": True, "reason": "Again."}).status_code == 409
    again = web.post(url, headers=bob, json={"regimen_item_id": new_item, "proposed_dose": 4, "reason": "Talked."})
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    page = web.get("/approvals")
    assert "Waiting for your decision" in page.text
    assert "Applied by the titration rule" in page.text
    form = {"csrf_token": csrf_of(web), "decision": "approve", "reason": ""}
    assert web.post(f"/approvals/{again.json()['id']}", data=form).status_code == 422
    form["reason"] = "Agreed at the visit."
    assert web.post(f"/approvals/{again.json()['id']}", data=form).status_code == 409  # regimen already changed today


def test_it_refuses_bad_proposals(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    item_id = regimen(committed, clinic.alice)
    url = f"/api/v1/patients/{clinic.alice}/dose-changes"
    over = web.post(url, headers=bob, json={"regimen_item_id": item_id, "proposed_dose": 60, "reason": "More."})
    assert over.status_code == 422
    assert over.json()["field"] == "proposed_dose"
    assert (
        web.post(url, headers=bob, json={"regimen_item_id": item_id, "reason": "More."}).json()["field"]
        == "proposed_dose"
    )
    other = web.post(f"/api/v1/patients/{clinic.quiet}/dose-changes", headers=bob,
                     json={"regimen_item_id": item_id, "proposed_dose": 2.5, "reason": "More."})  # fmt: skip
    assert other.status_code == 404
    assert other.json()["field"] == "regimen_item_id"
    assert web.get("/api/v1/dose-changes", headers=headers(web, "admin@example.org")).status_code == 403
