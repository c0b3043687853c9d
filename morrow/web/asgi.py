"""The app for server processes started by uvicorn itself (`morrow serve --workers N`): each process
builds its own runtime from the environment, as the parent command did."""

from __future__ import annotations

from fastapi import FastAPI

from morrow.runtime import build_runtime
from morrow.web.app import create_app


def app_factory() -> FastAPI:
    runtime = build_runtime()
    runtime.require_migrated()
    return create_app(runtime)
