"""The FastAPI application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import func, select, text

import morrow
from morrow.db.migrate import current_revision, head_revision
from morrow.db.models import Patient, User
from morrow.runtime import Runtime
from morrow.web.errors import install_error_handlers

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(
        title="Morrow",
        version=morrow.__version__,
        summary="Clinician-supervised recovery support: doses, check-ins, tapers and sourced safety warnings.",
    )
    app.state.runtime = runtime
    install_error_handlers(app)

    @app.get("/health", tags=["operations"])
    def health() -> dict[str, Any]:
        """Liveness and readiness: the database answers and its schema is the latest."""
        with runtime.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current, head = current_revision(runtime.engine), head_revision(runtime.engine)
        return {
            "status": "ok" if current == head else "degraded",
            "version": morrow.__version__,
            "database": runtime.engine.url.get_backend_name(),
            "schema": {"current": current, "head": head},
            "catalog": {"version": runtime.catalog.version, "substances": len(runtime.catalog.substances)},
        }

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def landing(request: Request) -> HTMLResponse:
        with runtime.sessions() as session, session.begin():
            patients = session.scalar(select(func.count(Patient.id))) or 0
            clinicians = session.scalar(select(func.count(User.id)).where(User.role == "clinician")) or 0
        return TEMPLATES.TemplateResponse(
            request,
            "landing.html",
            {"version": morrow.__version__, "patients": patients, "clinicians": clinicians},
        )

    return app
