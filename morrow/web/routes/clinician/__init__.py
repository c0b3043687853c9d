"""The clinician experience: HTML pages and their JSON API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from morrow.web.routes.clinician import approvals, inbox, patient_api, patient_view, triage

routers: list[APIRouter] = [triage.router, inbox.router, approvals.router, patient_view.router, patient_api.router]
