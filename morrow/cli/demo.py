"""`morrow demo`: load the demo clinic (deterministic for a given --seed and --until)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from morrow.demo.cast import DEMO_PASSWORD
from morrow.domain.errors import Conflict, ValidationError


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        seed: Annotated[int, typer.Option(help="Random seed: the same seed and --until give the same clinic.")] = 7,
        patients: Annotated[int, typer.Option(min=1, max=500, help="How many patients.")] = 40,
        days: Annotated[int, typer.Option(min=1, max=365, help="Days of history per patient.")] = 90,
        until: Annotated[
            datetime | None,
            typer.Option(
                formats=["%Y-%m-%d"], help="Last day of history (default: the last day that has ended everywhere)."
            ),
        ] = None,
        if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing if the database has accounts.")] = False,
        replace: Annotated[
            bool, typer.Option("--replace", help="Delete an earlier demo clinic first (refused for real accounts).")
        ] = False,
    ) -> None:
        """Load a demo clinic: two clinicians, an admin, and patients with months of plausible data."""
        from morrow.demo.loader import clear_database, database_is_empty, latest_until, load_demo, only_demo_data
        from morrow.runtime import build_runtime

        console = Console()
        latest = latest_until(datetime.now(UTC))
        last_day: date = until.date() if until else latest
        if last_day > latest:
            raise ValidationError(f"--until must be {latest} or earlier: the demo holds no data from the future")
        runtime = build_runtime()
        runtime.require_migrated()
        if not database_is_empty(runtime.sessions):
            if if_empty:
                console.print("The database already has accounts: the demo clinic was not loaded again.")
                _print_logins(console)
                return
            if not replace:
                raise Conflict("the database already has accounts; use --replace to reload a demo clinic")
            if not only_demo_data(runtime.sessions):
                raise Conflict("--replace refused: this database has accounts or patients that are not the demo's")
            clear_database(runtime.sessions)
        with Progress(
            TextColumn("[bold]Loading the demo clinic"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("patients"),
            TimeElapsedColumn(),
            console=console,
            transient=not console.is_terminal,
        ) as progress:
            task = progress.add_task("patients", total=patients)
            summary = load_demo(
                runtime.sessions,
                seed=seed,
                patients=patients,
                days=days,
                until=last_day,
                on_patient=lambda: progress.advance(task),
            )
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.counts.items()))
        console.print(f"Loaded {summary.patients} patients, {days} days ending {last_day}: {counts}.")
        _print_logins(console, summary.logins)


def _print_logins(console: Console, logins: list[tuple[str, str, str]] | None = None) -> None:
    if not logins:
        console.print(f"Demo sign-ins use the password [bold]{DEMO_PASSWORD}[/] (see README).")
        return
    table = Table(title=f"Demo sign-ins (password: {DEMO_PASSWORD})")
    for column in ("role", "e-mail", "who"):
        table.add_column(column)
    for row in logins:
        table.add_row(*row)
    console.print(table)
