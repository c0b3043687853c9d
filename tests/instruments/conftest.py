"""Fixtures for the questionnaire engine: a Typer app carrying only `morrow score`, and a way to run it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from morrow.cli.score import register


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


RunScore = Callable[[str, str], CliOutcome]


@pytest.fixture
def cli_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Test root: keeps `score` a sub-command, as in the real `morrow` app."""

    register(app)
    return app


@pytest.fixture
def run_score(cli_app: typer.Typer) -> RunScore:
    runner = CliRunner()

    def run(instrument_id: str, stdin: str) -> CliOutcome:
        result = runner.invoke(cli_app, ["score", instrument_id], input=stdin)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CliOutcome(result.exit_code, result.stdout)

    return run
