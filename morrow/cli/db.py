"""`morrow db ...`: schema migrations."""

from __future__ import annotations

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Database schema.", no_args_is_help=True)

    @db.command("upgrade")
    def upgrade_command() -> None:
        """Create or migrate the database to the latest schema (safe to run again)."""
        from morrow.db.migrate import current_revision, upgrade
        from morrow.runtime import build_runtime

        runtime = build_runtime()
        before = current_revision(runtime.engine)
        upgrade(runtime.engine)
        after = current_revision(runtime.engine)
        where = runtime.engine.url.render_as_string(hide_password=True)
        if before == after:
            Console().print(f"Database {where} is already at schema {after}.")
        else:
            Console().print(f"Database {where} upgraded from {before or 'empty'} to {after}.")

    @db.command("status")
    def status_command() -> None:
        """Show the database's schema revision and the latest one; exit 1 when it needs an upgrade."""
        from morrow.db.migrate import current_revision, head_revision
        from morrow.runtime import build_runtime

        runtime = build_runtime()
        current, head = current_revision(runtime.engine), head_revision(runtime.engine)
        Console().print(f"current: {current or 'none'}\nlatest:  {head}")
        if current != head:
            raise typer.Exit(1)

    app.add_typer(db, name="db")
