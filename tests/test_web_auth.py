"""Signing in and out over HTTP: cookies, tokens, CSRF, rate limiting, redirects, headers."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from morrow.services.actors import Actor
from morrow.services.people import create_user
from tests.conftest import PASSWORD
from tests.web_helpers import csrf_of, web

__all__ = ["web"]


def account(committed: sessionmaker[Session], email: str = "bob@example.org", role: str = "clinician") -> None:
    with committed() as session:
        create_user(
            session, Actor.system("test"), {"email": email, "display_name": "Bob", "role": role, "password": PASSWORD}
        )


def test_signing_in_sets_a_protected_cookie_and_goes_home(web: TestClient, committed: sessionmaker[Session]) -> None:
    account(committed)
    response = web.post("/sign-in", data={"email": "BOB@example.org", "password": PASSWORD}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/triage"
    cookie = response.headers["set-cookie"]
    assert "morrow_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    web: TestClient, committed: sessionmaker[Session]
) -> None:
    account(committed)
    wrong = web.post("/sign-in", data={"email": "bob@example.org", "password": "not it at all"})
    unknown = web.post("/sign-in", data={"email": "nobody@example.org", "password": "not it at all"})
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match an account" in wrong.text
    assert "do not match an account" in unknown.text


def test_five_failures_in_a_row_lock_sign_in_for_that_email(web: TestClient, committed: sessionmaker[Session]) -> None:
    account(committed)
    for _ in range(5):
        assert web.post("/sign-in", data={"email": "bob@example.org", "password": "guess guess"}).status_code == 401
    locked = web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    assert locked.status_code == 429
    assert "wait 15 minutes" in locked.text
    assert web.post("/api/v1/auth/token", json={"email": "bob@example.org", "password": PASSWORD}).status_code == 429


def test_signing_out_ends_the_session_for_good(web: TestClient, committed: sessionmaker[Session]) -> None:
    account(committed)
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    token = web.cookies["morrow_session"]
    assert web.get("/api/v1/me").status_code == 200
    assert web.post("/sign-out", data={"csrf_token": csrf_of(web)}, follow_redirects=False).status_code == 303
    web.cookies.set("morrow_session", token)  # replay the old cookie after signing out
    replay = web.get("/api/v1/me")
    assert replay.status_code == 401
    assert replay.headers["content-type"] == "application/problem+json"


def test_a_form_post_without_the_csrf_token_is_refused(web: TestClient, committed: sessionmaker[Session]) -> None:
    account(committed)
    web.post("/sign-in", data={"email": "bob@example.org", "password": PASSWORD})
    refused = web.post("/sign-out", data={})
    assert refused.status_code == 403
    assert "reload the page" in refused.text
    assert web.post("/sign-out", data={"csrf_token": "forged"}).status_code == 403
    assert web.get("/api/v1/me").status_code == 200  # still signed in


def test_api_clients_use_a_bearer_token_without_csrf(web: TestClient, committed: sessionmaker[Session]) -> None:
    account(committed, "pat@example.org", "admin")
    issued = web.post("/api/v1/auth/token", json={"email": "pat@example.org", "password": PASSWORD})
    assert issued.status_code == 201
    headers = {"Authorization": f"Bearer {issued.json()['token']}"}
    assert web.get("/api/v1/me", headers=headers).json()["role"] == "admin"
    assert web.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert web.get("/api/v1/me", headers=headers).status_code == 401
    bad = web.post("/api/v1/auth/token", json={"email": "pat@example.org"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "password"


def test_pages_send_anonymous_readers_to_sign_in_and_never_off_site(
    web: TestClient, committed: sessionmaker[Session]
) -> None:
    account(committed)
    evil = web.post(
        "/sign-in",
        data={"email": "bob@example.org", "password": PASSWORD, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert evil.headers["location"] == "/triage"
    web.cookies.clear()
    back = web.post(
        "/sign-in", data={"email": "bob@example.org", "password": PASSWORD, "next": "/api/docs"}, follow_redirects=False
    )
    assert back.headers["location"] == "/api/docs"


def test_every_response_carries_the_security_headers(web: TestClient) -> None:
    response = web.get("/")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    missing_page = web.get("/no/such/page")
    assert missing_page.status_code == 404
    assert "text/html" in missing_page.headers["content-type"]
    missing_api = web.get("/api/v1/no/such/route")
    assert missing_api.status_code == 404
    assert missing_api.headers["content-type"] == "application/problem+json"
