"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import Depends, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

import morrow
from morrow.runtime import Runtime
from morrow.web.deps import COOKIE, patient_in_path
from morrow.web.errors import install_error_handlers
from morrow.web.routes import admin, auth, clinician, patient, system

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(runtime: Runtime) -> FastAPI:
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

    @app.middleware("http")
    async def _headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if COOKIE in request.cookies or "authorization" in request.headers or request.url.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")  # nothing a signed-in user sees is cached
        return response

    return app
