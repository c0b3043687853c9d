"""The one place where domain errors become HTTP responses: problem JSON (RFC 9457) under /api, an
HTML page elsewhere, and a redirect to the sign-in page when a page needs a signed-in user."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from morrow.domain.errors import Conflict, DomainError, NotFound, PermissionDenied
from morrow.instruments import InstrumentError
from morrow.services.auth import SignInFailed, TooManyAttempts
from morrow.web.deps import CsrfFailed, NotSignedIn
from morrow.web.templating import render

STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotSignedIn, 401),
    (SignInFailed, 401),
    (TooManyAttempts, 429),
    (CsrfFailed, 403),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Conflict, 409),
)


# Errors raised by the framework before a route runs. A 400 is a body that could not even be decoded
# (JSON or a form that is not UTF-8, a broken multipart body): there is no field to name.
HTTP_PROBLEMS = {
    400: ("invalid_body", "the request body could not be read: send UTF-8 JSON, or a form"),
    404: ("not_found", "there is no such page"),
    405: ("method_not_allowed", "this address does not accept that method"),
}


def _answers_field(exc: DomainError) -> str | None:
    """The scoring engine names no item when the instrument or the answers as a whole are wrong (as the
    `morrow score` contract wants); over HTTP those are still fields of the request."""
    if not isinstance(exc, InstrumentError):
        return None
    return "instrument" if exc.code == "unknown_instrument" else "answers"


class Problem(BaseModel):
    """An error answer of the JSON API (RFC 9457 problem details), as `application/problem+json`."""

    type: str = Field(description="about:blank#<code>")
    title: str = Field(description="what went wrong, in words a person can act on")
    status: int
    code: str = Field(description="a stable machine-readable reason, e.g. invalid_input, not_found, conflict")
    field: str | None = Field(description="the request field at fault (dotted path), when there is one")


_PROBLEM_STATUSES = {
    401: "Not signed in: no, an unknown, or an expired bearer token",
    403: "Signed in, but this account may not do this (or see this patient)",
    404: "No such record",
    409: "Clashes with what is stored (a reused idempotency key, a record changed meanwhile)",
    422: "Bad input: `field` names the field and `title` says why",
}


def document_problems(app: FastAPI) -> None:
    """Declare the problem answers on every JSON API operation, so the OpenAPI document says what errors
    look like (FastAPI would otherwise advertise its own validation-error shape for 422, which Morrow
    does not send)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = build()
        schemas = spec.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = Problem.model_json_schema()
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
        answer = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for path, operations in spec.get("paths", {}).items():
            if not path.startswith("/api/"):
                continue
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in _PROBLEM_STATUSES.items():
                    responses[str(status)] = {"description": description, "content": answer}
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in ("/health", "/openapi.json")


def problem(status: int, code: str, title: str, field: str | None) -> JSONResponse:
    body = {"type": f"about:blank#{code}", "title": title, "status": status, "code": code, "field": field}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def respond(request: Request, status: int, code: str, message: str, field: str | None) -> Response:
    if wants_json(request):
        return problem(status, code, message, field)
    if status == 401 and code == "not_signed_in":
        return RedirectResponse(f"/sign-in?next={quote(request.url.path)}", status_code=303)
    return render(request, "error.html", {"status": status, "message": message, "field": field}, status=status)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        status = next((code for kind, code in STATUS if isinstance(exc, kind)), 422)
        return respond(request, status, exc.code, exc.message, exc.field or _answers_field(exc))

    @app.exception_handler(RequestValidationError)
    async def _request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0]
        if first["type"] == "json_invalid":  # its `loc` is a character position, not a field
            reason = first.get("ctx", {}).get("error", "")
            message = (
                f"the request body is not valid JSON ({reason})" if reason else "the request body is not valid JSON"
            )
            return respond(request, 422, "invalid_json", message, None)
        loc = list(first["loc"])
        if loc == ["body"]:  # the body as a whole: missing, or not an object
            return respond(
                request, 422, "invalid_body", f"the request body must be a JSON object ({first['msg']})", None
            )
        if loc and loc[0] in ("body", "query", "path", "form", "header", "cookie"):
            loc = loc[1:]  # where it came from, not a field (a field may itself be called "body")
        field = ".".join(str(part) for part in loc) or None
        message = f"{field}: {first['msg']}" if field else str(first["msg"])
        return respond(request, 422, "invalid_input", message, field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        code, message = HTTP_PROBLEMS.get(exc.status_code, ("http", str(exc.detail)))
        return respond(request, exc.status_code, code, message, None)
