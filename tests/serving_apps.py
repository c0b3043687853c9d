"""Tiny applications for the server-process tests (`tests/test_serving.py`): spawned server processes
import them by name, as `morrow serve` has its own app imported."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from fastapi import FastAPI


def healthy() -> FastAPI:
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, object]:
        return {"status": "ok", "pid": os.getpid()}

    @app.get("/slow")
    async def slow() -> dict[str, object]:  # a request still under way when the server is told to stop
        await asyncio.sleep(1.5)
        return {"status": "done", "pid": os.getpid()}

    return app


def slow_to_start() -> FastAPI:
    """Takes two seconds to start, so that a test can stop or kill a process while it starts."""
    time.sleep(2)
    return healthy()


def broken() -> FastAPI:
    raise RuntimeError("this application cannot start (on purpose, for a test)")


def fails_while_marked() -> FastAPI:
    """Starts only while the file named by MORROW_TEST_MARKER does not exist."""
    if Path(os.environ["MORROW_TEST_MARKER"]).exists():
        raise RuntimeError("marked: this start fails (on purpose, for a test)")
    return healthy()
