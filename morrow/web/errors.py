"""The one place where domain errors become HTTP responses: problem JSON (RFC 9457) under /api, an
HTML page elsewhere, and a redirect to the sign-in page when a page needs a signed-in user."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from morrow.domain.errors import Conflict, DomainError, NotFound, PermissionDenied
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
        return respond(request, status, exc.code, exc.message, exc.field)

    @app.exception_handler(RequestValidationError)
    async def _request(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0]
        loc = list(first["loc"])
        if loc and loc[0] in ("body", "query", "path", "form", "header", "cookie"):
            loc = loc[1:]  # where it came from, not a field (a field may itself be called "body")
        field = ".".join(str(part) for part in loc) or None
        message = f"{field}: {first['msg']}" if field else str(first["msg"])
        return respond(request, 422, "invalid_input", message, field)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        message = "there is no such page" if exc.status_code == 404 else str(exc.detail)
        return respond(request, exc.status_code, "not_found" if exc.status_code == 404 else "http", message, None)
