"""The app for the server processes of `morrow serve --workers N` (started by `morrow.web.serving`): each
process builds its own runtime from the environment, as the parent command did."""

from __future__ import annotations

import gc

from fastapi import FastAPI

from morrow.runtime import build_runtime
from morrow.web.app import create_app


def app_factory() -> FastAPI:
    runtime = build_runtime()
    runtime.require_migrated()
    return served(create_app(runtime))


def served(app: FastAPI) -> FastAPI:
    """The app as a long-running server holds it. What start-up built (modules, the catalog, instrument and
    rule knowledge, compiled templates and SQL) lives as long as the process, so it is moved out of the
    garbage collector's sight (`gc.freeze`): each full collection then walks only what requests made, and
    no longer pauses a request for milliseconds to re-examine the whole program."""
    gc.collect()
    gc.freeze()
    return app
