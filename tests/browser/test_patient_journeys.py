"""Alice on a phone: a one-tap dose, a SOWS check-in and a sleep diary, the new point on her progress
chart, and the urgent warning after alcohol on top of kratom."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.conftest import sign_in

PHONE: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture
def phone(page: Page) -> Page:
    page.set_viewport_size(PHONE)
    return page


def test_it_logs_a_dose_checks_in_and_shows_the_new_point(phone: Page, live_server: str, artifacts: Path) -> None:
    page = phone
    sign_in(page, live_server, "alice@demo.morrow.test")
    expect(page).to_have_url(f"{live_server}/today")
    # count() does not wait: let the page finish first (the heading is drawn before the dose list).
    expect(page.get_by_role("heading", name=re.compile(r"^Today"))).to_be_visible()
    expect(page.get_by_role("button", name="Taken").first).to_be_visible()
    page.screenshot(path=str(artifacts / "patient-today.png"), full_page=True)
    taken = page.get_by_role("button", name="Taken")
    assert taken.count() > 0, "the demo ends yesterday, so today's doses are still to log"
    taken.first.click()
    expect(page.get_by_role("status")).to_contain_text("Saved")

    page.goto(f"{live_server}/progress")
    before = page.locator("#table-withdrawal-1 tr.point").count()
    page.screenshot(path=str(artifacts / "patient-progress-before.png"), full_page=True)

    page.goto(f"{live_server}/check-in")
    page.screenshot(path=str(artifacts / "patient-check-in.png"), full_page=True)
    page.get_by_role("link", name="Subjective Opiate Withdrawal Scale", exact=False).click()
    expect(page.locator("fieldset").nth(15)).to_be_visible()  # all 16 questions drawn: .all() does not wait
    for group in page.locator("fieldset").all():
        group.get_by_role("radio").nth(1).check()
    page.screenshot(path=str(artifacts / "patient-sows.png"), full_page=True)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_role("status")).to_contain_text("Saved")

    page.get_by_role("link", name="Sleep diary for last night").click()
    page.get_by_label("Time got into bed").fill("22:30")
    page.get_by_label("Time tried to go to sleep").fill("22:45")
    page.get_by_label("Minutes to fall asleep").fill("20")
    page.get_by_label("Awakenings, not counting the last").fill("1")
    page.get_by_label("Minutes awake during those awakenings").fill("10")
    page.get_by_label("Time of final awakening").fill("06:30")
    page.get_by_label("Time got out of bed").fill("06:40")
    page.screenshot(path=str(artifacts / "patient-sleep-diary.png"), full_page=True)
    page.get_by_role("button", name="Save diary").click()
    status = page.locator(".notice")
    expect(status.first).to_be_visible()  # saved, or the demo already filled last night in

    page.goto(f"{live_server}/progress")
    rows = page.locator("#table-withdrawal-1 tr.point")
    today_points = page.locator("#table-withdrawal-1 tr.point").last
    assert rows.count() == before + 1  # the demo ends before today: today's check-in is the new point
    expect(today_points).to_have_attribute("data-day", page.locator("p.lede").inner_text().split(" to ")[1][:10])
    expect(page.locator("#chart-withdrawal svg title")).to_have_text("Doses logged and withdrawal (SOWS)")
    page.screenshot(path=str(artifacts / "patient-progress.png"), full_page=True)


def test_it_warns_urgently_after_alcohol_on_top_of_kratom(phone: Page, live_server: str, artifacts: Path) -> None:
    page = phone
    sign_in(page, live_server, "alice@demo.morrow.test")
    expect(page).to_have_url(f"{live_server}/today")
    page.get_by_label("What").select_option("alcohol")
    page.get_by_label("Amount").fill("3")
    page.get_by_label("Unit").select_option("standard_drink")
    page.get_by_role("button", name="Log it").click()
    warning = page.get_by_role("alert").filter(has_text="Urgent")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("911")
    expect(warning).to_contain_text("naloxone")
    page.screenshot(path=str(artifacts / "patient-urgent-warning.png"), full_page=True)
    page.goto(f"{live_server}/my-alerts")
    expect(page.get_by_role("heading", name="My alerts")).to_be_visible()
    page.screenshot(path=str(artifacts / "patient-my-alerts.png"), full_page=True)
    page.goto(f"{live_server}/evidence?q=melatonin")
    expect(page.get_by_role("heading", name="What the evidence says")).to_be_visible()
    page.screenshot(path=str(artifacts / "patient-evidence.png"), full_page=True)
