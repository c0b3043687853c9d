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


def test_the_api_is_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] == "Morrow"
    assert "/health" in spec["paths"]
    assert client.get("/api/docs").status_code == 200
    assert "/api/v1/auth/token" in client.get("/api/docs").text


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
