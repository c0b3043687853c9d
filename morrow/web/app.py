"""The FastAPI application factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import morrow
from morrow.runtime import Runtime
from morrow.web.deps import COOKIE, patient_in_path
from morrow.web.direct import DirectCheckins
from morrow.web.errors import document_problems, install_error_handlers
from morrow.web.routes import admin, auth, clinician, patient, system

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(runtime: Runtime, *, direct: bool = True) -> FastAPI:
    """The application. `direct=False` leaves out `DirectCheckins`, so that FastAPI answers every check-in
    too (the tests compare the two)."""
    app = FastAPI(
        title="Morrow",
        version=morrow.__version__,
        summary="Clinician-supervised recovery support: doses, check-ins, tapers and sourced safety warnings.",
        docs_url=None,  # Swagger UI loads scripts from a CDN; /api/docs is rendered here instead
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(patient_in_path)],
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for router in (system.router, auth.router, admin.router, *patient.routers, *clinician.routers):
        app.include_router(router)

    document_problems(app)
    if direct:
        app.add_middleware(DirectCheckins, runtime=runtime)  # inside SecurityHeaders: its answers get them too
    app.add_middleware(SecurityHeaders)
    return app


class SecurityHeaders:
    """Adds the security headers to every response, and `Cache-Control: no-store` to everything a signed-in
    user or an API client sees. A plain ASGI middleware: Starlette's `BaseHTTPMiddleware` (what
    `@app.middleware` makes) runs each request through an extra task and stream, which cost more per
    request than the session look-up."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        private = (
            COOKIE in connection.cookies
            or "authorization" in connection.headers
            or connection.url.path.startswith("/api/")
        )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if private:
                    headers.setdefault("Cache-Control", "no-store")  # nothing a signed-in user sees is cached
            await send(message)

        await self.app(scope, receive, send_with_headers)
