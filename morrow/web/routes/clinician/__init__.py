"""The clinician experience: HTML pages and their JSON API under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

routers: list[APIRouter] = []
