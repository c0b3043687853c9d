"""Taper plans over HTTP: drafted (form and API), approved, paused, resumed and reversed, each stored with its
audit row; bad input refused by field (problem JSON, or the page again with the message); others kept out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from morrow.db.models import AuditEvent, TaperPlan
from tests.conftest import PASSWORD
from tests.web_clinician.conftest import Clinic, check_in, headers, regimen
from tests.web_helpers import csrf_of


def today() -> str:
    """Alice's date (New York): the day her plans may start on."""
    return datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date().isoformat()


def oxycodone(**overrides: Any) -> dict[str, Any]:
    """40 mg oxycodone a day, 10 % of the current dose every 14 days in 5 mg steps (docs/regimens.md)."""
    return {
        "substance": "oxycodone", "current_daily_dose": 40, "unit": "mg", "method": "percent_of_current",
        "percent": 10, "interval_days": 14, "min_step": 5, "start": today(),
        "hold_rules": [{"measure": "sows.total", "above": 20, "consecutive_days": 3}], "reason": "Agreed at visit.",
    } | overrides  # fmt: skip


def plans(committed: sessionmaker[Session]) -> list[tuple[int, int, str]]:
    with committed() as s, s.begin():
        return [(p.id, p.version, p.status) for p in s.scalars(select(TaperPlan).order_by(TaperPlan.id))]


def audited(committed: sessionmaker[Session], action: str) -> int:
    with committed() as s, s.begin():
        query = select(func.count(AuditEvent.id)).where(AuditEvent.entity == "taper_plan", AuditEvent.action == action)
        return s.scalar(query) or 0


def sign_in_bob(web: TestClient) -> str:
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    return csrf_of(web)


def test_it_drafts_approves_pauses_resumes_and_reverses_a_taper_by_api(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    url = f"/api/v1/patients/{clinic.alice}/tapers"
    made = web.post(url, headers=bob, json=oxycodone())
    assert made.status_code == 201, made.text
    draft = made.json()
    assert (draft["status"], draft["version"], draft["progress"]) == ("draft", 1, None)
    assert [(s["daily_dose"], s["mme_per_day"]) for s in draft["steps"]][:3] == [(35, 52.5), (30, 45.0), (25, 37.5)]
    assert draft["hold_rules"] == [{"measure": "sows.total", "above": 20, "consecutive_days": 3, "label": None}]
    assert audited(committed, "create") == 1
    plan_id = draft["id"]

    approved = web.post(f"{url}/{plan_id}/approve", headers=bob)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "active"
    assert approved.json()["progress"]["step"]["daily_dose"] == 35
    assert approved.json()["progress"]["state"] == "on_track"
    again = web.post(f"{url}/{plan_id}/approve", headers=bob)
    assert (again.status_code, again.json()["field"]) == (409, "plan_id")

    paused = web.post(f"{url}/{plan_id}/pause", headers=bob, json={"reason": "Flu this week."})
    assert paused.status_code == 201, paused.text
    assert (paused.json()["status"], paused.json()["version"], paused.json()["paused_on"]) == ("paused", 2, today())
    assert paused.json()["progress"]["state"] == "paused"
    stale = web.post(f"{url}/{plan_id}/resume", headers=bob, json={"reason": "Better now."})
    assert (stale.status_code, stale.json()["field"]) == (409, "plan_id")  # the old version is superseded
    resumed = web.post(f"{url}/{paused.json()['id']}/resume", headers=bob, json={"reason": "Better now."})
    assert (resumed.status_code, resumed.json()["status"], resumed.json()["version"]) == (201, "active", 3)
    reversed_ = web.post(f"{url}/{resumed.json()['id']}/reverse", headers=bob, json={"reason": "Cravings high."})
    assert (reversed_.status_code, reversed_.json()["version"]) == (201, 4)
    assert reversed_.json()["progress"]["step"]["daily_dose"] == 40  # the dose before the first cut

    assert plans(committed) == [(plan_id, 1, "superseded"), (plan_id + 1, 2, "superseded"),
                                (plan_id + 2, 3, "superseded"), (plan_id + 3, 4, "active")]  # fmt: skip
    assert [audited(committed, a) for a in ("approve", "pause", "resume", "reverse")] == [1, 1, 1, 1]
    listed = web.get(url, headers=bob).json()
    assert [p["id"] for p in listed] == [plan_id + 3]
    assert len(web.get(f"{url}?history=true", headers=bob).json()) == 4
    one = web.get(f"{url}/{plan_id}", headers=bob)
    assert (one.status_code, one.json()["status"]) == (200, "superseded")


def test_it_drafts_a_taper_by_form_and_shows_the_steps_before_approval(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic
) -> None:
    token = sign_in_bob(web)
    form = {"csrf_token": token, "substance": "oxycodone", "current_daily_dose": "40", "unit": "mg",
            "method": "percent_of_current", "percent": "10", "interval_days": "14", "min_step": "5",
            "start": today(), "hold_rules.1.measure": "sows.total", "hold_rules.1.above": "20",
            "hold_rules.1.consecutive_days": "3", "reason": "Wants to come off."}  # fmt: skip
    sent = web.post(f"/patients/{clinic.alice}/tapers", data=form, follow_redirects=False)
    assert (sent.status_code, sent.headers["location"]) == (303, f"/patients/{clinic.alice}#taper")
    [(plan_id, version, status)] = plans(committed)
    assert (version, status) == (1, "draft")
    assert audited(committed, "create") == 1
    page = web.get(f"/patients/{clinic.alice}").text
    assert f"Approve plan {plan_id}" in page
    assert "<td>35</td><td>52.5</td>" in page  # each step with its MME, before approval
    assert "SOWS total is above 20 for 3 days in a row" in page

    approve = web.post(f"/patients/{clinic.alice}/tapers/{plan_id}/approve", data={"csrf_token": token},
                       follow_redirects=False)  # fmt: skip
    assert approve.status_code == 303
    assert plans(committed) == [(plan_id, 1, "active")]
    assert "This step: <strong>35 mg a day</strong>" in web.get(f"/patients/{clinic.alice}").text

    for action, status in (("pause", "paused"), ("resume", "active"), ("reverse", "active")):
        live = plans(committed)[-1][0]
        done = web.post(f"/patients/{clinic.alice}/tapers/{live}/{action}", data={"csrf_token": token,
                        "reason": f"Decided to {action}."}, follow_redirects=False)  # fmt: skip
        assert done.status_code == 303, done.text
        assert plans(committed)[-1][2] == status
    assert [p[1] for p in plans(committed)] == [1, 2, 3, 4]


def test_a_refused_revision_shows_the_page_again_and_stores_nothing(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    plan_id = web.post(f"/api/v1/patients/{clinic.alice}/tapers", headers=bob, json=oxycodone()).json()["id"]
    token = sign_in_bob(web)
    early = web.post(f"/patients/{clinic.alice}/tapers/{plan_id}/pause", data={"csrf_token": token, "reason": "Flu."})
    assert early.status_code == 409  # a draft is not live: approve it first
    assert "only a live plan can be changed" in early.text
    assert "Approve plan" in early.text  # a draft offers approval, not a pause: the message is at the top
    web.post(f"/patients/{clinic.alice}/tapers/{plan_id}/approve", data={"csrf_token": token})
    short = web.post(f"/patients/{clinic.alice}/tapers/{plan_id}/pause", data={"csrf_token": token, "reason": "x"})
    assert short.status_code == 422
    assert f'id="error-pause-{plan_id}"' in short.text
    assert "Why: String should have at least 3 characters" in notice(short.text, f"pause-{plan_id}")
    assert 'name="reason" required minlength="3" maxlength="2000" value="x" aria-invalid="true"' in short.text
    assert plans(committed) == [(plan_id, 1, "active")]
    assert audited(committed, "pause") == 0
    assert web.post(f"/patients/{clinic.alice}/tapers/{plan_id}/pause", data={"csrf_token": token,
                    "reason": "Flu this week."}, follow_redirects=False).status_code == 303  # fmt: skip
    stale = web.post(f"/patients/{clinic.alice}/tapers/{plan_id}/pause", data={"csrf_token": token,
                     "reason": "Flu this week."})  # fmt: skip
    assert stale.status_code == 409  # pressed again from a page that still showed version 1
    assert "only a live plan can be changed" in stale.text
    assert '<a href="#taper">Go to the form</a>' in stale.text  # version 1 has no card any more
    assert f'id="taper-{plan_id}"' not in stale.text


BAD_REQUESTS: list[tuple[dict[str, Any], str]] = [
    ({"current_daily_dose": "lots"}, "current_daily_dose"),
    ({"current_daily_dose": -5}, "current_daily_dose"),
    ({"method": "fast"}, "method"),
    ({"interval_days": 0}, "interval_days"),
    ({"interval_days": 2.5}, "interval_days"),
    ({"start": "2020-01-01"}, "start"),
    ({"start": "soon"}, "start"),
    ({"percent": None}, "percent"),
    ({"step": 5}, "step"),
    ({"substance": "unobtainium"}, "substance"),
    ({"unit": "kg"}, "unit"),
    ({"min_step": 80}, "min_step"),
    ({"floor": 45}, "floor"),
    ({"hold_rules": [{"measure": "mood.total", "above": 20, "consecutive_days": 3}]}, "hold_rules.0.measure"),
    ({"hold_rules": [{"measure": "sows.total", "above": 20, "consecutive_days": 0}]}, "hold_rules.0.consecutive_days"),
    ({"reason": "x" * 2001}, "reason"),
    ({"colour": "blue"}, "colour"),
    # Amounts no one takes, refused as any dose would be (`check_amount`), each under its own name.
    ({"current_daily_dose": 1e9}, "current_daily_dose"),
    ({"floor": 0.0000001}, "floor"),
    ({"method": "linear", "percent": None, "step": 1e7}, "step"),
    ({"min_step": 0.0000001}, "min_step"),
    # A limit outside what the score can be never holds (or always does).
    ({"hold_rules": [{"measure": "sows.total", "above": 999, "consecutive_days": 3}]}, "hold_rules.0.above"),
    ({"hold_rules": [{"measure": "sows.total", "above": 64, "consecutive_days": 3}]}, "hold_rules.0.above"),
    ({"hold_rules": [{"measure": "cows.total", "above": 48, "consecutive_days": 3}]}, "hold_rules.0.above"),
    ({"hold_rules": [{"measure": "craving-vas.score", "above": -5, "consecutive_days": 3}]}, "hold_rules.0.above"),
    ({"hold_rules": [{"measure": "sows.score", "above": 20, "consecutive_days": 3}]}, "hold_rules.0.measure"),
]


@pytest.mark.parametrize(("change", "field"), BAD_REQUESTS)
def test_the_api_refuses_bad_input_by_field_and_stores_nothing(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str], change: dict[str, Any],
    field: str,
) -> None:  # fmt: skip
    refused = web.post(f"/api/v1/patients/{clinic.alice}/tapers", headers=bob, json=oxycodone(**change))
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == field
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert plans(committed) == []


def test_implausible_amounts_are_refused_naming_each_field(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    url = f"/api/v1/patients/{clinic.alice}/tapers"
    for change, title in (
        ({"current_daily_dose": 1e9}, "current_daily_dose: 1,000,000,000 mg is not a plausible daily amount"),
        ({"floor": 0.0000001}, "floor: 1e-07 mg is less than 1 mcg, below any real dose"),
        ({"method": "linear", "percent": None, "step": 1e7}, "step: 10,000,000 mg is not a plausible taper step"),
        ({"min_step": 0.0000001}, "min_step: 1e-07 mg is less than 1 mcg, below any real dose"),
    ):
        refused = web.post(url, headers=bob, json=oxycodone(**change))
        assert (refused.status_code, refused.json()["title"]) == (422, title)
    assert plans(committed) == []


def test_a_limit_within_the_scores_range_is_taken(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    rules = [{"measure": "craving-vas.score", "above": 0, "consecutive_days": 2},
             {"measure": "sows.total", "above": 63, "consecutive_days": 1}]  # fmt: skip
    made = web.post(f"/api/v1/patients/{clinic.alice}/tapers", headers=bob, json=oxycodone(hold_rules=rules))
    assert made.status_code == 201, made.text
    refused = web.post(f"/api/v1/patients/{clinic.alice}/tapers", headers=bob,
                       json=oxycodone(hold_rules=[rules[0] | {"above": -5}]))  # fmt: skip
    title = refused.json()["title"]
    assert title == ("hold_rules.0.above: Craving score runs from 0 to 100, so the limit must be at least 0 and below "
                     "100 (above -5 would always hold)")  # fmt: skip


BAD_FORMS: list[tuple[dict[str, str], str, str, int]] = [
    ({"current_daily_dose": "lots"}, "current_daily_dose", "Current dose a day: enter a number", 422),
    ({"current_daily_dose": "0"}, "current_daily_dose", "the current daily dose must be above 0", 422),
    ({"current_daily_dose": "1000000000"}, "current_daily_dose",
     "Current dose a day: 1,000,000,000 mg is not a plausible daily amount", 422),
    ({"interval_days": "two weeks"}, "interval_days", "Days each step lasts: enter a whole number", 422),
    ({"interval_days": ""}, "interval_days", "Days each step lasts is required", 422),
    ({"start": "2020-01-01"}, "start", "First step starts on: 2020-01-01 is in the past; a plan never rewrites days",
     422),
    ({"percent": ""}, "percent", "Percent is required for this method", 422),
    ({"substance": ""}, "substance", "Substance is required", 422),
    ({"regimen_item_id": "999999"}, "regimen_item_id",
     "Regimen item it tapers: no regimen item 999999 for this patient", 404),
    ({"hold_rules.1.measure": "", "hold_rules.1.above": "20"}, "hold_rules.1.measure",
     "Hold rule 2, score: choose what to watch", 422),
    ({"hold_rules.1.above": "high"}, "hold_rules.1.above", "Hold rule 2, limit: enter a number", 422),
    ({"hold_rules.1.above": "80"}, "hold_rules.1.above", "Hold rule 2, limit: SOWS total runs from 0 to 64", 422),
    ({"hold_rules.1.consecutive_days": "0"}, "hold_rules.1.consecutive_days",
     "Hold rule 2, days in a row: Input should be greater than or equal to 1", 422),
]  # fmt: skip


@pytest.mark.parametrize(("change", "field", "message", "status"), BAD_FORMS)
def test_the_form_shows_the_page_again_with_the_message_and_what_was_typed(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, change: dict[str, str], field: str,
    message: str, status: int,
) -> None:  # fmt: skip
    regimen(committed, clinic.alice)
    token = sign_in_bob(web)
    form = {"csrf_token": token, "substance": "oxycodone", "current_daily_dose": "40", "unit": "mg",
            "method": "percent_of_current", "percent": "10", "interval_days": "14", "min_step": "5",
            "start": today(), "hold_rules.1.measure": "sows.total", "hold_rules.1.above": "20",
            "hold_rules.1.consecutive_days": "3", "reason": "Typed with care."} | change  # fmt: skip
    refused = web.post(f"/patients/{clinic.alice}/tapers", data=form)
    assert refused.status_code == status, refused.text
    assert message in notice(refused.text, "taper")  # said where the form is, in words
    marked = refused.text.split(f'name="{field}"', 1)[1].split(">", 1)[0]
    assert 'aria-invalid="true"' in marked
    assert 'value="Typed with care."' in refused.text  # what the clinician typed is still there
    assert plans(committed) == []


def notice(page: str, form: str) -> str:
    """The error notice above one form: said only when that form was refused."""
    start = page.index(f'<p class="notice error" id="error-{form}">')
    return page[start : page.index("</p>", start)]


def test_others_are_kept_out_and_learn_nothing(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    alice_plan = web.post(f"/api/v1/patients/{clinic.alice}/tapers", headers=bob, json=oxycodone()).json()["id"]
    carol = headers(web, "carol@example.org")
    dmitri_plan = web.post(
        f"/api/v1/patients/{clinic.dmitri}/tapers", headers=carol,
        json=oxycodone(start=(datetime.now(UTC) + timedelta(days=2)).date().isoformat()),
    ).json()["id"]  # fmt: skip
    for email in ("carol@example.org", "alice@example.org", "admin@example.org"):
        auth = headers(web, email)
        for method, path, body in (
            ("GET", "", None), ("POST", "", oxycodone()), ("GET", f"/{alice_plan}", None),
            ("POST", f"/{alice_plan}/approve", None), ("POST", f"/{alice_plan}/pause", {"reason": "Because."}),
        ):  # fmt: skip
            answer = web.request(method, f"/api/v1/patients/{clinic.alice}/tapers{path}", headers=auth, json=body)
            assert answer.status_code == 403, (email, method, path, answer.text)
            assert "Alice" not in answer.text
    anonymous = web.post(f"/api/v1/patients/{clinic.alice}/tapers/{alice_plan}/approve")
    assert anonymous.status_code == 401
    # Bob names carol's patient's plan under his own patient: not found, nothing about it said.
    other = web.post(f"/api/v1/patients/{clinic.alice}/tapers/{dmitri_plan}/approve", headers=bob)
    assert (other.status_code, other.json()["field"]) == (404, "plan_id")
    assert "Dmitri" not in other.text
    assert "oxycodone" not in other.text
    assert web.get(f"/api/v1/patients/{clinic.alice}/tapers/{dmitri_plan}", headers=bob).status_code == 404
    assert web.post(f"/api/v1/patients/{clinic.dmitri}/tapers/{dmitri_plan}/approve", headers=bob).status_code == 403
    assert plans(committed) == [(alice_plan, 1, "draft"), (dmitri_plan, 1, "draft")]


def test_a_plan_linked_to_a_regimen_item_must_be_of_its_substance(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    item_id = regimen(committed, clinic.alice)  # kratom
    url = f"/api/v1/patients/{clinic.alice}/tapers"
    wrong = web.post(url, headers=bob, json=oxycodone(regimen_item_id=item_id))
    assert (wrong.status_code, wrong.json()["field"]) == (422, "regimen_item_id")
    kratom = {"substance": "kratom", "form": "leaf_powder", "current_daily_dose": 4, "unit": "g", "method": "linear",
              "step": 0.5, "interval_days": 7, "start": today(), "regimen_item_id": item_id}  # fmt: skip
    made = web.post(url, headers=bob, json=kratom)
    assert made.status_code == 201, made.text
    assert made.json()["regimen_item_id"] == item_id
    assert made.json()["steps"][0]["mme_per_day"] is None  # kratom has no CDC factor: none is invented


def test_the_api_routes_are_documented_and_the_forms_are_not(web: TestClient) -> None:
    paths = web.get("/openapi.json").json()["paths"]
    patient = "/api/v1/patients/{patient_id}"
    documented = [(f"{patient}/tapers", "get"), (f"{patient}/tapers", "post"),
                  (f"{patient}/tapers/{{plan_id}}", "get"), (f"{patient}/regimen", "post"),
                  (f"{patient}/sleep-windows", "get"), (f"{patient}/sleep-windows", "post"),
                  (f"{patient}/sleep-windows/{{window_id}}/decision", "post")]  # fmt: skip
    documented += [(f"{patient}/tapers/{{plan_id}}/{a}", "post") for a in ("approve", "pause", "resume", "reverse")]
    for path, method in documented:
        operation = paths[path][method]
        assert operation["tags"] == ["clinician"], path
        assert operation["summary"], path
        assert operation["description"], path
    assert not [path for path in paths if path.startswith("/patients/")]


def read_audits(committed: sessionmaker[Session], entity: str) -> list[tuple[str, int | None, Any]]:
    with committed() as s, s.begin():
        query = select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id)
        return [(e.action, e.patient_id, e.detail) for e in s.scalars(query)]


def test_reading_the_plans_is_audited(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    url = f"/api/v1/patients/{clinic.alice}/tapers"
    plan_id = web.post(url, headers=bob, json=oxycodone()).json()["id"]
    assert web.get(url, headers=bob).status_code == 200
    assert read_audits(committed, "taper_plans") == [("read", clinic.alice, {"plans": [plan_id]})]
    assert web.get(f"{url}?history=true", headers=bob).status_code == 200
    assert len(read_audits(committed, "taper_plans")) == 2


def test_the_next_step_is_said_to_be_held_while_a_rule_holds_it_or_the_plan_is_paused(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    url = f"/api/v1/patients/{clinic.alice}/tapers"
    plan_id = web.post(url, headers=bob, json=oxycodone()).json()["id"]
    progress = web.post(f"{url}/{plan_id}/approve", headers=bob).json()["progress"]
    assert (progress["next_step_held"], progress["next_step"]["daily_dose"]) == (False, 30)
    now = datetime.now(UTC)
    for days in range(3):  # SOWS 30 on each of her last three days: the rule (above 20, 3 days) is met
        check_in(committed, clinic.alice, "sows", 30, now - timedelta(days=days), f"s{days}")
    progress = web.get(f"{url}/{plan_id}", headers=bob).json()["progress"]
    assert (progress["state"], progress["next_step"], progress["next_step_held"]) == ("hold", None, True)
    assert progress["next_step_note"].startswith("Next: 30 mg a day, held until you decide. SOWS total has been above")
    token = sign_in_bob(web)
    card = web.get(f"/patients/{clinic.alice}").text.split(f'id="taper-{plan_id}"', 1)[1].split("</article>", 1)[0]
    assert "Next: 30 mg a day, held until you decide. SOWS total has been above 20 for 3 days in a row" in card
    assert " from " + (datetime.fromisoformat(today()).date() + timedelta(days=14)).isoformat() not in card
    assert "sows.total" not in card
    web.post(f"/patients/{clinic.alice}/tapers/{plan_id}/pause", data={"csrf_token": token, "reason": "Flu."})
    [paused] = web.get(url, headers=bob).json()
    progress = paused["progress"]
    assert (progress["state"], progress["next_step"], progress["next_step_held"]) == ("paused", None, True)
    assert "held until you decide. The plan was paused on" in progress["next_step_note"]


def test_a_plan_of_another_patient_cannot_be_paused_resumed_or_reversed(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    carol = headers(web, "carol@example.org")
    dmitri_url = f"/api/v1/patients/{clinic.dmitri}/tapers"
    start = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    dmitri_plan = web.post(dmitri_url, headers=carol, json=oxycodone(start=start)).json()["id"]
    assert web.post(f"{dmitri_url}/{dmitri_plan}/approve", headers=carol).status_code == 200
    token = sign_in_bob(web)
    for action in ("pause", "resume", "reverse"):
        body = {"reason": "Not mine to change."}
        # Under his own patient's path: not found, and nothing said about it.
        hidden = web.post(f"/api/v1/patients/{clinic.alice}/tapers/{dmitri_plan}/{action}", headers=bob, json=body)
        assert (hidden.status_code, hidden.json()["field"]) == (404, "plan_id"), action
        assert "oxycodone" not in hidden.text
        # Under Dmitri's path: not his clinician.
        assert web.post(f"{dmitri_url}/{dmitri_plan}/{action}", headers=bob, json=body).status_code == 403
        page = web.post(f"/patients/{clinic.alice}/tapers/{dmitri_plan}/{action}", data={"csrf_token": token} | body)
        assert page.status_code == 404
        assert "there is no such taper plan for this patient; reload the page" in page.text
        assert '<a href="#taper">Go to the form</a>' in page.text
        assert 'id="taper"' in page.text
        assert str(dmitri_plan) not in page.text.split('role="alert"', 1)[1].split("</p>", 1)[0]
        assert web.post(f"/patients/{clinic.dmitri}/tapers/{dmitri_plan}/{action}",
                        data={"csrf_token": token} | body).status_code == 403  # fmt: skip
    assert plans(committed) == [(dmitri_plan, 1, "active")]


def test_the_approve_notice_for_a_plan_not_on_the_page_links_to_the_tapers(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic
) -> None:
    token = sign_in_bob(web)
    missing = web.post(f"/patients/{clinic.alice}/tapers/999999/approve", data={"csrf_token": token})
    assert missing.status_code == 404
    assert "there is no such taper plan for this patient; reload the page" in missing.text
    assert '<a href="#taper">Go to the form</a>' in missing.text
    assert "999999" not in missing.text.split('role="alert"', 1)[1].split("</p>", 1)[0]


def test_the_taper_forms_need_the_csrf_token(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    plan_id = web.post(f"/api/v1/patients/{clinic.alice}/tapers", headers=bob, json=oxycodone()).json()["id"]
    sign_in_bob(web)
    form = {"substance": "oxycodone", "current_daily_dose": "40", "unit": "mg", "method": "linear", "step": "5",
            "min_step": "5", "interval_days": "14", "start": today(), "reason": "No token."}  # fmt: skip
    base = f"/patients/{clinic.alice}/tapers"
    for path, data in (("", form), (f"/{plan_id}/approve", {}), (f"/{plan_id}/pause", {"reason": "No token."}),
                       (f"/{plan_id}/resume", {"reason": "No token."}),
                       (f"/{plan_id}/reverse", {"reason": "No token."})):  # fmt: skip
        refused = web.post(base + path, data=data)
        assert refused.status_code == 403, (path, refused.text)
        assert "this form has expired; reload the page and try again" in refused.text
    assert plans(committed) == [(plan_id, 1, "draft")]
