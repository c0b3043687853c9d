"""The landing page and the health check."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import text

import morrow
from morrow.db.migrate import current_revision, head_revision
from morrow.services.people import clinic_summary
from morrow.web.deps import DbSession, OptionalUser, runtime
from morrow.web.routes.auth import home_for
from morrow.web.templating import render

router = APIRouter()


@router.get("/health", tags=["operations"])
def health(request: Request) -> dict[str, Any]:
    """Liveness and readiness: the database answers and its schema is the latest."""
    engine = runtime(request).engine
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    current, head = current_revision(engine), head_revision(engine)
    catalog = runtime(request).catalog
    return {
        "status": "ok" if current == head else "degraded",
        "version": morrow.__version__,
        "database": engine.url.get_backend_name(),
        "schema": {"current": current, "head": head},
        "catalog": {"version": catalog.version, "substances": len(catalog.substances)},
    }


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """Browsers and bookmarks ask for /favicon.ico whatever the page declares: send them to the icon."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def landing(request: Request, db: DbSession, user: OptionalUser) -> Response:
    if user is not None:
        return RedirectResponse(home_for(user.role), status_code=303)
    return render(request, "landing.html", clinic_summary(db))


@router.get("/api/docs", response_class=HTMLResponse, include_in_schema=False)
def api_reference(request: Request, user: OptionalUser) -> Response:
    """Every API route with its methods and summary, from the OpenAPI document (/openapi.json)."""
    spec = request.app.openapi()
    routes = [
        {
            "path": path,
            "method": method.upper(),
            "summary": op.get("summary", ""),
            "doc": op.get("description", ""),
            "tags": ", ".join(op.get("tags", [])),
        }
        for path, methods in sorted(spec["paths"].items())
        for method, op in methods.items()
    ]
    return render(request, "api_docs.html", {"routes": routes, "title": spec["info"]["title"]})
