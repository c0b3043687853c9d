"""Signing in and out in a real browser."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in


def test_a_wrong_password_says_so_without_saying_which_part(page: Page, live_server: str, artifacts: Path) -> None:
    page.goto(f"{live_server}/sign-in")
    page.get_by_label("E-mail").fill("alice@demo.morrow.test")
    page.get_by_label("Password").fill("not her password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match an account")
    page.screenshot(path=str(artifacts / "sign-in-error.png"), full_page=True)


def test_a_page_that_needs_signing_in_comes_back_after_it(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/api/docs")
    expect(page.get_by_role("heading", name="Morrow API")).to_be_visible()
    sign_in(page, live_server, "bob@demo.morrow.test", next_path="/api/docs")
    expect(page).to_have_url(f"{live_server}/api/docs")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server}/sign-in")
