"""The regimen editor over HTTP: a new version by API and by form, products named and checked, and refusals
that name the input (problem JSON; on the page, the message at the form with what was typed still there)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from morrow.db.models import AuditEvent, Product, Regimen, RegimenItem
from tests.conftest import PASSWORD
from tests.web_clinician.conftest import Clinic, headers, regimen
from tests.web_clinician.test_patient_view import COWS
from tests.web_helpers import csrf_of


def products(committed: sessionmaker[Session]) -> dict[str, int]:
    """A kratom powder, kratom capsules and a melatonin tablet."""
    rows = {
        "powder": Product(substance_id="kratom", form="leaf_powder", name="Green Vein powder"),
        "capsules": Product(
            substance_id="kratom",
            form="capsule",
            name="Red Bali capsules",
            strength=0.5,
            strength_unit="g",
            per="capsule",
        ),
        "melatonin": Product(substance_id="melatonin", form="immediate", name="Melatonin 3 mg tablet"),
    }
    with committed() as s, s.begin():
        s.add_all(rows.values())
    return {key: row.id for key, row in rows.items()}


def regimens(committed: sessionmaker[Session]) -> list[tuple[int, str]]:
    with committed() as s, s.begin():
        return [(r.id, r.status) for r in s.scalars(select(Regimen).order_by(Regimen.id))]


def test_it_starts_a_new_version_by_api(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    item_id = regimen(committed, clinic.alice)
    ids = products(committed)
    url = f"/api/v1/patients/{clinic.alice}/regimen"
    body = {"reason": "Taper step and sleep support.",
            "changes": {str(item_id): {"dose": 1.5, "ceiling_dose": 5, "product_id": ids["powder"]}},
            "added": {"substance": "melatonin", "dose": 3, "unit": "mg", "times": ["21:30"],
                      "product_id": ids["melatonin"]}}  # fmt: skip
    made = web.post(url, headers=bob, json=body)
    assert made.status_code == 201, made.text
    items = made.json()["items"]
    assert [(i["substance"], i["dose"], i["ceiling_dose"], i["product_name"]) for i in items] == [
        ("kratom", 1.5, 5, "Green Vein powder"),
        ("melatonin", 3, None, "Melatonin 3 mg tablet"),
    ]
    assert web.get(url, headers=bob).json()["items"] == items
    assert [status for _, status in regimens(committed)] == ["ended", "active"]
    with committed() as s, s.begin():
        actions = s.execute(select(AuditEvent.action).where(AuditEvent.entity == "regimen")).scalars().all()
    assert (actions.count("create"), actions.count("end")) == (2, 1)
    later = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    cleared = web.post(
        url, headers=bob, json={"changes": {str(items[0]["id"]): {"product_id": None}}, "starts_on": later,
                                "reason": "Product unknown.", "based_on_regimen_id": made.json()["regimen_id"]},
    )  # fmt: skip
    assert cleared.status_code == 201, cleared.text
    assert [i["product_id"] for i in cleared.json()["items"]] == [None, ids["melatonin"]]


def test_a_dose_change_keeps_the_product(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    item_id = regimen(committed, clinic.alice)
    ids = products(committed)
    with committed() as s, s.begin():
        s.get_one(RegimenItem, item_id).product_id = ids["powder"]
    change = {"regimen_item_id": item_id, "proposed_dose": 1.5, "reason": "A smaller dose."}
    applied = web.post(f"/api/v1/patients/{clinic.alice}/dose-changes", headers=bob, json=change)
    assert applied.json()["status"] == "applied", applied.text
    [item] = web.get(f"/api/v1/patients/{clinic.alice}/regimen", headers=bob).json()["items"]
    assert (item["dose"], item["product_id"], item["product_name"]) == (1.5, ids["powder"], "Green Vein powder")


def alice_day(days: int = 0) -> str:
    """Alice's date (New York), `days` from today."""
    return (datetime.now(UTC).astimezone(ZoneInfo("America/New_York")).date() + timedelta(days=days)).isoformat()


LOWER = {"changes": {"ITEM": {"dose": 1.5}}}  # a real change, so that what is refused is the case's own input
BAD: list[tuple[str, Any, str, int]] = [
    ("dose", {"changes": {"ITEM": {"dose": -1}}}, "changes.ITEM.dose", 422),
    ("dose", {"changes": {"ITEM": {"dose": "lots"}}}, "changes.ITEM.dose", 422),
    ("implausible dose", {"changes": {"ITEM": {"dose": 5000, "ceiling_dose": 6000}}}, "changes.ITEM.dose", 422),
    ("tiny dose", {"changes": {"ITEM": {"dose": 0.0000001}}}, "changes.ITEM.dose", 422),
    ("ceiling", {"changes": {"ITEM": {"ceiling_dose": 1}}}, "changes.ITEM", 422),
    ("ceiling null", {"changes": {"ITEM": {"ceiling_dose": None}}}, "changes.ITEM.ceiling_dose", 422),
    ("ceiling and removal", {"changes": {"ITEM": {"ceiling_dose": 5, "remove_ceiling": True}}},
     "changes.ITEM.remove_ceiling", 422),
    ("removal not a boolean", {"changes": {"ITEM": {"remove_ceiling": "yes"}}}, "changes.ITEM.remove_ceiling", 422),
    ("unknown item", {"changes": {"999999": {"dose": 1}}}, "changes.999999", 422),
    ("product", {"changes": {"ITEM": {"product_id": 999999}}}, "changes.ITEM.product_id", 422),
    ("product substance", {"changes": {"ITEM": {"product_id": "MELATONIN"}}}, "changes.ITEM.product_id", 422),
    ("product form", {"changes": {"ITEM": {"product_id": "CAPSULES"}}}, "changes.ITEM.product_id", 422),
    ("added times", {"added": {"substance": "melatonin", "dose": 3, "unit": "mg", "times": ["25:00"]}},
     "added.times", 422),
    ("added substance", {"added": {"substance": "unobtainium", "dose": 3, "unit": "mg", "times": ["21:00"]}},
     "added.substance", 422),
    ("added product", {"added": {"substance": "kratom", "dose": 3, "unit": "g", "times": ["21:00"],
                                 "product_id": "MELATONIN"}}, "added.product_id", 422),
    ("added schedule", {"added": {"substance": "melatonin", "dose": 3, "unit": "mg", "schedule": "as_needed"}},
     "added", 422),
    ("starts_on before the version", LOWER | {"starts_on": "2020-01-01"}, "starts_on", 409),
    ("starts_on too far", LOWER | {"starts_on": "AHEAD91"}, "starts_on", 422),
    ("nothing changes", {"changes": {"ITEM": {"dose": 2, "ceiling_dose": 6}}}, "changes", 422),
    ("no reason", LOWER | {"reason": ""}, "reason", 422),
    ("short reason", LOWER | {"reason": "ok"}, "reason", 422),
    ("long reason", LOWER | {"reason": "x" * 2001}, "reason", 422),
    ("stale version", LOWER | {"based_on_regimen_id": 999999}, "based_on_regimen_id", 409),
]  # fmt: skip


@pytest.mark.parametrize(("case", "body", "field", "status"), BAD, ids=[case for case, *_ in BAD])
def test_the_api_refuses_bad_input_by_field_and_changes_nothing(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str], case: str,
    body: dict[str, Any], field: str, status: int,
) -> None:  # fmt: skip
    item_id = regimen(committed, clinic.alice)
    ids = products(committed)
    text = json.dumps({"reason": "Typed with care."} | body).replace("ITEM", str(item_id))
    text = text.replace("AHEAD91", alice_day(91))
    for key in ("MELATONIN", "CAPSULES"):
        text = text.replace(f'"{key}"', str(ids[key.lower()]))
    refused = web.post(f"/api/v1/patients/{clinic.alice}/regimen", headers=bob, json=json.loads(text))
    assert refused.status_code == status, refused.text
    named = field.replace("ITEM", str(item_id))
    assert refused.json()["field"] == named
    assert refused.json()["title"].startswith(f"{named}:") or status == 409
    assert f"{named}: {named.rsplit('.', 1)[-1]}:" not in refused.json()["title"]  # the field is named once
    assert regimens(committed) == [(regimens(committed)[0][0], "active")]


def test_an_implausible_dose_is_refused_as_the_dose(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    item_id = regimen(committed, clinic.alice)
    url = f"/api/v1/patients/{clinic.alice}/regimen"
    for dose, said in (
        (5000, "5,000 g is not a plausible single dose"),
        (0.0000001, "1e-07 g is less than 1 mcg, below any real dose"),
    ):
        body = {"reason": "Typed with care.", "changes": {str(item_id): {"dose": dose, "ceiling_dose": 6000}}}
        refused = web.post(url, headers=bob, json=body).json()
        assert (refused["field"], refused["title"]) == (f"changes.{item_id}.dose", f"changes.{item_id}.dose: {said}")


def test_a_version_made_from_a_stale_page_or_read_is_refused(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    item_id = regimen(committed, clinic.alice)
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    opened = web.get(f"/patients/{clinic.alice}").text  # bob opens the editor ...
    based_on = opened.split('name="based_on_regimen_id" value="', 1)[1].split('"', 1)[0]
    url = f"/api/v1/patients/{clinic.alice}/regimen"
    read = web.get(url, headers=bob).json()
    assert str(read["regimen_id"]) == based_on
    # ... while a colleague starts a version (from tomorrow) from the same regimen.
    colleague = {"based_on_regimen_id": read["regimen_id"], "starts_on": alice_day(1), "reason": "Lower at visit.",
                 "changes": {str(item_id): {"dose": 1.5}}}  # fmt: skip
    assert web.post(url, headers=bob, json=colleague).status_code == 201
    form = {"csrf_token": csrf_of(web), "based_on_regimen_id": based_on, f"dose_{item_id}": "2.5",
            f"product_{item_id}": "", "starts_on": alice_day(2), "reason": "Raise a little."}  # fmt: skip
    stale = web.post(f"/patients/{clinic.alice}/regimen", data=form)
    assert stale.status_code == 409, stale.text
    assert "Not saved. the regimen changed since you opened it; reload and try again" in notice(stale.text)
    again = web.post(url, headers=bob, json=colleague | {"starts_on": alice_day(2)})
    assert (again.status_code, again.json()["field"]) == (409, "based_on_regimen_id")
    assert [status for _, status in regimens(committed)] == ["ended", "active"]
    [kratom] = web.get(url, headers=bob).json()["items"]
    assert kratom["dose"] == 1.5  # the colleague's change stands; nothing was silently undone


def test_a_version_that_has_not_started_can_be_replaced(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    item_id = regimen(committed, clinic.alice)
    url = f"/api/v1/patients/{clinic.alice}/regimen"
    typo = {"starts_on": alice_day(60), "reason": "Lower from the next visit.", "changes": {str(item_id): {"dose": 1}}}
    planned = web.post(url, headers=bob, json=typo)
    assert planned.status_code == 201, planned.text
    planned_item = str(planned.json()["items"][0]["id"])
    fixed = {"based_on_regimen_id": planned.json()["regimen_id"], "starts_on": alice_day(6),
             "reason": "Meant next week.", "changes": {planned_item: {"dose": 1.5}}}  # fmt: skip
    replaced = web.post(url, headers=bob, json=fixed)
    assert replaced.status_code == 201, replaced.text
    with committed() as s, s.begin():
        rows = [(r.status, r.starts_on.isoformat(), r.ends_on and r.ends_on.isoformat())
                for r in s.scalars(select(Regimen).order_by(Regimen.id))]  # fmt: skip
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity == "regimen")).all()
        active = s.scalars(select(Regimen).where(Regimen.status == "active")).one()
        assert [(i.dose, i.starts_on.isoformat()) for i in active.items] == [(1.5, alice_day(6))]  # in force from then
    first_start = rows[0][1]
    assert rows == [
        ("ended", first_start, alice_day(5)),  # in force until the new version, no longer until day 59
        ("ended", alice_day(60), alice_day(5)),  # withdrawn: it ends before it starts, never in force
        ("active", alice_day(6), None),
    ]
    assert "withdraw" in actions
    started = {"starts_on": alice_day(3), "reason": "Sooner.", "changes": {str(replaced.json()["items"][0]["id"]):
               {"dose": 1.25}}}  # fmt: skip
    assert web.post(url, headers=bob, json=started).status_code == 201  # day 6 has not come yet either


def test_a_version_is_corrected_on_its_first_day_while_nothing_is_recorded_against_it(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    item_id = regimen(committed, clinic.alice)  # in force since a week ago
    url = f"/api/v1/patients/{clinic.alice}/regimen"
    typo = web.post(url, headers=bob, json={"starts_on": alice_day(0), "reason": "Lower today.",
                                            "changes": {str(item_id): {"dose": 0.15}}})  # fmt: skip
    assert typo.status_code == 201, typo.text
    typo_item = typo.json()["items"][0]["id"]
    correction = {"based_on_regimen_id": typo.json()["regimen_id"], "starts_on": alice_day(0), "reason": "Meant 1.5 g.",
                  "changes": {str(typo_item): {"dose": 1.5}}}  # fmt: skip
    fixed = web.post(url, headers=bob, json=correction)
    assert fixed.status_code == 201, fixed.text
    with committed() as s, s.begin():
        rows = [(r.status, r.starts_on.isoformat(), r.ends_on and r.ends_on.isoformat())
                for r in s.scalars(select(Regimen).order_by(Regimen.id))]  # fmt: skip
        withdrawn = s.scalars(select(AuditEvent).where(AuditEvent.action == "withdraw")).one()
        assert withdrawn.detail == {
            "starts_on": alice_day(0),
            "never_in_force": False,
            "corrected_on_its_first_day": True,
        }
    assert rows[1:] == [("ended", alice_day(0), alice_day(-1)), ("active", alice_day(0), None)]
    assert rows[0][2] == alice_day(-1)  # the week-old version still ends yesterday

    # A page still showing the withdrawn version cannot log a dose against it.
    stale = {"substance": "kratom", "amount": 0.15, "unit": "g", "kind": "planned", "regimen_item_id": typo_item,
             "taken_at": datetime.now(UTC).isoformat(), "idempotency_key": "first-day-dose-0"}  # fmt: skip
    refused = web.post(f"/api/v1/patients/{clinic.alice}/doses", headers=bob, json=stale)
    assert (refused.status_code, refused.json()["field"]) == (409, "regimen_item_id")
    assert "withdrawn" in refused.json()["title"]

    # Once a dose is logged against today's version, a correction waits for tomorrow.
    fixed_item = fixed.json()["items"][0]["id"]
    taken = {"substance": "kratom", "amount": 1.5, "unit": "g", "kind": "planned", "regimen_item_id": fixed_item,
             "taken_at": datetime.now(UTC).isoformat(), "idempotency_key": "first-day-dose-1"}  # fmt: skip
    assert web.post(f"/api/v1/patients/{clinic.alice}/doses", headers=bob, json=taken).status_code == 201
    again = web.post(url, headers=bob, json={"starts_on": alice_day(0), "reason": "Lower again.",
                                             "changes": {str(fixed_item): {"dose": 1.25}}})  # fmt: skip
    assert again.status_code == 409
    assert again.json()["field"] == "starts_on"
    assert f"a corrected version must start tomorrow ({alice_day(1)})" in again.json()["title"]
    tomorrow = web.post(url, headers=bob, json={"starts_on": alice_day(1), "reason": "Lower from tomorrow.",
                                                "changes": {str(fixed_item): {"dose": 1.25}}})  # fmt: skip
    assert tomorrow.status_code == 201, tomorrow.text


def test_a_ceiling_is_removed_only_on_purpose_and_the_removal_is_audited(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    item_id = regimen(committed, clinic.alice)
    url = f"/api/v1/patients/{clinic.alice}/regimen"
    silent = web.post(url, headers=bob, json={"reason": "Tidy.", "changes": {str(item_id): {"ceiling_dose": None}}})
    assert (silent.status_code, silent.json()["field"]) == (422, f"changes.{item_id}.ceiling_dose")
    assert "remove_ceiling" in silent.json()["title"]
    body = {"reason": "She manages well.", "changes": {str(item_id): {"remove_ceiling": True}}}
    removed = web.post(url, headers=bob, json=body)
    assert removed.status_code == 201, removed.text
    [kratom] = removed.json()["items"]
    assert kratom["ceiling_dose"] is None
    with committed() as s, s.begin():
        [event] = s.scalars(select(AuditEvent).where(AuditEvent.action == "remove_ceiling")).all()
        assert (event.entity, event.entity_id, event.patient_id) == ("regimen_item", str(kratom["id"]), clinic.alice)
        assert (event.detail["removed_ceiling_dose"], event.detail["reason"]) == (6, "She manages well.")


def test_the_form_removes_a_ceiling_with_its_checkbox(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    item_id = regimen(committed, clinic.alice)
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    page = web.get(f"/patients/{clinic.alice}").text
    assert f'name="remove_ceiling_{item_id}" value="1"' in page
    based_on = page.split('name="based_on_regimen_id" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": csrf_of(web), "based_on_regimen_id": based_on, f"dose_{item_id}": "2",
            f"ceiling_dose_{item_id}": "6", f"remove_ceiling_{item_id}": "1", f"product_{item_id}": "",
            "reason": "No ceiling any more."}  # fmt: skip
    sent = web.post(f"/patients/{clinic.alice}/regimen", data=form, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    [kratom] = web.get(f"/api/v1/patients/{clinic.alice}/regimen", headers=bob).json()["items"]
    assert kratom["ceiling_dose"] is None


def test_the_form_needs_a_reason_and_a_change(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic
) -> None:
    item_id = regimen(committed, clinic.alice)
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    form = {"csrf_token": csrf_of(web), f"dose_{item_id}": "2", f"ceiling_dose_{item_id}": "6",
            f"product_{item_id}": "", "reason": "Looked again."}  # fmt: skip
    same = web.post(f"/patients/{clinic.alice}/regimen", data=form)
    assert same.status_code == 422
    assert "New version: nothing changes; change a dose, a ceiling or a product, or add an item" in notice(same.text)
    unexplained = web.post(f"/patients/{clinic.alice}/regimen", data=form | {f"dose_{item_id}": "1.5", "reason": ""})
    assert unexplained.status_code == 422
    assert "Reason: String should have at least 3 characters" in notice(unexplained.text)
    assert 'aria-invalid="true"' in unexplained.text.split('id="regimen-reason"', 1)[1].split(">", 1)[0]
    assert 'value="1.5"' in unexplained.text  # what was typed is still there
    assert [status for _, status in regimens(committed)] == ["active"]


def test_a_new_item_without_its_substance_is_refused_not_dropped(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic
) -> None:
    item_id = regimen(committed, clinic.alice)
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    form = {"csrf_token": csrf_of(web), f"dose_{item_id}": "2", f"ceiling_dose_{item_id}": "6",
            f"product_{item_id}": "", "new_substance": " ", "new_dose": "3", "new_unit": "mg",
            "new_schedule": "fixed", "new_times": "22:00", "reason": "Add melatonin at night."}  # fmt: skip
    refused = web.post(f"/patients/{clinic.alice}/regimen", data=form)
    assert refused.status_code == 422
    assert "New item substance: name the new item&#39;s substance, or clear its other fields" in notice(refused.text)
    assert 'aria-invalid="true"' in refused.text.split('id="new_substance"', 1)[1].split(">", 1)[0]
    assert 'value="22:00"' in refused.text  # what was typed is still there
    assert [status for _, status in regimens(committed)] == ["active"]
    only_the_schedule = {k: v for k, v in form.items() if not k.startswith("new_")} | {"new_schedule": "fixed"}
    changed = web.post(f"/patients/{clinic.alice}/regimen", data=only_the_schedule | {f"dose_{item_id}": "1.5"})
    assert changed.status_code == 200  # the select always sends a schedule: alone it adds nothing
    assert [status for _, status in regimens(committed)] == ["ended", "active"]


def test_the_regimen_form_needs_the_csrf_token(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic
) -> None:
    item_id = regimen(committed, clinic.alice)
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    refused = web.post(f"/patients/{clinic.alice}/regimen", data={f"dose_{item_id}": "1.5", "reason": "Lower."})
    assert refused.status_code == 403
    assert [status for _, status in regimens(committed)] == ["active"]


def notice(page: str, form: str = "regimen") -> str:
    """The error notice above a form (the words said only when it was refused)."""
    start = page.index(f'<p class="notice error" id="error-{form}">')
    return page[start : page.index("</p>", start)]


def test_the_form_names_a_product_and_shows_it(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    item_id = regimen(committed, clinic.alice)
    ids = products(committed)
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    page = web.get(f"/patients/{clinic.alice}").text
    assert f'<option value="{ids["powder"]}">Green Vein powder (leaf powder)</option>' in page
    assert "Melatonin 3 mg tablet" in page  # offered for a new item
    form = {"csrf_token": csrf_of(web), f"dose_{item_id}": "2", f"product_{item_id}": str(ids["powder"]),
            "reason": "Named the product she buys."}  # fmt: skip
    assert web.post(f"/patients/{clinic.alice}/regimen", data=form, follow_redirects=False).status_code == 303
    assert "kratom (leaf powder), Green Vein powder: 2 g" in web.get(f"/patients/{clinic.alice}").text
    assert (
        web.get(f"/api/v1/patients/{clinic.alice}/regimen", headers=bob).json()["items"][0]["product_id"]
        == (ids["powder"])
    )


FORM_ERRORS: list[tuple[str, dict[str, str], str, str, int]] = [
    ("dose", {"dose_ITEM": "lots"}, "dose_ITEM", "kratom dose: enter a number", 422),
    ("dose", {"dose_ITEM": "-2"}, "dose_ITEM", "kratom dose: must be a positive number", 422),
    ("dose 1_000", {"dose_ITEM": "1_000"}, "dose_ITEM", "kratom dose: enter a number such as 2 or 0.5", 422),
    ("dose 2e0", {"dose_ITEM": "2e0"}, "dose_ITEM", "kratom dose: enter a number such as 2 or 0.5", 422),
    ("dose nan", {"dose_ITEM": "nan"}, "dose_ITEM", "kratom dose: enter a number such as 2 or 0.5", 422),
    ("dose inf", {"dose_ITEM": "inf"}, "dose_ITEM", "kratom dose: enter a number such as 2 or 0.5", 422),
    ("new most a day", {"new_substance": "melatonin", "new_dose": ".5", "new_unit": "mg", "new_schedule": "as_needed",
                        "new_max_doses_per_day": "+2"}, "new_max_doses_per_day",
     "New item max doses per day: enter a whole number", 422),
    ("ceiling", {"ceiling_dose_ITEM": "1"}, "item_ITEM", "kratom: ceiling_dose must be at least the dose", 422),
    ("product", {"product_ITEM": "CAPSULES"}, "product_ITEM", "kratom product: Red Bali capsules is a capsule", 422),
    ("new dose", {"new_substance": "melatonin", "new_dose": "three", "new_unit": "mg", "new_times": "21:00"},
     "new_dose", "New item dose: enter a number", 422),
    ("new times", {"new_substance": "melatonin", "new_dose": "3", "new_unit": "mg", "new_times": "9pm"},
     "new_times", "New item times: &#39;9pm&#39; is not a 24-hour time", 422),
    ("new product", {"new_substance": "melatonin", "new_dose": "3", "new_unit": "mg", "new_times": "21:00",
                     "new_product_id": "POWDER"}, "new_product_id", "New item product: Green Vein powder is kratom",
     422),
    ("implausible dose", {"dose_ITEM": "5000", "ceiling_dose_ITEM": "6000"}, "dose_ITEM",
     "kratom dose: 5,000 g is not a plausible single dose", 422),
    ("starts_on", {"starts_on": "next week"}, "starts_on", "Starts on: enter a date", 422),
    ("starts_on", {"starts_on": "2020-01-01", "dose_ITEM": "1.5"}, "starts_on", "a new one must start after it",
     409),
    ("starts_on too far", {"starts_on": "AHEAD91", "dose_ITEM": "1.5"}, "starts_on",
     "Starts on: AHEAD91 is more than 90 days after today", 422),
]  # fmt: skip


@pytest.mark.parametrize(("case", "change", "name", "message", "status"), FORM_ERRORS,
                         ids=[case for case, *_ in FORM_ERRORS])  # fmt: skip
def test_the_form_shows_the_page_again_naming_the_input(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, case: str, change: dict[str, str], name: str,
    message: str, status: int,
) -> None:  # fmt: skip
    item_id = regimen(committed, clinic.alice)
    ids = products(committed)

    def real(text: str) -> str:
        text = text.replace("ITEM", str(item_id)).replace("AHEAD91", alice_day(91))
        return str(ids[text.lower()]) if text in ("CAPSULES", "POWDER") else text

    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    form = {"csrf_token": csrf_of(web), "reason": "Typed with care."} | {real(k): real(v) for k, v in change.items()}
    refused = web.post(f"/patients/{clinic.alice}/regimen", data=form)
    assert refused.status_code == status, refused.text
    assert real(message) in notice(refused.text)
    if name == "item_ITEM":  # about the item as a whole: its fieldset is marked
        assert '<fieldset aria-invalid="true" aria-describedby="error-regimen">' in refused.text
    else:
        assert 'aria-invalid="true"' in refused.text.split(f'id="{real(name)}"', 1)[1].split(">", 1)[0]
    assert 'value="Typed with care."' in refused.text
    assert [status for _, status in regimens(committed)] == ["active"]


def test_other_notes_and_cows_forms_show_the_page_again(web: TestClient, clinic: Clinic) -> None:
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    token = csrf_of(web)
    short = web.post(f"/patients/{clinic.alice}/notes", data={"csrf_token": token, "kind": "phone", "body": "ok"})
    assert short.status_code == 422
    assert 'id="error-notes"' in short.text
    assert "body: String should have at least 3 characters" in short.text
    assert '<option value="phone" selected>' in short.text
    assert ">ok</textarea>" in short.text
    long = web.post(f"/patients/{clinic.alice}/notes", data={"csrf_token": token, "body": "x" * 9000})
    assert long.status_code == 422  # the page again, not the error page
    assert 'id="error-notes"' in long.text
    cows = web.post(f"/patients/{clinic.alice}/cows", data={"csrf_token": token, "pulse_bpm": "fast", "sweating": "1"})
    assert cows.status_code == 422
    assert 'id="error-cows"' in cows.text
    assert 'value="fast" aria-invalid="true"' in cows.text
    assert '<option value="1" selected>1</option>' in cows.text
    items = {k: str(v) for k, v in COWS.items()}
    zero = web.post(f"/patients/{clinic.alice}/cows", data={"csrf_token": token, "pulse_bpm": "0", **items})
    assert zero.status_code == 422
    assert "bpm" in zero.text
    assert 'id="pulse_bpm" name="pulse_bpm" inputmode="numeric" pattern="[0-9]*" value="0" aria-invalid' in zero.text


def test_others_cannot_start_a_regimen_version(
    web: TestClient, committed: sessionmaker[Session], clinic: Clinic, bob: dict[str, str]
) -> None:
    item_id = regimen(committed, clinic.alice)
    body = {"changes": {str(item_id): {"dose": 1}}, "reason": "Lower."}
    for email in ("carol@example.org", "alice@example.org", "admin@example.org"):
        refused = web.post(f"/api/v1/patients/{clinic.alice}/regimen", headers=headers(web, email), json=body)
        assert refused.status_code == 403
        assert "Alice" not in refused.text
    assert web.post(f"/api/v1/patients/{clinic.alice}/regimen", json=body).status_code == 401
    other = web.post(f"/api/v1/patients/{clinic.quiet}/regimen", headers=bob, json=body)
    assert (other.status_code, other.json()["field"]) == (422, f"changes.{item_id}")  # not Quinn's item
    assert [status for _, status in regimens(committed)] == ["active"]
