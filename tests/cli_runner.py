"""Run contract commands in-process (fast, for table-driven tests); tests/cli_helpers.py runs the real
`morrow` command in a subprocess, which each contract also gets."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import typer
from typer.testing import CliRunner


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


def app_with(*registers: Callable[[typer.Typer], None]) -> typer.Typer:
    """A Typer app carrying only the given commands, under a root as in the real `morrow` app."""
    app = typer.Typer()

    @app.callback()
    def root() -> None:
        """Test root: keeps each command a sub-command, as in the real app."""

    for register in registers:
        register(app)
    return app


def invoke(app: typer.Typer, args: Sequence[str], stdin: str = "") -> CliOutcome:
    result = CliRunner().invoke(app, list(args), input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return CliOutcome(result.exit_code, result.stdout)
