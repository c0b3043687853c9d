"""The `morrow` command: one Typer application, sub-commands registered from their own modules."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from morrow.domain.errors import DomainError

app = typer.Typer(
    name="morrow",
    help="Morrow: clinician-supervised recovery support.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # Command modules import their heavy dependencies (SQLAlchemy, Alembic, FastAPI) inside the command,
    # so that `morrow score`, which scripts call once per response, starts in a fraction of a second.
    from morrow.cli import check, db, demo, evidence, people, regimens, score, serve, taper, user, worker

    score.register(app)
    taper.register(app)
    regimens.register(app)  # after taper: it adds create/approve/status to the taper group
    check.register(app)
    evidence.register(app)
    db.register(app)
    user.register(app)
    people.register(app)
    demo.register(app)
    serve.register(app)
    worker.register(app)


_register()


def main() -> None:
    """Entry point: a refusal or a configuration problem is one red line on stderr and exit 1."""
    try:
        app()
    except DomainError as exc:
        Console(stderr=True).print(f"[bold red]morrow:[/] {exc.message}", highlight=False, soft_wrap=True)
        sys.exit(1)
