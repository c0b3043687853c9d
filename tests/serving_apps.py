"""Tiny applications for the server-process tests (`tests/test_serving.py`): spawned server processes
import them by name, as `morrow serve` has its own app imported."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI


def healthy() -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, object]:
        return {"status": "ok", "pid": os.getpid()}

    return app


def broken() -> FastAPI:
    raise RuntimeError("this application cannot start (on purpose, for a test)")


def fails_while_marked() -> FastAPI:
    """Starts only while the file named by MORROW_TEST_MARKER does not exist."""
    if Path(os.environ["MORROW_TEST_MARKER"]).exists():
        raise RuntimeError("marked: this start fails (on purpose, for a test)")
    return healthy()
