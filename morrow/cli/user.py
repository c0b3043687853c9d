"""`morrow user add`: accounts for clinicians, admins and patients."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console


def register(app: typer.Typer) -> None:
    user = typer.Typer(help="User accounts.", no_args_is_help=True)

    @user.command("add")
    def add(
        email: Annotated[str, typer.Option(help="Sign-in e-mail address.")],
        name: Annotated[str, typer.Option(help="Name shown to others.")],
        role: Annotated[str, typer.Option(help="patient, clinician or admin.")],
        patient_id: Annotated[int | None, typer.Option(help="For a patient account: the patient's id.")] = None,
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help="Read the password from standard input.")
        ] = False,
    ) -> None:
        """Add a user account. The password is asked for (hidden), or read from stdin for scripts."""
        from morrow.runtime import build_runtime
        from morrow.services.actors import Actor
        from morrow.services.people import create_user

        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")  # the line ending only: spaces are part of it
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        runtime = build_runtime()
        runtime.require_migrated()
        with runtime.sessions() as session:
            account = create_user(
                session,
                Actor.system("cli:user add"),
                {"email": email, "display_name": name, "role": role, "password": password, "patient_id": patient_id},
            )
        Console().print(f"Added {account.role} {account.email} (user {account.id}).")

    app.add_typer(user, name="user")
