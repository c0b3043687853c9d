"""A test client on the real app and database, with a small clinic whose data really commits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from morrow.catalog import load_catalog
from morrow.db.engine import make_sessionmaker
from morrow.runtime import Runtime
from morrow.settings import Settings
from morrow.web.app import create_app


def make_client(engine: Engine) -> TestClient:
    runtime = Runtime(Settings(database_url=str(engine.url)), engine, make_sessionmaker(engine), load_catalog())
    return TestClient(create_app(runtime), raise_server_exceptions=False)


@pytest.fixture
def web(engine: Engine, committed: sessionmaker[Session]) -> Iterator[TestClient]:
    """The app over the test database; rows are deleted afterwards by `committed`."""
    with make_client(engine) as client:
        yield client


def csrf_of(client: TestClient) -> str:
    """The CSRF token of the client's signed-in session, read from a page's sign-out form."""
    page = client.get("/api/docs").text
    marker = 'name="csrf_token" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def api_routes(client: TestClient) -> list[APIRoute]:
    """Every route of the app (API and pages), including those of included routers: read from the app
    itself, so that a new route cannot escape the tests that walk them all."""

    def walk(items: list[Any]) -> Iterator[APIRoute]:
        for item in items:
            if isinstance(item, APIRoute):
                yield item
            elif hasattr(item, "original_router"):  # FastAPI's wrapper around an included router
                yield from walk(item.original_router.routes)

    app: Any = client.app
    return list(walk(app.routes))
