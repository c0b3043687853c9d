"""The one place where domain errors become HTTP responses (RFC 9457 problem details)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from morrow.domain.errors import Conflict, DomainError, NotFound, PermissionDenied

STATUS = {NotFound: 404, Conflict: 409, PermissionDenied: 403}


def problem(status: int, code: str, title: str, field: str | None) -> JSONResponse:
    body = {"type": f"about:blank#{code}", "title": title, "status": status, "code": code, "field": field}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 422)
        return problem(status, exc.code, exc.message, exc.field)

    @app.exception_handler(RequestValidationError)
    async def _request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"] if part != "body") or None
        return problem(422, "invalid_input", f"{field}: {first['msg']}" if field else str(first["msg"]), field)
