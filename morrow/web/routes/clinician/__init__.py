"""The clinician experience: HTML pages and their JSON API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from morrow.web.routes.clinician import (
    approvals,
    inbox,
    patient_api,
    patient_forms,
    patient_view,
    sleep_windows,
    tapers,
    triage,
)

routers: list[APIRouter] = [
    triage.router,
    inbox.router,
    approvals.router,
    patient_view.router,
    patient_forms.router,
    patient_api.router,
    tapers.router,
    sleep_windows.router,
]
