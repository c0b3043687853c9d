"""Bob's morning in a real browser: triage with the urgent patient on top, the timeline, acknowledge, approve."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from morrow.demo.cast import DEMO_PASSWORD
from morrow.runtime import build_runtime
from morrow.services.actors import Actor
from morrow.services.doses import log_dose
from morrow.settings import Settings
from tests.browser.conftest import sign_in


def call(url: str, headers: dict[str, str] | None = None, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    """A JSON request over loopback: (status, decoded body)."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def token(base: str, email: str) -> dict[str, Any]:
    status, issued = call(f"{base}/api/v1/auth/token", body={"email": email, "password": DEMO_PASSWORD})
    assert status == 201, issued
    return dict(issued)


def raise_urgent(tmp_path_factory: pytest.TempPathFactory, patient_id: int) -> None:
    """Kratom then alcohol for `now`. The patient dose API is not part of this test's code, so the doses go
    through the services straight into the live server's SQLite file (WAL: the server sees them at once)."""
    db = max(tmp_path_factory.getbasetemp().glob("live*/live.db"), key=lambda path: path.stat().st_mtime)
    runtime = build_runtime(Settings(database_url=f"sqlite:///{db}"))
    now = datetime.now(UTC)
    with runtime.sessions() as session:
        for n, (substance, amount, unit) in enumerate((("kratom", 4, "g"), ("alcohol", 3, "standard_drink"))):
            at = now - timedelta(minutes=40 - 20 * n)
            data = {"substance": substance, "amount": amount, "unit": unit, "taken_at": at.isoformat(),
                    "idempotency_key": f"browser-urgent-{n}-{now:%H%M%S}"}  # fmt: skip
            log_dose(session, Actor.system("browser-test"), patient_id, data, now=now)
    runtime.engine.dispose()


def propose_pending(base: str, bob: dict[str, str], patient_id: int) -> int:
    _, regimen = call(f"{base}/api/v1/patients/{patient_id}/regimen", bob)
    for item in regimen["items"]:
        ceiling = item["ceiling_dose"] or item["dose"] * 2
        if ceiling <= item["dose"]:
            continue
        body = {"regimen_item_id": item["id"], "proposed_dose": ceiling, "reason": "Browser test: withdrawal at night."}
        status, made = call(f"{base}/api/v1/patients/{patient_id}/dose-changes", bob, body)
        if status == 201 and made["status"] == "pending":
            return int(made["id"])
    pytest.fail(f"no item of patient {patient_id} could take a pending increase: {regimen}")


def test_bob_triages_acknowledges_and_approves(
    page: Page, live_server: str, artifacts: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    alice = int(token(live_server, "alice@demo.morrow.test")["patient_id"])
    bob = {"Authorization": f"Bearer {token(live_server, 'bob@demo.morrow.test')['token']}"}
    # Another of bob's patients than alice: the patient journeys on this shared server use alice's day.
    _, listed = call(f"{live_server}/api/v1/triage", bob)
    patient_id = max(row["patient_id"] for row in listed["patients"] if row["patient_id"] != alice)
    raise_urgent(tmp_path_factory, patient_id)
    change_id = propose_pending(live_server, bob, patient_id)

    sign_in(page, live_server, "bob@demo.morrow.test")
    expect(page).to_have_url(f"{live_server}/triage")
    first = page.locator("table.triage tbody tr").first
    expect(first).to_have_attribute("data-patient-id", str(patient_id))
    expect(first).to_contain_text("open urgent alert")
    page.screenshot(path=str(artifacts / "clinician-triage.png"), full_page=True)

    first.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server}/patients/{patient_id}")
    expect(page.get_by_role("heading", name="Timeline", exact=False)).to_be_visible()
    expect(page.locator("ul.timeline").first).to_contain_text("alcohol 3 standard drink")
    page.screenshot(path=str(artifacts / "clinician-patient.png"), full_page=True)

    page.get_by_role("link", name="Alert inbox").click()
    card = page.locator(f"article.alert-card.sev-urgent:has(a[href='/patients/{patient_id}'])").first
    card.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(f"article.alert-card.sev-urgent:has(a[href='/patients/{patient_id}'])").first).to_contain_text(
        "Acknowledged"
    )
    page.screenshot(path=str(artifacts / "clinician-inbox.png"), full_page=True)

    page.get_by_role("link", name="Approvals").click()
    row = page.locator(f"#change-{change_id}")
    row.get_by_label("Reason for your decision").fill("Discussed at today's call; agreed.")
    row.get_by_role("button", name="Approve").click()
    expect(page.locator(f"#change-{change_id}")).to_have_count(0)
    page.screenshot(path=str(artifacts / "clinician-approvals.png"), full_page=True)
    _, queue = call(f"{live_server}/api/v1/dose-changes?patient_id={patient_id}", bob)
    assert change_id not in [c["id"] for c in queue["pending"]]
