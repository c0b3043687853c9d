"""The `morrow` command: one Typer application, sub-commands registered from their own modules."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="morrow",
    help="Morrow: clinician-supervised recovery support.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def main() -> None:
    app()
