"""The patient experience: HTML pages and their JSON API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from morrow.web.routes.patient.api import router as api_router
from morrow.web.routes.patient.checkin_pages import router as checkin_router
from morrow.web.routes.patient.pages import router as pages_router
from morrow.web.routes.patient.progress_pages import router as progress_router

routers: list[APIRouter] = [pages_router, checkin_router, progress_router, api_router]
