"""Every page, as each role sees it, checked by axe-core (the WCAG 2 A/AA rules and axe's best practices)
in Debian's chromium: the patient's pages at phone size, a form shown again with its errors, and the
clinician's and the admin's pages. Any violation fails, listed with the rule, its impact and where.

axe-core comes from PyPI inside axe-playwright-python (docs/decisions/0004-accessibility-checks.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.browser.test_patient_journeys import PHONE

AXE = Axe()


def violations(page: Page, name: str, artifacts: Path) -> list[str]:
    """axe's violations on the page as it is now, one line each. The report kept as an artifact also holds
    axe's "incomplete" results: what it could not decide (a contrast over an image, say), for a person to
    review; those do not fail the test."""
    options = {"resultTypes": ["violations", "incomplete"]}
    response: dict[str, Any] = AXE.run(page, options=options).response
    found = response["violations"]
    report = {"violations": found, "incomplete": response["incomplete"]}
    (artifacts / f"axe-{name}.json").write_text(json.dumps(report, indent=2))
    return [
        f"{name}: {v['id']} ({v['impact']}) {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in found
    ]


def visit(page: Page, base: str, paths: dict[str, str], artifacts: Path) -> list[str]:
    found = []
    for name, path in paths.items():
        answer = page.goto(f"{base}{path}")
        assert answer is not None
        assert answer.status == 200, f"{path}: {answer.status}"
        found += violations(page, name, artifacts)
    return found


def test_every_page_passes_axe_for_every_role(page: Page, live_server: str, artifacts: Path) -> None:
    found = visit(page, live_server, {"landing": "/", "sign-in": "/sign-in"}, artifacts)

    page.set_viewport_size(PHONE)
    sign_in(page, live_server, "alice@demo.morrow.test")
    expect(page).to_have_url(f"{live_server}/today")
    page.goto(f"{live_server}/check-in")
    forms = {  # every check-in offered: each questionnaire, the craving scale, the diary and the symptoms
        str(href).removeprefix("/check-in/"): str(href)
        for href in page.locator("a[href^='/check-in/']").evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
    }
    assert {"sows", "sleep-diary", "symptoms", "phq9", "craving-vas"} <= set(forms), forms
    patient = {"today": "/today", "check-in": "/check-in", "progress": "/progress", "my-alerts": "/my-alerts",
               "evidence": "/evidence"} | forms  # fmt: skip
    found += visit(page, live_server, patient, artifacts)
    missing = page.goto(f"{live_server}/no-such-page")
    assert missing is not None
    assert missing.status == 404
    found += violations(page, "not-found", artifacts)
    page.goto(f"{live_server}/check-in/sows")
    page.eval_on_selector("form.stack", "form => { form.noValidate = true; }")  # let the server refuse it
    page.get_by_role("button", name="Save check-in").click()  # nothing answered: the form comes back
    expect(page.locator("[aria-invalid=true]").first).to_be_attached()
    found += violations(page, "sows-refused", artifacts)

    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "bob@demo.morrow.test")
    expect(page).to_have_url(f"{live_server}/triage")
    first_patient = page.locator("a[href^='/patients/']").first.get_attribute("href")
    assert first_patient is not None
    assert re.fullmatch(r"/patients/\d+", first_patient)
    clinician = {"triage": "/triage", "patient": first_patient, "inbox": "/inbox", "approvals": "/approvals"}
    found += visit(page, live_server, clinician, artifacts)
    page.goto(f"{live_server}{first_patient}")
    page.eval_on_selector("#notes form", "form => { form.noValidate = true; }")  # let the server refuse it
    page.locator("#note-body").fill("no")  # too short: the page comes back with the message at the form
    page.get_by_role("button", name="Add note").click()
    expect(page.locator("#note-body[aria-invalid=true]")).to_be_attached()
    found += violations(page, "patient-refused-note", artifacts)

    page.context.clear_cookies()
    sign_in(page, live_server, "admin@demo.morrow.test")
    found += visit(page, live_server, {"admin": "/admin", "audit": "/admin/audit"}, artifacts)

    assert found == [], "\n".join(found)
