"""`DirectCheckins` (decision 0008): a check-in POST with a bearer token and a JSON body is answered
without FastAPI's request machinery when it succeeds, and byte for byte as the route answers it; every
other answer is the route's own, with nothing written by the attempt that handed it over."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from morrow.catalog import load_catalog
from morrow.db.engine import make_sessionmaker
from morrow.db.models import AuditEvent, QuestionnaireResponse, UserSession
from morrow.runtime import Runtime
from morrow.settings import Settings
from morrow.web.app import create_app
from morrow.web.direct import MAX_BODY, DirectCheckins
from tests.web_helpers import csrf_of
from tests.web_patient.helpers import Clinic, bearer, sign_in_as

SOWS = [1, 0, 2, 0, 1, 0, 1, 2, 1, 3, 2, 1, 0, 1, 2, 3]


def _client(engine: Engine, *, direct: bool) -> TestClient:
    runtime = Runtime(Settings(database_url=str(engine.url)), engine, make_sessionmaker(engine), load_catalog())
    return TestClient(create_app(runtime, direct=direct), raise_server_exceptions=False)


@pytest.fixture
def both(engine: Engine, committed: sessionmaker[Session]) -> Iterator[tuple[TestClient, TestClient]]:
    """The app with `DirectCheckins`, and the app without it, on the same database."""
    with _client(engine, direct=True) as direct, _client(engine, direct=False) as route:
        yield direct, route


def _direct(client: TestClient) -> DirectCheckins:
    """The app's `DirectCheckins` (built on the app's first request)."""
    layer: Any = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(layer, DirectCheckins):
        layer = layer.app
    return layer


def _checkin(key: str, **changes: Any) -> dict[str, Any]:
    moment = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    return {
        "instrument": "sows",
        "answers": {"items": SOWS},
        "administered_at": moment,
        "idempotency_key": key,
    } | changes


def _counts(committed: sessionmaker[Session]) -> tuple[int, int]:
    with committed() as session, session.begin():
        responses = session.scalar(select(func.count(QuestionnaireResponse.id))) or 0
        audits = session.scalar(select(func.count(AuditEvent.id))) or 0
    return responses, audits


def _in_pieces(content: bytes, size: int = 4096) -> Iterator[bytes]:
    """The body sent as several ASGI messages (`more_body`), as a slow client's arrives."""
    for start in range(0, len(content), size):
        yield content[start : start + size]


def _shown(response: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = sorted((k, v) for k, v in response.headers.items() if k not in ("date", "server"))
    return response.status_code, headers, response.content


def test_a_check_in_is_answered_directly_and_byte_for_byte_as_the_route_answers_it(
    both: tuple[TestClient, TestClient], clinic: Clinic
) -> None:
    direct, route = both
    auth = bearer(direct, "alice@example.org")
    url = f"/api/v1/patients/{clinic.alice}"
    kratom = {"substance": "kratom", "form": "leaf_powder", "amount": 2, "unit": "g", "kind": "planned",
              "regimen_item_id": clinic.kratom_item, "taken_at": datetime.now(UTC).isoformat(),
              "idempotency_key": "direct-kratom-1"}  # fmt: skip
    alcohol = {"substance": "alcohol", "amount": 2, "unit": "standard_drink",
               "taken_at": datetime.now(UTC).isoformat(), "idempotency_key": "direct-alcohol-1"}  # fmt: skip
    for dose in (kratom, alcohol):  # an urgent alert is open, so it comes back with the check-in
        assert direct.post(f"{url}/doses", json=dose, headers=auth).status_code == 201
    body = _checkin("direct-sows-0001")
    answered = _direct(direct).answered

    first = direct.post(f"{url}/checkins", json=body, headers=auth)
    assert first.status_code == 201
    assert _direct(direct).answered == answered + 1
    assert first.json()["summary"] == {"instrument": "sows", "total": 20.0, "band": "moderate"}
    assert [a["severity"] for a in first.json()["open_alerts"]][:1] == ["urgent"]

    again_direct = direct.post(f"{url}/checkins", json=body, headers=auth)
    again_route = route.post(f"{url}/checkins", json=body, headers=auth)
    sign_in_as(route, "alice@example.org")  # and by the browser's cookie, which the direct path leaves alone
    again_cookie = route.post(f"{url}/checkins", json=body, headers={"X-CSRF-Token": csrf_of(route)})
    assert _direct(direct).answered == answered + 2
    assert _shown(again_direct)[0] == 200
    assert _shown(again_direct) == _shown(again_route) == _shown(again_cookie)
    assert again_direct.json() == first.json() | {"created": False}
    assert ("cache-control", "no-store") in _shown(first)[1]


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("no token", 401),
        ("unknown token", 401),
        ("another patient's record", 403),
        ("no such patient", 404),
        ("not JSON", 422),
        ("not UTF-8", 400),
        ("JSON nested too deep to read", 400),
        ("a JSON list", 422),
        ("a field missing", 422),
        ("an unknown field", 422),
        ("an unknown instrument", 422),
        ("an illegal answer", 422),
        ("dated in the future", 422),
        ("a clinician-rated instrument", 403),
        ("a key reused for other answers", 409),
        ("a body over the direct path's limit", 422),
    ],
)
def test_whatever_is_not_a_success_is_the_routes_answer_and_writes_nothing_twice(
    both: tuple[TestClient, TestClient], clinic: Clinic, committed: sessionmaker[Session], case: str, status: int
) -> None:
    direct, route = both
    auth = bearer(direct, "alice@example.org")
    assert direct.post(
        f"/api/v1/patients/{clinic.alice}/checkins", json=_checkin("taken-key-01"), headers=auth
    ).is_success
    path = f"/api/v1/patients/{clinic.alice}/checkins"
    headers = auth | {"Content-Type": "application/json"}
    content: bytes | None = None
    body: Any = _checkin("fresh-key-01")
    match case:
        case "no token":
            headers = {"Content-Type": "application/json"}
        case "unknown token":
            headers = {"Authorization": "Bearer not-a-token", "Content-Type": "application/json"}
        case "another patient's record":
            path = f"/api/v1/patients/{clinic.dmitri}/checkins"
        case "no such patient":
            path = f"/api/v1/patients/{clinic.dmitri + 1000}/checkins"
        case "not JSON":
            content = b"{instrument: sows"
        case "not UTF-8":
            content = b'{"instrument": "\xff"}'
        case "JSON nested too deep to read":
            content = b'{"answers": ' + b"[" * 5000 + b"]" * 5000 + b"}"
        case "a JSON list":
            body = [body]
        case "a field missing":
            del body["answers"]
        case "an unknown field":
            body["score"] = 99
        case "an unknown instrument":
            body["instrument"] = "nope"
        case "an illegal answer":
            body["answers"] = {"items": [*SOWS[:15], 9]}
        case "dated in the future":
            body["administered_at"] = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
        case "a clinician-rated instrument":
            body |= {"instrument": "cows", "answers": {"items": [0] * 11}}
        case "a key reused for other answers":
            body = _checkin("taken-key-01", answers={"items": [0] * 16})
        case "a body over the direct path's limit":
            body["note"] = "x" * MAX_BODY
    content = content if content is not None else json.dumps(body).encode()
    answered = _direct(direct).answered
    before = _counts(committed)
    through_direct = direct.post(path, content=_in_pieces(content), headers=headers)  # replayed piece by piece
    after_direct = _counts(committed)
    through_route = route.post(path, content=content, headers=headers)
    after_route = _counts(committed)
    assert _shown(through_direct)[0] == status
    assert _shown(through_direct) == _shown(through_route)
    assert _direct(direct).answered == answered
    assert after_direct[0] == before[0]  # nothing stored
    assert after_direct[1] - before[1] == after_route[1] - after_direct[1]  # audited as the route audits, once


def test_a_body_in_pieces_is_read_whole(both: tuple[TestClient, TestClient], clinic: Clinic) -> None:
    direct, _ = both
    auth = bearer(direct, "alice@example.org") | {"Content-Type": "application/json"}
    answered = _direct(direct).answered
    content = json.dumps(_checkin("pieces-key-01")).encode()
    sent = direct.post(f"/api/v1/patients/{clinic.alice}/checkins", content=_in_pieces(content, 7), headers=auth)
    assert sent.status_code == 201
    assert sent.json()["summary"]["total"] == 20.0
    assert _direct(direct).answered == answered + 1


def test_other_requests_on_the_path_go_to_the_route(both: tuple[TestClient, TestClient], clinic: Clinic) -> None:
    direct, _ = both
    auth = bearer(direct, "alice@example.org")
    url = f"/api/v1/patients/{clinic.alice}/checkins"
    answered = _direct(direct).answered
    as_form = direct.post(url, data={"instrument": "sows"}, headers=auth)
    leading_zero = direct.post(f"/api/v1/patients/0{clinic.alice}/checkins", json=_checkin("zero-key-01"), headers=auth)
    listed = direct.get(f"/api/v1/patients/{clinic.alice}/alerts", headers=auth)
    assert (as_form.status_code, leading_zero.status_code, listed.status_code) == (422, 201, 200)
    assert _direct(direct).answered == answered


@pytest.mark.parametrize("idle", [timedelta(seconds=5), timedelta(minutes=5)])
def test_a_direct_check_in_holds_one_pooled_connection_for_its_transactions_and_gives_it_back(
    both: tuple[TestClient, TestClient], clinic: Clinic, committed: sessionmaker[Session], idle: timedelta
) -> None:
    """The sign-in and the record are read in one read-only transaction, then the check-in is written in
    one write transaction, on one connection checked out of the pool once and returned when the answer is
    ready (the route's session takes one for each transaction). A sign-in last seen over a minute ago gets
    its last-seen time written in between, a write of its own: never inside the read."""
    direct, _ = both
    auth = bearer(direct, "alice@example.org")
    seen = datetime.now(UTC) - idle
    with committed() as session, session.begin():
        session.execute(update(UserSession).values(last_seen_at=seen))
    url = f"/api/v1/patients/{clinic.alice}/checkins"
    engine: Engine = _direct(direct).runtime.engine
    moves: list[str] = []
    begun: list[str] = []

    def checkout(*_args: Any) -> None:
        moves.append("out")

    def checkin(*_args: Any) -> None:
        moves.append("in")

    def begin(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith(("BEGIN", "UPDATE user_sessions")):
            begun.append(statement.split(" SET")[0])

    event.listen(engine.pool, "checkout", checkout)
    event.listen(engine.pool, "checkin", checkin)
    event.listen(engine, "before_cursor_execute", begin)
    try:
        answered = _direct(direct).answered
        assert direct.post(url, json=_checkin("held-connection-1"), headers=auth).status_code == 201
        assert _direct(direct).answered == answered + 1
    finally:
        event.remove(engine.pool, "checkout", checkout)
        event.remove(engine.pool, "checkin", checkin)
        event.remove(engine, "before_cursor_execute", begin)
    assert moves == ["out", "in"]
    with committed() as session, session.begin():
        last_seen = session.scalars(select(UserSession.last_seen_at)).one()
    kept_alive = idle > timedelta(minutes=1)
    assert last_seen > seen if kept_alive else last_seen == seen
    if engine.dialect.name == "sqlite":  # a read-only unit begins DEFERRED; a write takes the lock at once
        touch = ["BEGIN IMMEDIATE", "UPDATE user_sessions"] if kept_alive else []
        assert begun == ["BEGIN", *touch, "BEGIN IMMEDIATE"]
    else:
        assert begun == (["UPDATE user_sessions"] if kept_alive else [])
