"""/progress, /my-alerts and /evidence."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.web_helpers import csrf_of
from tests.web_patient.helpers import Clinic, bearer, sign_in_as


def test_it_draws_progress_charts_safe_for_the_csp(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    page = web.get("/progress").text
    form = web.get("/check-in/craving-vas").text
    key = re.findall(r'name="(idempotency_key|started_at)" value="([^"]*)"', form)
    data = {"csrf_token": csrf_of(web), "value": "35"} | dict(key)
    web.post("/check-in/craving-vas", data=data)
    page = web.get("/progress?days=90").text
    assert page.count("<svg") == 4
    assert '<title id="craving-title">' in page
    assert ' style="' not in page
    assert "<style" not in page
    assert 'id="craving-0-0"' in page
    assert len(re.findall(r'<tr class="point"', page)) == 1


def test_it_lists_my_alerts_by_status(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    page = web.get("/my-alerts").text
    assert '<h2 id="h-open">Open</h2>' in page
    assert "Resolved" in page


def test_it_searches_the_evidence_for_anyone_signed_in(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "bob@example.org")
    everything = web.get("/evidence").text
    melatonin = web.get("/evidence?q=melatonin").text
    assert everything.count('class="card claim"') > melatonin.count('class="card claim"') > 0
    assert "Verdict:" in melatonin
    claims = web.get("/api/v1/evidence?q=kratom", headers=bearer(web, "alice@example.org")).json()
    assert claims
    assert {"claim", "verdict", "sources", "unconfirmed"} <= set(claims[0])


def test_it_links_every_page_stylesheet_in_the_head(web: TestClient, clinic: Clinic) -> None:
    sign_in_as(web, "alice@example.org")
    pages = ["/today", "/check-in", "/check-in/sleep-diary", "/check-in/symptoms", "/check-in/phq9", "/progress",
             "/my-alerts", "/evidence"]  # fmt: skip
    for path in pages:
        page = web.get(path).text
        head, _, body = page.partition("</head>")
        assert '<link rel="stylesheet" href="/static/patient.css">' in head, path
        assert "<link" not in body, path
