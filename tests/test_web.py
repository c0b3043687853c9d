"""The web application: health check, landing page, OpenAPI, and errors as problem JSON."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from morrow.catalog import load_catalog
from morrow.db.engine import make_sessionmaker
from morrow.domain.errors import Conflict, NotFound, ValidationError
from morrow.runtime import Runtime
from morrow.settings import Settings
from morrow.web.app import create_app


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    runtime = Runtime(Settings(database_url=str(engine.url)), engine, make_sessionmaker(engine), load_catalog())
    app = create_app(runtime)
    probe = APIRouter()

    @probe.get("/api/v1/probe/{kind}")
    def raise_kind(kind: str) -> None:
        errors = {
            "invalid": ValidationError("amount: must be a positive number", field="amount"),
            "missing": NotFound("no patient with id 9", field="patient_id"),
            "clash": Conflict("this idempotency key was already used", field="idempotency_key"),
        }
        raise errors[kind]

    app.include_router(probe)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_health_reports_the_database_and_schema(client: TestClient, engine: Engine) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["database"] == engine.dialect.name
    assert body["schema"]["current"] == body["schema"]["head"]
    assert body["catalog"]["substances"] >= 47


def test_the_landing_page_shows_crisis_steps_and_honest_claims(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    text = response.text
    assert "911" in text
    assert "988" in text
    assert "naloxone" in text
    assert "not free of addiction risk" in text
    assert 'lang="en"' in text


def test_every_page_names_its_icon_and_favicon_ico_leads_to_it(client: TestClient) -> None:
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in client.get("/").text
    moved = client.get("/favicon.ico", follow_redirects=False)
    assert (moved.status_code, moved.headers["location"]) == (301, "/static/favicon.svg")
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")


def test_the_api_is_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "Morrow"
    assert "/health" in spec["paths"]
    assert client.get("/api/docs").status_code == 200
    assert "/api/v1/auth/token" in client.get("/api/docs").text


def test_the_api_documents_its_problem_answers(client: TestClient) -> None:
    """Errors are documented as they are sent: problem JSON naming the field, not FastAPI's own shape."""
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in str(spec)
    assert set(spec["components"]["schemas"]["Problem"]["properties"]) == {"type", "title", "status", "code", "field"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/api/"):
                for status in ("401", "403", "404", "409", "422"):
                    content = operation["responses"][status]["content"]
                    assert content == {
                        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                    }, (
                        method,
                        path,
                        status,
                    )
            else:
                assert "409" not in operation.get("responses", {}), (method, path)


def test_every_documented_success_answer_has_its_schema(client: TestClient) -> None:
    """A write stored once answers 200 with the same body as its 201: the document says what that body is."""
    spec = client.get("/openapi.json").json()
    declared = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if path.startswith("/api/") and "200" in responses and "201" in responses:
                declared += 1
                assert responses["200"]["content"] == responses["201"]["content"], (method, path)
                assert responses["200"]["content"]["application/json"]["schema"], (method, path)
    assert declared >= 5  # doses, check-ins, sleep diary, symptoms, sleep windows


@pytest.mark.parametrize(
    ("kind", "status", "code", "field"),
    [
        ("invalid", 422, "invalid_input", "amount"),
        ("missing", 404, "not_found", "patient_id"),
        ("clash", 409, "conflict", "idempotency_key"),
    ],
)
def test_domain_errors_become_problem_json_naming_the_field(
    client: TestClient, kind: str, status: int, code: str, field: str
) -> None:
    response = client.get(f"/api/v1/probe/{kind}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["code"], body["field"]) == (status, code, field)
    assert body["title"]


def test_an_unknown_page_is_a_404_not_a_500(client: TestClient) -> None:
    assert client.get("/no/such/page").status_code == 404


@pytest.mark.parametrize(
    ("content_type", "body", "status", "code"),
    [
        pytest.param("application/json", b'{"email": ', 422, "invalid_json", id="truncated-json"),
        pytest.param("application/json", b"", 422, "invalid_body", id="no-body"),
        pytest.param("application/json", b"[1, 2]", 422, "invalid_body", id="not-an-object"),
        pytest.param("application/json", b'{"email": "\xff"}', 400, "invalid_body", id="not-utf-8"),
        pytest.param("application/json", b"[" * 100_000 + b"]" * 100_000, 400, "invalid_body", id="nested-too-deep"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused_as_a_whole(
    client: TestClient, content_type: str, body: bytes, status: int, code: str
) -> None:
    response = client.post("/api/v1/auth/token", content=body, headers={"Content-Type": content_type})
    assert response.status_code == status
    problem = response.json()
    # A JSON syntax error used to be reported as `field: "10"`, the character where parsing stopped.
    assert (problem["code"], problem["field"]) == (code, None)
    assert "body" in problem["title"]


@pytest.mark.parametrize("field", ["email", "password"])
def test_a_lone_surrogate_in_the_token_request_is_refused_naming_the_field(client: TestClient, field: str) -> None:
    body = '{"email": "a@example.org", "password": "x"}'.replace('"a@example.org"' if field == "email" else '"x"',
                                                                 '"a\\ud800"')  # fmt: skip
    response = client.post("/api/v1/auth/token", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422  # was a 500: text that cannot be encoded reached the database and argon2
    assert response.json()["field"] == field


def test_a_wrong_method_is_a_405_problem(client: TestClient) -> None:
    response = client.put("/api/v1/auth/token", json={})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
