"""The check-in POST of the JSON API, answered without FastAPI's request machinery when it succeeds.

`POST /api/v1/patients/{id}/checkins` is what a patient's app sends most, and a check-in's own work
(scoring, the safety evaluation, the write) was about four fifths of what the server spent on it: the
rest was FastAPI's middleware, routing, dependencies and body handling, about half a millisecond. This
ASGI middleware answers that one request directly when it carries a bearer token and a JSON body, with
the route's own code (`prepare_response`, `store_checkin`, `checkin_public`) and the same sign-in and
access checks, and gives FastAPI every other request. Decision 0008 has the measurements. The sign-in is
read in the same read-only transaction as the record the check-in is evaluated on.

It answers only a success. Whatever else happens before the write commits (no or an unknown token,
access refused, a body that is not JSON or not a valid check-in, a refusal by the service) rolls back
and hands the request, its body replayed, to the FastAPI route, which answers it exactly as it always
has: one place decides every error answer, and nothing is written twice.
"""

from __future__ import annotations

import json
import re

import pydantic
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from morrow.domain.errors import DomainError
from morrow.runtime import Runtime
from morrow.services.access import check_access
from morrow.services.auth import keep_alive, look_up
from morrow.services.checkins import ResponseCreate, prepare_response
from morrow.services.people import REQUEST_MEMO
from morrow.services.tx import reading
from morrow.web.deps import bearer_token, client_ip
from morrow.web.routes.patient.api import StoredPublic, checkin_public, store_checkin

CHECKINS = re.compile(r"/api/v1/patients/([1-9][0-9]{0,17})/checkins")
MAX_BODY = 64 * 1024  # a check-in is well under 1 KiB; a larger body is the route's to refuse


class DirectCheckins:
    """Serves a successful check-in POST directly; passes everything else to `app` unchanged."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime
        self.answered = 0  # check-ins this process answered directly (the tests look)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = CHECKINS.fullmatch(scope["path"]) if scope["type"] == "http" and scope["method"] == "POST" else None
        connection = HTTPConnection(scope) if found is not None else None
        token = bearer_token(connection) if connection is not None else None
        if connection is None or found is None or token is None or not _json(connection):
            await self.app(scope, receive, send)
            return
        messages, body = await _read(receive)
        stored = None if body is None else self._checkin(connection, token, int(found.group(1)), body)
        if stored is None:
            await self.app(scope, _replaying(messages, receive), send)
            return
        content = stored.model_dump_json(by_alias=True).encode()  # as FastAPI writes its response model
        await send(
            {
                "type": "http.response.start",
                "status": 201 if stored.created else 200,
                "headers": [(b"content-length", str(len(content)).encode()), (b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": content})
        self.answered += 1

    def _checkin(self, connection: HTTPConnection, token: str, patient_id: int, body: bytes) -> StoredPublic | None:
        """The stored check-in, or None (nothing written) for the route to answer."""
        # One connection for the request's transactions (the sign-in with the record read, the write): the
        # session would otherwise check one out of the pool and back for each. Safe to hold here, unlike in a
        # FastAPI dependency: nothing in this block awaits, so a process holds at most one at a time.
        with self.runtime.engine.connect() as held, self.runtime.sessions(bind=held) as db:
            db.info[REQUEST_MEMO] = {}
            try:
                with reading(db):  # one snapshot: who is signed in, and the record the check-in is evaluated on
                    found = look_up(db, token)
                    if found is None:
                        return None
                    actor = found.signed_in.actor(origin=client_ip(connection))
                    check_access(db, actor, patient_id)  # before the body is looked at, as `patient_in_path`
                    data = _decoded(body)
                    if data is None:
                        return None
                    prepared = prepare_response(db, actor, patient_id, ResponseCreate.model_validate(data))
                keep_alive(db, found)  # the sign-in's last-seen time, once a minute: a write of its own
                written = store_checkin(db, actor, patient_id, prepared)
            except (DomainError, pydantic.ValidationError):
                return None  # rolled back: what failed was inside its transaction
        return checkin_public(written)  # after the commit: a failure here is a 500, never handed on


def _decoded(body: bytes) -> object | None:
    """The body as FastAPI reads JSON, or None when it is not JSON, not UTF-8 or nested too deep to read."""
    try:
        found: object = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return found


def _json(connection: HTTPConnection) -> bool:
    media_type = connection.headers.get("content-type", "").split(";")[0]
    return media_type.strip().lower() == "application/json"


async def _read(receive: Receive) -> tuple[list[Message], bytes | None]:
    """The request's messages as received, and its whole body (None when it is larger than MAX_BODY or the
    client went away: the route deals with those)."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        size += len(message.get("body", b""))
        if size > MAX_BODY:
            return messages, None
        if not message.get("more_body", False):
            return messages, b"".join(m.get("body", b"") for m in messages)


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def again() -> Message:
        if pending:
            return pending.pop(0)
        found: Message = await receive()
        return found

    return again
