"""Fixtures for the regimens engine: the shipped catalog, and a Typer app carrying only `morrow taper`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from morrow.catalog import Catalog, load_catalog
from morrow.cli.taper import register


@dataclass(frozen=True)
class CliOutcome:
    exit_code: int
    stdout: str

    @property
    def body(self) -> dict[str, Any]:
        """Standard output parsed as exactly one JSON object (anything else fails the test)."""
        parsed = json.loads(self.stdout)
        assert isinstance(parsed, dict)
        return parsed


RunPlan = Callable[[str], CliOutcome]


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def cli_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Test root: keeps `taper` a sub-command group, as in the real `morrow` app."""

    register(app)
    return app


@pytest.fixture
def run_plan(cli_app: typer.Typer) -> RunPlan:
    runner = CliRunner()

    def run(stdin: str) -> CliOutcome:
        result = runner.invoke(cli_app, ["taper", "plan"], input=stdin)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CliOutcome(result.exit_code, result.stdout)

    return run
